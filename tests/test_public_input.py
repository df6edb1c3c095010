"""What anonymous people can send: POST /api/v1/registrations and /register/ (issue 11).

Only a registrant's own fields, a bounded household and body, a rate per client and overall, clean
names and digits, and exactly one head.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.utils import translation
from django_ratelimit.core import _split_rate

from refugio.accounts.models import Organisation
from refugio.core.errors import ValidationFailed
from refugio.people.models import Household, Person
from refugio.people.services import check_household
from refugio.people.validation import a_number_index
from tests.conftest import World, api_client
from tests.test_register_form import COURT, HEAD, PLACE, Visitor

HEAD_PERSON = {"given_names": "Rosa", "first_family_name": "Tzoc", "relationship_to_head": "head"}
CHILD_PERSON = {"given_names": "Luis", "first_family_name": "Tzoc", "relationship_to_head": "child"}
BODY: dict[str, Any] = {"current_city": "Tijuana", "consent": True, "members": [HEAD_PERSON, CHILD_PERSON]}


def _post(body: object, ip: str = "10.2.0.1", language: str = "en", raw: str | None = None) -> Any:  # noqa: ANN401
    return Client(REMOTE_ADDR=ip).post(
        "/api/v1/registrations",
        data=raw if raw is not None else json.dumps(body),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE=language,
    )


def _with(**members: dict[str, Any]) -> dict[str, Any]:
    """BODY with the head's fields changed."""
    return {**BODY, "members": [{**HEAD_PERSON, **members.get("head", {})}, CHILD_PERSON]}


@pytest.fixture
def intake(db: object) -> Organisation:
    return Organisation.objects.create(name="Intake Legal Aid", kind="legal_aid", public_intake=True)


# 1. The public API has its own schemas: a registrant's fields only.


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"notes": "VIP, skip the queue"}, "notes"),
        ({"status": "scheduled"}, "status"),
        ({"ready_on": "2025-01-01"}, "ready_on"),
        ({"organisation_id": 1}, "organisation_id"),
        ({"members": [{**HEAD_PERSON, "notes": "x"}]}, "members.0.notes"),
        ({"members": [{**HEAD_PERSON, "narrative": "x"}]}, "members.0.narrative"),
        ({"members": [{**HEAD_PERSON, "arrival_date": "2024-01-01"}]}, "members.0.arrival_date"),
    ],
)
def test_staff_fields_cannot_be_set_by_the_public(intake: Organisation, extra: dict[str, Any], field: str) -> None:
    response = _post({**BODY, **extra})
    assert response.status_code == 422, response.content
    assert response.json()["fields"] == {field: "Unknown field."}
    assert Household.objects.count() == 0


