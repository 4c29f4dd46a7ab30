"""Compare: claims against each other and the record, quotations against the text quoted, printings
against each other; and the register that joins the build's flags with the editors' curated discrepancies.

Claims are compared only within one event and property (never every claim with every claim of the corpus),
so the cost grows with the size of the largest event, not with the square of the edition.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from .anchoring import Anchor
from .collation import Collation, collate
from .edition import Edition, Located
from .mentions import Mentions, find_mentions
from .model import PROPERTIES, Claim, Discrepancy, Event, Quotation, sequence_event
from .values import Interval, agree, describe, interval, sequence_fits


@dataclass
class Reading:
    """One passage in a register entry, with the value it gives."""

    key: str
    anchor: Anchor
    text: str
    value: Any = None
    prop: str | None = None
    #: True/False when the reading can be compared with the record; None when it cannot
    agrees_with_record: bool | None = None
    annotation: str | None = None
    role: str = "claim"  # claim | quoting | quoted | passage


@dataclass
class Entry:
    """A register entry: one disagreement, found by the build, curated by the editors, or both."""

    id: str
    kind: str
    summary: str
    event: str | None
    readings: list[Reading]
    prop: str | None = None
    record: Any = None
    automatic: bool = False
    curated: Located | None = None
    collation: Collation | None = None
    quotation: str | None = None
    #: ids of automatic flags merged into this entry (their anchors stay valid in the register)
    aliases: list[str] = field(default_factory=list)

    @property
    def annotation_ids(self) -> set[str]:
        ids = {r.annotation for r in self.readings if r.annotation}
        if self.curated is not None:
            ids.add(self.curated.id)
        if self.quotation:
            ids.add(self.quotation)
        return ids

    @property
    def sources(self) -> list[str]:
        return sorted({r.anchor.source for r in self.readings})


@dataclass
class WitnessCollation:
    """Two printings of one text, collated."""

    source: str
    witness: str
    collation: Collation


@dataclass
class Analysis:
    entries: list[Entry]
    collations: dict[str, Collation]
    witnesses: list[WitnessCollation]
    events: dict[str, Located]
    event_dates: dict[str, Interval]
    claims: dict[str, list[Located]]  # event id -> claims
    #: annotation id -> ids of the entries it takes part in
    by_annotation: dict[str, list[str]]
    mentions: Mentions | None = None

    def entry(self, entry_id: str) -> Entry | None:
        """The entry of that id (or alias); asked for each annotation of every page, so looked up, not searched."""
        index: dict[str, Entry] | None = self.__dict__.get("_entry_index")
        if index is None:
            index = {}
            for entry in self.entries:  # the first entry to have the id or alias wins, as a search would find
                for key in (entry.id, *entry.aliases):
                    index.setdefault(key, entry)
            self.__dict__["_entry_index"] = index
        return index.get(entry_id)

    def fingerprint(self, source_id: str | None = None) -> str:
        """Changes when anything the analysis shows about ``source_id`` (or anything, if None) changes."""
        # every source's fingerprint is made in one pass over the entries, the first time one is asked for:
        # asking each source in turn to look through every entry would grow with the square of the edition
        known: dict[str | None, str] | None = self.__dict__.get("_fingerprints")
        if known is None:
            known = self.__dict__["_fingerprints"] = self._fingerprints()
        return known.get(source_id) or hashlib.sha256().hexdigest()

    def part_fingerprint(self, part: str) -> str:
        """Changes when one part of the analysis changes: ``entries`` (the register's entries, flags included),
        ``witnesses`` (the collations of two printings) or ``mentions`` (the names found in the text)."""
        self.fingerprint()
        return self.__dict__["_fingerprints"].get(f"\0{part}") or hashlib.sha256().hexdigest()

    def _label(self, event_id: str | None) -> str | None:
        located = self.events.get(event_id) if event_id else None
        return located.annotation.label if located is not None else None

    def _fingerprints(self) -> dict[str | None, str]:
        digests: dict[str | None, Any] = defaultdict(hashlib.sha256)
        for entry in self.entries:
            # everything an entry shows, wherever it is shown (the register, the notes at each of its passages):
            # a claim's value edited in one source changes the note at the other source's passage too
            data = json.dumps(
                [
                    entry.id,
                    entry.kind,
                    entry.summary,
                    entry.event,
                    entry.prop,
                    repr(entry.record),
                    entry.automatic,
                    entry.quotation,
                    entry.aliases,
                    entry.curated.id if entry.curated is not None else None,
                    # a sequence names another event by its label
                    [self._label(sequence_event(r.value)) for r in entry.readings if r.prop == "sequence"],
                    [
                        (
                            r.key,
                            r.anchor.__dict__,
                            r.text,
                            repr(r.value),
                            r.prop,
                            r.agrees_with_record,
                            r.annotation,
                            r.role,
                        )
                        for r in entry.readings
                    ],
                ],
                default=str,
            ).encode()
            for key in (None, "\0entries", *entry.sources):
                digests[key].update(data)
        for witness in self.witnesses:
            data = repr(witness.collation.segments).encode()
            for key in (None, "\0witnesses", *sorted({witness.source, witness.witness})):
                digests[key].update(data)
        # a claim's note names its event by its label, wherever the event itself is anchored
        for event_id, claims in self.claims.items():
            data = json.dumps([event_id, self._label(event_id)]).encode()
            for source in sorted({anchor.source for claim in claims for anchor in claim.anchors}):
                digests[source].update(data)
        if self.mentions is not None:
            for (source, _), found in sorted(self.mentions.by_paragraph.items()):
                # a mention shows its entity's name (in the index) and type, and links to it
                named = [self.mentions.entities[m.entity] for m in found if m.entity in self.mentions.entities]
                data = (
                    repr(found) + json.dumps([[e.id, e.annotation.name, e.annotation.type, e.path] for e in named])
                ).encode()
                for key in (None, "\0mentions", source):
                    digests[key].update(data)
        return {key: digest.hexdigest() for key, digest in digests.items()}


def analyse(edition: Edition) -> Analysis:
    events: dict[str, Located] = {}
    claims: dict[str, list[Located]] = defaultdict(list)
    quotations: list[Located] = []
    curated: list[Located] = []
    for located in edition.annotations:
        annotation = located.annotation
        if isinstance(annotation, Event):
            events[located.id] = located
        elif isinstance(annotation, Claim):
            claims[annotation.event].append(located)
        elif isinstance(annotation, Quotation):
            quotations.append(located)
        elif isinstance(annotation, Discrepancy):
            curated.append(located)
    event_dates = {
        ident: interval(loc.annotation.record.date) for ident, loc in events.items() if loc.annotation.record.date
    }
    entries: dict[str, Entry] = {}
    for event_id, event_claims in sorted(claims.items()):
        event = events.get(event_id)
        by_prop: dict[str, list[Located]] = defaultdict(list)
        for claim in event_claims:
            by_prop[claim.annotation.property].append(claim)
        for prop, group in sorted(by_prop.items()):
            entry = _compare_claims(edition, event, event_id, prop, group, event_dates)
            if entry is not None:
                entries[entry.id] = entry
    collations: dict[str, Collation] = {}
    for located in quotations:
        quoting, quoted = located.anchors
        collation = collate(edition.passage(quoting), edition.passage(quoted))
        collations[located.id] = collation
        if collation.substantive:
            entry_id = f"auto-{located.id}"
            entries[entry_id] = Entry(
                id=entry_id,
                kind="wording",
                summary="The quotation differs from the text it quotes.",
                event=located.annotation.event,
                readings=[
                    Reading(
                        f"{located.id}#1", quoting, edition.passage(quoting), annotation=located.id, role="quoting"
                    ),
                    Reading(f"{located.id}#2", quoted, edition.passage(quoted), annotation=located.id, role="quoted"),
                ],
                automatic=True,
                collation=collation,
                quotation=located.id,
            )
    for located in curated:
        _merge_curated(edition, located, entries, collations)
    ordered = sorted(entries.values(), key=lambda e: _entry_order(e, event_dates))
    by_annotation: dict[str, list[str]] = defaultdict(list)
    for entry in ordered:
        for ident in sorted(entry.annotation_ids):
            by_annotation[ident].append(entry.id)
    witnesses = _collate_witnesses(edition)
    return Analysis(
        ordered,
        collations,
        witnesses,
        events,
        event_dates,
        dict(claims),
        dict(by_annotation),
        find_mentions(edition),
    )


def _compare_claims(
    edition: Edition,
    event: Located | None,
    event_id: str,
    prop: str,
    group: list[Located],
    dates: dict[str, Interval],
) -> Entry | None:
    record = getattr(event.annotation.record, prop, None) if event is not None and prop != "sequence" else None
    readings = []
    for claim in group:
        value = claim.annotation.value
        if prop == "sequence":
            fits = sequence_fits(dates.get(event_id), value, dates)
        else:
            fits = None if record is None else agree(prop, value, record)
        readings.append(
            Reading(claim.id, claim.anchors[0], edition.passage(claim.anchors[0]), value, prop, fits, claim.id)
        )
    disagree = any(r.agrees_with_record is False for r in readings)
    if not disagree:
        # compare distinct values pairwise: claims with the same value are one class
        classes: dict[str, Any] = {}
        for reading in readings:
            classes.setdefault(json.dumps(reading.value, sort_keys=True, default=str), reading.value)
        values = list(classes.values())
        disagree = any(
            not agree(prop, values[i], values[j], dates) for i in range(len(values)) for j in range(i + 1, len(values))
        )
    if not disagree:
        return None
    label = event.annotation.label if event is not None else event_id
    kind = PROPERTIES[prop]
    what = {"speaker": "who said it", "words": "the words said", "sequence": "the order of events"}.get(prop, prop)
    return Entry(
        id=f"auto-{event_id}-{prop}",
        kind=kind,
        summary=f"{label}: the passages disagree on {what}"
        + (" with each other or with the record." if record is not None else " with each other."),
        event=event_id,
        readings=readings,
        prop=prop,
        record=record,
        automatic=True,
    )


def _merge_curated(
    edition: Edition, located: Located, entries: dict[str, Entry], collations: dict[str, Collation]
) -> None:
    """A curated discrepancy takes over the automatic entries of the claims it names (one entry, not two)."""
    annotation: Discrepancy = located.annotation
    named = set(annotation.claims)
    absorbed = [e for e in entries.values() if e.automatic and e.curated is None and e.annotation_ids & named]
    readings: list[Reading] = []
    seen: set[str] = set()
    record = None
    prop = None
    collation = None
    quotation = None
    for entry in absorbed:
        del entries[entry.id]
        for reading in entry.readings:
            if reading.key not in seen:
                seen.add(reading.key)
                readings.append(reading)
        record = record if record is not None else entry.record
        prop = prop or entry.prop
        collation = collation or entry.collation
        quotation = quotation or entry.quotation
    by_id = {loc.id: loc for loc in edition.annotations}
    for ident in annotation.claims:
        other = by_id.get(ident)
        if other is None:
            continue
        if isinstance(other.annotation, Claim) and ident not in seen:
            anchor = other.anchors[0]
            readings.append(
                Reading(
                    ident,
                    anchor,
                    edition.passage(anchor),
                    other.annotation.value,
                    other.annotation.property,
                    None,
                    ident,
                )
            )
            seen.add(ident)
        elif isinstance(other.annotation, Quotation) and f"{ident}#1" not in seen:
            quoting, quoted = other.anchors
            readings.append(Reading(f"{ident}#1", quoting, edition.passage(quoting), annotation=ident, role="quoting"))
            readings.append(Reading(f"{ident}#2", quoted, edition.passage(quoted), annotation=ident, role="quoted"))
            seen.update((f"{ident}#1", f"{ident}#2"))
            collation = collation or collations.get(ident)
            quotation = quotation or ident
    for index, anchor in enumerate(located.anchors):
        readings.append(Reading(f"{located.id}#{index + 1}", anchor, edition.passage(anchor), role="passage"))
    entries[located.id] = Entry(
        id=located.id,
        kind=annotation.discrepancy,
        summary=annotation.summary,
        event=annotation.event or next((e.event for e in absorbed if e.event), None),
        readings=readings,
        prop=prop,
        record=record,
        automatic=bool(absorbed),
        curated=located,
        collation=collation,
        quotation=quotation,
        aliases=[e.id for e in absorbed],
    )


def _entry_order(entry: Entry, dates: dict[str, Interval]) -> tuple[Any, ...]:
    when = dates.get(entry.event or "")
    return (when is None, when.start if when else None, entry.event or "", entry.id)


#: the roles that make up the text of a document, as opposed to headings, datelines and editorial matter
TEXT_ROLES = frozenset({"body", "salutation", "closing", "signature", "address"})


def _collate_witnesses(edition: Edition) -> list[WitnessCollation]:
    found = []
    for source in sorted(edition.sources.values(), key=lambda s: s.id):
        other = source.meta.witness_of
        if other and other in edition.sources:
            main = edition.sources[other]
            found.append(
                WitnessCollation(
                    other,
                    source.id,
                    collate(
                        " ".join(p.text for p in source.paragraphs if p.role in TEXT_ROLES),
                        " ".join(p.text for p in main.paragraphs if p.role in TEXT_ROLES),
                    ),
                )
            )
    return found


def describe_value(prop: str | None, value: Any, labels: dict[str, str] | None = None) -> str:
    """``values.describe``, naming events in sequences by their labels."""
    other = sequence_event(value) if prop == "sequence" else None
    if other and labels:
        word = "before" if value.get("before") else "after"
        return f"{word} {labels.get(other, other)}"
    return describe(prop or "", value)
