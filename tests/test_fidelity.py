"""Each transcription reproduces its received text word for word (whitespace and line breaks aside)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sphinx_standoff.transcription import read_source

SOURCES = Path(__file__).parent.parent / "sources"
TRANSCRIPTIONS = sorted(SOURCES.glob("*.txt"))


def test_the_five_accounts_are_there() -> None:
    stems = {p.stem for p in TRANSCRIPTIONS}
    assert {
        "sietzen-1997-10-02-spacedaily",
        "smithsonian-2018-space-exploration",
        "space-alliance-feature",
        "kennedy-1962-03-07-letter",
        "rusk-frus-xxv-391",
    } <= stems


@pytest.mark.parametrize("path", TRANSCRIPTIONS, ids=lambda p: p.stem)
def test_transcription_reproduces_received_text(path: Path) -> None:
    source = read_source(path)
    received = source.words_of_received_file()
    transcribed = source.received_words()
    if transcribed != received:
        # name the first place they part, so a failure says where to look
        for index, (ours, theirs) in enumerate(zip(transcribed, received, strict=False)):
            if ours != theirs:
                context = " ".join(received[max(0, index - 5) : index + 5])
                pytest.fail(f"word {index}: transcription has {ours!r}, received text has {theirs!r} ({context})")
        pytest.fail(f"transcription has {len(transcribed)} words, received text {len(received)}")


@pytest.mark.parametrize("path", TRANSCRIPTIONS, ids=lambda p: p.stem)
def test_received_file_is_the_one_recorded(path: Path) -> None:
    source = read_source(path)
    assert hashlib.sha256(source.received_path.read_bytes()).hexdigest() == source.meta.received.sha256


@pytest.mark.parametrize("path", TRANSCRIPTIONS, ids=lambda p: p.stem)
def test_received_copy_matches_shared_seed_when_present(path: Path) -> None:
    source = read_source(path)
    seed = SOURCES.parent.parent / "shared" / "seeds" / source.received_path.name
    if source.meta.received.format != "text":
        pytest.skip("not one of the five seeds")
    if not seed.exists():
        pytest.skip("../shared/seeds is not beside this checkout")
    assert seed.read_bytes() == source.received_path.read_bytes()


def test_fidelity_check_catches_a_changed_word(tmp_path: Path) -> None:
    """The check above can fail: a transcription that 'corrects' a word no longer matches."""
    original = SOURCES / "kennedy-1962-03-07-letter.txt"
    target = tmp_path / original.name
    (tmp_path / "received").mkdir()
    source = read_source(original)
    (tmp_path / "received" / source.received_path.name).write_bytes(source.received_path.read_bytes())
    text = original.read_text(encoding="utf-8")
    body_start = text.index("\n---", 3) + 4
    words = text[body_start:].split()
    victim = next(w for w in words if w.isalpha() and len(w) > 4)
    target.write_text(text[:body_start] + text[body_start:].replace(victim, victim.upper(), 1), encoding="utf-8")
    assert read_source(target).received_words() != source.words_of_received_file()
