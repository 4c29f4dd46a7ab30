"""The benchmark's own edits (``bench/run.py``) leave the edition valid, so that an incremental build after one
measures a rebuild, not the reporting of an error."""

from __future__ import annotations

import functools
import importlib.util
import shutil
import sys
from pathlib import Path
from types import ModuleType

from conftest import PROJECT
from sphinx_standoff.edition import load_edition
from sphinx_standoff.validation import BodyChecker


@functools.cache
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_run", PROJECT / "bench" / "run.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_a_claim_edit_changes_one_claim_value_and_nothing_else(tmp_path: Path) -> None:
    annotations = tmp_path / "annotations"
    shutil.copytree(PROJECT / "annotations", annotations)
    found = bench().claim_edit(sorted(annotations.glob("*.yaml")))
    assert found is not None
    path, before, after = found
    assert path.read_text(encoding="utf-8") == before
    path.write_text(after, encoding="utf-8")
    original = load_edition(PROJECT / "sources", PROJECT / "annotations", None, BodyChecker())
    edited = load_edition(PROJECT / "sources", annotations, None, BodyChecker())
    assert [d.message for d in edited.diagnostics] == [d.message for d in original.diagnostics]
    changed = [
        (old.annotation.kind, old.annotation.value, new.annotation.value)
        for old, new in zip(original.annotations, edited.annotations, strict=True)
        if old.annotation != new.annotation
    ]
    assert len(changed) == 1
    assert changed[0][0] == "claim" and changed[0][2] == "Somewhere else" != changed[0][1]


def test_without_a_place_claim_a_full_date_is_made_a_month(tmp_path: Path) -> None:
    claims = tmp_path / "claims.yaml"
    claims.write_text(
        "annotations:\n- id: c\n  kind: claim\n  property: date\n  event: e\n  value: '1962-06-05'\n"
        "  target: {source: s, exact: x}\n",
        encoding="utf-8",
    )
    note = tmp_path / "note.yaml"
    note.write_text("annotations:\n- id: n\n  kind: note\n  body: text\n", encoding="utf-8")
    module = bench()
    found = module.claim_edit([note, claims])
    assert found is not None and found[0] == claims
    assert "  value: '1962-06'\n" in found[2] and found[2].replace("'1962-06'", "'1962-06-05'") == found[1]
    assert module.claim_edit([note]) is None
