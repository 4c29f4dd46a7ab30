"""Smart quotes for what the edition makes after reading.

Sphinx makes quotes, dashes and ellipses typographic while a page is read (``SphinxSmartQuotes``). What the
edition adds later (the deferred bulk of the pages across sources, a chapter's running head in LaTeX) has not
been through that transform, and would print a source label's apostrophe straight beside the same label made
typographic in the text. ``as_read`` gives it the same treatment, with the settings pages are read with.
"""

from __future__ import annotations

import re
from copy import copy

from docutils import nodes
from docutils.utils import new_document
from sphinx.environment import BuildEnvironment
from sphinx.transforms import SphinxSmartQuotes
from sphinx.util.nodes import is_smartquotable

from . import nodes as sn

#: what smart quotes change, whatever ``smartquotes_action`` says: quotes, backticks, dashes, ellipses, and the
#: escapes they undo (a doubled backslash becomes one, ``&#34;`` a quote)
_EDUCABLE = re.compile(r"['\"`\\]|--|\.\.\.|&quot;|&#")


def as_read(env: BuildEnvironment, document: nodes.document, content: list[nodes.Node]) -> list[nodes.Node]:
    """``content``, made for ``document``, with smart quotes applied as they are to a page as it is read."""
    if not any(_may_change(text) for part in content for text in part.findall(nodes.Text)):
        return content  # at 100 sources, 0.6 s of the comparisons page, to no effect
    # the settings a page is read with (``env.settings``): a LaTeX book's are the writer's own, without those
    # of smart quotes
    settings = copy(document.settings)
    for name, value in env.settings.items():
        setattr(settings, name, value)
    holder = new_document(document.get("source", ""), settings)
    holder.reporter = document.reporter
    holder.extend(content)
    SphinxSmartQuotes(holder, None).apply()
    for text in holder.findall(nodes.Text):  # the texts smart quotes made belong to the page, not the holder
        text.document = document
    made = list(holder.children)
    holder.clear()
    return made


def settle(content: list[nodes.Node]) -> list[nodes.Node]:
    """``content``, its paragraphs in which smart quotes would change nothing made ``standoff_settled``, which
    the transform skips: the same output, without the transform's work on each."""
    out = []
    for top in content:
        for paragraph in list(top.findall(nodes.paragraph)) if isinstance(top, nodes.Element) else ():
            if type(paragraph) is not nodes.paragraph or isinstance(paragraph.parent, nodes.TextElement):
                continue
            if any(_EDUCABLE.search(text) for text in paragraph.findall(nodes.Text)):
                continue
            settled = sn.standoff_settled(paragraph.rawsource, "", *paragraph.children, **paragraph.attributes)
            settled.source, settled.line = paragraph.source, paragraph.line
            if paragraph is top:
                top = settled
            else:
                paragraph.replace_self(settled)
        out.append(top)
    return out


def text_as_read(env: BuildEnvironment, document: nodes.document, text: str) -> str:
    """``text``, as smart quotes would make it in a paragraph of its own."""
    return "".join(part.astext() for part in as_read(env, document, [nodes.paragraph("", text)]))


def _may_change(text: nodes.Text) -> bool:
    """Whether smart quotes could change ``text``: it has a character they change, in a block they treat (a
    text element not inside another, or inside one only through a link, and not ``Special``)."""
    if not _EDUCABLE.search(text) or not is_smartquotable(text):
        return False
    parent = text.parent
    while parent is not None:
        if (
            isinstance(parent, nodes.TextElement)
            and not isinstance(parent.parent, nodes.TextElement)
            and not isinstance(parent, nodes.Special | nodes.FixedTextElement)
        ):
            return True
        parent = parent.parent
    return False
