"""Sessions: ``html`` builds the reading edition, ``tests`` runs the test suite, ``lint`` checks the code."""

from __future__ import annotations

from pathlib import Path

import nox

nox.options.sessions = ["lint", "tests"]
nox.options.reuse_existing_virtualenvs = True

ROOT = Path(__file__).parent
HTML = ROOT / "docs" / "_build" / "html"


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
