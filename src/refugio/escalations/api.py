"""The escalation line in the JSON API. Thin: selectors decide access, services write."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from refugio.api_types import (
    AgencyKindCode,
    CategoryCode,
    DeadlineAmount,
    DeadlineUnitCode,
    EscalationStatusCode,
    SharedFieldCode,
    TierNumber,
    TZDatetime,
    UUIDText,
)
from refugio.audit.request import actor_from_request
from refugio.core.api import ERRORS, Strict
from refugio.core.errors import NotFound
from refugio.core.http import AuthedRequest
from refugio.escalations import selectors, services
from refugio.escalations.presentation import attachment_response, disclose_escalation, escalation_summary
from refugio.escalations.surfaces import as_detail
from refugio.people.selectors import get_household

router = Router(tags=["escalations"])


class EscalationIn(Strict):
    household_id: uuid.UUID
    office_id: int
    category: CategoryCode
    summary: str
    shared_fields: list[SharedFieldCode] | None = Field(None, description="Default: name, date_of_birth, a_number")
    person_id: uuid.UUID | None = None


class MessageIn(Strict):
    body: str


class StatusIn(Strict):
    status: EscalationStatusCode
    note: str


class OfficeRef(Schema):
    id: int
    name: str


class AttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int


class MessageOut(Schema):
    id: int
    author_name: str
    from_agency: bool
    body: str
    created_at: TZDatetime
    attachments: list[AttachmentOut]


class EventOut(Schema):
    kind: str = Field(description="status or tier")
    from_value: str
    to_value: str
    note: str
    at: TZDatetime


class EscalationOut(Schema):
    id: uuid.UUID
    reference: str
    household_id: uuid.UUID | None
    office: OfficeRef
    category: CategoryCode
    summary: str
    status: EscalationStatusCode
    tier: TierNumber
    shared_fields: list[SharedFieldCode]
    person: dict[str, Any]
    created_at: TZDatetime
    acknowledge_by: TZDatetime
    resolve_by: TZDatetime
    acknowledged_at: TZDatetime | None
    resolved_at: TZDatetime | None
    closed_at: TZDatetime | None
    messages: list[MessageOut]
    events: list[EventOut]


class EscalationSummaryOut(Schema):
    id: uuid.UUID
    reference: str
    office: OfficeRef
    category: CategoryCode
    status: EscalationStatusCode
    tier: TierNumber
    created_at: TZDatetime
    acknowledge_by: TZDatetime
    resolve_by: TZDatetime
    overdue: bool


class ContactOut(Schema):
    name: str
    role: str
    email: str
    phone: str
    tier: TierNumber


class OfficeOut(Schema):
    id: int
    name: str
    kind: AgencyKindCode
    city: str
    contacts: list[ContactOut]


class RuleOut(Schema):
    category: CategoryCode
    acknowledge_within: int
    acknowledge_unit: DeadlineUnitCode
    resolve_within: int
    resolve_unit: DeadlineUnitCode


class RulePatch(Strict):
    acknowledge_within: DeadlineAmount | None = None
    acknowledge_unit: DeadlineUnitCode | None = None
    resolve_within: DeadlineAmount | None = None
    resolve_unit: DeadlineUnitCode | None = None


class ReportRowOut(Schema):
    office: str
    category: CategoryCode
    escalations: int
    hours_to_acknowledge_median: float | None
    hours_to_acknowledge_p90: float | None
    hours_to_resolve_median: float | None
    hours_to_resolve_p90: float | None
    share_tier_2: float | None
    share_tier_3: float | None
    open_past_deadline: int


def _detail(request: HttpRequest, escalation_id: uuid.UUID | str) -> dict[str, Any]:
    return as_detail(disclose_escalation(actor_from_request(request, "api"), escalation_id)[0])


@router.post("/escalations", response={201: EscalationOut, **ERRORS})
def raise_escalation(request: AuthedRequest, payload: EscalationIn) -> Status:
    household = get_household(request.auth, payload.household_id, for_write=True)
    escalation = services.raise_escalation(
        actor_from_request(request, "api"),
        household=household,
        office_id=payload.office_id,
        category=payload.category,
        summary=payload.summary,
        shared_fields=payload.shared_fields,
        person_id=str(payload.person_id) if payload.person_id else None,
    )
    return Status(201, _detail(request, escalation.id))


@router.get("/escalations", response={200: list[EscalationSummaryOut], **ERRORS})
def list_escalations(
    request: AuthedRequest, status: EscalationStatusCode = "", limit: int = 200
) -> list[dict[str, Any]]:
    found = selectors.visible_escalations(request.auth)
    if status:
        found = found.filter(status=status)
    return [escalation_summary(e) for e in found[: max(1, min(limit, 500))]]


@router.get("/escalations/{escalation_id}", response={200: EscalationOut, **ERRORS})
def read_escalation(request: HttpRequest, escalation_id: UUIDText) -> dict[str, Any]:
    return _detail(request, escalation_id)


@router.post("/escalations/{escalation_id}/messages", response={201: EscalationOut, **ERRORS})
def post_message(request: AuthedRequest, escalation_id: UUIDText, payload: MessageIn) -> Status:
    escalation, side = selectors.get_escalation(request.auth, escalation_id)
    services.post_message(actor_from_request(request, "api"), escalation=escalation, side=side, body=payload.body)
    return Status(201, _detail(request, escalation_id))


@router.post("/escalations/{escalation_id}/attachments", response={201: EscalationOut, **ERRORS})
def post_attachment(
    request: AuthedRequest, escalation_id: UUIDText, file: File[UploadedFile], body: Form[str] = "Attachment"
) -> Status:
    escalation, side = selectors.get_escalation(request.auth, escalation_id)
    services.post_message(actor_from_request(request, "api"), escalation=escalation, side=side, body=body, files=[file])
    return Status(201, _detail(request, escalation_id))


@router.get("/escalations/{escalation_id}/attachments/{attachment_id}", response={200: None, **ERRORS})
def download_attachment(request: HttpRequest, escalation_id: UUIDText, attachment_id: int) -> HttpResponse:
    return attachment_response(actor_from_request(request, "api"), escalation_id, attachment_id)


@router.post("/escalations/{escalation_id}/status", response={200: EscalationOut, **ERRORS})
def change_status(request: AuthedRequest, escalation_id: UUIDText, payload: StatusIn) -> dict[str, Any]:
    escalation, side = selectors.get_escalation(request.auth, escalation_id)
    services.change_status(
        actor_from_request(request, "api"),
        escalation=escalation,
        side=side,
        new_status=payload.status,
        note=payload.note,
    )
    return _detail(request, escalation_id)


@router.get("/offices", response={200: list[OfficeOut], **ERRORS})
def offices(request: HttpRequest) -> list[Any]:
    return [
        {"id": o.id, "name": o.name, "kind": o.kind, "city": o.city, "contacts": list(o.contacts.all())}
        for o in selectors.office_directory()
    ]


@router.get("/escalation-rules", response={200: list[RuleOut], **ERRORS})
def rules(request: HttpRequest) -> list[Any]:
    return services.response_rules()


@router.patch("/escalation-rules/{category}", response={200: RuleOut, **ERRORS})
def update_rule(request: HttpRequest, category: CategoryCode, payload: RulePatch) -> Any:  # noqa: ANN401
    if category not in {r.category for r in services.response_rules()}:
        raise NotFound
    return services.update_rule(
        actor_from_request(request, "api"), category=category, changes=payload.model_dump(exclude_unset=True)
    )


public_router = Router(tags=["public reports"], auth=None)

# Public figures: a cell of fewer escalations than this shows only its count.
PUBLIC_MIN_CELL = 5


@public_router.get("/reports/escalations", response=list[ReportRowOut])
def escalation_report(request: HttpRequest) -> list[Any]:
    """Aggregate response times per office and category, for the public transparency page."""
    return selectors.escalation_report(min_cell=PUBLIC_MIN_CELL)
