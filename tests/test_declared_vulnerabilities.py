"""Declared vulnerabilities (self-registration, the public API) count as "declared, not yet confirmed": they
order a household within its tier but never raise the tier, until a caseworker of the owning organisation
confirms them (audited, rescored in the same transaction). Staff-entered vulnerabilities are confirmed."""

from __future__ import annotations

import datetime as dt
import importlib
import json

import pytest
from django.apps import apps
from django.test import Client, TestCase
from django.utils import translation

from refugio.accounts.models import Role
from refugio.audit.models import AuditEvent
from refugio.audit.services import Actor
from refugio.core.errors import ValidationFailed
from refugio.people.models import Household, PersonVulnerability
from refugio.people.services import PermissionDenied, confirm_vulnerability, update_person
from refugio.registration.services import register
from refugio.triage.messages import reason_text
from refugio.triage.models import TriageScore
from refugio.triage.policy import HouseholdFacts, PersonFacts, default_policy, score
from tests.conftest import World
from tests.test_pages import signed_in

TODAY = dt.date(2026, 11, 22)
DECLARED_URGENT = {
    "current_city": "Tijuana",
    "consent": True,
    "members": [
        {
            "given_names": "Rosa",
            "first_family_name": "Tzoc",
            "relationship_to_head": "head",
            "date_of_birth": "1992",
            "vulnerabilities": ["medical_urgent"],
        },
    ],
}


def household(*people: PersonFacts, registered_days_ago: int = 0) -> HouseholdFacts:
    return HouseholdFacts(tuple(people), TODAY - dt.timedelta(days=registered_days_ago))


def test_a_declared_vulnerability_never_raises_the_tier() -> None:
    declared = score(default_policy(), household(PersonFacts(30, declared=frozenset({"medical_urgent"}))), TODAY)
    confirmed = score(default_policy(), household(PersonFacts(30, frozenset({"medical_urgent"}))), TODAY)
    nothing = score(default_policy(), household(PersonFacts(30)), TODAY)
    assert (confirmed.tier, nothing.tier) == (1, 4)
    assert declared.tier == 4  # no tier_at_most, no points towards the tier
    # It orders the household within its tier, held below the next tier's minimum (5 in the default policy).
    assert nothing.priority < declared.priority < 5
    assert declared.priority == pytest.approx(sum(r.points for r in declared.reasons) + 1)
    assert [r.detail.get("declared") for r in declared.reasons if r.kind == "vulnerability"] == [True]


def test_a_flood_of_declared_cases_cannot_push_a_confirmed_case_down() -> None:
    fake = household(PersonFacts(25, declared=frozenset({"medical_urgent", "pregnant", "kidnapping_survivor"})))
    real = household(PersonFacts(25, frozenset({"chronic_illness"})))  # confirmed, 6 points: tier 3
    fake_score, real_score = score(default_policy(), fake, TODAY), score(default_policy(), real, TODAY)
    assert (real_score.tier, fake_score.tier) == (3, 4)
    assert real_score.priority > fake_score.priority


def test_a_confirmed_vulnerability_counts_whatever_else_is_declared() -> None:
    both = household(PersonFacts(30, frozenset({"pregnant"}), frozenset({"medical_urgent"})), PersonFacts(8))
    result = score(default_policy(), both, TODAY)
    assert result.tier == 2  # pregnant (confirmed) forces tier 2; medical_urgent (declared) cannot force tier 1
    assert result.priority < 25


def test_the_explanation_says_declared_not_yet_confirmed() -> None:
    result = score(default_policy(), household(PersonFacts(30, declared=frozenset({"pregnant"}))), TODAY)
    with translation.override("en"):
        texts = [reason_text({"criterion": r.criterion, "kind": r.kind, "points": r.points, "detail": r.detail})
                 for r in result.reasons]  # fmt: skip
    assert "Pregnant (1 in the household), declared, not yet confirmed: +12" in texts
    assert any(t.startswith("Declared vulnerabilities cannot raise the tier") for t in texts)


@pytest.fixture
def intake(world: World) -> World:
    world.home.public_intake = True
    world.home.save()
    return world


def _register_publicly(body: dict) -> Household:
    with TestCase.captureOnCommitCallbacks(execute=True):  # triage follows the commit (triage.tasks)
        response = Client(HTTP_ACCEPT_LANGUAGE="en").post(
            "/api/v1/registrations", data=json.dumps(body), content_type="application/json"
        )
    assert response.status_code == 201, response.content
    return Household.objects.get(id=response.json()["household_id"])


