"""Households and persons in the JSON API. Thin: the selectors decide access, the services write."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from refugio.api_types import (
    ConsentMethodCode,
    ConsentPurposeCode,
    CourtCode,
    CourtCodeOrBlank,
    DateText,
    HouseholdStatusCode,
    LanguageCode,
    NationalityCodeOrBlank,
    PartialDate,
    RelationshipCode,
    SexCodeOrBlank,
    TZDatetime,
    UUIDText,
    VulnerabilityCode,
)
from refugio.audit.request import actor_from_request
from refugio.core.api import ERRORS, Strict, given
from refugio.core.http import AuthedRequest
from refugio.disclosure import disclose_many, disclose_one
from refugio.people import selectors, services
from refugio.people.surfaces import (
    HOUSEHOLD_CONSENTS,
    HOUSEHOLD_DETAIL,
    HOUSEHOLD_GRANTS,
    HOUSEHOLD_MEMBERS,
    HOUSEHOLD_SUMMARY,
    PERSON_DETAIL,
    grant_view,
)

router = Router(tags=["households"])


class PersonIn(Strict):
    given_names: str | None = None
    first_family_name: str | None = None
    second_family_name: str | None = None
    date_of_birth: PartialDate | None = Field(None, description="YYYY-MM-DD, YYYY-MM or YYYY")
    date_of_birth_estimated: bool | None = None
    sex: SexCodeOrBlank | None = None
    nationality: NationalityCodeOrBlank | None = Field(None, description="ISO 3166-1 alpha-2")
    languages: list[LanguageCode] | None = None
    relationship_to_head: RelationshipCode | None = None
    a_number: str | None = Field(None, description="A followed by 8 or 9 digits")
    immigration_court: CourtCodeOrBlank | None = None
    arrival_date: DateText | None = Field(None, description="Last arrival in the United States, YYYY-MM-DD")
    next_hearing_date: DateText | None = Field(None, description="YYYY-MM-DD")
    vulnerabilities: list[VulnerabilityCode] | None = None
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
    preferred_language: LanguageCode | None = None
    notes: str | None = None


class HouseholdIn(HouseholdFields):
    organisation_id: int | None = Field(None, description="Needed only if you belong to several organisations")
    members: list[PersonIn] = Field(default_factory=list)


class HouseholdPatch(HouseholdFields):
    status: HouseholdStatusCode | None = None
    ready_on: DateText | None = Field(None, description="Ready to enter from, YYYY-MM-DD (documents, health screening)")
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
    date_of_birth: PartialDate
    date_of_birth_estimated: bool
    sex: SexCodeOrBlank
    nationality: NationalityCodeOrBlank
    languages: list[LanguageCode]
    relationship_to_head: RelationshipCode
    a_number: str
    arrival_date: dt.date | None
    immigration_court: CourtCodeOrBlank
    next_hearing_date: dt.date | None
    vulnerabilities: list[VulnerabilityCode]
    narrative: str
    notes: str
    version: int


class HouseholdOut(Schema):
    id: uuid.UUID
    registration_code: str
    status: HouseholdStatusCode
    owner: OwnerOut
    current_city: str
    in_shelter: bool
    shelter_name: str
    contact_phone: str
    contact_whatsapp: bool
    preferred_language: LanguageCode
    notes: str
    ready_on: dt.date | None
    version: int
    created_at: TZDatetime
    updated_at: TZDatetime
    members: list[PersonOut]


class HouseholdSummaryOut(Schema):
    id: uuid.UUID
    registration_code: str
    status: HouseholdStatusCode
    owner: OwnerOut
    current_city: str
    head_name: str
    member_count: int
    next_hearing_date: dt.date | None
    created_at: TZDatetime


class HouseholdPage(Schema):
    items: list[HouseholdSummaryOut]
    count: int
    page: int
    page_size: int


class HouseholdQuery(Schema):
    q: str = ""
    city: str = ""
    court: CourtCode = ""
    hearing_from: DateText = Field("", description="YYYY-MM-DD")
    hearing_to: DateText = Field("", description="YYYY-MM-DD")
    vulnerability: VulnerabilityCode = ""
    status: HouseholdStatusCode = ""
    page: int = Field(1, ge=1, le=100_000)  # bounded: a larger offset overflows the database's integer
    page_size: int = Field(50, ge=1, le=200)


@router.get("/households", response={200: HouseholdPage, **ERRORS})
def list_households(request: AuthedRequest, filters: Query[HouseholdQuery]) -> dict[str, Any]:
    found = selectors.search_households(
        request.auth, selectors.parse_household_filter(given(filters, "page", "page_size"))
    )
    page, envelope = _paged(found, filters)
    return {"items": disclose_many(actor_from_request(request, "api"), HOUSEHOLD_SUMMARY, page), **envelope}


def _paged(found: Any, filters: HouseholdQuery) -> tuple[list[Any], dict[str, int]]:  # noqa: ANN401
    start = (filters.page - 1) * filters.page_size
    page = list(found[start : start + filters.page_size])
    return page, {"count": found.count(), "page": filters.page, "page_size": filters.page_size}


def _household_response(request: HttpRequest, household_id: uuid.UUID | str) -> dict[str, Any]:
    return disclose_one(actor_from_request(request, "api"), HOUSEHOLD_DETAIL, household_id)


@router.post("/households", response={201: HouseholdOut, **ERRORS})
def create_household(request: HttpRequest, payload: HouseholdIn) -> Status:
    household = services.create_household(
        actor_from_request(request, "api"),
        organisation_id=payload.organisation_id,
        data=given(payload, "organisation_id", "members"),
        members=[given(m) for m in payload.members],
    )
    return Status(201, _household_response(request, household.id))


@router.get("/households/{household_id}", response={200: HouseholdOut, **ERRORS})
def read_household(request: HttpRequest, household_id: UUIDText) -> dict[str, Any]:
    return _household_response(request, household_id)


@router.patch("/households/{household_id}", response={200: HouseholdOut, **ERRORS})
def update_household(request: AuthedRequest, household_id: UUIDText, payload: HouseholdPatch) -> dict[str, Any]:
    household = selectors.get_household(request.auth, household_id, for_write=True)
    services.update_household(
        actor_from_request(request, "api"),
        household=household,
        changes=given(payload, "version"),
        expected_version=payload.version,
    )
    return _household_response(request, household_id)


@router.get("/households/{household_id}/persons", response={200: list[PersonOut], **ERRORS})
def list_persons(request: HttpRequest, household_id: UUIDText) -> list[dict[str, Any]]:
    return disclose_one(actor_from_request(request, "api"), HOUSEHOLD_MEMBERS, household_id)["members"]


@router.post("/households/{household_id}/persons", response={201: PersonOut, **ERRORS})
def create_person(request: AuthedRequest, household_id: UUIDText, payload: PersonIn) -> Status:
    household = selectors.get_household(request.auth, household_id, for_write=True)
    person = services.add_person(actor_from_request(request, "api"), household=household, data=given(payload))
    return Status(201, _person_response(request, person.id))


class PersonPage(Schema):
    items: list[PersonOut]
    count: int
    page: int
    page_size: int


@router.get("/persons", response={200: PersonPage, **ERRORS})
def list_persons_everywhere(request: AuthedRequest, filters: Query[HouseholdQuery]) -> dict[str, Any]:
    found = selectors.search_persons(
        request.auth, selectors.parse_household_filter(given(filters, "page", "page_size"))
    )
    page, envelope = _paged(found, filters)
    return {"items": disclose_many(actor_from_request(request, "api"), PERSON_DETAIL, page), **envelope}


def _person_response(request: HttpRequest, person_id: uuid.UUID | str) -> dict[str, Any]:
    return disclose_one(actor_from_request(request, "api"), PERSON_DETAIL, person_id)


@router.get("/persons/{person_id}", response={200: PersonOut, **ERRORS})
def read_person(request: HttpRequest, person_id: UUIDText) -> dict[str, Any]:
    return _person_response(request, person_id)


@router.patch("/persons/{person_id}", response={200: PersonOut, **ERRORS})
def update_person(request: AuthedRequest, person_id: UUIDText, payload: PersonPatch) -> dict[str, Any]:
    person = selectors.get_person(request.auth, person_id, for_write=True)
    services.update_person(
        actor_from_request(request, "api"),
        person=person,
        changes=given(payload, "version"),
        expected_version=payload.version,
    )
    return _person_response(request, person_id)


class GrantIn(Strict):
    organisation_id: int
    purpose: str
    expires_at: TZDatetime


class GrantOut(Schema):
    id: int
    household_id: uuid.UUID
    organisation: OwnerOut
    purpose: str
    granted_at: TZDatetime
    expires_at: TZDatetime
    revoked_at: TZDatetime | None
    live: bool


@router.get("/households/{household_id}/grants", response={200: list[GrantOut], **ERRORS}, tags=["sharing"])
def list_grants(request: HttpRequest, household_id: UUIDText) -> list[dict[str, Any]]:
    return disclose_one(actor_from_request(request, "api"), HOUSEHOLD_GRANTS, household_id)["grants"]


@router.post("/households/{household_id}/grants", response={201: GrantOut, **ERRORS}, tags=["sharing"])
def share_household(request: AuthedRequest, household_id: UUIDText, payload: GrantIn) -> Status:
    household = selectors.get_household(request.auth, household_id, for_write=True)
    grant = services.share_household(
        actor_from_request(request, "api"),
        household=household,
        organisation_id=payload.organisation_id,
        purpose=payload.purpose,
        expires_at=payload.expires_at,
    )
    return Status(201, grant_view(grant))


@router.post("/grants/{grant_id}/revoke", response={200: GrantOut, **ERRORS}, tags=["sharing"])
def revoke_grant(request: AuthedRequest, grant_id: int) -> dict[str, Any]:
    grant = selectors.get_grant(request.auth, grant_id)
    return grant_view(services.revoke_grant(actor_from_request(request, "api"), grant=grant))


class ConsentIn(Strict):
    purpose: ConsentPurposeCode
    method: ConsentMethodCode
    person_id: uuid.UUID | None = None
    recipient_id: int | None = None


class ConsentOut(Schema):
    id: int
    household_id: uuid.UUID
    person_id: uuid.UUID | None
    purpose: ConsentPurposeCode
    method: ConsentMethodCode
    recipient_id: int | None
    given_at: TZDatetime
    withdrawn_at: TZDatetime | None


@router.get("/households/{household_id}/consents", response={200: list[ConsentOut], **ERRORS}, tags=["consent"])
def list_consents(request: HttpRequest, household_id: UUIDText) -> list[Any]:
    return disclose_one(actor_from_request(request, "api"), HOUSEHOLD_CONSENTS, household_id)["consents"]


@router.post("/households/{household_id}/consents", response={201: ConsentOut, **ERRORS}, tags=["consent"])
def record_consent(request: AuthedRequest, household_id: UUIDText, payload: ConsentIn) -> Status:
    household = selectors.get_household(request.auth, household_id, for_write=True)
    consent = services.record_consent(
        actor_from_request(request, "api"),
        household=household,
        purpose=payload.purpose,
        method=payload.method,
        person_id=str(payload.person_id) if payload.person_id else None,
        recipient_id=payload.recipient_id,
    )
    return Status(201, consent)
