"""The fast checker reports everything the build rejects, in the editors' format, fast, without Sphinx."""

from __future__ import annotations

import re
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import PROJECT
from sphinx_standoff.check import check, format_diagnostic, fragile_selectors
from sphinx_standoff.cli import main
from sphinx_standoff.diagnostics import Diagnostic
from test_errors import CASES


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    status = main(list(args))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def tiny_args(tiny: Path) -> list[str]:
    """The tiny edition keeps its bibliography and pages at its root, not in docs/."""
    return ["--root", str(tiny), "check", "--bib", str(tiny / "refs.bib"), "--docs", str(tiny)]


def test_the_edition_passes_the_check_quickly() -> None:
    started = time.process_time()  # CPU time: other work on the machine does not count
    result = check(PROJECT)
    elapsed = time.process_time() - started
    assert result.errors == [], "\n".join(format_diagnostic(d, PROJECT) for d in result.errors)
    assert len(result.edition.annotations) == result.edition.declared >= 40
    assert elapsed < 2.0, f"the check took {elapsed:.2f} s"


def test_the_command_runs_without_sphinx_in_about_a_second() -> None:
    """A fresh interpreter, as a contributor runs it: imports and check under two seconds of CPU time.

    CPU time (user + system of the child), not wall time, so that other work on the machine cannot make the
    test fail; on an idle machine the two are the same.
    """
    code = f"import sys; from sphinx_standoff.cli import main; sys.exit(main(['--root', {str(PROJECT)!r}, 'check']))"
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 errors" in done.stderr
    assert cpu < 2.0, f"standoff check took {cpu:.2f} s of CPU time"


