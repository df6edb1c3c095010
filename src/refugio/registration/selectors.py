"""What a person may learn about their own registration: its status, and nothing else."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from refugio.accounts.models import Organisation
from refugio.accounts.selectors import CASE_CREATE_ROLES, organisation_ids_for
from refugio.core.errors import FieldError
from refugio.people.models import Household, Person
from refugio.people.registration_code import normalise
from refugio.people.validation import clean_date_of_birth
from refugio.people.vocabulary import HouseholdStatus
from refugio.registration.models import AcceptedRegistration


def household_for(code: str, date_of_birth: str) -> Household | None:
    """The household with this code whose head has this date of birth (as registered: YYYY-MM-DD,
    YYYY-MM or YYYY), also while its registration is accepted but not yet stored (the household as it will be,
    unsaved). None for any mismatch, so a wrong pair reveals nothing."""
    canonical = normalise(code)
    if canonical is None:
        return None
    try:
        year, month, day = clean_date_of_birth(date_of_birth)
    except FieldError:
        return None
    if year is None:
        return None
    # The same two queries and the same comparison whether the code exists or not (a missing code is
    # compared against a date no one is born on), so neither the answer nor its timing tells them apart.
    head = (
        Person.objects.filter(household__registration_code=canonical, relationship_to_head="head")
        .only("household_id", "birth_year", "birth_month", "birth_day")
        .first()
    )
    accepted = AcceptedRegistration.objects.filter(registration_code=canonical, stored_at__isnull=True).first()
    born = (head.birth_year, head.birth_month, head.birth_day) if head is not None else (0, 0, 0)
    if head is None and accepted is not None:
        return _accepted_for(accepted, (year, month, day))
    if born != (year, month, day) or head is None:
        return None
    household = Household.objects.get(pk=head.household_id)
    # Registered twice and merged by a caseworker: the household kept answers (its people are theirs).
    for _ in range(10):
        if household.merged_into_id is None:
            break
        household = Household.objects.get(pk=household.merged_into_id)
    return household


def _accepted_for(accepted: AcceptedRegistration, born: tuple[int | None, ...]) -> Household | None:
    """A registration acknowledged a moment ago and not yet stored: the household it will be (unsaved, newly
    registered), if its head has this date of birth."""
    content = json.loads(accepted.content)
    head: dict[str, Any] = next((m for m in content["members"] if m.get("relationship_to_head") == "head"), {})
    try:
        if clean_date_of_birth(head.get("date_of_birth")) != born:
            return None
    except FieldError:
        return None
    return Household(
        id=accepted.id,
        registration_code=accepted.registration_code,
        owner_id=accepted.organisation_id,
        status=HouseholdStatus.REGISTERED,
    )


def storing_registrations(late_after: dt.timedelta) -> str:
    """How storing accepted public registrations goes: "problem" when one could not be stored (an operator
    reads its `problem`), "late" when one has waited longer than `late_after` (no task worker), else "ok"."""
    waiting = AcceptedRegistration.objects.filter(stored_at__isnull=True)
    if waiting.exclude(problem="").exists():
        return "problem"
    if waiting.filter(accepted_at__lte=timezone.now() - late_after).exists():
        return "late"
    return "ok"


def intake_organisation_name() -> str | None:
    """The organisation that receives public registrations, named on the consent step; None when closed."""
    return Organisation.objects.filter(public_intake=True).values_list("name", flat=True).first()


def intake_organisations(user: AbstractBaseUser | AnonymousUser) -> list[tuple[int, str]]:
    """The organisations this user may register households for (id, name)."""
    allowed = organisation_ids_for(user, CASE_CREATE_ROLES)
    return list(Organisation.objects.filter(pk__in=allowed).order_by("name").values_list("id", "name"))
