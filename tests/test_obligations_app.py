"""The obligations calendar through the API and the pages, as staff use it: obligations follow the facts when
they change (after the commit), never on a read; the list is sorted by due date; another organisation's
household is 404; reads are audited; the .ics parses and carries no name."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connection
from django.db.models import Max
from django.test import Client
from django.utils import timezone
from icalendar import Calendar

from refugio.accounts.models import Role
from refugio.audit.models import AuditEvent
from refugio.legal.models import Hearing
from refugio.obligations.models import Obligation
from refugio.obligations.services import refresh_due_statuses, refresh_obligations
from refugio.people.models import Household, Person
from refugio.people.registration_code import display

from .conftest import World
from .test_pages import signed_in

TODAY = timezone.localdate()
Commit = Callable[..., Any]


@pytest.fixture
def commit(world: World, django_capture_on_commit_callbacks: Any) -> Commit:  # noqa: ANN401
    """Run what would run after the commit (the obligations refresh), as in production. The world was made
    inside the test's transaction, whose commit never comes: its pending callbacks are run now."""
    pending = [entry[1] for entry in connection.run_on_commit]
    connection.run_on_commit.clear()
    for callback in pending:
        callback()

    @contextlib.contextmanager
    def committed() -> Iterator[None]:
        with django_capture_on_commit_callbacks(execute=True):
            yield
        connection.run_on_commit.clear()  # run, as after a real commit

    return committed


def _head(household: Household) -> Person:
    return household.members.get(relationship_to_head="head")


def _list(client: Client, household: Household) -> list[dict[str, Any]]:
    response = client.get(f"/api/v1/households/{household.id}/obligations")
    assert response.status_code == 200, response.content
    return response.json()


def _hearings(items: list[dict[str, Any]]) -> list[str]:
    return [i["due"] for i in items if i["kind"] == "hearing"]


def _add_hearing(world: World, commit: Commit, date: dt.date, **extra: Any) -> str:  # noqa: ANN401
    body = {"court": "ELP", "date": date.isoformat(), "kind": "master", "mode": "in_person", **extra}
    with commit():
        response = world.client(Role.CASEWORKER).post(
            f"/api/v1/households/{world.own.id}/hearings", body, content_type="application/json"
        )
    assert response.status_code == 201, response.content
    return response.json()["id"]


def test_a_hearing_change_updates_the_obligation_on_save_not_on_read(world: World, commit: Commit) -> None:
    client = world.client(Role.CASEWORKER)
    first = TODAY + dt.timedelta(days=40)
    hearing_id = _add_hearing(world, commit, first)
    assert first.isoformat() in _hearings(_list(client, world.own))

    # Changed behind the application's back (no signal): the stored list keeps the old date, since a read
    # never computes.
    moved = TODAY + dt.timedelta(days=50)
    Hearing.objects.filter(id=hearing_id).update(date=moved)
    stored = list(Obligation.objects.values_list("id", "due", "status"))
    assert first.isoformat() in _hearings(_list(client, world.own))
    assert moved.isoformat() not in _hearings(_list(client, world.own))
    assert list(Obligation.objects.values_list("id", "due", "status")) == stored  # the GETs wrote nothing
    refresh_obligations(world.own.id)
    assert moved.isoformat() in _hearings(_list(client, world.own))

    # Saved through the ORM: the receiver refreshes after the commit.
    hearing = Hearing.objects.get(id=hearing_id)
    hearing.date = TODAY + dt.timedelta(days=60)
    with commit():
        hearing.save()
    dates = _hearings(_list(client, world.own))
    assert hearing.date.isoformat() in dates and moved.isoformat() not in dates
    with commit():
        hearing.delete()
    assert hearing.date.isoformat() not in _hearings(_list(client, world.own))


def test_a_hearing_in_another_city_brings_the_travel_steps(world: World, commit: Commit) -> None:
    # The household lives in Ciudad Juárez; the El Paso court is across the border.
    date = TODAY + dt.timedelta(days=30)
    _add_hearing(world, commit, date, language="mam", interpreter_id=None)
    items = _list(world.client(Role.CASEWORKER), world.own)

    def dues(kind: str) -> list[str]:
        return [i["due"] for i in items if i["kind"] == kind]

    assert (date - dt.timedelta(days=7)).isoformat() in dues("transport_booking")
    assert (date - dt.timedelta(days=3)).isoformat() in dues("bed_near_court")
    # Only the recorded hearing needs an interpreter (the date given at registration names no language).
    assert dues("interpreter_confirmation") == [(date - dt.timedelta(days=10)).isoformat()]


