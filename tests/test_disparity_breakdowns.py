"""Every measure by group on the analysts' dashboard: households and entries, the median wait, the share by priority
tier and the legal representation rate, with counts under 5 suppressed (and a second one where subtraction would
reveal the first), never a person."""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone

from refugio.accounts.models import Role
from refugio.audit.services import Actor
from refugio.disparity import services
from refugio.disparity.analysis import WaitRow, representation_breakdown, tier_breakdown
from refugio.legal.models import Representation, RepresentationStatus, Representative
from refugio.people.models import Household, Person
from refugio.triage.models import TriageOverride, TriageScore
from tests.conftest import World
from tests.test_disparity_monitor import _households
from tests.test_pages import signed_in

DAY = dt.date(2026, 10, 1)


def _row(group: str, tier: int | None = None, represented: bool = False) -> WaitRow:
    return WaitRow(group, DAY, None, DAY + dt.timedelta(days=30), tier=tier, represented=represented)


def test_tiers_by_group_hide_small_counts_and_their_complement() -> None:
    # A: 6 in tier 1, 2 in tier 2 (n 8). B: 5 in tier 1, 5 in tier 3 (n 10). C: 3 households, not shown at all.
    rows = [_row("A", 1)] * 6 + [_row("A", 2)] * 2 + [_row("B", 1)] * 5 + [_row("B", 3)] * 5 + [_row("C", 4)] * 3
    table = tier_breakdown(rows)
    assert set(table) == {"A", "B"}
    # A's 2 in tier 2 is hidden; with A's total (8) shown, A's other non-zero cell (6 in tier 1) is hidden too.
    assert table["A"] == {"1": None, "2": None, "3": 0, "4": 0, "unscored": 0, "total": 8}
    # Tier 1's column now has one hidden cell (A's): B's 5 in tier 1 is hidden with it, then B's 5 in tier 3 so
    # that B's row does not give it away either.
    assert table["B"] == {"1": None, "2": 0, "3": None, "4": 0, "unscored": 0, "total": 10}


def test_tiers_by_group_show_everything_when_no_count_is_small() -> None:
    rows = [_row("A", 1)] * 5 + [_row("A", None)] * 7
    assert tier_breakdown(rows) == {"A": {"1": 5, "2": 0, "3": 0, "4": 0, "unscored": 7, "total": 12}}


def test_representation_rate_only_with_five_on_each_side() -> None:
    rows = (
        [_row("A", represented=True)] * 7
        + [_row("A")] * 5
        + [_row("B", represented=True)] * 10
        + [_row("B")] * 2
        + [_row("C", represented=True)] * 3
        + [_row("C")] * 9
    )
    table = representation_breakdown(rows)
    assert table["A"]["represented"] == 7 and table["A"]["rate"]["estimate"] == 7 / 12
    assert 0.3 < table["A"]["rate"]["low"] < 7 / 12 < table["A"]["rate"]["high"] < 0.85
    assert table["B"]["represented"] is None and table["B"]["rate"] is None  # 2 without: 12 - 10 gives them
    assert table["C"]["represented"] is None and table["C"]["rate"] is None


def _tier(households: list[Household], tier: int) -> None:
    for h in households:
        TriageScore.objects.update_or_create(household=h, defaults={"tier": tier, "priority": 1.0})


def _represent(world: World, households: list[Household]) -> None:
    lawyer = Representative.objects.create(organisation=world.home, name="A. Attorney", kind="attorney")
    for h in households:
        Representation.objects.create(
            household=h, representative=lawyer, status=RepresentationStatus.ACCEPTED, offered_at=timezone.now()
        )


def test_the_dashboard_breaks_every_measure_down_by_group(world: World) -> None:
    honduran = _households(world, "HN", 12) + [world.own]
    salvadoran = _households(world, "SV", 12)
    guatemalan = _households(world, "GT", 12)
    _tier(honduran[:6], 1)
    _tier(honduran[6:], 3)
    _tier(guatemalan[:6], 1)  # a third group, so that hiding Salvadoran cells need not hide Honduran ones
    _tier(guatemalan[6:], 2)
    _tier(salvadoran[:10], 2)
    _tier(salvadoran[10:], 1)  # two in tier 1: suppressed
    TriageOverride.objects.create(household=honduran[12], tier=1, priority=1.0)  # the override counts, not the score
    _represent(world, honduran[:6] + salvadoran[:1])
    check = services.run_monitor(Actor(None, "system"), organisation_id=world.home.id)
    nationality = check.results["nationality"]
    assert nationality["tiers"]["HN"]["1"] == 7 and nationality["tiers"]["HN"]["3"] == 6
    assert nationality["tiers"]["SV"]["1"] is None and nationality["tiers"]["SV"]["2"] is None
    assert nationality["representation"]["HN"]["represented"] == 6
    assert nationality["representation"]["SV"]["represented"] is None
    assert set(check.results["sex"]["tiers"]) == {"female"}  # every head of household here is a woman

    response = signed_in(world.users[Role.ANALYST]).get("/disparities/")
    page = response.content.decode()
    section = page[page.index('id="by-nationality"') : page.index('id="by-language"')]
    assert "Priority tier" in section and "Legal representation" in section
    assert "Honduras" in section and "El Salvador" in section
    # Of Honduras' 13 households (world's own included), in tier 1 then tier 3.
    assert re.search(r"Honduras</th><td>7 \(54%\)</td><td>0 \(0%\)</td><td>6 \(46%\)</td>", section)
    assert "suppressed" in section
    for h in Household.objects.all():
        assert str(h.id) not in page and h.display_code not in page
    for p in Person.objects.all():
        assert p.given_names not in page and p.first_family_name not in page
    for dimension in ("language", "sex", "age_band"):
        assert f'id="by-{dimension}"' in page
