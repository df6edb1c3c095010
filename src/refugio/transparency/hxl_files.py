"""The release as a CSV or XLSX file with an HXL hashtag row (Humanitarian Exchange Language) under the
header, one line per published cell. Pure (no Django): the public release in, bytes out. Text cells go through
refugio.spreadsheets.safe_cell, so no cell is ever run as a formula."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator, Mapping
from typing import Any

from refugio.spreadsheets import safe_cell, write_csv

COUNT_TABLES = ("registrations", "entries", "tiers")

# (header, HXL hashtag) for each column.
COLUMNS = (
    ("Period start", "#date+start"),
    ("Period end", "#date+end"),
    ("Measure", "#indicator+code"),
    ("Week (Monday)", "#date+week_start"),
    ("Port of entry", "#loc+port+code"),
    ("Agency office", "#org+name"),
    ("Row", "#meta+row"),
    ("Column", "#meta+column"),
    ("Households", "#affected+households+num"),
    ("Value", "#indicator+value+num"),
    ("Status", "#meta+status"),
    ("Release", "#meta+release"),
    ("Computed at", "#date+computed"),
)


def lines(release: Mapping[str, Any]) -> Iterator[list[object]]:
    """One line per cell: counts in the households column, rates and medians in the value column; a hidden
    cell has neither, and its status says why."""
    for name, table in release["tables"].items():
        for row, column, value, status in table["cells"]:
            week = _monday(row) if name in ("registrations", "entries") and "-W" in row else ""
            port = column if name in ("registrations", "entries") and column != "total" else ""
            office = row if name == "response" else ""
            counted = value if name in COUNT_TABLES or column == "escalations" else None
            other = None if counted is not None else value
            yield [
                release["period_start"],
                release["period_end"],
                name,
                week,
                port,
                office,
                row,
                column,
                counted,
                other,
                status,
                release["id"],
                release["computed_at"],
            ]


def _monday(week: str) -> str:
    """'2026-W46' → '2026-11-09' (HXL wants a date in a #date column)."""
    year, number = week.split("-W")
    return dt.date.fromisocalendar(int(year), int(number), 1).isoformat()


def to_csv(release: Mapping[str, Any]) -> str:
    out = io.StringIO()
    write_csv(out, [header for header, _tag in COLUMNS], [[tag for _h, tag in COLUMNS], *lines(release)])
    return out.getvalue()


def to_xlsx(release: Mapping[str, Any]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "statistics"
    sheet.append([header for header, _tag in COLUMNS])
    sheet.append([tag for _h, tag in COLUMNS])
    for line in lines(release):
        sheet.append([safe_cell(value) if value is not None else None for value in line])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
