"""The reading edition in a real browser: Debian's chromium, headless, driven by Playwright.

The full edition (built once for the session) is served on localhost. The tests read a source page as a person
would: a note's preview on focus, the two views, a cross-reference followed, a name searched for and its
passage reached, a paragraph cited and the citation copied; they check the layout on a wide and a narrow screen,
and run axe-core on the main kinds of page. Screenshots are written to ``$STANDOFF_SCREENSHOTS`` (or a
temporary folder, named in the report) to be looked at.

Without chromium or Playwright the tests are skipped, saying what is missing, except in CI (``CI`` set), where
that is a failure: ``.ci/run`` installs chromium, and the ``test`` extra installs Playwright and axe-core.
Playwright never downloads a browser here: it is pointed at the system's chromium.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import PROJECT, Built

CHROMIUM = os.environ.get("STANDOFF_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
LETTER = "sources/kennedy-1962-03-07-letter.html"
PROJECT_TITLE = re.search(r'^project = "([^"]*)"', (PROJECT / "docs" / "conf.py").read_text(encoding="utf-8"), re.M)


def _missing() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (pip install -e '.[test]')"
    if not Path(CHROMIUM).is_file():
        return f"no chromium at {CHROMIUM} (apt-get install chromium, or set STANDOFF_CHROMIUM)"
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    reason = _missing()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"browser tests cannot run in CI: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def site(edition: Built) -> Iterator[str]:
    """The built edition, served on a free port of localhost."""
    assert edition.status == 0, edition.output
    handler = functools.partial(_Quiet, directory=str(edition.outdir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = os.environ.get("STANDOFF_SCREENSHOTS")
    path = Path(folder) if folder else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


def _context(browser: Any, site: str, viewport: dict[str, int]) -> Any:
    context = browser.new_context(viewport=viewport, reduced_motion="reduce")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site.rstrip("/"))
    context.set_default_timeout(15_000)
    return context


def _tab(browser: Any, site: str, viewport: dict[str, int]) -> Iterator[Any]:
    """A fresh page on a screen of the given size; fails the test on any script error."""
    context = _context(browser, site, viewport)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    yield tab
    context.close()
    assert not errors, errors


@pytest.fixture
def page(browser: Any, site: str) -> Iterator[Any]:
    """A fresh page on a desktop screen."""
    yield from _tab(browser, site, DESKTOP)


@pytest.fixture
def phone(browser: Any, site: str) -> Iterator[Any]:
    """A fresh page on a phone screen."""
    yield from _tab(browser, site, PHONE)


def _open(tab: Any, site: str, path: str) -> None:
    tab.goto(site + path)
    tab.wait_for_load_state("load")
    # the theme scrolls smoothly: a screenshot taken mid-scroll shows a page between two places
    tab.add_style_tag(content="html { scroll-behavior: auto !important; }")
    # the script packs the notes after the fonts and images: wait until it has
    tab.wait_for_function(
        "() => !document.querySelector('.standoff-text') || "
        "document.querySelector('.standoff-text.standoff-packed, .standoff-text.standoff-notes-folded')"
    )


def _visible_popover(tab: Any) -> Any:
    popover = tab.locator(".standoff-popover")
    popover.wait_for(state="visible")
    return popover


# -- previews ------------------------------------------------------------------------------------------------------


def test_focusing_a_note_call_shows_the_note_in_a_popover(page: Any, site: str) -> None:
    _open(page, site, LETTER)
    call = page.locator("#p4 a.footnote-reference").first
    note_id = call.get_attribute("href").lstrip("#")
    note_text = page.locator(f"#{note_id} > p").first.inner_text()
    call.focus()
    popover = _visible_popover(page)
    assert popover.get_attribute("role") == "dialog"
    assert popover.get_attribute("aria-labelledby") == "standoff-popover-title"
    assert call.get_attribute("aria-expanded") == "true"
    assert call.get_attribute("aria-controls") == "standoff-popover"
    assert note_text[:60] in popover.inner_text()
    # the note keeps its links and formatting
    assert popover.locator("a[href]").count() == page.locator(f"#{note_id} a[href]:not([role=doc-backlink])").count()
    # Tab goes from the call into the preview; Escape closes it and gives the focus back
    page.keyboard.press("Tab")
    assert page.evaluate("document.querySelector('.standoff-popover').contains(document.activeElement)")
    page.keyboard.press("Escape")
    popover.wait_for(state="hidden")
    assert call.get_attribute("aria-expanded") == "false"
    assert page.evaluate("document.activeElement.getAttribute('href')") == f"#{note_id}"


def test_a_discrepancy_mark_previews_its_note(page: Any, site: str) -> None:
    _open(page, site, LETTER)
    flag = page.locator(".standoff-text a.standoff-flag").first
    flag.scroll_into_view_if_needed()
    flag.hover()
    popover = _visible_popover(page)
    assert "standoff-popover-flag" in popover.get_attribute("class")
    assert "Discrepancy" in popover.inner_text()
    page.mouse.move(5, 5)
    popover.wait_for(state="hidden")


def test_a_cross_reference_previews_and_leads_to_the_passage(page: Any, site: str) -> None:
    _open(page, site, LETTER)
    link = page.locator(".standoff-margin a.reference.internal[href^='frus-v06-d41.html#p']").first
    href = link.get_attribute("href")
    number = href.rpartition("#p")[2]
    link.focus()
    popover = _visible_popover(page)
    assert f"¶{number}" in popover.locator(".standoff-popover-title").inner_text()
    assert popover.locator("p.standoff-para").count() == 1
    page.keyboard.press("Escape")
    link.click()
    page.wait_for_url(re.compile(rf"frus-v06-d41\.html#p{number}$"))
    target = page.locator(f"#p{number}")
    assert target.evaluate("el => el.matches(':target')")
    page.wait_for_function(
        f"() => {{ const r = document.getElementById('p{number}').getBoundingClientRect();"
        " return r.top >= 0 && r.top < window.innerHeight; }"
    )


# -- the two views -------------------------------------------------------------------------------------------------


def test_the_switch_shows_the_diplomatic_text_and_is_remembered(page: Any, site: str) -> None:
    _open(page, site, LETTER)
    emendation = page.locator("span.standoff-emendation").first
    sic = emendation.locator("del.standoff-sic").text_content()
    reading = emendation.locator("ins.standoff-reading").text_content()
    assert sic != reading
    reading_button = page.get_by_role("button", name="Reading text")
    diplomatic_button = page.get_by_role("button", name="Diplomatic text")
    assert reading_button.get_attribute("aria-pressed") == "true"
    assert emendation.inner_text().startswith(reading)
    diplomatic_button.click()
    assert diplomatic_button.get_attribute("aria-pressed") == "true"
    assert reading_button.get_attribute("aria-pressed") == "false"
    assert emendation.inner_text().startswith(sic)
    # the emended word is marked in both views, and shows the other reading on focus
    emendation.focus()
    tip = emendation.locator(".standoff-tip")
    tip.wait_for(state="visible")
    assert f"The editors read “{reading}”" in tip.inner_text()
    # paratext is open in the diplomatic text
    assert all(page.locator("details.standoff-paratext-block").evaluate_all("ds => ds.map(d => d.open)"))
    # remembered on the next page
    _open(page, site, "sources/space-alliance-feature.html")
    assert page.get_by_role("button", name="Diplomatic text").get_attribute("aria-pressed") == "true"
    assert page.evaluate("document.documentElement.classList.contains('standoff-view-diplomatic')")
    page.get_by_role("button", name="Reading text").click()
    assert not any(page.locator("details.standoff-paratext-block").evaluate_all("ds => ds.map(d => d.open)"))
    _open(page, site, LETTER)
    emendation = page.locator("span.standoff-emendation").first
    assert emendation.inner_text().startswith(reading)
    emendation.focus()
    assert f"The source reads “{sic}”" in emendation.locator(".standoff-tip").inner_text()


# -- layout --------------------------------------------------------------------------------------------------------


def test_on_a_wide_screen_each_note_is_in_the_margin_beside_its_paragraph(page: Any, site: str) -> None:
    _open(page, site, LETTER)
    boxes = page.evaluate(
        """() => Array.from(document.querySelectorAll('.standoff-margin aside.standoff-note')).map(note => {
             const call = document.querySelector('a.footnote-reference[href="#' + note.id + '"]');
             const para = note.closest('.standoff-block').querySelector('.standoff-para');
             const n = note.getBoundingClientRect(), p = para.getBoundingClientRect(), c = call.getBoundingClientRect();
             return {id: note.id, left: n.left, top: n.top, bottom: n.bottom, height: n.height,
                     paraRight: p.right, paraBottom: p.bottom, callTop: c.top};
           }).filter(b => b.height > 0)"""
    )
    assert boxes
    previous = None
    for box in boxes:
        assert box["left"] >= box["paraRight"], box  # in the margin
        assert box["callTop"] - 8 <= box["top"], box  # not above its call
        if previous is not None:
            assert box["top"] >= previous["bottom"], (previous, box)  # no note over another
        previous = box
    # each paragraph's first note starts beside that paragraph
    firsts = page.evaluate(
        """() => Array.from(document.querySelectorAll('.standoff-block.standoff-has-notes')).map(block => {
             const note = block.querySelector('aside.standoff-note');
             const para = block.querySelector('.standoff-para');
             return note.getBoundingClientRect().height ? [note.getBoundingClientRect().top,
                                                           para.getBoundingClientRect().bottom] : null;
           }).filter(Boolean)"""
    )
    assert all(top <= bottom for top, bottom in firsts), firsts


def test_on_a_phone_a_note_opens_in_place_from_its_call(phone: Any, site: str) -> None:
    _open(phone, site, LETTER)
    call = phone.locator("#p6 a.footnote-reference").first
    note = phone.locator(call.get_attribute("href"))
    assert not note.is_visible()
    assert call.get_attribute("aria-expanded") == "false"
    call.click()
    note.wait_for(state="visible")
    assert call.get_attribute("aria-expanded") == "true"
    paragraph = phone.locator("#p6").bounding_box()
    box = note.bounding_box()
    assert box["y"] >= paragraph["y"] + paragraph["height"] - 1  # under its paragraph, not beside it
    call.click()
    note.wait_for(state="hidden")
    # nothing is wider than the screen
    assert phone.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth + 1")


# -- search --------------------------------------------------------------------------------------------------------


def test_searching_a_name_lands_on_the_passage(page: Any, site: str) -> None:
    _open(page, site, "index.html")
    box = page.locator("input[name=q]").first
    box.fill("Gagarin")
    box.press("Enter")
    page.wait_for_url(re.compile(r"search\.html\?q=Gagarin"))
    passage = page.locator("ul.search > li ul.standoff-search-passages a[href*='sources/'][href*='#p']").first
    passage.wait_for()
    label = passage.inner_text()
    assert label.startswith("¶")
    passage.click()
    page.wait_for_url(re.compile(r"sources/.+\.html.*#p\d+$"))
    number = label.lstrip("¶ ")
    target = page.locator(f"#p{number}")
    assert "gagarin" in target.inner_text().lower()
    assert target.evaluate("el => el.matches(':target')")
    page.wait_for_function("() => document.querySelector('#p" + number + " .highlighted')")
    page.wait_for_function(
        f"() => {{ const r = document.getElementById('p{number}').getBoundingClientRect();"
        " return r.top >= 0 && r.top < window.innerHeight; }"
    )


# -- citation ------------------------------------------------------------------------------------------------------


def test_cite_this_gives_three_formats_and_copies_them(page: Any, site: str) -> None:
    _open(page, site, LETTER)
    button = page.get_by_role("button", name="Cite paragraph 9")
    button.focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name=re.compile(r"Cite ¶ 9 of"))
    dialog.wait_for()
    url = f"{site}{LETTER}#p9"
    chicago = dialog.locator("[data-format^='Chicago']").inner_text()
    assert chicago.startswith("John F. Kennedy, “Message to Chairman Khrushchev Proposing Joint Action")
    assert "March 7, 1962, par. 9, in" in chicago and ", version 0.1, " in chicago and chicago.endswith(url + ".")
    assert PROJECT_TITLE and PROJECT_TITLE.group(1) in chicago
    bibtex = dialog.locator("[data-format=BibTeX]").inner_text()
    assert bibtex.startswith("@incollection{kennedy-1962-03-07-letter-p9,")
    assert "author    = {Kennedy, John F.}" in bibtex and f"url       = {{{url}}}" in bibtex
    item = json.loads(dialog.locator("[data-format=CSL-JSON]").inner_text())[0]
    assert item["URL"] == url and item["container-title"] == PROJECT_TITLE.group(1)
    assert item["author"] == [{"family": "Kennedy", "given": "John F."}]
    assert item["issued"] == {"date-parts": [[1962, 3, 7]]} and item["version"] == "0.1"
    dialog.locator(".standoff-cite-format", has_text="Chicago").get_by_role("button", name="Copy").click()
    dialog.get_by_role("status").filter(has_text="copied").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == chicago
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "Cite paragraph 9"


# -- accessibility -------------------------------------------------------------------------------------------------

AXE_PAGES = {
    "source page": LETTER,
    "register": "register.html",
    "registers of names": "registers.html",
    "search": "search.html?q=Khrushchev",
}


def _axe(tab: Any, shots: Path, name: str) -> list[dict[str, Any]]:
    """Run axe-core (the copy that the axe-playwright-python package ships) on the page as it is now; write what
    it found to ``axe-<name>.json`` and return the serious and critical violations."""
    from axe_playwright_python.base import AXE_FILE_PATH

    if not tab.evaluate("typeof window.axe !== 'undefined'"):
        tab.add_script_tag(path=str(AXE_FILE_PATH))
    results = tab.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    found = [
        {"id": v["id"], "impact": v["impact"], "nodes": len(v["nodes"]), "example": v["nodes"][0]["html"][:200]}
        for v in results["violations"]
    ]
    (shots / f"axe-{name.replace(' ', '-')}.json").write_text(json.dumps(found, indent=2), encoding="utf-8")
    return [v for v in found if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("name", sorted(AXE_PAGES))
def test_axe_finds_no_serious_or_critical_violation(page: Any, site: str, shots: Path, name: str) -> None:
    _open(page, site, AXE_PAGES[name])
    if name == "search":
        page.locator("ul.standoff-search-passages").first.wait_for()
    bad = _axe(page, shots, name)
    assert not bad, json.dumps(bad, indent=2)


def test_axe_with_a_preview_the_other_view_and_the_cite_box_open(browser: Any, site: str, shots: Path) -> None:
    for label, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        context = _context(browser, site, viewport)
        tab = context.new_page()
        _open(tab, site, LETTER)
        tab.locator(".standoff-text a.standoff-flag").first.focus()
        _visible_popover(tab)
        assert not _axe(tab, shots, f"{label} preview")
        tab.keyboard.press("Escape")
        tab.get_by_role("button", name="Diplomatic text").click()
        tab.locator("span.standoff-emendation").first.focus()
        assert not _axe(tab, shots, f"{label} diplomatic")
        tab.get_by_role("button", name="Cite paragraph 9").click()
        tab.get_by_role("dialog").wait_for()
        assert not _axe(tab, shots, f"{label} cite")
        tab.keyboard.press("Escape")
        if label == "phone":
            tab.locator("#p6 a.footnote-reference").first.click()
            assert not _axe(tab, shots, f"{label} note open")
        context.close()


# -- screenshots ---------------------------------------------------------------------------------------------------


def test_screenshots(browser: Any, site: str, shots: Path) -> None:
    """Screenshots to look at: a source page, a register entry, the "cite this" box and a preview, on a desktop
    and a phone; and on both, nothing is wider than the screen."""
    for label, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        context = _context(browser, site, viewport)
        tab = context.new_page()
        _open(tab, site, LETTER)
        tab.screenshot(path=str(shots / f"{label}-source.png"))
        tab.locator("#p9").scroll_into_view_if_needed()
        tab.screenshot(path=str(shots / f"{label}-source-p9.png"))
        assert tab.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth + 1"), label
        tab.locator(".standoff-text a.standoff-flag").first.focus()
        _visible_popover(tab)
        tab.screenshot(path=str(shots / f"{label}-popover.png"))
        tab.keyboard.press("Escape")
        tab.get_by_role("button", name="Cite paragraph 9").click()
        tab.get_by_role("dialog").wait_for()
        tab.screenshot(path=str(shots / f"{label}-cite.png"))
        tab.keyboard.press("Escape")
        _open(tab, site, "registers.html")
        entry = tab.locator("div.standoff-entity[id]").first
        if entry.count():
            entry_id = entry.get_attribute("id")
            _open(tab, site, f"registers.html#{entry_id}")
            tab.screenshot(path=str(shots / f"{label}-register-entry.png"))
        assert tab.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth + 1"), label
        context.close()
    assert len(list(shots.glob("*.png"))) >= 8
