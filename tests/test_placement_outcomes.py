"""Outcome predictions for placement (issue 18): no forbidden feature, validated on held-out history, fair report."""

from __future__ import annotations

import dataclasses

import pytest

from refugio.placement import outcomes
from refugio.placement.outcomes import (
    FORBIDDEN,
    CaseProfile,
    DestinationProfile,
    fairness_by_group,
    synthetic_history,
    synthetic_profiles,
    train,
)


@pytest.fixture(scope="module")
def model() -> outcomes.OutcomeModel:
    return train(synthetic_history(n_cases=3000, n_destinations=40, seed=5), seed=5)


@pytest.fixture(scope="module")
def school_model() -> outcomes.OutcomeModel:
    return train(synthetic_history(n_cases=3000, n_destinations=40, seed=5), seed=5, outcome=outcomes.SCHOOL_90_DAYS)


@pytest.mark.parametrize("outcome", outcomes.OUTCOMES)
def test_no_feature_is_nationality_religion_or_race(outcome: str) -> None:
    model = train(synthetic_history(n_cases=300, n_destinations=6, seed=2), seed=2, outcome=outcome)
    assert model.outcome == outcome
    for name in model.features:
        assert not any(word in name.lower() for word in FORBIDDEN), name
    # Nor can a case carry one to the model.
    for field in dataclasses.fields(CaseProfile):
        assert not any(word in field.name.lower() for word in FORBIDDEN), field.name
    assert {"nationality", "religion", "race"} <= FORBIDDEN


@pytest.mark.parametrize("outcome", outcomes.OUTCOMES)
def test_adding_a_forbidden_feature_is_refused(monkeypatch: pytest.MonkeyPatch, outcome: str) -> None:
    monkeypatch.setattr(outcomes, "FEATURES", (*outcomes.FEATURES, "country_of_origin"))
    with pytest.raises(ValueError, match="may not be a feature"):
        train(synthetic_history(n_cases=200, n_destinations=5, seed=1), outcome=outcome)


def test_an_unknown_outcome_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown outcome"):
        train(synthetic_history(n_cases=200, n_destinations=5, seed=1), outcome="income")


def test_school_enrolment_validated_on_held_out_history(school_model: outcomes.OutcomeModel) -> None:
    v = school_model.validation
    assert v.train_cases > v.held_out_cases > 500
    assert v.r2 > 0.3  # mostly the number of children, and interpreting for those without English
    for row in v.calibration:
        assert abs(row.mean_predicted - row.mean_observed) < 0.35


def test_school_enrolment_follows_interpreting_and_counts_only_children(
    school_model: outcomes.OutcomeModel, model: outcomes.OutcomeModel
) -> None:
    helped = DestinationProfile("helped", 0.11, True, 30, {"agriculture": 1.0})
    alone = DestinationProfile("alone", 0.03, False, 30, {"services": 1.0})
    case = CaseProfile("c1", 6, 2, False, 8, "services")
    school = school_model.predict([case], [helped, alone])
    work = model.predict([case], [helped, alone])
    # The two outcomes rank the destinations differently: the pick changes where a household is best off.
    assert school[("c1", "helped")] > school[("c1", "alone")]
    assert work[("c1", "alone")] > work[("c1", "helped")]
    assert all(0 <= s <= 4 for s in school.values())
    no_children = dataclasses.replace(case, id="c2", size=2)
    assert school_model.predict([no_children], [helped])[("c2", "helped")] == 0.0


def test_validation_on_held_out_history(model: outcomes.OutcomeModel) -> None:
    v = model.validation
    assert v.train_cases > v.held_out_cases > 500
    assert v.r2 > 0.2  # the synthetic world has a signal the model finds
    assert 0 < v.mae < 0.8
    assert [row.decile for row in v.calibration] == list(range(1, 11))
    assert sum(row.cases for row in v.calibration) == v.held_out_cases
    # Calibrated: each decile's mean prediction is close to what happened, and the deciles rise.
    for row in v.calibration:
        assert abs(row.mean_predicted - row.mean_observed) < 0.35
    assert v.calibration[-1].mean_observed > v.calibration[0].mean_observed + 0.8


def test_predictions_follow_the_destination_and_the_case(model: outcomes.OutcomeModel) -> None:
    strong = DestinationProfile("good", 0.03, True, 15, {"construction": 0.6, "services": 0.4})
    weak = DestinationProfile("poor", 0.12, False, 60, {"agriculture": 1.0})
    case = CaseProfile("c1", 4, 2, True, 12, "construction")
    scores = model.predict([case], [strong, weak])
    assert scores[("c1", "good")] > scores[("c1", "poor")]
    nobody = dataclasses.replace(case, id="c2", working_age_adults=0)
    assert model.predict([nobody], [strong])[("c2", "good")] == 0.0  # never more than the adults there are


def test_predict_only_the_allowed_pairs(model: outcomes.OutcomeModel) -> None:
    cases, destinations, _ = synthetic_profiles(5, 4, seed=2)
    allowed = [(cases[0].id, destinations[1].id), (cases[2].id, destinations[3].id), ("nobody", destinations[0].id)]
    scores = model.predict(cases, destinations, allowed)
    assert set(scores) == set(allowed[:2])
    assert all(0 <= s <= 3 for s in scores.values())
    assert len(model.predict(cases, destinations)) == 20


def test_training_is_seeded() -> None:
    history = synthetic_history(n_cases=400, n_destinations=8, seed=3)
    assert history == synthetic_history(n_cases=400, n_destinations=8, seed=3)
    assert train(history, seed=3).validation == train(history, seed=3).validation


def test_fairness_by_group() -> None:
    scores = {("a", "X"): 2.0, ("a", "Y"): 1.0, ("b", "X"): 1.0, ("b", "Y"): 3.0, ("c", "X"): 1.0}
    report = fairness_by_group({"a": "X", "b": "X", "c": "X"}, {"a": "G1", "b": "G2", "c": "G2"}, scores)
    assert report["G1"].cases == 1 and report["G1"].mean_score == 2.0 and report["G1"].share_at_best == 1.0
    assert report["G2"].cases == 2 and report["G2"].mean_score == 1.0 and report["G2"].share_at_best == 0.5
