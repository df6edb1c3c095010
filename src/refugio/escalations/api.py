"""The escalation line in the JSON API. Thin: selectors decide access, services write."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import ConfigDict, Field

from refugio.audit.models import Action
from refugio.audit.request import actor_from_request
from refugio.audit.services import record
from refugio.escalations import selectors, services
from refugio.escalations.presentation import attachment_response, escalation_detail, escalation_summary, read_touch
from refugio.people.api import ERRORS
from refugio.people.selectors import get_household

router = Router(tags=["escalations"])


class EscalationIn(Schema):
    model_config = ConfigDict(extra="forbid")
    household_id: uuid.UUID
    office_id: int
    category: str
    summary: str
    shared_fields: list[str] | None = Field(None, description="Default: name, date_of_birth, a_number")
    person_id: uuid.UUID | None = None


class MessageIn(Schema):
    model_config = ConfigDict(extra="forbid")
    body: str


class StatusIn(Schema):
    model_config = ConfigDict(extra="forbid")
    status: str
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
    created_at: dt.datetime
    attachments: list[AttachmentOut]


class EventOut(Schema):
    kind: str
    from_value: str
    to_value: str
    note: str
    at: dt.datetime


class EscalationOut(Schema):
    id: uuid.UUID
    reference: str
    household_id: uuid.UUID | None
    office: OfficeRef
    category: str
    summary: str
    status: str
    tier: int
    shared_fields: list[str]
    person: dict[str, Any]
    created_at: dt.datetime
    acknowledge_by: dt.datetime
    resolve_by: dt.datetime
    acknowledged_at: dt.datetime | None
    resolved_at: dt.datetime | None
    closed_at: dt.datetime | None
    messages: list[MessageOut]
    events: list[EventOut]


class EscalationSummaryOut(Schema):
    id: uuid.UUID
    reference: str
    office: OfficeRef
    category: str
    status: str
    tier: int
    created_at: dt.datetime
    acknowledge_by: dt.datetime
    resolve_by: dt.datetime
    overdue: bool


class ContactOut(Schema):
    name: str
    role: str
    email: str
    phone: str
    tier: int


class OfficeOut(Schema):
    id: int
    name: str
    kind: str
    city: str
    contacts: list[ContactOut]


class RuleOut(Schema):
    category: str
    acknowledge_within: int
    acknowledge_unit: str
    resolve_within: int
    resolve_unit: str


class RulePatch(Schema):
    model_config = ConfigDict(extra="forbid")
    acknowledge_within: int | None = None
    acknowledge_unit: str | None = None
    resolve_within: int | None = None
    resolve_unit: str | None = None


def _detail(request: HttpRequest, escalation_id: uuid.UUID | str) -> dict[str, Any]:
    escalation, side = selectors.get_escalation(request.auth, escalation_id)
    record(actor_from_request(request, "api"), Action.READ, [read_touch(escalation, side)])
    return escalation_detail(escalation, side)


@router.post("/escalations", response={201: EscalationOut, **ERRORS})
def raise_escalation(request: HttpRequest, payload: EscalationIn) -> Status:
    household = get_household(request.auth, payload.household_id, for_write=True)
    escalation = services.raise_escalation(
        actor_from_request(request, "api"),
        household,
        payload.office_id,
        payload.category,
        payload.summary,
        payload.shared_fields,
        str(payload.person_id) if payload.person_id else None,
    )
    return Status(201, _detail(request, escalation.id))


@router.get("/escalations", response={200: list[EscalationSummaryOut], **ERRORS})
def list_escalations(request: HttpRequest, status: str = "", limit: int = 200) -> list[dict[str, Any]]:
    found = selectors.visible_escalations(request.auth)
    if status:
        found = found.filter(status=status)
    return [escalation_summary(e) for e in found[: max(1, min(limit, 500))]]


@router.get("/escalations/{escalation_id}", response={200: EscalationOut, **ERRORS})
def read_escalation(request: HttpRequest, escalation_id: str) -> dict[str, Any]:
    return _detail(request, escalation_id)


@router.post("/escalations/{escalation_id}/messages", response={201: EscalationOut, **ERRORS})
def post_message(request: HttpRequest, escalation_id: str, payload: MessageIn) -> Status:
    escalation, side = selectors.get_escalation(request.auth, escalation_id)
    services.post_message(actor_from_request(request, "api"), escalation, side, payload.body)
    return Status(201, _detail(request, escalation_id))


@router.post("/escalations/{escalation_id}/attachments", response={201: EscalationOut, **ERRORS})
def post_attachment(
    request: HttpRequest, escalation_id: str, file: File[UploadedFile], body: Form[str] = "Attachment"
) -> Status:
    escalation, side = selectors.get_escalation(request.auth, escalation_id)
    services.post_message(actor_from_request(request, "api"), escalation, side, body, [file])
    return Status(201, _detail(request, escalation_id))


@router.get("/escalations/{escalation_id}/attachments/{attachment_id}", response={200: None, **ERRORS})
def download_attachment(request: HttpRequest, escalation_id: str, attachment_id: int) -> HttpResponse:
    escalation, side = selectors.get_escalation(request.auth, escalation_id)
    return attachment_response(actor_from_request(request, "api"), escalation, attachment_id)


@router.post("/escalations/{escalation_id}/status", response={200: EscalationOut, **ERRORS})
def change_status(request: HttpRequest, escalation_id: str, payload: StatusIn) -> dict[str, Any]:
    escalation, side = selectors.get_escalation(request.auth, escalation_id)
    services.change_status(actor_from_request(request, "api"), escalation, side, payload.status, payload.note)
    return _detail(request, escalation_id)


@router.get("/offices", response=list[OfficeOut])
def offices(request: HttpRequest) -> list[Any]:
    return [
        {"id": o.id, "name": o.name, "kind": o.kind, "city": o.city, "contacts": list(o.contacts.all())}
        for o in selectors.office_directory()
    ]


@router.get("/escalation-rules", response=list[RuleOut])
def rules(request: HttpRequest) -> list[Any]:
    return services.ensure_rules()


@router.patch("/escalation-rules/{category}", response={200: RuleOut, **ERRORS})
def update_rule(request: HttpRequest, category: str, payload: RulePatch) -> Any:  # noqa: ANN401
    if category not in {r.category for r in services.ensure_rules()}:
        from django.http import Http404

        raise Http404
    return services.update_rule(actor_from_request(request, "api"), category, payload.model_dump(exclude_unset=True))


public_router = Router(tags=["public reports"], auth=None)

# Public figures: a cell of fewer escalations than this shows only its count.
PUBLIC_MIN_CELL = 5


@public_router.get("/reports/escalations", response=list[selectors.ReportRow])
def escalation_report(request: HttpRequest) -> list[Any]:
    """Aggregate response times per office and category, for the public transparency page."""
    return selectors.escalation_report(min_cell=PUBLIC_MIN_CELL)
