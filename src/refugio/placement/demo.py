"""The placement part of the demo: local partners with destinations and weekly capacity, one household's
family tie, and the coming week's cohort of Demo Legal Aid allocated, reviewed (one override) and published.

Safe to run again: nothing is created twice.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.utils import timezone

from refugio.accounts.models import Organisation
from refugio.audit.services import Actor
from refugio.core.errors import ValidationFailed
from refugio.placement import selectors, services
from refugio.placement.models import AllocationRun, Destination, WeeklyCapacity

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# Synthetic labour-market figures: unemployment, open cases per caseworker, share of job openings per sector.
DESTINATIONS = [
    ("Demo Local Partner", "Phoenix, AZ", 0.041, 28.0, {"services": 0.3, "construction": 0.25, "care": 0.2}),
    ("Demo Local Partner", "Tucson, AZ", 0.052, 18.0, {"services": 0.25, "agriculture": 0.2, "care": 0.25}),
    ("Demo Partner Denver", "Denver, CO", 0.035, 40.0, {"services": 0.35, "professional": 0.2, "care": 0.15}),
]
WEEKS = 10
NEEDS = {
    "medical": 20,
    "school": 30,
    "wheelchair": 10,
    "language:es": 60,
    "language:ht": 15,
    "language:fr": 10,
    "language:pt": 10,
    "language:quc": 6,
    "language:mam": 6,
    "language:ru": 4,
    "language:uk": 4,
    "language:ar": 4,
    "language:tr": 4,
    "language:kjb": 4,
    "language:cak": 4,
    "language:nah": 4,
    "language:mix": 4,
    "language:zap": 4,
    "language:tzo": 4,
}


def load_placement(orgs: dict[str, Organisation], users: dict[str, User]) -> None:
    if Destination.objects.exists():
        return
    destinations = [
        Destination.objects.create(
            organisation=orgs[org], city=city, unemployment_rate=rate, partner_caseload=caseload, sector_demand=demand
        )
        for org, city, rate, caseload, demand in DESTINATIONS
    ]
    first = selectors.week_of(timezone.localdate())
    WeeklyCapacity.objects.bulk_create(
        WeeklyCapacity(
            destination=destination,
            week_start=first + dt.timedelta(weeks=w),
            people=90 - 10 * n,
            need_cases={need: max(1, cases - 3 * n) for need, cases in NEEDS.items()},
        )
        for w in range(WEEKS)
        for n, destination in enumerate(destinations)
    )
    # The partner's own staff publish next week's capacity in Phoenix themselves (an audited change).
    partner = Actor(user=users["partner-staff"], channel="cli")
    next_week = first + dt.timedelta(weeks=1)
    services.set_capacity(
        partner,
        destination_id=destinations[0].id,
        week_start=next_week,
        people=100,
        need_cases={**NEEDS, "medical": 25},
    )
    legal = orgs["Demo Legal Aid"]
    admin = Actor(user=users["legal-admin"], channel="cli")
    for week in (next_week, next_week + dt.timedelta(weeks=1), first):
        cohort = selectors.arriving(legal.id, week)
        if cohort:
            break
    else:
        return
    services.set_family_tie(
        Actor(user=users["legal-caseworker"], channel="cli"),
        household_id=cohort[0].household_id,
        destination_id=destinations[2].id,
        relation="sibling",
    )
    try:
        run = services.run_allocation(admin, organisation_id=legal.id, week_start=week)
    except ValidationFailed:
        return
    # The meeting moves one household (not the tied one) and publishes.
    movable = run.assignments.exclude(household_id=cohort[0].household_id).first()
    if movable is not None:
        other = next((d for d in destinations if d.id != movable.destination_id), None)
        if other is not None:
            try:
                services.override_assignment(
                    admin,
                    assignment_id=movable.id,
                    destination_id=other.id,
                    reason="Demo: the family asked to stay near the clinic that treats the child.",
                )
            except ValidationFailed:
                pass
    services.publish_allocation(admin, run_id=AllocationRun.objects.get(pk=run.pk).pk)
