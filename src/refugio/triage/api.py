"""A household's triage and entry through the API: read (anyone who may see the household), override
(the owning organisation's caseworkers and admins)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from refugio.audit.request import actor_from_request
from refugio.people import selectors as people_selectors
from refugio.people.api import ERRORS
from refugio.planning.selectors import explain
from refugio.triage import services
from refugio.triage.selectors import triage_of

router = Router(tags=["triage"])


class OverrideOut(Schema):
    tier: int
    priority: float
    reason: str
    created_at: dt.datetime


class AppointmentOut(Schema):
    port: str
    date: dt.date
    lane: str
    moved: bool


class TriageOut(Schema):
    tier: int
    priority: float
    computed_tier: int
    computed_priority: float
    reasons: list[str] = Field(description="One sentence per criterion that applied, in your language")
    policy_version: int | None = Field(description="None: Refugio's default policy")
    override: OverrideOut | None
    appointment: AppointmentOut | None = Field(description="In the published plan")
    entry_explanation: str


class OverrideIn(Schema):
    tier: int = Field(ge=1, le=9)
    priority: float = Field(ge=1, le=10_000)
    reason: str = Field(min_length=1, max_length=2000)


def _triage(household: Any) -> dict[str, Any]:  # noqa: ANN401
    triage = triage_of(household)
    explanation = explain(household, triage.tier, triage.priority)
    appointment = explanation.appointment
    return {
        **{k: getattr(triage, k) for k in ("tier", "priority", "computed_tier", "computed_priority", "reasons")},
        "policy_version": triage.policy_version,
        "override": triage.override,
        "appointment": (
            {
                "port": appointment.port.code,
                "date": appointment.date,
                "lane": appointment.lane,
                "moved": appointment.moved,
            }
            if appointment
            else None
        ),
        "entry_explanation": explanation.text,
    }


@router.get("/households/{household_id}/triage", response={200: TriageOut, **ERRORS})
def read_triage(request: HttpRequest, household_id: str) -> dict[str, Any]:
    return _triage(people_selectors.get_household(request.user, household_id))


@router.post("/households/{household_id}/triage/override", response={201: TriageOut, **ERRORS})
def override(request: HttpRequest, household_id: str, payload: OverrideIn) -> Status:
    household = people_selectors.get_household(request.user, household_id, for_write=True)
    services.override(actor_from_request(request, "api"), household, payload.tier, payload.priority, payload.reason)
    return Status(201, _triage(household))


@router.post("/households/{household_id}/triage/override/end", response={200: TriageOut, **ERRORS})
def end_override(request: HttpRequest, household_id: str) -> dict[str, Any]:
    household = people_selectors.get_household(request.user, household_id, for_write=True)
    services.end_override(actor_from_request(request, "api"), household)
    return _triage(household)
