"""The fast checker: everything the build would reject, without building the edition.

``check`` loads, validates and anchors the edition with the very loader the Sphinx build uses
(``edition.load_edition``), reads the bibliography's keys with pybtex, checks that every source has a page, and
adds advice the build does not give: warnings about selectors so short or generic that a small edit to the
source would move them or make them ambiguous. ``python -m sphinx_standoff.cli check`` (or ``standoff check``)
prints the result.
"""

from __future__ import annotations

import ast
import gc
import operator
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .diagnostics import Diagnostic
from .edition import Edition, load_edition, memo_version, sources_memo_version, unshown
from .memo import Memo
from .model import Emendation, targets_of
from .validation import DEFAULT_ALLOWED_DIRECTIVES, DEFAULT_ALLOWED_ROLES, BodyChecker
from .yamlsource import ParseCache, cache_file, caching

#: an ``exact`` shorter than this (characters or words) with no prefix/suffix is fragile
MIN_EXACT_CHARS = 12
MIN_EXACT_WORDS = 3
#: context (prefix + suffix) shorter than this does not hold a generic ``exact`` in place
MIN_CONTEXT_CHARS = 12

#: very common English words: an ``exact`` made only of these says nothing about where it belongs
COMMON_WORDS = frozenset(
    """
    a about above after again against all also am an and any are as at be because been before being below
    between both but by can could did do does doing down during each few for from further had has have having
    he her here hers him his how i if in into is it its itself just may me might more most must my no nor not
    now of off on once only or other our ours out over own same shall she should so some such than that the
    their theirs them then there these they this those through to too under until up upon very was we were
    what when where which while who whom why will with would you your one two first new said mr dr
    """.split()
)

_WORD = re.compile(r"[^\W_]+")
_PAGE_DIRECTIVE = re.compile(r"(?:\{standoff-source\}|\.\.\s+standoff-source::)[ \t]+([^\s`]+)")


@dataclass
class CheckResult:
    """What the checker found: the loaded edition and every diagnostic, errors and warnings, in file order."""

    edition: Edition
    diagnostics: list[Diagnostic] = field(default_factory=list)
    #: the caches of the run, freed with the result rather than when ``check`` returns (``standoff check``
    #: exits without freeing either)
    retained: tuple[Any, ...] = field(default=(), repr=False, compare=False)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity != "error"]


def read_bib_keys(bib: Path) -> tuple[set[str] | None, list[Diagnostic]]:
    """The lower-cased keys of a BibTeX file (as the build compares them), or a diagnostic saying why not."""
    from pybtex.database import parse_string
    from pybtex.scanner import PybtexError

    try:
        text = bib.read_text(encoding="utf-8")
    except OSError as exc:
        return None, [Diagnostic(str(bib), 1, 1, None, f"cannot read the bibliography: {exc.strerror or exc}")]
    except UnicodeDecodeError as exc:
        return None, [Diagnostic(str(bib), 1, 1, None, f"bibliography is not UTF-8: {exc.reason}")]
    try:
        data = parse_string(text, "bibtex")
    except PybtexError as exc:
        return None, [Diagnostic(str(bib), 1, 1, None, f"cannot parse the bibliography: {exc}")]
    return {key.lower() for key in data.entries.keys()}, []


