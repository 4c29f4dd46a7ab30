"""The committed JSON Schema is the model's, every annotation file names it, and it accepts what the model does."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from conftest import PROJECT
from sphinx_standoff import yamlsource
from sphinx_standoff.cli import main, schema, schema_text

SCHEMA = PROJECT / "schema" / "annotations.schema.json"
MODELINE = "# yaml-language-server: $schema=../schema/annotations.schema.json"
ANNOTATION_FILES = sorted((PROJECT / "annotations").rglob("*.y*ml"))


def test_committed_schema_is_the_models() -> None:
    committed = SCHEMA.read_text(encoding="utf-8")
    assert json.loads(committed) == schema(), (
        "schema/annotations.schema.json and model.AnnotationFile have drifted apart: "
        "regenerate it with `standoff schema -o schema/annotations.schema.json`"
    )
    assert committed == schema_text(), "regenerate with `standoff schema -o schema/annotations.schema.json`"


def test_schema_command_prints_the_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    assert json.loads(capsys.readouterr().out) == schema()


def test_schema_is_generated_by_alias_and_describes_the_kinds() -> None:
    generated = schema()
    jsonschema.Draft202012Validator.check_schema(generated)
    assert "$schema" in generated["properties"]  # the alias, not the Python name ``schema_``
    assert "schema_" not in generated["properties"]
    assert generated["additionalProperties"] is False
    kinds = json.dumps(generated["$defs"])
    for kind in ("note", "emendation", "cross-reference"):
        assert f'"const": "{kind}"' in kinds


@pytest.mark.parametrize("path", ANNOTATION_FILES, ids=lambda p: p.name)
def test_every_annotation_file_names_the_schema_on_its_first_line(path: Path) -> None:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first == MODELINE, f"{path.name}: make its first line\n{MODELINE}"


def _plain(value: Any) -> Any:
    """YAML reads ``2024-05-01`` as a date; an editor's YAML language server sees a string."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


@pytest.mark.parametrize("path", ANNOTATION_FILES, ids=lambda p: p.name)
def test_every_annotation_file_is_valid_against_the_committed_schema(path: Path) -> None:
    data, _ = yamlsource.load(path.read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text(encoding="utf-8")))
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(_plain(data))]
    assert not errors, "\n".join(errors[:10])


def test_schema_rejects_what_the_model_rejects() -> None:
    validator = jsonschema.Draft202012Validator(schema())
    good = {"annotations": [{"id": "n", "kind": "note", "target": {"source": "s", "exact": "x"}, "body": "b"}]}
    assert validator.is_valid(good)
    unknown_field = {"annotations": [{**good["annotations"][0], "colour": "red"}]}
    bad_id = {"annotations": [{**good["annotations"][0], "id": "Not An Id"}]}
    no_body = {"annotations": [{k: v for k, v in good["annotations"][0].items() if k != "body"}]}
    bad_orcid = {"annotations": [{**good["annotations"][0], "authors": [{"name": "A", "orcid": "orcid.org/1"}]}]}
    for bad in (unknown_field, bad_id, no_body, bad_orcid, {"annotations": [{"kind": "gloss"}]}):
        assert not validator.is_valid(bad), bad
