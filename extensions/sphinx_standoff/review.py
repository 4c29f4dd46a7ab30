"""The review aid: what a pull request adds, removes, changes or re-anchors, in Markdown for a PR comment.

The annotations and sources of a git revision (default ``main``) are read with ``git show REV:path`` and
loaded, in memory, by the same loader as the working tree (``edition.load_edition(..., files=...)``); the two
editions are then compared annotation by annotation, and the differences are listed per source and paragraph.
"""

from __future__ import annotations

import subprocess
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .anchoring import Anchor
from .check import CheckResult, format_diagnostic
from .edition import Edition, Located, load_edition
from .validation import BodyChecker


class GitError(Exception):
    """git could not give what was asked (not a repository, unknown revision …); the message says which."""


def _git(root: Path, *args: str) -> bytes:
    try:
        done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, check=False)
    except OSError as exc:
        raise GitError(f"cannot run git: {exc.strerror or exc}") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(message[-1] if message else f"git {' '.join(args)} failed")
    return done.stdout


def files_at(root: Path, revision: str, folders: list[Path]) -> dict[Path, bytes]:
    """The regular files under ``folders`` at ``revision``, by the path they have in the working tree.

    Symlinks are left out: a revision's file is read from the repository, never through a link.
    """
    top = Path(_git(root, "rev-parse", "--show-toplevel").decode().strip())
    try:
        _git(root, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}")
    except GitError:
        raise GitError(f"unknown revision {revision!r} (fetch it first, for example: git fetch origin main)") from None
    wanted: list[str] = []
    for folder in folders:
        try:
            wanted.append(folder.resolve().relative_to(top.resolve()).as_posix())
        except ValueError:
            raise GitError(f"{folder} is not inside the git repository at {top}") from None
    listing = _git(top, "ls-tree", "-r", "-z", "--full-tree", revision, "--", *wanted)
    files: dict[Path, bytes] = {}
    for entry in listing.split(b"\0"):
        if not entry:
            continue
        meta, _, name = entry.partition(b"\t")
        mode, kind, _sha = meta.decode().split()
        if kind != "blob" or mode == "120000":
            continue
        path = name.decode("utf-8", "surrogateescape")
        files[top / path] = _git(top, "show", f"{revision}:{path}")
    return files


# -- comparing --------------------------------------------------------------------------------------------------


@dataclass
class Change:
    """One annotation's difference between the base revision and the working tree."""

    status: str  # added | removed | changed | re-anchored | invalid
    id: str
    kind: str
    #: where it is shown: (source id, paragraph); the new place, or the old one for a removal
    places: list[tuple[str, int]]
    fields: list[str] = field(default_factory=list)
    moves: list[tuple[Anchor, Anchor]] = field(default_factory=list)
    quote: str = ""
    #: for an annotation without a passage of its own (an event, a discrepancy): its label or summary
    title: str = ""


@dataclass
class Review:
    base: str
    changes: list[Change]
    sources: list[tuple[str, str]]  # (status, source id) of transcriptions added, removed or changed
    labels: dict[str, str]
    check: CheckResult | None = None

    def counts(self) -> dict[str, int]:
        counted: dict[str, int] = defaultdict(int)
        for change in self.changes:
            counted[change.status] += 1
        return counted


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            out.update(_flatten(item, f"{prefix}.{key}" if prefix else key))
        return out
    if isinstance(value, list) and value and all(isinstance(item, dict) for item in value):
        out = {}
        for index, item in enumerate(value):
            out.update(_flatten(item, f"{prefix}[{index}]"))
        out[f"{prefix}#"] = len(value)
        return out
    return {prefix: value}


def changed_fields(old: Any, new: Any) -> list[str]:
    """The fields (``body``, ``target.exact``, ``targets[1].prefix`` …) whose values differ."""
    a = _flatten(old.model_dump(mode="json", exclude_none=True))
    b = _flatten(new.model_dump(mode="json", exclude_none=True))
    names = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
    # a list that grew or shrank is one change of the list, not of each of its items
    resized = {k[:-1] for k in names if k.endswith("#")}
    names = [k for k in names if not k.endswith("#") and not any(k.startswith(r + "[") for r in resized)]
    return sorted(set(names) | resized)


def _places(located: Located) -> list[tuple[str, int]]:
    seen: list[tuple[str, int]] = []
    for anchor in located.anchors:
        if (anchor.source, anchor.paragraph) not in seen:
            seen.append((anchor.source, anchor.paragraph))
    return seen


def _quote(edition: Edition, located: Located) -> str:
    if not located.anchors:
        return ""
    anchor = located.anchors[0]
    return edition.passage(anchor) if anchor.source in edition.sources else ""


