"""Microdata for partners: the pure checks (k-anonymity, l-diversity, risk) on small tables computed by hand, and
the export through the command and the admins' page: generalised rows only, refused when k and l cannot be
reached, audited, and no unique person left recognisable."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone, translation

from refugio.accounts.models import Role
from refugio.audit.models import AuditEvent
from refugio.people.models import Household, Person
from refugio.transparency import microdata
from refugio.transparency.microdata import Level, SourceRow, anonymise, assess, generalise, suppress_small_classes
from tests.conftest import World, new_household
from tests.test_pages import signed_in

QI = ("a", "b")
S = ("s",)


def _r(a: str, b: str, s: str) -> dict[str, str]:
    return {"a": a, "b": b, "s": s}


# Pure: hand-computed tables ---------------------------------------------------------------------------------

# Classes: (x, 1) × 3 with s in {p, q}; (x, 2) × 2 with s = {p}; (y, 1) × 1 with s = {q}.
TABLE = [
    _r("x", "1", "p"),
    _r("x", "1", "q"),
    _r("x", "1", "p"),
    _r("x", "2", "p"),
    _r("x", "2", "p"),
    _r("y", "1", "q"),
]


def test_assess_gives_k_l_and_the_risks_computed_by_hand() -> None:
    a = assess(TABLE, QI, S)
    assert (a.rows, a.classes, a.k, a.diversity) == (6, 3, 1, 1)
    assert a.max_risk == 1.0  # the unique (y, 1)
    # Risks: 1/3 three times, 1/2 twice, 1 once: (1 + 1 + 1) / 6.
    assert a.global_risk == pytest.approx(0.5)
    assert a.expected_reidentifications == pytest.approx(3.0)
    assert not a.within_hdx_threshold


def test_suppressing_classes_smaller_than_k() -> None:
    kept = suppress_small_classes(TABLE, 3, QI)
    assert kept == TABLE[:3]
    a = assess(kept, QI, S)
    assert (a.k, a.diversity, a.max_risk, a.global_risk) == (3, 2, pytest.approx(1 / 3), pytest.approx(1 / 3))
    kept = suppress_small_classes(TABLE, 2, QI)
    assert len(kept) == 5
    a = assess(kept, QI, S)
    assert (a.k, a.diversity) == (2, 1)  # (x, 2) all p: not 2-diverse
    assert a.global_risk == pytest.approx((3 * (1 / 3) + 2 * (1 / 2)) / 5)


def test_risk_under_the_hdx_threshold_for_large_classes() -> None:
    rows = [_r("x", "1", "p" if i % 2 else "q") for i in range(40)]
    a = assess(rows, QI, S)
    assert (a.k, a.diversity, a.global_risk) == (40, 2, pytest.approx(1 / 40))
    assert a.within_hdx_threshold  # 2.5% < 3%


def _source(
    nationality: str = "HN", birth_year: int = 1990, sex: str = "female", entered: bool = False, days: int | None = None
) -> SourceRow:
    """A household registered on 5 October 2026; by default it waited 10 days if it entered, 40 so far if not."""
    return SourceRow(
        registered_on=dt.date(2026, 10, 5),
        nationality=nationality,
        sex=sex,
        birth_year=birth_year,
        port="ELP",
        tier=3,
        entered=entered,
        waiting_days=days if days is not None else 10 if entered else 40,
        represented=False,
    )


def test_generalising_bands_ages_months_waits_and_groups_rare_nationalities() -> None:
    rows = [_source(entered=i % 2 == 0) for i in range(6)] + [_source("JP", 1950)]
    detailed = generalise(rows, microdata.LEVELS[0], k=5)
    assert detailed[0] == {
        "age_band": "30-44",
        "sex": "female",
        "nationality": "HN",
        "registered": "2026-10",
        "port": "ELP",
        "waiting_days": "0-29",
        "tier": "3",
        "entered": "yes",
        "represented": "no",
    }
    assert detailed[-1]["nationality"] == "other"  # Japan: rare, and Asia is rare too
    coarse = generalise(rows, Level("t", "quarter", "region", "three", False), k=5)
    assert coarse[0]["registered"] == "2026-Q4" and coarse[0]["nationality"] == "Central America"
    assert coarse[0]["port"] == "any" and coarse[-1]["age_band"] == "60+"
    for record in detailed:
        assert set(record) == set(microdata.COLUMNS)


def test_anonymise_goes_coarser_until_k_and_l_hold() -> None:
    # Five Honduran women and five Guatemalan women: at the detailed level each class is one nationality, half
    # of which entered (2-diverse). A lone Haitian man is suppressed (1 of 11, under 20%).
    rows = [_source("HN", entered=i < 2) for i in range(5)] + [_source("GT", entered=i < 3) for i in range(5)]
    rows.append(_source("HT", 1980, "male"))
    kept, report = anonymise(rows, k=5, diversity=2)
    assert report.level == "detailed" and report.suppressed == 1
    assert (report.achieved.k, report.achieved.diversity, report.achieved.rows) == (5, 2, 10)
    assert report.achieved.global_risk == pytest.approx(0.2)
    # If the Guatemalan households all waited alike, 2-diversity fails there; merging nationalities to their
    # region (both Central America) restores it.
    rows = [_source("HN", entered=i < 2) for i in range(5)] + [_source("GT") for _ in range(5)]
    kept, report = anonymise(rows, k=5, diversity=2)
    assert report.level == "coarser" and report.achieved.diversity == 2 and len(kept) == 10


def test_anonymise_refuses_when_k_or_l_cannot_be_reached() -> None:
    alike = [_source() for _ in range(8)]  # nobody entered, all waited 30-89 days: l = 1 at every level
    with pytest.raises(microdata.Unachievable) as refused:
        anonymise(alike, k=5, diversity=2)
    assert refused.value.best is not None and refused.value.best.achieved.diversity == 1
    assert anonymise(alike, k=5, diversity=1)[1].achieved.k == 8
    with pytest.raises(microdata.Unachievable):
        anonymise(alike[:4], k=5, diversity=1)  # fewer than k records: every one would be suppressed
    # Too many to suppress: 4 of 9 are unique whatever the level... (44% > 20%)
    mixed = [_source(entered=i % 2 == 0) for i in range(5)] + [_source(sex="male", entered=True) for _ in range(4)]
    with pytest.raises(microdata.Unachievable):
        anonymise(mixed, k=5, diversity=2)
    assert anonymise(mixed, k=5, diversity=2, max_suppressed=0.5)[1].suppressed == 4


def test_report_lines_say_k_l_suppressed_and_the_hdx_threshold() -> None:
    rows = [_source(entered=i % 2 == 0) for i in range(10)]
    text = "\n".join(anonymise(rows, k=5, diversity=2)[1].lines())
    assert "k = 10" in text and "l = 2" in text and "0 suppressed of 10" in text
    assert "max 10.0%" in text and "Global risk (mean): 10.00%" in text and "HDX threshold 3%: NOT below" in text


# The export in the app ---------------------------------------------------------------------------------------


def _registered(world: World, n: int, *, nationality: str = "HN", entered: int = 0) -> list[Household]:
    made = [new_household(world.users[Role.CASEWORKER], world.home) for _ in range(n)]
    Person.objects.filter(household__in=made).update(nationality=nationality)
    ids = [h.pk for h in made]
    Household.objects.filter(pk__in=ids).update(created_at=timezone.now() - dt.timedelta(days=40))
    Household.objects.filter(pk__in=ids[:entered]).update(status="entered")
    return made


@pytest.fixture
def population(world: World) -> list[Household]:
    """In `home`: 12 Honduran households (6 entered) besides world's own; one Japanese household that stands out."""
    made = _registered(world, 12, entered=6)
    unique = _registered(world, 1, nationality="JP")[0]
    Person.objects.filter(household=unique).update(birth_year=1941, sex="male")
    return [*made, unique]


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_the_command_writes_generalised_rows_and_prints_the_risk(world, population, tmp_path: Path) -> None:
    out = tmp_path / "micro.csv"
    printed = io.StringIO()
    call_command("stats_microdata", organisation=world.home.name, out=str(out), k=5, l=2, stdout=printed)
    text = out.read_text()
    rows = _rows(text)
    assert rows and set(rows[0]) == set(microdata.COLUMNS)
    for h in Household.objects.all():
        assert str(h.id) not in text and h.registration_code not in text
    for p in Person.objects.all():
        assert p.given_names not in text and p.first_family_name not in text
    report = printed.getvalue()
    assert "k = " in report and "l = " in report and "suppressed of" in report and "HDX threshold 3%" in report
    event = AuditEvent.objects.get(object_type="microdata_export")
    assert event.organisation_id == world.home.id and set(event.fields) == set(microdata.COLUMNS)


