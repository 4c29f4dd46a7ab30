"""Attribution: notes show their authors (with ORCID links) and dates; a page lists every contributor."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import PROJECT, Built
from sphinx.cmd.build import build_main

ORCID = "0000-0002-1825-0097"

ATTRIBUTED = f"""\
annotations:
  - id: keeper-name
    kind: note
    target: {{source: harbour-log, exact: The keeper lit the lamp}}
    body: The log does not name him.
    authors:
      - name: Josiah Carberry
        orcid: "{ORCID}"
      - name: Ada Second
    created: 2026-01-05
    modified: 2026-02-01
  - id: recollection-date
    kind: note
    target: {{source: recollections, exact: on 3 May 1890}}
    body: The date agrees with the log.
    authors:
      - name: Ada Second
"""

PAGE = """\
---
orphan: true
---
# Contributors

```{standoff-contributors}
```
"""


@pytest.fixture
def attributed(tiny_project: Path) -> Path:
    (tiny_project / "annotations" / "attributed.yaml").write_text(ATTRIBUTED, encoding="utf-8")
    (tiny_project / "contributors.md").write_text(PAGE, encoding="utf-8")
    return tiny_project


def test_note_shows_authors_orcid_and_dates(attributed: Path, build_tiny: Callable[..., Built]) -> None:
    built = build_tiny()
    assert built.status == 0, built.output
    note = built.html("log.html").find(id="ann-keeper-name")
    attribution = note.find(class_="standoff-attribution")
    text = " ".join(attribution.get_text().split())
    assert text == (
        f"— Josiah Carberry (https://orcid.org/{ORCID}), Ada Second; written 2026-01-05, revised 2026-02-01"
    )
    link = attribution.find("a", class_="standoff-orcid")
    assert link["href"] == f"https://orcid.org/{ORCID}"
    # an annotation without ORCID or dates: the names only
    plain = built.html("recollections.html").find(id="ann-recollection-date").find(class_="standoff-attribution")
    assert plain.get_text().strip() == "— Ada Second"
    assert plain.find("a") is None


def test_contributors_page_lists_everyone_with_links_to_their_annotations(
    attributed: Path, build_tiny: Callable[..., Built]
) -> None:
    built = build_tiny()
    assert built.status == 0, built.output
    page = built.html("contributors.html")
    people = page.select("ul.standoff-contributors > li")
    names = [person.find("strong").get_text() for person in people]
    # sorted by name; annotations without authors last
    assert names == ["Ada Second", "Josiah Carberry", "Without a named author"]
    ada, josiah, nobody = people
    assert "2 annotations" in ada.p.get_text()
    assert josiah.find("a", class_="standoff-orcid")["href"] == f"https://orcid.org/{ORCID}"
    assert ada.find("a", class_="standoff-orcid") is None
    links = {li.code.get_text(): li.find("a", class_="reference")["href"] for li in ada.select("ul li")}
    assert links == {"keeper-name": "log.html#p2", "recollection-date": "recollections.html#p2"}
    # each link lands on a paragraph that exists
    assert built.html("log.html").find(id="p2") is not None
    unattributed = {li.code.get_text() for li in nobody.select("ul li")}
    assert unattributed == {"keeper-note", "shipp", "lamp-lit"}
    # a cross-reference links to each of its passages
    lamp = next(li for li in nobody.select("ul li") if li.code.get_text() == "lamp-lit")
    assert [a["href"] for a in lamp.find_all("a")] == ["log.html#p2", "recollections.html#p2"]


def test_contributors_page_is_rebuilt_when_attribution_changes(
    attributed: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An incremental build (no -E) reads the page again when only an annotation file changed."""
    out = tmp_path / "incremental"
    args = ["-W", "--keep-going", "-q", "-b", "html", str(attributed), str(out)]
    assert build_main(args) == 0, capsys.readouterr()
    path = attributed / "annotations" / "attributed.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("Ada Second", "Ada Renamed"), encoding="utf-8")
    assert build_main(args) == 0, capsys.readouterr()
    html = (out / "contributors.html").read_text(encoding="utf-8")
    assert "Ada Renamed" in html and "Ada Second" not in html


def test_the_edition_has_a_contributors_page_in_the_apparatus() -> None:
    index = (PROJECT / "docs" / "index.md").read_text(encoding="utf-8")
    apparatus = index[index.index(":caption: Apparatus") :]
    assert "contributors" in apparatus.split("```", 1)[0]
    assert "{standoff-contributors}" in (PROJECT / "docs" / "contributors.md").read_text(encoding="utf-8")
