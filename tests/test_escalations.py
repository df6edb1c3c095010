"""The escalation line: routing, minimum-necessary views, status rules, attachments, and deadlines
escalating through the tiers on a controlled clock."""

from __future__ import annotations

import datetime as dt
import io
import json
import uuid

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client

from refugio.accounts.models import Membership, Organisation, Role
from refugio.audit.services import Actor
from refugio.escalations.deadlines import add_business_days, percentile
from refugio.escalations.models import AgencyOffice, Escalation, EscalationAttachment, OfficeContact
from refugio.escalations.selectors import escalation_report
from refugio.escalations.services import escalate_overdue, raise_escalation

from .conftest import World, api_client, make_user

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n% test\n"


@pytest.fixture
def line(world: World) -> World:
    """Two offices, each with a liaison (tier 1) and e-mail-only tiers 2 and 3."""
    other_agency = Organisation.objects.create(name="Other Agency", kind="agency")
    world.port = AgencyOffice.objects.create(organisation=world.agency, name="Port A", kind="cbp_port")
    world.field = AgencyOffice.objects.create(organisation=other_agency, name="Field B", kind="ice_field_office")
    world.users["other_liaison"] = make_user("other-liaison", other_agency, Role.AGENCY_LIAISON)
    for office, liaison in (
        (world.port, world.users[Role.AGENCY_LIAISON]),
        (world.field, world.users["other_liaison"]),
    ):
        OfficeContact.objects.create(
            office=office, user=liaison, name="Officer", role="liaison", email=f"t1@{office.id}.example", tier=1
        )
        OfficeContact.objects.create(
            office=office, name="Supervisor", role="s", email=f"t2@{office.id}.example", tier=2
        )
        OfficeContact.objects.create(office=office, name="HQ", role="h", email=f"t3@{office.id}.example", tier=3)
    world.users[Role.ATTORNEY].email = "attorney@legal.example"
    world.users[Role.ATTORNEY].save()
    return world


def _raise(client: Client, world: World, household: object, **extra: object):  # noqa: ANN202
    body = {
        "household_id": str(household.id),
        "office_id": world.port.id,
        "category": "detained",
        "summary": "Detained at the port after entry; she has a hearing in El Paso.",
        **extra,
    }
    return client.post("/api/v1/escalations", data=json.dumps(body), content_type="application/json")


@pytest.mark.parametrize("role", Role.values)
@pytest.mark.parametrize("relation", ["own", "shared", "foreign"])
def test_who_can_raise(line: World, role: str, relation: str) -> None:
    response = _raise(line.client(role), line, getattr(line, relation))
    visible = role in {Role.ORG_ADMIN, Role.CASEWORKER, Role.ATTORNEY, Role.SHELTER_STAFF} and relation != "foreign"
    if not visible:
        assert response.status_code == 404
    else:
        assert response.status_code == (403 if role == Role.SHELTER_STAFF else 201)


def test_liaison_sees_only_their_office_and_only_shared_fields(line: World) -> None:
    created = _raise(line.client(Role.ATTORNEY), line, line.own).json()
    url = f"/api/v1/escalations/{created['id']}"
    assert created["person"] == {
        "name": "María José Hernández López",
        "date_of_birth": "1990-03-12",
        "a_number": "A123456789",
    }

    liaison = line.client(Role.AGENCY_LIAISON)
    seen = liaison.get(url).json()
    assert seen["household_id"] is None
    assert set(seen["person"]) == {"name", "date_of_birth", "a_number"}
    assert "San Pedro Sula" not in json.dumps(seen)  # the narrative never reaches the agency
    assert [e["id"] for e in liaison.get("/api/v1/escalations").json()] == [created["id"]]
    assert liaison.get(f"/api/v1/households/{line.own.id}").status_code == 404

    for outsider in [
        line.client("other_liaison"),
        api_client(line.users["stranger_caseworker"]),
        line.client(Role.ANALYST),
    ]:
        assert outsider.get(url).status_code == 404
        assert outsider.post(f"{url}/messages", data={"body": "hi"}, content_type="application/json").status_code == 404
        assert (
            outsider.post(
                f"{url}/status", data={"status": "resolved", "note": "x"}, content_type="application/json"
            ).status_code
            == 404
        )
        assert outsider.get("/api/v1/escalations").json() == []
        handle = io.BytesIO(PDF)
        handle.name = "x.pdf"
        assert outsider.post(f"{url}/attachments", {"file": handle}).status_code == 404

    narrow = _raise(line.client(Role.ATTORNEY), line, line.own, shared_fields=["a_number"]).json()
    assert liaison.get(f"/api/v1/escalations/{narrow['id']}").json()["person"] == {"a_number": "A123456789"}


