"""The comparison of waits and entries between groups (refugio.disparity.analysis), on synthetic data."""

from __future__ import annotations

import datetime as dt
import random

from refugio.disparity.analysis import MIN_GROUP, WaitRow, compare, logrank_hazard_ratio, rate_ratio

START = dt.date(2026, 1, 1)
AS_OF = dt.date(2026, 7, 1)


def _group(name: str, n: int, entered_share: float, mean_wait: float, seed: int) -> list[WaitRow]:
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        registered = START + dt.timedelta(days=i % 60)
        entered = None
        if rng.random() < entered_share:
            entered = registered + dt.timedelta(days=int(rng.expovariate(1 / mean_wait)) + 1)
            if entered > AS_OF:
                entered = None
        rows.append(WaitRow(name, registered, entered, AS_OF))
    return rows


def test_a_planted_disparity_is_flagged_against_the_highest_group() -> None:
    rows = _group("HN", 80, 0.8, 30, 1) + _group("HT", 80, 0.35, 60, 2) + _group("VE", 60, 0.75, 30, 3)
    result = compare(rows)
    assert result.reference == "HN"
    by = {g.group: g for g in result.groups}
    haiti = by["HT"]
    assert haiti.below_four_fifths and haiti.flagged
    assert haiti.rate_ratio is not None and haiti.rate_ratio.high < 1
    assert haiti.hazard_ratio is not None and haiti.hazard_ratio.high < 1
    assert not by["VE"].flagged and not by["HN"].flagged
    assert [g.group for g in result.flagged] == ["HT"]


def test_no_disparity_flags_nobody() -> None:
    rows = _group("HN", 80, 0.6, 40, 4) + _group("HT", 80, 0.6, 40, 5) + _group("CU", 40, 0.6, 40, 6)
    result = compare(rows)
    assert result.flagged == ()
    assert all(not g.below_four_fifths for g in result.groups)


def test_below_four_fifths_with_too_few_to_tell_is_not_flagged() -> None:
    # 3 of 6 against 5 of 6: below 80%, but six households cannot tell a difference from chance.
    rows = [WaitRow("A", START, START + dt.timedelta(days=10), AS_OF) for _ in range(5)]
    rows += [WaitRow("A", START, None, AS_OF)]
    rows += [WaitRow("B", START, START + dt.timedelta(days=10), AS_OF) for _ in range(3)]
    rows += [WaitRow("B", START, None, AS_OF) for _ in range(3)]
    result = compare(rows)
    b = next(g for g in result.groups if g.group == "B")
    assert b.below_four_fifths and not b.flagged


def test_groups_under_the_threshold_are_neither_shown_nor_compared() -> None:
    rows = _group("HN", 30, 0.8, 30, 7) + [WaitRow("RU", START, None, AS_OF) for _ in range(MIN_GROUP - 1)]
    result = compare(rows)
    assert [g.group for g in result.groups] == ["HN"]
    assert result.suppressed_groups == 1
    assert result.flagged == ()


def test_censored_waits_count_in_the_median_instead_of_being_dropped() -> None:
    # Five entered after 10..50 days; five still waiting after 60 days. Dropping the waiting would give a
    # median of 30; Kaplan–Meier knows half the group waited past 50 days.
    rows = [WaitRow("A", START, START + dt.timedelta(days=d), AS_OF) for d in (10, 20, 30, 40, 50)]
    rows += [WaitRow("A", START, None, START + dt.timedelta(days=60)) for _ in range(5)]
    (group,) = compare(rows).groups
    assert group.n == 10 and group.entries == 5 and group.entry_rate.estimate == 0.5
    assert group.median_wait_days is not None and group.median_wait_days.estimate == 50


def test_a_median_not_reached_is_none() -> None:
    rows = [WaitRow("A", START, START + dt.timedelta(days=5), AS_OF) for _ in range(2)]
    rows += [WaitRow("A", START, None, AS_OF) for _ in range(8)]
    (group,) = compare(rows).groups
    assert group.median_wait_days is None


def test_a_group_with_no_entry_still_gets_finite_intervals() -> None:
    rows = _group("HN", 40, 0.9, 20, 8) + [WaitRow("HT", START, None, AS_OF) for _ in range(40)]
    haiti = next(g for g in compare(rows).groups if g.group == "HT")
    assert haiti.entries == 0 and haiti.flagged
    assert haiti.rate_ratio is not None and 0 < haiti.rate_ratio.high < 1


def test_rate_ratio_and_hazard_ratio_at_parity_cover_one() -> None:
    rr = rate_ratio(30, 50, 30, 50)
    assert rr.estimate == 1 and rr.low < 1 < rr.high
    import numpy as np

    durations = np.array([5.0, 10, 15, 20] * 10)
    events = np.array([True, True, False, True] * 10)
    in_group = np.array([False, True] * 20)
    hr = logrank_hazard_ratio(durations, events, in_group)
    assert hr is not None and hr.low < 1 < hr.high
