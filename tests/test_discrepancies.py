"""Claims compared, quotations collated, flags found by the build, register, chronology and comparisons."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from conftest import ROOTS, Built, run_sphinx
from sphinx_standoff.collation import collate
from sphinx_standoff.values import agree

AGREEING = """\
annotations:
  - id: ev-order
    kind: event
    label: The order to light the lamp
    record:
      date: 1890-03-12
    evidence: The order itself is dated 12 March 1890.
  - id: cl-order-date
    kind: claim
    target: {source: order, exact: "12 March 1890", prefix: "Order of the day,"}
    event: ev-order
    property: date
    value: 1890-03-12
  - id: cl-memoir-date
    kind: claim
    target: {source: memoir, exact: "March 1890"}
    event: ev-order
    property: date
    value: 1890-03
  - id: qt-memoir-order
    kind: quotation
    target: {source: memoir, exact: "light the lamp at dusk"}
    quoted: {source: order, exact: "light the lamp at dusk"}
"""


@pytest.fixture
def discrepancy_root(tmp_path: Path) -> Path:
    target = tmp_path / "root"
    shutil.copytree(ROOTS / "test-discrepancy", target)
    return target


def build(root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Built:
    built = run_sphinx(root, tmp_path / "out", capsys)
    assert built.status == 0, built.output
    return built


def test_disagreeing_date_and_misquotation_are_flagged(discrepancy_root, tmp_path, capsys) -> None:
    built = build(discrepancy_root, tmp_path, capsys)
    register = built.html("register.html")
    entries = {a["id"]: a for a in register.select("article.standoff-entry")}
    assert set(entries) == {"d-auto-ev-order-date", "d-auto-qt-memoir-order"}
    date = entries["d-auto-ev-order-date"]
    assert date["data-kind"] == "date" and date["data-sources"] == "memoir order"
    assert "14 March 1890" in date.get_text() and "disagrees with the record" in date.get_text()
    wording = entries["d-auto-qt-memoir-order"]
    assert wording["data-kind"] == "wording"
    variants = {v["data-kind"]: v.get_text(" ", strip=True) for v in wording.select(".standoff-variant")}
    assert variants["omission"] == "shall"
    assert variants["substitution"] == "until till"
    assert "punctuation" in variants


def test_flag_is_visible_at_the_passage_and_leads_to_the_register(discrepancy_root, tmp_path, capsys) -> None:
    page = build(discrepancy_root, tmp_path, capsys).html("memoir.html")
    flag = page.find("a", class_="standoff-flag")
    assert flag.get_text() == "≠" and "Discrepancy (date)" in flag["aria-label"]
    note = page.find(id=flag["href"][1:])
    links = [a["href"] for a in note.select("a.reference")]
    assert "register.html#d-auto-ev-order-date" in links
    assert "order.html#p1" in links  # the other reading, a click away


def test_agreeing_sources_produce_no_flags(discrepancy_root, tmp_path, capsys) -> None:
    (discrepancy_root / "annotations" / "apparatus.yaml").write_text(AGREEING, encoding="utf-8")
    built = build(discrepancy_root, tmp_path, capsys)
    assert built.html("register.html").select("article.standoff-entry") == []
    memoir = built.html("memoir.html")
    assert memoir.find("a", class_="standoff-flag") is None
    assert "verified: the quotation matches the text exactly" in memoir.get_text().lower()


def test_chronology_lists_events_in_order_with_every_claim(discrepancy_root, tmp_path, capsys) -> None:
    page = build(discrepancy_root, tmp_path, capsys).html("chronology.html")
    event = page.find(id="event-ev-order")
    assert "12 March 1890" in event.find("h1, h2").get_text() if event.find("h1, h2") else True
    claims = event.select("ul.standoff-claims li")
    assert len(claims) == 2
    assert any("≠" in li.get_text() for li in claims)


def test_comparison_page_shows_parallel_passages(discrepancy_root, tmp_path, capsys) -> None:
    page = build(discrepancy_root, tmp_path, capsys).html("comparisons.html")
    section = page.find(id="compare-memoir--order")
    assert section is not None
    text = section.get_text(" ", strip=True)
    assert "14 March 1890" in text and "12 March 1890" in text


@pytest.mark.parametrize(
    ("prop", "a", "b", "expected"),
    [
        ("date", "1963", "1963-09-20", True),
        ("date", "1963-11-01/1963-11-10", "1963-11-22", False),
        ("date", "1963-11", "1963-11-22", True),
        ("number", "11", "10", False),
        ("number", "10/11", "11", True),
        ("participants", ["Kennedy", "Khrushchev"], ["Khrushchev", "Kennedy", "Gromyko"], True),
        ("participants", ["Kennedy", "Robert Kennedy"], ["Kennedy", "Khrushchev"], False),
        ("words", "Why not?", "why not", True),
        ("words", "Why not?", "all right, why not?", False),
        ("sequence", {"before": "b"}, {"after": "b"}, False),
    ],
)
def test_values_agree_as_documented(prop, a, b, expected) -> None:
    assert agree(prop, a, b) is expected


def test_collation_keeps_accidentals_apart_from_substantive_changes() -> None:
    collation = collate(
        "We might commence now...for an exhaustive study", "we might commence now the steps for an exhaustive study"
    )
    kinds = [s.kind for s in collation.differences]
    assert kinds == ["capitalisation", "ellipsis"]
    assert collation.verified and collation.status == "marked"
    assert collate("exactly so", "exactly so").status == "exact"
    assert collate("Exactly so!", "exactly so.").status == "accidental"
    changed = collate("in the quest", "in the continuing quest")
    assert changed.status == "misquoted" and changed.differences[0].kind == "omission"


CURATED_AT_TWO_PASSAGES = """\
annotations:
  - id: dc-memoir-order
    kind: discrepancy
    discrepancy: characterisation
    summary: The memoir has the keeper ordered; the order names no keeper.
    targets:
      - {source: memoir, exact: the keeper was ordered}
      - {source: memoir, exact: till dawn}
    status: unverifiable
    confidence: low
    assessment: Only the two texts are known.
    authors:
      - name: Test editors
