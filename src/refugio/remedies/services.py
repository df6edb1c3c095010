"""Writes for remedies: removal orders, motions to reopen (drafted → filed → granted / denied / withdrawn)
and MPP cases. The caller has found the household (or motion, case) with the selectors for WRITE."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from refugio.audit.models import Action
from refugio.audit.services import Actor, Touch, record
from refugio.core.errors import Conflict, ValidationFailed
from refugio.people.models import Household
from refugio.people.vocabulary import COURTS
from refugio.remedies.models import (
    MOTION_TRANSITIONS,
    OPEN_MOTION,
    MotionStatus,
    MotionToReopen,
    MPPCase,
    MPPStatus,
    RemovalOrder,
    ReopeningReason,
)
from refugio.remedies.selectors import member_of


def _as_date(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value or ""))
    except ValueError:
        return None


def _not_allowed(value: object) -> str:
    return _("%(value)s is not one of the allowed values.") % {"value": str(value)[:40]}


def _past_date(errors: dict[str, str], name: str, value: object, *, required: bool = True) -> dt.date | None:
    """An ISO date that is not in the future; the error goes into `errors`."""
    if value in (None, "") and not required:
        return None
    date = _as_date(value)
    if date is None:
        errors[name] = _("Write the date as YYYY-MM-DD.")
    elif date > timezone.localdate():
        errors[name] = _("This date is in the future.")
    return date


def record_removal_order(actor: Actor, *, household: Household, data: dict[str, Any]) -> RemovalOrder:
    """Record a removal order against a member of the household. An in-absentia order needs the ground on
    which reopening would be sought; an order made in the person's presence has none."""
    errors: dict[str, str] = {}
    person = member_of(household, data.get("person_id"))
    if person is None:
        errors["person_id"] = _("Choose a member of this household.")
    order_date = _past_date(errors, "order_date", data.get("order_date"))
    court = str(data.get("court") or "")
    if not court and person is not None:
        court = person.immigration_court
    if court not in COURTS:
        errors["court"] = _("Choose the immigration court.") if not court else _not_allowed(court)
    in_absentia = data.get("in_absentia")
    if not isinstance(in_absentia, bool):
        errors["in_absentia"] = _("Say whether the order was made in absentia.")
    reason = str(data.get("reason") or "")
    if reason and reason not in ReopeningReason.values:
        errors["reason"] = _not_allowed(reason)
    elif in_absentia is True and not reason:
        errors["reason"] = _("Choose the ground on which reopening would be sought.")
    elif in_absentia is False and reason:
        errors["reason"] = _("Only an order made in absentia has a ground for reopening.")
    if errors:
        raise ValidationFailed(errors)
    assert person is not None and order_date is not None and isinstance(in_absentia, bool)  # noqa: S101
    with transaction.atomic():
        order = RemovalOrder.objects.create(
            household=household,
            person=person,
            order_date=order_date,
            court=court,
            in_absentia=in_absentia,
            reason=reason,
            created_by_id=actor.user_id,
        )
        record(
            actor,
            action=Action.CREATE,
            touches=[
                Touch(
                    "removal_order", str(order.id), household.owner_id, ["order_date", "court", "in_absentia", "reason"]
                )
            ],
        )
    return order


def draft_motion(actor: Actor, *, order: RemovalOrder) -> MotionToReopen:
    """Start a motion to reopen an in-absentia order. One open motion (drafted or filed) per order."""
    if not order.in_absentia:
        raise Conflict(
            _("This order was not made in absentia: a motion to reopen it under the in-absentia rules does not apply."),
            "not_in_absentia",
        )
    with transaction.atomic():
        locked = RemovalOrder.objects.select_for_update().get(pk=order.pk)
        if locked.motions.filter(status__in=OPEN_MOTION).exists():
            raise Conflict(_("This order already has a motion to reopen in progress."), "motion_open")
        motion = MotionToReopen.objects.create(order=locked, created_by_id=actor.user_id)
        record(
            actor,
            action=Action.CREATE,
            touches=[Touch("motion_to_reopen", str(motion.id), order.household.owner_id, ["status"])],
        )
    return motion


