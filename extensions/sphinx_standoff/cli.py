"""``standoff``: the edition's command line, for contributors, reviewers and CI.

* ``standoff check`` — load, validate and anchor every annotation without building the edition; print each
  problem as ``path:line:column: annotation-id: message`` (GitHub Actions commands when run there) and exit
  non-zero on any error;
* ``standoff schema`` — print the JSON Schema of annotation files, generated from the model;
* ``standoff review [--base main]`` — Markdown for a pull-request comment: the annotations a change adds,
  removes, changes or re-anchors, per source and paragraph.

Bad input is reported, never raised: no command prints a traceback for anything a contributor wrote.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import Any, NoReturn

EXIT_OK = 0
EXIT_ERRORS = 1
EXIT_USAGE = 2


def schema() -> dict[str, Any]:
    """The JSON Schema of an annotation file, generated from ``model.AnnotationFile`` (by alias)."""
    from .model import AnnotationFile

    generated = AnnotationFile.model_json_schema(by_alias=True)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **generated,
    }


def schema_text() -> str:
    """The schema as committed in ``schema/annotations.schema.json``."""
    return json.dumps(schema(), indent=2, ensure_ascii=False) + "\n"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="standoff",
        description="Check, describe and review the stand-off annotations of an edition.",
    )
    parser.add_argument(
        "--root",
        type=Path,
        default=None,
        help="project root (default: the nearest folder upwards holding sources/ and annotations/)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    check = commands.add_parser("check", help="check every annotation without building the edition")
    check.add_argument("--sources", type=Path, help="transcriptions folder (default: ROOT/sources)")
    check.add_argument("--annotations", type=Path, help="annotation files folder (default: ROOT/annotations)")
    check.add_argument("--bib", type=Path, help="BibTeX file (default: ROOT/docs/references.bib)")
    check.add_argument("--docs", type=Path, help="Sphinx project, to check each source has a page (default: ROOT/docs)")
    check.add_argument(
        "--format",
        choices=("text", "github"),
        default=None,
        help="output format (default: github when GITHUB_ACTIONS is set, else text)",
    )
    check.add_argument("--strict", action="store_true", help="exit non-zero on warnings too")
    check.add_argument(
        "--jobs",
        "-j",
        type=int,
        default=None,
        metavar="N",
        help="processes that load a large edition (default: one per idle CPU; 1: this one alone)",
    )
    check.add_argument(
        "--cache-dir",
        type=Path,
        default=None,
        metavar="DIR",
        help="where parsed YAML is kept between runs (default: $STANDOFF_CACHE_DIR, else "
        "$XDG_CACHE_HOME/sphinx-standoff, else ~/.cache/sphinx-standoff)",
    )
    check.add_argument("--no-cache", action="store_true", help="parse every YAML file afresh; keep nothing")
    check.add_argument("--quiet", "-q", action="store_true", help="print problems only, no summary")

    schema_cmd = commands.add_parser("schema", help="print the JSON Schema of annotation files")
    schema_cmd.add_argument("--output", "-o", type=Path, help="write it to this file instead")

    review = commands.add_parser("review", help="Markdown summary of the annotation changes against a revision")
    review.add_argument("--base", default="main", help="git revision to compare with (default: main)")
    review.add_argument("--sources", type=Path, help="transcriptions folder (default: ROOT/sources)")
    review.add_argument("--annotations", type=Path, help="annotation files folder (default: ROOT/annotations)")
    review.add_argument("--output", "-o", type=Path, help="write the Markdown to this file instead")
    return parser


def _root(args: argparse.Namespace) -> Path:
    from .check import find_root

    return args.root.resolve() if args.root is not None else find_root()


def run_check(args: argparse.Namespace, keep: list[object] | None = None) -> int:
    """``standoff check``; the result (the whole checked edition) is put in ``keep`` when given (see ``run``)."""
    from .check import check, format_diagnostic, summary
    from .yamlsource import default_cache_dir

    started = time.perf_counter()
    root = _root(args)
    result = check(
        root,
        sources=args.sources,
        annotations=args.annotations,
        bib=args.bib,
        docs=args.docs,
        jobs=args.jobs,
        cache_dir=None if args.no_cache else (args.cache_dir or default_cache_dir()),
    )
    style = args.format or ("github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text")
    for diagnostic in result.diagnostics:
        print(format_diagnostic(diagnostic, root, style))
    if not args.quiet:
        print(f"standoff check: {summary(result)} ({time.perf_counter() - started:.2f} s)", file=sys.stderr)
    failed = bool(result.errors) or (args.strict and bool(result.warnings))
    if keep is not None:
        keep.append(result)
    return EXIT_ERRORS if failed else EXIT_OK


def run_schema(args: argparse.Namespace) -> int:
    text = schema_text()
    if args.output is None:
        sys.stdout.write(text)
        return EXIT_OK
    try:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text, encoding="utf-8")
    except OSError as exc:
        print(f"standoff schema: cannot write {args.output}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_OK


def run_review(args: argparse.Namespace) -> int:
    from .check import body_checker
    from .review import GitError, review, to_markdown

    root = _root(args)
    try:
        report = review(
            root,
            args.base,
            sources=args.sources,
            annotations=args.annotations,
            checker=body_checker(root / "docs" if (root / "docs").is_dir() else None),
        )
    except GitError as exc:
        print(f"standoff review: {exc}", file=sys.stderr)
        return EXIT_USAGE
    text = to_markdown(report, root)
    if args.output is None:
        sys.stdout.write(text)
    else:
        try:
            args.output.write_text(text, encoding="utf-8")
        except OSError as exc:
            print(f"standoff review: cannot write {args.output}: {exc.strerror or exc}", file=sys.stderr)
            return EXIT_USAGE
    return EXIT_OK


def main(argv: Sequence[str] | None = None, *, keep: list[object] | None = None) -> int:
    """Run the command line; return the exit status (0 ok, 1 errors found, 2 usage or environment problem).

    ``keep``: a list that takes what a command made and would otherwise free as it returns, for a caller that
    exits without freeing anything (``run``)."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    commands = {"check": partial(run_check, keep=keep), "schema": run_schema, "review": run_review}
    try:
        return commands[args.command](args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK


def run() -> NoReturn:
    """The ``standoff`` command: ``main``, then exit at once. A large edition, checked, is millions of objects;
    freeing them one by one takes a second for nothing, as the interpreter shuts down (mypy exits the same way)
    and as ``run_check`` returns (0.3 s of the 5.5 s of a warm check of 100,000 annotations): so the command
    keeps what it made until it exits. Everything the run writes (the output, the caches) is written before."""
    kept: list[object] = []
    status = main(keep=kept)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass  # a closed pipe: nothing more can be said
    os._exit(status)


if __name__ == "__main__":
    run()