def test_api_records_appointments_and_filings_and_lists_sorted_by_due(world: World, commit: Commit) -> None:
    client = world.client(Role.CASEWORKER)
    head = _head(world.own)
    head.arrival_date = TODAY - dt.timedelta(days=100)
    with commit():
        head.save()
    with commit():
        made = client.post(
            f"/api/v1/households/{world.own.id}/agency-appointments",
            {"person_id": str(head.id), "kind": "biometrics", "date": (TODAY + dt.timedelta(days=3)).isoformat()},
            content_type="application/json",
        )
    assert made.status_code == 201, made.content
    assert made.json()["kind"] == "biometrics"
    items = _list(client, world.own)
    dues = [i["due"] for i in items]
    assert dues == sorted(d for d in dues if d) + [None] * dues.count(None)
    one_year = next(i for i in items if i["kind"] == "asylum_one_year")
    assert one_year["status"] == "upcoming"
    assert one_year["source"] == "INA §208(a)(2)(B)"
    assert items[0]["kind"] == "biometrics" and items[0]["status"] == "due_soon"
    assert items[0]["label"] and items[0]["explanation"] and items[0]["status_label"] == "Due soon"

    with commit():
        filed = client.post(
            f"/api/v1/households/{world.own.id}/asylum-filings",
            {"person_id": str(head.id), "filed_on": TODAY.isoformat(), "receipt_number": "ZLA2612345678"},
            content_type="application/json",
        )
    assert filed.status_code == 201, filed.content
    items = _list(client, world.own)
    assert next(i for i in items if i["kind"] == "asylum_one_year")["status"] == "met"
    permit = next(i for i in items if i["kind"] == "work_permit")
    assert permit["due"] == (TODAY + dt.timedelta(days=150)).isoformat()


def test_bad_input_is_422_with_a_message_per_field(world: World) -> None:
    response = world.client(Role.CASEWORKER).post(
        f"/api/v1/households/{world.own.id}/asylum-filings",
        {"person_id": str(_head(world.foreign).id), "filed_on": "2026-13-01"},
        content_type="application/json",
    )
    assert response.status_code in (400, 422)
    assert set(response.json()["fields"]) == {"person_id", "filed_on"}


def test_the_openapi_spec_has_kinds_and_statuses_as_enums(world: World) -> None:
    spec = Client().get("/api/v1/openapi.json").json()
    schema = spec["components"]["schemas"]["ObligationOut"]["properties"]
    assert "motion_to_reopen" in schema["kind"]["enum"]
    assert set(schema["status"]["enum"]) == {"upcoming", "due_soon", "overdue", "met", "no_deadline"}


def test_a_removal_order_brings_the_motion_to_reopen_deadline(world: World, commit: Commit) -> None:
    from refugio.remedies.models import RemovalOrder

    head = _head(world.own)
    order_date = TODAY - dt.timedelta(days=20)
    with commit():
        order = RemovalOrder.objects.create(
            household=world.own,
            person=head,
            order_date=order_date,
            court="ELP",
            in_absentia=True,
            reason="exceptional_circumstances",
        )
    client = world.client(Role.ATTORNEY)
    [motion] = [i for i in _list(client, world.own) if i["kind"] == "motion_to_reopen"]
    assert motion["due"] == (order_date + dt.timedelta(days=180)).isoformat()
    assert motion["source"] == "INA §240(b)(5)(C)(i)"
    order.reason = "lack_of_notice"
    with commit():
        order.save()
    items = _list(client, world.own)
    [motion] = [i for i in items if i["kind"] == "motion_to_reopen"]
    assert (motion["due"], motion["status"]) == (None, "no_deadline")
    assert motion["source"] == "INA §240(b)(5)(C)(ii)"
    assert items[-1] == motion  # no deadline: last


def test_a_move_brings_the_change_of_address_deadlines(world: World, commit: Commit) -> None:
    from refugio.transport.models import Relocation

    moved_on = TODAY - dt.timedelta(days=1)
    with commit():
        Relocation.objects.create(
            household=world.own, address="1 Main St", city="Denver", state="CO", moved_on=moved_on
        )
    items = _list(world.client(Role.CASEWORKER), world.own)
    ar11 = [i for i in items if i["kind"] == "change_of_address_uscis"]
    assert len(ar11) == 2  # both members
    assert {i["due"] for i in ar11} == {(moved_on + dt.timedelta(days=10)).isoformat()}
    eoir = [i for i in items if i["kind"] == "change_of_address_court"]
    assert [i["person_id"] for i in eoir] == [str(_head(world.own).id)]  # the one with a court case
    assert eoir[0]["source"] == "8 CFR 1003.15(d)(2)"


