"""The entry plan in the app: capacity edits replan in the background, coordinators review and publish,
households are told in their language, liaisons get manifests of their ports only."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from refugio.accounts.models import Organisation, Role
from refugio.audit.models import AuditEvent
from refugio.audit.services import Actor
from refugio.messaging import catalogue
from refugio.messaging.models import Message
from refugio.people.models import Household
from refugio.people.services import PermissionDenied
from refugio.planning import services
from refugio.planning.models import Appointment, PlanRun, PlanStatus, PortOfEntry
from tests.conftest import World, make_user
from tests.test_pages import signed_in


@pytest.fixture
def ports(world: World) -> dict[str, PortOfEntry]:
    return {
        "ELP": PortOfEntry.objects.create(
            code="ELP",
            name="El Paso",
            city="El Paso",
            destination="El Paso",
            departure_cities=["Ciudad Juárez"],
            agency=world.agency,
            what_to_bring="Passport or ID, court papers, COVID test result",
        ),
        "SYS": PortOfEntry.objects.create(
            code="SYS", name="San Ysidro", city="San Diego", destination="San Diego", departure_cities=["Tijuana"]
        ),
    }


def _capacity(world: World, port: PortOfEntry, people: int, capture: Any) -> PlanRun:  # noqa: ANN401
    today = timezone.localdate()
    with capture(execute=True):
        run = services.set_port_capacity(
            Actor(world.users[Role.ORG_ADMIN], "web"),
            port=port,
            start=today + dt.timedelta(days=1),
            end=today + dt.timedelta(days=7),
            capacity=people,
            closed_weekdays=set(),
        )
    run.refresh_from_db()
    return run


def test_capacity_change_replans_and_publishing_tells_households(
    world: World, ports: dict[str, PortOfEntry], django_capture_on_commit_callbacks: Any
) -> None:
    _capacity(world, ports["SYS"], 10, django_capture_on_commit_callbacks)
    run = _capacity(world, ports["ELP"], 10, django_capture_on_commit_callbacks)
    assert run.status == PlanStatus.READY, run.error
    appointments = {a.household_id: a for a in run.appointments.select_related("port")}
    # own (Ciudad Juárez) goes to El Paso, shared (Tijuana) to San Ysidro; foreign (Reynosa) has no port.
    assert appointments[world.own.id].port.code == "ELP" and appointments[world.shared.id].port.code == "SYS"
    assert world.foreign.id not in appointments and run.summary["no_port"] == 1
    assert run.summary["weighted_wait"] >= run.summary["lower_bound"]

    queued = services.publish_plan(Actor(world.users[Role.ORG_ADMIN], "web"), run=run)
    assert queued == 2
    world.own.refresh_from_db()
    assert world.own.status == "scheduled"
    message = Message.objects.get(household=world.own)
    body = catalogue.render(message.template, message.language, message.params)
    assert message.language == "es" and "El Paso" in body and world.own.display_code in body
    assert message.to == world.own.contact_phone and message.source == f"plan:{run.id}"

    # A replan keeps the appointments already given; publishing it tells nobody again.
    again = _capacity(world, ports["ELP"], 10, django_capture_on_commit_callbacks)
    kept = again.appointments.get(household=world.own)
    assert kept.lane == "kept" and kept.date == appointments[world.own.id].date
    assert services.publish_plan(Actor(world.users[Role.ORG_ADMIN], "web"), run=again) == 0
    assert PlanRun.objects.get(pk=run.pk).status == PlanStatus.SUPERSEDED


def test_when_capacity_falls_below_an_appointment_it_moves_and_is_announced(
    world: World, ports: dict[str, PortOfEntry], django_capture_on_commit_callbacks: Any
) -> None:
    run = _capacity(world, ports["ELP"], 10, django_capture_on_commit_callbacks)
    services.publish_plan(Actor(world.users[Role.ORG_ADMIN], "web"), run=run)
    first = run.appointments.get(household=world.own)
    with django_capture_on_commit_callbacks(execute=True):
        replan = services.set_port_capacity(
            Actor(world.users[Role.ORG_ADMIN], "web"),
            port=ports["ELP"],
            start=first.date,
            end=first.date,
            capacity=0,
            closed_weekdays=set(),
        )
    replan.refresh_from_db()
    moved = replan.appointments.get(household=world.own)
    assert moved.moved and moved.date != first.date and replan.summary["moved"] == 1
    assert services.publish_plan(Actor(world.users[Role.ORG_ADMIN], "web"), run=replan) == 1
    latest = Message.objects.filter(household=world.own).latest("created_at")
    assert "cambió" in catalogue.render(latest.template, latest.language, latest.params)


def test_only_coordinators_plan(world: World, ports: dict[str, PortOfEntry]) -> None:
    with pytest.raises(PermissionDenied):
        services.start_plan(Actor(world.users[Role.CASEWORKER], "web"))
    for role in (Role.CASEWORKER, Role.AGENCY_LIAISON, Role.ANALYST):
        client = signed_in(world.users[role])
        assert client.get("/planning/").status_code == 404
        assert client.post("/planning/runs/", {"fifo_share": "0.25"}).status_code == 404
    admin = signed_in(world.users[Role.ORG_ADMIN])
    assert admin.get("/planning/").status_code == 200


def test_plan_pages_show_progress_and_publish(
    world: World, ports: dict[str, PortOfEntry], django_capture_on_commit_callbacks: Any
) -> None:
    client = signed_in(world.users[Role.ORG_ADMIN])
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/planning/capacity/port/",
            {
                "port": ports["ELP"].id,
                "start": today + dt.timedelta(days=1),
                "end": today + dt.timedelta(days=3),
                "capacity": 8,
            },
        )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Ready for review" in page and world.own.display_code in page and world.shared.display_code not in page
    run = PlanRun.objects.latest("id")
    confirmation = client.get(f"/planning/runs/{run.id}/publish/").content.decode()
    version = re.search(r'name="version" value="(\w+)"', confirmation)
    assert version is not None
    assert client.post(f"/planning/runs/{run.id}/publish/", {"version": version.group(1)}).status_code == 302
    household = client.get(f"/cases/{world.own.id}/").content.decode()
    assert "El Paso" in household and "Placed in the" in household
    bad = client.post(
        "/planning/capacity/port/",
        {"port": ports["ELP"].id, "start": today, "end": today - dt.timedelta(days=1), "capacity": 8},
    )
    assert bad.status_code == 400 and PlanRun.objects.count() == 1  # the form again, with its errors


def test_manifests_are_for_the_ports_agency_only_and_audited(
    world: World, ports: dict[str, PortOfEntry], django_capture_on_commit_callbacks: Any
) -> None:
    run = _capacity(world, ports["ELP"], 10, django_capture_on_commit_callbacks)
    services.publish_plan(Actor(world.users[Role.ORG_ADMIN], "web"), run=run)
    day = run.appointments.get(household=world.own).date.isoformat()
    liaison = signed_in(world.users[Role.AGENCY_LIAISON])
    listing = liaison.get("/planning/manifests/").content.decode()
    assert "El Paso" in listing
    page = liaison.get(f"/planning/manifests/ELP/{day}/")
    text = page.content.decode()
    assert page.status_code == 200 and "María José Hernández López" in text and "A123456789" in text
    assert "San Pedro Sula" not in text and "+52" not in text  # no narrative, no phone
    csv_text = liaison.get(f"/planning/manifests/ELP/{day}/?format=csv").content.decode()
    assert csv_text.startswith("registration_code,given_names") and "Hernández" in csv_text
    # Every member shown was recorded as read by the liaison (page and CSV), with the manifest's fields only.
    for person in world.own.members.all():
        liaison_user = world.users[Role.AGENCY_LIAISON]
        reads = AuditEvent.objects.filter(action="read", object_id=str(person.id), actor=liaison_user)
        assert reads.count() == 2
        assert all("narrative" not in e.fields and "a_number" in e.fields for e in reads)

    other_agency = Organisation.objects.create(name="Other Agency", kind="agency")
    other = make_user("other-liaison", other_agency, Role.AGENCY_LIAISON)
    assert signed_in(other).get(f"/planning/manifests/ELP/{day}/").status_code == 404
    assert signed_in(world.users[Role.CASEWORKER]).get(f"/planning/manifests/ELP/{day}/").status_code == 404
    assert liaison.get(f"/planning/manifests/SYS/{day}/").status_code == 404
    assert signed_in(world.users[Role.CASEWORKER]).get("/planning/manifests/").status_code == 404


def test_status_page_shows_port_date_and_what_to_bring(
    world: World, ports: dict[str, PortOfEntry], django_capture_on_commit_callbacks: Any
) -> None:
    run = _capacity(world, ports["ELP"], 10, django_capture_on_commit_callbacks)
    services.publish_plan(Actor(world.users[Role.ORG_ADMIN], "web"), run=run)
    response = Client().post("/status/?lang=en", {"code": world.own.display_code, "date_of_birth": "1990-03-12"})
    text = response.content.decode()
    assert "El Paso" in text and "COVID test result" in text


def test_a_household_not_yet_ready_is_not_scheduled_before_its_date(
    world: World, ports: dict[str, PortOfEntry], django_capture_on_commit_callbacks: Any
) -> None:
    ready = timezone.localdate() + dt.timedelta(days=5)
    Household.objects.filter(pk=world.own.pk).update(ready_on=ready)
    run = _capacity(world, ports["ELP"], 10, django_capture_on_commit_callbacks)
    assert Appointment.objects.get(plan=run, household=world.own).date >= ready
