"""Writes for community case management: plans and their check-in schedules, recording check-ins, the daily
missed check-in sweep that opens outreach, outreach steps and outcomes, reassigning plans, hearing outcomes.

A missed check-in only ever leads to reaching out to the household (a message where it agreed to be contacted,
a call, a visit). Nothing here reports anything to any agency."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from refugio.accounts.models import Membership
from refugio.accounts.rules import Subject, Verb, roles_for
from refugio.accounts.selectors import organisations_where
from refugio.audit.models import Action
from refugio.audit.services import Actor, Touch, record
from refugio.casemanagement import rates
from refugio.casemanagement.models import (
    CasePlan,
    CheckIn,
    CheckInMode,
    CheckInStatus,
    HearingAttendance,
    HearingOutcome,
    Outreach,
    OutreachOutcome,
    OutreachStatus,
    OutreachStep,
    OutreachStepKind,
    PlanStatus,
)
from refugio.casemanagement.selectors import plan_organisation
from refugio.core.errors import Conflict, PermissionDenied, ValidationFailed
from refugio.legal.models import Hearing
from refugio.messaging import services as messaging
from refugio.people.models import Household, Person
from refugio.people.selectors import households_for_organisations

GRACE_DAYS = 1  # a check-in is missed the day after its grace day
DEFAULT_MONTHS = 6  # a plan's schedule runs this long unless told otherwise
OUTREACH_NOTICE = "contact_caseworker"  # "Please contact your caseworker." (messaging catalogue)
SYSTEM = Actor(None, "task")


def _touch(kind: str, object_id: object, household: Household, fields: list[str]) -> Touch:
    return Touch(kind, str(object_id), household.owner_id, fields)


def _may(actor: Actor, household: Household, verb: Verb) -> bool:
    orgs = organisations_where(actor.user, Subject.CASE_PLAN, verb)
    return households_for_organisations(orgs).filter(pk=household.pk).exists()


def _require(actor: Actor, household: Household, verb: Verb) -> None:
    if not _may(actor, household, verb):
        raise PermissionDenied(_("Your role does not allow you to do this for this household."))


def _plan_organisation(actor: Actor, household: Household) -> int:
    organisation_id = plan_organisation(actor.user, household)
    if organisation_id is None:
        raise PermissionDenied(_("Your role does not allow you to do this for this household."))
    return organisation_id


def _check_caseworker(organisation_id: int, caseworker_id: int | None) -> Any:  # noqa: ANN401
    """The caseworker, who must be staff of the organisation keeping the plan; ValidationFailed otherwise."""
    if caseworker_id is None:
        raise ValidationFailed({"caseworker_id": _("Choose the caseworker.")})
    member = Membership.objects.filter(
        organisation_id=organisation_id,
        user_id=caseworker_id,
        user__is_active=True,
        role__in=list(roles_for(Subject.CASE_PLAN, Verb.WRITE)),
    ).exists()
    if not member:
        raise ValidationFailed({"caseworker_id": _("Choose a caseworker of the organisation keeping the plan.")})
    return get_user_model().objects.get(pk=caseworker_id)


def _schedule_errors(
    weekly_for_weeks: int, then_every_days: int, started_on: dt.date, until: dt.date
) -> dict[str, str]:
    errors = {}
    if not 0 <= weekly_for_weeks <= 26:
        errors["weekly_for_weeks"] = _("Give a number of weeks from 0 to 26.")
    if not 1 <= then_every_days <= 90:
        errors["then_every_days"] = _("Give a number of days from 1 to 90.")
    if until < started_on:
        errors["schedule_until"] = _("The schedule cannot end before the plan starts.")
    elif until > started_on + dt.timedelta(days=731):
        errors["schedule_until"] = _("Schedule at most two years ahead.")
    return errors


def create_plan(
    actor: Actor,
    *,
    household: Household,
    caseworker_id: int | None,
    started_on: dt.date,
    weekly_for_weeks: int = 4,
    then_every_days: int = 14,
    schedule_until: dt.date | None = None,
    mode: str = CheckInMode.IN_PERSON,
    goals: str = "",
    notes: str = "",
) -> CasePlan:
    """Open the household's case plan (one active plan per household) and generate its check-ins: weekly for
    `weekly_for_weeks` weeks, then every `then_every_days` days until `schedule_until` (six months by default)."""
    _require(actor, household, Verb.WRITE)
    organisation_id = _plan_organisation(actor, household)
    until = schedule_until or started_on + dt.timedelta(days=DEFAULT_MONTHS * 30)
    errors = _schedule_errors(weekly_for_weeks, then_every_days, started_on, until)
    if mode not in CheckInMode.values:
        errors["mode"] = _("Choose how the check-ins happen.")
    if errors:
        raise ValidationFailed(errors)
    caseworker = _check_caseworker(organisation_id, caseworker_id)
    days = rates.check_in_schedule(
        started_on, weekly_for_weeks=weekly_for_weeks, then_every_days=then_every_days, until=until
    )
    try:
        with transaction.atomic():
            plan = CasePlan.objects.create(
                household=household,
                organisation_id=organisation_id,
                caseworker=caseworker,
                started_on=started_on,
                weekly_for_weeks=weekly_for_weeks,
                then_every_days=then_every_days,
                schedule_until=until,
                goals=goals.strip(),
                notes=notes.strip(),
                created_by_id=actor.user_id,
            )
            CheckIn.objects.bulk_create(
                [CheckIn(plan=plan, household=household, due_on=day, mode=mode) for day in days]
            )
            record(
                actor,
                action=Action.CREATE,
                touches=[_touch("case_plan", plan.id, household, ["caseworker", "started_on", "goals", "notes"])],
            )
    except IntegrityError as exc:
        raise Conflict(_("This household already has an active case plan."), "active_plan_exists") from exc
    return plan


def close_plan(actor: Actor, *, plan: CasePlan, ended_on: dt.date) -> CasePlan:
    """End a plan: check-ins scheduled after its last day are removed (they will not happen)."""
    _require(actor, plan.household, Verb.WRITE)
    with transaction.atomic():
        locked = CasePlan.objects.select_for_update().get(pk=plan.pk)
        if locked.status != PlanStatus.ACTIVE:
            raise Conflict(_("This plan is already closed."), "plan_closed")
        if ended_on < locked.started_on:
            raise ValidationFailed({"ended_on": _("The plan cannot end before it starts.")})
        locked.status = PlanStatus.CLOSED
        locked.ended_on = ended_on
        locked.save(update_fields=["status", "ended_on"])
        CheckIn.objects.filter(plan=locked, status=CheckInStatus.SCHEDULED, due_on__gt=ended_on).delete()
        record(actor, action=Action.UPDATE, touches=[_touch("case_plan", locked.id, plan.household, ["status"])])
    return locked


def reassign_plan(actor: Actor, *, plan: CasePlan, caseworker_id: int | None) -> CasePlan:
    """An organisation admin gives the plan (and its open outreach) to another caseworker of the organisation."""
    if plan.organisation_id not in organisations_where(actor.user, Subject.CASE_PLAN, Verb.OVERRIDE):
        raise PermissionDenied(_("Only an administrator of the organisation can reassign a plan."))
    caseworker = _check_caseworker(plan.organisation_id, caseworker_id)
    with transaction.atomic():
        locked = CasePlan.objects.select_for_update().select_related("household").get(pk=plan.pk)
        if locked.status != PlanStatus.ACTIVE:
            raise Conflict(_("This plan is already closed."), "plan_closed")
        locked.caseworker = caseworker
        locked.save(update_fields=["caseworker"])
        record(actor, action=Action.UPDATE, touches=[_touch("case_plan", locked.id, locked.household, ["caseworker"])])
    return locked


def _active_plan_locked(household: Household) -> CasePlan:
    plan = CasePlan.objects.select_for_update().filter(household=household, status=PlanStatus.ACTIVE).first()
    if plan is None:
        raise Conflict(_("This household has no active case plan."), "no_active_plan")
    return plan


def _person(household: Household, person_id: uuid.UUID | str | None) -> Person | None:
    if not person_id:
        return None
    try:
        return Person.objects.get(pk=person_id, household=household)
    except (Person.DoesNotExist, ValueError, TypeError) as exc:
        raise ValidationFailed({"person_id": _("Choose a member of this household.")}) from exc


RECORDABLE = ("attended", "excused", "scheduled")


def record_check_in(
    actor: Actor,
    *,
    household: Household,
    status: str,
    date: dt.date,
    mode: str,
    check_in_id: int | None = None,
    person_id: uuid.UUID | str | None = None,
    note: str = "",
    today: dt.date | None = None,
) -> CheckIn:
    """Record a check-in of the household's active plan.

    - `attended` on `date` (today or before): the scheduled check-in given by `check_in_id`, or else the
      earliest scheduled one due within a week of `date`, becomes attended; with none, an unscheduled attended
      check-in is added. Shelter staff may record attendance too.
    - `excused` (caseworkers): the scheduled check-in `check_in_id` will not count as missed.
    - `scheduled` (caseworkers): a new check-in on `date` (today or later)."""
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    if status not in RECORDABLE:
        errors["status"] = _("Choose attended, excused or scheduled.")
    if mode not in CheckInMode.values:
        errors["mode"] = _("Choose in person, phone call or text message.")
    if status == "attended" and date > today:
        errors["date"] = _("A check-in cannot be attended in the future.")
    if status == "scheduled" and date < today:
        errors["date"] = _("Schedule a check-in for today or later.")
    if status == "excused" and not check_in_id:
        errors["check_in_id"] = _("Say which check-in is excused.")
    if errors:
        raise ValidationFailed(errors)
    _require(actor, household, Verb.CREATE if status == "attended" else Verb.WRITE)
    person = _person(household, person_id)
    now = timezone.now()
    with transaction.atomic():
        plan = _active_plan_locked(household)
        if status == "scheduled":
            check_in = CheckIn.objects.create(
                plan=plan, household=household, person=person, due_on=date, mode=mode, note=note.strip()
            )
            action = Action.CREATE
        else:
            scheduled = CheckIn.objects.select_for_update().filter(plan=plan, status=CheckInStatus.SCHEDULED)
            if check_in_id:
                found = scheduled.filter(pk=check_in_id).first()
                if found is None:
                    raise Conflict(_("This check-in is not waiting to be recorded."), "check_in_not_scheduled")
            else:
                window = (date - dt.timedelta(days=7), date + dt.timedelta(days=7))
                found = scheduled.filter(due_on__range=window).order_by("due_on", "id").first()
            if found is None:  # an unscheduled visit
                check_in = CheckIn(plan=plan, household=household, due_on=date)
                action = Action.CREATE
            else:
                check_in = found
                action = Action.UPDATE
            check_in.status = status
            check_in.mode = mode
            check_in.person = person or check_in.person
            check_in.recorded_at = now
            check_in.recorded_by_id = actor.user_id
            if note.strip():
                check_in.note = note.strip()
            check_in.save()
        record(actor, action=action, touches=[_touch("check_in", check_in.id, household, ["status", "mode"])])
    return check_in


# --- missed check-ins: outreach, never enforcement ---------------------------------------------------------------


def _send_outreach_message(actor: Actor, outreach: Outreach) -> OutreachStep:
    """A message asking the household to contact its caseworker, only where it agreed to be contacted on a
    channel and has not asked to stop. Otherwise the step is recorded as not sent."""
    household = outreach.household
    message = None
    if messaging.allowed_channels(household) and messaging.active_opt_out(household) is None:
        message = messaging.queue_notice(
            actor,
            household=household,
            template="notice",
            params={"notice": OUTREACH_NOTICE},
            source="casemanagement.outreach",
        )
    return OutreachStep.objects.create(
        outreach=outreach,
        kind=OutreachStepKind.MESSAGE,
        done_at=timezone.now(),
        done_by_id=actor.user_id,
        message=message,
    )


def mark_missed_check_ins(today: dt.date | None = None) -> int:
    """Scheduled check-ins of active plans past their day and a grace day become missed, and each opens
    outreach (once: running this twice opens nothing more). Returns how many outreach were opened."""
    today = today or timezone.localdate()
    last_day = today - dt.timedelta(days=GRACE_DAYS + 1)
    due = CheckIn.objects.filter(
        status=CheckInStatus.SCHEDULED, due_on__lte=last_day, plan__status=PlanStatus.ACTIVE
    ).values_list("id", flat=True)
    opened = 0
    for check_in_id in list(due):
        with transaction.atomic():
            check_in = (
                CheckIn.objects.select_for_update(of=("self",))
                .select_related("household", "plan")
                .filter(pk=check_in_id, status=CheckInStatus.SCHEDULED)
                .first()
            )
            if check_in is None:  # recorded meanwhile
                continue
            check_in.status = CheckInStatus.MISSED
            check_in.save(update_fields=["status"])
            outreach, created = Outreach.objects.get_or_create(
                check_in=check_in,
                defaults={"plan": check_in.plan, "household": check_in.household, "opened_at": timezone.now()},
            )
            record(
                SYSTEM,
                action=Action.UPDATE,
                touches=[_touch("check_in", check_in.id, check_in.household, ["status"])],
            )
            if created:
                opened += 1
                _send_outreach_message(SYSTEM, outreach)
    return opened


def _open_outreach_locked(outreach: Outreach) -> Outreach:
    locked = Outreach.objects.select_for_update(of=("self",)).select_related("household", "plan").get(pk=outreach.pk)
    if locked.status != OutreachStatus.OPEN:
        raise Conflict(_("This outreach is already closed."), "outreach_closed")
    return locked


def add_outreach_step(
    actor: Actor, *, outreach: Outreach, kind: str, reached: bool = False, note: str = ""
) -> OutreachStep:
    """Record an attempt to reach the household: a message (sent again, only with its consent), a phone call
    by the caseworker, a visit at home or at the shelter."""
    if kind not in OutreachStepKind.values:
        raise ValidationFailed({"kind": _("Choose a message, a phone call or a visit.")})
    _require(actor, outreach.household, Verb.WRITE)
    with transaction.atomic():
        locked = _open_outreach_locked(outreach)
        if kind == OutreachStepKind.MESSAGE:
            if not messaging.allowed_channels(locked.household) or messaging.active_opt_out(locked.household):
                raise ValidationFailed({"kind": _("This household has not agreed to be contacted by message.")})
            step = _send_outreach_message(actor, locked)
        else:
            step = OutreachStep.objects.create(
                outreach=locked,
                kind=kind,
                reached=reached,
                note=note.strip(),
                done_at=timezone.now(),
                done_by_id=actor.user_id,
            )
        record(actor, action=Action.CREATE, touches=[_touch("outreach", locked.id, locked.household, ["steps"])])
    return step


def close_outreach(
    actor: Actor,
    *,
    outreach: Outreach,
    outcome: str,
    new_date: dt.date | None = None,
    mode: str = CheckInMode.IN_PERSON,
    today: dt.date | None = None,
) -> Outreach:
    """Close outreach with its outcome. Reached and rescheduled: a new check-in on `new_date` (today or later)."""
    today = today or timezone.localdate()
    errors = {}
    if outcome not in OutreachOutcome.values:
        errors["outcome"] = _("Choose what came of the outreach.")
    if outcome == OutreachOutcome.RESCHEDULED:
        if new_date is None:
            errors["new_date"] = _("Give the day of the new check-in.")
        elif new_date < today:
            errors["new_date"] = _("Schedule a check-in for today or later.")
        if mode not in CheckInMode.values:
            errors["mode"] = _("Choose in person, phone call or text message.")
    if errors:
        raise ValidationFailed(errors)
    _require(actor, outreach.household, Verb.WRITE)
    with transaction.atomic():
        locked = _open_outreach_locked(outreach)
        if outcome == OutreachOutcome.RESCHEDULED and new_date is not None:
            plan = _active_plan_locked(locked.household)
            locked.rescheduled_check_in = CheckIn.objects.create(
                plan=plan, household=locked.household, due_on=new_date, mode=mode
            )
        locked.status = OutreachStatus.CLOSED
        locked.outcome = outcome
        locked.closed_at = timezone.now()
        locked.closed_by_id = actor.user_id
        locked.save()
        record(actor, action=Action.UPDATE, touches=[_touch("outreach", locked.id, locked.household, ["outcome"])])
    return locked


# --- hearing outcomes ------------------------------------------------------------------------------------------


def record_hearing_outcome(
    actor: Actor, *, hearing: Hearing, outcome: str, today: dt.date | None = None
) -> HearingAttendance:
    """Record (or correct) what happened at a hearing, once its day has come. The caller found the hearing
    among those the user may change (legal writers)."""
    today = today or timezone.localdate()
    if outcome not in HearingOutcome.values:
        raise ValidationFailed({"outcome": _("Choose what happened at the hearing.")})
    if hearing.date > today:
        raise ValidationFailed({"outcome": _("The outcome can be recorded on or after the day of the hearing.")})
    with transaction.atomic():
        attendance, created = HearingAttendance.objects.select_for_update().update_or_create(
            hearing=hearing,
            defaults={"outcome": outcome, "recorded_by_id": actor.user_id, "recorded_at": timezone.now()},
        )
        record(
            actor,
            action=Action.CREATE if created else Action.UPDATE,
            touches=[Touch("hearing", str(hearing.id), hearing.household.owner_id, ["outcome"])],
        )
    return attendance
