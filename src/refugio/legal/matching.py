"""Matching cases to attorneys: maximum total weight within each attorney's capacity. No Django import.

A case and an attorney are compatible when they share a language, the case's court is one of the
attorney's courts, and the attorney has every expertise the case needs. weight = 365 +
max(0, 365 - days_to_hearing): every match counts, and the most urgent count most.

Exact: a min-cost flow (OR-Tools). Cases that share languages, court and needs are interchangeable
apart from their weight, and so are attorneys with the same languages, courts and expertise; the flow
runs on these classes (source -> case class by weight -> attorney class -> sink), which is equivalent
to the flow on individual cases and attorneys but far smaller. Integral min-cost flow is optimal, so
the result is optimal, not approximate.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from ortools.graph.python import min_cost_flow


@dataclass(frozen=True)
class Case:
    case_id: str
    languages: frozenset[str]
    court: str
    needs: frozenset[str]
    days_to_hearing: int

    @property
    def weight(self) -> int:
        return 365 + max(0, 365 - self.days_to_hearing)


@dataclass(frozen=True)
class Attorney:
    attorney_id: str
    languages: frozenset[str]
    courts: frozenset[str]
    expertise: frozenset[str]
    capacity: int


@dataclass
class MatchResult:
    matches: list[tuple[str, str]]  # (case_id, attorney_id)
    total_weight: int
    seconds: float
    stats: dict[str, int] = field(default_factory=dict)


def compatible(case_languages: frozenset[str], court: str, needs: frozenset[str], attorney: Attorney) -> bool:
    return bool(case_languages & attorney.languages) and court in attorney.courts and needs <= attorney.expertise


def match(cases: Sequence[Case], attorneys: Sequence[Attorney]) -> MatchResult:
    started = time.perf_counter()
    case_classes: dict[tuple[frozenset[str], str, frozenset[str]], dict[int, list[Case]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for case in cases:
        case_classes[(case.languages, case.court, case.needs)][case.weight].append(case)
    attorney_classes: dict[tuple[frozenset[str], frozenset[str], frozenset[str]], list[Attorney]] = defaultdict(list)
    for attorney in attorneys:
        if attorney.capacity > 0:
            attorney_classes[(attorney.languages, attorney.courts, attorney.expertise)].append(attorney)

    # Index attorney classes by court, then test languages and needs only within the court.
    by_court: dict[str, list[int]] = defaultdict(list)
    attorney_keys = list(attorney_classes)
    for index, (_, courts, _) in enumerate(attorney_keys):
        for court in courts:
            by_court[court].append(index)

    source, sink = 0, 1
    case_keys = list(case_classes)
    first_case_class = 2
    first_attorney_class = first_case_class + len(case_keys)
    tails: list[int] = []
    heads: list[int] = []
    caps: list[int] = []
    costs: list[int] = []
    weight_arcs: list[tuple[int, int, int]] = []  # (arc, case class index, weight) per source arc
    pair_arcs: list[tuple[int, int, int]] = []  # (arc, case class index, attorney class index)

    def arc(tail: int, head: int, cap: int, cost: int) -> None:
        tails.append(tail)
        heads.append(head)
        caps.append(cap)
        costs.append(cost)

    for ci, key in enumerate(case_keys):
        languages, court, needs = key
        node = first_case_class + ci
        size = 0
        for weight, members in case_classes[key].items():
            weight_arcs.append((len(tails), ci, weight))
            arc(source, node, len(members), -weight)
            size += len(members)
        for ai in by_court.get(court, ()):
            a_languages, _, expertise = attorney_keys[ai]
            if languages & a_languages and needs <= expertise:
                pair_arcs.append((len(tails), ci, ai))
                arc(node, first_attorney_class + ai, size, 0)
    for ai, a_key in enumerate(attorney_keys):
        arc(first_attorney_class + ai, sink, sum(a.capacity for a in attorney_classes[a_key]), 0)
    arc(source, sink, len(cases), 0)  # a case may stay unmatched

    flow = _solve(tails, heads, caps, costs, first_attorney_class + len(attorney_keys), len(cases))
    flows = flow.flows(np.arange(len(tails), dtype=np.int32))

    # Back from classes to individual cases and attorneys.
    chosen: dict[int, list[Case]] = defaultdict(list)
    for arc_index, ci, weight in weight_arcs:
        amount = flows[arc_index]
        if amount:
            chosen[ci].extend(case_classes[case_keys[ci]][weight][: int(amount)])
    # Per attorney class: its attorneys in order, and the places each has left.
    pools = {ai: list(attorney_classes[a_key]) for ai, a_key in enumerate(attorney_keys)}
    places = {ai: [a.capacity for a in pool] for ai, pool in pools.items()}
    matches: list[tuple[str, str]] = []
    cursor: dict[int, int] = defaultdict(int)
    for arc_index, ci, ai in pair_arcs:
        pool, left = pools[ai], places[ai]
        for _ in range(int(flows[arc_index])):
            case = chosen[ci][cursor[ci]]
            cursor[ci] += 1
            while left[0] == 0:
                pool.pop(0)
                left.pop(0)
            left[0] -= 1
            matches.append((case.case_id, pool[0].attorney_id))
    total = -int(flow.optimal_cost())
    return MatchResult(
        matches=matches,
        total_weight=total,
        seconds=time.perf_counter() - started,
        stats={"case_classes": len(case_keys), "attorney_classes": len(attorney_keys), "arcs": len(tails)},
    )


def _solve(
    tails: list[int], heads: list[int], caps: list[int], costs: list[int], nodes: int, units: int
) -> min_cost_flow.SimpleMinCostFlow:
    """Send `units` from node 0 (source) to node 1 (sink) at least cost; raise unless optimal."""
    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(
        np.array(tails, dtype=np.int32),
        np.array(heads, dtype=np.int32),
        np.array(caps, dtype=np.int64),
        np.array(costs, dtype=np.int64),
    )
    supplies = np.zeros(nodes, dtype=np.int64)
    supplies[0], supplies[1] = units, -units
    flow.set_nodes_supplies(np.arange(nodes, dtype=np.int32), supplies)
    status = flow.solve()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"min-cost flow did not solve: status {status}")
    return flow
