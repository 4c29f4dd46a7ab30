"""Finding the passage a selector quotes.

Matching is exact except in three documented ways: Unicode NFC normalisation, any run of whitespace equals one
space, and curly quotes equal straight ones. Paragraph boundaries count as whitespace for ``prefix`` and
``suffix``, but the ``exact`` text must lie inside one paragraph. Only the target source is searched.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass

from rapidfuzz import fuzz

from .transcription import Source

_QUOTES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
    }
)


_WHITESPACE = re.compile(r"\s+")
#: two or more whitespace characters in a row (folded to one space)
_SPACES_RUN = re.compile(r"\s\s+")
_QUOTE_PAIRS = [(chr(curly), straight) for curly, straight in _QUOTES.items()]
_ASCII_BYTES = bytes(range(128))
#: runs of non-ASCII characters other than whitespace
_OTHER_RUN = re.compile(r"[^\s\x00-\x7f]+")
#: ASCII runs joined by single whitespace characters (which fold to a space one for one)
_ASCII_STRETCH = re.compile(r"[^\s\x80-\U0010ffff]+(?:\s[^\s\x80-\U0010ffff]+)*")


def _changes_only_quotes(run: str) -> bool:
    """Does folding change nothing in this run of non-ASCII characters but quotes (curly to straight)?

    True of dashes, accented letters, curly quotes: a run already in NFC with no combining marks.
    """
    return unicodedata.is_normalized("NFC", run) and not any(unicodedata.combining(c) for c in run)


def _folds_one_for_one(text: str) -> bool:
    """Does every character of ``text`` fold to one character, so that only whitespace runs change its length?

    So it does when the text is in NFC and has no combining marks: then every run of non-ASCII characters in it
    is in NFC too (a run lies between ASCII characters, which nothing composes across) and changes only its
    quotes. The non-ASCII characters are found by deleting the ASCII bytes of the text's UTF-8, which is far
    quicker than a regular expression over the text.
    """
    if text.isascii():
        return True
    others = text.encode("utf-8", "surrogatepass").translate(None, _ASCII_BYTES).decode("utf-8", "surrogatepass")
    return not any(map(unicodedata.combining, set(others))) and unicodedata.is_normalized("NFC", text)


class _Folded:
    """A text normalised for matching, and the way back from an offset in it to one in the original.

    The map is kept as breakpoints, not as one offset per character: between two breakpoints the offsets run
    in step, as they do everywhere except after a run of several whitespace characters (folded to one space)
    and in a cluster of combining marks. A source of a million characters needs a few breakpoints, not a
    million integers; and the text is folded a run at a time, not a character at a time.
    """

    __slots__ = ("_fold_at", "_orig_at", "folded")

    def __init__(self, text: str) -> None:
        if _folds_one_for_one(text):
            self.folded, self._fold_at, self._orig_at = _fold_one_for_one(text)
        else:
            self.folded, self._fold_at, self._orig_at = _fold_in_general(text)

    def original(self, position: int) -> int:
        """The offset in the original text of the character at ``position`` of the folded text."""
        k = bisect_right(self._fold_at, position) - 1
        return self._orig_at[k] + (position - self._fold_at[k])


def _fold_text(text: str) -> str:
    """The folded form of a text in which every character folds to one (``_folds_one_for_one``): each run of
    whitespace (as ``str.split`` has it, the same as a regular expression's) a space, curly quotes straight."""
    words = text.split()
    if not words:
        folded = " " if text else ""
    else:
        folded = " ".join(words)
        if text[0].isspace():
            folded = " " + folded
        if text[-1].isspace():
            folded += " "
    for curly, straight in _QUOTE_PAIRS:
        if curly in folded:
            folded = folded.replace(curly, straight)
    return folded


def _fold_one_for_one(text: str) -> tuple[str, list[int], list[int]]:
    """Fold a text in which every character folds to one (``_folds_one_for_one``): all at once, with string
    methods (a translation table is slow on non-ASCII text), and a breakpoint after each whitespace run."""
    n = len(text)
    folded = _fold_text(text)
    if len(folded) == n:  # no run of several whitespace characters: the offsets run in step throughout
        return folded, [0, n], [0, n]
    fold_at = [0]
    orig_at = [0]
    length = last = 0  # the folded text's length up to offset ``last`` of the original
    for match in _SPACES_RUN.finditer(text):
        start, end = match.span()
        length += start - last + 1  # the characters before the run, one for one, and the run's one space
        last = end
        if last < n:
            fold_at.append(length)
            orig_at.append(last)
    fold_at.append(len(folded))
    orig_at.append(n)
    return folded, fold_at, orig_at


def _fold_in_general(text: str) -> tuple[str, list[int], list[int]]:
    """Fold any text, a run at a time: NFC, combining marks kept with the character they follow."""
    out: list[str] = []
    fold_at = [0]
    orig_at = [0]
    length = 0  # of the folded text so far

    def emit(piece: str, origin: int, *, linear: bool = True) -> None:
        nonlocal length
        if origin - length != orig_at[-1] - fold_at[-1]:
            fold_at.append(length)
            orig_at.append(origin)
        if not linear:  # every character of the piece maps to ``origin``
            for k in range(1, len(piece)):
                fold_at.append(length + k)
                orig_at.append(origin)
        out.append(piece)
        length += len(piece)

    n = len(text)
    i = 0
    while i < n:
        if text[i].isspace():
            emit(" ", i)
            i = _WHITESPACE.match(text, i).end()  # type: ignore[union-attr]
            continue
        if text[i].isascii():
            # ASCII words and the single spaces between them: they fold one to one, in one piece
            j = _ASCII_STRETCH.match(text, i).end()  # type: ignore[union-attr]
            if j < n and unicodedata.combining(text[j]):
                j -= 1  # the last character begins a cluster with the combining marks after it
            if j > i:
                piece = text[i:j]
                emit(piece if piece.isprintable() else _WHITESPACE.sub(" ", piece), i)
                i = j
                continue
            # an ASCII character carrying combining marks: a cluster, with the run of marks after it
            stop = _OTHER_RUN.match(text, i + 1).end()  # type: ignore[union-attr]
        else:
            stop = _OTHER_RUN.match(text, i).end()  # type: ignore[union-attr]
            run = text[i:stop]
            if _changes_only_quotes(run):
                # no character of the run changes but quotes: curly quotes, dashes, accented letters
                emit(run.translate(_QUOTES), i)
                i = stop
                continue
        # one cluster at a time: a character and the combining marks after it, all mapped to the character
        while i < stop:
            j = i + 1
            while j < n and unicodedata.combining(text[j]):
                j += 1
            cluster = text[i:j]
            if j - i > 1 or not cluster.isascii():
                cluster = unicodedata.normalize("NFC", cluster)
            emit(cluster.translate(_QUOTES), i, linear=False)
            i = j
    fold_at.append(length)
    orig_at.append(n)
    return "".join(out), fold_at, orig_at


def normalise(text: str) -> tuple[str, list[int]]:
    """``text`` normalised for matching, and for each character of the result its offset in ``text``."""
    folded = _Folded(text)
    return folded.folded, [folded.original(f) for f in range(len(folded.folded))]


def fold(text: str) -> str:
    """The normalised form of ``text``, without the offsets."""
    return _fold_text(text) if _folds_one_for_one(text) else _fold_in_general(text)[0]


@dataclass(frozen=True)
class Anchor:
    """Where a selector landed: paragraph number and character offsets in that paragraph's text."""

    source: str
    paragraph: int
    start: int
    end: int


class AnchorError(Exception):
    """The selector does not choose exactly one passage; the message says why and what to do."""


class SourceText:
    """A source's text prepared for matching; built once per source per build."""

    def __init__(self, source: Source) -> None:
        self.source = source
        parts: list[str] = []
        self._starts: list[int] = []  # offset in the joined text where each paragraph begins
        offset = 0
        for paragraph in source.paragraphs:
            self._starts.append(offset)
            parts.append(paragraph.text)
            offset += len(paragraph.text) + 1
        self._map = _Folded("\n".join(parts))
        self.folded = self._map.folded
        self._folded_paragraphs: list[str] | None = None

    def _locate(self, original: int) -> tuple[int, int]:
        """Paragraph number (1-based) and offset in that paragraph for an offset in the joined text."""
        p = bisect_right(self._starts, original) - 1
        return p + 1, original - self._starts[p]

    def occurrences(self, exact: str) -> list[int]:
        """Start offsets (in the folded text) of every occurrence of folded ``exact``."""
        return self._occurrences(fold(exact))

    def _occurrences(self, needle: str) -> list[int]:
        found: list[int] = []
        start = self.folded.find(needle)
        while start != -1:
            found.append(start)
            start = self.folded.find(needle, start + 1)
        return found

    def anchor(self, exact: str, prefix: str | None = None, suffix: str | None = None) -> Anchor:
        needle = fold(exact)
        if not needle.strip():
            raise AnchorError("exact is empty once whitespace is ignored")
        hits = self._occurrences(needle)
        if not hits:
            raise AnchorError(f"exact {_show(exact)} not found in source {self.source.id!r}; {self.closest(exact)}")
        candidates = hits
        if prefix or suffix:
            candidates = [h for h in hits if self._context_matches(h, len(needle), prefix, suffix)]
            if not candidates:
                where = ", ".join(self._describe(h, len(needle)) for h in hits[:5])
                raise AnchorError(
                    f"exact {_show(exact)} occurs in source {self.source.id!r} ({where}), "
                    "but never with the given prefix/suffix"
                )
        if len(candidates) > 1:
            where = ", ".join(self._describe(h, len(needle)) for h in candidates[:8])
            raise AnchorError(
                f"exact {_show(exact)} occurs {len(candidates)} times in source {self.source.id!r} "
                f"({where}); add a prefix or suffix (the text just before or after it) to choose one"
            )
        hit = candidates[0]
        begin = self._map.original(hit)
        end = self._map.original(hit + len(needle) - 1) + 1
        # the last character may be a run of whitespace folded to one; keep the anchor tight
        p1, o1 = self._locate(begin)
        p2, o2 = self._locate(end - 1)
        if p1 != p2:
            raise AnchorError(
                f"exact {_show(exact)} runs from ¶{p1} into ¶{p2}; an annotation attaches inside one paragraph"
            )
        return Anchor(self.source.id, p1, o1, o2 + 1)

    def _context_matches(self, hit: int, length: int, prefix: str | None, suffix: str | None) -> bool:
        # the folded text has no two whitespace characters in a row: a window a little longer than the context
        # is enough, and saves copying the whole text before (or after) every candidate
        if prefix:
            want = fold(prefix).rstrip()
            if not self.folded[max(hit - len(want) - 2, 0) : hit].rstrip().endswith(want):
                return False
        if suffix:
            want = fold(suffix).lstrip()
            end = hit + length
            if not self.folded[end : end + len(want) + 2].lstrip().startswith(want):
                return False
        return True

    def _describe(self, hit: int, length: int) -> str:
        paragraph, _ = self._locate(self._map.original(hit))
        before = self.folded[max(0, hit - 25) : hit]
        after = self.folded[hit + length : hit + length + 25]
        return f"¶{paragraph} after {_show(before.lstrip())} and before {_show(after.rstrip())}"

    def closest(self, exact: str) -> str:
        """Name the passage of this source that comes closest to ``exact``."""
        needle = fold(exact)
        if self._folded_paragraphs is None:
            self._folded_paragraphs = [fold(p.text) for p in self.source.paragraphs]
        best: tuple[float, int, str] | None = None
        for number, text in enumerate(self._folded_paragraphs, start=1):
            if not text:
                continue
            alignment = fuzz.partial_ratio_alignment(needle, text, score_cutoff=best[0] if best else 0)
            if alignment is None:
                continue
            if best is None or alignment.score > best[0]:
                start, end = alignment.dest_start, alignment.dest_end
                # widen to whole words, so the passage shown can be searched for
                while start > 0 and not text[start - 1].isspace():
                    start -= 1
                while end < len(text) and not text[end].isspace():
                    end += 1
                best = (alignment.score, number, text[start:end])
        if best is None:
            return "the source has no text"
        return f"the closest passage is ¶{best[1]}: {_show(best[2])} ({best[0]:.0f}% similar)"


def _show(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return f"'{text}'"