def test_liaison_of_another_office_gets_404_on_pages(line: World) -> None:
    from .test_pages import signed_in

    created = _raise(line.client(Role.ATTORNEY), line, line.own).json()
    other = signed_in(line.users["other_liaison"])
    assert other.get(f"/escalations/{created['id']}/").status_code == 404
    assert created["reference"] not in other.get("/escalations/").content.decode()
    own = signed_in(line.users[Role.AGENCY_LIAISON])
    page = own.get(f"/escalations/{created['id']}/").content.decode()
    assert created["reference"] in page and "A123456789" in page and "San Pedro Sula" not in page


def test_status_flow_and_thread(line: World) -> None:
    attorney, liaison = line.client(Role.ATTORNEY), line.client(Role.AGENCY_LIAISON)
    created = _raise(attorney, line, line.own).json()
    url = f"/api/v1/escalations/{created['id']}"

    def status(client: Client, value: str, note: str = "checked") -> object:
        return client.post(f"{url}/status", data={"status": value, "note": note}, content_type="application/json")

    assert status(attorney, "acknowledged").status_code == 422  # only the agency acknowledges
    assert status(liaison, "acknowledged", note="").json()["fields"] == {"note": "Add a note that explains the change."}
    assert status(liaison, "acknowledged").json()["status"] == "acknowledged"
    assert (
        liaison.post(
            f"{url}/messages", data={"body": "She is at the Otay Mesa facility."}, content_type="application/json"
        ).status_code
        == 201
    )
    assert status(liaison, "in_progress").status_code == 200
    resolved = status(attorney, "resolved", "Released to her sponsor").json()
    assert resolved["status"] == "resolved" and resolved["acknowledged_at"] and resolved["resolved_at"]
    assert [e["to_value"] for e in resolved["events"]] == ["acknowledged", "in_progress", "resolved"]
    assert resolved["messages"][0]["from_agency"] is True
    assert status(liaison, "in_progress").status_code == 422  # resolved is final


def test_attachments_are_checked_encrypted_and_served_only_to_allowed_people(line: World) -> None:
    attorney = line.client(Role.ATTORNEY)
    created = _raise(attorney, line, line.own).json()
    url = f"/api/v1/escalations/{created['id']}/attachments"

    def upload(content: bytes, name: str) -> object:
        handle = io.BytesIO(content)
        handle.name = name
        return attorney.post(url, {"file": handle, "body": "Release paperwork"})

    assert upload(b"MZ\x90\x00 not a document", "form.pdf").json()["fields"] == {
        "files": "Attach only PDF, JPEG or PNG files."
    }
    assert upload(PDF + b"x" * (10 * 1024 * 1024), "big.pdf").status_code == 422
    posted = upload(PNG, "photo-of-document.pdf").json()  # the type comes from the content, not the name
    attachment = posted["messages"][-1]["attachments"][0]
    assert attachment["content_type"] == "image/png"
    stored = EscalationAttachment.objects.get(id=attachment["id"])
    with stored.file.open("rb") as handle:
        assert b"PNG" not in handle.read()  # encrypted at rest

    path = f"{url}/{attachment['id']}"
    download = line.client(Role.AGENCY_LIAISON).get(path)
    assert download.status_code == 200 and download.content == PNG and download["Content-Type"] == "image/png"
    assert line.client("other_liaison").get(path).status_code == 404
    assert api_client(line.users["stranger_caseworker"]).get(path).status_code == 404


