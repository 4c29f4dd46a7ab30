"""Selectors find their passage only in the documented forgiving ways."""

from __future__ import annotations

from pathlib import Path

import pytest
from sphinx_standoff.anchoring import AnchorError, SourceText, fold
from sphinx_standoff.transcription import read_source

TINY = Path(__file__).parent / "roots" / "test-tiny" / "sources"


@pytest.fixture
def log() -> SourceText:
    return SourceText(read_source(TINY / "alpha.txt"))


def test_fold_quotes_whitespace_and_nfc() -> None:
    assert fold("“JFK’s”\n\t offer") == '"JFK\'s" offer'
    assert fold("Cafe\u0301") == "Caf\u00e9"


def test_exact_anchors_in_its_paragraph(log: SourceText) -> None:
    anchor = log.anchor("shipp")
    assert anchor.paragraph == 3
    assert log.source.paragraph(3).text[anchor.start : anchor.end] == "shipp"


def test_whitespace_and_quotes_are_forgiven(log: SourceText) -> None:
    assert log.anchor("lit   the\nlamp").paragraph == 2


def test_case_and_punctuation_are_not_forgiven(log: SourceText) -> None:
    with pytest.raises(AnchorError, match="not found"):
        log.anchor("Lit the lamp")


def test_ambiguous_exact_names_every_place_and_asks_for_context(log: SourceText) -> None:
    with pytest.raises(AnchorError) as error:
        log.anchor("the lamp")
    message = str(error.value)
    assert "occurs 2 times" in message and "¶2" in message and "prefix or suffix" in message


def test_prefix_and_suffix_choose_one(log: SourceText) -> None:
    first = log.anchor("the lamp", prefix="lit")
    second = log.anchor("the lamp", suffix="burned")
    assert first.start < second.start


def test_not_found_names_the_closest_passage(log: SourceText) -> None:
    with pytest.raises(AnchorError, match=r"closest passage is ¶3"):
        log.anchor("A ship passed the point")


def test_exact_may_not_cross_paragraphs(log: SourceText) -> None:
    with pytest.raises(AnchorError, match="runs from ¶2 into ¶3"):
        log.anchor("till dawn. A shipp")
