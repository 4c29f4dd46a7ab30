"""LaTeX for the edition's nodes: the printed (PDF) edition.

Every node of ``nodes`` has a LaTeX visitor here, writing a macro or an environment of
``texinputs/sphinxstandoff.sty`` (loaded by the extension; redefine any of them in
``latex_elements["preamble"]``). Editorial notes need nothing: they are docutils footnotes, and Sphinx's LaTeX
writer prints them as footnotes on the page of their call.

Post-transforms, run for LaTeX builders only, put the book together from the assembled document tree:

* every element with ids that Sphinx's LaTeX writer leaves without a ``\\label`` (paragraphs, containers, list
  items) gets one, so that links to paragraphs, register entries, names and notes of the original resolve;
* a link to a passage, a register entry or an event (the ``standoff`` domain's ``para``, ``entry`` and
  ``event`` references) is followed by the page number of its target, and the ≠ mark before a note call links
  to the register entry of the discrepancy;
* the sphinx-design grids of cards (the readings of a register entry, the parallel passages of a comparison)
  become tables, one row per card: its title, then its body; a source's provenance and an event's record,
  field lists, become two-column tables;
* adjacent note calls are separated by a comma (notes 1 and 2 must not read as note 12); the document's own
  notes begin with their number and their calls are marked unlike the editors';
* a stray image address breaks as a URL, a SHA-256 hash between groups of digits;
* the paragraphs of a source are set in the style of their role in the original (headline, byline, signature …);
* a source's chapter sets the running head to the source's short title;
* the bibliography is printed where its page stands in the book, not gathered at the end;
* with ``standoff_latex_parts = True``, the captions of the root document's toctrees become parts.

At the end of a LaTeX build the package is copied beside the .tex file, and Sphinx's ``sphinx.xdy`` is given
the dash xindy needs between the pages of a range ("93–97", not "9397").
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.builders.latex.nodes import thebibliography
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.writers.latex import LaTeXTranslator

from . import nodes as sn
from .state import edition_of
from .typography import text_as_read

CR = "\n"
PACKAGE = "sphinxstandoff"

#: the ``standoff`` references that print the page number of their target
PAGE_REFERENCES = frozenset({"para", "entry", "event"})

#: elements whose ids Sphinx's LaTeX writer does not turn into labels
UNLABELLED = (
    nodes.paragraph,
    nodes.container,
    nodes.list_item,
    nodes.bullet_list,
    nodes.enumerated_list,
    nodes.field_list,
    nodes.definition_list,
    nodes.inline,
)

#: field lists printed as tables (a source's provenance, an event's record)
FIELD_TABLES = ("standoff-provenance", "standoff-record")

#: a table of more cards than this may break across pages
LONG_TABLE = 6

#: how many characters of a hash go between two permitted line breaks
HASH_CHUNK = 16


# -- helper nodes, made by the post-transforms below for LaTeX only ------------------------------------------


class standoff_label(nodes.Inline, nodes.TextElement):
    """Hyper-targets (``\\label``) for the ids in ``refids``, of the element it was put in."""


class standoff_pageref(nodes.Inline, nodes.TextElement):
    """A cross-reference (its one child) followed by the page number of its target."""


class standoff_role(nodes.Inline, nodes.TextElement):
    """The content of a source's paragraph, set in the style of the paragraph's ``role`` in the original."""


class standoff_runninghead(nodes.General, nodes.Element):
    """Sets the running head (``text``) of the pages that follow."""


class standoff_part(nodes.General, nodes.Element):
    """Begins a part of the book (``title``)."""


class standoff_bibliography(nodes.General, nodes.Element):
    """The bibliography (its children are citations), printed in place."""


# -- the visitors of the edition's nodes --------------------------------------------------------------------


def _encode(self: LaTeXTranslator, text: str) -> str:
    return self.encode(text)


def _macro(name: str, *arguments: str) -> str:
    """``\\name{argument}…``: the arguments are LaTeX already."""
    return "\\" + name + "".join("{" + argument + "}" for argument in arguments)


def _name(text: str) -> str:
    """An identifier (a kind, a role) as a macro argument: letters, digits and hyphens only."""
    return re.sub(r"[^A-Za-z0-9-]", "", text)


def visit_text(self: LaTeXTranslator, node: sn.standoff_text) -> None:
    self.body.append(CR + r"\begin{standofftext}" + CR)


def depart_text(self: LaTeXTranslator, node: sn.standoff_text) -> None:
    self.body.append(CR + r"\end{standofftext}" + CR)


def visit_paratext(self: LaTeXTranslator, node: sn.standoff_paratext) -> None:
    count = sum(1 for child in node.children if isinstance(child, nodes.paragraph))
    noun = "paragraph" if count == 1 else "paragraphs"
    self.body.append(CR + _macro("begin", "standoffparatext", _encode(self, node["label"]), f"{count} {noun}") + CR)


def depart_paratext(self: LaTeXTranslator, node: sn.standoff_paratext) -> None:
    self.body.append(CR + r"\end{standoffparatext}" + CR)


def visit_docnotes(self: LaTeXTranslator, node: sn.standoff_docnotes) -> None:
    self.body.append(CR + r"\begin{standoffdocnotes}" + CR)


def depart_docnotes(self: LaTeXTranslator, node: sn.standoff_docnotes) -> None:
    self.body.append(CR + r"\end{standoffdocnotes}" + CR)


def visit_pnum(self: LaTeXTranslator, node: sn.standoff_pnum) -> None:
    self.body.append(_macro("standoffpnum", _encode(self, str(node["number"]))))
    raise nodes.SkipNode


def _wrap(macro: str) -> tuple[Any, Any]:
    """Visitors writing ``\\macro{`` … ``}`` around the node's content."""

    def visit(self: LaTeXTranslator, node: nodes.Element) -> None:
        self.body.append("\\" + macro + "{")

    def depart(self: LaTeXTranslator, node: nodes.Element) -> None:
        self.body.append("}")

    return visit, depart


