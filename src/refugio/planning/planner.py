"""The phased-entry planner: whole households to a (port of entry, day), no Django import.

Rules:
* capacity is never exceeded: people per port and day, and where given, health screening per departure
  city and day, and shelter beds per destination and day (a port sends people to one destination);
* a household goes only to a port it is allowed at, never before its ready date, and never split;
* a share `fifo_share` of every port-day's capacity goes to ready households in order of registration,
  whatever their priority, so the priority lane never halts everyone else;
* appointments already given are kept; when capacity falls below them, the fewest are moved (the
  smallest households are kept first) and each moved household is reported;
* the objective is the least sum of priority × size × days waited (ready date to entry date; a household
  not placed within the horizon counts as entering the day after it).

How: the linear relaxation (households may be split into people) is a min-cost flow on a time-expanded
network, solved exactly with OR-Tools. Households with the same allowed ports (and screened departure
city) and priority form one group; a group's people wait on a chain of day nodes, each day of waiting
costing their priority, and leave the chain into a port-day. That optimum is a lower bound for every plan.
Arcs out of a chain node are bounded by the group's people ready by that day (the same optimum, found
several times sooner). The plan then follows the relaxation day by day: each group's whole households go to
the port-days the relaxation sent it to (a smaller one just behind goes first rather than overshoot), and
any seats left by rounding go to the highest-priority households that fit. See docs/planner.md.
"""

from __future__ import annotations

import datetime as dt
import heapq
import math
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from ortools.graph.python import min_cost_flow

MAX_PRIORITY_LEVELS = 256  # beyond this many distinct priorities, the bound groups them (still a valid bound)
FILL_SCAN = 32  # households looked at per group when seeking one small enough for the seats left


@dataclass(frozen=True)
class Household:
    id: str
    size: int
    registered_on: dt.date
    ready_on: dt.date
    allowed_ports: tuple[str, ...]
    priority: float
    fixed_port: str | None = None
    fixed_date: dt.date | None = None
    city: str = ""


@dataclass
class Capacity:
    ports: dict[tuple[str, dt.date], int]
    screening: dict[tuple[str, dt.date], int] = field(default_factory=dict)
    beds: dict[tuple[str, dt.date], int] = field(default_factory=dict)
    destination_of_port: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Placement:
    port: str
    date: dt.date
    lane: str  # "kept" (an appointment already given), "fifo" or "priority"


@dataclass
class Plan:
    placements: dict[str, Placement]
    moved: list[str]
    weighted_wait: float
    lower_bound: float
    lower_bound_exact: bool
    first_day: dt.date | None
    last_day: dt.date | None
    households: int
    people: int
    placed_people: int
    lp_seconds: float
    seconds: float

    def summary(self) -> dict[str, object]:
        gap = (self.weighted_wait - self.lower_bound) / self.lower_bound if self.lower_bound > 0 else 0.0
        return {
            "households": self.households,
            "people": self.people,
            "placed": len(self.placements),
            "placed_people": self.placed_people,
            "moved": len(self.moved),
            "weighted_wait": round(self.weighted_wait, 3),
            "lower_bound": round(self.lower_bound, 3),
            "lower_bound_exact": self.lower_bound_exact,
            "gap": round(gap, 6),
            "lp_seconds": round(self.lp_seconds, 3),
            "seconds": round(self.seconds, 3),
        }


def wait_cost(household: Household, entry: dt.date) -> float:
    return household.priority * household.size * max(0, (entry - household.ready_on).days)


class _Resources:
    """What is left of every capacity, by day index."""

    def __init__(self, capacity: Capacity, first: dt.date, days: int) -> None:
        self.days = days
        self.port: dict[str, list[int]] = defaultdict(lambda: [0] * days)
        self.screening: dict[str, list[int]] = {}
        self.beds: dict[str, list[int]] = {}
        self.destination = capacity.destination_of_port
        for (port, date), people in capacity.ports.items():
            self.port[port][(date - first).days] = max(0, people)
        for (city, date), people in capacity.screening.items():
            self.screening.setdefault(city, [0] * days)
            if 0 <= (date - first).days < days:
                self.screening[city][(date - first).days] = max(0, people)
        for (destination, date), beds in capacity.beds.items():
            self.beds.setdefault(destination, [0] * days)
            if 0 <= (date - first).days < days:
                self.beds[destination][(date - first).days] = max(0, beds)

    def room(self, port: str, city: str, day: int) -> int:
        room = self.port[port][day] if port in self.port else 0
        if city in self.screening:
            room = min(room, self.screening[city][day])
        destination = self.destination.get(port)
        if destination in self.beds:
            room = min(room, self.beds[destination][day])
        return room

    def take(self, port: str, city: str, day: int, people: int) -> None:
        self.port[port][day] -= people
        if city in self.screening:
            self.screening[city][day] -= people
        destination = self.destination.get(port)
        if destination in self.beds:
            self.beds[destination][day] -= people


