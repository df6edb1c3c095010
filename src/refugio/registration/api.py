"""POST /api/v1/registrations: public self-registration, safe to retry with an Idempotency-Key.

Anonymous callers get their own schemas: only what a person may declare about their own household (the
same as /register/ asks), never a caseworker's fields (notes, status, ready date, organisation).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Annotated, Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Header, Router, Status
from ninja.decorators import decorate_view
from pydantic import Field, JsonValue

from refugio.api_types import (
    CourtCode,
    DateText,
    LanguageCode,
    NationalityCodeOrBlank,
    PartialDate,
    RelationshipCode,
    SexCode,
    VulnerabilityCode,
)
from refugio.audit.request import actor_from_request
from refugio.core.api import ERRORS, ErrorOut, Strict
from refugio.core.errors import ValidationFailed
from refugio.people.api import HouseholdFields, PersonIn
from refugio.registration import limits, services

router = Router(tags=["registration"], auth=None)

# Declared by its real name: proxies drop header names with underscores, so `idempotency_key` would never arrive.
IdempotencyKey = Annotated[
    str | None,
    Header(None, alias="Idempotency-Key", description="Unique text; a retry with the same key gets the same answer"),
]


def _chars(n: int) -> dict[str, JsonValue]:
    # Like the choices (refugio.api_types), described here and checked by the shared validation, which
    # answers with a message per field in the caller's language.
    return {"maxLength": n}


class PublicPersonIn(Strict):
    """A person as they describe themselves (or their child); what /register/ asks, nothing else."""

    given_names: str | None = Field(None, json_schema_extra=_chars(150))
    first_family_name: str | None = Field(None, json_schema_extra=_chars(100))
    second_family_name: str | None = Field(None, json_schema_extra=_chars(100))
    date_of_birth: PartialDate | None = Field(None, description="YYYY-MM-DD, YYYY-MM or YYYY")
    date_of_birth_estimated: bool | None = None
    age: int | None = Field(
        None, ge=0, le=120, description="Only when the date of birth is not known: age in years (an estimate)"
    )
    sex: SexCode | None = None
    nationality: NationalityCodeOrBlank | None = Field(None, description="ISO 3166-1 alpha-2")
    languages: list[LanguageCode] | None = None
    relationship_to_head: RelationshipCode | None = Field(None, description="Exactly one member is the head")
    a_number: str | None = Field(None, description="A followed by 8 or 9 digits", json_schema_extra=_chars(16))
    immigration_court: CourtCode | None = None
    next_hearing_date: DateText | None = Field(None, description="YYYY-MM-DD")
    vulnerabilities: list[VulnerabilityCode] | None = None


class PublicHouseholdIn(Strict):
    current_city: str | None = Field(None, json_schema_extra=_chars(100))
    in_shelter: bool | None = None
    shelter_name: str | None = Field(None, json_schema_extra=_chars(200))
    contact_phone: str | None = Field(None, description="With the country code, e.g. +52", json_schema_extra=_chars(40))
    contact_whatsapp: bool | None = None
    preferred_language: LanguageCode | None = Field(None, description="Default: the Accept-Language")


class RegistrationIn(PublicHouseholdIn):
    members: list[PublicPersonIn] = Field(
        default_factory=list,
        description=f"Everyone registering together (at most {settings.REFUGIO_MAX_HOUSEHOLD_MEMBERS}), "
        "one of them the head (relationship_to_head 'head')",
    )
    consent: bool = Field(False, description="The person agreed that the organisations named may use the data")


def _public_limits(run: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Refuse an oversized body or a client over its registration rate before the body is even parsed."""

    @functools.wraps(run)
    def limited_run(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:  # noqa: ANN401
        from refugio.api import error  # the API's one error format (refugio.api imports this module)

        if limits.body_too_large(request):
            return error(request, 413, "too_large", limits.too_large_message())
        limited = limits.registration_limited(request)
        if limited is not None:
            response = error(request, 429, "rate_limited", limited.message)
            response["Retry-After"] = str(limited.wait_seconds)
            return response
        return run(request, *args, **kwargs)

    return limited_run


def _members(payload: RegistrationIn) -> list[dict[str, Any]]:
    """The members as the registration service takes them: an age becomes an estimated year of birth."""
    members, errors = [], {}
    for i, person in enumerate(payload.members):
        member = person.model_dump(exclude_unset=True)
        age = member.pop("age", None)
        if age is not None:
            if member.get("date_of_birth"):
                errors[f"members.{i}.age"] = _("Give the date of birth or the age, not both.")
            else:
                member["date_of_birth"] = str(timezone.localdate().year - age)
                member["date_of_birth_estimated"] = True
        members.append(member)
    if errors:
        raise ValidationFailed(errors)
    return members


@router.post("/registrations", response={201: dict[str, str], 413: ErrorOut, 429: ErrorOut, 503: Any, **ERRORS})
@decorate_view(_public_limits)
def register(request: HttpRequest, payload: RegistrationIn, idempotency_key: IdempotencyKey = None) -> Status:
    """A household registers itself. At most 64 KB; limited per client address and overall (429 with
    Retry-After)."""
    data = payload.model_dump(exclude_unset=True, exclude={"members", "consent"})
    members = _members(payload)
    key = (idempotency_key or "").strip()[:200] or None
    status, body = services.register(
        actor_from_request(request, "public"),
        data=data,
        members=members,
        consent=payload.consent,
        language=get_language() or "es",
        idempotency_key=key,
    )
    return Status(status, body)


intake_router = Router(tags=["registration"])


class StaffIntakeIn(HouseholdFields):
    organisation_id: int | None = Field(None, description="Needed only if you belong to several organisations")
    members: list[PersonIn] = Field(default_factory=list)
    consent: bool = Field(False, description="The person gave verbal consent, recorded by the caseworker")


@intake_router.post("/intake/households", response={201: dict[str, str], **ERRORS})
def staff_intake(request: HttpRequest, payload: StaffIntakeIn, idempotency_key: IdempotencyKey = None) -> Status:
    """A caseworker's intake, safe to send again (offline queues retry): same key, same answer, one household."""
    data = payload.model_dump(exclude_unset=True, exclude={"members", "consent", "organisation_id"})
    members = [m.model_dump(exclude_unset=True) for m in payload.members]
    key = (idempotency_key or "").strip()[:150] or None
    status, body = services.staff_intake(
        actor_from_request(request, "web"),
        organisation_id=payload.organisation_id,
        data=data,
        members=members,
        consent=payload.consent,
        idempotency_key=key,
    )
    return Status(status, body)