def test_the_staff_api_still_takes_notes(world: World) -> None:
    body = {**BODY, "notes": "Seen at the shelter", "members": [{**HEAD_PERSON, "narrative": "Fled threats."}]}
    response = api_client(world.users["caseworker"]).post(
        "/api/v1/intake/households", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    assert Household.objects.get(id=response.json()["household_id"]).notes == "Seen at the shelter"


def test_public_choices_are_enums_in_the_openapi_description(db: object) -> None:
    spec = Client().get("/api/v1/openapi.json").json()
    operation = spec["paths"]["/api/v1/registrations"]["post"]
    ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    schemas = spec["components"]["schemas"]
    household = schemas[ref]
    person = schemas[household["properties"]["members"]["items"]["$ref"].rsplit("/", 1)[1]]

    def enum(prop: dict[str, Any]) -> list[str]:
        options = prop.get("anyOf", [prop])
        return next(o.get("enum") or o.get("items", {}).get("enum") for o in options if o.get("type") != "null")

    assert "head" in enum(person["properties"]["relationship_to_head"])
    assert "female" in enum(person["properties"]["sex"])
    assert "HN" in enum(person["properties"]["nationality"])
    assert "pregnant" in enum(person["properties"]["vulnerabilities"])
    assert "BRO" in enum(person["properties"]["immigration_court"])
    assert "es" in enum(household["properties"]["preferred_language"])
    assert not {"notes", "status", "ready_on", "organisation_id"} & set(household["properties"])
    assert not {"notes", "narrative", "arrival_date"} & set(person["properties"])
    assert household.get("additionalProperties") is False and person.get("additionalProperties") is False
    assert {"413", "429"} <= set(operation["responses"])


def test_a_choice_outside_the_list_is_refused(intake: Organisation) -> None:
    response = _post(_with(head={"relationship_to_head": "boss"}))
    assert response.status_code == 422
    assert response.json()["fields"] == {"members.0.relationship_to_head": "boss is not one of the allowed values."}


def test_an_age_becomes_an_estimated_year_of_birth(intake: Organisation) -> None:
    response = _post(_with(head={"age": 30}))
    assert response.status_code == 201, response.content
    head = Person.objects.get(relationship_to_head="head")
    assert head.birth_year is not None and head.birth_date_estimated and head.birth_month is None
    both = _post(_with(head={"age": 30, "date_of_birth": "1990"}), ip="10.2.0.2")
    assert both.status_code == 422
    assert both.json()["fields"] == {"members.0.age": "Give the date of birth or the age, not both."}


# 2. Bounded households and bodies.


def test_too_many_members_is_refused_on_the_public_api(intake: Organisation) -> None:
    limit = settings.REFUGIO_MAX_HOUSEHOLD_MEMBERS
    assert limit == 20
    members = [HEAD_PERSON, *[dict(CHILD_PERSON, given_names=f"Luis {i}") for i in range(limit)]]
    response = _post({**BODY, "members": members})
    assert response.status_code == 422
    assert response.json()["fields"] == {"members": "A household can have at most 20 people."}
    assert _post({**BODY, "members": members[:limit]}, ip="10.2.0.3").status_code == 201
    assert Household.objects.get().members.count() == limit


@override_settings(REFUGIO_MAX_HOUSEHOLD_MEMBERS=2)
def test_the_member_limit_applies_to_staff_intake(world: World) -> None:
    body = {**BODY, "members": [HEAD_PERSON, CHILD_PERSON, dict(CHILD_PERSON, given_names="Eva")]}
    response = api_client(world.users["caseworker"]).post(
        "/api/v1/intake/households", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["fields"]["members"] == "A household can have at most 2 people."


def test_a_body_over_64_kb_is_refused_before_it_is_read(intake: Organisation) -> None:
    response = _post(_with(head={"given_names": "R" * 70_000}))
    assert response.status_code == 413
    assert response.json() == {
        "code": "too_large",
        "message": "This registration is too large to send (at most 64 KB).",
        "fields": {},
    }
    assert Household.objects.count() == 0


def test_overlong_names_are_refused_with_the_limit(intake: Organisation) -> None:
    response = _post(_with(head={"given_names": "R" * 151}))
    assert response.status_code == 422
    assert response.json()["fields"] == {"members.0.given_names": "Use at most 150 characters."}


# 3. Rate limits: per client address and overall.


@override_settings(REFUGIO_REGISTRATIONS_PER_CLIENT="3/h")
def test_public_api_is_limited_per_client(intake: Organisation) -> None:
    for _attempt in range(3):
        assert _post(BODY, ip="10.3.0.1").status_code == 201
    limited = _post(BODY, ip="10.3.0.1")
    assert limited.status_code == 429
    answer = limited.json()
    assert answer["code"] == "rate_limited" and answer["fields"] == {}
    assert answer["message"].startswith("Too many registrations were sent from this connection.")
    assert 0 < int(limited["Retry-After"]) <= 3600
    assert _post(BODY, ip="10.3.0.2").status_code == 201  # another address is not affected
    assert Household.objects.count() == 4


@override_settings(REFUGIO_REGISTRATIONS_PER_CLIENT="2/h")
def test_ipv6_clients_are_counted_per_64(intake: Organisation) -> None:
    assert _post(BODY, ip="2001:db8:1:2::1").status_code == 201
    assert _post(BODY, ip="2001:db8:1:2::ffff").status_code == 201
    assert _post(BODY, ip="2001:db8:1:2:abcd::7").status_code == 429
    assert _post(BODY, ip="2001:db8:1:3::1").status_code == 201


@override_settings(REFUGIO_REGISTRATIONS_PER_CLIENT="1/h", REFUGIO_REGISTRATION_GLOBAL_RATE="3/h")
def test_public_api_has_a_global_limit_that_one_client_cannot_use_up(intake: Organisation) -> None:
    assert _post(BODY, ip="10.4.0.1").status_code == 201
    for _attempt in range(5):  # one address hammering: refused, and not counted against everyone
        assert _post(BODY, ip="10.4.0.1").status_code == 429
    assert _post(BODY, ip="10.4.0.2").status_code == 201
    assert _post(BODY, ip="10.4.0.3").status_code == 201
    everyone = _post(BODY, ip="10.4.0.4")
    assert everyone.status_code == 429 and int(everyone["Retry-After"]) > 0
    assert everyone.json()["message"] == (
        "Very many people are registering at this moment. Please try again in a minute."
    )


def test_default_limits_allow_a_surge_and_a_shared_shelter_connection() -> None:
    count, seconds = _split_rate(settings.REFUGIO_REGISTRATION_GLOBAL_RATE)
    assert count / seconds >= 200  # a surge of 200 registrations a second is never capped
    count, seconds = _split_rate(settings.REFUGIO_REGISTRATIONS_PER_CLIENT)
    assert count >= 10 and count / seconds * 60 >= 2  # several families a minute behind one address


@override_settings(REFUGIO_REGISTRATIONS_PER_CLIENT="1/h")
def test_register_form_is_limited_per_client_with_a_page_in_the_language(intake: Organisation) -> None:
    first = _complete_form(Visitor("en"))
    first.post({"consent": "on"})
    assert first.page.status_code == 302
    second = _complete_form(Visitor("en"))
    second.post({"consent": "on"})
    assert second.page.status_code == 429 and int(second.page["Retry-After"]) > 0
    assert "Too many registrations were sent from this connection." in second.html
    assert second.field("step") == "consent"  # what was typed is still there, to send later
    assert Household.objects.count() == 1


# 4. Clean names, digits and text on every path.


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("Ana\u202eorraB", "This text contains invisible characters that change its direction. Remove them."),
        ("\u2067Ana\u2069", "This text contains invisible characters that change its direction. Remove them."),
        ("Ana\u200f", "This text contains invisible characters that change its direction. Remove them."),
        ("\u0301Ana", "An accent or mark here is not attached to a letter. Remove it."),
        ("Ana \u0301", "An accent or mark here is not attached to a letter. Remove it."),
        ("A" + "\u0301\u0302\u0303\u0304\u0306\u0307", "Too many accents or marks on one letter. Remove them."),
        ("Ma\u200bria", "This text contains invisible characters. Remove them."),
        ("Ana\x1b[31m", "This text contains invisible control characters. Remove them."),
    ],
)
def test_names_refuse_invisible_and_stray_characters(intake: Organisation, name: str, message: str) -> None:
    response = _post(_with(head={"given_names": name}))
    assert response.status_code == 422
    assert response.json()["fields"] == {"members.0.given_names": message}