def test_public_registration_is_declared_and_scored_without_the_tier(intake: World) -> None:
    registered = _register_publicly(DECLARED_URGENT)
    row = PersonVulnerability.objects.get(person__household=registered)
    assert (row.code, row.confirmed_at, row.confirmed_by_id) == ("medical_urgent", None, None)
    stored = TriageScore.objects.get(household=registered)  # scored right after the registration's commit
    assert stored.tier == 4


def test_staff_entered_vulnerabilities_are_confirmed(world: World) -> None:
    row = PersonVulnerability.objects.get(person__household=world.own, code="single_caregiver")
    assert row.confirmed_at is not None and row.confirmed_by_id == world.users[Role.CASEWORKER].id


def test_a_caseworker_confirms_and_the_household_is_rescored(intake: World) -> None:
    registered = _register_publicly(DECLARED_URGENT)
    head = registered.members.get()
    caseworker = Actor(intake.users[Role.CASEWORKER], "web")
    with pytest.raises(PermissionDenied):
        confirm_vulnerability(Actor(intake.users[Role.ATTORNEY], "web"), person=head, code="medical_urgent")
    with pytest.raises(PermissionDenied):
        confirm_vulnerability(Actor(intake.users["stranger_caseworker"], "web"), person=head, code="medical_urgent")
    with pytest.raises(ValidationFailed):
        confirm_vulnerability(caseworker, person=head, code="pregnant")
    assert TriageScore.objects.get(household=registered).tier == 4

    confirm_vulnerability(caseworker, person=head, code="medical_urgent")
    row = PersonVulnerability.objects.get(person=head, code="medical_urgent")
    assert row.confirmed_by_id == intake.users[Role.CASEWORKER].id and row.confirmed_at is not None
    assert TriageScore.objects.get(household=registered).tier == 1
    event = AuditEvent.objects.filter(object_id=str(head.id), action="update").latest("id")
    assert (event.actor_id, event.fields) == (intake.users[Role.CASEWORKER].id, ["vulnerabilities"])


def test_a_staff_edit_does_not_silently_confirm_what_was_declared(intake: World) -> None:
    registered = _register_publicly(DECLARED_URGENT)
    head = registered.members.get()
    update_person(
        Actor(intake.users[Role.CASEWORKER], "web"),
        person=head,
        changes={"vulnerabilities": ["medical_urgent", "lgbtqi"]},
    )
    rows = dict(PersonVulnerability.objects.filter(person=head).values_list("code", "confirmed_at"))
    assert rows["medical_urgent"] is None and rows["lgbtqi"] is not None


def test_confirm_button_on_the_household_page(intake: World) -> None:
    registered = _register_publicly(DECLARED_URGENT)
    head = registered.members.get()
    url = f"/triage/people/{head.id}/vulnerabilities/medical_urgent/confirm/"
    web = signed_in(intake.users[Role.CASEWORKER])
    page = web.get(f"/cases/{registered.id}/").content.decode()
    assert "Declared, not yet confirmed" in page and url in page
    assert signed_in(intake.users["stranger_caseworker"]).post(url).status_code == 404
    assert web.get(url).status_code == 405
    assert TriageScore.objects.get(household=registered).tier == 4

    response = web.post(url)
    assert response.status_code == 302 and response["Location"] == f"/cases/{registered.id}/"
    assert TriageScore.objects.get(household=registered).tier == 1
    page = web.get(f"/cases/{registered.id}/").content.decode()
    assert url not in page


def test_the_migration_confirms_only_what_staff_entered(intake: World) -> None:
    registered = _register_publicly(DECLARED_URGENT)
    PersonVulnerability.objects.update(confirmed_at=None, confirmed_by=None)  # as before the migration
    migration = importlib.import_module("refugio.people.migrations.0006_vulnerability_confirmed")
    migration.confirm_staff_entered(apps, None)
    staff_row = PersonVulnerability.objects.get(person__household=intake.own)
    assert staff_row.confirmed_by_id == intake.users[Role.CASEWORKER].id
    assert staff_row.confirmed_at == intake.own.created_at
    assert PersonVulnerability.objects.get(person__household=registered).confirmed_at is None


def test_self_registration_is_declared_even_when_staff_type_it_in(intake: World) -> None:
    # /register/ and the public API both register through this; whoever is signed in, it is the household's word.
    with TestCase.captureOnCommitCallbacks(execute=True):
        _status, answer = register(
            Actor(intake.users[Role.CASEWORKER], "web"),
            data={"current_city": "Tijuana"},
            members=DECLARED_URGENT["members"],
            consent=True,
            language="es",
        )
    registered = Household.objects.get(id=answer["household_id"])
    assert PersonVulnerability.objects.get(person__household=registered).confirmed_at is None
    assert TriageScore.objects.get(household=registered).tier == 4
