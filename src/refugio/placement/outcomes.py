"""Expected outcomes of placing a case at a destination, learned from (synthetic) history. No Django import.

The score the optimizer maximizes is a prediction: the expected number of a case's members employed within
90 days at a destination. A gradient-boosted regression (scikit-learn, Poisson loss, so never negative) learns
it from past placements: what the case brought (working-age adults, size, English, years of schooling, prior
work sector) and what the destination offered (unemployment, language services, the local partner's caseload,
and how much local demand there is for the case's sector). Nationality, religion and race are never features:
`CaseProfile` has no field for them, `FORBIDDEN` lists them, and `train` refuses a feature that names one.
Those groups enter only `fairness_by_group`, which reports how the resulting allocation treats each.

The agency picks the outcome a run maximizes (`OUTCOMES`): members employed within 90 days, or children
enrolled in school within 90 days. Each is its own model on the same features, trained and validated the
same way; a prediction never exceeds the members it counts (adults of working age, or the other members).

Predictions are advice for an allocation team, not a decision: `validation` says how far off they are on
held-out history (MAE, R², a calibration table by decile).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.metrics import mean_absolute_error, r2_score

SECTORS = ("none", "agriculture", "construction", "manufacturing", "services", "care", "professional")
# Never a feature, nor part of one's name.
FORBIDDEN = frozenset({"nationality", "religion", "race", "ethnicity", "country", "origin", "citizenship"})
FEATURES: tuple[str, ...] = (
    "working_age_adults",
    "size",
    "speaks_english",
    "years_of_schooling",
    *(f"prior_sector_{s}" for s in SECTORS),
    "destination_unemployment_rate",
    "destination_language_services",
    "destination_partner_caseload",
    "destination_demand_for_prior_sector",
)
EMPLOYED_90_DAYS = "employed_90_days"  # members employed within 90 days
SCHOOL_90_DAYS = "school_90_days"  # children (members not of working age) enrolled in school within 90 days
OUTCOMES = (EMPLOYED_90_DAYS, SCHOOL_90_DAYS)
GROUPS = ("Group A", "Group B", "Group C", "Group D", "Group E")  # synthetic nationalities, for the report only


@dataclass(frozen=True)
class CaseProfile:
    id: str
    size: int
    working_age_adults: int
    speaks_english: bool
    years_of_schooling: float  # the mean of the adults
    prior_sector: str  # one of SECTORS


@dataclass(frozen=True)
class DestinationProfile:
    id: str
    unemployment_rate: float  # 0..1
    language_services: bool
    partner_caseload: float  # open cases per caseworker at the local partner
    sector_demand: Mapping[str, float] = field(default_factory=dict)  # sector -> share of local job openings


@dataclass(frozen=True)
class History:
    cases: list[CaseProfile]
    destinations: list[DestinationProfile]
    placed_at: list[str]  # per case, the destination it went to
    employed_90_days: list[int]  # per case, members employed within 90 days
    groups: dict[str, str]  # case id -> synthetic nationality; never given to the model
    school_90_days: list[int] = field(default_factory=list)  # per case, children enrolled within 90 days

    def observed(self, outcome: str) -> list[int]:
        if outcome == EMPLOYED_90_DAYS:
            return self.employed_90_days
        if outcome == SCHOOL_90_DAYS:
            return self.school_90_days
        raise ValueError(f"unknown outcome {outcome!r}; one of {OUTCOMES}")


@dataclass(frozen=True)
class CalibrationRow:
    decile: int  # 1 = the lowest tenth of predictions
    cases: int
    mean_predicted: float
    mean_observed: float


@dataclass(frozen=True)
class Validation:
    train_cases: int
    held_out_cases: int
    mae: float  # members employed, on the held-out cases
    r2: float
    calibration: tuple[CalibrationRow, ...]


@dataclass(frozen=True)
class GroupFairness:
    cases: int
    mean_score: float  # the mean predicted outcome at the assigned destination
    share_at_best: float  # share of cases placed at their best-scoring allowed destination


def _sigmoid(x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    return 1 / (1 + np.exp(-x))


def synthetic_profiles(
    n_cases: int, n_destinations: int, seed: int = 0, *, prefix: str = "C"
) -> tuple[list[CaseProfile], list[DestinationProfile], dict[str, str]]:
    """Synthetic cases and destinations, and a synthetic nationality per case (for the fairness report).
    The groups differ in English and schooling, so outcomes differ by group without the group being a cause."""
    rng = np.random.default_rng(seed)
    destinations = []
    for j in range(n_destinations):
        demand = rng.dirichlet(np.ones(len(SECTORS) - 1))
        destinations.append(
            DestinationProfile(
                f"D{j:03d}",
                round(float(rng.uniform(0.02, 0.12)), 3),
                bool(rng.random() < 0.5),
                round(float(rng.uniform(10, 60)), 1),
                {s: round(float(d), 3) for s, d in zip(SECTORS[1:], demand, strict=True)},
            )
        )
    cases, groups = [], {}
    english_by_group = (0.7, 0.4, 0.2, 0.5, 0.3)
    schooling_by_group = (12.0, 9.0, 6.0, 10.0, 8.0)
    for i in range(n_cases):
        g = int(rng.integers(len(GROUPS)))
        size = int(rng.integers(1, 9))
        adults = min(size, int(rng.integers(1, 4)))
        case_id = f"{prefix}{i:05d}"
        cases.append(
            CaseProfile(
                case_id,
                size,
                adults,
                bool(rng.random() < english_by_group[g]),
                round(float(np.clip(rng.normal(schooling_by_group[g], 3), 0, 20)), 1),
                SECTORS[int(rng.integers(len(SECTORS)))],
            )
        )
        groups[case_id] = GROUPS[g]
    return cases, destinations, groups


def _true_rate(case: CaseProfile, destination: DestinationProfile) -> float:
    """The synthetic world's chance that an adult of the case works within 90 days at the destination."""
    demand = destination.sector_demand.get(case.prior_sector, 0.0)
    x = (
        -0.9
        + 0.9 * case.speaks_english
        + 0.07 * (case.years_of_schooling - 9)
        + 3.0 * demand
        - 12.0 * (destination.unemployment_rate - 0.06)
        + 0.6 * destination.language_services * (not case.speaks_english)
        - 0.015 * (destination.partner_caseload - 30)
        - 0.3 * (case.prior_sector == "none")
    )
    return float(_sigmoid(np.array(x)))


