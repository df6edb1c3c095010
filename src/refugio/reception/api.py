"""Reception: shelters, beds and placements: the JSON API."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from ninja import Query, Router, Schema, Status
from pydantic import Field

from refugio.accounts.rules import Verb
from refugio.api_types import UUIDText, choice
from refugio.audit.request import actor_from_request
from refugio.core.api import ERRORS, Strict
from refugio.core.http import AuthedRequest
from refugio.disclosure import disclose_many, disclose_one
from refugio.reception import selectors, services
from refugio.reception.models import BedType, PlacementStatus, Shelter
from refugio.reception.surfaces import SHELTERS_API, STAY_CHANGED, STAYS_API

router = Router(tags=["reception"])

if TYPE_CHECKING:  # codes are text to the type checker; their enums are for the OpenAPI document
    BedTypeCode = str
    PlacementStatusCode = str
else:
    BedTypeCode = choice(BedType)
    PlacementStatusCode = choice(PlacementStatus)


class BedsOut(Schema):
    bed_type: BedTypeCode
    capacity: int
    free: int


class ShelterOut(Schema):
    id: int
    name: str
    city: str
    organisation_id: int
    licensed_for_minors: bool
    address: str
    phone: str
    beds: list[BedsOut]


class BedsIn(Strict):
    bed_type: BedTypeCode
    beds: int


class ShelterIn(Strict):
    organisation_id: int | None = None
    name: str
    city: str
    address: str
    phone: str = ""
    licensed_for_minors: bool = False
    beds: list[BedsIn] = []


class DatesQuery(Schema):
    # Before the last day there is: the nights are counted up to the day after.
    from_: dt.date | None = Field(None, alias="from", lt=dt.date.max)
    to: dt.date | None = Field(None, lt=dt.date.max)


class PlacementIn(Strict):
    shelter_id: int
    bed_type: BedTypeCode
    starts_on: dt.date
    ends_on: dt.date
    beds: int | None = None


class PlacementOut(Schema):
    id: int
    household_id: uuid.UUID
    shelter_id: int
    registration_code: str
    people: int
    bed_type: BedTypeCode
    beds: int
    starts_on: dt.date
    ends_on: dt.date
    status: PlacementStatusCode


def _with_beds(shown: dict[str, Any], shelter: Shelter, first: dt.date, end: dt.date | None) -> dict[str, Any]:
    beds = [
        {"bed_type": b.bed_type, "capacity": b.capacity, "free": b.free}
        for b in selectors.capacity(shelter, first, end)
    ]
    return {**shown, "beds": beds}


@router.get("/shelters", response={200: list[ShelterOut], **ERRORS})
def shelters(request: AuthedRequest, dates: Query[DatesQuery]) -> list[dict[str, Any]]:
    """Shelters of the caller's organisation or granted to it, with capacity and free beds by bed type for
    the nights from `from` (default today) through `to` (default: that one night)."""
    first = dates.from_ or timezone.localdate()
    end = dates.to + dt.timedelta(days=1) if dates.to and dates.to >= first else None
    found = list(selectors.visible_shelters(request.auth).order_by("city", "name"))
    by_id = {s.id: s for s in found}
    shown = disclose_many(actor_from_request(request, "api"), SHELTERS_API, found)
    return [_with_beds(s, by_id[s["id"]], first, end) for s in shown]


@router.post("/shelters", response={201: ShelterOut, **ERRORS})
def add_shelter(request: AuthedRequest, payload: ShelterIn) -> Status:
    actor = actor_from_request(request, "api")
    data = payload.model_dump(exclude={"organisation_id", "beds"})
    made = services.create_shelter(
        actor,
        organisation_id=payload.organisation_id,
        data=data,
        beds={b.bed_type: b.beds for b in payload.beds},
    )
    return Status(201, _with_beds(disclose_one(actor, SHELTERS_API, made.id), made, timezone.localdate(), None))


@router.get("/households/{household_id}/placements", response={200: list[PlacementOut], **ERRORS})
def household_placements(request: AuthedRequest, household_id: UUIDText) -> list[dict[str, Any]]:
    household = selectors.get_household_to_place(request.auth, household_id, Verb.READ)
    stays = selectors.visible_placements(request.auth).filter(household=household)
    return disclose_many(actor_from_request(request, "api"), STAYS_API, stays)


@router.post("/households/{household_id}/placements", response={201: PlacementOut, **ERRORS})
def place(request: AuthedRequest, household_id: UUIDText, payload: PlacementIn) -> Status:
    """Give the household beds of one type: 409 (code `no_bed_free`) when no such bed is free for every
    night from `starts_on` up to `ends_on`; 404 for a household or shelter the caller may not see."""
    household = selectors.get_household_to_place(request.auth, household_id)
    actor = actor_from_request(request, "api")
    made = services.place(
        actor,
        household=household,
        shelter_id=payload.shelter_id,
        bed_type=payload.bed_type,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        beds=payload.beds,
    )
    return Status(201, disclose_one(actor, STAYS_API, made.id))


def _advance(request: AuthedRequest, placement_id: int, action: str) -> dict[str, Any]:
    placement = selectors.get_placement(request.auth, placement_id)
    actor = actor_from_request(request, "api")
    services.advance(actor, placement=placement, action=action)
    return disclose_one(actor, STAY_CHANGED, placement.id)


@router.post("/placements/{placement_id}/arrived", response={200: PlacementOut, **ERRORS})
def arrived(request: AuthedRequest, placement_id: int) -> dict[str, Any]:
    return _advance(request, placement_id, "arrived")


@router.post("/placements/{placement_id}/left", response={200: PlacementOut, **ERRORS})
def left(request: AuthedRequest, placement_id: int) -> dict[str, Any]:
    return _advance(request, placement_id, "left")


@router.post("/placements/{placement_id}/cancel", response={200: PlacementOut, **ERRORS})
def cancel(request: AuthedRequest, placement_id: int) -> dict[str, Any]:
    return _advance(request, placement_id, "cancel")
