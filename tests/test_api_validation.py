"""Bad input gets a clear 4xx error in the caller's language, never a 500, and nothing half-written."""

from __future__ import annotations

import json

import pytest

from refugio.accounts.models import Role
from refugio.audit.models import AuditEvent
from refugio.people.models import Household, Person
from refugio.people.registration_code import ALPHABET, check_character, display, new_code, normalise

from .conftest import World

GOOD_HEAD = {"given_names": "Luis", "first_family_name": "Cruz", "relationship_to_head": "head"}


def _post(world: World, body: object, **headers: str):  # noqa: ANN202
    return world.client(Role.CASEWORKER).post(
        "/api/v1/households", data=json.dumps(body), content_type="application/json", **headers
    )


def test_invalid_household_lists_every_field_and_stores_nothing(world: World) -> None:
    households, people, events = Household.objects.count(), Person.objects.count(), AuditEvent.objects.count()
    body = {
        "current_city": "",
        "contact_phone": "12",
        "members": [
            GOOD_HEAD,
            {
                "given_names": "Ana",
                "first_family_name": "Cruz",
                "relationship_to_head": "head",
                "a_number": "B123",
                "date_of_birth": "2031-02-30",
                "vulnerabilities": ["brave"],
            },
        ],
    }
    response = _post(world, body)
    assert response.status_code == 422
    payload = response.json()
    assert payload["code"] == "invalid"
    assert set(payload["fields"]) >= {
        "current_city",
        "contact_phone",
        "members.1.a_number",
        "members.1.date_of_birth",
        "members.1.vulnerabilities",
        "members",
    }
    assert (Household.objects.count(), Person.objects.count(), AuditEvent.objects.count()) == (
        households,
        people,
        events,
    )


def test_errors_in_the_callers_language(world: World) -> None:
    body = {"current_city": "Tijuana", "members": [{**GOOD_HEAD, "a_number": "123"}]}
    spanish = _post(world, body, HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9").json()
    assert spanish["message"] == "Algunos campos no son válidos."
    assert spanish["fields"]["members.0.a_number"] == "El número A es la letra A seguida de 8 o 9 dígitos."
    english = _post(world, body, HTTP_ACCEPT_LANGUAGE="en").json()
    assert english["fields"]["members.0.a_number"] == "An A-number is the letter A followed by 8 or 9 digits."
    french = _post(world, {"members": [GOOD_HEAD]}, HTTP_ACCEPT_LANGUAGE="fr").json()
    assert french["fields"]["current_city"] == "Ce champ est obligatoire."
    creole = _post(world, {"members": [GOOD_HEAD]}, HTTP_ACCEPT_LANGUAGE="ht").json()
    assert creole["fields"]["current_city"] == "Ou dwe ranpli chan sa a."


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        "[]",
        "null",
        "42",
        {"members": "everyone"},
        {"members": [None]},
        {"members": [{"sex": 5}]},
        {"current_city": ["a"]},
        {"current_city": "x" * 5000, "members": [GOOD_HEAD]},
        {"unknown": 1},
        {"current_city": "T", "members": [{**GOOD_HEAD, "languages": "es;ht"}]},
        {"current_city": "T", "members": [{**GOOD_HEAD, "next_hearing_date": "tomorrow"}]},
        {"current_city": "T", "members": [{**GOOD_HEAD, "date_of_birth": "99999"}]},
        {"current_city": "T", "organisation_id": 999999, "members": [GOOD_HEAD]},
        {"current_city": "T", "members": [{**GOOD_HEAD, "given_names": "\x00"}]},
    ],
)
def test_bad_bodies_get_4xx_with_the_error_format(world: World, body: object) -> None:
    client = world.client(Role.CASEWORKER)
    data = body if isinstance(body, str) else json.dumps(body)
    response = client.post("/api/v1/households", data=data, content_type="application/json")
    assert 400 <= response.status_code < 500, response.content
    assert set(response.json()) == {"code", "message", "fields"}


@pytest.mark.parametrize(
    "query",
    [
        {"page": "0"},
        {"page": "x"},
        {"page_size": "100000"},
        {"hearing_from": "someday"},
        {"q": "'; DROP TABLE x"},
        {"vulnerability": "<script>"},
        {"court": "\x00"},
        {"q": "Ana\x00"},
        {"city": "\x00"},
        {"status": "\x00"},
    ],
)
def test_bad_queries_never_500(world: World, query: dict[str, str]) -> None:
    response = world.client(Role.CASEWORKER).get("/api/v1/households", query)
    assert response.status_code in {200, 422}
    if response.status_code == 422:
        assert response.json()["code"] == "invalid"


