"""Checks on what contributors write, before anything of it reaches a document.

Annotation bodies are untrusted MyST Markdown. They are tokenised with MyST's own Markdown parser (so that
the check sees exactly what the build would render) and refused if they contain raw HTML, a directive, a role
that is not allowed, an image, a heading, a footnote, or a link with a scheme other than http(s) or mailto.
Citation keys are checked against the bibliography. A body made only of characters that cannot start any of
these (most prose) is not tokenised: see "the plain-text screen" below.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import fields
from typing import Any, NamedTuple

from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from myst_parser.config.main import MdParserConfig
from myst_parser.parsers.mdit import create_md_parser

DEFAULT_ALLOWED_ROLES = (
    "cite",
    "cite:p",
    "cite:ps",
    "cite:t",
    "cite:ts",
    "cite:ct",
    "cite:cts",
    "cite:cp",
    "cite:cps",
    "cite:year",
    "cite:yearpar",
    "cite:author",
    "cite:authors",
    "cite:authorpar",
    "cite:text",
    "cite:label",
    "cite:labelpar",
)
DEFAULT_ALLOWED_DIRECTIVES: tuple[str, ...] = ()
ALLOWED_SCHEMES = ("http", "https", "mailto")

_SCHEME = re.compile(r"^\s*<?\s*([A-Za-z][A-Za-z0-9+.\-]*):")
_LINK_TARGET = re.compile(r"\]\(\s*<?\s*([A-Za-z][A-Za-z0-9+.\-]*):|<([A-Za-z][A-Za-z0-9+.\-]*):[^>\s]*>")
#: a link reference definition, ``[label]: scheme:…``, whose link would be made wherever ``[label]`` is used
_REFERENCE_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:\s*<?\s*([A-Za-z][A-Za-z0-9+.\-]*):", re.M)

_REFUSED_TOKENS = {
    "html_block": "raw HTML is not allowed in an annotation body",
    "html_inline": "raw HTML is not allowed in an annotation body",
    "front_matter": "front matter is not allowed in an annotation body",
    "heading_open": "headings are not allowed in an annotation body",
    "image": "images are not allowed in an annotation body",
    "footnote_ref": "footnotes are not allowed in an annotation body (the annotation is itself a note)",
    "footnote_block_open": "footnotes are not allowed in an annotation body (the annotation is itself a note)",
    "math_block": "math blocks are not allowed in an annotation body",
}


class BodyProblem(NamedTuple):
    """A problem in a body; ``line`` is 0-based within the body. (Tuples, as a memo gives them back.)"""

    line: int
    message: str


class CitedKey(NamedTuple):
    """A citation key a body uses, and the (0-based) line it is on."""

    key: str
    line: int


def _parser(config: MdParserConfig | None) -> Any:
    return create_md_parser(config or MdParserConfig(), RendererHTML)


# -- the plain-text screen --------------------------------------------------------------------------------------
#
# Tokenising a body is most of what checking it costs, and most bodies are prose with a little emphasis, a
# code span or an http(s) link. The screen below proves, from the characters alone, that the parser could not
# make any token the check looks at; such a body's verdict is then only that of the link-scheme regexes, which
# run on every body. The argument, token by token (each needs what the screen refuses):
#
# * ``html_block``, ``html_inline``, autolinks: ``<``. Roles, directives in fences, attributes, substitutions:
#   ``{``. ATX headings ``#``; setext headings a line of ``=`` or ``-``; front matter a first line ``---``;
#   math ``$``; tables ``|``; footnotes ``[^`` (definitions and references); images ``![``;
# * a link: ``[`` text ``](`` destination, or a reference ``[x]`` to a definition ``[x]: …`` (which needs
#   ``]:``). So with no ``]:``, every link's ``href`` is made from what follows a ``](``, and the screen
#   passes a body only when each ``](`` is followed at once by ``http://``, ``https://`` or ``mailto:``;
#   entities ``&`` and escapes ``\`` (which could hide or make any of these) are refused too;
# * nothing may start a line (after any whitespace) with a list, fence, deflist or field-list marker
#   (``- + * : ~ ` ``), so the block structure is paragraphs (and code blocks, whose content is not parsed).
#
# The argument holds for the parser rules and options listed here (MyST's defaults and the syntax extensions
# colon_fence, deflist, smartquotes, replacements, strikethrough); with any other rule active (linkify,
# tasklists, dollarmath, attributes…) nothing is screened and every body is tokenised.
# tests/test_checker_speed.py runs every hostile case and many generated strings through both paths.

_SCREENED_RULES = {
    "core": {"normalize", "block", "inline", "replacements", "smartquotes", "text_join", "wordcount"},
    "block": {
        "front_matter", "table", "code", "colon_fence", "fence", "myst_line_comment", "blockquote",
        "myst_block_break", "myst_target", "hr", "list", "footnote_def", "reference", "html_block", "heading",
        "lheading", "deflist", "paragraph",
    },
    "inline": {
        "text", "newline", "escape", "myst_role", "backticks", "strikethrough", "emphasis", "link", "image",
        "footnote_ref", "autolink", "html_inline", "entity",
    },
    "inline2": {"balance_pairs", "strikethrough", "emphasis", "fragments_join"},
}  # fmt: skip
_SCREENED_OFF_OPTIONS = ("linkify", "tasklists", "alerts")
#: a character anywhere in the body that could start a token the check looks at (or hide one)
_UNSAFE_CHARS = re.compile(r"[<>&\\{}$^=#|]")
_UNSAFE_SEQUENCES = ("![", "[^", "]:")
_SAFE_DESTINATIONS = ("http://", "https://", "mailto:", "HTTP://", "HTTPS://", "MAILTO:")
#: what may not start a line; lines are split at any line break Python knows (a superset of Markdown's) and
#: stripped of any whitespace (a superset of Markdown's spaces and tabs), so that the test errs only on the
#: side of tokenising
_UNSAFE_LINE_STARTS = frozenset("-+*:~`")


def _screens(md: Any) -> bool:
    """Does the screen's argument hold for this parser (only the rules and options it was made for)?"""
    if any(md.options.get(name) for name in _SCREENED_OFF_OPTIONS):
        return False
    active = md.get_active_rules()
    return set(active) <= set(_SCREENED_RULES) and all(
        set(rules) <= _SCREENED_RULES[chain] for chain, rules in active.items()
    )


