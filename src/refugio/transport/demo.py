"""Transport: demo data for `refugio demo`. A few buses from the San Ysidro port to the shelter in Tijuana, a bus
from the shelter to Los Angeles and a flight to Denver, run by the Demo Shelter; tickets for some households
the shelter may book for; two destination addresses (synthetic).

Safe to run again: nothing is created twice (the trips carry a DEMO booking reference)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.utils import timezone

from refugio.accounts.rules import Verb
from refugio.audit.services import Actor
from refugio.core.errors import Conflict, NotFound, ValidationFailed
from refugio.transport import selectors, services
from refugio.transport.models import Trip

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from refugio.accounts.models import Organisation

PREFIX = "DEMO-TR-"
# (days from today, hour, mode, from, to, hours on the way, seats, carrier)
TRIPS = [
    (1, 8, "bus", "San Ysidro port of entry", "Tijuana (shelter)", 1, 20, "Shelter minibus"),
    (2, 8, "bus", "San Ysidro port of entry", "Tijuana (shelter)", 1, 20, "Shelter minibus"),
    (3, 8, "bus", "San Ysidro port of entry", "Tijuana (shelter)", 1, 20, "Shelter minibus"),
    (5, 7, "bus", "Tijuana (shelter)", "Los Angeles, Union Station", 5, 40, "Demo Coach Lines"),
    (6, 10, "flight", "San Diego airport", "Denver airport", 3, 6, "Demo Air"),
]
# Synthetic sponsors: (sponsor, street address, city, state, days from today).
RELOCATIONS = [
    ("Familia Demo Ramírez", "1200 Example Avenue, Apt 3", "Los Angeles", "CA", 5),
    ("Demo Sponsor Network", "45 Sample Street", "Denver", "CO", 6),
]


def load_transport_demo(orgs: dict[str, Organisation], users: dict[str, User]) -> None:
    if Trip.objects.filter(booking_reference__startswith=PREFIX).exists():
        return
    shelter, staff = orgs.get("Demo Shelter"), users.get("shelter-staff")
    if shelter is None or staff is None:
        return
    actor = Actor(staff, "system")
    today = timezone.localdate()
    trips = []
    for n, (days, hour, mode, origin, destination, hours, seats, carrier) in enumerate(TRIPS, start=1):
        departs = timezone.make_aware(dt.datetime.combine(today + dt.timedelta(days=days), dt.time(hour)))
        trips.append(
            services.create_trip(
                actor,
                organisation_id=shelter.id,
                data={
                    "mode": mode,
                    "from_place": origin,
                    "to_place": destination,
                    "departs_at": departs,
                    "arrives_at": departs + dt.timedelta(hours=hours),
                    "seats": seats,
                    "carrier": carrier,
                    "booking_reference": f"{PREFIX}{n:02d}",
                },
            )
        )
    households = list(selectors.transport_households(staff, Verb.WRITE).order_by("source_ref", "id")[:6])
    # Port -> shelter for everyone, shelter -> Los Angeles for the first, the flight to Denver for the second.
    plan = [(household, trips[i % 3]) for i, household in enumerate(households)]
    if households:
        plan.append((households[0], trips[3]))
    if len(households) > 1:
        plan.append((households[1], trips[4]))
    for household, trip in plan:
        try:
            services.book_ticket(
                actor, trip_id=trip.id, household_id=household.id, seats=max(household.members.count(), 1)
            )
        except (Conflict, NotFound, ValidationFailed):
            continue
    for household, (sponsor, address, city, state, days) in zip(households, RELOCATIONS, strict=False):
        services.record_relocation(
            actor,
            household_id=household.id,
            data={
                "sponsor_name": sponsor,
                "address": address,
                "city": city,
                "state": state,
                "moved_on": today + dt.timedelta(days=days),
            },
        )
