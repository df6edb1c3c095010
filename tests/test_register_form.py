"""/register/: the public multi-step form, without JavaScript, in five languages."""

from __future__ import annotations

import html
import re

import pytest
from django.test import Client

from refugio.accounts.models import Organisation
from refugio.audit.models import AuditEvent
from refugio.people.models import Household
from refugio.people.registration_code import normalise
from refugio.people.vocabulary import COURTS, LANGUAGES, NATIONALITIES
from refugio.registration.forms import BORDER_CITIES
from refugio.registration.selectors import household_for
from tests.conftest import World

HEAD = {
    "given_names": "María José",
    "first_family_name": "Hernández",
    "second_family_name": "López",
    "birth_day": "12",
    "birth_month": "3",
    "birth_year": "1990",
    "sex": "female",
    "nationality": "HN",
    "languages": ["es"],
}
CHILD = {"given_names": "Ana", "first_family_name": "Hernández", "age": "6", "relationship_to_head": "child"}
PLACE = {
    "current_city": "Matamoros",
    "in_shelter": "yes",
    "shelter_name": "Casa del Migrante",
    "contact_phone": "868 123 4567",
    "contact_whatsapp": "yes",
}
COURT = {"has_case": "yes", "a_number": "A 012-345-678", "immigration_court": "BRO", "next_hearing_date": ""}


class Visitor:
    """A person on a phone: posts each step with the draft the last page gave them."""

    def __init__(self, lang: str = "es") -> None:
        self.client = Client()
        self.lang = lang
        self.page = self.client.get(f"/register/?lang={lang}")
        assert self.page.status_code == 200

    @property
    def html(self) -> str:
        return self.page.content.decode()

    def field(self, name: str) -> str:
        match = re.search(rf'name="{name}" value="([^"]*)"', self.html)
        assert match, f"no {name} on the page"
        return html.unescape(match.group(1))

    def post(self, data: dict[str, object], action: str = "next", **extra: str) -> Visitor:
        body = {"draft": self.field("draft"), "step": self.field("step"), "action": action, **extra, **data}
        action_url = html.unescape(
            re.search(r'<form method="post" action="([^"]+)" class="stack register"', self.html)[1]
        )
        self.page = self.client.post(action_url, body)
        return self


def _field_errors(page: str, name: str) -> list[str]:
    """The messages Django shows in the error list of one field."""
    found = re.search(rf'<ul class="errorlist" id="id_{name}_error">(.*?)</ul>', page, re.DOTALL)
    if not found:  # as_p shows a field's errors after its label, in one line (refugio.core.forms.ErrorsAfterLabels)
        after_label = re.search(rf'<span class="errorlist" id="id_{name}_error">([^<]*)</span>', page)
        return [html.unescape(after_label[1])] if after_label else []
    return [html.unescape(m) for m in re.findall(r"<li>(.*?)</li>", found[1])]


@pytest.fixture
def intake(world: World) -> Organisation:
    Organisation.objects.filter(pk=world.home.pk).update(public_intake=True)
    return world.home


def _complete(visitor: Visitor, members: list[dict[str, object]], vulnerabilities: dict[str, object]) -> Visitor:
    visitor.post(HEAD)
    assert visitor.field("step") == "members", visitor.html
    for member in members:
        visitor.post(member, action="add")
        assert visitor.field("step") == "members", visitor.html
    visitor.post({})
    assert visitor.field("step") == "place"
    visitor.post(PLACE)
    assert visitor.field("step") == "court", visitor.html
    visitor.post(COURT)
    assert visitor.field("step") == "vulnerabilities", visitor.html
    visitor.post(vulnerabilities)
    assert visitor.field("step") == "consent", visitor.html
    return visitor


def test_a_family_registers_in_spanish_and_gets_a_code(intake: Organisation) -> None:
    before = Household.objects.count()
    visitor = _complete(Visitor("es"), [CHILD], {"pregnant": ["0"], "medical_urgent": ["1"]})
    assert "María José Hernández" in visitor.html and "Ana Hernández" in visitor.html
    visitor.post({"consent": "on"})
    assert visitor.page.status_code == 302
    done = visitor.client.get(visitor.page["Location"])
    text = done.content.decode()
    assert done.status_code == 200 and "Registro recibido" in text
    code = re.search(r'class="registration-code" translate="no">([^<]+)<', text).group(1)
    assert normalise(code)
    assert Household.objects.count() == before + 1
    household = household_for(code, "1990-03-12")
    assert household is not None and household.owner_id == intake.id
    assert household.preferred_language == "es" and household.current_city == "Matamoros"
    assert household.in_shelter and household.contact_whatsapp and household.contact_phone == "+528681234567"
    members = {p.given_names: p for p in household.members.all()}
    head, child = members["María José"], members["Ana"]
    assert head.second_family_name == "López" and head.a_number == "A012345678" and head.immigration_court == "BRO"
    assert list(head.vulnerability_rows.values_list("code", flat=True)) == ["pregnant"]
    assert list(child.vulnerability_rows.values_list("code", flat=True)) == ["medical_urgent"]
    assert child.relationship_to_head == "child" and child.birth_date_estimated and child.birth_year
    assert set(household.consents.values_list("purpose", flat=True)) == {"processing"}
    assert AuditEvent.objects.filter(channel="public", action="create").exists()


