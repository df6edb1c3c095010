"""The triage policy editor (issue 12): a form, not YAML; errors in the reader's language on the field they name;
a preview that counts who would change tier and writes nothing; saving only over the version one started from."""

from __future__ import annotations

import pytest
from django.test import Client

from refugio.accounts.models import Role
from refugio.audit.models import AuditEvent
from refugio.audit.services import Actor
from refugio.core.errors import PermissionDenied, VersionConflict
from refugio.people.services import create_household
from refugio.triage import services
from refugio.triage.editing import save_edited_policy
from refugio.triage.models import PolicyVersion, TriageScore
from refugio.triage.policy import default_policy, default_policy_text, parse_policy
from tests.conftest import World
from tests.html_forms import BrowserForm
from tests.test_pages import signed_in

PAGE = "/triage/policy/"


def _editor(client: Client, response: object = None) -> BrowserForm:
    page = response if response is not None else client.get(PAGE)
    assert page.status_code == 200  # type: ignore[attr-defined]
    return BrowserForm(page.content.decode(), PAGE, match="policy-editor")  # type: ignore[attr-defined]


def _row(form: BrowserForm, prefix: str, **wanted: str) -> int:
    """The index of the row whose fields have these values (as the page shows them)."""
    values = dict(form.fields())
    for i in range(50):
        if all(values.get(f"{prefix}-{i}-{k}") == v for k, v in wanted.items()):
            return i
    raise AssertionError(f"no {prefix} row with {wanted}")


def _preview_then_save(client: Client, form: BrowserForm) -> object:
    previewed = form.submit(client, button="Preview the effect")
    assert previewed.status_code == 200 and "If you save this policy" in previewed.content.decode()  # type: ignore
    return _editor(client, previewed).submit(client, button="Save a new version")


def test_the_form_saves_the_policy_it_shows_and_rows_are_added_without_javascript(world: World) -> None:
    client = signed_in(world.users[Role.ORG_ADMIN])
    saved = _preview_then_save(client, _editor(client))
    assert saved.status_code == 302  # type: ignore[attr-defined]
    first = PolicyVersion.objects.get(organisation=world.home)
    assert parse_policy(first.text) == default_policy()

    # A new criterion, added with the "Add a criterion" button (a post back, no script), then filled in.
    added = _editor(client).submit(client, button="Add a criterion")
    page = added.content.decode()  # type: ignore[attr-defined]
    assert 'name="criteria-12-kind"' in page and "error-summary" not in page
    form = _editor(client, added).fill(
        **{"criteria-12-kind": "age_at_least", "criteria-12-age": "80", "criteria-12-points": "3"}
    )
    assert _preview_then_save(client, form).status_code == 302  # type: ignore[attr-defined]
    second = parse_policy(PolicyVersion.objects.get(organisation=world.home, version=2).text)
    assert second.criteria[:-1] == default_policy().criteria
    assert (second.criteria[-1].kind, second.criteria[-1].age, second.criteria[-1].points) == ("age_at_least", 80, 3)

    # And it shows words: the page names the vulnerability, the kind of criterion, not their codes only.
    page = client.get(PAGE).content.decode()
    assert "Urgent medical need" in page and "Someone is at least this old" in page


def test_a_problem_is_shown_on_its_field_in_spanish(world: World) -> None:
    client = signed_in(world.users[Role.ORG_ADMIN])
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "es"
    form = _editor(client)
    elderly = _row(form, "criteria", kind="age_at_least")
    form.fill(**{f"criteria-{elderly}-age": ""})
    page = form.submit(client, value="1").content.decode()  # type: ignore[attr-defined]
    assert "Debe ser un número entero de al menos 0." in page
    assert f'href="#id_criteria-{elderly}-age"' in page  # the summary links to the field
    assert "Must be" not in page and "If you save" not in page
    assert not PolicyVersion.objects.exists()


