"""Raising escalations, the thread, status changes, and moving overdue ones up a tier."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from refugio.accounts.rules import Subject, Verb, roles_for
from refugio.accounts.selectors import is_coordinator, organisation_ids_for
from refugio.audit.models import Action
from refugio.audit.services import Actor, Touch, record
from refugio.core.errors import ValidationFailed
from refugio.encryption import encrypt_bytes
from refugio.escalations.deadlines import deadline
from refugio.escalations.models import (
    ACTIVE_STATUSES,
    DEFAULT_SHARED_FIELDS,
    AgencyOffice,
    Category,
    DeadlineUnit,
    Escalation,
    EscalationAttachment,
    EscalationEvent,
    EscalationMessage,
    ResponseRule,
    SharedField,
    Status,
    Tier,
)
from refugio.people.models import Household, SharingGrant
from refugio.people.services import PermissionDenied

RAISE_ROLES = roles_for(Subject.ESCALATION, Verb.CREATE)
RULE_EDIT_ROLES = roles_for(Subject.POLICY, Verb.WRITE)


# (acknowledge within, unit, resolve within, unit)
DEFAULT_RULES: dict[str, tuple[int, str, int, str]] = {
    Category.IMMINENT_REMOVAL: (2, DeadlineUnit.HOURS, 12, DeadlineUnit.HOURS),
    Category.DETAINED: (24, DeadlineUnit.HOURS, 72, DeadlineUnit.HOURS),
    Category.MEDICAL: (2, DeadlineUnit.HOURS, 24, DeadlineUnit.HOURS),
    Category.FAMILY_SEPARATED: (24, DeadlineUnit.HOURS, 5, DeadlineUnit.BUSINESS_DAYS),
}
OTHER_RULE = (5, DeadlineUnit.BUSINESS_DAYS, 15, DeadlineUnit.BUSINESS_DAYS)

# Which side may move an escalation from one status to another.
TRANSITIONS: dict[tuple[str, str], set[str]] = {
    (Status.OPEN, Status.ACKNOWLEDGED): {"agency"},
    (Status.OPEN, Status.IN_PROGRESS): {"agency"},
    (Status.ACKNOWLEDGED, Status.IN_PROGRESS): {"agency"},
    (Status.OPEN, Status.RESOLVED): {"agency", "sender"},
    (Status.ACKNOWLEDGED, Status.RESOLVED): {"agency", "sender"},
    (Status.IN_PROGRESS, Status.RESOLVED): {"agency", "sender"},
    (Status.OPEN, Status.CLOSED_UNRESOLVED): {"agency", "sender"},
    (Status.ACKNOWLEDGED, Status.CLOSED_UNRESOLVED): {"agency", "sender"},
    (Status.IN_PROGRESS, Status.CLOSED_UNRESOLVED): {"agency", "sender"},
}

_SIGNATURES = {b"%PDF-": "application/pdf", b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png"}


def _default_rule(category: str) -> ResponseRule:
    ack, ack_unit, res, res_unit = DEFAULT_RULES.get(category, OTHER_RULE)
    return ResponseRule(
        category=category,
        acknowledge_within=ack,
        acknowledge_unit=ack_unit,
        resolve_within=res,
        resolve_unit=res_unit,
    )


def response_rules() -> list[ResponseRule]:
    """Every category's rule, by category. A read: it writes nothing. The defaults are stored by a data
    migration (escalations 0002); a category without a stored rule gets its default, unsaved, which is
    stored the first time a coordinator changes it."""
    stored = {r.category: r for r in ResponseRule.objects.all()}
    return [stored.get(c) or _default_rule(c) for c in sorted(Category.values)]


def _rule(category: str) -> ResponseRule:
    return ResponseRule.objects.filter(category=category).first() or _default_rule(category)


def update_rule(actor: Actor, *, category: str, changes: dict[str, Any]) -> ResponseRule:
    if not is_coordinator(actor.user):
        raise PermissionDenied(_("Only coordinators can change response deadlines."))
    rule = _rule(category)
    errors: dict[str, str] = {}
    for name in ("acknowledge_within", "resolve_within"):
        if name in changes:
            value = changes[name]
            if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 1000:
                errors[name] = _("Use a whole number from 1 to 1000.")
    for name in ("acknowledge_unit", "resolve_unit"):
        if name in changes and changes[name] not in DeadlineUnit.values:
            errors[name] = _("%(value)s is not one of the allowed values.") % {"value": str(changes[name])[:40]}
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        for name, value in changes.items():
            setattr(rule, name, value)
        rule.updated_by_id = actor.user_id
        rule.save()
        record(actor, action=Action.UPDATE, touches=[Touch("response_rule", category, None, list(changes))])
    return rule


def _raising_organisation(actor: Actor, household: Household) -> int:
    orgs = organisation_ids_for(actor.user, RAISE_ROLES)
    if household.owner_id in orgs:
        return household.owner_id
    grantee = (
        SharingGrant.objects.filter(SharingGrant.live_q(), household=household, organisation_id__in=orgs)
        .values_list("organisation_id", flat=True)
        .first()
    )
    if grantee is None:
        raise PermissionDenied(_("Only attorneys and caseworkers can raise escalations."))
    return grantee


def _touch(escalation: Escalation, fields: Iterable[str]) -> Touch:
    return Touch("escalation", str(escalation.id), escalation.household.owner_id, list(fields))


def raise_escalation(
    actor: Actor,
    *,
    household: Household,
    office_id: int,
    category: str,
    summary: str,
    shared_fields: list[str] | None = None,
    person_id: str | None = None,
    now: dt.datetime | None = None,
) -> Escalation:
    raised_for = _raising_organisation(actor, household)
    errors: dict[str, str] = {}
    office = AgencyOffice.objects.filter(id=office_id).first()
    if office is None:
        errors["office_id"] = _("No such office.")
    if category not in Category.values:
        errors["category"] = _("%(value)s is not one of the allowed values.") % {"value": str(category)[:40]}
    summary = str(summary or "").strip()
    if not summary:
        errors["summary"] = _("Describe the problem.")
    elif len(summary) > 5000:
        errors["summary"] = _("Use at most %(n)d characters.") % {"n": 5000}
    elif any(ord(c) < 32 and c not in "\n\r\t" for c in summary):
        errors["summary"] = _("This text contains invisible control characters. Remove them.")
    fields = list(DEFAULT_SHARED_FIELDS if shared_fields is None else shared_fields)
    unknown = [f for f in fields if f not in SharedField.values]
    if unknown:
        errors["shared_fields"] = _("%(value)s is not one of the allowed values.") % {"value": str(unknown[0])[:40]}
    person = None
    if person_id:
        person = household.members.filter(id=person_id).first()
        if person is None:
            errors["person_id"] = _("This person is not a member of the household.")
    if errors or office is None:  # no office is always an error too
        raise ValidationFailed(errors)
    now = now or timezone.now()
    rule = _rule(category)
    with transaction.atomic():
        escalation = Escalation.objects.create(
            household=household,
            person=person,
            office=office,
            category=category,
            summary=summary,
            shared_fields=list(dict.fromkeys(fields)),
            raised_by_id=actor.user_id,
            raised_for_id=raised_for,
            created_at=now,
            acknowledge_by=deadline(now, rule.acknowledge_within, rule.acknowledge_unit),
            resolve_by=deadline(now, rule.resolve_within, rule.resolve_unit),
        )
        record(
            actor,
            action=Action.CREATE,
            touches=[_touch(escalation, ["category", "summary", "shared_fields", "office"])],
            at=now,
        )
    _after_change(escalation, "raised")
    return escalation


def change_status(
    actor: Actor, *, escalation: Escalation, side: str, new_status: str, note: str, now: dt.datetime | None = None
) -> Escalation:
    note = str(note or "").strip()
    errors: dict[str, str] = {}
    if new_status not in Status.values:
        errors["status"] = _("%(value)s is not one of the allowed values.") % {"value": str(new_status)[:40]}
    if not note:
        errors["note"] = _("Add a note that explains the change.")
    elif len(note) > 5000:
        errors["note"] = _("Use at most %(n)d characters.") % {"n": 5000}
    if errors:
        raise ValidationFailed(errors)
    now = now or timezone.now()
    with transaction.atomic():
        locked = Escalation.objects.select_for_update().select_related("household").get(pk=escalation.pk)
        allowed = TRANSITIONS.get((locked.status, new_status), set())
        if side not in allowed:
            raise ValidationFailed(
                {
                    "status": _("An escalation that is %(current)s cannot become %(new)s from your side.")
                    % {"current": Status(locked.status).label, "new": Status(new_status).label}
                }
            )
        previous = locked.status
        locked.status = new_status
        if new_status in (Status.ACKNOWLEDGED, Status.IN_PROGRESS) and locked.acknowledged_at is None:
            locked.acknowledged_at = now
        if new_status == Status.RESOLVED:
            locked.resolved_at = now
            locked.acknowledged_at = locked.acknowledged_at or now
        if new_status == Status.CLOSED_UNRESOLVED:
            locked.closed_at = now
        locked.save()
        EscalationEvent.objects.create(
            escalation=locked,
            kind="status",
            from_value=previous,
            to_value=new_status,
            note=note,
            actor_id=actor.user_id,
            at=now,
        )
        record(actor, action=Action.UPDATE, touches=[_touch(locked, ["status"])], at=now)
    _after_change(locked, "status")
    return locked


def post_message(
    actor: Actor,
    *,
    escalation: Escalation,
    side: str,
    body: str,
    files: Iterable[Any] = (),  # noqa: ANN401
    now: dt.datetime | None = None,
) -> EscalationMessage:
    body = str(body or "").strip()
    errors: dict[str, str] = {}
    if not body:
        errors["body"] = _("Write a message.")
    elif len(body) > 10000:
        errors["body"] = _("Use at most %(n)d characters.") % {"n": 10000}
    checked: list[tuple[Any, tuple[bytes, str]]] = []  # (upload, (content, content type))
    for upload in files:
        accepted, error = _check_attachment(upload)
        if error:
            errors["files"] = error
            break
        checked.append((upload, accepted))
    if errors:
        raise ValidationFailed(errors)
    now = now or timezone.now()
    with transaction.atomic():
        message = EscalationMessage.objects.create(
            escalation=escalation,
            author_id=actor.user_id,
            author_name=actor.name,
            from_agency=side == "agency",
            body=body,
            created_at=now,
        )
        for upload, (content, content_type) in checked:
            attachment = EscalationAttachment(
                escalation=escalation,
                message=message,
                original_name=str(upload.name)[-200:],
                content_type=content_type,
                size=len(content),
                sha256=hashlib.sha256(content).hexdigest(),
                uploaded_by_id=actor.user_id,
                uploaded_at=now,
            )
            attachment.file.save("upload", ContentFile(encrypt_bytes(content)), save=False)
            attachment.save()
        record(actor, action=Action.CREATE, touches=[_touch(escalation, ["messages"])], at=now)
    _after_change(escalation, "message")
    return message


def _check_attachment(upload: Any) -> tuple[tuple[bytes, str], str | None]:  # noqa: ANN401
    limit = settings.REFUGIO_ATTACHMENT_MAX_BYTES
    if upload.size > limit:
        return (b"", ""), _("Attach files of at most 10 MB.")
    content = upload.read()
    for signature, content_type in _SIGNATURES.items():
        if content.startswith(signature):
            return (content, content_type), None
    return (b"", ""), _("Attach only PDF, JPEG or PNG files.")


def escalate_overdue(now: dt.datetime | None = None) -> list[Escalation]:
    """Move every escalation whose deadline passed (unacknowledged, or unresolved) one tier up."""
    now = now or timezone.now()
    overdue = Q(status__in=ACTIVE_STATUSES, tier__lt=Tier.HEADQUARTERS) & (
        Q(acknowledged_at__isnull=True, acknowledge_by__lte=now) | Q(resolve_by__lte=now)
    )
    moved = []
    for escalation_id in Escalation.objects.filter(overdue).values_list("id", flat=True):
        with transaction.atomic():
            escalation = Escalation.objects.select_for_update().filter(overdue, id=escalation_id).first()
            if escalation is None:  # another sweep got there first
                continue
            rule = _rule(escalation.category)
            previous = escalation.tier
            escalation.tier = previous + 1
            if escalation.tier == Tier.SUPERVISOR:
                escalation.reached_tier_2_at = now
            else:
                escalation.reached_tier_3_at = now
            if escalation.acknowledged_at is None:
                escalation.acknowledge_by = deadline(now, rule.acknowledge_within, rule.acknowledge_unit)
            escalation.resolve_by = max(escalation.resolve_by, deadline(now, rule.resolve_within, rule.resolve_unit))
            escalation.save()
            EscalationEvent.objects.create(
                escalation=escalation,
                kind="tier",
                from_value=str(previous),
                to_value=str(escalation.tier),
                note="",
                actor=None,
                at=now,
            )
        moved.append(escalation)
        _after_change(escalation, "tier")
    return moved


def _after_change(escalation: Escalation, reason: str) -> None:
    from refugio.escalations.tasks import notify_involved, schedule_sweep

    notify_involved.enqueue(str(escalation.id), reason)
    schedule_sweep(escalation)
