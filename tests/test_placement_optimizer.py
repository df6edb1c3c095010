"""The placement optimizer (issue 18): every constraint, infeasibility diagnosis, optimality, the bound."""

from __future__ import annotations

import itertools
import random
from collections.abc import Mapping, Sequence

import pytest

from refugio.placement.optimizer import (
    Case,
    Choice,
    Destination,
    Infeasible,
    explain,
    greedy,
    lp_bound,
    place,
)

Scores = dict[tuple[str, str], float]


def violations(
    cases: Sequence[Case],
    destinations: Sequence[Destination],
    scores: Mapping[tuple[str, str], float],
    assignment: Mapping[str, str],
    fixed: Mapping[str, str] | None = None,
) -> list[str]:
    """Every rule of the contract, checked independently of the optimizer."""
    fixed = fixed or {}
    problems = []
    if set(assignment) != {c.id for c in cases}:
        problems.append("not every case placed exactly once")
    by_id = {d.id: d for d in destinations}
    people = dict.fromkeys(by_id, 0)
    needs: dict[tuple[str, str], int] = {}
    for case in cases:
        destination = assignment.get(case.id)
        if destination is None:
            continue
        if (case.id, destination) not in scores:
            problems.append(f"{case.id} at unscored {destination}")
        target = fixed.get(case.id, case.tie_destination)
        if target is not None and destination != target:
            problems.append(f"{case.id} not at {target}")
        people[destination] += case.size
        for need in case.needs:
            needs[(destination, need)] = needs.get((destination, need), 0) + 1
    for destination_id, used in people.items():
        if used > by_id[destination_id].capacity:
            problems.append(f"{destination_id} over capacity")
    for (destination_id, need), used in needs.items():
        if used > by_id[destination_id].need_capacity.get(need, 0):
            problems.append(f"{destination_id} over {need}")
    return problems


def brute_force(
    cases: Sequence[Case],
    destinations: Sequence[Destination],
    scores: Mapping[tuple[str, str], float],
    fixed: Mapping[str, str] | None = None,
) -> float | None:
    best = None
    options = [[d.id for d in destinations if (c.id, d.id) in scores] for c in cases]
    for combination in itertools.product(*options):
        assignment = {c.id: d for c, d in zip(cases, combination, strict=True)}
        if not violations(cases, destinations, scores, assignment, fixed):
            total = sum(scores[(c, d)] for c, d in assignment.items())
            best = total if best is None else max(best, total)
    return best


def random_instance(
    seed: int, n_cases: int = 6, n_destinations: int = 3
) -> tuple[list[Case], list[Destination], Scores]:
    rng = random.Random(seed)
    needs = ["medical", "school"]
    cases = []
    for i in range(n_cases):
        case_needs = frozenset(n for n in needs if rng.random() < 0.3)
        tie = f"D{rng.randrange(n_destinations)}" if rng.random() < 0.15 else None
        cases.append(Case(f"C{i}", rng.randint(1, 4), tie, case_needs))
    destinations = [
        Destination(f"D{j}", rng.randint(3, 9), {n: rng.randint(0, 2) for n in needs if rng.random() < 0.8})
        for j in range(n_destinations)
    ]
    scores = {
        (c.id, d.id): round(rng.uniform(0, 3), 2)
        for c in cases
        for d in destinations
        if rng.random() < 0.75 or d.id == c.tie_destination
    }
    return cases, destinations, scores


# --- each constraint ---------------------------------------------------------------------------------


def test_people_capacity_sends_the_second_case_elsewhere() -> None:
    cases = [Case("A", 3), Case("B", 3)]
    destinations = [Destination("D1", 4), Destination("D2", 10)]
    scores = {("A", "D1"): 5.0, ("B", "D1"): 4.0, ("A", "D2"): 1.0, ("B", "D2"): 1.0}
    result = place(cases, destinations, scores)
    assert result.assignment == {"A": "D1", "B": "D2"}
    assert result.objective == pytest.approx(6.0)


def test_need_capacity_limits_cases_with_that_need() -> None:
    cases = [Case("A", 1, None, frozenset({"medical"})), Case("B", 1, None, frozenset({"medical"}))]
    destinations = [Destination("D1", 10, {"medical": 1}), Destination("D2", 10, {"medical": 5})]
    scores = {("A", "D1"): 5.0, ("B", "D1"): 4.0, ("A", "D2"): 1.0, ("B", "D2"): 1.0}
    assert place(cases, destinations, scores).assignment == {"A": "D1", "B": "D2"}


def test_a_destination_without_a_need_column_takes_no_case_with_that_need() -> None:
    cases = [Case("A", 1, None, frozenset({"wheelchair"}))]
    destinations = [Destination("D1", 10, {}), Destination("D2", 10, {"wheelchair": 1})]
    scores = {("A", "D1"): 9.0, ("A", "D2"): 1.0}
    assert place(cases, destinations, scores).assignment == {"A": "D2"}


