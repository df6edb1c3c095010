"""Reception: shelters, beds and placements: demo data for `refugio demo`.

Two shelters of Demo Shelter in Tijuana (one with every bed type and granted to Demo Legal Aid, one nearly
full) and one of Demo Legal Aid; placements for households arriving in the published demo plan."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.utils import timezone

from refugio.audit.services import Actor
from refugio.core.errors import Conflict, NotFound, ValidationFailed
from refugio.people.models import Household
from refugio.people.selectors import households_for_organisations
from refugio.planning.models import Appointment
from refugio.planning.services import current_published
from refugio.reception import services
from refugio.reception.models import BedType, Shelter, ShelterGrant
from refugio.reception.selectors import Beds, capacity
from refugio.reception.surfaces import needed_bed_type_of

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from refugio.accounts.models import Organisation

SHELTERS = [
    # (organisation, name, city, address, phone, licensed for minors, beds by type)
    (
        "Demo Shelter",
        "Casa Esperanza (demo)",
        "Tijuana",
        "Calle Ficticia 101, Zona Centro, Tijuana (demo)",
        "+52 664 000 0101",
        True,
        {"family": 6, "women_only": 4, "accessible": 2, "minor_safe": 3, "general": 10},
    ),
    (
        "Demo Shelter",
        "Albergue Frontera (demo)",
        "Tijuana",
        "Avenida Inventada 22, Colonia Playas, Tijuana (demo)",
        "+52 664 000 0202",
        False,
        {"family": 1, "general": 5},
    ),
    (
        "Demo Legal Aid",
        "Casa Puente (demo)",
        "Ciudad Juárez",
        "Calle Ejemplo 7, Ciudad Juárez (demo)",
        "",
        False,
        {"family": 3, "women_only": 2, "general": 6},
    ),
]


def load_reception_demo(orgs: dict[str, Organisation], users: dict[str, User]) -> None:
    """Shelters, a grant and placements; running it twice adds nothing."""
    if Shelter.objects.filter(name=SHELTERS[0][1]).exists():
        return
    admins = {"Demo Shelter": users["shelter-staff"], "Demo Legal Aid": users["legal-admin"]}
    made: list[Shelter] = []
    for org_name, name, city, address, phone, minors, beds in SHELTERS:
        made.append(
            services.create_shelter(
                Actor(admins[org_name], "cli"),
                organisation_id=orgs[org_name].id,
                data={"name": name, "city": city, "address": address, "phone": phone, "licensed_for_minors": minors},
                beds=beds,
            )
        )
    esperanza, frontera, _puente = made
    # Granting is an administrator's and Demo Shelter has none among the demo users: the demo writes the grant.
    ShelterGrant.objects.get_or_create(shelter=esperanza, organisation=orgs["Demo Legal Aid"], revoked_at=None)
    staff = Actor(users["shelter-staff"], "cli")
    _place_arrivals(staff, esperanza, orgs["Demo Shelter"])
    _fill_nearly(staff, frontera, orgs["Demo Shelter"])


def _place_arrivals(actor: Actor, shelter: Shelter, org: Organisation) -> None:
    """Beds at Casa Esperanza for the first arrivals of the published plan the shelter's organisation holds
    or was shared; the rest stay on the board as arrivals without a bed."""
    plan = current_published()
    if plan is None:
        return
    households = households_for_organisations([org.id])
    appointments = Appointment.objects.filter(plan=plan, household__in=households).order_by("date", "id")
    for appointment in list(appointments)[:4]:
        _try_place(actor, appointment.household, shelter, appointment.date, days=10)


def _fill_nearly(actor: Actor, shelter: Shelter, org: Organisation) -> None:
    """Albergue Frontera tonight: general beds given until at most one is left."""
    today = timezone.localdate()
    for household in Household.objects.filter(owner=org).order_by("created_at")[:6]:
        free = next((b.free for b in _capacity(shelter, today) if b.bed_type == BedType.GENERAL), 0)
        if free <= 1:
            break
        _try_place(actor, household, shelter, today, days=14, bed_type=BedType.GENERAL, beds=min(free - 1, 2))


def _capacity(shelter: Shelter, day: dt.date) -> list[Beds]:
    return capacity(shelter, day)


def _try_place(
    actor: Actor,
    household: Household,
    shelter: Shelter,
    day: dt.date,
    *,
    days: int,
    bed_type: str | None = None,
    beds: int | None = None,
) -> None:
    wanted = bed_type or needed_bed_type_of(household)
    if wanted == BedType.MINOR_SAFE and not shelter.licensed_for_minors:
        wanted = BedType.GENERAL
    try:
        services.place(
            actor,
            household=household,
            shelter_id=shelter.id,
            bed_type=wanted,
            starts_on=day,
            ends_on=day + dt.timedelta(days=days),
            beds=beds,
        )
    except (Conflict, ValidationFailed, NotFound):
        return
