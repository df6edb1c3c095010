"""Free beds over a range of nights, and the bed type a household needs: pure rules, no Django.

A stay occupies the nights from its first day up to, not including, the day it ends. Beds free for a
range of nights are the fewest free on any one of those nights (a bed free on Monday but taken on
Tuesday cannot be given for both)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

Stay = tuple[dt.date, dt.date, int]  # (first night, day it ends, beds)


def nights(first: dt.date, end: dt.date) -> list[dt.date]:
    """The nights from `first` up to, not including, `end` (at least the night of `first`)."""
    count = max((end - first).days, 1)
    return [first + dt.timedelta(days=i) for i in range(count)]


def overlaps(stay_first: dt.date, stay_end: dt.date, first: dt.date, end: dt.date) -> bool:
    """Whether a stay shares a night with the range [first, end)."""
    return stay_first < max(end, first + dt.timedelta(days=1)) and stay_end > first


def free_beds(capacity: int, stays: Iterable[Stay], first: dt.date, end: dt.date) -> int:
    """Beds free on every night from `first` up to `end` (never below 0)."""
    stays = list(stays)
    free = capacity
    for night in nights(first, end):
        taken = sum(beds for s_first, s_end, beds in stays if s_first <= night < s_end)
        free = min(free, capacity - taken)
    return max(free, 0)


def needed_bed_type(size: int, vulnerabilities: Iterable[str], adults_female: int, adults: int, minors: int) -> str:
    """The bed type a household needs: an unaccompanied child a minor-safe bed; a disability an accessible
    one; a family with children a family room; women alone (or survivors of gender-based violence) a
    women-only bed; anyone else a general bed."""
    codes = set(vulnerabilities)
    if "unaccompanied_child" in codes and adults == 0:
        return "minor_safe"
    if "disability" in codes:
        return "accessible"
    if minors and size > 1:
        return "family"
    if adults and adults_female == adults and ("gender_violence" in codes or adults == size):
        return "women_only"
    return "general"
