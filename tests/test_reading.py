"""The HTML reading edition as built (no browser): margin blocks, emendations, citation meta tags, names.

What the pages do in a browser is tested in ``test_browser.py``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from xml.etree import ElementTree

import pytest
from bs4 import BeautifulSoup
from conftest import PROJECT, Built, run_sphinx
from sphinx_standoff.html_reading import author_name, citation_date

LETTER = "sources/kennedy-1962-03-07-letter.html"


def conf_value(name: str) -> str:
    match = re.search(rf'^{name} = "([^"]*)"', (PROJECT / "docs" / "conf.py").read_text(encoding="utf-8"), re.M)
    assert match, name
    return match.group(1)


def metas(page: BeautifulSoup) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for tag in page.find_all("meta", attrs={"name": True}):
        found.setdefault(tag["name"], []).append(tag.get("content", ""))
    return found


def test_each_paragraph_and_its_notes_make_one_block(edition: Built) -> None:
    page = edition.html(LETTER)
    paragraphs = page.select(".standoff-text p.standoff-para")
    assert paragraphs
    noted = 0
    for paragraph in paragraphs:
        block = paragraph.parent
        assert "standoff-block" in block["class"], paragraph["id"]
        margin = block.find("div", class_="standoff-margin", recursive=False)
        for note in margin.select("aside.standoff-note") if margin else []:
            noted += 1
            # the note's call is in this very paragraph
            assert paragraph.find("a", href=f"#{note['id']}"), (paragraph["id"], note["id"])
    assert noted == len(page.select("aside.standoff-note"))


def test_notes_stay_footnotes_after_their_paragraph_outside_html(
    build_tiny: Callable[..., Built], tiny_project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The margin blocks are made for HTML only: other builders get the doctree as ``render`` made it."""
    built = run_sphinx(tiny_project, tmp_path / "xml", capsys, "-b", "xml")
    assert built.status == 0, built.output
    text = (tmp_path / "xml" / "log.xml").read_text(encoding="utf-8")
    assert "standoff-block" not in text
    root = ElementTree.fromstring(text)
    for parent in root.iter():
        children = list(parent)
        for index, child in enumerate(children):
            if child.tag == "footnote" and child.get("ids") == "ann-keeper-note":
                assert children[index - 1].tag == "standoff_para" and children[index - 1].get("ids") == "p2"
                return
    pytest.fail("the note is not in the doctree")


def test_an_emendation_is_focusable_and_described_by_the_other_reading(edition: Built) -> None:
    page = edition.html(LETTER)
    emendations = page.select("span.standoff-emendation")
    assert emendations
    for emendation in emendations:
        assert emendation["tabindex"] == "0"
        tip = page.find(id=emendation["aria-describedby"])
        assert tip is not None and tip["role"] == "tooltip" and tip.parent is emendation
        sic = emendation.find("del", class_="standoff-sic").get_text()
        reading = emendation.find("ins", class_="standoff-reading").get_text()
        assert f"The source reads “{sic}”" in tip.get_text() and f"The editors read “{reading}”" in tip.get_text()


def test_a_source_page_carries_citation_meta_tags(edition: Built) -> None:
    tags = metas(edition.html(LETTER))
    assert tags["citation_title"] == [
        "Message to Chairman Khrushchev Proposing Joint Action in the Exploration of Outer Space"
    ]
    assert tags["citation_author"] == ["John F. Kennedy"]
    assert tags["citation_publication_date"] == ["1962/03/07"]
    assert tags["citation_inbook_title"] == [conf_value("project")]
    assert tags["citation_publisher"] and tags["citation_language"] == ["en"]
    assert tags["standoff:source"] == ["kennedy-1962-03-07-letter"]
    assert tags["standoff:version"] == ["0.1"]
    assert "citation_public_url" not in tags  # html_baseurl is not set: the script takes the page's address


def test_every_page_made_from_a_document_carries_citation_tags(edition: Built) -> None:
    for path in sorted(edition.outdir.glob("*.html")):
        if path.name in ("search.html", "genindex.html"):
            continue
        tags = metas(BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser"))
        assert tags.get("citation_title") and tags.get("citation_inbook_title"), path.name


def test_the_permanent_address_is_absolute_when_the_edition_says_where_it_lives(
    build_tiny: Callable[..., Built], tiny_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    conf = tiny_project / "conf.py"
    conf.write_text(conf.read_text() + '\nhtml_baseurl = "https://example.org/edition/"\n', encoding="utf-8")
    tags = metas(build_tiny().html("log.html"))
    assert tags["citation_public_url"] == ["https://example.org/edition/log.html"]
    assert tags["standoff:permalink"] == ["https://example.org/edition/log.html"]


@pytest.mark.parametrize(
    ("author", "name"),
    [
        ("John F. Kennedy", "John F. Kennedy"),
        ("John F. Kennedy (message); telegram sent by the Department of State over Rusk's name", "John F. Kennedy"),
        (
            "Office of the Historian, U.S. Department of State (editors)",
            "Office of the Historian, U.S. Department of State",
        ),
        ("Unknown", None),
    ],
)
def test_the_author_to_cite(author: str, name: str | None) -> None:
    assert author_name(author) == name


def test_dates_as_google_scholar_wants_them() -> None:
    assert citation_date("1962-03-07") == "1962/03/07"
    assert citation_date("2018") == "2018"
    assert citation_date(None) is None


def test_mentions_of_names_link_to_their_register_entry(edition: Built) -> None:
    registers = edition.html("registers.html")
    entries = {div["id"] for div in registers.select("div.standoff-entity[id]")}
    links = [
        a
        for path in sorted((edition.outdir / "sources").glob("*.html"))
        for a in BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser").select("a.reference")
        if a.find("span", class_="standoff-mention")
    ]
    if not entries:
        pytest.skip("the registers of names have no entries yet")
    assert links, "no name in the text links to the registers"
    for link in links:
        page, _, target = link["href"].partition("#")
        assert page.endswith("registers.html") and target in entries, link["href"]


def test_the_marker_of_folded_paratext_counts_its_paragraphs(edition: Built) -> None:
    blocks = edition.html("sources/space-alliance-feature.html").select("details.standoff-paratext-block")
    assert blocks
    for block in blocks:
        count = len(block.select("p.standoff-para"))
        noun = "paragraph" if count == 1 else "paragraphs"
        assert count and block.summary.get_text().endswith(f"({count} {noun})")