def needs_tokens(body: str) -> bool:
    """Could the parser make any token the check looks at from ``body``? ``False`` only when it provably cannot
    (under the rules ``_screens`` accepts); see the argument above."""
    if _UNSAFE_CHARS.search(body) is not None or any(seq in body for seq in _UNSAFE_SEQUENCES):
        return True
    at = body.find("](")
    while at >= 0:
        if not body.startswith(_SAFE_DESTINATIONS, at + 2):
            return True
        at = body.find("](", at + 2)
    for line in body.splitlines():
        start = line.lstrip()[:1]
        if start and start in _UNSAFE_LINE_STARTS:
            return True
    return False


def _scheme_problems(body: str) -> list[BodyProblem]:
    """Links whose scheme is not allowed, found in the text itself (after entities are decoded)."""
    problems: list[BodyProblem] = []
    # entities are decoded first, so that ``&#106;avascript:`` is seen for what it is
    decoded = html.unescape(body)
    # (each pattern needs ``](`` or ``<``, and ``]:``: without them it cannot match, and is not run)
    links = _LINK_TARGET.finditer(decoded) if "](" in decoded or "<" in decoded else ()
    for match in links:
        scheme = (match.group(1) or match.group(2) or "").lower()
        if scheme not in ALLOWED_SCHEMES:
            line = decoded.count("\n", 0, match.start())
            problems.append(BodyProblem(line, f"link scheme {scheme!r}: is not allowed (only http, https, mailto)"))
    definitions = _REFERENCE_DEFINITION.finditer(decoded) if "]:" in decoded else ()
    for match in definitions:
        scheme = match.group(1).lower()
        if scheme not in ALLOWED_SCHEMES:
            line = decoded.count("\n", 0, match.start())
            problems.append(BodyProblem(line, f"link scheme {scheme!r}: is not allowed (only http, https, mailto)"))
    return problems


