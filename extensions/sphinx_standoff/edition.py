"""Load → validate → anchor: everything an edition is made of, checked, before any page is read.

``load_edition`` never raises for bad input: every problem becomes a ``Diagnostic`` naming the file, the line,
the annotation and the reason, and the annotation concerned is left out of ``Edition.annotations`` (the build
then fails, because each diagnostic is logged as a warning and the edition builds with ``-W``).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from . import yamlsource
from .anchoring import Anchor, AnchorError, SourceText
from .diagnostics import Diagnostic, DiagnosticError
from .model import KINDS, Annotation, Claim, Discrepancy, Emendation, Identification, Quotation, targets_of, texts_of
from .transcription import Source, read_source
from .validation import BodyChecker, describe_validation_error

ANNOTATION_SUFFIXES = (".yaml", ".yml")
MAX_FILE_BYTES = 5_000_000

_ADAPTER: TypeAdapter[Any] = TypeAdapter(Annotation)


@dataclass
class Located:
    """An annotation, where it was written, and where each of its targets landed."""

    annotation: Any
    path: str
    line: int
    column: int
    body_line: int
    anchors: list[Anchor] = field(default_factory=list)
    #: line on which each MyST text field (body, evidence, assessment) starts
    text_lines: dict[str, int] = field(default_factory=dict)

    def text_line(self, name: str) -> int:
        return self.text_lines.get(name, self.line)

    @property
    def id(self) -> str:
        return self.annotation.id

    @property
    def kind(self) -> str:
        return self.annotation.kind

    @property
    def location(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass
class Edition:
    sources: dict[str, Source]
    annotations: list[Located]
    diagnostics: list[Diagnostic]
    annotation_files: list[Path]
    #: for each source, the (annotation, target index) pairs that land in it, in text order
    by_source: dict[str, list[tuple[Located, int]]] = field(default_factory=dict)
    #: all annotations in the files, valid or not, counted by kind (what the output must hold)
    declared: int = 0
    #: fingerprints already computed (an edition does not change once loaded; each is asked for several times
    #: per build: for the page, for the pages across sources, and for Sphinx's list of outdated pages)
    _fingerprints: dict[str, str] = field(default_factory=dict, repr=False, compare=False)

    def fingerprint(self, source_id: str) -> str:
        """Changes whenever anything shown on ``source_id``'s page changes."""
        known = self._fingerprints.get(source_id)
        if known is None:
            known = self._fingerprints[source_id] = self._fingerprint(source_id)
        return known

    def _fingerprint(self, source_id: str) -> str:
        digest = hashlib.sha256()
        source = self.sources.get(source_id)
        digest.update((source.digest if source else "").encode())
        for located, index in self.by_source.get(source_id, []):
            digest.update(located.annotation.model_dump_json().encode())
            digest.update(json.dumps([located.path, index, [a.__dict__ for a in located.anchors]]).encode())
            for anchor in located.anchors:
                other = self.sources.get(anchor.source)
                if other is not None and anchor.source != source_id:
                    digest.update(other.meta.model_dump_json().encode())
        return digest.hexdigest()


class _Files:
    """Where the edition's files are read from: the disk, or (``files=``) a mapping of paths to contents."""

    def __init__(self, files: Mapping[Path, bytes] | None) -> None:
        self.memory = None if files is None else {Path(os.path.normpath(path)): data for path, data in files.items()}

    def is_dir(self, folder: Path) -> bool:
        if self.memory is None:
            return folder.is_dir()
        folder = Path(os.path.normpath(folder))
        return any(path.is_relative_to(folder) for path in self.memory)

    def listing(self, folder: Path, suffixes: tuple[str, ...], recursive: bool) -> list[Path]:
        if self.memory is None:
            found = folder.rglob("*") if recursive else folder.glob("*")
            return sorted(p for p in found if p.suffix in suffixes and p.is_file())
        folder = Path(os.path.normpath(folder))
        return sorted(
            p
            for p in self.memory
            if p.suffix in suffixes and p.is_relative_to(folder) and (recursive or p.parent == folder)
        )

    def read(self, path: Path) -> bytes:
        if self.memory is None:
            return path.read_bytes()
        try:
            return self.memory[Path(os.path.normpath(path))]
        except KeyError:
            raise FileNotFoundError(2, "No such file", str(path)) from None

    def outside(self, path: Path, folder: Path) -> bool:
        """Is ``path`` (a symlink, say) really somewhere outside ``folder``?"""
        if self.memory is not None:
            return not Path(os.path.normpath(path)).is_relative_to(Path(os.path.normpath(folder)))
        return not path.resolve().is_relative_to(folder.resolve())


