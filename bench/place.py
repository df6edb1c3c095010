"""Benchmark: the placement optimizer on a synthetic cohort (prints one JSON object per run).

    .venv/bin/python bench/place.py [--cases 20000] [--destinations 300] [--needs 5] [--seed 1] [--runs 1]

The cohort is realistic in shape: each case may go to 30-300 destinations (an absent pair is not allowed),
about 10% have a family tie, sizes 1-8, each need is carried by 5-20% of cases, and the destinations have
5-15% more places (people, and cases per need) than the cohort needs. The score of a pair is an expected
number of members employed within 90 days (working-age members x the destination's rate x a match factor).

Reported: the optimizer's objective, the LP bound and gap; its seconds against the LP relaxation alone
(`lp_seconds`, the same inputs to the same solver: building and solving, measured separately) and the ratio;
peak memory of the process; and a greedy allocation in order of arrival (each case to its best-scoring
destination with room), its objective, the cases it could not place and the optimizer's gain over it.
Targets (issue 18): objective >= 99.5% of the bound, ratio <= 3, under 4 GB.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from refugio.placement.optimizer import Case, Destination, greedy, lp_bound, peak_memory_mb, place

NEED_NAMES = ["medical", "school", "wheelchair", "language:dari", "mental-health", "legal", "housing", "elderly"]


def cohort(
    n_cases: int, n_destinations: int, n_needs: int, seed: int
) -> tuple[list[Case], list[Destination], dict[tuple[str, str], float]]:
    rng = np.random.default_rng(seed)
    needs = NEED_NAMES[:n_needs]
    prevalence = rng.uniform(0.05, 0.20, size=n_needs)
    size = rng.integers(1, 9, size=n_cases)
    working_age = np.minimum(size, rng.integers(1, 4, size=n_cases)) * rng.uniform(0.5, 1.0, size=n_cases)
    has_need = rng.random((n_cases, n_needs)) < prevalence
    rate = rng.uniform(0.2, 0.8, size=n_destinations)  # the destination's labour market
    offers = rng.random((n_destinations, n_needs)) < 0.6  # which destinations serve which needs
    offers[0] = True  # one destination serves every need, so every case has somewhere to go
    destination_ids = [f"D{j:03d}" for j in range(n_destinations)]
    case_ids = [f"C{i:05d}" for i in range(n_cases)]

    scores: dict[tuple[str, str], float] = {}
    tie: list[str | None] = [None] * n_cases
    allowed_count = rng.integers(30, min(300, n_destinations) + 1, size=n_cases)
    for i in range(n_cases):
        allowed = rng.choice(n_destinations, size=allowed_count[i], replace=False)
        servable = allowed[np.all(offers[allowed] | ~has_need[i], axis=1)]
        if servable.size == 0:
            allowed = np.append(allowed, 0) if 0 not in allowed else allowed
            servable = np.array([0])
        fit = rng.lognormal(0.0, 0.35, size=allowed.size)
        values = np.round(working_age[i] * rate[allowed] * fit, 4)
        case_id = case_ids[i]
        scores.update(zip(((case_id, destination_ids[j]) for j in allowed), values.tolist(), strict=True))
        if rng.random() < 0.10:
            tie[i] = destination_ids[int(rng.choice(servable))]

    # Capacity: each destination's share of the cohort, 5-15% more places than people (and cases per need).
    share = rng.lognormal(0.0, 0.5, size=n_destinations)
    share /= share.sum()
    slack = rng.uniform(0.05, 0.15)
    capacity = np.ceil(share * size.sum() * (1 + slack)).astype(int) + 8
    need_capacity = np.zeros((n_destinations, n_needs), dtype=int)
    for k in range(n_needs):
        weights = np.where(offers[:, k], share, 0)
        weights /= weights.sum()
        need_capacity[:, k] = np.where(offers[:, k], np.ceil(weights * has_need[:, k].sum() * (1 + slack)) + 1, 0)
    cases = [
        Case(case_ids[i], int(size[i]), tie[i], frozenset(n for k, n in enumerate(needs) if has_need[i, k]))
        for i in range(n_cases)
    ]
    destinations = [
        Destination(
            destination_ids[j],
            int(capacity[j]),
            {n: int(need_capacity[j, k]) for k, n in enumerate(needs) if offers[j, k]},
        )
        for j in range(n_destinations)
    ]
    # Ties must fit where they point (a real agency's ties do): raise capacity where they do not.
    tied_people: dict[str, int] = {}
    tied_needs: dict[tuple[str, str], int] = {}
    for case in cases:
        if case.tie_destination:
            tied_people[case.tie_destination] = tied_people.get(case.tie_destination, 0) + case.size
            for n in case.needs:
                tied_needs[(case.tie_destination, n)] = tied_needs.get((case.tie_destination, n), 0) + 1
    destinations = [
        Destination(
            d.id,
            max(d.capacity, tied_people.get(d.id, 0)),
            {n: max(c, tied_needs.get((d.id, n), 0)) for n, c in d.need_capacity.items()},
        )
        for d in destinations
    ]
    return cases, destinations, scores


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=20_000)
    parser.add_argument("--destinations", type=int, default=300)
    parser.add_argument("--needs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    started = time.perf_counter()
    cases, destinations, scores = cohort(args.cases, args.destinations, args.needs, args.seed)
    generated = time.perf_counter() - started
    greedy_started = time.perf_counter()
    greedy_assignment, greedy_objective = greedy(cases, destinations, scores)
    greedy_seconds = time.perf_counter() - greedy_started
    for run in range(args.runs):
        _, lp_seconds = lp_bound(cases, destinations, scores)
        result = place(cases, destinations, scores)
        print(
            json.dumps(
                {
                    "run": run + 1,
                    "cases": len(cases),
                    "destinations": len(destinations),
                    "needs": args.needs,
                    "pairs": len(scores),
                    "ties": sum(c.tie_destination is not None for c in cases),
                    "generate_seconds": round(generated, 2),
                    "objective": round(result.objective, 3),
                    "bound": round(result.bound, 3),
                    "gap": round(result.gap, 6),
                    "share_of_bound": round(result.objective / result.bound, 6),
                    "seconds": round(result.seconds, 2),
                    "lp_seconds": round(lp_seconds, 2),
                    "lp_seconds_inside_place": round(result.lp_seconds, 2),
                    "ratio": round(result.seconds / lp_seconds, 2),
                    "method": result.method,
                    "peak_memory_mb": peak_memory_mb(),
                    "greedy_objective": round(greedy_objective, 3),
                    "greedy_unplaced": len(cases) - len(greedy_assignment),
                    "greedy_seconds": round(greedy_seconds, 2),
                    "gain_over_greedy": round(result.objective / greedy_objective - 1, 4),
                    "goals_met": result.gap <= 0.005 and result.seconds <= 3 * lp_seconds and peak_memory_mb() < 4096,
                }
            ),
            flush=True,
        )


if __name__ == "__main__":
    main()
