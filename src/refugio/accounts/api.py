"""Who am I, and which organisations exist (to choose whom to share with)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from refugio.accounts.selectors import memberships_of, organisation_directory

router = Router(tags=["accounts"])


class MembershipOut(Schema):
    organisation_id: int
    organisation: str
    role: str


class MeOut(Schema):
    username: str
    memberships: list[MembershipOut]


class OrganisationOut(Schema):
    id: int
    name: str
    kind: str


@router.get("/me", response=MeOut)
def me(request: HttpRequest) -> dict[str, Any]:
    return {
        "username": request.auth.get_username(),
        "memberships": [
            {"organisation_id": m.organisation_id, "organisation": m.organisation.name, "role": m.role}
            for m in memberships_of(request.auth)
        ],
    }


@router.get("/organisations", response=list[OrganisationOut])
def organisations(request: HttpRequest) -> list[Any]:
    return organisation_directory()
