"""What of an alert and of a stay request each place shows, declared once (refugio.disclosure).

An alert's personal fields are its case code, the person concerned, where they are held, what the reporter
wrote and the checklist's notes. Its envelope (kind, status, times, the escalation it opened and who was told
when) names nobody the organisation serves. A stay request's document carries the case facts: each download
is audited with exactly those fields."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from refugio.disclosure import Kind, Surface, register_kind
from refugio.legal.models import Representation, RepresentationStatus
from refugio.people.registration_code import display
from refugio.people.vocabulary import court_name, nationality_name
from refugio.rapidresponse import selectors
from refugio.rapidresponse.models import ChecklistStep, DetentionAlert, StayRequest


def subject_of(alert: DetentionAlert) -> Any:  # noqa: ANN401
    """The person concerned: the one named, else the head of the household."""
    if alert.person_id:
        return alert.person
    members = list(alert.household.members.all())
    return next((p for p in members if p.relationship_to_head == "head"), members[0] if members else None)


def _person_name(alert: DetentionAlert) -> str:
    person = subject_of(alert)
    return person.full_name if person is not None else ""


def _checklist(alert: DetentionAlert) -> list[dict[str, Any]]:
    items = {i.step: i for i in alert.checklist.select_related("done_by")}
    rows = []
    for step, label in ChecklistStep.choices:
        item = items.get(step)
        rows.append(
            {
                "step": step,
                "step_label": str(label),
                "done": bool(item and item.done_at),
                "done_at": item.done_at if item else None,
                "done_by": item.done_by.get_username() if item and item.done_by else "",
                "note": item.note if item else "",
            }
        )
    return rows


def _escalation(alert: DetentionAlert) -> dict[str, Any] | None:
    e = alert.escalation
    if e is None:
        return None
    return {
        "id": e.id,
        "reference": e.reference,
        "office": {"id": e.office_id, "name": e.office.name},
        "category": e.category,
        "status": e.status,
        "status_label": e.get_status_display(),
        "tier": e.tier,
        "acknowledge_by": e.acknowledge_by,
        "resolve_by": e.resolve_by,
    }


def _notifications(alert: DetentionAlert) -> list[dict[str, Any]]:
    return [
        {
            "user": n.user.get_username(),
            "notified_as": n.notified_as,
            "notified_as_label": n.get_notified_as_display(),
            "created_at": n.created_at,
            "sent_at": n.sent_at,
        }
        for n in alert.notifications.select_related("user")
    ]


ALERT = register_kind(
    Kind(
        name="detention_alert",
        fields={
            "registration_code": lambda a: display(a.household.registration_code),
            "person_name": _person_name,
            "facility": lambda a: a.facility,
            "city": lambda a: a.city,
            "details": lambda a: a.details,
            "checklist": _checklist,
        },
        envelope={
            "id": lambda a: a.id,
            "reference": lambda a: a.reference,
            "household_id": lambda a: a.household_id,
            "kind": lambda a: a.kind,
            "kind_label": lambda a: a.get_kind_display(),
            "channel": lambda a: a.channel,
            "channel_label": lambda a: a.get_channel_display(),
            "status": lambda a: a.status,
            "status_label": lambda a: a.get_status_display(),
            "outcome": lambda a: a.outcome,
            "outcome_label": lambda a: a.get_outcome_display() if a.outcome else "",
            "created_at": lambda a: a.created_at,
            "located_at": lambda a: a.located_at,
            "resolved_at": lambda a: a.resolved_at,
            "closed_at": lambda a: a.closed_at,
            "escalation": _escalation,
            "notifications": _notifications,
        },
        visible=lambda user, verb: selectors.visible_alerts(user, verb),
        organisation_of=lambda a: a.household.owner_id,
    )
)

# The alert page and the API's alert: everything.
ALERT_PAGE = Surface(
    "rapidresponse.alert", ALERT, ("registration_code", "person_name", "facility", "city", "details", "checklist")
)
ALERT_API = Surface(
    "rapidresponse.alert_api",
    ALERT,
    ("registration_code", "person_name", "facility", "city", "details", "checklist"),
)
# Lists (the open alerts page, the API list, home pages, the household panel): the case's code only.
ALERT_ROW = Surface("rapidresponse.alert_row", ALERT, ("registration_code",))


def _stay_subject(stay: StayRequest) -> Any:  # noqa: ANN401
    return subject_of(stay.alert)


def _parties(stay: StayRequest) -> list[dict[str, Any]]:
    return [
        {
            "name": p.full_name,
            "a_number": p.a_number,
            "date_of_birth": p.date_of_birth,
            "nationality": nationality_name(p.nationality) if p.nationality else "",
            "relationship": p.get_relationship_to_head_display(),
        }
        for p in stay.alert.household.members.all()
    ]


def _court(stay: StayRequest) -> str:
    household = stay.alert.household
    hearing = household.hearings.order_by("-date").first()
    if hearing is not None:
        return court_name(hearing.court)
    person = _stay_subject(stay)
    return court_name(person.immigration_court) if person is not None and person.immigration_court else ""


def _hearings(stay: StayRequest) -> list[dict[str, Any]]:
    return [
        {"date": h.date, "time": h.time, "court": court_name(h.court), "kind": h.get_kind_display()}
        for h in stay.alert.household.hearings.order_by("date", "time")
    ]


def _representation(stay: StayRequest) -> list[dict[str, Any]]:
    return [
        {
            "name": r.representative.name,
            "kind": r.representative.get_kind_display(),
            "g28_filed_on": r.g28_filed_on,
            "eoir28_filed_on": r.eoir28_filed_on,
        }
        for r in Representation.objects.filter(
            household_id=stay.alert.household_id, status=RepresentationStatus.ACCEPTED
        ).select_related("representative")
    ]


STAY = register_kind(
    Kind(
        name="stay_request",
        fields={
            "registration_code": lambda s: display(s.alert.household.registration_code),
            "subject_name": lambda s: getattr(_stay_subject(s), "full_name", ""),
            "subject_a_number": lambda s: getattr(_stay_subject(s), "a_number", ""),
            "parties": _parties,
            "court": _court,
            "hearings": _hearings,
            "representation": _representation,
            "facility": lambda s: s.alert.facility,
            "city": lambda s: s.alert.city,
            "grounds": lambda s: s.grounds,
        },
        envelope={
            "id": lambda s: s.id,
            "alert_id": lambda s: s.alert_id,
            "alert_kind": lambda s: s.alert.kind,
            "drafted_at": lambda s: s.drafted_at,
            "filed_on": lambda s: s.filed_on,
            "decision": lambda s: s.decision,
            "decision_label": lambda s: s.get_decision_display(),
            "decided_on": lambda s: s.decided_on,
            "today": lambda s: timezone.localdate(),
        },
        visible=lambda user, verb: (
            StayRequest.objects.filter(alert__in=selectors.visible_alerts(user, verb))
            .select_related("alert__household", "alert__person")
            .prefetch_related("alert__household__members")
        ),
        organisation_of=lambda s: s.alert.household.owner_id,
    )
)

# The drafted document: every case fact it carries.
STAY_DOCUMENT = Surface(
    "rapidresponse.stay_document",
    STAY,
    (
        "registration_code",
        "subject_name",
        "subject_a_number",
        "parties",
        "court",
        "hearings",
        "representation",
        "facility",
        "city",
        "grounds",
    ),
)
# On the alert page and in the API: the request's tracking and its grounds.
STAY_ROW = Surface("rapidresponse.stay_row", STAY, ("grounds",))
