"""The corpora the benchmark builds, each laid out twice: as an edition and as plain Sphinx + MyST pages.

Every corpus is written to a folder of its own::

    <dest>/sources/<id>.txt            transcriptions (front matter with the received file and its SHA-256)
    <dest>/sources/received/<file>     the received texts
    <dest>/annotations/<id>.yaml       stand-off annotations, one file per source
    <dest>/edition/                    a Sphinx project: one page per source holding ``standoff-source``
    <dest>/plain/                      the same pages as ordinary MyST Markdown, the same theme, no extension

The plain pages hold the same text as the edition's pages: title, headnote, provenance and every paragraph of
the transcription. They do not hold the annotations: what the edition costs on top of plain Sphinx is loading,
checking and anchoring the annotations and showing them.

Three kinds of corpus:

* ``edition_corpus``: this project's own edition (``docs/``, ``sources/``, ``annotations/``), copied as it is;
  its plain twin replaces every ``standoff-source`` page by the text of the source.
* ``frus_corpus``: a whole FRUS volume (Markdown with YAML front matter, see the corpus README), each document
  converted into a transcription, with notes, emendations and cross-references made deterministically on
  passages that occur once in their document (including a cross-reference wherever a document cites another
  by number, "Document 36").
* ``synthetic_corpus``: ``n`` sources of pseudo-words generated from a seed, with about 20 annotations each.

Nothing here depends on the clock or on hash randomisation: the same arguments give the same bytes.
"""

from __future__ import annotations

import hashlib
import random
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from sphinx_standoff.anchoring import AnchorError, SourceText
from sphinx_standoff.transcription import Source, read_source

#: the theme both twins use; the same settings as the edition's ``docs/conf.py`` that matter for speed
CONF = """\
from __future__ import annotations

import os

project = {project!r}
author = "Benchmark"
extensions = {extensions!r}
{standoff}
source_suffix = {{".md": "markdown"}}
exclude_patterns = ["_build"]
root_doc = "index"
language = "en"
html_theme = "furo"
html_title = {project!r}
html_last_updated_fmt = None
html_copy_source = False
html_show_sourcelink = False
if "SOURCE_DATE_EPOCH" not in os.environ:
    os.environ["SOURCE_DATE_EPOCH"] = "0"
"""

#: per source, how many annotations of each kind the generators aim at; cross-references and quotations also
#: land in a second source, and the corpora add claims (about two a source), quotations and events
NOTES, EMENDATIONS, CROSS_REFERENCES = 11, 2, 3
PHRASE_WORDS = 5
AUTHORS = [{"name": "Benchmark editors"}]
#: the edition's pages that look across all sources
CROSS_SOURCE_PAGES = {
    "register": "# Discrepancy register\n\n```{standoff-register}\n```\n",
    "chronology": "# Chronology\n\n```{standoff-chronology}\n```\n",
    "comparisons": "# Comparisons\n\n```{standoff-comparison}\n```\n",
    "contributors": "# Contributors\n\n```{standoff-contributors}\n```\n",
}


@dataclass(frozen=True)
class Corpus:
    """A generated corpus: where its two Sphinx projects are, and how big it is."""

    name: str
    root: Path
    sources: int
    annotations: int
    words: int

    @property
    def edition(self) -> Path:
        return self.root / "edition"

    @property
    def plain(self) -> Path:
        return self.root / "plain"

    @property
    def annotations_dir(self) -> Path:
        return self.root / "annotations"

    @property
    def sources_dir(self) -> Path:
        return self.root / "sources"


# -- writing a corpus ----------------------------------------------------------------------------------------


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _yaml(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=10_000, default_flow_style=False)


