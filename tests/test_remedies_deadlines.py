"""The deadline of a motion to reopen an in-absentia removal order (refugio.remedies.deadlines, pure)."""

from __future__ import annotations

import datetime as dt

import pytest

from refugio.remedies.deadlines import (
    EXCEPTIONAL_CIRCUMSTANCES,
    IN_CUSTODY,
    LACK_OF_NOTICE,
    SOURCE_EXCEPTIONAL,
    SOURCE_GENERAL,
    SOURCE_NO_DEADLINE,
    days_left,
    motion_to_reopen_deadline,
)


@pytest.mark.parametrize(
    ("order", "due"),
    [
        (dt.date(2025, 1, 10), dt.date(2025, 7, 9)),  # no leap day in between
        (dt.date(2024, 1, 10), dt.date(2024, 7, 8)),  # 29 February 2024 counts as a day
        (dt.date(2024, 2, 29), dt.date(2024, 8, 27)),  # an order given on a leap day
        (dt.date(2023, 9, 20), dt.date(2024, 3, 18)),  # the window crosses 29 February 2024
        (dt.date(2025, 9, 20), dt.date(2026, 3, 19)),  # the same window without a leap day
    ],
)
def test_exceptional_circumstances_is_180_calendar_days_from_the_order(order: dt.date, due: dt.date) -> None:
    rule = motion_to_reopen_deadline(order, True, EXCEPTIONAL_CIRCUMSTANCES)
    assert rule.due == due
    assert (rule.due - order).days == 180
    assert rule.source == SOURCE_EXCEPTIONAL == "INA §240(b)(5)(C)(i)"
    assert rule.automatic_stay and rule.in_absentia_motion
    assert "180 days" in rule.explanation and "stays removal" in rule.explanation


@pytest.mark.parametrize("reason", [LACK_OF_NOTICE, IN_CUSTODY])
def test_lack_of_notice_and_custody_have_no_deadline(reason: str) -> None:
    rule = motion_to_reopen_deadline(dt.date(2019, 6, 1), True, reason)
    assert rule.due is None
    assert rule.source == SOURCE_NO_DEADLINE == "INA §240(b)(5)(C)(ii)"
    assert rule.automatic_stay and rule.in_absentia_motion
    assert "any time" in rule.explanation


def test_an_order_made_in_presence_has_no_in_absentia_motion_only_the_90_day_information() -> None:
    rule = motion_to_reopen_deadline(dt.date(2025, 1, 10), False, None)
    assert rule.due is None and not rule.in_absentia_motion and not rule.automatic_stay
    assert rule.source == SOURCE_GENERAL == "INA §240(c)(7)(C)(i)"
    assert "90 days" in rule.explanation and "2025-04-10" in rule.explanation
    # A ground given by mistake does not turn it into an in-absentia motion.
    assert motion_to_reopen_deadline(dt.date(2025, 1, 10), False, EXCEPTIONAL_CIRCUMSTANCES).due is None


def test_an_in_absentia_order_without_a_ground_gives_no_date() -> None:
    rule = motion_to_reopen_deadline(dt.date(2025, 1, 10), True, None)
    assert rule.due is None and rule.source == "" and rule.in_absentia_motion


def test_days_left_counts_down_and_goes_negative_after_the_deadline() -> None:
    due = dt.date(2026, 3, 1)
    assert days_left(due, dt.date(2026, 2, 27)) == 2
    assert days_left(due, dt.date(2026, 3, 1)) == 0
    assert days_left(due, dt.date(2026, 3, 4)) == -3
    assert days_left(None, dt.date(2026, 3, 4)) is None


def test_the_rule_imports_no_django() -> None:
    import ast
    import pathlib

    import refugio.remedies.deadlines as module

    tree = ast.parse(pathlib.Path(module.__file__).read_text())
    imported = {
        (node.module if isinstance(node, ast.ImportFrom) else alias.name).split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert imported <= {"__future__", "datetime", "dataclasses"}