def visit_inline_paratext(self: LaTeXTranslator, node: sn.standoff_inline_paratext) -> None:
    text = node.astext()
    if len(node) == 1 and isinstance(node[0], nodes.Text) and text and not any(c.isspace() for c in text):
        # a stray address: set as a URL, so that it can break at its slashes and dots
        self.body.append(_macro("standoffinlineparatext", _macro("sphinxnolinkurl", self.encode_uri(text))))
        raise nodes.SkipNode
    self.body.append(r"\standoffinlineparatext{")


def depart_inline_paratext(self: LaTeXTranslator, node: sn.standoff_inline_paratext) -> None:
    self.body.append("}")


def visit_flag(self: LaTeXTranslator, node: sn.standoff_flag) -> None:
    target = node.get("target")
    if target:
        self.body.append(r"{\hyperref[" + self.idescape(target) + r"]{\standoffflag{")
    else:
        self.body.append(r"{{\standoffflag{")


def depart_flag(self: LaTeXTranslator, node: sn.standoff_flag) -> None:
    self.body.append("}}}")


def visit_variant(self: LaTeXTranslator, node: sn.standoff_variant) -> None:
    self.body.append("{" + _macro("standoffvariant", _name(node["kind"])))


def depart_variant(self: LaTeXTranslator, node: sn.standoff_variant) -> None:
    self.body.append("}")


def visit_entry(self: LaTeXTranslator, node: sn.standoff_entry) -> None:
    self.body.append(CR + _macro("begin", "standoffentry", _name(node["kind"])) + CR)


def depart_entry(self: LaTeXTranslator, node: sn.standoff_entry) -> None:
    self.body.append(CR + r"\end{standoffentry}" + CR)


def skip(self: LaTeXTranslator, node: nodes.Node) -> None:
    raise nodes.SkipNode


# -- the visitors of the helper nodes -------------------------------------------------------------------------


def visit_label(self: LaTeXTranslator, node: standoff_label) -> None:
    self.body.append(r"\phantomsection" + "".join(self.hypertarget(i, anchor=False) for i in node["refids"]))
    raise nodes.SkipNode


