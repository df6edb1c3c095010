"""Placing arriving cases at destinations: maximum total score within capacity. No Django import.

Maximize the sum of score(case, destination) over the chosen pairs, subject to:
- every case is placed exactly once, at a pair that has a score (an absent pair is not allowed);
- each destination takes at most `capacity` people (the sum of the sizes of its cases);
- for each need, each destination takes at most `need_capacity[need]` cases with that need; a destination
  without an entry for a need takes no case with it (capacity 0), so a need is always served somewhere
  that said it can serve it;
- a case with a family tie goes to its tie's destination;
- `fixed` (overrides a person made) puts a case at the destination named, ahead of its tie; the pair must
  still be scored, and capacity still holds.

Method: the LP relaxation is solved first (HiGHS, a basic solution); its value is a proven upper bound on
any placement. In a basic solution only as many cases can be split between destinations as there are
binding capacity rows (hundreds, against tens of thousands of cases), so every case the LP places whole
keeps its destination and a small integer program places the split ones optimally in the room left.
When that small program has no solution the cases around them are freed as well, and at last the whole
integer program is solved. Small instances are solved as one exact integer program. `gap` says how far the
result is from the bound.
"""

from __future__ import annotations

import resource
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy import optimize, sparse

# Instances with at most this many allowed pairs are solved as one exact integer program.
EXACT_PAIRS = 20_000
INTEGRAL = 1 - 1e-6
IMPROVE_REDUCED_COST = 0.01  # of the mean score: pairs that close to the LP optimum are worth a second look
MIP_GAP = 1e-3  # the repair stops within 0.1% of its own optimum (of a small part of the objective)

Scores = Mapping[tuple[str, str], float]  # (case_id, destination_id) -> score >= 0; an absent pair is not allowed
IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Case:
    id: str
    size: int
    tie_destination: str | None = None
    needs: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Destination:
    id: str
    capacity: int  # people
    need_capacity: Mapping[str, int] = field(default_factory=dict)  # need -> cases with it; absent = 0


@dataclass(frozen=True)
class Choice:
    destination_id: str
    score: float


@dataclass(frozen=True)
class Explanation:
    case_id: str
    chosen: Choice
    next_best: Choice | None  # the best-scoring other destination that could ever take the case (room aside)
    tie: str | None
    needs: frozenset[str]


class Infeasible(Exception):
    """No placement satisfies the constraints. `constraint` names which one, for a program to act on:

    "capacity" (all destinations together have fewer places than people), "need:<name>" (too few places for
    cases with that need), "tie:<case_id>", "fixed:<case_id>", "no allowed destination: <case_id>",
    "combination" (each constraint can be met alone but not all together), "time limit" (no placement found in
    time). `message` is an English sentence for the command line; `kind` is the part before the colon.
    """

    def __init__(self, constraint: str, message: str) -> None:
        self.constraint, self.message = constraint, message
        super().__init__(message)

    @property
    def kind(self) -> str:
        return self.constraint.split(":", 1)[0]

    @property
    def subject(self) -> str | None:
        parts = self.constraint.split(":", 1)
        return parts[1].strip() if len(parts) == 2 else None


@dataclass(frozen=True)
class _Context:
    """What `explain` needs: the cases and every pair that could ever take each case, grouped by case."""

    cases: Sequence[Case]
    destination_ids: Sequence[str]
    case_index: Mapping[str, int]
    case_start: IntArray  # pairs of case i are [case_start[i], case_start[i + 1])
    pair_destination: IntArray
    pair_score: FloatArray


@dataclass(frozen=True)
class Placement:
    assignment: Mapping[str, str]  # case_id -> destination_id, every case
    objective: float
    bound: float  # the LP relaxation's value: no placement scores more
    gap: float  # (bound - objective) / bound
    seconds: float
    peak_memory_mb: float
    lp_seconds: float = 0.0
    method: str = ""
    _context: _Context | None = field(default=None, repr=False, compare=False)

    def explain(self, case_id: str) -> Explanation:
        if self._context is None:
            raise KeyError(case_id)
        return _explain(self, self._context, case_id)


