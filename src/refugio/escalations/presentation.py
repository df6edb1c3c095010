"""How an escalation is shown to each side, and attachment downloads."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.http import HttpResponse

from refugio.audit.services import Actor
from refugio.core.errors import NotFound
from refugio.disclosure import disclose_one
from refugio.escalations.models import ACTIVE_STATUSES, Category, Escalation, EscalationAttachment, Status, Tier
from refugio.escalations.selectors import get_escalation
from refugio.escalations.surfaces import ATTACHMENT_DOWNLOAD, is_overdue, surface_for


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


def attachment_response(actor: Actor, escalation_id: Any, attachment_id: int) -> HttpResponse:  # noqa: ANN401
    """The decrypted file, through the disclosure layer (authorized, audited)."""
    try:
        belongs = EscalationAttachment.objects.filter(id=attachment_id, escalation_id=escalation_id).exists()
    except (ValueError, ValidationError) as exc:
        raise NotFound from exc
    if not belongs:
        raise NotFound
    shown = disclose_one(actor, ATTACHMENT_DOWNLOAD, attachment_id)
    response = HttpResponse(shown["file"], content_type=shown["content_type"])
    safe_name = "".join(c for c in shown["name"] if c.isalnum() or c in "._-")[:100] or "attachment"
    response["Content-Disposition"] = f'attachment; filename="{safe_name}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


def disclose_escalation(actor: Actor, escalation_id: Any) -> tuple[dict[str, Any], str]:  # noqa: ANN401
    """The escalation as the viewer's side may see it, and that side."""
    _escalation, side = get_escalation(actor.user or AnonymousUser(), escalation_id)  # the system sees none
    return disclose_one(actor, surface_for(side), escalation_id), side


def status_words(code: object) -> str:
    """A status code of the history ("in_progress") as its label; an unknown code as it is."""
    try:
        return str(Status(str(code)).label)
    except ValueError:
        return str(code)


def tier_words(code: object) -> str:
    """A tier of the history ("2") as its label ("Supervisor")."""
    try:
        return str(Tier(int(str(code))).label)
    except ValueError:
        return str(code)


def file_kind(content_type: object) -> str:
    """An attachment's type as people name it: "application/pdf" is a PDF, "image/jpeg" a JPEG."""
    return str(content_type).rpartition("/")[2].upper()


def awaiting_answer(*, side: str, status: str, acknowledged: bool, last_from_agency: bool | None) -> bool:
    """Whether the other side spoke last on an open escalation, so this side has a reply to read and answer:
    the sender when the agency wrote last; the agency when it never acknowledged, or the sender wrote last.
    Worked out from the thread, so reading a page never writes a "read" mark."""
    if status not in {str(s) for s in ACTIVE_STATUSES}:
        return False
    if side == "sender":
        return last_from_agency is True
    return not acknowledged or last_from_agency is False


def category_words(code: object) -> str:
    """A category code ("family_separated") as its label; an unknown code as it is."""
    try:
        return str(Category(str(code)).label)
    except ValueError:
        return str(code)
