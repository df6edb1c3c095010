"""Placement in the JSON API: a local partner's capacity, allocation runs, their assignments, overrides and
publishing."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from refugio.api_types import LanguageCode, RelationshipCode, UUIDText, choice
from refugio.audit.request import actor_from_request
from refugio.core.api import ERRORS, Strict
from refugio.core.http import AuthedRequest
from refugio.disclosure import disclose_many
from refugio.placement import selectors, services
from refugio.placement.models import AllocationRun, Outcome, RunStatus
from refugio.placement.surfaces import PARTNER, REVIEW

router = Router(tags=["placement"])

if TYPE_CHECKING:  # codes are text to the type checker; their enums are for the OpenAPI document
    RunStatusCode = str
    OutcomeCode = str
    NeedCode = str
else:
    RunStatusCode = choice(RunStatus)
    OutcomeCode = choice(Outcome)
    NeedCode = choice(services.known_needs())


class PlacementCapacityIn(Strict):
    week_start: dt.date
    people: int = Field(ge=0, le=100_000)
    need_cases: dict[NeedCode, int] = Field(
        default_factory=dict,
        description="Cases a week per need: medical, school, wheelchair, language:<ISO 639 code>",
    )
    version: int | None = Field(default=None, description="The version read; a stale one answers 409")


class PlacementCapacityOut(Schema):
    destination_id: int
    city: str
    partner: str
    week_start: dt.date
    people: int
    need_cases: dict[NeedCode, int]
    version: int
    updated_at: dt.datetime | None


class AllocationRunIn(Strict):
    week_start: dt.date
    organisation_id: int | None = Field(default=None, description="Your allocating organisation, if several")
    outcome: OutcomeCode = Field(
        default=Outcome.EMPLOYED_90_DAYS.value, description="The expected outcome the allocation maximizes"
    )


class AllocationFairnessOut(Schema):
    group: str
    households: int
    mean_score: float
    share_at_best: float


class AllocationRunOut(Schema):
    id: int
    organisation_id: int
    week_start: dt.date
    status: RunStatusCode
    outcome: OutcomeCode
    objective: float
    bound: float
    gap: float
    seconds: float
    version: int
    fairness: list[AllocationFairnessOut]
    published_at: dt.datetime | None


class PlacementDestinationRef(Schema):
    id: int
    city: str
    partner: str


class PlacementNextBestOut(Schema):
    destination_id: int
    city: str
    score: float


class AllocationAssignmentOut(Schema):
    id: int
    run_id: int
    household_id: uuid.UUID
    registration_code: str
    destination: PlacementDestinationRef
    people: int
    arrival_date: dt.date
    needs: list[NeedCode]
    needs_label: list[str]
    tie: str
    score: float
    next_best: PlacementNextBestOut | None
    explanation: list[str]
    overridden: bool
    override_reason: str


class AllocatedCaseOut(Schema):
    id: int
    run_id: int
    registration_code: str
    head_name: str
    destination: PlacementDestinationRef
    people: int
    arrival_date: dt.date
    needs: list[NeedCode]
    needs_label: list[str]
    languages: list[LanguageCode]
    languages_label: list[str]


class AllocationOverrideIn(Strict):
    destination_id: int
    reason: str = Field(min_length=1, max_length=1000)


class FamilyTieIn(Strict):
    destination_id: int | None = Field(description="The destination where the relative lives; null removes the tie")
    relation: RelationshipCode | None = Field(default=None, description="How the relative is related")


class AllocationPublishOut(Schema):
    run: AllocationRunOut
    notified: int


def _capacity(destination: Any, week_start: dt.date) -> dict[str, Any]:  # noqa: ANN401
    row = selectors.capacity_of(destination, week_start)
    return {
        "destination_id": destination.id,
        "city": destination.city,
        "partner": destination.organisation.name,
        "week_start": week_start,
        "people": row.people if row else 0,
        "need_cases": dict(row.need_cases) if row else {},
        "version": row.version if row else 0,
        "updated_at": row.updated_at if row else None,
    }


def _week(week: dt.date | None) -> dt.date:
    return selectors.week_of(week or dt.date.today() + dt.timedelta(days=7))


@router.get("/placement/capacity", response={200: list[PlacementCapacityOut], **ERRORS})
def list_capacity(request: HttpRequest, week: dt.date | None = None) -> list[dict[str, Any]]:
    """Every destination's capacity the caller reads (an allocator: all; a local partner: its own)."""
    week_start = _week(week)
    return [_capacity(d, week_start) for d in selectors.capacity_destinations(request.user)]