def reference_label(node: nodes.Node, docname: str = "") -> str | None:
    """The LaTeX label an internal reference points at (as Sphinx's writer spells it), if any.

    ``docname`` is the document the reference is in, for a reference by ``refid`` within it.
    """
    if not isinstance(node, nodes.reference):
        return None
    uri = node.get("refuri", "")
    if not uri and node.get("refid") and docname:
        return f"{docname}:{node['refid']}"
    if not uri.startswith("%"):
        return None
    target, hash_, anchor = uri[1:].partition("#")
    return f"{target}:{anchor}" if hash_ else f"{target}::doc"


def visit_pageref(self: LaTeXTranslator, node: standoff_pageref) -> None:
    pass


def depart_pageref(self: LaTeXTranslator, node: standoff_pageref) -> None:
    label = reference_label(node[0], self.curfilestack[-1]) if len(node) == 1 else None
    if label is not None:
        self.body.append(_macro("standoffpageref", self.idescape(label)))


def visit_role(self: LaTeXTranslator, node: standoff_role) -> None:
    self.body.append(r"\begingroup" + _macro("standoffrole", _name(node["role"])))


def depart_role(self: LaTeXTranslator, node: standoff_role) -> None:
    self.body.append(r"\par\endgroup")


def visit_runninghead(self: LaTeXTranslator, node: standoff_runninghead) -> None:
    self.body.append(CR + _macro("standoffrunninghead", _encode(self, node["text"])) + CR)
    raise nodes.SkipNode


def visit_part(self: LaTeXTranslator, node: standoff_part) -> None:
    self.body.append(CR + _macro("standoffpart", _encode(self, node["title"])) + CR)
    raise nodes.SkipNode


def visit_bibliography(self: LaTeXTranslator, node: standoff_bibliography) -> None:
    labels = [citation[0].astext() for citation in node.children if isinstance(citation, nodes.citation)]
    widest = max(labels, key=len) if labels else "0"
    self.body.append(CR + _macro("begin", "standoffbibliography", _encode(self, widest)) + CR)


def depart_bibliography(self: LaTeXTranslator, node: standoff_bibliography) -> None:
    self.body.append(CR + r"\end{standoffbibliography}" + CR)


LATEX_VISITORS: dict[type[nodes.Element], tuple[Any, Any]] = {
    sn.standoff_text: (visit_text, depart_text),
    sn.standoff_paratext: (visit_paratext, depart_paratext),
    sn.standoff_docnotes: (visit_docnotes, depart_docnotes),
    sn.standoff_para: (LaTeXTranslator.visit_paragraph, LaTeXTranslator.depart_paragraph),
    sn.standoff_quoted: (LaTeXTranslator.visit_paragraph, LaTeXTranslator.depart_paragraph),
    sn.standoff_settled: (LaTeXTranslator.visit_paragraph, LaTeXTranslator.depart_paragraph),
    sn.standoff_linktext: (LaTeXTranslator.visit_inline, LaTeXTranslator.depart_inline),
    sn.standoff_pnum: (visit_pnum, None),
    sn.standoff_mark: _wrap("standoffmark"),
    sn.standoff_emendation: _wrap("standoffemendation"),
    sn.standoff_pagebreak: _wrap("standoffpagebreak"),
    sn.standoff_inline_paratext: (visit_inline_paratext, depart_inline_paratext),
    sn.standoff_flag: (visit_flag, depart_flag),
    sn.standoff_variant: (visit_variant, depart_variant),
    sn.standoff_entry: (visit_entry, depart_entry),
    sn.standoff_filter: (skip, None),
}

HELPER_VISITORS: dict[type[nodes.Element], tuple[Any, Any]] = {
    standoff_label: (visit_label, None),
    standoff_pageref: (visit_pageref, depart_pageref),
    standoff_role: (visit_role, depart_role),
    standoff_runninghead: (visit_runninghead, None),
    standoff_part: (visit_part, None),
    standoff_bibliography: (visit_bibliography, depart_bibliography),
}


# -- post-transforms ------------------------------------------------------------------------------------------


