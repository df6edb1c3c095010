"""Legal representation in the JSON API: roster, hearings, offers."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status

from refugio.accounts.rules import Verb
from refugio.api_types import (
    CourtCode,
    DateText,
    ExpertiseCode,
    HearingKindCode,
    HearingModeCode,
    LanguageCode,
    LanguageCodeOrBlank,
    LocalTimeIn,
    LocalTimeOut,
    RepresentationStatusCode,
    RepresentativeKindCode,
    UUIDText,
)
from refugio.audit.request import actor_from_request
from refugio.core.api import ERRORS, Strict
from refugio.core.http import AuthedRequest
from refugio.disclosure import disclose_many, disclose_one
from refugio.legal import selectors, services
from refugio.legal.surfaces import DEADLINES_API, HEARINGS_API, OFFER_ANSWERED, OFFERS_API

router = Router(tags=["legal"])


class RepresentativeOut(Schema):
    id: int
    name: str
    kind: RepresentativeKindCode
    organisation_id: int
    languages: list[LanguageCode]
    courts: list[CourtCode]
    expertise: list[ExpertiseCode]
    capacity: int
    open_cases: int
    available: bool


class HearingIn(Strict):
    court: CourtCode
    date: DateText
    time: LocalTimeIn | None = None
    kind: HearingKindCode
    mode: HearingModeCode
    language: LanguageCodeOrBlank | None = None
    interpreter_id: int | None = None
    person_id: uuid.UUID | None = None


class HearingOut(Schema):
    id: uuid.UUID
    household_id: uuid.UUID
    court: CourtCode
    date: dt.date
    time: LocalTimeOut | None
    kind: HearingKindCode
    mode: HearingModeCode
    language: LanguageCodeOrBlank
    interpreter_id: int | None


class DeadlineOut(Schema):
    person_id: uuid.UUID
    arrival_date: dt.date
    asylum_filing_deadline: dt.date


class OfferIn(Strict):
    representative_id: int


class ResponseIn(Strict):
    accept: bool
    reason: str = ""
    g28_filed_on: dt.date | None = None
    eoir28_filed_on: dt.date | None = None


class OfferOut(Schema):
    id: int
    household_id: uuid.UUID
    registration_code: str
    status: RepresentationStatusCode
    parties: list[str]


class RepresentativeIn(Strict):
    organisation_id: int | None = None
    name: str | None = None
    kind: RepresentativeKindCode | None = None
    email: str | None = None
    languages: list[LanguageCode] | None = None
    courts: list[CourtCode] | None = None
    expertise: list[ExpertiseCode] | None = None
    capacity: int | None = None
    available: bool | None = None


@router.get("/representatives", response={200: list[RepresentativeOut], **ERRORS})
def representatives(request: HttpRequest) -> list[Any]:
    return list(selectors.roster())


@router.post("/representatives", response={201: RepresentativeOut, **ERRORS})
def add_representative(request: HttpRequest, payload: RepresentativeIn) -> Status:
    data = payload.model_dump(exclude_unset=True, exclude={"organisation_id"})
    made = services.save_representative(
        actor_from_request(request, "api"), organisation_id=payload.organisation_id or 0, data=data
    )
    return Status(201, selectors.roster().get(id=made.id))


@router.patch("/representatives/{representative_id}", response={200: RepresentativeOut, **ERRORS})
def update_representative(request: AuthedRequest, representative_id: int, payload: RepresentativeIn) -> Any:  # noqa: ANN401
    current = selectors.editable_representative(request.auth, representative_id)
    data = payload.model_dump(exclude_unset=True, exclude={"organisation_id"})
    services.save_representative(
        actor_from_request(request, "api"), organisation_id=current.organisation_id, data=data, representative=current
    )
    return selectors.roster().get(id=current.id)


@router.get("/households/{household_id}/hearings", response={200: list[HearingOut], **ERRORS})
def hearings(request: AuthedRequest, household_id: UUIDText) -> list[dict[str, Any]]:
    found = selectors.hearings_of(request.auth, household_id)
    return disclose_many(actor_from_request(request, "api"), HEARINGS_API, found)


@router.post("/households/{household_id}/hearings", response={201: HearingOut, **ERRORS})
def add_hearing(request: AuthedRequest, household_id: UUIDText, payload: HearingIn) -> Status:
    household = selectors.get_legal_case(request.auth, household_id, Verb.WRITE)
    data = payload.model_dump()
    data["person_id"] = str(payload.person_id) if payload.person_id else None
    actor = actor_from_request(request, "api")
    made = services.add_hearing(actor, household=household, data=data)
    return Status(201, disclose_one(actor, HEARINGS_API, made.id))


@router.get("/households/{household_id}/deadlines", response={200: list[DeadlineOut], **ERRORS})
def deadlines(request: AuthedRequest, household_id: UUIDText) -> list[dict[str, Any]]:
    found = selectors.deadline_persons(request.auth, household_id)
    return disclose_many(actor_from_request(request, "api"), DEADLINES_API, found)


@router.post("/households/{household_id}/offers", response={201: OfferOut, **ERRORS})
def offer(request: AuthedRequest, household_id: UUIDText, payload: OfferIn) -> Status:
    household = selectors.get_legal_case(request.auth, household_id, Verb.WRITE)
    actor = actor_from_request(request, "api")
    made = services.offer_representation(actor, household=household, representative_id=payload.representative_id)
    return Status(201, _offer_out(disclose_one(actor, OFFERS_API, made.id)))


def _offer_out(offer: dict[str, Any]) -> dict[str, Any]:
    """The disclosed offer with its parties as a list of names (the OfferOut shape)."""
    return {**offer, "parties": [party["full_name"] for party in offer["parties"]]}


@router.get("/offers", response={200: list[OfferOut], **ERRORS})
def my_offers(request: AuthedRequest) -> list[dict[str, Any]]:
    offers = disclose_many(actor_from_request(request, "api"), OFFERS_API, selectors.offers_for(request.auth))
    return [_offer_out(o) for o in offers]


@router.post("/offers/{representation_id}/respond", response={200: OfferOut, **ERRORS})
def respond(request: AuthedRequest, representation_id: int, payload: ResponseIn) -> dict[str, Any]:
    made = selectors.get_offer_to_answer(request.auth, representation_id)
    actor = actor_from_request(request, "api")
    answered = services.respond_to_offer(
        actor,
        offer=made,
        accept=payload.accept,
        reason=payload.reason,
        g28_filed_on=payload.g28_filed_on,
        eoir28_filed_on=payload.eoir28_filed_on,
    )
    # Once answered, the conflict check is over: the parties are no longer shown.
    return {**disclose_one(actor, OFFER_ANSWERED, answered.id), "parties": []}
