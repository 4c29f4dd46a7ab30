"""The review aid compares the working tree with a git revision made in the test, per source and paragraph."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import ROOTS
from sphinx_standoff.cli import main

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.org",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.org",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(root: Path, *args: str) -> str:
    env = {**os.environ, **GIT_ENV}
    done = subprocess.run(["git", *args], cwd=root, env=env, capture_output=True, text=True, check=True)
    return done.stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository holding the tiny edition, committed on ``main``."""
    root = tmp_path / "edition"
    root.mkdir()
    tiny = ROOTS / "test-tiny"
    for name in ("sources", "annotations"):
        shutil.copytree(tiny / name, root / name)
    (root / "docs").mkdir()
    for page in ("index.md", "log.md", "recollections.md"):
        shutil.copyfile(tiny / page, root / "docs" / page)
    shutil.copyfile(tiny / "refs.bib", root / "docs" / "references.bib")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    return root


def review(root: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str, str]:
    capsys.readouterr()
    status = main(["--root", str(root), "review", *extra])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def insert_paragraph_before_the_keeper(root: Path) -> None:
    """A faithful edit of the transcription and its received text: a new paragraph moves ¶2 to ¶3."""
    received = root / "sources" / "received" / "alpha.txt"
    edit(received, "The keeper lit", "A storm came in from the west.\nThe keeper lit")
    digest = hashlib.sha256(received.read_bytes()).hexdigest()
    source = root / "sources" / "alpha.txt"
    text = source.read_text(encoding="utf-8")
    text = re.sub(r'sha256: "[0-9a-f]+"', f'sha256: "{digest}"', text)
    text = text.replace("The keeper lit", "A storm came in from the west.\n\nThe keeper lit")
    source.write_text(text, encoding="utf-8")


def test_nothing_changed(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = review(repo, capsys)
    assert status == 0, err
    assert "No annotation is added, removed, changed or re-anchored." in out


def test_added_removed_changed_and_reanchored_per_source_and_paragraph(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    annotations = repo / "annotations" / "tiny.yaml"
    # changed: the body of the cross-reference
    edit(
        annotations, "Both say the lamp was lit at dusk.", "Both say the lamp was lit at dusk; only one names the day."
    )
    # removed: the emendation
    edit(
        annotations,
        "  - id: shipp\n    kind: emendation\n    target:\n      source: harbour-log\n      exact: shipp\n"
        "    reading: ship\n    reason: misspelling\n",
        "",
    )
    # added: a note on the recollections
    (repo / "annotations" / "more.yaml").write_text(
        "annotations:\n  - id: grandfather\n    kind: note\n"
        "    target: {source: recollections, exact: My grandfather said}\n"
        "    body: The writer's grandfather, the keeper.\n    authors:\n      - name: A. Contributor\n",
        encoding="utf-8",
    )
    # re-anchored: the keeper note moves from ¶2 to ¶3 when a paragraph is inserted before it
    insert_paragraph_before_the_keeper(repo)
    status, out, err = review(repo, capsys, "--base", "main")
    assert status == 0, err
    assert out.startswith("## Annotations compared with `main`")
    assert "1 added, 1 removed, 1 changed, 1 re-anchored." in out
    log = out.index("### Harbour log (`harbour-log`)")
    recollections = out.index("### Recollections (`recollections`)")
    harbour = out[log:recollections] if log < recollections else out[log:]
    assert "- **¶3** · removed emendation `shipp` on “shipp”" in out
    assert "- **¶2 → ¶3** · re-anchored note `keeper-note` on “The keeper”; anchor ¶2 [0–10] → ¶3 [0–10]" in harbour
    assert "· changed cross-reference `lamp-lit`" in harbour and ": `body`" in harbour
    # a cross-reference is listed at each of its passages; here its log side moved with the new paragraph
    assert "- **¶2 → ¶3** · changed cross-reference `lamp-lit`" in harbour
    assert "- **¶2** · changed cross-reference `lamp-lit`" in out[recollections:]
    assert "- **¶2** · added note `grandfather` on “My grandfather said”" in out[recollections:]
    assert "> **Transcription changed:** `harbour-log`" in out


def test_changed_fields_are_named(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    annotations = repo / "annotations" / "tiny.yaml"
    edit(annotations, "      exact: The keeper\n", '      exact: The keeper\n      suffix: " lit"\n')
    edit(annotations, "    reading: ship\n", "    reading: ship\n    authors:\n      - name: B. Editor\n")
    status, out, _ = review(repo, capsys)
    assert status == 0
    assert "- **¶2** · changed note `keeper-note` on “The keeper”: `target.suffix`" in out
    assert "- **¶3** · changed emendation `shipp` on “shipp”: `authors`" in out
    assert "2 changed." in out


def test_a_broken_annotation_is_not_reported_as_removed(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit(repo / "annotations" / "tiny.yaml", "exact: shipp", "exact: shipppp")
    status, out, _ = review(repo, capsys)
    assert status == 0
    assert "· now fails the check emendation `shipp`" in out
    assert "Checker: **1 error**" in out
    assert re.search(r"annotations/tiny\.yaml:\d+:\d+: shipp: exact 'shipppp' not found", out), out


def test_review_reads_the_revision_not_the_working_tree(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Committing the change on a branch: compared with main it is still a change, with HEAD it is none."""
    edit(repo / "annotations" / "tiny.yaml", "The keeper is not named", "The keeper is never named")
    git(repo, "checkout", "-q", "-b", "contribution")
    git(repo, "commit", "-q", "-am", "reword")
    _, against_main, _ = review(repo, capsys, "--base", "main")
    _, against_head, _ = review(repo, capsys, "--base", "HEAD")
    assert "changed note `keeper-note`" in against_main
    assert "No annotation is added" in against_head


def test_unknown_revision_is_a_message_not_a_traceback(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = review(repo, capsys, "--base", "no-such-branch")
    assert status == 2
    assert "Traceback" not in out + err
    assert "unknown revision 'no-such-branch'" in err


def test_outside_a_repository_is_a_message(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("sources", "annotations"):
        shutil.copytree(ROOTS / "test-tiny" / name, tmp_path / name)
    env_dir = os.environ.get("GIT_CEILING_DIRECTORIES")
    os.environ["GIT_CEILING_DIRECTORIES"] = str(tmp_path.parent)
    try:
        status, out, err = review(tmp_path, capsys)
    finally:
        if env_dir is None:
            del os.environ["GIT_CEILING_DIRECTORIES"]
        else:
            os.environ["GIT_CEILING_DIRECTORIES"] = env_dir
    assert status == 2 and "Traceback" not in out + err
    assert err.startswith("standoff review: ")


def test_an_annotation_without_a_passage_is_listed_apart(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "annotations" / "events.yaml").write_text(
        "annotations:\n  - id: ev-lamp-lit\n    kind: event\n    label: The lamp is lit\n"
        "    record: {date: 1890-05-03}\n    evidence: The log says so.\n",
        encoding="utf-8",
    )
    status, out, _ = review(repo, capsys)
    assert status == 0
    assert "### Not attached to a passage\n\n- added event `ev-lamp-lit`: The lamp is lit" in out
