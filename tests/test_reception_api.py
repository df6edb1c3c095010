"""Reception through the JSON API: shelters seen by their own and granted organisations only, free beds,
placements (201, 409 when no bed is free, 404 for what the caller may not see), and a shelter's address
never shown to an agency."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.utils import timezone

from refugio.accounts.models import Role
from refugio.audit.models import AuditEvent
from refugio.audit.services import Actor
from refugio.reception import services
from refugio.reception.models import Placement, Shelter, ShelterGrant

from .conftest import World, api_client, make_user

ADDRESS = "Calle Reservada 417, Colonia Libertad"
PHONE = "+52 664 555 0142"
TODAY = timezone.localdate()


@dataclass
class Reception:
    world: World
    shelter: Shelter  # home's, licensed for minors, granted to partner (and, wrongly, to the agency)
    foreign: Shelter  # stranger's, not granted
    agency_admin: User


def make_shelter(user: User, org_id: int, name: str, *, minors: bool = True, **beds: int) -> Shelter:
    return services.create_shelter(
        Actor(user, "system"),
        organisation_id=org_id,
        data={"name": name, "city": "Tijuana", "address": ADDRESS, "phone": PHONE, "licensed_for_minors": minors},
        beds=beds or {"family": 2, "women_only": 1, "accessible": 1, "minor_safe": 1, "general": 3},
    )


@pytest.fixture
def rec(world: World) -> Reception:
    admin = world.users[Role.ORG_ADMIN]
    shelter = make_shelter(admin, world.home.id, "Casa Norte")
    services.grant_shelter(Actor(admin, "system"), shelter=shelter, organisation_id=world.partner.id)
    # The service refuses to grant a shelter to an agency; even a grant written past it must not show it.
    ShelterGrant.objects.create(shelter=shelter, organisation=world.agency)
    agency_admin = make_user("agency-admin", world.agency, Role.ORG_ADMIN)
    foreign = make_shelter(
        make_user("stranger-admin", world.stranger, Role.ORG_ADMIN),
        world.stranger.id,
        "Refugio Lejano",
        minors=False,
        general=5,
    )
    return Reception(world, shelter, foreign, agency_admin)


def place(
    client: object, household_id: object, shelter_id: int, bed_type: str = "family", days: int = 3, start: int = 0
) -> object:
    return client.post(  # type: ignore[attr-defined]
        f"/api/v1/households/{household_id}/placements",
        {
            "shelter_id": shelter_id,
            "bed_type": bed_type,
            "starts_on": (TODAY + dt.timedelta(days=start)).isoformat(),
            "ends_on": (TODAY + dt.timedelta(days=start + days)).isoformat(),
        },
        content_type="application/json",
    )


def beds_of(shelter: dict, bed_type: str) -> dict:
    return next(b for b in shelter["beds"] if b["bed_type"] == bed_type)


def test_shelters_are_seen_by_their_organisation_and_those_granted_only(rec: Reception) -> None:
    w = rec.world
    own = w.client(Role.CASEWORKER).get("/api/v1/shelters").json()
    assert [s["name"] for s in own] == ["Casa Norte"]
    assert own[0]["address"] == ADDRESS and own[0]["phone"] == PHONE
    assert beds_of(own[0], "family") == {"bed_type": "family", "capacity": 2, "free": 2}
    granted = api_client(w.users["partner_caseworker"]).get("/api/v1/shelters").json()
    assert [s["name"] for s in granted] == ["Casa Norte"] and granted[0]["address"] == ADDRESS
    stranger = api_client(w.users["stranger_caseworker"]).get("/api/v1/shelters").json()
    assert [s["name"] for s in stranger] == ["Refugio Lejano"]


def test_nights_up_to_the_last_day_there_is_are_refused_not_a_server_error(rec: Reception) -> None:
    client = rec.world.client(Role.CASEWORKER)
    for query in ({"from": "9999-12-31"}, {"to": "9999-12-31"}):
        assert client.get("/api/v1/shelters", query).status_code == 422, query
    assert client.get("/api/v1/shelters", {"from": "9999-12-30"}).status_code == 200


def test_a_revoked_grant_hides_the_shelter_again(rec: Reception) -> None:
    w = rec.world
    grant = ShelterGrant.objects.get(shelter=rec.shelter, organisation=w.partner)
    services.revoke_grant(Actor(w.users[Role.ORG_ADMIN], "system"), shelter=rec.shelter, grant_id=grant.id)
    assert api_client(w.users["partner_caseworker"]).get("/api/v1/shelters").json() == []


def test_an_agency_never_sees_a_shelter_or_its_address_even_when_granted(rec: Reception) -> None:
    for user in (rec.world.users[Role.AGENCY_LIAISON], rec.agency_admin):
        client = api_client(user)
        response = client.get("/api/v1/shelters")
        assert response.status_code == 200 and response.json() == []
        assert ADDRESS.encode() not in response.content and b"Reservada" not in response.content
        answer = place(client, rec.world.own.id, rec.shelter.id)
        assert answer.status_code == 404 and b"Reservada" not in answer.content


def test_a_shelter_is_never_granted_to_an_agency(rec: Reception) -> None:
    from refugio.core.errors import ValidationFailed

    other = make_shelter(rec.world.users[Role.ORG_ADMIN], rec.world.home.id, "Casa Sur")
    with pytest.raises(ValidationFailed):
        services.grant_shelter(
            Actor(rec.world.users[Role.ORG_ADMIN], "system"), shelter=other, organisation_id=rec.world.agency.id
        )


def test_the_address_is_encrypted_at_rest(rec: Reception) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT address, phone FROM reception_shelter WHERE id = %s", [rec.shelter.id])
        address, phone = cursor.fetchone()
    assert "Reservada" not in address and address.startswith("enc1:")
    assert "555" not in phone


def test_reading_shelters_is_audited_with_the_fields_shown(rec: Reception) -> None:
    rec.world.client(Role.CASEWORKER).get("/api/v1/shelters")
    event = AuditEvent.objects.filter(action="read", object_type="shelter", object_id=str(rec.shelter.id)).get()
    assert sorted(event.fields) == ["address", "phone"]
    assert event.actor_id == rec.world.users[Role.CASEWORKER].id


def test_placing_takes_beds_and_the_last_one_is_refused_with_409(rec: Reception) -> None:
    w = rec.world
    client = w.client(Role.CASEWORKER)
    made = place(client, w.own.id, rec.shelter.id)
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["beds"] == 2 and body["status"] == "planned" and body["bed_type"] == "family"  # one bed a member
    shelters = client.get("/api/v1/shelters").json()
    assert beds_of(shelters[0], "family")["free"] == 0
    refused = place(client, w.shared.id, rec.shelter.id)
    assert refused.status_code == 409
    assert refused.json()["code"] == "no_bed_free" and "No family room bed is free" in refused.json()["message"]
    assert Placement.objects.filter(household=w.shared).count() == 0
    # The nights after the first stay ends are free again.
    assert place(client, w.shared.id, rec.shelter.id, start=3).status_code == 201


def test_free_beds_follow_overlapping_dates(rec: Reception) -> None:
    w = rec.world
    client = w.client(Role.CASEWORKER)
    services.update_shelter(Actor(w.users[Role.ORG_ADMIN], "system"), shelter=rec.shelter, data={}, beds={"family": 4})
    assert place(client, w.own.id, rec.shelter.id, days=2).status_code == 201  # nights 0, 1
    assert place(client, w.shared.id, rec.shelter.id, start=2, days=2).status_code == 201  # nights 2, 3

    def free(first: int, last: int) -> int:
        query = {
            "from": (TODAY + dt.timedelta(days=first)).isoformat(),
            "to": (TODAY + dt.timedelta(days=last)).isoformat(),
        }
        return beds_of(client.get("/api/v1/shelters", query).json()[0], "family")["free"]

    assert free(0, 0) == 2 and free(1, 2) == 2 and free(0, 3) == 2 and free(4, 6) == 4


def test_household_or_shelter_the_caller_may_not_see_is_404(rec: Reception) -> None:
    w = rec.world
    client = w.client(Role.CASEWORKER)
    assert place(client, w.foreign.id, rec.shelter.id).status_code == 404
    assert place(client, w.own.id, rec.foreign.id).status_code == 404
    assert place(client, "not-a-uuid", rec.shelter.id).status_code == 404
    assert place(client, w.own.id, 999999).status_code == 404


def test_minor_safe_beds_only_in_a_shelter_licensed_for_minors(rec: Reception) -> None:
    w = rec.world
    client = w.client(Role.ORG_ADMIN)
    body = {
        "name": "Casa Sin Licencia",
        "city": "Tijuana",
        "address": "x",
        "beds": [{"bed_type": "minor_safe", "beds": 2}],
    }
    refused = client.post("/api/v1/shelters", body, content_type="application/json")
    assert (
        refused.status_code == 422
        and "licensed for unaccompanied minors" in refused.json()["fields"]["beds_minor_safe"]
    )
    body["beds"] = [{"bed_type": "general", "beds": 2}]
    made = client.post("/api/v1/shelters", body, content_type="application/json")
    assert made.status_code == 201, made.content
    answer = place(client, w.own.id, made.json()["id"], bed_type="minor_safe")
    assert answer.status_code == 422 and "not licensed" in answer.json()["fields"]["bed_type"]
    assert place(client, w.own.id, rec.shelter.id, bed_type="minor_safe").status_code in (201, 409)


def test_shelter_staff_and_admins_add_shelters_but_not_an_attorney(rec: Reception) -> None:
    w = rec.world
    body = {"name": "Casa Tres", "city": "Mexicali", "address": "Av. 1", "beds": [{"bed_type": "general", "beds": 2}]}
    assert (
        w.client(Role.SHELTER_STAFF).post("/api/v1/shelters", body, content_type="application/json").status_code == 201
    )
    assert w.client(Role.ATTORNEY).post("/api/v1/shelters", body, content_type="application/json").status_code == 403


def test_arrived_then_left_frees_the_beds_and_a_wrong_step_is_409(rec: Reception) -> None:
    w = rec.world
    client = w.client(Role.SHELTER_STAFF)
    made = place(client, w.own.id, rec.shelter.id).json()
    assert client.post(f"/api/v1/placements/{made['id']}/left").status_code == 409  # not arrived yet
    arrived = client.post(f"/api/v1/placements/{made['id']}/arrived")
    assert arrived.status_code == 200 and arrived.json()["status"] == "arrived"
    left = client.post(f"/api/v1/placements/{made['id']}/left")
    assert left.status_code == 200 and left.json()["status"] == "left"
    tomorrow = (TODAY + dt.timedelta(days=1)).isoformat()
    assert beds_of(client.get("/api/v1/shelters", {"from": tomorrow}).json()[0], "family")["free"] == 2
    assert client.post(f"/api/v1/placements/{made['id']}/cancel").status_code == 409
    stranger = api_client(w.users["stranger_caseworker"])
    assert stranger.post(f"/api/v1/placements/{made['id']}/cancel").status_code == 404


def test_every_choice_is_an_enum_in_the_openapi_spec(rec: Reception) -> None:
    spec = rec.world.client(Role.CASEWORKER).get("/api/v1/openapi.json").json()
    schemas = spec["components"]["schemas"]
    assert schemas["PlacementIn"]["properties"]["bed_type"]["enum"] == [
        "family",
        "women_only",
        "accessible",
        "minor_safe",
        "general",
    ]
    assert "enum" in schemas["PlacementOut"]["properties"]["status"]
    assert "/api/v1/households/{household_id}/placements" in spec["paths"]
