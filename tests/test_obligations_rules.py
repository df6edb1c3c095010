"""The obligation rules alone (refugio.obligations.rules, no Django), each with its legal source."""

from __future__ import annotations

import datetime as dt

import pytest

from refugio.obligations.rules import (
    AppointmentFacts,
    CheckInFacts,
    Facts,
    FilingFacts,
    HearingFacts,
    MoveFacts,
    ObligationKind,
    PersonFacts,
    RemovalOrderFacts,
    Status,
    add_working_days,
    city_key,
    federal_holidays,
    obligations,
    status_for,
)

D = dt.date
TODAY = D(2026, 6, 1)
ADULT = PersonFacts(id="p1", immigration_court="ELP", court_city="El Paso")
CHILD = PersonFacts(id="p2")


def _of(facts: Facts, kind: ObligationKind) -> list:
    return [o for o in obligations(facts) if o.kind == kind]


# --- Business days (EOIR-33) -----------------------------------------------------------------------


def test_federal_holidays_with_observance() -> None:
    # 5 U.S.C. 6103: Juneteenth 2027 is a Saturday (observed Friday 18), 4 July a Sunday (observed Monday 5),
    # New Year's Day 2028 a Saturday (observed Friday 31 December 2027).
    days = federal_holidays(2027)
    assert {D(2027, 6, 18), D(2027, 7, 5), D(2027, 12, 31), D(2027, 11, 25), D(2027, 9, 6)} <= days
    assert D(2027, 6, 19) not in days and D(2027, 7, 4) not in days
    assert len(days) == 12  # 11 holidays + the next New Year observed in this year


def test_eoir33_move_on_a_friday_before_labor_day() -> None:
    # Friday 4 September 2026; Monday 7 is Labor Day: Tue 8, Wed 9, Thu 10, Fri 11, Mon 14.
    assert add_working_days(D(2026, 9, 4), 5) == D(2026, 9, 14)
    facts = Facts(today=D(2026, 9, 5), people=(ADULT,), moves=(MoveFacts("m1", D(2026, 9, 4)),))
    [eoir] = _of(facts, ObligationKind.EOIR33)
    assert eoir.due == D(2026, 9, 14)
    assert eoir.source == "8 CFR 1003.15(d)(2)"
    assert eoir.status == Status.DUE_SOON
    assert eoir.person_id == "p1"


def test_eoir33_over_christmas_and_only_for_people_in_proceedings() -> None:
    facts = Facts(today=D(2026, 12, 18), people=(ADULT, CHILD), moves=(MoveFacts("m1", D(2026, 12, 18)),))
    eoir = _of(facts, ObligationKind.EOIR33)
    assert [o.person_id for o in eoir] == ["p1"]  # the child has no court case
    assert eoir[0].due == D(2026, 12, 28)  # 21, 22, 23, 24, (25 Christmas), 28


def test_ar11_ten_calendar_days_for_everyone_after_the_latest_move() -> None:
    moves = (MoveFacts("old", D(2026, 1, 5)), MoveFacts("new", D(2026, 5, 29)))
    facts = Facts(today=TODAY, people=(ADULT, CHILD), moves=moves)
    ar11 = _of(facts, ObligationKind.AR11)
    assert {o.person_id for o in ar11} == {"p1", "p2"}
    assert {o.due for o in ar11} == {D(2026, 6, 8)}  # a weekend or holiday does not stop the count
    assert {o.source for o in ar11} == {"INA §265(a); 8 CFR 265.1"}
    assert all(o.key.startswith("ar11:new:") for o in ar11)


# --- One year, work permit ---------------------------------------------------------------------------


def test_one_year_deadline_from_last_arrival() -> None:
    facts = Facts(today=TODAY, people=(PersonFacts(id="p1", arrival_date=D(2026, 1, 10)),))
    [one_year] = _of(facts, ObligationKind.ASYLUM_ONE_YEAR)
    assert (one_year.due, one_year.status, one_year.source) == (D(2027, 1, 10), Status.UPCOMING, "INA §208(a)(2)(B)")
    late = Facts(today=D(2027, 2, 1), people=facts.people)
    assert _of(late, ObligationKind.ASYLUM_ONE_YEAR)[0].status == Status.OVERDUE


