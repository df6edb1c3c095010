"""Family tracing across organisations: double-blind, consent-gated, a child never reunited on a score."""

from __future__ import annotations

import pytest

from refugio.accounts.models import Role
from refugio.audit.models import AuditEvent
from refugio.audit.services import Actor
from refugio.people.models import Household
from refugio.people.services import create_household, record_consent
from refugio.people.vocabulary import ConsentMethod, ConsentPurpose
from refugio.synth.generator import generate
from refugio.tracing import rules, services
from refugio.tracing.models import CandidateStatus, TracingCandidate

from .conftest import World
from .test_pages import signed_in

SOUGHT = {
    "given_names": "Josué Daniel",
    "first_family_name": "Pérez",
    "second_family_name": "Quintanilla",
    "date_of_birth": "2012-04-09",
    "sex": "male",
    "nationality": "HN",
    "relationship_to_head": "head",
}


def _household(user, org, members, consent: bool) -> Household:
    actor = Actor(user, "system")
    household = create_household(
        actor, organisation_id=org.id, data={"current_city": "Reynosa", "preferred_language": "es"}, members=members
    )
    if consent:
        record_consent(actor, household=household, purpose=ConsentPurpose.REUNIFICATION, method=ConsentMethod.VERBAL)
    return household


@pytest.fixture
def tracing(world: World) -> dict:
    holder = world.users["stranger_caseworker"]
    # A register at the holding organisation: households that consented to tracing, and the boy's record.
    for synth in generate(40, 5):
        members = []
        for i, p in enumerate(synth.members):
            members.append(
                {
                    "given_names": p.given_names,
                    "first_family_name": p.first_family_name,
                    "second_family_name": p.second_family_name,
                    "date_of_birth": str(p.date_of_birth or ""),
                    "sex": p.sex,
                    "nationality": p.nationality,
                    "relationship_to_head": "head" if i == 0 else p.relationship_to_head,
                }
            )
        _household(holder, world.stranger, members[:1], consent=True)
    found = _household(holder, world.stranger, [dict(SOUGHT)], consent=True)
    # The same name in a household that did not consent to tracing: never compared.
    hidden = _household(holder, world.stranger, [dict(SOUGHT, given_names="Josué")], consent=False)
    requester = world.users[Role.CASEWORKER]
    record_consent(
        Actor(requester, "system"),
        household=world.own,
        purpose=ConsentPurpose.REUNIFICATION,
        method=ConsentMethod.VERBAL,
    )
    request = services.open_request(
        Actor(requester, "web"),
        household=world.own,
        data={
            "given_names": "Josue",
            "family_names": "Perez",
            "birth_year": 2012,
            "relationship": "child",
            "last_seen_place": "Albergue Senda de Vida, Reynosa",
            "notes": "Separated at the bridge in March; wears a red cap",
        },
    )
    services.search()
    return {"request": request, "found": found, "hidden": hidden}


def test_the_broker_finds_the_child_only_in_households_that_consented(world: World, tracing: dict) -> None:
    candidates = list(TracingCandidate.objects.filter(request=tracing["request"]))
    people = {c.person.household_id for c in candidates}
    assert tracing["found"].id in people
    assert tracing["hidden"].id not in people
    best = candidates[0]
    assert best.person.household_id == tracing["found"].id and best.holder_id == world.stranger.id
    assert tracing["request"].separated_child  # born 2012: a child, whatever the form said
    services.search()  # idempotent
    assert TracingCandidate.objects.filter(request=tracing["request"]).count() == len(candidates)


def test_neither_side_sees_the_others_data_and_a_third_organisation_sees_nothing(world: World, tracing: dict) -> None:
    candidate = TracingCandidate.objects.get(request=tracing["request"], person__household=tracing["found"])
    requester = signed_in(world.users[Role.CASEWORKER])
    page = requester.get(f"/tracing/requests/{tracing['request'].id}/").content.decode()
    assert "Stranger Network" in page and "match" in page
    assert "Quintanilla" not in page and "Josué Daniel" not in page
    assert requester.get(f"/cases/{tracing['found'].id}/").status_code == 404

    holder = signed_in(world.users["stranger_caseworker"])
    held = holder.get(f"/tracing/candidates/{candidate.id}/").content.decode()
    assert "Josué Daniel" in held and "Home Legal Aid" in held
    assert "Senda de Vida" not in held and "red cap" not in held
    assert holder.get(f"/tracing/requests/{tracing['request'].id}/").status_code == 404
    assert holder.get(f"/cases/{world.own.id}/").status_code == 404

    third = signed_in(world.users["partner_caseworker"])
    assert third.get(f"/tracing/requests/{tracing['request'].id}/").status_code == 404
    assert third.get(f"/tracing/candidates/{candidate.id}/").status_code == 404
    assert third.post(f"/tracing/candidates/{candidate.id}/confirm/").status_code == 404