def test_a_unique_person_is_never_a_class_smaller_than_k(world, population, tmp_path: Path) -> None:
    out = tmp_path / "micro.csv"
    call_command("stats_microdata", organisation=world.home.name, out=str(out), k=5, l=2, stdout=io.StringIO())
    rows = _rows(out.read_text())
    classes: dict[tuple[str, ...], int] = {}
    for r in rows:
        key = tuple(r[q] for q in microdata.QUASI_IDENTIFIERS)
        classes[key] = classes.get(key, 0) + 1
    assert min(classes.values()) >= 5
    # The 85-year-old Japanese man is unique in the source: neither his nationality nor his age band is in the file.
    assert not any(r["nationality"] == "JP" for r in rows)
    assert not any(r["age_band"] == "60+" and r["sex"] == "male" for r in rows)


def test_the_command_refuses_and_writes_nothing_when_l_cannot_be_reached(world, population, tmp_path: Path) -> None:
    out = tmp_path / "micro.csv"
    with pytest.raises(CommandError, match="cannot be exported with k = 5 and l = 3"), translation.override("en"):
        call_command("stats_microdata", organisation=world.home.name, out=str(out), k=5, l=3, stdout=io.StringIO())
    assert not out.exists()
    assert not AuditEvent.objects.filter(object_type="microdata_export").exists()


