"""Rendering the MyST Markdown of headnotes and annotation bodies into the page being read.

The text is rendered with MyST's own renderer into a node of the current document, whatever the page's own
markup, and every node made is given the file and line the text came from, so that a warning about it (an
unknown citation, say) points at the annotation file, not at the page.
"""

from __future__ import annotations

from docutils import nodes
from myst_parser.config.main import MdParserConfig
from myst_parser.mdit_to_docutils.sphinx_ import SphinxRenderer
from myst_parser.parsers.mdit import create_md_parser


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
    parser = create_md_parser(config or MdParserConfig(), SphinxRenderer)
    parser.options["document"] = document
    parser.options["current_node"] = holder
    renderer = parser.renderer
    # a nested render, as MyST renders a directive's content: not ``parser.render``, whose set-up and
    # finishing would add document-level matter (word-count substitutions, footnote lists) once per body
    renderer.setup_render(parser.options, {})
    renderer.nested_render_text(text, max(line - 1, 0))
    for node in holder.findall(nodes.Element):
        if node is holder:
            continue
        node.source = source
        if getattr(node, "line", None) is None:
            node.line = line
    children = list(holder.children)
    holder.clear()
    return children
