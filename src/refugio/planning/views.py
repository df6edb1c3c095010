"""Pages of the entry plan. Thin: selectors decide who sees what, services write."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from refugio.audit.request import actor_from_request
from refugio.core.errors import NotFound, PermissionDenied, ValidationFailed
from refugio.disclosure import disclose_many
from refugio.planning import selectors, services
from refugio.planning.forms import BedsForm, PortCapacityForm, RunForm, ScreeningForm
from refugio.planning.models import PlanStatus
from refugio.planning.surfaces import MANIFEST, MANIFEST_PERSON_FIELDS, OWN_APPOINTMENTS
from refugio.spreadsheets import write_csv


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    dates, table = selectors.port_calendar(request.user, 14, today)
    initial = {"start": today + dt.timedelta(days=1), "end": today + dt.timedelta(days=30)}
    context = {
        "dates": dates,
        "table": table,
        "capacity_form": PortCapacityForm(initial=initial),
        "screening_form": ScreeningForm(initial=initial),
        "beds_form": BedsForm(initial=initial),
        "run_form": RunForm(),
        "runs": selectors.recent_runs(request.user),
        "published": services.current_published(),
    }
    return render(request, "planning/dashboard.html", context)


@login_required
@require_POST
def change_capacity(request: HttpRequest, kind: str) -> HttpResponse:
    selectors.require_coordinator(request.user)
    forms = {"port": PortCapacityForm, "screening": ScreeningForm, "beds": BedsForm}
    if kind not in forms:
        raise Http404
    form = forms[kind](request.POST)
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
            for message in exc.fields.values():
                messages.error(request, message)
        else:
            messages.success(request, _("Saved. A new plan is being computed."))
            return redirect("planning:run", plan_id=run.id)
    else:
        for errors in form.errors.values():
            for problem in errors:  # ErrorList yields the messages; the stubs say ValidationError too
                messages.error(request, problem)  # type: ignore[arg-type]
    return redirect("planning:dashboard")


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
    context = {
        "run": run,
        "working": run.status in (PlanStatus.QUEUED, PlanStatus.RUNNING),
        "loads": selectors.plan_loads(run)
        if run.status in (PlanStatus.READY, PlanStatus.PUBLISHED, PlanStatus.SUPERSEDED)
        else [],
        "own": disclose_many(
            actor_from_request(request, "web"), OWN_APPOINTMENTS, selectors.own_appointments(request.user, run)
        ),
    }
    if request.headers.get("HX-Request"):
        return render(request, "planning/_run_status.html", context)
    return render(request, "planning/run.html", context)


@login_required
@require_POST
def publish(request: HttpRequest, plan_id: int) -> HttpResponse:
    run = selectors.plan_for_coordinator(request.user, plan_id)
    try:
        queued = services.publish_plan(actor_from_request(request, "web"), run=run)
    except (ValidationFailed, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "fields", {}).values()) or str(exc))
    else:
        messages.success(request, _("Published. %(n)d messages queued for households.") % {"n": queued})
    return redirect("planning:run", plan_id=run.id)


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