"""


def test_the_summaries_at_the_notes_are_filled_in_after_reading(discrepancy_root, tmp_path, capsys) -> None:
    """A note's summary of its register entry (the other readings of the same point, linked) is not part of the
    page as read and pickled, which no transform of the reading phase then walks: at 100 sources, a quarter of
    the nodes of the source pages. The HTML and the LaTeX have it all the same, its links resolved."""
    import pickle

    from docutils import nodes
    from sphinx.cmd.build import build_main
    from sphinx_standoff.deferred import standoff_deferred

    # a curated discrepancy at two passages of one page: its summary is filled in at each of its two notes
    (discrepancy_root / "annotations" / "curated.yaml").write_text(CURATED_AT_TWO_PASSAGES, encoding="utf-8")
    built = build(discrepancy_root, tmp_path, capsys)
    read = pickle.loads((tmp_path / "out" / ".doctrees" / "memoir.doctree").read_bytes())
    assert {node["kind"] for node in read.findall(standoff_deferred)} == {"entry-line"}
    summaries = [n for n in read.findall(nodes.Element) if "standoff-entry-summary" in n["classes"]]
    assert not summaries, "the summaries were read and pickled with the page"
    page = built.html("memoir.html")
    summaries = page.select("div.standoff-entry-summary")
    assert summaries
    links = {a["href"] for summary in summaries for a in summary.select("a.reference")}
    assert {"register.html#d-auto-ev-order-date", "order.html#p1"} <= links, links
    assert not page.find(string=re.compile("standoff_deferred"))
    capsys.readouterr()
    status = build_main(["-W", "--keep-going", "-q", "-E", "-b", "latex", str(discrepancy_root), str(tmp_path / "tex")])
    assert status == 0, capsys.readouterr()
    tex = next((tmp_path / "tex").glob("*.tex")).read_text(encoding="utf-8")
    assert tex.count("Discrepancy (date). ") >= len([s for s in summaries if "Discrepancy (date)" in s.get_text()]), (
        "a summary is missing from the LaTeX"
    )
    assert r"\hyperref[\detokenize{register:d-auto-ev-order-date}]" in tex
    # each note has a summary of its own, unwrapped as every note's is (a copy each, not one node in two places)
    assert tex.count("(characterisation). }The memoir has the keeper ordered") == 2
    assert "{standoff-entry-summary}" not in tex


def test_in_html_the_filled_content_waits_for_the_other_post_transforms_and_needs_none_of_them(
    discrepancy_root, tmp_path, capsys, monkeypatch
) -> None:
    """In HTML, what is filled in after reading (comparisons, contributors, the summaries at the notes) is
    filled in after the other post-transforms, which walk every node of a page (sphinx-design's, the
    highlighting, the theme's): at 100 sources, 1.3 s of a 17 s build spent walking it for nothing. Only its
    links are resolved. It holds nothing any of them would change; LaTeX, whose transforms number and move what
    a page holds, gets it first."""
    from docutils import nodes
    from sphinx import addnodes
    from sphinx.cmd.build import build_main
    from sphinx.transforms.post_transforms.code import HighlightLanguageTransform
    from sphinx_standoff import deferred

    (discrepancy_root / "annotations" / "curated.yaml").write_text(CURATED_AT_TWO_PASSAGES, encoding="utf-8")
    (discrepancy_root / "contributors.md").write_text(
        "# Contributors\n\n```{standoff-contributors}\n```\n", encoding="utf-8"
    )
    index = discrepancy_root / "index.md"
    index.write_text(
        index.read_text(encoding="utf-8").replace("comparisons\n", "comparisons\ncontributors\n"), encoding="utf-8"
    )
    made: dict[str, list[nodes.Node]] = {}

    filled = deferred._Fill.filled

    def recording(self):
        pairs = filled(self)
        for node, content in pairs:
            made.setdefault(node["kind"], []).extend(content)
        return pairs

    monkeypatch.setattr(deferred._Fill, "filled", recording)
    waiting: dict[tuple[str, str], int] = {}
    highlight = HighlightLanguageTransform.apply

    def counting(self, **kwargs):  # a post-transform of priority 400, for every builder
        found = sum(1 for _ in self.document.findall(deferred.standoff_deferred))
        waiting[(self.env._builder_cls.format, self.env.current_document.docname)] = found
        highlight(self, **kwargs)

    monkeypatch.setattr(HighlightLanguageTransform, "apply", counting)
    built = build(discrepancy_root, tmp_path, capsys)
    assert set(made) == {"comparison", "contributors", "entry-line"}, set(made)
    for page in ("comparisons", "contributors", "memoir"):
        assert waiting[("html", page)] > 0, page
    # nothing any other post-transform would act on, nothing the reading phase should have seen
    needing = (
        nodes.footnote, nodes.footnote_reference, nodes.citation, nodes.citation_reference, nodes.target,
        nodes.table, nodes.math, nodes.math_block, nodes.literal_block, nodes.image, nodes.raw, nodes.section,
        addnodes.only, addnodes.index, addnodes.download_reference,
    )  # fmt: skip
    for kind, content in made.items():
        found = {type(node).__name__ for part in content for node in part.findall(lambda n: isinstance(n, needing))}
        assert not found, (kind, found)
    # the links in it resolved all the same
    cards = built.html("comparisons.html").select("section.standoff-comparison .sd-card a.reference")
    assert cards and all(card["href"].endswith(tuple(f"#p{n}" for n in range(1, 20))) for card in cards), cards
    assert not built.html("contributors.html").select("a:not([href])")
    for page in ("comparisons", "contributors", "memoir"):
        assert "pending_xref" not in (tmp_path / "out" / f"{page}.html").read_text(encoding="utf-8"), page
    capsys.readouterr()
    status = build_main(["-W", "--keep-going", "-q", "-E", "-b", "latex", str(discrepancy_root), str(tmp_path / "tex")])
    assert status == 0, capsys.readouterr()
    assert waiting[("latex", "index")] == 0  # the book is one tree, filled in before anything else
