"""Legal representation in the JSON API: roster, hearings, offers."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import ConfigDict

from refugio.audit.request import actor_from_request
from refugio.legal import selectors, services
from refugio.legal.deadlines import asylum_filing_deadline
from refugio.people.api import ERRORS
from refugio.people.selectors import get_household

router = Router(tags=["legal"])


class RepresentativeOut(Schema):
    id: int
    name: str
    kind: str
    organisation_id: int
    languages: list[str]
    courts: list[str]
    expertise: list[str]
    capacity: int
    open_cases: int
    available: bool


class HearingIn(Schema):
    model_config = ConfigDict(extra="forbid")
    court: str
    date: str
    time: str | None = None
    kind: str
    mode: str
    language: str | None = None
    interpreter_id: int | None = None
    person_id: uuid.UUID | None = None


class HearingOut(Schema):
    id: uuid.UUID
    household_id: uuid.UUID
    court: str
    date: dt.date
    time: dt.time | None
    kind: str
    mode: str
    language: str
    interpreter_id: int | None


class DeadlineOut(Schema):
    person_id: uuid.UUID
    arrival_date: dt.date
    asylum_filing_deadline: dt.date


class OfferIn(Schema):
    model_config = ConfigDict(extra="forbid")
    representative_id: int


class ResponseIn(Schema):
    model_config = ConfigDict(extra="forbid")
    accept: bool
    reason: str = ""
    g28_filed_on: dt.date | None = None
    eoir28_filed_on: dt.date | None = None


class OfferOut(Schema):
    id: int
    household_id: uuid.UUID
    registration_code: str
    status: str
    parties: list[str]


class RepresentativeIn(Schema):
    model_config = ConfigDict(extra="forbid")
    organisation_id: int | None = None
    name: str | None = None
    kind: str | None = None
    email: str | None = None
    languages: list[str] | None = None
    courts: list[str] | None = None
    expertise: list[str] | None = None
    capacity: int | None = None
    available: bool | None = None


@router.get("/representatives", response=list[RepresentativeOut])
def representatives(request: HttpRequest) -> list[Any]:
    return list(selectors.roster())


@router.post("/representatives", response={201: RepresentativeOut, **ERRORS})
def add_representative(request: HttpRequest, payload: RepresentativeIn) -> Status:
    data = payload.model_dump(exclude_unset=True, exclude={"organisation_id"})
    made = services.save_representative(actor_from_request(request, "api"), payload.organisation_id or 0, data)
    return Status(201, selectors.roster().get(id=made.id))


@router.patch("/representatives/{representative_id}", response={200: RepresentativeOut, **ERRORS})
def update_representative(request: HttpRequest, representative_id: int, payload: RepresentativeIn) -> Any:  # noqa: ANN401
    current = selectors.editable_representative(request.auth, representative_id)
    data = payload.model_dump(exclude_unset=True, exclude={"organisation_id"})
    services.save_representative(actor_from_request(request, "api"), current.organisation_id, data, current)
    return selectors.roster().get(id=current.id)


@router.get("/households/{household_id}/hearings", response={200: list[HearingOut], **ERRORS})
def hearings(request: HttpRequest, household_id: str) -> list[Any]:
    return list(get_household(request.auth, household_id).hearings.all())


@router.post("/households/{household_id}/hearings", response={201: HearingOut, **ERRORS})
def add_hearing(request: HttpRequest, household_id: str, payload: HearingIn) -> Status:
    household = get_household(request.auth, household_id, for_write=True)
    data = payload.model_dump()
    data["person_id"] = str(payload.person_id) if payload.person_id else None
    return Status(201, services.add_hearing(actor_from_request(request, "api"), household, data))


@router.get("/households/{household_id}/deadlines", response={200: list[DeadlineOut], **ERRORS})
def deadlines(request: HttpRequest, household_id: str) -> list[dict[str, Any]]:
    household = get_household(request.auth, household_id)
    return [
        {
            "person_id": p.id,
            "arrival_date": p.arrival_date,
            "asylum_filing_deadline": asylum_filing_deadline(p.arrival_date),
        }
        for p in household.members.all()
        if p.arrival_date
    ]


@router.post("/households/{household_id}/offers", response={201: OfferOut, **ERRORS})
def offer(request: HttpRequest, household_id: str, payload: OfferIn) -> Status:
    household = get_household(request.auth, household_id, for_write=True)
    made = services.offer_representation(actor_from_request(request, "api"), household, payload.representative_id)
    return Status(201, _offer(made))


def _offer(representation: Any) -> dict[str, Any]:  # noqa: ANN401
    return {
        "id": representation.id,
        "household_id": representation.household_id,
        "registration_code": representation.household.display_code,
        "status": representation.status,
        "parties": selectors.conflict_check_names(representation),
    }


@router.get("/offers", response=list[OfferOut])
def my_offers(request: HttpRequest) -> list[dict[str, Any]]:
    offers = list(selectors.offers_for(request.auth))
    services.record_conflict_check_reads(actor_from_request(request, "api"), offers)
    return [_offer(o) for o in offers]


@router.post("/offers/{representation_id}/respond", response={200: OfferOut, **ERRORS})
def respond(request: HttpRequest, representation_id: int, payload: ResponseIn) -> dict[str, Any]:
    made = selectors.get_offer(request.auth, representation_id)
    answered = services.respond_to_offer(
        actor_from_request(request, "api"),
        made,
        payload.accept,
        payload.reason,
        payload.g28_filed_on,
        payload.eoir28_filed_on,
    )
    return {**_offer(answered), "parties": []}
