"""Leftovers of issue 11: withdrawing consent ends the sharing it allowed; the household page offers only
what the rule table allows; hearing e-mails go through the disclosure layer; one owned-or-shared rule; one
head per household after creation and the member limit on adding; the Idempotency-Key header by its name;
a private $REFUGIO_HOME."""

from __future__ import annotations

import datetime as dt
import stat
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from refugio.accounts.models import Organisation, Role
from refugio.accounts.rules import Subject, Verb
from refugio.accounts.selectors import organisations_where
from refugio.audit.models import AuditEvent
from refugio.audit.services import Actor
from refugio.core.errors import ValidationFailed
from refugio.legal.models import Hearing, Representation, RepresentationStatus, Representative
from refugio.legal.selectors import legal_households
from refugio.legal.services import send_hearing_notices
from refugio.legal.surfaces import HEARING_NOTICE
from refugio.people.models import Consent, Person, SharingGrant
from refugio.people.selectors import households_for_organisations, visible_households
from refugio.people.services import add_person, record_consent, share_household, withdraw_consent
from refugio.people.vocabulary import ConsentMethod, ConsentPurpose

from .conftest import CHILD, World, make_user


def _grant_to_home(world: World) -> SharingGrant:
    return SharingGrant.objects.get(household=world.shared, organisation=world.home)


# 1. Withdrawing a consent ends the sharing it allowed.


def test_withdrawing_the_consent_revokes_the_grant_it_allowed_audited(world: World) -> None:
    grant = _grant_to_home(world)
    partner = world.users["partner_caseworker"]
    reader = world.users[Role.CASEWORKER]
    assert visible_households(reader).filter(id=world.shared.id).exists()

    consent = Consent.objects.get(household=world.shared, purpose=ConsentPurpose.LEGAL_REFERRAL)
    withdraw_consent(Actor(partner, "web"), consent=consent)

    grant.refresh_from_db()
    assert grant.revoked_at is not None and grant.revoked_by_id == partner.id
    assert not visible_households(reader).filter(id=world.shared.id).exists()  # access stopped at once
    revoked = AuditEvent.objects.filter(action="revoke", object_type="sharing_grant", object_id=str(grant.id))
    assert [(e.actor_id, e.organisation_id, e.fields) for e in revoked] == [
        (partner.id, world.partner.id, ["revoked_at"])
    ]
    withdraw_consent(Actor(partner, "web"), consent=consent)  # again: nothing more happens
    assert AuditEvent.objects.filter(action="revoke", object_type="sharing_grant").count() == 1


def test_a_grant_another_live_consent_still_covers_stays(world: World) -> None:
    partner = Actor(world.users["partner_caseworker"], "web")
    # The household also agreed to reunification through the home organisation, named.
    record_consent(
        partner,
        household=world.shared,
        purpose=ConsentPurpose.REUNIFICATION,
        method=ConsentMethod.WRITTEN,
        recipient_id=world.home.id,
    )
    legal = Consent.objects.get(household=world.shared, purpose=ConsentPurpose.LEGAL_REFERRAL)
    withdraw_consent(partner, consent=legal)
    assert _grant_to_home(world).is_live
    assert not AuditEvent.objects.filter(action="revoke").exists()

    reunification = Consent.objects.get(household=world.shared, purpose=ConsentPurpose.REUNIFICATION)
    withdraw_consent(partner, consent=reunification)
    assert not _grant_to_home(world).is_live


def test_a_grant_to_an_organisation_still_covered_by_kind_stays_while_another_ends(world: World) -> None:
    """Two grants, two consents: withdrawing the shelter referral ends only the shelter's grant."""
    partner = Actor(world.users["partner_caseworker"], "web")
    shelter = Organisation.objects.create(name="Other Shelter", kind="shelter")
    record_consent(
        partner, household=world.shared, purpose=ConsentPurpose.SHELTER_REFERRAL, method=ConsentMethod.VERBAL
    )
    share_household(
        partner,
        household=world.shared,
        organisation_id=shelter.id,
        purpose="A bed",
        expires_at=timezone.now() + dt.timedelta(days=10),
    )
    shelter_referral = Consent.objects.get(household=world.shared, purpose=ConsentPurpose.SHELTER_REFERRAL)
    withdraw_consent(partner, consent=shelter_referral)
    assert not SharingGrant.objects.get(household=world.shared, organisation=shelter).is_live
    assert _grant_to_home(world).is_live  # the legal referral still covers the legal aid organisation


# 2. The household page offers only what the rule table allows.