def test_sending_the_last_step_twice_stores_one_household(intake: Organisation) -> None:
    visitor = _complete(Visitor("en"), [], {})
    draft, before = visitor.field("draft"), Household.objects.count()
    first = visitor.client.post("/register/", {"draft": draft, "step": "consent", "consent": "on"})
    again = visitor.client.post("/register/", {"draft": draft, "step": "consent", "consent": "on"})
    assert first.status_code == again.status_code == 302 and first["Location"] == again["Location"]
    assert Household.objects.count() == before + 1


def test_errors_are_shown_in_the_language_of_the_page(intake: Organisation) -> None:
    visitor = Visitor("es")
    visitor.post({**HEAD, "birth_year": "", "birth_month": "", "birth_day": "", "given_names": ""})
    assert visitor.field("step") == "head"
    assert "Este campo es obligatorio" in visitor.html
    # The message under the date-of-birth field, not the label "Si no sabe la fecha de nacimiento" beside it.
    assert _field_errors(visitor.html, "birth_year") == ["Escriba la fecha de nacimiento, o la edad si no la sabe."]
    visitor.post(HEAD).post({}).post({**PLACE, "contact_phone": "12"})
    assert visitor.field("step") == "place" and "teléfono" in visitor.html.lower()
    visitor.post(PLACE).post({**COURT, "a_number": "B123"})
    assert visitor.field("step") == "court" and "número A" in visitor.html
    visitor.post(COURT).post({}).post({})
    assert visitor.field("step") == "consent" and "consentimiento" in visitor.html


def test_back_and_language_switch_keep_what_was_typed(intake: Organisation) -> None:
    visitor = Visitor("es")
    visitor.post(HEAD).post({}).post({**PLACE, "current_city": "Reynosa"}, action="back", lang="fr")
    visitor.post({}, lang="fr")
    assert visitor.field("step") == "members" and 'lang="fr"' in visitor.html
    visitor.post({})
    assert visitor.field("step") == "place" and 'value="Reynosa"' in visitor.html
    visitor.post({**PLACE, "current_city": "Reynosa"}, lang="ht")
    assert visitor.field("step") == "place" and "Ki kote ou ye kounye a" in visitor.html


def test_a_member_can_be_removed(intake: Organisation) -> None:
    visitor = Visitor("en").post(HEAD).post(CHILD, action="add").post({**CHILD, "given_names": "Luis"}, action="add")
    assert "Ana Hernández" in visitor.html and "Luis Hernández" in visitor.html
    visitor.post({}, action="remove-0")
    assert "Ana Hernández" not in visitor.html and "Luis Hernández" in visitor.html


def test_a_tampered_or_stale_draft_starts_again(intake: Organisation) -> None:
    response = Client().post("/register/?lang=en", {"draft": "x", "step": "consent", "consent": "on"})
    assert response.status_code == 200 and "start again" in response.content.decode()


def test_registration_closed_says_so(db: object) -> None:
    response = Client().get("/register/?lang=pt")
    assert response.status_code == 503 and "não está aberto" in response.content.decode()


def _walk(lang: str) -> list[str]:
    """Every page of a registration, one with errors on each step, and the confirmation."""
    visitor = Visitor(lang)
    pages = [visitor.html]
    visitor.post({**HEAD, "birth_year": "", "given_names": ""})
    pages.append(visitor.html)
    for data in (HEAD, {**CHILD, "relationship_to_head": ""}, CHILD, {**PLACE, "contact_phone": "1"}, PLACE):
        visitor.post(data, action="add" if "relationship_to_head" in data else "next")
        pages.append(visitor.html)
    visitor.post({})
    for data in ({**COURT, "a_number": "x"}, COURT, {}, {}):
        visitor.post(data)
        pages.append(visitor.html)
    visitor.post({"consent": "on"})
    pages.append(visitor.client.get(visitor.page["Location"]).content.decode())
    return pages


def _texts(page: str) -> set[str]:
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", "", page, flags=re.S)
    return {html.unescape(t).strip() for t in re.findall(r">([^<]+)<", body) if re.search(r"[a-z]{3}", t)}


# Proper names, which stay as they are in every language.
UNTRANSLATED = (
    {"Refugio", "WhatsApp", "Home Legal Aid", "María José Hernández", "Ana Hernández", "Luis Hernández"}
    | set(LANGUAGES.values())
    | set(NATIONALITIES.values())
    | set(COURTS.values())
    | {*BORDER_CITIES}
)


def test_every_page_is_small_labelled_and_fully_translated(intake: Organisation) -> None:
    english = set().union(*(_texts(p) for p in _walk("en")))
    for lang in ("es", "ht", "fr", "pt"):
        pages = _walk(lang)
        for page in pages:
            assert len(page.encode()) < 60_000
            assert f'<html lang="{lang}">' in page
            for input_id in re.findall(r'<(?:input|select|textarea)[^>]*\bid="([^"]+)"', page):
                assert f'for="{input_id}"' in page, input_id
        left_in_english = (set().union(*(_texts(p) for p in pages)) & english) - UNTRANSLATED
        assert not left_in_english, (lang, sorted(left_in_english))
