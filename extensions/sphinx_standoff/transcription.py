"""Reading transcription files: provenance front matter, numbered paragraphs, and the little markup they allow.

A transcription keeps every word of the received text. Its only markup is

* block fences, ``::: role key=value`` … ``:::``, giving the paragraphs inside them a role
  (``headline``, ``paratext kind=cookie-notice``, ``docnotes`` …);
* inline roles, ``{name}`received text```, whose content is received text: ``noteref`` (a call of the
  document's own note), ``pb`` (a printed page break), ``paratext`` (paratext inside a paragraph).

Paragraphs are separated by blank lines and numbered in order, whatever their role. The *text* of a paragraph
(what selectors match) leaves out note calls and page breaks, which belong to the printed document's apparatus,
not to its text; inline paratext stays in it, marked. The *received text* puts the markers back.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from . import yamlsource
from .diagnostics import Diagnostic, DiagnosticError
from .model import SourceMeta
from .validation import describe_validation_error

BLOCK_ROLES = frozenset(
    {
        "body",
        "headline",
        "standfirst",
        "byline",
        "dateline",
        "heading",
        "salutation",
        "closing",
        "signature",
        "address",
        "docnotes",
        "paratext",
        "editorial-header",
    }
)
INLINE_ROLES = frozenset({"noteref", "pb", "paratext"})

_FENCE = re.compile(r"^:::\s*(?P<role>[A-Za-z][\w-]*)?(?P<attrs>.*)$")
_ATTR = re.compile(r"([A-Za-z][\w-]*)=(\"[^\"]*\"|\S+)")
_INLINE = re.compile(r"\{(?P<role>[A-Za-z][\w-]*)\}`(?P<content>[^`]*)`")
_NOTE_NUMBER = re.compile(r"^\s*(\d+)")


@dataclass(frozen=True)
class Marker:
    """An inline marker at ``offset`` in its paragraph's text: a note call, page break or inline paratext."""

    kind: str
    content: str
    offset: int


@dataclass(frozen=True)
class Paragraph:
    number: int
    role: str
    attrs: tuple[tuple[str, str], ...]
    text: str
    markers: tuple[Marker, ...]
    line: int
    block: int
    #: (start, end) offsets in ``text`` of inline paratext, which is text (it can be selected) but marked
    paratext: tuple[tuple[int, int], ...] = ()

    @property
    def anchor(self) -> str:
        return f"p{self.number}"

    @property
    def received_text(self) -> str:
        """The paragraph as received: its text with the markers' content put back."""
        out: list[str] = []
        last = 0
        for marker in self.markers:
            out.append(self.text[last : marker.offset])
            out.append(marker.content)
            last = marker.offset
        out.append(self.text[last:])
        return "".join(out)

    @property
    def docnote_number(self) -> str | None:
        """For a paragraph of the document's own notes, the number it begins with."""
        if self.role != "docnotes":
            return None
        if given := self.attr("n"):
            return given
        match = _NOTE_NUMBER.match(self.received_text)
        return match.group(1) if match else None

    def attr(self, name: str, default: str | None = None) -> str | None:
        return dict(self.attrs).get(name, default)