def test_a_family_tie_wins_over_a_better_score() -> None:
    cases = [Case("A", 2, "D2")]
    destinations = [Destination("D1", 10), Destination("D2", 10)]
    scores = {("A", "D1"): 9.0, ("A", "D2"): 1.0}
    result = place(cases, destinations, scores)
    assert result.assignment == {"A": "D2"}


def test_a_pair_without_a_score_is_not_allowed() -> None:
    cases = [Case("A", 1), Case("B", 1)]
    destinations = [Destination("D1", 10), Destination("D2", 10)]
    scores = {("A", "D2"): 0.0, ("B", "D1"): 1.0, ("B", "D2"): 2.0}  # A has a zero score at D2, none at D1
    assert place(cases, destinations, scores).assignment == {"A": "D2", "B": "D2"}


def test_every_case_is_placed_even_at_a_score_of_zero() -> None:
    cases = [Case(f"C{i}", 1) for i in range(5)]
    destinations = [Destination("D1", 2), Destination("D2", 3)]
    scores = {(f"C{i}", "D1"): 1.0 for i in range(5)} | {(f"C{i}", "D2"): 0.0 for i in range(5)}
    result = place(cases, destinations, scores)
    assert len(result.assignment) == 5
    assert sum(d == "D1" for d in result.assignment.values()) == 2
    assert result.objective == pytest.approx(2.0)


def test_an_override_is_kept_and_the_rest_re_solved_around_it() -> None:
    cases = [Case("A", 3), Case("B", 3)]
    destinations = [Destination("D1", 4), Destination("D2", 10)]
    scores = {("A", "D1"): 5.0, ("B", "D1"): 4.0, ("A", "D2"): 1.0, ("B", "D2"): 1.0}
    result = place(cases, destinations, scores, fixed={"B": "D1"})
    assert result.assignment == {"A": "D2", "B": "D1"}
    assert result.objective == pytest.approx(5.0)


def test_an_override_wins_over_a_tie() -> None:
    cases = [Case("A", 1, "D1")]
    destinations = [Destination("D1", 4), Destination("D2", 4)]
    scores = {("A", "D1"): 5.0, ("A", "D2"): 1.0}
    assert place(cases, destinations, scores, fixed={"A": "D2"}).assignment == {"A": "D2"}


# --- infeasible instances: which constraint -----------------------------------------------------------


def diagnose(cases: list[Case], destinations: list[Destination], scores: Scores, **kwargs: object) -> Infeasible:
    with pytest.raises(Infeasible) as caught:
        place(cases, destinations, scores, **kwargs)  # type: ignore[arg-type]
    return caught.value


def test_infeasible_total_capacity() -> None:
    cases = [Case("A", 3), Case("B", 3)]
    destinations = [Destination("D1", 4), Destination("D2", 1)]
    error = diagnose(cases, destinations, {("A", "D1"): 1.0, ("B", "D1"): 1.0, ("B", "D2"): 1.0})
    assert error.constraint == "capacity" and error.kind == "capacity"
    assert "6 people" in error.message and "room for 5" in error.message


def test_infeasible_need_total() -> None:
    cases = [Case(x, 1, None, frozenset({"medical"})) for x in "ABC"]
    destinations = [Destination("D1", 10, {"medical": 1}), Destination("D2", 10, {"medical": 1})]
    scores = {(x, d): 1.0 for x in "ABC" for d in ("D1", "D2")}
    error = diagnose(cases, destinations, scores)
    assert error.constraint == "need:medical" and error.subject == "medical"
    assert "3 cases need medical" in error.message


def test_infeasible_tie_without_a_score() -> None:
    error = diagnose([Case("A", 1, "D2")], [Destination("D1", 5), Destination("D2", 5)], {("A", "D1"): 1.0})
    assert error.constraint == "tie:A"
    assert "no score" in error.message


def test_infeasible_ties_beyond_capacity() -> None:
    cases = [Case("A", 3, "D1"), Case("B", 3, "D1")]
    destinations = [Destination("D1", 5), Destination("D2", 10)]
    scores = {(x, d): 1.0 for x in "AB" for d in ("D1", "D2")}
    error = diagnose(cases, destinations, scores)
    assert error.constraint == "tie:B"
    assert "D1 must take 6 people" in error.message


def test_infeasible_case_without_an_allowed_destination() -> None:
    cases = [Case("A", 1), Case("B", 1)]
    error = diagnose(cases, [Destination("D1", 5)], {("A", "D1"): 1.0})
    assert error.constraint == "no allowed destination: B" and error.kind == "no allowed destination"
    assert "no destination has a score" in error.message


def test_infeasible_when_no_scored_destination_can_ever_take_the_case() -> None:
    cases = [Case("A", 6, None, frozenset({"medical"}))]
    destinations = [Destination("D1", 5, {"medical": 1}), Destination("D2", 10, {})]
    error = diagnose(cases, destinations, {("A", "D1"): 1.0, ("A", "D2"): 1.0})
    assert error.constraint == "no allowed destination: A"
    assert "room for 6 people" in error.message and "medical" in error.message


def test_infeasible_override_to_an_unscored_pair() -> None:
    error = diagnose(
        [Case("A", 1)], [Destination("D1", 5), Destination("D2", 5)], {("A", "D1"): 1.0}, fixed={"A": "D2"}
    )
    assert error.constraint == "fixed:A"


