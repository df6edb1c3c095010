"""Waiting and entry compared between groups, and the 80% rule. Pure: no Django, no database.

Each row is one unit (a household) of one group: the day it registered, the day it entered (or was given
an entry date), or None if it is still waiting on `as_of` (then its wait is censored there: we know only
that it waited at least that long).

Per group (groups with fewer than MIN_GROUP units are left out, "suppressed", and never compared):

- n, entries and the entry rate (entries / n) with a Wilson 95% interval;
- the median wait with its 95% interval, from the Kaplan–Meier estimate (lifelines), which counts the
  censored waits instead of dropping them; None where the median is not reached;
- against the reference group (the one with the highest entry rate):
  - the rate ratio (entry rate / reference entry rate) with a 95% interval (Katz, on the log scale; a
    half is added to each cell when a group has no entry or every unit entered);
  - the hazard ratio of entering (how fast, per day of waiting, compared with the reference) with a 95%
    interval, estimated from the log-rank statistic of the two groups (Peto: HR = exp((O − E) / V),
    interval exp((O − E) / V ± 1.96 / √V)). We chose it over a Cox model with the group as a covariate
    because it has a closed form: it stays finite when a group has no entry at all, where a Cox fit does
    not converge, and gives the same answer when hazard ratios are near 1.

A group is *flagged* (the 80% rule, or "four-fifths rule") when its entry rate is below 80% of the
reference's AND the evidence excludes parity: the upper end of its hazard-ratio interval or of its
rate-ratio interval is below 1. Below 80% with an interval that reaches 1 is reported ("below 80%") but
not flagged: the numbers are too few to tell chance from a difference.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from refugio.transparency.disclosure_control import TOTAL, CountTable, suppress

MIN_GROUP = 5  # groups with fewer units are neither shown nor compared
FOUR_FIFTHS = 0.8
Z95 = 1.959963984540054


@dataclass(frozen=True)
class WaitRow:
    group: str
    registered_on: dt.date
    entered_on: dt.date | None  # None: still waiting on as_of (censored)
    as_of: dt.date
    tier: int | None = None  # the household's priority tier now (None: not assessed)
    represented: bool = False  # has, or had, an accepted legal representation
    hearings_appeared: int = 0  # hearings it appeared at
    hearings_not_appeared: int = 0  # hearings it did not appear at (rescheduled or cancelled: not counted)
    check_ins_attended: int = 0  # check-ins attended
    check_ins_missed: int = 0  # check-ins missed (excused: not counted)


@dataclass(frozen=True)
class Interval:
    estimate: float
    low: float
    high: float


@dataclass(frozen=True)
class GroupResult:
    group: str
    n: int
    entries: int
    entry_rate: Interval
    median_wait_days: Interval | None  # None: fewer than half have entered (not reached)
    rate_ratio: Interval | None  # None for the reference group
    hazard_ratio: Interval | None  # None for the reference group, or where it cannot be estimated
    reference: bool
    below_four_fifths: bool
    flagged: bool


@dataclass(frozen=True)
class Comparison:
    groups: tuple[GroupResult, ...]  # shown groups, the reference first
    suppressed_groups: int  # groups left out because they have fewer than MIN_GROUP units
    reference: str | None

    @property
    def flagged(self) -> tuple[GroupResult, ...]:
        return tuple(g for g in self.groups if g.flagged)


def _duration(row: WaitRow) -> tuple[float, bool]:
    if row.entered_on is not None:
        return float(max((row.entered_on - row.registered_on).days, 0)), True
    return float(max((row.as_of - row.registered_on).days, 0)), False


def wilson(successes: int, n: int) -> Interval:
    """A proportion with its Wilson 95% interval (sound also near 0 and 1)."""
    if n == 0:
        return Interval(0.0, 0.0, 1.0)
    p = successes / n
    denominator = 1 + Z95**2 / n
    centre = (p + Z95**2 / (2 * n)) / denominator
    half = Z95 * math.sqrt(p * (1 - p) / n + Z95**2 / (4 * n * n)) / denominator
    return Interval(p, max(0.0, centre - half), min(1.0, centre + half))


def rate_ratio(a: int, n1: int, c: int, n2: int) -> Interval:
    """Entry rate a/n1 against c/n2, with the Katz log interval (a half added to every cell when one is empty
    or full, so that a group with no entry has a finite upper bound)."""
    if a in (0, n1) or c in (0, n2):
        a_, n1_, c_, n2_ = a + 0.5, n1 + 1.0, c + 0.5, n2 + 1.0
    else:
        a_, n1_, c_, n2_ = float(a), float(n1), float(c), float(n2)
    estimate = (a / n1) / (c / n2) if c else math.inf
    log_rr = math.log((a_ / n1_) / (c_ / n2_))
    se = math.sqrt(1 / a_ - 1 / n1_ + 1 / c_ - 1 / n2_)
    return Interval(estimate, math.exp(log_rr - Z95 * se), math.exp(log_rr + Z95 * se))


def logrank_hazard_ratio(durations: np.ndarray, events: np.ndarray, in_group: np.ndarray) -> Interval | None:
    """Hazard ratio of the group (in_group True) against the rest, from the log-rank O − E and its variance."""
    event_times = np.unique(durations[events])
    observed = expected = variance = 0.0
    for t in event_times:
        at_risk = durations >= t
        n_t = int(at_risk.sum())
        n1_t = int((at_risk & in_group).sum())
        happened = events & (durations == t)
        d_t = int(happened.sum())
        d1_t = int((happened & in_group).sum())
        share = n1_t / n_t
        observed += d1_t
        expected += d_t * share
        if n_t > 1:
            variance += d_t * share * (1 - share) * (n_t - d_t) / (n_t - 1)
    if variance <= 0:
        return None
    log_hr = (observed - expected) / variance
    half = Z95 / math.sqrt(variance)
    return Interval(math.exp(log_hr), math.exp(log_hr - half), math.exp(log_hr + half))


def median_wait(durations: np.ndarray, events: np.ndarray) -> Interval | None:
    """Kaplan–Meier median wait in days with its 95% interval (lifelines); None if not reached."""
    from lifelines import KaplanMeierFitter
    from lifelines.utils import median_survival_times

    fitter = KaplanMeierFitter().fit(durations, event_observed=events)
    median = float(fitter.median_survival_time_)
    if not math.isfinite(median):
        return None
    bounds = median_survival_times(fitter.confidence_interval_)
    low, high = (float(v) for v in bounds.iloc[0])
    return Interval(median, low, high)  # high may be inf: the interval's end is not reached either


def compare(rows: Iterable[WaitRow], min_group: int = MIN_GROUP) -> Comparison:
    """Every group of at least `min_group` units, compared with the one with the highest entry rate."""
    by_group: dict[str, list[tuple[float, bool]]] = {}
    for row in rows:
        by_group.setdefault(row.group, []).append(_duration(row))
    shown = {g: waits for g, waits in by_group.items() if len(waits) >= min_group}
    suppressed = len(by_group) - len(shown)
    if not shown:
        return Comparison(groups=(), suppressed_groups=suppressed, reference=None)

    counts = {g: (sum(1 for _d, e in waits if e), len(waits)) for g, waits in shown.items()}
    # Highest entry rate; ties go to the larger group, then by name, so the choice is stable.
    reference = max(counts, key=lambda g: (counts[g][0] / counts[g][1], counts[g][1], g))
    ref_entries, ref_n = counts[reference]
    ref_rate = ref_entries / ref_n

    results = []
    for group in sorted(shown, key=lambda g: (g != reference, g)):
        waits = shown[group]
        entries, n = counts[group]
        durations = np.array([d for d, _e in waits], dtype=float)
        events = np.array([e for _d, e in waits], dtype=bool)
        rate = wilson(entries, n)
        is_reference = group == reference
        rr = hr = None
        below = flagged = False
        if not is_reference:
            rr = rate_ratio(entries, n, ref_entries, ref_n)
            pair = shown[reference] + waits
            hr = logrank_hazard_ratio(
                np.array([d for d, _e in pair], dtype=float),
                np.array([e for _d, e in pair], dtype=bool),
                np.array([False] * ref_n + [True] * n),
            )
            below = rate.estimate < FOUR_FIFTHS * ref_rate
            excludes_parity = rr.high < 1 or (hr is not None and hr.high < 1)
            flagged = below and excludes_parity
        results.append(
            GroupResult(
                group=group,
                n=n,
                entries=entries,
                entry_rate=rate,
                median_wait_days=median_wait(durations, events),
                rate_ratio=rr,
                hazard_ratio=hr,
                reference=is_reference,
                below_four_fifths=below,
                flagged=flagged,
            )
        )
    return Comparison(groups=tuple(results), suppressed_groups=suppressed, reference=reference)


def finite(value: float | None) -> float | None:
    """None for an infinite or missing bound (JSON has no infinity)."""
    return value if value is not None and math.isfinite(value) else None


def as_dict(result: GroupResult) -> dict[str, object]:
    """A group's figures as plain JSON-ready values (aggregates only)."""

    def interval(i: Interval | None) -> dict[str, float | None] | None:
        if i is None:
            return None
        return {"estimate": finite(i.estimate), "low": finite(i.low), "high": finite(i.high)}

    return {
        "group": result.group,
        "n": result.n,
        "entries": result.entries,
        "entry_rate": interval(result.entry_rate),
        "median_wait_days": interval(result.median_wait_days),
        "rate_ratio": interval(result.rate_ratio),
        "hazard_ratio": interval(result.hazard_ratio),
        "reference": result.reference,
        "below_four_fifths": result.below_four_fifths,
        "flagged": result.flagged,
    }


