"""Obligations calendar: the JSON API. The list reads the stored obligations only (a GET never computes);
agency appointments and asylum filings are recorded here, and the obligations follow after the commit."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING, Any

from ninja import Router, Schema, Status

from refugio.accounts.rules import Verb
from refugio.api_types import DateText, LocalTimeIn, LocalTimeOut, UUIDText, choice
from refugio.audit.request import actor_from_request
from refugio.core.api import ERRORS, Strict
from refugio.core.http import AuthedRequest
from refugio.disclosure import disclose_many, disclose_one
from refugio.obligations import selectors, services
from refugio.obligations.models import AppointmentKind, Attendance, Kind, ObligationStatus
from refugio.obligations.surfaces import APPOINTMENT_API, FILING_API, OBLIGATIONS_API

router = Router(tags=["obligations"])

if TYPE_CHECKING:  # codes are text to the type checker; their enums are for the OpenAPI document
    ObligationKindCode = str
    ObligationStatusCode = str
    AppointmentKindCode = str
    AttendanceCode = str
else:
    ObligationKindCode = choice(Kind)
    ObligationStatusCode = choice(ObligationStatus)
    AppointmentKindCode = choice(AppointmentKind)
    AttendanceCode = choice(Attendance, blank=True)


class ObligationOut(Schema):
    kind: ObligationKindCode
    label: str
    person_id: uuid.UUID | None
    due: dt.date | None
    source: str
    status: ObligationStatusCode
    status_label: str
    explanation: str


class AgencyAppointmentIn(Strict):
    person_id: uuid.UUID
    kind: AppointmentKindCode
    date: DateText
    time: LocalTimeIn | None = None
    place: str = ""
    notes: str = ""
    attendance: AttendanceCode = ""


class AgencyAppointmentOut(Schema):
    id: int
    household_id: uuid.UUID
    person_id: uuid.UUID
    kind: AppointmentKindCode
    date: dt.date
    time: LocalTimeOut | None
    place: str
    attendance: AttendanceCode


class AsylumFilingIn(Strict):
    person_id: uuid.UUID
    filed_on: DateText
    receipt_number: str = ""


class AsylumFilingOut(Schema):
    id: int
    household_id: uuid.UUID
    person_id: uuid.UUID
    filed_on: dt.date
    receipt_number: str


@router.get("/households/{household_id}/obligations", response={200: list[ObligationOut], **ERRORS})
def obligations(request: AuthedRequest, household_id: UUIDText) -> list[dict[str, Any]]:
    """The household's obligations as last computed, by due date (those without a deadline last)."""
    found = selectors.obligations_of(request.auth, household_id)
    return disclose_many(actor_from_request(request, "api"), OBLIGATIONS_API, found)


@router.post("/households/{household_id}/agency-appointments", response={201: AgencyAppointmentOut, **ERRORS})
def add_appointment(request: AuthedRequest, household_id: UUIDText, payload: AgencyAppointmentIn) -> Status:
    household = selectors.get_household(request.auth, household_id, Verb.WRITE)
    actor = actor_from_request(request, "api")
    made = services.record_agency_appointment(actor, household=household, data=payload.model_dump())
    return Status(201, disclose_one(actor, APPOINTMENT_API, made.id))


@router.post("/households/{household_id}/asylum-filings", response={201: AsylumFilingOut, **ERRORS})
def add_filing(request: AuthedRequest, household_id: UUIDText, payload: AsylumFilingIn) -> Status:
    household = selectors.get_household(request.auth, household_id, Verb.WRITE)
    actor = actor_from_request(request, "api")
    made = services.record_asylum_filing(actor, household=household, data=payload.model_dump())
    return Status(201, disclose_one(actor, FILING_API, made.id))