@pytest.mark.parametrize("case", sorted(CASES))
def test_checker_reports_each_error_the_build_rejects(
    case: str, tiny_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text, expected = CASES[case]
    (tiny_project / "annotations" / "bad.yaml").write_text(text, encoding="utf-8")
    status, out, err = run_cli(capsys, *tiny_args(tiny_project))
    assert status == 1, out + err
    assert "Traceback" not in out + err
    # the build says ``bad.yaml:LINE: id: message``; the checker adds the folder and the column
    pattern = re.sub(r"^bad\\\.yaml:(\d+):", r"annotations/bad\\.yaml:\1:\\d+:", expected)
    lines = [line for line in out.splitlines() if "bad.yaml" in line]
    assert any(re.match(pattern, line) for line in lines), "\n".join(lines) or out + err


def test_good_tiny_edition_passes(tiny_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run_cli(capsys, *tiny_args(tiny_project))
    assert status == 0, out + err
    assert "anchored in 2 sources (1 annotation file): 0 errors," in err


def test_missing_page_is_reported_as_the_build_reports_it(
    tiny_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tiny_project / "recollections.md").write_text("# Nothing here\n", encoding="utf-8")
    status, out, _ = run_cli(capsys, *tiny_args(tiny_project))
    assert status == 1
    assert re.search(r"^sources/beta\.txt:\d+:1: source 'recollections' has no page", out, re.M), out
    assert "lamp-lit: annotates source 'recollections', which has no page" in out


def test_unreadable_bibliography_is_an_error_not_a_traceback(
    tiny_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = tiny_args(tiny_project)
    args[args.index("--bib") + 1] = str(tiny_project / "nowhere.bib")
    status, out, err = run_cli(capsys, *args)
    assert status == 1 and "Traceback" not in out + err
    assert "nowhere.bib:1:1: cannot read the bibliography" in out


def test_missing_folders_are_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run_cli(capsys, "--root", str(tmp_path), "check")
    assert status == 1 and "Traceback" not in out + err
    assert "sources:1:1: sources folder not found" in out
    assert "annotations:1:1: annotations folder not found" in out


def test_github_format_when_run_in_github_actions(
    tiny_project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tiny_project / "annotations" / "bad.yaml").write_text(CASES["not-found"][0], encoding="utf-8")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    status, out, _ = run_cli(capsys, *tiny_args(tiny_project))
    assert status == 1
    line = next(line for line in out.splitlines() if "bad.yaml" in line)
    assert re.match(r"^::error file=annotations/bad\.yaml,line=2,col=5,title=standoff error::absent: exact ", line)
    # the message may hold commas and colons; only the properties are escaped
    assert "%2C" not in line.split("::", 2)[2]
    monkeypatch.delenv("GITHUB_ACTIONS")
    status, out, _ = run_cli(capsys, *tiny_args(tiny_project), "--format", "text")
    assert re.search(r"^annotations/bad\.yaml:2:5: absent: exact 'A ship passed' not found", out, re.M), out


def test_github_format_escapes_newlines_and_percent() -> None:
    diagnostic = Diagnostic("a,b:c.yaml", 3, 4, "x", "50% of\nthis", severity="warning")
    line = format_diagnostic(diagnostic, Path("/nowhere"), "github")
    assert line == "::warning file=a%2Cb%3Ac.yaml,line=3,col=4,title=standoff warning::x: 50%25 of%0Athis"


FRAGILE = """\
annotations:
  - id: short-note
    kind: note
    target: {source: harbour-log, exact: dawn}
    body: Short.
  - id: common-words
    kind: note
    target: {source: harbour-log, exact: "and the"}
    body: Generic.
  - id: short-with-context
    kind: note
    target: {source: harbour-log, exact: dawn, prefix: "the lamp burned till "}
    body: Held in place by its prefix.
  - id: long-enough
    kind: note
    target: {source: harbour-log, exact: "passed the point at nine"}
    body: Distinctive.
  - id: common-words-short-context
    kind: note
    target: {source: harbour-log, exact: "and the", prefix: "dusk "}
    body: Generic, and held by a word only.
  - id: short-own-words-short-context
    kind: note
    target: {source: harbour-log, exact: "till dawn", prefix: "burned "}
    body: Short, but its own words and some context.
"""


def test_short_or_generic_selectors_are_warned_about_but_do_not_fail(
    tiny_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tiny_project / "annotations" / "fragile.yaml").write_text(FRAGILE, encoding="utf-8")
    result = check(tiny_project, bib=tiny_project / "refs.bib", docs=tiny_project)
    assert result.errors == []
    warned = {d.annotation: d.message for d in fragile_selectors(result.edition)}
    assert set(warned) == {"short-note", "common-words", "common-words-short-context", "keeper-note", "shipp"}
    assert "prefix/suffix is short" in warned["common-words-short-context"]
    assert "is short (1 word, 4 characters)" in warned["short-note"]
    assert "only of very common words" in warned["common-words"]
    status, out, _ = run_cli(capsys, *tiny_args(tiny_project))
    assert status == 0
    assert re.search(r"^annotations/fragile\.yaml:2:5: short-note: warning: fragile selector", out, re.M), out
    status, _, _ = run_cli(capsys, *tiny_args(tiny_project), "--strict")
    assert status == 1


def test_console_script_is_declared() -> None:
    text = (PROJECT / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r'^\[project\.scripts\]\nstandoff = "sphinx_standoff\.cli:run"$', text, re.M)


def test_a_page_naming_an_unknown_or_an_already_shown_source_is_reported(
    tiny_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tiny_project / "ghost.md").write_text("# Ghost\n\n```{standoff-source} no-such-source\n```\n", encoding="utf-8")
    (tiny_project / "again.md").write_text("# Again\n\n```{standoff-source} harbour-log\n```\n", encoding="utf-8")
    status, out, _ = run_cli(capsys, *tiny_args(tiny_project))
    assert status == 1
    assert re.search(r"^ghost\.md:3:1: standoff-source: unknown source 'no-such-source' \(known sources: ", out, re.M)
    # pages are read in name order, as Sphinx reads them: again.md first, so log.md is the second page
    expected = r"^log\.md:1:1: standoff-source: source 'harbour-log' is already shown on page again\.md"
    assert re.search(expected, out, re.M), out


def test_the_command_frees_nothing_before_it_exits(
    tiny_project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``standoff`` exits without freeing the checked edition (millions of objects in a large one, 0.3 s to
    free): not as ``run_check`` returns, nor as the interpreter shuts down."""
    import os
    import weakref

    import sphinx_standoff.check
    from sphinx_standoff import cli

    made: list[weakref.ref[object]] = []
    checking = sphinx_standoff.check.check

    def check_kept_track_of(*args: object, **kwargs: object) -> object:
        result = checking(*args, **kwargs)  # type: ignore[arg-type]
        made.append(weakref.ref(result))
        return result

    exits: list[tuple[int, bool]] = []

    def exit_at_once(status: int) -> None:
        exits.append((status, all(ref() is not None for ref in made)))
        raise SystemExit(status)

    monkeypatch.setattr(sphinx_standoff.check, "check", check_kept_track_of)
    monkeypatch.setattr(os, "_exit", exit_at_once)
    monkeypatch.setattr(sys, "argv", ["standoff", *tiny_args(tiny_project)])
    with pytest.raises(SystemExit):
        cli.run()
    assert len(made) == 1
    assert exits == [(0, True)], capsys.readouterr().err
