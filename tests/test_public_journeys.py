"""Public journeys that always finish, sent the way a browser without JavaScript sends them (issue 12).

Every field of the page goes back with each press, blank ones as `name=`; buttons are pressed by their
value so the same journey runs in every language. Each journey ends with exactly one household.
"""

from __future__ import annotations

import html
import re

import pytest
from django.test import Client

from refugio.accounts.models import Organisation
from refugio.people.models import Household, Person
from refugio.registration.selectors import household_for
from tests.conftest import World
from tests.html_forms import BrowserForm

LANGS = ["es", "en", "ht", "fr", "pt"]
HEAD = {
    "given_names": "Rosa Elena",
    "first_family_name": "Ramírez",
    "second_family_name": "Cruz",
    "birth_day": "7",
    "birth_month": "11",
    "birth_year": "1988",
    "nationality": "GT",
    "languages": ["es", "quc"],
}
PLACE = {"current_city": "Tijuana", "contact_phone": "664 555 0101", "contact_whatsapp": "yes"}
COURT = {"has_case": "yes", "a_number": "A 012-345-678", "immigration_court": "SDI", "next_hearing_date": "2031-07-12"}
FAMILY = [
    {"given_names": "Mateo", "first_family_name": "Ramírez", "age": "4", "relationship_to_head": "child"},
    {"given_names": "Lucía", "first_family_name": "Ramírez", "age": "9", "relationship_to_head": "child"},
    {
        "given_names": "Juan Carlos",
        "first_family_name": "Pérez",
        "birth_day": "2",
        "birth_month": "5",
        "birth_year": "1985",
        "relationship_to_head": "spouse",
    },
    {"given_names": "Ana", "first_family_name": "Cruz", "birth_year": "1960", "relationship_to_head": "parent"},
    {"given_names": "Tomás", "first_family_name": "Ramírez", "age": "15", "relationship_to_head": "child"},
]


class Phone:
    """One person registering, in one language, in a browser without JavaScript."""

    def __init__(self, lang: str) -> None:
        self.client = Client(HTTP_ACCEPT_LANGUAGE=lang)
        self.url = f"/register/?lang={lang}"
        self.page = self.client.get(self.url)
        assert self.page.status_code == 200
        self.sizes = [len(self.page.content)]

    @property
    def html(self) -> str:
        return self.page.content.decode()

    @property
    def step(self) -> str:
        found = re.search(r'name="step" value="([^"]*)"', self.html)
        assert found, (self.page.status_code, self.html[:2000])
        return found[1]

    def form(self) -> BrowserForm:
        return BrowserForm(self.html, self.url, match=r'class="stack register"')

    def press(self, value: str, **typed: object) -> Phone:
        """Type into the page, then press the button with this value (next, back, add, remove-N)."""
        form = self.form().fill(**typed)
        self.page = form.submit(self.client, value=value)
        assert self.page.status_code in (200, 302), (self.page.status_code, self.html[:3000])
        self.sizes.append(len(self.page.content))
        return self

    def value(self, name: str) -> str:
        """What the page shows in a text field (a browser shows the value attribute)."""
        sent = dict(self.form().fields())
        return sent.get(name, "")

    def values(self, name: str) -> list[str]:
        return [v for n, v in self.form().fields() if n == name]

    def finish(self) -> Household:
        assert self.step == "consent", self.html
        self.press("next", consent="on")
        assert self.page.status_code == 302, self.html
        done = self.client.get(self.page["Location"])
        self.sizes.append(len(done.content))
        code = re.search(r'class="registration-code" translate="no">([^<]+)<', done.content.decode())
        assert code, done.content.decode()
        household = household_for(html.unescape(code[1]), "1988-11-07")
        assert household is not None
        return household


@pytest.fixture
def intake(world: World) -> Organisation:
    Organisation.objects.filter(pk=world.home.pk).update(public_intake=True)
    return world.home


def _names(household: Household) -> list[tuple[str, str, str]]:
    people = Person.objects.filter(household=household).order_by("given_names")
    return sorted((p.given_names, p.first_family_name, p.relationship_to_head) for p in people)


