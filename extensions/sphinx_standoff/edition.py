"""Load → validate → anchor: everything an edition is made of, checked, before any page is read.

``load_edition`` never raises for bad input: every problem becomes a ``Diagnostic`` naming the file, the line,
the annotation and the reason, and the annotation concerned is left out of ``Edition.annotations`` (the build
then fails, because each diagnostic is logged as a warning and the edition builds with ``-W``).
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import operator
import os
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from pydantic import StrictInt, StrictStr, TypeAdapter, ValidationError
from typing_extensions import TypedDict  # pydantic needs this one before Python 3.12

from . import yamlsource
from .anchoring import Anchor, AnchorError, SourceText
from .diagnostics import Diagnostic, DiagnosticError
from .memo import Memo, key_of
from .model import (
    KINDS,
    Annotation,
    Claim,
    Discrepancy,
    Identification,
    Quotation,
    sequence_event,
    targets_of,
    texts_of,
)
from .transcription import Source, follow_links, is_inside, read_source
from .validation import BodyChecker, BodyProblem, CitedKey, describe_validation_error

ANNOTATION_SUFFIXES = (".yaml", ".yml")
MAX_FILE_BYTES = 5_000_000

_ADAPTER: TypeAdapter[Any] = TypeAdapter(Annotation)

#: with ``jobs`` > 1, annotation files are read in parallel only when they hold at least this many bytes (a
#: small edition loads faster than worker processes start)
PARALLEL_MIN_BYTES = 1_000_000
#: annotation files per task given to a worker process
_FILES_PER_TASK = 24
#: annotations per anchoring task given to a worker process
_ANCHORS_PER_TASK = 1_000
#: sources per task given to the worker that reads them while this process takes files back from the memo
_SOURCES_PER_TASK = 100
#: what reading the sources (and preparing their text for anchoring) costs, against reading the annotation files
_SOURCES_COST = 0.5


#: an annotation another names: (its id, the kinds it may be, what the naming field is called)
Link = tuple[str, tuple[str, ...], str]
#: advice on an annotation, beyond what the build rejects: messages (``check.selector_advice``)
Advise = Callable[[Any], tuple[str, ...]]


class Facts(NamedTuple):
    """What the checks across files need of an annotation, kept beside it (and in a memo) so that they can run
    without the annotation itself: an annotation a memo gives back is validated only when it is asked for."""

    id: str
    kind: str
    #: the annotations it names, in the order they are checked (``links_of``)
    links: tuple[Link, ...]
    #: the source each of its selectors quotes, in order (``model.targets_of``)
    sources: tuple[str, ...]
    #: what ``advise`` said of it; ``None`` when it was not asked
    advice: tuple[str, ...] | None = None


def links_of(annotation: Any) -> tuple[Link, ...]:
    """The annotations ``annotation`` names: a claim, a quotation or a discrepancy its event (a sequence claim
    another event too), a discrepancy its claims (or quotations), an identification its entity."""
    links: list[tuple[str | None, tuple[str, ...], str]] = []
    a = annotation
    if isinstance(a, Claim):
        links.append((a.event, ("event",), "event"))
        if a.property == "sequence":
            links.append((sequence_event(a.value), ("event",), "sequence refers to event"))
    elif isinstance(a, Quotation):
        links.append((a.event, ("event",), "event"))
    elif isinstance(a, Discrepancy):
        links.append((a.event, ("event",), "event"))
        links.extend((claim, ("claim", "quotation"), "claim") for claim in a.claims)
    elif isinstance(a, Identification):
        links.append((a.entity, ("entity",), "entity"))
    return tuple((ident, kinds, what) for ident, kinds, what in links if ident is not None)


def facts_of(annotation: Any, advise: Advise | None = None) -> Facts:
    return Facts(
        annotation.id,
        annotation.kind,
        links_of(annotation),
        tuple(selector.source for selector in targets_of(annotation)),
        advise(annotation) if advise is not None else None,
    )


class Located:
    """An annotation, where it was written, and where each of its targets landed.

    ``annotation`` is the validated model; one that a memo gave back is validated from its file's bytes when
    first asked for (``facts`` holds what the checks need meanwhile).
    """

    __slots__ = ("_annotation", "_unread", "anchors", "body_line", "column", "facts", "line", "path", "text_lines")

    def __init__(
        self,
        annotation: Any,
        path: str,
        line: int,
        column: int,
        body_line: int,
        anchors: list[Anchor] | None = None,
        text_lines: dict[str, int] | None = None,
        *,
        facts: Facts | None = None,
        unread: tuple[_Unread, int] | None = None,
    ) -> None:
        if facts is None:
            facts = facts_of(annotation)
        self._annotation = annotation
        self._unread = unread
        self.facts = facts
        self.path = path
        self.line = line
        self.column = column
        self.body_line = body_line
        self.anchors: list[Anchor] = anchors if anchors is not None else []
        #: line on which each MyST text field (body, evidence, assessment) starts
        self.text_lines: dict[str, int] = text_lines if text_lines is not None else {}

    @property
    def annotation(self) -> Any:
        if self._annotation is None and self._unread is not None:
            unread, index = self._unread
            self._annotation, self._unread = unread.model(index), None
        return self._annotation

    def __repr__(self) -> str:
        return f"Located({self.facts.kind} {self.facts.id!r} at {self.path}:{self.line})"

    def text_line(self, name: str) -> int:
        return self.text_lines.get(name, self.line)

    @property
    def id(self) -> str:
        return self.facts.id

    @property
    def kind(self) -> str:
        return self.facts.kind

    @property
    def location(self) -> str:
        return f"{self.path}:{self.line}"

    def diagnostic(
        self,
        message: str,
        *,
        line: int | None = None,
        column: int | None = None,
        code: str = "standoff",
        severity: str = "error",
    ) -> Diagnostic:
        """A ``Diagnostic`` about this annotation, at its own line and column unless others are given."""
        return Diagnostic(
            self.path,
            self.line if line is None else line,
            self.column if column is None else column,
            self.id,
            message,
            code=code,
            severity=severity,
        )


class _Unread:
    """The annotations of a file that a memo gave back, validated from the file's bytes when first asked for:
    the checker never asks for most of them."""

    __slots__ = ("_raw", "data", "where")

    def __init__(self, data: bytes, where: str) -> None:
        self.data = data
        self.where = where
        self._raw: list[Any] | None = None

    def model(self, index: int) -> Any:
        try:
            if self._raw is None:
                self._raw = yamlsource.load(self.data.decode("utf-8"))[0]["annotations"]
            return _ADAPTER.validate_python(self._raw[index])
        except (yamlsource.YamlError, ValidationError, UnicodeDecodeError, TypeError, KeyError, IndexError) as exc:
            # only a memo file edited by hand can say that a file it does not describe was read without a problem
            raise RuntimeError(f"{self.where}: the checker's memo does not describe this file; delete it") from exc


@dataclass
class Edition:
    sources: dict[str, Source]
    annotations: list[Located]
    diagnostics: list[Diagnostic]
    annotation_files: list[Path]
    #: all annotations in the files, valid or not, counted by kind (what the output must hold)
    declared: int = 0
    _by_source: dict[str, list[tuple[Located, int]]] | None = field(default=None, repr=False, compare=False)
    #: fingerprints already computed (an edition does not change once loaded; each is asked for several times
    #: per build: for the page, for the pages across sources, and for Sphinx's list of outdated pages)
    _fingerprints: dict[str, str] = field(default_factory=dict, repr=False, compare=False)

    @property
    def by_source(self) -> dict[str, list[tuple[Located, int]]]:
        """For each source, the (annotation, target index) pairs that land in it, in text order: by paragraph,
        by where the passage ends, the longer first, then as the annotations come. Sorted when first asked for
        (the checker seldom asks)."""
        if self._by_source is None:
            keyed: dict[str, list[tuple[int, int, int, int, Located, int]]] = defaultdict(list)
            order = 0
            for item in self.annotations:
                for index, anchor in enumerate(item.anchors):
                    keyed[anchor.source].append((anchor.paragraph, anchor.end, -anchor.start, order, item, index))
                    order += 1
            self._by_source = {
                source: [(item, index) for *_, item, index in sorted(entries)] for source, entries in keyed.items()
            }
        return self._by_source

    def passage(self, anchor: Anchor) -> str:
        """The words of the transcription that ``anchor`` selects."""
        return self.sources[anchor.source].paragraph(anchor.paragraph).text[anchor.start : anchor.end]

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


#: the order of paths, without building Path's comparison keys (slow by the thousand)
_BY_PARTS = operator.attrgetter("parts")


class _Files:
    """Where the edition's files are read from: the disk, or (``files=``) a mapping of paths to contents."""

    def __init__(self, files: Mapping[Path, bytes] | None) -> None:
        self.memory = None if files is None else {Path(os.path.normpath(path)): data for path, data in files.items()}
        #: each folder asked about, with its links followed
        self._resolved: dict[str, str] = {}

    def is_dir(self, folder: Path) -> bool:
        if self.memory is None:
            return folder.is_dir()
        folder = Path(os.path.normpath(folder))
        return any(path.is_relative_to(folder) for path in self.memory)

    def listing(self, folder: Path, suffixes: tuple[str, ...], recursive: bool) -> list[Path]:
        if self.memory is None:
            found = folder.rglob("*") if recursive else folder.glob("*")
            return sorted((p for p in found if p.suffix in suffixes and p.is_file()), key=_BY_PARTS)
        folder = Path(os.path.normpath(folder))
        return sorted(
            (
                p
                for p in self.memory
                if p.suffix in suffixes and p.is_relative_to(folder) and (recursive or p.parent == folder)
            ),
            key=_BY_PARTS,
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
        base = os.path.abspath(folder)
        real = self._resolved.get(base)
        if real is None:
            real = self._resolved[base] = os.path.realpath(base)
        target = os.path.abspath(path)
        if ".." in path.parts or not is_inside(target, base):
            return not is_inside(os.path.realpath(path), real)
        # a path found under ``folder`` through no symbolic link is inside it: only links need resolving
        return not is_inside(follow_links(target, base, real), real)


def load_edition(
    sources_dir: Path,
    annotations_dir: Path,
    bib_keys: set[str] | None,
    checker: BodyChecker,
    *,
    files: Mapping[Path, bytes] | None = None,
    jobs: int = 1,
    memo: Memo | None = None,
    advise: Advise | None = None,
    meanwhile: Callable[[], object] | None = None,
    lazy: bool = False,
    known_sources: Memo | None = None,
) -> Edition:
    """Load, validate and anchor the edition in ``sources_dir`` and ``annotations_dir``.

    By default the files are read from disk; with ``files`` (path → contents, for example the files of a git
    revision) only those are seen, and nothing else is read.

    With ``jobs`` > 1 (the checker), a large edition's annotation files are read, validated and checked, and its
    annotations anchored, by ``jobs - 1`` worker processes besides this one, which also reads the sources;
    when instead most of them come back from the memo (which only this process can do, since what it makes is
    slower to send than to make), the workers read the sources meanwhile. The workers are forked before the
    memo is read (``_workers``). Every step is the one a single process takes, on the same input; what each
    finds is put together in the same order, so that the edition and its diagnostics are exactly those of
    ``jobs=1``.

    With a ``memo`` (the checker's, made for ``checker``'s settings), what an annotation file without problems
    yielded in an earlier run (its annotations' places, their bodies' verdicts, where their selectors landed,
    their ``Facts``) is taken from it when the file's bytes are the same; a selector's place only if the source
    it quotes is too. Every check across files runs again, on the facts. With ``lazy`` (the checker, which
    seldom asks for them), such a file's annotations are parsed and validated only when ``Located.annotation``
    is first asked for; else before this returns, while the caller's YAML cache (``yamlsource.caching``) is
    still there to be used.

    ``advise`` gives each valid annotation's advice (``Facts.advice``), kept in the memo with the rest: the
    memo's version must name it (``memo_version``). ``meanwhile`` is called once, as soon as this process is
    free while the workers read the sources (or else once they are read): the caller's own work, done in time that
    would otherwise be spent waiting.

    ``known_sources`` (the checker's, made with ``sources_memo_version``) holds the digests of the transcriptions
    read without a problem in earlier runs: the body of such a source is parsed only when its paragraphs are
    asked for (``transcription.read_source``), which a check whose selectors all come back from the memo never
    does. Each source read without a problem in this run is added.
    """
    diagnostics: list[Diagnostic] = []
    tree = _Files(files)
    found = tree.is_dir(annotations_dir)
    annotation_files = tree.listing(annotations_dir, ANNOTATION_SUFFIXES, recursive=True) if found else []
    refused = {path for path in annotation_files if tree.outside(path, annotations_dir)}
    readable = [path for path in annotation_files if path not in refused]
    # each file's size, looked up once, where workers could be used
    sizes = _sizes(readable) if jobs > 1 and tree.memory is None else {}
    # a large edition's workers are forked first, before the memo's many objects are made (``Memo._read_file``)
    pool = None
    if sum(sizes.values()) >= PARALLEL_MIN_BYTES:
        pool = _workers(jobs - 1, sources_dir, checker, known_sources)
    #: the files to remember: (key, how many annotations the file declares, its entries with their items)
    to_remember: list[tuple[str, int, list[tuple[_Entry, Located]]]] = []
    #: the same, of the files the memo gave back: remembered again if a selector of theirs had to be anchored
    to_refresh: list[tuple[str, int, list[tuple[_Entry, Located]]]] = []
    sources: dict[str, Source] = {}
    sources_at = len(diagnostics)  # where what reading the sources finds goes, whoever reads them
    apart = None
    large = False
    try:
        hits, keys = _looked_up(readable, tree, memo)
        # taking many files back from the memo is much of this process's work: the workers read the sources then
        if pool is not None and sum(len(data) for _, data, _ in hits.values()) >= PARALLEL_MIN_BYTES:
            if sum(sizes.get(path, 0) for path in readable if path not in hits) < PARALLEL_MIN_BYTES:
                apart = _sources_apart(pool, sources_dir)
        remembered = _remembered(hits, keys, memo)
        remembered_keys = {path: hits[path][0] for path in remembered}
        del hits
        unread = [path for path in readable if path not in remembered]
        large = pool is not None and sum(sizes.get(path, 0) for path in unread) >= PARALLEL_MIN_BYTES
        # the first files are read here (after the sources), the others by the workers, which start on them now
        own = round(len(unread) * _own_share(jobs)) if large else len(unread)
        loading: Iterator[_WorkerResults] = iter(())
        if pool is not None and large:
            loading = pool.map(_read_files, _chunks(unread[own:], _FILES_PER_TASK))
        if apart is None:
            sources = _load_sources(sources_dir, diagnostics, tree, known_sources)
        if not found:
            diagnostics.append(Diagnostic(str(annotations_dir), 1, 1, None, "annotations folder not found"))
        read_here = (_read_file(path, None, tree) for path in unread[:own])
        read_there = _results(loading)
        located: list[Located] = []
        entry_of: dict[int, _Entry] = {}
        declared = 0
        for path in annotation_files:
            if path in refused:
                diagnostics.append(
                    Diagnostic(str(path), 1, 1, None, "refused: a link to a file outside the annotations folder")
                )
                continue
            if path in remembered:
                file_diagnostics, count, entries = [], *remembered[path]
            else:
                file_diagnostics, count, entries = next(read_here, None) or next(read_there)
            diagnostics.extend(file_diagnostics)
            declared += count
            items = []
            for entry in entries:
                item = entry.located(str(path), advise)
                entry_of[id(item)] = entry
                located.append(item)
                items.append((entry, item))
            if path in keys and not file_diagnostics:
                to_remember.append((keys[path], count, items))
            elif path in remembered_keys:
                to_refresh.append((remembered_keys[path], count, items))
    except BaseException:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
        raise
    # the workers are done with, unless they are reading the sources (``_sources_from`` lets them go)
    if pool is not None and apart is None:
        pool.shutdown(cancel_futures=True)
    # what needs no source is checked first, while the workers may still be reading them (what it finds is put
    # where it would be found with no worker, ``sources_at``)
    located = _unique(located, diagnostics)
    located = _check_links(located, diagnostics)
    #: each annotation, what its bodies' check found, and whether they passed
    bodies: list[tuple[Located, list[Diagnostic], bool]] = []
    for item in located:
        entry = entry_of[id(item)]
        if entry.verdicts is None:
            entry.verdicts = _body_verdicts(item, checker)
        found_here: list[Diagnostic] = []
        bodies.append((item, found_here, _check_body(item, entry.verdicts, bib_keys, found_here)))
    if meanwhile is not None:
        meanwhile()
    if apart is not None:
        sources, diagnostics[sources_at:sources_at] = _sources_from(apart, sources_dir, known_sources)
    if known_sources is not None:
        for source in sources.values():
            if known_sources.get(source.digest) is None:
                known_sources.put(source.digest, 1)
    texts = _Texts(sources)
    unchanged: dict[int, bool] = {}
    known = {
        id(item): anchors
        for item in located
        if (anchors := _known_anchors(entry_of[id(item)], sources, unchanged)) is not None
    }
    pending = [item for item in located if id(item) not in known]
    anchorings = _anchor_all(pending, sources, texts, jobs) if large else None
    outcomes = dict(zip(map(id, pending), anchorings, strict=True)) if anchorings is not None else {}
    anchored: list[Located] = []
    for item, found_here, passed in bodies:
        diagnostics.extend(found_here)
        if not passed:
            continue
        if id(item) in known:
            ok, item.anchors = True, known[id(item)]
        elif id(item) in outcomes:
            ok, item.anchors, anchor_diagnostics = outcomes[id(item)]
            diagnostics.extend(anchor_diagnostics)
        else:
            ok = _anchor(item, sources, texts, diagnostics)
        if ok:
            anchored.append(item)
    anchored = _check_overlaps(anchored, diagnostics)
    if memo is not None:
        good = {id(item) for item in anchored}
        for key, count, items in to_remember:
            memo.put(key, _memo_entry(count, items, good, sources))
        # a file given back whose selectors were anchored again (a source they quote changed): its new places
        # are kept, or every run would anchor them again (the memo is not written again when they are the same)
        anchored_again = {id(item) for item in pending}
        for key, count, items in to_refresh if anchored_again else ():
            if any(id(item) in anchored_again for _, item in items):
                memo.put(key, _memo_entry(count, items, good, sources))
    if not lazy:
        for item in anchored:
            item.annotation  # noqa: B018 (validated now)
    return Edition(sources, anchored, diagnostics, annotation_files, declared=declared)


def memo_version(checker: BodyChecker, advise: Advise | None = None) -> str:
    """What a memo of ``load_edition``'s results depends on besides this package's code (``memo.Memo`` adds
    that): the body checker's settings and libraries, what parses YAML, validates and folds text, and which
    advice is asked for."""
    import unicodedata

    import pydantic
    import yaml

    versions = f"pyyaml={yaml.__version__} pydantic={pydantic.VERSION} unicode={unicodedata.unidata_version}"
    advice = f"{advise.__module__}.{advise.__qualname__}" if advise is not None else None
    return f"{versions} python={sys.version_info[:3]} checker={checker.fingerprint()} advice={advice}"


class _Texts(dict[str, SourceText]):
    """Each source's text prepared for anchoring, made when first asked for: a source whose selectors all have
    known places is never prepared."""

    def __init__(self, sources: dict[str, Source]) -> None:
        super().__init__()
        self.sources = sources

    def __missing__(self, source_id: str) -> SourceText:
        try:
            text = SourceText(self.sources[source_id])
        except DiagnosticError as exc:
            # a body left as text (``known_sources``) that has a problem after all: the memo of sources was
            # altered by hand. Each annotation on it is refused, saying why, as the source would have been
            found = exc.diagnostic
            raise AnchorError(
                f"source {source_id!r} cannot be read: {found.path}:{found.line}: {found.message}"
            ) from None
        self[source_id] = text
        return text


# -- what a memo keeps -------------------------------------------------------------------------------------------
#
# For an annotation file read without a problem: ``{"count": n, "sources": {id: digest}, "entries": [...]}``:
# the sources its selectors landed in (their digests then), and one entry per annotation, ``[line, column,
# body_line, text_lines, verdicts, places, facts]``: ``verdicts`` ``[[start, [[line, message], ...], [[key,
# line], ...]], ...]``; ``places`` ``None`` (not all anchored) or ``[[paragraph, start, end], ...]``, one per
# selector; ``facts`` the annotation's ``Facts`` (``[id, kind, [[id, [kind, ...], field], ...], [source, ...],
# advice]``), so that the checks across files can run on it without reading the file again.


class _Landed:
    """Where a memo says an annotation's selectors land, good while the sources they landed in (``sources``, by
    their digests then, shared by the annotations of a file) are unchanged; ``anchors`` ``None``: not all did."""

    __slots__ = ("anchors", "sources")

    def __init__(self, sources: dict[str, str], anchors: list[Anchor] | None) -> None:
        self.sources = sources
        self.anchors = anchors


def _looked_up(
    paths: list[Path], tree: _Files, memo: Memo | None
) -> tuple[dict[Path, tuple[str, bytes, Any]], dict[Path, str]]:
    """The files whose bytes ``memo`` has seen, with their key, bytes and what the memo keeps for them; and
    each other file's key."""
    hits: dict[Path, tuple[str, bytes, Any]] = {}
    keys: dict[Path, str] = {}
    if memo is None:
        return hits, keys
    for path in paths:
        try:
            data = tree.read(path)
        except OSError:
            continue
        if len(data) > MAX_FILE_BYTES:
            continue
        key = key_of(data)
        stored = memo.get(key)
        if stored is None:
            keys[path] = key
        else:
            hits[path] = (key, data, stored)
    return hits, keys


def _remembered(
    hits: dict[Path, tuple[str, bytes, Any]], keys: dict[Path, str], memo: Memo | None
) -> dict[Path, tuple[int, list[_Entry]]]:
    """What each file of ``hits`` yielded in an earlier run. A file whose memo is not of the shape this code
    keeps is forgotten by the memo and given its key in ``keys``, to be worked out again."""
    remembered: dict[Path, tuple[int, list[_Entry]]] = {}
    for path, (key, data, stored) in hits.items():
        try:
            remembered[path] = _from_memo(stored, data, str(path))
            continue
        except ValueError:  # pydantic's ValidationError among them: all that _from_memo raises
            if memo is not None:
                memo.forget(key)
        keys[path] = key
    return remembered


_Place = tuple[StrictInt, StrictInt, StrictInt]
_KeptVerdict = tuple[StrictInt, list[tuple[StrictInt, StrictStr]], list[tuple[StrictStr, StrictInt]]]
_KeptLink = tuple[StrictStr, tuple[StrictStr, ...], StrictStr]
_KeptFacts = tuple[StrictStr, StrictStr, tuple[_KeptLink, ...], tuple[StrictStr, ...], tuple[StrictStr, ...] | None]
_Kept = tuple[
    StrictInt, StrictInt, StrictInt, dict[str, StrictInt], list[_KeptVerdict], list[_Place] | None, _KeptFacts
]


class _MemoEntry(TypedDict):
    count: StrictInt
    sources: dict[str, StrictStr]
    entries: list[_Kept]


#: the shape of what a memo keeps for a file, checked before use (strictly: no string is taken for a number)
_MEMO_ENTRY: TypeAdapter[_MemoEntry] = TypeAdapter(_MemoEntry)


def _from_memo(stored: Any, data: bytes, where: str) -> tuple[int, list[_Entry]]:
    """What a memo keeps for a file (``data``, at ``where``), as ``_file_entries`` and the body checks would
    give it, but with the annotations left unread (``_Unread``); raise ``ValidationError`` or ``ValueError``
    when it is not of the shape this code keeps."""
    kept = _MEMO_ENTRY.validate_python(stored)
    count, sources = kept["count"], kept["sources"]
    if len(kept["entries"]) != count:
        raise ValueError("not one entry for each annotation")
    unread = _Unread(data, where)
    entries = []
    for index, (line, column, body_line, text_lines, verdicts, places, facts) in enumerate(kept["entries"]):
        entry = _Entry(None, line, column, body_line, text_lines, facts=Facts(*facts), unread=(unread, index))
        entry.verdicts = verdicts  # (line, message) and (key, line) tuples: what BodyProblem and CitedKey are
        # the anchors are made here, while the workers may still be reading the sources they are checked against
        anchors = None
        if places is not None and len(places) == len(facts[3]) and all(source in sources for source in facts[3]):
            anchors = [Anchor(source, *place) for source, place in zip(facts[3], places, strict=True)]
        entry.landed = _Landed(sources, anchors)
        entries.append(entry)
    return count, entries


def _known_anchors(entry: _Entry, sources: dict[str, Source], unchanged: dict[int, bool]) -> list[Anchor] | None:
    """The anchors a memo gave for the entry's selectors, if the sources they landed in are unchanged (by their
    digests, looked at once per file: ``unchanged``)."""
    landed = entry.landed
    if landed is None or landed.anchors is None:
        return None
    key = id(landed.sources)
    if key not in unchanged:
        unchanged[key] = all(
            (source := sources.get(source_id)) is not None and source.digest == digest
            for source_id, digest in landed.sources.items()
        )
    return landed.anchors if unchanged[key] else None


def _memo_entry(count: int, items: list[tuple[_Entry, Located]], anchored: set[int], sources: dict[str, Source]) -> Any:
    """What a memo keeps for a file read without a problem (see above)."""
    used = {anchor.source for _, item in items if id(item) in anchored for anchor in item.anchors}
    return {
        "count": count,
        "sources": {source_id: sources[source_id].digest for source_id in sorted(used)},
        "entries": [
            [
                entry.line,
                entry.column,
                entry.body_line,
                entry.text_lines,
                [
                    [start, [list(problem) for problem in problems], [list(key) for key in cited]]
                    for start, problems, cited in entry.verdicts or []
                ],
                [[a.paragraph, a.start, a.end] for a in item.anchors] if id(item) in anchored else None,
                list(item.facts),
            ]
            for entry, item in items
        ],
    }


def _load_sources(
    sources_dir: Path, diagnostics: list[Diagnostic], tree: _Files, known: Memo | None = None
) -> dict[str, Source]:
    if not tree.is_dir(sources_dir):
        diagnostics.append(Diagnostic(str(sources_dir), 1, 1, None, "sources folder not found"))
        return {}
    paths = tree.listing(sources_dir, (".txt",), recursive=False)
    return _gathered(_read_source_files(paths, sources_dir, tree, known), diagnostics)


def sources_memo_version() -> str:
    """What a memo of the transcriptions read without a problem (``load_edition``'s ``known_sources``) depends
    on besides this package's code (``memo.Memo`` adds that): the Python that splits their text."""
    import unicodedata

    return f"sources python={sys.version_info[:3]} unicode={unicodedata.unidata_version}"


def _read_source_files(
    paths: Sequence[Path], sources_dir: Path, tree: _Files, known: Memo | None = None
) -> list[Source | Diagnostic]:
    """Each transcription file of ``paths`` (in ``sources_dir``) read, or what is wrong with it; those whose
    digests ``known`` holds with their bodies left to be parsed when asked for."""
    found: list[Source | Diagnostic] = []
    folders: dict[str, str] = {}  # the sources folder with its links followed, looked up once for all
    read = None if tree.memory is None else tree.read
    seen = None if known is None else (lambda digest: known.get(digest) is not None)
    for path in paths:
        if tree.outside(path, sources_dir):
            found.append(Diagnostic(str(path), 1, 1, None, "refused: a link to a file outside the sources folder"))
            continue
        try:
            found.append(read_source(path, read, folders=folders, known=seen))
        except DiagnosticError as exc:
            found.append(exc.diagnostic)
    return found


def _gathered(found: Iterable[Source | Diagnostic], diagnostics: list[Diagnostic]) -> dict[str, Source]:
    """The sources read, by id, in order; what is wrong with a file, or a second source of the same id, is
    reported instead."""
    sources: dict[str, Source] = {}
    for source in found:
        if isinstance(source, Diagnostic):
            diagnostics.append(source)
        elif source.id in sources:
            diagnostics.append(
                Diagnostic(
                    str(source.path),
                    source.field_lines.get("id", 1),
                    1,
                    None,
                    f"source id {source.id!r} is already used by {sources[source.id].path}",
                )
            )
        else:
            sources[source.id] = source
    return sources


#: the sources read, by id, and what reading them found
_Sources = tuple[dict[str, Source], list[Diagnostic]]

#: a body's verdict: the line its text starts on, what is wrong with it, the citation keys it uses
_Verdict = tuple[int, list[BodyProblem], list[CitedKey]]


@dataclass
class _Entry:
    """A valid annotation as its file gives it, and its bodies' verdicts: what a worker process sends back.

    The annotation travels as the data it was validated from (far quicker to send than the validated model)
    and is validated again, to the same model, where the edition is put together.
    """

    #: the data it was validated from (``None``: given back by a memo, with ``facts`` and ``unread``)
    raw: dict[str, Any] | None
    line: int
    column: int
    body_line: int
    text_lines: dict[str, int]
    #: ``None`` until the bodies are checked (by a worker, a memo, or else ``load_edition``)
    verdicts: list[_Verdict] | None = None
    annotation: Any = None
    #: where a memo says the selectors land (see ``_known_anchors``)
    landed: _Landed | None = None
    facts: Facts | None = None
    unread: tuple[_Unread, int] | None = None

    def located(self, where: str, advise: Advise | None = None) -> Located:
        annotation, facts = self.annotation, self.facts
        if facts is None:  # read from its file: validated (again, if it came from a worker) here
            if annotation is None:
                annotation = _ADAPTER.validate_python(self.raw)
            facts = facts_of(annotation, advise)
        return Located(
            annotation,
            where,
            self.line,
            self.column,
            self.body_line,
            text_lines=self.text_lines,
            facts=facts,
            unread=self.unread,
        )

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "annotation": None}


