"""Pages of the weekly allocation meeting and of a local partner's capacity. Thin: selectors decide who
sees what, services write, the disclosure layer shows households."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from refugio.audit.request import actor_from_request
from refugio.core.errors import NotFound, PermissionDenied, ValidationFailed, VersionConflict
from refugio.disclosure import disclose_many, disclose_one
from refugio.people.vocabulary import language_name, nationality_name
from refugio.placement import scoring, selectors, services
from refugio.placement.forms import CapacityForm, FamilyTieForm, OverrideForm, RunForm, WeekForm
from refugio.placement.models import BASIC_NEEDS, LANGUAGE_PREFIX, Destination, Outcome, RunStatus, need_label
from refugio.placement.surfaces import PARTNER, REVIEW, TIE


def _week(request: HttpRequest) -> dt.date:
    form = WeekForm(request.GET)
    if request.GET.get("week") and form.is_valid():
        return form.cleaned_data["week"]
    return selectors.week_of(timezone.localdate() + dt.timedelta(days=7))


def _report(request: HttpRequest, exc: ValidationFailed | PermissionDenied | VersionConflict) -> None:
    if isinstance(exc, ValidationFailed):
        for message in exc.fields.values():
            messages.error(request, message)
    else:
        messages.error(request, str(exc))


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Capacity of every destination the user reads for a week; for allocators, the runs and the run form."""
    week = _week(request)
    table = selectors.capacity_table(request.user, week)
    allocating = sorted(selectors.allocating_organisations(request.user))
    rows = []
    for row in table:
        counts = row["need_cases"]
        languages = [
            f"{language_name(n.removeprefix(LANGUAGE_PREFIX))} {c}"
            for n, c in sorted(counts.items())
            if n.startswith(LANGUAGE_PREFIX)
        ]
        rows.append(
            {
                **row,
                "needs": [(need_label(n), counts.get(n, 0)) for n in BASIC_NEEDS],
                "languages": ", ".join(languages),
            }
        )
    context = {
        "week": week,
        "previous_week": week - dt.timedelta(days=7),
        "next_week": week + dt.timedelta(days=7),
        "rows": rows,
        "runs": selectors.runs_for(request.user) if allocating else [],
        "run_form": RunForm(initial={"week": week}) if allocating else None,
    }
    return render(request, "placement/dashboard.html", context)


