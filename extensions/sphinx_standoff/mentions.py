"""Finding every passage that names a person, organisation, place or document.

Each register entry (an ``entity`` annotation) lists the spellings its name takes in the sources. The build
looks for every spelling in every paragraph, as whole words, with the forgiving comparison of selectors
(NFC, whitespace, quotation marks); where two spellings overlap, the longer wins ("Nikita S. Khrushchev"
over "Khrushchev"). A spelling claimed by two entries goes to the first, unless an ``identification``
annotation names the other at that place.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from .anchoring import fold, normalise
from .edition import Edition, Located
from .model import Entity, Identification


@dataclass(frozen=True)
class Mention:
    source: str
    paragraph: int
    start: int
    end: int
    entity: str
    #: the identification annotation that decided it, if any
    identification: str | None = None


@dataclass
class Mentions:
    entities: dict[str, Located]
    by_paragraph: dict[tuple[str, int], list[Mention]]
    by_entity: dict[str, list[Mention]]
    #: for each entity, the spellings found in each source
    spellings: dict[str, dict[str, set[str]]]
    #: spellings listed by more than one entity: spelling -> entity ids
    ambiguous: dict[str, list[str]]


def find_mentions(edition: Edition) -> Mentions:
    entities = {loc.id: loc for loc in edition.annotations if isinstance(loc.annotation, Entity)}
    owner: dict[str, str] = {}
    shared: dict[str, list[str]] = defaultdict(list)
    for ident, located in entities.items():
        for variant in located.annotation.variants:
            key = fold(variant)
            shared[key].append(ident)
            owner.setdefault(key, ident)
    ambiguous = {key: ids for key, ids in shared.items() if len(set(ids)) > 1}
    identifications = [loc for loc in edition.annotations if isinstance(loc.annotation, Identification)]
    pattern = None
    if owner:
        alternatives = sorted(owner, key=len, reverse=True)
        pattern = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(v) for v in alternatives) + r")(?!\w)")
    by_paragraph: dict[tuple[str, int], list[Mention]] = defaultdict(list)
    for source_id, source in sorted(edition.sources.items()):
        for paragraph in source.paragraphs:
            if pattern is None:
                break
            folded, index = normalise(paragraph.text)
            index.append(len(paragraph.text))
            for match in pattern.finditer(folded):
                start = index[match.start()]
                end = index[match.end() - 1] + 1
                by_paragraph[(source_id, paragraph.number)].append(
                    Mention(source_id, paragraph.number, start, end, owner[match.group()])
                )
    for located in identifications:
        anchor = located.anchors[0]
        key = (anchor.source, anchor.paragraph)
        found = by_paragraph.get(key, [])
        kept = [m for m in found if m.end <= anchor.start or anchor.end <= m.start]
        kept.append(
            Mention(anchor.source, anchor.paragraph, anchor.start, anchor.end, located.annotation.entity, located.id)
        )
        by_paragraph[key] = kept
    by_entity: dict[str, list[Mention]] = defaultdict(list)
    spellings: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for key in sorted(by_paragraph):
        by_paragraph[key].sort(key=lambda m: (m.start, m.end))
        for mention in by_paragraph[key]:
            by_entity[mention.entity].append(mention)
            text = edition.sources[mention.source].paragraph(mention.paragraph).text[mention.start : mention.end]
            spellings[mention.entity][mention.source].add(text)
    return Mentions(entities, dict(by_paragraph), dict(by_entity), spellings, ambiguous)
