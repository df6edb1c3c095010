"""After a reunification is shared: both households lodged in one shelter and booked on one trip, from the
tracing candidate page, through reception's and transport's own services; audited in both organisations."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone, translation

from refugio.accounts.models import Role
from refugio.audit.models import AuditEvent
from refugio.audit.services import Actor
from refugio.core.errors import Conflict
from refugio.people.services import record_consent
from refugio.people.vocabulary import ConsentMethod, ConsentPurpose
from refugio.reception.models import BedCount, Placement
from refugio.reception.services import create_shelter, place
from refugio.tracing import services
from refugio.tracing.models import CandidateStatus, TracingCandidate
from refugio.transport.models import Ticket
from refugio.transport.services import create_trip

from .conftest import World, make_user
from .test_pages import signed_in

TODAY = timezone.localdate()
NIGHTS = {"starts_on": TODAY.isoformat(), "ends_on": (TODAY + dt.timedelta(days=5)).isoformat()}


@pytest.fixture
def reunion(world: World) -> dict:
    """Home Legal Aid's family (world.own) looks for a relative; Stranger Network holds a record of him (the head
    of world.foreign, an adult: no verification needed). The candidate is confirmed by both, not yet shared."""
    requester, holder = world.users[Role.CASEWORKER], world.users["stranger_caseworker"]
    for user, household in ((requester, world.own), (holder, world.foreign)):
        record_consent(
            Actor(user, "system"), household=household, purpose=ConsentPurpose.REUNIFICATION, method="verbal"
        )
    request = services.open_request(
        Actor(requester, "web"),
        household=world.own,
        data={"given_names": "María José", "family_names": "Hernández", "birth_year": 1990, "relationship": "sibling"},
    )
    person = world.foreign.members.get(relationship_to_head="head")
    candidate = TracingCandidate.objects.create(
        request=request, person=person, holder=world.stranger, match_probability=0.97
    )
    services.confirm_candidate(Actor(requester, "web"), candidate=candidate)
    services.confirm_candidate(Actor(holder, "web"), candidate=candidate)
    shelter = create_shelter(
        Actor(world.users[Role.SHELTER_STAFF], "web"),
        organisation_id=world.home.id,
        data={"name": "Casa Hogar Norte", "city": "Tijuana", "address": "Calle 1"},
        beds={"family": 10},
    )
    trip = create_trip(
        Actor(requester, "web"),
        organisation_id=world.home.id,
        data={
            "mode": "bus",
            "from_place": "Tijuana",
            "to_place": "Los Angeles",
            "departs_at": (timezone.now() + dt.timedelta(days=3)).isoformat(),
            "seats": 10,
        },
    )
    candidate.refresh_from_db()
    assert candidate.status == CandidateStatus.CONFIRMED
    return {"candidate": candidate, "shelter": shelter, "trip": trip}


def _share(world: World, candidate: TracingCandidate) -> None:
    services.record_side_consent(
        Actor(world.users[Role.CASEWORKER], "web"), candidate=candidate, method=ConsentMethod.VERBAL
    )
    services.record_side_consent(
        Actor(world.users["stranger_caseworker"], "web"), candidate=candidate, method=ConsentMethod.VERBAL
    )
    candidate.refresh_from_db()
    assert candidate.status == CandidateStatus.SHARED


def _candidate_events(world: World, field: str) -> set[int]:
    """The organisations in whose audit log the step on the candidate was written."""
    return {
        e.organisation_id
        for e in AuditEvent.objects.filter(object_type="tracing_candidate", action="update")
        if field in e.fields
    }


def test_both_households_are_lodged_in_one_shelter_and_audited_in_both_organisations(
    world: World, reunion: dict
) -> None:
    candidate, shelter = reunion["candidate"], reunion["shelter"]
    _share(world, candidate)
    client = signed_in(world.users[Role.CASEWORKER])
    page = client.get(f"/tracing/requests/{candidate.request_id}/").content.decode()
    assert "Lodging and travel together" in page and "Casa Hogar Norte (Tijuana)" in page

    # Three family beds for four people: refused, and neither household placed.
    BedCount.objects.filter(shelter=shelter, bed_type="family").update(beds=3)
    refused = client.post(
        f"/tracing/candidates/{candidate.id}/lodge/",
        {"shelter_id": shelter.id, "bed_type": "family", **NIGHTS},
        follow=True,
    )
    assert "No family room bed is free at Casa Hogar Norte" in refused.content.decode()
    assert not Placement.objects.filter(shelter=shelter).exists()

    BedCount.objects.filter(shelter=shelter, bed_type="family").update(beds=10)
    response = client.post(
        f"/tracing/candidates/{candidate.id}/lodge/", {"shelter_id": shelter.id, "bed_type": "family", **NIGHTS}
    )
    assert response.status_code == 302
    stays = Placement.objects.filter(shelter=shelter)
    assert {s.household_id for s in stays} == {world.own.id, world.foreign.id}
    assert all(s.beds == 2 and s.starts_on == TODAY for s in stays)  # a bed for each member
    # Each stay is written by reception in its household's organisation; the step in both.
    stay_orgs = {e.organisation_id for e in AuditEvent.objects.filter(object_type="shelter_stay", action="create")}
    assert stay_orgs == {world.home.id, world.stranger.id}
    assert _candidate_events(world, "lodged_together") == {world.home.id, world.stranger.id}

    again = client.post(
        f"/tracing/candidates/{candidate.id}/lodge/",
        {"shelter_id": shelter.id, "bed_type": "family", **NIGHTS},
        follow=True,
    )
    assert "Both households already have beds in this shelter for those nights." in again.content.decode()
    assert Placement.objects.filter(shelter=shelter).count() == 2


def test_a_family_joins_the_shelter_where_its_relative_already_is(world: World, reunion: dict) -> None:
    candidate = reunion["candidate"]
    stranger_admin = make_user("stranger-admin", world.stranger, Role.ORG_ADMIN)
    casa = create_shelter(
        Actor(stranger_admin, "web"),
        organisation_id=world.stranger.id,
        data={"name": "Albergue del Río", "city": "Reynosa", "address": "Calle 2"},
        beds={"family": 4},
    )
    end = TODAY + dt.timedelta(days=9)
    place(
        Actor(world.users["stranger_caseworker"], "web"),
        household=world.foreign,
        shelter_id=casa.id,
        bed_type="family",
        starts_on=TODAY,
        ends_on=end,
    )
    _share(world, candidate)
    holder = signed_in(world.users["stranger_caseworker"])
    page = holder.get(f"/tracing/candidates/{candidate.id}/").content.decode()
    assert "already has a bed at Albergue del Río" in page  # proposed: the shelter where the relative is
    assert f'value="{casa.id}" selected' in page and f'value="{end.isoformat()}"' in page

    holder.post(
        f"/tracing/candidates/{candidate.id}/lodge/",
        {"shelter_id": casa.id, "bed_type": "family", "starts_on": TODAY.isoformat(), "ends_on": end.isoformat()},
    )
    assert Placement.objects.filter(shelter=casa, household=world.foreign).count() == 1  # kept as it was
    assert Placement.objects.filter(shelter=casa, household=world.own).count() == 1  # joined
    page = holder.get(f"/tracing/candidates/{candidate.id}/").content.decode()
    assert "Both households have beds at Albergue del Río." in page

    # The requesting side sees both stays too (shared), each read audited in the household's organisation.
    before = AuditEvent.objects.count()
    signed_in(world.users[Role.CASEWORKER]).get(f"/tracing/requests/{candidate.request_id}/")
    reads = AuditEvent.objects.order_by("id")[before:]
    stay_reads = {e.organisation_id: e.fields for e in reads if e.action == "read" and e.object_type == "shelter_stay"}
    assert set(stay_reads) == {world.home.id, world.stranger.id}
    assert "shelter" in stay_reads[world.stranger.id]


def test_both_households_are_booked_on_one_trip_or_neither(world: World, reunion: dict) -> None:
    candidate, trip = reunion["candidate"], reunion["trip"]
    _share(world, candidate)
    holder = signed_in(world.users["stranger_caseworker"])
    assert "Tijuana → Los Angeles" in holder.get(f"/tracing/candidates/{candidate.id}/").content.decode()

    # Three seats left for four people: refused, and nobody booked.
    trip.seats = 3
    trip.save(update_fields=["seats"])
    refused = holder.post(f"/tracing/candidates/{candidate.id}/travel/", {"trip_id": trip.id}, follow=True)
    assert "needs 4 more seats; only 3 seats are free" in refused.content.decode()
    assert not Ticket.objects.filter(trip=trip).exists()

    trip.seats = 10
    trip.save(update_fields=["seats"])
    holder.post(f"/tracing/candidates/{candidate.id}/travel/", {"trip_id": trip.id})
    tickets = Ticket.objects.filter(trip=trip, status="booked")
    assert {t.household_id for t in tickets} == {world.own.id, world.foreign.id}
    assert all(t.seats == 2 and t.persons.count() == 2 for t in tickets)
    assert _candidate_events(world, "travel_together") == {world.home.id, world.stranger.id}
    ticket_orgs = {e.organisation_id for e in AuditEvent.objects.filter(object_type="ticket", action="create")}
    assert ticket_orgs == {world.home.id, world.stranger.id}
    page = signed_in(world.users[Role.CASEWORKER]).get(f"/tracing/requests/{candidate.request_id}/")
    assert "Both households are booked on the same trip." in page.content.decode()


def test_nothing_is_lodged_booked_or_shown_before_sharing(world: World, reunion: dict) -> None:
    candidate, shelter, trip = reunion["candidate"], reunion["shelter"], reunion["trip"]
    place(
        Actor(world.users["stranger_caseworker"], "web"),
        household=world.foreign,
        shelter_id=_stranger_shelter(world).id,
        bed_type="family",
        starts_on=TODAY,
        ends_on=TODAY + dt.timedelta(days=3),
    )
    client = signed_in(world.users[Role.CASEWORKER])
    before = AuditEvent.objects.count()
    page = client.get(f"/tracing/requests/{candidate.request_id}/").content.decode()
    assert "Lodging and travel together" not in page and "Refugio Sur" not in page
    held = signed_in(world.users["stranger_caseworker"]).get(f"/tracing/candidates/{candidate.id}/").content.decode()
    assert "Lodging and travel together" not in held
    reads = AuditEvent.objects.order_by("id")[before:]
    assert not [e for e in reads if e.object_type in ("shelter_stay", "ticket")]

    lodged = client.post(
        f"/tracing/candidates/{candidate.id}/lodge/",
        {"shelter_id": shelter.id, "bed_type": "family", **NIGHTS},
        follow=True,
    )
    assert "only once their details are shared" in lodged.content.decode()
    booked = client.post(f"/tracing/candidates/{candidate.id}/travel/", {"trip_id": trip.id}, follow=True)
    assert "only once their details are shared" in booked.content.decode()
    assert not Placement.objects.filter(shelter=shelter).exists() and not Ticket.objects.exists()
    assert _candidate_events(world, "lodged_together") == set() == _candidate_events(world, "travel_together")
    with translation.override("en"), pytest.raises(Conflict) as refused:
        services.travel_together(Actor(world.users[Role.CASEWORKER], "web"), candidate=candidate, trip_id=trip.id)
    assert refused.value.code == "not_shared"


def _stranger_shelter(world: World):
    return create_shelter(
        Actor(make_user("stranger-admin", world.stranger, Role.ORG_ADMIN), "web"),
        organisation_id=world.stranger.id,
        data={"name": "Refugio Sur", "city": "Reynosa", "address": "Calle 3"},
        beds={"family": 4},
    )


def test_a_third_organisation_gets_404_and_changes_nothing(world: World, reunion: dict) -> None:
    candidate, shelter, trip = reunion["candidate"], reunion["shelter"], reunion["trip"]
    _share(world, candidate)
    third = signed_in(world.users["partner_caseworker"])
    before = AuditEvent.objects.count()
    lodge = third.post(
        f"/tracing/candidates/{candidate.id}/lodge/", {"shelter_id": shelter.id, "bed_type": "family", **NIGHTS}
    )
    assert lodge.status_code == 404
    assert third.post(f"/tracing/candidates/{candidate.id}/travel/", {"trip_id": trip.id}).status_code == 404
    assert third.get(f"/tracing/candidates/{candidate.id}/").status_code == 404
    assert not Placement.objects.exists() and not Ticket.objects.exists()
    touched = {e.object_type for e in AuditEvent.objects.order_by("id")[before:]}
    assert not touched & {"shelter_stay", "ticket", "tracing_candidate"}
