"""POST /api/v1/registrations: public, idempotent with Idempotency-Key, errors in the caller's language."""

from __future__ import annotations

import json
import threading

import pytest
from django.db import connection
from django.test import Client

from refugio.accounts.models import Organisation
from refugio.audit.models import AuditEvent
from refugio.people.models import Consent, Household
from refugio.registration.models import AcceptedRegistration

from .conftest import pg_only

BODY = {
    "current_city": "Tijuana",
    "contact_phone": "+52 664 123 4567",
    "consent": True,
    "members": [
        {
            "given_names": "Rosa",
            "first_family_name": "Tzoc",
            "second_family_name": "Xiloj",
            "relationship_to_head": "head",
            "date_of_birth": "1992",
            "date_of_birth_estimated": True,
            "languages": ["mam", "es"],
            "vulnerabilities": ["single_caregiver"],
        },
        {
            "given_names": "Luis",
            "first_family_name": "Tzoc",
            "relationship_to_head": "child",
            "date_of_birth": "2019-04",
        },
    ],
}


def _post(body: object, key: str | None = None, language: str = "es") -> object:
    headers = {"HTTP_ACCEPT_LANGUAGE": language}
    if key:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return Client().post("/api/v1/registrations", data=json.dumps(body), content_type="application/json", **headers)


@pytest.fixture
def intake(db: object) -> Organisation:
    return Organisation.objects.create(name="Intake Legal Aid", kind="legal_aid", public_intake=True)


def test_register_without_an_account(intake: Organisation) -> None:
    response = _post(BODY)
    assert response.status_code == 201
    answer = response.json()
    household = Household.objects.get(id=answer["household_id"])
    assert answer["registration_code"] == household.display_code and household.owner == intake
    assert household.members.count() == 2 and household.preferred_language == "es"
    assert Consent.objects.get(household=household).method == "online"
    assert AuditEvent.objects.filter(object_id=str(household.id), actor_name="(public)").exists()


def test_same_key_same_request_returns_the_same_answer_and_creates_nothing(intake: Organisation) -> None:
    first = _post(BODY, key="k-123")
    second = _post(BODY, key="k-123")
    assert second.status_code == 201 and second.json() == first.json()
    assert Household.objects.count() == 1 and AcceptedRegistration.objects.count() == 1
    other = _post({**BODY, "current_city": "Mexicali"}, key="k-123")
    assert other.status_code == 409 and other.json()["code"] == "idempotency_conflict"
    assert Household.objects.count() == 1


def test_invalid_registration_in_spanish_stores_nothing(intake: Organisation) -> None:
    body = {**BODY, "members": [{**BODY["members"][0], "a_number": "12", "date_of_birth": "2099"}]}
    response = _post(body, key="k-bad")
    assert response.status_code == 422
    fields = response.json()["fields"]
    assert fields["members.0.a_number"] == "El número A es la letra A seguida de 8 o 9 dígitos."
    assert fields["members.0.date_of_birth"] == "La fecha de nacimiento debe estar entre 1900 y hoy."
    assert Household.objects.count() == 0 and AcceptedRegistration.objects.count() == 0
    assert _post(BODY, key="k-bad").status_code == 201  # a corrected retry with the same key goes through


def test_consent_is_required(intake: Organisation) -> None:
    response = _post({**BODY, "consent": False}, language="en")
    assert response.status_code == 422 and "consent" in response.json()["fields"]
    assert Household.objects.count() == 0


def test_closed_without_an_intake_organisation(db: object) -> None:
    response = _post(BODY)
    assert response.status_code == 503 and response.json()["code"] == "closed"


@pg_only()
@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_create_one_household() -> None:
    Organisation.objects.create(name="Intake", kind="legal_aid", public_intake=True)
    answers: list[object] = []

    def retry() -> None:
        answers.append(_post(BODY, key="same-key").json())
        connection.close()

    threads = [threading.Thread(target=retry) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Household.objects.count() == 1
    assert len({a["household_id"] for a in answers}) == 1
