"""Rapid response writes: raising an alert (which opens a tier-1 escalation and tells the attorney and the person
on call at once, by a task booked on commit), the checklist, the alert's status, the on-call rota and
stay-of-removal requests."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from refugio.accounts.models import Membership, Role
from refugio.accounts.rules import Subject, Verb
from refugio.accounts.selectors import organisations_where
from refugio.audit.models import Action
from refugio.audit.services import Actor, Touch, record
from refugio.core.errors import NotFound, PermissionDenied, ValidationFailed
from refugio.escalations.models import AgencyKind, AgencyOffice, Category, Escalation
from refugio.escalations.services import raise_escalation
from refugio.people.models import Household
from refugio.rapidresponse import selectors
from refugio.rapidresponse.models import (
    ACTIVE_ALERT_STATUSES,
    AlertChannel,
    AlertKind,
    AlertStatus,
    ChecklistItem,
    ChecklistStep,
    Decision,
    DetentionAlert,
    OnCall,
    Outcome,
    StayRequest,
)

log = logging.getLogger(__name__)

# The escalation category each kind of alert opens. Its response rule (escalations.services.DEFAULT_RULES) sets
# the deadlines: imminent removal 2 h to acknowledge, 12 h to resolve; detention 24 h / 72 h.
ESCALATION_CATEGORY = {AlertKind.DETENTION: Category.DETAINED, AlertKind.IMMINENT_REMOVAL: Category.IMMINENT_REMOVAL}
TEXT_LIMIT = 5000
# Which status an alert may move to from which.
NEXT_STATUS: dict[str, set[str]] = {
    AlertStatus.OPEN: {AlertStatus.LOCATED, AlertStatus.RESOLVED, AlertStatus.CLOSED},
    AlertStatus.LOCATED: {AlertStatus.RESOLVED, AlertStatus.CLOSED},
    AlertStatus.RESOLVED: {AlertStatus.CLOSED},
    AlertStatus.CLOSED: set(),
}


def _touch(alert: DetentionAlert, fields: Iterable[str]) -> Touch:
    return Touch("detention_alert", str(alert.id), alert.household.owner_id, list(fields))


def _text(errors: dict[str, str], name: str, value: object, limit: int = TEXT_LIMIT) -> str:
    text = str(value or "").strip()
    if len(text) > limit:
        errors[name] = _("Use at most %(n)d characters.") % {"n": limit}
    elif any(ord(c) < 32 and c not in "\n\r\t" for c in text):
        errors[name] = _("This text contains invisible control characters. Remove them.")
    return text


def default_office(household: Household) -> AgencyOffice | None:
    """Where detention and removal are handled: an ICE field office, the one in the household's city first."""
    offices = list(AgencyOffice.objects.filter(kind=AgencyKind.ICE_FIELD_OFFICE).order_by("name"))
    city = (household.current_city or "").strip().lower()
    for office in offices:
        if city and office.city.strip().lower() == city:
            return office
    return offices[0] if offices else AgencyOffice.objects.order_by("name").first()


def _duty_users(household: Household, actor: Actor) -> list[Any]:
    """Who the escalation is raised as: the raiser when they may raise escalations, else the owning
    organisation's people on call, else its administrators (a shelter worker or the household itself cannot
    open an escalation; the organisation answers for it)."""
    users: list[Any] = [actor.user] if actor.user_id else []
    users += [shift.user for shift in selectors.on_call_now(household.owner_id)]
    users += [
        m.user
        for m in Membership.objects.filter(
            organisation_id=household.owner_id, role=Role.ORG_ADMIN, user__is_active=True
        )
        .select_related("user")
        .order_by("id")
    ]
    return users


def _open_escalation(
    actor: Actor, *, household: Household, alert: DetentionAlert, office: AgencyOffice, now: dt.datetime
) -> Escalation | None:
    summary = _(
        "Rapid response %(reference)s: %(kind)s reported. Please confirm where the person is held, the A-number "
        "and the custody status. The legal team is handling the case."
    ) % {"reference": alert.reference, "kind": AlertKind(alert.kind).label}
    for user in _duty_users(household, actor):
        try:
            return raise_escalation(
                Actor(user, actor.channel, actor.ip_address),
                household=household,
                office_id=office.id,
                category=ESCALATION_CATEGORY[AlertKind(alert.kind)],
                summary=summary,
                person_id=str(alert.person_id) if alert.person_id else None,
                now=now,
            )
        except PermissionDenied:
            continue  # not one who may raise escalations for this household: the next one
    log.warning("detention alert %s: nobody could open its escalation", alert.reference)
    return None


