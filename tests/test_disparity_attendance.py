"""Court appearance and check-in rates by group on the analysts' dashboard (issue 16): appearance rate = appeared /
(appeared + did not appear), check-in rate = attended / (attended + missed); rescheduled or cancelled hearings and
excused check-ins are not counted; a rate is shown only with 5 or more on each side, as on the public page."""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from refugio.accounts.models import Role
from refugio.audit.services import Actor
from refugio.casemanagement.models import CasePlan, CheckIn, HearingAttendance
from refugio.casemanagement.selectors import HouseholdAttendance, household_attendance_counts
from refugio.disparity import services
from refugio.disparity.analysis import WaitRow, attendance_breakdown, wilson
from refugio.disparity.models import DisparityCheck
from refugio.legal.models import Hearing
from refugio.people.models import Household, Person
from tests.conftest import World
from tests.test_disparity_monitor import _households
from tests.test_pages import signed_in

DAY = dt.date(2026, 10, 1)


def _row(group: str, appeared: int = 0, not_appeared: int = 0, attended: int = 0, missed: int = 0) -> WaitRow:
    return WaitRow(
        group,
        DAY,
        None,
        DAY + dt.timedelta(days=30),
        hearings_appeared=appeared,
        hearings_not_appeared=not_appeared,
        check_ins_attended=attended,
        check_ins_missed=missed,
    )


def _rate(successes: int, total: int) -> dict[str, float]:
    interval = wilson(successes, total)
    return {"estimate": interval.estimate, "low": interval.low, "high": interval.high}


def test_rates_by_group_with_five_or_more_on_each_side() -> None:
    # A: 6 households; 10 appeared and 5 did not; 12 check-ins attended and 8 missed, spread over the households.
    rows = [_row("A", 10, 5, 12, 8)] + [_row("A")] * 5
    table = attendance_breakdown(rows)
    assert table == {
        "A": {
            "n": 6,
            "appearance": {"events": 15, "rate": _rate(10, 15)},
            "check_in": {"events": 20, "rate": _rate(12, 20)},
        }
    }
    rate = _rate(10, 15)
    assert 0.38 < rate["low"] < rate["estimate"] == 10 / 15 < rate["high"] < 0.86


def test_a_rate_is_suppressed_when_either_side_is_under_five() -> None:
    rows = (
        [_row("A", appeared=20, not_appeared=4)] * 1  # too few did not appear
        + [_row("A", attended=4, missed=9)]  # too few attended
        + [_row("A")] * 3
        + [_row("B", appeared=5, not_appeared=5, attended=2, missed=1)] * 1  # 3 check-ins: the count is hidden too
        + [_row("B")] * 4
    )
    table = attendance_breakdown(rows)
    assert table["A"]["appearance"] == {"events": 24, "rate": None}
    assert table["A"]["check_in"] == {"events": 13, "rate": None}
    assert table["B"]["appearance"] == {"events": 10, "rate": _rate(5, 10)}  # exactly 5 each way: shown
    assert table["B"]["check_in"] == {"events": None, "rate": None}


def test_groups_under_five_households_are_left_out_and_no_event_is_zero() -> None:
    rows = [_row("A")] * 5 + [_row("C", 30, 30, 30, 30)] * 4
    assert attendance_breakdown(rows) == {
        "A": {"n": 5, "appearance": {"events": 0, "rate": None}, "check_in": {"events": 0, "rate": None}}
    }
    assert attendance_breakdown(rows, min_group=4)["C"]["n"] == 4


# The database: an organisation's households, their hearings and check-ins, the monitor and the dashboard -------


def _hearings(households: list[Household], outcomes: list[str], day: dt.date) -> None:
    for i, outcome in enumerate(outcomes):
        hearing = Hearing.objects.create(
            household=households[i % len(households)], court="SDI", date=day, kind="master", mode="in_person"
        )
        HearingAttendance.objects.create(hearing=hearing, outcome=outcome, recorded_at=timezone.now())


def _check_ins(world: World, households: list[Household], statuses: list[str], day: dt.date) -> None:
    plans = [
        CasePlan.objects.create(household=h, organisation=world.home, started_on=day - dt.timedelta(days=30))
        for h in households
    ]
    for i, status in enumerate(statuses):
        plan = plans[i % len(plans)]
        CheckIn.objects.create(plan=plan, household=plan.household, due_on=day, status=status)