def test_deadlines_escalate_through_tiers_on_a_controlled_clock(line: World) -> None:
    start = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)  # a Monday
    escalation = raise_escalation(
        Actor(line.users[Role.ATTORNEY], "api"),
        household=line.own,
        office_id=line.port.id,
        category="imminent_removal",
        summary="Deportation flight tonight.",
        now=start,
    )
    assert escalation.acknowledge_by == start + dt.timedelta(hours=2)
    mail.outbox.clear()

    assert escalate_overdue(now=start + dt.timedelta(hours=1, minutes=59)) == []
    moved = escalate_overdue(now=start + dt.timedelta(hours=2))
    assert [e.id for e in moved] == [escalation.id]
    escalation.refresh_from_db()
    assert escalation.tier == 2 and escalation.reached_tier_2_at == start + dt.timedelta(hours=2)
    assert escalation.acknowledge_by == start + dt.timedelta(hours=4)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert set(message.to) == {f"t1@{line.port.id}.example", f"t2@{line.port.id}.example", "attorney@legal.example"}
    assert "tier 2" in message.subject and "Imminent removal or deportation flight" in message.body
    assert "Hernández" not in message.body and "A123456789" not in message.body  # no personal data by e-mail

    assert escalate_overdue(now=start + dt.timedelta(hours=3)) == []  # the new tier has its own deadline
    escalate_overdue(now=start + dt.timedelta(hours=4))
    escalation.refresh_from_db()
    assert escalation.tier == 3 and f"t3@{line.port.id}.example" in mail.outbox[-1].to
    assert escalate_overdue(now=start + dt.timedelta(days=3)) == []  # tier 3 is the top
    events = list(escalation.events.values_list("kind", "to_value"))
    assert events == [("tier", "2"), ("tier", "3")]


def test_acknowledged_but_unresolved_also_escalates(line: World) -> None:
    start = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
    escalation = raise_escalation(
        Actor(line.users[Role.ATTORNEY]),
        household=line.own,
        office_id=line.port.id,
        category="detained",
        summary="x",
        now=start,
    )
    Escalation.objects.filter(pk=escalation.pk).update(status="acknowledged", acknowledged_at=start)
    assert escalate_overdue(now=start + dt.timedelta(hours=71)) == []
    assert len(escalate_overdue(now=start + dt.timedelta(hours=72))) == 1


def test_business_day_deadlines() -> None:
    friday = dt.datetime(2026, 11, 27, 10, 0, tzinfo=dt.UTC)
    assert add_business_days(friday, 5) == dt.datetime(2026, 12, 4, 10, 0, tzinfo=dt.UTC)
    saturday = dt.datetime(2026, 11, 28, 10, 0, tzinfo=dt.UTC)
    assert add_business_days(saturday, 1) == dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)


def test_coordinators_edit_deadlines(line: World) -> None:
    body = {"acknowledge_within": 1, "acknowledge_unit": "hours"}
    url = "/api/v1/escalation-rules/imminent_removal"
    assert line.client(Role.CASEWORKER).patch(url, data=body, content_type="application/json").status_code == 403
    agency_admin = make_user("agency-admin", line.agency, Role.ORG_ADMIN)
    assert api_client(agency_admin).patch(url, data=body, content_type="application/json").status_code == 403
    assert line.client(Role.ORG_ADMIN).patch(url, data=body, content_type="application/json").status_code == 200
    assert (
        line.client(Role.ORG_ADMIN)
        .patch(url, data={"acknowledge_within": 0}, content_type="application/json")
        .status_code
        == 422
    )
    assert (
        line.client(Role.ORG_ADMIN)
        .patch("/api/v1/escalation-rules/nope", data=body, content_type="application/json")
        .status_code
        == 404
    )
    start = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
    escalation = raise_escalation(
        Actor(line.users[Role.ATTORNEY]),
        household=line.own,
        office_id=line.port.id,
        category="imminent_removal",
        summary="x",
        now=start,
    )
    assert escalation.acknowledge_by == start + dt.timedelta(hours=1)


