"""The obligations of each person of a household, computed from the facts already stored. No Django import.

Input: `Facts` (plain dataclasses filled by `obligations.services` from the models of several apps).
Output: a list of `Obligation`s, each with the legal source of its deadline and a status for `today`.

The rules, with their sources (docs/reception.md lists them for people):

- an immigration court hearing must be attended (INA §240(b)(5)(A): a removal order in absentia otherwise);
  a hearing in a city other than the household's is prepared backwards: an interpreter confirmed 10 days
  before (when the hearing needs a language and has none), transport booked 7 days before, a bed near
  the court 3 days before;
- change of address to the immigration court on Form EOIR-33 within 5 working days of a move
  (8 CFR 1003.15(d)(2)), for a person in proceedings;
- change of address to USCIS on Form AR-11 within 10 days of a move (INA §265(a), 8 CFR 265.1);
- the asylum application within one year of the last arrival (INA §208(a)(2)(B)); met once filed;
- the work permit: may be applied for 150 days after a complete asylum application, granted not before
  180 days on the clock (8 CFR 208.7);
- agency appointments: ICE check-ins (conditions of release, INA §236(a), 8 CFR 236.1), biometrics
  (8 CFR 103.2(b)(9), (13)), USCIS asylum interviews (8 CFR 208.9, 208.10);
- a motion to reopen an in-absentia removal order (INA §240(b)(5)(C)): within 180 days for exceptional
  circumstances (i), at any time for lack of notice or custody (ii) — computed by
  `refugio.remedies.deadlines`, the one place of that rule;
- community case-management check-ins (the household's case plan; not a legal obligation).

Business days for EOIR-33 skip Saturdays, Sundays and US federal holidays (5 U.S.C. 6103, with the
Friday/Monday observance of 5 U.S.C. 6103(b) and Executive Order 11582), computed here.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from refugio.legal.deadlines import asylum_filing_deadline
from refugio.remedies.deadlines import motion_to_reopen_deadline

DUE_SOON_DAYS = 14  # an obligation within this many days is "due soon"
EOIR33_WORKING_DAYS = 5
AR11_DAYS = 10
WORK_PERMIT_APPLY_DAYS = 150
WORK_PERMIT_GRANT_DAYS = 180
INTERPRETER_DAYS_BEFORE = 10
TRANSPORT_DAYS_BEFORE = 7
BED_DAYS_BEFORE = 3


class ObligationKind(StrEnum):
    HEARING = "hearing"
    INTERPRETER = "interpreter_confirmation"
    TRANSPORT = "transport_booking"
    BED = "bed_near_court"
    ICE_CHECK_IN = "ice_check_in"
    BIOMETRICS = "biometrics"
    USCIS_INTERVIEW = "uscis_interview"
    EOIR33 = "change_of_address_court"
    AR11 = "change_of_address_uscis"
    ASYLUM_ONE_YEAR = "asylum_one_year"
    WORK_PERMIT = "work_permit"
    MOTION_TO_REOPEN = "motion_to_reopen"
    COMMUNITY_CHECK_IN = "community_check_in"


class Status(StrEnum):
    UPCOMING = "upcoming"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    MET = "met"
    NO_DEADLINE = "no_deadline"


class Source:
    HEARING = "INA §240(b)(5)(A); 8 CFR 1003.26"
    PREPARATION = "INA §240(b)(5)(A) (reaching the hearing)"
    ICE_CHECK_IN = "INA §236(a); 8 CFR 236.1 (conditions of release)"
    BIOMETRICS = "8 CFR 103.2(b)(9), (b)(13)"
    USCIS_INTERVIEW = "8 CFR 208.9; 8 CFR 208.10"
    EOIR33 = "8 CFR 1003.15(d)(2)"
    AR11 = "INA §265(a); 8 CFR 265.1"
    ASYLUM_ONE_YEAR = "INA §208(a)(2)(B)"
    WORK_PERMIT = "8 CFR 208.7"
    COMMUNITY_CHECK_IN = "Case plan (community case management)"


# --- Facts -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonFacts:
    id: str
    arrival_date: dt.date | None = None
    immigration_court: str = ""  # a court code: the person is in removal proceedings
    next_hearing_date: dt.date | None = None  # as given at registration
    court_city: str = ""  # the city of immigration_court ("El Paso")


@dataclass(frozen=True)
class HearingFacts:
    id: str
    date: dt.date
    court: str  # a court code
    court_city: str  # "El Paso"
    person_id: str | None = None
    in_person: bool = True
    language: str = ""  # needs an interpreter for this language
    has_interpreter: bool = False


@dataclass(frozen=True)
class MoveFacts:
    id: str
    moved_on: dt.date


@dataclass(frozen=True)
class AppointmentFacts:
    id: str
    person_id: str
    kind: str  # ice_check_in / biometrics / uscis_interview
    date: dt.date
    attended: bool | None = None  # None: not recorded


@dataclass(frozen=True)
class FilingFacts:
    id: str
    person_id: str
    filed_on: dt.date


@dataclass(frozen=True)
class RemovalOrderFacts:
    id: str
    person_id: str
    order_date: dt.date
    in_absentia: bool
    reason: str = ""  # exceptional_circumstances / lack_of_notice / in_custody / ""
    motion_filed_on: dt.date | None = None


@dataclass(frozen=True)
class CheckInFacts:
    id: str
    due_on: dt.date
    status: str  # scheduled / attended / missed / excused
    person_id: str | None = None


@dataclass(frozen=True)
class Facts:
    today: dt.date
    current_city: str = ""
    people: tuple[PersonFacts, ...] = ()
    hearings: tuple[HearingFacts, ...] = ()
    moves: tuple[MoveFacts, ...] = ()
    appointments: tuple[AppointmentFacts, ...] = ()
    filings: tuple[FilingFacts, ...] = ()
    removal_orders: tuple[RemovalOrderFacts, ...] = ()
    check_ins: tuple[CheckInFacts, ...] = ()


@dataclass(frozen=True)
class Obligation:
    key: str  # stable: the same fact gives the same key, so a refresh updates in place
    kind: ObligationKind
    person_id: str | None
    due: dt.date | None
    source: str
    status: Status
    params: dict[str, Any] = field(default_factory=dict)  # what the explanation needs (ISO dates, codes)

    @property
    def explanation(self) -> str:
        """The explanation in English (pages translate their own, from `params`)."""
        return explain_en(self)


# --- Dates -------------------------------------------------------------------------------------------


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> dt.date:
    """The n-th given weekday (Monday 0) of a month; n = -1 for the last."""
    if n > 0:
        first = dt.date(year, month, 1)
        return first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    last = (dt.date(year + month // 12, month % 12 + 1, 1)) - dt.timedelta(days=1)
    return last - dt.timedelta(days=(last.weekday() - weekday) % 7)


def _observed(day: dt.date) -> dt.date:
    """A holiday on a Saturday is observed the Friday before, on a Sunday the Monday after (5 U.S.C. 6103(b))."""
    if day.weekday() == 5:
        return day - dt.timedelta(days=1)
    if day.weekday() == 6:
        return day + dt.timedelta(days=1)
    return day


def federal_holidays(year: int) -> set[dt.date]:
    """The days federal offices close in a year (5 U.S.C. 6103(a)), as observed."""
    fixed = [dt.date(year, 1, 1), dt.date(year, 7, 4), dt.date(year, 11, 11), dt.date(year, 12, 25)]
    if year >= 2021:
        fixed.append(dt.date(year, 6, 19))  # Juneteenth National Independence Day
    days = {_observed(d) for d in fixed}
    # New Year's Day of the next year falling on a Saturday is observed on 31 December of this one.
    days.add(_observed(dt.date(year + 1, 1, 1)))
    days = {d for d in days if d.year == year}
    days |= {
        _nth_weekday(year, 1, 0, 3),  # Birthday of Martin Luther King, Jr.
        _nth_weekday(year, 2, 0, 3),  # Washington's Birthday
        _nth_weekday(year, 5, 0, -1),  # Memorial Day
        _nth_weekday(year, 9, 0, 1),  # Labor Day
        _nth_weekday(year, 10, 0, 2),  # Columbus Day
        _nth_weekday(year, 11, 3, 4),  # Thanksgiving Day
    }
    return days


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in federal_holidays(day.year)


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The `days`-th working day after `start` (the day of the event itself is not counted)."""
    current = start
    counted = 0
    while counted < days:
        current += dt.timedelta(days=1)
        if is_working_day(current):
            counted += 1
    return current


