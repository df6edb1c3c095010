"""Response deadlines: hours on the clock, or business days (Monday to Friday). No Django import."""

from __future__ import annotations

import datetime as dt
import math


def add_business_days(start: dt.datetime, days: int) -> dt.datetime:
    """The same time of day, `days` working days later; a weekend start counts from Monday."""
    moment = start
    while moment.weekday() >= 5:  # a weekend start: the clock starts on Monday at the same hour
        moment += dt.timedelta(days=1)
    added = 0
    while added < days:
        moment += dt.timedelta(days=1)
        if moment.weekday() < 5:
            added += 1
    return moment


def deadline(start: dt.datetime, amount: int, unit: str) -> dt.datetime:
    if unit == "hours":
        return start + dt.timedelta(hours=amount)
    if unit == "business_days":
        return add_business_days(start, amount)
    raise ValueError(f"unknown deadline unit {unit!r}")


def percentile(values: list[float], share: float) -> float | None:
    """Nearest-rank percentile (share in 0..1) of the values, or None when there are none."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]
