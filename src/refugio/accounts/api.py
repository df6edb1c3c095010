"""Who am I, and which organisations exist (to choose whom to share with)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from refugio.accounts.selectors import memberships_of, organisation_directory
from refugio.api_types import OrganisationKindCode, RoleCode
from refugio.core.api import ERRORS
from refugio.core.http import AuthedRequest

router = Router(tags=["accounts"])


class MembershipOut(Schema):
    organisation_id: int
    organisation: str
    role: RoleCode


class MeOut(Schema):
    username: str
    memberships: list[MembershipOut]


class OrganisationOut(Schema):
    id: int
    name: str
    kind: OrganisationKindCode


@router.get("/me", response={200: MeOut, **ERRORS})
def me(request: AuthedRequest) -> dict[str, Any]:
    return {
        "username": request.auth.get_username(),
        "memberships": [
            {"organisation_id": m.organisation_id, "organisation": m.organisation.name, "role": m.role}
            for m in memberships_of(request.auth)
        ],
    }


@router.get("/organisations", response={200: list[OrganisationOut], **ERRORS})
def organisations(request: HttpRequest) -> list[Any]:
    return organisation_directory()
