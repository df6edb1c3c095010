"""The plan run's review: a chart of places against people planned by tier, who is left waiting and why, and a
publication that first says exactly how many households are told what (and only a POST of that confirmation,
with its version, publishes)."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

import pytest
from django.utils import timezone

from refugio.accounts.models import Role
from refugio.audit.services import Actor
from refugio.people.models import Household
from refugio.planning import chart, selectors, services
from refugio.planning.models import Appointment, PlanRun, PlanStatus, PortDay, PortOfEntry, ScreeningDay
from tests.conftest import World, new_household
from tests.test_pages import signed_in

SVG = "{http://www.w3.org/2000/svg}"


# The pure chart ------------------------------------------------------------------------------------------


def _svg(markup: str) -> ET.Element:
    return ET.fromstring(markup)  # noqa: S314 - our own markup


def test_bars_have_the_height_of_their_people_and_never_pass_the_axis() -> None:
    bars = [
        chart.Bar("Mon 7", capacity=40, parts=(10, 20), description="day one"),
        chart.Bar("Tue 8", capacity=0, parts=(0, 0), note="closed"),
        chart.Bar("Wed 9", capacity=30, parts=(45, 0)),  # more planned than places (capacity fell since)
    ]
    root = _svg(
        chart.week_chart(
            chart_id="c",
            title="Port <A> & B",
            series=["one", "two"],
            bars=bars,
            capacity_label="Places",
            empty_text="-",
        )
    )
    top = int(root.get("data-top"))
    assert top == 50  # the nice number above the largest total (45)
    base = chart.TOP + chart.PLOT
    parts = root.findall(f".//{SVG}rect[@class='part']")
    heights = [(int(r.get("data-people")), float(r.get("height"))) for r in parts]
    assert heights == [(10, 22.0), (20, 44.0), (45, 99.0)]
    for rect in root.iter(f"{SVG}rect"):
        if rect.get("class") in ("part", "capacity"):
            assert float(rect.get("y")) >= chart.TOP - 0.001
            assert float(rect.get("y")) + float(rect.get("height")) <= base + 0.001
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "Mon 7" in texts and "closed" in texts and "30/40" in texts and "45/30" in texts
    assert root.find(f"{SVG}title").text == "Port <A> & B"  # escaped in the markup, read back as written
    assert root.get("role") == "img" and root.get("aria-labelledby") == "c-t c-d"
    assert "day one" in root.find(f"{SVG}desc").text


def test_an_empty_plan_draws_an_empty_chart_that_says_so() -> None:
    markup = chart.week_chart(
        chart_id="e", title="Nothing", series=[], bars=[], capacity_label="Places", empty_text="Nothing planned."
    )
    root = _svg(markup)
    assert root.findall(f".//{SVG}rect[@class='part']") == []
    assert "Nothing planned." in [t.text for t in root.iter(f"{SVG}text")]
    assert root.find(f"{SVG}desc").text == "Nothing planned."


def test_labels_are_escaped() -> None:
    markup = chart.week_chart(
        chart_id='x"y',
        title="<script>",
        series=["a"],
        bars=[chart.Bar("<b>", 1, (1,), description="</desc><script>")],
        capacity_label="&",
        empty_text="",
    )
    assert "<script>" not in markup and "<b>" not in markup and _svg(markup) is not None


# A known small plan -------------------------------------------------------------------------------------


@dataclass
class Plans:
    ports: dict[str, PortOfEntry]
    days: list[dt.date]
    households: dict[str, Household]
    published: PlanRun
    run: PlanRun


def _appointment(
    run: PlanRun, household: Household, port: PortOfEntry, day: dt.date, tier: int, **extra: object
) -> None:
    Appointment.objects.create(
        plan=run,
        household=household,
        port=port,
        date=day,
        lane=extra.pop("lane", "priority"),
        people=household.members.count(),
        tier=tier,
        priority=1.0,
        **extra,
    )


@pytest.fixture
def plans(world: World) -> Plans:
    """Ports El Paso (Ciudad Juárez) and San Ysidro (Tijuana), three days. A published plan, and a new run
    ready for review that keeps one appointment, moves one, changes one, gives two new ones and drops one."""
    today = timezone.localdate()
    days = [today + dt.timedelta(days=i) for i in (1, 2, 3)]
    ports = {
        "ELP": PortOfEntry.objects.create(
            code="ELP", name="El Paso", city="El Paso", destination="El Paso", departure_cities=["Ciudad Juárez"]
        ),
        "SYS": PortOfEntry.objects.create(
            code="SYS", name="San Ysidro", city="San Diego", destination="San Diego", departure_cities=["Tijuana"]
        ),
    }
    for day, people in zip(days, (4, 2, 0), strict=True):
        PortDay.objects.create(port=ports["ELP"], date=day, capacity=people, closed=people == 0)
    for day in days:
        PortDay.objects.create(port=ports["SYS"], date=day, capacity=3)
    user = world.users[Role.CASEWORKER]
    h = {"own": world.own, "shared": world.shared, "foreign": world.foreign}
    for name in ("moved", "changed", "new_elp", "full", "later", "dropped"):
        h[name] = new_household(user, world.home)
    for name in ("tj1", "tj2", "tj3"):
        h[name] = new_household(user, world.home, current_city="Tijuana", preferred_language="en")
    Household.objects.filter(pk=h["later"].pk).update(ready_on=days[-1] + dt.timedelta(days=5))
    published = PlanRun.objects.create(status=PlanStatus.PUBLISHED, published_at=timezone.now())
    _appointment(published, h["own"], ports["ELP"], days[0], 1)
    _appointment(published, h["moved"], ports["ELP"], days[2], 4)
    _appointment(published, h["changed"], ports["ELP"], days[1], 4)
    _appointment(published, h["dropped"], ports["ELP"], days[1], 4)
    Household.objects.filter(pk__in=[h[n].pk for n in ("own", "moved", "changed", "dropped")]).update(
        status="scheduled"
    )
    run = PlanRun.objects.create(
        status=PlanStatus.READY,
        finished_at=timezone.now(),
        summary={"first_day": days[0].isoformat(), "last_day": days[-1].isoformat(), "placed": 7},
    )
    _appointment(run, h["own"], ports["ELP"], days[0], 1, lane="kept")  # unchanged
    _appointment(run, h["moved"], ports["ELP"], days[0], 4, moved=True)  # moved: capacity fell
    _appointment(run, h["changed"], ports["ELP"], days[0], 2)  # another day, not because capacity fell
    _appointment(run, h["new_elp"], ports["ELP"], days[1], 2)  # first appointment
    for name, day in zip(("tj1", "tj2", "tj3"), days, strict=True):
        _appointment(run, h[name], ports["SYS"], day, 2)  # first appointments; 1 place left each day
    return Plans(ports, days, h, published, run)


def _visible_text(html: str) -> str:
    html = re.sub(r"<(script|style|svg)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def test_the_chart_shows_each_ports_days_with_bars_as_tall_as_their_people(world: World, plans: Plans) -> None:
    client = signed_in(world.users[Role.ORG_ADMIN])
    page = client.get(f"/planning/runs/{plans.run.id}/").content.decode()
    elp = plans.ports["ELP"]
    week = re.search(rf'<svg[^>]*aria-labelledby="chart-{elp.id}-0-t[^"]*".*?</svg>', page, flags=re.S)
    assert week, "El Paso's first week is drawn"
    root = _svg(week.group(0))
    # El Paso, day 1: 4 places; own (tier 1, 2 people), moved (tier 4, 2), changed (tier 2, 2) = 6 > 4 places
    # (places shown as they are now). The axis goes to 10 (nice number above 6); the plot is 110 high.
    assert root.get("data-top") == "10"
    day_one = root.findall(f"{SVG}g")[0]
    parts = [(r.get("data-series"), r.get("data-people"), float(r.get("height"))) for r in day_one.iter(f"{SVG}rect")]
    # Series are the run's tiers in order: 1, 2, 4.
    assert parts == [("0", "2", 22.0), ("1", "2", 22.0), ("2", "2", 22.0), (None, "4", 44.0)]
    assert "6/4" in [t.text for t in day_one.iter(f"{SVG}text")]
    # Words for the tiers, in the legend and in the table; readable without the picture.
    assert "Most urgent (tier 1)" in page and "Standard (tier 4)" in page and "Very urgent (tier 2)" in page
    assert root.find(f"{SVG}title").text.startswith("El Paso, week from")
    assert "closed" in page  # day 3 at El Paso


def test_who_is_left_waiting_is_counted_by_reason(world: World, plans: Plans) -> None:
    after = new_household(world.users[Role.CASEWORKER], world.home)  # registered after the run was computed
    assert after.created_at > plans.run.created_at
    waiting = {w.reason: (w.households, w.people) for w in selectors.left_waiting(plans.run)}
    # shared (Tijuana, 2 people): San Ysidro had 1 place left each day. full (Juárez): El Paso full or closed.
    # dropped (scheduled in the published plan, not in this run): also El Paso full. later: ready after day 3.
    assert waiting == {
        selectors.WaitingReason.REGISTERED_AFTER: (1, 2),
        selectors.WaitingReason.NO_PORT: (1, 2),
        selectors.WaitingReason.NOT_READY: (1, 2),
        selectors.WaitingReason.FAMILY: (1, 2),
        selectors.WaitingReason.CAPACITY: (2, 4),
    }
    # With room at San Ysidro but Tijuana's health screening full, the screening is the reason.
    for day in plans.days:
        PortDay.objects.filter(port=plans.ports["SYS"], date=day).update(capacity=10)
        ScreeningDay.objects.create(city="Tijuana", date=day, capacity=2)
    waiting = {w.reason: w.households for w in selectors.left_waiting(plans.run)}
    assert waiting[selectors.WaitingReason.SCREENING] == 1 and selectors.WaitingReason.FAMILY not in waiting
    page = signed_in(world.users[Role.ORG_ADMIN]).get(f"/planning/runs/{plans.run.id}/").content.decode()
    assert "Health screening in their city was full" in page


def _counts(page: str) -> dict[str, tuple[int, int]]:
    rows = re.findall(r'<tr data-kind="(\w+)">.*?</th><td>(\d+)</td><td>(\d+)</td>', page, flags=re.S)
    return {kind: (int(h), int(p)) for kind, h, p in rows}


def test_the_confirmation_says_what_publishing_then_does(world: World, plans: Plans) -> None:
    client = signed_in(world.users[Role.ORG_ADMIN])
    page = client.get(f"/planning/runs/{plans.run.id}/publish/").content.decode()
    counts = _counts(page)
    assert counts == {
        "new": (4, 8),
        "moved": (1, 2),
        "changed": (1, 2),
        "unchanged": (1, 2),
        "withdrawn": (1, 2),
        "waiting": (4, 8),  # shared, foreign, full, later
    }
    assert "Publishing sends 6 messages" in page and "English 3" in page
    # A GET never publishes.
    plans.run.refresh_from_db()
    assert plans.run.status == PlanStatus.READY
    assert Household.objects.get(pk=plans.households["dropped"].pk).status == "scheduled"

    version = re.search(r'name="version" value="(\w+)"', page).group(1)
    response = client.post(f"/planning/runs/{plans.run.id}/publish/", {"version": version}, follow=True)
    assert "Published. 6 messages queued for households." in response.content.decode()
    plans.run.refresh_from_db()
    assert plans.run.status == PlanStatus.PUBLISHED
    scheduled = Household.objects.filter(status="scheduled").count()
    assert scheduled == sum(counts[k][0] for k in ("new", "moved", "changed", "unchanged"))
    assert not Household.objects.filter(pk=plans.households["dropped"].pk, status="scheduled").exists()


def test_the_preview_counts_equal_the_messages_publishing_queues(world: World, plans: Plans) -> None:
    preview = selectors.publish_preview(plans.run)
    queued = services.publish_plan(Actor(world.users[Role.ORG_ADMIN], "web"), run=plans.run)
    assert preview.messages == queued == 6


def test_a_stale_or_missing_confirmation_publishes_nothing(world: World, plans: Plans) -> None:
    client = signed_in(world.users[Role.ORG_ADMIN])
    page = client.get(f"/planning/runs/{plans.run.id}/publish/").content.decode()
    version = re.search(r'name="version" value="(\w+)"', page).group(1)
    assert client.post(f"/planning/runs/{plans.run.id}/publish/").status_code == 409
    # Meanwhile another plan is published: the numbers read are no longer what publishing would do.
    other = PlanRun.objects.create(status=PlanStatus.PUBLISHED, published_at=timezone.now())
    response = client.post(f"/planning/runs/{plans.run.id}/publish/", {"version": version})
    assert response.status_code == 409
    text = response.content.decode()
    assert "changed since this confirmation was shown" in text and 'role="alert"' in text
    plans.run.refresh_from_db()
    assert plans.run.status == PlanStatus.READY and services.current_published() == other
    # The page answered shows the new numbers and their version: confirming them publishes.
    fresh = re.search(r'name="version" value="(\w+)"', text).group(1)
    assert fresh != version
    assert client.post(f"/planning/runs/{plans.run.id}/publish/", {"version": fresh}).status_code == 302
    plans.run.refresh_from_db()
    assert plans.run.status == PlanStatus.PUBLISHED


def test_only_coordinators_see_the_confirmation(world: World, plans: Plans) -> None:
    for role in (Role.CASEWORKER, Role.AGENCY_LIAISON, Role.ANALYST):
        assert signed_in(world.users[role]).get(f"/planning/runs/{plans.run.id}/publish/").status_code == 404


CODES = re.compile(r"\b(ELP|SYS|fifo|registered_after|no_port|not_ready|left_unused|under_review|withdrawn)\b")


@pytest.mark.parametrize("language", ["en", "es"])
def test_planning_pages_show_words_not_codes(world: World, plans: Plans, language: str) -> None:
    client = signed_in(world.users[Role.ORG_ADMIN])
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    run = plans.run.id
    for url in (
        "/planning/",
        f"/planning/runs/{run}/",
        f"/planning/runs/{run}/?start=2000-01-01",
        f"/planning/runs/{run}/publish/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        text = _visible_text(response.content.decode())
        assert not CODES.findall(text), (url, CODES.findall(text))
        assert "El Paso" in text or url.endswith("/publish/")


def test_the_service_checks_the_confirmation_inside_its_transaction(world: World, plans: Plans) -> None:
    from refugio.core.errors import VersionConflict

    actor = Actor(world.users[Role.ORG_ADMIN], "web")
    version = selectors.publish_preview(plans.run).version
    scheduled = set(Household.objects.filter(status="scheduled").values_list("id", flat=True))
    PlanRun.objects.create(status=PlanStatus.PUBLISHED, published_at=timezone.now())  # the numbers change
    with pytest.raises(VersionConflict):
        services.publish_plan(actor, run=plans.run, expected_version=version)
    plans.run.refresh_from_db()
    assert plans.run.status == PlanStatus.READY
    assert set(Household.objects.filter(status="scheduled").values_list("id", flat=True)) == scheduled
    fresh = selectors.publish_preview(plans.run).version
    assert services.publish_plan(actor, run=plans.run, expected_version=fresh) > 0