@pytest.mark.parametrize("lang", LANGS)
def test_a_single_traveller_finishes_with_the_blank_member_form(intake: Organisation, lang: str) -> None:
    before = Household.objects.count()
    phone = Phone(lang).press("next", **HEAD)
    assert phone.step == "members"
    # The browser sends the blank member form (given_names= …): that is nobody, not a half-typed person.
    phone.press("next")
    assert phone.step == "place", phone.html
    phone.press("next", **PLACE)
    assert phone.step == "court"
    phone.press("next")
    assert phone.step == "vulnerabilities"
    phone.press("next")
    household = phone.finish()
    assert Household.objects.count() == before + 1
    assert _names(household) == [("Rosa Elena", "Ramírez", "head")]
    assert household.preferred_language == lang and household.current_city == "Tijuana"
    # Small pages for cheap phones: each under 60 KB, the whole registration under 150 KB.
    assert max(phone.sizes) < 60_000 and sum(phone.sizes) < 150_000, phone.sizes


@pytest.mark.parametrize("lang", LANGS)
def test_a_family_of_six_finishes_after_its_last_member(intake: Organisation, lang: str) -> None:
    before = Household.objects.count()
    phone = Phone(lang).press("next", **HEAD)
    for member in FAMILY:
        phone.press("add", **member)
        assert phone.step == "members", phone.html
    # After the last member, "Continue" with the blank form the page offers for another person.
    phone.press("next")
    assert phone.step == "place", phone.html
    phone.press("next", **PLACE).press("next").press("next", medical_urgent=["1"], pregnant=["0"])
    household = phone.finish()
    assert Household.objects.count() == before + 1
    expected = [("Rosa Elena", "Ramírez", "head")] + [
        (m["given_names"], m["first_family_name"], m["relationship_to_head"]) for m in FAMILY
    ]
    assert _names(household) == sorted(expected)
    assert max(phone.sizes) < 60_000, phone.sizes
    mateo = household.members.get(given_names="Mateo")
    assert list(mateo.vulnerability_rows.values_list("code", flat=True)) == ["medical_urgent"]


@pytest.mark.parametrize("lang", LANGS)
def test_a_family_that_goes_back_and_forth_and_changes_its_mind(intake: Organisation, lang: str) -> None:
    before = Household.objects.count()
    phone = Phone(lang).press("next", **HEAD)
    phone.press("add", **FAMILY[0]).press("add", **FAMILY[1])
    # Changes its mind: Mateo is not coming. Lucía's brother is typed, not yet added, when they remove Mateo.
    phone.press("remove-0", **FAMILY[4])
    assert phone.step == "members" and "Mateo" not in phone.html and "Lucía" in phone.html
    assert phone.value("given_names") == "Tomás"
    # Back to step 1 with Tomás typed: nothing is lost either way.
    phone.press("back", **FAMILY[4])
    assert phone.step == "head" and phone.value("given_names") == "Rosa Elena"
    assert phone.values("languages") == ["es", "quc"] and phone.value("birth_month") == "11"
    phone.press("next")
    assert phone.step == "members" and phone.value("given_names") == "Tomás"
    phone.press("next")  # Tomás is added on Continue
    assert phone.step == "place", phone.html
    phone.press("next", **PLACE)
    assert phone.step == "court"
    # Step 3 "Back" (was HTTP 500), and forward again: the place is still there.
    phone.press("back", **COURT)
    assert phone.step == "place" and phone.value("current_city") == "Tijuana"
    phone.press("back", current_city="Rosarito")
    assert phone.step == "members" and "Tomás" in phone.html and "Lucía" in phone.html
    phone.press("next")
    assert phone.step == "place" and phone.value("current_city") == "Rosarito"
    phone.press("next", current_city="Tecate")  # changes it again: the last answer is the one kept
    assert phone.step == "court" and phone.value("a_number") == COURT["a_number"]
    assert phone.value("next_hearing_date") == "2031-07-12"
    phone.press("next")
    assert phone.step == "vulnerabilities"
    phone.press("next", single_caregiver=["0"], disability=["2"])
    assert phone.step == "consent"
    # After step 4, back to step 1 to fix the family name; every step keeps its answers on the way.
    for step in ("vulnerabilities", "court", "place", "members", "head"):
        phone.press("back")
        assert phone.step == step, phone.html
    assert phone.value("first_family_name") == "Ramírez"
    phone.press("next", first_family_name="Ramírez de León")
    phone.press("next")
    assert phone.step == "place" and phone.value("current_city") == "Tecate"
    phone.press("next")
    assert phone.step == "court" and phone.value("immigration_court") == "SDI"
    phone.press("next")
    assert phone.step == "vulnerabilities"
    assert phone.values("single_caregiver") == ["0"] and phone.values("disability") == ["2"]
    # Lucía is removed after all: the answers about the others stay with the right people.
    for _step in ("vulnerabilities", "court", "place"):
        phone.press("back")
    assert phone.step == "members"
    phone.press("remove-0")
    assert "Lucía" not in phone.html and "Tomás" in phone.html
    phone.press("next").press("next").press("next")
    assert phone.step == "vulnerabilities"
    assert phone.values("single_caregiver") == ["0"] and phone.values("disability") == ["1"]
    phone.press("next")
    household = phone.finish()

    assert Household.objects.count() == before + 1
    assert _names(household) == [("Rosa Elena", "Ramírez de León", "head"), ("Tomás", "Ramírez", "child")]
    assert household.current_city == "Tecate"
    head = household.members.get(relationship_to_head="head")
    assert head.immigration_court == "SDI" and str(head.next_hearing_date) == "2031-07-12"
    assert list(head.vulnerability_rows.values_list("code", flat=True)) == ["single_caregiver"]
    tomas = household.members.get(given_names="Tomás")
    assert list(tomas.vulnerability_rows.values_list("code", flat=True)) == ["disability"]


