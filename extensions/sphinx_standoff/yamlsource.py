"""Safe YAML loading that remembers where every value came from.

PyYAML's ``SafeLoader`` already refuses tags that construct Python objects; on top of it this module

* records the line and column of every mapping key and sequence item, so that a validation error can name
  the line of the offending field (``Marks``);
* refuses duplicate keys (PyYAML silently keeps the last one, which would lose an annotation field);
* bounds nesting depth and the number of nodes, so that hostile input (deep nesting, alias bombs) fails
  with a message instead of exhausting the stack or memory.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path as FilePath
from typing import Any

import orjson
import yaml

from .memo import read_json, write_json

MAX_DEPTH = 32
MAX_NODES = 200_000

Path = tuple[object, ...]


class YamlError(Exception):
    """A YAML document could not be loaded; ``line`` and ``column`` are 1-based."""

    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


@dataclass
class Marks:
    """Line/column (1-based) of each value, by path of keys and indices from the document root."""

    positions: dict[Path, tuple[int, int]] = field(default_factory=dict)
    #: for block scalars (``|`` and ``>``), the content starts on the line after the indicator
    block_scalars: set[Path] = field(default_factory=set)

    def locate(self, path: Path) -> tuple[int, int]:
        """The position of ``path``, or of its nearest ancestor that has one."""
        path = tuple(path)
        while path:
            if path in self.positions:
                return self.positions[path]
            path = path[:-1]
        return self.positions.get((), (1, 1))

    def content_line(self, path: Path) -> int:
        """The line on which the text of the scalar at ``path`` starts."""
        line, _ = self.locate(path)
        return line + 1 if tuple(path) in self.block_scalars else line


_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"


#: libyaml, when PyYAML has it: it parses about ten times faster than the pure-Python parser
_CLoader: Any = getattr(yaml, "CSafeLoader", None)
#: libyaml composes nodes recursively in C, without Python's recursion limit: a deeply nested document would
#: crash the process, so a text that could nest deeper than this (each level needs one of ``[{-?:``) has its
#: depth measured from libyaml's events (not recursive) before it is composed
_C_SAFE_INDICATORS = 2_000


def _depth_over(text: str, limit: int) -> bool:
    depth = 0
    for event in yaml.parse(text, Loader=_CLoader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > limit:
                return True
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
    return False


def _compose_fast(text: str) -> tuple[Any, yaml.Node | None] | None:
    """(loader, root node) composed by libyaml; ``None`` to leave the text to the pure-Python loader.

    Only well-formed, not too deeply nested documents take this path: for anything else the pure-Python loader
    runs as before, so that every problem is reported with the same message and place as always.
    """
    if _CLoader is None:
        return None
    try:
        if sum(text.count(c) for c in "[{-?:") > _C_SAFE_INDICATORS and _depth_over(text, MAX_DEPTH):
            return None
        loader = _CLoader(text)
    except yaml.YAMLError:
        return None
    try:
        return loader, loader.get_single_node()
    except yaml.YAMLError:
        loader.dispose()
        return None


def load(text: str) -> tuple[Any, Marks]:
    """Parse one YAML document into plain data (dicts, lists, scalars) and its ``Marks``.

    Inside ``caching(cache)``, a text parsed before is taken from the cache (see ``ParseCache``).
    """
    cache = active()
    return cache.load(text) if cache is not None else _parse(text)


def _parse(text: str) -> tuple[Any, Marks]:
    fast = _compose_fast(text)
    loader = fast[0] if fast is not None else yaml.SafeLoader(text)
    try:
        try:
            root = fast[1] if fast is not None else loader.get_single_node()
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            problem = exc.problem or str(exc)
            if exc.context:
                problem = f"{problem} ({exc.context})"
            if exc.context_mark is not None and (mark is None or mark.index >= len(text.rstrip())):
                # an error found only at the end of the file is reported where the unclosed thing began
                problem = f"{problem}, never closed"
                mark = exc.context_mark
            raise YamlError(
                f"malformed YAML: {problem}",
                mark.line + 1 if mark else 1,
                mark.column + 1 if mark else 1,
            ) from None
        except yaml.YAMLError as exc:
            raise YamlError(f"malformed YAML: {exc}") from None
        except RecursionError:
            # PyYAML composes nodes recursively: nesting deep enough exhausts the stack before ``_build`` sees it
            raise YamlError(f"YAML nested too deeply (more than {MAX_DEPTH} levels)", *_too_deep(text)) from None
        marks = Marks()
        if root is None:
            return None, marks
        counter = [0]
        data = _build(loader, root, (), 0, marks, counter)
        return data, marks
    finally:
        loader.dispose()


def _too_deep(text: str) -> tuple[int, int]:
    """Where nesting first goes deeper than ``MAX_DEPTH``, found from the parser's events (not recursive)."""
    depth = 0
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    return event.start_mark.line + 1, event.start_mark.column + 1
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError:
        pass
    return 1, 1


