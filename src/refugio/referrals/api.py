"""Referrals and the service directory in the JSON API."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema, Status

from refugio.accounts.rules import Verb
from refugio.api_types import LanguageCode, LanguageCodeOrBlank, UUIDText, choice
from refugio.audit.request import actor_from_request
from refugio.core.api import ERRORS, Strict
from refugio.core.http import AuthedRequest
from refugio.disclosure import Projection, disclose_many, disclose_one
from refugio.referrals import hsds, selectors, services
from refugio.referrals.models import ReferralStatus, ServiceCategory
from refugio.referrals.surfaces import RECEIVED_DETAIL, SENT_DETAIL

router = Router(tags=["referrals"])

if TYPE_CHECKING:  # codes are text to the type checker; their enums are for the OpenAPI document
    ServiceCategoryCode = str
    ServiceCategoryCodeOrBlank = str
    ReferralStatusCode = str
    ReferralStatusCodeOrBlank = str
    DirectionCode = str
    DirectionCodeOrBlank = str
else:
    ServiceCategoryCode = choice(ServiceCategory)
    ServiceCategoryCodeOrBlank = choice(ServiceCategory, blank=True)
    ReferralStatusCode = choice(ReferralStatus)
    ReferralStatusCodeOrBlank = choice(ReferralStatus, blank=True)
    DirectionCode = choice(["sent", "received"])
    DirectionCodeOrBlank = choice(["sent", "received"], blank=True)


class DirectoryServiceOut(Schema):
    id: uuid.UUID
    organisation_id: int
    organisation: str
    name: str
    category: ServiceCategoryCode
    description: str
    languages: list[LanguageCode]
    eligibility: str
    city: str
    address: str
    phone: str
    email: str
    url: str
    hours: str


class DirectoryServiceQuery(Schema):
    category: ServiceCategoryCodeOrBlank = ""
    city: str = ""
    language: LanguageCodeOrBlank = ""


class ReferralOrganisationRef(Schema):
    id: int
    name: str


class ReferralServiceRef(Schema):
    id: uuid.UUID
    name: str


class ReferralPersonOut(Schema):
    id: uuid.UUID
    name: str
    languages: list[LanguageCode]


class ReferralOut(Schema):
    id: int
    direction: DirectionCode
    status: ReferralStatusCode
    category: ServiceCategoryCode
    service: ReferralServiceRef
    from_organisation: ReferralOrganisationRef
    to_organisation: ReferralOrganisationRef
    sent_at: dt.datetime
    responded_at: dt.datetime | None
    closed_at: dt.datetime | None
    persons: list[ReferralPersonOut]
    note: str
    decline_reason: str
    household_id: uuid.UUID | None = None  # the sending side only
    registration_code: str | None = None  # the sending side only
    language: LanguageCodeOrBlank | None = None  # the receiving side only
    contact_phone: str | None = None  # the receiving side, only with the household's consent to be contacted
    contact_whatsapp: bool | None = None


class ReferralQuery(Schema):
    status: ReferralStatusCodeOrBlank = ""
    direction: DirectionCodeOrBlank = ""


class ReferralIn(Strict):
    household_id: uuid.UUID
    service_id: uuid.UUID
    person_ids: list[uuid.UUID] = []
    note: str = ""


class ReferralDeclineIn(Strict):
    reason: str


def _service_out(service: Any) -> dict[str, Any]:  # noqa: ANN401 — a directory entry, not personal data
    return {
        "id": service.id,
        "organisation_id": service.organisation_id,
        "organisation": service.organisation.name,
        "name": service.name,
        "category": service.category,
        "description": service.description,
        "languages": list(service.languages or []),
        "eligibility": service.eligibility,
        "city": service.city,
        "address": service.address,
        "phone": service.phone,
        "email": service.email,
        "url": service.url,
        "hours": service.hours,
    }


def _out(shown: Projection, direction: str) -> dict[str, Any]:
    out = {k: v for k, v in shown.items() if k != "person_names"}
    return {**out, "persons": shown.get("person_names", []), "direction": direction}


def _shown(request: HttpRequest, referral_id: int) -> dict[str, Any]:
    """One referral as the caller's side sees it (audited)."""
    actor = actor_from_request(request, "api")
    if selectors.side_of(actor.user, referral_id) == selectors.SENDER:  # type: ignore[arg-type]
        return _out(disclose_one(actor, SENT_DETAIL, referral_id), "sent")
    return _out(disclose_one(actor, RECEIVED_DETAIL, referral_id), "received")


