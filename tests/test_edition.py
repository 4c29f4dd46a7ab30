"""The full edition builds with warnings as errors, and nothing in annotations/ is lost on the way."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from conftest import PROJECT, Built
from sphinx_standoff import yamlsource
from sphinx_standoff.transcription import read_source

SOURCE_PAGES = sorted(p.stem for p in (PROJECT / "sources").glob("*.txt"))


def declared_annotations() -> list[dict]:
    found = []
    for path in sorted((PROJECT / "annotations").rglob("*.yaml")):
        data, _ = yamlsource.load(path.read_text(encoding="utf-8"))
        found.extend(data["annotations"])
    return found


def test_edition_builds_with_warnings_as_errors(edition: Built) -> None:
    assert edition.status == 0, edition.output


@pytest.mark.parametrize("source_id", SOURCE_PAGES)
def test_every_paragraph_of_every_source_is_numbered_and_anchored(edition: Built, source_id: str) -> None:
    source = read_source(PROJECT / "sources" / f"{source_id}.txt")
    page = edition.html(f"sources/{source_id}.html")
    ids = [p["id"] for p in page.select("p.standoff-para")]
    assert ids == [f"p{n}" for n in range(1, len(source.paragraphs) + 1)]


FIVE = {
    "sietzen-1997-10-02-spacedaily",
    "smithsonian-2018-space-exploration",
    "space-alliance-feature",
    "kennedy-1962-03-07-letter",
    "rusk-frus-xxv-391",
}


def selectors(annotation: dict) -> list[dict]:
    """The passages an annotation points at, in the order the extension numbers them."""
    if annotation["kind"] == "quotation":
        return [annotation["target"], annotation["quoted"]]
    if "targets" in annotation:
        return annotation["targets"]
    return [annotation["target"]] if annotation.get("target") else []


def test_at_least_forty_annotations_cover_all_five_accounts() -> None:
    annotations = declared_annotations()
    assert len(annotations) >= 40
    targeted = {target["source"] for annotation in annotations for target in selectors(annotation)}
    assert targeted >= FIVE


def test_every_annotation_appears_in_the_output(edition: Built) -> None:
    """Each annotation is shown at each of its passages, and events, claims and discrepancies on their pages."""
    declared = declared_annotations()
    rendered: Counter[str] = Counter()
    for source_id in SOURCE_PAGES:
        page = edition.html(f"sources/{source_id}.html")
        for note in page.select("aside.standoff-note"):
            rendered[note["id"].removeprefix("ann-")] += 1
    expected: Counter[str] = Counter()
    for annotation in declared:
        if annotation["kind"] in ("entity", "identification"):
            continue  # shown in the registers of names, and as links on the names in the text
        passages = selectors(annotation)
        if len(passages) == 1:
            expected[annotation["id"]] += 1
        else:
            for index in range(len(passages)):
                expected[f"{annotation['id']}-{index + 1}"] += 1
    assert rendered == expected
    assert len({a["id"] for a in declared}) == len(declared)
    chronology = edition.html("chronology.html")
    register = edition.html("register.html")
    names = edition.html("registers.html")
    for annotation in declared:
        if annotation["kind"] in ("event", "claim"):
            assert chronology.find(id=f"ann-{annotation['id']}") is not None, annotation["id"]
        if annotation["kind"] == "discrepancy":
            assert register.find(id=f"d-{annotation['id']}") is not None, annotation["id"]
        if annotation["kind"] in ("entity", "identification"):
            assert names.find(id=f"ann-{annotation['id']}") is not None, annotation["id"]


def test_cross_references_resolve_to_paragraph_anchors(edition: Built) -> None:
    checked = 0
    for source_id in SOURCE_PAGES:
        page = edition.html(f"sources/{source_id}.html")
        for note in page.select("aside.standoff-cross-reference"):
            for link in note.select("p.standoff-compare a.reference"):
                target_page, _, anchor = link["href"].partition("#")
                target = edition.html(str(Path("sources") / target_page)) if target_page else page
                assert target.find(id=anchor) is not None, link["href"]
                checked += 1
    assert checked > 0


def test_names_in_the_text_link_to_their_register_entry(edition: Built) -> None:
    page = edition.html("sources/rusk-frus-xxv-391.html")
    links = [a for a in page.select("a.reference") if a.find(class_="standoff-mention")]
    assert links, "no name in the memorandum links to the registers"
    names = edition.html("registers.html")
    for link in links:
        target, _, anchor = link["href"].partition("#")
        assert target.endswith("registers.html") and names.find(id=anchor) is not None, link["href"]
