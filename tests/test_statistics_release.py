"""Releases of the public statistics (issue 16): computed once per period, stored, served unchanged; two
releases of data that differ by one household tell nothing about it; every public count is 0, ≥ 5 or
suppressed; the HXL exports validate with libhxl; the API is public and its schema names its enums."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from refugio.accounts.models import Organisation
from refugio.audit.services import Actor
from refugio.escalations.models import AgencyOffice, Escalation
from refugio.legal.models import Representation, Representative
from refugio.people.models import Household
from refugio.people.registration_code import new_code
from refugio.planning.models import Appointment, PlanRun, PortOfEntry
from refugio.transparency.measures import Period, parse_week
from refugio.transparency.models import Release
from refugio.transparency.services import publish
from refugio.triage.models import TriageScore

WEEK = "2026-W46"  # Monday 9 to Sunday 15 November 2026
MONDAY = dt.date(2026, 11, 9)
SYSTEM = Actor(user=None, channel="cli")


class Data:
    def __init__(self) -> None:
        self.org = Organisation.objects.create(name="Stats Legal Aid", kind="legal_aid")
        self.ports = {
            code: PortOfEntry.objects.create(code=code, name=name, city=name, destination=name)
            for code, name in (("SYS", "San Ysidro"), ("ELP", "El Paso"), ("BRO", "Brownsville"))
        }
        self.plan = PlanRun.objects.create(status="published", published_at=timezone.now())
        self.office = AgencyOffice.objects.create(organisation=self.org, name="CBP Test Office", kind="cbp_port")
        self.lawyer = Representative.objects.create(organisation=self.org, name="A. Lawyer", kind="attorney")

    def household(
        self,
        day: dt.date,
        *,
        status: str = "registered",
        port: str | None = None,
        entered: dt.date | None = None,
        tier: int | None = 3,
        represented: bool = False,
    ) -> Household:
        at = timezone.make_aware(dt.datetime.combine(day, dt.time(12)))
        household = Household.objects.create(
            owner=self.org, registration_code=new_code(), status=status, current_city="Tijuana", created_at=at
        )
        if port:
            Appointment.objects.create(
                plan=self.plan,
                household=household,
                port=self.ports[port],
                date=entered or day + dt.timedelta(days=20),
                lane="fifo",
                people=2,
                tier=tier or 3,
                priority=1.0,
            )
        if tier is not None:
            TriageScore.objects.create(household=household, tier=tier, priority=1.0)
        if represented:
            Representation.objects.create(
                household=household, representative=self.lawyer, status="accepted", offered_at=at
            )
        return household

    def escalation(self, day: dt.date, household: Household, hours: float) -> None:
        at = timezone.make_aware(dt.datetime.combine(day, dt.time(9)))
        Escalation.objects.create(
            household=household,
            office=self.office,
            category="medical",
            raised_for=self.org,
            created_at=at,
            acknowledge_by=at + dt.timedelta(days=1),
            resolve_by=at + dt.timedelta(days=3),
            acknowledged_at=at + dt.timedelta(hours=hours),
        )


@pytest.fixture
def data(db: object) -> Data:
    return make_data()


def make_data() -> Data:
    """About forty households over four weeks: most at San Ysidro, a few (fewer than 5) at Brownsville."""
    d = Data()
    for i in range(24):
        day = MONDAY - dt.timedelta(days=21) + dt.timedelta(days=i)
        entered = day + dt.timedelta(days=10 + i % 5) if i < 14 else None
        household = d.household(
            day,
            status="entered" if entered else "scheduled",
            port="SYS",
            entered=entered,
            tier=1 + i % 3,
            represented=i % 2 == 0,
        )
        d.escalation(day, household, 4 + i % 6)
    for i in range(7):
        d.household(MONDAY + dt.timedelta(days=i % 7), tier=2 + i % 2, represented=i < 3)
    for i in range(3):  # a small cell: 3 registrations at Brownsville this week
        d.household(MONDAY + dt.timedelta(days=i), status="scheduled", port="BRO", tier=2)
    for i in range(6):
        d.household(MONDAY + dt.timedelta(days=i), status="scheduled", port="ELP", tier=3)
    return d


def _cells(release: Release, table: str) -> dict[tuple[str, str], tuple[object, str]]:
    return {(r, c): (v, s) for r, c, v, s in release.tables[table]["cells"]}


def _public(release: Release) -> str:
    return json.dumps(release.tables, sort_keys=True)


def test_differencing_attack_learns_nothing_about_one_added_household(data: Data) -> None:
    """Publish, add one household with a combination nobody else has (tier 1, Brownsville, entered the same
    week, represented, escalated), publish the same period again: the two releases are identical."""
    period = parse_week(WEEK)
    first = publish(SYSTEM, period=period)
    target = data.household(
        MONDAY + dt.timedelta(days=2),
        status="entered",
        port="BRO",
        entered=MONDAY + dt.timedelta(days=4),
        tier=1,
        represented=True,
    )
    data.escalation(MONDAY + dt.timedelta(days=2), target, 1)
    second = publish(SYSTEM, period=period)
    assert _public(first) == _public(second)

    # Not because releases never change: five more households in one cell move it, and the release with them.
    for i in range(5):
        data.household(MONDAY + dt.timedelta(days=i), status="scheduled", port="SYS", tier=3)
    third = publish(SYSTEM, period=period)
    assert _cells(third, "registrations")[(WEEK, "SYS")] != _cells(second, "registrations")[(WEEK, "SYS")]


def test_a_longer_period_does_not_reveal_the_household_either(data: Data) -> None:
    """A week's cells are the same cells in a release of a longer period: the household added in between
    changes no published number there, and a release of the longer period with it equals one without it."""
    first = publish(SYSTEM, period=parse_week(WEEK))
    weeks = Period(MONDAY - dt.timedelta(days=21), MONDAY + dt.timedelta(days=6))
    without = publish(SYSTEM, period=weeks)
    data.household(MONDAY + dt.timedelta(days=3), status="scheduled", port="BRO", tier=1, represented=True)
    with_it = publish(SYSTEM, period=weeks)
    assert _public(without) == _public(with_it)
    for key, (value, status) in _cells(first, "registrations").items():
        if key[0] == WEEK:  # never a different number for the same week; at most hidden by the longer table
            assert _cells(with_it, "registrations")[key] in ((value, status), (None, "suppressed")), key


def test_small_counts_are_suppressed_with_a_complement(data: Data) -> None:
    release = publish(SYSTEM, period=parse_week(WEEK))
    cells = _cells(release, "registrations")
    assert cells[(WEEK, "BRO")] == (None, "suppressed")  # 3 households
    hidden = [key for key, (_v, status) in cells.items() if status == "suppressed"]
    # The week's row and the Brownsville column each hide a second cell, so subtraction cannot give the 3.
    assert len([k for k in hidden if k[0] == WEEK]) >= 2
    assert len([k for k in hidden if k[1] == "BRO"]) >= 2


def test_every_public_number_is_zero_five_or_more_or_suppressed(data: Data) -> None:
    release = publish(SYSTEM, period=parse_week(WEEK))
    for name, table in release.tables.items():
        for row, column, value, status in table["cells"]:
            basis = release.basis[name][f"{row}\t{column}"]
            if status != "published":
                assert value is None
                continue
            assert value is not None
            # The counts behind every published number are 0 or at least k (a rate: both sides of it).
            assert all(count == 0 or count >= release.k for count in basis), (name, row, column, basis)
            if name in ("registrations", "entries", "tiers"):
                assert value == 0 or value >= release.k
    rep = release.basis["representation"]["all\tpercent"]
    assert rep[1] - rep[0] >= release.k or _cells(release, "representation")[("all", "percent")][1] == "suppressed"


def test_averaging_attack_gets_the_same_answer_every_time(data: Data) -> None:
    publish(SYSTEM, period=parse_week(WEEK))
    client = Client()
    answers = {client.get("/api/v1/statistics").content for _ in range(20)}
    pages = {client.get("/public/statistics/?lang=en").content for _ in range(5)}
    files = {client.get("/public/statistics.csv").content for _ in range(5)}
    assert len(answers) == len(pages) == len(files) == 1
    assert Release.objects.count() == 1  # reading never computes a release


def test_a_release_never_changes(data: Data) -> None:
    release = publish(SYSTEM, period=parse_week(WEEK))
    release.tables = {}
    with pytest.raises(ValueError, match="immutable"):
        release.save()
    with pytest.raises(ValueError, match="immutable"):
        release.delete()


def test_waiting_time_censors_those_still_waiting(data: Data) -> None:
    release = publish(SYSTEM, period=parse_week(WEEK))
    waiting = _cells(release, "waiting")
    # 14 of the 40 households entered, 10 to 14 days after registering; the rest are censored.
    days, status = waiting[("median", "days")]
    assert status in ("published", "not_reached")
    assert waiting[("7", "percent_waiting")] == (100, "published")
    assert release.method["noise"].startswith("none")


def test_hxl_csv_and_xlsx_validate_with_libhxl(data: Data) -> None:
    import hxl
    from openpyxl import load_workbook

    publish(SYSTEM, period=parse_week(WEEK))
    client = Client()
    text = client.get("/public/statistics.csv").content.decode()
    rows_in = list(csv.reader(io.StringIO(text)))
    dataset = hxl.data(rows_in)
    tags = [column.display_tag for column in dataset.columns]
    for expected in ("#date+start", "#loc+port+code", "#affected+households+num", "#org+name", "#meta+status"):
        assert expected in tags
    rows = list(dataset)
    statuses = {"published", "suppressed", "not_measured", "not_reached"}
    assert rows and all(row.get("#meta+status") in statuses for row in rows)
    problems: list[str] = []
    assert hxl.schema(callback=lambda e: problems.append(str(e))).validate(hxl.data(rows_in)), problems[:5]
    book = load_workbook(io.BytesIO(client.get("/public/statistics.xlsx").content))
    sheet_rows = [list(r) for r in book.active.iter_rows(values_only=True)]
    assert hxl.schema(callback=lambda e: problems.append(str(e))).validate(hxl.data(sheet_rows)), problems[:5]
    assert sheet_rows[1] == [c.display_tag for c in dataset.columns]


def test_api_is_public_and_its_schema_names_the_enums(data: Data) -> None:
    client = Client()
    assert client.get("/api/v1/statistics").status_code == 404  # nothing published yet
    publish(SYSTEM, period=parse_week(WEEK))
    answer = client.get("/api/v1/statistics")
    assert answer.status_code == 200
    body = answer.json()
    assert body["period"] == WEEK and body["k"] == 5
    assert {t["name"] for t in body["tables"]} >= {"registrations", "entries", "waiting", "tiers", "response"}
    spec = client.get("/api/v1/openapi.json").json()
    operation = spec["paths"]["/api/v1/statistics"]["get"]
    assert not operation.get("security")
    cell = spec["components"]["schemas"]["CellOut"]["properties"]["status"]
    assert set(cell["enum"]) == {"published", "suppressed", "not_measured", "not_reached"}


def test_publish_command(data: Data) -> None:
    out = io.StringIO()
    call_command("publish_statistics", "--period", WEEK, stdout=out)
    assert "2026-W46" in out.getvalue()
    call_command("publish_statistics", "--from", "2026-10-19", "--to", "2026-11-15", stdout=out)
    assert Release.objects.first().period_label == "2026-10-19/2026-11-15"
    with pytest.raises(CommandError):
        call_command("publish_statistics", "--period", "nonsense")
    with pytest.raises(CommandError):
        call_command("publish_statistics", "--from", "2026-11-15", "--to", "2026-11-01")


def test_refugio_stats_publish_runs_the_command(monkeypatch: pytest.MonkeyPatch) -> None:
    from refugio import cli

    seen: list[list[str]] = []
    monkeypatch.setattr(cli, "_manage", lambda argv: seen.append(argv) or 0)
    assert cli.main(["stats", "publish", "--period", WEEK]) == 0
    assert seen == [["publish_statistics", "--period", WEEK]]
