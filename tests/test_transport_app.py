"""Transport: trips and seats, tickets (409 when full), itineraries in the household's language, destination
addresses (encrypted at rest), visibility and the audit of reads. Through the pages and the API."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from refugio.accounts.models import Role
from refugio.audit.models import Action, AuditEvent
from refugio.audit.services import Actor
from refugio.people.models import Household
from refugio.transport import services
from refugio.transport.models import Relocation, Ticket, Trip

from .conftest import World, new_household
from .test_pages import signed_in

# A Monday in December, far enough ahead to stay in the future.
DEPARTS = dt.datetime(2030, 12, 2, 9, 30)


def _web(user: Any) -> Client:
    return signed_in(user)


def _trip(world: World, seats: int = 3, **extra: Any) -> Trip:
    data = {
        "mode": "bus",
        "from_place": "San Ysidro",
        "to_place": "Los Angeles",
        "departs_at": timezone.make_aware(DEPARTS),
        "arrives_at": timezone.make_aware(DEPARTS + dt.timedelta(hours=4)),
        "seats": seats,
        "carrier": "Greyhound",
        **extra,
    }
    return services.create_trip(Actor(world.users[Role.CASEWORKER], "system"), organisation_id=world.home.id, data=data)


def _book(world: World, trip: Trip, household: Household, seats: int = 1, role: str = Role.CASEWORKER) -> Any:
    return world.client(role).post(
        f"/api/v1/trips/{trip.id}/tickets",
        {"household_id": str(household.id), "seats": seats},
        content_type="application/json",
    )


def _free(world: World, trip_id: int) -> int:
    trips = world.client(Role.CASEWORKER).get("/api/v1/trips").json()
    return next(t["seats_free"] for t in trips if t["id"] == trip_id)


def test_seat_arithmetic_through_the_api(world: World) -> None:
    trip = _trip(world, seats=3)
    assert _free(world, trip.id) == 3
    first = _book(world, trip, world.own, seats=2)
    assert first.status_code == 201, first.content
    assert first.json()["seats"] == 2 and first.json()["status"] == "booked"
    assert _free(world, trip.id) == 1
    too_many = _book(world, trip, world.shared, seats=2)
    assert too_many.status_code == 409
    assert too_many.json()["code"] == "no_seat_free"
    assert "Only 1 seat is free" in too_many.json()["message"]
    assert _book(world, trip, world.shared, seats=1).status_code == 201
    assert _free(world, trip.id) == 0
    # Cancelling gives the seats back.
    services.cancel_ticket(Actor(world.users[Role.CASEWORKER], "system"), ticket_id=first.json()["id"])
    assert _free(world, trip.id) == 2


def test_persons_travelling_take_one_seat_each(world: World) -> None:
    trip = _trip(world, seats=5)
    members = [str(p.id) for p in world.own.members.all()]
    answer = world.client(Role.CASEWORKER).post(
        f"/api/v1/trips/{trip.id}/tickets",
        {"household_id": str(world.own.id), "person_ids": members},
        content_type="application/json",
    )
    assert answer.status_code == 201, answer.content
    assert answer.json()["seats"] == len(members) == 2
    assert sorted(answer.json()["passenger_names"]) == sorted(p.full_name for p in world.own.members.all())
    # Someone from another household cannot ride on this household's ticket.
    stranger = str(world.foreign.members.first().id)
    refused = world.client(Role.CASEWORKER).post(
        f"/api/v1/trips/{trip.id}/tickets",
        {"household_id": str(world.shared.id), "person_ids": [stranger]},
        content_type="application/json",
    )
    assert refused.status_code == 422 and "person_ids" in refused.json()["fields"]


def test_full_trip_answers_409_on_the_page(world: World) -> None:
    trip = _trip(world, seats=1)
    assert _book(world, trip, world.own).status_code == 201
    client = _web(world.users[Role.CASEWORKER])
    answer = client.post(
        f"/transport/trips/{trip.id}/book/", {"registration_code": world.shared.registration_code, "seats": "1"}
    )
    assert answer.status_code == 409
    assert "No seat is free on this trip any more." in answer.content.decode()
    assert Ticket.objects.filter(trip=trip).count() == 1


def test_booking_on_the_page(world: World) -> None:
    trip = _trip(world, seats=4)
    client = _web(world.users[Role.SHELTER_STAFF])
    answer = client.post(
        f"/transport/trips/{trip.id}/book/", {"registration_code": world.own.registration_code, "seats": "2"}
    )
    assert answer.status_code == 302
    page = client.get(f"/transport/trips/{trip.id}/").content.decode()
    assert "2 taken of 4, 2 free" in page
    # A household the user may not see is "not found", whether it exists or not.
    refused = client.post(
        f"/transport/trips/{trip.id}/book/", {"registration_code": world.foreign.registration_code, "seats": "1"}
    )
    assert refused.status_code == 400
    assert "No household with this code" in refused.content.decode()
    assert not Ticket.objects.filter(household=world.foreign).exists()


def test_trips_page_shows_free_seats_and_no_person(world: World) -> None:
    trip = _trip(world, seats=3)
    _book(world, trip, world.own, seats=2)
    page = _web(world.users[Role.CASEWORKER]).get("/transport/").content.decode()
    assert "San Ysidro" in page and "1 of 3" in page
    assert "Hernández" not in page


def test_trip_page_shows_only_visible_passengers(world: World) -> None:
    trip = _trip(world, seats=6)
    _book(world, trip, world.own, seats=2)
    stranger = world.users["stranger_caseworker"]
    services.book_ticket(Actor(stranger, "system"), trip_id=trip.id, household_id=world.foreign.id, seats=3)
    page = _web(world.users[Role.CASEWORKER]).get(f"/transport/trips/{trip.id}/").content.decode()
    own_code = world.own.display_code
    assert own_code in page
    assert world.foreign.display_code not in page
    assert "3 more seats are booked for households of other organisations." in page


def _itinerary_household(world: World, language: str) -> Household:
    household = new_household(world.users[Role.CASEWORKER], world.home, preferred_language=language)
    trip = _trip(world, seats=10)
    _book(world, trip, household, seats=2)
    services.record_relocation(
        Actor(world.users[Role.CASEWORKER], "system"),
        household_id=household.id,
        data={
            "sponsor_name": "Rosa Sponsor",
            "address": "742 Calle Esperanza",
            "city": "Denver",
            "state": "CO",
            "moved_on": "2030-12-03",
        },
    )
    return household


@pytest.mark.parametrize(
    ("language", "words"),
    [("es", ["lunes", "diciembre", "Nombre", "Personas"]), ("ht", ["Lendi", "desanm", "Non", "Moun yo"])],
)
def test_itinerary_is_in_the_household_language(world: World, language: str, words: list[str]) -> None:
    household = _itinerary_household(world, language)
    page = _web(world.users[Role.CASEWORKER]).get(f"/transport/households/{household.id}/itinerary/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f'<html lang="{language}">' in html
    for word in words:
        assert word in html, word
    for english in ("Monday", "December", "People"):
        assert english not in html, english
    assert "San Ysidro" in html and "742 Calle Esperanza" in html and "Denver" in html and "Colorado" in html
    assert "<script" not in html and 'name="viewport"' in html


def test_itinerary_api_and_its_reads_are_audited(world: World) -> None:
    household = _itinerary_household(world, "es")
    before = AuditEvent.objects.filter(action=Action.READ).count()
    answer = world.client(Role.CASEWORKER).get(f"/api/v1/households/{household.id}/itinerary")
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["legs"][0]["from_place"] == "San Ysidro" and body["legs"][0]["mode"] == "bus"
    assert body["destination"]["address"] == "742 Calle Esperanza" and body["destination"]["state"] == "CO"
    reads = AuditEvent.objects.filter(action=Action.READ).order_by("id")[before:]
    seen = {e.object_type: e for e in reads}
    assert set(seen) >= {"traveller", "ticket", "relocation"}
    assert "address" in seen["relocation"].fields and "sponsor_name" in seen["relocation"].fields
    assert seen["relocation"].object_id == str(household.relocations.get().id)


def test_relocation_address_is_encrypted_at_rest(world: World) -> None:
    answer = world.client(Role.CASEWORKER).post(
        f"/api/v1/households/{world.own.id}/relocations",
        {
            "sponsor_name": "Tío Ernesto Vargas",
            "address": "1600 Sunflower Lane Apt 4",
            "city": "Denver",
            "state": "CO",
            "moved_on": "2030-12-03",
        },
        content_type="application/json",
    )
    assert answer.status_code == 201, answer.content
    assert answer.json()["address"] == "1600 Sunflower Lane Apt 4"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT address, sponsor_name, city FROM transport_relocation WHERE id = %s", [answer.json()["id"]]
        )
        address, sponsor, city = cursor.fetchone()
    assert "Sunflower" not in address and "Ernesto" not in sponsor
    assert city == "Denver"  # the city is not secret: it names no one's home
    assert Relocation.objects.get().address == "1600 Sunflower Lane Apt 4"


def test_relocation_api_refuses_unknown_state(world: World) -> None:
    answer = world.client(Role.CASEWORKER).post(
        f"/api/v1/households/{world.own.id}/relocations",
        {"address": "1 Main St", "city": "Denver", "state": "XX", "moved_on": "2030-12-03"},
        content_type="application/json",
    )
    assert answer.status_code == 422 and "state" in answer.json()["fields"]
    assert not Relocation.objects.exists()


def test_relocation_form_page(world: World) -> None:
    client = _web(world.users[Role.CASEWORKER])
    page = client.get(f"/transport/households/{world.own.id}/relocation/")
    html = page.content.decode()
    assert page.status_code == 200
    assert '<input type="date" name="moved_on"' in html and "change-of-address obligations" in html
    answer = client.post(
        f"/transport/households/{world.own.id}/relocation/",
        {"address": "55 Hope Street", "city": "Los Angeles", "state": "CA", "moved_on": "2030-12-05"},
    )
    assert answer.status_code == 302
    relocation = Relocation.objects.get(household=world.own)
    assert relocation.moved_on == dt.date(2030, 12, 5) and relocation.state == "CA"
    again = client.get(f"/transport/households/{world.own.id}/relocation/").content.decode()
    assert "55 Hope Street" in again and "California" in again


def test_visibility_own_foreign_and_agency(world: World) -> None:
    trip = _trip(world)
    foreign_ticket = services.book_ticket(
        Actor(world.users["stranger_caseworker"], "system"), trip_id=trip.id, household_id=world.foreign.id
    )
    caseworker = _web(world.users[Role.CASEWORKER])
    assert caseworker.get(f"/transport/households/{world.own.id}/itinerary/").status_code == 200
    assert caseworker.get(f"/transport/households/{world.shared.id}/itinerary/").status_code == 200
    assert caseworker.get(f"/transport/households/{world.foreign.id}/itinerary/").status_code == 404
    assert caseworker.get(f"/transport/households/{world.foreign.id}/relocation/").status_code == 404
    assert caseworker.post(f"/transport/tickets/{foreign_ticket.id}/cancel/").status_code == 404
    api = world.client(Role.CASEWORKER)
    assert api.get(f"/api/v1/households/{world.foreign.id}/itinerary").status_code == 404
    assert _book(world, trip, world.foreign).status_code == 404
    # Agency liaisons and analysts hold no transport role: nothing personal, not even the trips.
    for role in (Role.AGENCY_LIAISON, Role.ANALYST):
        web = _web(world.users[role])
        assert web.get("/transport/").status_code == 404
        assert web.get(f"/transport/trips/{trip.id}/").status_code == 404
        assert web.get(f"/transport/households/{world.own.id}/itinerary/").status_code == 404
        assert world.client(role).get("/api/v1/trips").json() == []
        assert world.client(role).get(f"/api/v1/households/{world.own.id}/itinerary").status_code == 404
        assert _book(world, trip, world.own, role=role).status_code == 404


def test_attorney_reads_but_does_not_book(world: World) -> None:
    trip = _trip(world)
    assert _web(world.users[Role.ATTORNEY]).get(f"/transport/households/{world.own.id}/itinerary/").status_code == 200
    assert _book(world, trip, world.own, role=Role.ATTORNEY).status_code == 404
    assert not Ticket.objects.exists()


def test_create_trip_api_and_enum(world: World) -> None:
    body = {
        "organisation_id": world.home.id,
        "mode": "flight",
        "from_place": "San Diego",
        "to_place": "Denver",
        "departs_at": "2030-12-04T08:00:00-08:00",
        "seats": 4,
    }
    answer = world.client(Role.CASEWORKER).post("/api/v1/trips", body, content_type="application/json")
    assert answer.status_code == 201, answer.content
    assert answer.json()["seats_free"] == 4
    bad = world.client(Role.CASEWORKER).post(
        "/api/v1/trips", {**body, "mode": "rocket"}, content_type="application/json"
    )
    assert bad.status_code == 422
    foreign = world.client(Role.CASEWORKER).post(
        "/api/v1/trips", {**body, "organisation_id": world.stranger.id}, content_type="application/json"
    )
    assert foreign.status_code == 403
    spec = world.client(Role.CASEWORKER).get("/api/v1/openapi.json").json()
    assert spec["components"]["schemas"]["TripIn"]["properties"]["mode"]["enum"] == ["bus", "flight", "car", "van"]


def test_trip_form_page(world: World) -> None:
    client = _web(world.users[Role.ORG_ADMIN])
    form = client.get("/transport/trips/new/").content.decode()
    assert '<input type="date" name="departs_on"' in form and '<input type="time" name="departs_time"' in form
    answer = client.post(
        "/transport/trips/new/",
        {
            "organisation": str(world.home.id),
            "mode": "van",
            "from_place": "San Ysidro",
            "to_place": "Tijuana",
            "departs_on": "2030-12-01",
            "departs_time": "07:15",
            "seats": "8",
        },
    )
    assert answer.status_code == 302
    trip = Trip.objects.get(mode="van")
    assert timezone.localtime(trip.departs_at).strftime("%Y-%m-%d %H:%M") == "2030-12-01 07:15"


def test_household_page_line(world: World) -> None:
    trip = _trip(world)
    _book(world, trip, world.own)
    html = _web(world.users[Role.CASEWORKER]).get(f"/cases/{world.own.id}/").content.decode()
    assert "San Ysidro → Los Angeles" in html
    assert f"/transport/households/{world.own.id}/itinerary/" in html
    assert f"/transport/households/{world.own.id}/relocation/" in html


def test_send_next_trip_only_with_consent_to_contact(world: World) -> None:
    from refugio.messaging.models import Message
    from refugio.messaging.services import set_channels

    trip = _trip(world)
    _book(world, trip, world.own)
    client = _web(world.users[Role.CASEWORKER])
    answer = client.post(f"/transport/households/{world.own.id}/itinerary/send/")
    assert answer.status_code == 302
    message = Message.objects.get(household=world.own)
    assert message.template == "trip_booked" and message.language == "es"
    assert message.params["date"] == "2030-12-02" and message.params["place"] == "San Ysidro"
    # The household withdrew every channel: nothing is queued, the caseworker is told why.
    actor = Actor(world.users[Role.CASEWORKER], "system")
    set_channels(actor, household=world.own, channels={"sms": True})
    set_channels(actor, household=world.own, channels={})
    refused = client.post(f"/transport/households/{world.own.id}/itinerary/send/", follow=True)
    assert "This household has not agreed to be contacted." in refused.content.decode()
    assert Message.objects.filter(household=world.own).count() == 1
    # Not for a household the user may not see.
    assert client.post(f"/transport/households/{world.foreign.id}/itinerary/send/").status_code == 404


def test_transport_reads_write_nothing_but_the_audit(world: World) -> None:
    from .test_reads_never_write import writes_of

    household = _itinerary_household(world, "es")
    trip = Ticket.objects.filter(household=household).get().trip
    web = _web(world.users[Role.CASEWORKER])
    web.get("/transport/")  # the session settles on the first page
    for url in (
        "/transport/",
        f"/transport/trips/{trip.id}/",
        f"/transport/households/{household.id}/itinerary/",
        f"/transport/households/{household.id}/relocation/",
        f"/cases/{household.id}/",
    ):
        assert writes_of(web, url) == [], url
    api = world.client(Role.CASEWORKER)
    api.get("/api/v1/trips")  # the token's coarse last-used time settles
    assert writes_of(api, "/api/v1/trips") == []
    assert writes_of(api, f"/api/v1/households/{household.id}/itinerary") == []