def _household(world: World, *vulnerabilities: str) -> None:
    member = {
        "given_names": "Prueba",
        "first_family_name": "Sintética",
        "date_of_birth": "1996-05-01",
        "relationship_to_head": "head",
        "vulnerabilities": list(vulnerabilities),
    }
    create_household(
        Actor(world.users[Role.CASEWORKER], "system"),
        organisation_id=world.home.id,
        data={"current_city": "Tijuana", "preferred_language": "es"},
        members=[member],
    )


def test_the_preview_counts_who_changes_tier_and_writes_nothing(world: World) -> None:
    # world.own: a single caregiver (8 points, priority 9, tier 3). Three more households of the organisation:
    _household(world)  # nothing: priority 1, tier 4
    _household(world, "pregnant")  # 13: tier 2
    _household(world, "disability")  # 9: tier 3
    client = signed_in(world.users[Role.ORG_ADMIN])
    form = _editor(client)
    # Tier 3 from 10 instead of 5 (world.own falls to tier 4); disability 20 points (to priority 21, tier 2).
    form.fill(**{f"tiers-{_row(form, 'tiers', tier='3')}-min_priority": "10"})
    form.fill(**{f"criteria-{_row(form, 'criteria', vulnerability='disability')}-points": "20"})
    writes = (AuditEvent.objects.count(), list(TriageScore.objects.values_list("tier", "priority", "computed_at")))
    page = form.submit(client, button="Preview the effect").content.decode()  # type: ignore[attr-defined]
    assert writes == (
        AuditEvent.objects.count(),
        list(TriageScore.objects.values_list("tier", "priority", "computed_at")),
    )
    assert not PolicyVersion.objects.exists()

    def figure(label: str) -> str:
        return page.split(f"<dt>{label}</dt><dd>", 1)[1].split("<", 1)[0]

    assert [figure(w) for w in ("Households", "Move to a more urgent tier", "Move to a less urgent tier")] == [
        "4",
        "1",
        "1",
    ]
    assert figure("Stay in the same tier") == "2"
    rows = page.split("Households per tier", 1)[1].split("</tbody>", 1)[0]
    counts = [cell.split("</td>", 1)[0] for cell in rows.split("<td>")[1:]]
    assert counts == ["0", "0", "1", "2", "2", "0", "1", "2"]  # tiers 1 to 4: now, with this policy


def test_only_the_organisations_admins_save(world: World) -> None:
    admin = signed_in(world.users[Role.ORG_ADMIN])
    filled = _editor(admin)
    for role in (Role.CASEWORKER, Role.ATTORNEY, Role.ANALYST):
        other = signed_in(world.users[role])
        assert filled.submit(other, button="Preview the effect").status_code == 404  # type: ignore[attr-defined]
        with pytest.raises(PermissionDenied):
            save_edited_policy(
                Actor(world.users[role], "web"), organisation_id=world.home.id, text=default_policy_text(), based_on=0
            )
    assert not PolicyVersion.objects.exists()


def test_a_version_saved_meanwhile_is_not_overwritten(world: World) -> None:
    client = signed_in(world.users[Role.ORG_ADMIN])
    form = _editor(client)  # filled from the default policy (no version yet)
    previewed = _editor(client, form.submit(client, button="Preview the effect"))
    admin = Actor(world.users[Role.ORG_ADMIN], "web")
    services.save_policy(admin, organisation_id=world.home.id, text=default_policy_text(), note="someone else")
    answer = previewed.submit(client, button="Save a new version")
    assert answer.status_code == 200  # type: ignore[attr-defined]
    assert "Someone saved a new version of this policy" in answer.content.decode()  # type: ignore[attr-defined]
    assert PolicyVersion.objects.filter(organisation=world.home).count() == 1
    with pytest.raises(VersionConflict):
        save_edited_policy(admin, organisation_id=world.home.id, text=default_policy_text(), based_on=0)
    assert save_edited_policy(admin, organisation_id=world.home.id, text=default_policy_text(), based_on=1).version == 2
