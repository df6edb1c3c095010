"""The case management demo: plans with past check-ins, outreach for the missed ones, hearing outcomes; real
numbers on the report; a second run adds nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from refugio.accounts.models import Organisation
from refugio.casemanagement.demo import load_casemanagement_demo
from refugio.casemanagement.models import CasePlan, CheckIn, HearingAttendance, Outreach
from refugio.casemanagement.selectors import appearance_and_check_in_rates
from refugio.people.demo import load_demo


@pytest.mark.django_db
def test_demo_gives_the_report_real_numbers_and_is_idempotent() -> None:
    load_demo(households_per_org=12)
    legal = Organisation.objects.get(name="Demo Legal Aid")
    plans = CasePlan.objects.filter(organisation=legal)
    assert plans.count() >= 10
    assert not CheckIn.objects.filter(
        plan__in=plans, status="scheduled", due_on__lt=timezone.localdate() - dt.timedelta(days=1)
    ).exists()
    assert Outreach.objects.filter(plan__in=plans).exists()
    assert HearingAttendance.objects.filter(hearing__household__owner=legal).exists()
    today = timezone.localdate()
    numbers = appearance_and_check_in_rates([legal.id], today - dt.timedelta(weeks=12), today)[legal.id]
    assert numbers.check_in_rate.shown and numbers.check_in_rate.rate > 0.8
    counts = (
        CasePlan.objects.count(),
        CheckIn.objects.count(),
        Outreach.objects.count(),
        HearingAttendance.objects.count(),
    )
    orgs = {o.name: o for o in Organisation.objects.all()}
    users = {u.username: u for u in User.objects.all()}
    load_casemanagement_demo(orgs, users)
    assert (
        CasePlan.objects.count(),
        CheckIn.objects.count(),
        Outreach.objects.count(),
        HearingAttendance.objects.count(),
    ) == counts