def test_another_organisations_household_is_404_and_shelter_staff_cannot_record(world: World) -> None:
    for role in (Role.CASEWORKER, Role.AGENCY_LIAISON, Role.ANALYST):
        client = world.client(role)
        assert client.get(f"/api/v1/households/{world.foreign.id}/obligations").status_code == 404
    body = {"person_id": str(_head(world.foreign).id), "kind": "ice_check_in", "date": TODAY.isoformat()}
    answer = world.client(Role.CASEWORKER).post(
        f"/api/v1/households/{world.foreign.id}/agency-appointments", body, content_type="application/json"
    )
    assert answer.status_code == 404
    assert world.client(Role.AGENCY_LIAISON).get(f"/api/v1/households/{world.own.id}/obligations").status_code == 404
    body["person_id"] = str(_head(world.own).id)
    answer = world.client(Role.SHELTER_STAFF).post(
        f"/api/v1/households/{world.own.id}/agency-appointments", body, content_type="application/json"
    )
    assert answer.status_code == 403
    page = signed_in(world.users[Role.CASEWORKER])
    for url in ("/", "/obligations.ics", "/appointments/new/", "/filings/new/"):
        assert page.get(f"/obligations/households/{world.foreign.id}{url}").status_code == 404


def test_reads_are_audited_with_the_fields_shown(world: World, commit: Commit) -> None:
    _add_hearing(world, commit, TODAY + dt.timedelta(days=30))
    mark = AuditEvent.objects.aggregate(m=Max("id"))["m"] or 0
    items = _list(world.client(Role.CASEWORKER), world.own)
    reads = AuditEvent.objects.filter(id__gt=mark, action="read", object_type="obligation")
    assert {e.object_id for e in reads} == {
        str(i["id"]) for i in Obligation.objects.filter(household=world.own).values("id")
    }
    assert len(items) == reads.count()
    assert all(sorted(e.fields) == ["due", "explanation", "status"] for e in reads)


