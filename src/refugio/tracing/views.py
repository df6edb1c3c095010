"""Tracing pages: thin; each shows projections from refugio.disclosure and calls one service."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from refugio.accounts.rules import Verb
from refugio.audit.request import actor_from_request
from refugio.core.errors import Conflict, NotFound, ValidationFailed
from refugio.core.forms import set_choices
from refugio.disclosure import Projection, authorize, disclose_many, disclose_one
from refugio.people.forms import add_service_errors
from refugio.people.surfaces import HOUSEHOLD
from refugio.reception.surfaces import SHELTER_HEADING
from refugio.tracing import selectors, services
from refugio.tracing.forms import (
    CloseForm,
    ConsentForm,
    LodgeTogetherForm,
    NoteForm,
    TracingRequestForm,
    TravelTogetherForm,
    VerificationForm,
)
from refugio.tracing.models import TracingCandidate
from refugio.tracing.surfaces import (
    FOUND_CANDIDATE,
    HELD_CANDIDATE,
    HELD_LIST,
    HELD_PAGE,
    REQUEST_LIST,
    REQUEST_PAGE,
    REUNION_LEGS,
    REUNION_STAYS,
    TRACING_REQUEST,
)
from refugio.transport.models import Trip


@login_required
def index(request: HttpRequest) -> HttpResponse:
    actor = actor_from_request(request, "web")
    return render(
        request,
        "tracing/index.html",
        {
            "requests": disclose_many(actor, REQUEST_LIST, selectors.visible_requests(request.user)[:200]),
            "to_review": disclose_many(
                actor, HELD_LIST, selectors.candidates_to_review(request.user).select_related("person", "request")[:200]
            ),
        },
    )


@login_required
def new_request(request: HttpRequest, household_id: str) -> HttpResponse:
    household = authorize(request.user, HOUSEHOLD, household_id, verb=Verb.WRITE)
    form = TracingRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.open_request(
                actor_from_request(request, "web"), household=household, data=form.cleaned_data
            )
        except ValidationFailed as exc:
            add_service_errors(form, exc.fields)
        else:
            messages.success(request, _("Tracing request opened. The search runs in the background."))
            return redirect("tracing:request", request_id=created.id)
    return render(request, "tracing/new.html", {"form": form}, status=400 if form.errors else 200)


@login_required
def request_page(request: HttpRequest, request_id: str) -> HttpResponse:
    shown = disclose_one(actor_from_request(request, "web"), REQUEST_PAGE, request_id)
    shared = [c["id"] for c in shown["candidates"] if c["status"] in selectors.SHARED_STATUSES]
    if shared:
        found = selectors.found_candidates(request.user).filter(id__in=shared).select_related("request", "person")
        together = {c.id: _together(request, c) for c in found}
        for c in shown["candidates"]:
            c["together"] = together.get(c["id"])
    return render(
        request,
        "tracing/request.html",
        {
            "tracing": shown,
            "consent_form": ConsentForm(),
            "verify_form": VerificationForm(),
            "close_form": CloseForm(),
            "note_form": NoteForm(),
        },
    )


@login_required
def held_page(request: HttpRequest, candidate_id: str) -> HttpResponse:
    shown = disclose_one(actor_from_request(request, "web"), HELD_PAGE, candidate_id)
    if shown["status"] in selectors.SHARED_STATUSES:
        held = selectors.held_candidates(request.user).select_related("request", "person").get(pk=shown["id"])
        shown["together"] = _together(request, held)
    return render(
        request,
        "tracing/held.html",
        {"candidate": shown, "consent_form": ConsentForm(), "verify_form": VerificationForm()},
    )


def _trip_label(trip: Trip, free: int) -> str:
    departs = formats.date_format(timezone.localtime(trip.departs_at), "SHORT_DATETIME_FORMAT")
    seats = ngettext("%(n)d seat free", "%(n)d seats free", free) % {"n": free}
    return f"{trip.get_mode_display()} {trip.from_place} → {trip.to_place}, {departs} · {seats}"


def _shelter_choices(request: HttpRequest) -> list[Projection]:
    shelters = selectors.reunion_shelters(request.user)
    return disclose_many(actor_from_request(request, "web"), SHELTER_HEADING, shelters)


def _trip_choices(request: HttpRequest) -> list[tuple[int, str]]:
    trips = selectors.reunion_trips(request.user)[:100]
    return [(t.id, _trip_label(t, max(t.seats - int(getattr(t, "taken", 0) or 0), 0))) for t in trips]


def _together(request: HttpRequest, candidate: TracingCandidate) -> dict[str, Any] | None:
    """Once a candidate is shared: where both households sleep and travel (disclosed, so audited in each
    household's organisation), and the forms that lodge them in one shelter and book them on one trip."""
    if candidate.status not in selectors.SHARED_STATUSES:
        return None
    actor = actor_from_request(request, "web")
    ids = selectors.reunion_households(candidate)
    stays = disclose_many(actor, REUNION_STAYS, selectors.reunion_stays(request.user, ids))
    legs = disclose_many(actor, REUNION_LEGS, selectors.reunion_tickets(request.user, ids))
    households: list[dict[str, Any]] = [
        {
            "who": who,
            "stays": [s for s in stays if s["household_id"] == household_id],
            "legs": [t for t in legs if t["household_id"] == household_id],
        }
        for who, household_id in zip(
            (_("The family looking"), _("The household of the person found")), ids, strict=True
        )
    ]
    shelters = _shelter_choices(request)
    # The shelter where one of them already has a bed, if this caseworker may place there: proposed first.
    placeable = {s["id"] for s in shelters}
    suggested = next(
        ({"who": h["who"], **stay} for h in households for stay in h["stays"] if stay["shelter_id"] in placeable),
        None,
    )
    today = timezone.localdate()
    initial: dict[str, Any] = {"starts_on": today, "ends_on": today + dt.timedelta(days=7)}
    if suggested:
        initial = {
            "shelter_id": suggested["shelter_id"],
            "starts_on": max(suggested["starts_on"], today),
            "ends_on": suggested["ends_on"],
        }
    lodge_form = LodgeTogetherForm(initial=initial, auto_id=f"id_{candidate.id}_lodge_%s")
    set_choices(lodge_form, "shelter_id", [(s["id"], f"{s['name']} ({s['city']})") for s in shelters])
    travel_form = TravelTogetherForm(auto_id=f"id_{candidate.id}_travel_%s")
    set_choices(travel_form, "trip_id", _trip_choices(request))
    looking, found = households
    both = {s["shelter_id"] for s in looking["stays"]} & {s["shelter_id"] for s in found["stays"]}
    return {
        "households": households,
        "lodged_together": next((s["shelter"] for s in looking["stays"] if s["shelter_id"] in both), ""),
        "travelling_together": bool({t["trip_id"] for t in looking["legs"]} & {t["trip_id"] for t in found["legs"]}),
        "suggested": suggested,
        "lodge_form": lodge_form,
        "travel_form": travel_form,
    }


def _candidate_for(request: HttpRequest, candidate_id: str) -> tuple[TracingCandidate, str]:
    """The candidate the user acts on, from whichever side they are; where to go back to."""
    try:
        found = authorize(request.user, FOUND_CANDIDATE, candidate_id, verb=Verb.CONFIRM)
        return found, f"/tracing/requests/{found.request_id}/"
    except NotFound:  # not on the requesting side: the holding side, or nobody (NotFound again)
        held = authorize(request.user, HELD_CANDIDATE, candidate_id, verb=Verb.CONFIRM)
        return held, f"/tracing/candidates/{held.id}/"


@login_required
@require_POST
def act(request: HttpRequest, candidate_id: str, step: str) -> HttpResponse:
    candidate, back = _candidate_for(request, candidate_id)
    actor = actor_from_request(request, "web")
    done = _("Saved.")
    try:
        if step == "confirm":
            services.confirm_candidate(actor, candidate=candidate)
        elif step == "reject":
            services.reject_candidate(actor, candidate=candidate)
        elif step == "consent":
            form = ConsentForm(request.POST)
            services.record_side_consent(
                actor, candidate=candidate, method=form.data.get("method", "") if form.is_bound else ""
            )
        elif step == "verify":
            services.verify_family_link(
                actor, candidate=candidate, method=request.POST.get("method", ""), notes=request.POST.get("notes", "")
            )
        elif step == "reunited":
            services.record_reunion(actor, candidate=candidate)
        elif step == "lodge":
            lodge = LodgeTogetherForm(request.POST)
            set_choices(lodge, "shelter_id", [(s["id"], s["name"]) for s in _shelter_choices(request)])
            if not lodge.is_valid():
                raise ValidationFailed({"form": _("Choose a shelter, the bed type and both dates.")})
            services.lodge_together(actor, candidate=candidate, **lodge.cleaned_data)
            done = _("The two households are lodged in the same shelter.")
        elif step == "travel":
            travel = TravelTogetherForm(request.POST)
            set_choices(travel, "trip_id", _trip_choices(request))
            if not travel.is_valid():
                raise ValidationFailed({"trip_id": _("Choose a trip.")})
            services.travel_together(actor, candidate=candidate, trip_id=travel.cleaned_data["trip_id"])
            done = _("The two households are booked on the same trip.")
        else:
            return HttpResponse(status=404)
    except (Conflict, ValidationFailed) as exc:
        text = exc.message if isinstance(exc, Conflict) else " ".join(exc.fields.values())
        messages.error(request, text)
        return redirect(back)
    messages.success(request, done)
    return redirect(back)


@login_required
@require_POST
def close(request: HttpRequest, request_id: str) -> HttpResponse:
    tracing = authorize(request.user, TRACING_REQUEST, request_id, verb=Verb.CONFIRM)
    form = CloseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the request is closed."))
    else:
        try:
            actor = actor_from_request(request, "web")
            services.close_request(actor, request=tracing, reason=form.cleaned_data["reason"])
        except Conflict as exc:
            messages.error(request, exc.message)
    return redirect("tracing:request", request_id=request_id)


@login_required
@require_POST
def add_note(request: HttpRequest, request_id: str) -> HttpResponse:
    tracing = authorize(request.user, TRACING_REQUEST, request_id, verb=Verb.CONFIRM)
    try:
        services.add_note(actor_from_request(request, "web"), request=tracing, body=request.POST.get("body", ""))
    except ValidationFailed as exc:
        messages.error(request, " ".join(exc.fields.values()))
    return redirect("tracing:request", request_id=request_id)
