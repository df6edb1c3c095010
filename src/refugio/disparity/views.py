"""Pages of disparity monitoring: the analysts' dashboard (aggregates only, never a person) and the household's
self-identification form. Thin: selectors decide who sees what, services write, disclosure shows people."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from refugio.accounts.rules import Verb
from refugio.audit.request import actor_from_request
from refugio.core.errors import Conflict, NotFound, ValidationFailed
from refugio.disclosure import disclose_many
from refugio.disparity import charts, selectors, services
from refugio.disparity.analysis import MIN_GROUP
from refugio.disparity.forms import MicrodataForm, SelfIdentificationForm
from refugio.disparity.surfaces import MEMBERS, STATED
from refugio.people.forms import add_service_errors
from refugio.transparency import selectors as statistics_selectors
from refugio.transparency import services as statistics_services


def _organisation_id(request: HttpRequest) -> int | None:
    raw = request.GET.get("organisation") or request.POST.get("organisation")
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError as exc:
        raise NotFound from exc


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    organisation = selectors.organisation_for_dashboard(request.user, _organisation_id(request))
    check = selectors.latest_check(organisation.id)
    breakdowns = selectors.breakdowns(check.results) if check else []
    charted = [
        (b, charts.rate_chart(b.groups, _("Entry rate by group: %(what)s") % {"what": b.label}, f"chart-{b.dimension}"))
        for b in breakdowns
    ]
    context = {
        "organisation": organisation,
        "organisations": selectors.monitored_organisations(request.user),
        "check": check,
        "breakdowns": charted,
        "alerts": [
            (a, selectors.group_label(a.dimension, a.group), selectors.group_label(a.dimension, a.reference_group))
            for a in selectors.latest_alerts(organisation.id)
        ],
        "min_group": MIN_GROUP,
        "can_export": any(o.id == organisation.id for o in statistics_selectors.microdata_organisations(request.user)),
    }
    return render(request, "disparity/dashboard.html", context)


@login_required
@require_POST
def run_now(request: HttpRequest) -> HttpResponse:
    organisation = selectors.organisation_for_dashboard(request.user, _organisation_id(request))
    check = services.run_monitor(actor_from_request(request, "web"), organisation_id=organisation.id)
    if check.flagged:
        messages.warning(request, _("The check found groups that wait longer or enter less. See below."))
    else:
        messages.success(request, _("Checked: no group falls below 80% with clear evidence."))
    return redirect(reverse("disparity:dashboard") + f"?organisation={organisation.id}")


@login_required
def self_identification(request: HttpRequest, household_id: uuid.UUID) -> HttpResponse:
    """GET: what the household's members stated, and the form. POST: record (or, with `withdraw`, withdraw)."""
    actor = actor_from_request(request, "web")
    verb = Verb.READ if request.method in ("GET", "HEAD") else Verb.WRITE
    household = selectors.household_for_self_identification(request.user, household_id, verb)
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    if request.method == "POST" and request.POST.get("withdraw"):
        try:
            identification_id = int(request.POST["withdraw"])
        except ValueError as exc:
            raise NotFound from exc
        services.withdraw_self_identification(actor, household_id=household.id, identification_id=identification_id)
        messages.success(request, _("Withdrawn: the answer is erased and no longer counted."))
        return redirect("disparity:self_identification", household_id=household.id)
    members = disclose_many(actor, MEMBERS, selectors.household_members(household))
    form = SelfIdentificationForm(
        request.POST if request.method == "POST" else None,
        members=[(str(m["id"]), m["full_name"]) for m in members],
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.record_self_identification(
                    actor,
                    household_id=household.id,
                    person_id=uuid.UUID(form.cleaned_data["person"]),
                    category=form.cleaned_data["category"],
                    consent=form.cleaned_data["consent"],
                )
            except ValidationFailed as exc:
                add_service_errors(form, exc.fields)
            else:
                messages.success(request, _("Recorded."))
                return redirect("disparity:self_identification", household_id=household.id)
        status = 400
    stated = disclose_many(actor, STATED, selectors.household_self_identifications(household))
    context = {"household": household, "form": form, "stated": stated}
    return render(request, "disparity/self_identification.html", context, status=status)


@login_required
def microdata_export(request: HttpRequest) -> HttpResponse:
    """Anonymised microdata for a partner (admins only). GET: the form. POST `check`: the report, nothing leaves.
    POST `download`: the CSV, audited. Refused with the reason when k and l cannot be reached."""
    organisations = statistics_selectors.microdata_organisations(request.user)
    if not organisations:
        raise NotFound
    raw = _organisation_id(request)
    organisation = (
        statistics_selectors.microdata_organisation(request.user, raw) if raw is not None else organisations[0]
    )
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    form = MicrodataForm(request.POST if request.method == "POST" else None)
    report = None
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            actor = actor_from_request(request, "web")
            options = {
                "organisation_id": organisation.id,
                "k": form.cleaned_data["k"],
                "diversity": form.cleaned_data["l"],
                "max_suppressed": form.cleaned_data["max_suppressed"] / 100,
            }
            try:
                if request.POST.get("download"):
                    export = statistics_services.export_microdata(actor, **options)
                    response = HttpResponse(export.csv, content_type="text/csv; charset=utf-8")
                    response["Content-Disposition"] = 'attachment; filename="refugio-microdata.csv"'
                    return response
                report = statistics_services.check_microdata(actor, **options)
                status = 200
            except Conflict as exc:
                form.add_error(None, exc.message)
                status = 409
    context = {
        "organisation": organisation,
        "organisations": organisations,
        "form": form,
        "report": report,
        "max_risk_percent": f"{report.achieved.max_risk * 100:.1f}" if report else "",
        "global_risk_percent": f"{report.achieved.global_risk * 100:.2f}" if report else "",
    }
    return render(request, "disparity/microdata.html", context, status=status)
