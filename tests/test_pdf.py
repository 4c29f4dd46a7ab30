"""The PDF edition: every node has a LaTeX visitor, every link a target, and nothing is lost on paper.

The first tests read the LaTeX that Sphinx writes for the small test editions, and need no TeX. The others
read the text of the PDF of the whole edition (``pdftotext``) and compare it with the HTML edition: they use
``docs/_build/pdf/offers-to-the-moon.pdf`` when ``nox -s pdf`` has made it from the current files, and build
it otherwise. Without TeX they are skipped locally, and fail in CI (where the environment variable ``CI`` is
set and ``.ci/run`` installs TeX).

How the editorial notes are counted: an HTML note is an ``aside.standoff-note`` of a source's page; it is
found in the PDF when its number followed by its opening words is in the text of that source's chapter, the
notes in order. The number found must equal the number in the HTML, source by source.
"""

from __future__ import annotations

import contextlib
import inspect
import io
import os
import re
import shutil
import subprocess
import sys
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import pytest
from bs4 import Tag
from conftest import PROJECT, ROOTS, Built
from docutils import nodes
from sphinx.cmd.build import build_main
from sphinx_standoff import nodes as standoff_nodes
from sphinx_standoff import pdf as standoff_pdf
from sphinx_standoff.render_latex import LATEX_VISITORS
from sphinx_standoff.transcription import read_source

SOURCES = sorted(p.stem for p in (PROJECT / "sources").glob("*.txt"))
PDF_NAME = "offers-to-the-moon.pdf"
#: an overfull box wider than this (in points) fails the typesetting test
OVERFULL_LIMIT = 5.0
#: how many opening characters of a note identify it (spaces and hyphens left out)
NOTE_PREFIX = 40
#: how many opening characters of an index entry identify it
INDEX_PREFIX = 16
#: the five accounts and documents whose first notes are checked to be on the page of their passage
SAMPLED = (
    "kennedy-1962-03-07-letter",
    "rusk-frus-xxv-391",
    "sietzen-1997-10-02-spacedaily",
    "smithsonian-2018-space-exploration",
    "space-alliance-feature",
)


# -- the LaTeX of the test editions (no TeX needed) -----------------------------------------------------------


def test_every_node_of_the_extension_has_a_latex_visitor() -> None:
    made = {
        cls
        for _, cls in inspect.getmembers(standoff_nodes, inspect.isclass)
        if issubclass(cls, nodes.Node) and cls.__module__ == standoff_nodes.__name__
    }
    assert made, "no node classes found"
    assert made <= set(LATEX_VISITORS), f"no LaTeX visitor for {sorted(c.__name__ for c in made - set(LATEX_VISITORS))}"


@dataclass
class Latex:
    root: str
    tex: str
    html: Built


def _sphinx(*args: str) -> tuple[int, str]:
    """Run sphinx-build with warnings as errors; its exit status and what it printed."""
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(buffer):
        status = build_main(["-W", "--keep-going", "-q", "-E", *args])
    return status, buffer.getvalue()


