"""Every demo role signs in on a small phone (360×640) with JavaScript off, lands on /home/ and can read
it without scrolling sideways, in Spanish and English (issue 12, item 3)."""

from __future__ import annotations

import pytest
from django.test import override_settings

from refugio.escalations.models import Escalation
from refugio.people.demo import DEMO_PASSWORD, USERS, load_demo
from tests.browser import needs_chromium, screenshot

PHONE = {"width": 360, "height": 640}


def _sign_in(page: object, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")  # type: ignore[attr-defined]
    page.fill("input[name=username]", username)  # type: ignore[attr-defined]
    page.fill("input[name=password]", DEMO_PASSWORD)  # type: ignore[attr-defined]
    page.locator("main form button[type=submit]").last.click()  # type: ignore[attr-defined]


def _more_pages(username: str) -> list[str]:
    escalation = Escalation.objects.filter(office__name__startswith="CBP").order_by("created_at").first()
    return {"legal-admin": ["/audit/"], "agency-liaison": [f"/escalations/{escalation.id}/"]}.get(username, [])


def _scroll_width(page: object) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth"))  # type: ignore[attr-defined]


@needs_chromium
@pytest.mark.parametrize("language", ["es", "en"])
@override_settings(REFUGIO_REQUIRE_OTP=False)  # the demo signs in without a second factor
def test_every_role_reads_its_home_page_on_a_small_phone(
    transactional_db: object, live_server: object, chromium: object, language: str
) -> None:
    load_demo(households_per_org=12)
    base = live_server.url  # type: ignore[attr-defined]
    too_wide = {}
    for username, _org, _role in USERS:
        context = chromium.new_context(  # type: ignore[attr-defined]
            viewport=PHONE, java_script_enabled=False, locale=language, extra_http_headers={"Accept-Language": language}
        )
        page = context.new_page()
        _sign_in(page, base, username)
        # Signing in lands on the home page (LOGIN_REDIRECT_URL), and so does the front page.
        assert page.url == f"{base}/home/", (username, page.url)
        page.goto(f"{base}/")
        assert page.url == f"{base}/home/", (username, page.url)
        assert page.locator("html").get_attribute("lang") == language
        assert page.locator("h1").is_visible()
        assert page.locator("section.home-section").count() >= 1
        if _scroll_width(page) > PHONE["width"]:
            too_wide[username] = _scroll_width(page)
        screenshot(page, f"home-{username}-{language}")
        for extra in _more_pages(username):  # the audit trail and an escalation, which this work also rewrote
            page.goto(f"{base}{extra}")
            if _scroll_width(page) > PHONE["width"]:
                too_wide[f"{username} {extra}"] = _scroll_width(page)
        context.close()
    assert too_wide == {}