def load_edition(
    sources_dir: Path,
    annotations_dir: Path,
    bib_keys: set[str] | None,
    checker: BodyChecker,
    *,
    files: Mapping[Path, bytes] | None = None,
) -> Edition:
    """Load, validate and anchor the edition in ``sources_dir`` and ``annotations_dir``.

    By default the files are read from disk; with ``files`` (path → contents, for example the files of a git
    revision) only those are seen, and nothing else is read.
    """
    diagnostics: list[Diagnostic] = []
    tree = _Files(files)
    sources = _load_sources(sources_dir, diagnostics, tree)
    annotation_files = (
        tree.listing(annotations_dir, ANNOTATION_SUFFIXES, recursive=True) if tree.is_dir(annotations_dir) else []
    )
    if not tree.is_dir(annotations_dir):
        diagnostics.append(Diagnostic(str(annotations_dir), 1, 1, None, "annotations folder not found"))
    located: list[Located] = []
    declared = 0
    for path in annotation_files:
        if tree.outside(path, annotations_dir):
            diagnostics.append(
                Diagnostic(str(path), 1, 1, None, "refused: a link to a file outside the annotations folder")
            )
            continue
        items, count = _load_file(path, diagnostics, tree)
        declared += count
        located.extend(items)
    located = _unique(located, diagnostics)
    located = _check_links(located, diagnostics)
    texts = {sid: SourceText(src) for sid, src in sources.items()}
    anchored: list[Located] = []
    for item in located:
        if _check_body(item, checker, bib_keys, diagnostics) and _anchor(item, sources, texts, diagnostics):
            anchored.append(item)
    anchored = _check_overlaps(anchored, diagnostics)
    edition = Edition(sources, anchored, diagnostics, annotation_files, declared=declared)
    by_source: dict[str, list[tuple[Located, int]]] = defaultdict(list)
    for item in anchored:
        for index, anchor in enumerate(item.anchors):
            by_source[anchor.source].append((item, index))
    for entries in by_source.values():
        entries.sort(key=lambda e: (e[0].anchors[e[1]].paragraph, e[0].anchors[e[1]].end, -e[0].anchors[e[1]].start))
    edition.by_source = dict(by_source)
    return edition


def _load_sources(sources_dir: Path, diagnostics: list[Diagnostic], tree: _Files) -> dict[str, Source]:
    sources: dict[str, Source] = {}
    if not tree.is_dir(sources_dir):
        diagnostics.append(Diagnostic(str(sources_dir), 1, 1, None, "sources folder not found"))
        return sources
    for path in tree.listing(sources_dir, (".txt",), recursive=False):
        if tree.outside(path, sources_dir):
            diagnostics.append(
                Diagnostic(str(path), 1, 1, None, "refused: a link to a file outside the sources folder")
            )
            continue
        try:
            source = read_source(path, None if tree.memory is None else tree.read)
        except DiagnosticError as exc:
            diagnostics.append(exc.diagnostic)
            continue
        if source.id in sources:
            diagnostics.append(
                Diagnostic(
                    str(path),
                    source.field_lines.get("id", 1),
                    1,
                    None,
                    f"source id {source.id!r} is already used by {sources[source.id].path}",
                )
            )
            continue
        sources[source.id] = source
    return sources


