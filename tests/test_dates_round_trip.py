"""Staff forms saved unchanged change nothing, in Spanish as in English (issue 12).

`<input type="date">` only takes ISO values (2027-07-12). A Spanish page that wrote 12/07/2027 showed the
field empty and sent it back empty: saving erased the hearing date or `ready_on`. Each form here is read
the way a browser reads it, sent back as it was, and what is stored is compared before and after.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib
import re
from typing import Any

import pytest
from django import forms
from django.forms.models import model_to_dict
from django.test import Client
from django.utils import timezone, translation

from refugio.accounts.models import Role
from refugio.audit.services import Actor
from refugio.core.widgets import IsoDateInput, IsoTimeInput
from refugio.legal.models import Hearing
from refugio.people.models import Household, Person, SharingGrant
from refugio.people.services import record_consent
from refugio.people.vocabulary import ConsentMethod, ConsentPurpose
from refugio.planning.models import PortDay, PortOfEntry, ScreeningDay, ShelterBedsDay
from tests.conftest import World
from tests.html_forms import BrowserForm
from tests.test_legal import legal  # noqa: F401  (the fixture)
from tests.test_pages import signed_in
from tests.test_planning_app import ports  # noqa: F401  (the fixture)

LANGS = ["es", "en"]
READY_ON = dt.date(2027, 7, 12)  # 12/07 in Spanish, 7/12 in English: a day-month mix-up would show
HEARING = dt.date(2027, 2, 3)
ARRIVAL = dt.date(2019, 11, 5)
CHANGING = {"version", "updated_at"}  # a save moves these; nothing else may change


def staff(user: Any, lang: str) -> Client:  # noqa: ANN401
    client = signed_in(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = lang
    return client


def _date_inputs(page: str) -> list[str]:
    """The value of every date input of the page, as the browser reads it."""
    values = []
    for tag in re.findall(r"<input[^>]*>", page):
        if re.search(r'type="date"', tag):
            found = re.search(r'value="([^"]*)"', tag)
            values.append(found[1] if found else "")
    return values


def _assert_iso(page: str, lang: str) -> list[str]:
    assert f'lang="{lang}"' in page
    values = _date_inputs(page)
    assert values, "no date input on the page"
    for value in values:
        assert value == "" or re.fullmatch(r"\d{4}-\d{2}-\d{2}", value), f"{value!r} is not ISO ({lang})"
    return values


def _stored(obj: Household | Person) -> dict[str, Any]:
    obj.refresh_from_db()
    return {k: v for k, v in model_to_dict(obj).items() if k not in CHANGING}


@pytest.mark.parametrize("lang", LANGS)
def test_household_edit_saved_unchanged_keeps_ready_on(world: World, lang: str) -> None:
    household = world.own
    Household.objects.filter(pk=household.pk).update(ready_on=READY_ON)
    before = _stored(household)
    client = staff(world.users[Role.CASEWORKER], lang)
    url = f"/cases/{household.id}/edit/"
    page = client.get(url).content.decode()
    response = BrowserForm(page, url, match=r'class="stack"').submit(client)
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert _stored(household) == before
    assert household.ready_on == READY_ON
    assert READY_ON.isoformat() in _assert_iso(page, lang)


@pytest.mark.parametrize("lang", LANGS)
def test_person_edit_saved_unchanged_keeps_its_dates(world: World, lang: str) -> None:
    person = world.own.members.get(relationship_to_head="head")
    Person.objects.filter(pk=person.pk).update(next_hearing_date=HEARING, arrival_date=ARRIVAL)
    before = _stored(person)
    vulnerabilities = sorted(person.vulnerability_rows.values_list("code", flat=True))
    client = staff(world.users[Role.CASEWORKER], lang)
    url = f"/people/{person.id}/edit/"
    page = client.get(url).content.decode()
    response = BrowserForm(page, url, match=r'class="stack"').submit(client)
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert _stored(person) == before
    assert (person.next_hearing_date, person.arrival_date) == (HEARING, ARRIVAL)
    assert sorted(person.vulnerability_rows.values_list("code", flat=True)) == vulnerabilities
    assert {HEARING.isoformat(), ARRIVAL.isoformat()} <= set(_assert_iso(page, lang))


@pytest.mark.parametrize("lang", LANGS)
def test_sharing_with_the_proposed_end_date_keeps_it(world: World, lang: str) -> None:
    household = world.own
    record_consent(
        Actor(world.users[Role.CASEWORKER]),
        household=household,
        purpose=ConsentPurpose.SHELTER_REFERRAL,  # the partner is a shelter
        method=ConsentMethod.VERBAL,
    )
    client = staff(world.users[Role.CASEWORKER], lang)
    url = f"/cases/{household.id}/"
    page = client.get(url).content.decode()
    proposed = timezone.localdate() + dt.timedelta(days=90)
    form = BrowserForm(page, url, match=r"/share/").fill(organisation_id=world.partner.id, purpose="Legal help")
    assert form.submit(client).status_code == 302
    grant = SharingGrant.objects.get(household=household, organisation=world.partner)
    assert timezone.localtime(grant.expires_at).date() == proposed
    assert proposed.isoformat() in _assert_iso(page, lang)


@pytest.mark.parametrize("lang", LANGS)
def test_planning_capacity_saved_with_the_proposed_dates_keeps_them(
    world: World,
    ports: dict[str, PortOfEntry],  # noqa: F811
    lang: str,
    django_capture_on_commit_callbacks: Any,  # noqa: ANN401
) -> None:
    client = staff(world.users[Role.ORG_ADMIN], lang)
    page = client.get("/planning/").content.decode()
    today = timezone.localdate()
    start, end = today + dt.timedelta(days=1), today + dt.timedelta(days=30)
    days = [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]
    sent = [
        ("/capacity/port/", {"port": ports["SYS"].id, "capacity": "12"}),
        ("/capacity/screening/", {"city": "Tijuana", "capacity": "30"}),
        ("/capacity/beds/", {"destination": "San Diego", "beds": "40"}),
    ]
    with django_capture_on_commit_callbacks(execute=False):
        for action, typed in sent:
            response = BrowserForm(page, "/planning/", match=action).fill(**typed).submit(client)
            assert response.status_code == 302 and "/runs/" in response["Location"], response.get("Location")
    assert sorted(PortDay.objects.filter(port=ports["SYS"]).values_list("date", flat=True)) == days
    assert sorted(ScreeningDay.objects.filter(city="Tijuana").values_list("date", flat=True)) == days
    assert sorted(ShelterBedsDay.objects.filter(destination="San Diego").values_list("date", flat=True)) == days
    assert {start.isoformat(), end.isoformat()} <= set(_assert_iso(page, lang))


@pytest.mark.parametrize("lang", LANGS)
def test_hearing_and_offer_forms_carry_iso_dates(legal: World, lang: str) -> None:  # noqa: F811
    client = staff(legal.users[Role.CASEWORKER], lang)
    url = f"/legal/cases/{legal.own.id}/hearings/new/"
    page = client.get(url).content.decode()
    _assert_iso(page, lang)
    # A date picker sends ISO; the time box sends HH:MM.
    form = BrowserForm(page, url, match=r'class="stack"').fill(court="ELP", date=HEARING.isoformat(), time="09:30")
    assert form.submit(client).status_code == 302
    hearing = Hearing.objects.get(household=legal.own)
    assert (hearing.date, hearing.time) == (HEARING, dt.time(9, 30))
    assert client.post(f"/legal/cases/{legal.own.id}/offer/", {"representative_id": legal.rep.id}).status_code == 302
    offers = staff(legal.users["volunteer"], lang).get("/legal/offers/").content.decode()
    _assert_iso(offers, lang)


def _all_forms() -> list[type[forms.Form]]:
    for module in ("people", "legal", "planning", "registration", "escalations", "triage", "accounts", "audit"):
        with contextlib.suppress(ModuleNotFoundError):
            importlib.import_module(f"refugio.{module}.forms")
    importlib.import_module("refugio.registration.views")  # StatusForm, ImportForm
    found, todo = [], list(forms.Form.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith("refugio."):
            found.append(cls)
    return found


def test_every_date_field_writes_iso_whatever_the_language() -> None:
    """Forms not walked above too: any new date field gets the widget, or this test names it."""
    date_fields = [
        (cls.__name__, name, field)
        for cls in _all_forms()
        for name, field in cls.base_fields.items()
        if isinstance(field, forms.DateField | forms.TimeField)
    ]
    assert len(date_fields) >= 10
    with translation.override("es"):
        for form_name, name, field in date_fields:
            assert isinstance(field.widget, IsoDateInput | IsoTimeInput), (form_name, name)
            shown = field.widget.format_value(
                dt.date(2027, 7, 12) if isinstance(field, forms.DateField) else dt.time(9, 5)
            )
            assert shown in ("2027-07-12", "09:05"), (form_name, name, shown)