def test_a_validation_error_and_a_reload_keep_what_was_typed(intake: Organisation) -> None:
    phone = Phone("es").press("next", **{**HEAD, "birth_year": ""})
    assert phone.step == "head" and phone.value("given_names") == "Rosa Elena"
    assert phone.values("languages") == ["es", "quc"]
    phone.press("next", birth_year="1988").press("next").press("next", **{**PLACE, "contact_phone": "12"})
    assert phone.step == "place" and phone.value("current_city") == "Tijuana"
    form = phone.form().fill(**PLACE)
    phone.page = form.submit(phone.client, value="next")
    court_page = phone.html
    # A reload sends the same request again: the same step, with the same answers, and no second member.
    phone.page = form.submit(phone.client, value="next")
    assert phone.step == "court"
    assert re.sub(r'name="(draft|csrfmiddlewaretoken)" value="[^"]*"', "", phone.html) == re.sub(
        r'name="(draft|csrfmiddlewaretoken)" value="[^"]*"', "", court_page
    )
    phone.press("next").press("next")
    household = phone.finish()
    assert household.members.count() == 1 and household.contact_phone == "+526645550101"


def test_adding_a_blank_person_asks_for_the_name(intake: Organisation) -> None:
    phone = Phone("en").press("next", **HEAD).press("add")
    assert phone.step == "members" and "This field is required." in phone.html


STATUS_TITLES = {
    "es": "Consulte su registro",
    "en": "Check your registration",
    "ht": "Verifye enskripsyon ou",
    "fr": "Vérifiez votre inscription",
    "pt": "Consulte seu registro",
}


def _look_up(lang: str, code: str, **born: str) -> str:
    client = Client(HTTP_ACCEPT_LANGUAGE=lang)
    url = f"/status/?lang={lang}"
    page = client.get(url).content.decode()
    assert STATUS_TITLES[lang] in page and "AAAA" not in page and "YYYY" not in page
    answer = BrowserForm(page, url).fill(code=code, **born).submit(client)
    assert answer.status_code == 200
    return answer.content.decode()


@pytest.mark.parametrize("lang", LANGS)
def test_status_asks_the_date_of_birth_like_registration(world: World, lang: str) -> None:
    """The head of world.own was born on 12 March 1990 (tests/conftest.py)."""
    found = _look_up(lang, world.own.display_code, birth_day="12", birth_month="3", birth_year="1990")
    assert 'role="status"' in found and 'role="alert"' not in found
    wrong = _look_up(lang, world.own.display_code, birth_day="13", birth_month="3", birth_year="1990")
    assert 'role="status"' not in wrong and 'role="alert"' in wrong