def raise_alert(
    actor: Actor,
    *,
    household: Household,
    kind: str,
    person_id: str | None = None,
    facility: str = "",
    city: str = "",
    details: str = "",
    office_id: int | None = None,
    channel: str = AlertChannel.STAFF,
    now: dt.datetime | None = None,
) -> DetentionAlert:
    """Open an alert: its checklist, a tier-1 escalation to the agency office (the one given, else the default
    ICE field office), and on commit a task that tells the attorney and the person on call."""
    if (
        channel == AlertChannel.STAFF
        and not selectors.alert_households(actor.user, Verb.CREATE).filter(id=household.id).exists()
    ):
        raise NotFound
    errors: dict[str, str] = {}
    if kind not in AlertKind.values:
        errors["kind"] = _("%(value)s is not one of the allowed values.") % {"value": str(kind)[:40]}
    facility = _text(errors, "facility", facility, 300)
    city = _text(errors, "city", city, 100)
    details = _text(errors, "details", details)
    person = None
    if person_id:
        person = household.members.filter(id=person_id).first()
        if person is None:
            errors["person_id"] = _("This person is not a member of the household.")
    office = None
    if office_id is not None:
        office = AgencyOffice.objects.filter(id=office_id).first()
        if office is None:
            errors["office_id"] = _("No such office.")
    if errors:
        raise ValidationFailed(errors)
    office = office or default_office(household)
    now = now or timezone.now()
    with transaction.atomic():
        alert = DetentionAlert.objects.create(
            household=household,
            person=person,
            kind=kind,
            channel=channel,
            raised_by_id=actor.user_id,
            facility=facility,
            city=city,
            details=details,
            created_at=now,
        )
        ChecklistItem.objects.bulk_create([ChecklistItem(alert=alert, step=step) for step in ChecklistStep.values])
        if office is not None:
            alert.escalation = _open_escalation(actor, household=household, alert=alert, office=office, now=now)
            if alert.escalation is not None:
                alert.save(update_fields=["escalation"])
        record(actor, action=Action.CREATE, touches=[_touch(alert, ["kind", "facility", "city", "details"])], at=now)
        transaction.on_commit(lambda: _book_notification(alert.id))
    return alert


def _book_notification(alert_id: Any) -> None:  # noqa: ANN401
    from refugio.rapidresponse.tasks import notify_alert

    notify_alert.enqueue(str(alert_id))


def recent_message_alert(household: Household, within: dt.timedelta = dt.timedelta(hours=12)) -> bool:
    """An alert this household already raised by message and still open: a second text adds none."""
    return DetentionAlert.objects.filter(
        household=household,
        channel=AlertChannel.MESSAGE,
        status__in=ACTIVE_ALERT_STATUSES,
        created_at__gte=timezone.now() - within,
    ).exists()


def update_checklist(
    actor: Actor, *, alert: DetentionAlert, step: str, done: bool, note: str = "", now: dt.datetime | None = None
) -> ChecklistItem:
    _check_write(actor, alert)
    errors: dict[str, str] = {}
    if step not in ChecklistStep.values:
        errors["step"] = _("%(value)s is not one of the allowed values.") % {"value": str(step)[:40]}
    note = _text(errors, "note", note)
    if errors:
        raise ValidationFailed(errors)
    now = now or timezone.now()
    with transaction.atomic():
        item, _created = ChecklistItem.objects.select_for_update().get_or_create(alert=alert, step=step)
        item.done_at = (item.done_at or now) if done else None
        item.done_by_id = (item.done_by_id or actor.user_id) if done else None
        item.note = note
        item.save()
        record(actor, action=Action.UPDATE, touches=[_touch(alert, [f"checklist.{step}"])], at=now)
    return item


def change_status(
    actor: Actor, *, alert: DetentionAlert, status: str, outcome: str = "", now: dt.datetime | None = None
) -> DetentionAlert:
    _check_write(actor, alert)
    now = now or timezone.now()
    with transaction.atomic():
        locked = DetentionAlert.objects.select_for_update().select_related("household").get(pk=alert.pk)
        errors: dict[str, str] = {}
        if status not in AlertStatus.values:
            errors["status"] = _("%(value)s is not one of the allowed values.") % {"value": str(status)[:40]}
        elif status not in NEXT_STATUS[locked.status]:
            errors["status"] = _("An alert that is %(current)s cannot become %(new)s.") % {
                "current": AlertStatus(locked.status).label,
                "new": AlertStatus(status).label,
            }
        if outcome and outcome not in Outcome.values:
            errors["outcome"] = _("%(value)s is not one of the allowed values.") % {"value": str(outcome)[:40]}
        elif status == AlertStatus.RESOLVED and not outcome:
            errors["outcome"] = _("Say how it was resolved.")
        if errors:
            raise ValidationFailed(errors)
        locked.status = status
        if status == AlertStatus.LOCATED:
            locked.located_at = now
        if status == AlertStatus.RESOLVED:
            locked.resolved_at = now
        if status == AlertStatus.CLOSED:
            locked.closed_at = now
        if outcome:
            locked.outcome = outcome
        locked.save()
        record(actor, action=Action.UPDATE, touches=[_touch(locked, ["status", "outcome"])], at=now)
    return locked


def _check_write(actor: Actor, alert: DetentionAlert) -> None:
    if not selectors.visible_alerts(actor.user, Verb.WRITE).filter(pk=alert.pk).exists():
        raise PermissionDenied(_("Only caseworkers, attorneys and administrators can work on an alert."))


# --- the on-call rota --------------------------------------------------------------------------------------------


