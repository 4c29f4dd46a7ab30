"""The whole apparatus as a W3C Web Annotation Data Model ``AnnotationCollection`` (JSON-LD).

Every annotation of every kind, and every disagreement the build found that no editor has yet assessed,
becomes one ``Annotation`` with a stable IRI (``annotations.jsonld#<id>``, relative to where the edition is
published), a ``motivation``, ``body`` and ``target``: one ``SpecificResource`` per passage, naming the
source's page and a ``TextQuoteSelector`` (``exact``, ``prefix``, ``suffix``). Structured data that the
Web Annotation vocabulary has no term for (a claim's property and value, a discrepancy's kind, status and
confidence) is given under the ``standoff:`` prefix.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from .comparison import Analysis, Entry
from .edition import Edition, Located
from .model import (
    Claim,
    CrossReference,
    Discrepancy,
    Emendation,
    Entity,
    Event,
    Identification,
    Note,
    Quotation,
    Selector,
    targets_of,
)

FILENAME = "annotations.jsonld"
CONTEXT = ["http://www.w3.org/ns/anno.jsonld", {"standoff": "urn:x-standoff:vocab:"}]

MOTIVATIONS = {
    Note: "commenting",
    Emendation: "editing",
    CrossReference: "linking",
    Event: "describing",
    Claim: "classifying",
    Quotation: "linking",
    Discrepancy: "assessing",
    Entity: "describing",
    Identification: "identifying",
}


def _iri(ident: str) -> str:
    return f"{FILENAME}#{ident}"


def _text(value: str, purpose: str, fmt: str = "text/markdown") -> dict[str, Any]:
    return {"type": "TextualBody", "value": value, "format": fmt, "purpose": purpose}


def _target(selector: Selector, page: Callable[[str], str]) -> dict[str, Any]:
    quote: dict[str, Any] = {"type": "TextQuoteSelector", "exact": selector.exact}
    if selector.prefix:
        quote["prefix"] = selector.prefix
    if selector.suffix:
        quote["suffix"] = selector.suffix
    return {"type": "SpecificResource", "source": page(selector.source), "selector": quote}


def _anchor_target(edition: Edition, anchor: Any, page: Callable[[str], str]) -> dict[str, Any]:
    text = edition.sources[anchor.source].paragraph(anchor.paragraph).text
    return {
        "type": "SpecificResource",
        "source": page(anchor.source),
        "selector": {
            "type": "TextQuoteSelector",
            "exact": text[anchor.start : anchor.end],
            "prefix": text[max(0, anchor.start - 32) : anchor.start],
            "suffix": text[anchor.end : anchor.end + 32],
        },
    }


def annotation_item(
    located: Located, edition: Edition, analysis: Analysis, page: Callable[[str], str], special: Callable[[str], str]
) -> dict[str, Any]:
    a = located.annotation
    item: dict[str, Any] = {
        "id": _iri(a.id),
        "type": "Annotation",
        "motivation": MOTIVATIONS[type(a)],
        "standoff:kind": a.kind,
    }
    bodies: list[dict[str, Any]] = []
    if isinstance(a, Emendation):
        bodies.append(_text(a.reading, "editing", "text/plain"))
        item["standoff:reason"] = a.reason
    if isinstance(a, Event):
        bodies.append(_text(a.label, "describing", "text/plain"))
        bodies.append(_text(a.evidence, "describing"))
        item["standoff:record"] = a.record.model_dump(exclude_none=True)
        item["standoff:certainty"] = a.certainty
    if isinstance(a, Claim):
        item["standoff:event"] = _iri(a.event)
        item["standoff:property"] = a.property
        item["standoff:value"] = a.value
        bodies.append(
            {
                "type": "SpecificResource",
                "source": special("chronology") + f"#event-{a.event}",
                "purpose": "classifying",
            }
        )
    if isinstance(a, Quotation):
        collation = analysis.collations.get(a.id)
        if collation is not None:
            item["standoff:collation"] = collation.status
            bodies.append(_text(collation.status, "assessing", "text/plain"))
    if isinstance(a, Entity):
        item["standoff:type"] = a.type
        item["standoff:variants"] = list(a.variants)
        bodies.append(_text(a.name, "identifying", "text/plain"))
        bodies.append(_text(a.identification, "describing"))
    if isinstance(a, Identification):
        bodies.append(
            {
                "type": "SpecificResource",
                "source": special("registers") + f"#entity-{a.entity}",
                "purpose": "identifying",
            }
        )
    if isinstance(a, Discrepancy):
        item["standoff:discrepancy"] = a.discrepancy
        item["standoff:status"] = a.status
        item["standoff:confidence"] = a.confidence
        item["standoff:claims"] = [_iri(c) for c in a.claims]
        bodies.append(_text(a.summary, "describing", "text/plain"))
        bodies.append(_text(a.assessment, "assessing"))
    body = getattr(a, "body", None)
    if body:
        bodies.append(_text(body, "commenting"))
    if bodies:
        item["body"] = bodies if len(bodies) > 1 else bodies[0]
    targets: list[dict[str, Any]] = [_target(s, page) for s in targets_of(a)]
    if isinstance(a, Discrepancy):
        entry = analysis.entry(a.id)
        seen = {(t["source"], t["selector"]["exact"]) for t in targets}
        for reading in entry.readings if entry else []:
            target = _anchor_target(edition, reading.anchor, page)
            if (target["source"], target["selector"]["exact"]) not in seen:
                targets.append(target)
    if not targets and isinstance(a, Entity):  # a register entry lives on the registers page
        targets.append({"type": "SpecificResource", "source": special("registers") + f"#entity-{a.id}"})
    if not targets:  # an event recorded in no document of the edition: it lives on the chronology
        targets.append({"type": "SpecificResource", "source": special("chronology") + f"#event-{a.id}"})
    item["target"] = targets if len(targets) > 1 else targets[0]
    if a.authors:
        item["creator"] = [
            {
                "type": "Person",
                "name": author.name,
                **({"id": f"https://orcid.org/{author.orcid}"} if author.orcid else {}),
            }
            for author in a.authors
        ]
    if a.created:
        item["created"] = a.created.isoformat()
    if a.modified:
        item["modified"] = a.modified.isoformat()
    return item


def flag_item(entry: Entry, edition: Edition, page: Callable[[str], str]) -> dict[str, Any]:
    """A disagreement found by the build and not (yet) assessed by the editors."""
    return {
        "id": _iri(entry.id),
        "type": "Annotation",
        "motivation": "assessing",
        "generator": {"type": "Software", "name": "sphinx-standoff"},
        "standoff:kind": "flag",
        "standoff:discrepancy": entry.kind,
        "standoff:claims": sorted(_iri(i) for i in entry.annotation_ids),
        "body": _text(entry.summary, "assessing", "text/plain"),
        "target": [_anchor_target(edition, r.anchor, page) for r in entry.readings],
    }


def collection(
    edition: Edition, analysis: Analysis, page: Callable[[str], str], special: Callable[[str], str], label: str
) -> dict[str, Any]:
    items = [annotation_item(loc, edition, analysis, page, special) for loc in edition.annotations]
    items.extend(flag_item(e, edition, page) for e in analysis.entries if e.curated is None)
    return {
        "@context": CONTEXT,
        "id": FILENAME,
        "type": "AnnotationCollection",
        "label": label,
        "total": len(items),
        "first": {"id": f"{FILENAME}#page-1", "type": "AnnotationPage", "startIndex": 0, "items": items},
    }


def dumps(data: dict[str, Any]) -> str:
    """Serialised the same way every time (key order as built, no timestamps): reproducible bytes."""
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"