@pytest.fixture(scope="module", params=["test-tiny", "test-discrepancy"])
def latex(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Latex:
    """A test edition's LaTeX (XeLaTeX) and its HTML, built with warnings as errors."""
    root = ROOTS / request.param
    out = tmp_path_factory.mktemp(request.param)
    status, output = _sphinx("-b", "latex", "-D", "latex_engine=xelatex", str(root), str(out / "latex"))
    assert status == 0, output
    (tex,) = (out / "latex").glob("*.tex")
    assert (out / "latex" / "sphinxstandoff.sty").is_file()
    status, output = _sphinx("-b", "html", str(root), str(out / "html"))
    assert status == 0, output
    return Latex(request.param, tex.read_text(encoding="utf-8"), Built(status, output, out / "html"))


LABEL = re.compile(r"\\label\{\\detokenize\{([^}]*)\}\}")
LINKS = (
    re.compile(r"\\hyperref\[\\detokenize\{([^}]*)\}\]"),
    re.compile(r"\\standoffpageref\{\\detokenize\{([^}]*)\}\}"),
)


def test_every_link_in_the_latex_has_a_target(latex: Latex) -> None:
    """Links to paragraphs, notes of the original, register entries and events land on a label."""
    labels = set(LABEL.findall(latex.tex))
    linked = {target for pattern in LINKS for target in pattern.findall(latex.tex)}
    assert linked, "no links found"
    assert linked <= labels, f"links without a target: {sorted(linked - labels)}"


def test_every_paragraph_is_numbered_in_the_margin(latex: Latex) -> None:
    sources = [read_source(path) for path in sorted((ROOTS / latex.root).glob("sources/*.txt"))]
    expected = sum(len(source.paragraphs) for source in sources)
    assert len(re.findall(r"\\standoffpnum\{\d+\}", latex.tex)) == expected


def test_notes_in_the_latex_are_footnotes_as_many_as_in_the_html(latex: Latex) -> None:
    html_notes = sum(len(latex.html.html(page).select("aside.standoff-note")) for page in _source_pages(latex.html))
    assert html_notes
    assert latex.tex.count(r"\begin{footnote}") == html_notes


def test_the_latex_uses_the_edition_macros(latex: Latex) -> None:
    tex = latex.tex
    assert r"\begin{standofftext}" in tex
    assert r"\standoffrunninghead{" in tex
    assert "sd-card" not in tex, "a grid of cards was left to degrade: it should have become a table"
    assert "standoff-filter" not in tex and "<form" not in tex
    if latex.root == "test-discrepancy":  # register entries, and ≠ marks linking to them
        assert r"\begin{standoffentry}" in tex
        assert re.search(r"\\hyperref\[\\detokenize\{register:d-[^}]*\}\]\{\\standoffflag\{≠\}\}", tex)
        assert r"\begin{tabular" in tex or r"\begin{longtable}" in tex
    else:  # the tiny edition: emendation, paratext, the bibliography in place
        assert r"\standoffemendation{" in tex
        assert r"\begin{standoffparatext}" in tex
        assert r"\begin{standoffbibliography}" in tex and r"\begin{sphinxthebibliography}" not in tex


def _source_pages(built: Built) -> Iterator[str]:
    for path in sorted(built.outdir.rglob("*.html")):
        page = str(path.relative_to(built.outdir))
        if built.html(page).select_one("section.standoff-source, .standoff-source"):
            yield page


# -- the PDF of the whole edition ------------------------------------------------------------------------------


@dataclass
class Pdf:
    path: Path
    log: standoff_pdf.LogReport
    #: the text of each page (pdftotext), page 1 first
    pages: list[str]

    @property
    def text(self) -> str:
        return "\n".join(self.pages)


def _inputs_newest() -> float:
    """The time of the newest file the PDF is made from (not counting caches and build folders)."""
    folders = ("sources", "annotations", "docs", "extensions/sphinx_standoff")
    newest = 0.0
    for folder in folders:
        for path in (PROJECT / folder).rglob("*"):
            if path.is_file() and not {"_build", "__pycache__"} & set(path.parts):
                newest = max(newest, path.stat().st_mtime)
    return newest


def _tex_or_skip() -> None:
    missing = standoff_pdf.missing_tex() + [c for c in ("pdftotext", "pdfinfo") if shutil.which(c) is None]
    if missing:
        message = standoff_pdf.install_hint(missing) + "; the tests also need poppler-utils (pdftotext)"
        if os.environ.get("CI"):
            pytest.fail(f"CI must build the PDF, but {message}")
        pytest.skip(message)


@pytest.fixture(scope="session")
def pdf(tmp_path_factory: pytest.TempPathFactory) -> Pdf:
    """The PDF edition: the one ``nox -s pdf`` made if it is newer than every input, else built now."""
    _tex_or_skip()
    made = PROJECT / "docs" / "_build" / "pdf" / PDF_NAME
    log = PROJECT / "docs" / "_build" / "latex" / "offers-to-the-moon.log"
    if made.is_file() and log.is_file() and made.stat().st_mtime >= _inputs_newest():
        path, report = made, standoff_pdf.read_log(log)
    else:
        build_dir = tmp_path_factory.mktemp("pdf-edition")
        result = standoff_pdf.build(PROJECT / "docs", build_dir, quiet=True)
        path, report = result.pdf, result.log
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True)
    pages = text.stdout.split("\f")
    if pages and not pages[-1].strip():
        pages.pop()
    return Pdf(path, report, pages)


QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"'})


def squash(text: str) -> str:
    """Text compared without spaces, line breaks and hyphens, or the page numbers links carry in print.

    Quotation marks count as straight ones: a title's apostrophe is straight in the HTML and curly in print.
    """
    text = unicodedata.normalize("NFKC", text).translate(QUOTES)
    text = re.sub(r"\(p\.\s*\d+\)", "", text)
    return re.sub(r"[\s\-\u00ad\u2010\u2011]+", "", text)


def chapters(pdf: Pdf) -> list[tuple[str, int, int]]:
    """Each chapter's opening (squashed) and its pages (first, last + 1), from the pages that open a chapter."""
    starts: list[tuple[int, str]] = []
    for number, page in enumerate(pdf.pages):
        lines = [line.strip() for line in page.splitlines() if line.strip()]
        if len(lines) > 1 and re.fullmatch(r"(Chapter \d+|Part [IVXLC]+)", lines[0]):
            starts.append((number, squash(" ".join(lines[1:8]))))
    starts.append((len(pdf.pages), ""))
    return [(opening, first, end) for (first, opening), (end, _) in pairwise(starts)]


def chapter_pages(pdf: Pdf, title: str) -> list[str]:
    """The squashed text of each page of the chapter with this title."""
    key = squash(title)
    for opening, first, end in chapters(pdf):
        if opening.startswith(key):
            return [squash(page) for page in pdf.pages[first:end]]
    raise AssertionError(f"no chapter titled {title!r} in the PDF")


def chapter_text(pdf: Pdf, title: str) -> str:
    return "".join(chapter_pages(pdf, title))


def in_pages(run: str, pages: list[str]) -> bool:
    """Whether a run of text is on one of the pages, or begins at the foot of one and goes on on the next."""
    if any(run in page for page in pages):
        return True
    for page, following in pairwise(pages):
        low, high = 0, len(run)  # the longest beginning of the run on this page
        while low < high:
            middle = (low + high + 1) // 2
            if run[:middle] in page:
                low = middle
            else:
                high = middle - 1
        if low and run[low:] in following:
            return True
    return False


def test_pdf_typesetting(pdf: Pdf) -> None:
    """Every character printed, no box far too wide, every reference resolved, and the metadata set."""
    assert pdf.log.pages == len(pdf.pages) > 100
    assert not pdf.log.missing_characters, pdf.log.missing_characters
    too_wide = [line for points, line in pdf.log.overfull if points > OVERFULL_LIMIT]
    assert not too_wide, too_wide
    assert not pdf.log.undefined_references, pdf.log.undefined_references
    info = subprocess.run(["pdfinfo", str(pdf.path)], capture_output=True, text=True, check=True).stdout
    fields = dict(line.split(":", 1) for line in info.splitlines() if ":" in line)
    assert fields["Title"].strip().startswith("Offers to the Moon")
    assert fields["Author"].strip()
    assert "critical edition" in fields["Subject"]


def test_the_book_opens_with_title_page_contents_and_the_editorial_matter(pdf: Pdf) -> None:
    first = squash(pdf.pages[0])
    assert first.startswith(squash("Offers to the Moon")) and squash("Version 0.1") in first
    assert squash("How to cite this edition") in squash(pdf.pages[1])
    contents = "".join(squash(page) for page in pdf.pages[2:6])
    assert contents.startswith("Contents")
    order = [squash(t) for t in ("Introduction", "Editorial method", "Message to Chairman Khrushchev", "Register")]
    positions = [contents.find(title) for title in order]
    assert all(p >= 0 for p in positions) and positions == sorted(positions), positions


