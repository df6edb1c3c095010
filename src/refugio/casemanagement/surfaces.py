"""What of case plans, check-ins, outreach and hearing outcomes each place shows. The vocabulary of their personal
fields is here, once; pages and endpoints name a surface and call refugio.disclosure.

Caseworkers' names are staff data (envelope); everything about the household is a field, read and audited."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from refugio.accounts.rules import Verb
from refugio.casemanagement import selectors
from refugio.casemanagement.models import (
    CasePlan,
    CheckInStatus,
    OutreachStatus,
    OutreachStep,
)
from refugio.disclosure import Kind, Surface, register_kind
from refugio.legal.models import Hearing
from refugio.people.models import Household
from refugio.people.registration_code import display
from refugio.people.vocabulary import court_name


def _staff(user: Any) -> str:  # noqa: ANN401
    return (user.get_full_name() or user.get_username()) if user is not None else ""


def _next_check_in(plan: CasePlan) -> Any:  # noqa: ANN401
    found = (
        plan.check_ins.filter(status=CheckInStatus.SCHEDULED, due_on__gte=timezone.localdate())
        .order_by("due_on")
        .first()
    )
    return {"due_on": found.due_on, "mode_label": found.get_mode_display()} if found else None


def _open_outreach(plan: CasePlan) -> int:
    return plan.outreach.filter(status=OutreachStatus.OPEN).count()


def _plans(user: Any, verb: Verb) -> QuerySet[CasePlan]:  # noqa: ANN401
    return selectors.visible_plans(user, verb)


CASE_PLAN = register_kind(
    Kind(
        name="case_plan",
        fields={
            "registration_code": lambda p: display(p.household.registration_code),
            "status": lambda p: p.status,
            "started_on": lambda p: p.started_on,
            "ended_on": lambda p: p.ended_on,
            "schedule": lambda p: {
                "weekly_for_weeks": p.weekly_for_weeks,
                "then_every_days": p.then_every_days,
                "until": p.schedule_until,
            },
            "goals": lambda p: p.goals,
            "notes": lambda p: p.notes,
            "next_check_in": _next_check_in,
            "open_outreach": _open_outreach,
        },
        labels={"status": lambda p: p.get_status_display()},
        envelope={
            "id": lambda p: p.id,
            "household_id": lambda p: p.household_id,
            "caseworker_id": lambda p: p.caseworker_id,
            "caseworker": lambda p: _staff(p.caseworker),
            "organisation": lambda p: p.organisation.name,
        },
        visible=_plans,
        organisation_of=lambda p: p.household.owner_id,
    )
)


CHECK_IN = register_kind(
    Kind(
        name="check_in",
        fields={
            "registration_code": lambda c: display(c.household.registration_code),
            "person_name": lambda c: c.person.full_name if c.person_id else "",
            "due_on": lambda c: c.due_on,
            "mode": lambda c: c.mode,
            "status": lambda c: c.status,
            "recorded_at": lambda c: c.recorded_at,
            "note": lambda c: c.note,
        },
        labels={"mode": lambda c: c.get_mode_display(), "status": lambda c: c.get_status_display()},
        envelope={"id": lambda c: c.id, "household_id": lambda c: c.household_id, "plan_id": lambda c: c.plan_id},
        visible=lambda user, verb: selectors.visible_check_ins(user, verb),
        organisation_of=lambda c: c.household.owner_id,
    )
)


def _head_name(household: Household) -> str:
    members = list(household.members.all())
    head = next((p for p in members if p.relationship_to_head == "head"), members[0] if members else None)
    return head.full_name if head else ""


def _step(step: OutreachStep) -> dict[str, Any]:
    return {
        "kind": step.kind,
        "kind_label": step.get_kind_display(),
        "reached": step.reached,
        "done_at": step.done_at,
        "sent": step.message_id is not None,
        "note": step.note,
    }


OUTREACH = register_kind(
    Kind(
        name="outreach",
        fields={
            "registration_code": lambda o: display(o.household.registration_code),
            "head_name": lambda o: _head_name(o.household),
            "contact_phone": lambda o: o.household.contact_phone,
            "missed_on": lambda o: o.check_in.due_on,
            "status": lambda o: o.status,
            "outcome": lambda o: o.outcome,
            "opened_at": lambda o: o.opened_at,
            "closed_at": lambda o: o.closed_at,
            "steps": lambda o: [_step(s) for s in o.steps.all()],
        },
        labels={"status": lambda o: o.get_status_display(), "outcome": lambda o: o.get_outcome_display()},
        envelope={
            "id": lambda o: o.id,
            "household_id": lambda o: o.household_id,
            "plan_id": lambda o: o.plan_id,
            "check_in_id": lambda o: o.check_in_id,
            "caseworker": lambda o: _staff(o.plan.caseworker),
        },
        visible=lambda user, verb: selectors.visible_outreach(user, verb),
        organisation_of=lambda o: o.household.owner_id,
    )
)


def _outcome(hearing: Hearing) -> str:
    attendance = getattr(hearing, "attendance", None)
    return attendance.outcome if attendance is not None else ""


def _outcome_label(hearing: Hearing) -> str:
    attendance = getattr(hearing, "attendance", None)
    return str(attendance.get_outcome_display()) if attendance is not None else ""


def _hearings(user: Any, verb: Verb) -> QuerySet[Hearing]:  # noqa: ANN401
    from refugio.legal.selectors import visible_hearings

    return visible_hearings(user, verb).select_related("attendance")


# A hearing seen for its outcome (who appeared): its own kind, so its reads name the outcome.
HEARING_OUTCOME = register_kind(
    Kind(
        name="hearing_outcome",
        fields={
            "registration_code": lambda h: display(h.household.registration_code),
            "court": lambda h: h.court,
            "date": lambda h: h.date,
            "time": lambda h: h.time,
            "kind": lambda h: h.kind,
            "outcome": _outcome,
        },
        labels={
            "court": lambda h: court_name(h.court),
            "kind": lambda h: h.get_kind_display(),
            "outcome": _outcome_label,
        },
        envelope={"id": lambda h: h.id, "household_id": lambda h: h.household_id},
        visible=_hearings,
        organisation_of=lambda h: h.household.owner_id,
    )
)

PLAN_FIELDS = ("registration_code", "status", "started_on", "ended_on", "schedule", "goals", "notes")
CHECK_IN_FIELDS = ("person_name", "due_on", "mode", "status", "recorded_at", "note")
OUTREACH_FIELDS = ("missed_on", "status", "outcome", "opened_at", "closed_at", "steps")

# The household page's one line: the plan, its next check-in, open outreach.
HOUSEHOLD_PANEL = Surface("casemanagement.panel", CASE_PLAN, ("status", "started_on", "next_check_in", "open_outreach"))
# /case-management/households/<id>/: the plan, its check-ins and outreach.
PLAN_PAGE = Surface("casemanagement.plan_page", CASE_PLAN, PLAN_FIELDS + ("next_check_in",))
CHECK_INS_PAGE = Surface("casemanagement.check_ins_page", CHECK_IN, CHECK_IN_FIELDS)
OUTREACH_PAGE = Surface("casemanagement.outreach_page", OUTREACH, OUTREACH_FIELDS)
# /case-management/: the caseworker's own list: whom to call, where to go.
MY_OUTREACH = Surface(
    "casemanagement.my_outreach",
    OUTREACH,
    ("registration_code", "head_name", "contact_phone", "missed_on", "opened_at", "steps"),
)
MY_CHECK_INS = Surface("casemanagement.my_check_ins", CHECK_IN, ("registration_code", "due_on", "mode"))
# /case-management/outreach/<id>/: one outreach to work on.
OUTREACH_DETAIL = Surface(
    "casemanagement.outreach_detail",
    OUTREACH,
    ("registration_code", "head_name", "contact_phone") + OUTREACH_FIELDS,
    verb=Verb.WRITE,
)
# /case-management/loads/: plans to reassign (code and caseworker only).
REASSIGN_LIST = Surface("casemanagement.reassign", CASE_PLAN, ("registration_code", "started_on"), verb=Verb.OVERRIDE)
# /case-management/hearings/: hearings whose outcome to record.
HEARING_OUTCOMES_PAGE = Surface(
    "casemanagement.hearing_outcomes",
    HEARING_OUTCOME,
    ("registration_code", "court", "date", "time", "kind", "outcome"),
    verb=Verb.WRITE,
)
# The API.
PLANS_API = Surface("casemanagement.plans_api", CASE_PLAN, PLAN_FIELDS)
CHECK_INS_API = Surface("casemanagement.check_ins_api", CHECK_IN, CHECK_IN_FIELDS)
OUTREACH_API = Surface("casemanagement.outreach_api", OUTREACH, OUTREACH_FIELDS)
