"""Reads of placement: who allocates, who receives, capacity by week, the arriving cohort and its needs.

Two sides: the *allocating* organisation (a civil-society organisation, not an agency or a local partner,
where the user holds an allocation role) runs and reviews allocations of its own households and reads
every local partner's capacity live; a *local partner*'s staff keep their own capacity and, once an
allocation is published, see the cases allocated to them (through the disclosure layer, placement.surfaces).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet

from refugio.accounts.models import Organisation, OrganisationKind
from refugio.accounts.rules import Subject, Verb
from refugio.accounts.selectors import organisations_where
from refugio.core.errors import NotFound, PermissionDenied
from refugio.people.models import Household
from refugio.people.vocabulary import Vulnerability
from refugio.placement.models import (
    LANGUAGE_PREFIX,
    MEDICAL,
    SCHOOL,
    WHEELCHAIR,
    AllocationRun,
    Assignment,
    Destination,
    FamilyTie,
    RunStatus,
    WeeklyCapacity,
)
from refugio.planning.models import Appointment
from refugio.planning.services import current_published

User = AbstractBaseUser | AnonymousUser

MEDICAL_VULNERABILITIES = {Vulnerability.MEDICAL_URGENT, Vulnerability.CHRONIC_ILLNESS, Vulnerability.PREGNANT}
SCHOOL_AGES = range(5, 18)


def week_of(day: dt.date) -> dt.date:
    """The Monday of the day's week: capacity and allocations go by week."""
    return day - dt.timedelta(days=day.weekday())


def allocating_organisations(user: User, verb: Verb = Verb.READ) -> set[int]:
    """Organisations in which the user may `verb` allocations of their own households (never an agency or
    a local partner: they receive cases, they do not allocate them)."""
    ids = organisations_where(user, Subject.ALLOCATION, verb)
    if not ids:
        return set()
    return set(
        Organisation.objects.filter(id__in=ids)
        .exclude(kind__in=[OrganisationKind.AGENCY, OrganisationKind.LOCAL_PARTNER])
        .values_list("id", flat=True)
    )


def partner_organisations(user: User, subject: Subject, verb: Verb) -> set[int]:
    """Local partners in which the user holds a role for `subject` × `verb`."""
    ids = organisations_where(user, subject, verb)
    if not ids:
        return set()
    return set(
        Organisation.objects.filter(id__in=ids, kind=OrganisationKind.LOCAL_PARTNER).values_list("id", flat=True)
    )


def capacity_destinations(user: User) -> QuerySet[Destination]:
    """Destinations whose capacity the user reads: every one for an allocator, their own for a partner's
    staff; anyone else: NotFound."""
    found = Destination.objects.select_related("organisation")
    if allocating_organisations(user):
        return found.all()
    own = partner_organisations(user, Subject.CAPACITY, Verb.READ)
    if not own:
        raise NotFound
    return found.filter(organisation_id__in=own)


