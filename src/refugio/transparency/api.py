"""`GET /api/v1/statistics`: the latest release of the public statistics, as stored. Public: no token."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Router, Schema

from refugio.core.api import ErrorOut
from refugio.core.errors import NotFound
from refugio.transparency.selectors import latest_release, public_release

router = Router(tags=["public statistics"], auth=None)

CellStatus = Literal["published", "suppressed", "not_measured", "not_reached"]
TableName = Literal["registrations", "entries", "waiting", "tiers", "representation", "response", "reception"]


class CellOut(Schema):
    row: str
    column: str
    value: float | None  # None unless status is "published"
    status: CellStatus


class TableOut(Schema):
    name: TableName
    rows: list[str]
    columns: list[str]
    cells: list[CellOut]


ReferenceMeasure = Literal["check_in", "court_appearance", "court_appearance_asylum"]


class ReferenceOut(Schema):
    """A figure of an earlier programme to read the court appearance and check-in rates against (not computed
    by Refugio)."""

    measure: ReferenceMeasure
    percent: float
    programme: str
    years: str
    source: str


class StatisticsOut(Schema):
    id: int
    period: str
    period_start: dt.date
    period_end: dt.date
    computed_at: dt.datetime
    k: int
    method: dict[str, Any]
    tables: list[TableOut]
    references: list[ReferenceOut]  # figures of earlier programmes, stored with the release


@router.get("/statistics", response={200: StatisticsOut, 404: ErrorOut})
def statistics(request: HttpRequest) -> dict[str, Any]:
    """The latest release: tables of cells, each a value or "suppressed" (k = 5, complementary suppression).
    The same release is served unchanged until the next one is published."""
    release = latest_release()
    if release is None:
        raise NotFound
    public = public_release(release)
    public["references"] = release.method.get("references", [])
    public["tables"] = [
        {
            "name": name,
            "rows": table["rows"],
            "columns": table["columns"],
            "cells": [{"row": r, "column": c, "value": v, "status": s} for r, c, v, s in table["cells"]],
        }
        for name, table in public["tables"].items()
    ]
    return public
