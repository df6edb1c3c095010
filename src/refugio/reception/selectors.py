"""Reads for reception: which shelters a user sees (own, or granted to their organisation; never an
agency's), their free beds, the placements a user sees and the arrivals board of a shelter."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q, QuerySet

from refugio.accounts.models import Organisation, OrganisationKind
from refugio.accounts.rules import Subject, Verb
from refugio.accounts.selectors import organisations_where
from refugio.core.errors import NotFound
from refugio.people.models import Household
from refugio.people.selectors import households_for_organisations
from refugio.planning.models import Appointment
from refugio.planning.services import current_published
from refugio.reception.beds import free_beds, overlaps
from refugio.reception.models import HOLDS_BEDS, BedCount, BedType, Placement, PlacementStatus, Shelter, ShelterGrant

User = AbstractBaseUser | AnonymousUser


def reception_orgs(user: User | None, subject: Subject, verb: Verb) -> set[int]:
    """The organisations where the user may `verb` a shelter or stay: the rule table's, never an agency's
    (a shelter's address is confidential: an agency is not told where people sleep)."""
    orgs = organisations_where(user, subject, verb)
    if not orgs:
        return orgs
    agencies = set(Organisation.objects.filter(id__in=orgs, kind=OrganisationKind.AGENCY).values_list("id", flat=True))
    return orgs - agencies


def shelters_for_organisations(org_ids: Iterable[int], *, granted: bool = True) -> QuerySet[Shelter]:
    org_ids = set(org_ids)
    if not org_ids:
        return Shelter.objects.none()
    rule = Q(organisation_id__in=org_ids)
    if granted:
        live = ShelterGrant.objects.filter(
            revoked_at__isnull=True, organisation_id__in=org_ids, organisation__kind__in=_NOT_AGENCY
        )
        rule |= Q(id__in=live.values("shelter_id"))
    return Shelter.objects.filter(rule)


_NOT_AGENCY = [k for k in OrganisationKind.values if k != OrganisationKind.AGENCY]


def visible_shelters(user: User | None, verb: Verb = Verb.READ) -> QuerySet[Shelter]:
    """READ: own and granted shelters. WRITE (capacity, details) and SHARE (grants): own shelters only."""
    if verb == Verb.READ:
        return shelters_for_organisations(reception_orgs(user, Subject.SHELTER, Verb.READ)).select_related(
            "organisation"
        )
    return shelters_for_organisations(reception_orgs(user, Subject.SHELTER, verb), granted=False).select_related(
        "organisation"
    )


def placeable_shelters(user: User | None) -> QuerySet[Shelter]:
    """The shelters this user may place households into: own or granted, in an organisation where they may
    create stays."""
    return shelters_for_organisations(reception_orgs(user, Subject.SHELTER_STAY, Verb.CREATE)).select_related(
        "organisation"
    )


def get_shelter(user: User | None, shelter_id: object, verb: Verb = Verb.READ) -> Shelter:
    try:
        return visible_shelters(user, verb).get(pk=int(str(shelter_id)))
    except (Shelter.DoesNotExist, ValueError) as exc:
        raise NotFound from exc


def get_placeable_shelter(user: User | None, shelter_id: object) -> Shelter:
    try:
        return placeable_shelters(user).get(pk=int(str(shelter_id)))
    except (Shelter.DoesNotExist, ValueError) as exc:
        raise NotFound from exc


def households_for_stays(user: User | None, verb: Verb) -> QuerySet[Household]:
    return households_for_organisations(reception_orgs(user, Subject.SHELTER_STAY, verb))


def get_household_to_place(user: User | None, household_id: object, verb: Verb = Verb.CREATE) -> Household:
    """A household the user may place (create a stay for); 404 otherwise, whether it exists or not."""
    try:
        return households_for_stays(user, verb).get(pk=uuid.UUID(str(household_id)))
    except (Household.DoesNotExist, ValueError) as exc:
        raise NotFound from exc


def visible_placements(user: User | None, verb: Verb = Verb.READ) -> QuerySet[Placement]:
    """Stays of households the user sees, and every stay in a shelter of their own organisation (its staff
    receive whoever is placed there)."""
    orgs = reception_orgs(user, Subject.SHELTER_STAY, verb)
    if not orgs:
        return Placement.objects.none()
    return Placement.objects.filter(
        Q(household__in=households_for_organisations(orgs)) | Q(shelter__organisation_id__in=orgs)
    ).select_related("shelter", "household")


def get_placement(user: User | None, placement_id: object, verb: Verb = Verb.WRITE) -> Placement:
    try:
        return visible_placements(user, verb).get(pk=int(str(placement_id)))
    except (Placement.DoesNotExist, ValueError) as exc:
        raise NotFound from exc


def stays_holding_beds(
    shelter_id: int, bed_type: str, first: dt.date, end: dt.date
) -> list[tuple[dt.date, dt.date, int]]:
    """(first night, end, beds) of the stays holding beds of this type in the range, for free_beds."""
    rows = Placement.objects.filter(
        shelter_id=shelter_id,
        bed_type=bed_type,
        status__in=HOLDS_BEDS,
        starts_on__lt=max(end, first + dt.timedelta(days=1)),
        ends_on__gt=first,
    ).values_list("starts_on", "ends_on", "beds")
    return [(s, e, b) for s, e, b in rows if overlaps(s, e, first, end)]


@dataclass(frozen=True)
class Beds:
    bed_type: str
    label: str
    capacity: int
    free: int


def capacity(shelter: Shelter, first: dt.date, end: dt.date | None = None) -> list[Beds]:
    """Capacity and free beds by type for the nights from `first` up to `end` (one night by default)."""
    end = end if end and end > first else first + dt.timedelta(days=1)
    counts = {row.bed_type: row.beds for row in BedCount.objects.filter(shelter=shelter)}
    stays = Placement.objects.filter(
        shelter=shelter, status__in=HOLDS_BEDS, starts_on__lt=end, ends_on__gt=first
    ).values_list("bed_type", "starts_on", "ends_on", "beds")
    by_type: dict[str, list[tuple[dt.date, dt.date, int]]] = {}
    for bed_type, s, e, b in stays:
        by_type.setdefault(bed_type, []).append((s, e, b))
    return [
        Beds(code, str(label), counts.get(code, 0), free_beds(counts.get(code, 0), by_type.get(code, []), first, end))
        for code, label in BedType.choices
        if counts.get(code, 0) or by_type.get(code)
    ]


def bed_counts(shelter: Shelter) -> dict[str, int]:
    counts = {row.bed_type: row.beds for row in BedCount.objects.filter(shelter=shelter)}
    return {code: counts.get(code, 0) for code in BedType.values}


def live_grants(shelter: Shelter) -> list[ShelterGrant]:
    return list(shelter.grants.filter(revoked_at__isnull=True).select_related("organisation"))


def grantable_organisations(shelter: Shelter) -> list[Organisation]:
    """Organisations a shelter may be granted to: not its own, not already granted, never an agency."""
    granted = shelter.grants.filter(revoked_at__isnull=True).values("organisation_id")
    return list(
        Organisation.objects.exclude(kind=OrganisationKind.AGENCY)
        .exclude(id=shelter.organisation_id)
        .exclude(id__in=granted)
    )


# ---------------------------------------------------------------- the arrivals board


def board_stays(user: User | None, shelter: Shelter, day: dt.date) -> dict[str, list[Placement]]:
    """The shelter's stays for the board of a day: who arrives that day, and who is in the house (arrived,
    not yet left)."""
    stays = visible_placements(user).filter(shelter=shelter).prefetch_related("household__members__vulnerability_rows")
    arriving = list(stays.filter(starts_on=day, status__in=HOLDS_BEDS))
    in_house = list(
        stays.filter(status=PlacementStatus.ARRIVED, starts_on__lte=day).exclude(id__in=[p.id for p in arriving])
    )
    return {"arriving": arriving, "in_house": in_house}


def unplaced_arrivals(user: User | None, shelter: Shelter, day: dt.date) -> list[Appointment]:
    """The day's arrivals in the published entry plan, of households the shelter's organisation holds or
    was shared and the user may place, that hold no bed anywhere for that night."""
    plan = current_published()
    if plan is None:
        return []
    households = households_for_organisations([shelter.organisation_id]).filter(
        id__in=households_for_stays(user, Verb.CREATE).values("id")
    )
    placed = Placement.objects.filter(status__in=HOLDS_BEDS, starts_on__lte=day, ends_on__gt=day).values("household_id")
    return list(
        Appointment.objects.filter(plan=plan, date=day, household__in=households)
        .exclude(household_id__in=placed)
        .select_related("port", "household")
        .prefetch_related("household__members__vulnerability_rows")
        .order_by("port__code", "id")
    )


def appointment_of(household_id: uuid.UUID | str) -> Appointment | None:
    """The household's appointment in the published plan, if any."""
    plan = current_published()
    if plan is None:
        return None
    return Appointment.objects.filter(plan=plan, household_id=household_id).select_related("port").first()


def household_stays(household_id: uuid.UUID | str) -> QuerySet[Placement]:
    """A household's stays that still hold beds, soonest first (whoever may see them is the surface's call)."""
    return Placement.objects.filter(household_id=household_id, status__in=HOLDS_BEDS).select_related("shelter")
