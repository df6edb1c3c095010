"""Legal pages: roster, suggestions, offers with the conflict check, hearings and the calendar."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from refugio.accounts.rules import Subject, Verb, roles_for
from refugio.accounts.selectors import organisation_ids_for
from refugio.audit.request import actor_from_request, client_ip
from refugio.audit.services import Actor
from refugio.core.errors import ValidationFailed
from refugio.disclosure import disclose_many, disclose_one
from refugio.legal import calendar_feed, selectors, services
from refugio.legal.forms import HearingForm, ResponseForm
from refugio.legal.models import Expertise, Representative
from refugio.legal.surfaces import CALENDAR_FEED, CALENDAR_PAGE, OFFERS_PAGE, SUGGESTIONS_PAGE
from refugio.people.forms import add_service_errors
from refugio.people.services import PermissionDenied
from refugio.people.surfaces import HOUSEHOLD_HEADING
from refugio.people.vocabulary import court_name, language_name


def _representative(r: Representative) -> dict[str, Any]:
    """A roster entry for a page: staff data about the representative, nothing about the people served."""
    return {
        "id": r.id,
        "name": r.name,
        "kind_label": r.get_kind_display(),
        "organisation": r.organisation.name,
        "languages": [language_name(code) for code in r.languages],
        "courts": [court_name(code) for code in r.courts],
        "expertise": [Expertise(code).label if code in Expertise.values else code for code in r.expertise],
        "open_cases": getattr(r, "open_cases", None),
        "capacity": r.capacity,
        "available": r.available,
    }


@login_required
def roster_page(request: HttpRequest) -> HttpResponse:
    return render(request, "legal/roster.html", {"roster": [_representative(r) for r in selectors.roster()]})


@login_required
def suggestions_page(request: HttpRequest) -> HttpResponse:
    found = selectors.suggestions(request.user)
    shown = disclose_many(actor_from_request(request, "web"), SUGGESTIONS_PAGE, [s.household for s in found])
    cases = {case["id"]: case for case in shown}
    rows = [
        {"case": cases[s.household.id], "representative": _representative(s.representative)}
        for s in found
        if s.household.id in cases
    ]
    return render(request, "legal/suggestions.html", {"suggestions": rows})


@login_required
@require_POST
def offer(request: HttpRequest, household_id: str) -> HttpResponse:
    household = selectors.get_legal_case(request.user, household_id, Verb.WRITE)
    try:
        services.offer_representation(
            actor_from_request(request, "web"),
            household=household,
            representative_id=int(request.POST.get("representative_id", "0") or 0),
        )
    except (ValidationFailed, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "fields", {}).values()) or str(exc))
    else:
        messages.success(request, _("Offered."))
    return redirect("legal:suggestions")


@login_required
def offers_page(request: HttpRequest) -> HttpResponse:
    offers = disclose_many(actor_from_request(request, "web"), OFFERS_PAGE, selectors.offers_for(request.user))
    return render(request, "legal/offers.html", {"offers": offers, "form": ResponseForm()})


@login_required
@require_POST
def respond(request: HttpRequest, representation_id: int) -> HttpResponse:
    offer_ = selectors.get_offer_to_answer(request.user, representation_id)
    form = ResponseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose accept or decline."))
        return redirect("legal:offers")
    data = form.cleaned_data
    try:
        services.respond_to_offer(
            actor_from_request(request, "web"),
            offer=offer_,
            accept=data["decision"] == "accept",
            reason=data["reason"],
            g28_filed_on=data["g28_filed_on"],
            eoir28_filed_on=data["eoir28_filed_on"],
        )
    except ValidationFailed as exc:
        messages.error(request, " ".join(exc.fields.values()))
    else:
        messages.success(request, _("Thank you. Your answer was recorded."))
    return redirect("legal:offers")


@login_required
def hearing_add(request: HttpRequest, household_id: str) -> HttpResponse:
    actor = actor_from_request(request, "web")
    household = selectors.get_legal_case(request.user, household_id, Verb.WRITE)
    form = HearingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_hearing(actor, household=household, data=form.cleaned_data)
        except ValidationFailed as exc:
            add_service_errors(form, exc.fields)
        else:
            messages.success(request, _("Hearing added."))
            return redirect("legal:calendar")
    heading = disclose_one(actor, HOUSEHOLD_HEADING, household.id)
    return render(
        request, "people/household_form.html", {"forms": [form], "household": heading, "title": _("Add a hearing")}
    )


@login_required
def calendar_page(request: HttpRequest) -> HttpResponse:
    on_roster = selectors.my_roster_entry(request.user) is not None
    org_admin_of = organisation_ids_for(request.user, roles_for(Subject.POLICY, Verb.WRITE))
    feeds = [
        {"id": f.id, "prefix": f.prefix, "mine": f.representative_id is not None}
        for f in selectors.my_feeds(request.user)
    ]
    hearings = selectors.calendar(request.user, timezone.localdate())
    return render(
        request,
        "legal/calendar.html",
        {
            "rows": disclose_many(actor_from_request(request, "web"), CALENDAR_PAGE, hearings),
            "representative": on_roster,
            "can_org_feed": bool(org_admin_of),
            "feeds": feeds,
            "new_feed_url": request.session.pop("new_feed_url", None),
        },
    )


@login_required
@require_POST
def feed_create(request: HttpRequest) -> HttpResponse:
    actor = actor_from_request(request, "web")
    try:
        if request.POST.get("scope") == "organisation":
            org = min(organisation_ids_for(request.user, roles_for(Subject.POLICY, Verb.WRITE)), default=None)
            token = services.create_feed(actor, organisation_id=org)
        else:
            representative = selectors.my_roster_entry(request.user)
            if representative is None:
                raise Http404
            token = services.create_feed(actor, representative=representative)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return redirect("legal:calendar")
    # Shown once, on the next page only; only its digest is stored.
    request.session["new_feed_url"] = request.build_absolute_uri(f"/calendar/{token}.ics")
    return redirect("legal:calendar")


@login_required
@require_POST
def feed_revoke(request: HttpRequest, feed_id: int) -> HttpResponse:
    feed = selectors.get_my_feed(request.user, feed_id)
    services.revoke_feed(actor_from_request(request, "web"), feed=feed)
    messages.success(request, _("The feed address no longer works."))
    return redirect("legal:calendar")


def ical(request: HttpRequest, token: str) -> HttpResponse:
    """Public by design (calendar apps cannot sign in); the unguessable token is the credential."""
    feed = services.feed_for_token(token)
    if feed is None:
        raise Http404
    # Read as the user whose access the feed carries, under their rights of today, and audited as theirs.
    owner = Actor(calendar_feed.feed_reader(feed), "feed", client_ip(request))
    events = disclose_many(owner, CALENDAR_FEED, calendar_feed.hearings_for_feed(feed))
    response = HttpResponse(calendar_feed.render(events), content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    return response