def test_filing_already_made_meets_the_one_year_deadline_and_starts_the_work_permit_clock() -> None:
    person = PersonFacts(id="p1", arrival_date=D(2025, 12, 1))
    facts = Facts(today=TODAY, people=(person,), filings=(FilingFacts("f1", "p1", D(2026, 1, 1)),))
    [one_year] = _of(facts, ObligationKind.ASYLUM_ONE_YEAR)
    assert one_year.status == Status.MET
    assert one_year.params["late"] is False
    [permit] = _of(facts, ObligationKind.WORK_PERMIT)
    # 8 CFR 208.7: may apply 150 days after filing; not granted before 180 days.
    assert permit.due == D(2026, 5, 31)
    assert permit.params["grant_from"] == "2026-06-30"
    assert permit.source == "8 CFR 208.7"
    assert permit.status == Status.MET  # the 150 days have run on 1 June
    before = Facts(today=D(2026, 5, 1), people=(person,), filings=facts.filings)
    assert _of(before, ObligationKind.WORK_PERMIT)[0].status == Status.UPCOMING


def test_a_late_filing_is_marked_late() -> None:
    person = PersonFacts(id="p1", arrival_date=D(2024, 2, 29))  # leap day: the deadline is 28 February
    facts = Facts(today=TODAY, people=(person,), filings=(FilingFacts("f1", "p1", D(2025, 3, 1)),))
    [one_year] = _of(facts, ObligationKind.ASYLUM_ONE_YEAR)
    assert one_year.due == D(2025, 2, 28)
    assert one_year.params["late"] is True


# --- Motion to reopen --------------------------------------------------------------------------------


def test_in_absentia_exceptional_circumstances_180_days() -> None:
    order = RemovalOrderFacts("o1", "p1", D(2026, 3, 1), in_absentia=True, reason="exceptional_circumstances")
    [motion] = _of(Facts(today=TODAY, people=(ADULT,), removal_orders=(order,)), ObligationKind.MOTION_TO_REOPEN)
    assert motion.due == D(2026, 8, 28)
    assert motion.source == "INA §240(b)(5)(C)(i)"
    assert motion.status == Status.UPCOMING
    assert motion.params["stay"] is True


@pytest.mark.parametrize("reason", ["lack_of_notice", "in_custody"])
def test_lack_of_notice_or_custody_has_no_deadline(reason: str) -> None:
    order = RemovalOrderFacts("o1", "p1", D(2020, 3, 1), in_absentia=True, reason=reason)
    [motion] = _of(Facts(today=TODAY, people=(ADULT,), removal_orders=(order,)), ObligationKind.MOTION_TO_REOPEN)
    assert motion.due is None
    assert motion.status == Status.NO_DEADLINE
    assert motion.source == "INA §240(b)(5)(C)(ii)"


def test_a_filed_motion_is_met() -> None:
    order = RemovalOrderFacts(
        "o1", "p1", D(2026, 3, 1), True, "exceptional_circumstances", motion_filed_on=D(2026, 4, 1)
    )
    [motion] = _of(
        Facts(today=D(2026, 12, 1), people=(ADULT,), removal_orders=(order,)), ObligationKind.MOTION_TO_REOPEN
    )
    assert motion.status == Status.MET


# --- Hearings and what reaching them takes -----------------------------------------------------------


def _hearing(**extra: object) -> HearingFacts:
    values: dict = {"id": "h1", "date": D(2026, 7, 1), "court": "ELP", "court_city": "El Paso", "person_id": "p1"}
    values.update(extra)
    return HearingFacts(**values)


def test_hearing_in_another_city_is_prepared_backwards() -> None:
    facts = Facts(today=TODAY, current_city="Ciudad Juárez", people=(ADULT,), hearings=(_hearing(language="mam"),))
    found = {o.kind: o for o in obligations(facts)}
    assert found[ObligationKind.HEARING].due == D(2026, 7, 1)
    assert found[ObligationKind.INTERPRETER].due == D(2026, 6, 21)  # 10 days before
    assert found[ObligationKind.TRANSPORT].due == D(2026, 6, 24)  # 7 days before
    assert found[ObligationKind.BED].due == D(2026, 6, 28)  # 3 days before
    assert found[ObligationKind.HEARING].source == "INA §240(b)(5)(A); 8 CFR 1003.26"


