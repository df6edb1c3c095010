"""A household's triage and entry through the API: read (anyone who may see the household), override
(the owning organisation's caseworkers and admins)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from refugio.api_types import LaneCode, TZDatetime, UUIDText
from refugio.audit.request import actor_from_request
from refugio.core.api import ERRORS
from refugio.disclosure import disclose_one
from refugio.people import selectors as people_selectors
from refugio.planning.surfaces import PRIORITY_API
from refugio.triage import services

router = Router(tags=["triage"])


class OverrideOut(Schema):
    tier: int
    priority: float
    reason: str
    created_at: TZDatetime


class AppointmentOut(Schema):
    port: str
    date: dt.date
    lane: LaneCode
    moved: bool


class TriageOut(Schema):
    scored: bool = Field(description="False: not scored yet (tier and priority are then null, or the override's)")
    tier: int | None
    priority: float | None
    computed_tier: int | None
    computed_priority: float | None
    reasons: list[str] = Field(description="One sentence per criterion that applied, in your language")
    policy_version: int | None = Field(description="None: Refugio's default policy")
    override: OverrideOut | None
    appointment: AppointmentOut | None = Field(description="In the published plan")
    entry_explanation: str


class OverrideIn(Schema):
    tier: int = Field(ge=1, le=9)
    priority: float = Field(ge=1, le=10_000)
    reason: str = Field(min_length=1, max_length=2000)


def _triage(request: HttpRequest, household_id: Any) -> dict[str, Any]:  # noqa: ANN401
    return disclose_one(actor_from_request(request, "api"), PRIORITY_API, household_id)


@router.get("/households/{household_id}/triage", response={200: TriageOut, **ERRORS})
def read_triage(request: HttpRequest, household_id: UUIDText) -> dict[str, Any]:
    return _triage(request, household_id)


@router.post("/households/{household_id}/triage/override", response={201: TriageOut, **ERRORS})
def override(request: HttpRequest, household_id: UUIDText, payload: OverrideIn) -> Status:
    household = people_selectors.get_household(request.user, household_id, for_write=True)
    services.override(
        actor_from_request(request, "api"),
        household=household,
        tier=payload.tier,
        priority=payload.priority,
        reason=payload.reason,
    )
    return Status(201, _triage(request, household.id))


@router.post("/households/{household_id}/triage/override/end", response={200: TriageOut, **ERRORS})
def end_override(request: HttpRequest, household_id: UUIDText) -> dict[str, Any]:
    household = people_selectors.get_household(request.user, household_id, for_write=True)
    services.end_override(actor_from_request(request, "api"), household=household)
    return _triage(request, household.id)
