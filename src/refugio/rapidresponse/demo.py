"""Rapid response: demo data for `refugio demo`: an on-call rota for Demo Legal Aid and one open detention
alert on a household the demo attorney represents (an accepted representation).

To see the alert reach the attorney: the alert's notice is a task booked when the demo is loaded; the demo's
task worker sends it (the e-mail is printed by the console e-mail backend in the worker's output) and records
the time. Sign in as `attorney`: the home page lists the open alert; its page ("Who was told") shows
"e-mailed" with the second it went, normally well within a minute of the worker starting."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.utils import timezone

from refugio.audit.services import Actor

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from refugio.accounts.models import Organisation


def load_rapidresponse_demo(orgs: dict[str, Organisation], users: dict[str, User]) -> None:
    from refugio.legal.models import Representation, RepresentationStatus, Representative
    from refugio.legal.services import offer_representation, respond_to_offer
    from refugio.people.models import Household
    from refugio.rapidresponse.models import AlertKind, DetentionAlert, OnCall
    from refugio.rapidresponse.services import draft_stay_request, raise_alert, update_checklist

    legal = orgs["Demo Legal Aid"]
    now = timezone.now()
    if not OnCall.objects.filter(organisation=legal).exists():
        start = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(0, 0)))
        for user, offset, days in ((users["legal-caseworker"], 0, 7), (users["legal-admin"], 7, 7)):
            OnCall.objects.create(
                organisation=legal,
                user=user,
                phone="+1 619 555 0100",
                email=user.email or f"{user.get_username()}@example.org",
                starts_at=start + dt.timedelta(days=offset),
                ends_at=start + dt.timedelta(days=offset + days),
                created_by=users["legal-admin"],
            )
    if DetentionAlert.objects.filter(household__owner=legal).exists():
        return
    attorney = Representative.objects.filter(user=users["attorney"]).first()
    if attorney is None:
        return
    represented = Representation.objects.filter(representative=attorney, status=RepresentationStatus.ACCEPTED)
    household = Household.objects.filter(id__in=represented.values("household_id"), owner=legal).first()
    if household is None:
        household = (
            Household.objects.filter(owner=legal, merged_into__isnull=True)
            .exclude(representations__representative=attorney)
            .order_by("source_ref")
            .first()
        )
        if household is None:
            return
        offer = offer_representation(
            Actor(users["legal-admin"], "cli"), household=household, representative_id=attorney.id
        )
        respond_to_offer(Actor(users["attorney"], "cli"), offer=offer, accept=True, g28_filed_on=now.date())
    alert = raise_alert(
        Actor(users["legal-caseworker"], "cli"),
        household=household,
        kind=AlertKind.DETENTION,
        facility="Otay Mesa Detention Center (synthetic)",
        city="San Diego",
        details="Synthetic demo: a relative called; he was detained at his check-in this morning.",
    )
    update_checklist(
        Actor(users["attorney"], "cli"), alert=alert, step="locate", done=True, note="Found in the detainee locator."
    )
    draft_stay_request(
        Actor(users["attorney"], "cli"),
        alert=alert,
        grounds="Synthetic demo: a motion to reopen is pending; removal would cause irreparable harm.",
    )
