"""Scores for the allocation from the outcome model (placement.outcomes): the expected number of members
employed within 90 days, or of children enrolled in school within 90 days (the outcome the allocating
organisation picks for a run), per household and destination, each model trained on synthetic past
placements once per process (nothing is downloaded).

From a household the model gets working-age adults, size and whether anyone speaks English. The record
holds no schooling or work history yet, so every household gets the same typical values (`SCHOOLING`,
`SECTOR`): the scores then rank destinations by what they offer more than by the household's skills.
Never nationality, religion or race; nationality is used only afterwards, for the fairness report.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from refugio.placement import outcomes
from refugio.placement.models import Outcome

SCHOOLING = 9.0  # years: the synthetic history's middle
SECTOR = "services"  # the most common prior work among arrivals; unknown in the record


@functools.lru_cache(maxsize=len(outcomes.OUTCOMES))
def outcome_model(outcome: str = Outcome.EMPLOYED_90_DAYS) -> outcomes.OutcomeModel:
    """Trained once per process and outcome on the synthetic history; validated on a held-out quarter of it."""
    return outcomes.train(seed=0, outcome=str(outcome))


def _case(case: Mapping[str, Any]) -> outcomes.CaseProfile:
    return outcomes.CaseProfile(
        id=case["id"],
        size=int(case["size"]),
        working_age_adults=int(case.get("adults", 1)),
        speaks_english=bool(case.get("english", False)),
        years_of_schooling=SCHOOLING,
        prior_sector=SECTOR,
    )


def _destination(destination: Mapping[str, Any]) -> outcomes.DestinationProfile:
    return outcomes.DestinationProfile(
        id=destination["id"],
        unemployment_rate=float(destination.get("unemployment_rate", 0.05)),
        language_services=any(
            n.startswith("language:") and count > 0 for n, count in destination["need_capacity"].items()
        ),
        partner_caseload=float(destination.get("partner_caseload", 30.0)),
        sector_demand=dict(destination.get("sector_demand", {})),
    )


def predict(
    model: outcomes.OutcomeModel, cases: Sequence[Mapping[str, Any]], destinations: Sequence[Mapping[str, Any]]
) -> dict[tuple[str, str], float]:
    """A score for every pair: every destination is allowed; capacity, needs and ties are the optimizer's."""
    return model.predict([_case(c) for c in cases], [_destination(d) for d in destinations])


FEATURE_WORDS = {
    "working_age_adults": lambda: _("Adults of working age in the household"),
    "size": lambda: _("Household size"),
    "speaks_english": lambda: _("Someone in the household speaks English"),
    "years_of_schooling": lambda: _("Years of schooling (not in the record yet: the same for everyone)"),
    "destination_unemployment_rate": lambda: _("Unemployment at the destination"),
    "destination_language_services": lambda: _("The local partner offers interpreting"),
    "destination_partner_caseload": lambda: _("The local partner's caseload per caseworker"),
    "destination_demand_for_prior_sector": lambda: _(
        "Local demand for the household's prior work (not in the record yet: the same for everyone)"
    ),
}


def summary(model: outcomes.OutcomeModel) -> dict[str, Any]:
    """What a page shows about the model, in the reader's language."""
    features: list[str] = []
    for name in model.features:
        if name.startswith("prior_sector_"):
            if not any(f == _("Prior work sector (not in the record yet: the same for everyone)") for f in features):
                features.append(_("Prior work sector (not in the record yet: the same for everyone)"))
            continue
        features.append(FEATURE_WORDS[name]() if name in FEATURE_WORDS else name)
    v = model.validation
    mean_error = (
        _("Mean error, children enrolled (held-out cases)")
        if model.outcome == Outcome.SCHOOL_90_DAYS
        else _("Mean error, members employed (held-out cases)")
    )
    return {
        "outcome": model.outcome,
        "outcome_label": str(Outcome(model.outcome).label),
        "features": features,
        "validation": [
            (mean_error, number_format(v.mae, 2)),
            (_("Share of the variation explained (R², held-out cases)"), number_format(v.r2, 2)),
            (_("Past placements trained on / held out"), f"{v.train_cases} / {v.held_out_cases}"),
        ],
        "calibration": [
            {"decile": r.decile, "cases": r.cases, "predicted": r.mean_predicted, "observed": r.mean_observed}
            for r in v.calibration
        ],
    }


def fairness(
    assignment: Mapping[str, str], groups: Mapping[str, str], scores: Mapping[tuple[str, str], float]
) -> list[dict[str, Any]]:
    """Per nationality: households, mean score where placed (outcomes.fairness_by_group), and the share
    placed at their own best-scoring destination. Counts and means only, never a person."""
    best: dict[str, float] = {}
    for (case_id, _destination), score in scores.items():
        best[case_id] = max(best.get(case_id, 0.0), score)
    at_best: dict[str, int] = {}
    for case_id, destination_id in assignment.items():
        if scores.get((case_id, destination_id), 0.0) >= best.get(case_id, 0.0) - 1e-9:
            group = groups.get(case_id, "unknown")
            at_best[group] = at_best.get(group, 0) + 1
    report = outcomes.fairness_by_group(assignment, groups, scores)
    return [
        {
            "group": group,
            "households": row.cases,
            "mean_score": round(row.mean_score, 3),
            "share_at_best": round(at_best.get(group, 0) / row.cases, 3),
        }
        for group, row in report.items()
    ]
