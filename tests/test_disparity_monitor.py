"""Disparity monitoring in the app: the monitor and its alerts, the analysts' dashboard, self-identification
with consent, the plan run's fairness panel, and the rule that triage and the planner never read any of it."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from refugio.accounts.models import Role
from refugio.audit.models import AuditEvent
from refugio.audit.services import Actor
from refugio.disparity import selectors, services
from refugio.disparity.models import DisparityAlert, DisparityCheck, SelfIdentification
from refugio.people.models import Household, Person
from refugio.planning.models import Appointment, PlanRun, PlanStatus, PortOfEntry
from tests.conftest import World, make_user, new_household
from tests.test_pages import signed_in

ROOT = Path(__file__).resolve().parent.parent


def _households(world: World, nationality: str, n: int, *, org: object = None) -> list[Household]:
    user = world.users[Role.CASEWORKER] if org is None else world.users["stranger_caseworker"]
    made = [new_household(user, org or world.home) for _ in range(n)]
    Person.objects.filter(household__in=made).update(nationality=nationality)
    # Registered two months ago, so that waits are long enough to compare.
    Household.objects.filter(pk__in=[h.pk for h in made]).update(created_at=timezone.now() - dt.timedelta(days=60))
    return made


def _port() -> PortOfEntry:
    return PortOfEntry.objects.get_or_create(
        code="ELP",
        defaults={
            "name": "El Paso",
            "city": "El Paso",
            "destination": "El Paso",
            "departure_cities": ["Ciudad Juárez"],
        },
    )[0]


def _appoint(run: PlanRun, households: list[Household], day: dt.date) -> None:
    port = _port()
    for h in households:
        Appointment.objects.create(
            plan=run, household=h, port=port, date=day, lane="fifo", people=2, tier=4, priority=1.0
        )


def _published(households: list[Household]) -> PlanRun:
    run = PlanRun.objects.create(status=PlanStatus.PUBLISHED, published_at=timezone.now())
    _appoint(run, households, timezone.localdate() - dt.timedelta(days=5))
    return run


@pytest.fixture
def disparity(world: World) -> dict[str, list[Household]]:
    """In `home`: 12 Honduran households of which 11 entered, 12 Haitian of which 2 did."""
    honduran = _households(world, "HN", 11)[:11] + [world.own]
    Person.objects.filter(household=world.own).update(nationality="HN")
    Household.objects.filter(pk=world.own.pk).update(created_at=timezone.now() - dt.timedelta(days=60))
    haitian = _households(world, "HT", 12)
    _published(honduran[:11] + haitian[:2])
    return {"HN": honduran, "HT": haitian}


# The monitor and its alerts ----------------------------------------------------------------------------


def test_a_planted_disparity_is_flagged_and_only_the_organisations_admins_are_alerted(world, disparity) -> None:
    second_admin = make_user("second-admin", world.home, Role.ORG_ADMIN)
    stranger_admin = make_user("stranger-admin", world.stranger, Role.ORG_ADMIN)
    check = services.run_monitor(Actor(None, "system"), organisation_id=world.home.id)
    nationality = check.results["nationality"]
    assert nationality["reference"] == "HN"
    haiti = next(g for g in nationality["groups"] if g["group"] == "HT")
    assert haiti["flagged"] and haiti["n"] == 12 and haiti["entries"] == 2
    alerts = DisparityAlert.objects.filter(check_run=check)
    assert {a.recipient_id for a in alerts} == {world.users[Role.ORG_ADMIN].id, second_admin.id}
    assert stranger_admin.id not in {a.recipient_id for a in alerts}
    assert {(a.dimension, a.group, a.reference_group) for a in alerts} == {("nationality", "HT", "HN")}


def test_the_stored_check_holds_aggregates_only(world, disparity) -> None:
    check = services.run_monitor(Actor(None, "system"), organisation_id=world.home.id)
    stored = repr(check.results)
    for h in Household.objects.all():
        assert str(h.id) not in stored and h.registration_code not in stored
    for p in Person.objects.all():
        assert str(p.id) not in stored and p.first_family_name not in stored


def test_no_disparity_no_alert(world) -> None:
    honduran = _households(world, "HN", 10)
    haitian = _households(world, "HT", 10)
    _published(honduran[:6] + haitian[:6])
    check = services.run_monitor(Actor(None, "system"), organisation_id=world.home.id)
    assert check.flagged == 0
    assert not DisparityAlert.objects.exists()


def test_small_groups_are_suppressed_not_compared(world) -> None:
    honduran = _households(world, "HN", 10)
    _households(world, "CU", 4)
    _published(honduran)  # every Honduran household entered, no Cuban one: but four are too few to show
    check = services.run_monitor(Actor(None, "system"), organisation_id=world.home.id)
    groups = {g["group"] for g in check.results["nationality"]["groups"]}
    assert "CU" not in groups and check.results["nationality"]["suppressed_groups"] >= 1
    assert not DisparityAlert.objects.exists()
    page = signed_in(world.users[Role.ANALYST]).get("/disparities/").content.decode()
    assert "Cuba" not in page


def test_the_daily_task_checks_every_organisation_and_books_the_next_run(world, disparity) -> None:
    from refugio.disparity.tasks import monitor_disparities

    monitor_disparities.call()
    assert set(DisparityCheck.objects.values_list("organisation_id", flat=True)) == set(
        Household.objects.values_list("owner_id", flat=True)
    )


# The dashboard -------------------------------------------------------------------------------------------


def test_the_dashboard_shows_the_breakdowns_and_alerts_without_any_person(world, disparity) -> None:
    services.run_monitor(Actor(None, "system"), organisation_id=world.home.id)
    reads_before = AuditEvent.objects.filter(action="read").count()
    response = signed_in(world.users[Role.ANALYST]).get("/disparities/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Haïti" in page and "never used by triage or the planner" in page
    assert "flagged" in page.lower() and "<svg" in page
    assert re.search(r"Haïti.*?against.*?Honduras", page, re.S)  # the alert, in words
    for h in Household.objects.all():
        assert str(h.id) not in page and h.display_code not in page
    for p in Person.objects.all():
        assert p.given_names not in page and p.first_family_name not in page
    assert AuditEvent.objects.filter(action="read").count() == reads_before  # no personal data read


def test_the_dashboard_is_the_own_organisations_only(world, disparity) -> None:
    _households(world, "HT", 6, org=world.stranger)
    services.run_monitor(Actor(None, "system"), organisation_id=world.stranger.id)
    analyst = signed_in(world.users[Role.ANALYST])
    assert analyst.get(f"/disparities/?organisation={world.stranger.id}").status_code == 404
    assert analyst.post("/disparities/run/", {"organisation": world.stranger.id}).status_code == 404
    assert "Stranger Network" not in analyst.get("/disparities/").content.decode()
    for role in (Role.CASEWORKER, Role.ATTORNEY, Role.SHELTER_STAFF, Role.AGENCY_LIAISON):
        assert signed_in(world.users[role]).get("/disparities/").status_code == 404, role


def test_an_analyst_can_run_the_check_by_hand(world, disparity) -> None:
    response = signed_in(world.users[Role.ANALYST]).post("/disparities/run/", {"organisation": world.home.id})
    assert response.status_code == 302
    assert DisparityCheck.objects.filter(organisation=world.home, run_by=world.users[Role.ANALYST]).exists()


# Self-identification -------------------------------------------------------------------------------------


def _url(household: Household) -> str:
    return f"/disparities/households/{household.id}/self-identification/"


def test_self_identification_needs_consent(world) -> None:
    person = world.own.members.first()
    client = signed_in(world.users[Role.CASEWORKER])
    refused = client.post(_url(world.own), {"person": str(person.id), "category": "black"})
    assert refused.status_code == 400
    assert not SelfIdentification.objects.exists()
    done = client.post(_url(world.own), {"person": str(person.id), "category": "black", "consent": "on"})
    assert done.status_code == 302
    stated = SelfIdentification.objects.get()
    assert stated.category == "black" and stated.recorded_by == world.users[Role.CASEWORKER]
    with connection.cursor() as cursor:
        cursor.execute("SELECT category FROM disparity_selfidentification")
        (raw,) = cursor.fetchone()
    assert raw.startswith("enc1:") and "black" not in raw  # encrypted at rest
    assert selectors.live_categories([person.id]) == {person.id: "black"}
    page = client.get(_url(world.own)).content.decode()
    assert "Black / Afro-descendant" in page


def test_withdrawing_erases_the_answer_and_stops_counting_it(world) -> None:
    person = world.own.members.first()
    client = signed_in(world.users[Role.CASEWORKER])
    client.post(_url(world.own), {"person": str(person.id), "category": "indigenous", "consent": "on"})
    stated = SelfIdentification.objects.get()
    assert client.post(_url(world.own), {"withdraw": stated.id}).status_code == 302
    stated.refresh_from_db()
    assert stated.withdrawn_at is not None and stated.category == ""
    assert selectors.live_categories([person.id]) == {}
    rows = selectors.organisation_rows(world.home.id, timezone.localdate())
    assert rows["race_ethnicity"] == []
    assert AuditEvent.objects.filter(object_type="self_identification", action="revoke").exists()


def test_only_the_owning_organisations_case_workers_record_it(world) -> None:
    person = world.foreign.members.first()
    data = {"person": str(person.id), "category": "black", "consent": "on"}
    assert signed_in(world.users[Role.CASEWORKER]).post(_url(world.foreign), data).status_code == 404
    shared_person = world.shared.members.first()
    shared = {"person": str(shared_person.id), "category": "black", "consent": "on"}
    assert signed_in(world.users[Role.CASEWORKER]).post(_url(world.shared), shared).status_code == 404
    for role in (Role.ANALYST, Role.ATTORNEY, Role.SHELTER_STAFF):
        own = {"person": str(world.own.members.first().id), "category": "black", "consent": "on"}
        assert signed_in(world.users[role]).post(_url(world.own), own).status_code == 404, role
    assert not SelfIdentification.objects.exists()


def test_self_identified_groups_are_compared_only_with_consent(world) -> None:
    black = _households(world, "HT", 6)
    others = _households(world, "HT", 6)
    admin = Actor(world.users[Role.CASEWORKER], "system")
    for h in black:
        services.record_self_identification(
            admin, household_id=h.id, person_id=h.members.first().id, category="black", consent=True
        )
    for h in others:
        services.record_self_identification(
            admin, household_id=h.id, person_id=h.members.first().id, category="mestizo", consent=True
        )
    _published(others)
    check = services.run_monitor(Actor(None, "system"), organisation_id=world.home.id)
    race = {g["group"]: g for g in check.results["race_ethnicity"]["groups"]}
    assert race["black"]["flagged"] and race["mestizo"]["reference"]
    # Withdrawn answers drop out: five left is still a group, four is not.
    for h in black[:2]:
        stated = SelfIdentification.objects.get(person__household=h)
        services.withdraw_self_identification(admin, household_id=h.id, identification_id=stated.id)
    check = services.run_monitor(Actor(None, "system"), organisation_id=world.home.id)
    assert "black" not in {g["group"] for g in check.results["race_ethnicity"]["groups"]}


# Triage and the planner never read it --------------------------------------------------------------------


def test_triage_and_the_planner_may_not_import_disparity_monitoring() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    contract = next(c for c in config["contracts"] if c["id"] == "fairness-watch-only")
    assert contract["type"] == "forbidden"
    assert set(contract["source_modules"]) >= {"refugio.triage", "refugio.planning"}
    assert contract["forbidden_modules"] == ["refugio.disparity"]
    assert not contract.get("ignore_imports")
    for app in ("triage", "planning"):
        for path in (ROOT / "src" / "refugio" / app).rglob("*.py"):
            assert "refugio.disparity" not in path.read_text(), path


# The plan run's fairness panel ---------------------------------------------------------------------------


def _ready_run(appointed: list[Household]) -> PlanRun:
    today = timezone.localdate()
    run = PlanRun.objects.create(
        status=PlanStatus.READY,
        finished_at=timezone.now(),
        summary={"first_day": today.isoformat(), "last_day": (today + dt.timedelta(days=14)).isoformat()},
    )
    _appoint(run, appointed, today + dt.timedelta(days=3))
    return run


def test_the_plan_review_and_publish_pages_say_when_a_group_falls_below_80_percent(world) -> None:
    honduran = _households(world, "HN", 12)
    haitian = _households(world, "HT", 12)
    run = _ready_run(honduran[:11] + haitian[:1])
    check = selectors.plan_disparity(run)
    assert [g.code for g in check.flagged] == ["HT"]
    admin = signed_in(world.users[Role.ORG_ADMIN])
    for url in (f"/planning/runs/{run.id}/", f"/planning/runs/{run.id}/publish/"):
        page = admin.get(url).content.decode()
        assert 'id="fairness"' in page, url
        assert "less than 80%" in page and "Haïti" in page, url


def test_the_plan_panel_says_so_when_no_group_falls_below(world) -> None:
    honduran = _households(world, "HN", 10)
    haitian = _households(world, "HT", 10)
    run = _ready_run(honduran[:7] + haitian[:5])  # with the three Honduran households of `world` waiting
    page = signed_in(world.users[Role.ORG_ADMIN]).get(f"/planning/runs/{run.id}/").content.decode()
    assert "No group falls below 80%" in page
    assert "less than 80%" not in page