def explain(placement: Placement, cases: Sequence[Case], scores: Scores, case_id: str) -> Explanation:
    """The same as `placement.explain`, from the inputs (for a placement stored and read back)."""
    case = next(c for c in cases if c.id == case_id)
    chosen_id = placement.assignment[case_id]
    options = sorted(
        ((score, destination) for (c, destination), score in scores.items() if c == case_id), key=lambda o: -o[0]
    )
    chosen = Choice(chosen_id, float(scores.get((case_id, chosen_id), 0.0)))
    others = [Choice(d, float(s)) for s, d in options if d != chosen_id]
    return Explanation(case_id, chosen, others[0] if others else None, case.tie_destination, case.needs)


def _explain(placement: Placement, context: _Context, case_id: str) -> Explanation:
    i = context.case_index[case_id]
    case = context.cases[i]
    chosen_id = placement.assignment[case_id]
    start, end = int(context.case_start[i]), int(context.case_start[i + 1])
    chosen_score, best = 0.0, None
    for k in range(start, end):
        destination = context.destination_ids[int(context.pair_destination[k])]
        score = float(context.pair_score[k])
        if destination == chosen_id:
            chosen_score = score
        elif best is None or score > best.score:
            best = Choice(destination, score)
    return Explanation(case_id, Choice(chosen_id, chosen_score), best, case.tie_destination, case.needs)


def peak_memory_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # Linux reports KiB


@dataclass
class _Problem:
    cases: Sequence[Case]
    destinations: Sequence[Destination]
    needs: list[str]
    size: IntArray  # per case
    case_needs: npt.NDArray[np.bool_]  # case x need
    capacity: IntArray  # per destination
    need_capacity: IntArray  # destination x need
    pair_case: IntArray  # allowed pairs (after ties and overrides), sorted by case
    pair_destination: IntArray
    pair_score: FloatArray


def _pairs(
    cases: Sequence[Case], destinations: Sequence[Destination], scores: Scores
) -> tuple[dict[str, int], dict[str, int], IntArray, IntArray, FloatArray]:
    case_index = {c.id: i for i, c in enumerate(cases)}
    destination_index = {d.id: j for j, d in enumerate(destinations)}
    if len(case_index) != len(cases):
        raise ValueError("two cases have the same id")
    if len(destination_index) != len(destinations):
        raise ValueError("two destinations have the same id")
    count = len(scores)
    keys = list(scores.keys())
    pair_case = np.fromiter((case_index.get(c, -1) for c, _ in keys), dtype=np.int64, count=count)
    pair_destination = np.fromiter((destination_index.get(d, -1) for _, d in keys), dtype=np.int64, count=count)
    pair_score = np.fromiter(scores.values(), dtype=np.float64, count=count)
    del keys
    if not np.all(np.isfinite(pair_score)) or np.any(pair_score < 0):
        raise ValueError("every score must be a finite number of at least 0")
    # Pairs naming a case or destination outside this run are ignored (predictions may cover more).
    known = (pair_case >= 0) & (pair_destination >= 0)
    order = np.lexsort((pair_destination[known], pair_case[known]))
    return (
        case_index,
        destination_index,
        pair_case[known][order],
        pair_destination[known][order],
        pair_score[known][order],
    )


def _starts(pair_case: IntArray, cases: int) -> IntArray:
    return np.searchsorted(pair_case, np.arange(cases + 1)).astype(np.int64)


def _describe_needs(needs: frozenset[str]) -> str:
    return ", ".join(sorted(needs))


