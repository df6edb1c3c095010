"""Legal data through the disclosure layer: each page, endpoint and feed records one READ per object shown,
naming exactly its surface's fields; another organisation's objects are 404; shelter staff read legal data
shared with them but never change it (403)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db.models import Max
from django.test import Client
from icalendar import Calendar

from refugio.accounts.models import Organisation, Role
from refugio.audit.models import AuditEvent
from refugio.audit.services import Actor
from refugio.disclosure import Surface
from refugio.legal.models import Hearing, Representation, Representative
from refugio.legal.services import create_feed
from refugio.legal.surfaces import (
    CALENDAR_FEED,
    CALENDAR_PAGE,
    DEADLINES_API,
    HEARINGS_API,
    OFFER_ANSWERED,
    OFFERS_API,
    OFFERS_PAGE,
    SUGGESTIONS_PAGE,
)
from refugio.people.models import Household, Person
from refugio.people.services import record_consent
from refugio.people.surfaces import HOUSEHOLD_HEADING
from refugio.people.vocabulary import ConsentMethod, ConsentPurpose

from .conftest import World, api_client, make_user
from .test_pages import signed_in

SOON = dt.date.today() + dt.timedelta(days=10)


@pytest.fixture
def legal(world: World) -> World:
    network = Organisation.objects.create(name="Volunteer Network", kind="attorney_network")
    world.users["volunteer"] = make_user("volunteer", network, Role.ATTORNEY)
    world.network = network
    world.rep = Representative.objects.create(
        organisation=network,
        user=world.users["volunteer"],
        name="Volunteer Lawyer",
        kind="attorney",
        languages=["es"],
        courts=["ELP"],
        capacity=5,
    )
    record_consent(
        Actor(world.users[Role.CASEWORKER]),
        household=world.own,
        purpose=ConsentPurpose.LEGAL_REFERRAL,
        method=ConsentMethod.VERBAL,
    )
    world.hearings = {
        name: Hearing.objects.create(
            household=household, court="ELP", date=SOON, time=dt.time(9, 30), kind="master", mode="in_person"
        )
        for name, household in (("own", world.own), ("shared", world.shared), ("foreign", world.foreign))
    }
    return world


def _mark() -> int:
    return AuditEvent.objects.aggregate(m=Max("id"))["m"] or 0


def _reads(since: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(id__gt=since, action="read").order_by("id"))


def _assert_disclosed(
    since: int, surface: Surface, objects: list[Any], actor: User, channel: str, nested: list[Any] = ()
) -> None:
    """Exactly one READ per object shown (and per nested object), naming exactly its surface's fields."""
    events = _reads(since)
    shown = [(surface.kind.name, o) for o in objects] + [
        (k, o) for k in set(surface.all_fields()) - {surface.kind.name} for o in nested
    ]
    assert sorted((e.object_type, e.object_id) for e in events) == sorted((k, str(o.pk)) for k, o in shown)
    fields = surface.all_fields()
    for event in events:
        assert event.fields == sorted(fields[event.object_type])
        assert (event.actor_id, event.channel) == (actor.id, channel)


def _allowed_keys(surface: Surface) -> set[str]:
    kind = surface.kind
    labels = {f"{f}_label" for f in surface.fields if f in kind.labels}
    return set(kind.envelope) | set(surface.fields) | labels


# --- the calendar page and the feed ------------------------------------------------------------------


def test_calendar_page_discloses_the_visible_hearings_only(legal: World) -> None:
    user = legal.users[Role.CASEWORKER]
    client = signed_in(user)
    since = _mark()
    page = client.get("/legal/").content.decode()
    _assert_disclosed(since, CALENDAR_PAGE, [legal.hearings["own"], legal.hearings["shared"]], user, "web")
    assert legal.own.display_code in page and legal.shared.display_code in page
    assert legal.foreign.display_code not in page
    assert "Master calendar hearing" in page and "no representative" in page  # labels and the alert


def test_the_feed_records_its_reads_as_the_feed_owner(legal: World) -> None:
    admin = legal.users[Role.ORG_ADMIN]
    token = create_feed(Actor(admin), organisation_id=legal.home.id)
    since = _mark()
    response = Client().get(f"/calendar/{token}.ics")
    assert response.status_code == 200
    _assert_disclosed(since, CALENDAR_FEED, [legal.hearings["own"], legal.hearings["shared"]], admin, "feed")
    events = Calendar.from_ical(response.content).walk("VEVENT")
    assert sorted(str(e["uid"]) for e in events) == sorted(f"{legal.hearings[n].id}@refugio" for n in ("own", "shared"))
    assert legal.own.display_code in response.content.decode() and b"Hern" not in response.content


