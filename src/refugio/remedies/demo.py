"""Remedies for removal orders: demo data for `refugio demo`.

Four Demo Legal Aid households with an MPP case each (active, terminated, and two with in-absentia orders:
they show as phases 1, 2 and 3 on the triage queue), two in-absentia removal orders (exceptional
circumstances 100 days ago, so 80 days are left; lack of notice, with no deadline) and a drafted motion to
reopen the first; and a Demo Shelter household with a terminated MPP case. Synthetic data only; loading it
twice adds nothing."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.utils import timezone

from refugio.audit.services import Actor

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from refugio.accounts.models import Organisation


def load_remedies_demo(orgs: dict[str, Organisation], users: dict[str, User]) -> None:
    from refugio.people.models import Household
    from refugio.remedies import services
    from refugio.remedies.models import MPPCase, MPPStatus, ReopeningReason

    legal = orgs["Demo Legal Aid"]
    if MPPCase.objects.filter(household__owner=legal).exists():
        return
    households = [
        h
        for h in Household.objects.filter(owner=legal, merged_into__isnull=True).order_by("source_ref", "created_at")[
            :12
        ]
        if h.members.filter(merged_into__isnull=True).exists()
    ][:4]
    if len(households) < 4:
        return
    actor = Actor(users["legal-caseworker"], "demo")
    today = timezone.localdate()
    statuses = (
        (MPPStatus.ACTIVE, 0, "Next tent-court hearing pending; returned to Tijuana."),
        (MPPStatus.TERMINATED, 200, "Case dismissed by the immigration judge at the tent court."),
        (MPPStatus.IN_ABSENTIA_ORDER, 100, "Missed the hearing: held by kidnappers in Reynosa (synthetic)."),
        (MPPStatus.IN_ABSENTIA_ORDER, 400, "Hearing notice sent to a shelter address never given (synthetic)."),
    )
    heads = []
    for household, (status, days_ago, details) in zip(households, statuses, strict=True):
        head = household.members.filter(merged_into__isnull=True).order_by("created_at").first()
        assert head is not None  # noqa: S101
        heads.append(head)
        services.record_mpp_case(
            actor,
            household=household,
            data={
                "person_id": head.id,
                "status": status,
                "court": "SDI",
                "enrolled_on": today - dt.timedelta(days=days_ago + 300),
                "status_date": today - dt.timedelta(days=days_ago) if days_ago else None,
                "details": details,
            },
        )
    exceptional = services.record_removal_order(
        actor,
        household=households[2],
        data={
            "person_id": heads[2].id,
            "order_date": today - dt.timedelta(days=100),
            "court": "SDI",
            "in_absentia": True,
            "reason": ReopeningReason.EXCEPTIONAL_CIRCUMSTANCES,
        },
    )
    services.record_removal_order(
        actor,
        household=households[3],
        data={
            "person_id": heads[3].id,
            "order_date": today - dt.timedelta(days=400),
            "court": "SDI",
            "in_absentia": True,
            "reason": ReopeningReason.LACK_OF_NOTICE,
        },
    )
    services.draft_motion(actor, order=exceptional)
    # A shelter's own case in MPP too (recorded by the demo loader: shelter staff read remedies, never write).
    shelter = orgs.get("Demo Shelter")
    sheltered = (
        Household.objects.filter(owner=shelter, merged_into__isnull=True).order_by("source_ref", "created_at").first()
        if shelter
        else None
    )
    head = sheltered.members.filter(merged_into__isnull=True).order_by("created_at").first() if sheltered else None
    if sheltered is not None and head is not None:
        services.record_mpp_case(
            Actor(None, "demo"), household=sheltered, data={"person_id": head.id, "status": MPPStatus.TERMINATED}
        )
