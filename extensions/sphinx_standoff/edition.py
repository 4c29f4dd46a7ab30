"""Load → validate → anchor: everything an edition is made of, checked, before any page is read.

``load_edition`` never raises for bad input: every problem becomes a ``Diagnostic`` naming the file, the line,
the annotation and the reason, and the annotation concerned is left out of ``Edition.annotations`` (the build
then fails, because each diagnostic is logged as a warning and the edition builds with ``-W``).
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from . import yamlsource
from .anchoring import Anchor, AnchorError, SourceText
from .diagnostics import Diagnostic, DiagnosticError
from .model import KINDS, Annotation, Emendation, targets_of
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

    def fingerprint(self, source_id: str) -> str:
        """Changes whenever anything shown on ``source_id``'s page changes."""
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


def load_edition(
    sources_dir: Path,
    annotations_dir: Path,
    bib_keys: set[str] | None,
    checker: BodyChecker,
) -> Edition:
    diagnostics: list[Diagnostic] = []
    sources = _load_sources(sources_dir, diagnostics)
    files = (
        sorted(p for p in annotations_dir.rglob("*") if p.suffix in ANNOTATION_SUFFIXES and p.is_file())
        if annotations_dir.is_dir()
        else []
    )
    if not annotations_dir.is_dir():
        diagnostics.append(Diagnostic(str(annotations_dir), 1, 1, None, "annotations folder not found"))
    located: list[Located] = []
    declared = 0
    for path in files:
        items, count = _load_file(path, diagnostics)
        declared += count
        located.extend(items)
    located = _unique(located, diagnostics)
    texts = {sid: SourceText(src) for sid, src in sources.items()}
    anchored: list[Located] = []
    for item in located:
        if _check_body(item, checker, bib_keys, diagnostics) and _anchor(item, sources, texts, diagnostics):
            anchored.append(item)
    anchored = _check_overlaps(anchored, diagnostics)
    edition = Edition(sources, anchored, diagnostics, files, declared=declared)
    by_source: dict[str, list[tuple[Located, int]]] = defaultdict(list)
    for item in anchored:
        for index, anchor in enumerate(item.anchors):
            by_source[anchor.source].append((item, index))
    for entries in by_source.values():
        entries.sort(key=lambda e: (e[0].anchors[e[1]].paragraph, e[0].anchors[e[1]].end, -e[0].anchors[e[1]].start))
    edition.by_source = dict(by_source)
    return edition


def _load_sources(sources_dir: Path, diagnostics: list[Diagnostic]) -> dict[str, Source]:
    sources: dict[str, Source] = {}
    if not sources_dir.is_dir():
        diagnostics.append(Diagnostic(str(sources_dir), 1, 1, None, "sources folder not found"))
        return sources
    for path in sorted(sources_dir.glob("*.txt")):
        try:
            source = read_source(path)
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


def _load_file(path: Path, diagnostics: list[Diagnostic]) -> tuple[list[Located], int]:
    """The valid annotations of one file, and how many annotations it declares (valid or not)."""
    where = str(path)
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        diagnostics.append(Diagnostic(where, 1, 1, None, f"file too large ({size} bytes; at most {MAX_FILE_BYTES})"))
        return [], 1
    try:
        text = path.read_text(encoding="utf-8")
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
        body_line = marks.content_line(("annotations", index, "body")) if "body" in raw else line
        items.append(Located(annotation, where, line, column, body_line))
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


def _check_body(item: Located, checker: BodyChecker, bib_keys: set[str] | None, diagnostics: list[Diagnostic]) -> bool:
    texts = [getattr(item.annotation, "body", None)]
    ok = True
    for body in texts:
        if not body:
            continue
        problems, keys = checker.check(body)
        for problem in problems:
            diagnostics.append(Diagnostic(item.path, item.body_line + problem.line, 1, item.id, problem.message))
            ok = False
        if bib_keys is not None:
            for cited in keys:
                if cited.key.lower() not in bib_keys:
                    diagnostics.append(
                        Diagnostic(
                            item.path,
                            item.body_line + cited.line,
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