def status_for(due: dt.date | None, today: dt.date, *, met: bool = False) -> Status:
    if met:
        return Status.MET
    if due is None:
        return Status.NO_DEADLINE
    if due < today:
        return Status.OVERDUE
    if (due - today).days <= DUE_SOON_DAYS:
        return Status.DUE_SOON
    return Status.UPCOMING


def city_key(text: str) -> str:
    """A city name to compare: without accents, case, state ("El Paso, TX") or extra spaces."""
    city = text.split(",")[0]
    plain = "".join(c for c in unicodedata.normalize("NFKD", city) if not unicodedata.combining(c))
    return " ".join(plain.casefold().replace("(mpp)", " ").split())


# --- Rules -------------------------------------------------------------------------------------------


def _hearing_obligations(facts: Facts) -> list[Obligation]:
    out: list[Obligation] = []
    recorded = {(h.date, h.court) for h in facts.hearings}
    hearings = list(facts.hearings)
    # A hearing date a person gave at registration counts until a recorded hearing replaces it.
    for person in facts.people:
        if person.next_hearing_date and (person.next_hearing_date, person.immigration_court) not in recorded:
            hearings.append(
                HearingFacts(
                    id=f"given-{person.id}",
                    date=person.next_hearing_date,
                    court=person.immigration_court,
                    court_city=person.court_city,
                    person_id=person.id,
                )
            )
    here = city_key(facts.current_city)
    for hearing in hearings:
        if hearing.date < facts.today:
            continue  # over; a missed hearing shows as a removal order
        params = {"date": hearing.date.isoformat(), "court": hearing.court}
        out.append(
            Obligation(
                f"hearing:{hearing.id}",
                ObligationKind.HEARING,
                hearing.person_id,
                hearing.date,
                Source.HEARING,
                status_for(hearing.date, facts.today),
                params,
            )
        )
        elsewhere = bool(hearing.court_city) and bool(here) and city_key(hearing.court_city) != here
        if not (hearing.in_person and elsewhere):
            continue
        steps = [(ObligationKind.TRANSPORT, TRANSPORT_DAYS_BEFORE), (ObligationKind.BED, BED_DAYS_BEFORE)]
        if hearing.language and not hearing.has_interpreter:
            steps.insert(0, (ObligationKind.INTERPRETER, INTERPRETER_DAYS_BEFORE))
        for kind, days in steps:
            due = hearing.date - dt.timedelta(days=days)
            out.append(
                Obligation(
                    f"{kind.value}:{hearing.id}",
                    kind,
                    hearing.person_id,
                    due,
                    Source.PREPARATION,
                    status_for(due, facts.today),
                    {**params, "days": days, "language": hearing.language},
                )
            )
    return out


