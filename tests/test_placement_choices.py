"""Placement (issue 18), what the allocating organisation chooses: the outcome a run maximizes (each one
trained and validated the same way), a household's family tie set from its page, and the navigation link."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from refugio.accounts.services import create_api_token
from refugio.audit.models import AuditEvent
from refugio.people.demo import DEMO_PASSWORD, load_demo
from refugio.people.models import Household
from refugio.people.selectors import visible_households
from refugio.placement import scoring, selectors
from refugio.placement.models import AllocationRun, Destination, FamilyTie, Outcome

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("settings_no_otp")]


@pytest.fixture
def settings_no_otp(settings):
    settings.REFUGIO_REQUIRE_OTP = False


@pytest.fixture
def demo(db):
    load_demo(households_per_org=30)
    return {u.username: u for u in User.objects.all()}


def client_for(user):
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert c.post("/accounts/login/", {"username": user.username, "password": DEMO_PASSWORD}).status_code == 302
    return c


def api_for(user):
    return Client(HTTP_AUTHORIZATION=f"Bearer {create_api_token(user)}", HTTP_ACCEPT_LANGUAGE="en")


def _week():
    return AllocationRun.objects.get().week_start


@pytest.mark.parametrize("outcome", Outcome.values)
def test_a_run_maximizes_the_outcome_picked_on_the_form(demo, outcome):
    week = _week()
    page = client_for(demo["legal-admin"])
    answer = page.post("/placement/runs/", {"week": week.isoformat(), "outcome": outcome})
    assert answer.status_code == 302, answer.content
    run = AllocationRun.objects.filter(status="ready").get()
    assert run.outcome == outcome
    # The scores solved are the picked outcome's predictions, not another's.
    expected = scoring.predict(scoring.outcome_model(outcome), run.instance["cases"], run.instance["destinations"])
    assert {(c, d): s for c, d, s in run.instance["scores"]} == expected
    review = page.get(f"/placement/runs/{run.id}/").content.decode()
    assert str(Outcome(outcome).label) in review
    assert "Mean error, " + ("children enrolled" if outcome == Outcome.SCHOOL_90_DAYS else "members employed") in review
    model_page = page.get(f"/placement/model/?outcome={outcome}").content.decode()
    assert f"<h2>{Outcome(outcome).label}</h2>" in model_page
    assert "Share of the variation explained" in model_page


def test_the_pick_changes_the_scores(demo):
    week = _week()
    api = api_for(demo["legal-admin"])
    runs = {}
    for outcome in Outcome.values:
        body = {"week_start": week.isoformat(), "outcome": outcome}
        answer = api.post("/api/v1/placement/runs", body, content_type="application/json")
        assert answer.status_code == 201, answer.content
        assert answer.json()["outcome"] == outcome
        runs[outcome] = AllocationRun.objects.get(pk=answer.json()["id"])
    employed, school = (
        {(c, d): s for c, d, s in runs[o].instance["scores"]}
        for o in (Outcome.EMPLOYED_90_DAYS, Outcome.SCHOOL_90_DAYS)
    )
    assert employed.keys() == school.keys() and employed != school
    # A household without children expects no enrolment anywhere, whatever its employment score.
    sizes = {c["id"]: (int(c["size"]), int(c.get("adults", 1))) for c in runs[Outcome.SCHOOL_90_DAYS].instance["cases"]}
    for (case_id, _), score in school.items():
        if sizes[case_id][0] <= sizes[case_id][1]:
            assert score == 0.0
    bad = api.post(
        "/api/v1/placement/runs", {"week_start": week.isoformat(), "outcome": "income"}, content_type="application/json"
    )
    assert bad.status_code == 422
    spec = Client().get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert spec["AllocationRunIn"]["properties"]["outcome"]["enum"] == Outcome.values
    assert spec["AllocationRunOut"]["properties"]["outcome"]["enum"] == Outcome.values


def test_the_run_form_preselects_no_outcome(demo):
    week = _week()
    page = client_for(demo["legal-admin"])
    before = AllocationRun.objects.count()
    answer = page.post("/placement/runs/", {"week": week.isoformat()}, follow=True)
    assert "Choose the outcome the allocation maximizes." in answer.content.decode()
    assert AllocationRun.objects.count() == before


def _household(demo):
    week = _week()
    legal_id = AllocationRun.objects.get().organisation_id
    return next(a.household for a in selectors.arriving(legal_id, week))


def test_the_tie_page_sets_and_removes_a_tie_audited(demo):
    household = _household(demo)
    FamilyTie.objects.filter(household=household).delete()
    tucson = Destination.objects.get(city="Tucson, AZ")
    page = client_for(demo["legal-caseworker"])
    household_page = page.get(f"/cases/{household.id}/").content.decode()
    assert f"/placement/households/{household.id}/tie/" in household_page
    url = f"/placement/households/{household.id}/tie/"
    form = page.get(url)
    assert form.status_code == 200 and "Tucson, AZ" in form.content.decode()
    missing = page.post(url, {"destination": tucson.id, "relation": ""})
    assert missing.status_code == 200 and "Say who the relative is." in missing.content.decode()
    assert not FamilyTie.objects.filter(household=household).exists()
    saved = page.post(url, {"destination": tucson.id, "relation": "sibling"})
    assert saved.status_code == 302
    tie = FamilyTie.objects.get(household=household)
    assert (tie.destination, tie.relation) == (tucson, "sibling")
    event = AuditEvent.objects.filter(object_type="household", object_id=str(household.id)).last()
    assert event.fields == ["family_tie"] and event.actor_id == demo["legal-caseworker"].id
    shown = page.get(url).content.decode()
    assert "lives in Tucson, AZ" in shown
    assert AuditEvent.objects.filter(object_type="family_tie", object_id=str(household.id)).exists()
    assert page.post(url, {"destination": "", "relation": ""}).status_code == 302
    assert not FamilyTie.objects.filter(household=household).exists()


def test_the_tie_page_is_404_for_another_organisation(demo):
    # A household the shelter has not been granted (a grant would let its staff change it, and so the tie).
    shared = set(visible_households(demo["shelter-staff"], for_write=True).values_list("id", flat=True))
    week, legal_id = _week(), AllocationRun.objects.get().organisation_id
    household = next(a.household for a in selectors.arriving(legal_id, week) if a.household_id not in shared)
    url = f"/placement/households/{household.id}/tie/"
    tucson = Destination.objects.get(city="Tucson, AZ")
    for name in ("shelter-staff", "partner-staff"):
        other = client_for(demo[name])
        assert other.get(url).status_code == 404
        assert other.post(url, {"destination": tucson.id, "relation": "sibling"}).status_code == 404
        assert f"/placement/households/{household.id}/tie/" not in other.get(f"/cases/{household.id}/").content.decode()
    assert not FamilyTie.objects.filter(household=household, destination=tucson, relation="sibling").exists()
    assert client_for(demo["legal-caseworker"]).get(f"/placement/households/{Household().id}/tie/").status_code == 404


def test_navigation_links_placement_for_allocators_and_partners_only(demo):
    for name, shown in [
        ("legal-admin", True),
        ("legal-caseworker", True),
        ("partner-staff", True),
        ("attorney", False),
    ]:
        home = client_for(demo[name]).get("/", follow=True).content.decode()
        assert ('href="/placement/"' in home) is shown, name