def _prepare(
    cases: Sequence[Case],
    destinations: Sequence[Destination],
    scores: Scores,
    fixed: Mapping[str, str],
) -> tuple[_Problem, _Context]:
    case_index, destination_index, pair_case, pair_destination, pair_score = _pairs(cases, destinations, scores)
    needs = sorted(set().union(*(c.needs for c in cases)) if cases else set())
    need_index = {n: k for k, n in enumerate(needs)}
    size = np.array([c.size for c in cases], dtype=np.int64)
    if np.any(size < 1):
        raise ValueError("every case has at least one person")
    case_needs = np.zeros((len(cases), len(needs)), dtype=bool)
    for i, case in enumerate(cases):
        for need in case.needs:
            case_needs[i, need_index[need]] = True
    capacity = np.array([d.capacity for d in destinations], dtype=np.int64)
    need_capacity = np.array(
        [[max(0, int(d.need_capacity.get(n, 0))) for n in needs] for d in destinations], dtype=np.int64
    ).reshape(len(destinations), len(needs))

    # A pair whose destination could never take the case (too few places, or none for one of its needs).
    possible = size[pair_case] <= capacity[pair_destination]
    for k in range(len(needs)):
        possible &= ~case_needs[pair_case, k] | (need_capacity[pair_destination, k] >= 1)
    scored_starts = _starts(pair_case, len(cases))
    context = _Context(
        cases,
        [d.id for d in destinations],
        case_index,
        _starts(pair_case[possible], len(cases)),
        pair_destination[possible],
        pair_score[possible],
    )

    for case_id, destination_id in fixed.items():
        if case_id not in case_index:
            raise Infeasible(f"fixed:{case_id}", f"The override names case {case_id}, which is not in this run.")
        if destination_id not in destination_index:
            raise Infeasible(
                f"fixed:{case_id}", f"The override puts case {case_id} at {destination_id}, which is not a destination."
            )
    forced = np.full(len(cases), -1, dtype=np.int64)
    for i, case in enumerate(cases):
        target = fixed.get(case.id, case.tie_destination)
        if target is None:
            continue
        why = "fixed" if case.id in fixed else "tie"
        label = "The override puts" if why == "fixed" else "The family tie puts"
        j = destination_index.get(target)
        if j is None:
            raise Infeasible(f"{why}:{case.id}", f"{label} case {case.id} at {target}, which is not a destination.")
        span = slice(scored_starts[i], scored_starts[i + 1])
        if not np.any(pair_destination[span] == j):
            raise Infeasible(
                f"{why}:{case.id}", f"{label} case {case.id} at {target}, but that pair has no score (not allowed)."
            )
        if case.size > capacity[j]:
            raise Infeasible(
                f"{why}:{case.id}",
                f"{label} case {case.id} ({case.size} people) at {target}, which has room for {capacity[j]}.",
            )
        for need in sorted(case.needs):
            if need_capacity[j, need_index[need]] < 1:
                raise Infeasible(
                    f"{why}:{case.id}", f"{label} case {case.id} at {target}, which takes no cases needing {need}."
                )
        forced[i] = j

    # Forced cases together must fit where they are forced to go.
    used = np.zeros(len(destinations), dtype=np.int64)
    used_needs = np.zeros((len(destinations), len(needs)), dtype=np.int64)
    for i in np.flatnonzero(forced >= 0).tolist():
        j, case = int(forced[i]), cases[i]
        why = "fixed" if case.id in fixed else "tie"
        label = "the overrides" if why == "fixed" else "family ties"
        used[j] += size[i]
        if used[j] > capacity[j]:
            raise Infeasible(
                f"{why}:{case.id}",
                f"With {label}, {destinations[j].id} must take {used[j]} people by case {case.id}, "
                f"more than its capacity of {capacity[j]}.",
            )
        used_needs[j] += case_needs[i]
        over = np.flatnonzero(used_needs[j] > need_capacity[j])
        if over.size:
            need = needs[int(over[0])]
            raise Infeasible(
                f"{why}:{case.id}",
                f"With {label}, {destinations[j].id} must take {used_needs[j, over[0]]} cases needing {need} "
                f"by case {case.id}, more than the {need_capacity[j, over[0]]} it can take.",
            )

    keep = possible & ((forced[pair_case] < 0) | (forced[pair_case] == pair_destination))
    pair_case, pair_destination, pair_score = pair_case[keep], pair_destination[keep], pair_score[keep]
    counts = np.bincount(pair_case, minlength=len(cases))
    for i in np.flatnonzero(counts == 0).tolist():
        case = cases[i]
        span = slice(scored_starts[i], scored_starts[i + 1])
        if span.start == span.stop:
            reason = "no destination has a score for it"
        else:
            reason = (
                f"none of the {span.stop - span.start} destinations scored for it has room for {case.size} people"
                + (f" and takes cases needing {_describe_needs(case.needs)}" if case.needs else "")
            )
        raise Infeasible(f"no allowed destination: {case.id}", f"Case {case.id} cannot be placed: {reason}.")

    total_size, total_capacity = int(size.sum()), int(capacity.sum())
    if total_size > total_capacity:
        raise Infeasible(
            "capacity",
            f"The cases have {total_size} people; the destinations together have room for {total_capacity}.",
        )
    for k, need in enumerate(needs):
        wanted, offered = int(case_needs[:, k].sum()), int(need_capacity[:, k].sum())
        if wanted > offered:
            raise Infeasible(
                f"need:{need}",
                f"{wanted} cases need {need}; the destinations together can take {offered} such cases.",
            )
    problem = _Problem(
        cases, destinations, needs, size, case_needs, capacity, need_capacity, pair_case, pair_destination, pair_score
    )
    return problem, context


