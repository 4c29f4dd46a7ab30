"""Smart quotes, where the edition's text needs them and only there.

Sphinx makes quotes, dashes and ellipses typographic while a page is read (``SphinxSmartQuotes``).

* What the edition adds later (the deferred bulk of the pages, a chapter's running head in LaTeX) has not been
  through that transform, and would print a source label's apostrophe straight beside the same label made
  typographic in the text. ``as_read`` gives it the same treatment, with the settings pages are read with.
* Most of what the edition makes while a page is read (notes, readings, provenance) has nothing the transform
  would change, yet it replaced every text of it with an identical copy. ``settle`` marks those paragraphs for
  it to skip.
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
    for top in content:
        _settle(top)
    return content


def _settle(node: nodes.Node) -> None:
    # a block, for smart quotes, is a text element not inside another: nothing inside one is looked at
    if isinstance(node, nodes.TextElement):
        if _settles(node):
            _settled(node)
    elif isinstance(node, nodes.Element):
        for child in node.children:
            _settle(child)


def _settles(node: nodes.Node) -> bool:
    # ``astext`` has every text of a paragraph (what an element adds to it only makes a match likelier)
    return type(node) is nodes.paragraph and not _EDUCABLE.search(node.astext())


def _settled(paragraph: nodes.Element) -> None:
    # the same node, of the subclass, which adds nothing to a paragraph but ``Special``: a new node with the
    # same children and attributes took twice as long, 0.29 against 0.15 s at 100 sources
    paragraph.__class__ = sn.standoff_settled
    paragraph.tagname = "standoff_settled"


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
