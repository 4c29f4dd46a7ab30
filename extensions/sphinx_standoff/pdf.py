"""Build the PDF edition: Sphinx's LaTeX builder, then XeLaTeX (or LuaLaTeX) through latexmk.

``python -m sphinx_standoff.pdf [SOURCE [BUILD]]`` (what ``nox -s pdf`` runs) writes the LaTeX into
``BUILD/latex``, runs latexmk there (with xindy for the index, as Sphinx's own Makefile would), copies the PDF to
``BUILD/pdf/`` and prints its path, with what the TeX log says: pages, characters no font had, overfull boxes.
It fails on a build error, on a warning of the Sphinx build (unless ``--keep-warnings``) and on a character that
did not print. Where TeX is missing it stops before building and says what to install.

Only the standard library is imported at module level, so that the nox session can load this file to check
for TeX before installing anything.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

#: the commands the PDF needs, and the Debian/Ubuntu packages that provide them and the fonts
COMMANDS = ("xelatex", "latexmk", "xindy")
DEBIAN_PACKAGES = (
    "texlive-xetex",
    "texlive-latex-recommended",
    "texlive-latex-extra",
    "texlive-fonts-recommended",
    "fonts-freefont-otf",
    "latexmk",
    "xindy",
)
#: the font files of Sphinx's default XeLaTeX fonts (fonts-freefont-otf)
FONTS = ("FreeSerif.otf", "FreeSans.otf", "FreeMono.otf")
#: Sphinx's Makefile passes these to xindy (it writes them into the Makefile it makes, by language)
DEFAULT_XINDYOPTS = "-L english -C utf8 -M sphinx.xdy"

EXIT_OK, EXIT_FAILED, EXIT_NO_TEX = 0, 1, 2


def missing_tex() -> list[str]:
    """What of TeX this machine lacks: commands not on the PATH, fonts fontconfig does not know."""
    missing = [command for command in COMMANDS if shutil.which(command) is None]
    if shutil.which("fc-list"):
        listed = subprocess.run(["fc-list", ":", "file"], capture_output=True, text=True, check=False).stdout
        missing += [font for font in FONTS if f"/{font}" not in listed]
    return missing


def install_hint(missing: Sequence[str]) -> str:
    return (
        f"TeX is missing ({', '.join(missing)} not found). The PDF needs XeLaTeX, latexmk, xindy and the FreeFont "
        "fonts; on Debian or Ubuntu:\n"
        f"    sudo apt-get install --no-install-recommends {' '.join(DEBIAN_PACKAGES)}\n"
        "(README.md lists them too)"
    )


@dataclass
class LogReport:
    """What the TeX log says about the typesetting."""

    pages: int = 0
    #: "Missing character: There is no X in font Y!" lines
    missing_characters: list[str] = field(default_factory=list)
    #: (points too wide, the log line) of every overfull box
    overfull: list[tuple[float, str]] = field(default_factory=list)
    undefined_references: list[str] = field(default_factory=list)

    @property
    def worst_overfull(self) -> float:
        return max((points for points, _ in self.overfull), default=0.0)


def read_log(path: Path) -> LogReport:
    text = path.read_text(encoding="utf-8", errors="replace")
    report = LogReport()
    if match := re.search(r"Output written on .*?\((\d+) pages?", text):
        report.pages = int(match.group(1))
    report.missing_characters = sorted(set(re.findall(r"^Missing character: .*$", text, re.MULTILINE)))
    for match in re.finditer(r"^(Overfull \\[hv]box \((\d+(?:\.\d+)?)pt too \w+\).*)$", text, re.MULTILINE):
        report.overfull.append((float(match.group(2)), match.group(1)))
    report.undefined_references = sorted(
        set(re.findall(r"^LaTeX Warning: (?:Hyper reference|Reference|Citation) .* undefined.*$", text, re.M))
    )
    return report


@dataclass
class PdfBuild:
    pdf: Path
    log: LogReport
    seconds: float


class BuildError(RuntimeError):
    """The Sphinx build or latexmk failed (the message says which, and where to look)."""


def build(
    source: Path,
    build_dir: Path,
    *,
    warnings_as_errors: bool = True,
    sphinx_args: Sequence[str] = (),
    quiet: bool = False,
) -> PdfBuild:
    """Build the PDF of the Sphinx project in ``source`` under ``build_dir``; the PDF goes to ``build_dir/pdf``."""
    started = time.monotonic()
    latex = build_dir / "latex"
    command = [sys.executable, "-m", "sphinx", "-b", "latex", "-d", str(build_dir / "doctrees-latex")]
    if warnings_as_errors:
        command += ["-W", "--keep-going"]
    if quiet:
        command.append("-q")
    command += [*sphinx_args, str(source), str(latex)]
    if subprocess.run(command, check=False).returncode != 0:
        raise BuildError("the Sphinx LaTeX build failed (see its messages above)")
    documents = sorted(latex.glob("*.tex"))
    if not documents:
        raise BuildError(f"the Sphinx LaTeX build wrote no .tex file into {latex}")
    env = {**os.environ, "XINDYOPTS": _xindy_options(latex / "Makefile")}
    pdfs: list[Path] = []
    for tex in documents:
        # latexmk reads the latexmkrc Sphinx wrote beside the .tex (xelatex, xindy); a failure stops at once
        run = subprocess.run(
            ["latexmk", "-pdf", "-dvi-", "-ps-", "-silent", "-interaction=nonstopmode", "-halt-on-error", tex.name],
            cwd=latex,
            env=env,
            check=False,
            capture_output=quiet,
            text=True,
        )
        if run.returncode != 0:
            raise BuildError(f"latexmk failed on {tex}:\n{_errors(tex.with_suffix('.log'))}")
        pdfs.append(tex.with_suffix(".pdf"))
    target = build_dir / "pdf"
    target.mkdir(parents=True, exist_ok=True)
    for pdf in pdfs:
        shutil.copyfile(pdf, target / pdf.name)
    main_pdf = target / pdfs[0].name
    return PdfBuild(main_pdf, read_log(documents[0].with_suffix(".log")), time.monotonic() - started)


def _errors(log: Path) -> str:
    """The TeX errors of a log (``! …`` and the lines after), or where to look."""
    if not log.is_file():
        return f"(no log: {log})"
    lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    found = [index for index, line in enumerate(lines) if line.startswith("!")]
    if not found:
        return f"(see {log})"
    return "\n".join("\n".join(lines[index : index + 6]) for index in found[:3]) + f"\n(see {log})"


def _xindy_options(makefile: Path) -> str:
    if makefile.is_file() and (match := re.search(r"^export XINDYOPTS = (.*)$", makefile.read_text(), re.M)):
        return match.group(1).strip()
    return DEFAULT_XINDYOPTS


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sphinx_standoff.pdf", description=__doc__.splitlines()[0])
    parser.add_argument("source", nargs="?", default="docs", help="the Sphinx project (default: docs)")
    parser.add_argument("build", nargs="?", default=None, help="the build folder (default: SOURCE/_build)")
    parser.add_argument("--keep-warnings", action="store_true", help="do not fail on warnings of the Sphinx build")
    parser.epilog = "Other options (such as -D name=value) go to sphinx-build."
    options, extra = parser.parse_known_args(argv)
    if missing := missing_tex():
        print(install_hint(missing), file=sys.stderr)
        return EXIT_NO_TEX
    source = Path(options.source)
    build_dir = Path(options.build) if options.build else source / "_build"
    extra = [arg for arg in extra if arg != "--"]
    try:
        result = build(source, build_dir, warnings_as_errors=not options.keep_warnings, sphinx_args=extra)
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    log = result.log
    print(f"The PDF edition is at {result.pdf.resolve()}")
    print(f"{log.pages} pages, built in {result.seconds:.0f} s")
    print(f"overfull boxes: {len(log.overfull)} (the worst {log.worst_overfull:.1f} pt too wide)")
    for line in log.undefined_references:
        print(f"warning: {line}", file=sys.stderr)
    if log.missing_characters:
        for line in log.missing_characters:
            print(f"error: {line}", file=sys.stderr)
        print("error: some characters did not print: choose fonts that carry them", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