def _rows(
    problem: _Problem, pair_case: IntArray, pair_destination: IntArray
) -> tuple[sparse.csr_array, FloatArray, FloatArray, int]:
    """Constraint matrix over the given pairs: one row per case (= 1), per destination (people), per
    destination and need (cases). Returns the matrix, lower and upper bounds and the number of case rows."""
    n_cases, n_destinations, n_needs = len(problem.cases), len(problem.destinations), len(problem.needs)
    columns = np.arange(pair_case.size)
    rows = [pair_case, n_cases + pair_destination]
    values = [np.ones(pair_case.size), problem.size[pair_case].astype(np.float64)]
    cols = [columns, columns]
    for k in range(n_needs):
        has = problem.case_needs[pair_case, k]
        rows.append(n_cases + n_destinations * (1 + k) + pair_destination[has])
        values.append(np.ones(int(has.sum())))
        cols.append(columns[has])
    shape = (n_cases + n_destinations * (1 + n_needs), pair_case.size)
    matrix = sparse.csr_array((np.concatenate(values), (np.concatenate(rows), np.concatenate(cols))), shape=shape)
    lower = np.concatenate([np.ones(n_cases), np.full(n_destinations * (1 + n_needs), -np.inf)])
    upper = np.concatenate(
        [np.ones(n_cases), problem.capacity.astype(np.float64), problem.need_capacity.T.ravel().astype(np.float64)]
    )
    return matrix, lower, upper, n_cases


def _solve_lp(
    problem: _Problem, time_limit: float | None, columns: IntArray | None = None
) -> tuple[FloatArray, float, FloatArray]:
    """The LP relaxation, on all pairs or only on `columns`: the value of each pair (0 outside `columns`), the
    optimum, and each pair's reduced cost (how much the objective would lose per unit of that pair forced in;
    about 0 for the pairs the LP uses, negative for a pair outside `columns` that would improve it)."""
    if columns is None:
        columns = np.arange(problem.pair_case.size)
    matrix, lower, upper, n_cases = _rows(problem, problem.pair_case[columns], problem.pair_destination[columns])
    options: dict[str, object] = {"presolve": True}
    if time_limit is not None:
        options["time_limit"] = max(time_limit, 0.01)
    result = optimize.linprog(
        -problem.pair_score[columns],
        A_ub=matrix[n_cases:],
        b_ub=upper[n_cases:],
        A_eq=matrix[:n_cases],
        b_eq=upper[:n_cases],
        bounds=(0, 1),
        method="highs",
        options=options,
    )
    if result.status == 2:
        raise Infeasible(
            "combination",
            "Each constraint can be met on its own, but not all together: with the family ties, needs and "
            "capacities given, even a fractional placement is impossible.",
        )
    if result.status != 0 or result.x is None:
        raise Infeasible("time limit", f"The relaxation was not solved ({result.message}).")
    duals = np.concatenate([result.eqlin.marginals, result.ineqlin.marginals])
    if columns.size == problem.pair_case.size:
        full = matrix
    else:
        full, _, _, _ = _rows(problem, problem.pair_case, problem.pair_destination)
    reduced = -problem.pair_score - full.T @ duals
    x = np.zeros(problem.pair_case.size)
    x[columns] = result.x
    return x, float(-result.fun), np.asarray(reduced, dtype=np.float64)