def _position(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


_ScalarNode = yaml.ScalarNode
_MappingNode = yaml.MappingNode
_SequenceNode = yaml.SequenceNode
_STR_TAG = "tag:yaml.org,2002:str"


def _build(loader: yaml.SafeLoader, node: yaml.Node, path: Path, depth: int, marks: Marks, counter: list[int]) -> Any:
    """Plain data from ``node``, recording in ``marks`` where each value at or under ``path`` was written.

    Every node counts towards ``MAX_NODES`` (an alias counts each time it is used) and may be at most
    ``MAX_DEPTH`` deep. A plain string (the commonest value by far) is taken as it is, as PyYAML's
    ``construct_yaml_str`` would take it; every other scalar is constructed by the loader.
    """
    marks.positions.setdefault(path, _position(node))
    positions = marks.positions
    block_scalars = marks.block_scalars
    # a string is its node's value when the loader constructs strings as PyYAML's safe loader does
    plain_strings = loader.yaml_constructors.get(_STR_TAG) is yaml.constructor.SafeConstructor.construct_yaml_str

    def build(node: yaml.Node, path: Path, depth: int) -> Any:
        counter[0] += 1
        if counter[0] > MAX_NODES:
            raise YamlError(f"YAML document too large (more than {MAX_NODES} values)", *_position(node))
        if depth > MAX_DEPTH:
            raise YamlError(f"YAML nested too deeply (more than {MAX_DEPTH} levels)", *_position(node))
        if plain_strings and type(node) is _ScalarNode and node.tag == _STR_TAG:
            return node.value
        if isinstance(node, _MappingNode):
            if node.tag != _MAP_TAG:
                raise YamlError(f"YAML tag {node.tag!r} is not allowed", *_position(node))
            try:
                loader.flatten_mapping(node)
            except yaml.MarkedYAMLError as exc:
                mark = exc.problem_mark or exc.context_mark or node.start_mark
                raise YamlError(f"YAML value refused: {exc.problem or exc}", mark.line + 1, mark.column + 1) from None
            result: dict[str, Any] = {}
            key_path = path + ("<key>",)
            for key_node, value_node in node.value:
                where = _position(key_node)
                if key_path not in positions:
                    positions[key_path] = where
                key = build(key_node, key_path, depth + 1)
                if not isinstance(key, str):
                    raise YamlError(f"mapping key {key!r} is not a string", *where)
                if key in result:
                    raise YamlError(f"duplicate key {key!r}", *where)
                # a key's position is where the key is written, which is what an editor looks for
                value_path = path + (key,)
                positions[value_path] = where
                if type(value_node) is _ScalarNode and value_node.style in ("|", ">"):
                    block_scalars.add(value_path)
                result[key] = build(value_node, value_path, depth + 1)
            return result
        if isinstance(node, _SequenceNode):
            if node.tag != _SEQ_TAG:
                raise YamlError(f"YAML tag {node.tag!r} is not allowed", *_position(node))
            items = []
            for index, item in enumerate(node.value):
                item_path = path + (index,)
                positions[item_path] = _position(item)
                items.append(build(item, item_path, depth + 1))
            return items
        try:
            return loader.construct_object(node, deep=True)
        except yaml.constructor.ConstructorError as exc:
            problem = exc.problem or str(exc)
            raise YamlError(f"YAML value refused: {problem}", *_position(node)) from None

    try:
        return build(node, path, depth)
    finally:
        # ``build`` refers to itself: let it go now, not at the next garbage collection
        build = None  # type: ignore[assignment]


# -- a cache of parsed documents, kept between runs -----------------------------------------------------------


class _Recorded(Marks):
    """Marks that remember which places were asked for, so that a cached document need keep only those.

    Given the full ``Marks`` of a fresh parse, it answers from them; given only the places recorded last time
    (``known``), it answers from those and, asked for any other place, parses ``text`` again and answers
    exactly as the full marks would: a cached document never gives a different line or column.
    """

    def __init__(self, text: str, known: dict[str, list[int]], full: Marks | None = None) -> None:
        super().__init__()
        self._text = text
        self._known = known
        self._full = full
        #: a place was asked for that the cache entry did not have: the entry is to be written again
        self.grew = False

    def _parsed(self) -> Marks:
        """The full marks, from parsing the text again if they were not given."""
        if self._full is None:
            self._full = _parse(self._text)[1]
        return self._full

    def _answer(self, path: Path) -> list[int]:
        key = repr(tuple(path))
        found = self._known.get(key)
        if not (type(found) is list and len(found) == 3 and type(found[0]) is type(found[1]) is type(found[2]) is int):
            # not kept, or not kept as this module keeps it (a damaged file): look it up, and keep it
            full = self._parsed()
            line, column = full.locate(path)
            found = self._known[key] = [line, column, int(tuple(path) in full.block_scalars)]
            self.grew = True
        return found

    def locate(self, path: Path) -> tuple[int, int]:
        line, column, _ = self._answer(path)
        return line, column

    def content_line(self, path: Path) -> int:
        line, _, block = self._answer(path)
        return line + 1 if block else line

    @property  # type: ignore[override]
    def positions(self) -> dict[Path, tuple[int, int]]:
        return self._parsed().positions

    @positions.setter
    def positions(self, value: dict[Path, tuple[int, int]]) -> None:
        pass  # set (empty) by ``Marks.__init__``; the real positions are the full marks'

    @property  # type: ignore[override]
    def block_scalars(self) -> set[Path]:
        return self._parsed().block_scalars

    @block_scalars.setter
    def block_scalars(self, value: set[Path]) -> None:
        pass


#: what decides how a text parses: this module's rules and the parser it uses
#: what a worker process sends back (``ParseCache.report``): keys it used as they were, entries it made or grew
Report = tuple[list[str], dict[str, dict[str, Any]]]

_CACHE_VERSION = (
    f"standoff-yaml/2 depth={MAX_DEPTH} nodes={MAX_NODES} pyyaml={yaml.__version__} libyaml={_CLoader is not None}"
)


class ParseCache:
    """Parsed YAML documents by the hash of their text, kept in one JSON file between runs.

    Parsing is a function of the text alone (and of this module's rules and PyYAML's version, which are part of
    the file's version: another version starts afresh), so a text seen before is given the data it gave then,
    and every check made on that data runs as before: the cache can make a run faster, never change what it
    reports. A document whose data JSON cannot hold exactly (a date, binary) is parsed each time; a document
    that failed to parse is kept with its error. Only JSON is read back, never pickled objects, so a cache file
    planted by someone else can at worst give wrong data, which the checks then judge; it is kept outside the
    project (see ``default_cache_dir``) so that a pull request cannot plant one.

    The file keeps the documents used in the last run only, and is written (atomically) only when that changed.
    """

    def __init__(self, file: FilePath | None) -> None:
        self.file = file
        #: what the file held and this run has not (yet) used
        self._entries: dict[str, dict[str, Any]] = {}
        #: what this run used: what the file is to hold next
        self._used: dict[str, dict[str, Any]] = {}
        #: entries this run made (a text not seen before), and the recorded marks given out
        self._made: set[str] = set()
        self._marks: list[tuple[str, _Recorded]] = []
        if file is not None:
            try:
                stored = read_json(file)
                if isinstance(stored, dict) and stored.get("version") == _CACHE_VERSION:
                    entries = stored.get("entries")
                    self._entries = entries if isinstance(entries, dict) else {}
            except (OSError, ValueError, RecursionError):
                pass  # no cache yet, or an unreadable one: start afresh

    def load(self, text: str) -> tuple[Any, Marks]:
        """What ``load(text)`` gives, from the cache when the text was parsed before."""
        key = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=20).hexdigest()
        entry = self._entries.pop(key, None)
        if entry is not None and _well_formed(entry):
            self._used[key] = entry
            if "error" in entry:
                message, line, column = entry["error"]
                raise YamlError(message, line, column)
            marks = _Recorded(text, entry["places"])
            self._marks.append((key, marks))
            return entry["data"], marks
        if key in self._used:  # the same text twice in one run: parse it again, so that no data is shared
            return _parse(text)
        try:
            data, full = _parse(text)
        except YamlError as exc:
            self._keep(key, {"error": [exc.message, exc.line, exc.column]})
            raise
        # kept only if the cache file gives it back exactly (``memo.write_json``); anything else is parsed afresh
        # each time: what orjson refuses (binary data, an integer beyond 64 bits) and what it gives back as
        # something else (a date as a string, a NaN as ``null``)
        try:
            stored = orjson.loads(orjson.dumps(data))
        except (TypeError, ValueError, RecursionError):
            return data, full
        if not _same(stored, data):
            return data, full
        marks = _Recorded(text, {}, full)
        self._keep(key, {"data": stored, "places": marks._known})
        self._marks.append((key, marks))
        return data, marks

    def _keep(self, key: str, entry: dict[str, Any]) -> None:
        self._used[key] = entry
        self._made.add(key)

    def report(self) -> Report:
        """What a worker process sends back, and forgets: the keys of the entries it used as they were, and the
        entries it made or added places to."""
        grown = {key for key, marks in self._marks if marks.grew} | self._made
        report = [key for key in self._used if key not in grown], {key: self._used[key] for key in grown}
        self._used, self._made, self._marks = {}, set(), []
        return report

    def merge(self, report: Report) -> None:
        """Take in what a worker process used and made (``report``)."""
        kept, made = report
        for key in kept:
            entry = self._entries.pop(key, None)
            if entry is not None:
                self._used[key] = entry
        for key, entry in made.items():
            self._entries.pop(key, None)
            self._keep(key, entry)

    def save(self) -> None:
        """Write the documents used in this run, if that is not what the file already holds."""
        if self.file is None:
            return
        if not (self._made or self._entries or any(marks.grew for _, marks in self._marks)):
            return
        write_json(self.file, {"version": _CACHE_VERSION, "entries": self._used})


