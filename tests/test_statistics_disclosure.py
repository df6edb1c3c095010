"""Disclosure control and measures of the public statistics, pure (issue 16): primary and complementary
suppression (no hidden cell can be recovered from the totals), the stable-cell rule, and the Kaplan–Meier
waiting time with censoring against a hand computation."""

from __future__ import annotations

import datetime as dt
import itertools
import random

import pytest

from refugio.transparency.disclosure_control import (
    PUBLISHED,
    SUPPRESSED,
    TOTAL,
    Cell,
    CountTable,
    count_cells,
    feasible_range,
    ratio_cell,
    stabilise,
    suppress,
)
from refugio.transparency.measures import HouseholdRow, Period, kaplan_meier, parse_week, waiting_time


def test_kaplan_meier_with_censoring_matches_the_hand_computation() -> None:
    # Six households: entered after 2, 3, 5 and 10 days; one still waiting at 3 days, one at 8 (censored).
    # By hand: S(2) = 5/6; S(3) = 5/6 · 4/5 = 2/3 (the one censored at 3 is still at risk at 3);
    # S(5) = 2/3 · 2/3 = 4/9; S(10) = 4/9 · 0/1 = 0. The median is the first day S ≤ 1/2: day 5.
    km = kaplan_meier([2, 3, 3, 5, 8, 10], [True, True, False, True, False, True])
    assert km.times == (2, 3, 5, 10)
    assert km.survival == pytest.approx((5 / 6, 2 / 3, 4 / 9, 0.0))
    assert km.median == 5
    assert km.median_low is not None and km.median_high is not None
    assert km.median_low <= km.median <= km.median_high
    assert km.at(4) == pytest.approx(2 / 3) and km.at(1) == 1.0
    # Dropping those still waiting instead of censoring them would make the wait look shorter.
    assert kaplan_meier([2, 3, 5, 10], [True] * 4).survival[1] < km.survival[1]


def test_median_not_reached_while_most_still_wait() -> None:
    start = dt.date(2026, 1, 5)
    rows = [HouseholdRow(start, "entered", entered_on=start + dt.timedelta(days=3 + i)) for i in range(6)]
    rows += [HouseholdRow(start, "registered") for _ in range(10)]
    table = waiting_time(rows, start + dt.timedelta(days=60), k=5)
    assert table.cell("median", "days").status == "not_reached"
    assert table.cell("7", "percent_waiting").value == round(100 * (1 - 5 / 16))
    assert table.cell("90", "percent_waiting").status == SUPPRESSED  # nobody followed that long


def _published_or_zero(table: CountTable, cells: dict[tuple[str, str], Cell], k: int = 5) -> None:
    for key, cell in cells.items():
        if cell.status == PUBLISHED:
            assert cell.value == 0 or cell.value >= k, key


def test_small_counts_are_hidden_and_cannot_be_recovered_from_the_totals() -> None:
    counts = {("w1", "A"): 12, ("w1", "B"): 3, ("w1", "C"): 9, ("w2", "A"): 7, ("w2", "B"): 8, ("w2", "C"): 11}
    table = CountTable.from_counts(["w1", "w2"], ["A", "B", "C"], counts)
    cells = count_cells(table)
    assert cells[("w1", "B")].status == SUPPRESSED
    _published_or_zero(table, cells)
    hidden = {key for key, cell in cells.items() if cell.status == SUPPRESSED}
    for key in hidden:
        lowest, highest = feasible_range(table, hidden, key)
        assert highest - lowest >= 1, (key, lowest, highest)  # an attacker cannot pin it down
        assert lowest <= table.counts[key] <= highest


@pytest.mark.parametrize("seed", range(30))
def test_random_tables_never_reveal_a_suppressed_cell(seed: int) -> None:
    rng = random.Random(seed)
    rows = [f"r{i}" for i in range(rng.randint(1, 5))]
    columns = [f"c{j}" for j in range(rng.randint(1, 5))]
    counts = {(r, c): rng.choice([0, 0, 1, 2, 3, 4, 5, 6, 8, 12, 20]) for r, c in itertools.product(rows, columns)}
    table = CountTable.from_counts(rows, columns, counts)
    cells = count_cells(table)
    _published_or_zero(table, cells)
    hidden = {key for key, cell in cells.items() if cell.status == SUPPRESSED}
    for key in hidden:
        lowest, highest = feasible_range(table, hidden, key)
        assert highest - lowest >= 1, (key, counts, sorted(hidden))


def test_without_complementary_suppression_the_hidden_cell_would_follow_from_the_total() -> None:
    """The check above can fail: with only the small cell hidden, the row total gives it away."""
    counts = {("w1", "A"): 12, ("w1", "B"): 3}
    table = CountTable.from_counts(["w1"], ["A", "B"], counts)
    lowest, highest = feasible_range(table, {("w1", "B")}, ("w1", "B"))
    assert lowest == highest == 3
    assert len(suppress(table)) > 1


def test_stable_cells_change_only_when_their_counts_move_by_k() -> None:
    before = Cell(12, PUBLISHED, (12,))
    assert stabilise(before, Cell(13, PUBLISHED, (13,))) == before
    assert stabilise(before, Cell(16, PUBLISHED, (16,))) == before
    assert stabilise(before, Cell(17, PUBLISHED, (17,))) == Cell(17, PUBLISHED, (17,))
    hidden = Cell(None, SUPPRESSED, (4,))
    assert stabilise(hidden, Cell(5, PUBLISHED, (5,))) == hidden  # 4 → 5 must not reveal the fifth
    assert stabilise(None, Cell(5, PUBLISHED, (5,))) == Cell(5, PUBLISHED, (5,))


def test_rates_hide_when_either_side_is_small() -> None:
    assert ratio_cell(12, 12, 100).status == SUPPRESSED  # everyone: says something about each of them
    assert ratio_cell(3, 40, 8).status == SUPPRESSED
    assert ratio_cell(10, 40, 25) == Cell(25, PUBLISHED, (10, 40))


def test_periods() -> None:
    week = parse_week("2026-W48")
    assert (week.start, week.end, week.label) == (dt.date(2026, 11, 23), dt.date(2026, 11, 29), "2026-W48")
    span = Period(dt.date(2026, 11, 20), dt.date(2026, 11, 29))
    assert span.weeks() == ["2026-W47", "2026-W48"] and span.label == "2026-11-20/2026-11-29"
    assert TOTAL == "total"
