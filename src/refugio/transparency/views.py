"""The public statistics page and its exports: the latest release as stored (nothing is computed per
request), in the reader's language, without JavaScript."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.dateparse import parse_datetime
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from refugio.transparency import hxl_files
from refugio.transparency.selectors import latest_release, public_release
from refugio.transparency.svg import Point, bar_chart, step_chart

PUBLIC_LANGUAGES = [code for code, _name in settings.LANGUAGES]


def _language(request: HttpRequest) -> str:
    chosen = request.GET.get("lang", "")
    return chosen if chosen in PUBLIC_LANGUAGES else translation.get_language() or "es"


def _shown(cell: dict[str, Any], unit: str = "") -> str:
    status = cell["status"]
    if status == "suppressed":
        return _("suppressed")
    if status == "not_measured":
        return _("not yet measured")
    if status == "not_reached":
        return _("not reached")
    value = cell["value"]
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{value}{unit}"


def _cells(table: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(row, column): {"value": value, "status": status} for row, column, value, status in table["cells"]}


def _row_label(row: str) -> str:
    return _("Total") if row == "total" else row


def _column_label(column: str, ports: dict[str, str]) -> str:
    if column == "total":
        return _("Total")
    if column == "unassigned":
        return _("No port yet")
    return ports.get(column, column)


def _weekly(name: str, table: dict[str, Any], ports: dict[str, str], title: str) -> dict[str, Any]:
    cells = _cells(table)
    weeks = [row for row in table["rows"] if row != "total"]
    chart = bar_chart(
        [Point(week.split("-")[-1], _value(cells[(week, "total")]), _shown(cells[(week, "total")])) for week in weeks],
        chart_id=f"chart-{name}",
        title=title,
    )
    columns = table["columns"]
    return {
        "chart": mark_safe(chart),  # noqa: S308 - svg.py escapes every text it writes
        "head": [_column_label(column, ports) for column in columns],
        "rows": [(_row_label(row), [_shown(cells[(row, column)]) for column in columns]) for row in table["rows"]],
    }


def _value(cell: dict[str, Any]) -> float | None:
    return cell["value"] if cell["status"] == "published" else None


def _tier_label(row: str) -> str:
    words = {
        "1": _("Tier 1 (most urgent)"),
        "2": _("Tier 2"),
        "3": _("Tier 3"),
        "4": _("Tier 4 or less urgent"),
        "unscored": _("Not yet assessed"),
        "total": _("Total"),
    }
    return words.get(row, row)


def _page_context(release: dict[str, Any]) -> dict[str, Any]:
    tables = release["tables"]
    ports = release["method"].get("ports", {})
    context: dict[str, Any] = {}
    context["registrations"] = _weekly(
        "registrations", tables["registrations"], ports, _("Households registered per week (all ports)")
    )
    context["entries"] = _weekly("entries", tables["entries"], ports, _("Households that entered per week (all ports)"))

    waiting = _cells(tables["waiting"])
    days = [row for row in tables["waiting"]["rows"] if row != "median"]
    context["waiting_chart"] = mark_safe(  # noqa: S308 - svg.py escapes every text it writes
        step_chart(
            [
                Point(
                    _("%(days)s d") % {"days": d},
                    _value(waiting[(d, "percent_waiting")]),
                    _shown(waiting[(d, "percent_waiting")], "%"),
                )
                for d in days
            ],
            chart_id="chart-waiting",
            title=_("Share of households still waiting, by days since registration"),
        )
    )
    context["waiting_rows"] = [
        (_("After %(days)s days") % {"days": d}, _shown(waiting[(d, "percent_waiting")], "%")) for d in days
    ]
    context["median"] = {c: _shown(waiting[("median", c)]) for c in ("days", "low", "high")}
    context["median_status"] = waiting[("median", "days")]["status"]

    tiers = _cells(tables["tiers"])
    tier_rows = [row for row in tables["tiers"]["rows"] if row != "total"]
    total = tiers[("total", "households")]
    rows = []
    for row in tables["tiers"]["rows"]:
        cell = tiers[(row, "households")]
        share = "—"
        if cell["status"] == "published" and total["status"] == "published" and total["value"]:
            share = f"{round(100 * cell['value'] / total['value'])}%"
        rows.append((_tier_label(row), _shown(cell), share))
    context["tier_rows"] = rows
    context["tier_chart"] = mark_safe(  # noqa: S308 - svg.py escapes every text it writes
        bar_chart(
            [
                Point(
                    row if row != "unscored" else "?",
                    _value(tiers[(row, "households")]),
                    _shown(tiers[(row, "households")]),
                )
                for row in tier_rows
            ],
            chart_id="chart-tiers",
            title=_("Households waiting, by priority tier"),
        )
    )

    representation = _cells(tables["representation"])[("all", "percent")]
    context["representation"] = _shown(representation, "%")
    context["representation_chart"] = mark_safe(  # noqa: S308 - svg.py escapes every text it writes
        bar_chart(
            [Point(_("Represented"), _value(representation), _shown(representation, "%"))],
            chart_id="chart-representation",
            title=_("Share of households with a legal representative"),
            unit="%",
        )
    )

    context.update(_reception(tables.get("reception")))

    response = _cells(tables["response"])
    offices = tables["response"]["rows"]
    context["response_rows"] = [
        (
            office,
            _shown(response[(office, "escalations")]),
            _shown(response[(office, "acknowledge_hours")]),
            _shown(response[(office, "resolve_hours")]),
        )
        for office in offices
    ]
    context["response_chart"] = mark_safe(  # noqa: S308 - svg.py escapes every text it writes
        bar_chart(
            [
                Point(
                    str(i + 1),
                    _value(response[(office, "acknowledge_hours")]),
                    _shown(response[(office, "acknowledge_hours")]),
                )
                for i, office in enumerate(offices)
            ],
            chart_id="chart-response",
            title=_(
                "Median hours until an agency office acknowledged an escalation, by office (numbered as in the table)"
            ),
        )
    )
    return context


def _reception_label(row: str) -> str:
    words = {"court_appearance": _("Court appearances"), "check_in": _("Check-ins")}
    return words.get(row, row)


def _references() -> list[str]:
    """The figures of earlier programmes, in words, with their sources (the same in every release)."""
    return [
        _(
            "ICE Family Case Management Program (2016–2017): %(check_in)s of check-ins and %(appearance)s of court "
            "appearances kept. Source: ICE data on the programme, as reported by the Women's Refugee Commission (2017)."
        )
        % {"check_in": "99.4%", "appearance": "99.3%"},
        _(
            "Vera Institute of Justice, Appearance Assistance Program (1997–2000): %(appearance)s of court appearances "
            "kept, %(asylum)s among asylum seekers. Source: Vera Institute of Justice, “Testing Community Supervision "
            "for the INS” (2000)."
        )
        % {"appearance": "91%", "asylum": "93%"},
    ]


def _reception(table: dict[str, Any] | None) -> dict[str, Any]:
    """Court appearance and check-in rates: a chart of the two rates, then a table with each rate, its 95%
    interval and its counts. Releases cut before these rates were measured show them as not yet measured."""
    if table is None or "denominator" not in table["columns"]:
        return {"reception_measured": False, "reception_references": _references()}
    cells = _cells(table)
    rows = []
    for row in table["rows"]:
        percent = cells[(row, "percent")]
        interval = "—"
        if percent["status"] == "published":
            interval = _("%(low)s%% to %(high)s%%") % {
                "low": _shown(cells[(row, "low")]),
                "high": _shown(cells[(row, "high")]),
            }
        elif percent["status"] == "suppressed":
            interval = _("suppressed")
        counts = _("%(numerator)s of %(denominator)s") % {
            "numerator": _shown(cells[(row, "numerator")]),
            "denominator": _shown(cells[(row, "denominator")]),
        }
        rows.append((_reception_label(row), _shown(percent, "%"), interval, counts, percent["status"]))
    chart = bar_chart(
        [
            Point(_reception_label(row), _value(cells[(row, "percent")]), _shown(cells[(row, "percent")], "%"))
            for row in table["rows"]
        ],
        chart_id="chart-reception",
        title=_("Court appearance and check-in rates"),
        unit="%",
    )
    return {
        "reception_measured": True,
        "reception_rows": rows,
        # A chart of suppressed bars draws nothing but empty axes: only when a rate is published.
        "reception_chart": mark_safe(chart) if any(r[4] == "published" for r in rows) else "",  # noqa: S308
        "reception_suppressed": any(status == "suppressed" for *_rest, status in rows),
        "reception_references": _references(),
    }


@require_GET
def statistics_page(request: HttpRequest) -> HttpResponse:
    language = _language(request)
    translation.activate(language)
    release = latest_release()
    context: dict[str, Any] = {"language": language, "languages": settings.LANGUAGES, "release": None}
    if release is not None:
        public = public_release(release)
        context["release"] = public
        context["computed_at"] = parse_datetime(public["computed_at"])
        context.update(_page_context(public))
    return render(request, "statistics/page.html", context)


def _empty() -> HttpResponse:
    return HttpResponse(_("No statistics have been published yet."), status=404, content_type="text/plain")


@require_GET
def statistics_csv(request: HttpRequest) -> HttpResponse:
    release = latest_release()
    if release is None:
        return _empty()
    response = HttpResponse(hxl_files.to_csv(public_release(release)), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="refugio-statistics-{release.pk}.csv"'
    return response


@require_GET
def statistics_xlsx(request: HttpRequest) -> HttpResponse:
    release = latest_release()
    if release is None:
        return _empty()
    response = HttpResponse(
        hxl_files.to_xlsx(public_release(release)),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="refugio-statistics-{release.pk}.xlsx"'
    return response