def compare(base: Edition, head: Edition, revision: str = "main") -> Review:
    """What differs between the annotations of ``base`` and ``head``."""
    old = {item.id: item for item in base.annotations}
    new = {item.id: item for item in head.annotations}
    failing = {d.annotation for d in head.diagnostics if d.annotation and d.severity == "error"}
    changes: list[Change] = []
    for ident, item in new.items():
        before = old.get(ident)
        if before is None:
            changes.append(Change("added", ident, item.kind, _places(item), quote=_quote(head, item)))
            continue
        fields = changed_fields(before.annotation, item.annotation)
        moves = [(a, b) for a, b in zip(before.anchors, item.anchors, strict=False) if a != b]
        if len(before.anchors) != len(item.anchors) and "targets" not in fields:
            fields.append("targets")
        if fields:
            changes.append(Change("changed", ident, item.kind, _places(item), fields, moves, _quote(head, item)))
        elif moves:
            changes.append(Change("re-anchored", ident, item.kind, _places(item), [], moves, _quote(head, item)))
    for ident, item in old.items():
        if ident in new:
            continue
        status = "invalid" if ident in failing else "removed"
        changes.append(Change(status, ident, item.kind, _places(item), quote=_quote(base, item)))
    sources: list[tuple[str, str]] = []
    for sid in sorted(set(base.sources) | set(head.sources)):
        a, b = base.sources.get(sid), head.sources.get(sid)
        if a is None:
            sources.append(("added", sid))
        elif b is None:
            sources.append(("removed", sid))
        elif a.digest != b.digest:
            sources.append(("changed", sid))
    for change in changes:
        item = new.get(change.id) or old.get(change.id)
        if item is not None and not change.places:
            change.title = str(getattr(item.annotation, "label", None) or getattr(item.annotation, "summary", "") or "")
    labels = {sid: src.label for sid, src in {**base.sources, **head.sources}.items()}
    return Review(revision, changes, sources, labels)


def review(
    root: Path,
    revision: str = "main",
    *,
    sources: Path | None = None,
    annotations: Path | None = None,
    check: CheckResult | None = None,
    checker: BodyChecker | None = None,
) -> Review:
    """Compare the working tree under ``root`` with ``revision``; ``check`` is the working tree's check result."""
    from .check import check as run_check

    sources = sources if sources is not None else root / "sources"
    annotations = annotations if annotations is not None else root / "annotations"
    files = files_at(root, revision, [sources, annotations])
    result = check if check is not None else run_check(root, sources=sources, annotations=annotations)
    base = load_edition(sources, annotations, None, checker or BodyChecker(), files=files)
    report = compare(base, result.edition, revision)
    report.check = result
    return report


# -- Markdown ---------------------------------------------------------------------------------------------------

_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]<>|#~"})
VERBS = {
    "added": "added",
    "removed": "removed",
    "changed": "changed",
    "re-anchored": "re-anchored",
    "invalid": "now fails the check",
}


def _md(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text.translate(_MD_SPECIAL)


def _where(anchor: Anchor) -> str:
    return f"¶{anchor.paragraph} [{anchor.start}–{anchor.end}]"


def to_markdown(report: Review, root: Path | None = None) -> str:
    """The report as Markdown for a pull-request comment."""
    counts = report.counts()
    lines = [f"## Annotations compared with `{report.base}`", ""]
    if report.changes:
        parts = [f"{counts[s]} {VERBS[s]}" for s in VERBS if counts.get(s)]
        lines.append(", ".join(parts) + ".")
    else:
        lines.append("No annotation is added, removed, changed or re-anchored.")
    if report.check is not None:
        errors, warnings = len(report.check.errors), len(report.check.warnings)
        said_errors = f"**{errors} error{'s' if errors != 1 else ''}**" if errors else "no errors"
        lines += ["", f"Checker: {said_errors}, {warnings} warning{'s' if warnings != 1 else ''}."]
    for status, sid in report.sources:
        lines.append("")
        lines.append(f"> **Transcription {status}:** `{sid}`. Transcriptions keep the received text word for word.")

    grouped: dict[str, dict[int, list[tuple[Change, int]]]] = defaultdict(lambda: defaultdict(list))
    for change in report.changes:
        for source_id, paragraph in change.places or [("", 0)]:
            grouped[source_id][paragraph].append((change, len(change.places)))
    for source_id in sorted(grouped):
        label = report.labels.get(source_id)
        lines.append("")
        if not source_id:
            lines.append("### Not attached to a passage")
        else:
            lines.append(f"### {_md(label, 120)} (`{source_id}`)" if label else f"### `{source_id}`")
        lines.append("")
        for paragraph in sorted(grouped[source_id]):
            for change, _ in sorted(grouped[source_id][paragraph], key=lambda entry: entry[0].id):
                lines.append(_item(change, source_id, paragraph))
    if report.check is not None and report.check.diagnostics:
        lines += ["", "<details><summary>Checker output</summary>", "", "```text"]
        for diagnostic in report.check.diagnostics:
            line = format_diagnostic(diagnostic, root or Path.cwd())
            lines.append(line.replace("```", "'''"))
        lines += ["```", "", "</details>"]
    return "\n".join(lines) + "\n"


def _item(change: Change, source_id: str, paragraph: int) -> str:
    moves_here = [(a, b) for a, b in change.moves if b.source == source_id]
    where = f"¶{paragraph}"
    if moves_here and any(a.paragraph != b.paragraph for a, b in moves_here):
        where = " / ".join(f"¶{a.paragraph} → ¶{b.paragraph}" for a, b in moves_here if a.paragraph != b.paragraph)
    lead = f"- **{where}** · " if source_id else "- "
    text = f"{lead}{VERBS[change.status]} {change.kind} `{change.id}`"
    if change.quote:
        text += f" on “{_md(change.quote)}”"
    elif change.title:
        text += f": {_md(change.title)}"
    if change.fields:
        text += ": " + ", ".join(f"`{name}`" for name in change.fields)
    if change.moves and change.status in ("changed", "re-anchored"):
        text += "; anchor " + ", ".join(f"{_where(a)} → {_where(b)}" for a, b in change.moves)
    if change.status == "invalid":
        text += " (see the checker output)"
    return text