def _solve_mip(
    problem: _Problem,
    free: npt.NDArray[np.bool_],
    chosen: IntArray,
    time_limit: float | None,
    candidates: npt.NDArray[np.bool_] | None = None,
    gap: float = MIP_GAP,
) -> IntArray | None:
    """Place the cases marked `free` optimally in the room the others (chosen[i] = pair index) leave, using
    only the `candidates` pairs if given. Returns the new chosen pairs, or None when there is no placement."""
    n_cases, n_destinations = len(problem.cases), len(problem.destinations)
    in_play = free[problem.pair_case]
    if candidates is not None:
        in_play &= candidates
    pairs = np.flatnonzero(in_play)
    settled = chosen[~free]
    room = problem.capacity.astype(np.float64) - np.bincount(
        problem.pair_destination[settled], weights=problem.size[problem.pair_case[settled]], minlength=n_destinations
    )
    need_room = problem.need_capacity.astype(np.float64).copy()
    for k in range(len(problem.needs)):
        has = problem.case_needs[problem.pair_case[settled], k]
        need_room[:, k] -= np.bincount(problem.pair_destination[settled][has], minlength=n_destinations)
    matrix, lower, upper, _ = _rows(problem, problem.pair_case[pairs], problem.pair_destination[pairs])
    upper[n_cases:] = np.concatenate([room, need_room.T.ravel()])
    lower[:n_cases] = np.where(free, 1.0, 0.0)
    upper[:n_cases] = lower[:n_cases]
    used_rows = np.flatnonzero(np.diff(matrix.indptr) > 0)
    if np.any(lower[:n_cases][~np.isin(np.arange(n_cases), used_rows)] > 0):
        return None
    matrix = matrix[used_rows]
    options: dict[str, object] = {"mip_rel_gap": gap}
    if time_limit is not None:
        options["time_limit"] = max(time_limit, 0.01)
    result = optimize.milp(
        -problem.pair_score[pairs],
        integrality=np.ones(pairs.size),
        bounds=optimize.Bounds(0, 1),
        constraints=optimize.LinearConstraint(matrix, lower[used_rows], upper[used_rows]),
        options=options,
    )
    if result.x is None:
        if result.status in (1,):  # stopped by the time limit before any placement was found
            raise Infeasible("time limit", "No placement was found within the time limit.")
        return None
    picked = pairs[np.asarray(result.x) > 0.5]
    new = chosen.copy()
    new[problem.pair_case[picked]] = picked
    return new


