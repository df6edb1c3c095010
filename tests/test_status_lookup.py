"""/status/: a registration code and the head's date of birth show the status, and nothing else."""

from __future__ import annotations

import pytest
from django.test import Client

from refugio.people.models import Household

from .conftest import World


def _check(code: str, born: str, lang: str = "en", ip: str = "10.1.1.1") -> object:
    return Client(REMOTE_ADDR=ip).post(f"/status/?lang={lang}", {"code": code, "date_of_birth": born})


def test_right_pair_shows_the_status_only(world: World) -> None:
    Household.objects.filter(pk=world.own.pk).update(status="under_review")
    page = _check(world.own.display_code.lower().replace("-", " "), "1990-03-12").content.decode()
    assert "Under review" in page and "A caseworker is reviewing" in page
    assert "Hernández" not in page and "Ciudad Juárez" not in page and "A123456789" not in page
    from refugio.audit.models import AuditEvent

    event = AuditEvent.objects.filter(object_id=str(world.own.id), action="read").latest("id")
    assert event.channel == "public" and event.fields == ["status"] and event.ip_address == "10.1.1.1"
    spanish = _check(world.own.display_code, "1990-03-12", lang="es").content.decode()
    assert "En revisión" in spanish and 'lang="es"' in spanish


@pytest.mark.parametrize(
    ("code", "born"),
    [("own", "1990-03-13"), ("own", "1990"), ("XXXX-XXXX-X", "1990-03-12"), ("own", "not a date"), ("", "")],
)
def test_wrong_pairs_get_one_generic_answer(world: World, code: str, born: str) -> None:
    response = _check(world.own.display_code if code == "own" else code, born)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Under review" not in page and "Registered" not in page
    if code and born:
        assert "We could not find a registration with this code and date of birth" in page


def test_lookups_are_rate_limited_per_code_and_per_client(world: World) -> None:
    code = world.own.display_code
    for attempt in range(5):  # five guesses at one code, each from another address
        assert _check(code, f"19{50 + attempt}-01-01", ip=f"10.0.0.{attempt}").status_code == 200
    limited = _check(code, "1990-03-12", ip="10.0.0.99")
    assert limited.status_code == 429 and "Too many attempts" in limited.content.decode()
    for attempt in range(20):  # one address trying many codes
        _check(f"CODE{attempt}", "1990", ip="10.9.9.9")
    assert _check(world.shared.display_code, "1990-03-12", ip="10.9.9.9").status_code == 429
    assert _check(world.shared.display_code, "1990-03-12", ip="10.9.9.8").status_code == 200


def test_status_page_works_without_signing_in_and_is_small(world: World) -> None:
    response = Client().get("/status/?lang=ht")
    assert response.status_code == 200 and len(response.content) < 60_000
    assert "<script" not in response.content.decode()


@pytest.mark.parametrize(
    ("lang", "title"),
    [
        ("es", "Consulte su registro"),
        ("fr", "Vérifiez votre inscription"),
        ("pt", "Consulte seu registro"),
        ("ht", "Verifye enskripsyon ou"),
        ("en", "Check your registration"),
    ],
)
def test_status_page_in_five_languages(db: object, lang: str, title: str) -> None:
    page = Client().get(f"/status/?lang={lang}").content.decode()
    assert title in page and f'lang="{lang}"' in page