def _true_school_rate(case: CaseProfile, destination: DestinationProfile) -> float:
    """The synthetic world's chance that a child of the case is in school within 90 days at the destination:
    interpreting and a partner with time for the family matter most; the labour market hardly."""
    x = (
        0.4
        + 0.5 * case.speaks_english
        + 0.05 * (case.years_of_schooling - 9)
        + 0.9 * destination.language_services * (not case.speaks_english)
        - 0.03 * (destination.partner_caseload - 30)
        - 3.0 * (destination.unemployment_rate - 0.06)
    )
    return float(_sigmoid(np.array(x)))


def children(case: CaseProfile) -> int:
    return max(case.size - case.working_age_adults, 0)


def synthetic_history(n_cases: int = 4000, n_destinations: int = 60, seed: int = 0) -> History:
    """Past placements (at random, as a lottery would) and how many members of each case found work."""
    cases, destinations, groups = synthetic_profiles(n_cases, n_destinations, seed, prefix="H")
    rng = np.random.default_rng(seed + 1)
    placed_at, employed = [], []
    for case in cases:
        destination = destinations[int(rng.integers(len(destinations)))]
        placed_at.append(destination.id)
        employed.append(int(rng.binomial(case.working_age_adults, _true_rate(case, destination))))
    # A separate stream, so adding an outcome leaves the employment history as it was.
    school_rng = np.random.default_rng(seed + 2)
    by_id = {d.id: d for d in destinations}
    school = [
        int(school_rng.binomial(children(case), _true_school_rate(case, by_id[at])))
        for case, at in zip(cases, placed_at, strict=True)
    ]
    return History(cases, destinations, placed_at, employed, groups, school)


def _case_rows(cases: Sequence[CaseProfile]) -> npt.NDArray[np.float64]:
    sector_index = {s: k for k, s in enumerate(SECTORS)}
    rows = np.zeros((len(cases), 4 + len(SECTORS)))
    for i, c in enumerate(cases):
        rows[i, :4] = (c.working_age_adults, c.size, float(c.speaks_english), c.years_of_schooling)
        rows[i, 4 + sector_index.get(c.prior_sector, 0)] = 1.0
    return rows


def _features(
    cases: Sequence[CaseProfile],
    destinations: Sequence[DestinationProfile],
    case_of: npt.NDArray[np.int64],
    destination_of: npt.NDArray[np.int64],
) -> npt.NDArray[np.float64]:
    case_part = _case_rows(cases)[case_of]
    destination_part = np.array(
        [(d.unemployment_rate, float(d.language_services), d.partner_caseload) for d in destinations]
    ).reshape(len(destinations), 3)[destination_of]
    demand = np.array([[d.sector_demand.get(s, 0.0) for s in SECTORS] for d in destinations]).reshape(
        len(destinations), len(SECTORS)
    )
    sector_of = np.argmax(case_part[:, 4 : 4 + len(SECTORS)], axis=1)
    match = demand[destination_of, sector_of]
    return np.column_stack([case_part, destination_part, match])