def test_status_with_only_the_year_registered(intake: Organisation) -> None:
    phone = Phone("en").press("next", **{**HEAD, "birth_day": "", "birth_month": ""}).press("next")
    phone.press("next", **PLACE).press("next").press("next").press("next", consent="on")
    done = phone.client.get(phone.page["Location"]).content.decode()
    code = html.unescape(re.search(r'class="registration-code" translate="no">([^<]+)<', done)[1])
    assert 'role="status"' in _look_up("en", code, birth_year="1988")
    assert 'role="status"' not in _look_up("en", code, birth_month="11", birth_year="1988")
    missing = _look_up("en", code, birth_day="7")
    assert "This field is required." in missing and 'role="status"' not in missing


LANDING = {
    "es": "Registrarse para pedir asilo",
    "en": "Register to seek asylum",
    "fr": "S'inscrire pour demander l'asile",
    "pt": "Cadastre-se para pedir asilo",
    "ht": "Enskri pou mande azil",
}


@pytest.mark.parametrize("lang", LANGS)
def test_the_front_page_is_for_the_public_in_their_language(intake: Organisation, lang: str) -> None:
    response = Client(HTTP_ACCEPT_LANGUAGE=lang).get("/")
    page = response.content.decode()
    assert response.status_code == 200 and f'<html lang="{lang}">' in page
    assert html.unescape(re.search(r"<h1>([^<]+)</h1>", page)[1]) == LANDING[lang]
    for link in (f"/register/?lang={lang}", f"/status/?lang={lang}", "/accounts/login/"):
        assert f'href="{link}"' in page, link
    assert "<script" not in page and len(page.encode()) < 60_000
    # The language links keep the visitor on this page.
    other = Client(HTTP_ACCEPT_LANGUAGE="en").get(f"/?lang={lang}").content.decode()
    assert f'<html lang="{lang}">' in other


def test_staff_sign_in_leads_to_their_home_page(world: World) -> None:
    from django.test import override_settings

    with override_settings(REFUGIO_REQUIRE_OTP=False):
        client = Client(HTTP_ACCEPT_LANGUAGE="es")
        signed = client.post("/accounts/login/", {"username": "caseworker", "password": "a-long-test-password"})
        assert signed.status_code == 302 and signed["Location"] == "/home/"
        assert client.get("/")["Location"] == "/home/"
        assert client.get("/home/").status_code == 200


def _texts(page: str) -> set[str]:
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", "", page, flags=re.S)
    return {html.unescape(t).strip() for t in re.findall(r">([^<]+)<", body) if re.search(r"[a-z]{3}", t)}


def _front_and_status(lang: str, code: str) -> list[str]:
    client = Client(HTTP_ACCEPT_LANGUAGE=lang)
    return [
        client.get(f"/?lang={lang}").content.decode(),
        client.get(f"/status/?lang={lang}").content.decode(),
        _look_up(lang, code, birth_day="7"),  # errors
    ]


def test_front_and_status_pages_are_fully_translated(intake: Organisation, world: World) -> None:
    names = {"Refugio", "Home Legal Aid", "English", "Español", "Kreyòl ayisyen", "Français", "Português"}
    english = set().union(*(_texts(p) for p in _front_and_status("en", world.own.display_code)))
    for lang in ("es", "ht", "fr", "pt"):
        pages = _front_and_status(lang, world.own.display_code)
        left_in_english = (set().union(*(_texts(p) for p in pages)) & english) - names
        assert not left_in_english, (lang, sorted(left_in_english))


def test_an_answer_taken_back_stays_taken_back(intake: Organisation) -> None:
    phone = Phone("fr").press("next", **HEAD).press("add", **FAMILY[0]).press("next")
    phone.press("next", **PLACE).press("next").press("next", pregnant=["0"], medical_urgent=["1"])
    assert phone.step == "consent"
    phone.press("back")
    assert phone.values("pregnant") == ["0"] and phone.values("medical_urgent") == ["1"]
    # Every box unticked, then Back and forward again: the boxes stay unticked.
    phone.press("back", pregnant=[], medical_urgent=[]).press("next")
    assert phone.step == "vulnerabilities" and phone.values("pregnant") == [] and phone.values("medical_urgent") == []
    household = phone.press("next").finish()
    assert not household.members.filter(vulnerability_rows__isnull=False).exists()
