"""Microdata for partners: one row per household, generalised, checked for k-anonymity and l-diversity, with its
re-identification risk. Pure: plain rows in, rows and a report out (no Django).

What a row holds (never a name, a code, an id, a date of birth or free text):

- quasi-identifiers, generalised (someone who knows a family could match them): the head of household's age
  band and sex, nationality (grouped to its region where fewer than k households share it), the month of
  registration and the port of entry;
- measures: days waited, banded (to entry, or so far), the priority tier, entered yes/no, represented yes/no.

The method (statistical disclosure control as in sdcMicro, which the Humanitarian Data Exchange uses):

1. Global recoding. The rows are generalised at the first level of `LEVELS` that works, from the most detailed
   (month, nationality, five age bands, port) to the coarsest (year, world region, three age bands, no port).
2. Local suppression. An *equivalence class* is the set of rows sharing every quasi-identifier. Rows in a class
   smaller than k are left out ("suppressed"), so every row of the file looks like at least k - 1 others.
3. l-diversity (distinct). In every class each sensitive attribute (by default: entered, and the waiting band)
   must take at least l different values; otherwise whoever knows that a person is in the class learns it.
4. A level works when k and l hold and no more than `max_suppressed` of the rows had to be left out. If no level
   works, nothing is written (`Unachievable`).
5. Risk. A row's re-identification risk is 1 / the size of its class (a record unique on its quasi-identifiers
   has risk 1); the file's global risk is the mean of those (the expected share of rows re-identified). The
   Humanitarian Data Exchange asks for a global risk under 3%.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from refugio.spreadsheets import SafeWriter

HDX_GLOBAL_RISK = 0.03  # the Humanitarian Data Exchange's threshold for the global risk

QUASI_IDENTIFIERS = ("age_band", "sex", "nationality", "registered", "port")
MEASURES = ("waiting_days", "tier", "entered", "represented")
COLUMNS = (*QUASI_IDENTIFIERS, *MEASURES)
SENSITIVE = ("entered", "waiting_days")

# UN M49 sub-regions of the nationalities met at the border, broader for the rest of the world.
_REGIONS: dict[str, tuple[str, ...]] = {
    "Central America": ("BZ", "CR", "GT", "HN", "MX", "NI", "PA", "SV"),
    "Caribbean": ("AG", "BB", "BS", "CU", "DM", "DO", "GD", "HT", "JM", "KN", "LC", "TT", "VC"),
    "South America": ("AR", "BO", "BR", "CL", "CO", "EC", "GY", "PE", "PY", "SR", "UY", "VE"),
    "Northern America": ("CA", "US"),
    "Africa": tuple(
        "AO BF BI BJ CD CF CG CI CM DZ EG ER ET GA GH GM GN GQ GW KE LR LY MA MG ML MR MW MZ NE NG "
        "RW SD SL SN SO SS TD TG TN TZ UG ZA ZM ZW".split()
    ),
    "Asia": tuple(
        "AF AM AZ BD CN GE ID IN IQ IR JO JP KG KH KR KZ LB LK MM MN MY NP PH PK SA SY TH TJ TM TR UZ VN YE".split()
    ),
    "Europe": ("AL", "BY", "DE", "ES", "FR", "GB", "IT", "MD", "PL", "PT", "RO", "RU", "UA"),
    "Oceania": ("AU", "FJ", "NZ", "PG"),
}
REGION_OF = {code: region for region, codes in _REGIONS.items() for code in codes}
UNKNOWN = "unknown"
OTHER = "other"
ANY = "any"


@dataclass(frozen=True)
class SourceRow:
    """One household as the export sees it (no identifier of any kind)."""

    registered_on: dt.date
    nationality: str  # the head of household's, ISO 3166 alpha-2, or ""
    sex: str  # the head of household's
    birth_year: int | None  # the head of household's
    port: str | None  # of its newest published appointment
    tier: int | None
    entered: bool
    waiting_days: int  # registration to entry, or to the day of the export if still waiting
    represented: bool


@dataclass(frozen=True)
class Level:
    """How coarse the quasi-identifiers are."""

    name: str
    period: str  # "month", "quarter" or "year"
    nationality: str  # "rare_to_region", "region" or "americas"
    ages: str  # "five" or "three"
    port: bool


LEVELS = (
    Level("detailed", "month", "rare_to_region", "five", True),
    Level("coarser", "quarter", "region", "five", True),
    Level("coarse", "quarter", "region", "three", False),
    Level("coarsest", "year", "americas", "three", False),
)


def age_band(birth_year: int | None, year: int, ages: str = "five") -> str:
    if birth_year is None:
        return UNKNOWN
    age = year - birth_year
    if ages == "three":
        return "0-17" if age < 18 else "18-59" if age < 60 else "60+"
    for top, label in ((18, "0-17"), (30, "18-29"), (45, "30-44"), (60, "45-59")):
        if age < top:
            return label
    return "60+"


def waiting_band(days: int) -> str:
    for top, label in ((30, "0-29"), (90, "30-89"), (180, "90-179")):
        if days < top:
            return label
    return "180+"


def region(nationality: str) -> str:
    if not nationality:
        return UNKNOWN
    return REGION_OF.get(nationality.upper(), OTHER)


def _period(day: dt.date, period: str) -> str:
    if period == "month":
        return f"{day.year}-{day.month:02d}"
    if period == "quarter":
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    return str(day.year)


def _tier(tier: int | None) -> str:
    return "not assessed" if tier is None else str(min(max(tier, 1), 4))


def generalise(rows: Sequence[SourceRow], level: Level, k: int) -> list[dict[str, str]]:
    """The rows as the file would hold them at this level (every value a word or a band)."""
    nationality_counts = Counter(r.nationality.upper() for r in rows)
    region_counts = Counter(region(r.nationality) for r in rows)
    out = []
    for r in rows:
        code = r.nationality.upper()
        if level.nationality == "americas":
            nationality = "Americas" if region(code) in _AMERICAS else OTHER if code else UNKNOWN
        elif level.nationality == "region" or nationality_counts[code] < k:
            nationality = region(code)
            if level.nationality == "rare_to_region" and region_counts[nationality] < k and nationality != UNKNOWN:
                nationality = OTHER
        else:
            nationality = code or UNKNOWN
        out.append(
            {
                "age_band": age_band(r.birth_year, r.registered_on.year, level.ages),
                "sex": r.sex or UNKNOWN,
                "nationality": nationality,
                "registered": _period(r.registered_on, level.period),
                "port": (r.port or "none") if level.port else ANY,
                "waiting_days": waiting_band(r.waiting_days),
                "tier": _tier(r.tier),
                "entered": "yes" if r.entered else "no",
                "represented": "yes" if r.represented else "no",
            }
        )
    return out


_AMERICAS = ("Central America", "Caribbean", "South America", "Northern America")


def _key(record: Mapping[str, str], quasi: Sequence[str]) -> tuple[str, ...]:
    return tuple(record[q] for q in quasi)


@dataclass(frozen=True)
class Assessment:
    """What a table achieves: its k (smallest class), its l (fewest distinct sensitive values in a class), and
    its re-identification risk (per row 1 / class size: the largest, and the mean, which is the global risk)."""

    rows: int
    classes: int
    k: int
    diversity: int  # the l of l-diversity
    max_risk: float
    global_risk: float

    @property
    def expected_reidentifications(self) -> float:
        return self.global_risk * self.rows

    @property
    def within_hdx_threshold(self) -> bool:
        return self.global_risk < HDX_GLOBAL_RISK


def assess(
    records: Sequence[Mapping[str, str]],
    quasi: Sequence[str] = QUASI_IDENTIFIERS,
    sensitive: Sequence[str] = SENSITIVE,
) -> Assessment:
    if not records:
        return Assessment(0, 0, 0, 0, 0.0, 0.0)
    sizes = Counter(_key(r, quasi) for r in records)
    values: dict[tuple[str, ...], dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for r in records:
        for s in sensitive:
            values[_key(r, quasi)][s].add(r[s])
    diversity = min((len(values[c][s]) for c in sizes for s in sensitive), default=len(records))
    risks = [1 / sizes[_key(r, quasi)] for r in records]
    return Assessment(
        rows=len(records),
        classes=len(sizes),
        k=min(sizes.values()),
        diversity=diversity,
        max_risk=max(risks),
        global_risk=sum(risks) / len(risks),
    )


def suppress_small_classes(
    records: Sequence[Mapping[str, str]], k: int, quasi: Sequence[str] = QUASI_IDENTIFIERS
) -> list[Mapping[str, str]]:
    """The records whose equivalence class has at least k members (local suppression of the others)."""
    sizes = Counter(_key(r, quasi) for r in records)
    return [r for r in records if sizes[_key(r, quasi)] >= k]


@dataclass(frozen=True)
class Report:
    requested_k: int
    requested_l: int
    level: str
    source_rows: int
    suppressed: int
    achieved: Assessment

    def lines(self) -> list[str]:
        a = self.achieved
        return [
            f"Generalisation: {self.level}",
            f"Records: {a.rows} written, {self.suppressed} suppressed of {self.source_rows}",
            f"k-anonymity: k = {a.k} (requested {self.requested_k}), {a.classes} equivalence classes",
            f"l-diversity of {', '.join(SENSITIVE)}: l = {a.diversity} (requested {self.requested_l})",
            f"Re-identification risk per record (1/class size): max {a.max_risk:.1%}",
            f"Global risk (mean): {a.global_risk:.2%}, about {a.expected_reidentifications:.1f} records; "
            f"HDX threshold {HDX_GLOBAL_RISK:.0%}: {'below' if a.within_hdx_threshold else 'NOT below'}",
        ]


class Unachievable(Exception):  # noqa: N818 - the name says what happened
    """No generalisation level reaches the requested k and l within the suppression limit."""

    def __init__(self, message: str, best: Report | None) -> None:
        super().__init__(message)
        self.best = best


def anonymise(
    rows: Sequence[SourceRow], *, k: int = 5, diversity: int = 2, max_suppressed: float = 0.2
) -> tuple[list[Mapping[str, str]], Report]:
    """The rows generalised at the first level that reaches k and l with at most `max_suppressed` of them left
    out, and the report. Raises Unachievable (writing nothing) when no level does."""
    if k < 2 or diversity < 1:
        raise Unachievable("k must be at least 2 and l at least 1.", None)
    best: Report | None = None
    for level in LEVELS:
        kept = suppress_small_classes(generalise(rows, level, k), k)
        report = Report(k, diversity, level.name, len(rows), len(rows) - len(kept), assess(kept))
        if best is None or (report.achieved.diversity, -report.suppressed) > (
            best.achieved.diversity,
            -best.suppressed,
        ):
            best = report
        enough = kept and len(kept) >= k and report.suppressed <= max_suppressed * len(rows)
        if enough and report.achieved.k >= k and report.achieved.diversity >= diversity:
            return kept, report
    reason = (
        "no record is left"
        if best is None or best.achieved.rows == 0
        else f"the best level ({best.level}) reaches l = {best.achieved.diversity} and suppresses {best.suppressed} of "
        f"{best.source_rows} records"
    )
    raise Unachievable(
        f"Cannot reach k = {k} and l = {diversity} with at most {max_suppressed:.0%} of the records suppressed: "
        f"{reason}. Nothing was written.",
        best,
    )


def to_csv(records: Iterable[Mapping[str, str]]) -> str:
    out = io.StringIO()
    writer = SafeWriter(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for record in records:
        writer.writerow([record[c] for c in COLUMNS])
    return out.getvalue()
