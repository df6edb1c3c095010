"""Tracing in the JSON API: the same double-blind projections as the pages, the same services."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING, Any, TypeAlias

from ninja import Router, Schema, Status
from pydantic import Field

from refugio.accounts.rules import Verb
from refugio.api_types import ConsentMethodCode, TZDatetime, UUIDText, choice
from refugio.audit.request import actor_from_request
from refugio.core.api import ERRORS, Strict
from refugio.core.errors import NotFound
from refugio.core.http import AuthedRequest
from refugio.disclosure import authorize, disclose_many, disclose_one
from refugio.people.surfaces import HOUSEHOLD
from refugio.tracing import rules, selectors, services
from refugio.tracing.models import CandidateStatus, Relationship, RequestStatus, SoughtSex, VerificationMethod
from refugio.tracing.surfaces import FOUND_CANDIDATE, HELD_CANDIDATE, HELD_LIST, HELD_PAGE, REQUEST_LIST, REQUEST_PAGE

router = Router(tags=["tracing"])

# Each choice is an enum in the OpenAPI document; the type checker reads them as the str they are.
if TYPE_CHECKING:
    RelationshipCode: TypeAlias = str
    SoughtSexCode: TypeAlias = str
    RequestStatusCode: TypeAlias = str
    CandidateStatusCode: TypeAlias = str
    StrengthCode: TypeAlias = str
    VerificationCode: TypeAlias = str
else:
    RelationshipCode = choice(Relationship)
    SoughtSexCode = choice(SoughtSex)
    RequestStatusCode = choice(RequestStatus)
    CandidateStatusCode = choice(CandidateStatus)
    StrengthCode = choice([rules.STRONG, rules.LIKELY, rules.POSSIBLE])
    VerificationCode = choice(VerificationMethod)


class TracingRequestIn(Strict):
    given_names: str = ""
    family_names: str = ""
    birth_year: int | None = None
    birth_year_estimated: bool = True
    sex: SoughtSexCode = "unknown"
    relationship: RelationshipCode
    separated_child: bool = False
    last_seen_place: str = ""
    last_seen_on: dt.date | None = None
    notes: str = ""


class FoundCandidateOut(Schema):
    id: uuid.UUID
    holder: str = Field(description="The organisation holding the record: nothing about the person")
    strength: StrengthCode
    status: CandidateStatusCode
    requester_confirmed: bool
    holder_confirmed: bool
    requester_consented: bool
    holder_consented: bool
    verified: bool
    household_id: uuid.UUID | None = Field(description="Only once shared for the reunification")


class TracingRequestOut(Schema):
    id: uuid.UUID
    household_id: uuid.UUID
    registration_code: str
    given_names: str
    family_names: str
    birth_year: int | None
    sex: SoughtSexCode
    relationship: RelationshipCode
    separated_child: bool
    last_seen_place: str
    last_seen_on: dt.date | None
    notes: str
    status: RequestStatusCode
    created_at: TZDatetime
    searched_at: TZDatetime | None
    candidates: list[FoundCandidateOut]


class TracingRequestSummaryOut(Schema):
    id: uuid.UUID
    registration_code: str
    given_names: str
    family_names: str
    relationship: RelationshipCode
    status: RequestStatusCode


class HeldCandidateOut(Schema):
    id: uuid.UUID
    registration_code: str
    person_name: str
    relationship_sought: RelationshipCode
    requested_by: str
    strength: StrengthCode
    status: CandidateStatusCode
    requester_confirmed: bool
    holder_confirmed: bool
    requester_consented: bool
    holder_consented: bool
    verified: bool


class TracingConsentIn(Strict):
    method: ConsentMethodCode


class TracingVerificationIn(Strict):
    method: VerificationCode
    notes: str


def _request_out(request: AuthedRequest, request_id: Any) -> dict[str, Any]:  # noqa: ANN401
    return disclose_one(actor_from_request(request, "api"), REQUEST_PAGE, request_id)


@router.post("/households/{household_id}/tracing-requests", response={201: TracingRequestOut, **ERRORS})
def open_request(request: AuthedRequest, household_id: UUIDText, payload: TracingRequestIn) -> Status:
    household = authorize(request.auth, HOUSEHOLD, household_id, verb=Verb.WRITE)
    created = services.open_request(actor_from_request(request, "api"), household=household, data=payload.model_dump())
    return Status(201, _request_out(request, created.id))


@router.get("/tracing-requests", response={200: list[TracingRequestSummaryOut], **ERRORS})
def list_requests(request: AuthedRequest) -> list[dict[str, Any]]:
    return disclose_many(
        actor_from_request(request, "api"), REQUEST_LIST, selectors.visible_requests(request.auth)[:500]
    )


@router.get("/tracing-requests/{request_id}", response={200: TracingRequestOut, **ERRORS})
def get_request(request: AuthedRequest, request_id: UUIDText) -> dict[str, Any]:
    return _request_out(request, request_id)


@router.get("/tracing-candidates", response={200: list[HeldCandidateOut], **ERRORS})
def candidates_to_review(request: AuthedRequest) -> list[dict[str, Any]]:
    """Possible matches among the caller's organisation's own records, to confirm or reject."""
    found = selectors.candidates_to_review(request.auth).select_related("person", "request")[:500]
    return disclose_many(actor_from_request(request, "api"), HELD_LIST, found)


def _candidate(request: AuthedRequest, candidate_id: str) -> Any:  # noqa: ANN401
    try:
        return authorize(request.auth, FOUND_CANDIDATE, candidate_id, verb=Verb.CONFIRM)
    except NotFound:
        return authorize(request.auth, HELD_CANDIDATE, candidate_id, verb=Verb.CONFIRM)


def _after(request: AuthedRequest, candidate: Any) -> dict[str, Any]:  # noqa: ANN401
    """The candidate as the caller's side sees it."""
    actor = actor_from_request(request, "api")
    if selectors.found_candidates(request.auth).filter(pk=candidate.pk).exists():
        shown = disclose_one(actor, REQUEST_PAGE, candidate.request_id)
        return next(c for c in shown["candidates"] if c["id"] == candidate.pk)
    held = disclose_one(actor, HELD_PAGE, candidate.pk)
    return held


