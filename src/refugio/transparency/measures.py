"""The measures of the public statistics, computed over plain rows (no Django): counts per week and port,
waiting time from registration to entry (Kaplan–Meier, those still waiting censored), share by priority tier,
legal representation rate, court appearance and check-in rates (with 95% Wilson intervals), escalation response
times per agency office. Each measure is a named table of cells
(`Table`), already through disclosure control, so a release is a set of tables and a breakdown by group can be
added later as more tables.

The unit counted is the household: it is the unit that registers, waits and enters together, so a cell of
5 households is 5 families, never one family of 5."""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from refugio.transparency.disclosure_control import (
    NOT_MEASURED,
    PUBLISHED,
    SUPPRESSED,
    TOTAL,
    Cell,
    CountTable,
    K,
    count_cells,
    ratio_cell,
    stabilise,
    summary_cell,
)

NOT_REACHED = "not_reached"  # a median the curve has not reached yet: more than half are still waiting
UNASSIGNED = "unassigned"  # registered households without a port yet
KM_DAYS = (7, 14, 30, 60, 90, 180)
TIERS = ("1", "2", "3", "4", "unscored")  # tier 4 stands for 4 and any less urgent tier


@dataclass(frozen=True)
class HouseholdRow:
    registered_on: dt.date
    status: str
    tier: int | None = None
    port: str | None = None  # port of the newest published appointment
    entered_on: dt.date | None = None
    closed_on: dt.date | None = None
    represented: bool = False


@dataclass(frozen=True)
class EscalationRow:
    office: str
    created_at: dt.datetime
    acknowledged_at: dt.datetime | None = None
    resolved_at: dt.datetime | None = None


@dataclass
class Table:
    """One published table: rows, columns and a cell for each (row, column)."""

    name: str
    rows: list[str]
    columns: list[str]
    cells: dict[tuple[str, str], Cell] = field(default_factory=dict)
    structure: CountTable | None = None  # counts tables: the additive lines, for complementary suppression

    def cell(self, row: str, column: str) -> Cell:
        return self.cells[(row, column)]


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date  # inclusive

    @property
    def label(self) -> str:
        start_year, start_week, start_day = self.start.isocalendar()
        end_year, end_week, end_day = self.end.isocalendar()
        if start_day == 1 and end_day == 7 and (start_year, start_week) == (end_year, end_week):
            return f"{start_year}-W{start_week:02d}"
        return f"{self.start.isoformat()}/{self.end.isoformat()}"

    def weeks(self) -> list[str]:
        seen: list[str] = []
        day = self.start
        while day <= self.end:
            label = week_of(day)
            if label not in seen:
                seen.append(label)
            day += dt.timedelta(days=1)
        return seen

    def __contains__(self, day: object) -> bool:
        return isinstance(day, dt.date) and self.start <= day <= self.end