def test_details_cross_only_after_both_confirm_both_consent_and_someone_verifies_the_child(
    world: World, tracing: dict
) -> None:
    candidate = TracingCandidate.objects.get(request=tracing["request"], person__household=tracing["found"])
    requester = signed_in(world.users[Role.CASEWORKER])
    holder = signed_in(world.users["stranger_caseworker"])
    act = f"/tracing/candidates/{candidate.id}"

    requester.post(f"{act}/confirm/")
    # Consent before both confirmed is refused, and nothing is shared.
    requester.post(f"{act}/consent/", {"method": "verbal"})
    candidate.refresh_from_db()
    assert candidate.requester_consent_at is None and candidate.status == CandidateStatus.PROPOSED
    holder.post(f"{act}/confirm/")
    requester.post(f"{act}/consent/", {"method": "verbal"})
    holder.post(f"{act}/consent/", {"method": "guardian"})
    candidate.refresh_from_db()
    assert candidate.status == CandidateStatus.CONFIRMED  # a child: not shared on consent alone
    assert requester.get(f"/cases/{tracing['found'].id}/").status_code == 404
    requester.post(f"{act}/reunited/")
    candidate.refresh_from_db()
    assert candidate.status != CandidateStatus.REUNITED

    # Until now the requesting side read nothing of the holder's people, and the holder nothing of the family:
    # the audit logs of both organisations say so.
    assert _cross_reads(world) == set()
    holder.post(f"{act}/verify/", {"method": "questions", "notes": "He named his mother and the village school."})
    candidate.refresh_from_db()
    assert candidate.status == CandidateStatus.SHARED
    assert requester.get(f"/cases/{tracing['found'].id}/").status_code == 200
    assert holder.get(f"/cases/{world.own.id}/").status_code == 200
    assert _cross_reads(world) == {"home reads stranger", "stranger reads home"}  # now, and audited where owned
    requester.post(f"{act}/reunited/")
    candidate.refresh_from_db()
    assert candidate.status == CandidateStatus.REUNITED
    tracing["request"].refresh_from_db()
    assert tracing["request"].status == "reunited"


def _cross_reads(world: World) -> set[str]:
    """Reads of personal data (households, people) by one organisation's staff of the other's records."""
    staff = {world.users[Role.CASEWORKER].id: "home", world.users["stranger_caseworker"].id: "stranger"}
    owners = {world.home.id: "home", world.stranger.id: "stranger"}
    found = set()
    for event in AuditEvent.objects.filter(action="read", object_type__in=["household", "person"]):
        reader, owner = staff.get(event.actor_id), owners.get(event.organisation_id)
        if reader and owner and reader != owner:
            found.add(f"{reader} reads {owner}")
    return found


def test_every_step_is_audited_in_both_organisations(world: World, tracing: dict) -> None:
    candidate = TracingCandidate.objects.get(request=tracing["request"], person__household=tracing["found"])
    before = AuditEvent.objects.count()
    signed_in(world.users["stranger_caseworker"]).post(f"/tracing/candidates/{candidate.id}/confirm/")
    events = AuditEvent.objects.filter(id__gt=0).order_by("-id")[: AuditEvent.objects.count() - before]
    orgs = {e.organisation_id for e in events if e.object_type == "tracing_candidate"}
    assert orgs == {world.home.id, world.stranger.id}