class PageReferences(SphinxPostTransform):
    """Wrap each link to a passage, register entry or event, so that its target's page number follows it."""

    default_priority = 5  # before the references are resolved (10)
    formats = ("latex",)

    def run(self, **kwargs: Any) -> None:
        for xref in list(self.document.findall(addnodes.pending_xref)):
            if xref.get("refdomain") != "standoff" or xref.get("reftype") not in PAGE_REFERENCES:
                continue
            if _inside(xref, (nodes.title, nodes.caption)):
                continue
            wrapper = standoff_pageref(reftype=xref["reftype"])
            xref.replace_self(wrapper)
            wrapper += xref


class FlagTargets(SphinxPostTransform):
    """Point each ≠ mark at the register entry its note links to (``target``: the entry's label)."""

    default_priority = 20  # after the references are resolved, before footnotes are moved (600)
    formats = ("latex",)

    def run(self, **kwargs: Any) -> None:
        flags = list(self.document.findall(sn.standoff_flag))
        if not flags:
            return
        notes = {ident: note for note in self.document.findall(nodes.footnote) for ident in note["ids"]}
        for flag in flags:
            note = notes.get(flag.get("refid", ""))
            if note is None:
                continue
            for wrapper in note.findall(standoff_pageref):
                label = reference_label(wrapper[0]) if wrapper.get("reftype") == "entry" and len(wrapper) else None
                if label is not None:
                    flag["target"] = label
                    break


class BookLayout(SphinxPostTransform):
    """Tables for grids of cards and field lists, details, styles of paragraphs, labels (see the module)."""

    default_priority = 400
    formats = ("latex",)

    def run(self, **kwargs: Any) -> None:
        self.tables()
        self.notes()
        self.note_calls()
        self.docnotes()
        self.details()
        self.roles()
        self.labels()
        self.running_heads()
        if self.config.standoff_latex_parts:
            self.parts()

    def tables(self) -> None:
        """Grids of cards (register entries, comparisons) and a source's provenance, an event's record."""
        for grid in list(self.document.findall(nodes.container)):
            if grid.get("design_component") != "grid-container" or not _in_edition(grid):
                continue
            table = cards_table(grid)
            if table is not None:
                grid.replace_self(table)
        for fields in list(self.document.findall(nodes.field_list)):
            if any(name in fields["classes"] for name in FIELD_TABLES):
                fields.replace_self(fields_table(fields))

    def notes(self) -> None:
        """Unwrap plain containers in notes (discrepancy summaries): in LaTeX a container opens a paragraph of
        its own, which left the note's number alone on a line."""
        for note in list(self.document.findall(nodes.footnote)):
            for box in list(note.findall(nodes.container)):
                if not box["ids"] and not box.get("design_component") and type(box) is nodes.container:
                    box.replace_self(box.children)

    def note_calls(self) -> None:
        """A comma between two adjacent note calls, so that notes 1 and 2 do not read as note 12."""
        for ref in list(self.document.findall(nodes.footnote_reference)):
            follower = ref.next_node(descend=False, siblings=True)
            if isinstance(follower, nodes.footnote_reference | sn.standoff_flag):
                ref.parent.insert(ref.parent.index(ref) + 1, nodes.raw("", r"\textsuperscript{,}", format="latex"))

    def docnotes(self) -> None:
        """The document's own notes: calls, labels and title marked (``render`` gives each note its number)."""
        for node in list(self.document.findall(nodes.Element)):
            for name in ("standoff-docnote-call", "standoff-docnote-label", "standoff-docnotes-title"):
                if name in node["classes"] and not isinstance(node, nodes.inline):
                    _wrap_children(
                        node,
                        nodes.inline(classes=["standoff-docnote-call" if name != "standoff-docnotes-title" else name]),
                    )

    def details(self) -> None:
        """Hashes that may break between groups of digits; the page of each pair listed on the comparisons."""
        for literal in list(self.document.findall(nodes.literal)):
            if "standoff-hash" in literal["classes"]:
                text = literal.astext()
                literal.children = []
                for start in range(0, len(text), HASH_CHUNK):
                    if start:
                        literal += nodes.raw("", r"\allowbreak{}", format="latex")
                    literal += nodes.Text(text[start : start + HASH_CHUNK])
        for pairs in list(self.document.findall(nodes.bullet_list)):
            if "standoff-pairs" not in pairs["classes"]:
                continue
            for ref in list(pairs.findall(nodes.reference)):
                if ref.get("refid") and not isinstance(ref.parent, standoff_pageref):
                    wrapper = standoff_pageref(reftype="pair")
                    ref.replace_self(wrapper)
                    wrapper += ref

    def roles(self) -> None:
        """A source's paragraph in the style of its role in the original (headline, byline, signature …)."""
        for para in list(self.document.findall(nodes.paragraph)):
            classes = para["classes"]
            if "standoff-para" not in classes:
                continue
            role = next((c.removeprefix("standoff-role-") for c in classes if c.startswith("standoff-role-")), "body")
            if role != "body":
                _wrap_children(para, standoff_role(role=role))

    def labels(self) -> None:
        """A ``\\label`` for the ids of the elements that Sphinx's writer leaves without one."""
        for node in list(self.document.findall(nodes.Element)):
            if not isinstance(node, UNLABELLED) or not node["ids"] or isinstance(node, standoff_role):
                continue
            if _inside(node, (nodes.title, nodes.caption, nodes.term)):
                continue
            node.insert(0, standoff_label(refids=list(node["ids"])))

    def running_heads(self) -> None:
        edition = edition_of(self.env)
        if edition is None:
            return
        for section in self.document.findall(nodes.section):
            if "standoff-source" not in section["classes"] or not section["ids"]:
                continue
            source = edition.sources.get(section["ids"][0])
            if source is None or not len(section) or not isinstance(section[0], nodes.title):
                continue
            # the label as the chapter's own text has it: typographic quotes, as smart quotes made them
            section.insert(1, standoff_runninghead(text=text_as_read(self.env, self.document, source.label)))

    def parts(self) -> None:
        """Before the first document of each captioned toctree of the root document: a part, so titled."""
        root = self.document.get("docname") or self.config.root_doc
        try:
            doctree = self.env.get_doctree(root)
        except FileNotFoundError:  # pragma: no cover - the root document is always read
            return
        firsts: dict[str, str] = {}
        for toctree in doctree.findall(addnodes.toctree):
            includes = toctree.get("includefiles") or []
            if toctree.get("caption") and includes:
                firsts.setdefault(str(includes[0]), toctree["caption"])
        for start in list(self.document.findall(addnodes.start_of_file)):
            title = firsts.pop(start["docname"], None)
            if title is not None:
                start.parent.insert(start.parent.index(start), standoff_part(title=title))


