from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from refugio.accounts.rules import Subject, Verb, roles_for
from refugio.accounts.selectors import (
    AUDIT_READ_ROLES,
    CASE_CREATE_ROLES,
    CASE_READ_ROLES,
    is_coordinator,
    organisation_ids_for,
)


def staff_context(request: HttpRequest) -> dict[str, Any]:
    """What the navigation offers: only links to pages that can show this user something."""
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    return {
        "demo_mode": settings.DEMO_MODE,
        "nav_cases": signed_in and bool(organisation_ids_for(user, CASE_READ_ROLES)),
        "nav_intake": signed_in and bool(organisation_ids_for(user, CASE_CREATE_ROLES)),
        "nav_audit": signed_in and bool(organisation_ids_for(user, AUDIT_READ_ROLES)),
        "nav_planning": signed_in and is_coordinator(user),
        "nav_manifests": signed_in and bool(organisation_ids_for(user, roles_for(Subject.MANIFEST, Verb.READ))),
        "nav_policy": signed_in and bool(organisation_ids_for(user, roles_for(Subject.POLICY, Verb.WRITE))),
        # Placement: those who allocate their households and local partners' staff who publish capacity.
        "nav_placement": signed_in
        and bool(
            organisation_ids_for(
                user, roles_for(Subject.ALLOCATION, Verb.READ) | roles_for(Subject.CAPACITY, Verb.READ)
            )
        ),
    }
