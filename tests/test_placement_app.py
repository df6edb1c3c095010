"""Placement in the app (issue 18): capacity kept by a local partner's own staff, the weekly allocation run
(capacity, needs, ties respected), overrides audited and re-solved, publishing to the partners, infeasible
weeks explained, and the API contract."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.test import Client

from refugio.accounts.services import create_api_token
from refugio.audit.models import AuditEvent
from refugio.audit.services import Actor
from refugio.core.errors import NotFound, PermissionDenied
from refugio.people.demo import DEMO_PASSWORD, load_demo
from refugio.placement import scoring, selectors, services
from refugio.placement.models import AllocationRun, Assignment, Destination, FamilyTie, RunStatus, WeeklyCapacity

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("settings_no_otp")]


@pytest.fixture
def settings_no_otp(settings):
    settings.REFUGIO_REQUIRE_OTP = False


@pytest.fixture
def demo(db):
    load_demo(households_per_org=30)
    return {u.username: u for u in User.objects.all()}


def actor(user):
    return Actor(user=user, channel="web")


def client_for(user):
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert c.post("/accounts/login/", {"username": user.username, "password": DEMO_PASSWORD}).status_code == 302
    return c


def api_for(user):
    return Client(HTTP_AUTHORIZATION=f"Bearer {create_api_token(user)}", HTTP_ACCEPT_LANGUAGE="en")


def test_demo_has_a_published_reviewed_allocation(demo):
    run = AllocationRun.objects.get()
    assert run.status == RunStatus.PUBLISHED
    assert run.assignments.exclude(overridden_at=None).count() == 1
    assert run.bound >= run.objective > 0


def _week(demo):
    return AllocationRun.objects.get().week_start


def _phoenix():
    return Destination.objects.get(city="Phoenix, AZ")


def test_capacity_is_changed_by_the_partners_own_staff_only(demo):
    phoenix, denver = _phoenix(), Destination.objects.get(city="Denver, CO")
    week = _week(demo) + dt.timedelta(weeks=2)
    body = {"week_start": week.isoformat(), "people": 33, "need_cases": {"medical": 4, "language:ht": 2}}
    url = f"/api/v1/placement/destinations/{phoenix.id}/capacity"
    answer = api_for(demo["partner-staff"]).put(url, body, content_type="application/json")
    assert answer.status_code == 200, answer.content
    assert answer.json()["people"] == 33 and answer.json()["need_cases"] == {"language:ht": 2, "medical": 4}
    event = AuditEvent.objects.filter(object_type="capacity", object_id=f"{phoenix.id}:{week.isoformat()}").last()
    assert event is not None and event.actor_id == demo["partner-staff"].id and "need:medical" in event.fields
    # The allocating organisation reads it live, but may not change it; others do not see it at all.
    read = api_for(demo["legal-admin"]).get(f"{url}?week={week.isoformat()}")
    assert read.status_code == 200 and read.json()["people"] == 33
    assert api_for(demo["legal-admin"]).put(url, body, content_type="application/json").status_code == 403
    assert api_for(demo["shelter-staff"]).put(url, body, content_type="application/json").status_code == 404
    assert api_for(demo["shelter-staff"]).get(url).status_code == 404
    other = f"/api/v1/placement/destinations/{denver.id}/capacity"
    assert api_for(demo["partner-staff"]).put(other, body, content_type="application/json").status_code == 404
    assert WeeklyCapacity.objects.get(destination=phoenix, week_start=week).people == 33
    # The page: the partner's form saves; the allocator gets 403.
    page = client_for(demo["partner-staff"]).post(
        f"/placement/capacity/{phoenix.id}/?week={week.isoformat()}",
        {"week": week.isoformat(), "people": 40, "need_medical": 5, "version": 2},
    )
    assert page.status_code == 302
    assert WeeklyCapacity.objects.get(destination=phoenix, week_start=week).people == 40
    assert client_for(demo["legal-admin"]).get(f"/placement/capacity/{phoenix.id}/").status_code == 403


def _check_constraints(run):
    instance = run.instance
    capacity = {int(d["id"]): d for d in instance["destinations"]}
    people, need_counts = {}, {}
    rows = list(run.assignments.all())
    assert {str(a.household_id) for a in rows} == {c["id"] for c in instance["cases"]}
    for a in rows:
        people[a.destination_id] = people.get(a.destination_id, 0) + a.people
        for need in a.needs:
            need_counts[(a.destination_id, need)] = need_counts.get((a.destination_id, need), 0) + 1
        if a.tie_destination_id and a.overridden_at is None:
            assert a.destination_id == a.tie_destination_id
    for destination_id, placed in people.items():
        assert placed <= capacity[destination_id]["capacity"]
    for (destination_id, need), count in need_counts.items():
        assert count <= capacity[destination_id]["need_capacity"].get(need, 0), (need, count)


def test_allocation_respects_capacity_needs_and_ties(demo, monkeypatch):
    week = _week(demo)
    # Everyone would rather go to Tucson, which takes few people and no medical cases: the constraints bind.
    tucson = Destination.objects.get(city="Tucson, AZ")
    row = WeeklyCapacity.objects.get(destination=tucson, week_start=week)
    row.people, row.need_cases = 8, {k: v for k, v in row.need_cases.items() if k != "medical"}
    row.save()
    real_predict = scoring.predict

    def tucson_first(model, cases, destinations):
        return {
            pair: score + (5.0 if pair[1] == str(tucson.id) else 0.0)
            for pair, score in real_predict(model, cases, destinations).items()
        }

    monkeypatch.setattr(scoring, "predict", tucson_first)
    cohort = selectors.arriving(AllocationRun.objects.get().organisation_id, week)
    tied = next(a.household for a in cohort[1:] if "medical" not in selectors.needs_of(a.household, week))
    FamilyTie.objects.create(household=tied, destination=tucson, relation="parent")
    run = services.run_allocation(
        actor(demo["legal-admin"]), organisation_id=AllocationRun.objects.get().organisation_id, week_start=week
    )
    _check_constraints(run)
    placed = list(run.assignments.filter(destination=tucson))
    assert len(placed) >= 2 and sum(a.people for a in placed) >= 5  # the favourite fills up to its capacity
    assert not any("medical" in a.needs for a in placed)
    assert any("medical" in a.needs for a in run.assignments.all())
    assert run.assignments.get(household=tied).destination == tucson
    assert run.bound >= run.objective > 0 and run.gap == pytest.approx((run.bound - run.objective) / run.bound)
    assert run.fairness and sum(g["households"] for g in run.fairness) == run.assignments.count()
    # A caseworker reviews but may not run; the shelter does not allocate at all.
    legal_id = run.organisation_id
    with pytest.raises(PermissionDenied):
        services.run_allocation(actor(demo["legal-caseworker"]), organisation_id=legal_id, week_start=week)
    with pytest.raises(NotFound):
        services.run_allocation(actor(demo["shelter-staff"]), organisation_id=legal_id, week_start=week)


def test_override_is_audited_and_the_rest_re_solved(demo):
    week = _week(demo)
    legal_id = AllocationRun.objects.get().organisation_id
    run = services.run_allocation(actor(demo["legal-admin"]), organisation_id=legal_id, week_start=week)
    target = run.assignments.filter(tie_destination=None).first()
    elsewhere = Destination.objects.exclude(id=target.destination_id).first()
    api = api_for(demo["legal-caseworker"])
    url = f"/api/v1/placement/assignments/{target.id}/override"
    assert (
        api.post(url, {"destination_id": elsewhere.id, "reason": ""}, content_type="application/json").status_code
        == 422
    )
    answer = api.post(
        url, {"destination_id": elsewhere.id, "reason": "Needs the clinic there."}, content_type="application/json"
    )
    assert answer.status_code == 200, answer.content
    target.refresh_from_db()
    assert target.destination == elsewhere and target.override_reason == "Needs the clinic there."
    assert target.overridden_by == demo["legal-caseworker"]
    event = AuditEvent.objects.filter(object_type="household", object_id=str(target.household_id)).last()
    assert "override_reason" in event.fields and event.actor_id == demo["legal-caseworker"].id
    run.refresh_from_db()
    _check_constraints(run)
    assert run.version == 2
    # A second override keeps the first one fixed where a person put it.
    second = run.assignments.filter(overridden_at=None, tie_destination=None).first()
    other = Destination.objects.exclude(id=second.destination_id).first()
    services.override_assignment(
        actor(demo["legal-admin"]), assignment_id=second.id, destination_id=other.id, reason="Asked for it."
    )
    target.refresh_from_db()
    assert target.destination == elsewhere
    # The same through the page's form.
    third = run.assignments.filter(overridden_at=None, tie_destination=None).first()
    chosen = Destination.objects.exclude(id=third.destination_id).first()
    posted = client_for(demo["legal-caseworker"]).post(
        f"/placement/assignments/{third.id}/override/",
        {f"a{third.id}-destination": chosen.id, f"a{third.id}-reason": "Asked at the meeting."},
    )
    assert posted.status_code == 302
    third.refresh_from_db()
    assert third.destination == chosen and third.override_reason == "Asked at the meeting."
    # The review page explains in words and offers the override form.
    page = client_for(demo["legal-caseworker"]).get(f"/placement/runs/{run.id}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Placed in" in text and "by hand" in text and "Needs the clinic there." in text
    assert "Fairness by nationality" in text


def test_publishing_makes_cases_visible_to_the_partner_and_not_before(demo):
    week = _week(demo)
    legal_id = AllocationRun.objects.get().organisation_id
    old = AllocationRun.objects.get()
    run = services.run_allocation(actor(demo["legal-admin"]), organisation_id=legal_id, week_start=week)
    partner = api_for(demo["partner-staff"])
    seen = {row["id"] for row in partner.get("/api/v1/placement/received").json()}
    mine = set(
        run.assignments.filter(destination__organisation__name="Demo Local Partner").values_list("id", flat=True)
    )
    assert mine and not (seen & mine)
    assert seen <= set(old.assignments.values_list("id", flat=True))
    assert partner.get(f"/api/v1/placement/runs/{run.id}/assignments").status_code == 404
    # Only admins publish.
    assert api_for(demo["legal-caseworker"]).post(f"/api/v1/placement/runs/{run.id}/publish").status_code == 403
    published = api_for(demo["legal-admin"]).post(f"/api/v1/placement/runs/{run.id}/publish")
    assert published.status_code == 200 and published.json()["run"]["status"] == "published"
    rows = partner.get("/api/v1/placement/received").json()
    assert {row["id"] for row in rows} == mine
    assert set(rows[0]) >= {"registration_code", "head_name", "needs", "languages"}
    assert "narrative" not in rows[0] and "score" not in rows[0]
    old.refresh_from_db()
    assert old.status == RunStatus.SUPERSEDED
    page = client_for(demo["partner-staff"]).get("/placement/received/")
    assert page.status_code == 200 and rows[0]["registration_code"] in page.content.decode()
    # The households were told where they go (messaging's placement_published).
    from refugio.messaging.models import Message

    assert Message.objects.filter(template="placement_published").count() >= len(rows)


def test_an_infeasible_week_is_explained_and_stores_nothing(demo):
    week = _week(demo)
    legal_id = AllocationRun.objects.get().organisation_id
    cohort = selectors.arriving(legal_id, week)
    sizes = [sum(1 for p in a.household.members.all() if p.merged_into_id is None) for a in cohort]
    # Each destination has room for the largest household, but all together not for everyone.
    WeeklyCapacity.objects.filter(week_start=week).update(people=max(max(sizes), sum(sizes) // 3 - 1))
    assert 3 * max(max(sizes), sum(sizes) // 3 - 1) < sum(sizes)
    before = (AllocationRun.objects.count(), Assignment.objects.count())
    api = api_for(demo["legal-admin"])
    answer = api.post("/api/v1/placement/runs", {"week_start": week.isoformat()}, content_type="application/json")
    assert answer.status_code == 422
    assert "fewer places this week than people arriving" in answer.json()["message"]
    FamilyTie.objects.all().delete()  # else the tie's destination, without Spanish, fails first
    for row in WeeklyCapacity.objects.filter(week_start=week):
        row.people, row.need_cases = 500, {**row.need_cases, "language:es": 1}
        row.save()
    answer = api.post("/api/v1/placement/runs", {"week_start": week.isoformat()}, content_type="application/json")
    assert answer.status_code == 422, answer.json()
    assert "Too few places this week for cases that need Interpreting in Español" in answer.json()["message"]
    for row in WeeklyCapacity.objects.filter(week_start=week):
        row.need_cases = {k: v for k, v in row.need_cases.items() if k != "language:es"}
        row.save()
    answer = api.post("/api/v1/placement/runs", {"week_start": week.isoformat()}, content_type="application/json")
    assert answer.status_code == 422
    assert "No local partner takes cases that need Interpreting in Español" in answer.json()["message"]
    assert (AllocationRun.objects.count(), Assignment.objects.count()) == before
    page = client_for(demo["legal-admin"]).post(
        "/placement/runs/", {"week": week.isoformat(), "outcome": "employed_90_days"}, follow=True
    )
    assert "Interpreting in Español" in page.content.decode()


def test_api_contract(demo):
    spec = Client().get("/api/v1/openapi.json").json()
    for path, method in [
        ("/api/v1/placement/capacity", "get"),
        ("/api/v1/placement/destinations/{destination_id}/capacity", "put"),
        ("/api/v1/placement/runs", "post"),
        ("/api/v1/placement/runs/{run_id}/assignments", "get"),
        ("/api/v1/placement/assignments/{assignment_id}/override", "post"),
        ("/api/v1/placement/runs/{run_id}/publish", "post"),
    ]:
        operation = spec["paths"][path][method]
        assert {"404", "422"} <= set(operation["responses"]), path
    schemas = spec["components"]["schemas"]
    assert schemas["AllocationRunOut"]["properties"]["status"]["enum"] == ["ready", "published", "superseded"]
    assert "language:ht" in schemas["AllocationAssignmentOut"]["properties"]["needs"]["items"]["enum"]
    week = _week(demo)
    api = api_for(demo["legal-admin"])
    created = api.post("/api/v1/placement/runs", {"week_start": week.isoformat()}, content_type="application/json")
    assert created.status_code == 201 and created.json()["status"] == "ready"
    bad = api.post("/api/v1/placement/runs", {"week_start": week.isoformat(), "x": 1}, content_type="application/json")
    assert bad.status_code == 422
    tuesday = (week + dt.timedelta(days=1)).isoformat()
    assert (
        api.post("/api/v1/placement/runs", {"week_start": tuesday}, content_type="application/json").status_code == 422
    )
    rows = api.get(f"/api/v1/placement/runs/{created.json()['id']}/assignments").json()
    assert rows and rows[0]["explanation"] and rows[0]["registration_code"]
    assert api_for(demo["shelter-staff"]).get(f"/api/v1/placement/runs/{created.json()['id']}").status_code == 404


def test_a_family_tie_recorded_through_the_api_places_the_household_there(demo):
    week = _week(demo)
    legal_id = AllocationRun.objects.get().organisation_id
    FamilyTie.objects.all().delete()
    from refugio.people.selectors import visible_households

    shelter_sees = set(visible_households(demo["shelter-staff"]).values_list("id", flat=True))  # shared with it
    household = next(
        a.household
        for a in selectors.arriving(legal_id, week)
        if "medical" not in selectors.needs_of(a.household, week) and a.household_id not in shelter_sees
    )
    tucson = Destination.objects.get(city="Tucson, AZ")
    url = f"/api/v1/placement/households/{household.id}/tie"
    body = {"destination_id": tucson.id, "relation": "sibling"}
    assert api_for(demo["shelter-staff"]).put(url, body, content_type="application/json").status_code == 404
    for not_an_id in ("%C2%84h", "12345"):  # an id that is no UUID names no household: 404, not a server error
        wrong = f"/api/v1/placement/households/{not_an_id}/tie"
        assert api_for(demo["legal-caseworker"]).put(wrong, body, content_type="application/json").status_code == 404
    bad = api_for(demo["legal-caseworker"]).put(
        url, {"destination_id": tucson.id, "relation": "head"}, content_type="application/json"
    )
    assert bad.status_code == 422
    answer = api_for(demo["legal-caseworker"]).put(url, body, content_type="application/json")
    assert answer.status_code == 204, answer.content
    event = AuditEvent.objects.filter(object_type="household", object_id=str(household.id)).last()
    assert event.fields == ["family_tie"]
    run = services.run_allocation(actor(demo["legal-admin"]), organisation_id=legal_id, week_start=week)
    placed = run.assignments.get(household=household)
    assert placed.destination == tucson and placed.tie_destination == tucson
    assert (
        api_for(demo["legal-caseworker"])
        .put(url, {"destination_id": None}, content_type="application/json")
        .status_code
        == 204
    )
    assert not FamilyTie.objects.filter(household=household).exists()
