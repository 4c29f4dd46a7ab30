"""Word-by-word collation of a quotation with the text it quotes (and of two printings of one text).

The words of both are aligned over word keys by the longest-common-subsequence (insert/delete) alignment of
rapidfuzz (``Indel.opcodes``, which works on sequences of any hashable tokens and is fast enough for whole
documents); a deletion next to an insertion is read as one substitution, so "The people of the United States
share" → "shares" is one change, not a word changed and five dropped. Each difference is then classified,
keeping the accidental apart from the substantive:

* accidental: ``capitalisation``, ``punctuation`` (the words are the same);
* marked by the quoting writer: ``ellipsis`` (words left out, and "…" says so), ``interpolation`` (words in
  square brackets added or substituted);
* substantive: ``omission`` (words left out without an ellipsis), ``addition``, ``substitution``.

Typographic variants of the same character (curly and straight quotes, NFC forms) are not differences.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rapidfuzz.distance import Indel

from .anchoring import fold

ACCIDENTAL = ("capitalisation", "punctuation")
MARKED = ("ellipsis", "interpolation")
SUBSTANTIVE = ("omission", "addition", "substitution")

_TOKEN = re.compile(
    r"(?P<ellipsis>\.\s?\.\s?\.|…)"
    r"|(?P<bracket>\[[^\]]*\])"
    r"|(?P<word>\w+(?:['’\-]\w+)*)"
    r"|(?P<punct>[^\w\s])"
)


@dataclass
class Word:
    text: str
    key: str
    punct: str = ""  # the punctuation that follows it, folded
    bracket: bool = False


@dataclass
class Tokens:
    words: list[Word] = field(default_factory=list)
    #: indices i such that an ellipsis stands between word i-1 and word i
    ellipses: set[int] = field(default_factory=set)


def tokenise(text: str) -> Tokens:
    tokens = Tokens()
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        value = match.group()
        if kind == "ellipsis":
            tokens.ellipses.add(len(tokens.words))
        elif kind == "bracket":
            tokens.words.append(Word(value, "\x00" + value, bracket=True))
        elif kind == "word":
            tokens.words.append(Word(value, fold(value).casefold()))
        elif tokens.words:
            tokens.words[-1].punct += fold(value)
    return tokens


@dataclass(frozen=True)
class Segment:
    """A stretch of the collation: ``kind`` is ``equal`` or one of the difference kinds."""

    kind: str
    quoting: str
    quoted: str


@dataclass
class Collation:
    segments: list[Segment]

    @property
    def differences(self) -> list[Segment]:
        return [s for s in self.segments if s.kind != "equal"]

    def count(self, *kinds: str) -> int:
        return sum(1 for s in self.segments if s.kind in kinds)

    @property
    def substantive(self) -> bool:
        return self.count(*SUBSTANTIVE) > 0

    @property
    def status(self) -> str:
        """``exact``, ``accidental`` (case or punctuation only), ``marked`` (marked omissions), ``misquoted``."""
        if self.substantive:
            return "misquoted"
        if self.count(*MARKED):
            return "marked"
        if self.count(*ACCIDENTAL):
            return "accidental"
        return "exact"

    @property
    def verified(self) -> bool:
        return not self.substantive


def _join(words: list[Word], with_final_punct: bool = True) -> str:
    out = []
    for index, word in enumerate(words):
        last = index == len(words) - 1
        out.append(word.text + (word.punct if (with_final_punct or not last) else ""))
    return " ".join(out)


def _blocks(a: Tokens, b: Tokens) -> list[tuple[str, list[Word], list[Word], int]]:
    """Aligned blocks ``(tag, quoted words, quoting words, index in quoting)``; delete+insert → replace."""
    blocks: list[tuple[str, list[Word], list[Word], int]] = []
    for op in Indel.opcodes([w.key for w in a.words], [w.key for w in b.words]):
        src = a.words[op.src_start : op.src_end]
        dst = b.words[op.dest_start : op.dest_end]
        if blocks and op.tag in ("delete", "insert") and blocks[-1][0] in ("delete", "insert", "replace"):
            tag, prev_src, prev_dst, start = blocks[-1]
            if tag != op.tag or tag == "replace":
                # an ellipsis inside the changed stretch still marks its omission
                if tag == "delete" and start in b.ellipses and op.tag == "insert":
                    blocks.append(("insert", src, dst, op.dest_start))
                    continue
                blocks[-1] = ("replace", prev_src + src, prev_dst + dst, start)
                continue
        blocks.append((op.tag, src, dst, op.dest_start))
    return blocks


def collate(quoting: str, quoted: str) -> Collation:
    """Collate ``quoting`` (the words as quoted) against ``quoted`` (the words of the text quoted)."""
    a = tokenise(quoted)
    b = tokenise(quoting)
    segments: list[Segment] = []
    equal_run: list[tuple[Word, Word]] = []

    def flush() -> None:
        if equal_run:
            segments.append(Segment("equal", _join([q for _, q in equal_run]), _join([o for o, _ in equal_run])))
            equal_run.clear()

    def emit(kind: str, quoting_words: list[Word], quoted_words: list[Word]) -> None:
        flush()
        segments.append(Segment(kind, _join(quoting_words), _join(quoted_words)))

    for tag, src, dst, dest_start in _blocks(a, b):
        if tag == "equal":
            for original, quoted_word in zip(src, dst, strict=True):
                if original.text != quoted_word.text and fold(original.text) != fold(quoted_word.text):
                    emit("capitalisation", [quoted_word], [original])
                elif original.punct != quoted_word.punct:
                    emit("punctuation", [quoted_word], [original])
                else:
                    equal_run.append((original, quoted_word))
        elif tag == "delete":
            marked = dest_start in b.ellipses
            emit("ellipsis" if marked else "omission", [], src)
        elif tag == "insert":
            emit("interpolation" if all(w.bracket for w in dst) else "addition", dst, [])
        else:
            emit("interpolation" if any(w.bracket for w in dst) else "substitution", dst, src)
    flush()
    return Collation(segments)


STATUS_LABELS = {
    "exact": "verified: the quotation matches the text exactly",
    "accidental": "verified: the words match; capitalisation or punctuation differs",
    "marked": "verified: the words match, with omissions or insertions marked by the quoting writer",
    "misquoted": "differs from the text quoted",
}

KIND_LABELS = {
    "capitalisation": "capitalisation",
    "punctuation": "punctuation",
    "ellipsis": "left out, marked by an ellipsis",
    "interpolation": "bracketed insertion",
    "omission": "left out without an ellipsis",
    "addition": "added",
    "substitution": "changed",
}