def _visible_chunks(paragraph: Tag) -> list[str]:
    """The runs of a paragraph's text between note calls, as the PDF prints them (the editors' readings)."""
    chunks: list[str] = [""]

    def walk(node: Tag) -> None:
        for child in node.children:
            if not isinstance(child, Tag):
                chunks[-1] += str(child)
                continue
            classes = child.get("class") or []
            if child.name == "del" or {"standoff-pnum", "standoff-tip"} & set(classes):
                continue
            if {"footnote-reference", "standoff-flag", "standoff-docnote-call", "standoff-pb"} & set(classes):
                chunks.append("")
                continue
            walk(child)

    walk(paragraph)
    return [squash(chunk) for chunk in chunks if len(squash(chunk)) >= 12]


@pytest.mark.parametrize("source_id", SOURCES)
def test_every_source_is_in_the_pdf_whole(pdf: Pdf, edition: Built, source_id: str) -> None:
    """The chapter of each source holds every paragraph of its HTML page (every run between note calls)."""
    source = read_source(PROJECT / "sources" / f"{source_id}.txt")
    pages = chapter_pages(pdf, source.meta.title)
    page = edition.html(f"sources/{source_id}.html")
    missing = [
        f"¶{para['id']}: {chunk[:60]}"
        for para in page.select("p.standoff-para")
        for chunk in _visible_chunks(para)
        if not in_pages(chunk, pages)
    ]
    assert not missing, missing[:10]


def _notes(edition: Built, source_id: str) -> list[tuple[str, str]]:
    """(number, opening words) of each editorial note of a source's HTML page, in order."""
    out = []
    for aside in edition.html(f"sources/{source_id}.html").select("aside.standoff-note"):
        label = aside.select_one(".label")
        number = label.get_text("", strip=True).strip("[]") if label else ""
        if label:
            label.decompose()
        out.append((number, squash(aside.get_text(" "))[:NOTE_PREFIX]))
    return out


def notes_found(pdf: Pdf, edition: Built, source_id: str) -> tuple[int, int, list[str]]:
    """(notes in the HTML, notes found in the PDF chapter, those not found)."""
    source = read_source(PROJECT / "sources" / f"{source_id}.txt")
    text = chapter_text(pdf, source.meta.title)
    notes = _notes(edition, source_id)
    found, missing = 0, []
    for number, opening in notes:
        # the number, then the opening words; or both, apart (text extraction may take a note's italic first
        # word out of its line)
        if number + opening in text or (opening in text and number + opening[:6] in text):
            found += 1
        else:
            missing.append(f"{number}: {opening}")
    return len(notes), found, missing


@pytest.mark.parametrize("source_id", SOURCES)
def test_editorial_notes_in_the_pdf_equal_those_in_the_html(pdf: Pdf, edition: Built, source_id: str) -> None:
    in_html, in_pdf, missing = notes_found(pdf, edition, source_id)
    assert in_pdf == in_html, f"{in_pdf} of {in_html} notes found; not found: {missing[:5]}"


def test_all_editorial_notes_are_in_the_pdf(pdf: Pdf, edition: Built) -> None:
    counts = [notes_found(pdf, edition, source_id)[:2] for source_id in SOURCES]
    in_html = sum(h for h, _ in counts)
    in_pdf = sum(p for _, p in counts)
    print(f"editorial notes: {in_html} in the HTML, {in_pdf} in the PDF")
    assert in_html >= 40
    assert in_pdf == in_html


@pytest.mark.parametrize("source_id", SAMPLED)
def test_notes_are_on_the_page_of_their_passage(pdf: Pdf, edition: Built, source_id: str) -> None:
    """The first notes of each account begin on the page where the words they are about end."""
    source = read_source(PROJECT / "sources" / f"{source_id}.txt")
    pages = chapter_pages(pdf, source.meta.title)
    page = edition.html(f"sources/{source_id}.html")
    checked = 0
    for ref in page.select("a.footnote-reference")[:5]:
        number = ref.get_text("", strip=True).strip("[]")
        note = page.find(id=str(ref["href"]).removeprefix("#"))
        passage = _words_before(ref)
        assert note is not None and passage
        label = note.select_one(".label")
        if label:
            label.decompose()
        opening = number + squash(note.get_text(" "))[:NOTE_PREFIX]
        where_passage = [n for n, text in enumerate(pages) if passage in text]
        where_note = [n for n, text in enumerate(pages) if opening in text]
        assert where_passage and where_note, (number, passage, opening)
        assert set(where_note) & set(where_passage), f"note {number} is not on the page of its passage"
        checked += 1
    assert checked