def _check_rota(actor: Actor, organisation_id: int) -> None:
    if organisation_id not in organisations_where(actor.user, Subject.POLICY, Verb.WRITE):
        raise PermissionDenied(_("Only organisation administrators can set the on-call rota."))


def add_shift(
    actor: Actor,
    *,
    organisation_id: int,
    user_id: int | None,
    starts_at: dt.datetime | None,
    ends_at: dt.datetime | None,
    phone: str = "",
    email: str = "",
) -> OnCall:
    _check_rota(actor, organisation_id)
    errors: dict[str, str] = {}
    member = selectors.members_of(organisation_id).filter(user_id=user_id).first() if user_id else None
    if member is None:
        errors["user_id"] = _("Choose a member of the organisation.")
    if starts_at is None:
        errors["starts_at"] = _("This field is required.")
    if ends_at is None:
        errors["ends_at"] = _("This field is required.")
    elif starts_at is not None and ends_at <= starts_at:
        errors["ends_at"] = _("The end must come after the start.")
    phone = _text(errors, "phone", phone, 40)
    email = _text(errors, "email", email, 254)
    if email and "@" not in email:
        errors["email"] = _("Enter a valid e-mail address.")
    if errors or member is None or starts_at is None or ends_at is None:
        raise ValidationFailed(errors)
    with transaction.atomic():
        shift = OnCall.objects.create(
            organisation_id=organisation_id,
            user_id=member.user_id,
            phone=phone,
            email=email or member.user.email,
            starts_at=starts_at,
            ends_at=ends_at,
            created_by_id=actor.user_id,
        )
        record(actor, action=Action.CREATE, touches=[Touch("on_call", str(shift.id), organisation_id, ["user"])])
    return shift


def end_shift(actor: Actor, *, shift_id: int) -> None:
    shift = OnCall.objects.filter(id=shift_id).first()
    if shift is None or shift.organisation_id not in organisations_where(actor.user, Subject.POLICY, Verb.WRITE):
        raise NotFound
    now = timezone.now()
    with transaction.atomic():
        if shift.starts_at >= now:
            shift.delete()
        else:
            OnCall.objects.filter(pk=shift_id).update(ends_at=now)
        record(
            actor, action=Action.UPDATE, touches=[Touch("on_call", str(shift_id), shift.organisation_id, ["ends_at"])]
        )


# --- stay-of-removal requests ------------------------------------------------------------------------------------


def draft_stay_request(
    actor: Actor, *, alert: DetentionAlert, grounds: str = "", now: dt.datetime | None = None
) -> StayRequest:
    _check_write(actor, alert)
    errors: dict[str, str] = {}
    grounds = _text(errors, "grounds", grounds, 20000)
    if errors:
        raise ValidationFailed(errors)
    now = now or timezone.now()
    with transaction.atomic():
        stay = StayRequest.objects.create(alert=alert, grounds=grounds, drafted_at=now, drafted_by_id=actor.user_id)
        record(actor, action=Action.CREATE, touches=[_touch(alert, ["stay_request"])], at=now)
    return stay


def update_stay_request(actor: Actor, *, stay: StayRequest, changes: dict[str, Any]) -> StayRequest:
    """Track a request to its decision: `filed_on`, `decision`, `decided_on`, `grounds`."""
    alert = stay.alert
    _check_write(actor, alert)
    errors: dict[str, str] = {}
    decision = changes.get("decision", stay.decision)
    if decision not in Decision.values:
        errors["decision"] = _("%(value)s is not one of the allowed values.") % {"value": str(decision)[:40]}
    dates: dict[str, dt.date | None] = {}
    for name in ("filed_on", "decided_on"):
        value = changes.get(name, getattr(stay, name))
        if value in (None, ""):
            dates[name] = None
        elif isinstance(value, dt.date):
            dates[name] = value
        else:
            try:
                dates[name] = dt.date.fromisoformat(str(value))
            except ValueError:
                errors[name] = _("Write the date as YYYY-MM-DD.")
    grounds = _text(errors, "grounds", changes.get("grounds", stay.grounds), 20000)
    if decision in (Decision.GRANTED, Decision.DENIED) and not dates.get("decided_on") and "decided_on" not in errors:
        errors["decided_on"] = _("Give the date of the decision.")
    if decision == Decision.PENDING and dates.get("decided_on"):
        errors["decided_on"] = _("A pending request has no decision date.")
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        locked = StayRequest.objects.select_for_update().get(pk=stay.pk)
        locked.decision = decision
        locked.filed_on = dates["filed_on"]
        locked.decided_on = dates["decided_on"]
        locked.grounds = grounds
        locked.save()
        record(actor, action=Action.UPDATE, touches=[_touch(alert, ["stay_request", *sorted(changes)])])
        if decision == Decision.GRANTED or locked.filed_on:
            item, _created = ChecklistItem.objects.get_or_create(alert=alert, step=ChecklistStep.STAY)
            if item.done_at is None:
                item.done_at = timezone.now()
                item.done_by_id = actor.user_id
                item.save()
    locked.alert = alert
    return locked