class BibliographyMarker(SphinxPostTransform):
    """Mark where the bibliography stands, before Sphinx gathers the citations at the end of the book."""

    default_priority = 740  # Sphinx's BibliographyTransform is 750
    formats = ("latex",)

    def run(self, **kwargs: Any) -> None:
        first = next(self.document.findall(nodes.citation), None)
        if first is not None:
            first.parent.insert(first.parent.index(first), standoff_bibliography())


class BibliographyInPlace(SphinxPostTransform):
    """Move the gathered citations back to where the bibliography stands."""

    default_priority = 760
    formats = ("latex",)

    def run(self, **kwargs: Any) -> None:
        marker = next(self.document.findall(standoff_bibliography), None)
        gathered = next(self.document.findall(thebibliography), None)
        if marker is None or gathered is None:
            return
        citations = list(gathered.children)
        gathered.parent.remove(gathered)
        for citation in citations:
            citation.parent = None
        marker.extend(citations)


def cards_table(grid: nodes.Element) -> nodes.table | None:
    """A table of the cards of a sphinx-design grid: the card's title, then its body, a row each."""
    cards = [node for node in grid.findall(nodes.container) if node.get("design_component") == "card"]
    if not cards:
        return None
    rows: list[tuple[list[nodes.Node], list[nodes.Node]]] = []
    for card in cards:
        title: list[nodes.Node] = []
        content: list[nodes.Node] = []
        for part in card.children:
            if not isinstance(part, nodes.Element):
                continue
            for child in part.children if part.get("design_component", "").startswith("card-") else [part]:
                if isinstance(child, nodes.Element) and child.get("design_component") == "card-title":
                    title.extend(child.children)
                else:
                    content.append(child)
        rows.append((title, content))
    # a few cards stay together on one page; many may break across pages
    classes = ["standoff-cards", *(["longtable"] if len(rows) > LONG_TABLE else [])]
    return two_column_table(rows, (32, 68), classes, grid["ids"])