@router.get("/placement/destinations/{destination_id}/capacity", response={200: PlacementCapacityOut, **ERRORS})
def get_capacity(request: HttpRequest, destination_id: int, week: dt.date | None = None) -> dict[str, Any]:
    try:
        destination = selectors.capacity_destinations(request.user).get(pk=destination_id)
    except Exception as exc:  # noqa: BLE001 - absent or invisible: the same 404
        from refugio.core.errors import NotFound

        raise NotFound from exc
    return _capacity(destination, _week(week))


@router.put("/placement/destinations/{destination_id}/capacity", response={200: PlacementCapacityOut, **ERRORS})
def put_capacity(request: AuthedRequest, destination_id: int, payload: PlacementCapacityIn) -> dict[str, Any]:
    """A local partner's staff publish their capacity for a week (only their own destinations)."""
    row = services.set_capacity(
        actor_from_request(request, "api"),
        destination_id=destination_id,
        week_start=payload.week_start,
        people=payload.people,
        need_cases=payload.need_cases,
        version=payload.version,
    )
    return _capacity(row.destination, row.week_start)


def _run(run: AllocationRun) -> dict[str, Any]:
    return {
        "id": run.id,
        "organisation_id": run.organisation_id,
        "week_start": run.week_start,
        "status": run.status,
        "outcome": run.outcome,
        "objective": run.objective,
        "bound": run.bound,
        "gap": run.gap,
        "seconds": run.seconds,
        "version": run.version,
        "fairness": run.fairness,
        "published_at": run.published_at,
    }


@router.post("/placement/runs", response={201: AllocationRunOut, **ERRORS})
def create_run(request: AuthedRequest, payload: AllocationRunIn) -> Status:
    """Allocate the organisation's households arriving in the week (422 with the reason when infeasible)."""
    organisations = sorted(selectors.allocating_organisations(request.auth))
    organisation_id = payload.organisation_id if payload.organisation_id is not None else next(iter(organisations), -1)
    run = services.run_allocation(
        actor_from_request(request, "api"),
        organisation_id=organisation_id,
        week_start=payload.week_start,
        outcome=payload.outcome,
    )
    return Status(201, _run(run))


@router.get("/placement/runs", response={200: list[AllocationRunOut], **ERRORS})
def list_runs(request: HttpRequest) -> list[dict[str, Any]]:
    return [_run(r) for r in selectors.runs_for(request.user)]


@router.get("/placement/runs/{run_id}", response={200: AllocationRunOut, **ERRORS})
def get_run(request: HttpRequest, run_id: int) -> dict[str, Any]:
    return _run(selectors.run_for(request.user, run_id))


@router.get("/placement/runs/{run_id}/assignments", response={200: list[AllocationAssignmentOut], **ERRORS})
def list_assignments(request: HttpRequest, run_id: int) -> list[dict[str, Any]]:
    run = selectors.run_for(request.user, run_id)
    return disclose_many(actor_from_request(request, "api"), REVIEW, selectors.run_assignments(run))


@router.post("/placement/assignments/{assignment_id}/override", response={200: AllocationRunOut, **ERRORS})
def override(request: AuthedRequest, assignment_id: int, payload: AllocationOverrideIn) -> dict[str, Any]:
    """Place one household elsewhere with a reason; the rest of the run is re-solved around it."""
    run = services.override_assignment(
        actor_from_request(request, "api"),
        assignment_id=assignment_id,
        destination_id=payload.destination_id,
        reason=payload.reason,
    )
    return _run(run)


@router.post("/placement/runs/{run_id}/publish", response={200: AllocationPublishOut, **ERRORS})
def publish(request: AuthedRequest, run_id: int) -> dict[str, Any]:
    notified = services.publish_allocation(actor_from_request(request, "api"), run_id=run_id)
    return {"run": _run(selectors.run_for(request.auth, run_id)), "notified": notified}


@router.get("/placement/received", response={200: list[AllocatedCaseOut], **ERRORS})
def received(request: HttpRequest) -> list[dict[str, Any]]:
    """A local partner's staff: the cases published to them, with only what they need to receive them."""
    return disclose_many(actor_from_request(request, "api"), PARTNER, selectors.received(request.user))


@router.put("/placement/households/{household_id}/tie", response={204: None, **ERRORS})
def put_family_tie(request: AuthedRequest, household_id: UUIDText, payload: FamilyTieIn) -> Status:
    """Record a household's family tie (a relative at a destination): the allocation places it there first."""
    services.set_family_tie(
        actor_from_request(request, "api"),
        household_id=household_id,
        destination_id=payload.destination_id,
        relation=payload.relation or "",
    )
    return Status(204, None)
