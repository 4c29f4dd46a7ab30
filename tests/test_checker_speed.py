"""The checker's shortcuts change nothing but its speed.

* The plain-text screen (``validation.needs_tokens``) lets a body skip tokenising only when tokenising could
  find nothing: every hostile and erroneous body in the tests, every body of the edition, and many thousands
  of generated strings get exactly the same verdict from ``BodyChecker.check`` as from the full
  ``check_tokens``.
* Worker processes (``check(jobs=N)``) give exactly the diagnostics and the edition of one process, the one
  that reads the sources while the memo is taken back included.
* The YAML loader's quicker tree walk gives the same data and marks as before, and a bad merge key is a
  diagnostic, not a traceback.
* The YAML cache (``yamlsource.ParseCache``) gives every run exactly what parsing gives, lines and columns
  included; a damaged cache file, or one of another version, is ignored.
* Folding a text for anchoring all at once (no combining marks, nothing to normalise: the common case) gives
  exactly the folded text and offsets that the general way, a run at a time, gives.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import shutil
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import PROJECT, ROOTS
from myst_parser.config.main import MdParserConfig
from sphinx_standoff import edition as edition_module
from sphinx_standoff import yamlsource
from sphinx_standoff.check import check, format_diagnostic
from sphinx_standoff.model import TEXT_FIELDS
from sphinx_standoff.validation import BodyChecker, needs_tokens
from test_errors import CASES as ERROR_CASES
from test_hostile import CASES as HOSTILE_CASES
from test_hostile import note

#: the configurations the screen is used under: MyST's defaults, the checker's fallback, the edition's own
CONFIGS = {
    "default": MdParserConfig(),
    "colon_fence": MdParserConfig(enable_extensions={"colon_fence"}),
    "edition": MdParserConfig(enable_extensions={"colon_fence", "deflist"}),
    "typography": MdParserConfig(enable_extensions={"colon_fence", "deflist", "smartquotes", "replacements"}),
    "strikethrough": MdParserConfig(enable_extensions={"strikethrough"}),
}

#: bodies that come close to passing the screen, one construct of concern each
NEAR_MISSES = [
    "A ship.\n<script>alert(1)</script>",
    "A <b>ship</b>.",
    "<https://example.org>",
    "<javascript:alert(1)>",
    "[a ship](javascript:alert(1))",
    "[a ship]( javascript:alert(1))",
    "[a ship](\njavascript:alert(1))",
    "[a ship](JaVaScRiPt:alert(1))",
    "[a ship](Http://example.org)",
    "[a ship](ftp://example.org)",
    "[a ship](data:text/html;base64,PHNjcmlwdD4=)",
    "[a ship](&#106;avascript:alert(1))",
    "[a ship](java\\script:alert(1))",
    "[a ship](//example.org)",
    "[a ship](page.html)",
    "[a ship][x]\n\n[x]: javascript:alert(1)",
    "[a ship][x]\n\n[x]:\n  https://example.org",
    "[x]\n\n[x]: https://example.org",
    "![a ship](https://example.org/a.png)",
    "A ship.[^1]\n\n[^1]: A note.",
    "A ship ^[inline].",
    "# A heading",
    "A heading\n=========",
    "A heading\n---------",
    "A heading\n  ---",
    "---\ntitle: x\n---\nA ship.",
    "```{raw} html\n<b>x</b>\n```",
    ":::{raw} html\n<b>x</b>\n:::",
    "~~~{include} /etc/passwd\n~~~",
    "   ```{eval-rst}\n   .. raw:: html\n   ```",
    "{raw-html}`<b>x</b>`",
    "As {cite:p}`nobody-2000`.",
    "As {cite:p}`{see}nobody-2000{p. 3}`.",
    "As {cite:p}`{see`.",
    "$$\nx\n$$",
    "| a | b |\n|---|---|\n| c | d |",
    "> # A heading in a quote",
    "- [ ] a task",
    "* A ship\n  ---",
    "1. A ship\n   ---",
    "Term\n: Definition\n  ---",
    "(target)=\nA ship.",
    "+++\nA ship.",
    "% a comment\nA ship.",
    "A ship.\r---",
    "A ship.\r\n---",
    "A ship.\u2028---",
    "A ship.\x0c---",
    "A ship.  \nA line.",
    "    [a ship](javascript:alert(1))",
    "`[a ship](javascript:alert(1))`",
    "[`a ship`](https://example.org) and [b](mailto:a@example.org)",
    "[a [nested] ship](https://example.org)",
    '[a ship](https://example.org "title")',
    "[a ship](<https://example.org>)",
    "[a ship](https://example.org)(javascript:alert(1))",
    "A *ship*, a **ship**, a `ship` and [a ship](https://example.org/ship) !",
    "Ships! [Ships](https://example.org)",
    "A ship.\n\n\n\nAnother ship.",
    "",
    " ",
    "\n",
]

#: pieces the generated strings are made of: Markdown's punctuation, near misses of the screen, plain words
PIECES = [
    *"[]()<>{}`*_~!^=#|:&\\$%+-.,;'\"?/@1",
    "](",
    "](https://example.org/a",
    "](http://example.org",
    "](mailto:a@example.org",
    "](javascript:alert(1)",
    "]( https://example.org",
    "](HTTPS://EXAMPLE.ORG",
    "](<https://example.org>",
    "]: ",
    "]:",
    "![",
    "[^",
    "^[",
    "<b>",
    "<https://example.org>",
    "&#106;",
    "&amp;",
    "{cite:p}`key`",
    "{raw}`x`",
    "```",
    ":::",
    "~~~",
    "{raw}",
    "---",
    "===",
    "***",
    "+++",
    "1. ",
    "- ",
    "* ",
    "> ",
    ": ",
    "# ",
    "$$",
    "    ",
    "  ",
    "\t",
    "\n",
    "\n\n",
    "\r",
    "\r\n",
    "\u2028",
    "\u00a0",
    "\x0c",
    " ",
    " ",
    "a ship",
    "the log",
    "Harbour",
    "“quoted”",
    "https://example.org",
    "javascript:",
    "mailto:a@example.org",
    "word",
]


def text_fields(data: Any) -> list[str]:
    """Every MyST text (body, evidence, …) anywhere in loaded YAML data."""
    found: list[str] = []
    if isinstance(data, dict):
        for key, value in data.items():
            if key in TEXT_FIELDS and isinstance(value, str):
                found.append(value)
            else:
                found.extend(text_fields(value))
    elif isinstance(data, list):
        for value in data:
            found.extend(text_fields(value))
    return found


def bodies_in(text: str) -> list[str]:
    try:
        data, _ = yamlsource.load(text)
    except yamlsource.YamlError:
        return []
    return text_fields(data)


def all_bodies() -> list[str]:
    """Every body in the test cases and in the edition's annotation files (and the near misses above)."""
    bodies = list(NEAR_MISSES)
    for text, _ in [*HOSTILE_CASES.values(), *ERROR_CASES.values()]:
        if len(text) < 100_000:
            bodies.extend(bodies_in(text))
    for folder in (PROJECT / "annotations", ROOTS):
        for path in sorted(folder.rglob("*.y*ml")):
            bodies.extend(bodies_in(path.read_text(encoding="utf-8")))
    return bodies


