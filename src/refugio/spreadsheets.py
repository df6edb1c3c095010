"""Cells that leave Refugio in a CSV file: never a formula.

A spreadsheet program runs a cell that starts with `=`, `+`, `-` or `@` as a formula (and some skip a
leading tab or carriage return first), so a name typed as `=HYPERLINK("http://…")` could send data away
or run a command on the computer of whoever opens an export ("CSV injection"). Every CSV Refugio writes
goes through `safe_cell`, which follows OWASP: such text gets a leading `'`, which spreadsheets show as
text. Numbers (int, float, Decimal) stay numbers, so -3 is still -3; only text is changed.
Pure module: no Django import.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, Protocol

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


class _Writable(Protocol):
    def write(self, text: str, /) -> Any: ...  # noqa: ANN401


def safe_cell(value: object) -> object:
    """The value as a CSV cell that no spreadsheet runs as a formula."""
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal):  # bool too: csv writes True / False
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


class SafeWriter:
    """`csv.writer` whose every cell went through `safe_cell`."""

    def __init__(self, handle: _Writable, **options: Any) -> None:  # noqa: ANN401
        self._writer = csv.writer(handle, **options)

    def writerow(self, row: Iterable[object]) -> None:
        self._writer.writerow([safe_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(handle: _Writable, **options: Any) -> SafeWriter:  # noqa: ANN401
    return SafeWriter(handle, **options)


def write_csv(handle: _Writable, header: Iterable[str], rows: Iterable[Iterable[object]], **options: Any) -> None:  # noqa: ANN401
    out = SafeWriter(handle, **options)
    out.writerow(header)
    out.writerows(rows)