def _load_file(path: Path, diagnostics: list[Diagnostic], tree: _Files | None = None) -> tuple[list[Located], int]:
    """The valid annotations of one file, and how many annotations it declares (valid or not)."""
    where = str(path)
    tree = tree or _Files(None)
    size = path.stat().st_size if tree.memory is None else len(tree.read(path))
    if size > MAX_FILE_BYTES:
        diagnostics.append(Diagnostic(where, 1, 1, None, f"file too large ({size} bytes; at most {MAX_FILE_BYTES})"))
        return [], 1
    try:
        text = tree.read(path).decode("utf-8")
    except UnicodeDecodeError as exc:
        diagnostics.append(Diagnostic(where, 1, 1, None, f"not UTF-8: {exc.reason}"))
        return [], 1
    try:
        data, marks = yamlsource.load(text)
    except yamlsource.YamlError as exc:
        diagnostics.append(Diagnostic(where, exc.line, exc.column, None, exc.message))
        return [], 1
    if data is None:
        return [], 0
    if not isinstance(data, dict) or not isinstance(data.get("annotations"), list):
        diagnostics.append(
            Diagnostic(where, 1, 1, None, "an annotation file must be a mapping with a list under 'annotations'")
        )
        return [], 1
    for key in data:
        if key not in ("annotations", "$schema"):
            line, column = marks.locate((key,))
            diagnostics.append(Diagnostic(where, line, column, None, f"unknown top-level field {key!r}"))
    items: list[Located] = []
    raw_items = data["annotations"]
    for index, raw in enumerate(raw_items):
        line, column = marks.locate(("annotations", index))
        ident = raw.get("id") if isinstance(raw, dict) and isinstance(raw.get("id"), str) else None
        if not isinstance(raw, dict):
            diagnostics.append(Diagnostic(where, line, column, None, "an annotation must be a mapping of fields"))
            continue
        if "kind" in raw and raw["kind"] not in KINDS:
            kline, kcol = marks.locate(("annotations", index, "kind"))
            diagnostics.append(
                Diagnostic(
                    where, kline, kcol, ident, f"unknown kind {raw['kind']!r} (expected one of: {', '.join(KINDS)})"
                )
            )
            continue
        try:
            annotation = _ADAPTER.validate_python(raw)
        except ValidationError as exc:
            for error in exc.errors():
                loc = [part for part in error["loc"] if part not in KINDS]
                eline, ecol = marks.locate(("annotations", index, *loc))
                diagnostics.append(Diagnostic(where, eline, ecol, ident, describe_validation_error(error)))
            continue
        text_lines = {
            name: marks.content_line(("annotations", index, name))
            for name in ("body", "evidence", "assessment", "identification")
            if name in raw
        }
        body_line = text_lines.get("body", line)
        items.append(Located(annotation, where, line, column, body_line, text_lines=text_lines))
    return items, len(raw_items)


def _unique(items: Iterable[Located], diagnostics: list[Diagnostic]) -> list[Located]:
    seen: dict[str, Located] = {}
    kept: list[Located] = []
    for item in items:
        first = seen.get(item.id)
        if first is not None:
            diagnostics.append(
                Diagnostic(
                    item.path,
                    item.line,
                    item.column,
                    item.id,
                    f"duplicate annotation id {item.id!r} (first used at {first.path}:{first.line})",
                )
            )
            continue
        seen[item.id] = item
        kept.append(item)
    return kept


def _check_links(items: list[Located], diagnostics: list[Diagnostic]) -> list[Located]:
    """Annotations that name other annotations (a claim its event, a discrepancy its claims) name real ones."""
    kinds = {item.id: item.kind for item in items}

    def want(item: Located, ident: str | None, kind: str, what: str) -> bool:
        if ident is None or kinds.get(ident) == kind:
            return True
        found = f" (it is a {kinds[ident]})" if ident in kinds else ""
        diagnostics.append(
            Diagnostic(item.path, item.line, item.column, item.id, f"{what} {ident!r} is not a known {kind}{found}")
        )
        return False

    kept = []
    for item in items:
        a = item.annotation
        ok = True
        if isinstance(a, Claim):
            ok = want(item, a.event, "event", "event")
            if a.property == "sequence":
                other = a.value.get("before") or a.value.get("after")
                ok = want(item, other, "event", "sequence refers to event") and ok
        elif isinstance(a, Quotation):
            ok = want(item, a.event, "event", "event")
        elif isinstance(a, Discrepancy):
            ok = want(item, a.event, "event", "event")
            for claim in a.claims:
                if kinds.get(claim) != "quotation":
                    ok = want(item, claim, "claim", "claim") and ok
        elif isinstance(a, Identification):
            ok = want(item, a.entity, "entity", "entity")
        if ok:
            kept.append(item)
    return kept


def _check_body(item: Located, checker: BodyChecker, bib_keys: set[str] | None, diagnostics: list[Diagnostic]) -> bool:
    ok = True
    for name, body in texts_of(item.annotation):
        start = item.text_line(name)
        problems, keys = checker.check(body)
        for problem in problems:
            diagnostics.append(Diagnostic(item.path, start + problem.line, 1, item.id, problem.message))
            ok = False
        if bib_keys is not None:
            for cited in keys:
                if cited.key.lower() not in bib_keys:
                    diagnostics.append(
                        Diagnostic(
                            item.path,
                            start + cited.line,
                            1,
                            item.id,
                            f"citation key {cited.key!r} is not in the bibliography",
                        )
                    )
                    ok = False
    return ok


