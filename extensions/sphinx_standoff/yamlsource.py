"""Safe YAML loading that remembers where every value came from.

PyYAML's ``SafeLoader`` already refuses tags that construct Python objects; on top of it this module

* records the line and column of every mapping key and sequence item, so that a validation error can name
  the line of the offending field (``Marks``);
* refuses duplicate keys (PyYAML silently keeps the last one, which would lose an annotation field);
* bounds nesting depth and the number of nodes, so that hostile input (deep nesting, alias bombs) fails
  with a message instead of exhausting the stack or memory.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

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
    """Parse one YAML document into plain data (dicts, lists, scalars) and its ``Marks``."""
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