def test_infeasible_combination_of_constraints() -> None:
    # Each case fits on its own and there is room in total, but both can only go to D1, which fits one.
    cases = [Case("A", 2), Case("B", 2)]
    destinations = [Destination("D1", 3), Destination("D2", 10)]
    error = diagnose(cases, destinations, {("A", "D1"): 1.0, ("B", "D1"): 1.0})
    assert error.constraint == "combination"


def test_infeasible_only_in_whole_cases() -> None:
    # Room for 6 people in two places of 3; three households of 2 fit fractionally, not whole.
    cases = [Case(x, 2) for x in "ABC"]
    destinations = [Destination("D1", 3), Destination("D2", 3)]
    scores = {(x, d): 1.0 for x in "ABC" for d in ("D1", "D2")}
    for method in ("exact", "lp-repair"):
        assert diagnose(cases, destinations, scores, method=method).constraint == "combination"


# --- optimality and the bound --------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(40))
def test_optimal_against_brute_force_and_the_bound_holds(seed: int) -> None:
    cases, destinations, scores = random_instance(seed)
    best = brute_force(cases, destinations, scores)
    if best is None:
        with pytest.raises(Infeasible):
            place(cases, destinations, scores)
        return
    result = place(cases, destinations, scores)
    assert not violations(cases, destinations, scores, result.assignment)
    assert result.objective == pytest.approx(best, abs=1e-6)
    assert result.bound >= best - 1e-6
    assert 0 <= result.gap <= 1
    assert result.gap == pytest.approx((result.bound - result.objective) / result.bound if result.bound else 0.0)


@pytest.mark.parametrize("seed", range(10))
def test_overrides_against_brute_force(seed: int) -> None:
    cases, destinations, scores = random_instance(100 + seed)
    rng = random.Random(seed)
    case = rng.choice(cases)
    options = [d for (c, d) in scores if c == case.id]
    if not options:
        return
    fixed = {case.id: rng.choice(options)}
    best = brute_force(cases, destinations, scores, fixed)
    if best is None:
        with pytest.raises(Infeasible):
            place(cases, destinations, scores, fixed=fixed)
        return
    result = place(cases, destinations, scores, fixed=fixed)
    assert result.assignment[case.id] == fixed[case.id]
    assert result.objective == pytest.approx(best, abs=1e-6)


@pytest.mark.parametrize("seed", range(3))
def test_the_large_instance_method_is_feasible_and_close_to_its_bound(seed: int) -> None:
    cases, destinations, scores = random_instance(seed, n_cases=300, n_destinations=12)
    # Enough room that ties and needs can be met.
    destinations = [Destination(d.id, d.capacity * 40, {n: 30 for n in ("medical", "school")}) for d in destinations]
    scores |= {(c.id, c.tie_destination): 1.0 for c in cases if c.tie_destination}
    result = place(cases, destinations, scores, method="lp-repair")
    assert not violations(cases, destinations, scores, result.assignment)
    assert result.method.startswith("lp-repair")
    exact = place(cases, destinations, scores, method="exact")
    assert result.bound >= exact.objective - 1e-6
    assert result.objective <= exact.objective + 1e-6
    assert result.gap < 0.01
    bound, seconds = lp_bound(cases, destinations, scores)
    assert bound == pytest.approx(result.bound, rel=1e-6) and seconds > 0


# --- explanations and the greedy baseline ---------------------------------------------------------------


def test_explanation_gives_the_tie_the_needs_and_the_next_best_option() -> None:
    cases = [Case("A", 2, "D2", frozenset({"school"})), Case("B", 1)]
    destinations = [
        Destination("D1", 10, {"school": 1}),
        Destination("D2", 10, {"school": 1}),
        Destination("D3", 1),
        Destination("D4", 10, {"school": 1}),
    ]
    scores = {("A", "D4"): 0.5, ("A", "D1"): 3.0, ("A", "D2"): 1.0, ("A", "D3"): 8.0, ("B", "D1"): 1.0}
    result = place(cases, destinations, scores)
    why = result.explain("A")
    assert why.chosen == Choice("D2", 1.0)
    # D3 scores more but could never take A (no room for 2, no school places): D1 is the next best.
    assert why.next_best == Choice("D1", 3.0)
    assert why.tie == "D2" and why.needs == frozenset({"school"})
    assert result.explain("B").next_best is None
    assert explain(result, cases, scores, "A").chosen == why.chosen


def test_greedy_in_order_of_arrival_can_do_worse() -> None:
    cases = [Case("A", 1), Case("B", 1)]
    destinations = [Destination("D1", 1), Destination("D2", 1)]
    scores = {("A", "D1"): 2.0, ("A", "D2"): 1.9, ("B", "D1"): 2.0, ("B", "D2"): 0.0}
    assignment, total = greedy(cases, destinations, scores)
    assert assignment == {"A": "D1", "B": "D2"} and total == pytest.approx(2.0)  # B gets what A left
    assert place(cases, destinations, scores).objective == pytest.approx(3.9)
