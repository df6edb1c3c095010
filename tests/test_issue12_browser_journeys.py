"""Every public journey of issue 12 in a real browser (Debian's Chromium), in the five languages, with
JavaScript off and on, at 360×640: a single traveller who then looks up their status, a family of six, and a
family that goes back and forth between the steps and changes its mind. Buttons are pressed by their value
and fields found by their name, so one journey runs in every language; nothing may scroll sideways.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.core.cache import caches

from refugio.accounts.models import Organisation
from refugio.people.models import Household, Person
from refugio.registration.selectors import household_for
from tests.browser import needs_chromium, screenshot
from tests.test_public_journeys import COURT, FAMILY, HEAD, PLACE

LANGS = ["es", "en", "ht", "fr", "pt"]
PHONE = {"width": 360, "height": 640}


class Phone:
    """One person on a small phone, registering in one language."""

    def __init__(self, page: object, base: str, lang: str) -> None:
        self.page = page
        self.base = base
        self.lang = lang

    def open(self, path: str) -> Phone:
        response = self.page.goto(f"{self.base}{path}?lang={self.lang}")  # type: ignore[attr-defined]
        assert response is not None and response.status == 200
        return self

    @property
    def step(self) -> str:
        return str(self.page.locator("form.register input[name=step]").get_attribute("value"))  # type: ignore

    def value(self, name: str) -> str:
        return str(self.page.locator(f"form.register [name={name}]").first.input_value())  # type: ignore

    def checked(self, name: str) -> list[str]:
        boxes = self.page.locator(f"form.register input[name={name}]:checked")  # type: ignore[attr-defined]
        return [boxes.nth(i).get_attribute("value") for i in range(boxes.count())]

    def text(self) -> str:
        return str(self.page.locator("main").inner_text())  # type: ignore[attr-defined]

    def fill(self, **typed: object) -> None:
        for name, value in typed.items():
            field = self.page.locator(f"form.register [name={name}]")  # type: ignore[attr-defined]
            kind = field.first.evaluate("e => e.tagName === 'SELECT' ? 'select' : (e.type || 'text')")
            if kind == "select":
                field.first.select_option(str(value))
            elif kind in ("checkbox", "radio"):
                wanted = value if isinstance(value, list) else [value]
                for i in range(field.count()):
                    box = field.nth(i)
                    if box.get_attribute("value") in wanted or (kind == "checkbox" and wanted == ["on"]):
                        box.check()
                    elif kind == "checkbox":
                        box.uncheck()
            else:
                field.first.fill(str(value))

    def press(self, value: str, **typed: object) -> Phone:
        self.fill(**typed)
        button = self.page.locator(f"form.register button[name=action][value={value}]:not(.sr)")  # type: ignore
        with self.page.expect_navigation():  # type: ignore[attr-defined]
            button.first.click()
        wide = self.page.evaluate("document.documentElement.scrollWidth")  # type: ignore[attr-defined]
        assert wide <= PHONE["width"], f"{wide} px wide on step {self.step}"
        return self

    def finish(self) -> tuple[Household, str]:
        assert self.step == "consent"
        self.press("next", consent="on")
        code = self.page.locator(".registration-code").inner_text()  # type: ignore[attr-defined]
        household = household_for(code, "1988-11-07")
        assert household is not None
        return household, code


@pytest.fixture(
    params=[(lang, js) for lang in LANGS for js in (False, True)], ids=lambda p: f"{p[0]}-js{'on' if p[1] else 'off'}"
)
def phone(
    request: pytest.FixtureRequest, transactional_db: object, live_server: object, chromium: object
) -> Iterator[Phone]:
    lang, javascript = request.param
    # Three registrations from one address per case: start with the registration rate limit's counters empty
    # (they live in the cache, which outlives each test's database).
    caches["default"].clear()
    Organisation.objects.create(name="Al Otro Lado (demo)", kind="legal_aid", public_intake=True)
    context = chromium.new_context(  # type: ignore[attr-defined]
        viewport=PHONE, java_script_enabled=javascript, locale=lang, extra_http_headers={"Accept-Language": lang}
    )
    yield Phone(context.new_page(), live_server.url, lang)  # type: ignore[attr-defined]
    context.close()


def _names(household: Household) -> list[tuple[str, str, str]]:
    people = Person.objects.filter(household=household)
    return sorted((p.given_names, p.first_family_name, p.relationship_to_head) for p in people)


@needs_chromium
def test_every_public_journey_finishes_in_the_browser(phone: Phone) -> None:
    # A single traveller: "Continue" with the blank form for another person goes on.
    phone.open("/")
    assert phone.page.locator(f'a[href="/register/?lang={phone.lang}"]').count() >= 1  # type: ignore[attr-defined]
    phone.open("/register/").press("next", **HEAD)
    assert phone.step == "members"
    phone.press("next")
    assert phone.step == "place"
    phone.press("next", **PLACE).press("next").press("next")
    single, code = phone.finish()
    assert _names(single) == [("Rosa Elena", "Ramírez", "head")] and single.preferred_language == phone.lang

    # Their status, with the same date-of-birth boxes.
    phone.open("/status/")
    phone.page.fill("[name=code]", code)  # type: ignore[attr-defined]
    phone.page.fill("[name=birth_day]", "7")  # type: ignore[attr-defined]
    phone.page.select_option("[name=birth_month]", "11")  # type: ignore[attr-defined]
    phone.page.fill("[name=birth_year]", "1988")  # type: ignore[attr-defined]
    with phone.page.expect_navigation():  # type: ignore[attr-defined]
        phone.page.locator("main form button[type=submit]").last.click()  # type: ignore[attr-defined]
    assert phone.page.locator("[role=status]").count() == 1  # type: ignore[attr-defined]
    screenshot(phone.page, f"journey-status-{phone.lang}")

    # A family of six: the last member is followed by "Continue" with the blank form.
    phone.open("/register/").press("next", **{**HEAD, "birth_year": "1988"})
    for member in FAMILY:
        phone.press("add", **member)
        assert phone.step == "members"
    phone.press("next")
    assert phone.step == "place"
    phone.press("next", **PLACE).press("next").press("next")
    family, _code = phone.finish()
    assert len(_names(family)) == 6

    # Back and forth, changing its mind: nothing typed is lost on the way.
    phone.open("/register/").press("next", **HEAD)
    phone.press("add", **FAMILY[0]).press("add", **FAMILY[1])
    phone.press("remove-0", **FAMILY[4])  # Mateo is not coming; Tomás is typed, not added yet
    assert phone.step == "members" and "Mateo" not in phone.text() and phone.value("given_names") == "Tomás"
    phone.press("back")
    assert phone.step == "head" and phone.value("given_names") == "Rosa Elena"
    assert phone.checked("languages") == ["es", "quc"]
    phone.press("next")
    assert phone.value("given_names") == "Tomás"
    phone.press("next").press("next", **PLACE)
    assert phone.step == "court"
    phone.press("back", **COURT)  # was HTTP 500
    assert phone.step == "place" and phone.value("current_city") == "Tijuana"
    phone.press("next", current_city="Tecate")
    assert phone.value("a_number") == COURT["a_number"] and phone.value("next_hearing_date") == "2031-07-12"
    phone.press("next").press("next", disability=["2"])  # Tomás, the third person
    for step in ("vulnerabilities", "court", "place", "members", "head"):
        phone.press("back")
        assert phone.step == step
    phone.press("next", first_family_name="Ramírez de León").press("next").press("next").press("next")
    assert phone.step == "vulnerabilities" and phone.checked("disability") == ["2"]
    phone.press("next")
    changed, _code = phone.finish()
    assert _names(changed) == [
        ("Lucía", "Ramírez", "child"),
        ("Rosa Elena", "Ramírez de León", "head"),
        ("Tomás", "Ramírez", "child"),
    ]
    assert changed.current_city == "Tecate"
    tomas = changed.members.get(given_names="Tomás")
    assert list(tomas.vulnerability_rows.values_list("code", flat=True)) == ["disability"]
    assert Household.objects.count() == 3
    assert re.fullmatch(r"[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]", code)
