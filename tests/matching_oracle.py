"""Independent checks of the case-attorney matcher, for the tests and the benchmark (bench/match.py).
They live here, not in the product: an oracle must not be something the product could start calling."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import numpy as np
from ortools.graph.python import min_cost_flow

from refugio.legal.matching import Attorney, Case, compatible


def verify(cases: Sequence[Case], attorneys: Sequence[Attorney], matches: Sequence[tuple[str, str]]) -> int:
    """Check a matching is feasible (compatible, within capacity, each case once); return its weight."""
    case_by_id = {c.case_id: c for c in cases}
    attorney_by_id = {a.attorney_id: a for a in attorneys}
    load: dict[str, int] = defaultdict(int)
    seen: set[str] = set()
    total = 0
    for case_id, attorney_id in matches:
        case, attorney = case_by_id[case_id], attorney_by_id[attorney_id]
        if case_id in seen:
            raise ValueError(f"case {case_id} matched twice")
        seen.add(case_id)
        if not compatible(case.languages, case.court, case.needs, attorney):
            raise ValueError(f"case {case_id} is not compatible with attorney {attorney_id}")
        load[attorney_id] += 1
        if load[attorney_id] > attorney.capacity:
            raise ValueError(f"attorney {attorney_id} is over capacity")
        total += case.weight
    return total


def reference_optimum(cases: Sequence[Case], attorneys: Sequence[Attorney]) -> int:
    """The optimum weight from a second, independent min-cost flow over individual cases and individual
    attorneys (each case its own node with its own weight; each attorney its own node and capacity).
    Cases of one compatibility class meet their attorneys through one hub node, which keeps the
    network small without changing which pairs are allowed."""
    hubs: dict[tuple[frozenset[str], str, frozenset[str]], int] = {}
    for case in cases:
        hubs.setdefault((case.languages, case.court, case.needs), len(hubs))
    source, sink = 0, 1
    first_case = 2
    first_hub = first_case + len(cases)
    first_attorney = first_hub + len(hubs)
    tails, heads, caps, costs = [], [], [], []
    for index, case in enumerate(cases):
        tails += [source, first_case + index]
        heads += [first_case + index, first_hub + hubs[(case.languages, case.court, case.needs)]]
        caps += [1, 1]
        costs += [-case.weight, 0]
    for (languages, court, needs), hub in hubs.items():
        for index, attorney in enumerate(attorneys):
            if compatible(languages, court, needs, attorney):
                tails.append(first_hub + hub)
                heads.append(first_attorney + index)
                caps.append(attorney.capacity)
                costs.append(0)
    for index, attorney in enumerate(attorneys):
        tails.append(first_attorney + index)
        heads.append(sink)
        caps.append(attorney.capacity)
        costs.append(0)
    tails.append(source)
    heads.append(sink)
    caps.append(len(cases))
    costs.append(0)
    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(
        np.array(tails, dtype=np.int32),
        np.array(heads, dtype=np.int32),
        np.array(caps, dtype=np.int64),
        np.array(costs, dtype=np.int64),
    )
    nodes = first_attorney + len(attorneys)
    supplies = np.zeros(nodes, dtype=np.int64)
    supplies[source], supplies[sink] = len(cases), -len(cases)
    flow.set_nodes_supplies(np.arange(nodes, dtype=np.int32), supplies)
    status = flow.solve()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"min-cost flow did not solve: status {status}")
    return -int(flow.optimal_cost())
