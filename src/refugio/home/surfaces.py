"""What the staff home page shows of people: short lists, each through refugio.disclosure.

Counts need no disclosure; every list that names a household, a hearing or an arrival does. The arrivals
of the published entry plan are a kind of their own here: the appointment kind (planning.surfaces) is for
coordinators and port liaisons, while the shelter (and the caseworker) sees the appointments of the
households its organisation holds or has been shared, to get ready for them.
"""

from __future__ import annotations

from django.db.models import QuerySet

from refugio.accounts.rules import Verb
from refugio.disclosure import Kind, Surface, register_kind
from refugio.legal.surfaces import HEARING, REPRESENTATION
from refugio.people.registration_code import display
from refugio.people.selectors import User, visible_households
from refugio.people.surfaces import HOUSEHOLD, head_of
from refugio.planning.models import Appointment
from refugio.planning.services import current_published


def _visible_arrivals(user: User, verb: Verb) -> QuerySet[Appointment]:
    """Appointments of the published plan, for households the user may see (owned or shared)."""
    published = current_published()
    if published is None or verb != Verb.READ:
        return Appointment.objects.none()
    return (
        Appointment.objects.filter(plan=published, household__in=visible_households(user))
        .select_related("port", "household")
        .prefetch_related("household__members")
    )


ARRIVAL = register_kind(
    Kind(
        name="arrival",
        fields={
            "registration_code": lambda a: display(a.household.registration_code),
            "head_name": lambda a: head.full_name if (head := head_of(a.household)) else "",
            "date": lambda a: a.date,
            "people": lambda a: a.people,
        },
        envelope={
            "id": lambda a: a.id,
            "household_id": lambda a: a.household_id,
            "port": lambda a: {"code": a.port.code, "name": a.port.name, "destination": a.port.destination},
        },
        visible=_visible_arrivals,
        organisation_of=lambda a: a.household.owner_id,
    )
)

# A caseworker's own households: enough to find them again.
HOME_HOUSEHOLDS = Surface(
    "home.households", HOUSEHOLD, ("registration_code", "head_name", "member_count", "next_hearing_date")
)
# Hearings coming: the case's code, the court, the day, and what the hearing still lacks.
HOME_HEARINGS = Surface("home.hearings", HEARING, ("registration_code", "court", "date", "time", "kind", "uncovered"))
# Cases offered to the attorney: the code and when, to go and answer on the offers page.
HOME_OFFERS = Surface("home.offers", REPRESENTATION, ("registration_code", "offered_at"))
# Who arrives when at which port: for the shelter to get beds ready, and for the caseworker.
HOME_ARRIVALS = Surface("home.arrivals", ARRIVAL, ("registration_code", "head_name", "date", "people"))
