"""Every path that shares a household (a user sharing it, a representative accepting a case) obeys one rule:
never with an agency, and only with the household's live consent to that kind of sharing."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.utils import timezone

from refugio.accounts.models import Organisation, Role
from refugio.audit.services import Actor
from refugio.core.errors import ValidationFailed
from refugio.legal.models import Representation, RepresentationStatus, Representative
from refugio.people.models import Household, SharingGrant
from refugio.people.services import grant_access, record_consent, withdraw_consent
from refugio.people.vocabulary import ConsentMethod, ConsentPurpose

from .conftest import World, api_client, make_user

SRC = Path(__file__).resolve().parents[1] / "src" / "refugio"
LATER = (timezone.now() + dt.timedelta(days=30)).isoformat()


def _consent(world: World, household: Household, purpose: str, **kwargs: object) -> None:
    record_consent(
        Actor(world.users[Role.CASEWORKER]), household=household, purpose=purpose, method=ConsentMethod.VERBAL, **kwargs
    )


def _share(world: World, organisation: Organisation) -> int:
    response = world.client(Role.CASEWORKER).post(
        f"/api/v1/households/{world.own.id}/grants",
        data={"organisation_id": organisation.id, "purpose": "Referral", "expires_at": LATER},
        content_type="application/json",
    )
    return response.status_code


def _grants(world: World) -> set[int]:
    return set(SharingGrant.objects.filter(household=world.own).values_list("organisation_id", flat=True))


def test_sharing_needs_the_households_consent(world: World) -> None:
    assert _share(world, world.partner) == 422  # no consent at all
    response = world.client(Role.CASEWORKER).post(
        f"/api/v1/households/{world.own.id}/grants",
        data={"organisation_id": world.partner.id, "purpose": "Referral", "expires_at": LATER},
        content_type="application/json",
    )
    assert response.json()["fields"] == {
        "organisation_id": "The household has not consented to sharing with this organisation."
    }
    assert _grants(world) == set()


def test_consent_covers_its_kind_of_organisation_or_the_one_it_names(world: World) -> None:
    _consent(world, world.own, ConsentPurpose.SHELTER_REFERRAL)
    assert _share(world, world.stranger) == 422  # a shelter referral does not reach an attorney network
    assert _share(world, world.partner) == 201  # a shelter: the kind the purpose implies
    _consent(world, world.own, ConsentPurpose.REUNIFICATION, recipient_id=world.partner.id)
    assert _share(world, world.stranger) == 422  # the reunification consent names the partner only
    _consent(world, world.own, ConsentPurpose.LEGAL_REFERRAL, recipient_id=world.stranger.id)
    assert _share(world, world.stranger) == 201
    _consent(world, world.own, ConsentPurpose.PROCESSING)  # processing by the owner is no consent to share
    assert _grants(world) == {world.partner.id, world.stranger.id}


def test_a_withdrawn_or_a_childs_consent_does_not_count(world: World) -> None:
    child = world.own.members.get(relationship_to_head="child")
    _consent(world, world.own, ConsentPurpose.SHELTER_REFERRAL, person_id=str(child.id))
    assert _share(world, world.partner) == 422
    _consent(world, world.own, ConsentPurpose.SHELTER_REFERRAL)
    withdraw_consent(Actor(world.users[Role.CASEWORKER]), consent=world.own.consents.get(person__isnull=True))
    assert _share(world, world.partner) == 422
    head = world.own.members.get(relationship_to_head="head")
    _consent(world, world.own, ConsentPurpose.SHELTER_REFERRAL, person_id=str(head.id))
    assert _share(world, world.partner) == 201


def test_never_with_an_agency_even_with_a_consent_naming_it(world: World) -> None:
    for purpose in (ConsentPurpose.LEGAL_REFERRAL, ConsentPurpose.AGENCY_MINIMAL):
        _consent(world, world.own, purpose, recipient_id=world.agency.id)
    assert _share(world, world.agency) == 422
    with pytest.raises(ValidationFailed) as refused:
        grant_access(
            Actor(world.users[Role.CASEWORKER]),
            household=world.own,
            organisation_id=world.agency.id,
            purpose="Legal representation",
            expires_at=timezone.now() + dt.timedelta(days=30),
            consented_for=ConsentPurpose.LEGAL_REFERRAL,
        )
    assert "agencies" in refused.value.fields["organisation_id"]
    assert _grants(world) == set()


def _agency_representative(world: World) -> tuple[Representative, object]:
    """An agency's admin on a roster, made directly: the roster itself now refuses agencies."""
    agency_admin = make_user("agency-admin", world.agency, Role.ORG_ADMIN)
    representative = Representative.objects.create(
        organisation=world.agency, user=agency_admin, name="Agency Admin", kind="attorney", languages=["es"]
    )
    return representative, agency_admin


