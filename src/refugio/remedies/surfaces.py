"""What of removal orders, motions to reopen and MPP cases each place shows. The vocabulary of their personal
fields is here, once; pages, endpoints and the DOCX draft name a surface and call refugio.disclosure."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from refugio.accounts.rules import Verb
from refugio.disclosure import Kind, Surface, register_kind
from refugio.legal.models import Hearing, Representation, RepresentationStatus
from refugio.people.registration_code import display
from refugio.people.surfaces import HOUSEHOLD
from refugio.people.vocabulary import court_name
from refugio.remedies import deadlines, selectors
from refugio.remedies.models import (
    EVIDENCE,
    PHASE_OF_STATUS,
    MotionToReopen,
    MPPCase,
    MPPPhase,
    RemovalOrder,
)

# The heading of the remedies pages: the household's registration code.
HEADING = Surface("remedies.heading", HOUSEHOLD, ("registration_code",))


def _deadline(order: RemovalOrder) -> dict[str, Any]:
    rule = order.motion_deadline()
    return {
        "due": rule.due,
        "source": rule.source,
        "explanation": rule.explanation,
        "automatic_stay": rule.automatic_stay,
        "in_absentia_motion": rule.in_absentia_motion,
    }


def deadline_words(order: RemovalOrder) -> str:
    """The deadline rule in the reader's language (the pure rule's own text is English, for the draft)."""
    rule = order.motion_deadline()
    if not rule.in_absentia_motion:
        return _(
            "Not made in absentia: no in-absentia motion to reopen. For information: a general motion to reopen "
            "is due within 90 days of the final order (INA §240(c)(7)(C)(i)), with exceptions."
        )
    stay = _("Filing the motion stays removal automatically until the judge decides it.")
    if rule.due is not None:
        return (
            _("File within 180 days of the order, by %(date)s (INA §240(b)(5)(C)(i)).") % {"date": rule.due.isoformat()}
            + " "
            + stay
        )
    if rule.source == deadlines.SOURCE_NO_DEADLINE:
        return _("No deadline: the motion may be filed at any time (INA §240(b)(5)(C)(ii)).") + " " + stay
    return _("The ground for reopening is not recorded yet: no deadline can be given.")


def _days_left(order: RemovalOrder) -> int | None:
    return deadlines.days_left(order.motion_deadline().due, timezone.localdate())


def evidence_for(reason: str) -> list[str]:
    return [str(item) for item in EVIDENCE.get(reason, ())]


ORDER = register_kind(
    Kind(
        name="removal_order",
        fields={
            "registration_code": lambda o: display(o.household.registration_code),
            "person_name": lambda o: o.person.full_name,
            "order_date": lambda o: o.order_date,
            "court": lambda o: o.court,
            "in_absentia": lambda o: o.in_absentia,
            "reason": lambda o: o.reason,
            "motion_deadline": _deadline,
            "days_left": _days_left,
        },
        labels={
            "court": lambda o: court_name(o.court),
            "reason": lambda o: o.get_reason_display() if o.reason else "",
            "motion_deadline": deadline_words,
        },
        envelope={
            "id": lambda o: o.id,
            "household_id": lambda o: o.household_id,
            "person_id": lambda o: o.person_id,
        },
        visible=lambda user, verb: selectors.visible_orders(user, verb),
        organisation_of=lambda o: o.household.owner_id,
    )
)

ORDER_FIELDS = ("person_name", "order_date", "court", "in_absentia", "reason", "motion_deadline", "days_left")
ORDERS_PAGE = Surface("remedies.orders_page", ORDER, ORDER_FIELDS)
ORDERS_API = Surface("remedies.orders", ORDER, ORDER_FIELDS)
# The household page's line: each order's deadline and days left, no name.
ORDER_PANEL = Surface("remedies.panel", ORDER, ("order_date", "in_absentia", "reason", "motion_deadline", "days_left"))
# The home page of who works cases: motions due soon (the case's code, the deadline, days left; no name).
ORDER_HOME = Surface("remedies.home", ORDER, ("registration_code", "order_date", "motion_deadline", "days_left"))


def _accepted_representation(motion: MotionToReopen) -> Representation | None:
    return (
        Representation.objects.filter(household_id=motion.order.household_id, status=RepresentationStatus.ACCEPTED)
        .select_related("representative")
        .first()
    )


def _representation(motion: MotionToReopen) -> dict[str, str] | None:
    found = _accepted_representation(motion)
    if found is None:
        return None
    return {"name": found.representative.name, "kind": str(found.representative.get_kind_display())}


def _hearings(motion: MotionToReopen) -> list[dict[str, Any]]:
    rows = Hearing.objects.filter(household_id=motion.order.household_id).order_by("date", "time")
    return [
        {"date": h.date, "court": court_name(h.court), "kind": str(h.get_kind_display())}
        for h in rows
        if h.person_id in (None, motion.order.person_id)
    ]


def _mpp(motion: MotionToReopen) -> str:
    case = MPPCase.objects.filter(person_id=motion.order.person_id).first()
    return str(case.get_status_display()) if case else ""


MOTION = register_kind(
    Kind(
        name="motion_to_reopen",
        fields={
            "status": lambda m: m.status,
            "filed_on": lambda m: m.filed_on,
            "decided_on": lambda m: m.decided_on,
            "decision_notes": lambda m: m.decision_notes,
            # What the draft is made of.
            "registration_code": lambda m: display(m.order.household.registration_code),
            "respondent_name": lambda m: m.order.person.full_name,
            "a_number": lambda m: m.order.person.a_number,
            "court": lambda m: m.order.court,
            "order_date": lambda m: m.order.order_date,
            "reason": lambda m: m.order.reason,
            "motion_deadline": lambda m: _deadline(m.order),
            "representation": _representation,
            "hearings": _hearings,
            "mpp_status": _mpp,
        },
        labels={
            "status": lambda m: m.get_status_display(),
            "court": lambda m: court_name(m.order.court),
            "reason": lambda m: m.order.get_reason_display() if m.order.reason else "",
            "motion_deadline": lambda m: deadline_words(m.order),
        },
        envelope={
            "id": lambda m: m.id,
            "order_id": lambda m: m.order_id,
            "household_id": lambda m: m.order.household_id,
        },
        visible=lambda user, verb: selectors.visible_motions(user, verb),
        organisation_of=lambda m: m.order.household.owner_id,
    )
)

MOTION_FIELDS = ("status", "filed_on", "decided_on", "decision_notes")
MOTIONS_PAGE = Surface("remedies.motions_page", MOTION, MOTION_FIELDS)
MOTIONS_API = Surface("remedies.motions", MOTION, MOTION_FIELDS)
# The DOCX draft: every fact it is made of.
MOTION_DOCUMENT = Surface(
    "remedies.motion_document",
    MOTION,
    (
        "registration_code",
        "respondent_name",
        "a_number",
        "court",
        "order_date",
        "reason",
        "motion_deadline",
        "representation",
        "hearings",
        "mpp_status",
    ),
    # A draft is the lawyers' work: only who may change the case's remedies downloads it (not shelter staff).
    verb=Verb.WRITE,
)


def phase_of(case: MPPCase) -> int:
    return PHASE_OF_STATUS[case.status]


MPP_CASE = register_kind(
    Kind(
        name="mpp_case",
        fields={
            "person_name": lambda c: c.person.full_name,
            "status": lambda c: c.status,
            "court": lambda c: c.court,
            "enrolled_on": lambda c: c.enrolled_on,
            "status_date": lambda c: c.status_date,
            "details": lambda c: c.details,
        },
        labels={
            "status": lambda c: c.get_status_display(),
            "court": lambda c: court_name(c.court) if c.court else "",
        },
        envelope={
            "id": lambda c: c.id,
            "household_id": lambda c: c.household_id,
            "person_id": lambda c: c.person_id,
            "phase": phase_of,
            "phase_label": lambda c: str(MPPPhase(phase_of(c)).label),
        },
        visible=lambda user, verb: selectors.visible_mpp_cases(user, verb),
        organisation_of=lambda c: c.household.owner_id,
    )
)

MPP_FIELDS = ("person_name", "status", "court", "enrolled_on", "status_date", "details")
MPP_PAGE = Surface("remedies.mpp_page", MPP_CASE, MPP_FIELDS)
MPP_API = Surface("remedies.mpp", MPP_CASE, MPP_FIELDS)