def place(
    cases: Sequence[Case],
    destinations: Sequence[Destination],
    scores: Scores,
    *,
    time_limit_seconds: float | None = None,
    fixed: Mapping[str, str] | None = None,
    method: Literal["auto", "exact", "lp-repair"] = "auto",
) -> Placement:
    """The placement of highest total score; raises Infeasible naming the constraint that prevents any."""
    started = time.perf_counter()

    def left() -> float | None:
        return None if time_limit_seconds is None else time_limit_seconds - (time.perf_counter() - started)

    problem, context = _prepare(cases, destinations, scores, fixed or {})
    n_cases = len(cases)
    if n_cases == 0:
        return Placement({}, 0.0, 0.0, 0.0, time.perf_counter() - started, peak_memory_mb(), 0.0, "empty", context)
    lp_started = time.perf_counter()
    x, bound, reduced = _solve_lp(problem, left())
    lp_seconds = time.perf_counter() - lp_started
    starts = _starts(problem.pair_case, n_cases)
    if method == "exact" or (method == "auto" and problem.pair_case.size <= EXACT_PAIRS):
        used = "exact"
        chosen = _solve_mip(problem, np.ones(n_cases, dtype=bool), np.zeros(n_cases, dtype=np.int64), left(), gap=0.0)
    else:
        # Per case, the pair with the largest LP value; cases the LP places whole keep it.
        best = np.maximum.reduceat(x, starts[:-1])
        order = np.lexsort((-x, problem.pair_case))
        chosen = order[starts[:-1]].astype(np.int64)
        split = best < INTEGRAL
        used = f"lp-repair ({int(split.sum())} split cases)"
        chosen = _solve_mip(problem, split, chosen, left()) if split.any() else chosen
        if chosen is None:
            # Free every case at a destination a split case could use, then everything.
            destinations_touched = np.zeros(len(destinations), dtype=bool)
            destinations_touched[problem.pair_destination[split[problem.pair_case]]] = True
            fallback = order[starts[:-1]].astype(np.int64)
            wider = split | destinations_touched[problem.pair_destination[fallback]]
            used += f"; widened to {int(wider.sum())}"
            chosen = _solve_mip(problem, wider, fallback, left())
            if chosen is None:
                used += "; whole"
                chosen = _solve_mip(problem, np.ones(n_cases, dtype=bool), fallback, left())
        if chosen is not None:
            # Then a second try with more freedom: every case may move between the pairs that cost (almost)
            # nothing against the LP optimum, for at most the LP's own time; the better placement is kept.
            candidates = reduced <= IMPROVE_REDUCED_COST * max(float(problem.pair_score[chosen].mean()), 1e-9)
            candidates[chosen] = True
            movable = split | (np.bincount(problem.pair_case[candidates], minlength=n_cases) > 1)
            remaining = left()
            budget = lp_seconds if remaining is None else min(lp_seconds, remaining)
            if movable.any() and budget > 0.05:
                try:
                    second = _solve_mip(problem, movable, chosen, budget, candidates)
                except Infeasible:  # the time limit, without a placement
                    second = None
                if second is not None:
                    gained = float(problem.pair_score[second].sum() - problem.pair_score[chosen].sum())
                    used += f"; {int(movable.sum())} movable cases: {gained:+.4g}"
                    if gained > 0:
                        chosen = second
    if chosen is None:
        raise Infeasible(
            "combination",
            "Each constraint can be met on its own, but not all together: no whole placement of every case "
            "satisfies the family ties, needs and capacities given.",
        )
    assignment = {
        cases[int(problem.pair_case[p])].id: destinations[int(problem.pair_destination[p])].id for p in chosen
    }
    objective = float(problem.pair_score[chosen].sum())
    bound = max(bound, objective)  # the LP value, up to the solver's tolerance
    gap = (bound - objective) / bound if bound > 0 else 0.0
    return Placement(
        assignment,
        objective,
        bound,
        gap,
        time.perf_counter() - started,
        peak_memory_mb(),
        lp_seconds,
        used,
        context,
    )


def lp_bound(
    cases: Sequence[Case],
    destinations: Sequence[Destination],
    scores: Scores,
    *,
    fixed: Mapping[str, str] | None = None,
) -> tuple[float, float]:
    """The LP relaxation alone: (its value, seconds including reading the inputs), for benchmarks."""
    started = time.perf_counter()
    problem, _ = _prepare(cases, destinations, scores, fixed or {})
    _, bound, _ = _solve_lp(problem, None)
    return bound, time.perf_counter() - started


def greedy(cases: Sequence[Case], destinations: Sequence[Destination], scores: Scores) -> tuple[dict[str, str], float]:
    """What an allocation meeting does by hand: in order of arrival, each case to its best-scoring destination
    with room (its tie's destination if there is room there). Cases left without room are not placed."""
    room = {d.id: d.capacity for d in destinations}
    need_room = {d.id: dict(d.need_capacity) for d in destinations}
    options: dict[str, list[tuple[float, str]]] = {}
    for (case_id, destination_id), score in scores.items():
        if destination_id in room:
            options.setdefault(case_id, []).append((score, destination_id))
    assignment: dict[str, str] = {}
    total = 0.0
    for case in cases:
        ranked = sorted(options.get(case.id, []), key=lambda o: -o[0])
        if case.tie_destination is not None:
            ranked = [o for o in ranked if o[1] == case.tie_destination]
        for score, destination_id in ranked:
            fits = room[destination_id] >= case.size and all(
                need_room[destination_id].get(n, 0) >= 1 for n in case.needs
            )
            if fits:
                room[destination_id] -= case.size
                for n in case.needs:
                    need_room[destination_id][n] -= 1
                assignment[case.id] = destination_id
                total += score
                break
    return assignment, total


__all__ = [
    "Case",
    "Choice",
    "Destination",
    "Explanation",
    "Infeasible",
    "Placement",
    "Scores",
    "explain",
    "greedy",
    "lp_bound",
    "place",
]
