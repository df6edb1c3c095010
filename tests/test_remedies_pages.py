"""Remedies pages as staff use them (no JavaScript): the household's orders, motions and MPP cases, the forms,
the DOCX download, the line on the household page, the MPP phase on the triage queue (beside the score,
never in it), and the demo."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from refugio.accounts.models import Role
from refugio.audit.models import AuditEvent
from refugio.audit.services import Actor
from refugio.people.models import Household, Person
from refugio.remedies import services
from refugio.remedies.models import MotionToReopen, MPPCase, RemovalOrder
from refugio.triage.models import TriageScore
from refugio.triage.services import score_households, with_facts

from .conftest import World, new_household


@pytest.fixture(autouse=True)
def _signed_in_sessions_need_no_second_factor(settings: object) -> None:
    settings.REFUGIO_REQUIRE_OTP = False  # type: ignore[attr-defined]


def _page(user: User, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def _text(response: object) -> str:
    html = response.content.decode()  # type: ignore[attr-defined]
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def _head(household: Household) -> Person:
    return household.members.get(relationship_to_head="head")


def _order(world: World, household: Household, days_ago: int = 100, **changes: object) -> RemovalOrder:
    data = {
        "person_id": _head(household).id,
        "order_date": timezone.localdate() - dt.timedelta(days=days_ago),
        "court": "SDI",
        "in_absentia": True,
        "reason": "exceptional_circumstances",
        **changes,
    }
    return services.record_removal_order(Actor(world.users[Role.CASEWORKER]), household=household, data=data)


def _mpp(world: World, household: Household, status: str) -> MPPCase:
    return services.record_mpp_case(
        Actor(world.users[Role.CASEWORKER]),
        household=household,
        data={"person_id": _head(household).id, "status": status},
    )


def test_the_household_page_shows_orders_deadlines_evidence_and_mpp_in_words(world: World) -> None:
    _order(world, world.own)
    _order(world, world.own, days_ago=500, reason="lack_of_notice")
    _mpp(world, world.own, "terminated")
    since = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    response = _page(world.users[Role.CASEWORKER]).get(f"/remedies/households/{world.own.id}/")
    assert response.status_code == 200
    text = _text(response)
    assert "80 days left" in text
    assert "File within 180 days of the order" in text and "stays removal automatically" in text
    assert "No deadline: the motion may be filed at any time" in text
    assert "Exceptional circumstances" in text and "Did not receive notice of the hearing" in text
    assert "Medical records or other proof of the circumstance" in text
    assert "MPP tent-court records" in text
    assert "Terminated or dismissed MPP case" in text and "Phase 2" in text
    assert "exceptional_circumstances" not in text and "lack_of_notice" not in text  # words, never codes
    assert "San Diego, CA" in text and "Draft a motion to reopen" in text
    read = set(AuditEvent.objects.filter(id__gt=since, action="read").values_list("object_type", flat=True).distinct())
    assert {"removal_order", "mpp_case", "household"} <= read


def test_recording_an_order_through_the_form_with_errors_first(world: World) -> None:
    client = _page(world.users[Role.ATTORNEY])
    url = f"/remedies/households/{world.own.id}/orders/new/"
    form = client.get(url).content.decode()
    assert 'type="date"' in form and 'name="order_date"' in form and "María José Hernández López" in form
    head = _head(world.own)
    refused = client.post(
        url, {"person_id": str(head.id), "order_date": "2025-03-04", "court": "SDI", "in_absentia": "yes"}
    )
    assert refused.status_code == 400
    assert 'class="error-summary"' in refused.content.decode()
    assert "Choose the ground on which reopening would be sought." in _text(refused)
    assert 'value="2025-03-04"' in refused.content.decode()  # the date comes back in ISO
    saved = client.post(
        url,
        {
            "person_id": str(head.id),
            "order_date": "2025-03-04",
            "court": "SDI",
            "in_absentia": "yes",
            "reason": "in_custody",
        },
    )
    assert saved.status_code == 302 and saved["Location"] == f"/remedies/households/{world.own.id}/"
    order = RemovalOrder.objects.get()
    assert (order.order_date, order.reason, order.in_absentia, order.person_id) == (
        dt.date(2025, 3, 4),
        "in_custody",
        True,
        head.id,
    )


def test_a_spanish_reader_gets_iso_dates_and_spanish_errors(world: World) -> None:
    client = _page(world.users[Role.CASEWORKER], "es")
    url = f"/remedies/households/{world.own.id}/orders/new/"
    refused = client.post(url, {"person_id": str(_head(world.own).id), "order_date": "2999-01-01", "court": "ZZZ"})
    assert refused.status_code == 400
    assert 'lang="es"' in refused.content.decode()
    assert 'value="2999-01-01"' in refused.content.decode()


def test_motion_drafted_filed_and_decided_through_the_pages(world: World) -> None:
    order = _order(world, world.own)
    client = _page(world.users[Role.ATTORNEY])
    assert client.post(f"/remedies/orders/{order.id}/motion/").status_code == 302
    motion = MotionToReopen.objects.get()
    page = client.get(f"/remedies/households/{world.own.id}/").content.decode()
    assert f"/remedies/motions/{motion.id}/draft.docx" in page and f"/remedies/motions/{motion.id}/file/" in page
    assert "Draft a motion to reopen" not in page  # one open motion per order
    assert client.post(f"/remedies/orders/{order.id}/motion/").status_code == 409
    form = client.get(f"/remedies/motions/{motion.id}/file/").content.decode()
    assert 'type="date"' in form
    today = timezone.localdate()
    assert client.post(f"/remedies/motions/{motion.id}/file/", {"filed_on": today.isoformat()}).status_code == 302
    again = client.post(f"/remedies/motions/{motion.id}/file/", {"filed_on": today.isoformat()})
    assert again.status_code == 409 and "cannot become" in _text(again)
    decided = client.post(
        f"/remedies/motions/{motion.id}/decide/",
        {"outcome": "denied", "decided_on": today.isoformat(), "notes": "Denied without prejudice."},
    )
    assert decided.status_code == 302
    motion.refresh_from_db()
    assert (motion.status, motion.filed_on, motion.decided_on) == ("denied", today, today)
    text = _text(client.get(f"/remedies/households/{world.own.id}/"))
    assert "Denied" in text and "Denied without prejudice." in text and "Draft a motion to reopen" in text


def test_the_page_download_is_audited_as_read_on_the_web(world: World) -> None:
    order = _order(world, world.own)
    motion = services.draft_motion(Actor(world.users[Role.CASEWORKER]), order=order)
    since = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
    response = _page(world.users[Role.CASEWORKER]).get(f"/remedies/motions/{motion.id}/draft.docx")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    event = AuditEvent.objects.get(id__gt=since, action="read", object_type="motion_to_reopen")
    assert event.channel == "web" and "a_number" in event.fields


def test_other_organisations_pages_are_404_and_shelter_staff_only_read(world: World) -> None:
    order = _order(world, world.foreign)
    motion = services.draft_motion(Actor(world.users["stranger_caseworker"]), order=order)
    case = _mpp(world, world.foreign, "active")
    client = _page(world.users[Role.CASEWORKER])
    for url in (
        f"/remedies/households/{world.foreign.id}/",
        f"/remedies/households/{world.foreign.id}/orders/new/",
        f"/remedies/households/{world.foreign.id}/mpp/new/",
        f"/remedies/mpp/{case.id}/",
        f"/remedies/motions/{motion.id}/file/",
        f"/remedies/motions/{motion.id}/decide/",
        f"/remedies/motions/{motion.id}/draft.docx",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/remedies/orders/{order.id}/motion/").status_code == 404
    _order(world, world.own)
    shelter = _page(world.users[Role.SHELTER_STAFF])
    page = shelter.get(f"/remedies/households/{world.own.id}/")
    assert page.status_code == 200 and "80 days left" in _text(page)
    assert "Record a removal order" not in _text(page) and "Draft a motion" not in _text(page)
    assert shelter.get(f"/remedies/households/{world.own.id}/orders/new/").status_code == 403


def test_mpp_case_recorded_and_changed_through_the_pages(world: World) -> None:
    client = _page(world.users[Role.CASEWORKER])
    head = _head(world.own)
    response = client.post(
        f"/remedies/households/{world.own.id}/mpp/new/",
        {"person_id": str(head.id), "status": "active", "court": "SDI", "enrolled_on": "2019-09-01", "details": "x"},
    )
    assert response.status_code == 302, response.content
    case = MPPCase.objects.get()
    assert client.get(f"/remedies/mpp/{case.id}/").status_code == 200
    changed = client.post(f"/remedies/mpp/{case.id}/", {"status": "terminated", "status_date": "2021-06-01"})
    assert changed.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.status_date, case.enrolled_on) == ("terminated", dt.date(2021, 6, 1), dt.date(2019, 9, 1))


def test_the_household_page_has_one_line_with_days_left_and_a_link(world: World) -> None:
    client = _page(world.users[Role.CASEWORKER])
    empty = client.get(f"/cases/{world.own.id}/").content.decode()
    assert f"/remedies/households/{world.own.id}/" in empty
    _order(world, world.own, days_ago=170)
    _mpp(world, world.own, "in_absentia_order")
    text = _text(client.get(f"/cases/{world.own.id}/"))
    assert "10 days left" in text and "Phase 3" in text
    _order(world, world.own, days_ago=185)
    assert "the deadline passed 5 days ago" in _text(client.get(f"/cases/{world.own.id}/"))


# --- triage queue -----------------------------------------------------------------------------------------------


def _row(html: str, code: str) -> str:
    found = re.search(r"<tr>(?:(?!</tr>).)*?" + re.escape(code) + r".*?</tr>", html, flags=re.S)
    assert found, code
    return found.group(0)


def test_the_triage_queue_shows_and_filters_the_mpp_phase_without_changing_the_score(world: World) -> None:
    active = new_household(world.users[Role.CASEWORKER], world.home)
    ordered = new_household(world.users[Role.CASEWORKER], world.home)
    score_households(with_facts(Household.objects.all()))
    before = {s.household_id: (s.tier, s.priority) for s in TriageScore.objects.all()}
    client = _page(world.users[Role.CASEWORKER])
    page_before = client.get("/triage/").content.decode()

    _mpp(world, active, "active")
    _mpp(world, ordered, "in_absentia_order")
    _order(world, ordered)
    # Scoring again after the MPP cases gives the very same tier and priority: the phase is no input.
    score_households(with_facts(Household.objects.all()))
    assert {s.household_id: (s.tier, s.priority) for s in TriageScore.objects.all()} == before

    page = client.get("/triage/").content.decode()
    assert "MPP phase" in page
    for household in (world.own, active, ordered):
        code = household.display_code
        old, new = _row(page_before, code), _row(page, code)
        priority = re.search(r'data-part="priority">([^<]*)<', new).group(1)
        assert priority == re.search(r'data-part="priority">([^<]*)<', old).group(1) != "—"
    assert "Phase 1: active MPP case" in _row(page, active.display_code)
    assert "Phase 3: in-absentia order under MPP" in _row(page, ordered.display_code)
    assert "Phase" not in _row(page, world.own.display_code)
    # The order of the queue is the score's, whatever the phase.
    codes = [h.display_code for h in (world.own, active, ordered)]
    assert sorted(codes, key=page.index) == sorted(codes, key=page_before.index)

    only_first = client.get("/triage/?mpp_phase=1").content.decode()
    assert active.display_code in only_first and ordered.display_code not in only_first
    assert world.own.display_code not in only_first
    none = client.get("/triage/?mpp_phase=none").content.decode()
    assert world.own.display_code in none and active.display_code not in none
    assert world.foreign.display_code not in client.get("/triage/").content.decode()


def test_a_household_with_several_cases_takes_the_earliest_phase(world: World) -> None:
    from refugio.remedies.selectors import mpp_phase_by_household

    child = world.own.members.get(relationship_to_head="child")
    _mpp(world, world.own, "in_absentia_order")
    services.record_mpp_case(
        Actor(world.users[Role.CASEWORKER]), household=world.own, data={"person_id": child.id, "status": "terminated"}
    )
    assert mpp_phase_by_household([world.own.id, world.foreign.id]) == {world.own.id: 2}
    page = _page(world.users[Role.CASEWORKER]).get("/triage/?mpp_phase=2").content.decode()
    assert world.own.display_code in page
    assert (
        world.own.display_code not in _page(world.users[Role.CASEWORKER]).get("/triage/?mpp_phase=3").content.decode()
    )


# --- demo -------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_demo_loads_every_status_once(world: World) -> None:
    from refugio.remedies.demo import load_remedies_demo

    for _ in range(3):
        new_household(world.users[Role.CASEWORKER], world.home)
    orgs = {"Demo Legal Aid": world.home}
    users = {"legal-caseworker": world.users[Role.CASEWORKER]}
    load_remedies_demo(orgs, users)  # type: ignore[arg-type]
    load_remedies_demo(orgs, users)  # type: ignore[arg-type]
    assert sorted(MPPCase.objects.values_list("status", flat=True)) == [
        "active",
        "in_absentia_order",
        "in_absentia_order",
        "terminated",
    ]
    assert sorted(RemovalOrder.objects.values_list("reason", flat=True)) == [
        "exceptional_circumstances",
        "lack_of_notice",
    ]
    exceptional = RemovalOrder.objects.get(reason="exceptional_circumstances")
    assert (timezone.localdate() - exceptional.order_date).days == 100
    assert list(MotionToReopen.objects.values_list("status", flat=True)) == ["drafted"]


def test_the_home_page_lists_motions_due_within_30_days(world: World) -> None:
    soon = _order(world, world.own, days_ago=160)  # 20 days left
    services.draft_motion(Actor(world.users[Role.CASEWORKER]), order=soon)  # drafted, not filed: still due
    _order(world, world.shared, days_ago=100)  # 80 days left: not yet
    _order(world, world.foreign, days_ago=170)  # another organisation's: never
    late = _order(world, world.own, days_ago=190)  # already past: not in the coming weeks
    client = _page(world.users[Role.CASEWORKER])
    card = re.search(r'data-part="motions-due">(.*?)</div>', client.get("/home/").content.decode(), re.S)
    assert card, "no remedies card on the caseworker's home page"
    text = unescape(re.sub(r"<[^>]+>", " ", card.group(1)))
    assert world.own.display_code in text and "20 days left" in text
    assert world.shared.display_code not in text and world.foreign.display_code not in text
    assert str(late.order_date + dt.timedelta(days=180)) not in text
    assert "/triage/" in card.group(1)
