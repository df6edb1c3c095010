"""Synthetic phased-entry scenarios: the households of `refugio synth` as planner input, scored with the
default triage policy, and daily capacity at real ports of entry. No Django import.

Writes plan_households.csv and plan_capacity.csv in the formats of `refugio plan`.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from dataclasses import dataclass
from pathlib import Path

from refugio.planning.planner import Household
from refugio.synth.generator import DEFAULT_AS_OF, SynthHousehold
from refugio.triage.policy import HouseholdFacts, PersonFacts, Policy, age_on, default_policy, score

# (code, name, US city it sends people to, position west to east)
PORTS: tuple[tuple[str, str, str, float], ...] = (
    ("SYS", "San Ysidro", "San Diego", 0),
    ("CXL", "Calexico West", "Calexico", 1),
    ("NOG", "Nogales DeConcini", "Tucson", 2),
    ("ELP", "El Paso Paso del Norte", "El Paso", 3),
    ("EGP", "Eagle Pass", "San Antonio", 4),
    ("LRD", "Laredo", "San Antonio", 5),
    ("HID", "Hidalgo", "McAllen", 6),
    ("BRO", "Brownsville Gateway", "Brownsville", 7),
)
# The three ports of the 2021 phased entry come first when fewer ports are asked for.
PORT_ORDER = ("SYS", "ELP", "BRO", "HID", "LRD", "NOG", "CXL", "EGP")
CITY_POSITION = {
    "Tijuana": 0,
    "Mexicali": 1,
    "Nogales": 2,
    "Ciudad Juárez": 3,
    "Ciudad Acuña": 4,
    "Piedras Negras": 4.2,
    "Nuevo Laredo": 5,
    "Monterrey": 5.6,
    "Reynosa": 6,
    "Matamoros": 7,
}


def active_ports(count: int) -> list[tuple[str, str, str, float]]:
    chosen = set(PORT_ORDER[: max(1, min(count, len(PORT_ORDER)))])
    return [p for p in PORTS if p[0] in chosen]


def ports_for_city(city: str, ports: list[tuple[str, str, str, float]]) -> tuple[str, ...]:
    """Ports within reach of a departure city: those at most one step away, else the nearest one."""
    position = CITY_POSITION.get(city, 3)
    near = tuple(sorted(code for code, _n, _d, at in ports if abs(at - position) <= 1.01))
    return near or (min(ports, key=lambda p: abs(p[3] - position))[0],)


@dataclass(frozen=True)
class ScenarioHousehold:
    household: Household
    tier: int


class PlanWriter:
    """Collects households as `refugio synth` writes them, then writes the planner's two files."""

    def __init__(self, out: Path, seed: int, ports: int, days: int, as_of: dt.date = DEFAULT_AS_OF) -> None:
        self.out, self.days, self.as_of = out, days, as_of
        self.rng = random.Random(seed * 7919 + 17)
        self.ports = active_ports(ports)
        self.policy: Policy = default_policy()
        self.households: list[ScenarioHousehold] = []

    def add(self, synthetic: SynthHousehold) -> None:
        rng = self.rng
        registered_on = dt.date.fromisoformat(synthetic.registered_on)
        people = []
        for member in synthetic.members:
            parts = [int(x) for x in member.date_of_birth.split("-")] if member.date_of_birth else []
            parts += [None] * (3 - len(parts))  # type: ignore[list-item]
            age = age_on(parts[0], parts[1], parts[2], self.as_of)
            people.append(PersonFacts(age, frozenset(v for v in member.vulnerabilities.split(";") if v)))
        scored = score(self.policy, HouseholdFacts(tuple(people), registered_on), self.as_of)
        # Documents and a health screening take a few weeks; some are still pending.
        ready_on = registered_on + dt.timedelta(days=rng.randint(7, 60))
        if rng.random() < 0.12:
            ready_on = self.as_of + dt.timedelta(days=rng.randint(1, max(2, self.days // 2)))
        household = Household(
            id=synthetic.household_id,
            size=synthetic.size,
            registered_on=registered_on,
            ready_on=ready_on,
            allowed_ports=ports_for_city(synthetic.current_city, self.ports),
            priority=scored.priority,
            city=synthetic.current_city,
        )
        self.households.append(ScenarioHousehold(household, scored.tier))

    def capacity(self) -> dict[tuple[str, dt.date], int]:
        """About 85% of the people can enter within the horizon, each port in proportion to its demand,
        varying by day, with some days closed."""
        rng = random.Random(len(self.households) * 31 + self.days)
        demand = {code: 0.0 for code, *_rest in self.ports}
        for item in self.households:
            for port in item.household.allowed_ports:
                demand[port] += item.household.size / len(item.household.allowed_ports)
        capacity = {}
        for code, *_rest in self.ports:
            per_day = 0.85 * demand[code] / self.days
            for offset in range(1, self.days + 1):
                date = self.as_of + dt.timedelta(days=offset)
                closed = rng.random() < 0.04
                capacity[(code, date)] = 0 if closed else max(0, round(per_day * rng.uniform(0.6, 1.4)))
        return capacity

    def finish(self) -> tuple[int, int]:
        self.out.mkdir(parents=True, exist_ok=True)
        with (self.out / "plan_households.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(["household_id", "size", "registered_on", "ready_on", "allowed_ports", "priority", "tier"])
            for item in self.households:
                h = item.household
                priority = int(h.priority) if float(h.priority).is_integer() else h.priority
                writer.writerow(
                    [h.id, h.size, h.registered_on, h.ready_on, ";".join(h.allowed_ports), priority, item.tier]
                )
        capacity = self.capacity()
        with (self.out / "plan_capacity.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(["port", "date", "capacity"])
            for (port, date), people in sorted(capacity.items(), key=lambda item: (item[0][1], item[0][0])):
                writer.writerow([port, date.isoformat(), people])
        return len(self.households), len(capacity)
