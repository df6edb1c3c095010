"""Rapid response: an alert opens a tier-1 escalation to the agency office, tells the case's attorney and the
person on call (the administrators when nobody is), keeps names out of e-mail and details away from the agency;
the checklist, the status, stay requests and their audited DOCX; the pages."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any
from unittest import mock

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client
from django.utils import timezone
from docx import Document

from refugio.accounts.models import Role
from refugio.audit.models import AuditEvent
from refugio.audit.services import Actor
from refugio.escalations.models import AgencyOffice, Escalation, OfficeContact
from refugio.legal.models import Representative
from refugio.legal.services import offer_representation, respond_to_offer
from refugio.rapidresponse.models import AlertNotification, DetentionAlert, OnCall
from tests.conftest import World, make_user
from tests.test_pages import signed_in

FACILITY = "Otay Mesa Processing Center"
DETAILS = "Her brother saw the van leave at dawn"


@pytest.fixture
def rr(world: World) -> World:
    """An ICE field office with the ICE liaison as tier-1 contact, a CBP port, the attorney representing `own`,
    and the caseworker on call now."""
    world.ice = AgencyOffice.objects.create(
        organisation=world.agency, name="ICE Field", kind="ice_field_office", city="San Diego"
    )
    world.port = AgencyOffice.objects.create(organisation=world.agency, name="A Port", kind="cbp_port", city="X")
    OfficeContact.objects.create(
        office=world.ice, user=world.users[Role.AGENCY_LIAISON], name="Officer", role="l", email="t1@ice.example"
    )
    attorney = world.users[Role.ATTORNEY]
    attorney.email = "attorney@legal.example"
    attorney.save()
    world.users[Role.ORG_ADMIN].email = "admin@legal.example"
    world.users[Role.ORG_ADMIN].save()
    world.users[Role.CASEWORKER].email = "caseworker@legal.example"
    world.users[Role.CASEWORKER].save()
    rep = Representative.objects.create(organisation=world.home, user=attorney, name="Atty", kind="attorney")
    offer = offer_representation(Actor(world.users[Role.ORG_ADMIN]), household=world.own, representative_id=rep.id)
    respond_to_offer(Actor(attorney), offer=offer, accept=True)
    now = timezone.now()
    world.shift = OnCall.objects.create(
        organisation=world.home,
        user=world.users[Role.CASEWORKER],
        email="oncall@legal.example",
        starts_at=now - dt.timedelta(hours=1),
        ends_at=now + dt.timedelta(hours=8),
    )
    return world


_ON_COMMIT: list[Any] = []


@pytest.fixture(autouse=True)
def _commits(django_capture_on_commit_callbacks: Any) -> Any:  # noqa: ANN401
    """Run what is booked on commit (the notice task) when each request's transaction would commit."""
    _ON_COMMIT[:] = [django_capture_on_commit_callbacks]
    yield
    _ON_COMMIT.clear()


def _raise(client: Client, household: Any, **body: Any) -> Any:  # noqa: ANN401
    data = {"kind": "detention", "facility": FACILITY, "city": "San Diego", "details": DETAILS, **body}
    with _ON_COMMIT[0](execute=True):
        return client.post(
            f"/api/v1/households/{household.id}/detention-alerts",
            data=json.dumps(data),
            content_type="application/json",
        )


def _a_number(world: World) -> str:
    head = world.own.members.get(relationship_to_head="head")
    return str(head.a_number)


def test_alert_opens_a_tier_1_escalation_to_the_ice_field_office(rr: World) -> None:
    response = _raise(rr.client(Role.CASEWORKER), rr.own)
    assert response.status_code == 201, response.content
    body = response.json()
    escalation = Escalation.objects.get(id=body["escalation"]["id"])
    assert escalation.category == "detained" and escalation.tier == 1
    assert escalation.office == rr.ice and body["escalation"]["office"]["name"] == "ICE Field"
    assert (escalation.acknowledge_by - escalation.created_at) == dt.timedelta(hours=24)
    removal = _raise(rr.client(Role.ATTORNEY), rr.own, kind="imminent_removal").json()
    urgent = Escalation.objects.get(id=removal["escalation"]["id"])
    assert urgent.category == "imminent_removal"
    assert (urgent.acknowledge_by - urgent.created_at) == dt.timedelta(hours=2)
    chosen = _raise(rr.client(Role.CASEWORKER), rr.own, office_id=rr.port.id).json()
    assert chosen["escalation"]["office"]["id"] == rr.port.id