def test_ics_parses_all_day_with_an_alarm_and_no_name(world: World, commit: Commit) -> None:
    _add_hearing(world, commit, TODAY + dt.timedelta(days=30))
    client = signed_in(world.users[Role.CASEWORKER])
    response = client.get(f"/obligations/households/{world.own.id}/obligations.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert "attachment" in response["Content-Disposition"]
    calendar = Calendar.from_ical(response.content)
    events = calendar.walk("VEVENT")
    assert len(events) == Obligation.objects.filter(household=world.own, due__isnull=False).count() >= 4
    code = display(world.own.registration_code)
    for event in events:
        start = event.decoded("dtstart")
        assert isinstance(start, dt.date) and not isinstance(start, dt.datetime)  # all day
        assert code in str(event["summary"])
        assert event.walk("VALARM")
    text = response.content.decode()
    for name in ("María", "Hernández", "Ana", "Juárez"):
        assert name not in text
    assert Client().get(f"/obligations/households/{world.own.id}/obligations.ics").status_code == 302  # sign in


def test_household_page_panel_and_obligations_page(world: World, commit: Commit) -> None:
    _add_hearing(world, commit, TODAY + dt.timedelta(days=10))
    client = signed_in(world.users[Role.CASEWORKER])
    household_page = client.get(f"/cases/{world.own.id}/").content.decode()
    assert f"/obligations/households/{world.own.id}/obligations.ics" in household_page
    assert "Immigration court hearing" in household_page
    page = client.get(f"/obligations/households/{world.own.id}/").content.decode()
    assert "INA §240(b)(5)(A)" in page and "Book transport to the hearing" in page
    calendar = client.get("/obligations/").content.decode()
    assert display(world.own.registration_code) in calendar
    assert display(world.foreign.registration_code) not in calendar


def test_recording_an_appointment_through_the_form(world: World, commit: Commit) -> None:
    client = signed_in(world.users[Role.CASEWORKER])
    url = f"/obligations/households/{world.own.id}/appointments/new/"
    assert client.get(url).status_code == 200
    bad = client.post(url, {"person_id": str(_head(world.own).id), "kind": "ice_check_in", "date": ""})
    assert bad.status_code == 200 and "date" in bad.content.decode()
    date = TODAY + dt.timedelta(days=5)
    with commit():
        done = client.post(
            url, {"person_id": str(_head(world.own).id), "kind": "ice_check_in", "date": date.isoformat(), "place": "x"}
        )
    assert done.status_code == 302
    assert Obligation.objects.filter(household=world.own, kind="ice_check_in", due=date, status="due_soon").exists()


def test_the_daily_refresh_moves_statuses_with_time(world: World, commit: Commit) -> None:
    due = TODAY + dt.timedelta(days=20)
    hearing_id = _add_hearing(world, commit, due)
    row = Obligation.objects.get(key=f"hearing:{hearing_id}")
    assert row.status == "upcoming"
    assert refresh_due_statuses(TODAY) == 0  # nothing moved yet
    assert refresh_due_statuses(TODAY + dt.timedelta(days=7)) == 1
    row.refresh_from_db()
    assert row.status == "due_soon"
    refresh_due_statuses(due + dt.timedelta(days=1))  # the hearing is over: no longer an obligation
    assert not Obligation.objects.filter(key=f"hearing:{hearing_id}").exists()


def test_filings_follow_the_people_when_households_merge_and_come_back_on_undo(world: World, commit: Commit) -> None:
    from refugio.audit.services import Actor
    from refugio.people.models import DuplicateFlag
    from refugio.people.services import (
        create_household,
        flag_unchecked_duplicates,
        merge_households,
        unmerge_households,
    )

    from .conftest import HEAD, HOUSEHOLD

    actor = Actor(world.users[Role.CASEWORKER], "web")
    with commit():
        newer = create_household(actor, organisation_id=world.home.id, data=dict(HOUSEHOLD), members=[dict(HEAD)])
    flag_unchecked_duplicates()
    flag = DuplicateFlag.objects.get(person__household=newer, candidate__household=world.own)
    with commit():
        from refugio.obligations.services import record_asylum_filing

        filing = record_asylum_filing(
            actor, household=newer, data={"person_id": flag.person_id, "filed_on": TODAY - dt.timedelta(days=10)}
        )
    assert Obligation.objects.filter(household=newer, kind="work_permit").exists()
    with commit():
        merge = merge_households(actor, flag=flag)
    filing.refresh_from_db()
    assert (filing.household_id, filing.person_id) == (world.own.id, flag.candidate_id)
    assert not Obligation.objects.filter(household=newer).exists()
    assert Obligation.objects.filter(household=world.own, kind="work_permit", person_id=flag.candidate_id).exists()
    with commit():
        unmerge_households(Actor(world.users[Role.ORG_ADMIN], "web"), merge=merge)
    filing.refresh_from_db()
    assert (filing.household_id, filing.person_id) == (newer.id, flag.person_id)
    assert Obligation.objects.filter(household=newer, kind="work_permit").exists()
    assert not Obligation.objects.filter(household=world.own, kind="work_permit").exists()


def test_the_demo_records_facts_once_and_computes_obligations(world: World, commit: Commit) -> None:
    from refugio.obligations.demo import load_obligations_demo
    from refugio.obligations.models import AgencyAppointment, AsylumFiling

    orgs, users = {"Demo Legal Aid": world.home}, {"legal-caseworker": world.users[Role.CASEWORKER]}
    load_obligations_demo(orgs, users)
    counts = (AgencyAppointment.objects.count(), AsylumFiling.objects.count(), Obligation.objects.count())
    assert counts[0] >= 1 and counts[1] >= 1
    assert Obligation.objects.filter(household=world.own, kind="work_permit").exists()
    load_obligations_demo(orgs, users)
    assert (AgencyAppointment.objects.count(), AsylumFiling.objects.count(), Obligation.objects.count()) == counts


def test_obligation_pages_and_endpoint_write_nothing_but_the_audit(world: World, commit: Commit) -> None:
    import re

    from django.test.utils import CaptureQueriesContext

    _add_hearing(world, commit, TODAY + dt.timedelta(days=12))
    write = re.compile(r'^\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)
    page, api = signed_in(world.users[Role.CASEWORKER]), world.client(Role.CASEWORKER)
    urls = [
        (page, f"/obligations/households/{world.own.id}/"),
        (page, f"/obligations/households/{world.own.id}/obligations.ics"),
        (page, "/obligations/"),
        (page, "/obligations/calendar.ics"),
        (page, f"/cases/{world.own.id}/"),
        (api, f"/api/v1/households/{world.own.id}/obligations"),
    ]
    for client, url in urls:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200, url
        tables = {m.group(2) for q in queries.captured_queries if (m := write.match(q["sql"]))}
        # The audit of reads, the session and the token's last use: never an obligation.
        allowed = {"audit_auditevent", "audit_chainhead", "django_session", "accounts_apitoken"}
        assert tables <= allowed, (url, tables)
