"""Issue 12, the last items: replies to an escalation are marked on its list and its page for both sides,
attorney offers name the court, the next hearing and the languages, and legal suggestions never treat a
past hearing as the most urgent."""

from __future__ import annotations

import datetime as dt
import re

from django.contrib.auth.models import User
from django.test import Client

from refugio.accounts.models import Role
from refugio.audit.services import Actor
from refugio.escalations.models import Escalation
from refugio.escalations.services import change_status, post_message, raise_escalation
from refugio.legal.models import Hearing
from refugio.legal.selectors import suggestions
from refugio.legal.services import offer_representation
from refugio.people.services import create_household
from refugio.planning.models import PlanRun, PortOfEntry
from tests.conftest import CHILD, HEAD, HOUSEHOLD, World
from tests.test_escalations import line  # noqa: F401
from tests.test_legal import legal  # noqa: F401
from tests.test_pages import signed_in
from tests.test_planning_app import ports  # noqa: F401


def _marked(user: User, escalation: Escalation, url: str) -> bool:
    return f'data-unread="{escalation.reference}"' in signed_in(user).get(url).content.decode()


def test_a_reply_is_marked_on_the_list_and_the_page_for_the_side_that_must_answer(line: World) -> None:  # noqa: F811
    caseworker, liaison = line.users[Role.CASEWORKER], line.users[Role.AGENCY_LIAISON]
    escalation = raise_escalation(
        Actor(caseworker, "web"),
        household=line.own,
        office_id=line.port.id,
        category="detained",
        summary="Detained at the port.",
        shared_fields=[],
    )
    detail = f"/escalations/{escalation.id}/"
    for url in ("/escalations/", detail):
        assert _marked(liaison, escalation, url)  # never acknowledged: new for the office
        assert not _marked(caseworker, escalation, url)
    change_status(Actor(liaison, "web"), escalation=escalation, side="agency", new_status="acknowledged", note="Seen.")
    post_message(Actor(liaison, "web"), escalation=escalation, side="agency", body="We are looking.", files=[])
    for url in ("/escalations/", detail):
        assert _marked(caseworker, escalation, url)  # the agency replied: the sender has a reply to read
        assert not _marked(liaison, escalation, url)
    post_message(Actor(caseworker, "web"), escalation=escalation, side="sender", body="Thank you.", files=[])
    for url in ("/escalations/", detail):
        assert _marked(liaison, escalation, url)
        assert not _marked(caseworker, escalation, url)
    # The list names the tier in words, not its number.
    page = signed_in(caseworker).get("/escalations/").content.decode()
    assert "<td>1</td>" not in page


def test_an_offer_names_the_court_the_next_hearing_and_the_languages(legal: World) -> None:  # noqa: F811
    Hearing.objects.create(
        household=legal.own, court="SDI", date=dt.date.today() - dt.timedelta(days=20), kind="master"
    )  # past: not the next one
    offer_representation(Actor(legal.users[Role.CASEWORKER]), household=legal.own, representative_id=legal.rep.id)
    page = signed_in(legal.users["volunteer"]).get("/legal/offers/?lang=en").content.decode()
    assert "El Paso, TX" in page and "2027-02-01" in page  # the court and the date the head gave
    assert "Español" in page or "Spanish" in page
    assert ">ELP<" not in page and ">es<" not in page and "San Diego" not in page


def test_a_past_hearing_is_not_the_most_urgent_suggestion(legal: World) -> None:  # noqa: F811
    coordinator = legal.users[Role.CASEWORKER]
    today = dt.date.today()

    def case(hearing: dt.date) -> object:
        return create_household(
            Actor(coordinator, "system"),
            organisation_id=legal.home.id,
            data=HOUSEHOLD,
            members=[{**HEAD, "next_hearing_date": hearing.isoformat(), "vulnerabilities": []}, dict(CHILD)],
        )

    past = case(today - dt.timedelta(days=40))
    soon = case(today + dt.timedelta(days=10))
    found = [s.household.id for s in suggestions(coordinator)]
    assert found[0] == soon.id, found  # capacity 2: the soon one first, then legal.own (2027-02-01)
    assert past.id not in found[:1]
    page = signed_in(coordinator).get("/legal/suggestions/").content.decode()
    assert (today - dt.timedelta(days=40)).isoformat() not in page


