"""Remedies for removal orders: the JSON API (removal orders with their motion-to-reopen deadline, motions to
reopen and their DOCX draft, MPP cases)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING, Any, TypeAlias

from django.http import HttpResponse
from ninja import Router, Schema, Status

from refugio.accounts.rules import Verb
from refugio.api_types import CourtCode, CourtCodeOrBlank, DateText, UUIDText, choice
from refugio.audit.request import actor_from_request
from refugio.core.api import ERRORS, Strict, given
from refugio.core.http import AuthedRequest
from refugio.disclosure import disclose_many, disclose_one
from refugio.remedies import selectors, services
from refugio.remedies.models import MotionStatus, MPPPhase, MPPStatus, ReopeningReason
from refugio.remedies.surfaces import MOTIONS_API, MPP_API, ORDERS_API
from refugio.remedies.views import motion_document

router = Router(tags=["remedies"])

# Each choice is an enum in the OpenAPI document; the type checker reads them as the str (int) they are.
if TYPE_CHECKING:
    ReasonCode: TypeAlias = str
    ReasonCodeOrBlank: TypeAlias = str
    MotionStatusCode: TypeAlias = str
    DecisionCode: TypeAlias = str
    MPPStatusCode: TypeAlias = str
    MPPPhaseCode: TypeAlias = int
else:
    ReasonCode = choice(ReopeningReason)
    ReasonCodeOrBlank = choice(ReopeningReason, blank=True)
    MotionStatusCode = choice(MotionStatus)
    DecisionCode = choice([MotionStatus.GRANTED.value, MotionStatus.DENIED.value, MotionStatus.WITHDRAWN.value])
    MPPStatusCode = choice(MPPStatus)
    MPPPhaseCode = choice(MPPPhase)


class RemovalOrderIn(Strict):
    person_id: uuid.UUID
    order_date: DateText
    in_absentia: bool
    reason: ReasonCode | None = None
    court: CourtCode | None = None  # the person's court when left out


class MotionDeadlineOut(Schema):
    due: dt.date | None  # null: no deadline
    days_left: int | None
    source: str  # the provision, e.g. "INA §240(b)(5)(C)(i)"
    explanation: str  # English, stable
    words: str  # the same in the reader's language
    automatic_stay: bool  # filing the motion stays removal
    in_absentia_motion: bool  # false: the order was not made in absentia


class RemovalOrderOut(Schema):
    id: int
    household_id: uuid.UUID
    person_id: uuid.UUID
    person_name: str
    order_date: dt.date
    court: CourtCode
    in_absentia: bool
    reason: ReasonCodeOrBlank
    motion_deadline: MotionDeadlineOut


class MotionOut(Schema):
    id: int
    order_id: int
    household_id: uuid.UUID
    status: MotionStatusCode
    filed_on: dt.date | None
    decided_on: dt.date | None
    decision_notes: str


class FileIn(Strict):
    filed_on: DateText


class DecisionIn(Strict):
    outcome: DecisionCode
    decided_on: DateText
    notes: str = ""


class MPPCaseIn(Strict):
    person_id: uuid.UUID
    status: MPPStatusCode
    court: CourtCodeOrBlank = ""
    enrolled_on: DateText | None = None
    status_date: DateText | None = None
    details: str = ""


class MPPCaseUpdate(Strict):
    status: MPPStatusCode | None = None
    court: CourtCodeOrBlank | None = None
    status_date: DateText | None = None
    details: str | None = None


class MPPCaseOut(Schema):
    id: int
    household_id: uuid.UUID
    person_id: uuid.UUID
    person_name: str
    status: MPPStatusCode
    phase: MPPPhaseCode  # the 2021 wind-down phase: 1 active, 2 terminated or dismissed, 3 in-absentia order
    court: CourtCodeOrBlank
    enrolled_on: dt.date | None
    status_date: dt.date | None
    details: str


def _order_out(shown: dict[str, Any]) -> dict[str, Any]:
    deadline = shown["motion_deadline"]
    return {
        **shown,
        "motion_deadline": {**deadline, "days_left": shown["days_left"], "words": shown["motion_deadline_label"]},
    }


@router.get("/households/{household_id}/removal-orders", response={200: list[RemovalOrderOut], **ERRORS})
def removal_orders(request: AuthedRequest, household_id: UUIDText) -> list[dict[str, Any]]:
    found = selectors.orders_of(request.auth, household_id)
    return [_order_out(o) for o in disclose_many(actor_from_request(request, "api"), ORDERS_API, found)]


@router.post("/households/{household_id}/removal-orders", response={201: RemovalOrderOut, **ERRORS})
def add_removal_order(request: AuthedRequest, household_id: UUIDText, payload: RemovalOrderIn) -> Status:
    household = selectors.get_remedy_case(request.auth, household_id, Verb.WRITE)
    actor = actor_from_request(request, "api")
    data = payload.model_dump()
    made = services.record_removal_order(actor, household=household, data=data)
    return Status(201, _order_out(disclose_one(actor, ORDERS_API, made.id)))


@router.get("/households/{household_id}/motions", response={200: list[MotionOut], **ERRORS})
def motions(request: AuthedRequest, household_id: UUIDText) -> list[dict[str, Any]]:
    found = selectors.motions_of(request.auth, household_id)
    return disclose_many(actor_from_request(request, "api"), MOTIONS_API, found)


@router.post("/removal-orders/{removal_order_id}/motions", response={201: MotionOut, **ERRORS})
def draft_motion(request: AuthedRequest, removal_order_id: int) -> Status:
    order = selectors.get_order(request.auth, removal_order_id, Verb.WRITE)
    actor = actor_from_request(request, "api")
    made = services.draft_motion(actor, order=order)
    return Status(201, disclose_one(actor, MOTIONS_API, made.id))


@router.post("/motions/{reopen_motion_id}/file", response={200: MotionOut, **ERRORS})
def file_motion(request: AuthedRequest, reopen_motion_id: int, payload: FileIn) -> dict[str, Any]:
    motion = selectors.get_motion(request.auth, reopen_motion_id, Verb.WRITE)
    actor = actor_from_request(request, "api")
    services.file_motion(actor, motion=motion, filed_on=payload.filed_on)
    return disclose_one(actor, MOTIONS_API, motion.id)


@router.post("/motions/{reopen_motion_id}/decision", response={200: MotionOut, **ERRORS})
def decide_motion(request: AuthedRequest, reopen_motion_id: int, payload: DecisionIn) -> dict[str, Any]:
    motion = selectors.get_motion(request.auth, reopen_motion_id, Verb.WRITE)
    actor = actor_from_request(request, "api")
    services.decide_motion(
        actor, motion=motion, outcome=payload.outcome, decided_on=payload.decided_on, notes=payload.notes
    )
    return disclose_one(actor, MOTIONS_API, motion.id)


@router.get("/motions/{reopen_motion_id}/draft.docx", response={200: None, **ERRORS})
def motion_draft_document(request: AuthedRequest, reopen_motion_id: int) -> HttpResponse:
    """The draft motion (DOCX, in English). It carries the case facts: each download is audited."""
    return motion_document(actor_from_request(request, "api"), reopen_motion_id)


@router.get("/households/{household_id}/mpp-cases", response={200: list[MPPCaseOut], **ERRORS})
def mpp_cases(request: AuthedRequest, household_id: UUIDText) -> list[dict[str, Any]]:
    found = selectors.mpp_cases_of(request.auth, household_id)
    return disclose_many(actor_from_request(request, "api"), MPP_API, found)


@router.post("/households/{household_id}/mpp-cases", response={201: MPPCaseOut, **ERRORS})
def add_mpp_case(request: AuthedRequest, household_id: UUIDText, payload: MPPCaseIn) -> Status:
    household = selectors.get_remedy_case(request.auth, household_id, Verb.WRITE)
    actor = actor_from_request(request, "api")
    made = services.record_mpp_case(actor, household=household, data=payload.model_dump())
    return Status(201, disclose_one(actor, MPP_API, made.id))


@router.patch("/mpp-cases/{mpp_case_id}", response={200: MPPCaseOut, **ERRORS})
def update_mpp_case(request: AuthedRequest, mpp_case_id: int, payload: MPPCaseUpdate) -> dict[str, Any]:
    case = selectors.get_mpp_case(request.auth, mpp_case_id, Verb.WRITE)
    actor = actor_from_request(request, "api")
    services.update_mpp_case(actor, case=case, data=given(payload))
    return disclose_one(actor, MPP_API, case.id)
