"""Transport: who may see which trips, tickets, itineraries and destination addresses.

A trip is a journey between two cities with a number of seats: it names no person, so every user who holds
a transport role (accounts.rules, Subject.TRANSPORT) in some organisation sees the trips, to book seats on
buses other organisations run. Agency liaisons and analysts hold none and see no trip.

Tickets, itineraries and destination addresses are about a household: they follow the owned-or-shared rule
of people.selectors with the roles the rule table gives for Subject.TRANSPORT.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING, TypedDict

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from refugio.accounts.rules import Subject, Verb
from refugio.accounts.selectors import organisations_where
from refugio.core.errors import NotFound
from refugio.people.models import Household, Person
from refugio.people.registration_code import normalise as normalise_code
from refugio.people.selectors import households_for_organisations
from refugio.transport.models import HOLDING, Relocation, Ticket, Trip

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

User = AbstractBaseUser | AnonymousUser


class _Taken(TypedDict):
    taken: int


def seats_taken(trip_id: int) -> int:
    """Seats held on a trip by tickets that are booked or used (cancelled tickets free their seats)."""
    total = Ticket.objects.filter(trip_id=trip_id, status__in=HOLDING).aggregate(n=Sum("seats"))["n"]
    return int(total or 0)


def transport_households(user: User, verb: Verb = Verb.READ) -> QuerySet[Household]:
    """Households whose travel the user may `verb` (owned by, or shared by a live grant with, an organisation
    where the rule table gives them that verb on Subject.TRANSPORT)."""
    return households_for_organisations(organisations_where(user, Subject.TRANSPORT, verb))


def visible_trips(user: User, verb: Verb = Verb.READ) -> QuerySet[WithAnnotations[Trip, _Taken]]:
    """Trips the user may see (READ: any transport role anywhere) or change (the organising organisation's
    transport writers), each with the seats taken."""
    if verb == Verb.READ:
        trips = Trip.objects.all() if organisations_where(user, Subject.TRANSPORT, Verb.READ) else Trip.objects.none()
    else:
        trips = Trip.objects.filter(organisation_id__in=organisations_where(user, Subject.TRANSPORT, verb))
    return trips.select_related("organisation").annotate(
        taken=Coalesce(Sum("tickets__seats", filter=Q(tickets__status__in=HOLDING)), 0)
    )


def upcoming_trips(user: User) -> QuerySet[WithAnnotations[Trip, _Taken]]:
    """Trips that have not left more than a day ago, soonest first."""
    since = timezone.now() - dt.timedelta(days=1)
    return visible_trips(user).filter(departs_at__gte=since).order_by("departs_at", "id")


def get_trip(user: User, trip_id: int | str, verb: Verb = Verb.READ) -> Trip:
    try:
        return visible_trips(user, verb).get(pk=trip_id)
    except (Trip.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise NotFound from exc


def get_transport_household(user: User, household_id: uuid.UUID | str, verb: Verb = Verb.READ) -> Household:
    """A household, for its travel; NotFound when the user may not `verb` it (whether it exists or not)."""
    try:
        return transport_households(user, verb).select_related("owner").get(pk=household_id)
    except (Household.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise NotFound from exc


def _ticket_queryset() -> QuerySet[Ticket]:
    return Ticket.objects.select_related("trip", "household", "household__owner").prefetch_related(
        Prefetch("persons", queryset=Person.objects.order_by("created_at"))
    )


def visible_tickets(user: User, verb: Verb = Verb.READ) -> QuerySet[Ticket]:
    return _ticket_queryset().filter(household__in=transport_households(user, verb))


def passengers(user: User, trip: Trip) -> QuerySet[Ticket]:
    """The tickets on a trip that the user may see (of households they may see), booked and used first."""
    return visible_tickets(user).filter(trip=trip).order_by("status", "id")


def tickets_of(user: User, household: Household) -> QuerySet[Ticket]:
    """A household's tickets, in order of departure."""
    return visible_tickets(user).filter(household=household).order_by("trip__departs_at", "id")


def get_ticket(user: User, ticket_id: int | str, verb: Verb = Verb.READ) -> Ticket:
    try:
        return visible_tickets(user, verb).get(pk=ticket_id)
    except (Ticket.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise NotFound from exc


def visible_relocations(user: User, verb: Verb = Verb.READ) -> QuerySet[Relocation]:
    return Relocation.objects.filter(household__in=transport_households(user, verb)).select_related(
        "household", "household__owner"
    )


def relocations_of(user: User, household: Household) -> QuerySet[Relocation]:
    return visible_relocations(user).filter(household=household)


def itinerary_households(user: User, verb: Verb = Verb.READ) -> QuerySet[Household]:
    """Households with what their itinerary shows loaded: live tickets (with trips and persons) and the
    latest destination address."""
    live = _ticket_queryset().filter(status__in=HOLDING).order_by("trip__departs_at", "id")
    return (
        transport_households(user, verb)
        .select_related("owner")
        .prefetch_related(
            Prefetch("tickets", queryset=live, to_attr="live_tickets"),
            Prefetch("relocations", queryset=Relocation.objects.order_by("-moved_on", "-id"), to_attr="destinations"),
            Prefetch("members", queryset=Person.objects.order_by("created_at")),
        )
    )


def next_ticket(user: User, household_id: uuid.UUID | str) -> Ticket | None:
    """The household's next booked ticket still to leave, or None."""
    return (
        visible_tickets(user)
        .filter(household_id=household_id, status="booked", trip__departs_at__gte=timezone.now())
        .order_by("trip__departs_at", "id")
        .first()
    )


def household_by_code(user: User, typed: str, verb: Verb = Verb.WRITE) -> Household:
    """The household with this registration code (as typed, with or without dashes) whose travel the user
    may `verb`; NotFound otherwise."""
    code = normalise_code(typed or "")
    if code is None:
        raise NotFound
    try:
        return transport_households(user, verb).get(registration_code=code)
    except Household.DoesNotExist as exc:
        raise NotFound from exc