def test_only_admins_reach_the_page_and_download_is_audited(world, population) -> None:
    for role in (Role.ANALYST, Role.CASEWORKER, Role.ATTORNEY, Role.SHELTER_STAFF, Role.AGENCY_LIAISON):
        assert signed_in(world.users[role]).get("/disparities/microdata/").status_code == 404, role
    admin = signed_in(world.users[Role.ORG_ADMIN])
    assert admin.get(f"/disparities/microdata/?organisation={world.stranger.id}").status_code == 404
    page = admin.get("/disparities/microdata/")
    assert page.status_code == 200 and "l-diversity" in page.content.decode()
    checked = admin.post("/disparities/microdata/", {"k": 5, "l": 2, "max_suppressed": 20, "check": "1"})
    assert checked.status_code == 200 and 'id="report"' in checked.content.decode()
    assert not AuditEvent.objects.filter(object_type="microdata_export").exists()  # nothing left: no export
    download = admin.post("/disparities/microdata/", {"k": 5, "l": 2, "max_suppressed": 20, "download": "1"})
    assert download.status_code == 200 and download["Content-Type"].startswith("text/csv")
    assert _rows(download.content.decode())
    assert AuditEvent.objects.filter(object_type="microdata_export", organisation_id=world.home.id).count() == 1
    refused = admin.post("/disparities/microdata/", {"k": 5, "l": 4, "max_suppressed": 20, "download": "1"})
    assert refused.status_code == 409 and "Nothing was written" in refused.content.decode()
