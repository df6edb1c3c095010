"""Community case management, pure rules: Wilson score intervals, small-count suppression, check-in schedules."""

from __future__ import annotations

import datetime as dt

import pytest

from refugio.casemanagement.rates import check_in_schedule, percent, rate, small_count, wilson_interval


@pytest.mark.parametrize(
    ("successes", "total", "low", "high"),
    [
        (95, 100, 0.888, 0.978),  # the textbook example
        (0, 10, 0.0, 0.278),
        (10, 10, 0.722, 1.0),
        (1, 2, 0.095, 0.905),
        (81, 263, 0.255, 0.366),  # Wilson (1927) / Newcombe (1998) worked example
    ],
)
def test_wilson_interval_against_known_values(successes: int, total: int, low: float, high: float) -> None:
    found_low, found_high = wilson_interval(successes, total)
    assert found_low == pytest.approx(low, abs=0.0006)
    assert found_high == pytest.approx(high, abs=0.0006)


def test_wilson_interval_refuses_impossible_counts() -> None:
    for successes, total in ((1, 0), (-1, 3), (4, 3)):
        with pytest.raises(ValueError):
            wilson_interval(successes, total)


def test_rate_is_shown_only_from_five_cases_and_counts_under_five_are_hidden() -> None:
    assert rate(4, 4).shown is False
    assert rate(4, 5).shown is True
    assert rate(0, 0).rate is None and rate(0, 0).low is None
    assert small_count(0) == "0"
    assert small_count(1) == "<5" and small_count(4) == "<5"
    assert small_count(5) == "5"
    assert percent(0.99349) == "99.3%"
    assert percent(None) == ""


def test_schedule_weekly_then_every_two_weeks() -> None:
    start = dt.date(2026, 1, 5)  # a Monday
    days = check_in_schedule(start, weekly_for_weeks=4, then_every_days=14, until=dt.date(2026, 3, 31))
    assert days == [
        dt.date(2026, 1, 12),
        dt.date(2026, 1, 19),
        dt.date(2026, 1, 26),
        dt.date(2026, 2, 2),
        dt.date(2026, 2, 16),
        dt.date(2026, 3, 2),
        dt.date(2026, 3, 16),
        dt.date(2026, 3, 30),
    ]


def test_schedule_is_configurable_and_stops_at_its_end() -> None:
    start = dt.date(2026, 1, 5)
    assert check_in_schedule(start, weekly_for_weeks=0, then_every_days=30, until=dt.date(2026, 3, 6)) == [
        dt.date(2026, 2, 4),
        dt.date(2026, 3, 6),
    ]
    # The end falls inside the weekly phase: no check-in after it.
    assert check_in_schedule(start, weekly_for_weeks=8, then_every_days=14, until=dt.date(2026, 1, 20)) == [
        dt.date(2026, 1, 12),
        dt.date(2026, 1, 19),
    ]
    with pytest.raises(ValueError):
        check_in_schedule(start, weekly_for_weeks=2, then_every_days=0, until=dt.date(2026, 3, 1))