def _address_obligations(facts: Facts) -> list[Obligation]:
    """EOIR-33 and AR-11 after the latest move: a later address supersedes an earlier one, and reporting
    the current address is what the rules ask."""
    if not facts.moves:
        return []
    move = max(facts.moves, key=lambda m: (m.moved_on, m.id))
    in_court = {h.person_id for h in facts.hearings} | {o.person_id for o in facts.removal_orders}
    household_in_court = None in in_court  # a hearing of the whole household
    out: list[Obligation] = []
    for person in facts.people:
        params = {"moved_on": move.moved_on.isoformat()}
        if person.immigration_court or person.id in in_court or household_in_court:
            due = add_working_days(move.moved_on, EOIR33_WORKING_DAYS)
            out.append(
                Obligation(
                    f"eoir33:{move.id}:{person.id}",
                    ObligationKind.EOIR33,
                    person.id,
                    due,
                    Source.EOIR33,
                    status_for(due, facts.today),
                    {**params, "days": EOIR33_WORKING_DAYS},
                )
            )
        due = move.moved_on + dt.timedelta(days=AR11_DAYS)
        out.append(
            Obligation(
                f"ar11:{move.id}:{person.id}",
                ObligationKind.AR11,
                person.id,
                due,
                Source.AR11,
                status_for(due, facts.today),
                {**params, "days": AR11_DAYS},
            )
        )
    return out