class TracingCandidateOut(Schema):
    id: uuid.UUID
    strength: StrengthCode
    status: CandidateStatusCode
    requester_confirmed: bool
    holder_confirmed: bool
    requester_consented: bool
    holder_consented: bool
    verified: bool


@router.post("/tracing-candidates/{candidate_id}/confirm", response={200: TracingCandidateOut, **ERRORS})
def confirm(request: AuthedRequest, candidate_id: UUIDText) -> dict[str, Any]:
    candidate = services.confirm_candidate(
        actor_from_request(request, "api"), candidate=_candidate(request, candidate_id)
    )
    return _after(request, candidate)


@router.post("/tracing-candidates/{candidate_id}/reject", response={200: TracingCandidateOut, **ERRORS})
def reject(request: AuthedRequest, candidate_id: UUIDText) -> dict[str, Any]:
    candidate = services.reject_candidate(
        actor_from_request(request, "api"), candidate=_candidate(request, candidate_id)
    )
    return _after(request, candidate)


@router.post("/tracing-candidates/{candidate_id}/consent", response={200: TracingCandidateOut, **ERRORS})
def consent(request: AuthedRequest, candidate_id: UUIDText, payload: TracingConsentIn) -> dict[str, Any]:
    candidate = services.record_side_consent(
        actor_from_request(request, "api"), candidate=_candidate(request, candidate_id), method=payload.method
    )
    return _after(request, candidate)


@router.post("/tracing-candidates/{candidate_id}/verification", response={200: TracingCandidateOut, **ERRORS})
def verify(request: AuthedRequest, candidate_id: UUIDText, payload: TracingVerificationIn) -> dict[str, Any]:
    candidate = services.verify_family_link(
        actor_from_request(request, "api"),
        candidate=_candidate(request, candidate_id),
        method=payload.method,
        notes=payload.notes,
    )
    return _after(request, candidate)


@router.post("/tracing-candidates/{candidate_id}/reunited", response={200: TracingCandidateOut, **ERRORS})
def reunited(request: AuthedRequest, candidate_id: UUIDText) -> dict[str, Any]:
    candidate = services.record_reunion(actor_from_request(request, "api"), candidate=_candidate(request, candidate_id))
    return _after(request, candidate)