def _anchor(
    item: Located, sources: dict[str, Source], texts: dict[str, SourceText], diagnostics: list[Diagnostic]
) -> bool:
    anchors: list[Anchor] = []
    ok = True
    selectors = targets_of(item.annotation)
    for index, selector in enumerate(selectors):
        field_path = "targets" if item.kind == "cross-reference" else "target"
        text = texts.get(selector.source)
        if text is None:
            what = "cross-reference to a missing source" if item.kind == "cross-reference" else "unknown source"
            known = ", ".join(sorted(sources)) or "none"
            diagnostics.append(
                Diagnostic(
                    item.path,
                    item.line,
                    item.column,
                    item.id,
                    f"{what} {selector.source!r} in {field_path}{f'[{index}]' if len(selectors) > 1 else ''} "
                    f"(known sources: {known})",
                )
            )
            ok = False
            continue
        try:
            anchors.append(text.anchor(selector.exact, selector.prefix, selector.suffix))
        except AnchorError as exc:
            diagnostics.append(Diagnostic(item.path, item.line, item.column, item.id, str(exc)))
            ok = False
    item.anchors = anchors
    return ok


def _check_overlaps(items: list[Located], diagnostics: list[Diagnostic]) -> list[Located]:
    """Emendations replace text, so they may not overlap each other, nor cut through another annotation."""
    emendations: dict[tuple[str, int], list[Located]] = defaultdict(list)
    for item in items:
        if isinstance(item.annotation, Emendation):
            anchor = item.anchors[0]
            emendations[(anchor.source, anchor.paragraph)].append(item)
    if not emendations:
        return items
    rejected: set[str] = set()
    for item in items:
        for anchor in item.anchors:
            for other in emendations.get((anchor.source, anchor.paragraph), []):
                if other is item or other.id in rejected:
                    continue
                e = other.anchors[0]
                overlap = anchor.start < e.end and e.start < anchor.end
                if not overlap:
                    continue
                inside = e.start <= anchor.start and anchor.end <= e.end
                covers = anchor.start <= e.start and e.end <= anchor.end
                both_emend = isinstance(item.annotation, Emendation)
                if both_emend or not (inside or covers):
                    diagnostics.append(
                        Diagnostic(
                            item.path,
                            item.line,
                            item.column,
                            item.id,
                            f"overlaps emendation {other.id!r} in ¶{anchor.paragraph} of {anchor.source!r}; "
                            "select the whole emended text or none of it",
                        )
                    )
                    rejected.add(item.id)
    return [item for item in items if item.id not in rejected]


#: the pages that show annotations of kinds that have no passage of their own
SPECIAL_PAGES = {
    "event": "chronology",
    "claim": "chronology",
    "discrepancy": "register",
    "entity": "registers",
    "identification": "registers",
}


def unshown(edition: Edition, shown: set[str], special: set[str] | None = None) -> list[Diagnostic]:
    """What would not appear: sources without a page (and each annotation on them), and, when ``special``
    (the kinds of cross-source page that exist) is given, annotations whose page is missing."""
    found: list[Diagnostic] = []
    for source_id, source in sorted(edition.sources.items()):
        if source_id in shown:
            continue
        found.append(
            Diagnostic(
                str(source.path),
                source.field_lines.get("id", 1),
                1,
                None,
                f"source {source_id!r} has no page: add a page with the standoff-source directive",
                code="missing-page",
            )
        )
        for located, _ in edition.by_source.get(source_id, []):
            found.append(
                Diagnostic(
                    located.path,
                    located.line,
                    located.column,
                    located.id,
                    f"annotates source {source_id!r}, which has no page, so it would not appear",
                    code="missing-page",
                )
            )
    if special is not None:
        for located in edition.annotations:
            page = SPECIAL_PAGES.get(located.kind)
            if page and page not in special:
                found.append(
                    Diagnostic(
                        located.path,
                        located.line,
                        located.column,
                        located.id,
                        f"a {located.kind} appears on the {page}, but no page holds it "
                        f"(add the standoff-{page} directive)",
                        code="missing-page",
                    )
                )
    return found