def write_source(
    sources_dir: Path, meta: dict[str, Any], received_name: str, received: bytes, body: str
) -> tuple[Path, str]:
    """Write ``received`` and the transcription ``<id>.txt`` (front matter + ``body``); return path and text."""
    (sources_dir / "received").mkdir(parents=True, exist_ok=True)
    (sources_dir / "received" / received_name).write_bytes(received)
    front = dict(meta)
    front["received"] = {"file": f"received/{received_name}", "sha256": _sha256(received)}
    text = f"---\n{_yaml(front)}---\n\n{body.rstrip()}\n"
    path = sources_dir / f"{meta['id']}.txt"
    path.write_text(text, encoding="utf-8")
    return path, text


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>{}#|~$!&])")
_MD_LEADING = re.compile(r"^(\d+)([.)])|^([-+=>:])")


def markdown_escape(text: str) -> str:
    """``text`` as literal MyST Markdown: what it shows is ``text`` itself."""
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return _MD_LEADING.sub(lambda m: f"{m.group(1)}\\{m.group(2)}" if m.group(1) else f"\\{m.group(3)}", text)


def plain_page(source: Source) -> str:
    """A MyST page holding what the edition's page shows of ``source``, without the apparatus."""
    meta = source.meta
    lines = [f"# {markdown_escape(meta.title)}", "", "**Headnote**", "", meta.headnote.strip(), ""]
    rows = [
        ("Source id", f"`{meta.id}`"),
        ("Author", markdown_escape(meta.author)),
        ("Publisher or archive", markdown_escape(meta.publisher)),
        ("Date of the text", markdown_escape(meta.date or "undated")),
        ("Published at", markdown_escape(meta.published_at)),
        ("Kind", "primary document" if meta.kind == "primary" else "secondary account"),
        ("Rights", markdown_escape(meta.rights)),
        ("Transcribed from", f"`{meta.received.file}`, SHA-256 `{meta.received.sha256}`"),
    ]
    lines += [f"- **{name}**: {value}" for name, value in rows]
    lines += ["", "**Text**", ""]
    for paragraph in source.paragraphs:
        lines += [f"{paragraph.number} {markdown_escape(paragraph.received_text)}", ""]
    return "\n".join(lines)


def write_projects(
    root: Path, name: str, pages: list[tuple[str, str]], sources: dict[str, Source], *, toctree: bool = True
) -> None:
    """Write the edition and plain projects: ``pages`` are (page name, source id), in the order listed.

    With ``toctree=False`` the pages are linked from a list on the index page instead of a toctree (they are
    orphans): furo renders the whole toctree into every page, which makes any build of thousands of pages
    quadratic, plain or not.
    """
    for kind in ("edition", "plain"):
        project = root / kind
        if project.exists():
            shutil.rmtree(project)
        (project / "pages").mkdir(parents=True)
        standoff = 'standoff_sources = "../sources"\nstandoff_annotations = "../annotations"\n'
        extensions = ["myst_parser", "sphinx_standoff"] if kind == "edition" else ["myst_parser"]
        conf = CONF.format(project=name, extensions=extensions, standoff=standoff if kind == "edition" else "")
        (project / "conf.py").write_text(conf, encoding="utf-8")
        for page, source_id in pages:
            if kind == "edition":
                text = f"```{{standoff-source}} {source_id}\n```\n"
            else:
                text = plain_page(sources[source_id])
            if not toctree:
                text = "---\norphan: true\n---\n\n" + text
            (project / "pages" / f"{page}.md").write_text(text, encoding="utf-8")
        index = [f"# {name}", ""]
        extra = list(CROSS_SOURCE_PAGES) if kind == "edition" else []
        for page in extra:
            orphan = "" if toctree else "---\norphan: true\n---\n\n"
            (project / f"{page}.md").write_text(orphan + CROSS_SOURCE_PAGES[page], encoding="utf-8")
        if toctree:
            listed = [*(f"pages/{page}" for page, _ in pages), *extra]
            index += ["```{toctree}", ":maxdepth: 1", "", *listed, "```", ""]
        else:
            index += [f"- [{markdown_escape(sources[sid].label)}](pages/{page}.md)" for page, sid in pages]
            index += [f"- [{page.title()}]({page}.md)" for page in extra]
        (project / "index.md").write_text("\n".join(index) + "\n", encoding="utf-8")