def test_report_and_public_feed(line: World) -> None:
    start = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
    actor = Actor(line.users[Role.ATTORNEY])
    for hours in [1, 2, 3, 4, 10]:
        e = raise_escalation(
            actor, household=line.own, office_id=line.port.id, category="detained", summary="x", now=start
        )
        Escalation.objects.filter(pk=e.pk).update(
            acknowledged_at=start + dt.timedelta(hours=hours),
            resolved_at=start + dt.timedelta(hours=2 * hours),
            status="resolved",
        )
    raise_escalation(actor, household=line.own, office_id=line.field.id, category="documents", summary="x", now=start)
    escalate_overdue(now=start + dt.timedelta(days=30))
    rows = {(r.office, r.category): r for r in escalation_report(now=start + dt.timedelta(days=60))}
    port = rows[("Port A", "detained")]
    assert (port.escalations, port.hours_to_acknowledge_median, port.hours_to_acknowledge_p90) == (5, 3.0, 10.0)
    assert port.hours_to_resolve_median == 6.0 and port.share_tier_2 == 0.0 and port.open_past_deadline == 0
    field = rows[("Field B", "documents")]
    assert field.share_tier_2 == 1.0 and field.open_past_deadline == 1

    public = Client().get("/api/v1/reports/escalations").json()  # no sign-in needed
    cells = {(r["office"], r["category"]): r for r in public}
    assert cells[("Port A", "detained")]["hours_to_acknowledge_median"] == 3.0
    small = cells[("Field B", "documents")]
    assert small["escalations"] == 1 and small["hours_to_acknowledge_median"] is None and small["share_tier_2"] is None
    assert percentile([], 0.5) is None


def test_offices_directory(line: World) -> None:
    offices = line.client(Role.ATTORNEY).get("/api/v1/offices").json()
    port = next(o for o in offices if o["name"] == "Port A")
    assert [c["tier"] for c in port["contacts"]] == [1, 2, 3]
    assert Client().get("/api/v1/offices").status_code == 401


def test_bad_escalation_input(line: World) -> None:
    client = line.client(Role.ATTORNEY)
    bad = _raise(
        client,
        line,
        line.own,
        office_id=99999,
        category="bored",
        summary="",
        shared_fields=["narrative"],
        person_id=str(uuid.uuid4()),
    )
    assert bad.status_code == 422
    assert set(bad.json()["fields"]) == {"office_id", "category", "summary", "shared_fields", "person_id"}
    assert client.get("/api/v1/escalations/not-a-uuid").status_code == 404


def test_escalation_pages_work_end_to_end(line: World) -> None:
    from .test_pages import signed_in

    attorney = signed_in(line.users[Role.ATTORNEY])
    form = attorney.get(f"/escalations/new/{line.own.id}/")
    assert form.status_code == 200
    response = attorney.post(
        f"/escalations/new/{line.own.id}/",
        {
            "office_id": line.port.id,
            "category": "documents",
            "summary": "Passport kept at the port.",
            "shared_fields": ["name", "a_number"],
        },
    )
    assert response.status_code == 302
    escalation = Escalation.objects.get(category="documents")
    liaison = signed_in(line.users[Role.AGENCY_LIAISON])
    liaison.post(f"/escalations/{escalation.id}/status/", {"status": "acknowledged", "note": "Looking for it"})
    handle = io.BytesIO(PDF)
    handle.name = "receipt.pdf"
    liaison.post(f"/escalations/{escalation.id}/messages/", {"body": "Found it; receipt attached", "files": handle})
    page = attorney.get(f"/escalations/{escalation.id}/").content.decode()
    assert "Found it" in page and "receipt.pdf" in page and "Looking for it" in page
    escalation.refresh_from_db()
    assert escalation.status == "acknowledged"
    admin = signed_in(line.users[Role.ORG_ADMIN])
    assert admin.get("/escalations/report/").status_code == 200
    assert attorney.get("/escalations/report/").status_code == 404
    assert (
        admin.post(
            "/escalations/rules/",
            {
                "category": "documents",
                "acknowledge_within": 3,
                "acknowledge_unit": "business_days",
                "resolve_within": 9,
                "resolve_unit": "business_days",
            },
        ).status_code
        == 302
    )


def test_new_membership_does_not_leak_escalations(line: World) -> None:
    """A liaison added to an agency organisation sees nothing until they are an office contact."""
    newcomer = User.objects.create_user("newcomer", password="a-long-test-password")
    Membership.objects.create(user=newcomer, organisation=line.agency, role=Role.AGENCY_LIAISON)
    created = _raise(line.client(Role.ATTORNEY), line, line.own).json()
    assert api_client(newcomer).get(f"/api/v1/escalations/{created['id']}").status_code == 404


def test_office_directory_page(line: World) -> None:
    from .test_pages import signed_in

    page = signed_in(line.users[Role.ATTORNEY]).get("/escalations/offices/").content.decode()
    assert "Port A" in page and f"t3@{line.port.id}.example" in page
