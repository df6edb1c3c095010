"""Issue 12 items 6 and 9: styled, translated 404/403/500 pages; errors shown as errors with a summary
linking to each field; words, not codes, where a person reads; no guessed defaults; compressed static files."""

from __future__ import annotations

import re
import uuid
from html import unescape
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory, override_settings
from django.urls import include, path
from django.utils import translation

from refugio.accounts.models import Role
from refugio.core.outage import server_error
from refugio.legal.models import Representative

from .conftest import World


def _forbidden(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied("internal reason that must not be shown")


def _broken(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


# The project's URLs plus two views that fail, for the 403 and 500 pages (pytest.mark.urls below).
urlpatterns = [
    path("test-forbidden/", _forbidden),
    path("test-broken/", _broken),
    path("", include("refugio.urls")),
]
handler500 = "refugio.core.outage.server_error"


def _text(html: str) -> str:
    """What a person reads: the page without tags, scripts and attribute values."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def staff(user: User, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


pytestmark = pytest.mark.urls("tests.test_error_pages_and_words")
NO_OTP = override_settings(REFUGIO_REQUIRE_OTP=False)


# --- 404, 403, 500 -------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "heading", "back"),
    [("es", "Página no encontrada", "Ir a la página de inicio"), ("en", "Page not found", "Go to the front page")],
)
def test_404_is_styled_translated_and_leads_back_to_the_front_page(language: str, heading: str, back: str) -> None:
    response = Client(HTTP_ACCEPT_LANGUAGE=language).get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert f'<html lang="{language}">' in page and "refugio/refugio.css" in page
    assert f"<h1>{heading}</h1>" in page
    assert f'<a class="button" href="/">{back}</a>' in page


@NO_OTP
@pytest.mark.parametrize(("language", "back"), [("es", "Volver a los casos"), ("en", "Back to the cases")])
def test_404_for_signed_in_staff_leads_back_to_the_cases(world: World, language: str, back: str) -> None:
    response = staff(world.users[Role.CASEWORKER], language).get(f"/cases/{uuid.uuid4()}/")
    assert response.status_code == 404
    assert f'<a class="button" href="/cases/">{back}</a>' in response.content.decode()


@NO_OTP
@pytest.mark.parametrize(("language", "heading"), [("es", "No permitido"), ("en", "Not allowed")])
def test_403_is_styled_translated_and_hides_the_internal_reason(world: World, language: str, heading: str) -> None:
    response = staff(world.users[Role.CASEWORKER], language).get("/test-forbidden/")
    assert response.status_code == 403
    page = response.content.decode()
    assert f"<h1>{heading}</h1>" in page and "refugio/refugio.css" in page
    assert 'href="/cases/"' in page
    assert "internal reason" not in page


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "heading"), [("es", "Algo salió mal"), ("en", "Something went wrong")])
def test_500_is_styled_and_translated(language: str, heading: str) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE=language, raise_request_exception=False)
    response = client.get("/test-broken/")
    assert response.status_code == 500
    page = response.content.decode()
    assert f'<html lang="{language}">' in page and f"<h1>{heading}</h1>" in page
    assert "refugio/refugio.css" in page and '<a class="button" href="/">' in page


def test_500_page_renders_with_the_database_down() -> None:
    """No `db` fixture: pytest-django makes any database access fail here, as an outage would."""
    request = RequestFactory().get("/anything/")
    with translation.override("es"):
        response = server_error(request)
    assert response.status_code == 500
    page = response.content.decode()
    assert "<h1>Algo salió mal</h1>" in page and 'href="/cases/"' in page


# --- errors shown as errors --------------------------------------------------------------------------


@NO_OTP
def test_an_error_message_is_shown_in_a_red_alert_box_not_the_success_box(world: World) -> None:
    client = staff(world.users[Role.CASEWORKER])
    page = client.post(f"/cases/{world.own.id}/consents/", {}, follow=True).content.decode()
    alert = re.search(r'<div class="messages error" role="alert">(.*?)</div>', page, re.S)
    assert alert and "Choose what was agreed and how." in alert.group(1)
    status = re.search(r'<ul class="messages" role="status">(.*?)</ul>', page, re.S)
    assert status is None or "Choose what was agreed" not in status.group(1)


@NO_OTP
def test_a_form_with_errors_has_a_summary_at_the_top_linking_to_each_field(world: World) -> None:
    client = staff(world.users[Role.CASEWORKER])
    page = client.post(f"/cases/{world.own.id}/members/new/", {"given_names": "Ana"}).content.decode()
    summary = re.search(r'<div class="error-summary" role="alert"[^>]*>(.*?)</div>', page, re.S)
    assert summary, page
    assert page.index('class="error-summary"') < page.index('<form method="post" class="stack"')
    links = re.findall(r'<a href="#([^"]+)">', summary.group(1))
    assert "id_first_family_name" in links
    assert "id_relationship_to_head" in links  # no longer answered by a preselected guess
    for anchor in links:
        assert f'id="{anchor}"' in page


# --- words, not codes; no guessed defaults -----------------------------------------------------------


def _first_option(page: str, name: str) -> tuple[str, bool]:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', page, re.S)
    assert select, name
    option = re.search(r'<option value="([^"]*)"( selected)?', select.group(1))
    assert option
    selected_elsewhere = re.search(r"<option [^>]*selected", select.group(1)[option.end() :])
    return option.group(1), bool(option.group(2)) or not selected_elsewhere


@NO_OTP
def test_no_answer_is_preselected_where_it_would_be_a_guess(world: World) -> None:
    client = staff(world.users[Role.CASEWORKER])
    member = client.get(f"/cases/{world.own.id}/members/new/").content.decode()
    for name in ("sex", "relationship_to_head", "nationality", "immigration_court"):
        assert _first_option(member, name) == ("", True), name
    household = client.get(f"/cases/{world.own.id}/").content.decode()
    for name in ("purpose", "method"):
        assert _first_option(household, name) == ("", True), name
    assert re.search(r'<select name="method"[^>]*required', household)
    hearing = client.get(f"/legal/cases/{world.own.id}/hearings/new/").content.decode()
    assert _first_option(hearing, "court") == ("", True)


@NO_OTP
def test_staff_pages_show_words_not_codes(world: World) -> None:
    client = staff(world.users[Role.CASEWORKER])
    person = world.own.members.get(relationship_to_head="head")
    for url in (f"/cases/{world.own.id}/", f"/people/{person.id}/edit/", f"/cases/{world.own.id}/members/new/"):
        text = _text(client.get(url).content.decode())
        for code in ("(HN)", "(ELP)", "(es)", "single_caregiver", " HN ", " ELP "):
            assert code not in text, (url, code)
    text = _text(client.get(f"/people/{person.id}/edit/").content.decode())
    assert "Honduras" in text and "El Paso, TX" in text


@NO_OTP
def test_the_roster_shows_languages_courts_and_expertise_in_words(world: World) -> None:
    Representative.objects.create(
        organisation=world.home,
        name="Lic. Pérez",
        kind="attorney",
        languages=["es", "ht"],
        courts=["ELP"],
        expertise=["detained"],
    )
    text = _text(staff(world.users[Role.ATTORNEY]).get("/legal/roster/").content.decode())
    assert "El Paso, TX" in text and "Detained cases" in text and "Español" in text
    for code in (" ELP", "detained,", " detained ", " es,", " ht "):
        assert code not in text, code


# --- compression (item 9) ----------------------------------------------------------------------------


def test_static_files_are_served_compressed_when_asked(tmp_path: Path) -> None:
    with override_settings(STATIC_ROOT=tmp_path, WHITENOISE_USE_FINDERS=False, WHITENOISE_AUTOREFRESH=False):
        call_command("collectstatic", interactive=False, verbosity=0)
        client = Client()
        brotli = client.get("/static/refugio/refugio.css", HTTP_ACCEPT_ENCODING="br, gzip")
        gzip = client.get("/static/refugio/refugio.css", HTTP_ACCEPT_ENCODING="gzip")
        plain = client.get("/static/refugio/refugio.css")
    assert brotli.status_code == 200 and brotli["Content-Encoding"] == "br"
    assert gzip["Content-Encoding"] == "gzip"
    assert "Content-Encoding" not in plain


@NO_OTP
def test_htmx_answers_are_compressed_and_whole_pages_are_not(world: World) -> None:
    client = staff(world.users[Role.CASEWORKER])
    fragment = client.get("/cases/?q=a", HTTP_HX_REQUEST="true", HTTP_ACCEPT_ENCODING="gzip")
    page = client.get("/cases/?q=a", HTTP_ACCEPT_ENCODING="gzip")
    assert fragment.status_code == 200 and fragment["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in fragment["Vary"]
    # A whole page can be loaded by any site with text of its choosing (BREACH): never compressed.
    assert page.status_code == 200 and "Content-Encoding" not in page
