from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.utils import timezone

from refugio.accounts.models import Membership, Organisation, Role
from refugio.accounts.services import create_api_token
from refugio.audit.services import Actor
from refugio.people.models import Household
from refugio.people.services import create_household, record_consent, share_household
from refugio.people.vocabulary import ConsentMethod, ConsentPurpose
from tests.browser import chromium  # noqa: F401  (the fixture, for browser tests)

HEAD = {
    "given_names": "María José",
    "first_family_name": "Hernández",
    "second_family_name": "López",
    "date_of_birth": "1990-03-12",
    "sex": "female",
    "nationality": "HN",
    "languages": ["es"],
    "relationship_to_head": "head",
    "a_number": "A123456789",
    "immigration_court": "ELP",
    "next_hearing_date": "2027-02-01",
    "vulnerabilities": ["single_caregiver"],
    "narrative": "Threatened by a gang in San Pedro Sula.",
}
CHILD = {
    "given_names": "Ana",
    "first_family_name": "Hernández",
    "date_of_birth": "2019",
    "date_of_birth_estimated": True,
    "relationship_to_head": "child",
}
HOUSEHOLD = {"current_city": "Ciudad Juárez", "contact_phone": "+52 656 123 4567", "preferred_language": "es"}


def pg_only() -> pytest.MarkDecorator:
    return pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (set DATABASE_URL)")


@dataclass
class World:
    home: Organisation
    partner: Organisation
    stranger: Organisation
    agency: Organisation
    users: dict[str, User] = field(default_factory=dict)
    own: Household | None = None
    shared: Household | None = None
    foreign: Household | None = None

    def client(self, role: str) -> Client:
        return api_client(self.users[role])


def api_client(user: User) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {create_api_token(user)}", HTTP_ACCEPT_LANGUAGE="en")


def make_user(username: str, org: Organisation, role: str) -> User:
    user = User.objects.create_user(username=username, password="a-long-test-password")
    Membership.objects.create(user=user, organisation=org, role=role)
    return user


def new_household(owner_user: User, org: Organisation, **extra: object) -> Household:
    members = [dict(HEAD), dict(CHILD)]
    return create_household(
        Actor(owner_user, "system"), organisation_id=org.id, data={**HOUSEHOLD, **extra}, members=members
    )


@pytest.fixture
def world(db: object) -> World:
    """Users of every role in `home`. `own` belongs to home; `shared` to partner, shared with home;
    `foreign` to stranger, not shared."""
    w = World(
        home=Organisation.objects.create(name="Home Legal Aid", kind="legal_aid"),
        partner=Organisation.objects.create(name="Partner Shelter", kind="shelter"),
        stranger=Organisation.objects.create(name="Stranger Network", kind="attorney_network"),
        agency=Organisation.objects.create(name="Agency Office", kind="agency"),
    )
    for role in Role.values:
        org = w.agency if role == Role.AGENCY_LIAISON else w.home
        w.users[role] = make_user(role.replace("_", "-"), org, role)
    partner_worker = make_user("partner-caseworker", w.partner, Role.CASEWORKER)
    stranger_worker = make_user("stranger-caseworker", w.stranger, Role.CASEWORKER)
    w.users["partner_caseworker"] = partner_worker
    w.users["stranger_caseworker"] = stranger_worker
    w.own = new_household(w.users[Role.CASEWORKER], w.home)
    w.shared = new_household(partner_worker, w.partner, current_city="Tijuana")
    record_consent(
        Actor(partner_worker, "system"),
        household=w.shared,
        purpose=ConsentPurpose.LEGAL_REFERRAL,
        method=ConsentMethod.VERBAL,
    )
    share_household(
        Actor(partner_worker, "system"),
        household=w.shared,
        organisation_id=w.home.id,
        purpose="Legal representation",
        expires_at=timezone.now() + dt.timedelta(days=30),
    )
    w.foreign = new_household(stranger_worker, w.stranger, current_city="Reynosa")
    return w