class Source:
    """A parsed transcription.

    Its paragraphs are parsed when first asked for if ``read_source`` was told that its text (by its digest)
    parsed without a problem before: until then it keeps the text (``body``) and the line its body starts on.
    """

    def __init__(
        self,
        meta: SourceMeta,
        path: Path,
        paragraphs: list[Paragraph] | None,
        received_path: Path,
        field_lines: dict[str, int] | None = None,
        digest: str = "",
        *,
        body: tuple[str, int] | None = None,
    ) -> None:
        if (paragraphs is None) == (body is None):
            raise ValueError("a source is given either its paragraphs or the body to parse them from")
        self.meta = meta
        self.path = path
        self._paragraphs = paragraphs
        self._unparsed = body
        self.received_path = received_path
        #: the line of the front matter field, by field name (for error locations)
        self.field_lines = field_lines if field_lines is not None else {}
        #: the SHA-256 of the transcription file's bytes
        self.digest = digest

    @property
    def paragraphs(self) -> list[Paragraph]:
        """The paragraphs; parsed now, with the checks ``read_source`` makes of them, if they were left as text
        (``DiagnosticError`` then if, against what the caller of ``read_source`` said, they have a problem)."""
        if self._paragraphs is None:
            assert self._unparsed is not None
            text, start = self._unparsed
            paragraphs = _body(self.path, text.splitlines(), start)
            _check_note_calls(self.path, paragraphs)
            self._paragraphs, self._unparsed = paragraphs, None
        return self._paragraphs

    def _fields(self) -> tuple[Any, ...]:
        return (self.meta, self.path, self.paragraphs, self.received_path, self.field_lines, self.digest)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Source):
            return NotImplemented
        return self._fields() == other._fields()

    __hash__ = None  # type: ignore[assignment]  # mutable, compared by value, as the dataclass it was

    def __repr__(self) -> str:
        return f"Source(id={self.meta.id!r}, path={str(self.path)!r}, digest={self.digest[:12]!r})"

    @property
    def id(self) -> str:
        return self.meta.id

    @property
    def label(self) -> str:
        return self.meta.short_title or self.meta.title

    def paragraph(self, number: int) -> Paragraph:
        return self.paragraphs[number - 1]

    def received_words(self) -> list[str]:
        """The words of the transcription as received (markup removed), for the fidelity check."""
        return " ".join(p.received_text for p in self.paragraphs).split()

    def words_of_received_file(self) -> list[str]:
        """The words of the received file, read as its ``received.format`` says."""
        return received_file_words(self.received_path.read_text(encoding="utf-8"), self.meta.received.format)


_MD_FOOTNOTE_LABEL = re.compile(r"^\[\^([^\]]+)\]:\s*")
_MD_FOOTNOTE_CALL = re.compile(r"\[\^([^\]]+)\]")
_MD_HEADING = re.compile(r"^#+\s+")
_MD_BULLET = re.compile(r"^-\s+")


def received_file_words(text: str, fmt: str = "text") -> list[str]:
    """The words of a received file: as they are, or without the Markdown syntax of a FRUS corpus file."""
    if fmt == "text":
        return text.split()
    lines = text.splitlines()
    if lines and lines[0].strip() == "---":
        end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), 0)
        lines = lines[end + 1 :]
    words: list[str] = []
    for line in lines:
        stripped = line.strip()
        if stripped == "## Footnotes":
            continue
        stripped = _MD_HEADING.sub("", stripped)
        stripped = _MD_BULLET.sub("", stripped)
        stripped = _MD_FOOTNOTE_LABEL.sub("", stripped)
        stripped = _MD_FOOTNOTE_CALL.sub(r"\1", stripped)
        words.extend(stripped.split())
    return words


def read_source(
    path: Path,
    read: Callable[[Path], bytes] | None = None,
    *,
    folders: dict[str, str] | None = None,
    known: Callable[[str], bool] | None = None,
) -> Source:
    """Parse a transcription file; raise ``DiagnosticError`` naming the line of the first problem.

    ``read`` reads a file's bytes (default: from disk); the review aid passes one that reads a git revision.
    The received file must lie inside the transcription's folder: a path leaving it is refused, not read.
    ``folders`` remembers folders with their links followed, for a caller that reads many sources in one go.

    ``known`` says whether a file of this SHA-256 digest was read before, by this code, without a problem (the
    checker's memo of sources). Such a file's body is parsed only when its paragraphs are first asked for: its
    body's problems are a function of its text, and it had none. Its front matter and received file are
    checked as always, since they depend on more than the text.
    """
    reader = read or Path.read_bytes
    try:
        raw = reader(path)
    except OSError as exc:
        raise DiagnosticError(Diagnostic(str(path), 1, 1, None, f"cannot read: {exc.strerror or exc}")) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DiagnosticError(Diagnostic(str(path), 1, 1, None, f"not UTF-8: {exc.reason}")) from None
    digest = hashlib.sha256(raw).hexdigest()
    lines = text.splitlines()
    meta, field_lines, body_start = _front_matter(path, lines)
    lazy = known is not None and known(digest)
    paragraphs = None if lazy else _body(path, lines, body_start)
    received_path = _received_path(
        path, meta.received.file, field_lines.get("received", 1), on_disk=read is None, folders=folders
    )
    try:
        received = reader(received_path)
    except OSError:
        raise DiagnosticError(
            Diagnostic(
                str(path),
                field_lines.get("received", 1),
                1,
                None,
                f"received file {meta.received.file!r} not found (looked for {received_path})",
            )
        ) from None
    actual = hashlib.sha256(received).hexdigest()
    if actual != meta.received.sha256:
        raise DiagnosticError(
            Diagnostic(
                str(path),
                field_lines.get("received", 1),
                1,
                None,
                f"SHA-256 of {meta.received.file} is {actual}, but the front matter says {meta.received.sha256}",
            )
        )
    source = Source(
        meta, path, paragraphs, received_path, field_lines, digest, body=(text, body_start) if lazy else None
    )
    if paragraphs is not None:
        _check_note_calls(path, paragraphs)
    return source


