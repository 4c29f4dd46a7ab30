"""Normalised claim values: when two of them agree, and how to say them to a reader.

Agreement is deliberately tolerant of precision and strict about substance:

* dates are intervals at their precision (``1963`` is the whole year, ``1963-11-01/1963-11-10`` is early
  November); two dates agree when their intervals overlap, so "1963" and "20 September 1963" agree, while
  "early November" and "22 November" do not;
* numbers are values or ranges (``10/11``) and agree when they overlap;
* lists of participants agree when one contains the other (an account may name fewer people);
* words, speakers, places, outcomes and characterisations agree when equal, ignoring case, punctuation,
  quotation marks and spacing;
* a sequence ("before" or "after" another event) agrees with another when both say the same, and with the
  record when the events' documented dates allow it.
"""

from __future__ import annotations

import calendar
import datetime
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from .anchoring import fold
from .model import sequence_event


@dataclass(frozen=True)
class Interval:
    start: datetime.date
    end: datetime.date  # inclusive

    def overlaps(self, other: Interval) -> bool:
        return self.start <= other.end and other.start <= self.end


def _bounds(text: str) -> tuple[datetime.date, datetime.date]:
    parts = [int(p) for p in text.split("-")]
    if len(parts) == 1:
        return datetime.date(parts[0], 1, 1), datetime.date(parts[0], 12, 31)
    if len(parts) == 2:
        last = calendar.monthrange(parts[0], parts[1])[1]
        return datetime.date(parts[0], parts[1], 1), datetime.date(parts[0], parts[1], last)
    day = datetime.date(parts[0], parts[1], parts[2])
    return day, day


def interval(value: str) -> Interval:
    """The interval an ISO date (at any precision) or ISO interval ``a/b`` stands for."""
    first, _, second = str(value).partition("/")
    start, end = _bounds(first)
    if second:
        end = _bounds(second)[1]
    return Interval(start, end)


def _number_range(value: Any) -> tuple[float, float]:
    low, _, high = str(value).partition("/")
    return float(low), float(high or low)


_PUNCT = re.compile(r"[^\w\s]")


def text_key(value: Any) -> str:
    """A text value as compared: folded, case-free, without punctuation, single-spaced."""
    text = fold(unicodedata.normalize("NFKC", str(value))).casefold()
    return " ".join(_PUNCT.sub(" ", text).split())


def agree(prop: str, a: Any, b: Any, dates: dict[str, Interval] | None = None) -> bool:
    """Whether two normalised values of ``prop`` are compatible."""
    if prop == "date":
        return interval(a).overlaps(interval(b))
    if prop == "number":
        a0, a1 = _number_range(a)
        b0, b1 = _number_range(b)
        return a0 <= b1 and b0 <= a1
    if prop == "participants":
        sa = {text_key(x) for x in a}
        sb = {text_key(x) for x in b}
        return sa <= sb or sb <= sa
    if prop == "sequence":
        return dict(a) == dict(b) or not _opposed(a, b)
    return text_key(a) == text_key(b)


def _opposed(a: dict[str, str], b: dict[str, str]) -> bool:
    """``before X`` and ``after X`` contradict each other; sequences relative to different events do not."""
    return (a.get("before") and a.get("before") == b.get("after")) or (
        a.get("after") and a.get("after") == b.get("before")
    )


def sequence_fits(event_date: Interval | None, value: dict[str, str], dates: dict[str, Interval]) -> bool | None:
    """Whether a sequence claim fits the documented dates (``None`` when the record cannot tell)."""
    other_date = dates.get(sequence_event(value) or "")
    if event_date is None or other_date is None:
        return None
    if value.get("before"):
        return event_date.start <= other_date.end
    return event_date.end >= other_date.start


_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def _say_date(text: str) -> str:
    parts = [int(p) for p in text.split("-")]
    if len(parts) == 1:
        return str(parts[0])
    if len(parts) == 2:
        return f"{_MONTHS[parts[1] - 1]} {parts[0]}"
    return f"{parts[2]} {_MONTHS[parts[1] - 1]} {parts[0]}"


def describe(prop: str, value: Any) -> str:
    """A normalised value said for a reader: ``1963-11-01/1963-11-10`` → "1 November 1963 – 10 November 1963"."""
    if value is None:
        return "—"
    if prop == "date":
        first, _, second = str(value).partition("/")
        return _say_date(first) + (f" – {_say_date(second)}" if second else "")
    if prop == "number":
        low, _, high = str(value).partition("/")
        return f"{low}–{high}" if high else low
    if prop == "participants":
        return ", ".join(str(x) for x in value)
    if prop == "sequence":
        if value.get("before"):
            return f"before {value['before']}"
        return f"after {value.get('after')}"
    if prop == "words":
        return f"“{value}”"
    return str(value)