def test_shelter_staff_raise_it_and_the_escalation_is_raised_for_the_organisation(rr: World) -> None:
    response = _raise(rr.client(Role.SHELTER_STAFF), rr.own)
    assert response.status_code == 201, response.content
    escalation = Escalation.objects.get(id=response.json()["escalation"]["id"])
    assert escalation.raised_by == rr.users[Role.CASEWORKER]  # the person on call answers for it


def test_attorney_and_on_call_are_told_at_once_without_names(rr: World) -> None:
    mail.outbox.clear()
    before = timezone.now()
    response = _raise(rr.client(Role.SHELTER_STAFF), rr.own)
    alert = DetentionAlert.objects.get(id=response.json()["id"])
    sent = {m.to[0]: m for m in mail.outbox if "rapid-response" in m.body}
    assert set(sent) == {"attorney@legal.example", "oncall@legal.example"}
    told = {n.user_id: n for n in AlertNotification.objects.filter(alert=alert)}
    attorney = told[rr.users[Role.ATTORNEY].pk]
    assert attorney.notified_as == "attorney" and attorney.sent_at is not None and attorney.sent_at >= before
    assert told[rr.users[Role.CASEWORKER].pk].notified_as == "on_call"
    head = rr.own.members.get(relationship_to_head="head")
    for message in sent.values():
        text = message.subject + message.body
        assert rr.own.display_code in text and f"/rapid-response/{alert.id}/" in text
        for secret in (head.given_names, head.first_family_name, _a_number(rr), FACILITY, DETAILS):
            assert secret not in text
    home = _page(rr.users[Role.ATTORNEY]).get("/home/").content.decode()
    assert alert.reference in home


def test_admins_are_told_when_nobody_is_on_call(rr: World) -> None:
    OnCall.objects.all().delete()
    mail.outbox.clear()
    _raise(rr.client(Role.CASEWORKER), rr.own)
    addresses = {m.to[0] for m in mail.outbox if "rapid-response" in m.body}
    assert addresses == {"attorney@legal.example", "admin@legal.example"}


def test_a_failing_mail_server_loses_no_alert(rr: World) -> None:
    with mock.patch("refugio.rapidresponse.tasks.send_mail", side_effect=OSError("smtp down")):
        response = _raise(rr.client(Role.CASEWORKER), rr.own)
    assert response.status_code == 201
    alert = DetentionAlert.objects.get(id=response.json()["id"])
    pending = AlertNotification.objects.filter(alert=alert)
    assert pending.count() == 2 and all(n.sent_at is None and n.attempts == 1 for n in pending)
    from refugio.rapidresponse.tasks import notify_alert

    notify_alert.call(str(alert.id))  # the retry, once the server is back
    assert all(n.sent_at is not None for n in AlertNotification.objects.filter(alert=alert))


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.ATTORNEY, Role.AGENCY_LIAISON, Role.ANALYST])
def test_a_foreign_household_is_404(rr: World, role: str) -> None:
    assert _raise(rr.client(role), rr.foreign).status_code == 404
    assert not DetentionAlert.objects.exists()


def test_liaison_sees_the_escalation_but_not_the_alert(rr: World) -> None:
    created = _raise(rr.client(Role.CASEWORKER), rr.own).json()
    liaison = rr.client(Role.AGENCY_LIAISON)
    escalation = liaison.get(f"/api/v1/escalations/{created['escalation']['id']}")
    assert escalation.status_code == 200
    assert FACILITY not in escalation.content.decode() and DETAILS not in escalation.content.decode()
    assert liaison.get(f"/api/v1/detention-alerts/{created['id']}").status_code == 404
    assert created["id"] not in liaison.get("/api/v1/detention-alerts").content.decode()
    assert _page(rr.users[Role.AGENCY_LIAISON]).get(f"/rapid-response/{created['id']}/").status_code == 404
    assert rr.client("stranger_caseworker").get(f"/api/v1/detention-alerts/{created['id']}").status_code == 404


def test_open_alerts_of_the_organisation(rr: World) -> None:
    created = _raise(rr.client(Role.CASEWORKER), rr.own).json()
    listed = rr.client(Role.ATTORNEY).get("/api/v1/detention-alerts").json()
    assert [a["id"] for a in listed] == [created["id"]]
    assert "facility" not in listed[0]
    assert rr.client("stranger_caseworker").get("/api/v1/detention-alerts").json() == []
    client = rr.client(Role.CASEWORKER)
    assert (
        client.post(
            f"/api/v1/detention-alerts/{created['id']}/status",
            data=json.dumps({"status": "closed"}),
            content_type="application/json",
        ).status_code
        == 200
    )
    assert rr.client(Role.ATTORNEY).get("/api/v1/detention-alerts").json() == []


