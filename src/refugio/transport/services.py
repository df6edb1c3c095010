"""Transport: the writes. Trips, tickets (the last seat is never sold twice), destination addresses, and
sending a household its next trip as a message.

Every function takes the actor first, authorizes through the selectors (NotFound for the invisible) and
raises domain errors; the edge maps them to HTTP.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from refugio.accounts.rules import Subject, Verb
from refugio.accounts.selectors import organisations_where
from refugio.audit.models import Action
from refugio.audit.services import Actor, Touch, record
from refugio.core.errors import Conflict, PermissionDenied, ValidationFailed
from refugio.people.models import Household
from refugio.transport import selectors
from refugio.transport.models import Mode, Relocation, Ticket, TicketStatus, Trip, USState
from refugio.transport.selectors import User

MAX_SEATS = 500
# The catalogue message the next trip goes out with ("your trip leaves on {date} from {place}").
ITINERARY_TEMPLATE = "trip_booked"


def _text(data: Mapping[str, Any], name: str, errors: dict[str, str], *, required: bool, limit: int) -> str:
    value = str(data.get(name) or "").strip()
    if required and not value:
        errors[name] = _("This field is required.")
    elif len(value) > limit:
        errors[name] = _("At most %(limit)d characters.") % {"limit": limit}
    return value


def _moment(value: object) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, str) and value.strip():
        try:
            moment = parse_datetime(value.strip())  # type: ignore[assignment]
        except ValueError:
            return None
        if moment is None:
            return None
    else:
        return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _day(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and value.strip():
        try:
            return parse_date(value.strip())
        except ValueError:
            return None
    return None


def _user(actor: Actor) -> User:
    return actor.user or AnonymousUser()


def _choice_error(value: object) -> str:
    return _("%(value)s is not one of the allowed values.") % {"value": str(value)[:40]}


def create_trip(actor: Actor, *, organisation_id: int, data: Mapping[str, Any]) -> Trip:
    """An organisation's transport staff put a trip on the board: two cities (never a personal address),
    when it leaves and arrives, how many seats."""
    if organisation_id not in organisations_where(actor.user, Subject.TRANSPORT, Verb.WRITE):
        raise PermissionDenied(_("You cannot add trips for this organisation."))
    errors: dict[str, str] = {}
    mode = str(data.get("mode") or "")
    if mode not in Mode.values:
        errors["mode"] = _choice_error(mode)
    from_place = _text(data, "from_place", errors, required=True, limit=120)
    to_place = _text(data, "to_place", errors, required=True, limit=120)
    carrier = _text(data, "carrier", errors, required=False, limit=120)
    booking_reference = _text(data, "booking_reference", errors, required=False, limit=64)
    departs_at = _moment(data.get("departs_at"))
    if departs_at is None:
        errors["departs_at"] = _("Give the date and time of departure.")
    arrives_at = _moment(data.get("arrives_at")) if data.get("arrives_at") else None
    if data.get("arrives_at") and arrives_at is None:
        errors["arrives_at"] = _("Give the date and time of arrival.")
    elif arrives_at and departs_at and arrives_at <= departs_at:
        errors["arrives_at"] = _("The arrival must be after the departure.")
    try:
        seats = int(data.get("seats") or 0)
    except (TypeError, ValueError):
        seats = 0
    if not 1 <= seats <= MAX_SEATS:
        errors["seats"] = _("Between 1 and %(most)d seats.") % {"most": MAX_SEATS}
    if errors or departs_at is None:
        raise ValidationFailed(errors)
    with transaction.atomic():
        trip = Trip.objects.create(
            organisation_id=organisation_id,
            mode=mode,
            from_place=from_place,
            to_place=to_place,
            departs_at=departs_at,
            arrives_at=arrives_at,
            seats=seats,
            carrier=carrier,
            booking_reference=booking_reference,
            created_by_id=actor.user_id,
        )
        record(
            actor,
            action=Action.CREATE,
            touches=[Touch("trip", str(trip.id), organisation_id, ["mode", "from_place", "to_place", "seats"])],
        )
    return trip


def book_ticket(
    actor: Actor,
    *,
    trip_id: int,
    household_id: uuid.UUID | str,
    seats: int | None = None,
    person_ids: Iterable[uuid.UUID | str] = (),
) -> Ticket:
    """Seats on a trip for a household (some of its members, or a number of seats).

    The trip row is locked and the seats re-counted inside the lock, so two people booking the last seat
    at the same moment cannot both get it: the second is refused with Conflict("no_seat_free")."""
    household = selectors.get_transport_household(_user(actor), household_id, Verb.WRITE)
    trip = selectors.get_trip(_user(actor), trip_id)
    errors: dict[str, str] = {}
    wanted = {str(p) for p in person_ids if str(p)}
    members = {str(p.id): p for p in household.members.all()}
    if wanted - set(members):
        errors["person_ids"] = _("This person is not a member of the household.")
    count = seats if seats is not None else (len(wanted) or 1)
    if wanted and count < len(wanted):
        errors["seats"] = _("Each person travelling needs a seat.")
    if not 1 <= count <= MAX_SEATS:
        errors["seats"] = _("Between 1 and %(most)d seats.") % {"most": MAX_SEATS}
    if errors:
        raise ValidationFailed(errors)
    if trip.departs_at < timezone.now():
        raise Conflict(_("This trip has already left."), code="trip_departed")
    with transaction.atomic():
        locked = Trip.objects.select_for_update().get(pk=trip.pk)
        if Ticket.objects.filter(trip=locked, household=household, status=TicketStatus.BOOKED).exists():
            raise Conflict(_("This household already has a ticket for this trip."), code="already_booked")
        free = locked.seats - selectors.seats_taken(locked.pk)
        if count > free:
            if free <= 0:
                message = _("No seat is free on this trip any more.")
            else:
                message = ngettext(
                    "Only %(free)d seat is free on this trip.", "Only %(free)d seats are free on this trip.", free
                ) % {"free": free}
            raise Conflict(message, code="no_seat_free")
        ticket = Ticket.objects.create(trip=locked, household=household, seats=count, booked_by_id=actor.user_id)
        if wanted:
            ticket.persons.set([members[p] for p in wanted])
        record(
            actor,
            action=Action.CREATE,
            touches=[Touch("ticket", str(ticket.id), household.owner_id, ["trip", "seats", "persons", "status"])],
        )
    return ticket


def cancel_ticket(actor: Actor, *, ticket_id: int | str) -> Ticket:
    """Give the seats back. A used ticket stays used."""
    ticket = selectors.get_ticket(_user(actor), ticket_id, Verb.WRITE)
    with transaction.atomic():
        locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
        if locked.status == TicketStatus.USED:
            raise Conflict(_("This ticket was used already."), code="ticket_used")
        if locked.status == TicketStatus.CANCELLED:
            return locked
        locked.status = TicketStatus.CANCELLED
        locked.cancelled_at = timezone.now()
        locked.save(update_fields=["status", "cancelled_at"])
        record(
            actor,
            action=Action.UPDATE,
            touches=[Touch("ticket", str(locked.id), ticket.household.owner_id, ["status"])],
        )
    return locked


def record_relocation(actor: Actor, *, household_id: uuid.UUID | str, data: Mapping[str, Any]) -> Relocation:
    """Where the household goes to live (a sponsor, family) and the day it arrives there. Saving it starts
    the change-of-address obligations (the obligations app listens to post_save of Relocation)."""
    household: Household = selectors.get_transport_household(_user(actor), household_id, Verb.WRITE)
    errors: dict[str, str] = {}
    sponsor_name = _text(data, "sponsor_name", errors, required=False, limit=200)
    address = _text(data, "address", errors, required=True, limit=500)
    city = _text(data, "city", errors, required=True, limit=100)
    state = str(data.get("state") or "")
    if state not in USState.values:
        errors["state"] = _choice_error(state)
    moved_on = _day(data.get("moved_on"))
    if moved_on is None:
        errors["moved_on"] = _("Write the date as YYYY-MM-DD.")
    if errors or moved_on is None:
        raise ValidationFailed(errors)
    with transaction.atomic():
        relocation = Relocation.objects.create(
            household=household,
            sponsor_name=sponsor_name,
            address=address,
            city=city,
            state=state,
            moved_on=moved_on,
            created_by_id=actor.user_id,
        )
        record(
            actor,
            action=Action.CREATE,
            touches=[
                Touch(
                    "relocation",
                    str(relocation.id),
                    household.owner_id,
                    ["sponsor_name", "address", "city", "state", "moved_on"],
                )
            ],
        )
    return relocation


def send_next_trip(actor: Actor, *, household_id: uuid.UUID | str) -> Any:  # noqa: ANN401
    """Send the household its next departure (date and place) as a message, in its language, on a channel it
    agreed to. Conflict when there is no trip to announce or no channel the household consented to."""
    from refugio.messaging import services as messaging

    household = selectors.get_transport_household(_user(actor), household_id, Verb.WRITE)
    if not messaging.messaging_households(actor, Verb.CREATE).filter(pk=household.pk).exists():
        raise PermissionDenied(_("You cannot send messages to this household."))
    ticket = selectors.next_ticket(_user(actor), household.pk)
    if ticket is None:
        raise Conflict(_("This household has no trip booked."), code="no_trip")
    if not messaging.allowed_channels(household):
        raise Conflict(_("This household has not agreed to be contacted."), code="no_contact_consent")
    departs = timezone.localtime(ticket.trip.departs_at)
    return messaging.queue_notice(
        actor,
        household=household,
        template=ITINERARY_TEMPLATE,
        params={"date": departs.date().isoformat(), "place": ticket.trip.from_place[:80]},
        source="transport.itinerary",
    )
