"""Reads about who belongs where. The household visibility rule itself lives in people.selectors."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from refugio.accounts.models import Membership, Organisation, OrganisationKind
from refugio.accounts.rules import Subject, Verb, roles_for

# Named views of the rule table (accounts.rules), kept for readability at the call sites.
CASE_READ_ROLES = roles_for(Subject.CASE, Verb.READ)
CASE_WRITE_ROLES = roles_for(Subject.CASE, Verb.WRITE)
CASE_CREATE_ROLES = roles_for(Subject.CASE, Verb.CREATE)
SHARE_ROLES = roles_for(Subject.CASE, Verb.SHARE)
AUDIT_READ_ROLES = roles_for(Subject.AUDIT, Verb.READ)


def organisation_ids_for(user: AbstractBaseUser | AnonymousUser | None, roles: Iterable[str]) -> set[int]:
    """The organisations in which the user holds at least one of the roles (none for the system, None)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return set()
    return set(
        Membership.objects.filter(user_id=user.pk, role__in=list(roles)).values_list("organisation_id", flat=True)
    )


def organisations_where(user: AbstractBaseUser | AnonymousUser | None, subject: Subject, verb: Verb) -> set[int]:
    """The organisations in which the user may do `verb` to objects of kind `subject` (accounts.rules)."""
    return organisation_ids_for(user, roles_for(subject, verb))


def memberships_of(user: AbstractBaseUser) -> list[Membership]:
    return list(Membership.objects.filter(user_id=user.pk).select_related("organisation"))


def organisation_directory() -> list[Organisation]:
    """Names and kinds of every organisation, so a user can choose whom to share with."""
    return list(Organisation.objects.all())


def is_coordinator(user: AbstractBaseUser | AnonymousUser | None) -> bool:
    """Coordinators set the rules that bind everyone (escalation deadlines, port capacity) and run the
    entry plan: admins of a civil-society organisation, never of an agency."""
    org_ids = organisation_ids_for(user, roles_for(Subject.POLICY, Verb.WRITE))
    return Organisation.objects.filter(id__in=org_ids).exclude(kind=OrganisationKind.AGENCY).exists()