def check_edition(root: Path) -> tuple[int, int]:
    """Load the edition as the build will; raise if anything is wrong. Return (sources, annotations)."""
    from sphinx_standoff.edition import load_edition
    from sphinx_standoff.validation import BodyChecker

    edition = load_edition(root / "sources", root / "annotations", None, BodyChecker())
    if edition.diagnostics:
        shown = "\n".join(d.format() for d in edition.diagnostics[:10])
        raise RuntimeError(f"generated corpus {root} does not load cleanly:\n{shown}")
    return len(edition.sources), len(edition.annotations)


# -- choosing passages -----------------------------------------------------------------------------------------


class Passages:
    """Passages of one source that occur exactly once in it, handed out without overlapping one another."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.text = SourceText(source)
        self.used: dict[int, list[tuple[int, int]]] = {}

    def _free(self, number: int, start: int, end: int) -> bool:
        return all(end <= s or e <= start for s, e in self.used.get(number, []))

    def reserve(self, phrase: str) -> bool:
        """Hand out ``phrase`` (found by quotation, as an annotation finds it) if it is unique and free."""
        try:
            anchor = self.text.anchor(phrase)
        except AnchorError:
            return False
        if not self._free(anchor.paragraph, anchor.start, anchor.end):
            return False
        self.used.setdefault(anchor.paragraph, []).append((anchor.start, anchor.end))
        return True

    def candidates(self, count: int, words: int = PHRASE_WORDS) -> Iterator[tuple[int, int, list[str]]]:
        """Spots spread evenly over the body text: (paragraph number, word index, the paragraph's words)."""
        spots: list[tuple[int, int, list[str]]] = []
        for paragraph in self.source.paragraphs:
            if paragraph.role != "body":
                continue
            split = paragraph.text.split(" ")
            for index in range(0, max(len(split) - words + 1, 0), words):
                spots.append((paragraph.number, index, split))
        if not spots:
            return
        step = max(len(spots) // max(count, 1), 1)
        # spread over the whole text, then fill in between if the first pass did not find enough
        order = list(range(0, len(spots), step)) + [i for i in range(len(spots)) if i % step]
        yield from (spots[i] for i in order)

    def take(self, number: int, split: list[str], index: int, words: int) -> str | None:
        """The phrase of ``words`` words at ``index`` of paragraph ``number``, if unique there and free."""
        phrase_words = split[index : index + words]
        if len(phrase_words) < words or any(not w for w in phrase_words):
            return None
        phrase = " ".join(phrase_words)
        start = len(" ".join(split[:index])) + (1 if index else 0)
        end = start + len(phrase)
        if not self._free(number, start, end) or len(self.text.occurrences(phrase)) != 1:
            return None
        self.used.setdefault(number, []).append((start, end))
        return phrase

    def pick(self, count: int, words: int = PHRASE_WORDS) -> list[str]:
        """``count`` unique, non-overlapping phrases spread over the text (fewer if the text is short)."""
        found: list[str] = []
        for number, index, split in self.candidates(count, words):
            if len(found) >= count:
                break
            taken = self.take(number, split, index, words)
            if taken is not None:
                found.append(taken)
        return found


def claim(ident: str, sid: str, phrase: str, event: str, prop: str, value: Any) -> dict[str, Any]:
    return {
        "id": ident,
        "kind": "claim",
        "target": {"source": sid, "exact": phrase},
        "event": event,
        "property": prop,
        "value": value,
        "authors": AUTHORS,
    }


def quotation(ident: str, sid: str, phrase: str, quoted_sid: str, quoted: str, event: str | None) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": ident,
        "kind": "quotation",
        "target": {"source": sid, "exact": phrase},
        "quoted": {"source": quoted_sid, "exact": quoted},
    }
    if event:
        item["event"] = event
    item["body"] = f"The passage quotes *{quoted_sid}*; the build collates the two word by word."
    item["authors"] = AUTHORS
    return item


def event(ident: str, label: str, date: str | None, place: str | None, evidence: str) -> dict[str, Any]:
    record = {key: value for key, value in (("date", date), ("place", place)) if value}
    return {"id": ident, "kind": "event", "label": label, "record": record, "evidence": evidence, "authors": AUTHORS}


def make_annotations(
    order: list[str],
    passages: dict[str, Passages],
    extra_links: dict[str, list[str]] | None = None,
    extra: dict[str, list[dict[str, Any]]] | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """Notes, emendations and cross-references for every source, by source id (the file they go in).

    ``extra`` annotations (claims, quotations, events, made by the corpus) come first in each file; their
    passages must already be reserved in ``passages``. Cross-references join each source to the next one in
    ``order`` and to one further away (a deterministic stride, so that links spread over the corpus), after any
    ``extra_links`` (source → sources it cites).
    """
    files: dict[str, list[dict[str, Any]]] = {sid: list((extra or {}).get(sid, [])) for sid in order}
    for key, items in (extra or {}).items():
        files.setdefault(key, list(items))
    per_source = NOTES + EMENDATIONS + CROSS_REFERENCES
    picked = {sid: passages[sid].pick(per_source) for sid in order}
    cursor = dict.fromkeys(order, 0)

    def next_phrase(sid: str) -> str | None:
        if cursor[sid] >= len(picked[sid]):
            return None
        cursor[sid] += 1
        return picked[sid][cursor[sid] - 1]

    n = len(order)
    for position, sid in enumerate(order):
        links = list((extra_links or {}).get(sid, []))
        if n > 1:
            links.append(order[(position + 1) % n])
            links.append(order[(position * 7 + n // 3 + 1) % n])
        crosses = 0
        for other in links:
            if crosses >= CROSS_REFERENCES or other == sid or other not in picked:
                continue
            here, there = next_phrase(sid), next_phrase(other)
            if here is None or there is None:
                continue
            crosses += 1
            files[sid].append(
                {
                    "id": f"xr-{sid}-{crosses}",
                    "kind": "cross-reference",
                    "targets": [{"source": sid, "exact": here}, {"source": other, "exact": there}],
                    "body": f"Both passages concern the same matter; compare “{there}” in *{other}*.",
                    "authors": AUTHORS,
                }
            )
        for number in range(1, EMENDATIONS + 1):
            phrase = next_phrase(sid)
            if phrase is None:
                break
            words = phrase.split(" ")
            # the emended word is the last of the phrase, chosen by the words before it
            files[sid].append(
                {
                    "id": f"em-{sid}-{number}",
                    "kind": "emendation",
                    "target": {"source": sid, "exact": words[-1], "prefix": " ".join(words[:-1]) + " "},
                    "reading": words[-1].upper(),
                    "reason": "misprint",
                    "body": "The reading follows the other copies of the text.",
                }
            )
        number = 0
        while (phrase := next_phrase(sid)) is not None:
            number += 1
            files[sid].append(
                {
                    "id": f"note-{sid}-{number}",
                    "kind": "note",
                    "target": {"source": sid, "exact": phrase},
                    "body": (
                        f"On *{phrase.split(' ')[0]}*: the passage is discussed in the editorial method, and "
                        f"[the publisher's page](https://example.org/{sid}/{number}) gives the context.\n\n"
                        "A second paragraph of commentary, with **emphasis** and a `literal`."
                    ),
                    "authors": AUTHORS,
                }
            )
    return files


def write_annotations(annotations_dir: Path, files: dict[str, list[dict[str, Any]]]) -> int:
    if annotations_dir.exists():
        shutil.rmtree(annotations_dir)
    annotations_dir.mkdir(parents=True)
    count = 0
    for name, items in files.items():
        if items:
            (annotations_dir / f"{name}.yaml").write_text(_yaml({"annotations": items}), encoding="utf-8")
            count += len(items)
    return count


# -- (a) this edition --------------------------------------------------------------------------------------------

_SOURCE_DIRECTIVE = re.compile(r"^(```+|:::+)\{standoff-source\}\s+(\S+)\s*\n(.*?)^\1\s*$", re.M | re.S)
_OTHER_STANDOFF_DIRECTIVE = re.compile(r"^(```+|:::+)\{standoff-[\w-]+\}.*?^\1\s*$", re.M | re.S)
_STANDOFF_ROLE = re.compile(r"\{standoff[\w:-]*\}`([^`]*)`")


def _plain_twin(text: str, sources: dict[str, Source]) -> str:
    """A page of the edition with each ``standoff-source`` replaced by the source's text, other directives dropped."""
    titled = text.lstrip().startswith("#")

    def source_text(match: re.Match[str]) -> str:
        source = sources.get(match.group(2))
        if source is None:
            return ""
        body = plain_page(source)
        return body.split("\n", 2)[2] if titled else body

    text = _SOURCE_DIRECTIVE.sub(source_text, text)
    text = _OTHER_STANDOFF_DIRECTIVE.sub("", text)
    return _STANDOFF_ROLE.sub(r"\1", text)


def edition_corpus(project: Path, dest: Path) -> Corpus:
    """This edition, copied; the plain twin shows each source's text where the edition has its page."""
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    for folder in ("sources", "annotations"):
        shutil.copytree(project / folder, dest / folder)
    ignore = shutil.ignore_patterns("_build", "__pycache__")
    shutil.copytree(project / "docs", dest / "edition", ignore=ignore)
    shutil.copytree(project / "docs", dest / "plain", ignore=ignore)
    sources = {s.id: s for s in (read_source(p) for p in sorted((dest / "sources").glob("*.txt")))}
    conf = dest / "plain" / "conf.py"
    conf.write_text(
        conf.read_text(encoding="utf-8")
        + '\nextensions = [e for e in extensions if not e.startswith("sphinx_standoff")]\n',
        encoding="utf-8",
    )
    for page in sorted((dest / "plain").rglob("*.md")):
        text = page.read_text(encoding="utf-8")
        if "standoff" in text:
            page.write_text(_plain_twin(text, sources), encoding="utf-8")
    _, count = check_edition_counts(dest)
    words = sum(len(p.text.split()) for s in sources.values() for p in s.paragraphs)
    return Corpus("this edition", dest, len(sources), count, words)


def check_edition_counts(root: Path) -> tuple[int, int]:
    """(sources, annotations) of an edition folder, loaded as the build loads it (bibliography unchecked)."""
    from sphinx_standoff.edition import load_edition
    from sphinx_standoff.validation import BodyChecker

    edition = load_edition(root / "sources", root / "annotations", None, BodyChecker())
    return len(edition.sources), len(edition.annotations)


# -- (b) a FRUS volume ---------------------------------------------------------------------------------------------

_FOOTNOTE_REF = re.compile(r"\[\^([^\]\s]+)\]")
_FOOTNOTE_DEF = re.compile(r"^\[\^([^\]\s]+)\]:\s*(.*)$")
_PAGE = re.compile(r"\[Page [^\]]+\]")
_DOCUMENT_CITED = re.compile(r"\bDocuments? (\d+)\b")
SHINGLE = 10  # words a passage shared by two documents must have to count as a quotation


def _frus_front_matter(text: str) -> tuple[dict[str, Any], list[str]]:
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        raise ValueError("no front matter")
    end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    return yaml.safe_load("\n".join(lines[1:end])) or {}, lines[end + 1 :]


def _frus_inline(text: str, notes: set[str]) -> str:
    text = _PAGE.sub(lambda m: f"{{pb}}`{m.group(0)}`", text)
    # a note call becomes {noteref}; one whose label is not a plain number (``6-2``) stays as written
    return _FOOTNOTE_REF.sub(lambda m: f"{{noteref}}`{m.group(1)}`" if m.group(1) in notes else m.group(0), text)


def frus_transcription(body: list[str]) -> str:
    """The body of a transcription of one FRUS document (Markdown as converted from the TEI)."""
    blocks: list[list[str]] = [[]]
    for line in body:
        if line.strip():
            blocks[-1].append(line.strip())
        elif blocks[-1]:
            blocks.append([])
    notes: list[tuple[str, str]] = []
    text: list[str] = []
    in_notes = False
    for paragraph in (" ".join(block) for block in blocks if block):
        if paragraph.startswith("## Footnotes"):
            in_notes = True
            continue
        match = _FOOTNOTE_DEF.match(paragraph)
        if in_notes and match:
            notes.append((match.group(1), match.group(2)))
            continue
        text.append(paragraph)
    numbered = {label for label, _ in notes if label.isdigit()}
    out: list[str] = []
    for paragraph in text:
        if paragraph.startswith("# "):
            out += ["::: heading", _frus_inline(paragraph[2:], numbered), ":::", ""]
        else:
            out += [_frus_inline(paragraph, numbered), ""]
    if notes:
        out.append("::: docnotes")
        for label, note in notes:
            out += [_frus_inline(f"{label}. {note}", set()), ""]
        out[-1] = ":::"
    return "\n".join(out) + "\n"


def _shared_passages(sources: dict[str, Source]) -> list[tuple[str, str, str]]:
    """Passages of ``SHINGLE`` words that occur in exactly two documents: (later document, earlier, words).

    One pass over every document's word windows with a dictionary: linear in the size of the volume.
    """
    seen: dict[str, list[str]] = {}
    for sid, source in sources.items():
        for paragraph in source.paragraphs:
            if paragraph.role != "body":
                continue
            words = paragraph.text.split()
            for index in range(0, len(words) - SHINGLE + 1):
                holders = seen.setdefault(" ".join(words[index : index + SHINGLE]), [])
                if sid not in holders:
                    holders.append(sid)
    found = []
    for phrase, holders in seen.items():
        if len(holders) == 2:
            found.append((holders[1], holders[0], phrase))
    return found


def frus_corpus(volume_dir: Path, dest: Path) -> Corpus:
    """A FRUS volume as an edition: each document a source, with annotations on its own unique passages.

    Besides notes, emendations and cross-references (one wherever a document cites another by number): an
    event for each dated document, with the document's date and place as the record, claims of date and place
    on its dateline, and a quotation wherever a passage of ten words occurs in exactly two documents.
    """
    if dest.exists():
        shutil.rmtree(dest)
    (dest / "sources").mkdir(parents=True)
    files = sorted(volume_dir.glob("d*.md"), key=lambda p: int(re.sub(r"\D", "", p.stem) or 0))
    volume = volume_dir.name
    sources: dict[str, Source] = {}
    docs: dict[str, dict[str, Any]] = {}
    number_to_id: dict[str, str] = {}
    for path in files:
        raw = path.read_bytes()
        doc, body = _frus_front_matter(raw.decode("utf-8"))
        sid = f"{volume}-{path.stem}".lower()
        date = doc.get("date")
        meta = {
            "id": sid,
            "title": str(doc.get("title") or path.stem),
            "short_title": f"{volume}, doc. {doc.get('doc_number', path.stem)}",
            "author": "United States Department of State (as given in the document)",
            "publisher": "U.S. Department of State, Office of the Historian",
            "date": str(date) if date else None,
            "date_note": str(doc["dateline"]) if doc.get("dateline") else None,
            "published_at": str(doc.get("source_url") or volume),
            "kind": "primary",
            "rights": "Public domain (work of the U.S. Government).",
            "headnote": (
                f"Document {doc.get('doc_number', '?')} of *{doc.get('source_volume_title', volume)}*, "
                f"pages {doc.get('pages', '?')}, chapter “{doc.get('chapter', '?')}”."
            ),
        }
        meta = {key: value for key, value in meta.items() if value is not None}
        spath, _ = write_source(dest / "sources", meta, path.name, raw, frus_transcription(body))
        sources[sid] = read_source(spath)
        docs[sid] = doc
        number_to_id[str(doc.get("doc_number", ""))] = sid
    order = list(sources)
    passages = {sid: Passages(source) for sid, source in sources.items()}
    extra: dict[str, list[dict[str, Any]]] = {sid: [] for sid in order}
    events: list[dict[str, Any]] = []
    for sid in order:
        doc, source = docs[sid], sources[sid]
        dateline = str(doc.get("dateline") or "").strip()
        if not doc.get("date") or not dateline:
            continue
        ident = f"ev-{sid}"
        place = dateline.split(",")[0].strip() if "," in dateline else None
        events.append(
            event(ident, f"{source.meta.title} ({dateline})", str(doc["date"]), place, f"The dateline: {dateline}")
        )
        if passages[sid].reserve(dateline):
            extra[sid].append(claim(f"date-{sid}", sid, dateline, ident, "date", str(doc["date"])))
        if place and passages[sid].reserve(f"{place},"):
            extra[sid].append(claim(f"place-{sid}", sid, f"{place},", ident, "place", place))
    quoted_by: dict[str, int] = {}
    for later, earlier, phrase in _shared_passages(sources):
        if quoted_by.get(later, 0) >= 1:
            continue
        if passages[later].reserve(phrase):
            if passages[earlier].reserve(phrase):
                quoted_by[later] = 1
                extra[later].append(quotation(f"qu-{later}", later, phrase, earlier, phrase, None))
            else:
                passages[later].used[passages[later].text.anchor(phrase).paragraph].pop()
    extra["events"] = events
    cited = {
        sid: [m.group(1) for p in source.paragraphs if p.role == "body" for m in _DOCUMENT_CITED.finditer(p.text)]
        for sid, source in sources.items()
    }
    links = {sid: [number_to_id[n] for n in numbers if n in number_to_id] for sid, numbers in cited.items()}
    count = write_annotations(dest / "annotations", make_annotations(order, passages, links, extra))
    write_projects(dest, f"FRUS {volume}", [(sid, sid) for sid in order], sources)
    n_sources, n_annotations = check_edition(dest)
    assert n_sources == len(sources) and n_annotations == count, (n_sources, n_annotations, count)
    words = sum(len(p.text.split()) for s in sources.values() for p in s.paragraphs)
    return Corpus(f"FRUS {volume}", dest, len(sources), count, words)


# -- (c) synthetic -----------------------------------------------------------------------------------------------

_CONSONANTS = "bcdfghklmnprstvz"
_VOWELS = "aeiou"
PLACES = ("Washington", "Moscow", "Geneva", "Vienna", "New York", "Paris")


def _vocabulary(rng: random.Random, size: int = 4000) -> list[str]:
    words: set[str] = set()
    while len(words) < size:
        syllables = rng.randint(1, 4)
        words.add("".join(rng.choice(_CONSONANTS) + rng.choice(_VOWELS) for _ in range(syllables)))
    return sorted(words)


def _sentence(rng: random.Random, vocabulary: list[str]) -> str:
    words = [rng.choice(vocabulary) for _ in range(rng.randint(6, 18))]
    words[0] = words[0].capitalize()
    return " ".join(words) + rng.choice(".....;?!")


def synthetic_corpus(size: int, dest: Path, seed: int = 1962, *, toctree: bool = True, check: bool = True) -> Corpus:
    """``size`` sources of 8–14 paragraphs of pseudo-words, about 20 annotations landing in each, from ``seed``.

    Each source after the first quotes a sentence of the one before it (one in five with a word changed, so
    the build's collation finds a discrepancy); every ten sources tell one event, and each claims its date and
    place (one in seven gets the date wrong, one in eleven the place).
    """
    if dest.exists():
        shutil.rmtree(dest)
    (dest / "sources").mkdir(parents=True)
    rng = random.Random(seed)
    vocabulary = _vocabulary(rng)
    sources: dict[str, Source] = {}
    sentences: dict[str, list[str]] = {}
    quotes: dict[str, tuple[str, str, str]] = {}  # quoting source -> (as quoted, quoted source, original)
    previous: str | None = None
    for number in range(1, size + 1):
        sid = f"synthetic-{number:05d}"
        paragraphs = [[_sentence(rng, vocabulary) for _ in range(rng.randint(3, 6))] for _ in range(rng.randint(8, 14))]
        if previous is not None:
            original = rng.choice(sentences[previous])
            words = original.split(" ")
            if number % 5 == 0:
                words[len(words) // 2] = rng.choice(vocabulary)
            as_quoted = " ".join(words)
            paragraphs[rng.randrange(len(paragraphs))].append(f"As the earlier text has it, “{as_quoted}”")
            quotes[sid] = (as_quoted, previous, original)
        sentences[sid] = [sentence for paragraph in paragraphs for sentence in paragraph]
        texts = [" ".join(paragraph) for paragraph in paragraphs]
        received = ("\n\n".join(texts) + "\n").encode("utf-8")
        body = "::: headline\n" + f"Synthetic document {number}" + "\n:::\n\n" + "\n\n".join(texts)
        meta = {
            "id": sid,
            "title": f"Synthetic document {number}",
            "short_title": f"Synthetic {number}",
            "author": "A generator",
            "publisher": "The benchmark",
            "date": f"{1961 + number % 3}-{1 + number % 12:02d}-{1 + number % 28:02d}",
            "published_at": f"https://example.org/synthetic/{number}",
            "kind": "primary" if number % 2 else "secondary",
            "rights": "Generated text, no rights reserved.",
            "headnote": f"A generated text, number {number}, of *{size}*: its words mean nothing.",
        }
        path, _ = write_source(dest / "sources", meta, f"{sid}.txt", received, body)
        sources[sid] = read_source(path)
        previous = sid
    order = list(sources)
    passages = {sid: Passages(source) for sid, source in sources.items()}
    extra: dict[str, list[dict[str, Any]]] = {sid: [] for sid in order}
    events = []
    for group in range(0, size, 10):
        day = f"1962-{1 + group // 10 % 12:02d}-{1 + group % 28:02d}"
        events.append(event(f"event-{group // 10:04d}", f"Event {group // 10}", day, PLACES[group % 6], "Generated."))
    for position, sid in enumerate(order):
        ident = f"event-{position // 10:04d}"
        record = events[position // 10]["record"]
        if sid in quotes:
            as_quoted, quoted_sid, original = quotes[sid]
            if passages[sid].reserve(as_quoted) and passages[quoted_sid].reserve(original):
                extra[sid].append(quotation(f"qu-{sid}", sid, as_quoted, quoted_sid, original, ident))
        phrases = passages[sid].pick(2)
        if len(phrases) == 2:
            date = record["date"] if position % 7 else "1962-12-31"
            place = record["place"] if position % 11 else "Nowhere"
            extra[sid].append(claim(f"date-{sid}", sid, phrases[0], ident, "date", date))
            extra[sid].append(claim(f"place-{sid}", sid, phrases[1], ident, "place", place))
    extra["events"] = events
    count = write_annotations(dest / "annotations", make_annotations(order, passages, None, extra))
    write_projects(dest, f"Synthetic, {size} sources", [(sid, sid) for sid in order], sources, toctree=toctree)
    if check:
        n_sources, n_annotations = check_edition(dest)
        assert n_sources == len(sources) and n_annotations == count, (n_sources, n_annotations, count)
    words = sum(len(p.text.split()) for s in sources.values() for p in s.paragraphs)
    return Corpus(f"synthetic {size}", dest, len(sources), count, words)
