"""How an escalation is shown to each side, and attachment downloads."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpResponse
from django.utils import timezone

from refugio.audit.models import Action
from refugio.audit.services import Actor, Touch, record
from refugio.encryption import decrypt_bytes
from refugio.escalations.models import ACTIVE_STATUSES, Escalation
from refugio.escalations.selectors import AGENCY, shared_view


def read_touch(escalation: Escalation, side: str) -> Touch:
    fields = list(escalation.shared_fields) + ["summary", "messages"]
    if side != AGENCY:
        fields.append("household_id")
    return Touch("escalation", str(escalation.id), escalation.household.owner_id, fields)


def is_overdue(escalation: Escalation) -> bool:
    now = timezone.now()
    return escalation.status in ACTIVE_STATUSES and (
        escalation.resolve_by <= now or (escalation.acknowledged_at is None and escalation.acknowledge_by <= now)
    )


def escalation_summary(escalation: Escalation) -> dict[str, Any]:
    return {
        "id": escalation.id,
        "reference": escalation.reference,
        "office": {"id": escalation.office_id, "name": escalation.office.name},
        "category": escalation.category,
        "status": escalation.status,
        "tier": escalation.tier,
        "created_at": escalation.created_at,
        "acknowledge_by": escalation.acknowledge_by,
        "resolve_by": escalation.resolve_by,
        "overdue": is_overdue(escalation),
    }


def escalation_detail(escalation: Escalation, side: str) -> dict[str, Any]:
    messages = escalation.messages.prefetch_related("attachments")
    return {
        **escalation_summary(escalation),
        "household_id": None if side == AGENCY else escalation.household_id,
        "summary": escalation.summary,
        "shared_fields": escalation.shared_fields,
        "person": shared_view(escalation),
        "acknowledged_at": escalation.acknowledged_at,
        "resolved_at": escalation.resolved_at,
        "closed_at": escalation.closed_at,
        "messages": [
            {
                "id": m.id,
                "author_name": m.author_name,
                "from_agency": m.from_agency,
                "body": m.body,
                "created_at": m.created_at,
                "attachments": [
                    {"id": a.id, "name": a.original_name, "content_type": a.content_type, "size": a.size}
                    for a in m.attachments.all()
                ],
            }
            for m in messages
        ],
        "events": [
            {"kind": e.kind, "from_value": e.from_value, "to_value": e.to_value, "note": e.note, "at": e.at}
            for e in escalation.events.all()
        ],
    }


def attachment_response(actor: Actor, escalation: Escalation, attachment_id: int) -> HttpResponse:
    """The decrypted file, to someone already allowed to see the escalation."""
    attachment = escalation.attachments.filter(id=attachment_id).first()
    if attachment is None:
        raise Http404
    with attachment.file.open("rb") as handle:
        content = decrypt_bytes(handle.read())
    record(
        actor,
        Action.READ,
        [Touch("escalation_attachment", str(attachment.id), escalation.household.owner_id, ["file"])],
    )
    response = HttpResponse(content, content_type=attachment.content_type)
    safe_name = "".join(c for c in attachment.original_name if c.isalnum() or c in "._-")[:100] or "attachment"
    response["Content-Disposition"] = f'attachment; filename="{safe_name}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response
