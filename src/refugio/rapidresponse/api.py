"""Rapid response in the JSON API. Thin: selectors decide access, services write, the disclosure layer shows."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema, Status
from pydantic import Field

from refugio.accounts.rules import Verb
from refugio.api_types import CategoryCode, EscalationStatusCode, TierNumber, TZDatetime, UUIDText, choice
from refugio.audit.request import actor_from_request
from refugio.core.api import ERRORS, Strict, given
from refugio.core.http import AuthedRequest
from refugio.disclosure import disclose_many, disclose_one
from refugio.rapidresponse import selectors, services
from refugio.rapidresponse.models import (
    AlertChannel,
    AlertKind,
    AlertStatus,
    ChecklistStep,
    Decision,
    NotifiedAs,
    Outcome,
)
from refugio.rapidresponse.presentation import stay_document_response
from refugio.rapidresponse.surfaces import ALERT_API, ALERT_ROW, STAY_ROW

router = Router(tags=["rapidresponse"])

if TYPE_CHECKING:  # codes are text to the type checker; their enums are for the OpenAPI document
    AlertKindCode = str
    AlertChannelCode = str
    AlertStatusCode = str
    OutcomeCodeOrBlank = str
    ChecklistStepCode = str
    DecisionCode = str
    NotifiedAsCode = str
else:
    AlertKindCode = choice(AlertKind)
    AlertChannelCode = choice(AlertChannel)
    AlertStatusCode = choice(AlertStatus)
    OutcomeCodeOrBlank = choice(Outcome, blank=True)
    ChecklistStepCode = choice(ChecklistStep)
    DecisionCode = choice(Decision)
    NotifiedAsCode = choice(NotifiedAs)


class AlertIn(Strict):
    kind: AlertKindCode
    person_id: uuid.UUID | None = None
    facility: str = Field("", description="Where the person is held, if known")
    city: str = ""
    details: str = ""
    office_id: int | None = Field(None, description="The agency office; default: an ICE field office")


class AlertOfficeRef(Schema):
    id: int
    name: str


class AlertEscalationRef(Schema):
    id: uuid.UUID
    reference: str
    office: AlertOfficeRef
    category: CategoryCode
    status: EscalationStatusCode
    tier: TierNumber
    acknowledge_by: TZDatetime
    resolve_by: TZDatetime


class AlertChecklistOut(Schema):
    step: ChecklistStepCode
    step_label: str
    done: bool
    done_at: TZDatetime | None
    done_by: str
    note: str


class AlertNotificationOut(Schema):
    user: str
    notified_as: NotifiedAsCode
    created_at: TZDatetime
    sent_at: TZDatetime | None


class AlertOut(Schema):
    id: uuid.UUID
    reference: str
    household_id: uuid.UUID
    registration_code: str
    person_name: str
    kind: AlertKindCode
    channel: AlertChannelCode
    status: AlertStatusCode
    outcome: OutcomeCodeOrBlank
    facility: str
    city: str
    details: str
    created_at: TZDatetime
    located_at: TZDatetime | None
    resolved_at: TZDatetime | None
    closed_at: TZDatetime | None
    escalation: AlertEscalationRef | None
    checklist: list[AlertChecklistOut]
    notifications: list[AlertNotificationOut]


class AlertRowOut(Schema):
    id: uuid.UUID
    reference: str
    household_id: uuid.UUID
    registration_code: str
    kind: AlertKindCode
    channel: AlertChannelCode
    status: AlertStatusCode
    created_at: TZDatetime
    escalation: AlertEscalationRef | None


class AlertChecklistIn(Strict):
    done: bool
    note: str = ""


class AlertStatusIn(Strict):
    status: AlertStatusCode
    outcome: OutcomeCodeOrBlank = ""


class StayRequestIn(Strict):
    grounds: str = ""


class StayRequestPatch(Strict):
    filed_on: dt.date | None = None
    decision: DecisionCode | None = None
    decided_on: dt.date | None = None
    grounds: str | None = None


class StayRequestOut(Schema):
    id: uuid.UUID
    alert_id: uuid.UUID
    drafted_at: TZDatetime
    filed_on: dt.date | None
    decision: DecisionCode
    decided_on: dt.date | None
    grounds: str


def _alert(request: HttpRequest, alert_id: Any) -> dict[str, Any]:  # noqa: ANN401
    return disclose_one(actor_from_request(request, "api"), ALERT_API, alert_id)


@router.post("/households/{household_id}/detention-alerts", response={201: AlertOut, **ERRORS})
def raise_alert(request: AuthedRequest, household_id: UUIDText, payload: AlertIn) -> Status:
    """Report a detention or an imminent removal: opens a tier-1 escalation to the agency office and tells the
    case's attorney and the organisation's person on call at once."""
    household = selectors.get_household_for_alert(request.auth, household_id)
    alert = services.raise_alert(
        actor_from_request(request, "api"),
        household=household,
        kind=payload.kind,
        person_id=str(payload.person_id) if payload.person_id else None,
        facility=payload.facility,
        city=payload.city,
        details=payload.details,
        office_id=payload.office_id,
    )
    return Status(201, _alert(request, alert.id))


@router.get("/detention-alerts", response={200: list[AlertRowOut], **ERRORS})
def list_alerts(request: AuthedRequest) -> list[dict[str, Any]]:
    """The open (not closed) alerts of the caller's organisations' cases, newest first."""
    return disclose_many(actor_from_request(request, "api"), ALERT_ROW, selectors.open_alerts(request.auth)[:300])


@router.get("/detention-alerts/{alert_id}", response={200: AlertOut, **ERRORS})
def read_alert(request: HttpRequest, alert_id: UUIDText) -> dict[str, Any]:
    return _alert(request, alert_id)


@router.post("/detention-alerts/{alert_id}/checklist/{step}", response={200: AlertOut, **ERRORS})
def update_checklist(
    request: AuthedRequest, alert_id: UUIDText, step: ChecklistStepCode, payload: AlertChecklistIn
) -> dict[str, Any]:
    alert = selectors.get_alert(request.auth, alert_id)
    services.update_checklist(
        actor_from_request(request, "api"), alert=alert, step=step, done=payload.done, note=payload.note
    )
    return _alert(request, alert_id)


@router.post("/detention-alerts/{alert_id}/status", response={200: AlertOut, **ERRORS})
def change_status(request: AuthedRequest, alert_id: UUIDText, payload: AlertStatusIn) -> Any:  # noqa: ANN401
    alert = selectors.get_alert(request.auth, alert_id)
    services.change_status(
        actor_from_request(request, "api"), alert=alert, status=payload.status, outcome=payload.outcome
    )
    return _alert(request, alert_id)


@router.get("/detention-alerts/{alert_id}/stay-requests", response={200: list[StayRequestOut], **ERRORS})
def list_stay_requests(request: AuthedRequest, alert_id: UUIDText) -> list[dict[str, Any]]:
    alert = selectors.get_alert(request.auth, alert_id)
    return disclose_many(actor_from_request(request, "api"), STAY_ROW, alert.stay_requests.all())


@router.post("/detention-alerts/{alert_id}/stay-requests", response={201: StayRequestOut, **ERRORS})
def draft_stay_request(request: AuthedRequest, alert_id: UUIDText, payload: StayRequestIn) -> Status:
    alert = selectors.get_alert(request.auth, alert_id)
    actor = actor_from_request(request, "api")
    stay = services.draft_stay_request(actor, alert=alert, grounds=payload.grounds)
    return Status(201, disclose_one(actor, STAY_ROW, stay.id))


@router.patch("/stay-requests/{stay_id}", response={200: StayRequestOut, **ERRORS})
def update_stay_request(request: AuthedRequest, stay_id: UUIDText, payload: StayRequestPatch) -> dict[str, Any]:
    stay = selectors.get_stay_request(request.auth, stay_id, Verb.READ)
    actor = actor_from_request(request, "api")
    services.update_stay_request(actor, stay=stay, changes=given(payload))
    return disclose_one(actor, STAY_ROW, stay_id)


@router.get("/stay-requests/{stay_id}/document", response={200: None, **ERRORS})
def stay_document(request: HttpRequest, stay_id: UUIDText) -> HttpResponse:
    """The draft motion (DOCX). It carries the case facts: each download is audited."""
    return stay_document_response(actor_from_request(request, "api"), stay_id)
