"""Triage: the policy is data, every priority has its reasons in the reader's language, overrides are audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from refugio.accounts.models import Role
from refugio.audit.models import AuditEvent
from refugio.audit.services import Actor
from refugio.core.errors import ValidationFailed
from refugio.people.services import PermissionDenied
from refugio.triage import services
from refugio.triage.messages import reason_text
from refugio.triage.models import PolicyVersion
from refugio.triage.policy import (
    HouseholdFacts,
    PersonFacts,
    PolicyError,
    default_policy,
    default_policy_text,
    parse_policy,
    score,
)
from refugio.triage.selectors import triage_of
from tests.conftest import World
from tests.test_pages import signed_in

TODAY = dt.date(2026, 11, 22)


def facts(*people: tuple[int | None, set[str]], registered_days_ago: int = 0) -> HouseholdFacts:
    return HouseholdFacts(
        tuple(PersonFacts(age, frozenset(v)) for age, v in people), TODAY - dt.timedelta(days=registered_days_ago)
    )


def test_no_criterion_gives_the_base_priority_and_the_lowest_tier() -> None:
    result = score(default_policy(), facts((30, set()), (32, set())), TODAY)
    assert (result.tier, result.priority, result.reasons) == (4, 1, ())


def test_each_criterion_that_applies_gives_one_reason() -> None:
    household = facts((29, {"pregnant"}), (4, set()), (70, {"disability"}), registered_days_ago=200)
    result = score(default_policy(), household, TODAY)
    codes = [r.criterion for r in result.reasons]
    assert codes == ["pregnant", "disability", "elderly", "waited"]
    assert result.priority == 1 + 12 + 8 + 6 + 3
    assert result.tier == 1  # 30 points or more


def test_some_criteria_force_the_most_urgent_tier() -> None:
    result = score(default_policy(), facts((8, {"unaccompanied_child"})), TODAY)
    assert result.tier == 1


def test_single_caregiver_is_seen_from_the_ages() -> None:
    result = score(default_policy(), facts((25, set()), (3, set()), (5, set())), TODAY)
    assert [r.criterion for r in result.reasons] == ["single_caregiver"]


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("[1, 2", ""),
        ("- a list", ""),
        ("name: x\nbase_priority: 0\ntiers: []\ncriteria: []", "base_priority"),
        ("name: x\nbase_priority: 1\ntiers: [{tier: 1, min_priority: 5}]\ncriteria: []", "tiers"),
        (default_policy_text().replace("kind: age_at_least", "kind: astrology"), "criteria[10].kind"),
        (default_policy_text().replace("points: 12, tier_at_most: 2}", "points: -3}", 1), "criteria[2].points"),
        (default_policy_text().replace("vulnerability: pregnant", "vulnerability: tall"), "criteria[2].vulnerability"),
    ],
)
def test_a_bad_policy_names_what_is_wrong(text: str, where: str) -> None:
    with pytest.raises(PolicyError) as failure:
        parse_policy(text)
    assert any(w.startswith(where) for w, _t, _p in failure.value.problems)


def test_reasons_read_in_the_caseworkers_language() -> None:
    reason = {
        "criterion": "pregnant",
        "kind": "vulnerability",
        "points": 12,
        "detail": {"vulnerability": "pregnant", "people": 1},
    }
    with translation.override("es"):
        assert reason_text(reason) == "Embarazada (1 en la familia): +12"
    with translation.override("en"):
        assert reason_text(reason) == "Pregnant (1 in the household): +12"


def test_household_page_shows_priority_reasons(world: World) -> None:
    page = signed_in(world.users[Role.CASEWORKER]).get(f"/cases/{world.own.id}/").content.decode()
    assert "Why this priority" in page and "Single caregiver with young children" in page


def test_override_needs_a_reason_and_is_audited(world: World) -> None:
    actor = Actor(world.users[Role.CASEWORKER], "web")
    with pytest.raises(ValidationFailed):
        services.override(actor, household=world.own, tier=1, priority=50, reason="  ")
    before = triage_of(world.own)
    computed = (before.computed_tier, before.computed_priority)
    assert before.scored and computed != (1, 50) and (before.tier, before.priority) == computed
    services.override(actor, household=world.own, tier=1, priority=50, reason="Hospitalised last night")
    triage = triage_of(world.own)
    assert (triage.tier, triage.priority) == (1, 50)  # the override decides
    assert (triage.computed_tier, triage.computed_priority) == computed  # and the computed score is kept
    event = AuditEvent.objects.filter(action="update", object_id=str(world.own.id)).latest("id")
    assert event.fields == ["triage_override"]
    services.end_override(actor, household=world.own)
    assert triage_of(world.own).override is None


def test_override_by_another_organisation_is_refused(world: World) -> None:
    with pytest.raises(PermissionDenied):
        services.override(
            Actor(world.users[Role.CASEWORKER], "web"),
            household=world.shared,
            tier=1,
            priority=9,
            reason="not ours to decide",
        )
    client = signed_in(world.users["stranger_caseworker"])
    response = client.post(f"/triage/{world.own.id}/override/", {"tier": 1, "priority": 99, "reason": "x"})
    assert response.status_code == 404


def test_changing_the_policy_rescores_and_shows_who_moved_and_why(world: World) -> None:
    admin = Actor(world.users[Role.ORG_ADMIN], "web")
    triage_of(world.own)  # scored with the default policy
    text = default_policy_text().replace(
        "  - {code: single_caregiver, kind: single_caregiver, child_under: 6, points: 8}\n", ""
    )
    version = services.save_policy(
        admin, organisation_id=world.home.id, text=text, note="Single caregivers through vulnerability only"
    )
    assert version.version == 1
    moved = {m["household_id"]: m for m in version.moves}
    assert str(world.own.id) in moved and moved[str(world.own.id)]["removed"] == ["single_caregiver"]
    assert triage_of(world.own).policy_version == 1
    with pytest.raises(ValidationFailed) as failure:
        services.save_policy(admin, organisation_id=world.home.id, text="criteria: nope", note="")
    assert "name" in failure.value.fields["text"]
    assert PolicyVersion.objects.filter(organisation=world.home).count() == 1


def test_only_the_organisations_admins_edit_its_policy(world: World) -> None:
    with pytest.raises(PermissionDenied):
        services.save_policy(
            Actor(world.users[Role.CASEWORKER], "web"), organisation_id=world.home.id, text=default_policy_text()
        )
    assert signed_in(world.users[Role.CASEWORKER]).get("/triage/policy/").status_code == 404
    page = signed_in(world.users[Role.ORG_ADMIN]).get("/triage/policy/")
    assert page.status_code == 200 and "medical_urgent" in page.content.decode()


def test_triage_through_the_api_in_the_callers_language(world: World) -> None:
    from tests.conftest import api_client

    client = api_client(world.users[Role.CASEWORKER])
    read = client.get(f"/api/v1/households/{world.own.id}/triage", HTTP_ACCEPT_LANGUAGE="es").json()
    assert read["override"] is None and read["reasons"] == ["Un adulto solo con un niño menor de 6 años: +8"]
    assert read["entry_explanation"] == "Todavía no se ha publicado un plan de entrada."
    body = {"tier": 1, "priority": 40, "reason": "Hospitalizada anoche"}
    changed = client.post(f"/api/v1/households/{world.own.id}/triage/override", body, content_type="application/json")
    assert changed.status_code == 201 and changed.json()["tier"] == 1 and changed.json()["override"]["reason"]
    bad = client.post(
        f"/api/v1/households/{world.own.id}/triage/override", {**body, "tier": 0}, content_type="application/json"
    )
    assert bad.status_code == 422 and "tier" in bad.json()["fields"]
