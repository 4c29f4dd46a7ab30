"""HTML visitors for the edition's nodes."""

from __future__ import annotations

from docutils import nodes
from sphinx.writers.html5 import HTML5Translator

from . import nodes as sn


def visit_paratext(self: HTML5Translator, node: sn.standoff_paratext) -> None:
    self.body.append(self.starttag(node, "details", CLASS="standoff-paratext-block", **{"data-kind": node["kind"]}))
    count = sum(1 for child in node.children if isinstance(child, nodes.paragraph))
    noun = "paragraph" if count == 1 else "paragraphs"
    self.body.append(
        f'<summary><span class="standoff-paratext-label">Paratext</span>: '
        f"{self.encode(node['label'])} ({count} {noun})</summary>\n"
    )


def depart_paratext(self: HTML5Translator, node: sn.standoff_paratext) -> None:
    self.body.append("</details>\n")


def visit_pnum(self: HTML5Translator, node: sn.standoff_pnum) -> None:
    number = node["number"]
    self.body.append(
        f'<a class="standoff-pnum" href="#{node["refid"]}" aria-label="Paragraph {number}" '
        f'title="Paragraph {number}: link to this paragraph">'
    )


def depart_pnum(self: HTML5Translator, node: sn.standoff_pnum) -> None:
    self.body.append("</a> ")


def visit_mark(self: HTML5Translator, node: sn.standoff_mark) -> None:
    self.body.append(self.starttag(node, "mark", "", **{"data-annotations": " ".join(node["annotations"])}))


def depart_mark(self: HTML5Translator, node: sn.standoff_mark) -> None:
    self.body.append("</mark>")


def visit_emendation(self: HTML5Translator, node: sn.standoff_emendation) -> None:
    title = f"Source reads “{node['sic']}” ({node['reason']})"
    self.body.append(
        self.starttag(
            node,
            "span",
            "",
            title=title,
            **{"data-annotations": " ".join(node["annotations"]), "data-reason": node["reason"]},
        )
    )
    self.body.append(f'<del class="standoff-sic">{self.encode(node["sic"])}</del><ins class="standoff-reading">')


def depart_emendation(self: HTML5Translator, node: sn.standoff_emendation) -> None:
    self.body.append("</ins></span>")


def visit_pagebreak(self: HTML5Translator, node: sn.standoff_pagebreak) -> None:
    self.body.append(self.starttag(node, "span", "", role="note", title="Page break of the printed original"))


def depart_pagebreak(self: HTML5Translator, node: sn.standoff_pagebreak) -> None:
    self.body.append("</span>")


def visit_inline_paratext(self: HTML5Translator, node: sn.standoff_inline_paratext) -> None:
    self.body.append(self.starttag(node, "span", "", title="Paratext (kept as received)"))


def depart_inline_paratext(self: HTML5Translator, node: sn.standoff_inline_paratext) -> None:
    self.body.append("</span>")


HTML_VISITORS = {
    sn.standoff_paratext: (visit_paratext, depart_paratext),
    sn.standoff_pnum: (visit_pnum, depart_pnum),
    sn.standoff_mark: (visit_mark, depart_mark),
    sn.standoff_emendation: (visit_emendation, depart_emendation),
    sn.standoff_pagebreak: (visit_pagebreak, depart_pagebreak),
    sn.standoff_inline_paratext: (visit_inline_paratext, depart_inline_paratext),
}
