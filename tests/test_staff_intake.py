"""Staff intake: POST /api/v1/intake/households (what the offline queue sends) and the /intake/ page without JS."""

from __future__ import annotations

import json
import re

from refugio.accounts.models import Role
from refugio.people.models import Household, Person
from tests.conftest import World, api_client
from tests.test_pages import signed_in

BODY = {
    "current_city": "Piedras Negras",
    "members": [
        {
            "given_names": "Esperanza",
            "first_family_name": "Loaiza",
            "date_of_birth": "1979",
            "relationship_to_head": "head",
        },
        {
            "given_names": "Iván",
            "first_family_name": "Loaiza",
            "date_of_birth": "2012-02",
            "relationship_to_head": "child",
        },
    ],
    "consent": True,
}


def _send(client: object, body: dict[str, object], key: str | None = "k-1", **headers: str) -> object:
    extra = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(  # type: ignore[attr-defined]
        "/api/v1/intake/households", json.dumps(body), content_type="application/json", **extra, **headers
    )


def test_the_same_submission_sent_twice_is_stored_once(world: World) -> None:
    client = api_client(world.users[Role.CASEWORKER])
    first = _send(client, BODY)
    again = _send(client, BODY)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    household = Household.objects.get(pk=first.json()["household_id"])
    assert household.owner_id == world.home.id and household.members.count() == 2
    assert household.consents.get().method == "verbal"
    assert Person.objects.filter(given_names="Esperanza").count() == 1
    changed = _send(client, {**BODY, "current_city": "Acuña"})
    assert changed.status_code == 409 and changed.json()["code"]


def test_keys_belong_to_one_caseworker(world: World) -> None:
    first = _send(api_client(world.users[Role.CASEWORKER]), BODY)
    other = _send(api_client(world.users[Role.ORG_ADMIN]), BODY)
    assert first.status_code == other.status_code == 201
    assert first.json()["household_id"] != other.json()["household_id"]


def test_consent_is_required_and_errors_are_in_the_callers_language(world: World) -> None:
    client = api_client(world.users[Role.CASEWORKER])
    response = _send(client, {**BODY, "consent": False}, HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 422 and "consentimiento" in response.json()["fields"]["consent"]
    bad = _send(client, {**BODY, "members": [{**BODY["members"][0], "date_of_birth": "1979-02-30"}]}, key="k-2")
    assert bad.status_code == 422 and bad.json()["fields"] == {"members.0.date_of_birth": "This date does not exist."}
    assert not Person.objects.filter(given_names="Esperanza").exists()


def test_another_organisation_cannot_be_chosen(world: World) -> None:
    response = _send(api_client(world.users[Role.CASEWORKER]), {**BODY, "organisation_id": world.stranger.id})
    assert response.status_code == 403
    assert not Household.objects.filter(owner=world.stranger, members__given_names="Esperanza").exists()


def test_roles_that_cannot_register_are_refused(world: World) -> None:
    for role in (Role.AGENCY_LIAISON, Role.ANALYST, Role.ATTORNEY):
        assert _send(api_client(world.users[role]), BODY).status_code == 403
    assert _send(__import__("django.test").test.Client(), BODY).status_code == 401


def test_page_without_javascript_registers_once_per_form(world: World) -> None:
    client = signed_in(world.users[Role.CASEWORKER])
    page = client.get("/intake/").content.decode()
    key = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', page).group(1)
    form = {
        "organisation_id": world.home.id,
        "idempotency_key": key,
        "consent": "on",
        "h-current_city": "Nogales",
        "h-preferred_language": "es",
        "m0-given_names": "Rubén",
        "m0-first_family_name": "Salas",
        "m0-relationship_to_head": "head",
        "m0-sex": "male",
        **{f"m{i}-relationship_to_head": "child" for i in range(1, 6)},
        **{f"m{i}-sex": "female" for i in range(1, 6)},
    }
    form.update({"m1-given_names": "Lía", "m1-first_family_name": "Salas", "m1-sex": "female"})
    first = client.post("/intake/", form)
    again = client.post("/intake/", form)
    assert first.status_code == again.status_code == 302 and first["Location"] == again["Location"]
    household = Person.objects.get(given_names="Rubén").household
    assert sorted(p.given_names for p in household.members.all()) == ["Lía", "Rubén"]


def test_page_shows_errors_next_to_the_field(world: World) -> None:
    client = signed_in(world.users[Role.CASEWORKER])
    response = client.post(
        "/intake/",
        {
            "organisation_id": world.home.id,
            "idempotency_key": "abc",
            "h-current_city": "Nogales",
            "h-preferred_language": "es",
            "m0-given_names": "Rubén",
            "m0-first_family_name": "Salas",
            "m0-relationship_to_head": "head",
            "m0-a_number": "123",
        },
    )
    text = response.content.decode()
    assert response.status_code == 200 and "An A-number is the letter A" in text and "consent" in text
    assert not Person.objects.filter(given_names="Rubén").exists()


def test_intake_page_and_service_worker(world: World) -> None:
    assert signed_in(world.users[Role.AGENCY_LIAISON]).get("/intake/").status_code == 404
    worker = signed_in(world.users[Role.CASEWORKER]).get("/intake/sw.js")
    assert worker.status_code == 200 and worker["Content-Type"].startswith("text/javascript")
    assert "/intake/" in worker.content.decode()
