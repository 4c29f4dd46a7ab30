"""Sessions: ``html`` builds the reading edition, ``pdf`` the printed one, ``tests`` runs the test suite, ``lint``
checks the code, ``check`` checks the annotations without building, ``bench`` measures the edition against plain
Sphinx."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import nox

nox.options.sessions = ["lint", "tests"]
nox.options.reuse_existing_virtualenvs = True

ROOT = Path(__file__).parent
HTML = ROOT / "docs" / "_build" / "html"
BUILD = ROOT / "docs" / "_build"


@nox.session
def html(session: nox.Session) -> None:
    """Build the HTML edition with warnings as errors into docs/_build/html."""
    session.install("-e", ".[edition]")
    session.run(
        "sphinx-build",
        "-W",
        "--keep-going",
        "-b",
        "html",
        "-d",
        "docs/_build/doctrees",
        "docs",
        str(HTML),
        *session.posargs,
    )
    session.log(f"The HTML edition is at {HTML / 'index.html'}")


def _pdf_module() -> ModuleType:
    """``sphinx_standoff.pdf``, loaded from its file (it imports only the standard library at module level)."""
    spec = importlib.util.spec_from_file_location("standoff_pdf", ROOT / "extensions" / "sphinx_standoff" / "pdf.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@nox.session
def pdf(session: nox.Session) -> None:
    """Build the PDF edition (XeLaTeX through latexmk) into docs/_build/pdf; needs TeX, as README says."""
    if missing := _pdf_module().missing_tex():
        session.error(_pdf_module().install_hint(missing))
    session.install("-e", ".")
    session.run("python", "-m", "sphinx_standoff.pdf", "docs", str(BUILD), *session.posargs)


@nox.session
def tests(session: nox.Session) -> None:
    """Run the test suite (it builds the full edition too)."""
    session.install("-e", ".[test]")
    session.run("pytest", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff: lint and formatting."""
    session.install("ruff==0.17.5")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def check(session: nox.Session) -> None:
    """The fast checker: load, validate and anchor every annotation without building (``standoff check``)."""
    session.install("-e", ".")
    session.run("standoff", "check", *session.posargs)


@nox.session
def bench(session: nox.Session) -> None:
    """Benchmark the edition against plain Sphinx: this edition, the FRUS volumes in ../shared/corpora (skipped
    when absent) and synthetic corpora of 100, 1,000 and 5,000 sources; prints a table (see bench/run.py).

    ``nox -s bench -- --sizes 100,1000 --runs 3 --frus PATH --json figures.json`` chooses what is run.
    """
    session.install("-e", ".[edition]")
    session.run("python", "bench/run.py", *session.posargs)
