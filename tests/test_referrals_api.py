"""Referrals through the JSON API: only with the household's live consent for the purpose; the state machine
(409 for a move the state refuses); the receiving organisation sees only the referral's minimum and never
the case; a third organisation sees nothing; every read is audited with exactly the fields returned."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db.models import Max

from refugio.accounts.models import Organisation, Role
from refugio.audit.models import AuditEvent
from refugio.audit.services import Actor
from refugio.people.models import Consent
from refugio.people.services import record_consent, withdraw_consent
from refugio.people.vocabulary import ConsentMethod, ConsentPurpose
from refugio.referrals.models import Referral, Service, ServiceCategory

from .conftest import World, api_client, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def clinic(world: World) -> World:
    """A local partner with a medical and a food service, and one of its caseworkers."""
    org = Organisation.objects.create(name="Clinic Partner", kind="local_partner")
    world.clinic = org  # type: ignore[attr-defined]
    world.users["clinic"] = make_user("clinic-caseworker", org, Role.CASEWORKER)
    world.medical = Service.objects.create(  # type: ignore[attr-defined]
        organisation=org, name="Walk-in clinic", category=ServiceCategory.MEDICAL, city="San Diego", languages=["es"]
    )
    world.food = Service.objects.create(  # type: ignore[attr-defined]
        organisation=org, name="Food pantry", category=ServiceCategory.FOOD, city="San Diego", languages=["en"]
    )
    return world


def _consent(world: World, purpose: str, **extra: Any) -> Consent:  # noqa: ANN401
    return record_consent(
        Actor(world.users[Role.CASEWORKER]),
        household=world.own,
        purpose=purpose,
        method=ConsentMethod.VERBAL,
        **extra,
    )


def _send(world: World, service: Service, **extra: Any) -> Any:  # noqa: ANN401
    body = {"household_id": str(world.own.id), "service_id": str(service.id), "note": "Needs insulin", **extra}
    return world.client(Role.CASEWORKER).post("/api/v1/referrals", body, content_type="application/json")


def _sent(world: World) -> int:
    _consent(world, ConsentPurpose.REFERRAL_MEDICAL)
    response = _send(world, world.medical)  # type: ignore[attr-defined]
    assert response.status_code == 201, response.content
    return int(response.json()["id"])


def _post(user: User, path: str, body: dict[str, Any] | None = None) -> Any:  # noqa: ANN401
    return api_client(user).post(path, body or {}, content_type="application/json")


def test_refused_without_consent_naming_the_missing_consent(clinic: World) -> None:
    _consent(clinic, ConsentPurpose.REFERRAL_FOOD)  # consent to something else does not count
    response = _send(clinic, clinic.medical)  # type: ignore[attr-defined]
    assert response.status_code == 422
    assert "Referral to medical care" in response.json()["fields"]["service_id"]
    assert not Referral.objects.exists()


def test_refused_after_the_consent_is_withdrawn_and_the_receiver_loses_sight(clinic: World) -> None:
    referral_id = _sent(clinic)
    receiver = api_client(clinic.users["clinic"])
    assert receiver.get(f"/api/v1/referrals/{referral_id}").status_code == 200
    consent = Consent.objects.get(household=clinic.own, purpose=ConsentPurpose.REFERRAL_MEDICAL)
    withdraw_consent(Actor(clinic.users[Role.CASEWORKER]), consent=consent)
    again = _send(clinic, clinic.medical)  # type: ignore[attr-defined]
    assert again.status_code == 422
    assert Referral.objects.count() == 1
    assert receiver.get(f"/api/v1/referrals/{referral_id}").status_code == 404
    assert receiver.get("/api/v1/referrals").json() == []


def test_a_consent_naming_another_recipient_does_not_cover_this_one(clinic: World) -> None:
    _consent(clinic, ConsentPurpose.REFERRAL_MEDICAL, recipient_id=clinic.partner.id)
    assert _send(clinic, clinic.medical).status_code == 422  # type: ignore[attr-defined]
    _consent(clinic, ConsentPurpose.REFERRAL_MEDICAL, recipient_id=clinic.clinic.id)  # type: ignore[attr-defined]
    assert _send(clinic, clinic.medical).status_code == 201  # type: ignore[attr-defined]


def test_persons_must_belong_to_the_household(clinic: World) -> None:
    _consent(clinic, ConsentPurpose.REFERRAL_MEDICAL)
    stranger = clinic.foreign.members.first()
    response = _send(clinic, clinic.medical, person_ids=[str(stranger.id)])  # type: ignore[attr-defined]
    assert response.status_code == 422 and "person_ids" in response.json()["fields"]
    child = clinic.own.members.get(relationship_to_head="child")
    made = _send(clinic, clinic.medical, person_ids=[str(child.id)])  # type: ignore[attr-defined]
    assert [p["name"] for p in made.json()["persons"]] == [child.full_name]


def test_state_machine_and_illegal_moves(clinic: World) -> None:
    referral_id = _sent(clinic)
    receiver, sender = clinic.users["clinic"], clinic.users[Role.CASEWORKER]
    base = f"/api/v1/referrals/{referral_id}"
    complete_early = _post(receiver, f"{base}/complete")
    assert complete_early.status_code == 409 and complete_early.json()["code"] == "referral_state"
    assert _post(receiver, f"{base}/accept").json()["status"] == "accepted"
    assert _post(receiver, f"{base}/accept").status_code == 409
    assert _post(receiver, f"{base}/decline", {"reason": "Full"}).status_code == 409
    assert _post(receiver, f"{base}/complete").json()["status"] == "completed"
    assert _post(sender, f"{base}/withdraw").status_code == 409
    assert Referral.objects.get(id=referral_id).status == "completed"
    # The sender sees the state the receiver set.
    assert api_client(sender).get(base).json()["status"] == "completed"


def test_decline_needs_a_reason_and_the_sender_reads_it(clinic: World) -> None:
    referral_id = _sent(clinic)
    receiver = clinic.users["clinic"]
    base = f"/api/v1/referrals/{referral_id}"
    assert _post(receiver, f"{base}/decline", {"reason": "  "}).status_code == 422
    declined = _post(receiver, f"{base}/decline", {"reason": "No doctor this month"})
    assert declined.status_code == 200 and declined.json()["status"] == "declined"
    seen = api_client(clinic.users[Role.CASEWORKER]).get(base).json()
    assert seen["status"] == "declined" and seen["decline_reason"] == "No doctor this month"
    assert _post(clinic.users[Role.CASEWORKER], f"{base}/withdraw").status_code == 409


def test_each_side_may_only_make_its_own_moves(clinic: World) -> None:
    referral_id = _sent(clinic)
    base = f"/api/v1/referrals/{referral_id}"
    assert _post(clinic.users[Role.CASEWORKER], f"{base}/accept").status_code == 404  # the sender cannot accept
    assert _post(clinic.users["clinic"], f"{base}/withdraw").status_code == 404  # the receiver cannot withdraw
    assert _post(clinic.users[Role.CASEWORKER], f"{base}/withdraw").json()["status"] == "withdrawn"


def test_the_receiver_sees_only_the_referral_never_the_case(clinic: World) -> None:
    referral_id = _sent(clinic)
    receiver = api_client(clinic.users["clinic"])
    shown = receiver.get(f"/api/v1/referrals/{referral_id}").json()
    assert shown["direction"] == "received"
    assert shown["household_id"] is None and shown["registration_code"] is None
    assert {p["name"] for p in shown["persons"]} == {p.full_name for p in clinic.own.members.all()}
    assert shown["note"] == "Needs insulin" and shown["language"] == "es"
    assert shown["contact_phone"] is None  # no consent to be contacted
    text = receiver.get(f"/api/v1/referrals/{referral_id}").content.decode()
    assert "A123456789" not in text and "gang" not in text  # no A-number, no narrative
    assert receiver.get(f"/api/v1/households/{clinic.own.id}").status_code == 404
    _consent(clinic, ConsentPurpose.CONTACT)
    assert receiver.get(f"/api/v1/referrals/{referral_id}").json()["contact_phone"] == "+526561234567"


def test_a_third_organisation_sees_nothing(clinic: World) -> None:
    referral_id = _sent(clinic)
    stranger = clinic.users["stranger_caseworker"]
    client = api_client(stranger)
    assert client.get(f"/api/v1/referrals/{referral_id}").status_code == 404
    assert client.get("/api/v1/referrals").json() == []
    for step in ("accept", "complete", "withdraw"):
        assert _post(stranger, f"/api/v1/referrals/{referral_id}/{step}").status_code == 404
    assert _post(stranger, f"/api/v1/referrals/{referral_id}/decline", {"reason": "x"}).status_code == 404
    # An agency liaison neither.
    liaison = api_client(clinic.users[Role.AGENCY_LIAISON])
    assert liaison.get(f"/api/v1/referrals/{referral_id}").status_code == 404
    # Nor can a third organisation refer a household it does not see.
    body = {"household_id": str(clinic.own.id), "service_id": str(clinic.medical.id)}  # type: ignore[attr-defined]
    assert client.post("/api/v1/referrals", body, content_type="application/json").status_code == 404
    assert Referral.objects.get(id=referral_id).status == "sent"


def test_lists_by_direction_and_status(clinic: World) -> None:
    referral_id = _sent(clinic)
    receiver = api_client(clinic.users["clinic"])
    assert [r["id"] for r in receiver.get("/api/v1/referrals?direction=received").json()] == [referral_id]
    assert receiver.get("/api/v1/referrals?direction=sent").json() == []
    assert receiver.get("/api/v1/referrals?status=accepted").json() == []
    sender = api_client(clinic.users[Role.CASEWORKER])
    assert [r["direction"] for r in sender.get("/api/v1/referrals").json()] == ["sent"]
    assert sender.get("/api/v1/referrals?direction=received").json() == []
    assert receiver.get("/api/v1/referrals?status=nope").status_code == 422


def _mark() -> int:
    return AuditEvent.objects.aggregate(m=Max("id"))["m"] or 0


def test_reads_are_audited_with_exactly_the_fields_shown(clinic: World) -> None:
    referral_id = _sent(clinic)
    since = _mark()
    api_client(clinic.users["clinic"]).get(f"/api/v1/referrals/{referral_id}")
    reads = list(AuditEvent.objects.filter(id__gt=since, action="read"))
    assert [(e.object_type, e.object_id, e.organisation_id) for e in reads] == [
        ("referral_received", str(referral_id), clinic.home.id)
    ]
    assert sorted(reads[0].fields) == sorted(["person_names", "language", "note", "decline_reason"])  # phone withheld
    since = _mark()
    api_client(clinic.users[Role.CASEWORKER]).get("/api/v1/referrals")
    reads = list(AuditEvent.objects.filter(id__gt=since, action="read"))
    assert [(e.object_type, e.object_id) for e in reads] == [("referral", str(referral_id))]
    assert sorted(reads[0].fields) == sorted(["registration_code", "person_names", "note", "decline_reason"])
    since = _mark()
    api_client(clinic.users["stranger_caseworker"]).get(f"/api/v1/referrals/{referral_id}")
    assert not AuditEvent.objects.filter(id__gt=since, action="read").exists()


def test_the_directory_filters_and_hides_nothing_personal(clinic: World) -> None:
    client = clinic.client(Role.SHELTER_STAFF)
    assert [s["name"] for s in client.get("/api/v1/services?category=medical").json()] == ["Walk-in clinic"]
    assert [s["name"] for s in client.get("/api/v1/services?language=en").json()] == ["Food pantry"]
    assert client.get("/api/v1/services?city=Denver").json() == []
    assert client.get("/api/v1/services?category=spa").status_code == 422
    one = client.get(f"/api/v1/services/{clinic.medical.id}").json()  # type: ignore[attr-defined]
    assert one["organisation"] == "Clinic Partner" and one["category"] == "medical"
    assert client.get("/api/v1/services/00000000-0000-0000-0000-000000000000").status_code == 404
