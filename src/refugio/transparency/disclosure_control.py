"""Statistical disclosure control for the public statistics: which cells of a table may be shown. Pure: plain
numbers in, decisions out (no Django).

Three rules, applied in this order when a release is cut:

1. Primary suppression: a count from 1 to k - 1 (k = 5) is not shown. Zero is shown: it names nobody.
2. Complementary suppression: a suppressed cell must not be recoverable from the totals. In every line of a
   table (a row with its row total, a column with its column total, the totals row with the grand total) a
   single hidden cell could be computed by subtraction, so a second cell of that line is hidden too (the
   smallest non-zero one, which costs the least information). Repeated until no line has exactly one hidden
   cell; `feasible_range` then checks with linear programming that no hidden cell is pinned to one value.
3. Stable cells (against differencing): a new release keeps a cell exactly as the previous release showed it
   (its value or its being hidden) unless one of the counts it rests on (its "basis") has moved by k or more
   since then. Two releases computed from data that differ by one household (or by up to k - 1 of them) are
   therefore identical, so comparing them tells nothing about anyone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

K = 5

PUBLISHED = "published"
SUPPRESSED = "suppressed"
NOT_MEASURED = "not_measured"

TOTAL = "total"


@dataclass(frozen=True)
class Cell:
    """One published cell: a value or none (hidden or not measured), and the counts it rests on (never shown)."""

    value: float | int | None
    status: str = PUBLISHED
    basis: tuple[int, ...] = ()

    def public(self) -> dict[str, object]:
        return {"value": self.value if self.status == PUBLISHED else None, "status": self.status}


@dataclass
class CountTable:
    """A two-way table of counts with its row totals, column totals and grand total (row and column TOTAL)."""

    rows: list[str]
    columns: list[str]
    counts: dict[tuple[str, str], int]
    hidden: set[tuple[str, str]] = field(default_factory=set)

    @classmethod
    def from_counts(
        cls, rows: Sequence[str], columns: Sequence[str], counts: Mapping[tuple[str, str], int]
    ) -> CountTable:
        table = {(r, c): int(counts.get((r, c), 0)) for r in rows for c in columns}
        for r in rows:
            table[(r, TOTAL)] = sum(table[(r, c)] for c in columns)
        for c in columns:
            table[(TOTAL, c)] = sum(table[(r, c)] for r in rows)
        table[(TOTAL, TOTAL)] = sum(table[(r, TOTAL)] for r in rows)
        return cls(list(rows), list(columns), table)

    def lines(self) -> list[list[tuple[str, str]]]:
        """Each additive line: its inner cells followed by its total."""
        all_rows = [*self.rows, TOTAL]
        all_cols = [*self.columns, TOTAL]
        lines = [[(r, c) for c in all_cols] for r in all_rows]
        lines += [[(r, c) for r in all_rows] for c in all_cols]
        return lines


def primary(value: int, k: int = K) -> bool:
    """Whether a count must be hidden on its own."""
    return 0 < value < k


def suppress(table: CountTable, k: int = K) -> set[tuple[str, str]]:
    """The cells to hide: primary suppression, then complementary suppression until no line has exactly one
    hidden cell and no hidden cell is pinned to a single value by the published ones."""
    hidden = {key for key, value in table.counts.items() if primary(value, k)}
    while True:
        changed = _complete_lines(table, hidden)
        if not changed:
            pinned = [key for key in sorted(hidden) if _is_pinned(table, hidden, key)]
            if not pinned:
                break
            # Rare with two-way tables; hide the whole line of the first pinned cell's row.
            row = pinned[0][0]
            hidden |= {(row, c) for c in [*table.columns, TOTAL]}
    table.hidden = hidden
    return hidden


def _complete_lines(table: CountTable, hidden: set[tuple[str, str]]) -> bool:
    changed = False
    for line in table.lines():
        inside = [key for key in line if key in hidden]
        if len(inside) != 1:
            continue
        candidates = [key for key in line if key not in hidden]
        if not candidates:
            continue
        # The smallest non-zero inner cell (a total only if nothing else is left); zeros last.
        candidates.sort(key=lambda key: (TOTAL in key, table.counts[key] == 0, table.counts[key], key))
        hidden.add(candidates[0])
        changed = True
    return changed


def feasible_range(table: CountTable, hidden: set[tuple[str, str]], key: tuple[str, str]) -> tuple[float, float]:
    """The least and greatest value the hidden cell `key` can take, given every published cell and the
    additivity of the table (all counts ≥ 0): what an attacker who knows the totals can learn."""
    import numpy as np
    from scipy.optimize import linprog

    unknowns = sorted(hidden)
    index = {cell: i for i, cell in enumerate(unknowns)}
    equalities: list[list[float]] = []
    targets: list[float] = []
    for line in table.lines():
        *inner, total = line
        row = [0.0] * len(unknowns)
        constant = 0.0
        for cell in inner:
            if cell in index:
                row[index[cell]] += 1
            else:
                constant += table.counts[cell]
        if total in index:
            row[index[total]] -= 1
            target = -constant
        else:
            target = table.counts[total] - constant
        if any(row):
            equalities.append(row)
            targets.append(target)
    objective = np.zeros(len(unknowns))
    objective[index[key]] = 1
    bounds = [(0, None)] * len(unknowns)
    a = np.array(equalities) if equalities else None
    b = np.array(targets) if targets else None
    low = linprog(objective, A_eq=a, b_eq=b, bounds=bounds, method="highs")
    high = linprog(-objective, A_eq=a, b_eq=b, bounds=bounds, method="highs")
    lowest = float(low.fun) if low.status == 0 else 0.0
    highest = float(-high.fun) if high.status == 0 else float("inf")
    return lowest, highest


def _is_pinned(table: CountTable, hidden: set[tuple[str, str]], key: tuple[str, str]) -> bool:
    lowest, highest = feasible_range(table, hidden, key)
    return highest - lowest < 1e-6


def count_cells(table: CountTable, k: int = K) -> dict[tuple[str, str], Cell]:
    """Every cell of the table (totals included) as published, after suppression."""
    hidden = suppress(table, k)
    return {
        key: Cell(None if key in hidden else value, SUPPRESSED if key in hidden else PUBLISHED, (value,))
        for key, value in table.counts.items()
    }


def ratio_cell(numerator: int, denominator: int, value: float | None, k: int = K) -> Cell:
    """A rate or a share: shown only when both those who have it and those who don't number k or more (a
    rate of 100% over 12 people says something about each of them)."""
    if denominator == 0:
        return Cell(None, SUPPRESSED, (numerator, denominator))
    if numerator < k or denominator - numerator < k or value is None:
        return Cell(None, SUPPRESSED, (numerator, denominator))
    return Cell(value, PUBLISHED, (numerator, denominator))


def summary_cell(value: float | None, basis: Sequence[int], k: int = K) -> Cell:
    """A median or another summary: shown only when every count it rests on is k or more."""
    if value is None or any(0 < count < k for count in basis) or not basis or min(basis) == 0:
        return Cell(None, SUPPRESSED, tuple(basis))
    return Cell(value, PUBLISHED, tuple(basis))


def moved(old: Sequence[int], new: Sequence[int], k: int = K) -> bool:
    """Whether the counts a cell rests on have moved by k or more (or changed shape) since it was published."""
    if len(old) != len(new):
        return True
    return any(abs(a - b) >= k for a, b in zip(old, new, strict=True))


def stabilise(previous: Cell | None, current: Cell, k: int = K) -> Cell:
    """The cell to publish now: the previous release's cell, unchanged, unless its basis moved by k or more."""
    if previous is None or current.status == NOT_MEASURED or previous.status == NOT_MEASURED:
        return current
    if moved(previous.basis, current.basis, k):
        return current
    return replace(previous)