@dataclass
class OutcomeModel:
    features: tuple[str, ...]
    validation: Validation
    regressor: HistGradientBoostingRegressor = field(repr=False)
    outcome: str = EMPLOYED_90_DAYS

    def predict(
        self,
        cases: Sequence[CaseProfile],
        destinations: Sequence[DestinationProfile],
        allowed: Iterable[tuple[str, str]] | None = None,
    ) -> dict[tuple[str, str], float]:
        """The expected outcome (`self.outcome`) per (case, destination): every pair, or the `allowed`."""
        case_index = {c.id: i for i, c in enumerate(cases)}
        destination_index = {d.id: j for j, d in enumerate(destinations)}
        if allowed is None:
            pairs = [(c.id, d.id) for c in cases for d in destinations]
        else:
            pairs = [p for p in allowed if p[0] in case_index and p[1] in destination_index]
        if not pairs:
            return {}
        case_of = np.fromiter((case_index[c] for c, _ in pairs), dtype=np.int64, count=len(pairs))
        destination_of = np.fromiter((destination_index[d] for _, d in pairs), dtype=np.int64, count=len(pairs))
        predicted = np.empty(len(pairs))
        chunk = 500_000
        for start in range(0, len(pairs), chunk):
            part = slice(start, start + chunk)
            predicted[part] = self.regressor.predict(
                _features(cases, destinations, case_of[part], destination_of[part])
            )
        # Never more members than the outcome counts, never negative.
        counted = _counted(_case_rows(cases), self.outcome)[case_of]
        predicted = np.clip(predicted, 0.0, counted)
        return {pair: round(float(value), 4) for pair, value in zip(pairs, predicted, strict=True)}


def _calibration(predicted: npt.NDArray[np.float64], observed: npt.NDArray[np.float64]) -> tuple[CalibrationRow, ...]:
    order = np.argsort(predicted, kind="stable")
    rows = []
    for decile, part in enumerate(np.array_split(order, 10), start=1):
        if part.size:
            rows.append(
                CalibrationRow(decile, int(part.size), float(predicted[part].mean()), float(observed[part].mean()))
            )
    return tuple(rows)


def _counted(rows: npt.NDArray[np.float64], outcome: str) -> npt.NDArray[np.float64]:
    """Per feature row, how many members the outcome can count: adults of working age, or the others."""
    adults, size = rows[:, 0], rows[:, 1]
    return adults if outcome == EMPLOYED_90_DAYS else np.maximum(size - adults, 0.0)


def train(
    history: History | None = None,
    *,
    seed: int = 0,
    held_out_share: float = 0.25,
    outcome: str = EMPLOYED_90_DAYS,
) -> OutcomeModel:
    """Fit one outcome on past placements and validate on a held-out share of them (never seen in training)."""
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown outcome {outcome!r}; one of {OUTCOMES}")
    for name in FEATURES:
        if any(word in name.lower() for word in FORBIDDEN):
            raise ValueError(f"{name} may not be a feature: outcomes are never predicted from {sorted(FORBIDDEN)}")
    history = history or synthetic_history(seed=seed)
    destination_index = {d.id: j for j, d in enumerate(history.destinations)}
    case_of = np.arange(len(history.cases), dtype=np.int64)
    destination_of = np.array([destination_index[d] for d in history.placed_at], dtype=np.int64)
    x = _features(history.cases, history.destinations, case_of, destination_of)
    y = np.array(history.observed(outcome), dtype=np.float64)
    rng = np.random.default_rng(seed)
    held_out = rng.random(len(y)) < held_out_share
    regressor = HistGradientBoostingRegressor(
        loss="poisson", max_iter=200, learning_rate=0.05, max_leaf_nodes=15, random_state=seed
    )
    regressor.fit(x[~held_out], y[~held_out])
    predicted = np.clip(regressor.predict(x[held_out]), 0.0, _counted(x[held_out], outcome))
    validation = Validation(
        int((~held_out).sum()),
        int(held_out.sum()),
        float(mean_absolute_error(y[held_out], predicted)),
        float(r2_score(y[held_out], predicted)),
        _calibration(predicted, y[held_out]),
    )
    return OutcomeModel(FEATURES, validation, regressor, outcome)


def fairness_by_group(
    assignment: Mapping[str, str], groups: Mapping[str, str], scores: Mapping[tuple[str, str], float]
) -> dict[str, GroupFairness]:
    """Per group (e.g. nationality, supplied by the caller; never a feature): cases, the mean score at the
    destination assigned, and the share placed at their own best-scoring destination."""
    best: dict[str, float] = defaultdict(lambda: -math.inf)
    for (case_id, _), score in scores.items():
        if case_id in assignment and score > best[case_id]:
            best[case_id] = score
    totals: dict[str, list[float]] = defaultdict(lambda: [0, 0.0, 0])
    for case_id, destination_id in assignment.items():
        group = groups.get(case_id, "unknown")
        score = scores.get((case_id, destination_id), 0.0)
        row = totals[group]
        row[0] += 1
        row[1] += score
        row[2] += score >= best[case_id] - 1e-9
    return {
        group: GroupFairness(int(n), total / n, at_best / n)
        for group, (n, total, at_best) in sorted(totals.items())
        if n
    }
