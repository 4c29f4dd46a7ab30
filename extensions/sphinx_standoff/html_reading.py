"""The HTML reading edition: notes in the margin, citation metadata, and the view remembered across pages.

Only HTML output is touched here. In the doctree the editorial notes stay what ``render`` makes them, docutils
footnotes following their paragraph, so LaTeX and every other builder print them as before. For HTML a
post-transform puts each numbered paragraph and the notes after it in one block::

    <div class="standoff-block">
      <p class="standoff-para" id="p6">…</p>
      <div class="standoff-margin"><aside class="footnote-list">…notes…</aside></div>
    </div>

so that the style sheet can set the notes beside their paragraph on a wide screen (a grid: text column, margin
column) and below it on a narrow one. The notes are moved as they are, links and formatting included.

Each page also carries ``citation_*`` meta tags (Highwire Press tags, read by Zotero and Google Scholar): on a
source's page they describe the source as a part of the edition; on the other pages, the page itself. The
script reads them back to make the "cite this" box of each paragraph, so both say the same.
"""

from __future__ import annotations

import re
from html import escape, unescape
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.transforms.post_transforms import SphinxPostTransform

from . import nodes as sn
from .state import edition_of

#: set before the page is drawn, so that a reader who chose the diplomatic view never sees the other flash by
VIEW_SCRIPT = (
    "try{if(localStorage.getItem('standoff-view')==='diplomatic')"
    "document.documentElement.classList.add('standoff-view-diplomatic')}catch(e){}"
)


class MarginNotes(SphinxPostTransform):
    """Group each numbered paragraph with the notes that follow it (HTML only)."""

    default_priority = 900
    formats = ("html",)

    def run(self, **kwargs: Any) -> None:
        for text in list(self.document.findall(sn.standoff_text)):
            for para in list(text.findall(nodes.paragraph)):
                if "standoff-para" in para["classes"]:
                    group(para)


def group(para: nodes.paragraph) -> nodes.container:
    """Put ``para`` and the footnotes right after it into a ``standoff-block`` container."""
    parent = para.parent
    index = parent.index(para)
    notes: list[nodes.footnote] = []
    for sibling in parent.children[index + 1 :]:
        if not isinstance(sibling, nodes.footnote):
            break
        notes.append(sibling)
    block = nodes.container(classes=["standoff-block"])
    if notes:
        block["classes"].append("standoff-has-notes")
    for note in notes:
        parent.remove(note)
    parent.replace(para, block)
    block += para
    if notes:
        margin = nodes.container(classes=["standoff-margin"])
        margin.extend(notes)
        block += margin
    return block


# -- citation metadata ---------------------------------------------------------------------------------------


def citation_date(iso: str | None) -> str | None:
    """``1962-03-07`` as Google Scholar wants it (``1962/03/07``); ``None`` when undated."""
    if not iso or not re.match(r"^\d{4}(-\d{2}){0,2}$", iso):
        return None
    return iso.replace("-", "/")


def author_name(author: str) -> str | None:
    """The author field of a source as a name to cite: the words before any explanation in brackets or after a
    semicolon (``John F. Kennedy (message); telegram drafted …`` → ``John F. Kennedy``); ``None`` if unknown."""
    name = re.split(r"\s*[(;]", author, maxsplit=1)[0].strip().rstrip(",")
    if not name or name.casefold() in {"unknown", "anonymous", "n/a", "not known"}:
        return None
    return name


def citation_tags(app: Sphinx, pagename: str, context: dict[str, Any]) -> list[tuple[str, str]]:
    """The ``(name, content)`` pairs of the meta tags of one page."""
    config = app.config
    edition = edition_of(app.env)
    domain = app.env.domains["standoff"]
    by_page = {docname: source_id for source_id, docname in domain.data["pages"].items()}
    publisher = config.standoff_publisher or config.author
    tags: list[tuple[str, str]] = []
    source = edition.sources.get(by_page.get(pagename, "")) if edition else None
    if source is not None:
        meta = source.meta
        tags.append(("citation_title", meta.title))
        name = author_name(meta.author)
        if name:
            tags.append(("citation_author", name))
        date = citation_date(meta.date)
        if date:
            tags.append(("citation_publication_date", date))
        tags.append(("citation_language", meta.language))
        tags.append(("standoff:source", meta.id))
        tags.append(("standoff:source-label", source.label))
    else:
        title = re.sub(r"<[^>]+>", "", context.get("title") or "")
        tags.append(("citation_title", unescape(title) or config.project))
        tags.append(("citation_author", config.author))
        tags.append(("citation_language", config.language or "en"))
    tags.append(("citation_inbook_title", config.project))
    tags.append(("citation_publisher", publisher))
    if config.html_baseurl:
        url = config.html_baseurl.rstrip("/") + "/" + app.builder.get_target_uri(pagename)
        tags.append(("citation_public_url", url))
        tags.append(("standoff:permalink", url))
    tags.append(("standoff:edition", config.project))
    tags.append(("standoff:version", config.release or config.version))
    return tags


def page_context(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    """Add the citation meta tags to every page made from a document (not the search page or the index)."""
    if doctree is None or app.builder.format != "html":
        return
    lines = [
        f'<meta name="{escape(name)}" content="{escape(value, quote=True)}" />'
        for name, value in citation_tags(app, pagename, context)
    ]
    context["metatags"] = context.get("metatags", "") + "\n".join(lines) + "\n"


#: Sphinx marks a toctree's caption ``<p class="caption" role="heading">`` without the level that the heading role
#: requires (axe-core: aria-required-attr, "critical"); the captions are headings of the second level
_CAPTION = re.compile(r'(<p class="caption" role="heading")(?![^>]*aria-level)')


def caption_levels(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    """Give toctree captions their heading level, in the page and in the theme's navigation (made before this
    runs: hence the late priority)."""
    for key, value in list(context.items()):
        if isinstance(value, str) and 'role="heading"' in value:
            context[key] = _CAPTION.sub(r'\1 aria-level="2"', value)


def add_view_script(app: Sphinx) -> None:
    if app.builder.format == "html":
        app.add_js_file(None, body=VIEW_SCRIPT, priority=100)


def setup(app: Sphinx) -> None:
    app.add_config_value("standoff_publisher", "", "html", types=frozenset({str}))
    app.add_post_transform(MarginNotes)
    app.connect("builder-inited", add_view_script)
    app.connect("html-page-context", page_context)
    app.connect("html-page-context", caption_levels, priority=900)
