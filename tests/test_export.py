"""The apparatus exported as a W3C Web Annotation collection (JSON-LD)."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import pytest
from conftest import ROOTS, Built, run_sphinx
from test_edition import declared_annotations

MOTIVATIONS = {"commenting", "editing", "linking", "describing", "classifying", "assessing", "identifying"}


def check_shape(data: dict) -> list[dict]:
    """Assert the collection has the Web Annotation shape; return its annotations."""
    assert "http://www.w3.org/ns/anno.jsonld" in data["@context"]
    assert data["type"] == "AnnotationCollection"
    page = data["first"]
    assert page["type"] == "AnnotationPage"
    items = page["items"]
    assert data["total"] == len(items)
    ids = [item["id"] for item in items]
    assert len(ids) == len(set(ids)), "annotation IRIs are unique"
    for item in items:
        assert item["type"] == "Annotation"
        assert item["id"].startswith("annotations.jsonld#")
        assert item["motivation"] in MOTIVATIONS
        targets = item["target"] if isinstance(item["target"], list) else [item["target"]]
        for target in targets:
            assert target["type"] == "SpecificResource"
            assert target["source"]
            if "selector" in target:
                selector = target["selector"]
                assert selector["type"] == "TextQuoteSelector" and selector["exact"]
    return items


def test_export_of_the_small_root_has_every_annotation_and_the_flags(tmp_path: Path, capsys) -> None:
    root = tmp_path / "root"
    shutil.copytree(ROOTS / "test-discrepancy", root)
    built: Built = run_sphinx(root, tmp_path / "out", capsys)
    assert built.status == 0, built.output
    items = check_shape(json.loads((built.outdir / "annotations.jsonld").read_text(encoding="utf-8")))
    by_id = {item["id"].split("#")[1]: item for item in items}
    assert set(by_id) == {
        "ev-order",
        "cl-order-date",
        "cl-memoir-date",
        "qt-memoir-order",
        "auto-ev-order-date",
        "auto-qt-memoir-order",
    }
    quotation = by_id["qt-memoir-order"]
    assert [t["source"] for t in quotation["target"]] == ["memoir.html", "order.html"]
    flag = by_id["auto-ev-order-date"]
    assert flag["motivation"] == "assessing" and flag["standoff:discrepancy"] == "date"
    assert len(flag["target"]) == 2


def test_export_of_the_edition_holds_every_annotation(edition: Built) -> None:
    items = check_shape(json.loads((edition.outdir / "annotations.jsonld").read_text(encoding="utf-8")))
    kinds = Counter(item["standoff:kind"] for item in items)
    declared = declared_annotations()
    assert len(items) - kinds["flag"] == len(declared)
    assert {item["id"].split("#")[1] for item in items if item["standoff:kind"] != "flag"} == {
        a["id"] for a in declared
    }


@pytest.mark.parametrize("kind", ["note", "emendation", "cross-reference"])
def test_edition_export_has_the_core_kinds(edition: Built, kind: str) -> None:
    items = json.loads((edition.outdir / "annotations.jsonld").read_text(encoding="utf-8"))["first"]["items"]
    assert any(item["standoff:kind"] == kind for item in items)