def test_names_are_stored_composed_and_real_scripts_pass(intake: Organisation) -> None:
    response = _post(_with(head={"given_names": "Jose\u0301", "first_family_name": "محمد"}))
    assert response.status_code == 201, response.content
    head = Person.objects.get(relationship_to_head="head")
    assert head.given_names == "Jos\u00e9" and len(head.given_names) == 4
    assert head.first_family_name == "محمد"


def test_digits_of_other_scripts_are_read_as_ascii(intake: Organisation) -> None:
    response = _post(
        _with(
            head={
                "date_of_birth": "١٩٩٠-٠٣-١٢",  # Arabic-Indic
                "a_number": "A۱۲۳۴۵۶۷۸۹",  # Eastern Arabic-Indic
                "next_hearing_date": "२०२७-०२-०१",  # Devanagari
            }
        )
    )
    assert response.status_code == 201, response.content
    head = Person.objects.get(relationship_to_head="head")
    assert (head.birth_year, head.birth_month, head.birth_day) == (1990, 3, 12)
    assert head.a_number == "A123456789" and head.a_number_index == a_number_index("A123456789")
    assert head.next_hearing_date.isoformat() == "2027-02-01"


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        (
            '{"current_city": "Tijuana", "consent": true, "members": [{"given_names": "R\\ud800", '
            '"first_family_name": "T", "relationship_to_head": "head"}]}',
            "members.0.given_names",
        ),
        (
            '{"current_city": "T\\udfff", "consent": true, "members": [{"given_names": "R", '
            '"first_family_name": "T", "relationship_to_head": "head"}]}',
            "current_city",
        ),
    ],
)
def test_lone_surrogates_in_json_are_a_422_not_a_500(intake: Organisation, raw: str, field: str) -> None:
    response = _post(None, raw=raw)
    assert response.status_code == 422, response.content
    assert field in response.json()["fields"]
    assert Household.objects.count() == 0


