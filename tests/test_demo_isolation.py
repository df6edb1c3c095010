"""Done-when of the foundation: a person of Demo Shelter cannot read, by API or page, any household of
Demo Legal Aid that was not shared with it."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client, override_settings

from refugio.accounts.services import create_api_token
from refugio.people.demo import DEMO_PASSWORD, load_demo
from refugio.people.models import Household, SharingGrant


@pytest.mark.django_db
@override_settings(REFUGIO_REQUIRE_OTP=False)  # the demo signs in without a second factor
def test_demo_shelter_sees_only_what_legal_aid_shared() -> None:
    counts = load_demo(households_per_org=15)
    assert counts["Demo Legal Aid"] == 15 and counts == load_demo(households_per_org=15)  # idempotent
    shared_ids = set(SharingGrant.objects.values_list("household_id", flat=True))
    legal = Household.objects.filter(owner__name="Demo Legal Aid")
    unshared = legal.exclude(id__in=shared_ids)
    assert len(shared_ids) == 10 and unshared.count() == 5

    staff = User.objects.get(username="shelter-staff")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {create_api_token(staff)}")
    page = Client()
    assert page.post("/accounts/login/", {"username": "shelter-staff", "password": DEMO_PASSWORD}).status_code == 302

    listed = {h["id"] for h in api.get("/api/v1/households", {"page_size": 200}).json()["items"]}
    assert {str(i) for i in shared_ids} <= listed
    assert not listed & {str(h.id) for h in unshared}
    for household in unshared:
        person = household.members.first()
        assert api.get(f"/api/v1/households/{household.id}").status_code == 404
        assert api.get(f"/api/v1/persons/{person.id}").status_code == 404
        assert page.get(f"/cases/{household.id}/").status_code == 404
        results = page.get("/cases/", {"q": household.registration_code}).content.decode()
        assert household.display_code not in results and str(household.id) not in results
    for household_id in shared_ids:
        assert api.get(f"/api/v1/households/{household_id}").status_code == 200
        assert page.get(f"/cases/{household_id}/").status_code == 200

    liaison = User.objects.get(username="agency-liaison")
    liaison_api = Client(HTTP_AUTHORIZATION=f"Bearer {create_api_token(liaison)}")
    assert liaison_api.get("/api/v1/households").json()["count"] == 0