def _asylum_obligations(facts: Facts) -> list[Obligation]:
    out: list[Obligation] = []
    filed: dict[str, dt.date] = {}
    for filing in facts.filings:
        if filing.person_id not in filed or filing.filed_on < filed[filing.person_id]:
            filed[filing.person_id] = filing.filed_on
    for person in facts.people:
        filed_on = filed.get(person.id)
        if person.arrival_date is not None:
            due = asylum_filing_deadline(person.arrival_date)
            params: dict[str, Any] = {"arrival_date": person.arrival_date.isoformat()}
            if filed_on is not None:
                params["filed_on"] = filed_on.isoformat()
                params["late"] = filed_on > due
            out.append(
                Obligation(
                    f"asylum:{person.id}",
                    ObligationKind.ASYLUM_ONE_YEAR,
                    person.id,
                    due,
                    Source.ASYLUM_ONE_YEAR,
                    status_for(due, facts.today, met=filed_on is not None),
                    params,
                )
            )
        if filed_on is not None:
            may_apply = filed_on + dt.timedelta(days=WORK_PERMIT_APPLY_DAYS)
            out.append(
                Obligation(
                    f"work_permit:{person.id}",
                    ObligationKind.WORK_PERMIT,
                    person.id,
                    may_apply,
                    Source.WORK_PERMIT,
                    # The clock's wait is "met" once the 150 days have run: the person may apply.
                    status_for(may_apply, facts.today, met=may_apply <= facts.today),
                    {
                        "filed_on": filed_on.isoformat(),
                        "grant_from": (filed_on + dt.timedelta(days=WORK_PERMIT_GRANT_DAYS)).isoformat(),
                    },
                )
            )
    return out


APPOINTMENT_KINDS = {
    "ice_check_in": (ObligationKind.ICE_CHECK_IN, Source.ICE_CHECK_IN),
    "biometrics": (ObligationKind.BIOMETRICS, Source.BIOMETRICS),
    "uscis_interview": (ObligationKind.USCIS_INTERVIEW, Source.USCIS_INTERVIEW),
}


def _appointment_obligations(facts: Facts) -> list[Obligation]:
    out = []
    for appointment in facts.appointments:
        kind, source = APPOINTMENT_KINDS[appointment.kind]
        status = status_for(appointment.date, facts.today, met=appointment.attended is True)
        if appointment.attended is False:
            status = Status.OVERDUE
        out.append(
            Obligation(
                f"appointment:{appointment.id}",
                kind,
                appointment.person_id,
                appointment.date,
                source,
                status,
                {"date": appointment.date.isoformat(), "attended": appointment.attended},
            )
        )
    return out


