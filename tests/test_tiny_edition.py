"""A tiny edition that has nothing to do with the five texts: the extension is content-agnostic."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from conftest import Built


def test_each_paragraph_is_numbered_and_anchored(build_tiny: Callable[..., Built]) -> None:
    page = build_tiny().html("log.html")
    paragraphs = page.select("p.standoff-para")
    assert [p["id"] for p in paragraphs] == ["p1", "p2", "p3"]
    for number, paragraph in enumerate(paragraphs, start=1):
        link = paragraph.find("a", class_="standoff-pnum")
        assert link.get_text() == str(number) and link["href"] == f"#p{number}"


def test_note_sits_at_its_words_and_is_reachable_and_returnable(build_tiny: Callable[..., Built]) -> None:
    page = build_tiny().html("log.html")
    mark = page.find("mark", attrs={"data-annotations": "keeper-note"})
    assert mark.get_text() == "The keeper"
    assert mark.find_parent("p")["id"] == "p2"
    ref = mark.find_next_sibling("a")
    assert ref["href"] == "#ann-keeper-note"
    note = page.find(id="ann-keeper-note")
    # the note follows its paragraph and links back to its call
    assert note.find_previous("p", class_="standoff-para")["id"] == "p2"
    assert note.find("a", attrs={"role": "doc-backlink"})["href"] == "#" + ref["id"]
    assert "not named in the log" in note.get_text()
    assert "Smi90" in note.get_text() or "Smith" in note.get_text()


def test_emendation_shows_both_readings(build_tiny: Callable[..., Built]) -> None:
    page = build_tiny().html("log.html")
    emendation = page.find("span", class_="standoff-emendation")
    assert emendation.find("del", class_="standoff-sic").get_text() == "shipp"
    assert emendation.find("ins", class_="standoff-reading").get_text() == "ship"
    note = page.find(id="ann-shipp")
    assert "“shipp”" in note.get_text() and "“ship”" in note.get_text()


def test_cross_reference_links_both_ways_and_quotes_the_other_side(build_tiny: Callable[..., Built]) -> None:
    built = build_tiny()
    here = built.html("log.html").find(id="ann-lamp-lit-1")
    there = built.html("recollections.html").find(id="ann-lamp-lit-2")
    assert here.find("a", class_="reference")["href"] == "recollections.html#p2"
    assert "the lamp was lit at dusk" in here.get_text()
    assert there.find("a", class_="reference")["href"] == "log.html#p2"
    assert "lit the lamp at dusk" in there.get_text()


def test_paratext_is_kept_and_marked(build_tiny: Callable[..., Built]) -> None:
    page = build_tiny().html("recollections.html")
    block = page.find("details", class_="standoff-paratext-block")
    assert block["data-kind"] == "advertisement"
    assert "buy lamp oil" in block.get_text()
    assert block.find("p", class_="standoff-para")["id"] == "p3"


def test_headnote_and_provenance_are_shown(build_tiny: Callable[..., Built]) -> None:
    page = build_tiny().html("recollections.html")
    assert "Family memory" in page.find(class_="standoff-headnote").get_text()
    provenance = page.find(class_="standoff-provenance").get_text()
    assert "secondary account" in provenance and "received/beta.txt" in provenance


def test_source_without_page_fails_the_build(build_tiny: Callable[..., Built], tiny_project) -> None:
    (tiny_project / "recollections.md").write_text("# Nothing here\n", encoding="utf-8")
    built = build_tiny()
    assert built.status != 0
    assert "source 'recollections' has no page" in built.output
    assert "lamp-lit: annotates source 'recollections', which has no page" in built.output


def test_comparisons_count_the_parallel_passages_of_each_pair(
    tiny_project: Path, build_tiny: Callable[..., Built]
) -> None:
    (tiny_project / "comparisons.md").write_text(
        "---\norphan: true\n---\n\n# Comparisons\n\n```{standoff-comparison}\n```\n", encoding="utf-8"
    )
    page = build_tiny().html("comparisons.html")
    pairs = [link.get_text() for link in page.select("ul.standoff-pairs a")]
    assert pairs == ["Harbour log and Recollections (1 parallel passage)"]
