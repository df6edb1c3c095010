"""Staff pages: sign-in with a second factor, case list, household page and edit forms."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client, override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from refugio.accounts.models import Role
from refugio.audit.models import AuditEvent
from refugio.people.models import Person

from .conftest import World


def signed_in(user: User) -> Client:
    """A browser session that passed both factors."""
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    assert (
        client.post("/accounts/login/", {"username": user.username, "password": "a-long-test-password"}).status_code
        == 302
    )
    response = client.post("/accounts/otp/", {"token": f"{totp(device.bin_key):06d}"})
    assert response.status_code == 302, response.content
    return client


def test_password_alone_does_not_open_case_pages(world: World) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    TOTPDevice.objects.create(user=world.users[Role.CASEWORKER], name="phone", confirmed=True)
    response = client.post("/accounts/login/", {"username": "caseworker", "password": "a-long-test-password"})
    assert response["Location"] == "/accounts/otp/"
    assert client.get("/cases/")["Location"] == "/accounts/otp/"
    assert client.get(f"/cases/{world.own.id}/")["Location"] == "/accounts/otp/"
    assert client.get("/api/v1/households").status_code == 401  # the API session needs the second factor too
    wrong = client.post("/accounts/otp/", {"token": "000000"})
    assert wrong.status_code == 200 and "not valid" in wrong.content.decode()


def test_first_sign_in_enrols_an_authenticator(world: World) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = client.post("/accounts/login/", {"username": "attorney", "password": "a-long-test-password"})
    assert response["Location"] == "/accounts/otp/setup/"
    page = client.get("/accounts/otp/setup/")
    assert page.status_code == 200 and "<svg" in page.content.decode()
    device = TOTPDevice.objects.get(user=world.users[Role.ATTORNEY])
    assert client.post("/accounts/otp/setup/", {"token": f"{totp(device.bin_key):06d}"}).status_code == 302
    assert client.get("/cases/").status_code == 200
    assert client.get("/api/v1/households").status_code == 200


@override_settings(REFUGIO_REQUIRE_OTP=False)
def test_demo_mode_needs_no_second_factor(world: World) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.post("/accounts/login/", {"username": "caseworker", "password": "a-long-test-password"})
    assert client.get("/cases/").status_code == 200


def test_case_list_search_and_htmx_partial(world: World) -> None:
    client = signed_in(world.users[Role.CASEWORKER])
    page = client.get("/cases/", {"q": "hernandez"}).content.decode()
    assert world.own.display_code in page and world.shared.display_code in page
    assert world.foreign.display_code not in page
    partial = client.get("/cases/", {"city": "Tijuana"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and world.shared.display_code in partial and world.own.display_code not in partial
    assert client.get("/cases/", {"court": "nope"}).status_code == 200  # a bad filter is a message, not a crash


def test_household_page_is_audited_and_foreign_is_404(world: World) -> None:
    client = signed_in(world.users[Role.SHELTER_STAFF])
    before = AuditEvent.objects.count()
    page = client.get(f"/cases/{world.own.id}/")
    assert page.status_code == 200 and "A123456789" in page.content.decode()
    assert AuditEvent.objects.count() > before and AuditEvent.objects.latest("id").channel == "web"
    for url in [
        f"/cases/{world.foreign.id}/",
        f"/cases/{world.foreign.id}/edit/",
        f"/cases/{world.foreign.id}/members/new/",
        f"/people/{world.foreign.members.first().id}/edit/",
    ]:
        assert client.get(url).status_code == 404, url
    assert client.post(f"/cases/{world.foreign.id}/share/", {}).status_code == 404


def test_edit_forms_save_and_show_errors(world: World) -> None:
    client = signed_in(world.users[Role.CASEWORKER])
    person = world.own.members.get(relationship_to_head="head")
    form = {
        "given_names": "María José",
        "first_family_name": "Hernández",
        "second_family_name": "",
        "date_of_birth": "1990-03",
        "sex": "female",
        "nationality": "HN",
        "languages": ["es", "en"],
        "relationship_to_head": "head",
        "a_number": "bad",
        "immigration_court": "ELP",
        "next_hearing_date": "2027-02-01",
        "vulnerabilities": ["pregnant"],
        "narrative": "x",
        "notes": "",
        "version": person.version,
    }
    response = client.post(f"/people/{person.id}/edit/", form)
    assert response.status_code == 200 and "8 or 9 digits" in response.content.decode()
    form["a_number"] = "A222333444"
    assert client.post(f"/people/{person.id}/edit/", form).status_code == 302
    person = Person.objects.get(pk=person.pk)
    assert person.a_number == "A222333444" and person.date_of_birth == "1990-03"
    assert [v.code for v in person.vulnerability_rows.all()] == ["pregnant"]


def test_create_household_page(world: World) -> None:
    client = signed_in(world.users[Role.CASEWORKER])
    response = client.post(
        "/cases/new/",
        {
            "h-current_city": "Matamoros",
            "h-preferred_language": "es",
            "h-contact_phone": "868 123 4567",
            "p-given_names": "Wilner",
            "p-first_family_name": "Joseph",
            "p-relationship_to_head": "head",
            "p-sex": "male",
            "p-languages": ["ht", "fr"],
        },
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Wilner Joseph" in page and "Matamoros" in page


def test_spanish_pages(world: World) -> None:
    client = signed_in(world.users[Role.CASEWORKER])
    page = client.get("/cases/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Casos" in page and "Buscar" in page and 'lang="es"' in page


def test_security_headers(world: World) -> None:
    response = signed_in(world.users[Role.CASEWORKER]).get("/cases/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("superuser", [False, True])
def test_admin_is_for_superusers_only(world: World, superuser: bool) -> None:
    user = world.users[Role.ORG_ADMIN]
    user.is_staff = True
    user.is_superuser = superuser
    user.save()
    response = signed_in(user).get("/admin/")
    assert response.status_code == (200 if superuser else 302)


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/static/refugio/refugio.css", "/static/refugio/htmx.min.js"])
def test_static_files_are_served(path: str) -> None:
    response = Client().get(path)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) if response.streaming else response.content


def test_consent_is_recorded_and_withdrawn_from_the_page(world: World) -> None:
    client = signed_in(world.users[Role.CASEWORKER])
    head = world.own.members.get(relationship_to_head="head")
    response = client.post(
        f"/cases/{world.own.id}/consents/", {"purpose": "legal_referral", "method": "verbal", "person_id": str(head.id)}
    )
    assert response.status_code == 302
    consent = world.own.consents.get()
    assert consent.person == head and consent.withdrawn_at is None
    assert client.post(f"/consents/{consent.id}/withdraw/").status_code == 302
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    stranger = signed_in(world.users["stranger_caseworker"])
    assert stranger.post(f"/consents/{consent.id}/withdraw/").status_code == 404
    assert (
        stranger.post(f"/cases/{world.own.id}/consents/", {"purpose": "processing", "method": "verbal"}).status_code
        == 404
    )
