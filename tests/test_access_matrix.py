"""Every API route × every role × (own / shared / foreign): the status each must get.

own: owned by the user's organisation; shared: another organisation's, shared with it by a live grant;
foreign: another organisation's, not shared. Anything a user may not see answers 404, never 403.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.test import Client
from django.utils import timezone

from refugio.accounts.models import Role
from refugio.audit.services import Actor
from refugio.people.models import SharingGrant
from refugio.people.services import record_consent, share_household
from refugio.people.vocabulary import ConsentMethod, ConsentPurpose

from .conftest import CHILD, World

READ = {Role.ORG_ADMIN, Role.CASEWORKER, Role.ATTORNEY, Role.SHELTER_STAFF}
CREATE = {Role.ORG_ADMIN, Role.CASEWORKER, Role.SHELTER_STAFF}
SHARE = {Role.ORG_ADMIN, Role.CASEWORKER}
RELATIONS = ["own", "shared", "foreign"]


def _visible(role: str, relation: str) -> bool:
    return role in READ and relation in {"own", "shared"}


def _expect_read(ok: int) -> Callable[[str, str], int]:
    return lambda role, relation: ok if _visible(role, relation) else 404


def _expect_share(role: str, relation: str) -> int:
    if not _visible(role, relation):
        return 404
    return 201 if relation == "own" and role in SHARE else 403


def _expect_revoke(role: str, relation: str) -> int:
    if not _visible(role, relation):
        return 404
    return 200 if role in SHARE else 403


OVERRIDE = {Role.ORG_ADMIN, Role.CASEWORKER}


def _expect_override(ok: int) -> Callable[[str, str], int]:
    def expect(role: str, relation: str) -> int:
        if not _visible(role, relation):
            return 404
        return ok if relation == "own" and role in OVERRIDE else 403

    return expect


@pytest.fixture(autouse=True)
def _sharing_consents(world: World) -> None:
    """Sharing needs the household's consent: own may go to legal organisations, foreign to shelters."""
    record_consent(
        Actor(None, "system"), household=world.own, purpose=ConsentPurpose.LEGAL_REFERRAL, method=ConsentMethod.VERBAL
    )
    record_consent(
        Actor(None, "system"),
        household=world.foreign,
        purpose=ConsentPurpose.SHELTER_REFERRAL,
        method=ConsentMethod.VERBAL,
    )


def _grant_for(world: World, relation: str) -> SharingGrant:
    until = timezone.now() + dt.timedelta(days=10)
    if relation == "own":
        return share_household(
            Actor(world.users[Role.CASEWORKER]),
            household=world.own,
            organisation_id=world.stranger.id,
            purpose="referral",
            expires_at=until,
        )
    if relation == "shared":
        return SharingGrant.objects.get(household=world.shared, organisation=world.home)
    return share_household(
        Actor(world.users["stranger_caseworker"]),
        household=world.foreign,
        organisation_id=world.partner.id,
        purpose="referral",
        expires_at=until,
    )


@dataclass(frozen=True)
class Route:
    name: str
    method: str
    path: str  # {household}, {person} and {grant} are filled per relation
    body: dict | None
    expect: Callable[[str, str], int]


LATER = (dt.date.today() + dt.timedelta(days=20)).isoformat() + "T12:00:00Z"
ROUTES = [
    Route("read household", "get", "/api/v1/households/{household}", None, _expect_read(200)),
    Route("update household", "patch", "/api/v1/households/{household}", {"notes": "called"}, _expect_read(200)),
    Route("list persons", "get", "/api/v1/households/{household}/persons", None, _expect_read(200)),
    Route("add person", "post", "/api/v1/households/{household}/persons", CHILD, _expect_read(201)),
    Route("read person", "get", "/api/v1/persons/{person}", None, _expect_read(200)),
    Route("update person", "patch", "/api/v1/persons/{person}", {"notes": "x"}, _expect_read(200)),
    Route("list grants", "get", "/api/v1/households/{household}/grants", None, _expect_read(200)),
    Route(
        "share",
        "post",
        "/api/v1/households/{household}/grants",
        {"organisation_id": "{target}", "purpose": "shelter", "expires_at": LATER},
        _expect_share,
    ),
    Route("revoke", "post", "/api/v1/grants/{grant}/revoke", None, _expect_revoke),
    Route("list consents", "get", "/api/v1/households/{household}/consents", None, _expect_read(200)),
    Route(
        "record consent",
        "post",
        "/api/v1/households/{household}/consents",
        {"purpose": "processing", "method": "verbal"},
        _expect_read(201),
    ),
    Route("read triage", "get", "/api/v1/households/{household}/triage", None, _expect_read(200)),
    Route(
        "override triage",
        "post",
        "/api/v1/households/{household}/triage/override",
        {"tier": 1, "priority": 40, "reason": "hospitalised"},
        _expect_override(201),
    ),
    Route("end override", "post", "/api/v1/households/{household}/triage/override/end", None, _expect_override(200)),
]