def plan(households: list[Household], capacity: Capacity, fifo_share: float = 0.25) -> Plan:
    started = time.perf_counter()
    if not 0 <= fifo_share <= 1:
        raise ValueError("fifo_share must be between 0 and 1")
    people = sum(h.size for h in households)
    if not capacity.ports:
        raise ValueError("no port-day has capacity: there is no horizon to plan")
    first = min(d for _p, d in capacity.ports)
    last = max(d for _p, d in capacity.ports)
    days = (last - first).days + 1
    after = last + dt.timedelta(days=1)
    resources = _Resources(capacity, first, days)
    ports = sorted(resources.port)
    placements: dict[str, Placement] = {}

    # 1. Appointments already given: kept unless capacity fell below them; then keep as many as fit.
    moved: list[str] = []
    given: dict[tuple[str, int], list[Household]] = defaultdict(list)
    for h in households:
        if h.fixed_port and h.fixed_date:
            index = (h.fixed_date - first).days
            if 0 <= index < days:
                given[(h.fixed_port, index)].append(h)
            else:  # before or beyond the horizon: nothing here to check it against
                placements[h.id] = Placement(h.fixed_port, h.fixed_date, "kept")
    for (port, index), group in sorted(given.items()):
        for h in sorted(group, key=lambda h: (h.size, -h.priority, h.registered_on, h.id)):
            if h.size <= resources.room(port, h.city, index):
                resources.take(port, h.city, index, h.size)
                placements[h.id] = Placement(port, h.fixed_date, "kept")  # type: ignore[arg-type]
            else:
                moved.append(h.id)

    free = [h for h in households if h.id not in placements]
    fifo_seats = {
        (p, t): math.floor(fifo_share * people_at)
        for (p, date), people_at in capacity.ports.items()
        if 0 <= (t := (date - first).days) < days
    }

    # 2. The relaxation: a lower bound for every plan, and the targets the priority lane follows. (With a
    # FIFO lane the targets are those of the plan without it; the lane takes its seats first and the
    # priority lane fills the rest as close to them as it can.)
    lp_started = time.perf_counter()
    network = _Network(free, resources, ports, first, days)
    bound_cost, exact, flows = network.solve()
    lp_seconds = time.perf_counter() - lp_started
    constant = sum(wait_cost(h, placements[h.id].date) for h in households if h.id in placements)
    # The relaxation counts waiting from the first day of the horizon; days waited before it are fixed.
    constant += sum(h.priority * h.size * (first - h.ready_on).days for h in free if h.ready_on < first)
    lower_bound = bound_cost + constant

    # 3. Whole households, day by day, following the relaxation.
    _round(network, flows, free, resources, ports, first, days, fifo_seats, placements)

    weighted_wait = 0.0
    placed_people = 0
    for h in households:
        placement = placements.get(h.id)
        weighted_wait += wait_cost(h, placement.date if placement else after)
        placed_people += h.size if placement else 0
    return Plan(
        placements=placements,
        moved=moved,
        weighted_wait=weighted_wait,
        lower_bound=lower_bound,
        lower_bound_exact=exact,
        first_day=first,
        last_day=last,
        households=len(households),
        people=people,
        placed_people=placed_people,
        lp_seconds=lp_seconds,
        seconds=time.perf_counter() - started,
    )