@login_required
def capacity(request: HttpRequest, destination_id: int) -> HttpResponse:
    """A local partner's staff publish their capacity for a week."""
    destination = selectors.destination_to_update(request.user, destination_id)
    week = _week(request)
    if request.method == "POST":
        posted_week = WeekForm(request.POST)
        week = posted_week.cleaned_data["week"] if posted_week.is_valid() else week
    row = selectors.capacity_of(destination, week)
    needs = services.known_needs()
    initial: dict[str, object] = {"people": row.people if row else None, "version": row.version if row else 0}
    if row:
        initial.update({f"need_{n}": c for n, c in row.need_cases.items()})
    form = CapacityForm(request.POST or None, needs=needs, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_capacity(
                actor_from_request(request, "web"),
                destination_id=destination.id,
                week_start=week,
                people=form.cleaned_data["people"],
                need_cases=form.need_cases(),
                version=form.cleaned_data.get("version"),
            )
        except (ValidationFailed, VersionConflict) as exc:
            _report(request, exc)
        else:
            messages.success(request, _("Capacity saved. The allocating organisation sees it now."))
            return redirect(f"{reverse('placement:capacity', args=[destination.id])}?week={week.isoformat()}")
    return render(
        request,
        "placement/capacity.html",
        {
            "destination": destination,
            "week": week,
            "form": form,
            "row": row,
            "week_form": WeekForm(initial={"week": week}),
        },
    )


@login_required
@require_POST
def run(request: HttpRequest) -> HttpResponse:
    allocating = sorted(selectors.allocating_organisations(request.user))
    if not allocating:
        raise NotFound
    form = RunForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for problem in errors:
                messages.error(request, problem)  # type: ignore[arg-type]
        return redirect("placement:dashboard")
    try:
        created = services.run_allocation(
            actor_from_request(request, "web"),
            organisation_id=allocating[0],
            week_start=form.cleaned_data["week"],
            outcome=form.cleaned_data["outcome"],
        )
    except (ValidationFailed, PermissionDenied) as exc:
        _report(request, exc)
        return redirect(f"{reverse('placement:dashboard')}?week={form.cleaned_data['week'].isoformat()}")
    messages.success(request, _("Allocation computed. Review it before publishing."))
    return redirect("placement:review", run_id=created.id)


@login_required
def review(request: HttpRequest, run_id: int) -> HttpResponse:
    """The allocation meeting: each household with where it goes and why, overrides, fairness, publish."""
    found = selectors.run_for(request.user, run_id)
    rows = disclose_many(actor_from_request(request, "web"), REVIEW, selectors.run_assignments(found))
    overridable = selectors.can_override(request.user, found)
    choices = selectors.destination_choices(found) if overridable else []
    cities = {d.id: d for d in selectors.destination_choices(found)}
    load: dict[int, int] = {}
    for row in rows:
        load[row["destination"]["id"]] = load.get(row["destination"]["id"], 0) + row["people"]
    destinations = [
        {
            "city": d["city"],
            "capacity": d["capacity"],
            "placed": load.get(int(d["id"]), 0),
            "partner": cities[int(d["id"])].organisation.name if int(d["id"]) in cities else "",
        }
        for d in found.instance.get("destinations", [])
    ]
    for row in rows:
        row["override_form"] = OverrideForm(destinations=choices, prefix=f"a{row['id']}") if overridable else None
    fairness = [{**g, "label": nationality_name(g["group"])} for g in found.fairness]
    context = {
        "run": found,
        "outcome_label": Outcome(found.outcome).label,
        "rows": rows,
        "destinations": destinations,
        "fairness": fairness,
        "can_publish": found.status == RunStatus.READY and selectors.can_write(request.user, found),
        "overridable": overridable,
    }
    return render(request, "placement/review.html", context)


@login_required
@require_POST
def override(request: HttpRequest, assignment_id: int) -> HttpResponse:
    try:
        from refugio.placement.models import Assignment

        assignment = Assignment.objects.select_related("run").get(pk=assignment_id)
    except Assignment.DoesNotExist as exc:
        raise NotFound from exc
    found = selectors.run_for(request.user, assignment.run_id)
    form = OverrideForm(request.POST, destinations=selectors.destination_choices(found), prefix=f"a{assignment_id}")
    if not form.is_valid():
        for errors in form.errors.values():
            for problem in errors:
                messages.error(request, problem)  # type: ignore[arg-type]
        return redirect("placement:review", run_id=found.id)
    try:
        services.override_assignment(
            actor_from_request(request, "web"),
            assignment_id=assignment_id,
            destination_id=form.cleaned_data["destination"].id,
            reason=form.cleaned_data["reason"],
        )
    except (ValidationFailed, PermissionDenied) as exc:
        _report(request, exc)
    else:
        messages.success(request, _("Changed and re-solved: the other households were placed again around it."))
    return redirect("placement:review", run_id=found.id)


@login_required
@require_POST
def publish(request: HttpRequest, run_id: int) -> HttpResponse:
    try:
        notified = services.publish_allocation(actor_from_request(request, "web"), run_id=run_id)
    except (ValidationFailed, PermissionDenied) as exc:
        _report(request, exc)
    else:
        messages.success(
            request,
            _("Published. The local partners see their cases; %(n)d households will be told.") % {"n": notified},
        )
    return redirect("placement:review", run_id=run_id)


@login_required
def received(request: HttpRequest) -> HttpResponse:
    """A local partner's staff: the cases published to them."""
    rows = disclose_many(actor_from_request(request, "web"), PARTNER, selectors.received(request.user))
    return render(request, "placement/received.html", {"rows": rows})


@login_required
def model(request: HttpRequest) -> HttpResponse:
    """The outcome model: what it predicts, from which features (never nationality, religion or race), and
    how well it did on outcomes it was not trained on."""
    if not selectors.allocating_organisations(request.user):
        raise NotFound
    picked = request.GET.get("outcome") or Outcome.EMPLOYED_90_DAYS
    if picked not in Outcome.values:
        raise NotFound
    context = {
        "summary": scoring.summary(scoring.outcome_model(picked)),
        "outcome_label": Outcome(picked).label,
        "outcomes": [(value, label, value == picked) for value, label in Outcome.choices],
    }
    return render(request, "placement/model.html", context)


@login_required
def family_tie(request: HttpRequest, household_id: str) -> HttpResponse:
    """Set or remove a household's family tie: the city where a relative lives, and who they are. The
    disclosure layer authorizes (404 unless the user may change the household) and audits what is shown."""
    actor = actor_from_request(request, "web")
    shown = disclose_one(actor, TIE, household_id)
    destinations = list(Destination.objects.select_related("organisation").order_by("city"))
    initial = {"destination": shown["tie_destination_id"], "relation": shown["relation"]}
    form = FamilyTieForm(request.POST or None, destinations=destinations, initial=initial)
    if request.method == "POST" and form.is_valid():
        destination = form.cleaned_data["destination"]
        try:
            services.set_family_tie(
                actor,
                household_id=shown["id"],
                destination_id=destination.id if destination else None,
                relation=form.cleaned_data["relation"] if destination else "",
            )
        except ValidationFailed as exc:
            _report(request, exc)
        else:
            messages.success(request, _("Family tie saved.") if destination else _("Family tie removed."))
            return redirect("people:household", household_id=shown["id"])
    return render(request, "placement/tie.html", {"household": shown, "form": form})
