"""The global navigation, made without copying what a titles-only navigation throws away.

Themes such as furo put the whole navigation tree on every page, asking for titles only
(``toctree(titles_only=True, maxdepth=-1)``). Sphinx makes it by copying each document's whole table of
contents, every section included, and then dropping everything but the documents' titles: on every page.
The edition's cross-source pages have a section for every event or every pair of sources compared, so that
copying grows with the edition on every page, quadratically in all: in a synthetic edition of 100 sources,
three quarters of the table-of-contents entries were the comparison page's, and building the navigation took
a quarter of the build.

So when a page asks for titles only, the navigation is made from tables of contents already cut down the
way Sphinx would cut them (each top-level entry without its subsections; an entry holding a toctree is left
whole, for Sphinx to deal with). The result is the same, byte for byte; only the copying is saved.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment


def titles_only(toc: nodes.Element) -> nodes.Element:
    """``toc`` as Sphinx keeps it for a titles-only navigation (the same node if nothing is cut)."""
    if not any(len(item) > 1 and not any(item.findall(addnodes.toctree)) for item in toc.children):
        return toc
    cut = toc.deepcopy()
    for item in cut.children:
        if isinstance(item, nodes.Element) and len(item) > 1 and not any(item.findall(addnodes.toctree)):
            item.pop(1)
    return cut


class _TitlesOnlyTocs:
    """The environment's tables of contents cut down for titles only, made once per writing phase."""

    def __init__(self) -> None:
        self.source: dict[str, nodes.bullet_list] | None = None
        self.view: dict[str, nodes.Element] = {}

    def of(self, env: BuildEnvironment) -> dict[str, nodes.Element]:
        if self.source is not env.tocs:
            self.source = env.tocs
            self.view = {docname: titles_only(toc) for docname, toc in env.tocs.items()}
        return self.view


_CACHE = _TitlesOnlyTocs()


def reset(app: Sphinx, env: BuildEnvironment) -> None:
    """After reading, the tables of contents may have changed."""
    _CACHE.source = None


def page_context(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    """Wrap the page's ``toctree()`` so that a titles-only call is made from the cut-down tables of contents."""
    original: Callable[..., str] | None = context.get("toctree")
    if original is None:
        return
    env = app.env

    def toctree(**kwargs: Any) -> str:
        if not kwargs.get("titles_only"):
            return original(**kwargs)
        full = env.tocs
        env.tocs = _CACHE.of(env)  # type: ignore[assignment]
        try:
            return original(**kwargs)
        finally:
            env.tocs = full

    context["toctree"] = toctree


def setup(app: Sphinx) -> None:
    app.connect("env-updated", reset)
    # before the theme's own handler (furo computes its navigation tree in html-page-context)
    app.connect("html-page-context", page_context, priority=400)
