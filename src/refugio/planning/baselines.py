"""What the planner is compared with: first come, first served, and a daily lottery (as the 2023 app did).
Both keep the same hard rules (capacity, allowed ports, ready dates, whole households). No Django import."""

from __future__ import annotations

import datetime as dt
import heapq
import random
from collections import defaultdict

from refugio.planning.planner import Capacity, Household

SCAN = 32  # candidates looked at past one that does not fit the seats left


def _schedule(capacity: Capacity) -> tuple[dt.date, int, list[str], dict[str, list[int]]]:
    first = min(d for _p, d in capacity.ports)
    days = (max(d for _p, d in capacity.ports) - first).days + 1
    seats: dict[str, list[int]] = defaultdict(lambda: [0] * days)
    for (port, date), people in capacity.ports.items():
        seats[port][(date - first).days] = people
    return first, days, sorted(seats), seats


def _by_ready_day(households: list[Household], first: dt.date, days: int) -> dict[int, list[Household]]:
    ready: dict[int, list[Household]] = defaultdict(list)
    for h in households:
        index = max(0, (h.ready_on - first).days)
        if index < days:
            ready[index].append(h)
    return ready


def first_come_first_served(households: list[Household], capacity: Capacity) -> dict[str, tuple[str, dt.date]]:
    first, days, ports, seats = _schedule(capacity)
    ready = _by_ready_day(households, first, days)
    queues: dict[str, list[tuple[dt.date, str, Household]]] = {p: [] for p in ports}
    placed: dict[str, tuple[str, dt.date]] = {}
    for day in range(days):
        for h in ready.get(day, []):
            for port in h.allowed_ports:
                if port in queues:
                    heapq.heappush(queues[port], (h.registered_on, h.id, h))
        for port in ports:
            left = seats[port][day]
            queue = queues[port]
            skipped: list[tuple[dt.date, str, Household]] = []
            while left > 0 and queue and len(skipped) < SCAN:
                entry = heapq.heappop(queue)
                h = entry[2]
                if h.id in placed:
                    continue
                if h.size <= left:
                    placed[h.id] = (port, first + dt.timedelta(days=day))
                    left -= h.size
                else:
                    skipped.append(entry)
            for entry in skipped:
                heapq.heappush(queue, entry)
    return placed


def daily_lottery(households: list[Household], capacity: Capacity, seed: int = 0) -> dict[str, tuple[str, dt.date]]:
    """Every day, the seats of each port go to ready households drawn at random."""
    rng = random.Random(seed)
    first, days, ports, seats = _schedule(capacity)
    ready = _by_ready_day(households, first, days)
    pools: dict[str, list[Household]] = {p: [] for p in ports}
    placed: dict[str, tuple[str, dt.date]] = {}
    for day in range(days):
        for h in ready.get(day, []):
            for port in h.allowed_ports:
                if port in pools:
                    pools[port].append(h)
        for port in ports:
            left, pool, misses = seats[port][day], pools[port], 0
            while left > 0 and pool and misses < SCAN:
                index = rng.randrange(len(pool))
                h = pool[index]
                if h.id in placed:
                    pool[index] = pool[-1]
                    pool.pop()
                    continue
                if h.size <= left:
                    placed[h.id] = (port, first + dt.timedelta(days=day))
                    left -= h.size
                    pool[index] = pool[-1]
                    pool.pop()
                else:
                    misses += 1
    return placed
