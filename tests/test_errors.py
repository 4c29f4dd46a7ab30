"""Bad input fails the build with a message naming the file, the line, the annotation and the reason.

Each case writes one bad annotation file into a copy of the tiny edition and runs ``sphinx-build -W``.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from conftest import Built

GOOD_NOTE = """\
  - id: fine-note
    kind: note
    target: {source: harbour-log, exact: passed the point}
    body: A ship.
"""

CASES = {
    "malformed-yaml": (
        "annotations:\n  - id: broken\n    kind: note\n    target: {source: harbour-log, exact: [unclosed\n",
        r"bad\.yaml:4: malformed YAML",
    ),
    "missing-field": (
        "annotations:\n  - id: no-body\n    kind: note\n    target: {source: harbour-log, exact: shipp}\n",
        r"bad\.yaml:2: no-body: missing required field 'body'",
    ),
    "unknown-kind": (
        "annotations:\n  - id: odd\n    kind: gloss\n    target: {source: harbour-log, exact: shipp}\n    body: x\n",
        r"bad\.yaml:3: odd: unknown kind 'gloss' \(expected one of: note, emendation, cross-reference, event, "
        r"claim, quotation, discrepancy, entity, identification\)",
    ),
    "unknown-source": (
        "annotations:\n  - id: lost\n    kind: note\n    target: {source: nowhere, exact: shipp}\n    body: x\n",
        r"bad\.yaml:2: lost: unknown source 'nowhere' in target \(known sources: harbour-log, recollections\)",
    ),
    "not-found": (
        "annotations:\n  - id: absent\n    kind: note\n    target: {source: harbour-log, exact: A ship passed}\n"
        "    body: x\n",
        r"bad\.yaml:2: absent: exact 'A ship passed' not found in source 'harbour-log'; "
        r"the closest passage is ¶3: 'A shipp passed'",
    ),
    "ambiguous": (
        "annotations:\n  - id: twice\n    kind: note\n"
        "    target: {source: harbour-log, exact: the lamp}\n    body: x\n",
        r"bad\.yaml:2: twice: exact 'the lamp' occurs 2 times in source 'harbour-log' \(¶2 .*\); "
        r"add a prefix or suffix",
    ),
    "duplicate-id": (
        "annotations:\n" + GOOD_NOTE + GOOD_NOTE,
        r"bad\.yaml:6: fine-note: duplicate annotation id 'fine-note' \(first used at .*bad\.yaml:2\)",
    ),
    "cross-reference-missing-source": (
        "annotations:\n  - id: xr\n    kind: cross-reference\n    targets:\n"
        "      - {source: harbour-log, exact: shipp}\n      - {source: ghost-source, exact: lamp}\n",
        r"bad\.yaml:2: xr: cross-reference to a missing source 'ghost-source' in targets\[1\]",
    ),
    "unknown-citation": (
        "annotations:\n  - id: cites\n    kind: note\n    target: {source: harbour-log, exact: shipp}\n"
        "    body: |\n      As shown {cite:p}`nobody-2000-nothing`.\n",
        r"bad\.yaml:6: cites: citation key 'nobody-2000-nothing' is not in the bibliography",
    ),
    "raw-html": (
        "annotations:\n  - id: html\n    kind: note\n    target: {source: harbour-log, exact: shipp}\n"
        "    body: |\n      Fine text.\n      <script>alert(1)</script>\n",
        r"bad\.yaml:7: html: raw HTML is not allowed in an annotation body",
    ),
    "raw-directive": (
        "annotations:\n  - id: raw\n    kind: note\n    target: {source: harbour-log, exact: shipp}\n"
        "    body: |\n      ```{raw} html\n      <b>x</b>\n      ```\n",
        r"bad\.yaml:6: raw: directive \{raw\} is not allowed in an annotation body",
    ),
    "include-directive": (
        "annotations:\n  - id: inc\n    kind: note\n    target: {source: harbour-log, exact: shipp}\n"
        "    body: |\n      ```{include} /etc/passwd\n      ```\n",
        r"bad\.yaml:6: inc: directive \{include\} is not allowed in an annotation body",
    ),
    "eval-rst-directive": (
        "annotations:\n  - id: rst\n    kind: note\n    target: {source: harbour-log, exact: shipp}\n"
        "    body: |\n      ```{eval-rst}\n      .. raw:: html\n      ```\n",
        r"bad\.yaml:6: rst: directive \{eval-rst\} is not allowed in an annotation body",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_annotation_fails_the_build_with_its_place_and_reason(case: str, build_tiny: Callable[..., Built]) -> None:
    text, expected = CASES[case]
    built = build_tiny({"bad.yaml": text})
    assert built.status != 0, built.output
    assert "Traceback" not in built.output
    lines = [line.replace("WARNING: ", "") for line in built.output.splitlines() if "bad.yaml" in line]
    assert any(re.search(expected, line) for line in lines), "\n".join(lines) or built.output


def test_the_good_tiny_edition_builds_cleanly(build_tiny: Callable[..., Built]) -> None:
    built = build_tiny()
    assert built.status == 0, built.output
    assert "WARNING" not in built.output


def test_a_bad_annotation_does_not_hide_the_good_ones(build_tiny: Callable[..., Built]) -> None:
    """With --keep-going every problem is reported, and every good annotation still renders."""
    built = build_tiny({"bad.yaml": CASES["unknown-kind"][0] + CASES["ambiguous"][0].split("\n", 1)[1]})
    assert "odd: unknown kind" in built.output and "twice: exact 'the lamp' occurs" in built.output
    page = built.html("log.html")
    assert page.find(id="ann-keeper-note") is not None
