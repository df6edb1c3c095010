"""The public statistics page (issue 16): in es, en, ht, fr, pt, no JavaScript, an SVG chart followed by a text
table for each measure, suppressed cells written as such, the reference figures beside the rates, under 100 KB."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from refugio.transparency.measures import parse_week
from refugio.transparency.services import publish
from tests.test_statistics_release import SYSTEM, WEEK, Data, make_data

LANGUAGES = ["es", "en", "ht", "fr", "pt"]


@pytest.fixture
def data(db: object) -> Data:
    return make_data()


def test_before_any_release_the_page_says_so(db: object) -> None:
    page = Client().get("/public/statistics/?lang=en")
    assert page.status_code == 200
    assert b"No statistics have been published yet." in page.content
    assert Client().get("/public/statistics.csv").status_code == 404


@pytest.mark.parametrize("language", LANGUAGES)
def test_page_in_each_language_without_javascript(data: Data, language: str) -> None:
    publish(SYSTEM, period=parse_week(WEEK))
    page = Client().get(f"/public/statistics/?lang={language}")
    assert page.status_code == 200
    html = page.content.decode()
    assert f'<html lang="{language}">' in html
    assert "<script" not in html.lower() and "onclick" not in html.lower()
    assert len(page.content) < 100 * 1024
    # Each chart is followed by its table.
    assert html.count("<svg") >= 5
    for chart in re.finditer(r"</svg>", html):
        assert "<table" in html[chart.end() : chart.end() + 800], html[chart.end() : chart.end() + 200]
    assert WEEK in html


def test_suppressed_and_unmeasured_cells_are_written_in_words(data: Data) -> None:
    publish(SYSTEM, period=parse_week(WEEK))
    html = Client().get("/public/statistics/?lang=en").content.decode()
    assert "suppressed" in html
    # No check-in or hearing recorded: both rates are suppressed (0 of 0), in words, beside the reference figures.
    reception = html[html.index('id="h-reception"') : html.index('id="h-response"')]
    assert '<th scope="row">Check-ins</th><td>suppressed</td>' in reception
    assert "99.3% of court appearances" in reception
    assert "San Ysidro" in html  # ports by name, not code
    assert "Tier 1 (most urgent)" in html


def test_the_demo_has_a_published_release(db: object) -> None:
    from refugio.people.demo import load_demo
    from refugio.transparency.models import Release

    load_demo(households_per_org=12)
    release = Release.objects.get()
    assert release.tables["registrations"]["rows"][-1] == "total"
    # The demo's release is cut after its case plans and hearings exist: the check-in rate counts them.
    reception = {(r, c): (v, status) for r, c, v, status in release.tables["reception"]["cells"]}
    denominator, status = reception[("check_in", "denominator")]
    assert status == "published" and isinstance(denominator, int) and denominator >= 5
    page = Client().get("/public/statistics/?lang=es")
    assert page.status_code == 200 and len(page.content) < 100 * 1024
    assert "Estadísticas públicas" in page.content.decode() or "Public statistics" in page.content.decode()
