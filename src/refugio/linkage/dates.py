"""Dates of birth as they are known: a full date, a month, only a year, or an estimated age.

`parse_birth` reads what a record holds into a `Birth` (year, month, day, how precise, estimated or not);
`compare_births` names the level two births agree at. The engine runs the same levels in SQL (engine.py); the
Python function is the reference for tests and for callers that score one pair.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum


class Precision(StrEnum):
    DAY = "day"
    MONTH = "month"
    YEAR = "year"


class BirthLevel(StrEnum):
    """How two dates of birth agree, most to least specific (labels of the engine's comparison levels)."""

    EXACT = "exact date"
    DAY_MONTH_SWAPPED = "day and month swapped"
    SAME_MONTH = "same year and month"
    SAME_YEAR = "same year, one date partial"
    WITHIN_2_YEARS_ESTIMATED = "within 2 years, one estimated"
    WITHIN_2_YEARS = "within 2 years"
    DIFFERENT = "different"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Birth:
    year: int
    month: int | None
    day: int | None
    estimated: bool

    @property
    def precision(self) -> Precision:
        if self.day is not None:
            return Precision.DAY
        return Precision.MONTH if self.month is not None else Precision.YEAR


_ISO = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def parse_birth(
    value: str, *, estimated: bool = False, age: int | None = None, as_of: dt.date | None = None
) -> Birth | None:
    """A birth from "YYYY-MM-DD", "YYYYMMDD", "YYYY-MM" or "YYYY"; or, with no date, from an estimated age
    on `as_of` (the year of birth is then estimated). None when nothing usable is known."""
    text = (value or "").strip()
    match = _ISO.match(text) or _COMPACT.match(text)
    if match:
        year = int(match.group(1))
        month = int(match.group(2)) if match.group(2) else None
        day = int(match.group(3)) if match.lastindex and match.lastindex >= 3 and match.group(3) else None
        if month is not None and not 1 <= month <= 12:
            month, day = None, None
        if day is not None and month is not None:
            try:
                dt.date(year, month, day)
            except ValueError:
                day = None
        return Birth(year, month, day, estimated)
    if age is not None and as_of is not None and 0 <= age <= 120:
        return Birth(as_of.year - age, None, None, True)
    return None


def compare_births(a: Birth | None, b: Birth | None) -> BirthLevel:
    """The level at which two births agree (the same rules as the engine's SQL)."""
    if a is None or b is None:
        return BirthLevel.UNKNOWN
    if a.day is not None and b.day is not None and (a.year, a.month, a.day) == (b.year, b.month, b.day):
        return BirthLevel.EXACT
    if (
        a.day is not None
        and b.day is not None
        and a.year == b.year
        and a.month == b.day
        and a.day == b.month
        and a.day != a.month
    ):
        return BirthLevel.DAY_MONTH_SWAPPED
    if a.month is not None and b.month is not None and a.year == b.year and a.month == b.month:
        return BirthLevel.SAME_MONTH
    if a.year == b.year and (a.month is None or b.month is None):
        return BirthLevel.SAME_YEAR  # one date is partial: consistent (two full dates a month apart are not)
    if (a.estimated or b.estimated) and abs(a.year - b.year) <= 2:
        return BirthLevel.WITHIN_2_YEARS_ESTIMATED
    if a.year != b.year and abs(a.year - b.year) <= 2 and _agrees(a.month, b.month) and _agrees(a.day, b.day):
        return BirthLevel.WITHIN_2_YEARS  # a typo in the year: month and day, where both are known, agree
    return BirthLevel.DIFFERENT


def _agrees(a: int | None, b: int | None) -> bool:
    return a is None or b is None or a == b
