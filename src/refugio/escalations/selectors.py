"""Who may see an escalation, and how much of the household they see.

The sending side (anyone who may see the household) sees everything. An agency liaison sees only
escalations addressed to an office where they are a contact, and of the person only the fields the
sender chose to share. Anyone else: 404.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from refugio.accounts.selectors import is_coordinator
from refugio.core.errors import NotFound
from refugio.escalations.deadlines import percentile
from refugio.escalations.models import (
    ACTIVE_STATUSES,
    AgencyOffice,
    Escalation,
    EscalationMessage,
    SharedField,
)
from refugio.people.selectors import visible_households

User = AbstractBaseUser | AnonymousUser
SENDER = "sender"
AGENCY = "agency"


def liaison_office_ids(user: User) -> set[int]:
    if not user.is_authenticated or not user.is_active:
        return set()
    return set(AgencyOffice.objects.filter(contacts__user_id=user.pk).values_list("id", flat=True))


def visible_escalations(user: User) -> QuerySet[Escalation]:
    return Escalation.objects.filter(
        Q(household__in=visible_households(user)) | Q(office_id__in=liaison_office_ids(user))
    ).select_related("office", "household", "person", "raised_for")


def with_last_speaker(user: User, escalations: QuerySet[Escalation]) -> QuerySet[Escalation]:
    """Each escalation with `agency_spoke_last` (None without messages) and `on_sender_side` (the user sees
    the household: the sender's side), for the unread marker of the list."""
    latest = EscalationMessage.objects.filter(escalation=OuterRef("pk")).order_by("-created_at", "-id")
    return escalations.annotate(
        agency_spoke_last=Subquery(latest.values("from_agency")[:1]),
        on_sender_side=Exists(visible_households(user).filter(id=OuterRef("household_id"))),
    )


def get_escalation(user: User, escalation_id: uuid.UUID | str) -> tuple[Escalation, str]:
    """The escalation and the side the user is on; 404 when they may not see it."""
    try:
        key = escalation_id if isinstance(escalation_id, uuid.UUID) else uuid.UUID(str(escalation_id))
        escalation = visible_escalations(user).get(id=key)
    except (ValueError, Escalation.DoesNotExist) as exc:
        raise NotFound from exc
    side = SENDER if visible_households(user).filter(id=escalation.household_id).exists() else AGENCY
    return escalation, side


def subject_of(escalation: Escalation) -> Any:  # noqa: ANN401
    if escalation.person_id:
        return escalation.person
    members = list(escalation.household.members.all())
    return next((p for p in members if p.relationship_to_head == "head"), members[0] if members else None)


def shared_view(escalation: Escalation) -> dict[str, Any]:
    """Only the fields the sender chose to share about the person concerned."""
    person = subject_of(escalation)
    if person is None:
        return {}
    values = {
        SharedField.NAME: person.full_name,
        SharedField.DATE_OF_BIRTH: person.date_of_birth,
        SharedField.A_NUMBER: person.a_number,
        SharedField.NATIONALITY: person.nationality,
        SharedField.LANGUAGES: person.languages,
        SharedField.COURT: person.immigration_court,
        SharedField.NEXT_HEARING: person.next_hearing_date.isoformat() if person.next_hearing_date else None,
    }
    return {name: values[name] for name in escalation.shared_fields if name in values}


def office_directory() -> QuerySet[AgencyOffice]:
    return AgencyOffice.objects.prefetch_related("contacts").order_by("name")


@dataclass(frozen=True)
class ReportRow:
    office: str
    category: str
    escalations: int
    hours_to_acknowledge_median: float | None
    hours_to_acknowledge_p90: float | None
    hours_to_resolve_median: float | None
    hours_to_resolve_p90: float | None
    share_tier_2: float | None
    share_tier_3: float | None
    open_past_deadline: int


def coordinator_report(user: User) -> list[ReportRow]:
    """The response report for coordinators; anyone else: 404."""
    if not is_coordinator(user):
        raise NotFound
    return escalation_report()


def escalation_report(min_cell: int = 1, now: Any = None) -> list[ReportRow]:  # noqa: ANN401
    """Per office and category. Cells with fewer than `min_cell` escalations have their figures
    withheld, so a public feed cannot single anyone out."""
    now = now or timezone.now()
    groups: dict[tuple[str, str], list[Escalation]] = defaultdict(list)
    for escalation in Escalation.objects.select_related("office").only(
        "office__name",
        "category",
        "created_at",
        "acknowledged_at",
        "resolved_at",
        "reached_tier_2_at",
        "reached_tier_3_at",
        "status",
        "acknowledge_by",
        "resolve_by",
    ):
        groups[(escalation.office.name, escalation.category)].append(escalation)
    rows = []
    for (office, category), items in sorted(groups.items()):
        if len(items) < min_cell:
            rows.append(ReportRow(office, category, len(items), None, None, None, None, None, None, 0))
            continue
        ack = [(e.acknowledged_at - e.created_at).total_seconds() / 3600 for e in items if e.acknowledged_at]
        res = [(e.resolved_at - e.created_at).total_seconds() / 3600 for e in items if e.resolved_at]
        past = sum(
            1
            for e in items
            if e.status in ACTIVE_STATUSES
            and (e.resolve_by <= now or (not e.acknowledged_at and e.acknowledge_by <= now))
        )
        rows.append(
            ReportRow(
                office,
                category,
                len(items),
                _round(percentile(ack, 0.5)),
                _round(percentile(ack, 0.9)),
                _round(percentile(res, 0.5)),
                _round(percentile(res, 0.9)),
                round(sum(1 for e in items if e.reached_tier_2_at) / len(items), 3),
                round(sum(1 for e in items if e.reached_tier_3_at) / len(items), 3),
                past,
            )
        )
    return rows


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)
