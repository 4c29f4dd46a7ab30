"""The pages that look across sources: the discrepancy register, the chronology, the comparisons.

Builder-agnostic nodes (side-by-side passages are sphinx-design grids of cards); the HTML-only filter form is
a node of its own with an HTML visitor and is simply dropped by other builders.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable
from itertools import combinations

from docutils import nodes
from sphinx_design.shared import create_component

from . import nodes as sn
from .anchoring import Anchor, fold
from .comparison import Analysis, Entry, Reading, describe_value
from .deferred import deferred
from .edition import Edition, Located
from .mentions import Mentions
from .model import Claim, CrossReference, Entity, Identification, Quotation
from .render import PROPERTY_LABELS, collation_paragraph, quoted, quoted_paragraph, variants_list, xref

MarkdownRenderer = Callable[[str, str, int], list[nodes.Node]]

KIND_ORDER = ("date", "number", "participants", "attribution", "wording", "sequence", "characterisation", "place")


def _grid(cards: list[nodes.Node], columns: int = 2) -> nodes.container:
    container = create_component("grid-container", ["sd-container-fluid", "sd-sphinx-override", "sd-mb-3"])
    row = create_component(
        "grid-row",
        [
            "sd-row",
            "sd-row-cols-1",
            "sd-row-cols-xs-1",
            "sd-row-cols-sm-1",
            f"sd-row-cols-md-{columns}",
            f"sd-row-cols-lg-{columns}",
            "sd-g-2",
            "sd-g-xs-2",
            "sd-g-sm-2",
            "sd-g-md-2",
            "sd-g-lg-2",
        ],
    )
    container += row
    for card in cards:
        item = create_component("grid-item", ["sd-col", "sd-d-flex-column"])
        item += card
        row += item
    return container


def _card(title: list[nodes.Node], body: list[nodes.Node], classes: list[str] | None = None) -> nodes.container:
    card = create_component("card", ["sd-card", "sd-sphinx-override", "sd-mb-3", "sd-shadow-sm", *(classes or [])])
    inner = create_component("card-body", ["sd-card-body"])
    heading = create_component("card-title", ["sd-card-title", "sd-font-weight-bold"])
    heading += nodes.paragraph("", "", *title)
    inner += heading
    inner.extend(body)
    card += inner
    return card


class CrossSourcePages:
    """Builds the register, chronology and comparison pages from the edition and its analysis."""

    def __init__(self, edition: Edition, analysis: Analysis, markdown: MarkdownRenderer, docname: str) -> None:
        self.edition = edition
        self.analysis = analysis
        self.markdown = markdown
        self.docname = docname
        self.labels = {ident: loc.annotation.label for ident, loc in analysis.events.items()}
        self.by_id = {loc.id: loc for loc in edition.annotations}

    # -- shared pieces -------------------------------------------------------------------------------------

    def _para_link(self, anchor: Anchor, annotation: str, located: Located | None = None) -> nodes.Node:
        source = self.edition.sources[anchor.source]
        path, line = (located.path, located.line) if located else (str(source.path), 1)
        return xref(
            "para",
            f"{anchor.source}#p{anchor.paragraph}",
            f"{source.label}, ¶{anchor.paragraph}",
            annotation,
            path,
            line,
        )

    def _reading_card(self, entry: Entry, reading: Reading) -> nodes.container:
        located = self._located(reading.annotation) if reading.annotation else entry.curated
        body: list[nodes.Node] = [quoted_paragraph(reading.text)]
        if reading.value is not None:
            line = nodes.paragraph(
                "",
                "",
                nodes.emphasis("", "Reads: "),
                nodes.Text(describe_value(reading.prop, reading.value, self.labels)),
            )
            if reading.agrees_with_record is True:
                line += nodes.Text(" — agrees with the record")
            elif reading.agrees_with_record is False:
                line += nodes.strong("", " — disagrees with the record")
            body.append(line)
        role = {"quoting": "Quoting", "quoted": "Quoted"}.get(reading.role)
        title: list[nodes.Node] = [self._para_link(reading.anchor, reading.annotation or entry.id, located)]
        if role:
            title.insert(0, nodes.Text(f"{role}: "))
        classes = ["standoff-reading-card", f"standoff-source-{reading.anchor.source}"]
        if reading.agrees_with_record is False:
            classes.append("standoff-disagrees")
        return _card(title, body, classes)

    def _located(self, ident: str | None) -> Located | None:
        return self.by_id.get(ident) if ident is not None else None

    # -- register ------------------------------------------------------------------------------------------

    def register(self) -> list[nodes.Node]:
        entries = self.analysis.entries
        out: list[nodes.Node] = []
        kinds = Counter(entry.kind for entry in entries)
        automatic = sum(1 for entry in entries if entry.automatic)
        curated = sum(1 for entry in entries if entry.curated is not None)
        if entries:
            text = (
                f"{len(entries)} {'entry' if len(entries) == 1 else 'entries'}: "
                + ", ".join(f"{kinds[k]} {k}" for k in KIND_ORDER if kinds[k])
                + f". {automatic} found by the build itself, {curated} assessed by the editors."
            )
        else:
            text = "No disagreement has been found or recorded."
        summary = nodes.paragraph("", text, classes=["standoff-register-summary"])
        out.append(summary)
        form = sn.standoff_filter()
        form["kinds"] = [k for k in KIND_ORDER if kinds[k]]
        form["sources"] = [
            (sid, src.label)
            for sid, src in sorted(self.edition.sources.items())
            if any(sid in e.sources for e in entries)
        ]
        out.append(form)
        groups: dict[str | None, list[Entry]] = defaultdict(list)
        for entry in entries:
            groups[entry.event if entry.event in self.analysis.events else None].append(entry)
        for event_id, group in groups.items():
            title = self._event_title(event_id) if event_id else "Not tied to one event"
            section = nodes.section(ids=[f"register-{event_id or 'other'}"], classes=["standoff-register-group"])
            section += nodes.title(title, title)
            if event_id:
                section += nodes.paragraph(
                    "",
                    "",
                    xref(
                        "event",
                        event_id,
                        "The event in the chronology",
                        event_id,
                        self.analysis.events[event_id].path,
                        self.analysis.events[event_id].line,
                    ),
                )
            for entry in group:
                section += self._entry(entry)
            out.append(section)
        return out

    def _event_title(self, event_id: str) -> str:
        event = self.analysis.events[event_id].annotation
        when = describe_value("date", event.record.date) if event.record.date else "undated"
        return f"{event.label} ({when})"

    def _entry(self, entry: Entry) -> nodes.Element:
        node = sn.standoff_entry(
            ids=[f"d-{entry.id}", *(f"d-{alias}" for alias in entry.aliases)],
            classes=["standoff-entry", f"standoff-kind-{entry.kind}"],
        )
        node["kind"] = entry.kind
        node["sources"] = entry.sources
        found = "found by the build" if entry.automatic else "recorded by the editors"
        if entry.automatic and entry.curated is not None:
            found = "found by the build, assessed by the editors"
        head = nodes.paragraph("", "", classes=["standoff-entry-head"])
        head += nodes.inline("", entry.kind, classes=["standoff-badge", f"standoff-badge-{entry.kind}"])
        head += nodes.Text(" ")
        head += nodes.strong("", entry.summary)
        head += nodes.Text(f" ({found})")
        node += head
        cards = [self._reading_card(entry, reading) for reading in entry.readings]
        if entry.record is not None:
            event = self.analysis.events.get(entry.event or "")
            cards.append(
                _card(
                    [nodes.Text("The record")],
                    [
                        nodes.paragraph(
                            "",
                            "",
                            nodes.emphasis("", f"{PROPERTY_LABELS.get(entry.prop or '', '')}: "),
                            nodes.Text(describe_value(entry.prop, entry.record)),
                        )
                    ]
                    + ([nodes.paragraph("", f"Certainty: {event.annotation.certainty}.")] if event else []),
                    ["standoff-record-card"],
                )
            )
        node += _grid(cards)
        # every quotation of the entry is shown collated (an assessment may cover several)
        quoted = [r.annotation for r in entry.readings if r.role == "quoting" and r.annotation]
        for ident in dict.fromkeys(quoted):
            collation = self.analysis.collations.get(ident)
            if collation is not None:
                node += collation_paragraph(collation)
        if entry.curated is not None:
            annotation = entry.curated.annotation
            assessment = nodes.container(classes=["standoff-assessment"])
            assessment += nodes.paragraph(
                "",
                "",
                nodes.strong("", "Assessment. "),
                nodes.Text(f"Status: {annotation.status}; confidence: {annotation.confidence}."),
            )
            assessment.extend(
                self.markdown(annotation.assessment, entry.curated.path, entry.curated.text_line("assessment"))
            )
            node += assessment
        else:
            node += nodes.paragraph("", "Not yet assessed by the editors.", classes=["standoff-unassessed"])
        return node

    # -- chronology ----------------------------------------------------------------------------------------

    def chronology(self) -> list[nodes.Node]:
        events = sorted(
            self.analysis.events.values(),
            key=lambda loc: (
                loc.id not in self.analysis.event_dates,
                self.analysis.event_dates.get(loc.id).start if loc.id in self.analysis.event_dates else None,
                loc.id,
            ),
        )
        flagged: dict[str, list[Entry]] = defaultdict(list)
        for entry in self.analysis.entries:
            if entry.event:
                flagged[entry.event].append(entry)
        out: list[nodes.Node] = []
        for located in events:
            event = located.annotation
            section = nodes.section(
                ids=[f"event-{located.id}", f"ann-{located.id}"],
                classes=["standoff-event", f"standoff-certainty-{event.certainty}"],
            )
            title = self._event_title(located.id)
            section += nodes.title(title, title)
            record = nodes.field_list(classes=["standoff-record"])
            for prop in ("date", "place", "participants", "speaker", "words", "outcome", "characterisation", "number"):
                value = getattr(event.record, prop)
                if value is not None:
                    record += nodes.field(
                        "",
                        nodes.field_name("", PROPERTY_LABELS[prop].removeprefix("the ")),
                        nodes.field_body("", nodes.paragraph("", describe_value(prop, value))),
                    )
            record += nodes.field(
                "", nodes.field_name("", "certainty"), nodes.field_body("", nodes.paragraph("", event.certainty))
            )
            section += record
            evidence = nodes.container(classes=["standoff-evidence"])
            evidence += nodes.paragraph("", "", nodes.strong("", "Evidence. "))
            evidence.extend(self.markdown(event.evidence, located.path, located.text_line("evidence")))
            section += evidence
            if located.anchors:
                section += nodes.paragraph(
                    "",
                    "",
                    nodes.emphasis("", "Recorded in: "),
                    self._para_link(located.anchors[0], located.id, located),
                )
            claims = self.analysis.claims.get(located.id, [])
            if claims:
                section += nodes.paragraph("", "What the accounts say:", classes=["standoff-claims-title"])
                items = nodes.bullet_list(classes=["standoff-claims"])
                disputed = {r.annotation for e in flagged.get(located.id, []) for r in e.readings}
                for claim in sorted(
                    claims, key=lambda c: (c.annotation.property, c.anchors[0].source, c.anchors[0].paragraph)
                ):
                    items += self._claim_item(claim, claim.id in disputed)
                section += items
            if flagged.get(located.id):
                line = nodes.paragraph(
                    "", "", nodes.strong("", "≠ Where they disagree: "), classes=["standoff-event-flags"]
                )
                for index, entry in enumerate(flagged[located.id]):
                    if index:
                        line += nodes.Text("; ")
                    line += xref(
                        "entry", entry.id, f"{entry.kind}: {entry.summary}", entry.id, located.path, located.line
                    )
                section += line
            out.append(section)
        return out

    def _claim_item(self, located: Located, disputed: bool) -> nodes.list_item:
        claim: Claim = located.annotation
        anchor = located.anchors[0]
        para = nodes.paragraph("", "", ids=[f"ann-{located.id}"])
        para += nodes.inline("", "≠ " if disputed else "= ", classes=["standoff-claim-mark"])
        para += nodes.Text(f"{PROPERTY_LABELS.get(claim.property, claim.property)}: ")
        para += nodes.strong("", describe_value(claim.property, claim.value, self.labels))
        para += nodes.Text(" — ")
        para += self._para_link(anchor, located.id, located)
        para += nodes.Text(": ")
        para += quoted(self.edition.passage(anchor))
        return nodes.list_item("", para, classes=["standoff-disputed"] if disputed else [])

    # -- comparisons ---------------------------------------------------------------------------------------

    def comparisons(self) -> list[nodes.Node]:
        """The list of pairs, and a section for each, whose parallel passages are filled in after reading
        (``comparison_bodies``; see ``deferred``)."""
        parallels = self._parallels()
        pairs = sorted(parallels)
        titles = {(a, b): f"{self.edition.sources[a].label} and {self.edition.sources[b].label}" for a, b in pairs}
        contents = nodes.bullet_list(classes=["standoff-pairs"])
        for pair in pairs:
            count = len(parallels[pair])
            text = f"{titles[pair]} ({count} parallel {'passage' if count == 1 else 'passages'})"
            contents += nodes.list_item("", nodes.paragraph("", "", nodes.reference("", text, refid=_pair_id(pair))))
        out: list[nodes.Node] = [contents]
        for pair in pairs:
            section = nodes.section(ids=[_pair_id(pair)], classes=["standoff-comparison"])
            section += nodes.title(titles[pair], titles[pair])
            section += deferred("comparison", pair, self.docname)
            out.append(section)
        return out

    def comparison_bodies(self, pairs: list[tuple[str, str]]) -> dict[tuple[str, str], list[nodes.Node]]:
        """What the section of each pair shows: its parallel passages side by side, and the variants between
        two printings of one text."""
        parallels = self._parallels()
        bodies: dict[tuple[str, str], list[nodes.Node]] = {}
        for a, b in pairs:
            body: list[nodes.Node] = []
            rows = sorted(parallels.get((a, b), []), key=lambda r: (r[1].paragraph, r[1].start))
            if not rows:
                body.append(nodes.paragraph("", "These two sources share no annotated passage."))
            for what, left, right, key, located in rows:
                body.append(nodes.paragraph("", what, classes=["standoff-parallel-label"]))
                body.append(
                    _grid(
                        [
                            _card(
                                [self._para_link(left, key, located)],
                                [quoted_paragraph(self.edition.passage(left))],
                            ),
                            _card(
                                [self._para_link(right, key, located)],
                                [quoted_paragraph(self.edition.passage(right))],
                            ),
                        ]
                    )
                )
            for witness in self.analysis.witnesses:
                if {witness.source, witness.witness} == {a, b}:
                    body.append(nodes.paragraph("", "Variants between the two printings", classes=["rubric"]))
                    body.append(variants_list(witness.collation))
            bodies[(a, b)] = body
        return bodies

    def _parallels(self) -> dict[tuple[str, str], list[tuple[str, Anchor, Anchor, str, Located]]]:
        parallels: dict[tuple[str, str], list[tuple[str, Anchor, Anchor, str, Located]]] = defaultdict(list)
        for located in self.edition.annotations:
            annotation = located.annotation
            if isinstance(annotation, CrossReference | Quotation):
                what = "tell the same" if isinstance(annotation, CrossReference) else "quotation"
                for first, second in combinations(located.anchors, 2):
                    self._add_pair(parallels, first, second, what, located)
        for event_id, claims in self.analysis.claims.items():
            label = self.labels.get(event_id, event_id)
            for first, second in combinations(claims, 2):
                if first.annotation.property != second.annotation.property:
                    continue
                what = f"{label}: {PROPERTY_LABELS.get(first.annotation.property, first.annotation.property)}"
                self._add_pair(parallels, first.anchors[0], second.anchors[0], what, first)
        return parallels

    def _add_pair(self, parallels: dict, first: Anchor, second: Anchor, what: str, located: Located) -> None:
        if first.source == second.source:
            return
        if first.source > second.source:
            first, second = second, first
        parallels[(first.source, second.source)].append((what, first, second, located.id, located))

    # -- registers of names --------------------------------------------------------------------------------

    def entity_registers(self) -> list[nodes.Node]:
        mentions = self.analysis.mentions
        if mentions is None or not mentions.entities:
            return [nodes.paragraph("", "No register entries have been made.")]
        identifications: dict[str, list[Located]] = defaultdict(list)
        for located in self.edition.annotations:
            if isinstance(located.annotation, Identification):
                identifications[located.annotation.entity].append(located)
        out: list[nodes.Node] = []
        for kind, title in ENTITY_TYPES:
            members = sorted(
                (loc for loc in mentions.entities.values() if loc.annotation.type == kind),
                key=lambda loc: fold(loc.annotation.name).casefold(),
            )
            if not members:
                continue
            section = nodes.section(ids=[f"register-{kind}"], classes=["standoff-names"])
            section += nodes.title(title, title)
            for located in members:
                section += self._entity(located, mentions, identifications.get(located.id, []))
            out.append(section)
        return out

    def _entity(self, located: Located, mentions: Mentions, identifications: list[Located]) -> nodes.Element:
        entity: Entity = located.annotation
        box = nodes.container(ids=[f"entity-{located.id}", f"ann-{located.id}"], classes=["standoff-entity"])
        box += nodes.paragraph("", "", nodes.strong("", entity.name), classes=["standoff-entity-name"])
        box.extend(self.markdown(entity.identification, located.path, located.text_line("identification")))
        spelled = mentions.spellings.get(located.id, {})
        found = mentions.by_entity.get(located.id, [])
        if found:
            # one line per source: how it spells the name, then the paragraphs that name it
            paragraphs: dict[str, list[int]] = defaultdict(list)
            for mention in found:
                if mention.paragraph not in paragraphs[mention.source]:
                    paragraphs[mention.source].append(mention.paragraph)
            count = sum(len(numbers) for numbers in paragraphs.values())
            noun = "passage" if count == 1 else "passages"
            where = "source" if len(paragraphs) == 1 else "sources"
            box += nodes.paragraph(
                "",
                "",
                nodes.emphasis("", f"Mentioned in {count} {noun} of {len(paragraphs)} {where}:"),
                classes=["standoff-mentions"],
            )
            items = nodes.bullet_list(classes=["standoff-spellings"])
            for source_id in sorted(paragraphs, key=lambda sid: _natural(self.edition.sources[sid].label)):
                line = nodes.paragraph("", "")
                line += nodes.strong("", self.edition.sources[source_id].label)
                forms = sorted(spelled.get(source_id, ()))
                line += nodes.Text(": ")
                for index, form in enumerate(forms):
                    line += [nodes.Text(", ")] if index else []
                    line += quoted(form, "standoff-spelling")
                line += nodes.Text(" — " if forms else "")
                for index, number in enumerate(paragraphs[source_id]):
                    if index:
                        line += nodes.Text(", ")
                    line += xref(
                        "para",
                        f"{source_id}#p{number}",
                        f"¶{number}",
                        located.id,
                        located.path,
                        located.line,
                    )
                items += nodes.list_item("", line)
            box += items
        else:
            box += nodes.paragraph(
                "", "Not found in the text under any of its spellings.", classes=["standoff-unmentioned"]
            )
        for identification in identifications:
            anchor = identification.anchors[0]
            line = nodes.paragraph("", "", ids=[f"ann-{identification.id}"], classes=["standoff-identification"])
            line += nodes.emphasis("", "Identified by the editors at ")
            line += self._para_link(anchor, identification.id, identification)
            line += [nodes.Text(": "), quoted(self.edition.passage(anchor)), nodes.Text(".")]
            box += line
            if identification.annotation.body:
                box.extend(self.markdown(identification.annotation.body, identification.path, identification.body_line))
        return box


def _pair_id(pair: tuple[str, str]) -> str:
    return f"compare-{pair[0]}--{pair[1]}"


def _natural(text: str) -> list[str | int]:
    """A sort key that puts "doc. 84" before "doc. 202"."""
    return [int(part) if part.isdigit() else part.casefold() for part in re.split(r"(\d+)", text)]


ENTITY_TYPES = (
    ("person", "Persons"),
    ("organisation", "Organisations"),
    ("place", "Places"),
    ("document", "Documents"),
)