def test_a_rejected_candidate_can_no_longer_be_confirmed(world: World, tracing: dict) -> None:
    candidate = TracingCandidate.objects.get(request=tracing["request"], person__household=tracing["found"])
    holder = signed_in(world.users["stranger_caseworker"])
    holder.post(f"/tracing/candidates/{candidate.id}/reject/")
    response = holder.post(f"/tracing/candidates/{candidate.id}/confirm/", follow=True)
    assert "This candidate was rejected." in response.content.decode()
    candidate.refresh_from_db()
    assert candidate.status == CandidateStatus.REJECTED and candidate.holder_confirmed_at is None


def test_a_request_needs_the_familys_consent(world: World) -> None:
    client = signed_in(world.users[Role.CASEWORKER])
    response = client.post(
        f"/tracing/households/{world.own.id}/new/", {"given_names": "Ana", "relationship": "sibling", "sex": "female"}
    )
    assert response.status_code == 400
    assert "has not consented to tracing" in response.content.decode()


@pytest.mark.parametrize(
    ("state", "share", "reunite"),
    [
        (rules.CandidateState(True, True, True, True, False, False, False), True, True),
        (rules.CandidateState(True, True, True, True, True, False, False), False, False),
        (rules.CandidateState(True, True, True, True, True, True, False), True, True),
        (rules.CandidateState(True, False, True, True, False, False, False), False, False),
        (rules.CandidateState(True, True, False, True, False, False, False), False, False),
        (rules.CandidateState(True, True, True, True, False, False, True), False, False),
    ],
)
def test_the_rules_never_move_on_a_score_alone(state: rules.CandidateState, share: bool, reunite: bool) -> None:
    assert rules.may_share(state) is share
    assert rules.may_record_reunion(state, shared=share) is reunite


def test_strength_words_and_who_counts_as_a_child() -> None:
    assert [rules.strength(p) for p in (0.99, 0.9, 0.6)] == ["strong", "likely", "possible"]
    assert rules.is_child(2012, 2026) and not rules.is_child(2000, 2026) and rules.is_child(None, 2026)


def test_the_api_opens_a_request_and_shows_each_side_only_its_part(world: World, tracing: dict) -> None:
    from .conftest import api_client

    requester = api_client(world.users[Role.CASEWORKER])
    response = requester.post(
        f"/api/v1/households/{world.own.id}/tracing-requests",
        {"given_names": "Ana", "family_names": "Pérez", "relationship": "sibling", "sex": "female"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["relationship"] == "sibling"
    bad = requester.post(
        f"/api/v1/households/{world.own.id}/tracing-requests",
        {"given_names": "Ana", "relationship": "cousin"},
        content_type="application/json",
    )
    assert bad.status_code == 422
    shown = requester.get(f"/api/v1/tracing-requests/{tracing['request'].id}").json()
    assert shown["candidates"] and set(shown["candidates"][0]) >= {"holder", "strength", "status"}
    assert "Quintanilla" not in str(shown)

    holder = api_client(world.users["stranger_caseworker"])
    held = holder.get("/api/v1/tracing-candidates").json()
    assert any("Josué Daniel" in c["person_name"] for c in held)
    assert "red cap" not in str(held) and "Senda" not in str(held)
    candidate = next(c for c in held if "Josué Daniel" in c["person_name"])
    assert holder.post(f"/api/v1/tracing-candidates/{candidate['id']}/confirm").json()["holder_confirmed"] is True
    third = api_client(world.users["partner_caseworker"])
    assert third.post(f"/api/v1/tracing-candidates/{candidate['id']}/confirm").status_code == 404
    assert third.get(f"/api/v1/tracing-requests/{tracing['request'].id}").status_code == 404


def test_case_notes_stay_with_the_requesting_organisation(world: World, tracing: dict) -> None:
    requester = signed_in(world.users[Role.CASEWORKER])
    url = f"/tracing/requests/{tracing['request'].id}/"
    requester.post(f"{url}notes/", {"body": "Called the shelter in Reynosa; they will ask around."})
    assert "they will ask around" in requester.get(url).content.decode()
    holder = signed_in(world.users["stranger_caseworker"])
    assert holder.post(f"{url}notes/", {"body": "x"}).status_code == 404
    candidate = TracingCandidate.objects.get(request=tracing["request"], person__household=tracing["found"])
    assert "ask around" not in holder.get(f"/tracing/candidates/{candidate.id}/").content.decode()