class _Network:
    """The time-expanded network of the relaxation, built once and solved for one or two lane capacities."""

    def __init__(
        self, free: list[Household], resources: _Resources, ports: list[str], first: dt.date, days: int
    ) -> None:
        self.days = days
        self.resources = resources
        self._first = first
        port_set = set(ports)
        priorities = sorted({h.priority for h in free})
        self.exact = len(priorities) <= MAX_PRIORITY_LEVELS
        level_of = _priority_levels(priorities)
        values = [level_of[p] for p in priorities]
        self.scale = 1 if all(float(v).is_integer() for v in values) else 1000
        # Group: (allowed ports, screened city or "", level value)
        self.group_of: dict[str, int] = {}
        self.groups: list[tuple[tuple[str, ...], str, float]] = []
        index: dict[tuple[tuple[str, ...], str, float], int] = {}
        self.members: list[list[Household]] = []
        city_ports: dict[str, tuple[str, ...]] = {}
        for h in free:
            allowed = tuple(sorted(set(h.allowed_ports) & port_set))
            city = h.city if h.city in resources.screening else ""
            if city:
                if city_ports.setdefault(city, allowed) != allowed:
                    raise ValueError(f"households of the screened city {city!r} must share the same allowed ports")
            key = (allowed, city, level_of[h.priority])
            if key not in index:
                index[key] = len(self.groups)
                self.groups.append(key)
                self.members.append([])
            self.group_of[h.id] = index[key]
            self.members[index[key]].append(h)
        self.city_ports = city_ports
        for group in self.members:
            group.sort(key=lambda h: (h.ready_on, h.registered_on, h.id))

    def solve(self) -> tuple[float, bool, dict[tuple[int, str, int], int]]:
        """Least cost of the relaxation, and the people of each group sent to each (port, day).

        The network is built with numpy, each group's chain at once. Every arc out of a chain node carries
        at most the people of that group ready by that day (a bound any flow meets), not "unbounded": the
        optimum is the same, and OR-Tools' cost-scaling solver reaches it 5-6 times sooner on these
        networks than with loose capacities."""
        days, resources = self.days, self.resources
        first = self._first
        tails: list[np.ndarray] = []
        heads: list[np.ndarray] = []
        caps: list[np.ndarray] = []
        costs: list[np.ndarray] = []
        arcs = 0
        nodes = 1  # 0 is the sink

        def add(tail: Any, head: Any, cap: Any, cost: Any) -> int:  # noqa: ANN401  (arrays or sequences)
            nonlocal arcs
            tails.append(np.asarray(tail, dtype=np.int64))
            heads.append(np.asarray(head, dtype=np.int64))
            caps.append(np.asarray(cap, dtype=np.int64))
            costs.append(np.broadcast_to(np.asarray(cost, dtype=np.int64), tails[-1].shape))
            arcs += len(tails[-1])
            return arcs - len(tails[-1])

        total_supply = sum(h.size for group in self.members for h in group)
        # Port-day nodes (-1 where a port has no room that day), each with an arc to the sink or to its
        # destination's beds that day.
        port_node: dict[str, np.ndarray] = {}
        bed_node: dict[str, np.ndarray] = {}
        for port in sorted(resources.port):
            room = np.asarray(resources.port[port], dtype=np.int64)
            open_days = np.flatnonzero(room > 0)
            ids = np.full(days, -1, dtype=np.int64)
            ids[open_days] = nodes + np.arange(len(open_days))
            nodes += len(open_days)
            port_node[port] = ids
            destination = resources.destination.get(port)
            if destination in resources.beds:
                if destination not in bed_node:
                    bed_node[destination] = nodes + np.arange(days)
                    nodes += days
                    add(bed_node[destination], np.zeros(days), resources.beds[destination], 0)
                add(ids[open_days], bed_node[destination][open_days], room[open_days], 0)
            else:
                add(ids[open_days], np.zeros(len(open_days)), room[open_days], 0)
        # Screening: city-day nodes in and out, the arc between them its room, then on to the city's ports.
        screen_node: dict[str, np.ndarray] = {}
        for city, ports_of_city in self.city_ports.items():
            room = np.asarray(resources.screening[city], dtype=np.int64)
            open_days = np.flatnonzero(room > 0)
            node_in = nodes + np.arange(len(open_days))
            node_out = node_in + len(open_days)
            nodes += 2 * len(open_days)
            ids = np.full(days, -1, dtype=np.int64)
            ids[open_days] = node_in
            screen_node[city] = ids
            add(node_in, node_out, room[open_days], 0)
            for port in ports_of_city:
                target = port_node[port][open_days] if port in port_node else np.full(len(open_days), -1)
                here = target >= 0
                add(node_out[here], target[here], np.full(int(here.sum()), total_supply), 0)

        # The chains. supplies[node] = people ready that day.
        supply_nodes: list[np.ndarray] = []
        supply_people: list[np.ndarray] = []
        entries: list[tuple[int, int, str, np.ndarray]] = []  # (first arc, group, port or "", days)
        for g, (allowed, city, level) in enumerate(self.groups):
            group = self.members[g]
            ready = np.fromiter(((h.ready_on - first).days for h in group), dtype=np.int64, count=len(group))
            size = np.fromiter((h.size for h in group), dtype=np.int64, count=len(group))
            inside = ready < days
            if not inside.any():
                continue
            ready, size = np.maximum(ready[inside], 0), size[inside]
            start = int(ready.min())
            length = days - start
            chain = nodes + np.arange(length)
            nodes += length
            ready_people = np.bincount(ready - start, weights=size, minlength=length).astype(np.int64)
            present = np.flatnonzero(ready_people)
            supply_nodes.append(chain[present])
            supply_people.append(ready_people[present])
            bound = np.cumsum(ready_people)  # people of the group ready by each day: no arc carries more
            cost = math.floor(level * self.scale)
            # Waiting a day; the last day's leads to the sink: not placed, enters the day after the horizon.
            add(chain, np.append(chain[1:], 0), bound, cost)
            for port in [city] if city else allowed:
                entry_nodes = (screen_node[city] if city else port_node[port])[start:]
                open_entries = np.flatnonzero(entry_nodes >= 0)
                if len(open_entries):
                    first_arc = add(chain[open_entries], entry_nodes[open_entries], bound[open_entries], 0)
                    entries.append((first_arc, g, "" if city else port, start + open_entries))
        if not supply_nodes:
            return 0.0, self.exact, {}
        flow = min_cost_flow.SimpleMinCostFlow()
        flow.add_arcs_with_capacity_and_unit_cost(
            np.concatenate(tails).astype(np.int32),
            np.concatenate(heads).astype(np.int32),
            np.concatenate(caps),
            np.concatenate(costs),
        )
        supply_at = np.concatenate(supply_nodes)
        people = np.concatenate(supply_people)
        flow.set_nodes_supplies(
            np.append(supply_at, 0).astype(np.int32), np.append(people, -people.sum()).astype(np.int64)
        )
        status = flow.solve()
        if status != flow.OPTIMAL:
            raise RuntimeError(f"min-cost flow did not solve: status {status}")
        targets: dict[tuple[int, str, int], int] = {}
        for first_arc, g, port, entry_days in entries:
            sent = flow.flows(np.arange(first_arc, first_arc + len(entry_days), dtype=np.int32))
            for i in np.flatnonzero(sent):
                targets[(g, port, int(entry_days[i]))] = int(sent[i])
        return flow.optimal_cost() / self.scale, self.exact, targets


