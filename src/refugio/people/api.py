"""Households and persons in the JSON API. Thin: the selectors decide access, the services write."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from refugio.audit.request import actor_from_request
from refugio.people import selectors, services
from refugio.people.serializers import (
    HOUSEHOLD_DETAIL_FIELDS,
    HOUSEHOLD_SUMMARY_FIELDS,
    PERSON_DETAIL_FIELDS,
    PERSON_SUMMARY_FIELDS,
    household_detail,
    household_summary,
    person_detail,
)

router = Router(tags=["households"])


class Strict(Schema):
    model_config = ConfigDict(extra="forbid")


class PersonIn(Strict):
    given_names: str | None = None
    first_family_name: str | None = None
    second_family_name: str | None = None
    date_of_birth: str | None = Field(None, description="YYYY-MM-DD, YYYY-MM or YYYY")
    date_of_birth_estimated: bool | None = None
    sex: str | None = None
    nationality: str | None = Field(None, description="ISO 3166-1 alpha-2")
    languages: list[str] | None = None
    relationship_to_head: str | None = None
    a_number: str | None = Field(None, description="A followed by 8 or 9 digits")
    immigration_court: str | None = None
    arrival_date: str | None = Field(None, description="Last arrival in the United States, YYYY-MM-DD")
    next_hearing_date: str | None = Field(None, description="YYYY-MM-DD")
    vulnerabilities: list[str] | None = None
    narrative: str | None = None
    notes: str | None = None


class PersonPatch(PersonIn):
    version: int | None = Field(None, description="The version you read; a mismatch answers 409")


class HouseholdFields(Strict):
    current_city: str | None = None
    in_shelter: bool | None = None
    shelter_name: str | None = None
    contact_phone: str | None = None
    contact_whatsapp: bool | None = None
    preferred_language: str | None = None
    notes: str | None = None


class HouseholdIn(HouseholdFields):
    organisation_id: int | None = Field(None, description="Needed only if you belong to several organisations")
    members: list[PersonIn] = Field(default_factory=list)


class HouseholdPatch(HouseholdFields):
    status: str | None = None
    ready_on: str | None = Field(None, description="Ready to enter from, YYYY-MM-DD (documents, health screening)")
    version: int | None = None


class OwnerOut(Schema):
    id: int
    name: str


class PersonOut(Schema):
    id: uuid.UUID
    household_id: uuid.UUID
    given_names: str
    first_family_name: str
    second_family_name: str
    full_name: str
    date_of_birth: str
    date_of_birth_estimated: bool
    sex: str
    nationality: str
    languages: list[str]
    relationship_to_head: str
    a_number: str
    arrival_date: dt.date | None
    immigration_court: str
    next_hearing_date: dt.date | None
    vulnerabilities: list[str]
    narrative: str
    notes: str
    version: int


class HouseholdOut(Schema):
    id: uuid.UUID
    registration_code: str
    status: str
    owner: OwnerOut
    current_city: str
    in_shelter: bool
    shelter_name: str
    contact_phone: str
    contact_whatsapp: bool
    preferred_language: str
    notes: str
    ready_on: dt.date | None
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime
    members: list[PersonOut]


class HouseholdSummaryOut(Schema):
    id: uuid.UUID
    registration_code: str
    status: str
    owner: OwnerOut
    current_city: str
    head_name: str
    member_count: int
    next_hearing_date: dt.date | None
    created_at: dt.datetime


class HouseholdPage(Schema):
    items: list[HouseholdSummaryOut]
    count: int
    page: int
    page_size: int


class HouseholdQuery(Schema):
    q: str = ""
    city: str = ""
    court: str = ""
    hearing_from: str = Field("", description="YYYY-MM-DD")
    hearing_to: str = Field("", description="YYYY-MM-DD")
    vulnerability: str = ""
    status: str = ""
    page: int = Field(1, ge=1)
    page_size: int = Field(50, ge=1, le=200)


class ErrorOut(Schema):
    code: str
    message: str
    fields: dict[str, str]


ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def _given(schema: Schema, *exclude: str) -> dict[str, Any]:
    return {k: v for k, v in schema.model_dump(exclude_unset=True).items() if k not in exclude}


@router.get("/households", response={200: HouseholdPage, **ERRORS})
def list_households(request: HttpRequest, filters: Query[HouseholdQuery]) -> dict[str, Any]:
    found = selectors.search_households(
        request.auth, selectors.parse_household_filter(_given(filters, "page", "page_size"))
    )
    page, envelope = _paged(found, filters)
    services.record_reads(actor_from_request(request, "api"), page, HOUSEHOLD_SUMMARY_FIELDS, PERSON_SUMMARY_FIELDS)
    return {"items": [household_summary(h) for h in page], **envelope}


def _paged(found: Any, filters: HouseholdQuery) -> tuple[list[Any], dict[str, int]]:  # noqa: ANN401
    start = (filters.page - 1) * filters.page_size
    page = list(found[start : start + filters.page_size])
    return page, {"count": found.count(), "page": filters.page, "page_size": filters.page_size}


def _household_response(request: HttpRequest, household_id: uuid.UUID | str) -> dict[str, Any]:
    household = selectors.get_household(request.auth, household_id)
    services.record_reads(
        actor_from_request(request, "api"), [household], HOUSEHOLD_DETAIL_FIELDS, PERSON_DETAIL_FIELDS
    )
    return household_detail(household)


@router.post("/households", response={201: HouseholdOut, **ERRORS})
def create_household(request: HttpRequest, payload: HouseholdIn) -> Status:
    household = services.create_household(
        actor_from_request(request, "api"),
        payload.organisation_id,
        _given(payload, "organisation_id", "members"),
        [_given(m) for m in payload.members],
    )
    return Status(201, _household_response(request, household.id))


@router.get("/households/{household_id}", response={200: HouseholdOut, **ERRORS})
def read_household(request: HttpRequest, household_id: str) -> dict[str, Any]:
    return _household_response(request, household_id)


@router.patch("/households/{household_id}", response={200: HouseholdOut, **ERRORS})
def update_household(request: HttpRequest, household_id: str, payload: HouseholdPatch) -> dict[str, Any]:
    household = selectors.get_household(request.auth, household_id, for_write=True)
    services.update_household(
        actor_from_request(request, "api"), household, _given(payload, "version"), payload.version
    )
    return _household_response(request, household_id)


@router.get("/households/{household_id}/persons", response={200: list[PersonOut], **ERRORS})
def list_persons(request: HttpRequest, household_id: str) -> list[dict[str, Any]]:
    household = selectors.get_household(request.auth, household_id)
    services.record_reads(actor_from_request(request, "api"), [household], (), PERSON_DETAIL_FIELDS)
    return [person_detail(p) for p in household.members.all()]


@router.post("/households/{household_id}/persons", response={201: PersonOut, **ERRORS})
def create_person(request: HttpRequest, household_id: str, payload: PersonIn) -> Status:
    household = selectors.get_household(request.auth, household_id, for_write=True)
    person = services.add_person(actor_from_request(request, "api"), household, _given(payload))
    return Status(201, _person_response(request, person.id))


class PersonPage(Schema):
    items: list[PersonOut]
    count: int
    page: int
    page_size: int


@router.get("/persons", response={200: PersonPage, **ERRORS})
def list_persons_everywhere(request: HttpRequest, filters: Query[HouseholdQuery]) -> dict[str, Any]:
    found = selectors.search_persons(
        request.auth, selectors.parse_household_filter(_given(filters, "page", "page_size"))
    )
    page, envelope = _paged(found, filters)
    services.record_persons_read(actor_from_request(request, "api"), page, PERSON_DETAIL_FIELDS)
    return {"items": [person_detail(p) for p in page], **envelope}


def _person_response(request: HttpRequest, person_id: uuid.UUID | str) -> dict[str, Any]:
    person = selectors.get_person(request.auth, person_id)
    services.record_person_read(actor_from_request(request, "api"), person, PERSON_DETAIL_FIELDS)
    return person_detail(person)


@router.get("/persons/{person_id}", response={200: PersonOut, **ERRORS})
def read_person(request: HttpRequest, person_id: str) -> dict[str, Any]:
    return _person_response(request, person_id)


@router.patch("/persons/{person_id}", response={200: PersonOut, **ERRORS})
def update_person(request: HttpRequest, person_id: str, payload: PersonPatch) -> dict[str, Any]:
    person = selectors.get_person(request.auth, person_id, for_write=True)
    services.update_person(actor_from_request(request, "api"), person, _given(payload, "version"), payload.version)
    return _person_response(request, person_id)


class GrantIn(Strict):
    organisation_id: int
    purpose: str
    expires_at: dt.datetime


class GrantOut(Schema):
    id: int
    household_id: uuid.UUID
    organisation: OwnerOut
    purpose: str
    granted_at: dt.datetime
    expires_at: dt.datetime
    revoked_at: dt.datetime | None
    live: bool


def _grant(grant: Any) -> dict[str, Any]:  # noqa: ANN401
    return {
        "id": grant.id,
        "household_id": grant.household_id,
        "organisation": {"id": grant.organisation_id, "name": grant.organisation.name},
        "purpose": grant.purpose,
        "granted_at": grant.granted_at,
        "expires_at": grant.expires_at,
        "revoked_at": grant.revoked_at,
        "live": grant.is_live,
    }


@router.get("/households/{household_id}/grants", response={200: list[GrantOut], **ERRORS}, tags=["sharing"])
def list_grants(request: HttpRequest, household_id: str) -> list[dict[str, Any]]:
    household = selectors.get_household(request.auth, household_id)
    return [_grant(g) for g in household.grants.select_related("organisation")]


@router.post("/households/{household_id}/grants", response={201: GrantOut, **ERRORS}, tags=["sharing"])
def share_household(request: HttpRequest, household_id: str, payload: GrantIn) -> Status:
    household = selectors.get_household(request.auth, household_id, for_write=True)
    grant = services.share_household(
        actor_from_request(request, "api"), household, payload.organisation_id, payload.purpose, payload.expires_at
    )
    return Status(201, _grant(grant))


@router.post("/grants/{grant_id}/revoke", response={200: GrantOut, **ERRORS}, tags=["sharing"])
def revoke_grant(request: HttpRequest, grant_id: int) -> dict[str, Any]:
    grant = selectors.get_grant(request.auth, grant_id)
    return _grant(services.revoke_grant(actor_from_request(request, "api"), grant))


class ConsentIn(Strict):
    purpose: str
    method: str
    person_id: uuid.UUID | None = None
    recipient_id: int | None = None


class ConsentOut(Schema):
    id: int
    household_id: uuid.UUID
    person_id: uuid.UUID | None
    purpose: str
    method: str
    recipient_id: int | None
    given_at: dt.datetime
    withdrawn_at: dt.datetime | None


@router.get("/households/{household_id}/consents", response={200: list[ConsentOut], **ERRORS}, tags=["consent"])
def list_consents(request: HttpRequest, household_id: str) -> list[Any]:
    household = selectors.get_household(request.auth, household_id)
    return list(household.consents.all())


@router.post("/households/{household_id}/consents", response={201: ConsentOut, **ERRORS}, tags=["consent"])
def record_consent(request: HttpRequest, household_id: str, payload: ConsentIn) -> Status:
    household = selectors.get_household(request.auth, household_id, for_write=True)
    consent = services.record_consent(
        actor_from_request(request, "api"),
        household,
        payload.purpose,
        payload.method,
        str(payload.person_id) if payload.person_id else None,
        payload.recipient_id,
    )
    return Status(201, consent)