@router.get("/services", response={200: list[DirectoryServiceOut], **ERRORS})
def list_services(request: AuthedRequest, filters: Query[DirectoryServiceQuery]) -> list[dict[str, Any]]:
    wanted = selectors.directory_filter(category=filters.category, city=filters.city, language=filters.language)
    return [_service_out(s) for s in selectors.directory(wanted)]


@router.get("/services.hsds.json", response={200: None, **ERRORS})
def export_hsds(request: AuthedRequest) -> HttpResponse:
    """The whole directory as Open Referral HSDS 3.0 (tabular JSON: a list of rows per table)."""
    tables = services.export_tables(selectors.all_services())
    return HttpResponse(hsds.to_json(tables), content_type="application/json")


@router.get("/services/{service_id}", response={200: DirectoryServiceOut, **ERRORS})
def get_service(request: AuthedRequest, service_id: UUIDText) -> dict[str, Any]:
    return _service_out(selectors.get_service(service_id))


@router.get("/referrals", response={200: list[ReferralOut], **ERRORS})
def list_referrals(request: AuthedRequest, filters: Query[ReferralQuery]) -> list[dict[str, Any]]:
    actor = actor_from_request(request, "api")
    wanted = selectors.referral_filter(status=filters.status, direction=filters.direction)
    sent, received = selectors.inbox(request.auth, wanted)
    return [_out(p, "sent") for p in disclose_many(actor, SENT_DETAIL, sent)] + [
        _out(p, "received") for p in disclose_many(actor, RECEIVED_DETAIL, received)
    ]


@router.post("/referrals", response={201: ReferralOut, **ERRORS})
def create_referral(request: AuthedRequest, payload: ReferralIn) -> Status:
    household = selectors.get_household_to_refer(request.auth, payload.household_id)
    made = services.create_referral(
        actor_from_request(request, "api"),
        household=household,
        service_id=payload.service_id,
        person_ids=payload.person_ids,
        note=payload.note,
    )
    return Status(201, _shown(request, made.id))


@router.get("/referrals/{referral_id}", response={200: ReferralOut, **ERRORS})
def get_referral(request: AuthedRequest, referral_id: int) -> dict[str, Any]:
    return _shown(request, referral_id)


@router.post("/referrals/{referral_id}/accept", response={200: ReferralOut, **ERRORS})
def accept(request: AuthedRequest, referral_id: int) -> dict[str, Any]:
    referral = selectors.get_received(request.auth, referral_id, Verb.WRITE)
    services.accept(actor_from_request(request, "api"), referral=referral)
    return _shown(request, referral_id)


@router.post("/referrals/{referral_id}/decline", response={200: ReferralOut, **ERRORS})
def decline(request: AuthedRequest, referral_id: int, payload: ReferralDeclineIn) -> dict[str, Any]:
    referral = selectors.get_received(request.auth, referral_id, Verb.WRITE)
    services.decline(actor_from_request(request, "api"), referral=referral, reason=payload.reason)
    return _shown(request, referral_id)


@router.post("/referrals/{referral_id}/complete", response={200: ReferralOut, **ERRORS})
def complete(request: AuthedRequest, referral_id: int) -> dict[str, Any]:
    referral = selectors.get_received(request.auth, referral_id, Verb.WRITE)
    services.complete(actor_from_request(request, "api"), referral=referral)
    return _shown(request, referral_id)


@router.post("/referrals/{referral_id}/withdraw", response={200: ReferralOut, **ERRORS})
def withdraw(request: AuthedRequest, referral_id: int) -> dict[str, Any]:
    referral = selectors.get_sent(request.auth, referral_id, Verb.WRITE)
    services.withdraw(actor_from_request(request, "api"), referral=referral)
    return _shown(request, referral_id)
