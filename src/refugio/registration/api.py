"""POST /api/v1/registrations: public self-registration, safe to retry with an Idempotency-Key."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import get_language
from ninja import Header, Router, Status
from pydantic import Field

from refugio.audit.request import actor_from_request
from refugio.people.api import ERRORS, HouseholdFields, PersonIn
from refugio.registration import services

router = Router(tags=["registration"], auth=None)


class RegistrationIn(HouseholdFields):
    members: list[PersonIn] = Field(default_factory=list)
    consent: bool = Field(False, description="The person agreed that the organisations named may use the data")


@router.post("/registrations", response={201: dict[str, str], 503: Any, **ERRORS})
def register(request: HttpRequest, payload: RegistrationIn, idempotency_key: Header[str | None] = None) -> Status:
    data = payload.model_dump(exclude_unset=True, exclude={"members", "consent"})
    members = [m.model_dump(exclude_unset=True) for m in payload.members]
    key = (idempotency_key or "").strip()[:200] or None
    status, body = services.register(
        actor_from_request(request, "public"), data, members, payload.consent, get_language() or "es", key
    )
    return Status(status, body)


intake_router = Router(tags=["registration"])


class StaffIntakeIn(HouseholdFields):
    organisation_id: int | None = Field(None, description="Needed only if you belong to several organisations")
    members: list[PersonIn] = Field(default_factory=list)
    consent: bool = Field(False, description="The person gave verbal consent, recorded by the caseworker")


@intake_router.post("/intake/households", response={201: dict[str, str], **ERRORS})
def staff_intake(request: HttpRequest, payload: StaffIntakeIn, idempotency_key: Header[str | None] = None) -> Status:
    """A caseworker's intake, safe to send again (offline queues retry): same key, same answer, one household."""
    data = payload.model_dump(exclude_unset=True, exclude={"members", "consent", "organisation_id"})
    members = [m.model_dump(exclude_unset=True) for m in payload.members]
    key = (idempotency_key or "").strip()[:150] or None
    status, body = services.staff_intake(
        actor_from_request(request, "web"), payload.organisation_id, data, members, payload.consent, key
    )
    return Status(status, body)