def test_resolving_needs_an_outcome_and_closed_is_final(rr: World) -> None:
    created = _raise(rr.client(Role.CASEWORKER), rr.own).json()
    client = rr.client(Role.CASEWORKER)
    url = f"/api/v1/detention-alerts/{created['id']}/status"

    def post(body: dict[str, str]) -> Any:  # noqa: ANN401
        return client.post(url, data=json.dumps(body), content_type="application/json")

    assert post({"status": "resolved"}).status_code == 422
    done = post({"status": "resolved", "outcome": "released"})
    assert done.status_code == 200 and done.json()["outcome"] == "released" and done.json()["resolved_at"]
    assert post({"status": "closed"}).status_code == 200
    assert post({"status": "open"}).status_code == 422


def test_checklist_records_who_and_when(rr: World) -> None:
    created = _raise(rr.client(Role.CASEWORKER), rr.own).json()
    assert [i["step"] for i in created["checklist"]] == ["locate", "a_number", "custody", "stay"]
    assert not any(i["done"] for i in created["checklist"])
    url = f"/api/v1/detention-alerts/{created['id']}/checklist/locate"
    body = (
        rr.client(Role.ATTORNEY)
        .post(url, data=json.dumps({"done": True, "note": "Found in the locator"}), content_type="application/json")
        .json()
    )
    locate = body["checklist"][0]
    assert locate["done"] and locate["done_by"] == rr.users[Role.ATTORNEY].username and locate["done_at"]
    assert locate["note"] == "Found in the locator"
    assert (
        rr.client(Role.SHELTER_STAFF)
        .post(url, data=json.dumps({"done": False}), content_type="application/json")
        .status_code
        == 403
    )
    response = _page(rr.users[Role.CASEWORKER]).post(
        f"/rapid-response/{created['id']}/checklist/a_number/", {"a_number-done": "on", "a_number-note": "ok"}
    )
    assert response.status_code == 302
    again = rr.client(Role.CASEWORKER).get(f"/api/v1/detention-alerts/{created['id']}").json()
    assert again["checklist"][1]["done"] and again["checklist"][1]["done_by"] == rr.users[Role.CASEWORKER].username
    undone = (
        rr.client(Role.CASEWORKER).post(url, data=json.dumps({"done": False}), content_type="application/json").json()
    )
    assert not undone["checklist"][0]["done"] and undone["checklist"][0]["done_at"] is None


def test_stay_request_docx_carries_the_a_number_and_is_audited(rr: World) -> None:
    created = _raise(rr.client(Role.CASEWORKER), rr.own).json()
    client = rr.client(Role.ATTORNEY)
    stay = client.post(
        f"/api/v1/detention-alerts/{created['id']}/stay-requests",
        data=json.dumps({"grounds": "Pending motion to reopen"}),
        content_type="application/json",
    )
    assert stay.status_code == 201, stay.content
    stay_id = stay.json()["id"]
    response = client.get(f"/api/v1/stay-requests/{stay_id}/document")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    document = Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs) + "\n".join(
        c.text for t in document.tables for r in t.rows for c in r.cells
    )
    assert _a_number(rr) in text and "Pending motion to reopen" in text and rr.own.display_code in text
    read = AuditEvent.objects.filter(object_type="stay_request", object_id=stay_id, action="read").last()
    assert read is not None and read.actor == rr.users[Role.ATTORNEY]
    assert {"subject_a_number", "parties", "grounds"} <= set(read.fields)
    assert rr.client("stranger_caseworker").get(f"/api/v1/stay-requests/{stay_id}/document").status_code == 404
    assert rr.client(Role.AGENCY_LIAISON).get(f"/api/v1/stay-requests/{stay_id}/document").status_code == 404


def test_stay_request_is_tracked_to_a_decision(rr: World) -> None:
    created = _raise(rr.client(Role.CASEWORKER), rr.own).json()
    client = rr.client(Role.ATTORNEY)
    stay_id = client.post(
        f"/api/v1/detention-alerts/{created['id']}/stay-requests", data="{}", content_type="application/json"
    ).json()["id"]

    def patch(body: dict[str, Any]) -> Any:  # noqa: ANN401
        return client.patch(f"/api/v1/stay-requests/{stay_id}", data=json.dumps(body), content_type="application/json")

    assert patch({"decision": "granted"}).status_code == 422  # no decision date
    filed = patch({"filed_on": "2026-11-30"})
    assert filed.status_code == 200 and filed.json()["decision"] == "pending"
    granted = patch({"decision": "granted", "decided_on": "2026-12-01"})
    assert granted.json()["decision"] == "granted" and granted.json()["decided_on"] == "2026-12-01"
    checklist = client.get(f"/api/v1/detention-alerts/{created['id']}").json()["checklist"]
    assert checklist[3]["step"] == "stay" and checklist[3]["done"]


