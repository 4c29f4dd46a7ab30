"""Content filled in after reading: the bulk of the pages across sources.

The comparisons page holds two cards for every parallel passage, and the contributors page a link for every
annotation: at 100 sources, some 60,000 and 16,000 nodes. Every transform of the reading phase walked them
(smart quotes, ids, references, substitutions …), and they were pickled with the page and read back, although
they need none of it: they hold no target, footnote, citation or Markdown. So a directive leaves a
``standoff_deferred`` node where they go, and a post-transform builds them from the loaded edition, as
``sphinx.ext.todo`` fills in its list late. What they do need of the reading phase, smart quotes (a source's
label may have an apostrophe), is applied to the new nodes only (``typography``). In HTML the filling
comes after the other post-transforms too, which would only walk it (``FillDeferredLast``).

What stays in the page as read is what the environment keeps of it: its sections and titles (the page's
table of contents), and the list of pairs at the top of the comparisons.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable
from typing import Any

from docutils import nodes
from docutils.utils import new_document
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.locale import __
from sphinx.transforms.post_transforms import ReferencesResolver, SphinxPostTransform
from sphinx.util import logging

from .typography import as_read

logger = logging.getLogger(__name__)


class standoff_deferred(nodes.General, nodes.Element):
    """Where content is filled in after reading (``kind``, ``key``, ``docname``).

    It never reaches a writer, and so has no visitor: ``FillDeferred`` replaces it first, for every builder.
    """


#: ``kind`` → what builds the content of the deferred nodes of one page, each keyed by its ``key``
Filler = Callable[[BuildEnvironment, str, list[Any]], dict[Any, list[nodes.Node]]]

_FILLERS: dict[str, Filler] = {}


def deferred(kind: str, key: Hashable, docname: str) -> standoff_deferred:
    """A node to be replaced, after reading, by what the filler of ``kind`` builds for ``key``."""
    return standoff_deferred("", kind=kind, key=key, docname=docname)


def add_filler(kind: str, filler: Filler) -> None:
    """Let ``filler`` build the content of the deferred nodes of ``kind``.

    What it builds holds no footnote, target, citation, table, math, code, image or Markdown: only text, links
    (``pending_xref``, resolved as any other) and the components of sphinx-design's grids and cards, which need
    no transform. In HTML it is filled in after the other post-transforms.
    """
    _FILLERS[kind] = filler


class _Fill(SphinxPostTransform):
    """What both fills share: each deferred node of the page, with the content its filler builds."""

    def filled(self) -> list[tuple[standoff_deferred, list[nodes.Node]]]:
        """Each deferred node of the page, with its content, smart quotes applied."""
        waiting: dict[tuple[str, str], list[standoff_deferred]] = defaultdict(list)
        for node in self.document.findall(standoff_deferred):
            waiting[(node["kind"], node["docname"])].append(node)
        filled = []
        for (kind, docname), pending in waiting.items():
            made = _FILLERS[kind](self.env, docname, list(dict.fromkeys(node["key"] for node in pending)))
            used: set[Any] = set()
            for node in pending:
                if node["key"] not in made:
                    # the page was read with something its filler no longer finds: say so, lose nothing quietly
                    logger.warning(
                        __("%s: nothing to show for %r, which was there when the page was read; build afresh (-E)"),
                        kind,
                        node["key"],
                        location=docname,
                        type="standoff",
                        subtype="deferred",
                    )
                content = made.get(node["key"], [])
                if node["key"] in used:  # one key in two places (a note at each of two passages): a copy each
                    content = [part.deepcopy() for part in content]
                used.add(node["key"])
                filled.append((node, as_read(self.env, self.document, content)))
        return filled


class FillDeferred(_Fill):
    """Replace each ``standoff_deferred`` node by its content, before anything else looks at the tree.

    So it is for every builder but HTML's: LaTeX's transforms number, move and unwrap what the filled content
    holds, and a link checker collects its links. HTML's fill comes last (``FillDeferredLast``).
    """

    default_priority = 1  # before the LaTeX page references (5) and the references are resolved (10)

    def is_supported(self) -> bool:
        return not FillDeferredLast(self.document).is_supported()

    def run(self, **kwargs: Any) -> None:
        for node, content in self.filled():
            node.replace_self(content)


class FillDeferredLast(_Fill):
    """HTML's fill: after every other post-transform but the margin notes, with the content's links resolved
    here by Sphinx's own resolver.

    What a filler makes needs nothing else of them (``add_filler``), and they walk every node of a page: at
    100 sources, the filled content is some 100,000 nodes, which sphinx-design's three HTML transforms, the
    highlighting and the theme's table wrapper each looked through, for nothing.
    """

    default_priority = 899  # after the theme's tables (furo: 500), before the notes move to the margin (900)
    formats = ("html",)

    def run(self, **kwargs: Any) -> None:
        filled = self.filled()
        if not filled:
            return
        # one holder for the page: the resolver looks through the filled content only, not the page again
        holder = new_document(self.document.get("source", ""), self.document.settings)
        holder.reporter = self.document.reporter
        # a box for each deferred node, so that each gets back its own content, links resolved
        holder.extend(nodes.Element("", *content) for _, content in filled)
        ReferencesResolver(holder).apply()
        for (node, _), box in zip(filled, list(holder.children), strict=True):
            node.replace_self(box.children)
        holder.clear()


def setup(app: Sphinx) -> None:
    app.add_post_transform(FillDeferred)
    app.add_post_transform(FillDeferredLast)
