"""A shelter worker runs a day of arrivals from the pages alone, on a small phone with JavaScript off
(issue 14): from the home page to the arrivals board, a household placed from the published plan, then
received; nothing wider than the screen."""

from __future__ import annotations

import pytest
from django.test import override_settings

from refugio.people.demo import load_demo
from refugio.planning.models import Appointment
from refugio.reception.models import Placement, Shelter
from tests.browser import needs_chromium, screenshot
from tests.test_staff_home_browser import PHONE, _scroll_width, _sign_in


@needs_chromium
@pytest.mark.parametrize("language", ["es", "en"])
@override_settings(REFUGIO_REQUIRE_OTP=False)  # the demo signs in without a second factor
def test_a_shelter_worker_runs_a_day_of_arrivals_on_a_phone(
    transactional_db: object, live_server: object, chromium: object, language: str
) -> None:
    load_demo(households_per_org=12)
    shelter = Shelter.objects.filter(organisation__name="Demo Shelter").order_by("id").first()
    assert shelter is not None
    planned = Placement.objects.filter(shelter=shelter, status="planned").order_by("starts_on").first()
    day = planned.starts_on if planned else Appointment.objects.order_by("date").first().date
    base = live_server.url  # type: ignore[attr-defined]
    context = chromium.new_context(  # type: ignore[attr-defined]
        viewport=PHONE, java_script_enabled=False, locale=language, extra_http_headers={"Accept-Language": language}
    )
    page = context.new_page()
    _sign_in(page, base, "shelter-staff")
    page.locator(f"a[href='/reception/shelters/{shelter.id}/arrivals/']").first.click()
    assert page.url.startswith(f"{base}/reception/shelters/{shelter.id}/arrivals/")
    page.fill("input[name=date]", day.isoformat())
    page.locator("form.filters button[type=submit]").click()
    assert _scroll_width(page) <= PHONE["width"]
    screenshot(page, f"arrivals-board-{language}")

    unplaced = page.locator("section[data-arrival]")
    if unplaced.count():
        unplaced.first.locator("button[type=submit]").click()
        assert _scroll_width(page) <= PHONE["width"]
    stays = page.locator("section[data-stay]")
    assert stays.count() >= 1, "nobody arrives with a bed here that day"
    stay_id = stays.first.get_attribute("data-stay")
    stays.first.locator("form[action$='/arrived/'] button").click()
    assert Placement.objects.get(pk=stay_id).status == "arrived"
    assert _scroll_width(page) <= PHONE["width"]
    screenshot(page, f"arrivals-board-after-{language}")
    context.close()
