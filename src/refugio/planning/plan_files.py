"""The files of `refugio plan` (a contract other tools rely on; see docs/planner.md)."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

from refugio.input_files import InputError, identifier, integer, items, rows, write_csv_atomically
from refugio.planning.planner import Household, Placement

HOUSEHOLD_COLUMNS = ["household_id", "size", "registered_on", "ready_on", "allowed_ports", "priority"]
CAPACITY_COLUMNS = ["port", "date", "capacity"]


def _date(path: Path, line: int, name: str, text: str | None) -> dt.date:
    try:
        return dt.date.fromisoformat((text or "").strip())
    except ValueError as exc:
        raise InputError(path, line, f"{name} must be a date YYYY-MM-DD, not {text!r}") from exc


def _priority(path: Path, line: int, text: str | None) -> float:
    try:
        value = float((text or "").strip())
    except ValueError as exc:
        raise InputError(path, line, f"priority must be a number, not {text!r}") from exc
    if not math.isfinite(value) or value < 1:
        raise InputError(path, line, "priority must be a number of at least 1")
    return value


def read_households(path: Path) -> list[Household]:
    seen: set[str] = set()
    households = []
    for line, row in rows(path, HOUSEHOLD_COLUMNS):
        household_id = identifier(path, line, "household_id", row["household_id"], seen)
        size = integer(path, line, "size", row["size"], minimum=1)
        registered_on = _date(path, line, "registered_on", row["registered_on"])
        ready_on = _date(path, line, "ready_on", row["ready_on"])
        ports = tuple(sorted(items(row["allowed_ports"])))
        if not ports:
            raise InputError(path, line, "allowed_ports is empty")
        priority = _priority(path, line, row["priority"])
        fixed_port = (row.get("fixed_port") or "").strip() or None
        fixed_text = (row.get("fixed_date") or "").strip()
        fixed_date = _date(path, line, "fixed_date", fixed_text) if fixed_text else None
        if bool(fixed_port) != bool(fixed_date):
            raise InputError(path, line, "fixed_port and fixed_date go together: give both or neither")
        households.append(
            Household(household_id, size, registered_on, ready_on, ports, priority, fixed_port, fixed_date)
        )
    return households


def read_capacity(path: Path) -> dict[tuple[str, dt.date], int]:
    capacity: dict[tuple[str, dt.date], int] = {}
    for line, row in rows(path, CAPACITY_COLUMNS):
        port = (row["port"] or "").strip()
        if not port:
            raise InputError(path, line, "port is empty")
        date = _date(path, line, "date", row["date"])
        if (port, date) in capacity:
            raise InputError(path, line, f"port {port} on {date} appears twice")
        capacity[(port, date)] = integer(path, line, "capacity", row["capacity"], minimum=0)
    if not capacity:
        raise InputError(path, 1, "no capacity rows")
    return capacity


def write_plan(path: Path, placements: dict[str, Placement]) -> None:
    records = sorted((p.date.isoformat(), p.port, household_id) for household_id, p in placements.items())
    write_csv_atomically(path, ["household_id", "port", "date"], ((h, port, date) for date, port, h in records))
