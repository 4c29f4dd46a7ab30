"""The ``standoff-source`` directive: a page showing one source with its apparatus."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from docutils import nodes
from sphinx.environment import BuildEnvironment
from sphinx.locale import __
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from .domain import StandoffDomain
from .markdown import render_markdown
from .registers import CrossSourcePages
from .render import SourcePage
from .state import analysis_of, edition_of, page_fingerprint, special_fingerprint
from .typography import settle

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
        other = domain.note_page(
            source_id, self.env.docname, page_fingerprint(edition, analysis_of(self.env), source_id)
        )
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
        page = SourcePage(edition, source, _markdown(self), analysis_of(self.env), self.env.docname)
        return settle([page.build()])


def _markdown(directive: SphinxDirective) -> Callable[[str, str, int], list[nodes.Node]]:
    render = partial(
        render_markdown, document=directive.state.document, config=getattr(directive.env, "myst_config", None)
    )
    return lambda text, path, line: render(text, source=path, line=line)


class _CrossSourceDirective(SphinxDirective):
    """Base of the register, chronology and comparison directives: one page each, read again whenever what it
    lists changes (``state.SPECIAL_PAGES``)."""

    has_content = False
    page_kind = ""

    def run(self) -> list[nodes.Node]:
        edition = edition_of(self.env)
        analysis = analysis_of(self.env)
        if edition is None or analysis is None:  # pragma: no cover - loaded at builder-inited
            return []
        domain: StandoffDomain = self.env.domains["standoff"]  # type: ignore[assignment]
        other = domain.note_special(self.page_kind, self.env.docname, special_fingerprint(self.env, self.page_kind))
        if other is not None:
            logger.warning(
                __("standoff-%s: the %s is already on page %r"),
                self.page_kind,
                self.page_kind,
                other,
                location=self.get_location(),
                type="standoff",
                subtype="duplicate-page",
            )
            return []
        return settle(self.build(CrossSourcePages(edition, analysis, _markdown(self), self.env.docname)))

    def build(self, pages: CrossSourcePages) -> list[nodes.Node]:
        raise NotImplementedError


class RegisterDirective(_CrossSourceDirective):
    """``standoff-register``: every discrepancy, grouped by event, filterable by kind and source."""

    page_kind = "register"

    def build(self, pages: CrossSourcePages) -> list[nodes.Node]:
        return pages.register()


class ChronologyDirective(_CrossSourceDirective):
    """``standoff-chronology``: events in date order, with what every account claims of each."""

    page_kind = "chronology"

    def build(self, pages: CrossSourcePages) -> list[nodes.Node]:
        return pages.chronology()


class ComparisonDirective(_CrossSourceDirective):
    """``standoff-comparison``: the parallel passages of every pair of sources, side by side."""

    page_kind = "comparison"

    def build(self, pages: CrossSourcePages) -> list[nodes.Node]:
        return pages.comparisons()


def fill_comparisons(
    env: BuildEnvironment, docname: str, pairs: list[tuple[str, str]]
) -> dict[tuple[str, str], list[nodes.Node]]:
    """The parallel passages of each pair on the comparisons page, filled in after reading (``deferred``)."""
    edition, analysis = edition_of(env), analysis_of(env)
    if edition is None or analysis is None:  # pragma: no cover - loaded at builder-inited
        return {}
    return CrossSourcePages(edition, analysis, _no_markdown, docname).comparison_bodies(pairs)


def fill_entry_lines(
    env: BuildEnvironment, docname: str, keys: list[tuple[str, str, str]]
) -> dict[tuple[str, str, str], list[nodes.Node]]:
    """The summaries of register entries at the notes of a source's page, filled in after reading (each key
    names the page's source first)."""
    edition, analysis = edition_of(env), analysis_of(env)
    source = edition.sources.get(keys[0][0]) if edition and keys else None
    if source is None:  # the page was read with a source the edition no longer has: FillDeferred says so
        return {}
    return SourcePage(edition, source, _no_markdown, analysis, docname).entry_lines(keys)


def _no_markdown(text: str, path: str, line: int) -> list[nodes.Node]:  # pragma: no cover - a programming error
    raise RuntimeError("Markdown is rendered while a page is read, not after")


class NamesDirective(_CrossSourceDirective):
    """``standoff-registers``: persons, organisations, places and documents, with every mention."""

    page_kind = "registers"

    def build(self, pages: CrossSourcePages) -> list[nodes.Node]:
        return pages.entity_registers()