def test_no_interpreter_step_when_one_is_assigned_or_none_needed() -> None:
    for hearing in (_hearing(language="mam", has_interpreter=True), _hearing(language="")):
        facts = Facts(today=TODAY, current_city="Ciudad Juárez", people=(ADULT,), hearings=(hearing,))
        kinds = {o.kind for o in obligations(facts)}
        assert ObligationKind.INTERPRETER not in kinds
        assert ObligationKind.TRANSPORT in kinds


def test_no_travel_for_a_hearing_in_the_same_city_or_remote() -> None:
    same = Facts(today=TODAY, current_city="el paso ", people=(ADULT,), hearings=(_hearing(language="mam"),))
    remote = Facts(today=TODAY, current_city="Tijuana", people=(ADULT,), hearings=(_hearing(in_person=False),))
    for facts in (same, remote):
        assert [o.kind for o in obligations(facts)] == [ObligationKind.HEARING]


def test_a_past_hearing_is_no_obligation_and_a_registration_date_counts_until_recorded() -> None:
    past = Facts(today=TODAY, people=(ADULT,), hearings=(_hearing(date=D(2026, 5, 1)),))
    assert obligations(past) == []
    given = PersonFacts(id="p1", immigration_court="SDI", court_city="San Diego", next_hearing_date=D(2026, 9, 1))
    facts = Facts(today=TODAY, current_city="Tijuana", people=(given,))
    kinds = sorted(o.kind.value for o in obligations(facts))
    assert kinds == ["bed_near_court", "hearing", "transport_booking"]
    recorded = Facts(
        today=TODAY,
        current_city="Tijuana",
        people=(given,),
        hearings=(_hearing(court="SDI", court_city="San Diego", date=D(2026, 9, 1)),),
    )
    assert [o.key for o in obligations(recorded) if o.kind == ObligationKind.HEARING] == ["hearing:h1"]


def test_city_key() -> None:
    assert city_key("San Diego, CA") == city_key("  san  DIEGO ")
    assert city_key("Ciudad Juárez") == "ciudad juarez"
    assert city_key("Brownsville (MPP), TX") == "brownsville"


# --- Appointments, check-ins, statuses, order ---------------------------------------------------------


def test_appointments_and_check_ins() -> None:
    facts = Facts(
        today=TODAY,
        people=(ADULT,),
        appointments=(
            AppointmentFacts("a1", "p1", "ice_check_in", D(2026, 6, 5)),
            AppointmentFacts("a2", "p1", "biometrics", D(2026, 5, 5), attended=True),
            AppointmentFacts("a3", "p1", "uscis_interview", D(2026, 5, 6), attended=False),
        ),
        check_ins=(CheckInFacts("c1", D(2026, 5, 20), "missed"), CheckInFacts("c2", D(2026, 8, 1), "scheduled")),
    )
    found = {o.key: o for o in obligations(facts)}
    assert found["appointment:a1"].status == Status.DUE_SOON
    assert found["appointment:a1"].source == "INA §236(a); 8 CFR 236.1 (conditions of release)"
    assert found["appointment:a2"].status == Status.MET
    assert found["appointment:a3"].status == Status.OVERDUE
    assert found["appointment:a3"].source == "8 CFR 208.9; 8 CFR 208.10"
    assert found["check_in:c1"].status == Status.OVERDUE
    assert found["check_in:c2"].status == Status.UPCOMING


def test_status_windows() -> None:
    assert status_for(None, TODAY) == Status.NO_DEADLINE
    assert status_for(TODAY - dt.timedelta(days=1), TODAY) == Status.OVERDUE
    assert status_for(TODAY, TODAY) == Status.DUE_SOON
    assert status_for(TODAY + dt.timedelta(days=14), TODAY) == Status.DUE_SOON
    assert status_for(TODAY + dt.timedelta(days=15), TODAY) == Status.UPCOMING
    assert status_for(TODAY - dt.timedelta(days=9), TODAY, met=True) == Status.MET


def test_sorted_by_due_without_deadline_last() -> None:
    facts = Facts(
        today=TODAY,
        people=(PersonFacts(id="p1", arrival_date=D(2026, 1, 10)),),
        removal_orders=(RemovalOrderFacts("o1", "p1", D(2026, 1, 1), True, "lack_of_notice"),),
        appointments=(AppointmentFacts("a1", "p1", "biometrics", D(2026, 6, 5)),),
    )
    assert [o.due for o in obligations(facts)] == [D(2026, 6, 5), D(2027, 1, 10), None]