def test_lone_surrogates_are_refused_on_every_path_not_only_json() -> None:
    """CSV and XLSX imports and the forms reach the same rules without the API's JSON parser."""
    person = {"given_names": "R\ud800", "first_family_name": "T", "relationship_to_head": "head"}
    household = {"current_city": "T\udfff", "notes": "x\ud800", "contact_phone": "+52\ud800"}
    with translation.override("en"), pytest.raises(ValidationFailed) as caught:
        check_household(household, [{**person, "narrative": "\ud800", "date_of_birth": "1990\ud800"}])
    invisible = "This text contains invisible control characters. Remove them."
    assert caught.value.fields == {
        "current_city": invisible,
        "notes": invisible,
        "contact_phone": invisible,
        "members.0.given_names": invisible,
        "members.0.narrative": invisible,
        "members.0.date_of_birth": invisible,
    }


def test_staff_text_refuses_direction_overrides(world: World) -> None:
    body = {**BODY, "notes": "Seen \u202eat night", "members": [{**HEAD_PERSON, "narrative": "abc\u202edef"}]}
    response = api_client(world.users["caseworker"]).post(
        "/api/v1/intake/households", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 422, response.content
    assert set(response.json()["fields"]) == {"notes", "members.0.narrative"}
    # Direction marks typed by right-to-left keyboards stay allowed in long text.
    body = {**BODY, "members": [{**HEAD_PERSON, "narrative": "هددوني\u200f في الطريق"}]}
    response = api_client(world.users["caseworker"]).post(
        "/api/v1/intake/households", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 201, response.content


def test_register_form_shows_a_direction_override_next_to_the_name(intake: Organisation) -> None:
    visitor = Visitor("en")
    visitor.post({**HEAD, "given_names": "Mar\u202eía"})
    assert visitor.field("step") == "head"
    assert "This text contains invisible characters that change its direction." in visitor.html


# 5. Exactly one head.


@pytest.mark.parametrize(
    ("relationships", "message"),
    [
        (["child", "spouse"], "Mark one member as the head of the household."),
        (["head", "head"], "A household has only one head."),
    ],
)
def test_public_api_needs_exactly_one_head(intake: Organisation, relationships: list[str], message: str) -> None:
    members = [dict(HEAD_PERSON, relationship_to_head=r, given_names=f"P{i}") for i, r in enumerate(relationships)]
    response = _post({**BODY, "members": members})
    assert response.status_code == 422
    assert response.json()["fields"] == {"members": message}
    assert Household.objects.count() == 0


def test_staff_intake_needs_a_head_too(world: World) -> None:
    body = {**BODY, "members": [CHILD_PERSON]}
    response = api_client(world.users["caseworker"]).post(
        "/api/v1/intake/households", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["fields"]["members"] == "Mark one member as the head of the household."


def test_register_form_makes_the_first_person_the_only_head(intake: Organisation) -> None:
    visitor = Visitor("en")
    visitor.post(HEAD)
    assert visitor.field("step") == "members"
    visitor.post({"given_names": "Ana", "first_family_name": "Hernández", "age": "6", "relationship_to_head": "head"})
    assert visitor.field("step") == "members" and "Select a valid choice" in visitor.html  # nobody else is head
    visitor.post({"given_names": "Ana", "first_family_name": "Hernández", "age": "6", "relationship_to_head": "child"})
    visitor.post({})
    for data in (PLACE, COURT, {}):
        visitor.post(data)
    assert visitor.field("step") == "consent", visitor.html
    visitor.post({"consent": "on"})
    assert visitor.page.status_code == 302
    heads = Person.objects.filter(relationship_to_head="head")
    assert [p.given_names for p in heads] == [HEAD["given_names"]]
    assert Person.objects.filter(relationship_to_head="child").count() == 1


@override_settings(REFUGIO_MAX_HOUSEHOLD_MEMBERS=2)
def test_register_form_stops_at_the_member_limit(intake: Organisation) -> None:
    visitor = Visitor("en")
    visitor.post(HEAD)
    child = {"given_names": "Ana", "first_family_name": "Hernández", "age": "6", "relationship_to_head": "child"}
    visitor.post(child, action="add")
    assert "Ana Hernández" in visitor.html and 'value="add"' not in visitor.html  # no room to add more
    visitor.post({**child, "given_names": "Eva"}, action="add")  # sent anyway
    assert "A household can have at most 2 people." in visitor.html
    assert "Eva Hernández" not in visitor.html


def _complete_form(visitor: Visitor) -> Visitor:
    for data in (HEAD, {}, PLACE, COURT, {}):
        visitor.post(data)
    assert visitor.field("step") == "consent", re.sub(r"\s+", " ", visitor.html)[:2000]
    return visitor