def test_filters(world: World) -> None:
    client = world.client(Role.CASEWORKER)

    def ids(**query: str) -> set[str]:
        return {h["id"] for h in client.get("/api/v1/households", query).json()["items"]}

    both = {str(world.own.id), str(world.shared.id)}
    assert ids(city="ciudad juárez") == {str(world.own.id)}
    assert ids(court="ELP") == both
    assert ids(court="SDI") == set()
    assert ids(hearing_from="2027-01-01", hearing_to="2027-03-01") == both
    assert ids(hearing_from="2027-03-01") == set()
    assert ids(vulnerability="single_caregiver") == both
    assert ids(vulnerability="pregnant") == set()
    assert ids(q="hernandez lopez maria") == both  # accents and order do not matter
    assert ids(q=world.own.display_code.lower()) == {str(world.own.id)}


def test_partial_dates_and_normalised_identifiers(world: World) -> None:
    body = {
        "current_city": "Tijuana",
        "contact_phone": "664 123 4567",
        "members": [
            {**GOOD_HEAD, "date_of_birth": "1985-07", "a_number": "a-20855512"},
            {
                "given_names": "Rosa",
                "first_family_name": "Cruz",
                "relationship_to_head": "child",
                "date_of_birth": "2015",
                "date_of_birth_estimated": True,
            },
        ],
    }
    created = _post(world, body).json()
    head, child = created["members"]
    assert head["date_of_birth"] == "1985-07" and head["a_number"] == "A020855512"
    assert child["date_of_birth"] == "2015" and child["date_of_birth_estimated"] is True
    assert created["contact_phone"] == "+526641234567"


def test_stale_version_is_a_409_and_changes_nothing(world: World) -> None:
    client = world.client(Role.CASEWORKER)
    url = f"/api/v1/households/{world.own.id}"
    version = client.get(url).json()["version"]
    ok = client.patch(url, data={"notes": "first", "version": version}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["version"] == version + 1
    stale = client.patch(url, data={"notes": "second", "version": version}, content_type="application/json")
    assert stale.status_code == 409 and stale.json()["code"] == "conflict"
    assert client.get(url).json()["notes"] == "first"


def test_only_one_head(world: World) -> None:
    client = world.client(Role.CASEWORKER)
    response = client.post(
        f"/api/v1/households/{world.own.id}/persons", data=GOOD_HEAD, content_type="application/json"
    )
    assert response.status_code == 422 and "relationship_to_head" in response.json()["fields"]


def test_registration_codes_catch_typos() -> None:
    swaps = caught_swaps = 0
    for _ in range(300):
        code = new_code()
        assert normalise(display(code).lower()) == code
        for position in range(len(code)):  # every single mistyped character is caught
            for char in ALPHABET:
                if char != code[position]:
                    assert normalise(code[:position] + char + code[position + 1 :]) is None
        for position in range(len(code) - 1):  # most swaps of neighbours are caught
            swapped = code[:position] + code[position + 1] + code[position] + code[position + 2 :]
            if swapped != code:
                swaps += 1
                caught_swaps += normalise(swapped) is None
    assert caught_swaps / swaps > 0.95
    assert normalise("O0I1-LLLL-U") is None
    assert check_character("23456789") in ALPHABET


def test_openapi_schema_is_served(world: World) -> None:
    schema = world.client(Role.CASEWORKER).get("/api/v1/openapi.json").json()
    assert "/api/v1/households" in schema["paths"] and "/api/v1/persons/{person_id}" in schema["paths"]


def test_nul_in_sharing_purpose_is_refused(world: World) -> None:
    response = world.client(Role.CASEWORKER).post(
        f"/api/v1/households/{world.own.id}/grants",
        data={"organisation_id": world.partner.id, "purpose": "shelter\x00", "expires_at": "2030-01-01T00:00:00Z"},
        content_type="application/json",
    )
    assert response.status_code == 422 and "purpose" in response.json()["fields"]


def test_households_are_never_shared_with_an_agency(world: World) -> None:
    response = world.client(Role.CASEWORKER).post(
        f"/api/v1/households/{world.own.id}/grants",
        data={"organisation_id": world.agency.id, "purpose": "entry", "expires_at": "2030-01-01T00:00:00Z"},
        content_type="application/json",
    )
    assert response.status_code == 422 and "escalation" in response.json()["fields"]["organisation_id"]


def test_person_list_filters(world: World) -> None:
    client = world.client(Role.CASEWORKER)

    def names(**query: str) -> list[str]:
        return sorted(p["full_name"] for p in client.get("/api/v1/persons", query).json()["items"])

    assert names(vulnerability="single_caregiver") == ["María José Hernández López"] * 2
    assert names(city="Tijuana", q="ana") == ["Ana Hernández"]
    assert names(hearing_from="2027-01-01", court="ELP") == ["María José Hernández López"] * 2
    assert names(q="A123456789") == ["María José Hernández López"] * 2
    assert client.get("/api/v1/persons", {"court": "nope"}).status_code == 422
    page = client.get("/api/v1/persons", {"page_size": 1, "page": 2}).json()
    assert page["count"] == 4 and len(page["items"]) == 1
