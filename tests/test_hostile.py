"""Hostile input: each case is refused with a clear message by the checker and by the build; nothing is run.

Contributed annotation files are untrusted. Each case below writes one hostile file (or link) into a copy of
the tiny edition, then runs the checker (``standoff check``) and ``sphinx-build -W``: both must fail, name the
reason, print no traceback, and leave no trace of having executed anything. The build must also make no
network request.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Built
from sphinx_standoff.cli import main

MARKER = "standoff-was-pwned"


def note(body: str, ident: str = "hostile") -> str:
    """An annotation file holding one note with ``body`` (a YAML block scalar)."""
    indented = "".join(f"      {line}\n" for line in body.splitlines())
    return (
        f"annotations:\n  - id: {ident}\n    kind: note\n    target: {{source: harbour-log, exact: shipp}}\n"
        f"    body: |\n{indented}"
    )


BILLION_LAUGHS = (
    "annotations:\n"
    "  - id: bomb\n"
    "    kind: note\n"
    "    target: {source: harbour-log, exact: shipp}\n"
    '    a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    "    b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
    "    c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
    "    d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
    "    e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
    "    f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
    "    g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
    "    h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
    "    body: *h\n"
)

#: name -> (file text, with {marker} for a path the file tries to create; expected message)
CASES: dict[str, tuple[str, str]] = {
    "script-tag": (note("A ship.\n<script>alert(document.cookie)</script>"), r"raw HTML is not allowed"),
    "inline-script": (note("A <script>alert(1)</script> ship."), r"raw HTML is not allowed"),
    "event-handler": (note('A ship. <img src="x" onerror="alert(1)">'), r"raw HTML is not allowed"),
    "javascript-link": (note("[a ship](javascript:alert(1))"), r"link scheme 'javascript': is not allowed"),
    "javascript-mixed-case": (note("[a ship](JaVaScRiPt:alert(1))"), r"link scheme 'javascript': is not allowed"),
    "javascript-autolink": (note("<javascript:alert(1)>"), r"link scheme 'javascript': is not allowed"),
    "javascript-entity": (note("[a ship](&#106;avascript:alert(1))"), r"link scheme 'javascript': is not allowed"),
    "javascript-reference": (
        note("[a ship][x]\n\n[x]: javascript:alert(1)"),
        r"link scheme 'javascript': is not allowed",
    ),
    "data-url": (note("[a ship](data:text/html;base64,PHNjcmlwdD4=)"), r"link scheme 'data': is not allowed"),
    "raw-directive": (note("```{raw} html\n<script>alert(1)</script>\n```"), r"directive \{raw\} is not allowed"),
    "raw-colon-directive": (
        note(":::{raw} html\n<script>alert(1)</script>\n:::"),
        r"(directive \{raw\}|raw HTML) is not allowed",
    ),
    "include-directive": (note("```{include} /etc/passwd\n```"), r"directive \{include\} is not allowed"),
    "include-outside": (note("```{include} ../../../../etc/passwd\n```"), r"directive \{include\} is not allowed"),
    "literalinclude": (note("```{literalinclude} /etc/passwd\n```"), r"directive \{literalinclude\} is not allowed"),
    "eval-rst": (
        note("```{eval-rst}\n.. raw:: html\n\n   <script>alert(1)</script>\n```"),
        r"directive \{eval-rst\} is not allowed",
    ),
    "raw-role": (note("{raw-html}`<script>alert(1)</script>`"), r"role \{raw-html\} is not allowed"),
    "python-object-apply": (
        "annotations:\n  - !!python/object/apply:os.system ['touch {marker}']\n",
        r"YAML tag .*python/object/apply:os\.system.* is not allowed",
    ),
    "python-object-in-a-field": (
        "annotations:\n  - id: x\n    kind: note\n    target: {source: harbour-log, exact: shipp}\n"
        "    body: !!python/object/apply:os.system ['touch {marker}']\n",
        r"YAML tag .*python/object/apply:os\.system.* is not allowed",
    ),
    "python-object-scalar": (
        "annotations:\n  - id: x\n    kind: note\n    target: {source: harbour-log, exact: shipp}\n"
        "    body: !!python/object/apply:os.system 'touch {marker}'\n",
        r"YAML value refused: could not determine a constructor for the tag .*python/object/apply:os\.system",
    ),
    "python-name": ("annotations: !!python/name:os.system\n", r"YAML value refused"),
    "deeply-nested-flow": ("annotations: " + "[" * 50_000 + "]" * 50_000 + "\n", r"YAML nested too deeply"),
    "deeply-nested-block": (
        "annotations:\n" + "".join("  " * depth + "-\n" for depth in range(1, 200)),
        r"YAML nested too deeply",
    ),
    "alias-bomb": (BILLION_LAUGHS, r"YAML document too large \(more than \d+ values\)"),
    "ten-megabyte-body": (note("A ship. " * 1_310_720), r"file too large \(\d+ bytes; at most \d+\)"),
    "long-body": (note("A ship. " * 3_000), r"body: too long \(at most 20000 characters\)"),
}


def tiny_args(tiny: Path) -> list[str]:
    return ["--root", str(tiny), "check", "--bib", str(tiny / "refs.bib"), "--docs", str(tiny)]


def checker(tiny: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    capsys.readouterr()
    status = main(tiny_args(tiny))
    captured = capsys.readouterr()
    return status, captured.out + captured.err


@pytest.fixture
def marker(tmp_path: Path) -> Path:
    return tmp_path / MARKER


@pytest.mark.parametrize("case", sorted(CASES))
def test_hostile_annotation_is_refused_by_the_checker_and_the_build(
    case: str,
    tiny_project: Path,
    build_tiny: Callable[..., Built],
    capsys: pytest.CaptureFixture[str],
    marker: Path,
) -> None:
    text, expected = CASES[case]
    text = text.replace("{marker}", str(marker))
    (tiny_project / "annotations" / "hostile.yaml").write_text(text, encoding="utf-8")

    status, output = checker(tiny_project, capsys)
    assert status == 1, output
    assert "Traceback" not in output
    lines = [line for line in output.splitlines() if line.startswith("annotations/hostile.yaml:")]
    assert any(re.search(expected, line) for line in lines), output[:3000]

    built = build_tiny()
    assert built.status != 0, built.output[:3000]
    assert "Traceback" not in built.output
    lines = [line for line in built.output.splitlines() if "hostile.yaml" in line]
    assert any(re.search(expected, line) for line in lines), built.output[:3000]
    assert not marker.exists(), "a YAML tag executed a command"
    page = (built.outdir / "log.html").read_text(encoding="utf-8")
    assert "<script>alert" not in page and "javascript:" not in page.lower()


# -- paths outside the project ----------------------------------------------------------------------------------


def set_received(tiny: Path, value: str) -> None:
    source = tiny / "sources" / "alpha.txt"
    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace("file: received/alpha.txt", f"file: {value}"), encoding="utf-8")


@pytest.mark.parametrize("received", ["../../../etc/passwd", "/etc/passwd", "received/../../annotations/tiny.yaml"])
def test_received_file_outside_the_sources_folder_is_refused(
    received: str, tiny_project: Path, build_tiny: Callable[..., Built], capsys: pytest.CaptureFixture[str]
) -> None:
    set_received(tiny_project, received)
    expected = f"received file {received!r} is outside the sources folder"
    status, output = checker(tiny_project, capsys)
    assert status == 1 and "Traceback" not in output
    assert re.search(r"^sources/alpha\.txt:\d+:1: " + re.escape(expected), output, re.M), output
    built = build_tiny()
    assert built.status != 0 and "Traceback" not in built.output
    assert expected in built.output


def test_received_file_that_links_outside_is_refused(
    tiny_project: Path, tmp_path: Path, build_tiny: Callable[..., Built], capsys: pytest.CaptureFixture[str]
) -> None:
    """A symlink inside sources/received/ is followed before the check: the real file is outside."""
    received = tiny_project / "sources" / "received" / "alpha.txt"
    outside = tmp_path / "elsewhere.txt"
    outside.write_bytes(received.read_bytes())  # same bytes, same SHA-256: only the place is wrong
    received.unlink()
    received.symlink_to(outside)
    status, output = checker(tiny_project, capsys)
    assert status == 1
    assert "received file 'received/alpha.txt' is outside the sources folder" in output
    assert build_tiny().status != 0


def test_annotation_file_that_links_outside_is_refused(
    tiny_project: Path, tmp_path: Path, build_tiny: Callable[..., Built], capsys: pytest.CaptureFixture[str]
) -> None:
    outside = tmp_path / "outside.yaml"
    outside.write_text(
        "annotations:\n  - id: smuggled\n    kind: note\n    target: {source: harbour-log, exact: shipp}\n"
        "    body: From outside the project.\n",
        encoding="utf-8",
    )
    (tiny_project / "annotations" / "linked.yaml").symlink_to(outside)
    status, output = checker(tiny_project, capsys)
    assert status == 1 and "Traceback" not in output
    assert "annotations/linked.yaml:1:1: refused: a link to a file outside the annotations folder" in output
    built = build_tiny()
    assert built.status != 0
    assert "refused: a link to a file outside the annotations folder" in built.output
    assert built.html("log.html").find(id="ann-smuggled") is None


def test_annotation_file_that_links_inside_the_folder_is_fine(
    tiny_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Only links that leave the folder are refused."""
    folder = tiny_project / "annotations"
    (folder / "kept").mkdir()
    (folder / "tiny.yaml").rename(folder / "kept" / "tiny.txt")  # not itself an annotation file
    (folder / "tiny.yaml").symlink_to(folder / "kept" / "tiny.txt")
    status, output = checker(tiny_project, capsys)
    assert status == 0, output


def test_source_file_that_links_outside_is_refused(
    tiny_project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tiny_project / "sources" / "beta.txt"
    outside = tmp_path / "beta.txt"
    outside.write_bytes(source.read_bytes())
    source.unlink()
    source.symlink_to(outside)
    status, output = checker(tiny_project, capsys)
    assert status == 1
    assert "sources/beta.txt:1:1: refused: a link to a file outside the sources folder" in output


# -- no network ---------------------------------------------------------------------------------------------


def test_the_build_makes_no_network_request(
    build_tiny: Callable[..., Built], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    attempts: list[object] = []

    def refuse(*args: object, **kwargs: object) -> None:
        attempts.append(args[1:] if args else kwargs)
        raise OSError("network access during the build")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    built = build_tiny()
    assert built.status == 0, built.output
    assert attempts == [], attempts
    # the guard works: anything that did try would have been stopped and recorded
    with pytest.raises(OSError, match="network access"):
        socket.create_connection(("127.0.0.1", 9))
    assert attempts
