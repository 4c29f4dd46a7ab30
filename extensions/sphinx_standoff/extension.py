"""The Sphinx extension: its settings, directives, nodes and domain, and the events that load the edition, say
which pages are outdated, check that every source has a page and write the export (``sphinx_standoff.setup``
calls ``setup`` here)."""

from __future__ import annotations

import shutil
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.locale import __
from sphinx.util import logging
from sphinx.util.typing import ExtensionMetadata

from . import __version__, deferred, export, html_reading, navigation, speed
from .comparison import analyse
from .directives import (
    ChronologyDirective,
    ComparisonDirective,
    NamesDirective,
    RegisterDirective,
    SourceDirective,
    fill_comparisons,
    fill_entry_lines,
)
from .domain import StandoffDomain
from .edition import Edition, load_edition, memo_version, unshown
from .memo import Memo
from .nodes import standoff_filter
from .render_html import HTML_VISITORS, paragraphs_to_the_list_checker, skip
from .render_latex import setup as setup_latex
from .state import analysis_of, edition_of, page_fingerprint, set_edition, special_fingerprint
from .validation import DEFAULT_ALLOWED_DIRECTIVES, DEFAULT_ALLOWED_ROLES, BodyChecker
from .yamlsource import ParseCache, caching

logger = logging.getLogger(__name__)
STATIC = Path(__file__).parent / "static"


def _resolve(app: Sphinx, value: str) -> Path:
    path = Path(value)
    return path if path.is_absolute() else (Path(app.confdir) / path).resolve()


def bib_keys(app: Sphinx) -> set[str] | None:
    """The (lower-cased) keys of ``bibtex_bibfiles``, or ``None`` when the project has no bibliography."""
    files = getattr(app.config, "bibtex_bibfiles", None)
    if not files:
        return None
    from pybtex.database import parse_file
    from pybtex.scanner import PybtexError

    keys: set[str] = set()
    for name in files:
        path = Path(app.srcdir) / name
        try:
            data = parse_file(str(path), "bibtex")
        except (OSError, PybtexError) as exc:
            logger.warning(__("cannot read bibliography %s: %s"), path, exc, type="standoff", subtype="bibliography")
            continue
        keys.update(key.lower() for key in data.entries.keys())
    return keys


def load(app: Sphinx) -> None:
    """Load, validate and anchor the whole edition; report every problem with its file and line."""
    config = app.config
    checker = BodyChecker(
        getattr(app.env, "myst_config", None),
        allowed_roles=config.standoff_allowed_roles,
        allowed_directives=config.standoff_allowed_directives,
    )
    # YAML parsed, and what was worked out from unchanged annotation files, by an earlier build are taken from
    # Sphinx's own cache folder (the doctrees), never the output
    doctrees = Path(app.doctreedir)
    memo = Memo(doctrees / "standoff-memo.json", memo_version(checker))
    with caching(ParseCache(doctrees / "standoff-yaml.json")):
        edition = load_edition(
            _resolve(app, config.standoff_sources),
            _resolve(app, config.standoff_annotations),
            bib_keys(app),
            checker,
            memo=memo,
        )
    memo.save()
    for diagnostic in edition.diagnostics:
        who = f"{diagnostic.annotation}: " if diagnostic.annotation else ""
        logger.warning(
            "%s%s", who, diagnostic.message, location=diagnostic.location, type="standoff", subtype=diagnostic.code
        )
    set_edition(app.env, edition, analyse(edition))


def outdated(app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str], removed: set[str]) -> list[str]:
    """Pages whose source or annotations changed since they were read."""
    edition = edition_of(env)
    if edition is None:
        return []
    analysis = analysis_of(env)
    domain: StandoffDomain = env.domains["standoff"]  # type: ignore[assignment]
    stale = []
    for source_id, docname in domain.pages.items():
        if domain.fingerprints.get(docname) != page_fingerprint(edition, analysis, source_id):
            stale.append(docname)
    for kind, docname in domain.special.items():
        if domain.fingerprints.get(docname) != special_fingerprint(env, kind):
            stale.append(docname)
    return sorted(set(stale))


