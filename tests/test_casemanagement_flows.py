"""Community case management through the API and the pages, as staff use it: plans and their schedules,
recording check-ins, the missed check-in sweep (outreach, never enforcement), caseworker loads, hearing
outcomes, the rates report, and who sees what."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from refugio.accounts.models import Role
from refugio.audit.models import Action, AuditEvent
from refugio.audit.services import Actor
from refugio.casemanagement import services
from refugio.casemanagement.models import (
    CasePlan,
    CheckIn,
    HearingAttendance,
    Outreach,
    OutreachStep,
)
from refugio.casemanagement.selectors import appearance_and_check_in_rates
from refugio.casemanagement.tasks import open_outreach_daily
from refugio.escalations.models import Escalation
from refugio.legal.models import Hearing
from refugio.messaging.models import Message
from refugio.people.models import Household

from .conftest import World, api_client, make_user, new_household

TODAY = timezone.localdate


@pytest.fixture(autouse=True)
def _no_second_factor(settings: Any) -> None:  # noqa: ANN401
    settings.REFUGIO_REQUIRE_OTP = False


def _page(user: Any) -> Client:  # noqa: ANN401
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _plan(world: World, household: Household, *, started_days_ago: int, **extra: Any) -> CasePlan:  # noqa: ANN401
    caseworker = world.users[Role.CASEWORKER]
    return services.create_plan(
        Actor(caseworker, "system"),
        household=household,
        caseworker_id=caseworker.pk,
        started_on=TODAY() - dt.timedelta(days=started_days_ago),
        **extra,
    )


# --- plans and schedules ---------------------------------------------------------------------------------------


def test_a_plan_made_through_the_api_generates_its_check_ins(world: World) -> None:
    api = world.client(Role.CASEWORKER)
    start = TODAY()
    body = {
        "caseworker_id": world.users[Role.CASEWORKER].pk,
        "started_on": start.isoformat(),
        "weekly_for_weeks": 4,
        "then_every_days": 14,
        "schedule_until": (start + dt.timedelta(days=70)).isoformat(),
        "mode": "phone",
        "goals": "Find a lawyer",
    }
    answer = api.post(f"/api/v1/households/{world.own.id}/case-plans", body, content_type="application/json")
    assert answer.status_code == 201, answer.content
    assert answer.json()["status"] == "active" and answer.json()["goals"] == "Find a lawyer"
    listed = api.get(f"/api/v1/households/{world.own.id}/check-ins").json()
    offsets = [(dt.date.fromisoformat(c["due_on"]) - start).days for c in listed]
    assert offsets == [7, 14, 21, 28, 42, 56, 70]
    assert {c["mode"] for c in listed} == {"phone"} and {c["status"] for c in listed} == {"scheduled"}
    # One active plan per household.
    again = api.post(f"/api/v1/households/{world.own.id}/case-plans", body, content_type="application/json")
    assert again.status_code == 409
    assert CasePlan.objects.filter(household=world.own).count() == 1


def test_a_plan_is_kept_by_a_caseworker_of_the_organisation(world: World) -> None:
    api = world.client(Role.CASEWORKER)
    body = {"caseworker_id": world.users["stranger_caseworker"].pk, "started_on": TODAY().isoformat()}
    answer = api.post(f"/api/v1/households/{world.own.id}/case-plans", body, content_type="application/json")
    assert answer.status_code == 422
    assert "caseworker_id" in answer.json()["fields"]


# --- recording check-ins ---------------------------------------------------------------------------------------


def test_recording_attendance_through_the_api(world: World) -> None:
    plan = _plan(world, world.own, started_days_ago=10)
    first = plan.check_ins.order_by("due_on").first()
    assert first.due_on == TODAY() - dt.timedelta(days=3)
    url = f"/api/v1/households/{world.own.id}/check-ins"
    body = {"record": "attended", "date": TODAY().isoformat(), "mode": "in_person"}
    # Shelter staff record attendance too.
    answer = world.client(Role.SHELTER_STAFF).post(url, body, content_type="application/json")
    assert answer.status_code == 201, answer.content
    assert answer.json()["id"] == first.id and answer.json()["status"] == "attended"
    first.refresh_from_db()
    assert first.status == "attended" and first.recorded_at is not None
    # ...but they do not schedule: that is the caseworker's.
    later = {"record": "scheduled", "date": (TODAY() + dt.timedelta(days=1)).isoformat(), "mode": "phone"}
    assert world.client(Role.SHELTER_STAFF).post(url, later, content_type="application/json").status_code == 403
    made = world.client(Role.CASEWORKER).post(url, later, content_type="application/json")
    assert made.status_code == 201 and made.json()["status"] == "scheduled"
    # Codes outside the vocabulary and impossible dates are refused.
    bad_mode = {**body, "mode": "ankle_monitor"}
    assert world.client(Role.CASEWORKER).post(url, bad_mode, content_type="application/json").status_code == 422
    future = {**body, "date": (TODAY() + dt.timedelta(days=3)).isoformat()}
    refused = world.client(Role.CASEWORKER).post(url, future, content_type="application/json")
    assert refused.status_code == 422 and "date" in refused.json()["fields"]


def test_the_check_in_body_is_described_with_enums(world: World) -> None:
    spec = world.client(Role.CASEWORKER).get("/api/v1/openapi.json").json()
    schema = spec["components"]["schemas"]["CheckInIn"]["properties"]
    assert set(schema["record"]["enum"]) == {"attended", "excused", "scheduled"}
    assert set(schema["mode"]["enum"]) == {"in_person", "phone", "sms"}


def test_recording_a_check_in_on_the_page(world: World) -> None:
    plan = _plan(world, world.own, started_days_ago=8)
    page = _page(world.users[Role.CASEWORKER])
    url = f"/case-management/households/{world.own.id}/check-ins/new/"
    form = page.get(url)
    assert form.status_code == 200
    assert re.search(r'<input type="date" name="date" value="\d{4}-\d{2}-\d{2}"', form.content.decode())
    wrong = page.post(url, {"status": "attended", "date": (TODAY() + dt.timedelta(days=5)).isoformat(), "mode": "sms"})
    assert wrong.status_code == 200 and "error-summary" in wrong.content.decode()
    done = page.post(url, {"status": "attended", "date": TODAY().isoformat(), "mode": "sms"})
    assert done.status_code == 302
    first = plan.check_ins.order_by("due_on").first()
    first.refresh_from_db()
    assert first.status == "attended" and first.mode == "sms"


# --- missed check-ins: outreach, never enforcement ----------------------------------------------------------------


def test_missed_check_ins_open_outreach_once_and_message_only_with_consent(world: World) -> None:
    caseworker = world.users[Role.CASEWORKER]
    with_phone = world.own  # agreed to be contacted at its phone (SMS)
    without = new_household(caseworker, world.home, contact_phone="")
    _plan(world, with_phone, started_days_ago=9)  # first check-in 2 days ago: past its grace day
    _plan(world, without, started_days_ago=9)
    _plan(world, world.shared, started_days_ago=8)  # 1 day ago: still within its grace day
    open_outreach_daily.enqueue()
    assert CheckIn.objects.filter(status="missed").count() == 2
    assert Outreach.objects.count() == 2
    assert not Outreach.objects.filter(household=world.shared).exists()
    sent = Message.objects.filter(household=with_phone)
    assert sent.count() == 1 and sent.get().template == "notice"
    assert not Message.objects.filter(household=without).exists()
    step = OutreachStep.objects.get(outreach__household=without)
    assert step.kind == "message" and step.message_id is None
    # Idempotent: a second run opens nothing and sends nothing more.
    open_outreach_daily.enqueue()
    assert Outreach.objects.count() == 2 and Message.objects.count() == 1
    # No report to any agency comes of it.
    assert Escalation.objects.count() == 0 and mail.outbox == []


def test_the_caseworker_works_outreach_from_their_list(world: World) -> None:
    caseworker = world.users[Role.CASEWORKER]
    _plan(world, world.own, started_days_ago=9)
    services.mark_missed_check_ins(TODAY())
    outreach = Outreach.objects.get()
    page = _page(caseworker)
    listing = page.get("/case-management/").content.decode()
    assert world.own.display_code in listing and f"/case-management/outreach/{outreach.id}/" in listing
    home = page.get("/home/").content.decode()
    assert 'data-part="case-management"' in home and "<strong>1</strong> outreach open" in home
    assert (
        page.post(f"/case-management/outreach/{outreach.id}/step/", {"kind": "phone_call", "reached": "on"}).status_code
        == 302
    )
    new_day = TODAY() + dt.timedelta(days=2)
    closed = page.post(
        f"/case-management/outreach/{outreach.id}/close/",
        {"outcome": "reached_rescheduled", "new_date": new_day.isoformat(), "mode": "in_person"},
    )
    assert closed.status_code == 302
    outreach.refresh_from_db()
    assert outreach.status == "closed" and outreach.rescheduled_check_in.due_on == new_day
    assert [s.kind for s in outreach.steps.all()] == ["message", "phone_call"]
    assert world.own.display_code not in page.get("/case-management/").content.decode().split("Check-ins due")[0]


# --- loads, hearings, rates ------------------------------------------------------------------------------------


def test_org_admin_sees_loads_and_reassigns(world: World) -> None:
    plan = _plan(world, world.own, started_days_ago=3)
    other = make_user("second-caseworker", world.home, Role.CASEWORKER)
    admin = _page(world.users[Role.ORG_ADMIN])
    loads = admin.get("/case-management/loads/")
    assert loads.status_code == 200 and "second-caseworker" in loads.content.decode()
    # A caseworker is not an admin: no loads, no reassigning.
    worker = _page(world.users[Role.CASEWORKER])
    assert worker.get("/case-management/loads/").status_code == 404
    assert worker.post(f"/case-management/plans/{plan.id}/reassign/", {"caseworker_id": other.pk}).status_code == 404
    assert admin.post(f"/case-management/plans/{plan.id}/reassign/", {"caseworker_id": other.pk}).status_code == 302
    plan.refresh_from_db()
    assert plan.caseworker_id == other.pk


def _hearing(household: Household, days_ago: int) -> Hearing:
    return Hearing.objects.create(
        household=household, court="ELP", date=TODAY() - dt.timedelta(days=days_ago), kind="master", mode="in_person"
    )


def test_hearing_outcomes_are_recorded_after_the_hearing(world: World) -> None:
    past, coming = _hearing(world.own, 2), _hearing(world.own, -5)
    page = _page(world.users[Role.CASEWORKER])
    listing = page.get("/case-management/hearings/").content.decode()
    assert str(past.id) in listing and str(coming.id) not in listing
    assert page.post(f"/case-management/hearings/{past.id}/outcome/", {"outcome": "appeared"}).status_code == 302
    assert HearingAttendance.objects.get(hearing=past).outcome == "appeared"
    page.post(f"/case-management/hearings/{coming.id}/outcome/", {"outcome": "appeared"})
    assert not HearingAttendance.objects.filter(hearing=coming).exists()
    foreign = _hearing(world.foreign, 2)
    assert page.post(f"/case-management/hearings/{foreign.id}/outcome/", {"outcome": "appeared"}).status_code == 404


def _synthetic(world: World, attended: int, missed: int, appeared: int, absent: int) -> None:
    caseworker = world.users[Role.CASEWORKER]
    plan = _plan(world, world.own, started_days_ago=200, weekly_for_weeks=0, then_every_days=1)
    past = list(plan.check_ins.filter(due_on__lt=TODAY()).order_by("due_on"))[: attended + missed]
    for n, check_in in enumerate(past):
        CheckIn.objects.filter(pk=check_in.pk).update(status="attended" if n < attended else "missed")
    for n in range(appeared + absent):
        hearing = _hearing(world.own, 5 + n)
        services.record_hearing_outcome(
            Actor(caseworker, "system"), hearing=hearing, outcome="appeared" if n < appeared else "did_not_appear"
        )


def test_rates_selector_counts_the_organisations_own_data(world: World) -> None:
    _synthetic(world, attended=95, missed=5, appeared=19, absent=1)
    found = appearance_and_check_in_rates([world.home.id, world.stranger.id], TODAY() - dt.timedelta(days=199), TODAY())
    home = found[world.home.id]
    assert (home.check_ins_attended, home.check_ins_missed) == (95, 5)
    assert (home.hearings_appeared, home.hearings_not_appeared) == (19, 1)
    assert home.check_in_rate.low == pytest.approx(0.888, abs=0.001)
    assert found[world.stranger.id].check_in_rate.total == 0


def test_report_shows_rates_with_intervals_beside_the_references(world: World) -> None:
    _synthetic(world, attended=95, missed=5, appeared=3, absent=1)
    report = _page(world.users[Role.ORG_ADMIN]).get(
        "/case-management/report/",
        {"start": (TODAY() - dt.timedelta(days=199)).isoformat(), "end": TODAY().isoformat()},
    )
    assert report.status_code == 200
    text = report.content.decode()
    assert "95.0%" in text and "88.8%" in text and "97.8%" in text  # 95/100 with its Wilson interval
    assert "&lt;5 / &lt;5" in text  # 3 appeared of 4: counts hidden, no rate shown
    assert "75.0%" not in text
    assert "99.4%" in text and "99.3%" in text and "93% asylum seekers" in text
    assert world.own.display_code not in text  # no person-level view
    # Analysts read it too; agency liaisons never.
    assert _page(world.users[Role.ANALYST]).get("/case-management/report/").status_code == 200
    assert _page(world.users[Role.AGENCY_LIAISON]).get("/case-management/report/").status_code == 404


def test_a_period_ending_on_the_first_day_there_is_still_answers(world: World) -> None:
    # Twelve weeks before 0001-01-01 does not exist: the period starts on that day instead of failing.
    admin = world.users[Role.ORG_ADMIN]
    answer = api_client(admin).get("/api/v1/case-management/rates", {"end": "0001-01-01"})
    assert answer.status_code == 200, answer.content
    assert _page(admin).get("/case-management/report/", {"end": "0001-01-01"}).status_code == 200


# --- who sees what, and the audit of reads --------------------------------------------------------------------------


def test_foreign_households_are_not_found_and_agencies_get_nothing(world: World) -> None:
    _plan(world, world.own, started_days_ago=9)
    stranger_plan = services.create_plan(
        Actor(world.users["stranger_caseworker"], "system"),
        household=world.foreign,
        caseworker_id=world.users["stranger_caseworker"].pk,
        started_on=TODAY() - dt.timedelta(days=9),
    )
    services.mark_missed_check_ins(TODAY())
    foreign_outreach = Outreach.objects.get(plan=stranger_plan)
    api = world.client(Role.CASEWORKER)
    for path in ("check-ins", "case-plans", "outreach"):
        assert api.get(f"/api/v1/households/{world.foreign.id}/{path}").status_code == 404
    body = {"record": "attended", "date": TODAY().isoformat(), "mode": "phone"}
    assert (
        api.post(f"/api/v1/households/{world.foreign.id}/check-ins", body, content_type="application/json").status_code
        == 404
    )
    page = _page(world.users[Role.CASEWORKER])
    assert page.get(f"/case-management/households/{world.foreign.id}/").status_code == 404
    assert page.get(f"/case-management/outreach/{foreign_outreach.id}/").status_code == 404
    liaison = world.users[Role.AGENCY_LIAISON]
    agency_api = api_client(liaison)
    for path in ("check-ins", "case-plans", "outreach"):
        assert agency_api.get(f"/api/v1/households/{world.own.id}/{path}").status_code == 404
    assert agency_api.get("/api/v1/case-management/rates").status_code == 404
    agency_page = _page(liaison)
    assert agency_page.get(f"/case-management/households/{world.own.id}/").status_code == 404
    assert world.own.display_code not in agency_page.get("/case-management/").content.decode()
    assert agency_page.get("/case-management/loads/").status_code == 404


def test_reads_are_audited_naming_the_fields_shown(world: World) -> None:
    plan = _plan(world, world.own, started_days_ago=2)
    before = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    listed = world.client(Role.CASEWORKER).get(f"/api/v1/households/{world.own.id}/check-ins").json()
    reads = AuditEvent.objects.filter(id__gt=before, action=Action.READ, object_type="check_in")
    assert {e.object_id for e in reads} == {str(c["id"]) for c in listed} == {str(c.id) for c in plan.check_ins.all()}
    assert all("due_on" in e.fields and "status" in e.fields for e in reads)
    before = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
    household_page = _page(world.users[Role.CASEWORKER]).get(f"/cases/{world.own.id}/").content.decode()
    assert "next check-in" in household_page
    assert AuditEvent.objects.filter(id__gt=before, action=Action.READ, object_type="case_plan").count() == 1


@pytest.mark.parametrize("language", ["en", "es"])
def test_pages_read_as_words_on_a_phone_without_scripts(world: World, language: str) -> None:
    from tests.test_staff_home import CODE_WORD, UUID, _main_text

    _plan(world, world.own, started_days_ago=9)
    services.mark_missed_check_ins(TODAY())
    hearing = _hearing(world.own, 3)
    services.record_hearing_outcome(Actor(world.users[Role.CASEWORKER], "system"), hearing=hearing, outcome="appeared")
    outreach = Outreach.objects.get()
    pages = [
        "/case-management/",
        f"/case-management/households/{world.own.id}/",
        f"/case-management/households/{world.own.id}/check-ins/new/",
        f"/case-management/outreach/{outreach.id}/",
        "/case-management/hearings/",
        "/case-management/loads/",
        "/case-management/report/",
        f"/cases/{world.own.id}/",
        "/home/",
    ]
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(world.users[Role.ORG_ADMIN])
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert "<script" not in html[html.index("<main") : html.index("</main>")], url
        ids = re.findall(r'\sid="([^"]+)"', html)
        assert len(ids) == len(set(ids)), url
        text = _main_text(html)
        assert not UUID.findall(text) and not CODE_WORD.findall(text), (url, CODE_WORD.findall(text))
