"""Community case management in the JSON API: a household's plans, check-ins (recording them) and outreach, and
the organisation's own appearance and check-in rates (counts only)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from refugio.accounts.rules import Verb
from refugio.api_types import DateText, UUIDText
from refugio.audit.request import actor_from_request
from refugio.casemanagement import rates, selectors, services
from refugio.casemanagement.surfaces import CHECK_INS_API, OUTREACH_API, PLANS_API
from refugio.core.api import ERRORS, Strict
from refugio.core.errors import NotFound, ValidationFailed
from refugio.core.http import AuthedRequest
from refugio.disclosure import disclose_many, disclose_one

router = Router(tags=["casemanagement"])

CheckInModeCode = Literal["in_person", "phone", "sms"]
CheckInStatusCode = Literal["scheduled", "attended", "missed", "excused"]
PlanStatusCode = Literal["active", "closed"]
OutreachStatusCode = Literal["open", "closed"]
OutreachOutcomeCode = Literal["reached_rescheduled", "unreachable", "moved", ""]
OutreachStepCode = Literal["message", "phone_call", "visit"]


def _date(value: str | None, field: str) -> dt.date | None:
    if value in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise ValidationFailed({field: _("Write the date as YYYY-MM-DD.")}) from exc


class ScheduleOut(Schema):
    weekly_for_weeks: int
    then_every_days: int
    until: dt.date | None


class CasePlanOut(Schema):
    id: int
    household_id: uuid.UUID
    caseworker_id: int | None
    caseworker: str
    organisation: str
    status: PlanStatusCode
    started_on: dt.date
    ended_on: dt.date | None
    schedule: ScheduleOut
    goals: str
    notes: str


class CasePlanIn(Strict):
    caseworker_id: int
    started_on: DateText
    weekly_for_weeks: int = Field(4, ge=0, le=26, description="Weekly check-ins for this many weeks")
    then_every_days: int = Field(14, ge=1, le=90, description="Then one check-in every this many days")
    schedule_until: DateText | None = Field(None, description="Last day to schedule; six months when left out")
    mode: CheckInModeCode = "in_person"
    goals: str = ""
    notes: str = ""


class CheckInOut(Schema):
    id: int
    household_id: uuid.UUID
    plan_id: int
    person_name: str
    due_on: dt.date
    mode: CheckInModeCode
    status: CheckInStatusCode
    recorded_at: dt.datetime | None
    note: str


class CheckInIn(Strict):
    record: Literal["attended", "excused", "scheduled"] = Field(
        description=(
            "attended: the household checked in on `date` (today or before); the scheduled check-in "
            "`check_in_id` (or else the one due within a week of `date`) is recorded, or an unscheduled one is "
            "added. excused: the scheduled check-in `check_in_id` will not count as missed (caseworkers). "
            "scheduled: a new check-in on `date` (today or later; caseworkers)."
        )
    )
    date: DateText
    mode: CheckInModeCode
    check_in_id: int | None = None
    person_id: uuid.UUID | None = Field(None, description="The member who came; the household when left out")
    note: str = ""


class OutreachStepOut(Schema):
    kind: OutreachStepCode
    reached: bool
    done_at: dt.datetime
    sent: bool = Field(description="For a message: whether one was sent (only with the household's consent)")
    note: str


class OutreachOut(Schema):
    id: int
    household_id: uuid.UUID
    plan_id: int
    check_in_id: int
    missed_on: dt.date
    status: OutreachStatusCode
    outcome: OutreachOutcomeCode
    opened_at: dt.datetime
    closed_at: dt.datetime | None
    steps: list[OutreachStepOut]


class RateOut(Schema):
    successes: str = Field(description='A count, or "<5"')
    total: str = Field(description='A count, or "<5"')
    rate: float | None = Field(description="Not given for fewer than 5 cases")
    low: float | None = Field(description="95% Wilson score interval, lower bound")
    high: float | None = Field(description="95% Wilson score interval, upper bound")


class OrganisationRatesOut(Schema):
    organisation_id: int
    check_in: RateOut
    appearance: RateOut


def _rate(rate: rates.Rate) -> dict[str, Any]:
    return {
        "successes": rates.small_count(rate.successes),
        "total": rates.small_count(rate.total),
        "rate": rate.rate if rate.shown else None,
        "low": rate.low if rate.shown else None,
        "high": rate.high if rate.shown else None,
    }


@router.get("/households/{household_id}/case-plans", response={200: list[CasePlanOut], **ERRORS})
def case_plans(request: AuthedRequest, household_id: UUIDText) -> list[dict[str, Any]]:
    return disclose_many(actor_from_request(request, "api"), PLANS_API, selectors.plans_of(request.auth, household_id))


@router.post("/households/{household_id}/case-plans", response={201: CasePlanOut, **ERRORS})
def add_case_plan(request: AuthedRequest, household_id: UUIDText, payload: CasePlanIn) -> Status:
    household = selectors.get_plan_household(request.auth, household_id, Verb.WRITE)
    started_on = _date(payload.started_on, "started_on")
    assert started_on is not None  # noqa: S101 - DateText is required
    actor = actor_from_request(request, "api")
    plan = services.create_plan(
        actor,
        household=household,
        caseworker_id=payload.caseworker_id,
        started_on=started_on,
        weekly_for_weeks=payload.weekly_for_weeks,
        then_every_days=payload.then_every_days,
        schedule_until=_date(payload.schedule_until, "schedule_until"),
        mode=payload.mode,
        goals=payload.goals,
        notes=payload.notes,
    )
    return Status(201, disclose_one(actor, PLANS_API, plan.id))


@router.get("/households/{household_id}/check-ins", response={200: list[CheckInOut], **ERRORS})
def check_ins(request: AuthedRequest, household_id: UUIDText) -> list[dict[str, Any]]:
    found = selectors.check_ins_of(request.auth, household_id)
    return disclose_many(actor_from_request(request, "api"), CHECK_INS_API, found)


@router.post("/households/{household_id}/check-ins", response={201: CheckInOut, **ERRORS})
def record_check_in(request: AuthedRequest, household_id: UUIDText, payload: CheckInIn) -> Status:
    household = selectors.get_plan_household(
        request.auth, household_id, Verb.CREATE if payload.record == "attended" else Verb.WRITE
    )
    day = _date(payload.date, "date")
    assert day is not None  # noqa: S101 - DateText is required
    actor = actor_from_request(request, "api")
    made = services.record_check_in(
        actor,
        household=household,
        status=payload.record,
        date=day,
        mode=payload.mode,
        check_in_id=payload.check_in_id,
        person_id=payload.person_id,
        note=payload.note,
    )
    return Status(201, disclose_one(actor, CHECK_INS_API, made.id))


@router.get("/households/{household_id}/outreach", response={200: list[OutreachOut], **ERRORS})
def outreach(request: AuthedRequest, household_id: UUIDText) -> list[dict[str, Any]]:
    found = selectors.outreach_of(request.auth, household_id)
    return disclose_many(actor_from_request(request, "api"), OUTREACH_API, found)


@router.get("/case-management/rates", response={200: list[OrganisationRatesOut], **ERRORS})
def organisation_rates(
    request: HttpRequest, start: DateText | None = None, end: DateText | None = None
) -> list[dict[str, Any]]:
    """Check-in and appearance rates of the organisations whose figures the user reads (admins, analysts):
    counts only, under 5 shown as "<5", no rate for fewer than 5 cases."""
    organisations = selectors.report_organisations(getattr(request, "auth", None) or request.user)
    if not organisations:
        raise NotFound
    last = _date(end, "end") or timezone.localdate()
    first = _date(start, "start") or rates.default_start(last)
    found = selectors.appearance_and_check_in_rates([o.id for o in organisations], first, last)
    return [
        {"organisation_id": org_id, "check_in": _rate(r.check_in_rate), "appearance": _rate(r.appearance_rate)}
        for org_id, r in found.items()
    ]
