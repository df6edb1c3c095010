"""What of an escalation each side is shown. The sending side sees everything; the agency side sees the
summary, the thread and only the person fields the sender chose to share."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from refugio.accounts.rules import Verb
from refugio.disclosure import Kind, Surface, register_kind
from refugio.encryption import decrypt_bytes
from refugio.escalations.models import ACTIVE_STATUSES, Escalation, EscalationAttachment, SharedField
from refugio.escalations.selectors import AGENCY, User, subject_of, visible_escalations
from refugio.people.registration_code import display
from refugio.people.vocabulary import court_name, language_name, nationality_name

PERSON_READERS: dict[str, Any] = {
    SharedField.NAME: lambda p: p.full_name,
    SharedField.DATE_OF_BIRTH: lambda p: p.date_of_birth,
    SharedField.A_NUMBER: lambda p: p.a_number,
    SharedField.NATIONALITY: lambda p: p.nationality,
    SharedField.LANGUAGES: lambda p: list(p.languages),
    SharedField.COURT: lambda p: p.immigration_court,
    SharedField.NEXT_HEARING: lambda p: p.next_hearing_date.isoformat() if p.next_hearing_date else None,
}
PERSON_LABELS: dict[str, Any] = {
    SharedField.NATIONALITY: lambda p: nationality_name(p.nationality),
    SharedField.LANGUAGES: lambda p: ", ".join(language_name(c) for c in p.languages),
    SharedField.COURT: lambda p: court_name(p.immigration_court),
}


def _about(name: str, readers: dict[str, Any]) -> Any:  # noqa: ANN401
    def read(escalation: Escalation) -> Any:  # noqa: ANN401
        person = subject_of(escalation)
        return readers[name](person) if person is not None else None

    return read


def is_overdue(escalation: Escalation) -> bool:
    from django.utils import timezone

    now = timezone.now()
    return escalation.status in ACTIVE_STATUSES and (
        escalation.resolve_by <= now or (escalation.acknowledged_at is None and escalation.acknowledge_by <= now)
    )


def _messages(escalation: Escalation) -> list[dict[str, Any]]:
    return [
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
        for m in escalation.messages.prefetch_related("attachments")
    ]


def _events(escalation: Escalation) -> list[dict[str, Any]]:
    return [
        {"kind": e.kind, "from_value": e.from_value, "to_value": e.to_value, "note": e.note, "at": e.at}
        for e in escalation.events.all()
    ]


def _visible(user: User, verb: Verb) -> QuerySet[Escalation]:
    return visible_escalations(user)


def _not_shared(escalation: Escalation) -> frozenset[str]:
    return frozenset(f"person.{name}" for name in PERSON_READERS if name not in escalation.shared_fields)


ESCALATION = register_kind(
    Kind(
        name="escalation",
        fields={
            "household_id": lambda e: e.household_id,
            "registration_code": lambda e: display(e.household.registration_code),
            "summary": lambda e: e.summary,
            "messages": _messages,
            "events": _events,
            **{f"person.{name}": _about(name, PERSON_READERS) for name in PERSON_READERS},
        },
        labels={f"person.{name}": _about(name, PERSON_LABELS) for name in PERSON_LABELS},
        envelope={
            "id": lambda e: e.id,
            "reference": lambda e: e.reference,
            "office": lambda e: {"id": e.office_id, "name": e.office.name},
            "category": lambda e: e.category,
            "category_label": lambda e: e.get_category_display(),
            "status": lambda e: e.status,
            "status_label": lambda e: e.get_status_display(),
            "tier": lambda e: e.tier,
            "tier_label": lambda e: e.get_tier_display(),
            "created_at": lambda e: e.created_at,
            "acknowledge_by": lambda e: e.acknowledge_by,
            "resolve_by": lambda e: e.resolve_by,
            "acknowledged_at": lambda e: e.acknowledged_at,
            "resolved_at": lambda e: e.resolved_at,
            "closed_at": lambda e: e.closed_at,
            "overdue": is_overdue,
            "shared_fields": lambda e: list(e.shared_fields),
        },
        withheld=_not_shared,
        visible=_visible,
        organisation_of=lambda e: e.household.owner_id,
    )
)

_THREAD = ("summary", "messages", "events", *(f"person.{name}" for name in PERSON_READERS))
ESCALATION_SENDER = Surface("escalation.sender", ESCALATION, ("household_id", "registration_code", *_THREAD))
ESCALATION_AGENCY = Surface("escalation.agency", ESCALATION, _THREAD)


def surface_for(side: str) -> Surface:
    return ESCALATION_AGENCY if side == AGENCY else ESCALATION_SENDER


def as_detail(shown: dict[str, Any]) -> dict[str, Any]:
    """The API's shape: the shared person fields gathered under `person` (labels left out)."""
    detail = {k: v for k, v in shown.items() if not k.startswith("person.")}
    detail["person"] = {
        k.removeprefix("person."): v for k, v in shown.items() if k.startswith("person.") and not k.endswith("_label")
    }
    detail.setdefault("household_id", None)
    return detail


def _read_file(attachment: EscalationAttachment) -> bytes:
    with attachment.file.open("rb") as handle:
        return decrypt_bytes(handle.read())


ATTACHMENT = register_kind(
    Kind(
        name="escalation_attachment",
        fields={"file": _read_file},
        envelope={
            "id": lambda a: a.id,
            "escalation_id": lambda a: a.escalation_id,
            "name": lambda a: a.original_name,
            "content_type": lambda a: a.content_type,
        },
        visible=lambda user, verb: EscalationAttachment.objects.filter(
            escalation__in=visible_escalations(user)
        ).select_related("escalation__household"),
        organisation_of=lambda a: a.escalation.household.owner_id,
    )
)
ATTACHMENT_DOWNLOAD = Surface("escalation.attachment", ATTACHMENT, ("file",))