def destination_to_update(user: User, destination_id: int) -> Destination:
    """A destination whose capacity the user may change: their own local partner's. An allocator who reads
    it may not change it (PermissionDenied); anyone else: NotFound."""
    try:
        destination = capacity_destinations(user).get(pk=destination_id)
    except (Destination.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound from exc
    if destination.organisation_id not in partner_organisations(user, Subject.CAPACITY, Verb.WRITE):
        raise PermissionDenied
    return destination


def capacity_table(user: User, week_start: dt.date) -> list[dict[str, Any]]:
    """Each destination the user reads with its capacity that week (zero where none is published yet)."""
    destinations = list(capacity_destinations(user))
    rows = {
        c.destination_id: c for c in WeeklyCapacity.objects.filter(destination__in=destinations, week_start=week_start)
    }
    own = partner_organisations(user, Subject.CAPACITY, Verb.WRITE)
    table = []
    for destination in destinations:
        row = rows.get(destination.id)
        table.append(
            {
                "destination": destination,
                "capacity": row,
                "people": row.people if row else 0,
                "need_cases": dict(row.need_cases) if row else {},
                "version": row.version if row else 0,
                "updated_at": row.updated_at if row else None,
                "editable": destination.organisation_id in own,
            }
        )
    return table


def capacity_of(destination: Destination, week_start: dt.date) -> WeeklyCapacity | None:
    return WeeklyCapacity.objects.filter(destination=destination, week_start=week_start).first()


def arriving(organisation_id: int, week_start: dt.date) -> list[Appointment]:
    """The cohort of a week: the organisation's households whose entry the published entry plan sets in
    that week (Monday to Sunday), with their appointment (the arrival date)."""
    published = current_published()
    if published is None:
        return []
    return list(
        published.appointments.filter(
            household__owner_id=organisation_id,
            date__gte=week_start,
            date__lte=week_start + dt.timedelta(days=6),
        )
        .select_related("household", "port")
        .prefetch_related("household__members__vulnerability_rows")
        .order_by("date", "household__registration_code")
    )


def _members(household: Household) -> list[Any]:
    return [p for p in household.members.all() if p.merged_into_id is None]


def needs_of(household: Household, on: dt.date) -> list[str]:
    """What the household needs at its destination, from its record: medical care (an urgent medical need,
    a chronic illness or a pregnancy), school places (a member aged 5 to 17), wheelchair access (a
    disability), and interpreting when no member speaks English (in the head's first language)."""
    needs = []
    members = _members(household)
    codes = {v.code for p in members for v in p.vulnerability_rows.all()}
    if codes & MEDICAL_VULNERABILITIES:
        needs.append(MEDICAL)
    if any(p.birth_year is not None and on.year - p.birth_year in SCHOOL_AGES for p in members):
        needs.append(SCHOOL)
    if Vulnerability.DISABILITY in codes:
        needs.append(WHEELCHAIR)
    if not speaks_english(household):
        head = next((p for p in members if p.relationship_to_head == "head"), members[0] if members else None)
        language = next(iter(head.languages), None) if head and head.languages else None
        language = language or household.preferred_language
        if language:
            needs.append(LANGUAGE_PREFIX + language)
    return needs


def working_age_adults(household: Household, on: dt.date) -> int:
    """Members aged 18 to 64 (a head or spouse of unknown age counts); at least one."""
    adults = 0
    for p in _members(household):
        if p.birth_year is None:
            adults += p.relationship_to_head in ("head", "spouse")
        elif 18 <= on.year - p.birth_year <= 64:
            adults += 1
    return max(1, adults)


def speaks_english(household: Household) -> bool:
    return any("en" in (p.languages or []) for p in _members(household))


def nationality_of(household: Household) -> str:
    """The head's nationality: the group the fairness report counts the household in."""
    members = _members(household)
    head = next((p for p in members if p.relationship_to_head == "head"), members[0] if members else None)
    return (head.nationality if head else "") or "XX"


def ties_of(household_ids: list[Any]) -> dict[str, FamilyTie]:
    return {str(t.household_id): t for t in FamilyTie.objects.filter(household_id__in=household_ids)}


def runs_for(user: User) -> list[AllocationRun]:
    orgs = allocating_organisations(user)
    if not orgs:
        raise NotFound
    return list(AllocationRun.objects.filter(organisation_id__in=orgs).select_related("organisation")[:30])


def run_for(user: User, run_id: int, verb: Verb = Verb.READ) -> AllocationRun:
    """A run of one of the user's allocating organisations; anyone else: NotFound."""
    try:
        return AllocationRun.objects.get(pk=run_id, organisation_id__in=allocating_organisations(user))
    except (AllocationRun.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound from exc


def run_assignments(run: AllocationRun) -> QuerySet[Assignment]:
    return (
        run.assignments.select_related(
            "household", "destination__organisation", "tie_destination", "next_best_destination"
        )
        .prefetch_related("household__members")
        .order_by("arrival_date", "household__registration_code")
    )


def received(user: User) -> QuerySet[Assignment]:
    """Cases published to the user's local partner(s), the most recent weeks first; NotFound for anyone
    who is no local partner's staff."""
    partners = partner_organisations(user, Subject.ALLOCATION, Verb.READ)
    if not partners:
        raise NotFound
    return (
        Assignment.objects.filter(run__status=RunStatus.PUBLISHED, destination__organisation_id__in=partners)
        .select_related("household", "destination__organisation", "run")
        .prefetch_related("household__members")
        .order_by("-run__week_start", "arrival_date", "household__registration_code")[:500]
    )


def destination_choices(run: AllocationRun) -> list[Destination]:
    ids = [int(d["id"]) for d in run.instance.get("destinations", [])]
    return list(Destination.objects.filter(id__in=ids).select_related("organisation"))


def can_write(user: User, run: AllocationRun) -> bool:
    return run.organisation_id in allocating_organisations(user, Verb.WRITE)


def can_override(user: User, run: AllocationRun) -> bool:
    return run.status == RunStatus.READY and run.organisation_id in allocating_organisations(user, Verb.OVERRIDE)
