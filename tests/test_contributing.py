"""CONTRIBUTING.md stays true: its worked examples are the annotations they say they are, and they check."""

from __future__ import annotations

import re
from typing import Any

import pytest
from conftest import PROJECT
from sphinx_standoff import yamlsource

GUIDE = (PROJECT / "CONTRIBUTING.md").read_text(encoding="utf-8")
EXAMPLES = [
    block
    for block in re.findall(r"```yaml\n(.*?)```", GUIDE, re.S)
    if block.lstrip().startswith("- id:") or block.lstrip().startswith("  - id:")
]


def edition_annotations() -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for path in sorted((PROJECT / "annotations").rglob("*.yaml")):
        data, _ = yamlsource.load(path.read_text(encoding="utf-8"))
        for annotation in (data or {}).get("annotations", []):
            found[annotation["id"]] = annotation
    return found


def test_the_guide_has_a_worked_example_of_each_basic_kind() -> None:
    kinds = set()
    for block in EXAMPLES:
        data, _ = yamlsource.load(block)
        kinds.update(item["kind"] for item in data)
    assert {"note", "emendation", "cross-reference"} <= kinds


@pytest.mark.parametrize("block", EXAMPLES, ids=lambda b: re.search(r"id: (\S+)", b).group(1))
def test_each_worked_example_is_the_real_annotation(block: str) -> None:
    """Shortened texts end in '...'; everything else must be exactly as in annotations/."""
    real = edition_annotations()
    data, _ = yamlsource.load(block)
    for example in data:
        assert example["id"] in real, f"{example['id']} is not in annotations/: update CONTRIBUTING.md"
        actual = real[example["id"]]
        for key, value in example.items():
            if isinstance(value, str) and value.rstrip().endswith("..."):
                shown = value.rstrip()[:-3].rstrip()
                assert str(actual.get(key, "")).startswith(shown), f"{example['id']}.{key}: update CONTRIBUTING.md"
            else:
                assert actual.get(key) == value, f"{example['id']}.{key} differs: update CONTRIBUTING.md"


def test_the_guide_states_the_licence_and_the_commands() -> None:
    assert "CC BY 4.0" in GUIDE and "creativecommons.org/licenses/by/4.0" in GUIDE
    for command in ("nox -s check", "standoff check", "standoff review", "standoff schema"):
        assert command in GUIDE
    assert "docs/method.md" in GUIDE
