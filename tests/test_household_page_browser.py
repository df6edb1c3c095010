"""The household page, with every panel of reception, tracing and remedies on it, reads on a 360 px phone
without scrolling sideways (JavaScript off): long labels, ids and option texts wrap, wide tables scroll in place."""

from __future__ import annotations

import pytest
from django.test import override_settings

from refugio.people.demo import load_demo
from refugio.rapidresponse.models import DetentionAlert
from tests.browser import needs_chromium, screenshot
from tests.test_staff_home_browser import PHONE, _scroll_width, _sign_in


@needs_chromium
@pytest.mark.parametrize("language", ["es", "en"])
@override_settings(REFUGIO_REQUIRE_OTP=False)  # the demo signs in without a second factor
def test_the_household_page_fits_a_small_phone(
    transactional_db: object, live_server: object, chromium: object, language: str
) -> None:
    load_demo(households_per_org=12)
    household = DetentionAlert.objects.select_related("household").first().household  # a busy page
    base = live_server.url  # type: ignore[attr-defined]
    too_wide = {}
    for username in ("legal-caseworker", "attorney"):
        context = chromium.new_context(  # type: ignore[attr-defined]
            viewport=PHONE, java_script_enabled=False, locale=language, extra_http_headers={"Accept-Language": language}
        )
        page = context.new_page()
        _sign_in(page, base, username)
        for path in (f"/cases/{household.id}/", "/tracing/", "/rapid-response/", "/obligations/"):
            page.goto(f"{base}{path}")
            if _scroll_width(page) > PHONE["width"]:
                too_wide[f"{username} {path}"] = _scroll_width(page)
        page.goto(f"{base}/cases/{household.id}/")
        screenshot(page, f"household-{username}-{language}")
        context.close()
    assert too_wide == {}
