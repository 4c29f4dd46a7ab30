"""Shared fixtures: Sphinx's own testing fixtures, the tiny test edition, and the full edition built once."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from sphinx.cmd.build import build_main

pytest_plugins = ("sphinx.testing.fixtures",)

TESTS = Path(__file__).parent
PROJECT = TESTS.parent
ROOTS = TESTS / "roots"


@pytest.fixture(scope="session")
def rootdir() -> Path:
    return ROOTS


@pytest.fixture(scope="session", autouse=True)
def checker_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The checker's YAML cache goes to a folder of the test run's own, not the user's ``~/.cache``."""
    folder = tmp_path_factory.mktemp("standoff-cache")
    before = os.environ.get("STANDOFF_CACHE_DIR")
    os.environ["STANDOFF_CACHE_DIR"] = str(folder)
    yield folder
    if before is None:
        del os.environ["STANDOFF_CACHE_DIR"]
    else:
        os.environ["STANDOFF_CACHE_DIR"] = before


class Built:
    """The result of a sphinx-build run: exit status, what it printed, and the output folder."""

    def __init__(self, status: int, output: str, outdir: Path) -> None:
        self.status = status
        self.output = output
        self.outdir = outdir

    def html(self, page: str) -> BeautifulSoup:
        return BeautifulSoup((self.outdir / page).read_text(encoding="utf-8"), "html.parser")


def run_sphinx(srcdir: Path, outdir: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> Built:
    """Run ``sphinx-build -W --keep-going`` as a user would and capture what it prints."""
    capsys.readouterr()
    status = build_main(["-W", "--keep-going", "-q", "-E", "-b", "html", *extra, str(srcdir), str(outdir)])
    captured = capsys.readouterr()
    return Built(status, captured.out + captured.err, outdir)


@pytest.fixture
def tiny_project(tmp_path: Path) -> Path:
    """A fresh copy of the tiny edition, to be altered by a test."""
    target = tmp_path / "tiny"
    shutil.copytree(ROOTS / "test-tiny", target)
    return target


@pytest.fixture
def build_tiny(tiny_project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Callable[..., Built]:
    """Build the tiny edition after writing the given annotation files into it."""

    def build(files: dict[str, str] | None = None, *, replace: bool = False) -> Built:
        folder = tiny_project / "annotations"
        if replace:
            for path in folder.glob("*.yaml"):
                path.unlink()
        for name, text in (files or {}).items():
            (folder / name).write_text(text, encoding="utf-8")
        return run_sphinx(tiny_project, tmp_path / "out", capsys)

    return build


@pytest.fixture(scope="session")
def edition(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The full edition, built once for the session with warnings as errors."""
    import contextlib
    import io

    outdir = tmp_path_factory.mktemp("edition") / "html"
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(buffer):
        status = build_main(["-W", "--keep-going", "-q", "-E", "-b", "html", str(PROJECT / "docs"), str(outdir)])
    return Built(status, buffer.getvalue(), outdir)
