"""Referral pages as people use them, without JavaScript: the directory and its filters; a household's Refer
form offers only services the household consented to and says why the others are not; the inbox of each
side; the receiving organisation sees the referral but never the household page; the household page's panel."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from refugio.accounts.models import Organisation, Role
from refugio.audit.models import AuditEvent
from refugio.audit.services import Actor
from refugio.people.services import record_consent
from refugio.people.vocabulary import ConsentMethod, ConsentPurpose
from refugio.referrals.models import Referral, Service, ServiceCategory

from .conftest import World, make_user
from .test_pages import signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def clinic(world: World) -> World:
    org = Organisation.objects.create(name="Clinic Partner", kind="local_partner")
    world.clinic = org  # type: ignore[attr-defined]
    world.users["clinic"] = make_user("clinic-caseworker", org, Role.CASEWORKER)
    world.medical = Service.objects.create(  # type: ignore[attr-defined]
        organisation=org, name="Walk-in clinic", category=ServiceCategory.MEDICAL, city="San Diego", languages=["es"]
    )
    world.food = Service.objects.create(  # type: ignore[attr-defined]
        organisation=org, name="Food pantry", category=ServiceCategory.FOOD, city="Tijuana", languages=["en"]
    )
    record_consent(
        Actor(world.users[Role.CASEWORKER]),
        household=world.own,
        purpose=ConsentPurpose.REFERRAL_MEDICAL,
        method=ConsentMethod.VERBAL,
    )
    return world


def _service_options(html: str) -> list[str]:
    select = re.search(r'<select name="service_id".*?</select>', html, re.S)
    assert select is not None
    return re.findall(r'<option value="([0-9a-f-]{36})"', select.group(0))


def _refer(world: World) -> tuple[Client, Referral]:
    client = signed_in(world.users[Role.CASEWORKER])
    people = [str(p.id) for p in world.own.members.all()]
    response = client.post(
        f"/referrals/households/{world.own.id}/refer/",
        {"service_id": str(world.medical.id), "person_ids": people, "note": "Needs insulin"},  # type: ignore[attr-defined]
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    return client, Referral.objects.get()


def test_directory_filters_by_category_city_and_language(clinic: World) -> None:
    client = signed_in(clinic.users[Role.SHELTER_STAFF])
    everything = client.get("/referrals/services/").content.decode()
    assert "Walk-in clinic" in everything and "Food pantry" in everything
    assert "<script" not in everything.split("</header>")[-1]  # the page needs no script of its own
    by_city = client.get("/referrals/services/?city=Tijuana").content.decode()
    assert "Food pantry" in by_city and "Walk-in clinic" not in by_city
    by_language = client.get("/referrals/services/?language=es").content.decode()
    assert "Walk-in clinic" in by_language and "Food pantry" not in by_language
    by_category = client.get("/referrals/services/?category=food").content.decode()
    assert "Food pantry" in by_category and "Walk-in clinic" not in by_category
    one = client.get(f"/referrals/services/{clinic.medical.id}/")  # type: ignore[attr-defined]
    assert one.status_code == 200 and "Clinic Partner" in one.content.decode()


def test_the_refer_form_offers_only_consented_services_and_says_why_not(clinic: World) -> None:
    client = signed_in(clinic.users[Role.CASEWORKER])
    since = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    page = client.get(f"/referrals/households/{clinic.own.id}/refer/").content.decode()
    consent_reads = AuditEvent.objects.filter(id__gt=since, action="read", object_type="consent")
    assert [sorted(e.fields) for e in consent_reads] == [["purpose", "withdrawn_at"]]  # only what the form uses
    assert _service_options(page) == [str(clinic.medical.id)]  # type: ignore[attr-defined]
    assert "a referral needs the consent “Referral to food assistance”" in page
    # A service the household did not consent to, posted anyway: refused, naming the consent, nothing written.
    refused = client.post(
        f"/referrals/households/{clinic.own.id}/refer/",
        {"service_id": str(clinic.food.id)},  # type: ignore[attr-defined]
    )
    assert refused.status_code == 200 and 'class="error-summary"' in refused.content.decode()
    assert not Referral.objects.exists()


def test_refer_then_the_receiver_answers_and_the_sender_sees_the_state(clinic: World) -> None:
    sender, referral = _refer(clinic)
    assert referral.note == "Needs insulin" and referral.persons.count() == 2
    receiver = signed_in(clinic.users["clinic"])
    inbox = receiver.get("/referrals/").content.decode()
    assert "Walk-in clinic" in inbox and "María José" in inbox
    detail = receiver.get(f"/referrals/{referral.id}/").content.decode()
    assert "Needs insulin" in detail and "María José" in detail
    assert referral.household.registration_code not in detail.replace("-", "")
    assert "Not shared: the household has not consented to be contacted." in detail
    assert receiver.get(f"/cases/{clinic.own.id}/").status_code == 404
    # Decline without a reason: the form again with the error; then accept and complete.
    again = receiver.post(f"/referrals/{referral.id}/decline/", {"reason": ""})
    assert again.status_code == 200 and 'class="error-summary"' in again.content.decode()
    assert receiver.post(f"/referrals/{referral.id}/accept/").status_code == 302
    assert receiver.post(f"/referrals/{referral.id}/complete/").status_code == 302
    assert Referral.objects.get(id=referral.id).status == "completed"
    sent = sender.get("/referrals/?direction=sent").content.decode()
    assert "Completed" in sent
    # A move the state refuses: the page says so and nothing changes.
    refused = sender.post(f"/referrals/{referral.id}/withdraw/", follow=True).content.decode()
    assert "can be withdrawn. This one is: Completed." in refused
    assert Referral.objects.get(id=referral.id).status == "completed"


def test_a_third_organisation_sees_no_referral_page(clinic: World) -> None:
    _client, referral = _refer(clinic)
    stranger = signed_in(clinic.users["stranger_caseworker"])
    assert stranger.get(f"/referrals/{referral.id}/").status_code == 404
    assert "Walk-in clinic" not in stranger.get("/referrals/").content.decode()
    assert stranger.post(f"/referrals/{referral.id}/accept/").status_code == 404
    assert stranger.get(f"/referrals/households/{clinic.own.id}/refer/").status_code == 404


def test_the_household_page_lists_referrals_with_a_link_to_refer(clinic: World) -> None:
    client, _referral = _refer(clinic)
    page = client.get(f"/cases/{clinic.own.id}/").content.decode()
    assert f'href="/referrals/households/{clinic.own.id}/refer/"' in page
    assert "Walk-in clinic" in page and "Sent" in page
    # An attorney reads the case but does not send referrals: the list, no link.
    attorney = signed_in(clinic.users[Role.ATTORNEY]).get(f"/cases/{clinic.own.id}/").content.decode()
    assert "Walk-in clinic" in attorney and "/refer/" not in attorney


def test_the_home_page_counts_referrals_waiting_for_an_answer(clinic: World) -> None:
    _client, referral = _refer(clinic)
    receiver = signed_in(clinic.users["clinic"])
    assert "1 received, waiting for an answer" in receiver.get("/home/").content.decode()
    receiver.post(f"/referrals/{referral.id}/accept/")
    assert "waiting for an answer" not in receiver.get("/home/").content.decode()