def _section(page: str) -> str:
    nationality = page[page.index('id="by-nationality"') : page.index('id="by-language"')]
    return nationality[nationality.index("Court appearances and check-ins") :]


def _shown(successes: int, total: int) -> str:
    interval = wilson(successes, total)
    return f"{round(interval.estimate * 100)}% \\({round(interval.low * 100)}%–{round(interval.high * 100)}%\\)"


def test_the_monitor_and_the_dashboard_show_both_rates_by_group(world: World) -> None:
    past = timezone.localdate() - dt.timedelta(days=10)
    assert world.own is not None
    honduran = _households(world, "HN", 10) + [world.own]
    salvadoran = _households(world, "SV", 8)
    # Honduras: 8 appeared, 6 did not; 3 rescheduled and 2 cancelled are not counted.
    _hearings(
        honduran,
        ["appeared"] * 8 + ["did_not_appear"] * 6 + ["rescheduled"] * 3 + ["cancelled"] * 2,
        past,
    )
    # Honduras: 12 attended, 5 missed; 4 excused and 2 still scheduled are not counted.
    _check_ins(world, honduran, ["attended"] * 12 + ["missed"] * 5 + ["excused"] * 4 + ["scheduled"] * 2, past)
    # El Salvador: 9 appeared and only 2 did not (suppressed); 6 attended, 6 missed, 3 excused.
    _hearings(salvadoran, ["appeared"] * 9 + ["did_not_appear"] * 2 + ["rescheduled"] * 4, past)
    _check_ins(world, salvadoran, ["attended"] * 6 + ["missed"] * 6 + ["excused"] * 3, past)

    check = services.run_monitor(Actor(None, "system"), organisation_id=world.home.id)
    attendance = check.results["nationality"]["attendance"]
    assert attendance["HN"] == {
        "n": 11,
        "appearance": {"events": 14, "rate": _rate(8, 14)},
        "check_in": {"events": 17, "rate": _rate(12, 17)},
    }
    assert attendance["SV"] == {
        "n": 8,
        "appearance": {"events": 11, "rate": None},
        "check_in": {"events": 12, "rate": _rate(6, 12)},
    }
    assert set(check.results["sex"]["attendance"]) == {"female"}  # every head of household here is a woman
    assert check.results["sex"]["attendance"]["female"]["check_in"]["events"] == 29

    page = signed_in(world.users[Role.ANALYST]).get("/disparities/").content.decode()
    section = _section(page)
    assert re.search(rf"Honduras</th><td>11</td><td>{_shown(8, 14)}</td><td>{_shown(12, 17)}</td>", section)
    assert re.search(rf"El Salvador</th><td>8</td><td>suppressed</td><td>{_shown(6, 12)}</td>", section)
    assert "57%" in section and "71%" in section and "50%" in section
    for h in Household.objects.all():
        assert str(h.id) not in page and h.display_code not in page
    for p in Person.objects.all():
        assert p.given_names not in page and p.first_family_name not in page


def test_counts_per_household_in_two_queries_and_only_up_to_the_day(
    world: World, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    past = dt.date(2026, 3, 2)
    households = _households(world, "HN", 3)
    _hearings(households[:1], ["appeared", "did_not_appear", "rescheduled", "cancelled"], past)
    _hearings(households[:1], ["appeared"], past + dt.timedelta(days=40))  # after the day: not counted
    _check_ins(world, households[1:2], ["attended", "attended", "missed", "excused", "scheduled"], past)
    with django_assert_num_queries(2):
        counts = household_attendance_counts([h.id for h in households], until=past + dt.timedelta(days=1))
    assert counts == {
        households[0].id: HouseholdAttendance(hearings_appeared=1, hearings_not_appeared=1),
        households[1].id: HouseholdAttendance(check_ins_attended=2, check_ins_missed=1),
    }
    assert household_attendance_counts([h.id for h in households])[households[0].id].hearings_appeared == 2


def test_a_check_stored_before_these_rates_still_renders(world: World) -> None:
    _households(world, "HN", 6)
    check = services.run_monitor(Actor(None, "system"), organisation_id=world.home.id)
    old = {dimension: {k: v for k, v in r.items() if k != "attendance"} for dimension, r in check.results.items()}
    DisparityCheck.objects.filter(pk=check.pk).update(results=old)
    response = signed_in(world.users[Role.ANALYST]).get("/disparities/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="by-nationality"' in page and "Legal representation" in page
    assert "Court appearances and check-ins" not in page