#: pieces the screen lets through (so that many generated strings reach the parser's corner cases unscreened)
QUIET_PIECES = [
    *"[]()`*_!.,;'\"?/1",
    "](https://example.org/a",
    "](http://example.org",
    "](mailto:a@example.org",
    "  ",
    "\t",
    "\n",
    "\n\n",
    "    ",
    " ",
    " ",
    "a ship",
    "Harbour",
    "“quoted”",
    "javascript:",
    "word",
]


def generated(count: int, seed: int) -> list[str]:
    """Half the strings made of any pieces, half mostly of pieces the screen lets through."""
    rng = random.Random(seed)
    strings = []
    for number in range(count):
        quiet = number % 2 == 1
        pieces = [
            rng.choice(QUIET_PIECES if quiet and rng.random() > 0.05 else PIECES) for _ in range(rng.randint(1, 16))
        ]
        strings.append("".join(pieces))
    return strings


@pytest.mark.parametrize("config", sorted(CONFIGS))
def test_the_screen_is_used_for_the_configurations_it_was_made_for(config: str) -> None:
    assert BodyChecker(CONFIGS[config]).screen


@pytest.mark.parametrize("extension", ["dollarmath", "amsmath", "tasklist", "attrs_inline", "substitution", "linkify"])
def test_the_screen_is_not_used_with_other_syntax(extension: str) -> None:
    checker = BodyChecker(MdParserConfig(enable_extensions={"colon_fence", extension}))
    if extension == "linkify" and not checker._md.options.get("linkify"):
        pytest.skip("linkify-it-py is not installed, so MyST leaves linkify off")
    assert not checker.screen


@pytest.mark.parametrize("config", sorted(CONFIGS))
def test_every_body_in_the_tests_gets_the_verdict_of_the_full_check(config: str) -> None:
    checker = BodyChecker(CONFIGS[config])
    bodies = all_bodies()
    assert len(bodies) > 100
    for body in bodies:
        assert checker.check(body) == checker.check_tokens(body), body
    # the hostile and erroneous bodies are all tokenised
    for text, _ in [*HOSTILE_CASES.values(), *ERROR_CASES.values()]:
        for body in bodies_in(text) if len(text) < 100_000 else []:
            if checker.check_tokens(body)[0]:
                assert needs_tokens(body), body


@pytest.mark.parametrize("config", sorted(CONFIGS))
def test_generated_strings_get_the_verdict_of_the_full_check(config: str) -> None:
    checker = BodyChecker(CONFIGS[config])
    screened = 0
    for body in generated(8_000, seed=len(config)):
        assert checker.check(body) == checker.check_tokens(body), repr(body)
        screened += not needs_tokens(body)
    # the screen must have been put to the test: many strings passed it
    assert screened > 2_000


def test_generated_strings_the_screen_passes_make_no_token_of_concern() -> None:
    """Stronger than equal verdicts: tokenised, a screened string makes no token the check looks at at all
    (not even an allowed role or an http link), under every configuration."""
    concern = {
        "html_block",
        "html_inline",
        "front_matter",
        "heading_open",
        "image",
        "footnote_ref",
        "footnote_block_open",
        "math_block",
        "myst_role",
    }
    for name, config in CONFIGS.items():
        md = BodyChecker(config)._md
        for body in generated(4_000, seed=100 + len(name)):
            if needs_tokens(body):
                continue
            tokens = md.parse(body)
            for token in [t for top in tokens for t in [top, *(top.children or [])]]:
                assert token.type not in concern, (name, body)
                assert not (token.type in ("fence", "colon_fence") and token.info.strip().startswith("{"))
                if token.type == "link_open":
                    assert re.match(r"(?i)(https?|mailto):", str(token.attrs["href"])), (name, body)


def test_a_verdict_remembered_is_a_fresh_copy() -> None:
    checker = BodyChecker()
    body = "As {cite:p}`a-key` and <b>bold</b>."
    first = checker.check(body)
    first[0].clear()
    first[1].clear()
    again = checker.check(body)
    assert again == checker.check_tokens(body)
    assert again[0] and again[1]
    # a change of the allowed roles is not answered from memory
    checker.allowed_roles = frozenset()
    assert checker.check(body) == checker.check_tokens(body)
    assert any("role {cite:p}" in problem.message for problem in checker.check(body)[0])


# -- worker processes ---------------------------------------------------------------------------------------------


def broken_edition(tiny: Path) -> None:
    """The tiny edition with every erroneous and hostile case (that loads quickly) added, each file many times."""
    folder = tiny / "annotations"
    cases = {
        **{f"error-{k}": v for k, v in ERROR_CASES.items()},
        **{f"hostile-{k}": v for k, v in HOSTILE_CASES.items()},
    }
    for name, (text, _) in sorted(cases.items()):
        if len(text) > 100_000:
            continue
        for copy in range(3):
            renamed = re.sub(r"id: (\S+)", rf"id: \1-{copy}", text)
            (folder / f"{name}-{copy}.yaml").write_text(renamed.replace("{marker}", "/nonexistent"), encoding="utf-8")
    good = [note(f"A *good* note, number {n}, with [a link](https://example.org/{n}).", f"good-{n}") for n in range(40)]
    (folder / "many.yaml").write_text(
        "annotations:\n" + "".join(text.split("\n", 1)[1] for text in good), encoding="utf-8"
    )
    # a duplicate id across files, and a file linking outside the folder
    (folder / "duplicate.yaml").write_text(note("Again.", "good-1"), encoding="utf-8")
    outside = tiny / "outside.yaml"
    outside.write_text(note("Outside.", "outside"), encoding="utf-8")
    (folder / "link.yaml").symlink_to(outside)