def _well_formed(entry: Any) -> bool:
    if not isinstance(entry, dict):
        return False
    if "error" in entry:
        error = entry["error"]
        return (
            isinstance(error, list)
            and len(error) == 3
            and isinstance(error[0], str)
            and all(type(n) is int for n in error[1:])
        )
    return "data" in entry and isinstance(entry.get("places"), dict)


def _same(stored: Any, data: Any) -> bool:
    """Did JSON give back exactly ``data``: the same values of the same types (``1 == 1.0 == True``)?"""
    if type(stored) is not type(data):
        return False
    if isinstance(data, dict):
        return stored.keys() == data.keys() and all(_same(stored[key], value) for key, value in data.items())
    if isinstance(data, list):
        return len(stored) == len(data) and all(_same(a, b) for a, b in zip(stored, data, strict=True))
    return bool(stored == data)


_ACTIVE: list[ParseCache] = []


def active() -> ParseCache | None:
    """The cache ``load`` uses now, if any."""
    return _ACTIVE[-1] if _ACTIVE else None


@contextlib.contextmanager
def caching(cache: ParseCache | None) -> Iterator[ParseCache | None]:
    """Within the block, ``load`` takes parsed documents from ``cache`` (``None``: no cache); saved at the end."""
    if cache is None:
        yield None
        return
    _ACTIVE.append(cache)
    try:
        yield cache
    finally:
        _ACTIVE.pop()
    cache.save()


def default_cache_dir() -> FilePath:
    """``$STANDOFF_CACHE_DIR``, else ``$XDG_CACHE_HOME/sphinx-standoff``, else ``~/.cache/sphinx-standoff``."""
    chosen = os.environ.get("STANDOFF_CACHE_DIR")
    if chosen:
        return FilePath(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return FilePath(base) / "sphinx-standoff"


def cache_file(folder: FilePath, *inputs: FilePath) -> FilePath:
    """The cache file in ``folder`` for the project whose inputs are ``inputs`` (one file per project)."""
    name = "\0".join(str(path.absolute()) for path in inputs)
    return folder / f"yaml-{hashlib.blake2b(name.encode('utf-8', 'surrogatepass'), digest_size=8).hexdigest()}.json"