def conf_settings(docs: Path | None) -> dict[str, Any]:
    """Literal settings of ``docs/conf.py`` that change what a body may contain, read without running it."""
    settings: dict[str, Any] = {}
    if docs is None:
        return settings
    wanted = {"myst_enable_extensions", "standoff_allowed_roles", "standoff_allowed_directives"}
    try:
        tree = ast.parse((docs / "conf.py").read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
        return settings
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            name = node.targets[0].id
            if name in wanted:
                try:
                    settings[name] = ast.literal_eval(node.value)
                except ValueError:
                    continue
    return settings


def body_checker(docs: Path | None) -> BodyChecker:
    """A body checker configured as the build configures it (MyST syntax extensions, allowed roles)."""
    from myst_parser.config.main import MdParserConfig

    settings = conf_settings(docs)
    # when the configuration cannot be read, parse colon fences anyway: ``:::{raw}`` must never slip through
    extensions = settings.get("myst_enable_extensions", ["colon_fence"])
    config = MdParserConfig(enable_extensions=set(extensions))
    return BodyChecker(
        config,
        allowed_roles=settings.get("standoff_allowed_roles", DEFAULT_ALLOWED_ROLES),
        allowed_directives=settings.get("standoff_allowed_directives", DEFAULT_ALLOWED_DIRECTIVES),
    )


def memo_file(folder: Path, sources: Path, annotations: Path, kind: str = "memo") -> Path:
    """The checker's memo for a project, beside its YAML cache in ``folder``; with ``kind="sources"``, its memo
    of the transcriptions read without a problem."""
    yaml_file = cache_file(folder, sources, annotations)
    return yaml_file.with_name(f"{kind}-" + yaml_file.name.removeprefix("yaml-"))


def page_directives(docs: Path) -> list[tuple[str, Path, int]]:
    """Each ``standoff-source`` directive in the pages of ``docs``: (source id, page, line)."""
    found: list[tuple[str, Path, int]] = []
    pages: list[Path] = []
    for folder, subfolders, files in os.walk(docs):
        subfolders[:] = [name for name in subfolders if name != "_build"]  # the build's output, not pages
        pages.extend(Path(folder, name) for name in files if name.endswith((".md", ".rst")))
    for path in sorted(pages, key=operator.attrgetter("parts")):  # the order of the paths, but quicker
        if not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        for match in _PAGE_DIRECTIVE.finditer(text):
            found.append((match.group(1), path, text.count("\n", 0, match.start()) + 1))
    return found


def pages_of(docs: Path) -> set[str]:
    """The ids of the sources that some page in ``docs`` shows with ``standoff-source``."""
    return {source_id for source_id, _, _ in page_directives(docs)}


def missing_pages(
    edition: Edition, docs: Path, directives: list[tuple[str, Path, int]] | None = None
) -> list[Diagnostic]:
    """What the build reports about source pages: a source without a page (and each annotation that would
    therefore not appear), a page naming an unknown source, two pages for one source. ``directives``: the
    ``page_directives`` of ``docs``, if they have been found already."""
    if directives is None:
        directives = page_directives(docs)
    shown = {source_id for source_id, _, _ in directives}
    found: list[Diagnostic] = []
    first: dict[str, Path] = {}
    known = ", ".join(sorted(edition.sources)) or "none"
    for source_id, page, line in directives:
        if source_id not in edition.sources:
            found.append(
                Diagnostic(
                    str(page),
                    line,
                    1,
                    None,
                    f"standoff-source: unknown source {source_id!r} (known sources: {known})",
                    code="unknown-source",
                )
            )
        elif source_id in first:
            found.append(
                Diagnostic(
                    str(page),
                    line,
                    1,
                    None,
                    f"standoff-source: source {source_id!r} is already shown on page {first[source_id].name}",
                    code="duplicate-page",
                )
            )
        else:
            first[source_id] = page
    found.extend(unshown(edition, shown))
    return found


def selector_advice(annotation: Any) -> tuple[str, ...]:
    """Warnings for selectors so short or generic that a small edit to the source would move them.

    An ``exact`` of fewer than three words or twelve characters, with no ``prefix`` or ``suffix``, or one made
    only of very common words ("of the", "he said") with little or no context, anchors today because it
    happens to be unique; one more occurrence in the source and it becomes ambiguous, or lands elsewhere.
    The advice depends on the annotation alone, so the checker's memo keeps it (``edition.Facts.advice``).
    """
    found: list[str] = []
    selectors = [s for s in targets_of(annotation) if s is not None]
    for index, selector in enumerate(selectors):
        context = len((selector.prefix or "").strip()) + len((selector.suffix or "").strip())
        if context >= MIN_CONTEXT_CHARS:
            continue  # held in place by its context, however short or generic (neither case below applies)
        words = _WORD.findall(selector.exact)  # the words of the exact, whitespace folded or not
        generic = COMMON_WORDS.issuperset(map(str.lower, words))
        if context and not generic:
            continue  # some context, and words of its own: neither case below applies
        exact = " ".join(selector.exact.split())
        short = len(words) < MIN_EXACT_WORDS or len(exact) < MIN_EXACT_CHARS
        if context == 0 and (short or generic):
            why = (
                "consists only of very common words"
                if generic
                else f"is short ({len(words)} word{'s' if len(words) != 1 else ''}, {len(exact)} characters)"
            )
            advice = (
                "add a prefix or suffix (the words just before or after it)"
                if isinstance(annotation, Emendation)
                else "quote a few more words, or add a prefix or suffix"
            )
        elif generic and context < MIN_CONTEXT_CHARS:
            why = "consists only of very common words and its prefix/suffix is short"
            advice = "give a longer prefix or suffix"
        else:
            continue
        where = f" (target {index + 1} of {len(selectors)})" if len(selectors) > 1 else ""
        found.append(
            f"fragile selector{where}: exact {exact!r} {why}, so a small edit to the source could make "
            f"it ambiguous or move it; {advice}"
        )
    return tuple(found)


def fragile_selectors(edition: Edition) -> list[Diagnostic]:
    """The ``selector_advice`` on each annotation of ``edition``, as warnings (taken from the annotations'
    facts, when the edition was loaded with that advice)."""
    found: list[Diagnostic] = []
    for located in edition.annotations:
        advice = located.facts.advice
        if advice is None:
            advice = selector_advice(located.annotation)
        for message in advice:
            found.append(located.diagnostic(message, code="fragile-selector", severity="warning"))
    return found


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Loading an edition makes millions of objects and next to no reference cycles: Python's cyclic garbage
    collector, left on, walks the ever larger heap again and again for nothing (a quarter of the time of a
    large edition). It is paused while the checker runs (and so in worker processes forked meanwhile)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        # what was made meanwhile is all in the youngest generation, which the next allocation would have the
        # collector walk (a second, for a large edition); it is moved, without a walk, to the oldest instead,
        # to be looked at with the other long-lived objects in a full collection, if one comes
        gc.freeze()
        gc.unfreeze()
        if enabled:
            gc.enable()


def default_jobs() -> int:
    """One process per idle CPU: the CPUs this process may use, less the other processes running right now
    (the run queue of ``/proc/loadavg``, where there is one); at least one. Worker processes on CPUs that other
    work keeps busy would only slow the check down."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    try:
        # "0.50 0.40 0.30 2/150 1234": 2 processes running, this one among them (the least of three looks)
        running = min(int(Path("/proc/loadavg").read_text().split()[3].split("/")[0]) for _ in range(3))
    except (OSError, ValueError, IndexError):
        running = 1
    return max(1, cpus - max(running - 1, 0))


def find_root(start: Path | None = None) -> Path:
    """The project root: the nearest folder (from ``start``, default the working directory, upwards) that has
    both ``sources/`` and ``annotations/``; ``start`` itself when none has."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "sources").is_dir() and (folder / "annotations").is_dir():
            return folder
    return here


def check(
    root: Path | None = None,
    *,
    sources: Path | None = None,
    annotations: Path | None = None,
    bib: Path | None = None,
    docs: Path | None = None,
    use_bib: bool = True,
    use_docs: bool = True,
    jobs: int | None = None,
    cache_dir: Path | None = None,
) -> CheckResult:
    """Load, validate and anchor the whole edition as the build would, plus the checker's own warnings.

    Folders default to the project layout under ``root``: ``sources/``, ``annotations/``, ``docs/`` and
    ``docs/references.bib``. ``use_bib=False`` skips the citation check; ``use_docs=False`` the page check.
    A large edition is loaded by ``jobs`` processes (default: one per idle CPU; ``1``: this one alone), with
    exactly the result of one process. With ``cache_dir``, YAML parsed in an earlier run is taken from a cache
    file there (``yamlsource.ParseCache``), and what was worked out from an unchanged annotation file from a memo
    (``memo.Memo``, see ``edition.load_edition``; the checks across files all run again, and the annotations
    of such a file are not even validated until asked for); this run's are kept.
    """
    root = find_root() if root is None else root
    sources = sources if sources is not None else root / "sources"
    annotations = annotations if annotations is not None else root / "annotations"
    docs = docs if docs is not None else root / "docs"
    bib = bib if bib is not None else docs / "references.bib"
    diagnostics: list[Diagnostic] = []
    keys: set[str] | None = None
    if use_bib:
        keys, problems = read_bib_keys(bib)
        diagnostics.extend(problems)
    has_docs = use_docs and docs.is_dir()
    jobs = default_jobs() if jobs is None else jobs
    with _collector_paused():
        # the pages are read while the sources are (by a worker, when there is one)
        pages: list[list[tuple[str, Path, int]]] = []
        meanwhile = (lambda: pages.append(page_directives(docs))) if has_docs else None
        checker = body_checker(docs if has_docs else None)
        cache = memo = known = None
        if cache_dir is not None:
            cache = ParseCache(cache_file(cache_dir, sources, annotations))
            memo = Memo(memo_file(cache_dir, sources, annotations), memo_version(checker, selector_advice))
            known = Memo(memo_file(cache_dir, sources, annotations, "sources"), sources_memo_version())
        with caching(cache):
            edition = load_edition(
                sources,
                annotations,
                keys,
                checker,
                jobs=jobs,
                memo=memo,
                advise=selector_advice,
                meanwhile=meanwhile,
                lazy=True,
                known_sources=known,
            )
        for kept in (memo, known):
            if kept is not None:
                kept.save()
        diagnostics.extend(edition.diagnostics)
        if has_docs:
            diagnostics.extend(missing_pages(edition, docs, pages[0] if pages else None))
        diagnostics.extend(fragile_selectors(edition))
    diagnostics.sort(key=lambda d: (d.path, d.line, d.column, d.severity != "error"))
    return CheckResult(edition, diagnostics, retained=(cache, memo, known))


# -- output ---------------------------------------------------------------------------------------------------


def relative(path: str, root: Path) -> str:
    """``path`` relative to ``root`` when it lies inside it (as editors and GitHub want it), else as given."""
    try:
        return Path(path).absolute().relative_to(root.absolute()).as_posix()
    except ValueError:
        pass
    try:
        return Path(path).resolve().relative_to(root.resolve()).as_posix()
    except (ValueError, OSError):
        return path


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def format_diagnostic(diagnostic: Diagnostic, root: Path, style: str = "text") -> str:
    """One line: ``path:line:column: annotation-id: message`` (``text``), or a GitHub Actions command."""
    path = relative(diagnostic.path, root)
    who = f"{diagnostic.annotation}: " if diagnostic.annotation else ""
    if style == "github":
        level = "error" if diagnostic.severity == "error" else "warning"
        title = "standoff " + (diagnostic.code if diagnostic.code != "standoff" else level)
        return (
            f"::{level} file={_escape_property(path)},line={diagnostic.line},col={diagnostic.column},"
            f"title={_escape_property(title)}::{_escape_data(who + diagnostic.message)}"
        )
    prefix = "" if diagnostic.severity == "error" else "warning: "
    return f"{path}:{diagnostic.line}:{diagnostic.column}: {who}{prefix}{diagnostic.message}"


def summary(result: CheckResult) -> str:
    edition = result.edition
    errors, warnings = len(result.errors), len(result.warnings)
    sources, files = len(edition.sources), len(edition.annotation_files)
    return (
        f"{len(edition.annotations)} of {edition.declared} annotation{'s' if edition.declared != 1 else ''} "
        f"anchored in {sources} source{'s' if sources != 1 else ''} "
        f"({files} annotation file{'s' if files != 1 else ''}): "
        f"{errors} error{'s' if errors != 1 else ''}, {warnings} warning{'s' if warnings != 1 else ''}"
    )
