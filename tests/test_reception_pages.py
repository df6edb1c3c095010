"""Reception pages: the arrivals board from the published entry plan, placing from the board and from a
household (409 beside the form), capacity editing, and a shelter's address never shown to an agency."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from refugio.accounts.models import Role
from refugio.audit.models import AuditEvent
from refugio.audit.services import Actor
from refugio.people.models import Household
from refugio.planning.models import Appointment, PlanRun, PlanStatus, PortOfEntry
from refugio.reception import services
from refugio.reception.models import BedCount, Placement, PlacementStatus

from .conftest import new_household
from .test_pages import signed_in
from .test_reception_api import ADDRESS, Reception, rec  # noqa: F401  (the fixture)

TODAY = timezone.localdate()


def publish(households: list[Household], day: dt.date, stale: Household) -> PortOfEntry:
    port = PortOfEntry.objects.create(code="SYS", name="San Ysidro", city="San Diego", destination="Tijuana")
    plan = PlanRun.objects.create(status=PlanStatus.PUBLISHED, published_at=timezone.now())
    for household in households:
        Appointment.objects.create(
            plan=plan, household=household, port=port, date=day, lane="fifo", people=2, tier=1, priority=1.0
        )
    # An older superseded plan's appointments are not the board's.
    old = PlanRun.objects.create(status=PlanStatus.SUPERSEDED, published_at=timezone.now() - dt.timedelta(days=9))
    Appointment.objects.create(
        plan=old, household=stale, port=port, date=day, lane="fifo", people=2, tier=1, priority=1.0
    )
    Appointment.objects.create(
        plan=old,
        household=households[0],
        port=port,
        date=day + dt.timedelta(days=5),
        lane="fifo",
        people=2,
        tier=1,
        priority=1.0,
    )
    return port


@pytest.fixture
def board(rec: Reception) -> Reception:  # noqa: F811  (the fixture imported above)
    w = rec.world
    day = TODAY + dt.timedelta(days=2)
    board_stale = new_household(w.users[Role.CASEWORKER], w.home)
    publish([w.own, w.shared], day, board_stale)
    rec.stale = board_stale  # type: ignore[attr-defined]
    services.place(
        Actor(w.users[Role.CASEWORKER], "system"),
        household=w.shared,
        shelter_id=rec.shelter.id,
        bed_type="family",
        starts_on=day,
        ends_on=day + dt.timedelta(days=4),
    )
    return rec


def test_the_board_lists_the_days_arrivals_with_port_needs_and_languages(board: Reception) -> None:
    w = board.world
    day = TODAY + dt.timedelta(days=2)
    client = signed_in(w.users[Role.SHELTER_STAFF])
    page = client.get(f"/reception/shelters/{board.shelter.id}/arrivals/", {"date": day.isoformat()})
    assert page.status_code == 200
    text = page.content.decode()
    placed = text.split("Arriving, with a bed here")[1].split("Arrivals without a bed")[0]
    unplaced = text.split("Arrivals without a bed")[1].split("In the house")[0]
    shared_code = w.shared.display_code
    own_code = w.own.display_code
    assert shared_code in placed and "San Ysidro" in placed and "Family room" in placed
    assert "Single caregiver with young children" in placed and "single_caregiver" not in text  # words, not codes
    assert "Español" in placed  # each language in its own words
    assert own_code in unplaced and "Place here" in unplaced and shared_code not in unplaced
    assert board.stale.display_code not in text  # only in a superseded plan
    assert "Arrived" in placed and "Cancel" in placed
    # Another day: neither is on the board.
    other = client.get(
        f"/reception/shelters/{board.shelter.id}/arrivals/", {"date": TODAY.isoformat()}
    ).content.decode()
    assert own_code not in other and shared_code not in other
    # The board is for shelter work: never the address.
    assert ADDRESS not in text


def test_the_board_read_is_audited_with_the_fields_shown(board: Reception) -> None:
    w = board.world
    day = TODAY + dt.timedelta(days=2)
    signed_in(w.users[Role.SHELTER_STAFF]).get(
        f"/reception/shelters/{board.shelter.id}/arrivals/", {"date": day.isoformat()}
    )
    stay = Placement.objects.get(household=w.shared)
    event = AuditEvent.objects.filter(action="read", object_type="shelter_stay", object_id=str(stay.id)).latest("id")
    assert {"registration_code", "vulnerabilities", "languages", "appointment", "head_name"} <= set(event.fields)
    assert AuditEvent.objects.filter(action="read", object_type="reception_arrival", organisation_id=w.home.id).exists()


def test_place_here_and_then_arrived_and_left_from_the_board(board: Reception) -> None:
    w = board.world
    day = TODAY + dt.timedelta(days=2)
    client = signed_in(w.users[Role.SHELTER_STAFF])
    url = f"/reception/shelters/{board.shelter.id}/place/"
    data = {
        "household_id": str(w.own.id),
        "bed_type": "general",
        "starts_on": day.isoformat(),
        "ends_on": (day + dt.timedelta(days=3)).isoformat(),
        "date": day.isoformat(),
    }
    assert client.post(url, data).status_code == 302
    stay = Placement.objects.get(household=w.own)
    assert stay.bed_type == "general" and stay.beds == 2 and stay.shelter_id == board.shelter.id
    action = f"/reception/placements/{stay.id}/arrived/"
    assert client.post(action, {"date": day.isoformat()}).status_code == 302
    assert client.post(f"/reception/placements/{stay.id}/left/", {"date": day.isoformat()}).status_code == 302
    stay.refresh_from_db()
    assert stay.status == PlacementStatus.LEFT


def test_place_here_when_no_bed_is_free_answers_409_beside_the_form(board: Reception) -> None:
    w = board.world
    day = TODAY + dt.timedelta(days=2)
    client = signed_in(w.users[Role.SHELTER_STAFF])
    data = {
        "household_id": str(w.own.id),
        "bed_type": "family",  # both family beds are the shared household's those nights
        "starts_on": day.isoformat(),
        "ends_on": (day + dt.timedelta(days=3)).isoformat(),
        "date": day.isoformat(),
    }
    page = client.post(f"/reception/shelters/{board.shelter.id}/place/", data)
    assert page.status_code == 409
    card = page.content.decode().split('data-arrival="')[1]
    assert "No family room bed is free" in card.split("</section>")[0]
    assert not Placement.objects.filter(household=w.own).exists()


def test_the_household_placement_form_answers_409_with_the_error_beside_the_form(board: Reception) -> None:
    w = board.world
    BedCount.objects.filter(shelter=board.shelter, bed_type="general").update(beds=1)
    client = signed_in(w.users[Role.CASEWORKER])
    url = f"/reception/households/{w.own.id}/place/"
    assert client.get(url).status_code == 200
    data = {
        "shelter_id": board.shelter.id,
        "bed_type": "general",
        "starts_on": TODAY.isoformat(),
        "ends_on": (TODAY + dt.timedelta(days=2)).isoformat(),
    }
    page = client.post(url, data)  # two members, one general bed
    assert page.status_code == 409
    text = page.content.decode()
    assert "error-summary" in text and "No general bed is free" in text
    assert not Placement.objects.filter(household=w.own).exists()
    data["bed_type"] = "women_only"
    data["beds"] = "1"
    assert client.post(url, data).status_code == 302
    household_page = client.get(f"/cases/{w.own.id}/").content.decode()
    assert "Casa Norte" in household_page and "Women only" in household_page


def test_capacity_is_edited_by_the_owning_organisation_only(board: Reception) -> None:
    w = board.world
    url = f"/reception/shelters/{board.shelter.id}/"
    staff = signed_in(w.users[Role.SHELTER_STAFF])
    form = {
        "name": "Casa Norte",
        "city": "Tijuana",
        "address": ADDRESS,
        "phone": "",
        "licensed_for_minors": "on",
        "beds_family": "6",
        "beds_women_only": "1",
        "beds_accessible": "1",
        "beds_minor_safe": "1",
        "beds_general": "3",
    }
    assert staff.post(url, form).status_code == 302
    assert BedCount.objects.get(shelter=board.shelter, bed_type="family").beds == 6
    partner = signed_in(w.users["partner_caseworker"])
    page = partner.get(url)
    assert (
        page.status_code == 200
        and ADDRESS in page.content.decode()
        and 'name="beds_family"' not in page.content.decode()
    )
    form["beds_family"] = "0"
    assert partner.post(url, form).status_code == 404
    assert BedCount.objects.get(shelter=board.shelter, bed_type="family").beds == 6
    form.pop("licensed_for_minors")
    refused = staff.post(url, form)
    assert refused.status_code == 422 and "licensed for unaccompanied minors" in refused.content.decode()


def test_an_agency_sees_no_shelter_page_and_never_the_address(board: Reception) -> None:
    for user in (board.world.users[Role.AGENCY_LIAISON], board.agency_admin):
        client = signed_in(user)
        for url in (
            "/reception/",
            f"/reception/shelters/{board.shelter.id}/",
            f"/reception/shelters/{board.shelter.id}/arrivals/",
            f"/reception/households/{board.world.own.id}/place/",
        ):
            response = client.get(url)
            assert response.status_code in (200, 404), url
            assert b"Reservada" not in response.content and b"Casa Norte" not in response.content, url
        assert client.get(f"/reception/shelters/{board.shelter.id}/").status_code == 404


def test_foreign_shelter_pages_are_404(board: Reception) -> None:
    client = signed_in(board.world.users["stranger_caseworker"])
    assert client.get(f"/reception/shelters/{board.shelter.id}/").status_code == 404
    assert client.get(f"/reception/shelters/{board.shelter.id}/arrivals/").status_code == 404
    stay = Placement.objects.get(household=board.world.shared)
    assert client.post(f"/reception/placements/{stay.id}/cancel/").status_code == 404
    own = signed_in(board.world.users[Role.CASEWORKER])
    assert own.get(f"/reception/shelters/{board.foreign.id}/").status_code == 404


def test_shelter_staff_home_links_to_the_arrivals_boards_of_their_shelters(rec: Reception) -> None:  # noqa: F811
    page = signed_in(rec.world.users[Role.SHELTER_STAFF]).get("/home/")
    assert page.status_code == 200
    text = page.content.decode()
    assert f"/reception/shelters/{rec.shelter.id}/arrivals/" in text
    assert f"/reception/shelters/{rec.foreign.id}/arrivals/" not in text
