"""Building the doctree of a source page: headnote, provenance, numbered paragraphs, and the apparatus.

Builder-agnostic: this module makes docutils nodes only. Editorial notes (notes, emendations,
cross-references) are numbered in reading order and made real footnotes, placed right after their paragraph;
their references sit at the end of the words they are about, which are marked.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from itertools import pairwise

from docutils import nodes
from sphinx import addnodes

from . import nodes as sn
from .anchoring import Anchor
from .edition import Edition, Located
from .model import CrossReference, Emendation
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


def note_id(located: Located, index: int) -> str:
    """The HTML id of the note that shows ``located`` at its ``index``-th target."""
    if len(located.anchors) == 1:
        return f"ann-{located.id}"
    return f"ann-{located.id}-{index + 1}"


class SourcePage:
    """Makes the nodes of one source's page."""

    def __init__(self, edition: Edition, source: Source, markdown: MarkdownRenderer) -> None:
        self.edition = edition
        self.source = source
        self.markdown = markdown
        self.entries = edition.by_source.get(source.id, [])
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
        return section

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
    ) -> tuple[nodes.paragraph, list[nodes.footnote]]:
        ids = [paragraph.anchor]
        if paragraph.docnote_number:
            ids.append(f"docnote-{paragraph.docnote_number}")
        para = nodes.paragraph(ids=ids, classes=["standoff-para", f"standoff-role-{paragraph.role}"])
        para.source, para.line = str(self.source.path), paragraph.line
        para += sn.standoff_pnum("", str(paragraph.number), refid=paragraph.anchor, number=paragraph.number)
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
            para += piece
            for loc, index in refs_at.get(end, []):
                para += self._noteref(loc, index)
            self._emit_markers(para, markers_at.get(end, []))
        footnotes = [self.footnote(loc, index) for loc, index, _ in entries]
        return para, footnotes

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

    def _noteref(self, located: Located, index: int) -> nodes.footnote_reference:
        fid = note_id(located, index)
        number = str(self.numbers[(located.id, index)])
        ref = nodes.footnote_reference(
            "", number, ids=["ref-" + fid[4:]], refid=fid, classes=["standoff-noteref", f"standoff-{located.kind}"]
        )
        return ref

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
            sic = self.source.paragraph(anchor.paragraph).text[anchor.start : anchor.end]
            note += nodes.paragraph(
                "",
                "",
                nodes.emphasis("", "Emendation. "),
                nodes.Text("The source reads "),
                nodes.inline("", f"“{sic}”", classes=["standoff-sic"]),
                nodes.Text("; the editors read "),
                nodes.inline("", f"“{annotation.reading}”", classes=["standoff-reading"]),
                nodes.Text(f" ({REASONS.get(annotation.reason, annotation.reason)})."),
            )
        elif isinstance(annotation, CrossReference):
            for other_index, other in enumerate(located.anchors):
                if other_index == index:
                    continue
                note += self._compare(located, other)
        if getattr(annotation, "body", None):
            note.extend(self.markdown(annotation.body, located.path, located.body_line))
        if annotation.authors:
            names = ", ".join(author.name for author in annotation.authors)
            note += nodes.paragraph("", f"— {names}", classes=["standoff-attribution"])
        return note

    def _compare(self, located: Located, other: Anchor) -> nodes.paragraph:
        source = self.edition.sources[other.source]
        passage = source.paragraph(other.paragraph).text[other.start : other.end]
        label = f"{source.label}, ¶{other.paragraph}"
        xref = addnodes.pending_xref(
            "",
            nodes.inline("", label),
            refdomain="standoff",
            reftype="para",
            reftarget=f"{other.source}#p{other.paragraph}",
            refexplicit=True,
            refwarn=False,
        )
        xref["standoff_annotation"] = located.id
        xref.source, xref.line = located.path, located.line
        return nodes.paragraph(
            "",
            "",
            nodes.emphasis("", "Compare "),
            xref,
            nodes.Text(": "),
            nodes.inline("", f"“{passage}”", classes=["standoff-quoted"]),
            classes=["standoff-compare"],
        )


def _maybe_link(text: str) -> nodes.Node:
    if text.startswith(("http://", "https://")) and " " not in text:
        return nodes.reference(text, text, refuri=text)
    return nodes.Text(text)