def _words_before(ref: Tag) -> str:
    """The last words (squashed) before a note call, within its paragraph."""
    text = ""
    for sibling in ref.previous_siblings:
        if isinstance(sibling, Tag):
            classes = set(sibling.get("class") or [])
            if {"footnote-reference", "standoff-flag", "standoff-pnum"} & classes:
                if text:
                    break
                continue
            if sibling.name == "del" or "standoff-tip" in classes:
                continue
            for hidden in sibling.select("del, .standoff-tip"):
                hidden.decompose()
            text = sibling.get_text() + text
        else:
            text = str(sibling) + text
        if len(squash(text)) >= 16:
            break
    return squash(text)[-16:]


def test_the_register_is_in_the_pdf(pdf: Pdf, edition: Built) -> None:
    """Every entry of the discrepancy register, with its summary and its readings as a table."""
    text = chapter_text(pdf, "Discrepancy register")
    entries = edition.html("register.html").select("article.standoff-entry, .standoff-entry")
    assert entries
    missing = []
    for entry in entries:
        head = entry.select_one(".standoff-entry-head strong")
        if head is not None and squash(head.get_text())[:60] not in text:
            missing.append(head.get_text()[:80])
    assert not missing, missing[:5]


def test_chronology_and_bibliography_are_in_the_pdf(pdf: Pdf, edition: Built) -> None:
    chronology = chapter_text(pdf, "Chronology")
    events = edition.html("chronology.html").select("section.standoff-event > h2, .standoff-event h2")
    assert events
    for heading in events:
        assert squash(heading.get_text().rstrip("#¶"))[:50] in chronology
    bibliography = chapter_text(pdf, "Bibliography")
    cited = edition.html("bibliography.html").select("div.citation, aside.citation, .citation")
    assert cited
    labels = re.findall(r"\[(\d+)\]", bibliography)
    assert len(set(labels)) >= len(cited)


def test_the_index_of_persons_and_places_is_in_the_pdf(pdf: Pdf, edition: Built) -> None:
    """The index lists the names the HTML index lists (variants lead to the one entry the HTML has)."""
    genindex = edition.html("genindex.html")
    entries = {a.get_text(" ", strip=True) for a in genindex.select("table.indextable li > a:first-child")}
    # the beginning of each name (a name may break over two lines of a column of the index)
    names = {squash(entry)[:INDEX_PREFIX] for entry in entries if not re.fullmatch(r"\[\d+\]", entry)}
    if not names:
        pytest.skip("the edition has no index entries yet")
    last = "".join(squash(page) for page in pdf.pages[-15:])
    title = squash("Index of names")
    at = max(last.find(title), last.find(title.upper()))
    assert at >= 0, "no index titled 'Index of names' at the end of the PDF"
    index = last[at:]
    missing = sorted(name for name in names if name not in index)
    assert not missing, missing[:10]


def test_without_tex_the_pdf_build_stops_at_once_naming_the_packages(tmp_path: Path) -> None:
    env = {**os.environ, "PATH": str(Path(sys.executable).parent)}
    run = subprocess.run(
        [sys.executable, "-m", "sphinx_standoff.pdf", str(ROOTS / "test-tiny"), str(tmp_path / "build")],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert run.returncode == standoff_pdf.EXIT_NO_TEX, run.stderr
    assert "texlive-xetex" in run.stderr and "latexmk" in run.stderr and "fonts-freefont-otf" in run.stderr
    assert not (tmp_path / "build").exists()
