"""The docutils nodes an edition page is made of.

Each subclasses a standard docutils node, so a builder without a visitor of its own falls back to the standard
one (Sphinx dispatches along the class hierarchy) and nothing is lost; HTML gets dedicated visitors in
``render_html``. Editorial notes are real ``footnote`` nodes, not custom ones, so every builder prints them.
"""

from __future__ import annotations

from docutils import nodes


class standoff_text(nodes.container):
    """The transcribed text of a source."""


class standoff_paratext(nodes.container):
    """A block of paratext (``kind`` attribute: cookie-notice, caption …), kept and marked, folded in HTML."""


class standoff_docnotes(nodes.container):
    """The document's own notes, as printed with it (distinct from the editors' notes)."""


class standoff_para(nodes.paragraph, nodes.Special):
    """A paragraph of the transcribed text.

    ``Special`` tells docutils' smart-quotes transform to skip it whole: the text as received keeps its straight
    quotes and dashes. Marking it ``support_smartquotes = False`` alone had the same effect on the output, but
    the transform still visited every text node of it and replaced each with an identical copy: at 1,000
    sources, a quarter of the reading time. (The mark stays, for links inside the paragraph: the transform
    visits the text in a link on its own.)
    """


class standoff_quoted(nodes.paragraph, nodes.Special):
    """A paragraph that is a passage of a source, quoted, and nothing else: the cards of the register and of the
    comparisons, many thousands of them at a few hundred sources.

    ``Special`` for the reason given at ``standoff_para``: smart quotes skip it whole instead of replacing its
    text with an identical copy, which, deep in a grid of cards, cost a quarter of the comparison page's reading.
    """


class standoff_settled(nodes.paragraph, nodes.Special):
    """A paragraph that the edition made (a note, a reading, a line of provenance) in which smart quotes would
    change nothing: no quote, dash, ellipsis or backslash.

    ``Special`` for the reason given at ``standoff_para``: the transform skips it instead of replacing its text
    with an identical copy. At 100 sources, 17,400 of the 18,500 blocks it was given, and 1.1 of its 1.5 s.
    """


class standoff_linktext(nodes.inline, nodes.Special):
    """The words of a link the edition makes (to a paragraph, an entry, an event, a name), inside a paragraph.

    Smart quotes treat a paragraph as one block, the words of its links included. A ``pending_xref`` is not a
    text element, so the transform also took the words inside one for a block of their own and treated them a
    second time, to no effect: the paragraph had. ``Special`` spares that second pass; the first still makes
    an apostrophe in a source's label typographic, as anywhere else in the prose.
    """


class standoff_pnum(nodes.inline):
    """A paragraph's number, linking to the paragraph's own anchor (``number``, ``refid``)."""


class standoff_mark(nodes.inline):
    """Text that one or more annotations are about (``annotations``: their ids)."""


class standoff_emendation(nodes.inline):
    """An emended passage: the editors' reading as text; ``sic`` holds what the source reads."""


class standoff_pagebreak(nodes.inline):
    """A printed page break of the original, such as ``[Page 892]``."""


class standoff_inline_paratext(nodes.inline):
    """Paratext inside a paragraph (a stray image URL)."""


class standoff_flag(nodes.inline):
    """The visible discrepancy mark before a note call (``label`` says what it marks, for screen readers)."""


class standoff_variant(nodes.inline):
    """One difference in a collation: the quoted text's words, then the quoting text's (``kind``)."""


class standoff_entry(nodes.container):
    """A register entry (``kind``, ``sources`` for filtering)."""


class standoff_filter(nodes.General, nodes.Element):
    """The register's filter form (HTML only: other builders skip it)."""