def test_an_agency_admin_cannot_join_a_roster(world: World) -> None:
    agency_admin = api_client(make_user("agency-admin", world.agency, Role.ORG_ADMIN))
    body = {"organisation_id": world.agency.id, "name": "Agency Admin", "kind": "attorney", "languages": ["es"]}
    assert agency_admin.post("/api/v1/representatives", data=body, content_type="application/json").status_code == 403
    assert not Representative.objects.filter(organisation=world.agency).exists()


def test_an_agency_cannot_obtain_a_household_through_legal_representation(world: World) -> None:
    _consent(world, world.own, ConsentPurpose.LEGAL_REFERRAL, recipient_id=world.agency.id)
    representative, agency_admin = _agency_representative(world)
    offered = world.client(Role.CASEWORKER).post(
        f"/api/v1/households/{world.own.id}/offers",
        data={"representative_id": representative.id},
        content_type="application/json",
    )
    assert offered.status_code == 422  # the offer alone would show the parties' names to the agency
    assert not Representation.objects.filter(household=world.own).exists()

    # An offer that exists anyway (made before this rule): accepting it shares nothing.
    offer = Representation.objects.create(household=world.own, representative=representative, offered_at=timezone.now())
    agency = api_client(agency_admin)
    accepted = agency.post(f"/api/v1/offers/{offer.id}/respond", data={"accept": True}, content_type="application/json")
    assert accepted.status_code == 422
    offer.refresh_from_db()
    assert offer.status == RepresentationStatus.OFFERED  # nothing of the acceptance was kept
    assert _grants(world) == set()
    assert agency.get(f"/api/v1/households/{world.own.id}").status_code == 404


def _volunteer(world: World) -> tuple[Representative, object]:
    network = Organisation.objects.create(name="Volunteer Network", kind="attorney_network")
    lawyer = make_user("volunteer", network, Role.ATTORNEY)
    representative = Representative.objects.create(
        organisation=network, user=lawyer, name="Volunteer", kind="attorney", languages=["es"], courts=["ELP"]
    )
    return representative, lawyer


def test_legal_representation_needs_a_live_legal_referral_consent(world: World) -> None:
    representative, lawyer = _volunteer(world)
    coordinator = world.client(Role.CASEWORKER)
    url = f"/api/v1/households/{world.own.id}/offers"
    body = {"representative_id": representative.id}
    assert coordinator.post(url, data=body, content_type="application/json").status_code == 422  # no consent
    _consent(world, world.own, ConsentPurpose.SHELTER_REFERRAL)
    assert coordinator.post(url, data=body, content_type="application/json").status_code == 422  # not legal
    _consent(world, world.own, ConsentPurpose.LEGAL_REFERRAL)
    assert coordinator.post(url, data=body, content_type="application/json").status_code == 201

    # The consent is withdrawn before the representative answers: accepting shares nothing.
    withdraw_consent(Actor(world.users[Role.CASEWORKER]), consent=world.own.consents.get(purpose="legal_referral"))
    volunteer = api_client(lawyer)
    offer_id = volunteer.get("/api/v1/offers").json()[0]["id"]
    respond = f"/api/v1/offers/{offer_id}/respond"
    assert volunteer.post(respond, data={"accept": True}, content_type="application/json").status_code == 422
    assert volunteer.get(f"/api/v1/households/{world.own.id}").status_code == 404
    _consent(world, world.own, ConsentPurpose.LEGAL_REFERRAL)
    assert volunteer.post(respond, data={"accept": True}, content_type="application/json").status_code == 200
    assert volunteer.get(f"/api/v1/households/{world.own.id}").status_code == 200
    assert _grants(world) == {representative.organisation_id}


def test_grants_are_created_in_one_place_only() -> None:
    """Any new path that creates a grant has to go through people.services, behind the sharing rule."""
    creating = re.compile(
        r"(?<!class )SharingGrant\s*\(|SharingGrant\.objects\.(?:create|bulk_create|get_or_create|update_or_create)"
    )
    found = {
        str(path.relative_to(SRC))
        for path in SRC.rglob("*.py")
        if "migrations" not in path.parts and creating.search(path.read_text())
    }
    assert found == {"people/services.py"}
    text = (SRC / "people" / "services.py").read_text()
    assert len(creating.findall(text)) == 1
