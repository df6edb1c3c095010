"""The staff home page (issue 12, item 3): each role sees its work, nothing of another organisation, the
analyst no person at all; `/` and signing in lead staff there; the audit page and an escalation's history
read as words, not codes."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.test import Client, override_settings

from refugio.audit.models import Action, AuditEvent
from refugio.audit.services import Actor
from refugio.escalations.models import Escalation
from refugio.escalations.services import change_status, post_message
from refugio.people.demo import DEMO_PASSWORD, USERS, load_demo
from refugio.people.models import Household, Person
from refugio.people.registration_code import display
from refugio.people.selectors import visible_households

PARTS = {
    "org_admin": ["members", "sharing", "audit"],
    "caseworker": ["my-households", "due-this-week"],
    "attorney": ["hearings", "offers"],
    "shelter_staff": ["arrivals", "beds"],
    "agency_liaison": ["escalations", "manifests"],
    "analyst": ["registrations", "tiers", "response-times"],
}
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)
CODE_WORD = re.compile(r"\b[a-z]+_[a-z_]+\b")  # sign_in, sharing_grant, date_of_birth…


@pytest.fixture
def demo(db: object) -> None:
    load_demo(households_per_org=8)


def _client(username: str, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(User.objects.get(username=username))
    return client


def _main_text(html: str) -> str:
    main = html[html.index("<main") : html.index("</main>")]
    return re.sub(r"<[^>]+>", " ", main)


def _home(username: str, language: str = "en") -> str:
    response = _client(username, language).get("/home/")
    assert response.status_code == 200
    return response.content.decode()


@override_settings(REFUGIO_REQUIRE_OTP=False)
@pytest.mark.parametrize("language", ["es", "en"])
def test_each_demo_role_gets_its_sections_in_its_language(demo: None, language: str) -> None:
    for username, org_name, role in USERS:
        body = _home(username, language)
        assert f'<html lang="{language}">' in body
        assert f'id="{role}-' in body, username
        for part in PARTS[role]:
            assert f'data-part="{part}"' in body, (username, part)
        assert org_name in body
        others = {p for r, parts in PARTS.items() if r != role for p in parts} - set(PARTS[role])
        assert not [p for p in others if f'data-part="{p}"' in body], username


@override_settings(REFUGIO_REQUIRE_OTP=False)
def test_a_user_with_two_roles_gets_a_section_for_each(demo: None) -> None:
    from refugio.accounts.models import Membership, Organisation, Role

    user = User.objects.get(username="legal-caseworker")
    Membership.objects.create(
        user=user, organisation=Organisation.objects.get(name="Demo Shelter"), role=Role.SHELTER_STAFF
    )
    body = _home("legal-caseworker")
    assert 'data-part="my-households"' in body and 'data-part="arrivals"' in body
    assert body.count('class="home-section"') == 2


@override_settings(REFUGIO_REQUIRE_OTP=False)
def test_nobody_sees_a_household_of_another_organisation(demo: None) -> None:
    persons = list(Person.objects.select_related("household"))
    unique_names = {n for n in (p.full_name for p in persons) if sum(q.full_name == n for q in persons) == 1}
    seen_somewhere = 0
    for username, _org, _role in USERS:
        user = User.objects.get(username=username)
        visible = set(visible_households(user).values_list("id", flat=True))
        body = _home(username)
        hidden = [h for h in Household.objects.all() if h.id not in visible]
        for household in hidden:
            assert display(household.registration_code) not in body, (username, household.owner.name)
            for person in household.members.all():
                if person.full_name in unique_names:
                    assert person.full_name not in body, (username, household.owner.name)
        seen_somewhere += sum(display(h.registration_code) in body for h in Household.objects.filter(id__in=visible))
    assert seen_somewhere > 0  # the check above looked at pages that do show households


@override_settings(REFUGIO_REQUIRE_OTP=False)
def test_the_analyst_sees_counts_and_charts_never_a_person(demo: None) -> None:
    before = AuditEvent.objects.count()
    body = _home("analyst")
    assert "<svg" in body and "&lt;5" in body  # the demo's small counts are suppressed
    for household in Household.objects.all():
        assert display(household.registration_code) not in body
    for person in Person.objects.all():
        assert person.full_name not in body
    assert not AuditEvent.objects.filter(id__gt=before, action=Action.READ).exists()


@override_settings(REFUGIO_REQUIRE_OTP=False)
def test_lists_of_people_are_disclosed_and_audited(demo: None) -> None:
    before = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    body = _home("shelter-staff")
    reads = AuditEvent.objects.filter(id__gt=before, action=Action.READ, object_type="arrival")
    assert reads.exists()
    assert all(set(e.fields) <= {"registration_code", "head_name", "date", "people"} for e in reads)
    assert body.count('data-part="arrivals"') == 1


@override_settings(REFUGIO_REQUIRE_OTP=False)
def test_the_front_page_and_signing_in_lead_staff_home(demo: None) -> None:
    assert Client().get("/").status_code == 200  # the public stays on the landing page
    assert Client().get("/home/")["Location"].startswith("/accounts/login/")
    response = _client("attorney").get("/")
    assert response.status_code == 302 and response["Location"] == "/home/"
    signed_in = Client().post("/accounts/login/", {"username": "attorney", "password": DEMO_PASSWORD})
    assert signed_in.status_code == 302 and signed_in["Location"] == "/home/"


@override_settings(REFUGIO_REQUIRE_OTP=False)
def test_liaison_sees_unread_escalations_and_the_caseworker_the_replies(demo: None) -> None:
    escalation = Escalation.objects.filter(office__name__startswith="CBP").order_by("created_at").first()
    liaison = User.objects.get(username="agency-liaison")
    caseworker = User.objects.get(username="legal-caseworker")
    marker = f'data-unread="{escalation.reference}"'
    assert marker in _home("agency-liaison")  # never acknowledged
    change_status(Actor(liaison, "web"), escalation=escalation, side="agency", new_status="acknowledged", note="Seen.")
    post_message(Actor(liaison, "web"), escalation=escalation, side="agency", body="We are looking.", files=[])
    assert marker not in _home("agency-liaison")  # the office answered last
    assert escalation.reference in _home("legal-caseworker").split('data-part="replies"')[1]
    post_message(Actor(caseworker, "web"), escalation=escalation, side="sender", body="Thank you.", files=[])
    assert marker in _home("agency-liaison")  # the sender wrote again
    assert 'data-part="replies"' not in _home("legal-caseworker")


@override_settings(REFUGIO_REQUIRE_OTP=False)
@pytest.mark.parametrize("language", ["es", "en"])
def test_the_audit_page_reads_as_words(demo: None, language: str) -> None:
    escalation = Escalation.objects.order_by("created_at").first()
    change_status(
        Actor(User.objects.get(username="legal-caseworker"), "web"),
        escalation=escalation,
        side="sender",
        new_status="closed_unresolved",
        note="Withdrawn.",
    )
    _home("legal-caseworker")  # reads, with field keys, into the log
    response = _client("legal-admin", language).get("/audit/")
    text = _main_text(response.content.decode())
    assert AuditEvent.objects.filter(action=Action.READ, object_type="household").exists()
    assert not UUID.search(text)
    assert CODE_WORD.findall(text) == []
    assert escalation.reference in text  # a short reference, as on the escalation's own pages


@override_settings(REFUGIO_REQUIRE_OTP=False)
def test_an_escalations_history_reads_as_words(demo: None) -> None:
    escalation = Escalation.objects.order_by("created_at").first()
    caseworker = User.objects.get(username="legal-caseworker")
    change_status(
        Actor(caseworker, "web"),
        escalation=escalation,
        side="sender",
        new_status="closed_unresolved",
        note="Withdrawn.",
    )
    text = _main_text(_client("legal-caseworker", "es").get(f"/escalations/{escalation.id}/").content.decode())
    history = text[text.index("Historial") :]
    assert "closed_unresolved" not in history and "open" not in history
    assert "Cerrada sin resolver" in history


def test_tiers_and_files_read_as_words() -> None:
    from refugio.escalations.models import Tier
    from refugio.escalations.presentation import file_kind, tier_words

    assert tier_words("2") == str(Tier.SUPERVISOR.label)
    assert tier_words("9") == "9"
    assert file_kind("application/pdf") == "PDF" and file_kind("image/jpeg") == "JPEG"