def _page(user: User, household_id: object) -> str:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    response = client.get(f"/cases/{household_id}/")
    assert response.status_code == 200
    return response.content.decode()


@override_settings(REFUGIO_REQUIRE_OTP=False)
def test_shelter_staff_on_a_shared_household_get_no_legal_share_or_escalation_controls(world: World) -> None:
    page = _page(world.users[Role.SHELTER_STAFF], world.shared.id)
    assert reverse("legal:hearing_add", args=[world.shared.id]) not in page  # no "Add a hearing"
    assert reverse("escalations:new", args=[world.shared.id]) not in page
    assert reverse("people:household_share", args=[world.shared.id]) not in page
    assert reverse("people:grant_revoke", args=[_grant_to_home(world).id]) not in page
    # Shelter staff may change the case (Subject.CASE / Verb.WRITE): editing and consent stay.
    assert reverse("people:household_edit", args=[world.shared.id]) in page
    assert reverse("people:consent_add", args=[world.shared.id]) in page


@override_settings(REFUGIO_REQUIRE_OTP=False)
def test_a_caseworker_gets_every_control_on_their_own_household_and_no_resharing_on_a_shared_one(
    world: World,
) -> None:
    caseworker = world.users[Role.CASEWORKER]
    own = _page(caseworker, world.own.id)
    for name in ("legal:hearing_add", "escalations:new", "people:household_share", "people:household_edit"):
        assert reverse(name, args=[world.own.id]) in own, name
    assert reverse("people:consent_add", args=[world.own.id]) in own
    person = world.own.members.first()
    assert person is not None and reverse("people:person_edit", args=[person.id]) in own

    shared = _page(caseworker, world.shared.id)
    assert reverse("people:household_share", args=[world.shared.id]) not in shared  # only the owner shares
    assert reverse("people:grant_revoke", args=[_grant_to_home(world).id]) in shared  # their own grant
    assert reverse("legal:hearing_add", args=[world.shared.id]) in shared


@override_settings(REFUGIO_REQUIRE_OTP=False)
def test_an_analyst_sees_no_household_page_at_all(world: World) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.users[Role.ANALYST])
    assert client.get(f"/cases/{world.own.id}/").status_code == 404


# 3. Hearing e-mails go through the disclosure layer.


@pytest.fixture
def hearing(world: World) -> Hearing:
    admin = world.users[Role.ORG_ADMIN]
    admin.email = "admin@home.example"
    admin.save()
    return Hearing.objects.create(
        household=world.own, court="ELP", date=dt.date(2027, 1, 31), kind="master", mode="in_person", language="mam"
    )


def _representing(world: World, user: User, organisation: Organisation, email: str) -> None:
    representative = Representative.objects.create(
        organisation=organisation, user=user, name=user.username, kind="attorney", capacity=5, email=email
    )
    Representation.objects.create(
        household=world.own,
        representative=representative,
        status=RepresentationStatus.ACCEPTED,
        offered_at=timezone.now(),
    )


def _email_reads() -> list[tuple[int | None, str, str, list[str]]]:
    return [
        (e.actor_id, e.object_type, e.object_id, e.fields)
        for e in AuditEvent.objects.filter(action="read").order_by("id")
    ]


def test_an_uncovered_hearing_alert_is_disclosed_to_each_admin_and_audited_as_their_email_read(
    world: World, hearing: Hearing
) -> None:
    AuditEvent.objects.filter(action="read").delete()
    mail.outbox.clear()
    send_hearing_notices(dt.date(2027, 1, 17))  # 14 days out: no representative, no interpreter
    [alert] = mail.outbox
    assert alert.to == ["admin@home.example"]
    assert world.own.display_code in alert.body and "El Paso" in alert.body and "2027-01-31" in alert.body
    assert "Hernández" not in alert.body
    admin = world.users[Role.ORG_ADMIN]
    assert _email_reads() == [(admin.id, "hearing", str(hearing.id), sorted(HEARING_NOTICE.fields))]
    event = AuditEvent.objects.get(action="read")
    assert event.channel == "email" and event.organisation_id == world.home.id


