"""Reads never write: a GET stores nothing but its audit trail. Triage is computed by the writes that change
what it reads (in their transaction), escalation response rules are stored by a migration."""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from refugio.accounts.models import Role
from refugio.audit.services import Actor
from refugio.escalations.models import AgencyOffice, Category, OfficeContact, ResponseRule
from refugio.people.models import Person, PersonVulnerability
from refugio.people.services import add_person, update_household, update_person
from refugio.triage.models import TriageScore
from refugio.triage.services import rescore_household
from tests.conftest import World
from tests.test_pages import signed_in

WRITE = re.compile(r'^\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)
# The audit trail records reads: its events and the head of its hash chain are the only writes a GET makes.
AUDIT_TABLES = {"audit_auditevent", "audit_chainhead"}


def writes_of(client: Client, url: str) -> list[str]:
    """The statements other than the audit trail's that writes anything while GETting url (must answer 200)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    found = []
    for query in queries.captured_queries:
        match = WRITE.match(query["sql"])
        if match and match.group(2).lower() not in AUDIT_TABLES:
            found.append(query["sql"][:120])
    return found


@pytest.fixture
def escalated(world: World) -> World:
    office = AgencyOffice.objects.create(organisation=world.agency, name="Port A", kind="cbp_port")
    OfficeContact.objects.create(
        office=office, user=world.users[Role.AGENCY_LIAISON], name="Officer", role="l", email="t1@x.example", tier=1
    )
    body = {
        "household_id": str(world.own.id),
        "office_id": office.id,
        "category": "detained",
        "summary": "Detained at the port after entry.",
    }
    response = world.client(Role.ATTORNEY).post(
        "/api/v1/escalations", data=json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    world.escalation_id = response.json()["id"]
    return world


def test_household_page_and_triage_endpoint_write_nothing(world: World) -> None:
    web = signed_in(world.users[Role.CASEWORKER])
    web.get(f"/cases/{world.own.id}/")  # the session settles on the first page
    assert writes_of(web, f"/cases/{world.own.id}/") == []
    api = world.client(Role.CASEWORKER)
    api.get(f"/api/v1/households/{world.own.id}/triage")  # the token's coarse last-used time settles
    assert writes_of(api, f"/api/v1/households/{world.own.id}/triage") == []


def test_a_household_never_scored_reads_not_scored_yet_and_stays_unscored(world: World) -> None:
    TriageScore.objects.filter(household=world.own).delete()  # as data from before scoring moved to the writes
    web = signed_in(world.users[Role.CASEWORKER])
    web.get(f"/cases/{world.own.id}/")
    assert writes_of(web, f"/cases/{world.own.id}/") == []
    assert "Not scored yet." in web.get(f"/cases/{world.own.id}/").content.decode()
    api = world.client(Role.CASEWORKER).get(f"/api/v1/households/{world.own.id}/triage")
    assert api.status_code == 200
    assert (api.json()["scored"], api.json()["tier"]) == (False, None)
    assert not TriageScore.objects.filter(household=world.own).exists()
    call_command("score_triage", "--unscored", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert TriageScore.objects.filter(household=world.own).exists()


def test_the_migration_scores_households_as_the_writes_do(world: World) -> None:
    actor = Actor(world.users[Role.CASEWORKER], "web")
    update_person(
        actor, person=world.own.members.get(relationship_to_head="head"), changes={"vulnerabilities": ["pregnant"]}
    )
    declared = world.shared.members.get(relationship_to_head="head")
    PersonVulnerability.objects.create(person=declared, code="medical_urgent")  # declared only
    rescore_household(world.shared.id)
    by_writes = {s.household_id: (s.tier, s.priority, s.reasons) for s in TriageScore.objects.all()}
    assert len(by_writes) == 3
    TriageScore.objects.all().delete()
    importlib.import_module("refugio.triage.migrations.0003_score_existing_households").score_existing(apps, None)
    assert {s.household_id: (s.tier, s.priority, s.reasons) for s in TriageScore.objects.all()} == by_writes


def test_escalation_pages_write_nothing(escalated: World) -> None:
    ResponseRule.objects.all().delete()  # even a database without the stored defaults
    coordinator = signed_in(escalated.users[Role.ORG_ADMIN])
    coordinator.get("/escalations/")
    for url in ("/escalations/", "/escalations/rules/", f"/escalations/{escalated.escalation_id}/"):
        assert writes_of(coordinator, url) == [], url
    liaison = signed_in(escalated.users[Role.AGENCY_LIAISON])
    liaison.get("/escalations/")
    assert writes_of(liaison, f"/escalations/{escalated.escalation_id}/") == []
    api = escalated.client(Role.ORG_ADMIN)
    api.get("/api/v1/offices")  # the token's coarse last-used time settles
    for url in ("/api/v1/escalation-rules", "/api/v1/escalations", f"/api/v1/escalations/{escalated.escalation_id}"):
        assert writes_of(api, url) == [], url
    assert not ResponseRule.objects.exists()


def test_the_default_response_rules_are_stored_by_the_migration(db: object) -> None:
    # The test database was migrated: every category has its rule before anyone reads them.
    assert set(ResponseRule.objects.values_list("category", flat=True)) == set(Category.values)
    assert ResponseRule.objects.get(category="medical").acknowledge_within == 2


def test_every_write_rescores_the_household(world: World) -> None:
    actor = Actor(world.users[Role.CASEWORKER], "web")
    head = world.own.members.get(relationship_to_head="head")
    before = TriageScore.objects.get(household=world.own)
    assert before.tier == 3  # single caregiver (8 points): tier 3

    update_person(actor, person=head, changes={"vulnerabilities": ["single_caregiver", "medical_urgent"]})
    after = TriageScore.objects.get(household=world.own)
    assert after.tier == 1 and "medical_urgent" in {r["criterion"] for r in after.reasons}

    update_person(actor, person=head, changes={"vulnerabilities": []})
    child = world.own.members.get(relationship_to_head="child")
    update_person(actor, person=child, changes={"date_of_birth": "1950"})  # no child any more, someone over 65
    assert {r["criterion"] for r in TriageScore.objects.get(household=world.own).reasons} == {"elderly"}

    add_person(actor, household=world.own, data={"given_names": "Luz", "first_family_name": "Hernández",
                                  "relationship_to_head": "child", "vulnerabilities": ["pregnant"]})  # fmt: skip
    assert TriageScore.objects.get(household=world.own).tier == 2

    TriageScore.objects.filter(household=world.own).delete()
    update_household(actor, household=world.own, changes={"current_city": "Tijuana"})
    assert TriageScore.objects.filter(household=world.own).exists()


def test_editing_a_persons_vulnerabilities_on_the_page_changes_the_stored_tier(world: World) -> None:
    head = world.own.members.get(relationship_to_head="head")
    assert TriageScore.objects.get(household=world.own).tier == 3
    web = signed_in(world.users[Role.CASEWORKER])
    form = web.get(f"/people/{head.id}/edit/").context["forms"][0]
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update({"vulnerabilities": ["single_caregiver", "unaccompanied_child"], "version": head.version})
    data.update({"date_of_birth": "1990-03-12", "languages": ["es"]})
    response = web.post(f"/people/{head.id}/edit/", data)
    assert response.status_code == 302, response.context["forms"][0].errors if response.context else response
    assert TriageScore.objects.get(household=world.own).tier == 1
    assert Person.objects.get(pk=head.pk).vulnerability_rows.get(code="unaccompanied_child").confirmed_at is not None


def test_people_never_imports_triage() -> None:
    # Triage sits above people: people announces a change (people.signals), triage listens.
    people = Path(__file__).resolve().parents[1] / "src" / "refugio" / "people"
    importing = [p.name for p in people.rglob("*.py") if re.search(r"\brefugio\.triage\b", p.read_text("utf-8"))]
    assert importing == []
