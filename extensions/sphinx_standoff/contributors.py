"""The ``standoff-contributors`` directive: everyone who wrote an annotation, with what they wrote.

Each author (a name, and an ORCID iD when given) is listed once, with a link to their ORCID record and the
annotations they wrote, each linking to the paragraph it is attached to (a ``pending_xref`` of the ``standoff``
domain, resolved once every page is known). The page is read again whenever the attribution or the place of
any annotation changes.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util.docutils import SphinxDirective
from sphinx.util.typing import ExtensionMetadata

from .deferred import add_filler, deferred
from .edition import Edition, Located
from .render import xref
from .state import edition_of

ORCID_URL = "https://orcid.org/"
UNATTRIBUTED = "Without a named author"


def orcid_reference(orcid: str) -> nodes.reference:
    """A link to an ORCID record, shown as its full address (as ORCID asks iDs to be displayed)."""
    url = ORCID_URL + orcid
    return nodes.reference("", url, refuri=url, classes=["standoff-orcid"])


def contributors(edition: Edition) -> list[tuple[tuple[str, str | None], list[Located]]]:
    """Each author, as (name, ORCID iD), with their annotations, sorted by name; the unattributed last."""
    by_author: dict[tuple[str, str | None], list[Located]] = defaultdict(list)
    unattributed: list[Located] = []
    for located in edition.annotations:
        authors = getattr(located.annotation, "authors", None) or []
        if not authors:
            unattributed.append(located)
        for author in authors:
            by_author[(author.name, author.orcid)].append(located)
    ordered = sorted(by_author.items(), key=lambda item: (item[0][0].casefold(), item[0][1] or ""))
    if unattributed:
        ordered.append(((UNATTRIBUTED, None), unattributed))
    return [(author, sorted(items, key=_reading_order)) for author, items in ordered]


def _reading_order(located: Located) -> tuple[str, int, int, str]:
    if not located.anchors:
        return ("\uffff", 0, 0, located.id)
    first = located.anchors[0]
    return (first.source, first.paragraph, first.start, located.id)


def fingerprint(edition: Edition) -> str:
    """Changes whenever anything the contributors page shows changes."""
    digest = hashlib.sha256()
    for located in sorted(edition.annotations, key=lambda loc: loc.id):
        annotation = located.annotation
        record = [
            located.id,
            located.kind,
            [[a.name, a.orcid] for a in getattr(annotation, "authors", None) or []],
            str(getattr(annotation, "created", None)),
            str(getattr(annotation, "modified", None)),
            [[a.source, a.paragraph] for a in located.anchors],
        ]
        digest.update(json.dumps(record).encode())
    for source_id, source in sorted(edition.sources.items()):
        digest.update(f"{source_id}={source.label}".encode())
    return digest.hexdigest()


class ContributorsDirective(SphinxDirective):
    """``standoff-contributors``: the list of everyone who wrote annotations, with their annotations."""

    required_arguments = 0
    optional_arguments = 0
    has_content = False

    def run(self) -> list[nodes.Node]:
        edition = edition_of(self.env)
        if edition is None:
            return []
        pages: dict[str, str] = self.env.standoff_contributor_pages  # type: ignore[attr-defined]
        pages[self.env.docname] = fingerprint(edition)
        people = nodes.bullet_list(classes=["standoff-contributors"])
        for (name, orcid), items in contributors(edition):
            entry = nodes.list_item(classes=["standoff-contributor"])
            head = nodes.paragraph("", "", nodes.strong("", name))
            if orcid:
                head += nodes.Text(" (")
                head += orcid_reference(orcid)
                head += nodes.Text(")")
            noun = "annotation" if len(items) == 1 else "annotations"
            head += nodes.Text(f": {len(items)} {noun}")
            entry += head
            entry += deferred("contributors", (name, orcid), self.env.docname)  # ``annotation_lists``
            people += entry
        if not people.children:
            return [nodes.paragraph("", "No annotations yet.")]
        return [people]


def annotation_lists(
    env: BuildEnvironment, docname: str, authors: list[tuple[str, str | None]]
) -> dict[tuple[str, str | None], list[nodes.Node]]:
    """The annotations of each author, filled in after reading (``deferred``): at 100 sources, two thousand
    links, which the transforms of the reading phase had no business with."""
    edition = edition_of(env)
    if edition is None:  # pragma: no cover - loaded at builder-inited
        return {}
    wanted = set(authors)
    return {author: [_annotations(edition, items)] for author, items in contributors(edition) if author in wanted}


def _annotations(edition: Edition, items: Iterable[Located]) -> nodes.bullet_list:
    listing = nodes.bullet_list()
    for located in items:
        para = nodes.paragraph("", "", nodes.literal("", located.id), nodes.Text(f" ({located.kind})"))
        places = []
        for anchor in located.anchors:
            if (anchor.source, anchor.paragraph) not in places:
                places.append((anchor.source, anchor.paragraph))
        for number, (source_id, paragraph) in enumerate(places):
            source = edition.sources.get(source_id)
            label = f"{source.label if source else source_id}, ¶{paragraph}"
            link = xref("para", f"{source_id}#p{paragraph}", label, located.id, located.path, located.line)
            para += nodes.Text(": " if number == 0 else "; ")
            para += link
        listing += nodes.list_item("", para)
    return listing


def _init(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    if not hasattr(env, "standoff_contributor_pages"):
        env.standoff_contributor_pages = {}  # type: ignore[attr-defined]


def _purge(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    getattr(env, "standoff_contributor_pages", {}).pop(docname, None)


def _merge(app: Sphinx, env: BuildEnvironment, docnames: Iterable[str], other: BuildEnvironment) -> None:
    pages = env.standoff_contributor_pages  # type: ignore[attr-defined]
    theirs = getattr(other, "standoff_contributor_pages", {})
    for docname in docnames:
        if docname in theirs:
            pages[docname] = theirs[docname]


def _outdated(app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str], removed: set[str]) -> list[str]:
    edition = edition_of(env)
    pages: dict[str, str] = getattr(env, "standoff_contributor_pages", {})
    if edition is None or not pages:
        return []
    current = fingerprint(edition)
    return sorted(docname for docname, seen in pages.items() if seen != current and docname not in removed)


def setup(app: Sphinx) -> ExtensionMetadata:
    app.add_directive("standoff-contributors", ContributorsDirective)
    add_filler("contributors", annotation_lists)
    app.connect("env-before-read-docs", _init)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    app.connect("env-get-outdated", _outdated)
    return {"version": "0.1.0", "parallel_read_safe": True, "parallel_write_safe": True}
