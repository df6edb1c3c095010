"""What of tickets, itineraries and destination addresses each place shows. The vocabulary of their
personal fields is here, once; pages and endpoints name a surface and call refugio.disclosure.

Trips alone (two cities, times, seats) name no one and are not a kind: the trips list is not audited. A
ticket says that a household travels on a trip, so everything read through a ticket (even the cities) is
personal and audited."""

from __future__ import annotations

from typing import Any

from refugio.disclosure import Kind, Nested, Surface, register_kind
from refugio.people.models import Household
from refugio.people.registration_code import display
from refugio.people.surfaces import head_of
from refugio.people.vocabulary import language_name
from refugio.transport import selectors
from refugio.transport.models import Mode, Relocation, Ticket, TicketStatus, USState


def _passengers(ticket: Ticket) -> list[str]:
    return [p.full_name for p in ticket.persons.all()]


TICKET = register_kind(
    Kind(
        name="ticket",
        fields={
            "registration_code": lambda t: display(t.household.registration_code),
            "passenger_names": _passengers,
            "seats": lambda t: t.seats,
            "status": lambda t: t.status,
            "reference": lambda t: t.reference,
            "mode": lambda t: t.trip.mode,
            "from_place": lambda t: t.trip.from_place,
            "to_place": lambda t: t.trip.to_place,
            "departs_at": lambda t: t.trip.departs_at,
            "arrives_at": lambda t: t.trip.arrives_at,
            "carrier": lambda t: t.trip.carrier,
            "booking_reference": lambda t: t.trip.booking_reference,
        },
        labels={
            "status": lambda t: str(TicketStatus(t.status).label),
            "mode": lambda t: str(Mode(t.trip.mode).label),
        },
        envelope={"id": lambda t: t.id, "trip_id": lambda t: t.trip_id, "household_id": lambda t: t.household_id},
        visible=lambda user, verb: selectors.visible_tickets(user, verb),
        organisation_of=lambda t: t.household.owner_id,
    )
)

RELOCATION = register_kind(
    Kind(
        name="relocation",
        fields={
            "registration_code": lambda r: display(r.household.registration_code),
            "sponsor_name": lambda r: r.sponsor_name,
            "address": lambda r: r.address,
            "city": lambda r: r.city,
            "state": lambda r: r.state,
            "moved_on": lambda r: r.moved_on,
        },
        labels={"state": lambda r: str(USState(r.state).label) if r.state in USState.values else r.state},
        envelope={"id": lambda r: r.id, "household_id": lambda r: r.household_id},
        visible=lambda user, verb: selectors.visible_relocations(user, verb),
        organisation_of=lambda r: r.household.owner_id,
    )
)


def _live_tickets(household: Household) -> list[Any]:
    found = getattr(household, "live_tickets", None)
    if found is None:
        found = list(household.tickets.filter(status__in=("booked", "used")).order_by("trip__departs_at", "id"))
    return list(found)


def _destination(household: Household) -> list[Relocation]:
    """The latest destination address (a list of at most one, for a nested surface)."""
    found = getattr(household, "destinations", None)
    if found is None:
        found = list(household.relocations.order_by("-moved_on", "-id")[:1])
    return list(found[:1])


# A household as a traveller: its itinerary, seen under Subject.TRANSPORT (not the case's own rules).
TRAVELLER = register_kind(
    Kind(
        name="traveller",
        fields={
            "registration_code": lambda h: display(h.registration_code),
            "preferred_language": lambda h: h.preferred_language,
            "head_name": lambda h: head.full_name if (head := head_of(h)) else "",
            "member_count": lambda h: len(list(h.members.all())),
        },
        labels={"preferred_language": lambda h: language_name(h.preferred_language)},
        envelope={"id": lambda h: h.id},
        visible=lambda user, verb: selectors.itinerary_households(user, verb),
        organisation_of=lambda h: h.owner_id,
    )
)

LEG_FIELDS = (
    "passenger_names",
    "seats",
    "status",
    "reference",
    "mode",
    "from_place",
    "to_place",
    "departs_at",
    "arrives_at",
    "carrier",
)
DESTINATION_FIELDS = ("sponsor_name", "address", "city", "state", "moved_on")

# /transport/households/<id>/itinerary/: the printable itinerary handed to the family, in its language.
ITINERARY_PAGE = Surface(
    "transport.itinerary",
    TRAVELLER,
    ("registration_code", "preferred_language", "head_name", "member_count"),
    nested={
        "legs": Nested(_live_tickets, Surface("transport.itinerary_leg", TICKET, LEG_FIELDS)),
        "destinations": Nested(
            _destination, Surface("transport.itinerary_destination", RELOCATION, DESTINATION_FIELDS)
        ),
    },
)
ITINERARY_API = Surface(
    "transport.itinerary_api",
    TRAVELLER,
    ("registration_code", "preferred_language"),
    nested={
        "legs": Nested(_live_tickets, Surface("transport.itinerary_api_leg", TICKET, LEG_FIELDS)),
        "destinations": Nested(
            _destination, Surface("transport.itinerary_api_destination", RELOCATION, DESTINATION_FIELDS)
        ),
    },
)
# The household heading above the relocation form (code only).
TRAVELLER_HEADING = Surface("transport.traveller_heading", TRAVELLER, ("registration_code",))

# A trip's page: who travels on it (only households the viewer may see).
PASSENGERS_PAGE = Surface(
    "transport.passengers", TICKET, ("registration_code", "passenger_names", "seats", "status", "reference")
)
# The API's answer to a booking.
TICKET_API = Surface(
    "transport.ticket", TICKET, ("registration_code", "passenger_names", "seats", "status", "reference")
)
# The household page's one line: the next leg.
NEXT_LEG = Surface("transport.next_leg", TICKET, ("mode", "from_place", "to_place", "departs_at"))
# Destination addresses: the relocation page's list and the API's answer.
RELOCATIONS_PAGE = Surface("transport.relocations", RELOCATION, DESTINATION_FIELDS)
RELOCATION_API = Surface("transport.relocation", RELOCATION, DESTINATION_FIELDS)
