"""The ``standoff-source`` directive: a page showing one source with its apparatus."""

from __future__ import annotations

from functools import partial

from docutils import nodes
from sphinx.locale import __
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from .domain import StandoffDomain
from .markdown import render_markdown
from .render import SourcePage
from .state import edition_of

logger = logging.getLogger(__name__)


class SourceDirective(SphinxDirective):
    """``.. standoff-source:: source-id`` — the source's headnote, provenance, text and notes."""

    required_arguments = 1
    optional_arguments = 0
    has_content = False

    def run(self) -> list[nodes.Node]:
        source_id = self.arguments[0].strip()
        edition = edition_of(self.env)
        source = edition.sources.get(source_id) if edition else None
        if source is None:
            known = ", ".join(sorted(edition.sources)) if edition else ""
            logger.warning(
                __("standoff-source: unknown source %r (known sources: %s)"),
                source_id,
                known or "none",
                location=self.get_location(),
                type="standoff",
                subtype="unknown-source",
            )
            return []
        domain: StandoffDomain = self.env.domains["standoff"]  # type: ignore[assignment]
        other = domain.note_page(source_id, self.env.docname, edition.fingerprint(source_id))
        if other is not None:
            logger.warning(
                __("standoff-source: source %r is already shown on page %r"),
                source_id,
                other,
                location=self.get_location(),
                type="standoff",
                subtype="duplicate-page",
            )
            return []
        self.env.note_dependency(str(source.path))
        markdown = partial(render_markdown, document=self.state.document, config=getattr(self.env, "myst_config", None))
        page = SourcePage(edition, source, lambda text, path, line: markdown(text, source=path, line=line))
        return [page.build()]
