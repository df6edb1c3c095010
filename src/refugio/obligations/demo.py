"""Obligations calendar: demo data for `refugio demo`. Agency appointments (ICE check-ins, biometrics, a USCIS
interview) and asylum filings for some of Demo Legal Aid's households, then the obligations of every demo
household computed from all the facts the other apps' demos recorded. Idempotent: a household that already
has an appointment or a filing gets none again; the refresh replaces rows by key."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.utils import timezone

from refugio.audit.services import Actor
from refugio.obligations.models import AgencyAppointment, AsylumFiling
from refugio.obligations.services import record_agency_appointment, record_asylum_filing, refresh_all
from refugio.people.models import Person

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from refugio.accounts.models import Organisation

APPOINTMENTS = ("ice_check_in", "biometrics", "uscis_interview")


def load_obligations_demo(orgs: dict[str, Organisation], users: dict[str, User]) -> None:
    legal = orgs.get("Demo Legal Aid")
    user = users.get("legal-caseworker")
    if legal is not None and user is not None:
        actor = Actor(user, "cli")
        today = timezone.localdate()
        heads = (
            Person.objects.filter(
                household__owner=legal, household__merged_into__isnull=True, relationship_to_head="head"
            )
            .select_related("household")
            .order_by("created_at")[:12]
        )
        for n, head in enumerate(heads):
            household = head.household
            if n % 2 == 0 and not AgencyAppointment.objects.filter(household=household).exists():
                record_agency_appointment(
                    actor,
                    household=household,
                    data={
                        "person_id": head.id,
                        "kind": APPOINTMENTS[n % 3],
                        "date": today + dt.timedelta(days=3 + 4 * n),
                        "time": dt.time(9, 0),
                        "place": "Demo field office, 880 Front St",
                    },
                )
            if n % 3 == 0 and not AsylumFiling.objects.filter(household=household).exists():
                record_asylum_filing(
                    actor,
                    household=household,
                    data={
                        "person_id": head.id,
                        "filed_on": today - dt.timedelta(days=40 + 30 * n),
                        "receipt_number": f"ZLA26{n:08d}",
                    },
                )
    refresh_all()
