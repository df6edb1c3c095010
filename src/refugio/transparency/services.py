"""Cutting a release of the public statistics: every measure computed from the database for a period, across
all organisations, through disclosure control, and stored once. Pages and exports only read releases."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from refugio.audit.models import Action
from refugio.audit.services import Actor, Touch, record
from refugio.core.errors import ValidationFailed
from refugio.transparency import selectors
from refugio.transparency.disclosure_control import K
from refugio.transparency.measures import Period, Table, build_tables, stabilised
from refugio.transparency.models import Release

METHOD = {
    "unit": "household",
    "k": K,
    "suppression": "counts from 1 to k-1 hidden; complementary suppression so no hidden cell follows from totals",
    "rates": "shown only when both those counted and the rest number k or more",
    "stable_cells": "a cell keeps its previously published value unless its underlying counts moved by k or more",
    "noise": "none: no differential-privacy noise is added, so there is no privacy budget to spend",
    "waiting_time": "Kaplan-Meier, households still waiting censored at the end of the period; median with 95% CI",
}


def last_full_week(today: dt.date) -> Period:
    monday = today - dt.timedelta(days=today.weekday() + 7)
    return Period(monday, monday + dt.timedelta(days=6))


def _serialise(tables: list[Table]) -> tuple[dict[str, object], dict[str, dict[str, list[int]]]]:
    public: dict[str, object] = {}
    basis: dict[str, dict[str, list[int]]] = {}
    for table in tables:
        public[table.name] = {
            "rows": table.rows,
            "columns": table.columns,
            "cells": [
                [row, column, table.cells[(row, column)].public()["value"], table.cells[(row, column)].status]
                for row in table.rows
                for column in table.columns
                if (row, column) in table.cells
            ],
        }
        basis[table.name] = {f"{row}\t{column}": list(cell.basis) for (row, column), cell in table.cells.items()}
    return public, basis


def publish(actor: Actor, *, period: Period, now: dt.datetime | None = None) -> Release:
    """Compute every measure for the period, apply disclosure control and the stable-cell rule against the
    releases before, and store the release."""
    if period.end < period.start:
        raise ValidationFailed({"period": "The period ends before it starts."})
    with transaction.atomic():
        tables = build_tables(
            selectors.household_rows(),
            selectors.escalation_rows(),
            period=period,
            ports=selectors.port_codes(),
            offices=selectors.office_names(),
            k=K,
        )
        tables = stabilised(tables, selectors.previous_cells(), period.label, K)
        public, basis = _serialise(tables)
        release = Release.objects.create(
            period_label=period.label,
            period_start=period.start,
            period_end=period.end,
            computed_at=now or timezone.now(),
            k=K,
            method={**METHOD, "ports": selectors.port_names()},
            tables=public,
            basis=basis,
        )
        record(
            actor,
            action=Action.CREATE,
            touches=[Touch("statistics.release", str(release.pk), None, ["period", "tables"])],
        )
    return release