class BodyChecker:
    """Tokenises bodies once and reports what is not allowed; collects the citation keys they use.

    A body the plain-text screen clears is not tokenised (its verdict cannot differ); a body met before gets
    the verdict it got then (``check`` depends on nothing but the body and this checker's settings).
    """

    def __init__(
        self,
        config: MdParserConfig | None = None,
        allowed_roles: Iterable[str] = DEFAULT_ALLOWED_ROLES,
        allowed_directives: Iterable[str] = DEFAULT_ALLOWED_DIRECTIVES,
        *,
        screen: bool = True,
    ) -> None:
        self._config = config or MdParserConfig()
        self._md = _parser(self._config)
        self.allowed_roles = frozenset(allowed_roles)
        self.allowed_directives = frozenset(allowed_directives)
        self.screen = screen and _screens(self._md)
        self._verdicts: dict[str, tuple[tuple[BodyProblem, ...], tuple[CitedKey, ...]]] = {}
        self._verdicts_for: tuple[frozenset[str], frozenset[str]] = (self.allowed_roles, self.allowed_directives)

    def fingerprint(self) -> str:
        """What this checker's verdicts depend on besides the body: its settings, and the versions of the
        libraries that parse a body (a verdict kept between runs is good only for the same fingerprint)."""
        from importlib.metadata import version

        config = {f.name: _stable_repr(getattr(self._config, f.name)) for f in fields(self._config)}
        libraries = {name: version(name) for name in ("myst-parser", "markdown-it-py", "sphinxcontrib-bibtex")}
        settings = {"roles": sorted(self.allowed_roles), "directives": sorted(self.allowed_directives)}
        return json.dumps({"config": config, **settings, "screen": self.screen, "libraries": libraries})

    def check(self, body: str) -> tuple[list[BodyProblem], list[CitedKey]]:
        if self.screen and not needs_tokens(body):
            return _scheme_problems(body), []
        settings = (self.allowed_roles, self.allowed_directives)
        if settings != self._verdicts_for:
            self._verdicts.clear()
            self._verdicts_for = settings
        known = self._verdicts.get(body)
        if known is None:
            problems, keys = self.check_tokens(body)
            known = self._verdicts[body] = (tuple(problems), tuple(keys))
        return list(known[0]), list(known[1])

    def check_tokens(self, body: str) -> tuple[list[BodyProblem], list[CitedKey]]:
        """The full check: ``body`` tokenised, whatever the screen would say (and nothing remembered)."""
        problems = _scheme_problems(body)
        keys: list[CitedKey] = []
        for token, line in _walk(self._md.parse(body)):
            if token.type in _REFUSED_TOKENS:
                problems.append(BodyProblem(line, _REFUSED_TOKENS[token.type]))
            elif token.type in ("fence", "colon_fence") and token.info.strip().startswith("{"):
                name = token.info.strip()[1:].split("}", 1)[0].strip()
                if name not in self.allowed_directives:
                    problems.append(BodyProblem(line, f"directive {{{name}}} is not allowed in an annotation body"))
            elif token.type == "myst_role":
                name = token.meta.get("name", "")
                if name not in self.allowed_roles:
                    problems.append(BodyProblem(line, f"role {{{name}}} is not allowed in an annotation body"))
                elif name.startswith("cite"):
                    try:
                        keys.extend(CitedKey(key, line) for key in cite_keys(token.content))
                    except ValueError:
                        problems.append(
                            BodyProblem(
                                line,
                                f"malformed citation {token.content!r}: write key, {{pre}}key, key{{post}} "
                                "or {pre}key{post}, separated by commas",
                            )
                        )
            elif token.type == "link_open":
                href = str(token.attrs.get("href", ""))
                match = _SCHEME.match(href)
                if match and match.group(1).lower() not in ALLOWED_SCHEMES:
                    problems.append(BodyProblem(line, f"link to {href!r} is not allowed (only http, https, mailto)"))
        return problems, keys


def cite_keys(content: str) -> list[str]:
    """The keys of a citation role's content, ``{see}key1{p. 3},key2`` → ``[key1, key2]``.

    Parsed as sphinxcontrib-bibtex parses it; raises ``ValueError`` when it would refuse the content.
    """
    # imported here: sphinxcontrib-bibtex imports Sphinx, which a check with its memo warm need not import at all
    from sphinxcontrib.bibtex.citation_target import parse_citation_targets

    return [target.key for target in parse_citation_targets(content.strip())]


def _walk(tokens: list[Token]) -> Iterator[tuple[Token, int]]:
    line = 0
    for token in tokens:
        if token.map:
            line = token.map[0]
        yield token, line
        if token.children:
            offset = 0
            for child in token.children:
                if child.type in ("softbreak", "hardbreak"):
                    offset += 1
                yield child, line + offset


def describe_validation_error(error: Any) -> str:
    """A pydantic error, said as an editor would want to read it."""
    loc = [str(part) for part in error.get("loc", ()) if not isinstance(part, int)]
    # drop the union tag pydantic inserts into the location of a discriminated union
    loc = [part for part in loc if part not in ("note", "emendation", "cross-reference")]
    where = ".".join(loc)
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return f"missing required field {where!r}"
    if kind == "extra_forbidden":
        return f"unknown field {where!r}"
    if kind == "union_tag_invalid":
        expected = ctx.get("expected_tags", "")
        return f"unknown kind {ctx.get('tag')!r} (expected one of: {expected})"
    if kind == "union_tag_not_found":
        return "missing required field 'kind'"
    if kind == "string_pattern_mismatch":
        return f"{where}: {error.get('input')!r} does not match the pattern {ctx.get('pattern')}"
    if kind == "string_too_long":
        return f"{where}: too long (at most {ctx.get('max_length')} characters)"
    if kind == "literal_error":
        return f"{where}: {error.get('input')!r} is not one of {ctx.get('expected')}"
    message = error.get("msg", "invalid value")
    return f"{where}: {message}" if where else message


def _stable_repr(value: Any) -> str:
    """``repr``, but the same in every process for a set (whose order follows the strings' hashes, which
    differ from one process to the next)."""
    if isinstance(value, set | frozenset):
        return f"{type(value).__name__}({sorted(map(_stable_repr, value))!r})"
    return repr(value)
