"""Transport: the JSON API. Trips (no person), tickets (409 when no seat is free), a household's itinerary
and its destination address (through refugio.disclosure)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING, Any

from ninja import Router, Schema, Status

from refugio.api_types import DateText, LanguageCode, UUIDText, choice
from refugio.audit.request import actor_from_request
from refugio.core.api import ERRORS, Strict
from refugio.core.http import AuthedRequest
from refugio.disclosure import disclose_one
from refugio.transport import selectors, services
from refugio.transport.models import Mode, TicketStatus, Trip, USState
from refugio.transport.surfaces import ITINERARY_API, RELOCATION_API, TICKET_API

router = Router(tags=["transport"])

if TYPE_CHECKING:  # codes are text to the type checker; their enums are for the OpenAPI document
    ModeCode = str
    TicketStatusCode = str
    USStateCode = str
else:
    ModeCode = choice(Mode)
    TicketStatusCode = choice(TicketStatus)
    USStateCode = choice(USState)


class TripIn(Strict):
    organisation_id: int
    mode: ModeCode
    from_place: str
    to_place: str
    departs_at: dt.datetime
    arrives_at: dt.datetime | None = None
    seats: int
    carrier: str = ""
    booking_reference: str = ""


class TripOut(Schema):
    id: int
    organisation_id: int
    mode: ModeCode
    from_place: str
    to_place: str
    departs_at: dt.datetime
    arrives_at: dt.datetime | None
    seats: int
    seats_taken: int
    seats_free: int
    carrier: str
    booking_reference: str


class TicketIn(Strict):
    household_id: uuid.UUID
    seats: int | None = None
    person_ids: list[uuid.UUID] = []


class TicketOut(Schema):
    id: int
    trip_id: int
    household_id: uuid.UUID
    registration_code: str
    passenger_names: list[str]
    seats: int
    status: TicketStatusCode
    reference: str


class LegOut(Schema):
    id: int
    trip_id: int
    mode: ModeCode
    from_place: str
    to_place: str
    departs_at: dt.datetime
    arrives_at: dt.datetime | None
    carrier: str
    seats: int
    status: TicketStatusCode
    reference: str
    passenger_names: list[str]


class DestinationOut(Schema):
    id: int
    sponsor_name: str
    address: str
    city: str
    state: USStateCode
    moved_on: dt.date


class ItineraryOut(Schema):
    household_id: uuid.UUID
    registration_code: str
    preferred_language: LanguageCode
    legs: list[LegOut]
    destination: DestinationOut | None


class RelocationIn(Strict):
    sponsor_name: str = ""
    address: str
    city: str
    state: USStateCode
    moved_on: DateText


class RelocationOut(Schema):
    id: int
    household_id: uuid.UUID
    sponsor_name: str
    address: str
    city: str
    state: USStateCode
    moved_on: dt.date


def _trip_out(trip: Trip) -> dict[str, Any]:
    taken = int(getattr(trip, "taken", 0) or 0)
    return {
        "id": trip.id,
        "organisation_id": trip.organisation_id,
        "mode": trip.mode,
        "from_place": trip.from_place,
        "to_place": trip.to_place,
        "departs_at": trip.departs_at,
        "arrives_at": trip.arrives_at,
        "seats": trip.seats,
        "seats_taken": taken,
        "seats_free": max(trip.seats - taken, 0),
        "carrier": trip.carrier,
        "booking_reference": trip.booking_reference,
    }


@router.get("/trips", response={200: list[TripOut], **ERRORS})
def trips(request: AuthedRequest) -> list[dict[str, Any]]:
    return [_trip_out(t) for t in selectors.upcoming_trips(request.auth)]


@router.post("/trips", response={201: TripOut, **ERRORS})
def add_trip(request: AuthedRequest, payload: TripIn) -> Status:
    made = services.create_trip(
        actor_from_request(request, "api"),
        organisation_id=payload.organisation_id,
        data=payload.model_dump(exclude={"organisation_id"}),
    )
    return Status(201, _trip_out(selectors.get_trip(request.auth, made.id)))


@router.post("/trips/{trip_id}/tickets", response={201: TicketOut, **ERRORS})
def book(request: AuthedRequest, trip_id: int, payload: TicketIn) -> Status:
    actor = actor_from_request(request, "api")
    ticket = services.book_ticket(
        actor, trip_id=trip_id, household_id=payload.household_id, seats=payload.seats, person_ids=payload.person_ids
    )
    return Status(201, disclose_one(actor, TICKET_API, ticket.id))


@router.get("/households/{household_id}/itinerary", response={200: ItineraryOut, **ERRORS})
def itinerary(request: AuthedRequest, household_id: UUIDText) -> dict[str, Any]:
    shown = disclose_one(actor_from_request(request, "api"), ITINERARY_API, household_id)
    return {
        "household_id": shown["id"],
        "registration_code": shown["registration_code"],
        "preferred_language": shown["preferred_language"],
        "legs": shown["legs"],
        "destination": shown["destinations"][0] if shown["destinations"] else None,
    }


@router.post("/households/{household_id}/relocations", response={201: RelocationOut, **ERRORS})
def relocate(request: AuthedRequest, household_id: UUIDText, payload: RelocationIn) -> Status:
    actor = actor_from_request(request, "api")
    made = services.record_relocation(actor, household_id=household_id, data=payload.model_dump())
    return Status(201, disclose_one(actor, RELOCATION_API, made.id))