#: one annotation file read: its diagnostics, how many annotations it declares, its valid annotations
_FileResult = tuple[list[Diagnostic], int, list[_Entry]]


def _read_file(path: Path, checker: BodyChecker | None, tree: _Files | None = None) -> _FileResult:
    """What ``_file_entries`` finds in one annotation file, and (given a ``checker``) its bodies' verdicts."""
    diagnostics: list[Diagnostic] = []
    entries, count = _file_entries(path, diagnostics, tree)
    if checker is not None:
        for entry in entries:
            entry.verdicts = _body_verdicts(entry.located(str(path)), checker)
    return diagnostics, count, entries


def _file_entries(path: Path, diagnostics: list[Diagnostic], tree: _Files | None = None) -> tuple[list[_Entry], int]:
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
    entries: list[_Entry] = []
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
        entries.append(_Entry(raw, line, column, body_line, text_lines, annotation=annotation))
    return entries, len(raw_items)


def _unique(items: Iterable[Located], diagnostics: list[Diagnostic]) -> list[Located]:
    seen: dict[str, Located] = {}
    kept: list[Located] = []
    for item in items:
        first = seen.get(item.id)
        if first is not None:
            diagnostics.append(
                item.diagnostic(f"duplicate annotation id {item.id!r} (first used at {first.path}:{first.line})")
            )
            continue
        seen[item.id] = item
        kept.append(item)
    return kept