# The other measures by group: share by tier, legal representation, court appearance and check-in rates ---

TIERS = ("1", "2", "3", "4", "unscored")  # tier 4 stands for 4 and any less urgent tier


def tier_of(tier: int | None) -> str:
    return "unscored" if tier is None else str(min(max(tier, 1), 4))


def shown_count(count: int, k: int = MIN_GROUP) -> int | None:
    """A count as it may be shown: None (suppressed) from 1 to k - 1; zero names no one."""
    return None if 0 < count < k else count


def tier_breakdown(rows: Iterable[WaitRow], min_group: int = MIN_GROUP) -> dict[str, dict[str, int | None]]:
    """Per shown group (≥ min_group units), households per priority tier, with counts from 1 to min_group - 1
    hidden and a second cell hidden wherever one hidden cell could be found by subtraction from the group's
    total (complementary suppression, as on the public page). None: suppressed."""
    by_group: dict[str, list[str]] = {}
    for row in rows:
        by_group.setdefault(row.group, []).append(tier_of(row.tier))
    shown = sorted(g for g, tiers in by_group.items() if len(tiers) >= min_group)
    if not shown:
        return {}
    counts = {(g, t): sum(1 for x in by_group[g] if x == t) for g in shown for t in TIERS}
    table = CountTable.from_counts(shown, list(TIERS), counts)
    hidden = suppress(table, min_group)
    return {g: {t: None if (g, t) in hidden else table.counts[(g, t)] for t in [*TIERS, TOTAL]} for g in shown}