def _check_note_calls(path: Path, paragraphs: list[Paragraph]) -> None:
    """Raise ``DiagnosticError`` at the first note call with no note of its number."""
    numbers = {n for p in paragraphs if (n := p.docnote_number)}
    for paragraph in paragraphs:
        for marker in paragraph.markers:
            if marker.kind == "noteref" and marker.content.strip() not in numbers:
                raise DiagnosticError(
                    Diagnostic(
                        str(path),
                        paragraph.line,
                        1,
                        None,
                        f"note call {marker.content!r} in ¶{paragraph.number} has no note of that number "
                        "in a docnotes block",
                    )
                )


def _received_path(path: Path, name: str, line: int, *, on_disk: bool, folders: dict[str, str] | None = None) -> Path:
    """Where the received file named in ``path``'s front matter is; refuse a path that leaves its folder.

    Checked twice: as written (``../../etc/passwd``, an absolute path) and, on disk, once symlinks are followed.
    Done on strings with ``os.path`` (pathlib's objects cost more than the check, over thousands of sources).
    """
    folder = os.path.normpath(os.path.abspath(path.parent))
    written = os.path.normpath(os.path.join(folder, name))
    if not is_inside(written, folder):
        raise _outside(path, name, line)
    if not on_disk:
        return Path(written)
    folders = {} if folders is None else folders
    if folder not in folders:
        folders[folder] = os.path.realpath(folder)
    resolved = follow_links(written, folder, folders[folder])
    if not is_inside(resolved, folders[folder]):
        raise _outside(path, name, line)
    return Path(resolved)


def is_inside(target: str, folder: str) -> bool:
    """Is the normalised absolute path ``target`` ``folder`` or inside it (``Path.is_relative_to``, on strings)?"""
    return target == folder or target.startswith(folder if folder.endswith(os.sep) else folder + os.sep)


def follow_links(written: str, folder: str, real_folder: str) -> str:
    """``written`` (inside ``folder``, whose links followed give ``real_folder``) with its links followed.

    When no part of it below the folder is a link, it lies where the folder really is: a look at those parts
    (usually two: ``received/``, the file) instead of at every part of the path from the root.
    """
    inner = written[len(folder) :].lstrip(os.sep)
    if not inner:
        return real_folder
    here = folder
    for part in inner.split(os.sep):
        here = os.path.join(here, part)
        if os.path.islink(here):
            return os.path.realpath(written)
    return os.path.normpath(os.path.join(real_folder, inner))


def _outside(path: Path, name: str, line: int) -> DiagnosticError:
    return DiagnosticError(
        Diagnostic(
            str(path),
            line,
            1,
            None,
            f"received file {name!r} is outside the sources folder; it must be a path inside {path.parent}",
        )
    )