def test_worker_processes_give_exactly_the_result_of_one_process(
    tiny_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken_edition(tiny_project)
    kwargs: dict[str, Any] = {"bib": tiny_project / "refs.bib", "docs": tiny_project}
    alone = check(tiny_project, jobs=1, **kwargs)
    monkeypatch.setattr(edition_module, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(edition_module, "_FILES_PER_TASK", 5)
    monkeypatch.setattr(edition_module, "_ANCHORS_PER_TASK", 7)
    together = check(tiny_project, jobs=2, **kwargs)
    many = check(tiny_project, jobs=3, **kwargs)
    assert many.diagnostics == alone.diagnostics
    assert [a.anchors for a in many.edition.annotations] == [a.anchors for a in alone.edition.annotations]
    assert len(alone.errors) > 50
    assert together.diagnostics == alone.diagnostics
    assert [format_diagnostic(d, tiny_project) for d in together.diagnostics] == [
        format_diagnostic(d, tiny_project) for d in alone.diagnostics
    ]
    assert together.edition.diagnostics == alone.edition.diagnostics
    assert together.edition.declared == alone.edition.declared
    assert [(a.id, a.path, a.line, a.column, a.anchors, a.annotation) for a in together.edition.annotations] == [
        (a.id, a.path, a.line, a.column, a.anchors, a.annotation) for a in alone.edition.annotations
    ]
    assert together.edition.by_source.keys() == alone.edition.by_source.keys()
    for source in alone.edition.by_source:
        assert together.edition.fingerprint(source) == alone.edition.fingerprint(source)


def test_the_command_takes_a_number_of_jobs(tiny_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from sphinx_standoff.cli import main

    args = ["--root", str(tiny_project), "check", "--bib", str(tiny_project / "refs.bib"), "--docs", str(tiny_project)]
    assert main([*args, "--jobs", "2"]) == 0
    assert main([*args, "-j", "1"]) == 0


# -- YAML ---------------------------------------------------------------------------------------------------------


def test_a_bad_merge_key_is_a_diagnostic_not_a_traceback(tiny_project: Path) -> None:
    (tiny_project / "annotations" / "merge.yaml").write_text(
        "annotations:\n  - id: merged\n    kind: note\n    target: {source: harbour-log, exact: shipp}\n"
        "    body: x\n    <<: 1\n",
        encoding="utf-8",
    )
    result = check(tiny_project, bib=tiny_project / "refs.bib", docs=tiny_project)
    lines = [format_diagnostic(d, tiny_project) for d in result.errors]
    assert (
        "annotations/merge.yaml:6:9: YAML value refused: expected a mapping or list of mappings for merging, "
        "but found scalar" in lines
    )


def test_plain_strings_are_taken_as_pyyaml_takes_them() -> None:
    text = (
        "a: plain\nb: 'quoted'\nc: |\n  block\nd: 1962-03-07\ne: 3\nf: true\ng: null\nh: !!str 4\n"
        "i: &x [one, two]\nj: *x\nk: {<<: {m: 1}, n: 2}\n"
    )
    import yaml

    data, marks = yamlsource.load(text)
    assert data == yaml.safe_load(text)
    assert marks.locate(("k", "m")) == (12, 10)
    assert marks.locate(("j", 1)) == (10, 13)  # an alias: where the aliased value is written
    assert marks.content_line(("c",)) == 4


def test_the_sources_of_a_copy_of_the_tiny_edition_load_as_before(tmp_path: Path) -> None:
    """A symlinked folder holding the edition: nothing inside it is 'outside'."""
    real = tmp_path / "real"
    shutil.copytree(ROOTS / "test-tiny", real)
    (tmp_path / "via").symlink_to(real)
    result = check(tmp_path / "via", bib=real / "refs.bib", docs=tmp_path / "via")
    assert result.errors == []
    assert len(result.edition.annotations) == result.edition.declared > 0


def test_the_default_number_of_jobs_is_at_least_one_and_at_most_the_cpus() -> None:
    from sphinx_standoff.check import default_jobs

    assert 1 <= default_jobs() <= (os.cpu_count() or 1)


# -- the YAML cache -----------------------------------------------------------------------------------------------


def counting_parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Count the YAML documents actually parsed (not taken from a cache) from now on."""
    parsed: list[str] = []
    real = yamlsource._parse

    def parse(text: str) -> Any:
        parsed.append(text)
        return real(text)

    monkeypatch.setattr(yamlsource, "_parse", parse)
    return parsed


def test_a_run_with_the_cache_reports_exactly_what_a_run_without_it_reports(
    tiny_project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken_edition(tiny_project)
    kwargs: dict[str, Any] = {"bib": tiny_project / "refs.bib", "docs": tiny_project}
    alone = check(tiny_project, jobs=1, **kwargs)
    parsed = counting_parses(monkeypatch)
    cold = check(tiny_project, jobs=1, cache_dir=tmp_path / "cache", **kwargs)
    cold_parses = len(parsed)
    parsed.clear()
    warm = check(tiny_project, jobs=1, cache_dir=tmp_path / "cache", **kwargs)
    warm_parses = len(parsed)
    # worker processes take from the cache and add to it too
    monkeypatch.setattr(edition_module, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(edition_module, "_FILES_PER_TASK", 5)
    (tiny_project / "annotations" / "late.yaml").write_text(note("Added later.", "late"), encoding="utf-8")
    together = check(tiny_project, jobs=3, cache_dir=tmp_path / "cache", **kwargs)
    again = check(tiny_project, jobs=1, **kwargs)

    def shown(result: Any) -> list[Any]:
        return [format_diagnostic(d, tiny_project) for d in result.diagnostics] + [
            (a.id, a.path, a.line, a.column, a.body_line, a.text_lines, a.anchors, a.annotation)
            for a in result.edition.annotations
        ]

    assert len(alone.errors) > 50
    assert shown(cold) == shown(alone)
    assert shown(warm) == shown(alone)
    assert shown(together) == shown(again)
    assert cold_parses > 100
    # a warm run parses only what JSON cannot hold (dates, binary): a handful of the hostile files
    assert warm_parses < cold_parses / 10
    [cache_file] = (tmp_path / "cache").glob("yaml-*.json")
    stored = json.loads(cache_file.read_text(encoding="utf-8"))
    late = yamlsource.ParseCache(None)
    late.load((tiny_project / "annotations" / "late.yaml").read_text(encoding="utf-8"))
    assert set(late._used) <= set(stored["entries"])  # the file a worker parsed was kept


DOCUMENT = """annotations:
  - id: first
    kind: note
    target: {source: harbour-log, exact: "the ship"}
    body: |
      A body
      on two lines.
  - id: second
    items: [1, 2.5, true, null, "x"]
"""


def test_a_place_the_cache_did_not_keep_is_found_by_parsing_again(tmp_path: Path) -> None:
    file = tmp_path / "cache.json"
    full = yamlsource._parse(DOCUMENT)[1]
    with yamlsource.caching(yamlsource.ParseCache(file)):
        data, marks = yamlsource.load(DOCUMENT)
        assert marks.locate(("annotations", 0)) == full.locate(("annotations", 0))
    assert file.exists()
    with yamlsource.caching(yamlsource.ParseCache(file)) as cache:
        cached, marks = yamlsource.load(DOCUMENT)
        assert cached == data == yamlsource._parse(DOCUMENT)[0]
        assert [type(v) for v in cached["annotations"][1]["items"]] == [int, float, bool, type(None), str]
        for path in [
            ("annotations", 0),
            ("annotations", 0, "target", "exact"),
            ("annotations", 0, "body"),
            ("annotations", 1, "items", 3),
            ("annotations", 1, "nothing", "here"),
            ("annotations",),
            (),
        ]:
            assert marks.locate(path) == full.locate(path), path
            assert marks.content_line(path) == full.content_line(path), path
        assert marks.positions == full.positions
        assert cache is not None
    # the places asked for were kept: a third run need not parse at all
    with yamlsource.caching(yamlsource.ParseCache(file)):
        _, marks = yamlsource.load(DOCUMENT)
        assert marks.locate(("annotations", 0, "target", "exact")) == full.locate(("annotations", 0, "target", "exact"))
        assert marks._full is None  # type: ignore[attr-defined]


def test_a_place_found_after_the_whole_marks_were_read_is_kept_too(tmp_path: Path) -> None:
    file = tmp_path / "cache.json"
    place = ("annotations", 1, "items", 2)
    with yamlsource.caching(yamlsource.ParseCache(file)):
        yamlsource.load(DOCUMENT)
    with yamlsource.caching(yamlsource.ParseCache(file)):
        _, marks = yamlsource.load(DOCUMENT)
        assert marks.positions  # parses again, before any place is asked for
        assert marks.locate(place) == yamlsource._parse(DOCUMENT)[1].locate(place)
    with yamlsource.caching(yamlsource.ParseCache(file)):
        _, marks = yamlsource.load(DOCUMENT)
        assert marks.locate(place) == yamlsource._parse(DOCUMENT)[1].locate(place)
        assert marks._full is None  # type: ignore[attr-defined]


@pytest.mark.parametrize("value", ["123456789012345678901234567890", ".nan", "-.inf"])
def test_numbers_the_cache_file_cannot_give_back_exactly_are_parsed_each_time(tmp_path: Path, value: str) -> None:
    """The cache files are written and read with orjson, which reads an integer beyond 64 bits as a float, and
    writes a NaN or an infinity as ``null``: a document holding one is never kept (it is parsed each time, and
    gives its own number), and the other documents still are."""
    file = tmp_path / "cache.json"
    odd = f"annotations:\n  - id: odd\n    number: {value}\n"
    for _ in range(2):
        with yamlsource.caching(yamlsource.ParseCache(file)):
            data, _ = yamlsource.load(odd)
            assert repr(data["annotations"][0]["number"]) == repr(yamlsource._parse(odd)[0]["annotations"][0]["number"])
            assert yamlsource.load(DOCUMENT)[0] == yamlsource._parse(DOCUMENT)[0]
    entries = json.loads(file.read_bytes())["entries"]
    assert [entry["data"] for entry in entries.values()] == [yamlsource._parse(DOCUMENT)[0]]


def test_errors_come_from_the_cache_as_from_the_parser(tmp_path: Path) -> None:
    file = tmp_path / "cache.json"
    bad = "annotations:\n  - id: x\n    id: y\n"
    for _ in range(2):
        with yamlsource.caching(yamlsource.ParseCache(file)), pytest.raises(yamlsource.YamlError) as raised:
            yamlsource.load(bad)
        assert (raised.value.message, raised.value.line, raised.value.column) == ("duplicate key 'id'", 3, 5)
    assert "duplicate key" in file.read_text(encoding="utf-8")


def test_what_json_cannot_hold_is_parsed_each_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import datetime

    file = tmp_path / "cache.json"
    text = "a: 1962-03-07\nb: !!binary aGk=\n"
    parsed = counting_parses(monkeypatch)
    for _ in range(2):
        with yamlsource.caching(yamlsource.ParseCache(file)):
            data, _ = yamlsource.load(text)
        assert data == {"a": datetime.date(1962, 3, 7), "b": b"hi"}
    assert len(parsed) == 2


@pytest.mark.parametrize(
    "content",
    [
        b"not json at all",
        b'{"version": "another", "entries": {}}',
        b"[1, 2]",
        b"[" * 100_000,
        "entry",  # an entry of the wrong shape, under the right version
        "places",  # places of the wrong shape
    ],
)
def test_a_damaged_cache_file_or_one_of_another_version_is_ignored(tmp_path: Path, content: bytes | str) -> None:
    file = tmp_path / "cache.json"
    with yamlsource.caching(yamlsource.ParseCache(file)):
        _, marks = yamlsource.load(DOCUMENT)
        marks.locate(("annotations", 1, "items"))
    if isinstance(content, str):
        stored = json.loads(file.read_text(encoding="utf-8"))
        for entry in stored["entries"].values():
            if content == "entry":
                del entry["places"]
            else:
                entry["places"] = {key: ["1", 2, 3] if n % 2 else [1, 2] for n, key in enumerate(entry["places"])}
        content = json.dumps(stored).encode()
    file.write_bytes(content)
    with yamlsource.caching(yamlsource.ParseCache(file)):
        data, marks = yamlsource.load(DOCUMENT)
    assert data == yamlsource._parse(DOCUMENT)[0]
    assert marks.locate(("annotations", 1, "items")) == (9, 5)
    assert json.loads(file.read_text(encoding="utf-8"))["entries"]  # written anew


def test_the_command_keeps_its_cache_where_it_is_told(
    tiny_project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sphinx_standoff.cli import main

    args = ["--root", str(tiny_project), "check", "--bib", str(tiny_project / "refs.bib"), "--docs", str(tiny_project)]
    monkeypatch.setenv("STANDOFF_CACHE_DIR", str(tmp_path / "from-env"))
    assert main(args) == 0
    assert len(list((tmp_path / "from-env").glob("yaml-*.json"))) == 1
    assert main([*args, "--cache-dir", str(tmp_path / "chosen")]) == 0
    assert len(list((tmp_path / "chosen").glob("yaml-*.json"))) == 1
    monkeypatch.setenv("STANDOFF_CACHE_DIR", str(tmp_path / "none"))
    assert main([*args, "--no-cache"]) == 0
    assert not (tmp_path / "none").exists()


# -- folding for anchoring ----------------------------------------------------------------------------------------


def _offsets(folded: str, fold_at: list[int], orig_at: list[int]) -> tuple[str, list[int]]:
    from bisect import bisect_right

    def original(position: int) -> int:
        k = bisect_right(fold_at, position) - 1
        return orig_at[k] + (position - fold_at[k])

    return folded, [original(i) for i in range(len(folded))]


@pytest.mark.parametrize(
    "alphabet",
    [
        [chr(c) for c in range(128)],  # plain ASCII: control characters, whitespace runs
        # what sources hold: curly quotes, dashes, accented letters, no-break and thin spaces
        [*"ab c\n\t", *"\u2018\u2019\u201c\u201d\u2014\u2013é\u00e0\u00a0\u2009\u3000\u2028"],
        # and what folds otherwise: combining marks, text not in NFC, Hangul jamo, a compatibility character
        [*"ab c\n\u2019e", "\u0301", "\u0327", "\u1100", "\u1161", "\u212b", "\u0344", "\u0958", "ſ", "\u00a0"],
    ],
    ids=["ascii", "typographic", "to-normalise"],
)
def test_text_is_folded_at_once_exactly_as_the_general_way_folds_it(alphabet: list[str]) -> None:
    """Folding a text all at once (the common case) gives the folded text and the offsets back into the
    original that folding it a run at a time gives; and texts that need the general way are sent to it."""
    from sphinx_standoff import anchoring

    rng = random.Random(7)
    texts = [""] + [
        "".join(rng.choice(alphabet if rng.random() < 0.3 else "ab c\n\t") for _ in range(rng.randint(1, 40)))
        for _ in range(5000)
    ]
    general = [_offsets(*anchoring._fold_in_general(text)) for text in texts]
    folded = [anchoring._Folded(text) for text in texts]
    assert [(f.folded, [f.original(i) for i in range(len(f.folded))]) for f in folded] == general
    assert [anchoring.fold(text) for text in texts] == [text for text, _ in general]
    at_once = [i for i, text in enumerate(texts) if anchoring._folds_one_for_one(text)]
    assert [_offsets(*anchoring._fold_one_for_one(texts[i])) for i in at_once] == [general[i] for i in at_once]
    assert len(at_once) > 1000  # the quick way is taken, and often


def test_folding_knows_every_whitespace_character() -> None:
    """Every character Python (``str.isspace``, ``\\s``) calls whitespace folds to one space, alone, in a run and
    between words, both ways of folding, and with offsets back into the original."""
    from sphinx_standoff import anchoring

    everything = "".join(chr(c) for c in range(0x110000) if chr(c).isspace())
    assert all(re.fullmatch(r"\s", c) for c in everything)
    for c in everything:
        for text, folded in [(c, " "), (c * 3, " "), (f"a{c}b", "a b"), (f"a{c}{c}\u2019b", "a 'b")]:
            assert anchoring.fold(text) == folded, repr(text)
            assert anchoring._fold_in_general(text)[0] == folded, repr(text)
            assert _offsets(*anchoring._fold_one_for_one(text)) == _offsets(*anchoring._fold_in_general(text))


# -- where a received file is ---------------------------------------------------------------------------------


def test_a_received_file_is_found_where_following_every_link_finds_it(tmp_path: Path) -> None:
    """The received file's place is worked out from the links below the sources folder only: it is the place
    ``Path.resolve`` gives, whether the folder, a subfolder or the file is a link, and a link leading outside
    is still refused."""
    from sphinx_standoff.diagnostics import DiagnosticError
    from sphinx_standoff.transcription import _received_path

    real = tmp_path / "real"
    (real / "received").mkdir(parents=True)
    (real / "received" / "a.txt").write_text("a", encoding="utf-8")
    (real / "other").mkdir()
    (real / "other" / "b.txt").write_text("b", encoding="utf-8")
    (real / "received" / "b.txt").symlink_to(real / "other" / "b.txt")  # a link to a file inside
    (real / "linked").symlink_to(real / "other")  # a link to a folder inside
    (tmp_path / "outside.txt").write_text("c", encoding="utf-8")
    (real / "received" / "c.txt").symlink_to(tmp_path / "outside.txt")
    (tmp_path / "sources").symlink_to(real)  # the sources folder itself reached through a link
    for sources in (real, tmp_path / "sources"):
        transcription = sources / "t.txt"
        folders: dict[str, str] = {}
        for name in ("received/a.txt", "received/b.txt", "linked/b.txt", "received/../other/b.txt", "missing.txt"):
            found = _received_path(transcription, name, 3, on_disk=True, folders=folders)
            assert found == (sources / name).resolve(), name
        with pytest.raises(DiagnosticError, match=r"'received/c\.txt' is outside the sources folder"):
            _received_path(transcription, "received/c.txt", 3, on_disk=True, folders=folders)
        assert _received_path(transcription, "received/a.txt", 3, on_disk=False) == sources / "received" / "a.txt"


# -- the checker's memo -------------------------------------------------------------------------------------------


def shown(result: Any, root: Path) -> list[Any]:
    """Everything a run reports, and the edition it loads."""
    return [format_diagnostic(d, root) for d in result.diagnostics] + [
        (a.id, a.path, a.line, a.column, a.body_line, a.text_lines, a.anchors, a.annotation)
        for a in result.edition.annotations
    ]


#: the checker forks worker processes where forking is the usual way of starting one (``edition._pool``)
forked_workers = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked on Linux only")


def counting_reads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Record each annotation file read and worked out afresh (not taken from the memo)."""
    read: list[Path] = []
    real = edition_module._file_entries

    def file_entries(path: Path, *args: Any, **kwargs: Any) -> Any:
        read.append(path)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(edition_module, "_file_entries", file_entries)
    return read


def test_the_memo_gives_back_every_annotation_of_the_edition_exactly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every annotation file of this edition (annotations of every kind, with dates, lists, nested records) is
    taken from the memo on a second run, and gives the very models, places and lines that reading it gives."""
    fresh = check(PROJECT, use_bib=False, jobs=1)
    check(PROJECT, use_bib=False, jobs=1, cache_dir=tmp_path)
    read = counting_reads(monkeypatch)
    warm = check(PROJECT, use_bib=False, jobs=1, cache_dir=tmp_path)
    assert read == []
    assert len(warm.edition.annotations) == len(fresh.edition.annotations) > 100
    for kept, made in zip(warm.edition.annotations, fresh.edition.annotations, strict=True):
        assert kept.annotation == made.annotation
        assert type(kept.annotation) is type(made.annotation)
        assert kept.annotation.model_dump() == made.annotation.model_dump()
        assert (kept.path, kept.line, kept.anchors) == (made.path, made.line, made.anchors)


def test_the_memo_gives_what_working_it_out_gives_and_only_for_unchanged_input(
    tiny_project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file read without a problem is taken from the memo next time; a selector's place only while the source
    it quotes is unchanged. Each run reports exactly what a run without the memo reports."""
    kwargs: dict[str, Any] = {"bib": tiny_project / "refs.bib", "docs": tiny_project, "jobs": 1}
    cache = tmp_path / "cache"
    read = counting_reads(monkeypatch)
    check(tiny_project, cache_dir=cache, **kwargs)
    assert read == [tiny_project / "annotations" / "tiny.yaml"]
    read.clear()
    warm = check(tiny_project, cache_dir=cache, **kwargs)
    assert read == []  # from the memo
    assert not warm.errors
    assert shown(warm, tiny_project) == shown(check(tiny_project, **kwargs), tiny_project)

    source = tiny_project / "sources" / "alpha.txt"
    text = source.read_text(encoding="utf-8")
    # a word added before the quoted passages: every place in the paragraph moves
    source.write_text(text.replace("The keeper lit the lamp", "Then the keeper lit the lamp"), encoding="utf-8")
    moved = check(tiny_project, cache_dir=cache, **kwargs)
    assert shown(moved, tiny_project) == shown(check(tiny_project, **kwargs), tiny_project)
    lamp = [next(a for a in run.edition.annotations if a.id == "lamp-lit").anchors[0] for run in (warm, moved)]
    assert [anchor.start for anchor in lamp] == [11, 16]  # after "The keeper ", then after "Then the keeper "
    # the passage an annotation quotes is gone: the error is reported, not an old place
    source.write_text(text.replace("lit the lamp at dusk", "lit the lantern at dusk"), encoding="utf-8")
    gone = check(tiny_project, cache_dir=cache, **kwargs)
    assert shown(gone, tiny_project) == shown(check(tiny_project, **kwargs), tiny_project)
    assert any("'lit the lamp at dusk' not found" in d.message for d in gone.errors)
    source.write_text(text, encoding="utf-8")

    # a role no longer allowed (a setting the memo's verdicts depend on) is reported
    conf = tiny_project / "conf.py"
    conf.write_text(conf.read_text(encoding="utf-8") + "\nstandoff_allowed_roles = []\n", encoding="utf-8")
    refused = check(tiny_project, cache_dir=cache, **kwargs)
    assert shown(refused, tiny_project) == shown(check(tiny_project, **kwargs), tiny_project)
    assert any("role {cite:p} is not allowed" in d.message for d in refused.errors)


@forked_workers
def test_the_sources_read_by_a_worker_meanwhile_give_what_one_process_gives(
    tiny_project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a memo and a second job, a worker process reads the sources while this one takes the annotation
    files back from the memo. The run reports exactly what one process reports, the problems of the sources
    included and in the same place; where the worker dies, this process reads the sources itself."""
    sources = tiny_project / "sources"
    (sources / "broken.txt").write_text("no front matter\n", encoding="utf-8")
    shutil.copy(sources / "alpha.txt", sources / "alpha-again.txt")  # the same id twice
    (tiny_project / "annotations" / "duplicate.yaml").write_text(note("Again.", "lamp-lit"), encoding="utf-8")
    # a file with a problem of its own, never remembered: read afresh each time, by this process
    bad = tiny_project / "annotations" / "bad.yaml"
    bad.write_text("annotations:\n  - id: odd\n    kind: oddity\n", encoding="utf-8")
    kwargs: dict[str, Any] = {"bib": tiny_project / "refs.bib", "docs": tiny_project}
    cache = tmp_path / "cache"
    alone = check(tiny_project, jobs=1, **kwargs)
    check(tiny_project, jobs=1, cache_dir=cache, **kwargs)  # the memo
    check(tiny_project, jobs=1, cache_dir=cache, **kwargs)  # what a run with the memo keeps in the YAML cache
    yaml_file = yamlsource.cache_file(cache, tiny_project / "sources", tiny_project / "annotations")
    cached = set(json.loads(yaml_file.read_bytes())["entries"])
    # more bytes from the memo than that, fewer to read afresh: the worker reads the sources
    monkeypatch.setattr(edition_module, "PARALLEL_MIN_BYTES", bad.stat().st_size + 1)
    started: list[bool] = []
    real_apart = edition_module._sources_apart

    def apart(*args: Any) -> Any:
        worker = real_apart(*args)
        started.append(worker is not None)
        return worker

    monkeypatch.setattr(edition_module, "_sources_apart", apart)
    together = check(tiny_project, jobs=2, cache_dir=cache, **kwargs)
    assert started == [True]
    assert shown(together, tiny_project) == shown(alone, tiny_project)
    # the front matter the worker took from the YAML cache stays in it, to be taken again next time
    assert set(json.loads(yaml_file.read_bytes())["entries"]) == cached
    assert together.edition.diagnostics == alone.edition.diagnostics  # in the order the loader found them
    messages = [d.message for d in alone.errors]
    assert any("must begin with '---'" in m for m in messages)
    assert any("source id 'harbour-log' is already used" in m for m in messages)
    assert any("'lamp-lit'" in m for m in messages)  # a check across files, after the memo
    assert any("oddity" in m for m in messages)

    parent = os.getpid()
    real_read = edition_module._read_source_files

    def dying(*args: Any, **kwargs: Any) -> Any:
        if os.getpid() != parent:
            os._exit(1)  # the worker is killed
        return real_read(*args, **kwargs)

    monkeypatch.setattr(edition_module, "_read_source_files", dying)
    died = check(tiny_project, jobs=2, cache_dir=cache, **kwargs)
    assert started == [True, True]
    assert shown(died, tiny_project) == shown(alone, tiny_project)
    assert died.edition.diagnostics == alone.edition.diagnostics


@forked_workers
def test_the_workers_are_forked_before_the_memo_is_read(
    tiny_project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A forked worker shares this process's memory until either writes to it; after the fork, every object of
    the memo this process touches copies the page that holds it. So the memo file, with its many objects, is
    read after the workers are forked, not before; and the run still takes every file back from it."""
    from sphinx_standoff import memo as memo_module

    kwargs: dict[str, Any] = {"bib": tiny_project / "refs.bib", "docs": tiny_project}
    cache = tmp_path / "cache"
    alone = check(tiny_project, jobs=1, cache_dir=cache, **kwargs)  # the memo
    monkeypatch.setattr(edition_module, "PARALLEL_MIN_BYTES", 1)  # the tiny edition counts as large
    parent = os.getpid()
    events: list[str] = []
    real_fork, real_read = os.fork, memo_module.read_json

    def fork() -> int:
        if os.getpid() == parent:
            events.append("fork")
        return real_fork()

    def read_json(file: Path) -> Any:
        if os.getpid() == parent and file.name.startswith("memo-"):
            events.append("memo read")
        return real_read(file)

    monkeypatch.setattr(os, "fork", fork)
    monkeypatch.setattr(memo_module, "read_json", read_json)
    read = counting_reads(monkeypatch)
    together = check(tiny_project, jobs=2, cache_dir=cache, **kwargs)
    assert events == ["fork", "memo read"]
    assert read == []  # every file from the memo
    assert shown(together, tiny_project) == shown(alone, tiny_project)


def test_a_source_read_without_a_problem_before_is_parsed_only_when_asked(
    tiny_project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The checker keeps the digests of the transcriptions it read without a problem. Next time such a file's
    body is not parsed until its paragraphs are asked for, which a check whose selectors all come back from the
    memo never does; when they are, they are the paragraphs a fresh read gives. An edited file is parsed again,
    and a file with a problem in its body is never taken as known: the problem is reported on every run."""
    from sphinx_standoff import transcription

    kwargs: dict[str, Any] = {"bib": tiny_project / "refs.bib", "docs": tiny_project, "jobs": 1}
    cache = tmp_path / "cache"
    parsed: list[Path] = []
    real_body = transcription._body

    def body(path: Path, *args: Any) -> Any:
        parsed.append(path)
        return real_body(path, *args)

    monkeypatch.setattr(transcription, "_body", body)
    sources = tiny_project / "sources"
    first = check(tiny_project, cache_dir=cache, **kwargs)
    assert sorted(parsed) == [sources / "alpha.txt", sources / "beta.txt"]
    parsed.clear()
    again = check(tiny_project, cache_dir=cache, **kwargs)
    assert parsed == []
    fresh = check(tiny_project, **kwargs)
    assert shown(again, tiny_project) == shown(fresh, tiny_project) == shown(first, tiny_project)
    parsed.clear()
    assert again.edition.sources == fresh.edition.sources  # the paragraphs, parsed now
    assert sorted(parsed) == [sources / "alpha.txt", sources / "beta.txt"]
    for source_id, source in again.edition.sources.items():
        assert source.paragraphs == fresh.edition.sources[source_id].paragraphs

    # an edited source is parsed again; a body with a problem is reported each time
    alpha = sources / "alpha.txt"
    alpha.write_text(alpha.read_text(encoding="utf-8").replace("at nine", "at ten"), encoding="utf-8")
    beta = sources / "beta.txt"
    beta.write_text(beta.read_text(encoding="utf-8") + "\n::: nonsense\nA block of no known role.\n:::\n", "utf-8")
    expected = shown(check(tiny_project, **kwargs), tiny_project)
    assert any("unknown block role 'nonsense'" in line for line in expected)
    # the broken one is parsed, and its problem reported, each time (the edited one is parsed the first time,
    # and whenever the selectors on it are anchored again)
    for run_number in range(2):
        parsed.clear()
        run = check(tiny_project, cache_dir=cache, **kwargs)
        assert beta in parsed and (alpha in parsed or run_number > 0)
        assert shown(run, tiny_project) == expected


def test_places_found_again_after_a_source_changed_are_remembered(
    tiny_project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When a source changes, the selectors on it are anchored again, and their new places kept: the run after
    that anchors none of them. A selector that no longer lands is tried again each run, and reported each
    time, but the memo is not written again for it."""
    kwargs: dict[str, Any] = {"bib": tiny_project / "refs.bib", "docs": tiny_project, "jobs": 1}
    cache = tmp_path / "cache"
    check(tiny_project, cache_dir=cache, **kwargs)
    anchored: list[str] = []
    real_anchor = edition_module._anchor

    def anchor(item: Any, *args: Any) -> Any:
        anchored.append(item.id)
        return real_anchor(item, *args)

    monkeypatch.setattr(edition_module, "_anchor", anchor)
    alpha = tiny_project / "sources" / "alpha.txt"
    text = alpha.read_text(encoding="utf-8")
    # the source changes (its headline): the places kept for the selectors on it are no longer trusted
    alpha.write_text(text.replace("Harbour Log, 3 May", "Harbour Log, Saturday 3 May"), encoding="utf-8")
    moved = check(tiny_project, cache_dir=cache, **kwargs)
    assert not moved.errors
    assert "lamp-lit" in anchored
    assert shown(moved, tiny_project) == shown(check(tiny_project, **kwargs), tiny_project)
    anchored.clear()
    again = check(tiny_project, cache_dir=cache, **kwargs)
    assert anchored == []
    assert shown(again, tiny_project) == shown(moved, tiny_project)

    # a passage gone: its selector is tried, and reported, each time; the memo is written once
    alpha.write_text(text.replace("lit the lamp at dusk", "lit the lantern at dusk"), encoding="utf-8")
    expected = shown(check(tiny_project, **kwargs), tiny_project)
    [memo_file] = cache.glob("memo-*.json")
    written = []
    for _ in range(3):
        anchored.clear()
        gone = check(tiny_project, cache_dir=cache, **kwargs)
        assert shown(gone, tiny_project) == expected
        assert any("'lit the lamp at dusk' not found" in d.message for d in gone.errors)
        # the memo is written by replacing the file (``memo.write_json``): a new inode each time it is written
        stat = memo_file.stat()
        written.append((memo_file.read_bytes(), stat.st_ino, stat.st_mtime_ns))
    assert written[1] == written[2] and written[0] == written[1]
    assert anchored and len(anchored) < len(gone.edition.annotations)  # the one that fails, not the others


def test_a_memo_of_sources_altered_by_hand_gives_errors_not_a_traceback(tiny_project: Path, tmp_path: Path) -> None:
    """A digest put by hand in the memo of sources, for a file whose body has a problem, leaves that body
    unparsed; when a selector on it must be anchored, the annotation is refused, saying what is wrong with the
    source. Nothing is lost, nothing raises."""
    kwargs: dict[str, Any] = {"bib": tiny_project / "refs.bib", "docs": tiny_project, "jobs": 1}
    cache = tmp_path / "cache"
    check(tiny_project, cache_dir=cache, **kwargs)
    alpha = tiny_project / "sources" / "alpha.txt"
    # a note call with no note: a problem of the body alone, found only when it is parsed
    alpha.write_text(alpha.read_text(encoding="utf-8").replace("at nine.", "at nine.{noteref}`7`"), encoding="utf-8")
    expected = check(tiny_project, **kwargs)
    assert any("note call '7'" in d.message for d in expected.errors)
    [file] = cache.glob("sources-*.json")
    stored = json.loads(file.read_text(encoding="utf-8"))
    digest = hashlib.sha256(alpha.read_bytes()).hexdigest()
    file.write_text(json.dumps({**stored, "results": {**stored["results"], digest: 1}}), encoding="utf-8")
    result = check(tiny_project, cache_dir=cache, **kwargs)
    refused = [d for d in result.errors if "source 'harbour-log' cannot be read" in d.message]
    assert refused and all("note call '7'" in d.message and d.annotation for d in refused)
    assert not {a.id for a in result.edition.annotations} & {d.annotation for d in refused}


@forked_workers
def test_the_sources_are_shared_between_the_worker_and_this_process(
    tiny_project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The worker reads the sources from the first on, a few at a time; what it has not begun when this process
    is free is read here. However they are shared, the run reports what one process reports, in the same order,
    with the same sources."""
    sources = tiny_project / "sources"
    (sources / "broken.txt").write_text("no front matter\n", encoding="utf-8")
    for number in range(6):  # more sources, one task each
        shutil.copy(sources / "alpha.txt", sources / f"copy-{number}.txt")  # the same id again: reported
    kwargs: dict[str, Any] = {"bib": tiny_project / "refs.bib", "docs": tiny_project}
    cache = tmp_path / "cache"
    alone = check(tiny_project, jobs=1, **kwargs)
    check(tiny_project, jobs=1, cache_dir=cache, **kwargs)  # the memo
    monkeypatch.setattr(edition_module, "PARALLEL_MIN_BYTES", 1)
    monkeypatch.setattr(edition_module, "_SOURCES_PER_TASK", 1)
    parent = os.getpid()
    here: list[Path] = []
    real_read = edition_module._read_source_files

    def slow(paths: Any, *args: Any, **kwargs: Any) -> Any:
        if os.getpid() == parent:
            here.extend(paths)
        else:
            time.sleep(0.5)  # a slow worker: this process is free before it has begun the last sources
        return real_read(paths, *args, **kwargs)

    monkeypatch.setattr(edition_module, "_read_source_files", slow)
    real_apart = edition_module._sources_apart

    def apart(*args: Any) -> Any:
        # on a busy machine this process could be free before the pool has handed the worker its first task
        # (then it reads them all itself, rightly, but shows nothing of the sharing): wait for that
        found = real_apart(*args)
        deadline = time.monotonic() + 30
        while found is not None and not found.futures[0].running() and time.monotonic() < deadline:
            time.sleep(0.01)
        return found

    monkeypatch.setattr(edition_module, "_sources_apart", apart)
    together = check(tiny_project, jobs=2, cache_dir=cache, **kwargs)
    listed = sorted(sources.glob("*.txt"))
    assert here and sorted(here) == listed[len(listed) - len(here) :]  # the last ones, read here
    assert len(here) < len(listed)  # and the first ones by the worker
    assert together.edition.diagnostics == alone.edition.diagnostics
    assert sum("is already used by" in d.message for d in together.errors) == 6
    assert shown(together, tiny_project) == shown(alone, tiny_project)
    assert together.edition.sources == alone.edition.sources


def test_a_check_with_the_memo_validates_no_annotation_it_does_not_need(
    tiny_project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The checks across files run on the facts the memo keeps: a file the memo gives back is not parsed or
    validated again, unless its annotations must be anchored again (a source they quote has changed), or are
    asked for. What they then give is what reading the file gives."""
    kwargs: dict[str, Any] = {"bib": tiny_project / "refs.bib", "docs": tiny_project, "jobs": 1}
    cache = tmp_path / "cache"
    fresh = check(tiny_project, **kwargs)
    check(tiny_project, cache_dir=cache, **kwargs)
    validated: list[Any] = []
    real = edition_module._ADAPTER

    class Counting:
        def validate_python(self, data: Any) -> Any:
            validated.append(data.get("id"))
            return real.validate_python(data)

    monkeypatch.setattr(edition_module, "_ADAPTER", Counting())
    warm = check(tiny_project, cache_dir=cache, **kwargs)
    assert validated == []
    assert shown(warm, tiny_project) == shown(fresh, tiny_project)
    assert [(a.facts, a.anchors) for a in warm.edition.annotations] == [
        (a.facts, a.anchors) for a in fresh.edition.annotations
    ]
    assert [a.annotation for a in warm.edition.annotations] == [a.annotation for a in fresh.edition.annotations]
    assert sorted(validated) == sorted(a.id for a in fresh.edition.annotations)  # each once, when asked for

    # a source edited elsewhere: the annotations quoting it are validated and anchored again, and only they
    validated.clear()
    source = tiny_project / "sources" / "alpha.txt"
    source.write_text(source.read_text(encoding="utf-8") + "\nA line added at the end.\n", encoding="utf-8")
    moved = check(tiny_project, cache_dir=cache, **kwargs)
    assert shown(moved, tiny_project) == shown(check(tiny_project, **kwargs), tiny_project)
    quoting = {a.id for a in moved.edition.annotations if "harbour-log" in a.facts.sources}
    assert quoting and validated and set(validated) <= quoting


def _each(change: Any) -> Any:
    """A damage done to each annotation's part of a memo entry."""
    return lambda value: {**value, "entries": [change(e) for e in value["entries"]]}


MEMO_DAMAGE = {
    "not-a-mapping": lambda value: "nonsense",
    "count": lambda value: {**value, "count": "1"},
    "sources": lambda value: {**value, "sources": []},
    "too-few": lambda value: {**value, "entries": value["entries"][:-1]},
    "line": _each(lambda e: ["1", *e[1:]]),
    "text-lines": _each(lambda e: [*e[:3], [], *e[4:]]),
    "verdict": _each(lambda e: [*e[:4], [[0, [[0]], []]], *e[5:]]),
    "place": _each(lambda e: [*e[:5], [[1, 2]], *e[6:]]),
    "place-kind": _each(lambda e: [*e[:5], ["x"], *e[6:]]),
    "no-facts": _each(lambda e: e[:6]),
    "facts-id": _each(lambda e: [*e[:6], [1, *e[6][1:]]]),
    "facts-link": _each(lambda e: [*e[:6], [*e[6][:2], [["lamp-lit", "event", "event"]], *e[6][3:]]]),
    "facts-sources": _each(lambda e: [*e[:6], [*e[6][:3], "harbour-log", *e[6][4:]]]),
}


@pytest.mark.parametrize("damage", [*MEMO_DAMAGE, "digests"])
def test_a_memo_of_the_wrong_shape_is_worked_out_again(
    damage: str, tiny_project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A memo entry not of the shape this code keeps is no entry: the file is read again; and places said to be
    found in other texts of the sources (other digests) are found again."""
    kwargs: dict[str, Any] = {"bib": tiny_project / "refs.bib", "docs": tiny_project, "jobs": 1}
    cache = tmp_path / "cache"
    check(tiny_project, cache_dir=cache, **kwargs)
    [file] = cache.glob("memo-*.json")
    stored = json.loads(file.read_text(encoding="utf-8"))
    if damage == "digests":  # well formed, but about other texts, whose places are wrong here
        change = _each(lambda e: [*e[:5], [[p, s + 1, t + 1] for p, s, t in e[5]], *e[6:]])
        results = {
            k: {**change(v), "sources": {s: "0" * 64 for s in v["sources"]}} for k, v in stored["results"].items()
        }
    else:
        results = {key: MEMO_DAMAGE[damage](value) for key, value in stored["results"].items()}
    file.write_text(json.dumps({**stored, "results": results}), encoding="utf-8")
    expected = shown(check(tiny_project, **kwargs), tiny_project)
    read = counting_reads(monkeypatch)
    result = check(tiny_project, cache_dir=cache, **kwargs)
    assert shown(result, tiny_project) == expected
    assert not result.errors
    assert read == ([] if damage == "digests" else [tiny_project / "annotations" / "tiny.yaml"])


def test_the_command_writes_its_output_before_it_exits_at_once(tiny_project: Path, tmp_path: Path) -> None:
    """``standoff check`` exits without freeing what it built, and says everything first."""
    import subprocess
    import sys

    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx_standoff.cli",
            "--root",
            str(tiny_project),
            "check",
            "--cache-dir",
            str(tmp_path),
        ]
        + ["--bib", str(tiny_project / "refs.bib"), "--docs", str(tiny_project), "--format", "text"],
        capture_output=True,
        text=True,
        cwd=tiny_project,
        env={key: value for key, value in os.environ.items() if key != "PYTHONUNBUFFERED"},
    )
    assert done.returncode == 0, done.stderr
    # stdout is a pipe here, so fully buffered: all of it must have been flushed before the process ended
    assert done.stdout.count("warning: fragile selector") == 2 and done.stdout.endswith(")\n")
    assert "annotations anchored in" in done.stderr
    assert list(tmp_path.glob("memo-*.json")) and list(tmp_path.glob("yaml-*.json"))


def test_what_the_checker_made_is_left_to_the_collector_without_a_walk_at_once() -> None:
    """After the check the collector is on again, with nothing in its youngest generation to walk at the next
    allocation; a reference cycle made meanwhile is still collected, by a full collection."""
    import gc
    import weakref

    from sphinx_standoff.check import _collector_paused

    class Node:
        pass

    assert gc.isenabled()
    with _collector_paused():
        assert not gc.isenabled()
        made = [Node() for _ in range(50_000)]
        cycle = Node()
        cycle.me = cycle  # type: ignore[attr-defined]
        gone = weakref.ref(cycle)
        del cycle
    assert gc.isenabled()
    assert gc.get_count()[0] < 100
    assert gone() is not None
    del made
    gc.collect()
    assert gone() is None


def test_the_memo_is_kept_for_one_checker_setting_and_one_code() -> None:
    """A memo made for other body settings, or by other code, is not used: its version differs."""
    from sphinx_standoff.edition import memo_version
    from sphinx_standoff.memo import Memo

    plain = memo_version(BodyChecker())
    assert memo_version(BodyChecker()) == plain
    others = [
        memo_version(BodyChecker(allowed_roles=[])),
        memo_version(BodyChecker(allowed_directives=["note"])),
        memo_version(BodyChecker(MdParserConfig(enable_extensions={"colon_fence", "dollarmath"}))),
    ]
    assert len({plain, *others}) == 4
    assert Memo(None, plain).version != Memo(None, others[0]).version
    assert "code=" in Memo(None, plain).version  # a hash of this package's modules


def test_the_memo_version_is_the_same_in_every_process() -> None:
    """A set in the MyST settings is named in a fixed order: with other hash seeds, the same version."""
    import subprocess
    import sys

    script = (
        "from myst_parser.config.main import MdParserConfig\n"
        "from sphinx_standoff.edition import memo_version\n"
        "from sphinx_standoff.validation import BodyChecker\n"
        "extensions = {'colon_fence', 'dollarmath', 'deflist', 'smartquotes', 'substitution'}\n"
        "print(memo_version(BodyChecker(MdParserConfig(enable_extensions=extensions))))\n"
    )
    versions = {
        subprocess.run(
            [sys.executable, "-c", script],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2", "3", "4")
    }
    assert len(versions) == 1


def test_the_checker_does_not_import_sphinx() -> None:
    """``standoff check`` never builds, so it does not import Sphinx and the extension's renderers (a third of
    a second of every run); ``sphinx_standoff.setup`` imports them when Sphinx sets the extension up."""
    import subprocess
    import sys

    script = (
        "import sys, sphinx_standoff, sphinx_standoff.cli, sphinx_standoff.check\n"
        "print(sorted(name for name in sys.modules if name.split('.')[0] in ('sphinx', 'sphinxcontrib')"
        " or name in ('sphinx_standoff.extension', 'sphinx_standoff.render')))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
    assert callable(__import__("sphinx_standoff").setup)