def _move(actor: Actor, motion: MotionToReopen, to: MotionStatus, changes: dict[str, Any]) -> MotionToReopen:
    """Move the motion to `to` if its present status allows it (re-checked under a row lock); 409 otherwise."""
    with transaction.atomic():
        locked = (
            MotionToReopen.objects.select_for_update().select_related("order", "order__household").get(pk=motion.pk)
        )
        if to not in MOTION_TRANSITIONS[locked.status]:
            raise Conflict(
                _("A motion that is “%(now)s” cannot become “%(to)s”.")
                % {"now": MotionStatus(locked.status).label, "to": to.label},
                "illegal_transition",
            )
        if "filed_on" in changes and changes["filed_on"] is not None and changes["filed_on"] < locked.order.order_date:
            raise ValidationFailed({"filed_on": _("A motion cannot be filed before the order it asks to reopen.")})
        if changes.get("decided_on") is not None and locked.filed_on and changes["decided_on"] < locked.filed_on:
            raise ValidationFailed({"decided_on": _("The decision cannot come before the filing.")})
        locked.status = to
        for name, value in changes.items():
            setattr(locked, name, value)
        locked.save()
        record(
            actor,
            action=Action.UPDATE,
            touches=[Touch("motion_to_reopen", str(locked.id), locked.order.household.owner_id, ["status", *changes])],
        )
    return locked


def file_motion(actor: Actor, *, motion: MotionToReopen, filed_on: object) -> MotionToReopen:
    errors: dict[str, str] = {}
    date = _past_date(errors, "filed_on", filed_on)
    if errors:
        raise ValidationFailed(errors)
    return _move(actor, motion, MotionStatus.FILED, {"filed_on": date})


DECISIONS = (MotionStatus.GRANTED, MotionStatus.DENIED, MotionStatus.WITHDRAWN)


def decide_motion(
    actor: Actor, *, motion: MotionToReopen, outcome: str, decided_on: object, notes: str = ""
) -> MotionToReopen:
    """The judge's decision (granted, denied) or the motion withdrawn, with its date and notes (encrypted)."""
    errors: dict[str, str] = {}
    if outcome not in DECISIONS:
        errors["outcome"] = _not_allowed(outcome)
    date = _past_date(errors, "decided_on", decided_on)
    if errors:
        raise ValidationFailed(errors)
    return _move(actor, motion, MotionStatus(outcome), {"decided_on": date, "decision_notes": str(notes or "").strip()})


def _mpp_fields(household: Household, data: dict[str, Any], *, person_required: bool) -> dict[str, Any]:
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    if person_required or "person_id" in data:
        person = member_of(household, data.get("person_id"))
        if person is None:
            errors["person_id"] = _("Choose a member of this household.")
        out["person"] = person
    if person_required or "status" in data:
        status = str(data.get("status") or "")
        if status not in MPPStatus.values:
            errors["status"] = _not_allowed(status) if status else _("Choose the status of the MPP case.")
        out["status"] = status
    if "court" in data:
        court = str(data.get("court") or "")
        if court and court not in COURTS:
            errors["court"] = _not_allowed(court)
        out["court"] = court
    for name in ("enrolled_on", "status_date"):
        if name in data:
            out[name] = _past_date(errors, name, data.get(name), required=False)
    if "details" in data:
        out["details"] = str(data.get("details") or "").strip()
    if errors:
        raise ValidationFailed(errors)
    return out


def record_mpp_case(actor: Actor, *, household: Household, data: dict[str, Any]) -> MPPCase:
    """A member's MPP case. One per person (the database enforces it)."""
    fields = _mpp_fields(household, data, person_required=True)
    try:
        with transaction.atomic():
            case = MPPCase.objects.create(household=household, created_by_id=actor.user_id, **fields)
            record(
                actor,
                action=Action.CREATE,
                touches=[
                    Touch("mpp_case", str(case.id), household.owner_id, sorted(k for k in fields if k != "person"))
                ],
            )
    except IntegrityError as exc:
        raise ValidationFailed(
            {"person_id": _("This person already has an MPP case: change its status instead.")}
        ) from exc
    return case


def update_mpp_case(actor: Actor, *, case: MPPCase, data: dict[str, Any]) -> MPPCase:
    """Change an MPP case's status or details (the person stays the same)."""
    fields = _mpp_fields(case.household, {k: v for k, v in data.items() if k != "person_id"}, person_required=False)
    with transaction.atomic():
        for name, value in fields.items():
            setattr(case, name, value)
        case.save()
        record(
            actor,
            action=Action.UPDATE,
            touches=[Touch("mpp_case", str(case.id), case.household.owner_id, sorted(fields))],
        )
    return case
