"""Cutting a release of the public statistics: every measure computed from the database for a period, across
all organisations, through disclosure control, and stored once. Pages and exports only read releases."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from refugio.accounts.models import Organisation
from refugio.audit.models import Action
from refugio.audit.services import Actor, Touch, record
from refugio.core.errors import Conflict, NotFound, ValidationFailed
from refugio.transparency import microdata, selectors
from refugio.transparency.disclosure_control import K
from refugio.transparency.measures import REFERENCES, Period, Table, build_tables, stabilised
from refugio.transparency.models import Release

METHOD = {
    "unit": "household",
    "k": K,
    "suppression": "counts from 1 to k-1 hidden; complementary suppression so no hidden cell follows from totals",
    "rates": "shown only when both those counted and the rest number k or more",
    "stable_cells": "a cell keeps its previously published value unless its underlying counts moved by k or more",
    "noise": "none: no differential-privacy noise is added, so there is no privacy budget to spend",
    "waiting_time": "Kaplan-Meier, households still waiting censored at the end of the period; median with 95% CI",
    "reception": (
        "check-ins and hearings due in the period, not households: check-in rate = attended / (attended + missed), "
        "court appearance rate = appeared / (appeared + did not appear), 95% Wilson interval; shown only when both "
        "the numerator and the rest number k or more"
    ),
    "references": [dict(reference) for reference in REFERENCES],
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
            reception=selectors.reception_counts(period),
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


# Microdata for partners -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MicrodataExport:
    organisation: str
    csv: str
    report: microdata.Report


def _anonymised(
    actor: Actor, organisation_id: int, k: int, diversity: int, max_suppressed: float, as_of: dt.date | None
) -> tuple[Organisation, list[Mapping[str, str]], microdata.Report]:
    if actor.user is not None:
        organisation = selectors.microdata_organisation(actor.user, organisation_id)
    else:
        found = Organisation.objects.filter(pk=organisation_id).first()
        if found is None:
            raise NotFound
        organisation = found
    rows = selectors.microdata_rows(organisation.id, as_of or timezone.localdate())
    try:
        records, report = microdata.anonymise(rows, k=k, diversity=diversity, max_suppressed=max_suppressed)
    except microdata.Unachievable as exc:
        best = exc.best
        detail = (
            _("at best l = %(l)s, with %(suppressed)s of %(rows)s records suppressed")
            % {"l": best.achieved.diversity, "suppressed": best.suppressed, "rows": best.source_rows}
            if best is not None and best.achieved.rows
            else _("no record would be left")
        )
        raise Conflict(
            _("These households cannot be exported with k = %(k)s and l = %(l)s: %(detail)s. Nothing was written.")
            % {"k": k, "l": diversity, "detail": detail},
            code="microdata_unachievable",
        ) from exc
    return organisation, records, report


def check_microdata(
    actor: Actor,
    *,
    organisation_id: int,
    k: int = 5,
    diversity: int = 2,  # the l of l-diversity
    max_suppressed: float = 0.2,
    as_of: dt.date | None = None,
) -> microdata.Report:
    """What an export would achieve (k, l, records suppressed, risk), without any row leaving."""
    return _anonymised(actor, organisation_id, k, diversity, max_suppressed, as_of)[2]


def export_microdata(
    actor: Actor,
    *,
    organisation_id: int,
    k: int = 5,
    diversity: int = 2,  # the l of l-diversity
    max_suppressed: float = 0.2,
    as_of: dt.date | None = None,
) -> MicrodataExport:
    """The organisation's households as anonymised microdata (see transparency.microdata), checked for k-anonymity
    and l-diversity. Refuses (Conflict, nothing written, nothing logged) when k and l cannot be reached. Every
    export is in the audit log: the organisation and the columns (the file holds no person-level identifier)."""
    organisation, records, report = _anonymised(actor, organisation_id, k, diversity, max_suppressed, as_of)
    record(
        actor,
        action=Action.READ,
        touches=[Touch("microdata_export", str(organisation.id), organisation.id, microdata.COLUMNS)],
    )
    return MicrodataExport(organisation.name, microdata.to_csv(records), report)
