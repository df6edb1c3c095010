"""The messages API: GET a household's messages with their events, POST one; enums in OpenAPI."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from refugio.accounts.models import Role
from refugio.audit.models import AuditEvent
from refugio.messaging import services
from refugio.messaging.models import LocalOutbox, Message, OptOut
from refugio.people.models import Household
from tests.conftest import World, api_client, new_household


@pytest.fixture
def household(world: World) -> Household:
    return new_household(world.users[Role.CASEWORKER], world.home, contact_phone="+52 656 100 0004")


def _post(client: Client, household: Household, body: dict[str, Any]) -> Any:  # noqa: ANN401
    return client.post(f"/api/v1/households/{household.id}/messages", body, content_type="application/json")


def test_post_queues_and_get_lists_with_events(
    world: World, household: Household, django_capture_on_commit_callbacks: Any
) -> None:  # noqa: ANN401
    client = world.client(Role.CASEWORKER)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, household, {"template": "notice", "params": {"notice": "bring_documents"}})
    assert response.status_code == 201, response.content
    made = response.json()
    assert set(made) == {"id", "channel", "template", "language", "status", "events"}
    assert made["template"] == "notice" and made["channel"] == "sms" and made["language"] == "es"
    assert [e["status"] for e in made["events"]] == ["queued"]
    assert LocalOutbox.objects.count() == 1  # sent by the worker after the commit
    message = Message.objects.get(pk=made["id"])
    services.simulate_status(message, "delivered")
    listed = client.get(f"/api/v1/households/{household.id}/messages").json()
    assert len(listed) == 1 and listed[0]["status"] == "delivered"
    assert [e["status"] for e in listed[0]["events"]] == ["queued", "sending", "wired", "delivered"]
    assert set(listed[0]["events"][0]) == {"status", "at", "provider_code"}
    assert "to" not in listed[0] and "body" not in listed[0]
    read = AuditEvent.objects.filter(action="read", object_type="message", object_id=str(message.id)).latest("id")
    assert sorted(read.fields) == sorted(["channel", "template", "language", "status", "events"])


def test_opted_out_household_is_recorded_opted_out(world: World, household: Household) -> None:
    OptOut.objects.create(household=household, keyword="BAJA", channel="sms", language="es")
    response = _post(world.client(Role.CASEWORKER), household, {"template": "callback_ack"})
    assert response.status_code == 201 and response.json()["status"] == "opted_out"
    assert LocalOutbox.objects.count() == 0


def test_post_validates_template_channel_and_params(world: World, household: Household) -> None:
    client = world.client(Role.CASEWORKER)
    assert _post(client, household, {"template": "nope"}).status_code == 422
    assert _post(client, household, {"template": "opt_out_confirmation"}).status_code == 422  # Refugio's own
    assert _post(client, household, {"template": "entry_date"}).status_code == 422  # needs date and place
    assert _post(client, household, {"template": "callback_ack", "channel": "email"}).status_code == 422
    bad = _post(
        client, household, {"template": "entry_date", "params": {"date": "2026-12-03", "place": "Corte de Dallas"}}
    )
    assert bad.status_code == 422
    assert not Message.objects.exists()


def test_who_may_see_and_send(world: World, household: Household) -> None:
    assert world.foreign is not None
    caseworker = world.client(Role.CASEWORKER)
    assert caseworker.get(f"/api/v1/households/{world.foreign.id}/messages").status_code == 404
    assert _post(caseworker, world.foreign, {"template": "callback_ack"}).status_code == 404
    for role in (Role.AGENCY_LIAISON, Role.ANALYST):
        client = world.client(role)
        assert client.get(f"/api/v1/households/{household.id}/messages").status_code == 404
        assert _post(client, household, {"template": "callback_ack"}).status_code == 404
    attorney = world.client(Role.ATTORNEY)
    assert attorney.get(f"/api/v1/households/{household.id}/messages").status_code == 200
    assert _post(attorney, household, {"template": "callback_ack"}).status_code == 404  # reads, does not send
    assert world.shared is not None  # shared with home by a live grant
    assert caseworker.get(f"/api/v1/households/{world.shared.id}/messages").status_code == 200
    assert Client().get(f"/api/v1/households/{household.id}/messages").status_code == 401
    assert (
        api_client(world.users[Role.SHELTER_STAFF]).get(f"/api/v1/households/{household.id}/messages").status_code
        == 200
    )


def test_openapi_has_the_enums(world: World) -> None:
    schema = world.client(Role.CASEWORKER).get("/api/v1/openapi.json").json()
    parts = schema["components"]["schemas"]
    out = parts["HouseholdMessageOut"]["properties"]
    assert out["channel"]["enum"] == ["sms", "whatsapp", "email"]
    assert "opted_out" in out["status"]["enum"] and "delivered" in out["status"]["enum"]
    assert "placement_published" in out["template"]["enum"]
    assert parts["DeliveryEventOut"]["properties"]["status"]["enum"] == out["status"]["enum"]
    sendable = parts["HouseholdMessageIn"]["properties"]["template"]["enum"]
    assert "entry_date" in sendable and "opt_out_confirmation" not in sendable
    paths = schema["paths"]["/api/v1/households/{household_id}/messages"]
    assert set(paths) == {"get", "post"} and "201" in paths["post"]["responses"]