def representation_breakdown(rows: Iterable[WaitRow], min_group: int = MIN_GROUP) -> dict[str, dict[str, object]]:
    """Per shown group: how many are represented and the rate with its Wilson 95% interval, each shown only
    when both the represented and the others number min_group or more (else None)."""
    by_group: dict[str, list[bool]] = {}
    for row in rows:
        by_group.setdefault(row.group, []).append(row.represented)
    out: dict[str, dict[str, object]] = {}
    for group, flags in sorted(by_group.items()):
        n = len(flags)
        if n < min_group:
            continue
        represented = sum(flags)
        enough = represented >= min_group and n - represented >= min_group
        rate = wilson(represented, n)
        out[group] = {
            "n": n,
            # Hidden also when the others are 1 to min_group - 1: n is shown, so they would follow by subtraction.
            "represented": None
            if shown_count(represented, min_group) is None or shown_count(n - represented, min_group) is None
            else represented,
            "rate": {"estimate": rate.estimate, "low": rate.low, "high": rate.high} if enough else None,
        }
    return out


def _shown_rate(successes: int, failures: int, min_group: int) -> dict[str, object]:
    """Events counted and the rate of successes with its Wilson 95% interval. The rate is shown only when both
    the successes and the failures number min_group or more (as on the public page); the count of events is
    hidden (None) from 1 to min_group - 1."""
    events = successes + failures
    rate = None
    if successes >= min_group and failures >= min_group:
        interval = wilson(successes, events)
        rate = {"estimate": interval.estimate, "low": interval.low, "high": interval.high}
    return {"events": shown_count(events, min_group), "rate": rate}


def attendance_breakdown(rows: Iterable[WaitRow], min_group: int = MIN_GROUP) -> dict[str, dict[str, object]]:
    """Per shown group (≥ min_group households): households n, and for court appearances (appeared / appeared
    or not) and check-ins (attended / attended or missed) the events counted and the rate with its Wilson 95%
    interval, None ("suppressed") unless both sides number min_group or more."""
    by_group: dict[str, list[WaitRow]] = {}
    for row in rows:
        by_group.setdefault(row.group, []).append(row)
    out: dict[str, dict[str, object]] = {}
    for group, members in sorted(by_group.items()):
        if len(members) < min_group:
            continue
        out[group] = {
            "n": len(members),
            "appearance": _shown_rate(
                sum(r.hearings_appeared for r in members), sum(r.hearings_not_appeared for r in members), min_group
            ),
            "check_in": _shown_rate(
                sum(r.check_ins_attended for r in members), sum(r.check_ins_missed for r in members), min_group
            ),
        }
    return out
