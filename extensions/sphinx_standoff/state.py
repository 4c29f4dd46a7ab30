"""Where the loaded edition lives during a build.

The edition is loaded afresh at the start of every build (it is cheap, and this is how a bad annotation keeps
failing the build until it is fixed). It hangs on the environment in a holder that is never pickled, so
parallel readers (forked after loading) see it and the saved environment does not carry it.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sphinx.environment import BuildEnvironment

from .comparison import Analysis
from .edition import Edition


class _Transient:
    __slots__ = ("value",)

    def __init__(self, value: Any = None) -> None:
        self.value = value

    def __getstate__(self) -> dict[str, Any]:
        return {}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.value = None


def set_edition(env: BuildEnvironment, edition: Edition, analysis: Analysis | None = None) -> None:
    env.standoff_edition = _Transient((edition, analysis, {}))  # type: ignore[attr-defined]


def edition_of(env: BuildEnvironment) -> Edition | None:
    holder = getattr(env, "standoff_edition", None)
    return holder.value[0] if holder is not None and holder.value else None


def analysis_of(env: BuildEnvironment) -> Analysis | None:
    holder = getattr(env, "standoff_edition", None)
    return holder.value[1] if holder is not None and holder.value else None


def page_fingerprint(edition: Edition, analysis: Analysis | None, source_id: str) -> str:
    """Changes whenever anything shown on the page of ``source_id`` changes."""
    extra = analysis.fingerprint(source_id) if analysis is not None else ""
    return hashlib.sha256((edition.fingerprint(source_id) + extra).encode()).hexdigest()


#: fields of an annotation that a page shows: ``None`` for all of them
Fields = tuple[str, ...] | None

#: what each page across sources shows: of which kinds of annotation, which fields (besides where it is anchored
#: and the text there), and which parts of the analysis (``Analysis.part_fingerprint``). An edit to anything
#: else (a note, an emendation, the body of a cross-reference) cannot change the page, so the page is not read
#: again. Every page also shows the sources' labels. tests/test_builds.py edits each kind and proves that
#: what is not read again is still what a fresh build writes.
SPECIAL_PAGES: dict[str, tuple[dict[str, Fields], tuple[str, ...]]] = {
    # a quotation shows on the register through its entries (readings, collation), never its own body
    "register": ({"event": None, "claim": None, "quotation": (), "discrepancy": None}, ("entries",)),
    "chronology": ({"event": None, "claim": None, "discrepancy": None}, ("entries",)),
    "comparison": (
        {"event": ("label",), "claim": ("event", "property"), "quotation": (), "cross-reference": ()},
        ("witnesses",),
    ),
    "registers": ({"entity": None, "identification": None}, ("mentions",)),
}


def special_fingerprint(env: BuildEnvironment, page_kind: str) -> str:
    """Changes whenever anything the page of ``page_kind`` (register, chronology, …) shows changes.

    A kind of page this module does not know depends on every annotation. The fingerprints of all the pages
    are made in one pass over the annotations, the first time one is asked for, and kept with the edition."""
    holder = getattr(env, "standoff_edition", None)
    if holder is None or not holder.value:
        return ""
    edition, analysis, cache = holder.value
    if not cache:
        cache.update(special_fingerprints(edition, analysis))
    return cache.get(page_kind) or cache[""]


def special_fingerprints(edition: Edition, analysis: Analysis | None) -> dict[str, str]:
    """The fingerprint of each kind of page across sources (``""``: a page that shows everything)."""
    common = hashlib.sha256()
    for source_id in sorted(edition.sources):
        source = edition.sources[source_id]
        common.update(f"{source_id}\0{source.label}\0{source.meta.model_dump_json()}\n".encode())
    digests = {kind: common.copy() for kind in (*SPECIAL_PAGES, "")}
    if analysis is not None:
        digests[""].update(analysis.fingerprint().encode())
        for kind, (_, parts) in SPECIAL_PAGES.items():
            for part in parts:
                digests[kind].update(analysis.part_fingerprint(part).encode())
    for located in edition.annotations:
        annotation = located.annotation
        whole = annotation.model_dump_json()
        where = json.dumps(
            [
                located.id,
                located.path,
                [anchor.__dict__ for anchor in located.anchors],
                [edition.passage(anchor) for anchor in located.anchors],
            ],
            default=str,
        ).encode()
        digests[""].update(where + whole.encode())
        for kind, (shown, _) in SPECIAL_PAGES.items():
            if located.kind not in shown:
                continue
            fields = shown[located.kind]
            digests[kind].update(where)
            if fields is None:
                digests[kind].update(whole.encode())
            else:
                digests[kind].update(json.dumps([getattr(annotation, name) for name in fields], default=str).encode())
    return {kind: digest.hexdigest() for kind, digest in digests.items()}
