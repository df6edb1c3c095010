"""Pages of the entry plan. Thin: selectors decide who sees what, services write."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from refugio.audit.request import actor_from_request
from refugio.core.errors import NotFound, PermissionDenied, ValidationFailed, VersionConflict
from refugio.disclosure import disclose_many
from refugio.people.forms import add_service_errors
from refugio.planning import selectors, services
from refugio.planning.forms import (
    BedsForm,
    ChartWindowForm,
    PortCapacityForm,
    PublishForm,
    RunForm,
    ScreeningForm,
)
from refugio.planning.models import PlanStatus
from refugio.planning.surfaces import MANIFEST, MANIFEST_PERSON_FIELDS, OWN_APPOINTMENTS
from refugio.spreadsheets import write_csv


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    return _dashboard(request)


def _dashboard(request: HttpRequest, bound: dict[str, Any] | None = None) -> HttpResponse:
    """The dashboard; `bound` replaces a capacity form by the one sent with errors, shown where it was typed."""
    today = timezone.localdate()
    dates, table = selectors.port_calendar(request.user, 14, today)
    initial = {"start": today + dt.timedelta(days=1), "end": today + dt.timedelta(days=30)}
    context = {
        "dates": dates,
        "table": table,
        # Three forms on one page with the same field names: each its own ids (one id per page).
        "capacity_form": PortCapacityForm(initial=initial, auto_id="port_%s"),
        "screening_form": ScreeningForm(initial=initial, auto_id="screening_%s"),
        "beds_form": BedsForm(initial=initial, auto_id="beds_%s"),
        "run_form": RunForm(),
        "runs": selectors.recent_runs(request.user),
        "published": services.current_published(),
        **(bound or {}),
    }
    return render(request, "planning/dashboard.html", context, status=400 if bound else 200)


@login_required
@require_POST
def change_capacity(request: HttpRequest, kind: str) -> HttpResponse:
    selectors.require_coordinator(request.user)
    forms = {"port": PortCapacityForm, "screening": ScreeningForm, "beds": BedsForm}
    if kind not in forms:
        raise Http404
    form = forms[kind](request.POST, auto_id=f"{kind}_%s")
    if form.is_valid():
        data, actor = form.cleaned_data, actor_from_request(request, "web")
        try:
            if kind == "port":
                run = services.set_port_capacity(
                    actor,
                    port=data["port"],
                    start=data["start"],
                    end=data["end"],
                    capacity=data["capacity"],
                    closed_weekdays=set(data["closed_weekdays"]),
                )
            elif kind == "screening":
                run = services.set_screening(
                    actor, city=data["city"], start=data["start"], end=data["end"], capacity=data["capacity"]
                )
            else:
                run = services.set_beds(
                    actor, destination=data["destination"], start=data["start"], end=data["end"], beds=data["beds"]
                )
        except ValidationFailed as exc:
            add_service_errors(form, exc.fields)
        else:
            messages.success(request, _("Saved. A new plan is being computed."))
            return redirect("planning:run", plan_id=run.id)
    # The form again, with what was typed, its errors on their fields and a summary at its top.
    names = {"port": "capacity_form", "screening": "screening_form", "beds": "beds_form"}
    return _dashboard(request, {names[kind]: form})


@login_required
@require_POST
def run_plan(request: HttpRequest) -> HttpResponse:
    selectors.require_coordinator(request.user)
    form = RunForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The registration-order share is between 0 and 1."))
        return redirect("planning:dashboard")
    run = services.start_plan(
        actor_from_request(request, "web"), fifo_share=form.cleaned_data["fifo_share"], trigger=_("Run by hand")
    )
    return redirect("planning:run", plan_id=run.id)


@login_required
def run_page(request: HttpRequest, plan_id: int) -> HttpResponse:
    run = selectors.plan_for_coordinator(request.user, plan_id)
    working = run.status in (PlanStatus.QUEUED, PlanStatus.RUNNING)
    if request.headers.get("HX-Request") and not working and request.GET.get("polling"):
        # The run has just finished while the page polled: show the whole review, not only the status.
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    done = run.status in (PlanStatus.READY, PlanStatus.PUBLISHED, PlanStatus.SUPERSEDED)
    window = ChartWindowForm(request.GET)
    start = window.cleaned_data["start"] if window.is_valid() else None
    context = {
        "run": run,
        "working": working,
        "first_day": _iso_date(run.summary.get("first_day")),
        "last_day": _iso_date(run.summary.get("last_day")),
        "chart": selectors.plan_chart(run, start) if done else None,
        "waiting": selectors.left_waiting(run) if done else [],
        "own": disclose_many(
            actor_from_request(request, "web"), OWN_APPOINTMENTS, selectors.own_appointments(request.user, run)
        ),
    }
    if request.headers.get("HX-Request"):
        return render(request, "planning/_run_status.html", context)
    return render(request, "planning/run.html", context)


def _iso_date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


@login_required
def publish(request: HttpRequest, plan_id: int) -> HttpResponse:
    """GET: what publishing would tell whom. POST of that confirmation (with its version): publish."""
    run = selectors.plan_for_coordinator(request.user, plan_id)
    if request.method == "POST":
        form = PublishForm(request.POST)
        try:
            if not form.is_valid():
                raise VersionConflict
            queued = services.publish_plan(
                actor_from_request(request, "web"), run=run, expected_version=form.cleaned_data["version"]
            )
        except VersionConflict:
            preview = selectors.publish_preview(run)
            error = _(
                "The plan or the published plan changed since this confirmation was shown, so nothing was "
                "published. Check the new numbers below and confirm again."
            )
            return render(request, "planning/publish.html", {"preview": preview, "error": error}, status=409)
        except (ValidationFailed, PermissionDenied) as exc:
            messages.error(request, " ".join(getattr(exc, "fields", {}).values()) or str(exc))
        else:
            messages.success(request, _("Published. %(n)d messages queued for households.") % {"n": queued})
        return redirect("planning:run", plan_id=run.id)
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "POST"])
    return render(request, "planning/publish.html", {"preview": selectors.publish_preview(run)})


@login_required
def manifests(request: HttpRequest) -> HttpResponse:
    return render(request, "planning/manifests.html", {"days": selectors.manifest_days(request.user)})


@login_required
def manifest(request: HttpRequest, port_code: str, date: str) -> HttpResponse:
    try:
        day = dt.date.fromisoformat(date)
    except ValueError as exc:
        raise NotFound from exc
    port, found = selectors.manifest(request.user, port_code, day)
    rows = disclose_many(actor_from_request(request, "web"), MANIFEST, found)
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="manifest-{port.code}-{day.isoformat()}.csv"'
        columns = [f for f in MANIFEST_PERSON_FIELDS if f != "full_name"]
        write_csv(
            response,
            ["registration_code", *columns],
            ([row["registration_code"], *(p[c] for c in columns)] for row in rows for p in row["members"]),
        )
        return response
    return render(request, "planning/manifest.html", {"port": port, "day": day, "households": rows})