def fields_table(fields: nodes.field_list) -> nodes.table:
    """A borderless table of a field list: the field's name, then its body, a row each."""
    rows: list[tuple[list[nodes.Node], list[nodes.Node]]] = []
    for field in fields.children:
        if isinstance(field, nodes.field) and len(field) == 2:
            name = nodes.paragraph("", "", nodes.emphasis("", "", *field[0].children))
            rows.append(([name], list(field[1].children)))
    return two_column_table(rows, (24, 76), ["standoff-fields", "borderless", "nocolorrows"], fields["ids"])


def two_column_table(
    rows: list[tuple[list[nodes.Node], list[nodes.Node]]], widths: tuple[int, int], classes: list[str], ids: list[str]
) -> nodes.table:
    table = nodes.table(classes=["colwidths-given", *classes], ids=list(ids))
    group = nodes.tgroup(cols=2)
    table += group
    for width in widths:
        group += nodes.colspec(colwidth=width)
    body = nodes.tbody()
    group += body
    for cells in rows:
        row = nodes.row()
        for cell in cells:
            entry = nodes.entry()
            for child in cell:
                child.parent = None
                entry += child
            if not len(entry):
                entry += nodes.paragraph()
            row += entry
        body += row
    return table


def _wrap_children(node: nodes.Element, wrapper: nodes.Element) -> None:
    """Make ``wrapper`` the only child of ``node``, holding what ``node`` held."""
    children = list(node.children)
    node.children = []
    wrapper.extend(children)
    node += wrapper


def _inside(node: nodes.Node, kinds: tuple[type[nodes.Node], ...]) -> bool:
    parent = node.parent
    while parent is not None:
        if isinstance(parent, kinds):
            return True
        parent = parent.parent
    return False


def _in_edition(node: nodes.Node) -> bool:
    """Whether ``node`` is part of what this extension made (inside an element with a ``standoff-`` class)."""
    parent: nodes.Node | None = node
    while parent is not None:
        if isinstance(parent, nodes.Element) and (
            isinstance(parent, sn.standoff_entry) or any(c.startswith("standoff-") for c in parent["classes"])
        ):
            return True
        parent = parent.parent
    return False


# -- setup ----------------------------------------------------------------------------------------------------


#: xindy joins consecutive pages into a range, but Sphinx's sphinx.xdy gives no separator ("9397" for 93–97)
XINDY_RANGE = '(markup-range :sep "\\textendash{}")  ; sphinx-standoff: a dash between the pages of a range'


def copy_package(app: Sphinx, exception: Exception | None) -> None:
    """Put the package of macros beside the .tex file, and give xindy's page ranges their dash."""
    if exception is not None or app.builder.format != "latex":
        return
    source = Path(__file__).parent / "texinputs" / f"{PACKAGE}.sty"
    shutil.copyfile(source, Path(app.outdir) / source.name)
    xindy = Path(app.outdir) / "sphinx.xdy"
    if xindy.is_file() and XINDY_RANGE not in (text := xindy.read_text(encoding="utf-8")):
        xindy.write_text(text.rstrip("\n") + "\n\n" + XINDY_RANGE + "\n", encoding="utf-8")


def setup(app: Sphinx) -> None:
    """Register the LaTeX visitors of every node, the helper nodes, the post-transforms and the package."""
    app.add_config_value("standoff_latex_parts", False, "env", types=frozenset({bool}))
    app.add_latex_package(PACKAGE)
    for node, visitors in LATEX_VISITORS.items():
        # the edition's nodes have HTML visitors already: this adds the LaTeX ones beside them
        app.add_node(node, override=True, latex=visitors)
    for node, visitors in HELPER_VISITORS.items():
        app.add_node(node, latex=visitors)
    for transform in (PageReferences, FlagTargets, BookLayout, BibliographyMarker, BibliographyInPlace):
        app.add_post_transform(transform)
    app.connect("build-finished", copy_package)
