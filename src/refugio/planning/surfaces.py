"""What of the entry plan each place shows: the manifest at a port (for the port's agency liaisons, only
what is needed there) and a coordinator's own households in a plan run."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from refugio.accounts.rules import Subject, Verb
from refugio.accounts.selectors import organisations_where
from refugio.disclosure import Kind, Nested, Surface, register_kind
from refugio.people.models import Household
from refugio.people.registration_code import display
from refugio.people.selectors import User, visible_households
from refugio.people.surfaces import PERSON
from refugio.planning.models import Appointment
from refugio.planning.selectors import Explanation, explain, liaison_ports
from refugio.planning.services import current_published
from refugio.triage.selectors import declared_vulnerabilities, triage_of

MANIFEST_PERSON_FIELDS = (
    "given_names",
    "first_family_name",
    "second_family_name",
    "full_name",
    "date_of_birth",
    "nationality",
    "sex",
    "a_number",
)


def _visible(user: User, verb: Verb) -> QuerySet[Appointment]:
    """A liaison sees the published plan's appointments at their agency's ports; an org admin the
    appointments of their own organisation's households."""
    rule = Q(
        household__in=visible_households(user).filter(owner_id__in=organisations_where(user, Subject.PLAN, Verb.READ))
    )
    published = current_published()
    ports = liaison_ports(user)
    if published is not None and ports:
        rule |= Q(plan=published, port__in=ports)
    return Appointment.objects.filter(rule).select_related("port", "household")


def _members_at_port(appointment: Appointment) -> list:
    return [p for p in appointment.household.members.all() if p.merged_into_id is None]


APPOINTMENT = register_kind(
    Kind(
        name="appointment",
        fields={
            "household_id": lambda a: a.household_id,
            "registration_code": lambda a: display(a.household.registration_code),
            "date": lambda a: a.date,
            "tier": lambda a: a.tier,
        },
        envelope={
            "id": lambda a: a.id,
            "port": lambda a: {"code": a.port.code, "name": a.port.name},
            "lane": lambda a: a.lane,
            "lane_label": lambda a: a.get_lane_display(),
            "moved": lambda a: a.moved,
        },
        visible=_visible,
        organisation_of=lambda a: a.household.owner_id,
    )
)

MANIFEST = Surface(
    "planning.manifest",
    APPOINTMENT,
    ("registration_code",),
    nested={"members": Nested(_members_at_port, Surface("person.manifest", PERSON, MANIFEST_PERSON_FIELDS))},
)
OWN_APPOINTMENTS = Surface(
    "planning.own_appointments", APPOINTMENT, ("household_id", "registration_code", "date", "tier")
)


def _priority_view(household: Household) -> dict[str, Any]:
    """Priority with its reasons and the household's place in the plan, computed once per object shown."""
    cached = getattr(household, "_priority_view", None)
    if cached is not None:
        return cached
    triage = triage_of(household)
    if triage.tier is None or triage.priority is None:
        explanation = Explanation(None, _("Not scored yet."))
    else:
        explanation = explain(household, triage.tier, triage.priority)
    appointment = explanation.appointment
    view = {
        "scored": triage.scored,
        "tier": triage.tier,
        "priority": triage.priority,
        "computed_tier": triage.computed_tier,
        "computed_priority": triage.computed_priority,
        "reasons": triage.reasons,
        "policy_version": triage.policy_version,
        "override": (
            {
                "tier": triage.override.tier,
                "priority": triage.override.priority,
                "reason": triage.override.reason,
                "created_at": triage.override.created_at,
            }
            if triage.override
            else None
        ),
        "declared": declared_vulnerabilities(household),
        "appointment": (
            {
                "port": appointment.port.code,
                "port_name": appointment.port.name,
                "date": appointment.date,
                "lane": appointment.lane,
                "moved": appointment.moved,
            }
            if appointment
            else None
        ),
        "entry_explanation": explanation.text,
    }
    household._priority_view = view  # type: ignore[attr-defined]
    return view


def _part(name: str) -> Any:  # noqa: ANN401
    return lambda household: _priority_view(household)[name]


PRIORITY_FIELDS = (
    "scored",
    "tier",
    "priority",
    "computed_tier",
    "computed_priority",
    "reasons",
    "policy_version",
    "override",
    "appointment",
    "entry_explanation",
)
PRIORITY_PANEL_FIELDS = (*PRIORITY_FIELDS, "declared")
PRIORITY = register_kind(
    Kind(
        name="priority",
        fields={name: _part(name) for name in PRIORITY_PANEL_FIELDS},
        envelope={"id": lambda h: h.id, "owner_id": lambda h: h.owner_id},
        visible=lambda user, verb: visible_households(user, for_write=verb != Verb.READ).select_related("owner"),
        organisation_of=lambda h: h.owner_id,
    )
)
PRIORITY_API = Surface("household.priority", PRIORITY, PRIORITY_FIELDS)
# The household page's panel also lists the vulnerabilities declared but not yet confirmed, by person.
PRIORITY_PANEL = Surface("household.priority_panel", PRIORITY, PRIORITY_PANEL_FIELDS)
