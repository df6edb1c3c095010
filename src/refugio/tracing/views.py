"""Tracing pages: thin; each shows projections from refugio.disclosure and calls one service."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from refugio.accounts.rules import Verb
from refugio.audit.request import actor_from_request
from refugio.core.errors import Conflict, NotFound, ValidationFailed
from refugio.disclosure import authorize, disclose_many, disclose_one
from refugio.people.forms import add_service_errors
from refugio.people.surfaces import HOUSEHOLD
from refugio.tracing import selectors, services
from refugio.tracing.forms import CloseForm, ConsentForm, NoteForm, TracingRequestForm, VerificationForm
from refugio.tracing.models import TracingCandidate
from refugio.tracing.surfaces import (
    FOUND_CANDIDATE,
    HELD_CANDIDATE,
    HELD_LIST,
    HELD_PAGE,
    REQUEST_LIST,
    REQUEST_PAGE,
    TRACING_REQUEST,
)


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
    return render(
        request,
        "tracing/held.html",
        {"candidate": shown, "consent_form": ConsentForm(), "verify_form": VerificationForm()},
    )


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
        else:
            return HttpResponse(status=404)
    except (Conflict, ValidationFailed) as exc:
        text = exc.message if isinstance(exc, Conflict) else " ".join(exc.fields.values())
        messages.error(request, text)
        return redirect(back)
    messages.success(request, _("Saved."))
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