# --- hearings and deadlines in the API -------------------------------------------------------------------


def test_hearings_api_discloses_each_hearing_and_hides_other_organisations(legal: World) -> None:
    user = legal.users[Role.SHELTER_STAFF]  # shelter staff may read legal data
    since = _mark()
    response = api_client(user).get(f"/api/v1/households/{legal.own.id}/hearings")
    assert response.status_code == 200
    _assert_disclosed(since, HEARINGS_API, [legal.hearings["own"]], user, "api")
    assert [set(h) <= _allowed_keys(HEARINGS_API) for h in response.json()] == [True]

    stranger = api_client(legal.users["stranger_caseworker"])
    since = _mark()
    assert stranger.get(f"/api/v1/households/{legal.own.id}/hearings").status_code == 404
    assert stranger.get(f"/api/v1/households/{uuid.uuid4()}/hearings").status_code == 404
    assert _reads(since) == []


def test_adding_a_hearing_is_for_legal_writers_only(legal: World) -> None:
    url = f"/api/v1/households/{legal.own.id}/hearings"
    body = {"court": "ELP", "date": SOON.isoformat(), "kind": "bond", "mode": "remote"}
    before = Hearing.objects.count()
    shelter = api_client(legal.users[Role.SHELTER_STAFF])
    assert shelter.post(url, data=body, content_type="application/json").status_code == 403
    stranger = api_client(legal.users["stranger_caseworker"])
    assert stranger.post(url, data=body, content_type="application/json").status_code == 404
    assert Hearing.objects.count() == before

    attorney = legal.users[Role.ATTORNEY]
    since = _mark()
    made = api_client(attorney).post(url, data=body, content_type="application/json")
    assert made.status_code == 201
    hearing = Hearing.objects.get(id=made.json()["id"])
    _assert_disclosed(since, HEARINGS_API, [hearing], attorney, "api")


def test_hearing_add_page_is_403_for_shelter_staff_and_404_for_strangers(legal: World) -> None:
    url = f"/legal/cases/{legal.own.id}/hearings/new/"
    form = {"court": "ELP", "date": SOON.isoformat(), "kind": "master", "mode": "in_person"}
    shelter = signed_in(legal.users[Role.SHELTER_STAFF])
    assert shelter.get(url).status_code == 403
    assert shelter.post(url, form).status_code == 403
    stranger = signed_in(legal.users["stranger_caseworker"])
    assert stranger.get(url).status_code == 404
    assert stranger.get(f"/legal/cases/{uuid.uuid4()}/hearings/new/").status_code == 404
    assert legal.own.hearings.count() == 1

    user = legal.users[Role.CASEWORKER]
    client = signed_in(user)
    since = _mark()
    page = client.get(url)
    assert page.status_code == 200 and legal.own.display_code in page.content.decode()
    _assert_disclosed(since, HOUSEHOLD_HEADING, [legal.own], user, "web")


def test_deadlines_api_discloses_each_member_with_an_arrival_date(legal: World) -> None:
    head = legal.own.members.get(relationship_to_head="head")
    Person.objects.filter(id=head.id).update(arrival_date=dt.date(2026, 8, 1))
    user = legal.users[Role.CASEWORKER]
    since = _mark()
    response = api_client(user).get(f"/api/v1/households/{legal.own.id}/deadlines")
    assert response.json() == [
        {"person_id": str(head.id), "arrival_date": "2026-08-01", "asylum_filing_deadline": "2027-08-01"}
    ]
    _assert_disclosed(since, DEADLINES_API, [head], user, "api")
    since = _mark()
    stranger = api_client(legal.users["stranger_caseworker"])
    assert stranger.get(f"/api/v1/households/{legal.own.id}/deadlines").status_code == 404
    assert _reads(since) == []


# --- offers: the conflict check ------------------------------------------------------------------------


