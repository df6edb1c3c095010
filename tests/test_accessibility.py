"""Accessibility and weight of the pages people use (issue 12), in Debian's Chromium.

axe-core (bundled in axe-playwright-python: nothing is downloaded) finds no serious or critical violation on
every public page in each of the five languages, nor on each demo role's staff home page. Each public page
weighs under 60 KB, and the whole registration under 150 KB (HTML, CSS, scripts and images as sent, each file
counted once, as a browser's cache would).

With REFUGIO_SCREENSHOTS=<folder>, every page is also saved at 360×640 and 1280×800 (full page), as
<page>-<lang>-<size>.png, for a person to look at:

    REFUGIO_SCREENSHOTS=/tmp/shots .venv/bin/pytest -p no:cacheprovider tests/test_accessibility.py
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from django.urls import Resolver404, resolve
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from refugio.accounts.models import Organisation
from refugio.people.demo import DEMO_PASSWORD, USERS, load_demo
from tests.browser import SCREENSHOTS, needs_chromium

LANGUAGES = ["es", "en", "ht", "fr", "pt"]
SIZES = {"360x640": {"width": 360, "height": 640}, "1280x800": {"width": 1280, "height": 800}}
PHONE = SIZES["360x640"]
SEVERE = {"serious", "critical"}
PAGE_LIMIT = 60 * 1024
JOURNEY_LIMIT = 150 * 1024


# What the browser received for the page it shows, from the Resource Timing API (exact, and free of the lag of
# Playwright's response events): per file, the body as sent (`encodedBodySize`, the page's own weight whatever
# the cache) and the bytes that crossed the network (`transferSize`, 0 for a file the cache already had).
RECEIVED = """() => [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')]
  .map(e => [e.name, e.encodedBodySize, e.transferSize])"""


@dataclass
class Weights:
    page: dict[str, int] = field(default_factory=dict)  # the page now shown: bytes per file
    visit: int = 0  # bytes transferred since `start_visit`

    def measure(self, page: object) -> None:
        entries = page.evaluate(RECEIVED)  # type: ignore[attr-defined]
        self.page = {url: body for url, body, _sent in entries}
        self.visit += sum(sent for _url, _body, sent in entries)


def _axe(page: object) -> list[str]:
    """The serious and critical violations on the page, each with where it is."""
    from axe_playwright_python.sync_playwright import Axe

    found = Axe().run(page).response["violations"]
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:5]}"
        for v in found
        if v["impact"] in SEVERE
    ]


def _shoot(page: object, name: str) -> None:
    """Both sizes, full page; back to the phone size afterwards."""
    if not SCREENSHOTS:
        return
    for size, viewport in SIZES.items():
        page.set_viewport_size(viewport)  # type: ignore[attr-defined]
        page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}-{size}.png"), full_page=True)  # type: ignore
    page.set_viewport_size(PHONE)  # type: ignore[attr-defined]


@dataclass
class Checker:
    page: object
    weights: Weights
    problems: list[str] = field(default_factory=list)

    def check(self, name: str, *, weigh: bool = True) -> None:
        """axe, the weight of what this page loaded, and its screenshots."""
        self.weights.measure(self.page)
        self.problems += [f"{name}: {v}" for v in _axe(self.page)]
        if weigh:
            total = sum(self.weights.page.values())
            if total > PAGE_LIMIT:
                self.problems.append(f"{name}: {total} bytes ({self.weights.page})")
            if SCREENSHOTS:
                with open(os.path.join(SCREENSHOTS, "weights.txt"), "a", encoding="utf-8") as out:
                    out.write(f"{name}\t{total}\n")
        _shoot(self.page, name)

    def goto(self, url: str) -> None:
        self.page.goto(url)  # type: ignore[attr-defined]

    def press(self, selector: str) -> None:
        with self.page.expect_navigation():  # type: ignore[attr-defined]
            self.page.locator(selector).first.click()  # type: ignore[attr-defined]


@pytest.fixture
def phone(chromium: object, request: pytest.FixtureRequest) -> Iterator[tuple[object, Weights, str]]:
    language = getattr(request, "param", "es")
    context = chromium.new_context(  # type: ignore[attr-defined]
        viewport=PHONE, locale=language, extra_http_headers={"Accept-Language": language}
    )
    page = context.new_page()
    yield page, Weights(), language
    context.close()


NEXT = "form.register button[name=action][value=next]:not(.sr)"


@needs_chromium
@pytest.mark.parametrize("phone", LANGUAGES, indirect=True)
def test_public_pages_are_accessible_and_light(
    transactional_db: object, live_server: object, phone: tuple[object, Weights, str]
) -> None:
    page, weights, language = phone
    Organisation.objects.create(name="Al Otro Lado (demo)", kind="legal_aid", public_intake=True)
    base = live_server.url  # type: ignore[attr-defined]
    at = Checker(page, weights)

    at.goto(f"{base}/?lang={language}")
    at.check(f"landing-{language}")
    at.goto(f"{base}/accounts/login/?lang={language}")
    at.check(f"login-{language}")
    at.goto(f"{base}/no-such-page/?lang={language}")
    at.check(f"404-{language}")

    # The registration, a single traveller, every step; what it loads is counted from here.
    weights.visit = 0
    at.goto(f"{base}/register/?lang={language}")
    at.check(f"register-1-{language}")
    page.fill("[name=given_names]", "Rosa Elena")  # type: ignore[attr-defined]
    page.fill("[name=first_family_name]", "Ramírez")  # type: ignore[attr-defined]
    page.fill("[name=birth_day]", "7")  # type: ignore[attr-defined]
    page.select_option("[name=birth_month]", "11")  # type: ignore[attr-defined]
    page.fill("[name=birth_year]", "1988")  # type: ignore[attr-defined]
    at.press(NEXT)
    at.check(f"register-2-{language}")
    at.press(NEXT)
    at.check(f"register-3-{language}")
    page.fill("[name=current_city]", "Tijuana")  # type: ignore[attr-defined]
    at.press(NEXT)
    at.check(f"register-4-{language}")
    at.press(NEXT)
    at.check(f"register-5-{language}")
    at.press(NEXT)
    at.check(f"register-6-{language}")
    page.check("[name=consent]")  # type: ignore[attr-defined]
    at.press(NEXT)
    assert page.locator(".registration-code").count() == 1  # type: ignore[attr-defined]
    at.check(f"register-done-{language}")
    assert weights.visit < JOURNEY_LIMIT, f"the registration transferred {weights.visit} bytes"
    if SCREENSHOTS:
        with open(os.path.join(SCREENSHOTS, "weights.txt"), "a", encoding="utf-8") as out:
            out.write(f"registration-journey-{language}\t{weights.visit}\n")
    code = page.locator(".registration-code").inner_text()  # type: ignore[attr-defined]

    at.goto(f"{base}/status/?lang={language}")
    at.check(f"status-{language}")
    page.fill("[name=code]", code)  # type: ignore[attr-defined]
    page.fill("[name=birth_day]", "7")  # type: ignore[attr-defined]
    page.select_option("[name=birth_month]", "11")  # type: ignore[attr-defined]
    page.fill("[name=birth_year]", "1988")  # type: ignore[attr-defined]
    at.press("main form button[type=submit]")
    assert page.locator("[role=status]").count() == 1  # type: ignore[attr-defined]
    at.check(f"status-result-{language}")
    assert not at.problems, "\n".join(at.problems)


def _staff_home() -> str:
    """/home/, each role's work, once it exists; the case list before."""
    try:
        resolve("/home/")
    except Resolver404:
        return "/cases/"
    return "/home/"


def _sign_in(page: object, base: str, username: str) -> None:
    from django.contrib.auth.models import User

    device = TOTPDevice.objects.create(user=User.objects.get(username=username), name="phone", confirmed=True)
    page.goto(f"{base}/accounts/login/")  # type: ignore[attr-defined]
    page.fill("input[name=username]", username)  # type: ignore[attr-defined]
    page.fill("input[name=password]", DEMO_PASSWORD)  # type: ignore[attr-defined]
    page.locator("main form button[type=submit]").last.click()  # type: ignore[attr-defined]
    page.fill("input[name=token]", f"{totp(device.bin_key):06d}")  # type: ignore[attr-defined]
    page.locator("main form button[type=submit]").last.click()  # type: ignore[attr-defined]
    page.wait_for_load_state()  # type: ignore[attr-defined]


@needs_chromium
def test_each_roles_home_page_is_accessible(transactional_db: object, live_server: object, chromium: object) -> None:
    load_demo(households_per_org=6)
    base = live_server.url  # type: ignore[attr-defined]
    home = _staff_home()
    problems: list[str] = []
    for username, _org, _role in USERS:
        for language in ("es", "en"):
            context = chromium.new_context(  # type: ignore[attr-defined]
                viewport=PHONE, locale=language, extra_http_headers={"Accept-Language": language}
            )
            page = context.new_page()
            _sign_in(page, base, username)
            response = page.goto(f"{base}{home}")
            assert response is not None and response.status == 200, (username, home, response and response.status)
            problems += [f"{username} {home} {language}: {v}" for v in _axe(page)]
            wide = page.evaluate("document.documentElement.scrollWidth")  # type: ignore[attr-defined]
            if wide > PHONE["width"]:
                problems.append(f"{username} {home} {language}: {wide} px wide at 360 px")
            _shoot(page, f"home-{username}-{language}")
            context.close()
    # The triage policy editor and its preview (an org admin's page).
    context = chromium.new_context(viewport=PHONE, locale="es", extra_http_headers={"Accept-Language": "es"})  # type: ignore
    page = context.new_page()
    _sign_in(page, base, "legal-admin")
    page.goto(f"{base}/triage/policy/")
    problems += [f"policy: {v}" for v in _axe(page)]
    _shoot(page, "triage-policy-es")
    with page.expect_navigation():
        page.locator("form.policy-editor .actions button[name=preview]").click()
    assert page.locator("#preview-title").count() == 1
    problems += [f"policy preview: {v}" for v in _axe(page)]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    _shoot(page, "triage-policy-preview-es")
    context.close()
    assert not problems, "\n".join(problems)