def _check_links(items: list[Located], diagnostics: list[Diagnostic]) -> list[Located]:
    """Annotations that name other annotations (a claim its event, a discrepancy its claims) name real ones."""
    kinds = {item.id: item.kind for item in items}
    kept = []
    for item in items:
        ok = True
        for ident, wanted, what in item.facts.links:
            if kinds.get(ident) in wanted:
                continue
            found = f" (it is a {kinds[ident]})" if ident in kinds else ""
            diagnostics.append(item.diagnostic(f"{what} {ident!r} is not a known {wanted[0]}{found}"))
            ok = False
        if ok:
            kept.append(item)
    return kept


def _body_verdicts(item: Located, checker: BodyChecker) -> list[_Verdict]:
    return [(item.text_line(name), *checker.check(body)) for name, body in texts_of(item.annotation)]


def _check_body(
    item: Located, verdicts: list[_Verdict], bib_keys: set[str] | None, diagnostics: list[Diagnostic]
) -> bool:
    """Report what is wrong with the annotation's MyST texts: their ``verdicts`` (``_body_verdicts``), and
    citation keys not in the bibliography."""
    ok = True
    for start, problems, keys in verdicts:
        for at, message in problems:
            diagnostics.append(item.diagnostic(message, line=start + at, column=1))
            ok = False
        if bib_keys is not None:
            for key, at in keys:
                if key.lower() not in bib_keys:
                    diagnostics.append(
                        item.diagnostic(f"citation key {key!r} is not in the bibliography", line=start + at, column=1)
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
        if selector.source not in sources:
            what = "cross-reference to a missing source" if item.kind == "cross-reference" else "unknown source"
            known = ", ".join(sorted(sources)) or "none"
            diagnostics.append(
                item.diagnostic(
                    f"{what} {selector.source!r} in {field_path}{f'[{index}]' if len(selectors) > 1 else ''} "
                    f"(known sources: {known})"
                )
            )
            ok = False
            continue
        try:
            anchors.append(texts[selector.source].anchor(selector.exact, selector.prefix, selector.suffix))
        except AnchorError as exc:
            diagnostics.append(item.diagnostic(str(exc)))
            ok = False
    item.anchors = anchors
    return ok


def _check_overlaps(items: list[Located], diagnostics: list[Diagnostic]) -> list[Located]:
    """Emendations replace text, so they may not overlap each other, nor cut through another annotation."""
    emendations: dict[tuple[str, int], list[Located]] = defaultdict(list)
    for item in items:
        if item.kind == "emendation":
            anchor = item.anchors[0]
            emendations[(anchor.source, anchor.paragraph)].append(item)
    if not emendations:
        return items
    rejected: set[str] = set()
    for item in items:
        for anchor in item.anchors:
            for other in emendations.get((anchor.source, anchor.paragraph), ()):
                if other is item or other.id in rejected:
                    continue
                e = other.anchors[0]
                overlap = anchor.start < e.end and e.start < anchor.end
                if not overlap:
                    continue
                inside = e.start <= anchor.start and anchor.end <= e.end
                covers = anchor.start <= e.start and e.end <= anchor.end
                both_emend = item.kind == "emendation"
                if both_emend or not (inside or covers):
                    diagnostics.append(
                        item.diagnostic(
                            f"overlaps emendation {other.id!r} in ¶{anchor.paragraph} of {anchor.source!r}; "
                            "select the whole emended text or none of it"
                        )
                    )
                    rejected.add(item.id)
    return [item for item in items if item.id not in rejected] if rejected else items


# -- worker processes (the checker's ``jobs``) --------------------------------------------------------------------

_T = TypeVar("_T")

#: what a worker process works with, given when it starts (it is forked: nothing is pickled)
_WORKER: list[Any] = []


def _pool(workers: int, *state: Any) -> Executor | None:
    """``workers`` forked worker processes that work with ``state``; ``None`` where they cannot be had (then
    everything is done in this process, as with ``jobs=1``)."""
    # forked, not spawned (which would pickle the state and import everything again): where forking is the
    # usual way of starting a process, Linux
    if workers < 1 or not sys.platform.startswith("linux"):
        return None
    try:
        return ProcessPoolExecutor(
            workers, mp_context=multiprocessing.get_context("fork"), initializer=_start_worker, initargs=state
        )
    except (OSError, ValueError, NotImplementedError):
        return None


class _Apart:
    """Worker processes reading the sources, a few at a time, while this process does other work: the sources
    they have not begun when this one is free are read here (``_sources_from``)."""

    def __init__(self, pool: Executor, chunks: list[Sequence[Path]]) -> None:
        self.pool = pool
        self.chunks = chunks
        self.futures = [pool.submit(_read_sources, chunk) for chunk in chunks]


def _workers(workers: int, sources_dir: Path, checker: BodyChecker, known: Memo | None) -> Executor | None:
    """``workers`` worker processes for the sources and annotation files of a large edition, forked now (a
    ``ProcessPoolExecutor`` forks its processes when it is first given a task); ``None`` where none can be had.

    They are forked before the caller makes objects the workers do not need: each such object the caller
    touches afterwards would copy the page that holds it (see ``Memo._read_file``)."""
    pool = _pool(workers, sources_dir, checker, known)
    if pool is None:
        return None
    try:
        pool.submit(_ready)
    except RuntimeError:  # the pool could not start its processes
        pool.shutdown(cancel_futures=True)
        return None
    return pool


def _ready() -> None:
    """A worker's first task: none, but it makes the pool fork its processes (``_workers``)."""


def _sources_apart(pool: Executor, sources_dir: Path) -> _Apart | None:
    """The workers of ``pool`` reading the sources (``_sources_from`` takes them, and lets the workers go);
    ``None`` where there is no sources folder."""
    tree = _Files(None)
    if not tree.is_dir(sources_dir):
        return None  # reported where the sources are read otherwise
    chunks = list(_chunks(tree.listing(sources_dir, (".txt",), recursive=False), _SOURCES_PER_TASK))
    try:
        return _Apart(pool, chunks)
    except RuntimeError:  # a worker died since it was forked (BrokenProcessPool): the sources are read here
        return None


#: what the worker sends back for some sources: each read, or what is wrong with it, and what it took from and
#: added to the active YAML cache (their front matter; ``yamlsource.ParseCache.report``), if there is one
_SourcesRead = tuple[list[Source | Diagnostic], yamlsource.Report | None]


def _read_sources(paths: Sequence[Path]) -> _SourcesRead:
    sources_dir, _, known = _WORKER
    return _read_source_files(paths, sources_dir, _Files(None), known), _cache_report()


def _sources_from(apart: _Apart, sources_dir: Path, known: Memo | None = None) -> _Sources:
    """The sources, with what reading them found: those the worker has not begun are read here, the others
    taken from it; all are read here instead if the worker failed (it was killed, or what it read could not be
    sent)."""
    tree = _Files(None)
    try:
        # the workers read from the first sources on, this process from the last back, until they meet (a task
        # that can still be cancelled has not been given to the worker yet)
        here: dict[int, list[Source | Diagnostic]] = {}
        for index in reversed(range(len(apart.futures))):
            if not apart.futures[index].cancel():
                break
            here[index] = _read_source_files(apart.chunks[index], sources_dir, tree, known)
        found: list[Source | Diagnostic] = []
        for index, future in enumerate(apart.futures):
            if index in here:
                found.extend(here[index])
                continue
            read, report = future.result()
            _take_report(report)  # or the front matter would be left out of the cache file: parsed again next time
            found.extend(read)
    except Exception:
        # whatever went wrong there (a killed worker, a result that could not be sent, an error in the reading
        # itself), this process reads them as it would have without a worker: the same result, or the same error
        diagnostics: list[Diagnostic] = []
        return _load_sources(sources_dir, diagnostics, tree, known), diagnostics
    finally:
        apart.pool.shutdown(cancel_futures=True)
    diagnostics = []
    return _gathered(found, diagnostics), diagnostics


def _cache_report() -> yamlsource.Report | None:
    """In a worker: what it took from and added to the active YAML cache, if there is one, to send back."""
    cache = yamlsource.active()
    return cache.report() if cache is not None else None


def _take_report(report: yamlsource.Report | None) -> None:
    """Take in a worker's ``_cache_report``."""
    cache = yamlsource.active()
    if cache is not None and report is not None:
        cache.merge(report)


def _own_share(jobs: int) -> float:
    """The share of the annotation files this process reads itself, besides the sources, so that it and the
    ``jobs - 1`` workers finish at about the same time (what it reads need not be sent to it, nor validated
    again); with three or more jobs, none."""
    workers = jobs - 1
    return max(0.0, (1 / workers - _SOURCES_COST) / (1 + 1 / workers))


def _start_worker(*state: Any) -> None:
    _WORKER[:] = state


def _sizes(paths: Iterable[Path]) -> dict[Path, int]:
    """Each file's size in bytes; a file that cannot be looked at is left out."""
    sizes: dict[Path, int] = {}
    for path in paths:
        try:
            sizes[path] = path.stat().st_size
        except OSError:
            continue
    return sizes


def _chunks(items: Sequence[_T], size: int) -> Iterator[Sequence[_T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


#: what a worker sends back for some annotation files: what it found in each, and what it took from and added to
#: the active YAML cache (``yamlsource.ParseCache.report``), if there is one
_WorkerResults = tuple[list[_FileResult], yamlsource.Report | None]


def _read_files(paths: Sequence[Path]) -> _WorkerResults:
    _, checker, _ = _WORKER
    return [_read_file(path, checker) for path in paths], _cache_report()


def _results(chunks: Iterable[_WorkerResults]) -> Iterator[_FileResult]:
    """The workers' results, file by file; what they took from and added to the YAML cache is taken in here."""
    for results, report in chunks:
        _take_report(report)
        yield from results


#: an annotation anchored by a worker: whether all its targets landed, where, and the diagnostics
_Anchoring = tuple[bool, list[Anchor], list[Diagnostic]]


def _anchor_all(
    located: list[Located], sources: dict[str, Source], texts: dict[str, SourceText], jobs: int
) -> list[_Anchoring] | None:
    """What ``_anchor`` finds for each of ``located`` (without setting their ``anchors``), found by this process
    and ``jobs - 1`` workers, an equal share each; ``None`` if there are no workers to be had."""
    pool = _pool(jobs - 1, located, sources, texts)
    if pool is None:
        return None
    own = len(located) // jobs
    with pool:
        there = pool.map(_anchor_range, _chunks(range(own, len(located)), _ANCHORS_PER_TASK))
        here = _anchor_range(range(own), (located, sources, texts))
        return here + [outcome for chunk in there for outcome in chunk]


def _anchor_range(indices: Sequence[int], state: Sequence[Any] | None = None) -> list[_Anchoring]:
    located, sources, texts = _WORKER if state is None else state
    outcomes: list[_Anchoring] = []
    for index in indices:
        item = located[index]
        before = item.anchors
        diagnostics: list[Diagnostic] = []
        ok = _anchor(item, sources, texts, diagnostics)
        outcomes.append((ok, item.anchors, diagnostics))
        item.anchors = before
    return outcomes


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
                located.diagnostic(
                    f"annotates source {source_id!r}, which has no page, so it would not appear", code="missing-page"
                )
            )
    if special is not None:
        for located in edition.annotations:
            page = SPECIAL_PAGES.get(located.kind)
            if page and page not in special:
                found.append(
                    located.diagnostic(
                        f"a {located.kind} appears on the {page}, but no page holds it "
                        f"(add the standoff-{page} directive)",
                        code="missing-page",
                    )
                )
    return found