def _offer(legal: World) -> Representation:
    response = legal.client(Role.CASEWORKER).post(
        f"/api/v1/households/{legal.own.id}/offers",
        data={"representative_id": legal.rep.id},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    return Representation.objects.get(id=response.json()["id"])


def test_offering_is_for_legal_writers_and_discloses_the_offer(legal: World) -> None:
    body = {"representative_id": legal.rep.id}
    url = f"/api/v1/households/{legal.own.id}/offers"
    shelter = api_client(legal.users[Role.SHELTER_STAFF])
    assert shelter.post(url, data=body, content_type="application/json").status_code == 403
    stranger = api_client(legal.users["stranger_caseworker"])
    assert stranger.post(url, data=body, content_type="application/json").status_code == 404
    assert not Representation.objects.exists()
    since = _mark()
    offer = _offer(legal)
    parties = list(legal.own.members.all())
    _assert_disclosed(since, OFFERS_API, [offer], legal.users[Role.CASEWORKER], "api", parties)


def test_the_conflict_check_is_one_read_of_the_offer(legal: World) -> None:
    offer = _offer(legal)
    parties = list(legal.own.members.all())
    volunteer = legal.users["volunteer"]
    since = _mark()
    shown = api_client(volunteer).get("/api/v1/offers").json()
    _assert_disclosed(since, OFFERS_API, [offer], volunteer, "api", parties)
    assert {e.fields[0] for e in _reads(since) if e.object_type == "person"} == {"full_name"}
    assert shown[0]["parties"] == ["María José Hernández López", "Ana Hernández"]
    assert set(shown[0]) == {"id", "household_id", "registration_code", "status", "parties"}

    since = _mark()
    page = signed_in(volunteer).get("/legal/offers/").content.decode()
    _assert_disclosed(since, OFFERS_PAGE, [offer], volunteer, "web", parties)
    assert "María José Hernández López" in page and "A123456789" not in page

    since = _mark()
    answered = api_client(volunteer).post(
        f"/api/v1/offers/{offer.id}/respond", data={"accept": True}, content_type="application/json"
    )
    assert answered.json()["status"] == "accepted" and answered.json()["parties"] == []
    _assert_disclosed(since, OFFER_ANSWERED, [offer], volunteer, "api")


def test_offers_answer_is_404_for_others_and_403_for_a_representative_without_a_legal_role(legal: World) -> None:
    offer = _offer(legal)
    stranger = api_client(legal.users["stranger_caseworker"])
    url = f"/api/v1/offers/{offer.id}/respond"
    assert stranger.post(url, data={"accept": True}, content_type="application/json").status_code == 404

    # Someone on the roster whose only role is shelter staff may see the offer but not take the case.
    shelter_user = legal.users[Role.SHELTER_STAFF]
    rep = Representative.objects.create(organisation=legal.home, user=shelter_user, name="Shelter", kind="attorney")
    made = Representation.objects.create(household=legal.shared, representative=rep, offered_at=offer.offered_at)
    client = api_client(shelter_user)
    assert [o["id"] for o in client.get("/api/v1/offers").json()] == [made.id]
    reply = client.post(f"/api/v1/offers/{made.id}/respond", data={"accept": True}, content_type="application/json")
    assert reply.status_code == 403
    assert signed_in(shelter_user).post(f"/legal/offers/{made.id}/respond/", {"decision": "accept"}).status_code == 403
    made.refresh_from_db()
    assert made.status == "offered"


# --- suggestions and the roster ------------------------------------------------------------------------


def test_suggestions_disclose_the_suggested_cases(legal: World) -> None:
    user = legal.users[Role.CASEWORKER]
    client = signed_in(user)
    since = _mark()
    page = client.get("/legal/suggestions/").content.decode()
    _assert_disclosed(since, SUGGESTIONS_PAGE, [legal.own], user, "web")
    assert legal.own.display_code in page and "Volunteer Lawyer" in page


def test_the_roster_is_staff_data_and_not_audited(legal: World) -> None:
    client = signed_in(legal.users[Role.SHELTER_STAFF])
    since = _mark()
    assert "Volunteer Lawyer" in client.get("/legal/roster/").content.decode()
    assert _reads(since) == []


@pytest.mark.parametrize(
    "path",
    [
        lambda w: f"/legal/cases/{w.foreign.id}/hearings/new/",
        lambda w: f"/legal/cases/{w.foreign.id}/offer/",
    ],
)
def test_other_organisations_cases_are_404_on_legal_pages(legal: World, path: Callable[[World], str]) -> None:
    client = signed_in(legal.users[Role.CASEWORKER])
    since = _mark()
    assert client.post(path(legal), {"representative_id": legal.rep.id}).status_code == 404
    assert _reads(since) == [] and not Household.objects.filter(representations__isnull=False).exists()