def week_of(day: dt.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def parse_week(text: str) -> Period:
    """'2026-W48' → Monday to Sunday of that ISO week."""
    year, week = text.upper().split("-W")
    start = dt.date.fromisocalendar(int(year), int(week), 1)
    return Period(start, start + dt.timedelta(days=6))


# --- Kaplan–Meier ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KaplanMeier:
    times: tuple[float, ...]  # event times
    survival: tuple[float, ...]  # S(t) just after each
    median: float | None  # None: not reached
    median_low: float | None
    median_high: float | None
    n: int
    events: int

    def at(self, day: float) -> float:
        value = 1.0
        for time, survival in zip(self.times, self.survival, strict=True):
            if time <= day:
                value = survival
        return value


def kaplan_meier(durations: Sequence[float], observed: Sequence[bool]) -> KaplanMeier:
    """The Kaplan–Meier estimate of the share still waiting after each day, with the median and its 95%
    confidence interval (lifelines; Brookmeyer–Crowley from the log-log pointwise band)."""
    if not durations:
        return KaplanMeier((), (), None, None, None, 0, 0)
    from lifelines import KaplanMeierFitter
    from lifelines.utils import median_survival_times

    fitter = KaplanMeierFitter()
    fitter.fit(list(durations), event_observed=[bool(e) for e in observed])
    times = tuple(sorted(set(_event_times(durations, observed))))
    survival = tuple(float(v) for v in fitter.survival_function_at_times(list(times))) if times else ()
    band = median_survival_times(fitter.confidence_interval_)
    low, high = (float(v) for v in band.iloc[0])
    median = float(fitter.median_survival_time_)

    def finite(value: float) -> float | None:
        return None if math.isinf(value) or math.isnan(value) else value

    return KaplanMeier(
        times, survival, finite(median), finite(low), finite(high), len(durations), sum(map(bool, observed))
    )


def _event_times(durations: Sequence[float], observed: Sequence[bool]) -> Iterable[float]:
    return (float(d) for d, e in zip(durations, observed, strict=True) if e)


def at_risk(durations: Sequence[float], day: float) -> int:
    return sum(1 for d in durations if d >= day)


# --- the tables -----------------------------------------------------------------------------------------


def weekly_counts(
    name: str, days: Iterable[tuple[dt.date, str]], period: Period, ports: Sequence[str], k: int
) -> Table:
    weeks = period.weeks()
    counts = Counter((week_of(day), port) for day, port in days if day in period)
    structure = CountTable.from_counts(weeks, ports, counts)
    cells = count_cells(structure, k)
    return Table(name, [*weeks, TOTAL], [*ports, TOTAL], cells, structure)


def tier_shares(households: Sequence[HouseholdRow], k: int) -> Table:
    waiting = [h for h in households if h.status in ("registered", "under_review", "scheduled")]
    counts = Counter((tier_row(h.tier), "households") for h in waiting)
    structure = CountTable.from_counts(list(TIERS), ["households"], counts)
    cells = count_cells(structure, k)
    return Table("tiers", [*TIERS, TOTAL], ["households", TOTAL], cells, structure)


def tier_row(tier: int | None) -> str:
    if tier is None:
        return "unscored"
    return str(min(max(tier, 1), 4))


def representation(households: Sequence[HouseholdRow], k: int) -> Table:
    denominator = len(households)
    numerator = sum(1 for h in households if h.represented)
    rate = round(100 * numerator / denominator) if denominator else None
    return Table(
        "representation", ["all"], ["percent"], {("all", "percent"): ratio_cell(numerator, denominator, rate, k)}
    )


# --- court appearance and check-in rates -----------------------------------------------------------------

Z95 = 1.959963984540054  # the 97.5th percentile of the standard normal distribution
RECEPTION_ROWS = ("court_appearance", "check_in")
RECEPTION_COLUMNS = ("percent", "low", "high", "numerator", "denominator")

# What the rates can be read against: published figures of earlier programmes (not computed, not from Refugio).
REFERENCES = (
    {
        "measure": "check_in",
        "percent": 99.4,
        "programme": "ICE Family Case Management Program",
        "years": "2016-2017",
        "source": "ICE data on the programme, as reported by the Women's Refugee Commission (2017)",
    },
    {
        "measure": "court_appearance",
        "percent": 99.3,
        "programme": "ICE Family Case Management Program",
        "years": "2016-2017",
        "source": "ICE data on the programme, as reported by the Women's Refugee Commission (2017)",
    },
    {
        "measure": "court_appearance",
        "percent": 91.0,
        "programme": "Vera Institute of Justice, Appearance Assistance Program",
        "years": "1997-2000",
        "source": "Vera Institute of Justice, Testing Community Supervision for the INS (2000)",
    },
    {
        "measure": "court_appearance_asylum",
        "percent": 93.0,
        "programme": "Vera Institute of Justice, Appearance Assistance Program (asylum seekers)",
        "years": "1997-2000",
        "source": "Vera Institute of Justice, Testing Community Supervision for the INS (2000)",
    },
)


@dataclass(frozen=True)
class ReceptionCounts:
    """Over a period, across all organisations: check-ins due (attended, missed; excused ones are not counted
    against anyone) and hearing outcomes (appeared, did not appear; rescheduled and cancelled are not counted)."""

    check_ins_attended: int = 0
    check_ins_missed: int = 0
    hearings_appeared: int = 0
    hearings_not_appeared: int = 0


def wilson_interval(successes: int, total: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval for a binomial proportion (0 <= successes <= total, total > 0)."""
    if total <= 0 or not 0 <= successes <= total:
        raise ValueError("need 0 <= successes <= total and total > 0")
    p = successes / total
    z2 = z * z
    denominator = 1 + z2 / total
    centre = (p + z2 / (2 * total)) / denominator
    half = z * math.sqrt(p * (1 - p) / total + z2 / (4 * total * total)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def _rate_cells(row: str, numerator: int, denominator: int, k: int) -> dict[tuple[str, str], Cell]:
    """A rate with its 95% Wilson interval and its counts. The rate, its interval and the numerator are shown
    only when both the numerator and the rest (denominator - numerator) are k or more: otherwise the numerator,
    with the denominator shown, would give the small complement away. The denominator follows the count rule."""
    basis = (numerator, denominator)
    if denominator and numerator >= k and denominator - numerator >= k:
        low, high = wilson_interval(numerator, denominator)
        values: dict[str, float | int] = {
            "percent": round(100 * numerator / denominator, 1),
            "low": round(100 * low, 1),
            "high": round(100 * high, 1),
            "numerator": numerator,
        }
        cells = {(row, column): Cell(value, PUBLISHED, basis) for column, value in values.items()}
    else:
        cells = {(row, column): Cell(None, SUPPRESSED, basis) for column in ("percent", "low", "high", "numerator")}
        if denominator == 0:
            cells[(row, "numerator")] = Cell(0, PUBLISHED, basis)
    shown = denominator == 0 or denominator >= k
    cells[(row, "denominator")] = Cell(denominator if shown else None, PUBLISHED if shown else SUPPRESSED, basis)
    return cells


def reception_rates(counts: ReceptionCounts, k: int = K) -> Table:
    """Court appearance rate = appeared / (appeared + did not appear); check-in rate = attended / (attended +
    missed); each in percent with its 95% Wilson interval, the numerator and the denominator."""
    cells = {
        **_rate_cells(
            "court_appearance", counts.hearings_appeared, counts.hearings_appeared + counts.hearings_not_appeared, k
        ),
        **_rate_cells("check_in", counts.check_ins_attended, counts.check_ins_attended + counts.check_ins_missed, k),
    }
    return Table("reception", list(RECEPTION_ROWS), list(RECEPTION_COLUMNS), cells)


def waiting_time(households: Sequence[HouseholdRow], as_of: dt.date, k: int) -> Table:
    durations: list[float] = []
    observed: list[bool] = []
    for h in households:
        if h.registered_on > as_of:
            continue
        if h.entered_on is not None and h.entered_on <= as_of:
            durations.append(max((h.entered_on - h.registered_on).days, 0))
            observed.append(True)
        else:
            end = h.closed_on if h.closed_on is not None and h.closed_on <= as_of else as_of
            durations.append(max((end - h.registered_on).days, 0))
            observed.append(False)
    km = kaplan_meier(durations, observed)
    cells: dict[tuple[str, str], Cell] = {}
    rows = [str(day) for day in KM_DAYS]
    for day in KM_DAYS:
        risk = at_risk(durations, day)
        events = sum(1 for d, e in zip(durations, observed, strict=True) if e and d <= day)
        share = round(100 * km.at(day)) if durations else None
        if risk >= k and (events == 0 or events >= k) and share is not None:
            cells[(str(day), "percent_waiting")] = Cell(share, PUBLISHED, (risk, events))
        else:
            cells[(str(day), "percent_waiting")] = Cell(None, SUPPRESSED, (risk, events))
    basis = (km.n, km.events)
    for column, value in (("days", km.median), ("low", km.median_low), ("high", km.median_high)):
        if km.n >= k and km.events >= k and value is None:
            cells[("median", column)] = Cell(None, NOT_REACHED, basis)
        else:
            cells[("median", column)] = summary_cell(None if value is None else round(value), basis, k)
    for row in rows:
        for column in ("days", "low", "high"):
            cells.setdefault((row, column), Cell(None, NOT_MEASURED))
    for column in ("percent_waiting",):
        cells.setdefault(("median", column), Cell(None, NOT_MEASURED))
    return Table("waiting", [*rows, "median"], ["percent_waiting", "days", "low", "high"], cells)


def response_times(escalations: Sequence[EscalationRow], offices: Sequence[str], period: Period, k: int) -> Table:
    cells: dict[tuple[str, str], Cell] = {}
    for office in offices:
        items = [e for e in escalations if e.office == office and e.created_at.date() in period]
        ack = [(e.acknowledged_at - e.created_at).total_seconds() / 3600 for e in items if e.acknowledged_at]
        res = [(e.resolved_at - e.created_at).total_seconds() / 3600 for e in items if e.resolved_at]
        n = len(items)
        cells[(office, "escalations")] = Cell(n, PUBLISHED, (n,)) if n == 0 or n >= k else Cell(None, SUPPRESSED, (n,))
        cells[(office, "acknowledge_hours")] = summary_cell(
            round(statistics.median(ack), 1) if ack else None, (n, len(ack)), k
        )
        cells[(office, "resolve_hours")] = summary_cell(
            round(statistics.median(res), 1) if res else None, (n, len(res)), k
        )
    return Table("response", list(offices), ["escalations", "acknowledge_hours", "resolve_hours"], cells)


def build_tables(
    households: Sequence[HouseholdRow],
    escalations: Sequence[EscalationRow],
    *,
    period: Period,
    ports: Sequence[str],
    offices: Sequence[str],
    reception: ReceptionCounts | None = None,
    k: int = K,
) -> list[Table]:
    """Every measure of a release, suppressed, before the stable-cell rule against differencing."""
    columns = [*ports, UNASSIGNED]
    registered = [h for h in households if h.registered_on <= period.end]
    return [
        weekly_counts(
            "registrations", ((h.registered_on, h.port or UNASSIGNED) for h in households), period, columns, k
        ),
        weekly_counts(
            "entries", ((h.entered_on, h.port or UNASSIGNED) for h in households if h.entered_on), period, columns, k
        ),
        waiting_time(registered, period.end, k),
        tier_shares(registered, k),
        representation(registered, k),
        response_times(escalations, offices, period, k),
        reception_rates(reception or ReceptionCounts(), k),
    ]


def memory_key(table: str, row: str, column: str, period_label: str) -> tuple[str, str, str]:
    """The key under which a cell is remembered from release to release. A week's cell is the same cell in
    every release that shows that week; a total over the period, or a measure of the whole period, is only the
    same cell in releases of the same period."""
    if table in ("registrations", "entries") and row != TOTAL:
        return (table, row, column)
    return (f"{table}@{period_label}", row, column)


def stabilised(
    tables: Sequence[Table], previous: Mapping[tuple[str, str, str], Cell], period_label: str, k: int = K
) -> list[Table]:
    """The tables with each cell kept as last published unless its basis moved by k or more; then lines of a
    counts table left with a single hidden cell get a second one (the mix of old and new must not reveal it)."""
    out = []
    for table in tables:
        cells = {
            key: stabilise(previous.get(memory_key(table.name, *key, period_label)), cell, k)
            for key, cell in table.cells.items()
        }
        if table.structure is not None:
            _recomplete(table.structure, cells)
        out.append(Table(table.name, table.rows, table.columns, cells, table.structure))
    return out


def _recomplete(structure: CountTable, cells: dict[tuple[str, str], Cell]) -> None:
    changed = True
    while changed:
        changed = False
        for line in structure.lines():
            hidden = [key for key in line if cells[key].status == SUPPRESSED]
            if len(hidden) != 1:
                continue
            shown = [key for key in line if cells[key].status == PUBLISHED]
            if not shown:
                continue
            shown.sort(key=lambda key: (TOTAL in key, cells[key].value == 0, cells[key].value or 0, key))
            chosen = shown[0]
            cells[chosen] = Cell(None, SUPPRESSED, cells[chosen].basis)
            changed = True
