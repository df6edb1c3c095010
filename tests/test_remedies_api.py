"""Remedies through the JSON API: removal orders with their motion-to-reopen deadline, motions (draft, file,
decide, the DOCX draft), MPP cases; errors in the caller's language; other organisations' cases are 404."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.test import Client
from django.utils import timezone
from docx import Document

from refugio.accounts.models import Role
from refugio.audit.models import AuditEvent
from refugio.people.models import Household, Person

from .conftest import World


def _head(household: Household) -> Person:
    return household.members.get(relationship_to_head="head")


def _order(client: Client, household: Household, **changes: object) -> dict:
    body = {
        "person_id": str(_head(household).id),
        "order_date": (timezone.localdate() - dt.timedelta(days=100)).isoformat(),
        "in_absentia": True,
        "reason": "exceptional_circumstances",
        **changes,
    }
    response = client.post(f"/api/v1/households/{household.id}/removal-orders", body, content_type="application/json")
    assert response.status_code == 201, response.content
    return response.json()


def _post(client: Client, url: str, body: dict | None = None) -> object:
    return client.post(url, body or {}, content_type="application/json")


# --- removal orders ---------------------------------------------------------------------------------------------


def test_recording_an_in_absentia_order_answers_its_deadline(world: World) -> None:
    client = world.client(Role.CASEWORKER)
    order_date = timezone.localdate() - dt.timedelta(days=100)
    made = _order(client, world.own, order_date=order_date.isoformat())
    deadline = made["motion_deadline"]
    assert deadline["due"] == (order_date + dt.timedelta(days=180)).isoformat()
    assert deadline["days_left"] == 80
    assert deadline["source"] == "INA §240(b)(5)(C)(i)" and deadline["automatic_stay"] is True
    assert made["court"] == "ELP"  # the person's court, since none was given
    assert made["reason"] == "exceptional_circumstances" and made["in_absentia"] is True
    listed = client.get(f"/api/v1/households/{world.own.id}/removal-orders").json()
    assert [o["id"] for o in listed] == [made["id"]]
    assert listed[0]["motion_deadline"]["days_left"] == 80


def test_lack_of_notice_has_no_deadline_and_an_order_in_presence_no_in_absentia_motion(world: World) -> None:
    client = world.client(Role.ATTORNEY)
    notice = _order(client, world.own, reason="lack_of_notice", court="SDI")
    assert notice["motion_deadline"]["due"] is None and notice["motion_deadline"]["days_left"] is None
    assert notice["motion_deadline"]["source"] == "INA §240(b)(5)(C)(ii)"
    assert "any time" in notice["motion_deadline"]["words"]
    present = _order(client, world.own, in_absentia=False, reason=None)
    assert present["reason"] == "" and present["motion_deadline"]["in_absentia_motion"] is False
    assert "90 days" in present["motion_deadline"]["words"]


def test_validation_errors_are_in_the_callers_language(world: World) -> None:
    client = world.client(Role.CASEWORKER)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "es"
    stranger = _head(world.foreign)
    response = client.post(
        f"/api/v1/households/{world.own.id}/removal-orders",
        {"person_id": str(stranger.id), "order_date": "12/01/2025", "in_absentia": True, "reason": "was_sick"},
        content_type="application/json",
    )
    assert response.status_code == 422
    body = response.json()
    assert body["message"] == "Algunos campos no son válidos."
    assert body["fields"]["order_date"] == "Escriba la fecha como AAAA-MM-DD."
    assert body["fields"]["reason"] == "was_sick no es uno de los valores permitidos."
    assert body["fields"]["person_id"] == "Elija a un miembro de este hogar."  # not a member: never linked
    missing = client.post(
        f"/api/v1/households/{world.own.id}/removal-orders",
        {"person_id": str(_head(world.own).id), "order_date": "2025-01-10"},
        content_type="application/json",
    )
    assert missing.status_code == 422 and missing.json()["fields"]["in_absentia"] == "Este campo es obligatorio."


def test_the_schema_lists_the_grounds_as_an_enum(world: World) -> None:
    spec = world.client(Role.CASEWORKER).get("/api/v1/openapi.json").json()
    schema = spec["components"]["schemas"]["RemovalOrderIn"]["properties"]["reason"]
    enums = [option.get("enum") for option in schema.get("anyOf", [schema]) if option.get("enum")]
    assert enums == [["exceptional_circumstances", "lack_of_notice", "in_custody"]]


def test_another_organisations_case_is_404_and_a_shared_one_is_visible(world: World) -> None:
    theirs = _order(world.client("stranger_caseworker"), world.foreign)
    client = world.client(Role.CASEWORKER)
    for url in (
        f"/api/v1/households/{world.foreign.id}/removal-orders",
        f"/api/v1/households/{world.foreign.id}/motions",
        f"/api/v1/households/{world.foreign.id}/mpp-cases",
        f"/api/v1/households/{uuid_like()}/removal-orders",
    ):
        assert client.get(url).status_code == 404, url
    assert (
        _post(
            client,
            f"/api/v1/households/{world.foreign.id}/removal-orders",
            {"person_id": str(_head(world.foreign).id), "order_date": "2025-01-10", "in_absentia": True},
        ).status_code
        == 404
    )
    assert _post(client, f"/api/v1/removal-orders/{theirs['id']}/motions").status_code == 404
    motion = _post(world.client("stranger_caseworker"), f"/api/v1/removal-orders/{theirs['id']}/motions").json()
    assert client.get(f"/api/v1/motions/{motion['id']}/draft.docx").status_code == 404
    assert _post(client, f"/api/v1/motions/{motion['id']}/file", {"filed_on": "2025-01-11"}).status_code == 404
    # The partner shared its case with home: home's staff see and record its orders.
    assert client.get(f"/api/v1/households/{world.shared.id}/removal-orders").status_code == 200
    _order(client, world.shared)
    # An agency liaison sees no case at all.
    assert world.client(Role.AGENCY_LIAISON).get(f"/api/v1/households/{world.own.id}/removal-orders").status_code == 404


def uuid_like() -> str:
    return "7d9f0b5e-0000-4000-8000-000000000000"


def test_shelter_staff_read_but_do_not_record(world: World) -> None:
    _order(world.client(Role.CASEWORKER), world.own)
    shelter = world.client(Role.SHELTER_STAFF)
    assert len(shelter.get(f"/api/v1/households/{world.own.id}/removal-orders").json()) == 1
    refused = _post(
        shelter,
        f"/api/v1/households/{world.own.id}/removal-orders",
        {"person_id": str(_head(world.own).id), "order_date": "2025-01-10", "in_absentia": True},
    )
    assert refused.status_code == 403


# --- motions ----------------------------------------------------------------------------------------------------


def test_a_motion_goes_drafted_filed_granted_and_illegal_moves_are_409(world: World) -> None:
    client = world.client(Role.ATTORNEY)
    order = _order(client, world.own)
    drafted = _post(client, f"/api/v1/removal-orders/{order['id']}/motions")
    assert drafted.status_code == 201 and drafted.json()["status"] == "drafted"
    motion = drafted.json()["id"]
    second = _post(client, f"/api/v1/removal-orders/{order['id']}/motions")
    assert second.status_code == 409 and second.json()["code"] == "motion_open"
    early = _post(client, f"/api/v1/motions/{motion}/decision", {"outcome": "granted", "decided_on": "2025-02-01"})
    assert early.status_code == 409 and early.json()["code"] == "illegal_transition"
    assert "Drafted" in early.json()["message"] and "Granted" in early.json()["message"]
    today = timezone.localdate()
    filed = _post(client, f"/api/v1/motions/{motion}/file", {"filed_on": (today - dt.timedelta(days=3)).isoformat()})
    assert filed.status_code == 200 and filed.json()["status"] == "filed"
    assert filed.json()["filed_on"] == (today - dt.timedelta(days=3)).isoformat()
    again = _post(client, f"/api/v1/motions/{motion}/file", {"filed_on": today.isoformat()})
    assert again.status_code == 409 and again.json()["code"] == "illegal_transition"
    before_filing = _post(
        client,
        f"/api/v1/motions/{motion}/decision",
        {"outcome": "granted", "decided_on": (today - dt.timedelta(days=5)).isoformat()},
    )
    assert before_filing.status_code == 422 and "decided_on" in before_filing.json()["fields"]
    granted = _post(
        client,
        f"/api/v1/motions/{motion}/decision",
        {"outcome": "granted", "decided_on": today.isoformat(), "notes": "Reopened; new master hearing."},
    )
    assert granted.status_code == 200
    assert granted.json() | {"id": 0} == {
        "id": 0,
        "order_id": order["id"],
        "household_id": str(world.own.id),
        "status": "granted",
        "filed_on": (today - dt.timedelta(days=3)).isoformat(),
        "decided_on": today.isoformat(),
        "decision_notes": "Reopened; new master hearing.",
    }
    withdrawn = _post(
        client, f"/api/v1/motions/{motion}/decision", {"outcome": "withdrawn", "decided_on": today.isoformat()}
    )
    assert withdrawn.status_code == 409
    # Once decided, a new motion may be drafted again.
    assert _post(client, f"/api/v1/removal-orders/{order['id']}/motions").status_code == 201


def test_the_decision_notes_are_encrypted_at_rest(world: World) -> None:
    from django.db import connection

    client = world.client(Role.ATTORNEY)
    order = _order(client, world.own)
    motion = _post(client, f"/api/v1/removal-orders/{order['id']}/motions").json()["id"]
    _post(
        client,
        f"/api/v1/motions/{motion}/decision",
        {"outcome": "withdrawn", "decided_on": "2025-01-02", "notes": "Zebra-notes"},
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT decision_notes FROM remedies_motiontoreopen WHERE id = %s", [motion])
        stored = cursor.fetchone()[0]
    assert "Zebra" not in stored


def test_an_order_made_in_presence_cannot_get_an_in_absentia_motion(world: World) -> None:
    client = world.client(Role.CASEWORKER)
    order = _order(client, world.own, in_absentia=False, reason=None)
    refused = _post(client, f"/api/v1/removal-orders/{order['id']}/motions")
    assert refused.status_code == 409 and refused.json()["code"] == "not_in_absentia"


def _docx_text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_the_docx_draft_carries_the_facts_and_its_download_is_audited(world: World) -> None:
    client = world.client(Role.ATTORNEY)
    order_date = timezone.localdate() - dt.timedelta(days=100)
    order = _order(client, world.own, order_date=order_date.isoformat(), court="SDI")
    motion = _post(client, f"/api/v1/removal-orders/{order['id']}/motions").json()["id"]
    since = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
    response = client.get(f"/api/v1/motions/{motion}/draft.docx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
    assert response["Cache-Control"] == "private, no-store"
    text = _docx_text(response.content)
    due = order_date + dt.timedelta(days=180)
    assert "A123456789" in text
    assert due.strftime("%B %d, %Y").replace(" 0", " ") in text
    assert "María José Hernández López" in text and "SAN DIEGO, CA" in text
    assert "exceptional circumstances" in text and "stays the removal" in text
    assert "Medical records or other proof of the circumstance" in text  # the checklist of the ground
    assert "[ATTORNEY:" in text  # what only the attorney can write is left open
    read = AuditEvent.objects.filter(id__gt=since, action="read", object_type="motion_to_reopen")
    assert read.count() == 1
    event = read.get()
    assert event.object_id == str(motion) and event.channel == "api"
    assert {"a_number", "respondent_name", "motion_deadline", "order_date"} <= set(event.fields)
    # Shelter staff read the orders but never download a draft.
    assert world.client(Role.SHELTER_STAFF).get(f"/api/v1/motions/{motion}/draft.docx").status_code == 404


def test_the_draft_names_the_accepted_representative_and_the_hearings(world: World) -> None:
    from refugio.audit.services import Actor
    from refugio.legal.models import Representative
    from refugio.legal.services import add_hearing, offer_representation, respond_to_offer

    rep = Representative.objects.create(
        organisation=world.home, name="Lucía Abogada", kind="attorney", user=world.users[Role.ATTORNEY]
    )
    actor = Actor(world.users[Role.CASEWORKER], "system")
    offer = offer_representation(actor, household=world.own, representative_id=rep.id)
    respond_to_offer(Actor(world.users[Role.ATTORNEY], "system"), offer=offer, accept=True)
    add_hearing(
        actor, household=world.own, data={"court": "SDI", "date": "2024-05-06", "kind": "master", "mode": "in_person"}
    )
    client = world.client(Role.ATTORNEY)
    order = _order(client, world.own, reason="lack_of_notice")
    motion = _post(client, f"/api/v1/removal-orders/{order['id']}/motions").json()["id"]
    text = _docx_text(client.get(f"/api/v1/motions/{motion}/draft.docx").content)
    assert "counsel, Lucía Abogada" in text and "May 6, 2024" in text
    assert "did not receive notice" in text and "NTA" in text  # the lack-of-notice ground and its checklist
    assert "must be filed on or before" not in text


# --- MPP cases --------------------------------------------------------------------------------------------------


def test_mpp_cases_are_recorded_with_their_phase_and_changed(world: World) -> None:
    client = world.client(Role.CASEWORKER)
    head = _head(world.own)
    made = _post(
        client,
        f"/api/v1/households/{world.own.id}/mpp-cases",
        {"person_id": str(head.id), "status": "active", "court": "SDI", "details": "Tent court, Laredo."},
    )
    assert made.status_code == 201, made.content
    assert made.json()["phase"] == 1 and made.json()["status"] == "active"
    twice = _post(
        client, f"/api/v1/households/{world.own.id}/mpp-cases", {"person_id": str(head.id), "status": "active"}
    )
    assert twice.status_code == 422 and "person_id" in twice.json()["fields"]
    bad = _post(client, f"/api/v1/households/{world.own.id}/mpp-cases", {"person_id": str(head.id), "status": "paused"})
    assert bad.status_code == 422 and bad.json()["fields"]["status"] == "paused is not one of the allowed values."
    changed = client.patch(
        f"/api/v1/mpp-cases/{made.json()['id']}", {"status": "in_absentia_order"}, content_type="application/json"
    )
    assert changed.status_code == 200 and changed.json()["phase"] == 3
    assert changed.json()["details"] == "Tent court, Laredo."  # what was not sent stays
    listed = client.get(f"/api/v1/households/{world.own.id}/mpp-cases").json()
    assert [c["status"] for c in listed] == ["in_absentia_order"]
    foreign = world.client("stranger_caseworker")
    assert (
        foreign.patch(
            f"/api/v1/mpp-cases/{made.json()['id']}", {"status": "active"}, content_type="application/json"
        ).status_code
        == 404
    )


@pytest.mark.parametrize("role", [Role.SHELTER_STAFF, Role.ANALYST])
def test_who_may_not_write_mpp_cases(world: World, role: str) -> None:
    client = world.client(role)
    response = _post(
        client,
        f"/api/v1/households/{world.own.id}/mpp-cases",
        {"person_id": str(_head(world.own).id), "status": "active"},
    )
    assert response.status_code in {403, 404}