def test_a_capacity_form_with_errors_comes_back_with_a_summary_linking_to_its_fields(
    world: World,
    ports: dict[str, PortOfEntry],  # noqa: F811
) -> None:
    client = signed_in(world.users[Role.ORG_ADMIN])
    client.cookies["django_language"] = "es"
    today = dt.date.today()
    response = client.post(
        "/planning/capacity/beds/",
        {"destination": "Denver", "start": today.isoformat(), "end": (today - dt.timedelta(days=1)).isoformat()},
        HTTP_ACCEPT_LANGUAGE="es",
    )
    page = response.content.decode()
    assert response.status_code == 400 and PlanRun.objects.count() == 0
    summary = page[page.index('class="error-summary"') :]
    assert re.search(r'<a href="#beds_beds">[^<]*Camas', summary), summary[:800]  # the field, in Spanish
    assert 'value="Denver"' in page  # what was typed is still there
    assert page.index('class="error-summary"') < page.index('name="destination"')


def test_public_forms_with_errors_have_a_summary_linking_to_each_field(world: World) -> None:
    from refugio.accounts.models import Organisation

    Organisation.objects.filter(pk=world.home.pk).update(public_intake=True)
    client = Client(HTTP_ACCEPT_LANGUAGE="es")
    first = client.get("/register/?lang=es").content.decode()
    fields = dict(re.findall(r'name="(draft|step)" value="([^"]*)"', first))
    page = client.post(
        "/register/?lang=es", {**fields, "action": "next", "given_names": "Rosa", "birth_year": ""}
    ).content.decode()
    summary = page[page.index('class="error-summary"') : page.index("</div>", page.index('class="error-summary"'))]
    assert 'href="#id_first_family_name"' in summary and "Primer apellido" in summary
    status = client.post("/status/?lang=es", {"code": "", "birth_day": "7"}).content.decode()
    assert 'class="error-summary"' in status and 'href="#id_code"' in status


def test_the_menu_offers_registering_only_to_those_who_may(world: World) -> None:
    attorney = signed_in(world.users[Role.ATTORNEY]).get("/home/").content.decode()
    assert 'href="/cases/"' in attorney
    assert 'href="/intake/"' not in attorney and 'href="/cases/new/"' not in attorney
    caseworker = signed_in(world.users[Role.CASEWORKER]).get("/home/").content.decode()
    assert 'href="/intake/"' in caseworker and 'href="/cases/new/"' in caseworker


def test_a_failed_plan_says_what_to_do_in_words_not_a_traceback(world: World) -> None:
    run = PlanRun.objects.create(
        status="failed", error="KeyError: 'lane_fifo'\nTraceback (most recent call last):\n  File \"planner.py\""
    )
    page = signed_in(world.users[Role.ORG_ADMIN]).get(f"/planning/runs/{run.id}/?lang=en").content.decode()
    assert "Traceback" not in page and "lane_fifo" not in page and "KeyError" not in page
    assert "could not be computed" in page


def test_a_fields_error_follows_its_label_and_is_named_by_the_box(world: World) -> None:
    page = (
        signed_in(world.users[Role.CASEWORKER])
        .post(f"/cases/{world.own.id}/members/new/", {"given_names": "Ana"})
        .content.decode()
    )
    label = page.index('<label for="id_first_family_name"')
    error = page.index('id="id_first_family_name_error"')
    box = page.index('id="id_first_family_name"')
    assert label < error < box  # was: the error above the label
    assert re.search(r'<input[^>]*aria-describedby="id_first_family_name_error"[^>]*id="id_first_family_name"', page)