def _smaller(group: list[Household], start: int, end: int, placed: set[str], seats: int) -> Household | None:
    """The first of the next FILL_SCAN households not placed yet that has at most `seats` people."""
    looked = 0
    for i in range(start, end):
        h = group[i]
        if h.id in placed:
            continue
        if h.size <= seats:
            return h
        looked += 1
        if looked >= FILL_SCAN:
            break
    return None


def _priority_levels(priorities: list[float]) -> dict[float, float]:
    """Each priority's value in the relaxation: itself, or with very many distinct priorities the least
    of its bucket (a lower cost, so the bound stays a bound)."""
    if len(priorities) <= MAX_PRIORITY_LEVELS:
        return {p: p for p in priorities}
    per_bucket = math.ceil(len(priorities) / MAX_PRIORITY_LEVELS)
    return {p: priorities[(i // per_bucket) * per_bucket] for i, p in enumerate(priorities)}


def _round(
    network: _Network,
    targets: dict[tuple[int, str, int], int],
    free: list[Household],
    resources: _Resources,
    ports: list[str],
    first: dt.date,
    days: int,
    fifo_seats: dict[tuple[str, int], int],
    placements: dict[str, Placement],
) -> None:
    members = network.members
    groups = network.groups
    placed: set[str] = set()
    # Groups allowed at each port, most urgent first.
    at_port: dict[str, list[int]] = {p: [] for p in ports}
    for g, (allowed, _city, _level) in enumerate(groups):
        for port in allowed:
            at_port[port].append(g)
    for port in ports:
        at_port[port].sort(key=lambda g: -groups[g][2])
    ready_until = [0] * len(groups)  # members[g][:ready_until[g]] are ready
    head = [0] * len(groups)  # members[g][:head[g]] are all placed
    by_day: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for (g, port, day), _people in targets.items():
        by_day[day].append((g, port))
    target_left: dict[tuple[int, str, int], int] = dict(targets)
    fifo_queues: dict[str, list[tuple[dt.date, str, int, int]]] = {p: [] for p in ports}
    use_fifo = any(fifo_seats.values())

    def place(h: Household, port: str, day: int, lane: str) -> None:
        resources.take(port, h.city, day, h.size)
        placed.add(h.id)
        placements[h.id] = Placement(port, first + dt.timedelta(days=day), lane)

    def fits(h: Household, port: str, day: int) -> bool:
        return h.size <= resources.room(port, h.city, day)

    for day in range(days):
        for g, group in enumerate(members):
            end = ready_until[g]
            while end < len(group) and (group[end].ready_on - first).days <= day:
                if use_fifo:
                    h = group[end]
                    for port in groups[g][0]:
                        heapq.heappush(fifo_queues[port], (h.registered_on, h.id, g, end))
                end += 1
            ready_until[g] = end
        # The FIFO lane: the first seats of every port-day, in order of registration.
        if use_fifo:
            for port in ports:
                seats = min(fifo_seats.get((port, day), 0), resources.port[port][day])
                queue = fifo_queues[port]
                skipped: list[tuple[dt.date, str, int, int]] = []
                while seats > 0 and queue and len(skipped) < FILL_SCAN:
                    entry = heapq.heappop(queue)
                    h = members[entry[2]][entry[3]]
                    if h.id in placed:
                        continue
                    if h.size <= seats and fits(h, port, day):
                        place(h, port, day, "fifo")
                        seats -= h.size
                    else:
                        skipped.append(entry)
                for entry in skipped:
                    heapq.heappush(queue, entry)
        # The priority lane, as the relaxation sent each group: a group's households go to whichever of its
        # port-days that day has most of its target left and room for them.
        sent_today: dict[int, list[tuple[int, str, int]]] = defaultdict(list)
        for g, port in by_day.get(day, []):
            sent_today[g].append((g, port, day))
        for g in sorted(sent_today, key=lambda g: -groups[g][2]):
            keys = sent_today[g]
            group = members[g]
            i = head[g]
            while i < ready_until[g] and any(target_left[k] > 0 for k in keys):
                h = group[i]
                i += 1
                if h.id in placed:
                    continue
                for key in sorted(keys, key=lambda k: -target_left[k]):
                    if target_left[key] <= 0:
                        break
                    chosen = next((p for p in ([key[1]] if key[1] else groups[g][0]) if fits(h, p, day)), None)
                    if chosen is None:
                        continue
                    if h.size > target_left[key]:
                        # The household would overshoot the target: a smaller one just behind it (same
                        # priority, same ports) that fits the target goes first; it is next in line tomorrow.
                        smaller = _smaller(group, i, ready_until[g], placed, target_left[key])
                        if smaller is not None and fits(smaller, chosen, day):
                            place(smaller, chosen, day, "priority")
                            target_left[key] -= smaller.size
                            i -= 1
                            break
                    place(h, chosen, day, "priority")
                    target_left[key] -= h.size
                    break
            while head[g] < ready_until[g] and group[head[g]].id in placed:
                head[g] += 1
        # Seats left by rounding: the most urgent households that fit.
        for port in ports:
            if resources.port[port][day] <= 0:
                continue
            for g in at_port[port]:
                if head[g] >= ready_until[g] or resources.room(port, groups[g][1], day) <= 0:
                    continue
                group = members[g]
                looked = 0
                i = head[g]
                while i < ready_until[g] and looked < FILL_SCAN:
                    h = group[i]
                    i += 1
                    if h.id in placed:
                        continue
                    looked += 1
                    if fits(h, port, day):
                        place(h, port, day, "priority")
                        looked = 0
                while head[g] < ready_until[g] and group[head[g]].id in placed:
                    head[g] += 1
                if resources.port[port][day] <= 0:
                    break