# --- pages ------------------------------------------------------------------------------------------------------


def _page(user: User) -> Client:
    return signed_in(user)


def test_household_page_offers_the_button_and_shows_open_alerts(rr: World) -> None:
    client = _page(rr.users[Role.SHELTER_STAFF])
    page = client.get(f"/cases/{rr.own.id}/").content.decode()
    assert f"/rapid-response/new/{rr.own.id}/" in page
    with _ON_COMMIT[0](execute=True):
        response = client.post(
            f"/rapid-response/new/{rr.own.id}/", {"kind": "imminent_removal", "facility": FACILITY, "details": DETAILS}
        )
    assert response.status_code == 302
    alert = DetentionAlert.objects.get()
    assert alert.kind == "imminent_removal" and alert.raised_by == rr.users[Role.SHELTER_STAFF]
    page = client.get(f"/cases/{rr.own.id}/").content.decode()
    assert alert.reference in page
    detail = _page(rr.users[Role.CASEWORKER]).get(f"/rapid-response/{alert.id}/").content.decode()
    assert FACILITY in detail and "locator.ice.gov" in detail and "<script" not in detail.split("</nav>")[-1]
    assert _page(rr.users["stranger_caseworker"]).get(f"/rapid-response/new/{rr.own.id}/").status_code == 404


def test_the_form_shows_errors_in_a_summary(rr: World) -> None:
    response = _page(rr.users[Role.CASEWORKER]).post(f"/rapid-response/new/{rr.own.id}/", {"facility": "x"})
    assert response.status_code == 200
    assert "error-summary" in response.content.decode()
    assert not DetentionAlert.objects.exists()


def test_admins_set_the_rota(rr: World) -> None:
    admin = _page(rr.users[Role.ORG_ADMIN])
    response = admin.post(
        "/rapid-response/on-call/",
        {
            "user_id": rr.users[Role.ATTORNEY].pk,
            "starts_on": "2030-01-01",
            "starts_time": "08:00",
            "ends_on": "2030-01-01",
            "ends_time": "20:00",
            "phone": "+1 619 555 0101",
        },
    )
    assert response.status_code == 302
    shift = OnCall.objects.get(user=rr.users[Role.ATTORNEY])
    assert shift.email == "attorney@legal.example" and shift.ends_at - shift.starts_at == dt.timedelta(hours=12)
    backwards = admin.post(
        "/rapid-response/on-call/",
        {
            "user_id": rr.users[Role.ATTORNEY].pk,
            "starts_on": "2030-01-02",
            "starts_time": "08:00",
            "ends_on": "2030-01-01",
            "ends_time": "08:00",
        },
    )
    assert backwards.status_code == 422 and "error-summary" in backwards.content.decode()
    outsider = make_user("outsider", rr.stranger, Role.CASEWORKER)
    stranger_post = admin.post(
        "/rapid-response/on-call/",
        {
            "user_id": outsider.pk,
            "starts_on": "2030-01-01",
            "starts_time": "08:00",
            "ends_on": "2030-01-01",
            "ends_time": "09:00",
        },
    )
    assert stranger_post.status_code == 422
    assert _page(rr.users[Role.CASEWORKER]).get("/rapid-response/on-call/").status_code == 404
    assert admin.post(f"/rapid-response/on-call/{shift.id}/end/").status_code == 302
    assert not OnCall.objects.filter(id=shift.id).exists()  # a shift not yet begun is removed


def test_rapid_response_pages_and_reads_write_nothing(rr: World) -> None:
    from tests.test_reads_never_write import writes_of

    created = _raise(rr.client(Role.CASEWORKER), rr.own).json()
    stay = rr.client(Role.ATTORNEY).post(
        f"/api/v1/detention-alerts/{created['id']}/stay-requests", data="{}", content_type="application/json"
    )
    web = _page(rr.users[Role.ORG_ADMIN])
    web.get("/home/")  # the session settles on the first page
    for url in (
        "/home/",
        f"/cases/{rr.own.id}/",
        "/rapid-response/",
        "/rapid-response/on-call/",
        f"/rapid-response/new/{rr.own.id}/",
        f"/rapid-response/{created['id']}/",
        f"/rapid-response/stay/{stay.json()['id']}/document/",
    ):
        assert writes_of(web, url) == [], url
    api = rr.client(Role.ATTORNEY)
    api.get("/api/v1/detention-alerts")  # the token's coarse last-used time settles
    for url in ("/api/v1/detention-alerts", f"/api/v1/detention-alerts/{created['id']}"):
        assert writes_of(api, url) == [], url
