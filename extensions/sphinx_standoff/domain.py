"""The ``standoff`` domain: which page shows which source, and links to a source's paragraphs.

Links between sources are ``pending_xref`` nodes of this domain (``reftype="para"``, ``reftarget`` like
``kennedy-1962-03-07-letter#p7``), resolved late, once every page is known, as Sphinx resolves any reference.
The domain's data are plain dicts, purged and merged per document for parallel builds.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from docutils import nodes
from sphinx.addnodes import pending_xref
from sphinx.builders import Builder
from sphinx.domains import Domain
from sphinx.environment import BuildEnvironment
from sphinx.locale import __
from sphinx.util import logging
from sphinx.util.nodes import make_refnode

logger = logging.getLogger(__name__)


class StandoffDomain(Domain):
    name = "standoff"
    label = "Stand-off edition"
    initial_data: dict[str, Any] = {
        "pages": {},  # source id -> docname
        "fingerprints": {},  # docname -> fingerprint of what the page shows
        "special": {},  # "register" | "chronology" | "comparison" -> docname
    }

    #: what each kind of link resolves to: (page kind, anchor prefix)
    LINKS = {"entry": ("register", "d-"), "event": ("chronology", "event-"), "entity": ("registers", "entity-")}

    @property
    def pages(self) -> dict[str, str]:
        return self.data["pages"]

    @property
    def fingerprints(self) -> dict[str, str]:
        return self.data["fingerprints"]

    def note_page(self, source_id: str, docname: str, fingerprint: str) -> str | None:
        """Record that ``docname`` shows ``source_id``; return the other page that already does, if any."""
        other = self.pages.get(source_id)
        if other is not None and other != docname:
            return other
        self.pages[source_id] = docname
        self.fingerprints[docname] = fingerprint
        return None

    def page_of(self, source_id: str) -> str | None:
        return self.pages.get(source_id)

    @property
    def special(self) -> dict[str, str]:
        return self.data.setdefault("special", {})

    def note_special(self, kind: str, docname: str, fingerprint: str) -> str | None:
        """Record the page holding the register, chronology or comparisons; return another one if any."""
        other = self.special.get(kind)
        if other is not None and other != docname:
            return other
        self.special[kind] = docname
        self.fingerprints[docname] = fingerprint
        return None

    def clear_doc(self, docname: str) -> None:
        for source_id, page in list(self.pages.items()):
            if page == docname:
                del self.pages[source_id]
        for kind, page in list(self.special.items()):
            if page == docname:
                del self.special[kind]
        self.fingerprints.pop(docname, None)

    def merge_domaindata(self, docnames: Iterable[str], otherdata: dict[str, Any]) -> None:
        wanted = set(docnames)
        for source_id, page in otherdata["pages"].items():
            if page in wanted:
                self.pages[source_id] = page
        for kind, page in otherdata.get("special", {}).items():
            if page in wanted:
                self.special[kind] = page
        for page, fingerprint in otherdata["fingerprints"].items():
            if page in wanted:
                self.fingerprints[page] = fingerprint

    def resolve_xref(
        self,
        env: BuildEnvironment,
        fromdocname: str,
        builder: Builder,
        typ: str,
        target: str,
        node: pending_xref,
        contnode: nodes.Element,
    ) -> nodes.reference | None:
        if typ in self.LINKS:
            kind, prefix = self.LINKS[typ]
            page = self.special.get(kind)
            if page is None:
                logger.warning(
                    __("%s: link to the %s, but no page of this edition holds it (add the standoff-%s directive)"),
                    node.get("standoff_annotation", "?"),
                    kind,
                    kind,
                    location=node,
                    type="standoff",
                    subtype="missing-page",
                )
                return None
            return make_refnode(builder, fromdocname, page, prefix + target, contnode)
        if typ != "para":
            return None
        source_id, _, anchor = target.partition("#")
        page = self.page_of(source_id)
        if page is None:
            logger.warning(
                __("%s: link to source %r, which has no page in this edition"),
                node.get("standoff_annotation", "?"),
                source_id,
                location=node,
                type="standoff",
                subtype="missing-page",
            )
            return None
        return make_refnode(builder, fromdocname, page, anchor or source_id, contnode)

    def resolve_any_xref(
        self,
        env: BuildEnvironment,
        fromdocname: str,
        builder: Builder,
        target: str,
        node: pending_xref,
        contnode: nodes.Element,
    ) -> list[tuple[str, nodes.reference]]:
        return []

    def get_objects(self) -> Iterable[tuple[str, str, str, str, str, int]]:
        return []