def _motion_obligations(facts: Facts) -> list[Obligation]:
    out = []
    for order in facts.removal_orders:
        deadline = motion_to_reopen_deadline(order.order_date, order.in_absentia, order.reason or None)
        met = order.motion_filed_on is not None
        params: dict[str, Any] = {
            "order_date": order.order_date.isoformat(),
            "in_absentia": order.in_absentia,
            "reason": order.reason,
            "stay": deadline.automatic_stay,
        }
        if met:
            params["filed_on"] = order.motion_filed_on.isoformat() if order.motion_filed_on else None
        out.append(
            Obligation(
                f"motion:{order.id}",
                ObligationKind.MOTION_TO_REOPEN,
                order.person_id,
                deadline.due,
                deadline.source or "INA §240(b)(5)(C)",
                status_for(deadline.due, facts.today, met=met),
                params,
            )
        )
    return out


def _check_in_obligations(facts: Facts) -> list[Obligation]:
    out = []
    for check_in in facts.check_ins:
        if check_in.status in ("attended", "excused"):
            status = Status.MET
        elif check_in.status == "missed":
            status = Status.OVERDUE
        else:
            status = status_for(check_in.due_on, facts.today)
        out.append(
            Obligation(
                f"check_in:{check_in.id}",
                ObligationKind.COMMUNITY_CHECK_IN,
                check_in.person_id,
                check_in.due_on,
                Source.COMMUNITY_CHECK_IN,
                status,
                {"date": check_in.due_on.isoformat(), "check_in_status": check_in.status},
            )
        )
    return out


def obligations(facts: Facts) -> list[Obligation]:
    """Every obligation of the household, sorted by due date (those without one last)."""
    found = (
        _hearing_obligations(facts)
        + _address_obligations(facts)
        + _asylum_obligations(facts)
        + _appointment_obligations(facts)
        + _motion_obligations(facts)
        + _check_in_obligations(facts)
    )
    return sort_by_due(found)


def sort_by_due(items: Iterable[Obligation]) -> list[Obligation]:
    return sorted(items, key=lambda o: (o.due is None, o.due or dt.date.min, o.kind.value, o.key))


# --- Explanations (English; pages translate their own from the same params) ------------------------


def explain_en(o: Obligation) -> str:  # noqa: C901 - one sentence per kind
    p = o.params
    k = o.kind
    if k == ObligationKind.HEARING:
        return f"Immigration court hearing on {p['date']}: missing it leads to a removal order in absentia."
    if k == ObligationKind.INTERPRETER:
        return f"The hearing needs an interpreter: confirm one {p['days']} days before the hearing."
    if k == ObligationKind.TRANSPORT:
        return f"The court is in another city: book transport {p['days']} days before the hearing."
    if k == ObligationKind.BED:
        return f"The court is in another city: find a bed near it {p['days']} days before the hearing."
    if k in (ObligationKind.ICE_CHECK_IN, ObligationKind.BIOMETRICS, ObligationKind.USCIS_INTERVIEW):
        return f"Appointment on {p['date']}." + (" Attended." if p.get("attended") else "")
    if k == ObligationKind.EOIR33:
        return f"Moved on {p['moved_on']}: file Form EOIR-33 with the immigration court within 5 working days."
    if k == ObligationKind.AR11:
        return f"Moved on {p['moved_on']}: file Form AR-11 with USCIS within 10 days."
    if k == ObligationKind.ASYLUM_ONE_YEAR:
        if "filed_on" in p:
            late = " (after the one-year deadline: an exception must be shown)" if p.get("late") else ""
            return f"Asylum application filed on {p['filed_on']}{late}."
        return f"File the asylum application within one year of the last arrival ({p['arrival_date']})."
    if k == ObligationKind.WORK_PERMIT:
        return (
            f"Asylum application filed on {p['filed_on']}: the work permit may be applied for after 150 days; "
            f"it cannot be granted before {p['grant_from']} (180 days on the clock)."
        )
    if k == ObligationKind.MOTION_TO_REOPEN:
        if not p.get("in_absentia"):
            return "The order was not made in absentia: no in-absentia motion to reopen applies."
        if o.due is None:
            return "The motion to reopen may be filed at any time; filing it stays removal."
        return "File the motion to reopen within 180 days of the order; filing it stays removal."
    return f"Check-in with the caseworker on {p['date']}."