def test_a_reminder_reaches_only_representatives_who_may_still_see_the_case(world: World, hearing: Hearing) -> None:
    inside = world.users[Role.ATTORNEY]  # the owning organisation's attorney
    outsider_org = Organisation.objects.create(name="Lapsed Network", kind="attorney_network")
    outsider = make_user("lapsed", outsider_org, Role.ATTORNEY)  # accepted once, the grant is gone
    _representing(world, inside, world.home, "inside@home.example")
    _representing(world, outsider, outsider_org, "lapsed@network.example")
    Hearing.objects.filter(pk=hearing.pk).update(language="")  # covered: no alert to the admins
    AuditEvent.objects.filter(action="read").delete()
    mail.outbox.clear()

    send_hearing_notices(dt.date(2027, 1, 24))  # 7 days out

    assert [m.to for m in mail.outbox] == [["inside@home.example"]]
    assert "7 day" in mail.outbox[0].subject and "Master calendar hearing" in mail.outbox[0].body
    assert _email_reads() == [(inside.id, "hearing", str(hearing.id), sorted(HEARING_NOTICE.fields))]
    assert AuditEvent.objects.get(action="read").channel == "email"


# 4. One owned-or-shared rule for people and legal.


def test_legal_and_case_visibility_share_one_owned_or_shared_rule(world: World) -> None:
    home = {world.home.id}
    assert set(households_for_organisations(home)) == {world.own, world.shared}
    assert not households_for_organisations(set()).exists()
    caseworker, shelter = world.users[Role.CASEWORKER], world.users[Role.SHELTER_STAFF]
    assert set(legal_households(caseworker)) == set(visible_households(caseworker)) == {world.own, world.shared}
    assert set(legal_households(shelter)) == {world.own, world.shared}
    assert not legal_households(shelter, Verb.WRITE).exists()  # shelter staff never change legal data
    assert organisations_where(shelter, Subject.LEGAL, Verb.WRITE) == set()
    SharingGrant.objects.filter(household=world.shared).update(revoked_at=timezone.now())
    assert set(legal_households(caseworker)) == set(visible_households(caseworker)) == {world.own}


# 5. One head after creation; the member limit when adding.


def _patch(world: World, person: Person, data: dict[str, object]) -> tuple[int, dict[str, object]]:
    response = world.client(Role.CASEWORKER).patch(
        f"/api/v1/persons/{person.id}", data=data, content_type="application/json"
    )
    return response.status_code, response.json()


def test_editing_a_member_never_leaves_no_head_or_two(world: World) -> None:
    head = world.own.members.get(relationship_to_head="head")
    child = world.own.members.get(relationship_to_head="child")

    status, body = _patch(world, head, {"relationship_to_head": "spouse"})
    assert status == 422 and body["fields"] == {"relationship_to_head": "Mark one member as the head of the household."}
    status, body = _patch(world, child, {"relationship_to_head": "head"})
    assert status == 422 and body["fields"] == {"relationship_to_head": "A household has only one head."}
    assert sorted(world.own.members.values_list("relationship_to_head", flat=True)) == ["child", "head"]

    status, _ = _patch(world, head, {"relationship_to_head": "head", "notes": "Still the head."})
    assert status == 200  # keeping the head as head is no change of head
    status, _ = _patch(world, child, {"relationship_to_head": "other_relative"})
    assert status == 200


@override_settings(REFUGIO_MAX_HOUSEHOLD_MEMBERS=3)
def test_adding_a_member_keeps_the_household_limit(world: World) -> None:
    actor = Actor(world.users[Role.CASEWORKER], "web")
    add_person(actor, household=world.own, data={**CHILD, "given_names": "Luis"})  # the third of three
    with pytest.raises(ValidationFailed) as refused:
        add_person(actor, household=world.own, data={**CHILD, "given_names": "Pedro"})
    assert refused.value.fields == {"members": "A household can have at most 3 people."}
    assert world.own.members.count() == 3
    response = world.client(Role.CASEWORKER).post(
        f"/api/v1/households/{world.own.id}/persons",
        data={**CHILD, "given_names": "Pedro"},
        content_type="application/json",
    )
    assert response.status_code == 422 and "members" in response.json()["fields"]


# 6. The Idempotency-Key header by its real name.


def test_the_openapi_document_names_the_idempotency_key_header_as_sent(client: Client) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    for path in ("/api/v1/registrations", "/api/v1/intake/households"):
        headers = [p["name"] for p in spec["paths"][path]["post"]["parameters"] if p["in"] == "header"]
        assert headers == ["Idempotency-Key"], path


# 7. A private $REFUGIO_HOME.


def test_the_demo_home_is_created_for_its_owner_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from refugio import cli

    home = tmp_path / "deep" / "home"
    monkeypatch.setenv("REFUGIO_HOME", str(home))
    assert cli._make_home() == home
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    assert cli._make_home() == home  # a second demo run finds it there
