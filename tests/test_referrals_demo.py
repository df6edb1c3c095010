"""The referrals demo: a service of each kind at three organisations, a referral in each state, and a second
load adds nothing."""

from __future__ import annotations

import pytest

from refugio.people.demo import load_demo
from refugio.referrals.models import Referral, Service, ServiceCategory


@pytest.mark.django_db
def test_the_demo_has_every_state_and_loads_once() -> None:
    load_demo(households_per_org=4)
    services, referrals = Service.objects.count(), Referral.objects.count()
    for org in ("Demo Shelter", "Demo Local Partner", "Demo Partner Denver"):
        kinds = set(Service.objects.filter(organisation__name=org).values_list("category", flat=True))
        assert kinds == set(ServiceCategory.values), org
    assert set(Referral.objects.values_list("status", flat=True)) == {
        "sent",
        "accepted",
        "declined",
        "completed",
        "withdrawn",
    }
    load_demo(households_per_org=4)
    assert (Service.objects.count(), Referral.objects.count()) == (services, referrals)
