"""The files of `refugio place` (a contract other tools rely on; see docs/placement.md). No Django import.

- cases.csv: case_id, size, tie_destination (empty if none), needs (`;`-separated need names, may be empty);
- destinations.csv: destination_id, capacity (people), and a column `need:<name>` per need: how many cases
  with that need it can take (an empty cell or a missing column: none);
- scores.csv: case_id, destination_id, score (>= 0); a pair that is absent is not allowed;
- placement.csv (written): case_id, destination_id, one row per case.

A bad line is an error naming the file, the line and the column; nothing is written then.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path

from refugio.input_files import InputError, identifier, integer, items, rows, write_csv_atomically
from refugio.placement.optimizer import Case, Destination

CASE_COLUMNS = ["case_id", "size", "tie_destination", "needs"]
DESTINATION_COLUMNS = ["destination_id", "capacity"]
SCORE_COLUMNS = ["case_id", "destination_id", "score"]
NEED_PREFIX = "need:"


def read_cases(path: Path) -> list[Case]:
    seen: set[str] = set()
    cases = []
    for line, row in rows(path, CASE_COLUMNS):
        case_id = identifier(path, line, "case_id", row["case_id"], seen)
        size = integer(path, line, "size", row["size"], minimum=1)
        tie = (row["tie_destination"] or "").strip() or None
        cases.append(Case(case_id, size, tie, items(row["needs"])))
    return cases


def read_destinations(path: Path) -> list[Destination]:
    seen: set[str] = set()
    destinations = []
    for line, row in rows(path, DESTINATION_COLUMNS):
        destination_id = identifier(path, line, "destination_id", row["destination_id"], seen)
        capacity = integer(path, line, "capacity", row["capacity"], minimum=0)
        needs: dict[str, int] = {}
        for column, text in row.items():
            if column is None or not column.startswith(NEED_PREFIX):
                continue
            need = column[len(NEED_PREFIX) :].strip()
            if not need:
                raise InputError(path, 1, f"column {column!r} names no need (write need:<name>)")
            needs[need] = integer(path, line, column, text, minimum=0) if (text or "").strip() else 0
        destinations.append(Destination(destination_id, capacity, needs))
    if not destinations:
        raise InputError(path, 1, "no destinations")
    return destinations


def check_ties(path: Path, cases: Sequence[Case], destinations: Sequence[Destination]) -> None:
    """Every tie names a destination of destinations.csv (line numbers count the header as line 1)."""
    known = {d.id for d in destinations}
    for line, case in enumerate(cases, start=2):
        if case.tie_destination is not None and case.tie_destination not in known:
            raise InputError(
                path, line, f"tie_destination {case.tie_destination!r} is not a destination_id of the destinations file"
            )


def _score(path: Path, line: int, text: str | None) -> float:
    try:
        value = float((text or "").strip())
    except ValueError as exc:
        raise InputError(path, line, f"score must be a number, not {text!r}") from exc
    if not math.isfinite(value) or value < 0:
        raise InputError(path, line, f"score must be a number of at least 0, not {text!r}")
    return value


def read_scores(path: Path, cases: Sequence[Case], destinations: Sequence[Destination]) -> dict[tuple[str, str], float]:
    case_ids = {c.id for c in cases}
    destination_ids = {d.id for d in destinations}
    scores: dict[tuple[str, str], float] = {}
    for line, row in rows(path, SCORE_COLUMNS):
        case_id = (row["case_id"] or "").strip()
        destination_id = (row["destination_id"] or "").strip()
        if case_id not in case_ids:
            raise InputError(path, line, f"case_id {case_id!r} is not in the cases file")
        if destination_id not in destination_ids:
            raise InputError(path, line, f"destination_id {destination_id!r} is not in the destinations file")
        pair = (case_id, destination_id)
        if pair in scores:
            raise InputError(path, line, f"the pair {case_id}, {destination_id} appears twice")
        scores[pair] = _score(path, line, row["score"])
    return scores


def write_placement(path: Path, cases: Sequence[Case], assignment: Mapping[str, str]) -> None:
    write_csv_atomically(path, ["case_id", "destination_id"], ((c.id, assignment[c.id]) for c in cases))