def check_consistency(app: Sphinx, env: BuildEnvironment) -> None:
    """Every source has a page, and every kind of annotation a page to appear on."""
    edition: Edition | None = edition_of(env)
    if edition is None:
        return
    domain: StandoffDomain = env.domains["standoff"]  # type: ignore[assignment]
    for diagnostic in unshown(edition, set(domain.pages), set(domain.special)):
        who = f"{diagnostic.annotation}: " if diagnostic.annotation else ""
        logger.warning(
            "%s%s", who, diagnostic.message, location=diagnostic.location, type="standoff", subtype=diagnostic.code
        )


def write_export(app: Sphinx, exception: Exception | None) -> None:
    """Write the apparatus as a W3C Web Annotation collection beside the HTML."""
    if exception is not None or app.builder.format != "html":
        return
    edition, analysis = edition_of(app.env), analysis_of(app.env)
    if edition is None or analysis is None:
        return
    domain: StandoffDomain = app.env.domains["standoff"]  # type: ignore[assignment]

    def page(source_id: str) -> str:
        docname = domain.page_of(source_id)
        return app.builder.get_target_uri(docname) if docname else f"#{source_id}"

    def special(kind: str) -> str:
        docname = domain.special.get(kind)
        return app.builder.get_target_uri(docname) if docname else ""

    data = export.collection(edition, analysis, page, special, app.config.project)
    (Path(app.outdir) / export.FILENAME).write_text(export.dumps(data), encoding="utf-8")


def copy_static(app: Sphinx, exception: Exception | None = None) -> None:
    """Copy the edition's CSS and JavaScript before any page is written (at ``builder-inited``): Sphinx adds a
    checksum to an asset's link only when the file is already in the output, so copying them at the end gave
    a fresh build links without the checksum and an incremental build links with it (different bytes)."""
    if exception is not None or app.builder.format != "html":
        return
    target = Path(app.outdir) / "_static"
    target.mkdir(parents=True, exist_ok=True)
    for path in sorted(STATIC.iterdir()):
        if path.is_file():
            shutil.copyfile(path, target / path.name)


def add_assets(app: Sphinx) -> None:
    if app.builder.format == "html":
        app.add_css_file("standoff.css")
        app.add_js_file("standoff.js", loading_method="defer")


def setup(app: Sphinx) -> ExtensionMetadata:
    app.setup_extension("myst_parser")
    app.setup_extension("sphinx_design")
    app.add_config_value("standoff_sources", "../sources", "env", types=frozenset({str}))
    app.add_config_value("standoff_annotations", "../annotations", "env", types=frozenset({str}))
    app.add_config_value("standoff_allowed_roles", DEFAULT_ALLOWED_ROLES, "env", types=frozenset({tuple, list}))
    app.add_config_value(
        "standoff_allowed_directives", DEFAULT_ALLOWED_DIRECTIVES, "env", types=frozenset({tuple, list})
    )
    app.add_domain(StandoffDomain)
    app.add_directive("standoff-source", SourceDirective)
    app.add_directive("standoff-register", RegisterDirective)
    app.add_directive("standoff-chronology", ChronologyDirective)
    app.add_directive("standoff-comparison", ComparisonDirective)
    app.add_directive("standoff-registers", NamesDirective)
    deferred.setup(app)  # the bulk of the pages across sources, filled in after reading
    deferred.add_filler("comparison", fill_comparisons)
    deferred.add_filler("entry-line", fill_entry_lines)
    app.setup_extension("sphinx_standoff.contributors")
    for node, visitors in HTML_VISITORS.items():
        if node is standoff_filter:
            # an HTML form: every other builder leaves it out
            app.add_node(node, html=visitors, **{name: (skip, None) for name in ("latex", "text", "man", "texinfo")})
        else:
            app.add_node(node, html=visitors)
    paragraphs_to_the_list_checker()
    setup_latex(app)  # the printed edition: LaTeX visitors of every node, post-transforms, the package of macros
    app.connect("builder-inited", load, priority=600)
    app.connect("builder-inited", add_assets)
    app.connect("env-get-outdated", outdated)
    app.connect("env-check-consistency", check_consistency)
    app.connect("builder-inited", copy_static)
    app.connect("build-finished", write_export)
    navigation.setup(app)
    speed.setup(app)  # pybtex's per-citation plugin scan, and the garbage collector during a build
    html_reading.setup(app)  # HTML only: notes in the margin, citation meta tags, the remembered view
    return {
        "version": __version__,
        "env_version": 8,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
