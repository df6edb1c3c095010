"""Reads about who belongs where. The household visibility rule itself lives in people.selectors."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from refugio.accounts.models import Membership, Organisation, OrganisationKind, Role

# Roles that work on individual cases. Agency liaisons and analysts see no case by default.
CASE_READ_ROLES = frozenset({Role.ORG_ADMIN, Role.CASEWORKER, Role.ATTORNEY, Role.SHELTER_STAFF})
CASE_WRITE_ROLES = CASE_READ_ROLES
CASE_CREATE_ROLES = frozenset({Role.ORG_ADMIN, Role.CASEWORKER, Role.SHELTER_STAFF})
SHARE_ROLES = frozenset({Role.ORG_ADMIN, Role.CASEWORKER})
AUDIT_READ_ROLES = frozenset({Role.ORG_ADMIN})


def organisation_ids_for(user: AbstractBaseUser | AnonymousUser, roles: Iterable[str]) -> set[int]:
    """The organisations in which the user holds at least one of the roles."""
    if not user.is_authenticated or not user.is_active:
        return set()
    return set(Membership.objects.filter(user=user, role__in=list(roles)).values_list("organisation_id", flat=True))


def memberships_of(user: AbstractBaseUser) -> list[Membership]:
    return list(Membership.objects.filter(user=user).select_related("organisation"))


def organisation_directory() -> list[Organisation]:
    """Names and kinds of every organisation, so a user can choose whom to share with."""
    return list(Organisation.objects.all())


def is_coordinator(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Coordinators set the rules that bind everyone (escalation deadlines, port capacity) and run the
    entry plan: admins of a civil-society organisation, never of an agency."""
    org_ids = organisation_ids_for(user, {Role.ORG_ADMIN})
    return Organisation.objects.filter(id__in=org_ids).exclude(kind=OrganisationKind.AGENCY).exists()
