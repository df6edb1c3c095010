"""Rates with 95% confidence intervals (Wilson score), small-count suppression, and the check-in schedule of a
case plan. Pure: no Django, unit-tested alone."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

Z95 = 1.959963984540054  # the 97.5th percentile of the standard normal distribution
SMALLEST_SHOWN = 5  # counts under this are shown as "<5", and no rate is given for fewer cases


DEFAULT_PERIOD = dt.timedelta(weeks=12)


def default_start(end: dt.date) -> dt.date:
    """Where a period ending on `end` starts when nobody said: twelve weeks before, or the earliest date there
    is (an end of 0001-01-01 must not overflow)."""
    return end - DEFAULT_PERIOD if end - dt.date.min >= DEFAULT_PERIOD else dt.date.min


@dataclass(frozen=True)
class Rate:
    """`successes` out of `total`, with its 95% Wilson score interval (None when total is 0)."""

    successes: int
    total: int
    rate: float | None
    low: float | None
    high: float | None

    @property
    def shown(self) -> bool:
        """Whether the rate may be shown: only for at least SMALLEST_SHOWN cases."""
        return self.total >= SMALLEST_SHOWN


def wilson_interval(successes: int, total: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval for a binomial proportion. Raises ValueError for impossible counts."""
    if total <= 0 or successes < 0 or successes > total:
        raise ValueError("need 0 <= successes <= total and total > 0")
    p = successes / total
    z2 = z * z
    denominator = 1 + z2 / total
    centre = (p + z2 / (2 * total)) / denominator
    half = z * math.sqrt(p * (1 - p) / total + z2 / (4 * total * total)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def rate(successes: int, total: int) -> Rate:
    if total == 0:
        return Rate(successes, 0, None, None, None)
    low, high = wilson_interval(successes, total)
    return Rate(successes, total, successes / total, low, high)


def small_count(count: int) -> str:
    """A count as shown on a report: "<5" below the threshold (but 0 is 0: nothing to hide)."""
    if 0 < count < SMALLEST_SHOWN:
        return f"<{SMALLEST_SHOWN}"
    return str(count)


def percent(value: float | None, places: int = 1) -> str:
    return "" if value is None else f"{value * 100:.{places}f}%"


def check_in_schedule(start: dt.date, *, weekly_for_weeks: int, then_every_days: int, until: dt.date) -> list[dt.date]:
    """The check-in days of a plan: one a week for the first `weekly_for_weeks` weeks after `start`, then one
    every `then_every_days` days, up to `until` (included). No check-in on the start day itself (the plan is
    made at a meeting)."""
    if weekly_for_weeks < 0 or then_every_days < 1:
        raise ValueError("weekly_for_weeks >= 0 and then_every_days >= 1")
    days: list[dt.date] = []
    day = start
    for _ in range(weekly_for_weeks):
        day += dt.timedelta(days=7)
        if day > until:
            return days
        days.append(day)
    while True:
        day += dt.timedelta(days=then_every_days)
        if day > until:
            return days
        days.append(day)
