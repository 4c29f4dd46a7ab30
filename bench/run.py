"""Benchmark: the edition against plain Sphinx, on this edition, a FRUS volume and synthetic corpora.

Every corpus is built three ways, each a clean ``sphinx-build -b html`` in a subprocess of its own, the same
theme (furo) and settings:

* ``plain``: plain Sphinx + MyST pages holding the same text (title, headnote, provenance, paragraphs);
* ``plain+notes``: the same pages with the annotations' bodies added as ordinary MyST footnotes, which is
  what an edition written by hand, without the extension, would hold;
* ``edition``: the edition, the extension loading, checking, anchoring and showing every annotation.

For each: wall time and peak memory (the maximum resident set size of the build and the processes it
waited for, from ``os.wait4``), the median of ``--runs`` runs; the ratios edition/plain and
edition/plain+notes; the bytes of HTML written. Then, on each corpus, incremental rebuilds: nothing changed,
one annotation file edited (a body), one claim edited (its value: a place changed, or a date made less
precise; what the pages across sources cost a contributor), one source edited: time, and the documents Sphinx
read again. On the largest corpus, a parallel build (``-j auto``): its time, speed-up, and whether its output
is byte-identical to the serial build's. Finally the checker on about 100,000 annotations: cold (nothing
cached), and with its caches (YAML, memo) warm: nothing changed (``check()`` alone, and the whole ``standoff
check`` command), one annotation file edited.

    python bench/run.py [--frus DIR ...] [--sizes 100,1000,5000] [--runs 3] [--work DIR] [--json FILE]
    nox -s bench -- [the same arguments]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "extensions"))

import corpus as corpora  # noqa: E402

CORPORA = ROOT.parent / "shared" / "corpora"
DEFAULT_FRUS = [CORPORA / "frus1961-63v06", CORPORA / "frus1961-63v05"]
#: files that may differ between two builds of the same input: none of the HTML output; the pickled
#: environment and doctrees are Sphinx's cache, not output (they hold timestamps and hash-ordered sets)
NOT_OUTPUT = (".doctrees",)


@dataclass
class Build:
    seconds: float
    peak_mb: float
    warnings: int
    output: str = ""


@dataclass
class Row:
    corpus: str
    sources: int
    annotations: int
    words: int
    plain_s: float = 0.0
    notes_s: float = 0.0
    edition_s: float = 0.0
    plain_mb: float = 0.0
    notes_mb: float = 0.0
    edition_mb: float = 0.0
    plain_html_mb: float = 0.0
    notes_html_mb: float = 0.0
    edition_html_mb: float = 0.0
    edition_warnings: int = 0
    noop_s: float = 0.0
    annotation_edit_s: float = 0.0
    annotation_edit_read: list[str] = field(default_factory=list)
    annotation_edit_pages: list[str] = field(default_factory=list)
    claim_edit_s: float = 0.0
    claim_edit_read: list[str] = field(default_factory=list)
    source_edit_s: float = 0.0
    source_edit_read: list[str] = field(default_factory=list)
    parallel_s: float = 0.0
    parallel_identical: bool | None = None

    @property
    def ratio(self) -> float:
        return self.edition_s / self.plain_s if self.plain_s else float("nan")

    @property
    def ratio_notes(self) -> float:
        return self.edition_s / self.notes_s if self.notes_s else float("nan")


# -- running sphinx-build ------------------------------------------------------------------------------------------


def sphinx_build(srcdir: Path, outdir: Path, *extra: str, fresh: bool = True, quiet: bool = True) -> Build:
    """Run ``sphinx-build -b html`` in a subprocess; its wall time, peak memory and warnings."""
    if fresh and outdir.exists():
        shutil.rmtree(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    log = outdir.parent / f"{outdir.name}.log"
    command = [sys.executable, "-m", "sphinx", "-b", "html", "-d", str(outdir / ".doctrees"), *extra]
    if quiet:
        command.append("-q")
    command += [str(srcdir), str(outdir)]
    env = {**os.environ, "SOURCE_DATE_EPOCH": "0", "PYTHONHASHSEED": "0"}
    with log.open("w", encoding="utf-8") as sink:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT, env=env)
        # wait4, not wait: it says how much memory the build (and the workers it waited for) used at most
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    output = log.read_text(encoding="utf-8", errors="replace")
    if process.returncode != 0:
        raise RuntimeError(f"sphinx-build failed ({process.returncode}) on {srcdir}:\n{output[-3000:]}")
    return Build(seconds, usage.ru_maxrss / 1024, output.count("WARNING"), output)


def median_build(runs: int, build: Callable[[], Build]) -> Build:
    results = [build() for _ in range(runs)]
    return Build(
        statistics.median(r.seconds for r in results),
        statistics.median(r.peak_mb for r in results),
        max(r.warnings for r in results),
        results[-1].output,
    )


def html_bytes(outdir: Path) -> int:
    return sum(p.stat().st_size for p in outdir.rglob("*.html"))


def tree_digest(outdir: Path) -> dict[str, str]:
    """SHA-256 of every output file, by path, leaving out Sphinx's cache (``NOT_OUTPUT``)."""
    digests = {}
    for path in sorted(outdir.rglob("*")):
        relative = path.relative_to(outdir)
        if path.is_file() and relative.parts[0] not in NOT_OUTPUT:
            digests[str(relative)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return digests


_READ = re.compile(r"^reading sources\.\.\. \[\s*\d+%\] (\S+)", re.M)
_WRITE = re.compile(r"^writing output\.\.\. \[\s*\d+%\] (\S+)", re.M)


def rebuild(srcdir: Path, outdir: Path) -> tuple[Build, list[str], list[str]]:
    """An incremental build of ``outdir``: how long, which documents were read, which pages written."""
    result = sphinx_build(srcdir, outdir, fresh=False, quiet=False)
    return result, sorted(_READ.findall(result.output)), sorted(_WRITE.findall(result.output))


# -- one corpus ------------------------------------------------------------------------------------------------------


def with_notes(project: Path, root: Path) -> Path:
    """A copy of the plain twin whose pages also hold the annotations' bodies, as MyST footnotes."""
    import yaml

    target = root / "plain-notes"
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(project, target)
    bodies: dict[str, list[str]] = {}
    for path in sorted((root / "annotations").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for item in data.get("annotations", []):
            text = item.get("body") or item.get("evidence") or item.get("assessment")
            targets = item.get("targets") or [t for t in (item.get("target"), item.get("quoted")) if t]
            for selector in targets:
                bodies.setdefault(selector["source"], []).append(text or str(item.get("reading") or item["id"]))
    for page in sorted(target.rglob("*.md")):
        text = page.read_text(encoding="utf-8")
        match = re.search(r"^- \*\*Source id\*\*: `([^`]+)`", text, re.M)
        if not match or match.group(1) not in bodies:
            continue
        notes = bodies[match.group(1)]
        calls = " ".join(f"[^n{i}]" for i in range(len(notes)))
        definitions = "\n\n".join(f"[^n{i}]: " + body.strip().replace("\n", "\n    ") for i, body in enumerate(notes))
        page.write_text(f"{text.rstrip()}\n\nNotes {calls}\n\n{definitions}\n", encoding="utf-8")
    return target


def measure(corpus: corpora.Corpus, runs: int, out: Path, log: Callable[[str], None]) -> Row:
    row = Row(corpus.name, corpus.sources, corpus.annotations, corpus.words)
    notes = with_notes(corpus.plain, corpus.root)
    plain_out, notes_out, edition_out = out / "plain", out / "notes", out / "edition"
    plain, noted, edition = [], [], []
    for run in range(runs):
        # interleaved, so that a machine getting slower or faster during the run affects all three alike
        plain.append(sphinx_build(corpus.plain, plain_out))
        noted.append(sphinx_build(notes, notes_out))
        edition.append(sphinx_build(corpus.edition, edition_out))
        log(
            f"  run {run + 1}/{runs}: plain {plain[-1].seconds:.1f} s, plain+notes {noted[-1].seconds:.1f} s, "
            f"edition {edition[-1].seconds:.1f} s"
        )
    row.plain_s, row.plain_mb = statistics.median(b.seconds for b in plain), statistics.median(b.peak_mb for b in plain)
    row.notes_s, row.notes_mb = statistics.median(b.seconds for b in noted), statistics.median(b.peak_mb for b in noted)
    row.edition_s = statistics.median(b.seconds for b in edition)
    row.edition_mb = statistics.median(b.peak_mb for b in edition)
    row.edition_warnings = max(b.warnings for b in edition)
    row.plain_html_mb = html_bytes(plain_out) / 1e6
    row.notes_html_mb = html_bytes(notes_out) / 1e6
    row.edition_html_mb = html_bytes(edition_out) / 1e6
    incremental(corpus, edition_out, row, log)
    return row


def incremental(corpus: corpora.Corpus, outdir: Path, row: Row, log: Callable[[str], None]) -> None:
    """Rebuild after no change, after editing one annotation file, after editing one source."""
    noop, _, _ = rebuild(corpus.edition, outdir)
    row.noop_s = noop.seconds
    files = sorted(corpus.annotations_dir.glob("*.yaml"))
    files = [f for f in files if f.stem != "events"] or files
    chosen = files[len(files) // 2]
    original = chosen.read_text(encoding="utf-8")
    # the first body of the file: a block scalar (``body: |``) gets a word in its first line, a plain one at its end
    match = re.search(r"\n\s+body: ([|>]-?\n\s+)?", original)
    if match is None:
        raise RuntimeError(f"no body to edit in {chosen}")
    if match.group(1):
        edited = original[: match.end()] + "Edited: " + original[match.end() :]
    else:
        end = original.index("\n", match.end())
        edited = original[:end] + " (edited)" + original[end:]
    chosen.write_text(edited, encoding="utf-8")
    result, read, written = rebuild(corpus.edition, outdir)
    row.annotation_edit_s, row.annotation_edit_read, row.annotation_edit_pages = result.seconds, read, written
    chosen.write_text(original, encoding="utf-8")
    rebuild(corpus.edition, outdir)
    claim = claim_edit(files)
    if claim is not None:
        path, before, after = claim
        path.write_text(after, encoding="utf-8")
        result, read, _ = rebuild(corpus.edition, outdir)
        row.claim_edit_s, row.claim_edit_read = result.seconds, read
        path.write_text(before, encoding="utf-8")
        rebuild(corpus.edition, outdir)
    sources = sorted(corpus.sources_dir.glob("*.txt"))
    source = sources[len(sources) // 2]
    text = source.read_text(encoding="utf-8")
    source.write_text(text.rstrip("\n") + "\n\nA paragraph added to measure an incremental build.\n", encoding="utf-8")
    result, read, _ = rebuild(corpus.edition, outdir)
    row.source_edit_s, row.source_edit_read = result.seconds, read
    source.write_text(text, encoding="utf-8")
    rebuild(corpus.edition, outdir)
    log(
        f"  incremental: nothing changed {row.noop_s:.1f} s; {chosen.name} edited {row.annotation_edit_s:.1f} s, "
        f"read {row.annotation_edit_read}; a claim edited {row.claim_edit_s:.1f} s, "
        f"read {read_list(row.claim_edit_read)}; "
        f"{source.name} edited {row.source_edit_s:.1f} s, read {row.source_edit_read}"
    )


#: a claim's ``value`` line, after its ``property`` line in the same mapping: a place, or a full date
_CLAIM_VALUE = {
    "place": re.compile(r"(?m)^(?P<i>[ \t]*)property: place[ \t]*\n(?:(?P=i)(?!value:)\S.*\n)*?(?P=i)value: .+$"),
    "date": re.compile(
        r"(?m)^(?P<i>[ \t]*)property: date[ \t]*\n(?:(?P=i)(?!value:)\S.*\n)*?"
        r"(?P=i)value: (?P<q>['\"]?)(?P<month>\d{4}-\d{2})-\d{2}(?P=q)[ \t]*$"
    ),
}


def claim_edit(files: list[Path]) -> tuple[Path, str, str] | None:
    """A claim whose value is edited, still valid: the first place claim from the middle file on, its value
    replaced; else a full date made a month. (file, its text, the text edited), or ``None`` if there is none."""
    ordered = files[len(files) // 2 :] + files[: len(files) // 2]
    for kind in ("place", "date"):
        for path in ordered:
            text = path.read_text(encoding="utf-8")
            match = _CLAIM_VALUE[kind].search(text)
            if match is None:
                continue
            if kind == "place":
                line = f"{match.group('i')}value: Somewhere else"
            else:
                line = f"{match.group('i')}value: '{match.group('month')}'"
            start = text.rindex("value:", match.start(), match.end()) - len(match.group("i"))
            return path, text, text[:start] + line + text[match.end() :]
    return None


def read_list(read: list[str]) -> str:
    """The documents read, the source pages counted rather than named."""
    pages = [name for name in read if "/" in name]
    others = [name for name in read if "/" not in name]
    return ", ".join(others + ([f"{len(pages)} source page{'s' if len(pages) != 1 else ''}"] if pages else []))


def parallel(corpus: corpora.Corpus, out: Path, row: Row, log: Callable[[str], None]) -> None:
    """Build the edition with ``-j auto`` and compare its output with the serial build's, byte for byte."""
    serial_out, parallel_out = out / "serial", out / "parallel"
    sphinx_build(corpus.edition, serial_out)
    result = sphinx_build(corpus.edition, parallel_out, "-j", "auto")
    row.parallel_s = result.seconds
    serial, par = tree_digest(serial_out), tree_digest(parallel_out)
    row.parallel_identical = serial == par
    if not row.parallel_identical:
        differ = sorted(k for k in serial.keys() | par.keys() if serial.get(k) != par.get(k))
        log(f"  parallel output differs from serial in {len(differ)} files: {differ[:10]}")
    log(f"  parallel: -j auto {result.seconds:.1f} s, serial {row.edition_s:.1f} s; same: {row.parallel_identical}")


def checker_time(root: Path, docs: Path, cache: Path | None = None, jobs: int | None = None) -> tuple[str, float, int]:
    """Time the checker (``check.check``; ``edition.load_edition`` if there is none) in a fresh process, with its
    caches (YAML, memo) in ``cache`` (``None``: none) and ``jobs`` processes (``None``: its default)."""
    script = f"""
import inspect, json, sys, time
from pathlib import Path
root, docs = Path({str(root)!r}), Path({str(docs)!r})
cache = {str(cache) if cache else None!r}
try:
    from sphinx_standoff.check import check
except ImportError:
    from sphinx_standoff.edition import load_edition
    from sphinx_standoff.validation import BodyChecker
    start = time.perf_counter()
    edition = load_edition(root / "sources", root / "annotations", None, BodyChecker())
    what = "edition.load_edition"
else:
    options = {{"jobs": {jobs!r}}} if {jobs!r} is not None else {{}}
    if cache and "cache_dir" in inspect.signature(check).parameters:
        options["cache_dir"] = Path(cache)
    start = time.perf_counter()
    edition = check(root, docs=docs, use_bib=False, **options).edition
    what = "check.check"
print(json.dumps([what, time.perf_counter() - start, len(edition.annotations)]))
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    what, seconds, count = json.loads(done.stdout.strip().splitlines()[-1])
    return what, seconds, count


def command_time(root: Path, docs: Path, cache: Path) -> float:
    """The wall time of the command a contributor runs, ``standoff check`` (as ``python -m``), with its caches in
    ``cache``: starting Python, importing, checking, printing and exiting."""
    bib = cache / "empty.bib"
    bib.parent.mkdir(parents=True, exist_ok=True)
    bib.write_text("", encoding="utf-8")
    command = [sys.executable, "-m", "sphinx_standoff.cli", "--root", str(root), "check", "--quiet"]
    command += ["--docs", str(docs), "--bib", str(bib), "--cache-dir", str(cache)]
    start = time.perf_counter()
    subprocess.run(command, capture_output=True, check=False)
    return time.perf_counter() - start


def checker_figures(root: Path, docs: Path, cache: Path, runs: int, log: Callable[[str], None]) -> dict[str, Any]:
    """The checker cold (nothing cached; one process and the default), with warm caches (nothing changed; also
    the whole command), and with warm caches after one annotation file was edited: medians of ``runs``."""
    shutil.rmtree(cache, ignore_errors=True)
    cold, cold_one = [], []
    what, count = "", 0
    for _ in range(runs):
        what, seconds, count = checker_time(root, docs)
        cold.append(seconds)
        cold_one.append(checker_time(root, docs, jobs=1)[1])
    checker_time(root, docs, cache)  # fills the caches
    # the first run after that reads the YAML of every annotation file from the YAML cache once more, and leaves
    # out of it what the memo now holds (48 MB of 53 at 100,000 annotations): the runs after it are the usual ones
    after_cold = checker_time(root, docs, cache)[1]
    warm = [checker_time(root, docs, cache)[1] for _ in range(runs)]
    command = [command_time(root, docs, cache) for _ in range(runs)]
    files = sorted((root / "annotations").glob("*.yaml"))
    edited = files[len(files) // 2]
    original = edited.read_text(encoding="utf-8")
    one_edit = []
    try:
        for run in range(runs):
            edited.write_text(original.replace("Benchmark editors", f"Benchmark editors {run}"), encoding="utf-8")
            one_edit.append(checker_time(root, docs, cache)[1])
    finally:
        edited.write_text(original, encoding="utf-8")
    figures = {
        "function": what,
        "annotations": count,
        "seconds": statistics.median(cold),
        "one_process_s": statistics.median(cold_one),
        "after_cold_s": after_cold,
        "warm_s": statistics.median(warm),
        "command_warm_s": statistics.median(command),
        "one_file_edited_s": statistics.median(one_edit),
    }
    log(
        f"checker: {what} on {count} annotations: cold {figures['seconds']:.2f} s (one process "
        f"{figures['one_process_s']:.2f} s), the run after it {after_cold:.2f} s, caches warm "
        f"{figures['warm_s']:.2f} s (the command, start to exit: {figures['command_warm_s']:.2f} s), one file "
        f"edited {figures['one_file_edited_s']:.2f} s"
    )
    return figures


# -- the table -----------------------------------------------------------------------------------------------------


def table(rows: list[Row]) -> str:
    lines = [
        "| corpus | sources | annotations | words | plain s | plain+notes s | edition s | edition/plain "
        "| edition/plain+notes | peak MB plain / +notes / edition | HTML MB plain / +notes / edition |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r.corpus} | {r.sources} | {r.annotations} | {r.words} | {r.plain_s:.1f} | {r.notes_s:.1f} "
            f"| {r.edition_s:.1f} | {r.ratio:.2f} | {r.ratio_notes:.2f} "
            f"| {r.plain_mb:.0f} / {r.notes_mb:.0f} / {r.edition_mb:.0f} "
            f"| {r.plain_html_mb:.1f} / {r.notes_html_mb:.1f} / {r.edition_html_mb:.1f} |"
        )
    lines += [
        "",
        "| corpus | rebuild, nothing changed s | one annotation file edited: s, documents read | one claim edited: s, "
        "documents read | one source edited: s, documents read | -j auto s (speed-up, same bytes) |",
        "|---|---:|---|---|---|---|",
    ]
    for r in rows:
        par = (
            f"{r.parallel_s:.1f} (×{r.edition_s / r.parallel_s:.2f}, {'yes' if r.parallel_identical else 'NO'})"
            if r.parallel_s
            else "–"
        )
        claim = f"{r.claim_edit_s:.1f}: {len(r.claim_edit_read)} ({read_list(r.claim_edit_read)})"
        lines.append(
            f"| {r.corpus} | {r.noop_s:.1f} | {r.annotation_edit_s:.1f}: {len(r.annotation_edit_read)} "
            f"({', '.join(r.annotation_edit_read)}) | {claim if r.claim_edit_s else '–'} "
            f"| {r.source_edit_s:.1f}: {len(r.source_edit_read)} "
            f"({', '.join(r.source_edit_read)}) | {par} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--frus", action="append", type=Path, help="a FRUS volume folder (repeatable)")
    parser.add_argument("--sizes", default="100,1000,5000", help="synthetic corpus sizes, in sources")
    parser.add_argument("--runs", type=int, default=3, help="runs per build (the median is reported)")
    parser.add_argument("--max-runs-over", type=int, default=1000, help="larger corpora are built once")
    parser.add_argument("--checker-annotations", type=int, default=100_000, help="0 to skip the checker")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "bench", help="where corpora are built")
    parser.add_argument("--json", type=Path, help="write the figures here too")
    parser.add_argument("--skip", default="", help="comma-separated: edition, frus, synthetic, parallel")
    args = parser.parse_args(argv)
    skip = set(filter(None, args.skip.split(",")))
    work: Path = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()

    def log(message: str) -> None:
        print(f"[{time.perf_counter() - started:7.1f} s] {message}", flush=True)

    plans: list[tuple[str, Callable[[], corpora.Corpus]]] = []
    if "edition" not in skip:
        plans.append(("this edition", lambda: corpora.edition_corpus(ROOT, work / "edition")))
    if "frus" not in skip:
        for volume in args.frus or DEFAULT_FRUS:
            if not volume.is_dir():
                log(f"FRUS volume {volume} not found: skipped")
                continue
            plans.append((volume.name, lambda v=volume: corpora.frus_corpus(v, work / v.name)))
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()] if "synthetic" not in skip else []
    for size in sizes:
        # no global toctree: furo draws the whole toctree on every page, which is quadratic in pages for plain
        # Sphinx too (at 1,000 pages it took 40% of a build) and would hide what the edition costs
        plans.append(
            (f"synthetic {size}", lambda n=size: corpora.synthetic_corpus(n, work / f"synthetic-{n}", toctree=False))
        )

    rows: list[Row] = []
    largest: tuple[corpora.Corpus, Row] | None = None
    for name, make in plans:
        log(f"{name}: generating")
        corpus = make()
        log(f"{name}: {corpus.sources} sources, {corpus.annotations} annotations, {corpus.words} words")
        runs = args.runs if corpus.sources <= args.max_runs_over else 1
        row = measure(corpus, runs, work / "out" / corpus.root.name, log)
        rows.append(row)
        log(f"{name}: plain {row.plain_s:.1f} s, edition {row.edition_s:.1f} s, ratio {row.ratio:.2f}")
        if largest is None or corpus.words > largest[0].words:
            largest = (corpus, row)
    if largest is not None and "parallel" not in skip:
        parallel(largest[0], work / "out" / "parallel", largest[1], log)

    checker: dict[str, Any] = {}
    if args.checker_annotations:
        per_source = 17
        size = max(args.checker_annotations // per_source, 1)
        log(f"checker: generating {size} sources")
        corpus = corpora.synthetic_corpus(size, work / "checker", check=False, toctree=False)
        checker = checker_figures(corpus.root, corpus.edition, work / "checker-cache", args.runs, log)
        checker["sources"] = corpus.sources

    print()
    print(table(rows))
    if checker:
        print(
            f"\nChecker ({checker['function']}): {checker['annotations']} annotations in {checker['sources']} "
            f"sources: cold {checker['seconds']:.2f} s (one process {checker['one_process_s']:.2f} s); "
            f"the run after it {checker['after_cold_s']:.2f} s; "
            f"with its caches (YAML, memo), nothing changed {checker['warm_s']:.2f} s (`standoff check`, start to "
            f"exit: {checker['command_warm_s']:.2f} s), one file edited {checker['one_file_edited_s']:.2f} s"
        )
    total = time.perf_counter() - started
    print(f"\nMachine: {os.cpu_count()} CPUs; Python {sys.version.split()[0]}; the benchmark took {total:.0f} s")
    if args.json:
        args.json.write_text(
            json.dumps({"rows": [asdict(r) for r in rows], "checker": checker}, indent=2), encoding="utf-8"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
