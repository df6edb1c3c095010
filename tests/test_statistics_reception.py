"""Court appearance and check-in rates in the public statistics (issue 16): computed once per release from
casemanagement's check-ins and hearing outcomes, with a 95% Wilson interval; shown only when both those who kept
and those who did not number 5 or more; on the page (in words, beside the reference figures), in the HXL files
and in the API; and the stable-cell protection against differencing still holds."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from django.test import Client
from django.utils import timezone

from refugio.casemanagement.models import CasePlan, CheckIn, HearingAttendance
from refugio.legal.models import Hearing
from refugio.people.models import Household
from refugio.transparency.measures import ReceptionCounts, parse_week, reception_rates, wilson_interval
from refugio.transparency.models import Release
from refugio.transparency.services import publish
from tests.test_statistics_release import MONDAY, SYSTEM, WEEK, Data, make_data


@pytest.fixture
def data(db: object) -> Data:
    return make_data()


def _plan(household: Household, data: Data) -> CasePlan:
    return CasePlan.objects.create(
        household=household, organisation=data.org, started_on=MONDAY - dt.timedelta(days=30)
    )


def check_ins(data: Data, *, attended: int, missed: int, excused: int = 0, day: dt.date = MONDAY) -> None:
    """Check-ins due in the week, spread over the households that have a plan (one plan each)."""
    households = list(Household.objects.filter(owner=data.org).order_by("created_at")[:10])
    plans = [CasePlan.objects.filter(household=h).first() or _plan(h, data) for h in households]
    statuses = ["attended"] * attended + ["missed"] * missed + ["excused"] * excused
    for i, status in enumerate(statuses):
        plan = plans[i % len(plans)]
        CheckIn.objects.create(
            plan=plan, household=plan.household, due_on=day + dt.timedelta(days=i % 7), status=status
        )


def hearings(data: Data, *, appeared: int, not_appeared: int, rescheduled: int = 0, day: dt.date = MONDAY) -> None:
    households = list(Household.objects.filter(owner=data.org).order_by("-created_at")[:10])
    outcomes = ["appeared"] * appeared + ["did_not_appear"] * not_appeared + ["rescheduled"] * rescheduled
    for i, outcome in enumerate(outcomes):
        hearing = Hearing.objects.create(
            household=households[i % len(households)],
            court="SDI",
            date=day + dt.timedelta(days=i % 7),
            kind="master",
            mode="in_person",
        )
        HearingAttendance.objects.create(hearing=hearing, outcome=outcome, recorded_at=timezone.now())


def _cells(release: Release) -> dict[tuple[str, str], tuple[object, str]]:
    return {(r, c): (v, s) for r, c, v, s in release.tables["reception"]["cells"]}


def test_wilson_interval_matches_the_published_formula() -> None:
    # Wilson (1927) / Newcombe (1998) example: 81 of 263 → 0.2553 to 0.3662.
    low, high = wilson_interval(81, 263)
    assert round(low, 4) == 0.2553 and round(high, 4) == 0.3662
    # 10 of 10 still has an interval below 100%: a perfect record over few cases is not certainty.
    assert round(wilson_interval(10, 10)[0], 4) == 0.7225


def test_rates_need_five_on_both_sides_and_small_counts_are_hidden() -> None:
    table = reception_rates(ReceptionCounts(check_ins_attended=20, check_ins_missed=3, hearings_appeared=9))
    check_in = {c: table.cell("check_in", c) for c in table.columns}
    assert all(check_in[c].status == "suppressed" for c in ("percent", "low", "high", "numerator"))  # 3 missed
    assert check_in["denominator"].value == 23  # shown: 23 ≥ 5, and the 3 cannot be worked out from it alone
    appearance = {c: table.cell("court_appearance", c) for c in table.columns}
    assert appearance["percent"].status == "suppressed"  # 9 of 9: says something about each of them
    assert appearance["denominator"].value == 9
    small = reception_rates(ReceptionCounts(check_ins_attended=2, check_ins_missed=1))
    assert small.cell("check_in", "denominator").status == "suppressed"  # a count of 3
    empty = reception_rates(ReceptionCounts())
    assert empty.cell("check_in", "denominator").value == 0 and empty.cell("check_in", "percent").value is None


def test_a_release_publishes_both_rates_with_their_intervals_and_counts(data: Data) -> None:
    check_ins(data, attended=40, missed=6, excused=3)
    hearings(data, appeared=18, not_appeared=5, rescheduled=2)
    check_ins(data, attended=7, missed=7, day=MONDAY + dt.timedelta(days=7))  # the next week: not counted
    release = publish(SYSTEM, period=parse_week(WEEK))
    cells = _cells(release)
    assert cells[("check_in", "numerator")] == (40, "published")
    assert cells[("check_in", "denominator")] == (46, "published")  # excused left out
    assert cells[("check_in", "percent")] == (87.0, "published")
    low, high = wilson_interval(40, 46)
    assert cells[("check_in", "low")] == (round(100 * low, 1), "published")
    assert cells[("check_in", "high")] == (round(100 * high, 1), "published")
    assert cells[("court_appearance", "percent")] == (78.3, "published")  # 18 of 23, rescheduled left out
    assert cells[("court_appearance", "denominator")] == (23, "published")
    assert release.method["references"][0]["percent"] == 99.4

    html = Client().get("/public/statistics/?lang=en").content.decode()
    section = html[html.index('id="h-reception"') :]
    section = section[: section.index("</section>")]
    assert "87%" in section and "78.3%" in section and "40 of 46" in section
    assert "<svg" in section and "<table" in section[section.index("</svg>") :]
    assert "99.4%" in section and "Women&#x27;s Refugee Commission" in section and "93% among asylum" in section
    assert "Not yet measured" not in section

    body = Client().get("/api/v1/statistics").json()
    table = next(t for t in body["tables"] if t["name"] == "reception")
    assert {"row": "check_in", "column": "percent", "value": 87.0, "status": "published"} in table["cells"]
    assert {r["measure"] for r in body["references"]} == {"check_in", "court_appearance", "court_appearance_asylum"}
    spec = Client().get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert set(spec["ReferenceOut"]["properties"]["measure"]["enum"]) == {
        "check_in",
        "court_appearance",
        "court_appearance_asylum",
    }


def test_a_small_cell_is_suppressed_on_the_page_the_files_and_the_api(data: Data) -> None:
    import hxl

    check_ins(data, attended=30, missed=2)  # 2 missed: the rate would say something about those two
    hearings(data, appeared=12, not_appeared=6)
    release = publish(SYSTEM, period=parse_week(WEEK))
    cells = _cells(release)
    assert cells[("check_in", "percent")] == (None, "suppressed")
    assert cells[("check_in", "numerator")] == (None, "suppressed")
    assert cells[("court_appearance", "percent")] == (66.7, "published")

    html = Client().get("/public/statistics/?lang=en").content.decode()
    section = html[html.index('id="h-reception"') : html.index('id="h-response"')]
    assert "suppressed of 32" in section and "fewer than 5 check-ins or hearings were kept" in section
    assert "93.8" not in html  # 30 of 32 appears nowhere

    text = Client().get("/public/statistics.csv").content.decode()
    rows = list(csv.reader(io.StringIO(text)))
    problems: list[str] = []
    assert hxl.schema(callback=lambda e: problems.append(str(e))).validate(hxl.data(rows)), problems[:5]
    reception = {
        (r.get("#meta+row"), r.get("#meta+column")): r
        for r in hxl.data(rows)
        if r.get("#indicator+code") == "reception"
    }
    assert reception[("check_in", "percent")].get("#meta+status") == "suppressed"
    assert not reception[("check_in", "percent")].get("#indicator+value+num")
    assert reception[("court_appearance", "low")].get("#indicator+value+num") not in ("", None)
    body = Client().get("/api/v1/statistics").json()
    table = next(t for t in body["tables"] if t["name"] == "reception")
    assert {"row": "check_in", "column": "numerator", "value": None, "status": "suppressed"} in table["cells"]


def test_differencing_one_more_missed_check_in_or_hearing_changes_nothing(data: Data) -> None:
    """Publish; one person misses a check-in and a hearing; publish the same period again: identical releases
    (the rates rest on counts that moved by less than 5). Five more move them."""
    check_ins(data, attended=40, missed=6)
    hearings(data, appeared=18, not_appeared=5)
    period = parse_week(WEEK)
    first = publish(SYSTEM, period=period)
    check_ins(data, attended=0, missed=1)
    hearings(data, appeared=0, not_appeared=1)
    second = publish(SYSTEM, period=period)
    assert json.dumps(first.tables, sort_keys=True) == json.dumps(second.tables, sort_keys=True)
    check_ins(data, attended=0, missed=5)
    third = publish(SYSTEM, period=period)
    assert _cells(third)[("check_in", "denominator")] == (52, "published")
    assert _cells(third)[("check_in", "percent")] != _cells(second)[("check_in", "percent")]


def test_a_rate_that_was_suppressed_stays_suppressed_until_five_more(data: Data) -> None:
    """4 missed → suppressed; a fifth missed check-in would cross the threshold and reveal that one person's
    miss: the release stays as it was."""
    check_ins(data, attended=30, missed=4)
    period = parse_week(WEEK)
    first = publish(SYSTEM, period=period)
    assert _cells(first)[("check_in", "percent")] == (None, "suppressed")
    check_ins(data, attended=0, missed=1)
    second = publish(SYSTEM, period=period)
    assert _cells(second)[("check_in", "percent")] == (None, "suppressed")
    assert _cells(second) == _cells(first)


def test_a_hearing_shared_between_two_organisations_counts_once(data: Data) -> None:
    """A household owned by one organisation with a case plan at another: its hearing is one hearing."""
    from refugio.accounts.models import Organisation
    from refugio.transparency.selectors import reception_counts

    other = Organisation.objects.create(name="Other Shelter", kind="shelter")
    household = Household.objects.filter(owner=data.org).first()
    assert household is not None
    CasePlan.objects.create(household=household, organisation=other, started_on=MONDAY)
    hearing = Hearing.objects.create(household=household, court="SDI", date=MONDAY, kind="master", mode="in_person")
    HearingAttendance.objects.create(hearing=hearing, outcome="appeared", recorded_at=timezone.now())
    assert reception_counts(parse_week(WEEK)).hearings_appeared == 1


def test_a_release_cut_before_these_rates_still_shows_them_as_not_yet_measured(data: Data) -> None:
    published = publish(SYSTEM, period=parse_week(WEEK))
    tables = dict(published.tables)
    tables["reception"] = {
        "rows": ["court_appearance", "check_in"],
        "columns": ["percent"],
        "cells": [["court_appearance", "percent", None, "not_measured"], ["check_in", "percent", None, "not_measured"]],
    }
    Release.objects.create(
        period_label=published.period_label,
        period_start=published.period_start,
        period_end=published.period_end,
        computed_at=published.computed_at + dt.timedelta(minutes=1),
        k=5,
        method={},
        tables=tables,
    )
    page = Client().get("/public/statistics/?lang=en")
    assert page.status_code == 200
    assert "Not yet measured: Refugio does not record" in page.content.decode()
    assert Client().get("/api/v1/statistics").json()["references"] == []
