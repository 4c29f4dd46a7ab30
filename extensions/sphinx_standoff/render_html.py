"""HTML visitors for the edition's nodes."""

from __future__ import annotations

from docutils import nodes
from docutils.writers._html_base import SimpleListChecker
from sphinx.writers.html5 import HTML5Translator

from . import nodes as sn


def visit_paratext(self: HTML5Translator, node: sn.standoff_paratext) -> None:
    self.body.append(self.starttag(node, "details", CLASS="standoff-paratext-block", **{"data-kind": node["kind"]}))
    # the paragraphs of the source, wherever they are (in HTML each sits in a block with its notes)
    count = sum(1 for para in node.findall(nodes.paragraph) if "standoff-para" in para["classes"])
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
    # focusable, and described by a tooltip giving the other reading (the style sheet shows the one that the
    # current view hides): on hover, on keyboard focus, and on a tap
    number = getattr(self, "_standoff_tips", 0) + 1
    self._standoff_tips = number  # type: ignore[attr-defined]
    tip = f"standoff-tip-{number}"
    node["standoff_tip"] = tip
    self.body.append(
        self.starttag(
            node,
            "span",
            "",
            tabindex="0",
            **{
                "aria-describedby": tip,
                "data-annotations": " ".join(node["annotations"]),
                "data-reason": node["reason"],
            },
        )
    )
    self.body.append(f'<del class="standoff-sic">{self.encode(node["sic"])}</del><ins class="standoff-reading">')


def depart_emendation(self: HTML5Translator, node: sn.standoff_emendation) -> None:
    sic, reading, reason = (self.encode(node[key]) for key in ("sic", "reading", "reason"))
    self.body.append(
        f'</ins><span class="standoff-tip" role="tooltip" id="{node["standoff_tip"]}">'
        f'<span class="standoff-tip-sic">The source reads “{sic}”</span>'
        f'<span class="standoff-tip-reading">The editors read “{reading}”</span> ({reason})</span></span>'
    )


def visit_pagebreak(self: HTML5Translator, node: sn.standoff_pagebreak) -> None:
    self.body.append(self.starttag(node, "span", "", role="note", title="Page break of the printed original"))


def depart_pagebreak(self: HTML5Translator, node: sn.standoff_pagebreak) -> None:
    self.body.append("</span>")


def visit_inline_paratext(self: HTML5Translator, node: sn.standoff_inline_paratext) -> None:
    self.body.append(self.starttag(node, "span", "", title="Paratext (kept as received)"))


def depart_inline_paratext(self: HTML5Translator, node: sn.standoff_inline_paratext) -> None:
    self.body.append("</span>")


def visit_flag(self: HTML5Translator, node: sn.standoff_flag) -> None:
    self.body.append(
        f'<a class="standoff-flag" href="#{node["refid"]}" aria-label="{self.attval(node["label"])}" '
        f'title="{self.attval(node["label"])}">'
    )


def depart_flag(self: HTML5Translator, node: sn.standoff_flag) -> None:
    self.body.append("</a>")


def visit_variant(self: HTML5Translator, node: sn.standoff_variant) -> None:
    self.body.append(self.starttag(node, "span", "", title=node["label"], **{"data-kind": node["kind"]}))


def depart_variant(self: HTML5Translator, node: sn.standoff_variant) -> None:
    self.body.append("</span>")


def visit_entry(self: HTML5Translator, node: sn.standoff_entry) -> None:
    self.body.append(
        self.starttag(node, "article", "", **{"data-kind": node["kind"], "data-sources": " ".join(node["sources"])})
    )


def depart_entry(self: HTML5Translator, node: sn.standoff_entry) -> None:
    self.body.append("</article>\n")


def visit_filter(self: HTML5Translator, node: sn.standoff_filter) -> None:
    kinds = "".join(f'<option value="{self.attval(k)}">{self.encode(k)}</option>' for k in node["kinds"])
    sources = "".join(
        f'<option value="{self.attval(sid)}">{self.encode(label)}</option>' for sid, label in node["sources"]
    )
    self.body.append(
        '<form class="standoff-filter" role="search" aria-label="Filter the register">'
        '<label>Kind <select name="kind"><option value="">all kinds</option>' + kinds + "</select></label> "
        '<label>Source <select name="source"><option value="">all sources</option>' + sources + "</select></label> "
        '<output class="standoff-filter-count" aria-live="polite"></output></form>\n'
    )
    raise nodes.SkipNode


def skip(self: object, node: nodes.Node) -> None:
    raise nodes.SkipNode


def paragraphs_to_the_list_checker() -> None:
    """Let docutils' HTML writer see the edition's paragraphs as paragraphs when it decides whether a list is
    simple (printed compact, ``class="simple"``). Its checker knows nodes by class name, and takes any other
    for a block that makes a list complex: the readings of a note, paragraphs ``standoff_settled``, would lose
    their compact spacing."""
    for node in (sn.standoff_para, sn.standoff_quoted, sn.standoff_settled):
        setattr(SimpleListChecker, f"visit_{node.__name__}", SimpleListChecker.ignore_node)


HTML_VISITORS = {
    sn.standoff_para: (HTML5Translator.visit_paragraph, HTML5Translator.depart_paragraph),
    sn.standoff_quoted: (HTML5Translator.visit_paragraph, HTML5Translator.depart_paragraph),
    sn.standoff_settled: (HTML5Translator.visit_paragraph, HTML5Translator.depart_paragraph),
    sn.standoff_linktext: (HTML5Translator.visit_inline, HTML5Translator.depart_inline),
    sn.standoff_paratext: (visit_paratext, depart_paratext),
    sn.standoff_pnum: (visit_pnum, depart_pnum),
    sn.standoff_mark: (visit_mark, depart_mark),
    sn.standoff_emendation: (visit_emendation, depart_emendation),
    sn.standoff_pagebreak: (visit_pagebreak, depart_pagebreak),
    sn.standoff_inline_paratext: (visit_inline_paratext, depart_inline_paratext),
    sn.standoff_flag: (visit_flag, depart_flag),
    sn.standoff_variant: (visit_variant, depart_variant),
    sn.standoff_entry: (visit_entry, depart_entry),
    sn.standoff_filter: (visit_filter, None),
}
