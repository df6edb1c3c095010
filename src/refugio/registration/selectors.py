"""What a person may learn about their own registration: its status, and nothing else."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser

from refugio.accounts.models import Organisation
from refugio.accounts.selectors import CASE_CREATE_ROLES, organisation_ids_for
from refugio.core.errors import FieldError
from refugio.people.models import Household, Person
from refugio.people.registration_code import normalise
from refugio.people.validation import clean_date_of_birth


def household_for(code: str, date_of_birth: str) -> Household | None:
    """The household with this code whose head has this date of birth (as registered: YYYY-MM-DD,
    YYYY-MM or YYYY). None for any mismatch, so a wrong pair reveals nothing."""
    canonical = normalise(code)
    if canonical is None:
        return None
    try:
        year, month, day = clean_date_of_birth(date_of_birth)
    except FieldError:
        return None
    if year is None:
        return None
    # The same single query and the same comparison whether the code exists or not (a missing code is
    # compared against a date no one is born on), so neither the answer nor its timing tells them apart.
    head = (
        Person.objects.filter(household__registration_code=canonical, relationship_to_head="head")
        .only("household_id", "birth_year", "birth_month", "birth_day")
        .first()
    )
    born = (head.birth_year, head.birth_month, head.birth_day) if head is not None else (0, 0, 0)
    if born != (year, month, day) or head is None:
        return None
    household = Household.objects.get(pk=head.household_id)
    # Registered twice and merged by a caseworker: the household kept answers (its people are theirs).
    for _ in range(10):
        if household.merged_into_id is None:
            break
        household = Household.objects.get(pk=household.merged_into_id)
    return household


def intake_organisation_name() -> str | None:
    """The organisation that receives public registrations, named on the consent step; None when closed."""
    return Organisation.objects.filter(public_intake=True).values_list("name", flat=True).first()


def intake_organisations(user: AbstractBaseUser | AnonymousUser) -> list[tuple[int, str]]:
    """The organisations this user may register households for (id, name)."""
    allowed = organisation_ids_for(user, CASE_CREATE_ROLES)
    return list(Organisation.objects.filter(pk__in=allowed).order_by("name").values_list("id", "name"))
