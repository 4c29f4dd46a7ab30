"""Building the doctree of a source page: headnote, provenance, numbered paragraphs, and the apparatus.

Builder-agnostic: this module makes docutils nodes only. Editorial notes (notes, emendations,
cross-references) are numbered in reading order and made real footnotes, placed right after their paragraph;
their references sit at the end of the words they are about, which are marked.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from itertools import pairwise
from typing import TypeVar

from docutils import nodes
from sphinx import addnodes

from . import nodes as sn
from .anchoring import Anchor
from .collation import KIND_LABELS, STATUS_LABELS, Collation
from .comparison import Analysis, Entry, describe_value
from .deferred import deferred
from .edition import Edition, Located
from .mentions import Mention
from .model import Claim, CrossReference, Discrepancy, Emendation, Event, Identification, Quotation
from .transcription import Paragraph, Source

MarkdownRenderer = Callable[[str, str, int], list[nodes.Node]]

REASONS = {
    "misprint": "misprint",
    "encoding-damage": "damaged character (encoding)",
    "ocr-error": "misread character (OCR)",
    "misspelled-name": "misspelled name",
    "misspelling": "misspelling",
    "missing-word": "word missing",
    "punctuation": "punctuation",
    "other": "emended",
}

PARATEXT_KINDS = {
    "cookie-notice": "cookie notice",
    "donation-appeal": "donation appeal",
    "caption": "image caption",
    "image-url": "image address",
    "related-link": "“Related” link",
    "copyright": "copyright notice",
    "advertisement": "advertisement",
    "site-chrome": "website banner",
    "book-promotion": "book promotion",
}


PROPERTY_LABELS = {
    "date": "the date",
    "place": "the place",
    "participants": "those present",
    "speaker": "who said it",
    "words": "the words said",
    "outcome": "the outcome",
    "characterisation": "how it is described",
    "number": "the number",
    "sequence": "when, relative to",
}


_Element = TypeVar("_Element", bound=nodes.Element)


def verbatim(text: str, *classes: str) -> nodes.inline:
    """Words of a source (or the editors' reading of them) exactly as written.

    Sphinx's smart quotes would turn straight quotes, ``--`` and ``...`` in them into typographic ones and so
    misquote the source, where the edition's business is telling apart the wordings and printings of a text.
    The mark keeps them as they are; quotation marks put around them by the edition are typographic already.
    """
    return _as_written(nodes.inline("", text, classes=list(classes)))


def _as_written(node: _Element) -> _Element:
    """``node``, marked to be left alone by smart quotes (see ``verbatim``)."""
    node["support_smartquotes"] = False
    return node


def quoted(text: str, *classes: str) -> nodes.inline:
    """A passage of a source, quoted: “text”, its own characters as written (see ``verbatim``)."""
    return verbatim(f"“{text}”", *(classes or ("standoff-quoted",)))


def quoted_paragraph(text: str) -> sn.standoff_quoted:
    """A paragraph that is a quoted passage and nothing else (see ``quoted``): the same text, one node fewer
    for each of the many cards of the register and the comparisons."""
    return _as_written(sn.standoff_quoted("", f"“{text}”", classes=["standoff-quoted"]))


def xref(reftype: str, target: str, label: str, annotation: str, path: str, line: int) -> addnodes.pending_xref:
    """A link resolved late by the ``standoff`` domain: to a paragraph, a register entry or an event."""
    node = addnodes.pending_xref(
        "",
        sn.standoff_linktext("", label),
        refdomain="standoff",
        reftype=reftype,
        reftarget=target,
        refexplicit=True,
        refwarn=False,
    )
    node["standoff_annotation"] = annotation
    node.source, node.line = path, line
    return node


def collation_paragraph(collation: Collation) -> nodes.paragraph:
    """The quotation as quoted, its differences from the text quoted marked word by word."""
    para = _as_written(nodes.paragraph(classes=["standoff-collation"]))  # the words of two texts as written
    para += nodes.emphasis("", "Collation: ")
    for index, segment in enumerate(collation.segments):
        if index:
            para += nodes.Text(" ")
        if segment.kind == "equal":
            para += nodes.Text(segment.quoting)
            continue
        variant = sn.standoff_variant("", "", classes=["standoff-variant", f"standoff-variant-{segment.kind}"])
        variant["kind"] = segment.kind
        variant["label"] = KIND_LABELS.get(segment.kind, segment.kind)
        if segment.quoted:
            variant += nodes.inline("", segment.quoted, classes=["standoff-variant-quoted"])
        if segment.quoting:
            variant += nodes.inline("", segment.quoting, classes=["standoff-variant-quoting"])
        para += variant
    return para


def variants_list(collation: Collation) -> nodes.Element:
    """The differences between two printings, one per line: the main text's reading, then the other's."""
    items = nodes.enumerated_list(classes=["standoff-variants"])
    for segment in collation.differences:
        para = _as_written(nodes.paragraph())  # the words of two printings as written
        para += nodes.inline("", segment.quoted or "—", classes=["standoff-variant-quoted"])
        para += nodes.Text(" ] ")
        para += nodes.inline("", segment.quoting or "—", classes=["standoff-variant-quoting"])
        para += nodes.Text(f" ({KIND_LABELS.get(segment.kind, segment.kind)})")
        items += nodes.list_item("", para)
    if not len(items):
        return nodes.paragraph("", "The two printings agree word for word.")
    return items


def note_id(located: Located, index: int) -> str:
    """The HTML id of the note that shows ``located`` at its ``index``-th target."""
    if len(located.anchors) == 1:
        return f"ann-{located.id}"
    return f"ann-{located.id}-{index + 1}"


class SourcePage:
    """Makes the nodes of one source's page.

    It leaves the summary of each register entry at a note (the other readings of the same point, linked) to be
    filled in after reading (``entry_lines``; see ``deferred``): at 100 sources, a quarter of the nodes of the
    source pages, none of which needs the reading phase.
    """

    def __init__(
        self,
        edition: Edition,
        source: Source,
        markdown: MarkdownRenderer,
        analysis: Analysis | None,
        docname: str,
    ) -> None:
        self.edition = edition
        self.source = source
        self.markdown = markdown
        self.analysis = analysis
        self.docname = docname
        # identifications show as the links of the names they identify, not as notes
        self.entries = [
            entry
            for entry in edition.by_source.get(source.id, [])
            if not isinstance(entry[0].annotation, Identification)
        ]
        self.numbers = {(loc.id, index): n for n, (loc, index) in enumerate(self.entries, start=1)}

    # -- page ----------------------------------------------------------------------------------------------

    def build(self) -> nodes.section:
        meta = self.source.meta
        section = nodes.section(ids=[self.source.id], classes=["standoff-source"])
        section += nodes.title(meta.title, meta.title)
        section += self.headnote()
        section += self.provenance()
        section += nodes.rubric("", "Text", classes=["standoff-text-heading"])
        section += self.text()
        section.extend(self.variants())
        return section

    def variants(self) -> list[nodes.Node]:
        """Where this source and another are printings of one text: their variants."""
        out: list[nodes.Node] = []
        for witness in self.analysis.witnesses if self.analysis else []:
            if self.source.id not in (witness.source, witness.witness):
                continue
            main = self.edition.sources[witness.source]
            other = self.edition.sources[witness.witness]
            box = nodes.container(ids=[f"variants-{witness.witness}"], classes=["standoff-witness-variants"])
            box += nodes.rubric("", f"Variants between two printings: {main.label} and {other.label}")
            box += nodes.paragraph(
                "",
                f"Collated word by word by the build. Each line gives the reading of {main.label}, then, after "
                f"the bracket, that of {other.label}.",
            )
            box += variants_list(witness.collation)
            out.append(box)
        return out

    def headnote(self) -> nodes.container:
        box = nodes.container(classes=["standoff-headnote"])
        box += nodes.paragraph("", "", nodes.strong("", "Headnote"), classes=["standoff-headnote-title"])
        line = self.source.field_lines.get("headnote", 1)
        box.extend(self.markdown(self.source.meta.headnote, str(self.source.path), line + 1))
        return box

    def provenance(self) -> nodes.field_list:
        meta = self.source.meta
        rows: list[tuple[str, list[nodes.Node]]] = [
            ("Source id", [nodes.literal("", meta.id)]),
            ("Author", [nodes.Text(meta.author)]),
            ("Publisher or archive", [nodes.Text(meta.publisher)]),
            ("Date of the text", [nodes.Text(meta.date or "undated")]),
        ]
        if meta.date_note:
            rows.append(("Dating", [nodes.Text(meta.date_note)]))
        if meta.events_date:
            rows.append(("Events reported", [nodes.Text(meta.events_date)]))
        rows.append(("Published at", [_maybe_link(meta.published_at)]))
        rows.append(("Kind", [nodes.Text("primary document" if meta.kind == "primary" else "secondary account")]))
        rows.append(("Rights", [nodes.Text(meta.rights)]))
        rows.append(
            (
                "Transcribed from",
                [
                    nodes.literal("", meta.received.file),
                    nodes.Text(", SHA-256 "),
                    nodes.literal("", meta.received.sha256, classes=["standoff-hash"]),
                ],
            )
        )
        fields = nodes.field_list(classes=["standoff-provenance"])
        for name, body in rows:
            fields += nodes.field("", nodes.field_name("", name), nodes.field_body("", nodes.paragraph("", "", *body)))
        return fields

    def text(self) -> sn.standoff_text:
        by_paragraph: dict[int, list[tuple[Located, int, Anchor]]] = defaultdict(list)
        for located, index in self.entries:
            anchor = located.anchors[index]
            by_paragraph[anchor.paragraph].append((located, index, anchor))
        container = sn.standoff_text(classes=["standoff-text"])
        group: nodes.Element | None = None
        group_block = -1
        for paragraph in self.source.paragraphs:
            parent: nodes.Element = container
            if paragraph.role in ("paratext", "docnotes"):
                same = group_block == paragraph.block or (
                    paragraph.role == "docnotes" and isinstance(group, sn.standoff_docnotes)
                )
                if group is None or not same:
                    group = self._group(paragraph)
                    group_block = paragraph.block
                    container += group
                parent = group
            else:
                group = None
            para, notes = self.paragraph(paragraph, by_paragraph.get(paragraph.number, []))
            parent += para
            parent.extend(notes)
        return container

    def _group(self, paragraph: Paragraph) -> nodes.Element:
        if paragraph.role == "docnotes":
            box = sn.standoff_docnotes(classes=["standoff-docnotes"])
            box += nodes.paragraph("", "Notes of the original", classes=["standoff-docnotes-title"])
            return box
        kind = paragraph.attr("kind", "paratext") or "paratext"
        box = sn.standoff_paratext(classes=["standoff-paratext", f"standoff-paratext-{kind}"])
        box["kind"] = kind
        box["label"] = PARATEXT_KINDS.get(kind, kind.replace("-", " "))
        return box

    # -- paragraph -----------------------------------------------------------------------------------------

    def paragraph(
        self, paragraph: Paragraph, entries: list[tuple[Located, int, Anchor]]
    ) -> tuple[sn.standoff_para, list[nodes.footnote]]:
        ids = [paragraph.anchor]
        if paragraph.docnote_number:
            ids.append(f"docnote-{paragraph.docnote_number}")
        # the text as received: a node that Sphinx's smart quotes leave alone (see ``standoff_para``)
        para = sn.standoff_para(ids=ids, classes=["standoff-para", f"standoff-role-{paragraph.role}"])
        para.source, para.line = str(self.source.path), paragraph.line
        # and for the text inside links within it (names, cross-references), which smart quotes visit apart
        _as_written(para)
        para += sn.standoff_pnum("", str(paragraph.number), refid=paragraph.anchor, number=paragraph.number)
        number = paragraph.docnote_number
        if number and not paragraph.received_text.lstrip().startswith(number):
            # a note whose label was markup in the received file (FRUS Markdown's "[^1]:") gets it back here
            para += nodes.superscript("", number, classes=["standoff-docnote-label"])
            para += nodes.Text(" ")
        text = paragraph.text
        emendations = [(a.start, a.end, loc) for loc, _, a in entries if isinstance(loc.annotation, Emendation)]

        def inside_emendation(pos: int) -> tuple[int, int, Located] | None:
            for start, end, loc in emendations:
                if start < pos < end:
                    return start, end, loc
            return None

        markers_at: dict[int, list] = defaultdict(list)
        for marker in paragraph.markers:
            offset = marker.offset
            hit = inside_emendation(offset)
            markers_at[hit[1] if hit else offset].append(marker)
        refs_at: dict[int, list[tuple[Located, int]]] = defaultdict(list)
        for loc, index, anchor in entries:
            hit = inside_emendation(anchor.end)
            refs_at[hit[1] if hit else anchor.end].append((loc, index))
        points = {0, len(text)} | set(markers_at) | set(refs_at)
        for start, end in paragraph.paratext:
            points.update((start, end))
        mentions = self._mentions(paragraph.number)
        for mention in mentions:
            points.update((mention.start, mention.end))
        first_piece: set[Mention] = set()
        for _loc, _index, anchor in entries:
            points.update((anchor.start, anchor.end))
        cuts = sorted(p for p in points if inside_emendation(p) is None)

        others = [(a, loc) for loc, _, a in entries if not isinstance(loc.annotation, Emendation)]
        self._emit_markers(para, markers_at.get(0, []))
        for begin, end in pairwise(cuts):
            emendation = next(((s, e, loc) for s, e, loc in emendations if s == begin), None)
            covering = sorted({loc.id for a, loc in others if a.start <= begin and end <= a.end})
            piece: nodes.Node
            if emendation is not None:
                piece = self._emendation(emendation[2], text[begin:end], covering)
            elif covering:
                piece = sn.standoff_mark("", text[begin:end], classes=["standoff-mark"])
                piece["annotations"] = covering
            else:
                piece = nodes.Text(text[begin:end])
            if any(start <= begin and end <= stop for start, stop in paragraph.paratext):
                piece = sn.standoff_inline_paratext("", "", piece, classes=["standoff-paratext-inline"])
            mention = next((m for m in mentions if m.start <= begin and end <= m.end), None)
            if mention is not None:
                if mention not in first_piece:
                    first_piece.add(mention)
                    para.extend(self._index_entry(mention))
                piece = self._mention_link(mention, piece)
            para += piece
            for loc, index in refs_at.get(end, []):
                para.extend(self._noteref(loc, index))
            self._emit_markers(para, markers_at.get(end, []))
        footnotes = [self.footnote(loc, index) for loc, index, _ in entries]
        return para, footnotes

    def _mentions(self, number: int) -> list[Mention]:
        if self.analysis is None or self.analysis.mentions is None:
            return []
        return self.analysis.mentions.by_paragraph.get((self.source.id, number), [])

    def _index_entry(self, mention: Mention) -> list[nodes.Node]:
        """An index entry (and its target) for a name, so that HTML and print indexes list the passage."""
        entity = self.analysis.mentions.entities[mention.entity]
        target_id = f"m-{mention.paragraph}-{mention.start}"
        index = addnodes.index(entries=[("single", entity.annotation.name, target_id, "", None)])
        return [index, nodes.target("", "", ids=[target_id])]

    def _mention_link(self, mention: Mention, piece: nodes.Node) -> nodes.Node:
        entity = self.analysis.mentions.entities[mention.entity]
        link = addnodes.pending_xref(
            "",
            sn.standoff_linktext("", "", piece, classes=["standoff-mention", f"standoff-{entity.annotation.type}"]),
            refdomain="standoff",
            reftype="entity",
            reftarget=mention.entity,
            refexplicit=True,
            refwarn=False,
        )
        link["standoff_annotation"] = mention.identification or mention.entity
        link.source, link.line = entity.path, entity.line
        return link

    def _emit_markers(self, para: nodes.paragraph, markers: list) -> None:
        for marker in markers:
            if marker.kind == "noteref":
                number = marker.content.strip()
                ref = nodes.reference("", marker.content, refid=f"docnote-{number}", classes=["standoff-docnote-ref"])
                para += nodes.superscript("", "", ref, classes=["standoff-docnote-call"])
            else:
                para += sn.standoff_pagebreak("", marker.content, classes=["standoff-pb"])

    def _emendation(self, located: Located, sic: str, covering: list[str]) -> sn.standoff_emendation:
        annotation = located.annotation
        node = sn.standoff_emendation("", annotation.reading, classes=["standoff-emendation"])
        node["sic"] = sic
        node["reading"] = annotation.reading
        node["reason"] = REASONS.get(annotation.reason, annotation.reason)
        node["annotations"] = [located.id, *covering]
        return node

    def _noteref(self, located: Located, index: int) -> list[nodes.Node]:
        fid = note_id(located, index)
        number = str(self.numbers[(located.id, index)])
        ref = nodes.footnote_reference(
            "", number, ids=["ref-" + fid[4:]], refid=fid, classes=["standoff-noteref", f"standoff-{located.kind}"]
        )
        entries = self._entries_of(located)
        if not entries:
            return [ref]
        kinds = sorted({entry.kind for entry in entries})
        flag = sn.standoff_flag("", "≠", classes=["standoff-flag"], refid=fid)
        flag["label"] = f"Discrepancy ({', '.join(kinds)}): other readings in note {number}"
        ref["classes"].append("standoff-flagged")
        return [flag, ref]

    def _entries_of(self, located: Located) -> list[Entry]:
        if self.analysis is None:
            return []
        return [e for i in self.analysis.by_annotation.get(located.id, []) if (e := self.analysis.entry(i))]

    # -- notes ---------------------------------------------------------------------------------------------

    def footnote(self, located: Located, index: int) -> nodes.footnote:
        fid = note_id(located, index)
        number = str(self.numbers[(located.id, index)])
        note = nodes.footnote(
            ids=[fid], backrefs=["ref-" + fid[4:]], classes=["standoff-note", f"standoff-{located.kind}"]
        )
        note.source, note.line = located.path, located.line
        note += nodes.label("", number)
        annotation = located.annotation
        if isinstance(annotation, Emendation):
            anchor = located.anchors[0]
            sic = self.edition.passage(anchor)
            note += nodes.paragraph(
                "",
                "",
                nodes.emphasis("", "Emendation. "),
                nodes.Text("The source reads "),
                quoted(sic, "standoff-sic"),
                nodes.Text("; the editors read "),
                quoted(annotation.reading, "standoff-reading"),
                nodes.Text(f" ({REASONS.get(annotation.reason, annotation.reason)})."),
            )
        elif isinstance(annotation, CrossReference):
            for other_index, other in enumerate(located.anchors):
                if other_index == index:
                    continue
                note += self._compare(located, other)
        elif isinstance(annotation, Claim):
            note.extend(self._claim_note(located))
        elif isinstance(annotation, Quotation):
            note.extend(self._quotation_note(located, index))
        elif isinstance(annotation, Discrepancy):
            note.extend(self._discrepancy_note(located, index))
        elif isinstance(annotation, Event):
            note += nodes.paragraph(
                "",
                "",
                nodes.emphasis("", "Event. "),
                nodes.Text(f"{annotation.label} ({describe_value('date', annotation.record.date)}); see the "),
                self._xref("event", located.id, "chronology", located),
                nodes.Text("."),
            )
        for entry in self._entries_of(located):
            if not isinstance(annotation, Discrepancy):
                note += self._entry_summary(entry, located)
        if getattr(annotation, "body", None):
            note.extend(self.markdown(annotation.body, located.path, located.body_line))
        if annotation.authors:
            attribution = nodes.paragraph("", "— ", classes=["standoff-attribution"])
            for number, author in enumerate(annotation.authors):
                attribution += nodes.Text((", " if number else "") + author.name)
                if author.orcid:
                    url = f"https://orcid.org/{author.orcid}"
                    attribution += [nodes.Text(" ("), nodes.reference("", url, refuri=url, classes=["standoff-orcid"])]
                    attribution += nodes.Text(")")
            dates = [
                f"{w} {d.isoformat()}"
                for w, d in (("written", annotation.created), ("revised", annotation.modified))
                if d
            ]
            if dates:
                attribution += nodes.Text(f"; {', '.join(dates)}")
            note += attribution
        return note

    def _compare(self, located: Located, other: Anchor) -> nodes.paragraph:
        return nodes.paragraph(
            "",
            "",
            nodes.emphasis("", "Compare "),
            *self._passage(other, located),
            classes=["standoff-compare"],
        )

    def _xref(self, reftype: str, target: str, label: str, located: Located) -> addnodes.pending_xref:
        return xref(reftype, target, label, located.id, located.path, located.line)

    def _passage(self, anchor: Anchor, located: Located) -> list[nodes.Node]:
        """``Source, ¶n: “words”``, the source and paragraph linked."""
        source = self.edition.sources[anchor.source]
        passage = self.edition.passage(anchor)
        link = self._xref(
            "para", f"{anchor.source}#p{anchor.paragraph}", f"{source.label}, ¶{anchor.paragraph}", located
        )
        return [link, nodes.Text(": "), quoted(passage)]

    def _labels(self) -> dict[str, str]:
        if self.analysis is None:
            return {}
        return {ident: loc.annotation.label for ident, loc in self.analysis.events.items()}

    def _claim_note(self, located: Located) -> list[nodes.Node]:
        claim: Claim = located.annotation
        event = self.analysis.events.get(claim.event) if self.analysis else None
        label = event.annotation.label if event else claim.event
        value = describe_value(claim.property, claim.value, self._labels())
        para = nodes.paragraph(
            "",
            "",
            nodes.emphasis("", "Claim. "),
            nodes.Text(f"On “{label}”, {PROPERTY_LABELS.get(claim.property, claim.property)}: "),
            nodes.strong("", value),
            classes=["standoff-claim-line"],
        )
        if claim.as_written:
            para += [nodes.Text(" (as written: "), quoted(claim.as_written, "standoff-as-written"), nodes.Text(")")]
        para += nodes.Text(". ")
        if not self._entries_of(located):
            para += nodes.Text("No disagreement found with the record or the other accounts; see the ")
            para += self._xref("event", claim.event, "chronology", located)
            para += nodes.Text(".")
        return [para]

    def _entry_summary(self, entry: Entry, located: Located) -> nodes.Node:
        # the key names the source, so that the filler finds the page's source without a search
        return deferred("entry-line", (self.source.id, entry.id, located.id), self.docname)

    def entry_lines(self, keys: list[tuple[str, str, str]]) -> dict[tuple[str, str, str], list[nodes.Node]]:
        """The summary of each (this source, register entry, annotation) of ``keys`` at the annotation's note."""
        shown = {located.id: located for located, _ in self.entries}
        out: dict[tuple[str, str, str], list[nodes.Node]] = {}
        for key in keys:
            _, entry_id, annotation_id = key
            entry = self.analysis.entry(entry_id) if self.analysis else None
            located = shown.get(annotation_id)
            if entry is not None and located is not None:
                out[key] = [self._entry_line(entry, located)]
        return out

    def _entry_line(self, entry: Entry, located: Located) -> nodes.Node:
        """At a passage: what the other readings of the same point are, and the register entry."""
        box = nodes.container(classes=["standoff-entry-summary"])
        head = nodes.paragraph(
            "",
            "",
            nodes.strong("", f"≠ Discrepancy ({entry.kind}). "),
            nodes.Text(entry.summary + " "),
            self._xref("entry", entry.id, "Register entry", located),
            nodes.Text("."),
        )
        box += head
        items = nodes.bullet_list(classes=["standoff-readings"])
        labels = self._labels()
        own = {r.key for r in entry.readings if r.annotation == located.id}
        if entry.record is not None:
            items += nodes.list_item(
                "",
                nodes.paragraph(
                    "", "", nodes.emphasis("", "The record: "), nodes.Text(describe_value(entry.prop, entry.record))
                ),
            )
        for reading in entry.readings:
            if reading.key in own and reading.role != "quoted":
                continue
            line = nodes.paragraph("", "", *self._passage(reading.anchor, located))
            if reading.value is not None:
                line += nodes.Text(f" — {describe_value(reading.prop, reading.value, labels)}")
            if reading.agrees_with_record is False:
                line += nodes.Text(" (disagrees with the record)")
            items += nodes.list_item("", line)
        if len(items):
            box += items
        if self.analysis is not None and not isinstance(located.annotation, Quotation):
            quoted = [r.annotation for r in entry.readings if r.role == "quoting" and r.annotation]
            for ident in dict.fromkeys(quoted):
                collation = self.analysis.collations.get(ident)
                if collation is not None:
                    box += collation_paragraph(collation)
        return box

    def _quotation_note(self, located: Located, index: int) -> list[nodes.Node]:
        collation = self.analysis.collations.get(located.id) if self.analysis else None
        quoting, quoted = located.anchors
        status = STATUS_LABELS[collation.status] if collation else ""
        if index == 0:
            head = nodes.paragraph(
                "", "", nodes.emphasis("", "Quotation of "), *self._passage(quoted, located), nodes.Text(". ")
            )
            head += nodes.strong("", status[:1].upper() + status[1:] + ".", classes=[f"standoff-{collation.status}"])
            out: list[nodes.Node] = [head]
            if collation is not None and collation.differences:
                out.append(collation_paragraph(collation))
            return out
        return [
            nodes.paragraph(
                "",
                "",
                nodes.emphasis("", "Quoted in "),
                *self._passage(quoting, located),
                nodes.Text(f" ({status})."),
            )
        ]

    def _discrepancy_note(self, located: Located, index: int) -> list[nodes.Node]:
        entry = self.analysis.entry(located.id) if self.analysis else None
        if entry is None:  # pragma: no cover - every curated discrepancy has an entry
            return []
        annotation: Discrepancy = located.annotation
        out = [self._entry_summary(entry, located)]
        out.append(
            nodes.paragraph(
                "",
                "",
                nodes.emphasis("", "Assessment: "),
                nodes.Text(f"{annotation.status}, confidence {annotation.confidence}; see the register entry."),
            )
        )
        return out


def _maybe_link(text: str) -> nodes.Node:
    if text.startswith(("http://", "https://")) and " " not in text:
        return nodes.reference(text, text, refuri=text)
    return nodes.Text(text)
