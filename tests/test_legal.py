"""Legal representation: roster, suggestions, offers with a conflict check, hearings, deadlines, reminders
and calendar feeds."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.test import Client
from icalendar import Calendar

from refugio.accounts.models import Organisation, Role
from refugio.audit.services import Actor
from refugio.legal.deadlines import asylum_filing_deadline, reminders_due, uncovered
from refugio.legal.models import Hearing, NoticeSent, Representative
from refugio.legal.selectors import suggestions
from refugio.legal.services import create_feed, send_hearing_notices
from refugio.people.services import record_consent
from refugio.people.vocabulary import ConsentMethod, ConsentPurpose

from .conftest import World, api_client, make_user


def test_asylum_filing_deadline() -> None:
    assert asylum_filing_deadline(dt.date(2026, 3, 14)) == dt.date(2027, 3, 14)
    assert asylum_filing_deadline(dt.date(2028, 2, 29)) == dt.date(2029, 2, 28)


def test_reminder_and_alert_rules() -> None:
    hearing = dt.date(2027, 1, 31)
    assert reminders_due(hearing, dt.date(2026, 12, 31), set()) == []  # 31 days out
    assert reminders_due(hearing, dt.date(2027, 1, 1), set()) == [30]
    assert reminders_due(hearing, dt.date(2027, 1, 1), {30}) == []
    assert reminders_due(hearing, dt.date(2027, 1, 29), {30}) == [7]  # missed days send only the nearest
    assert reminders_due(hearing, dt.date(2027, 1, 30), {30, 7}) == [1]
    assert reminders_due(hearing, dt.date(2027, 2, 1), set()) == []
    assert uncovered(hearing, dt.date(2027, 1, 17), False, True, False) == ["representative", "interpreter"]
    assert uncovered(hearing, dt.date(2027, 1, 16), False, True, False) == []  # 15 days out: not yet
    assert uncovered(hearing, dt.date(2027, 1, 20), True, True, True) == []


@pytest.fixture
def legal(world: World) -> World:
    network = Organisation.objects.create(name="Volunteer Network", kind="attorney_network")
    lawyer = make_user("volunteer", network, Role.ATTORNEY)
    lawyer.email = "volunteer@network.example"
    lawyer.save()
    world.network, world.users["volunteer"] = network, lawyer
    world.rep = Representative.objects.create(
        organisation=network,
        user=lawyer,
        name="Volunteer Lawyer",
        kind="attorney",
        languages=["es", "en"],
        courts=["ELP"],
        expertise=["gender_based_violence"],
        capacity=2,
        email="volunteer@network.example",
    )
    world.interpreter = Representative.objects.create(
        organisation=network, name="Mam interpreter", kind="interpreter", languages=["mam", "es"], capacity=50
    )
    admin = world.users[Role.ORG_ADMIN]
    admin.email = "admin@home.example"
    admin.save()
    # The household agreed to a referral to legal representation: offers and grants need it.
    record_consent(
        Actor(admin), household=world.own, purpose=ConsentPurpose.LEGAL_REFERRAL, method=ConsentMethod.VERBAL
    )
    return world


def test_suggestions_are_compatible_and_optimal(legal: World) -> None:
    found = suggestions(legal.users[Role.CASEWORKER])
    assert [(s.household.id, s.representative.id) for s in found] == [(legal.own.id, legal.rep.id)]
    assert suggestions(legal.users[Role.ATTORNEY]) == []  # coordinators only


def test_offer_conflict_check_accept_and_share(legal: World) -> None:
    coordinator, volunteer = legal.client(Role.CASEWORKER), api_client(legal.users["volunteer"])
    assert volunteer.get(f"/api/v1/households/{legal.own.id}").status_code == 404  # not yet shared
    offered = coordinator.post(
        f"/api/v1/households/{legal.own.id}/offers",
        data={"representative_id": legal.rep.id},
        content_type="application/json",
    )
    assert offered.status_code == 201
    again = coordinator.post(
        f"/api/v1/households/{legal.own.id}/offers",
        data={"representative_id": legal.rep.id},
        content_type="application/json",
    )
    assert again.status_code == 422

    offers = volunteer.get("/api/v1/offers").json()
    assert offers[0]["parties"] == ["María José Hernández López", "Ana Hernández"]  # names only
    from refugio.audit.models import AuditEvent

    seen = AuditEvent.objects.filter(actor_name="volunteer", action="read")
    assert sorted((e.object_type, e.fields) for e in seen) == [  # one READ of the offer, one of each party's name
        ("person", ["full_name"]),
        ("person", ["full_name"]),
        ("representation", ["registration_code", "status"]),
    ]
    assert set(offers[0]) == {"id", "household_id", "registration_code", "status", "parties"}
    for outsider in [api_client(legal.users["stranger_caseworker"]), coordinator]:
        assert (
            outsider.post(
                f"/api/v1/offers/{offers[0]['id']}/respond", data={"accept": True}, content_type="application/json"
            ).status_code
            == 404
        )

    accepted = volunteer.post(
        f"/api/v1/offers/{offers[0]['id']}/respond",
        data={"accept": True, "g28_filed_on": "2026-11-20", "eoir28_filed_on": "2026-11-21"},
        content_type="application/json",
    )
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    assert volunteer.get(f"/api/v1/households/{legal.own.id}").status_code == 200  # shared under a grant
    assert legal.own.representations.get().g28_filed_on == dt.date(2026, 11, 20)
    assert (
        volunteer.post(
            f"/api/v1/offers/{offers[0]['id']}/respond",
            data={"accept": False, "reason": "x"},
            content_type="application/json",
        ).status_code
        == 404
    )  # answered: no longer an offer


def test_decline_needs_a_reason(legal: World) -> None:
    legal.client(Role.CASEWORKER).post(
        f"/api/v1/households/{legal.own.id}/offers",
        data={"representative_id": legal.rep.id},
        content_type="application/json",
    )
    volunteer = api_client(legal.users["volunteer"])
    offer_id = volunteer.get("/api/v1/offers").json()[0]["id"]
    url = f"/api/v1/offers/{offer_id}/respond"
    assert volunteer.post(url, data={"accept": False}, content_type="application/json").status_code == 422
    declined = volunteer.post(
        url,
        data={"accept": False, "reason": "Conflict: I represent a relative of a party"},
        content_type="application/json",
    )
    assert declined.json()["status"] == "declined"
    assert volunteer.get(f"/api/v1/households/{legal.own.id}").status_code == 404


def test_offer_routes_for_other_organisations(legal: World) -> None:
    body = {"representative_id": legal.rep.id}
    stranger = api_client(legal.users["stranger_caseworker"])
    assert (
        stranger.post(
            f"/api/v1/households/{legal.own.id}/offers", data=body, content_type="application/json"
        ).status_code
        == 404
    )
    partner_view = legal.client(Role.CASEWORKER).post(
        f"/api/v1/households/{legal.shared.id}/offers", data=body, content_type="application/json"
    )
    assert partner_view.status_code == 403  # visible through sharing, but only the owner offers


def test_hearings_api(legal: World) -> None:
    client = legal.client(Role.ATTORNEY)
    url = f"/api/v1/households/{legal.own.id}/hearings"
    bad = client.post(
        url,
        data={
            "court": "XXX",
            "date": "soon",
            "kind": "master",
            "mode": "remote",
            "language": "mam",
            "interpreter_id": legal.rep.id,
        },
        content_type="application/json",
    )
    assert bad.status_code == 422 and set(bad.json()["fields"]) == {"court", "date", "interpreter_id"}
    wrong_language = client.post(
        url,
        data={
            "court": "ELP",
            "date": "2027-01-10",
            "kind": "master",
            "mode": "remote",
            "language": "ht",
            "interpreter_id": legal.interpreter.id,
        },
        content_type="application/json",
    )
    assert "does not speak" in wrong_language.json()["fields"]["interpreter_id"]
    valid = {
        "court": "ELP",
        "date": "2027-01-10",
        "time": "09:30",
        "kind": "individual",
        "mode": "in_person",
        "language": "mam",
        "interpreter_id": legal.interpreter.id,
    }
    ok = client.post(url, data=valid, content_type="application/json")
    assert ok.status_code == 201
    assert [h["date"] for h in client.get(url).json()] == ["2027-01-10"]
    stranger = api_client(legal.users["stranger_caseworker"])
    assert stranger.get(url).status_code == 404
    # The same valid body that just created a hearing: only authorization can refuse it, and it must.
    refused = stranger.post(url, data={**valid, "date": "2027-01-11"}, content_type="application/json")
    assert refused.status_code == 404 and refused.json()["code"] == "not_found"
    assert list(Hearing.objects.filter(household=legal.own).values_list("date", flat=True)) == [dt.date(2027, 1, 10)]
    assert stranger.get(f"/api/v1/households/{legal.own.id}/deadlines").status_code == 404


def test_filing_deadline_api(legal: World) -> None:
    client = legal.client(Role.CASEWORKER)
    head = legal.own.members.get(relationship_to_head="head")
    client.patch(f"/api/v1/persons/{head.id}", data={"arrival_date": "2026-08-01"}, content_type="application/json")
    assert client.get(f"/api/v1/households/{legal.own.id}/deadlines").json() == [
        {"person_id": str(head.id), "arrival_date": "2026-08-01", "asylum_filing_deadline": "2027-08-01"}
    ]


def test_reminders_and_alerts_on_a_controlled_clock(legal: World) -> None:
    hearing = Hearing.objects.create(
        household=legal.own, court="ELP", date=dt.date(2027, 1, 31), kind="master", mode="in_person", language="mam"
    )
    mail.outbox.clear()
    assert send_hearing_notices(dt.date(2026, 12, 1)) == 0
    assert send_hearing_notices(dt.date(2027, 1, 1)) == 1  # 30 days: nobody represents it yet, so no recipient
    assert send_hearing_notices(dt.date(2027, 1, 1)) == 0  # never twice
    send_hearing_notices(dt.date(2027, 1, 17))  # 14 days out, no representative and no interpreter
    alert = mail.outbox[-1]
    assert alert.to == ["admin@home.example"] and "representative and interpreter" in alert.subject
    assert "Hernández" not in alert.body and legal.own.display_code in alert.body

    legal.client(Role.CASEWORKER).post(
        f"/api/v1/households/{legal.own.id}/offers",
        data={"representative_id": legal.rep.id},
        content_type="application/json",
    )
    volunteer = api_client(legal.users["volunteer"])
    offer_id = volunteer.get("/api/v1/offers").json()[0]["id"]
    volunteer.post(f"/api/v1/offers/{offer_id}/respond", data={"accept": True}, content_type="application/json")
    send_hearing_notices(dt.date(2027, 1, 24))
    assert mail.outbox[-1].to == ["volunteer@network.example"] and "7 day" in mail.outbox[-1].subject
    assert "Master calendar hearing" in mail.outbox[-1].body
    send_hearing_notices(dt.date(2027, 1, 30))
    assert "1 day" in mail.outbox[-1].subject
    assert sorted(NoticeSent.objects.filter(hearing=hearing).values_list("days_before", flat=True)) == [0, 1, 7, 30]


def test_calendar_feeds(legal: World) -> None:
    Hearing.objects.create(
        household=legal.own,
        court="ELP",
        date=dt.date.today() + dt.timedelta(days=20),
        time=dt.time(9, 30),
        kind="master",
        mode="remote",
    )
    admin = Actor(legal.users[Role.ORG_ADMIN])
    with pytest.raises(Exception, match="administrators"):
        create_feed(Actor(legal.users[Role.CASEWORKER]), organisation_id=legal.home.id)
    token = create_feed(admin, organisation_id=legal.home.id)
    response = Client().get(f"/calendar/{token}.ics")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    events = [c for c in Calendar.from_ical(response.content).walk("VEVENT")]
    assert len(events) == 1 and legal.own.display_code in str(events[0]["summary"])
    assert b"Hern" not in response.content  # no names leave Refugio
    assert Client().get("/calendar/cal_wrong.ics").status_code == 404

    from .test_pages import signed_in

    page = signed_in(legal.users[Role.ORG_ADMIN])
    feed_id = legal.home.calendar_feeds.get().id
    assert page.post(f"/legal/feeds/{feed_id}/revoke/").status_code == 302
    assert Client().get(f"/calendar/{token}.ics").status_code == 404

    mine = create_feed(Actor(legal.users["volunteer"]), representative=legal.rep)
    assert Calendar.from_ical(Client().get(f"/calendar/{mine}.ics").content).walk("VEVENT") == []  # no case yet


def test_legal_pages(legal: World) -> None:
    from .test_pages import signed_in

    coordinator = signed_in(legal.users[Role.CASEWORKER])
    assert "Volunteer Lawyer" in coordinator.get("/legal/roster/").content.decode()
    page = coordinator.get("/legal/suggestions/").content.decode()
    assert legal.own.display_code in page
    assert (
        coordinator.post(f"/legal/cases/{legal.own.id}/offer/", {"representative_id": legal.rep.id}).status_code == 302
    )
    volunteer = signed_in(legal.users["volunteer"])
    offers = volunteer.get("/legal/offers/").content.decode()
    assert "María José Hernández López" in offers and "A123456789" not in offers
    offer_id = legal.own.representations.get().id
    assert volunteer.post(f"/legal/offers/{offer_id}/respond/", {"decision": "accept"}).status_code == 302
    assert volunteer.get(f"/cases/{legal.own.id}/").status_code == 200
    assert (
        coordinator.post(
            f"/legal/cases/{legal.own.id}/hearings/new/",
            {
                "court": "ELP",
                "date": (dt.date.today() + dt.timedelta(days=5)).isoformat(),
                "kind": "master",
                "mode": "in_person",
                "language": "mam",
            },
        ).status_code
        == 302
    )
    calendar = coordinator.get("/legal/").content.decode()
    assert legal.own.display_code in calendar and "Mam interpreter" in calendar  # matched by language
    assert (
        coordinator.post(
            f"/legal/cases/{legal.own.id}/hearings/new/",
            {
                "court": "ELP",
                "date": (dt.date.today() + dt.timedelta(days=6)).isoformat(),
                "kind": "bond",
                "mode": "remote",
                "language": "kjb",
            },
        ).status_code
        == 302
    )
    assert "no interpreter" in coordinator.get("/legal/").content.decode()  # nobody speaks Q'anjob'al
    stranger = signed_in(legal.users["stranger_caseworker"])
    assert stranger.get(f"/legal/cases/{legal.own.id}/hearings/new/").status_code == 404
    assert stranger.post(f"/legal/offers/{offer_id}/respond/", {"decision": "accept"}).status_code == 404
    assert legal.own.display_code not in stranger.get("/legal/").content.decode()


def test_interpreters_include_indigenous_languages(legal: World) -> None:
    from refugio.legal.services import interpreters_for

    assert interpreters_for("mam") == [legal.interpreter]
    assert interpreters_for("kjb") == []


def test_org_admins_keep_their_roster(legal: World) -> None:
    admin, caseworker = legal.client(Role.ORG_ADMIN), legal.client(Role.CASEWORKER)
    body = {
        "organisation_id": legal.home.id,
        "name": "New volunteer",
        "kind": "law_student",
        "languages": ["es"],
        "courts": ["SDI"],
        "expertise": ["appeals"],
        "capacity": 3,
    }
    assert caseworker.post("/api/v1/representatives", data=body, content_type="application/json").status_code == 403
    created = admin.post("/api/v1/representatives", data=body, content_type="application/json")
    assert created.status_code == 201 and created.json()["open_cases"] == 0
    bad = admin.post(
        "/api/v1/representatives", data={**body, "courts": ["MOON"], "capacity": -1}, content_type="application/json"
    )
    assert bad.status_code == 422 and set(bad.json()["fields"]) == {"courts", "capacity"}
    url = f"/api/v1/representatives/{created.json()['id']}"
    assert admin.patch(url, data={"available": False}, content_type="application/json").json()["available"] is False
    other_admin = api_client(make_user("network-admin", legal.network, Role.ORG_ADMIN))
    assert other_admin.patch(url, data={"capacity": 0}, content_type="application/json").status_code == 404
    assert (
        other_admin.patch(
            f"/api/v1/representatives/{legal.rep.id}", data={"capacity": 9}, content_type="application/json"
        ).status_code
        == 200
    )
