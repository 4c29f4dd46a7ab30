"""Rendering the MyST Markdown of headnotes and annotation bodies into the page being read.

The text is rendered with MyST's own renderer into a node of the current document, whatever the page's own
markup, and every node made is given the file and line the text came from, so that a warning about it (an
unknown citation, say) points at the annotation file, not at the page.
"""

from __future__ import annotations

from docutils import nodes
from markdown_it import MarkdownIt
from myst_parser.config.main import MdParserConfig
from myst_parser.mdit_to_docutils.sphinx_ import SphinxRenderer
from myst_parser.parsers.mdit import create_md_parser


class _Cache:
    """One MyST parser per configuration, set up once per document it renders into.

    Making a parser, and ``setup_render`` (which makes a throw-away docutils document and its default settings
    on every call), cost about a millisecond each: per annotation body, that was most of what a page cost.
    Pages are read one at a time in a process (parallel readers are separate processes), so one cached
    parser serves them all.
    """

    config: MdParserConfig | None = None
    parser: MarkdownIt | None = None
    document: nodes.document | None = None


def _parser_for(config: MdParserConfig | None, document: nodes.document) -> MarkdownIt:
    if _Cache.parser is None or _Cache.config is not config:
        _Cache.parser = create_md_parser(config or MdParserConfig(), SphinxRenderer)
        _Cache.config = config
        _Cache.document = None
    parser = _Cache.parser
    if _Cache.document is not document:
        parser.options["document"] = document
        parser.options["current_node"] = document
        parser.renderer.setup_render(parser.options, {})
        _Cache.document = document
    return parser


def render_markdown(
    text: str,
    document: nodes.document,
    config: MdParserConfig | None,
    source: str,
    line: int,
) -> list[nodes.Node]:
    """Render ``text`` (which starts on ``line`` of ``source``) and return the nodes it makes."""
    holder = nodes.container()
    holder.document = document
    renderer = _parser_for(config, document).renderer
    # a nested render, as MyST renders a directive's content: not ``parser.render``, whose set-up and
    # finishing would add document-level matter (word-count substitutions, footnote lists) once per body;
    # each text gets a fresh Markdown environment, so that nothing one body defines (a link reference) leaks
    # into the next
    renderer.md_env = {}
    renderer.current_node = holder
    try:
        renderer.nested_render_text(text, max(line - 1, 0))
    finally:
        renderer.current_node = document
    for node in holder.findall(nodes.Element):
        if node is holder:
            continue
        node.source = source
        if getattr(node, "line", None) is None:
            node.line = line
    children = list(holder.children)
    holder.clear()
    return children