def _call(client: Client, route: Route, values: dict[str, str]) -> int:
    path = route.path.format(**values)
    body = json.loads(json.dumps(route.body).replace('"{target}"', values["target"])) if route.body else None
    method = getattr(client, route.method)
    response = method(path, data=json.dumps(body), content_type="application/json") if body else method(path)
    if response.status_code >= 400:
        assert set(response.json()) == {"code", "message", "fields"}
    return response.status_code


@pytest.mark.parametrize("relation", RELATIONS)
@pytest.mark.parametrize("role", Role.values)
@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
def test_object_route(world: World, route: Route, role: str, relation: str) -> None:
    household = getattr(world, relation)
    values = {
        "household": str(household.id),
        "person": str(household.members.first().id),
        "grant": str(_grant_for(world, relation).id) if route.name == "revoke" else "0",
        "target": str(world.stranger.id if relation != "foreign" else world.home.id),
    }
    assert _call(world.client(role), route, values) == route.expect(role, relation)


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
def test_object_route_without_credentials_is_401(world: World, route: Route) -> None:
    values = {
        "household": str(world.own.id),
        "person": str(world.own.members.first().id),
        "grant": "1",
        "target": str(world.stranger.id),
    }
    assert _call(Client(), route, values) == 401


@pytest.mark.parametrize("role", Role.values)
def test_list_shows_own_and_shared_only(world: World, role: str) -> None:
    response = world.client(role).get("/api/v1/households")
    assert response.status_code == 200
    ids = {item["id"] for item in response.json()["items"]}
    expected = {str(world.own.id), str(world.shared.id)} if role in READ else set()
    assert ids == expected


@pytest.mark.parametrize("role", Role.values)
def test_person_list_shows_own_and_shared_only(world: World, role: str) -> None:
    response = world.client(role).get("/api/v1/persons", {"page_size": 200})
    assert response.status_code == 200
    households = {item["household_id"] for item in response.json()["items"]}
    assert households == ({str(world.own.id), str(world.shared.id)} if role in READ else set())


@pytest.mark.parametrize("role", Role.values)
def test_create_household(world: World, role: str) -> None:
    body = {
        "current_city": "Tijuana",
        "members": [{"given_names": "Luis", "first_family_name": "Cruz", "relationship_to_head": "head"}],
    }
    response = world.client(role).post("/api/v1/households", data=body, content_type="application/json")
    assert response.status_code == (201 if role in CREATE else 403)


@pytest.mark.parametrize("role", Role.values)
@pytest.mark.parametrize("path", ["/api/v1/me", "/api/v1/organisations", "/api/v1/audit", "/api/v1/persons"])
def test_account_routes(world: World, role: str, path: str) -> None:
    assert world.client(role).get(path).status_code == 200
    assert Client().get(path).status_code == 401


def test_expired_and_revoked_grants_stop_access(world: World) -> None:
    client = world.client(Role.CASEWORKER)
    url = f"/api/v1/households/{world.shared.id}"
    assert client.get(url).status_code == 200
    grant = SharingGrant.objects.get(household=world.shared, organisation=world.home)
    SharingGrant.objects.filter(pk=grant.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert client.get(url).status_code == 404
    SharingGrant.objects.filter(pk=grant.pk).update(expires_at=timezone.now() + dt.timedelta(days=1))
    assert client.get(url).status_code == 200
    partner = world.users["partner_caseworker"]
    from .conftest import api_client

    assert api_client(partner).post(f"/api/v1/grants/{grant.id}/revoke").status_code == 200
    assert client.get(url).status_code == 404


def test_malformed_ids_are_404(world: World) -> None:
    client = world.client(Role.CASEWORKER)
    for path in ["/api/v1/households/not-a-uuid", "/api/v1/persons/123", "/api/v1/households/%27%3B--"]:
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.json()["code"] == "not_found"