def _front_matter(path: Path, lines: list[str]) -> tuple[SourceMeta, dict[str, int], int]:
    if not lines or lines[0].strip() != "---":
        raise DiagnosticError(Diagnostic(str(path), 1, 1, None, "a transcription must begin with '---' front matter"))
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        raise DiagnosticError(Diagnostic(str(path), 1, 1, None, "front matter is not closed by '---'")) from None
    try:
        data, marks = yamlsource.load("\n".join(lines[1:end]))
    except yamlsource.YamlError as exc:
        raise DiagnosticError(Diagnostic(str(path), exc.line + 1, exc.column, None, exc.message)) from None
    field_lines = {str(key): marks.locate((key,))[0] + 1 for key in data} if isinstance(data, dict) else {}
    try:
        meta = SourceMeta.model_validate(data if data is not None else {})
    except ValidationError as exc:
        error = exc.errors()[0]
        line, column = marks.locate(error["loc"])
        raise DiagnosticError(
            Diagnostic(str(path), line + 1, column, None, "front matter: " + describe_validation_error(error))
        ) from None
    return meta, field_lines, end + 1


def _body(path: Path, lines: list[str], start: int) -> list[Paragraph]:
    paragraphs: list[Paragraph] = []
    role, attrs, fence_line = "body", (), 0
    block = 0
    chunk: list[str] = []
    chunk_line = 0

    def flush() -> None:
        nonlocal chunk
        if chunk:
            paragraphs.append(_paragraph(path, " ".join(chunk), role, attrs, chunk_line, block, len(paragraphs) + 1))
            chunk = []

    for index in range(start, len(lines)):
        line = lines[index]
        lineno = index + 1
        stripped = line.strip()
        if stripped.startswith(":::"):
            flush()
            match = _FENCE.match(stripped)
            if match is None:  # pragma: no cover - the pattern accepts any ':::' line
                raise DiagnosticError(Diagnostic(str(path), lineno, 1, None, "malformed fence"))
            if match.group("role") is None and not match.group("attrs").strip():
                if role == "body":
                    raise DiagnosticError(Diagnostic(str(path), lineno, 1, None, "':::' closes no open block"))
                role, attrs = "body", ()
                block += 1
                continue
            if role != "body":
                raise DiagnosticError(
                    Diagnostic(
                        str(path),
                        lineno,
                        1,
                        None,
                        f"block opened here, but the block of line {fence_line} is not closed",
                    )
                )
            role = match.group("role") or ""
            if role not in BLOCK_ROLES:
                raise DiagnosticError(
                    Diagnostic(
                        str(path),
                        lineno,
                        5,
                        None,
                        f"unknown block role {role!r} (known: {', '.join(sorted(BLOCK_ROLES))})",
                    )
                )
            attrs = tuple((k, v.strip('"')) for k, v in _ATTR.findall(match.group("attrs")))
            fence_line = lineno
            block += 1
            continue
        if not stripped:
            flush()
            continue
        if not chunk:
            chunk_line = lineno
        chunk.append(stripped)
    flush()
    if role != "body":
        raise DiagnosticError(Diagnostic(str(path), fence_line, 1, None, "block is not closed by ':::'"))
    return paragraphs


def _paragraph(
    path: Path, raw: str, role: str, attrs: tuple[tuple[str, str], ...], line: int, block: int, number: int
) -> Paragraph:
    text: list[str] = []
    markers: list[Marker] = []
    spans: list[tuple[int, int]] = []
    length = 0
    last = 0
    for match in _INLINE.finditer(raw):
        name = match.group("role")
        if name not in INLINE_ROLES:
            raise DiagnosticError(
                Diagnostic(
                    str(path),
                    line,
                    1,
                    None,
                    f"unknown inline role {{{name}}} (known: {', '.join(sorted(INLINE_ROLES))})",
                )
            )
        before = raw[last : match.start()]
        text.append(before)
        length += len(before)
        content = match.group("content")
        if name == "paratext":
            spans.append((length, length + len(content)))
            text.append(content)
            length += len(content)
        else:
            markers.append(Marker(name, content, length))
        last = match.end()
    text.append(raw[last:])
    return Paragraph(number, role, attrs, "".join(text), tuple(markers), line, block, tuple(spans))
