"""Legal pages: roster, suggestions, offers with the conflict check, hearings and the calendar."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from refugio.accounts.models import Role
from refugio.accounts.selectors import organisation_ids_for
from refugio.audit.request import actor_from_request
from refugio.legal import calendar_feed, selectors, services
from refugio.legal.forms import HearingForm, ResponseForm
from refugio.people.forms import add_service_errors
from refugio.people.selectors import get_household
from refugio.people.services import PermissionDenied
from refugio.people.validation import ValidationFailed


@login_required
def roster_page(request: HttpRequest) -> HttpResponse:
    return render(request, "legal/roster.html", {"roster": selectors.roster()})


@login_required
def suggestions_page(request: HttpRequest) -> HttpResponse:
    return render(request, "legal/suggestions.html", {"suggestions": selectors.suggestions(request.user)})


@login_required
@require_POST
def offer(request: HttpRequest, household_id: str) -> HttpResponse:
    household = get_household(request.user, household_id, for_write=True)
    try:
        services.offer_representation(
            actor_from_request(request, "web"), household, int(request.POST.get("representative_id", "0") or 0)
        )
    except (ValidationFailed, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "fields", {}).values()) or str(exc))
    else:
        messages.success(request, _("Offered."))
    return redirect("legal:suggestions")


@login_required
def offers_page(request: HttpRequest) -> HttpResponse:
    offers = [(o, selectors.conflict_check_names(o)) for o in selectors.offers_for(request.user)]
    services.record_conflict_check_reads(actor_from_request(request, "web"), [o for o, _names in offers])
    return render(request, "legal/offers.html", {"offers": offers, "form": ResponseForm()})


@login_required
@require_POST
def respond(request: HttpRequest, representation_id: int) -> HttpResponse:
    offer_ = selectors.get_offer(request.user, representation_id)
    form = ResponseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose accept or decline."))
        return redirect("legal:offers")
    data = form.cleaned_data
    try:
        services.respond_to_offer(
            actor_from_request(request, "web"),
            offer_,
            data["decision"] == "accept",
            data["reason"],
            data["g28_filed_on"],
            data["eoir28_filed_on"],
        )
    except ValidationFailed as exc:
        messages.error(request, " ".join(exc.fields.values()))
    else:
        messages.success(request, _("Thank you. Your answer was recorded."))
    return redirect("legal:offers")


@login_required
def hearing_add(request: HttpRequest, household_id: str) -> HttpResponse:
    household = get_household(request.user, household_id, for_write=True)
    form = HearingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_hearing(actor_from_request(request, "web"), household, form.cleaned_data)
        except ValidationFailed as exc:
            add_service_errors(form, exc.fields)
        else:
            messages.success(request, _("Hearing added."))
            return redirect("legal:calendar")
    return render(
        request, "people/household_form.html", {"forms": [form], "household": household, "title": _("Add a hearing")}
    )


@login_required
def calendar_page(request: HttpRequest) -> HttpResponse:
    representative = selectors.my_roster_entry(request.user)
    org_admin_of = organisation_ids_for(request.user, {Role.ORG_ADMIN})
    feeds = selectors.my_feeds(request.user)
    return render(
        request,
        "legal/calendar.html",
        {
            "rows": selectors.calendar(request.user, timezone.localdate()),
            "representative": representative,
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
            org = min(organisation_ids_for(request.user, {Role.ORG_ADMIN}), default=None)
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
    services.revoke_feed(actor_from_request(request, "web"), feed)
    messages.success(request, _("The feed address no longer works."))
    return redirect("legal:calendar")


def ical(request: HttpRequest, token: str) -> HttpResponse:
    """Public by design (calendar apps cannot sign in); the unguessable token is the credential."""
    feed = services.feed_for_token(token)
    if feed is None:
        raise Http404
    response = HttpResponse(calendar_feed.render(feed), content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    return response
