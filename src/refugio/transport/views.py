"""Transport pages: trips with their free seats, a trip with its passengers and a booking form, a household's
printable itinerary in its own language, and the destination (sponsor) address."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from refugio.accounts.models import Organisation
from refugio.accounts.rules import Subject, Verb
from refugio.accounts.selectors import organisations_where
from refugio.audit.request import actor_from_request
from refugio.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from refugio.disclosure import disclose_many, disclose_one
from refugio.people.forms import add_service_errors
from refugio.transport import selectors, services
from refugio.transport.forms import BookingForm, RelocationForm, TripForm
from refugio.transport.models import Mode, TicketStatus, Trip
from refugio.transport.surfaces import ITINERARY_PAGE, PASSENGERS_PAGE, RELOCATIONS_PAGE, TRAVELLER_HEADING

# What to carry on every trip, and more by mode of travel (words, shown in the household's language).
CARRY_ALWAYS = (
    gettext_lazy("Identity documents of every person travelling, and every paper you were given at the border."),
    gettext_lazy("This itinerary and your ticket reference."),
    gettext_lazy("Medicines, with the prescription if you have one."),
    gettext_lazy("Water, food for the journey and something warm for the children."),
    gettext_lazy("A charged phone, and the phone number of your caseworker."),
)
CARRY_BY_MODE = {
    Mode.FLIGHT: (
        gettext_lazy("Keep documents and medicines in your hand luggage."),
        gettext_lazy("Liquids in hand luggage: 100 ml at most each, in one clear bag."),
        gettext_lazy("Be at the airport two hours before the flight."),
    ),
    Mode.BUS: (gettext_lazy("Be at the bus station 30 minutes before departure."),),
    Mode.VAN: (gettext_lazy("Be at the meeting point 15 minutes before departure."),),
    Mode.CAR: (gettext_lazy("Be at the meeting point 15 minutes before departure."),),
}


def _trip(trip: Trip) -> dict[str, Any]:
    """A trip for a page: cities, times and seats, no person."""
    taken = int(getattr(trip, "taken", 0) or 0)
    return {
        "id": trip.id,
        "organisation": trip.organisation.name,
        "mode_label": trip.get_mode_display(),
        "from_place": trip.from_place,
        "to_place": trip.to_place,
        "departs_at": trip.departs_at,
        "arrives_at": trip.arrives_at,
        "seats": trip.seats,
        "taken": taken,
        "free": max(trip.seats - taken, 0),
        "carrier": trip.carrier,
        "booking_reference": trip.booking_reference,
    }


def _writer_organisations(request: HttpRequest) -> list[tuple[int, str]]:
    ids = organisations_where(request.user, Subject.TRANSPORT, Verb.WRITE)
    return list(Organisation.objects.filter(id__in=ids).order_by("name").values_list("id", "name"))


@login_required
def trips_page(request: HttpRequest) -> HttpResponse:
    if not organisations_where(request.user, Subject.TRANSPORT, Verb.READ):
        raise NotFound
    trips = [_trip(t) for t in selectors.upcoming_trips(request.user)]
    return render(request, "transport/trips.html", {"trips": trips, "may_add": bool(_writer_organisations(request))})


@login_required
def trip_create(request: HttpRequest) -> HttpResponse:
    organisations = _writer_organisations(request)
    if not organisations:
        raise NotFound
    form = TripForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        try:
            trip = services.create_trip(
                actor_from_request(request, "web"),
                organisation_id=form.cleaned_data["organisation"],
                data=form.service_data(),
            )
        except ValidationFailed as exc:
            add_service_errors(form, exc.fields)
        else:
            messages.success(request, _("Trip added."))
            return redirect("transport:trip", trip_id=trip.id)
    return render(request, "transport/trip_form.html", {"form": form}, status=400 if form.errors else 200)


def _trip_page(request: HttpRequest, trip_id: int, form: BookingForm, *, status: int = 200) -> HttpResponse:
    trip = selectors.get_trip(request.user, trip_id)
    shown = disclose_many(actor_from_request(request, "web"), PASSENGERS_PAGE, selectors.passengers(request.user, trip))
    facts = _trip(trip)
    seen_seats = sum(p["seats"] for p in shown if p["status"] != "cancelled")
    may_book = bool(organisations_where(request.user, Subject.TRANSPORT, Verb.WRITE))
    return render(
        request,
        "transport/trip.html",
        {
            "trip": facts,
            "passengers": shown,
            "other_seats": max(facts["taken"] - seen_seats, 0),
            "form": form if may_book else None,
            "may_cancel": may_book,
        },
        status=status,
    )


@login_required
def trip_page(request: HttpRequest, trip_id: int) -> HttpResponse:
    return _trip_page(request, trip_id, BookingForm())


@login_required
@require_POST
def trip_book(request: HttpRequest, trip_id: int) -> HttpResponse:
    selectors.get_trip(request.user, trip_id)  # 404 before anything else for a trip the user cannot see
    form = BookingForm(request.POST)
    if not form.is_valid():
        return _trip_page(request, trip_id, form, status=400)
    actor = actor_from_request(request, "web")
    try:
        household = selectors.household_by_code(request.user, form.cleaned_data["registration_code"])
        services.book_ticket(actor, trip_id=trip_id, household_id=household.id, seats=form.cleaned_data["seats"])
    except NotFound:
        form.add_error("registration_code", _("No household with this code that you may book travel for."))
        return _trip_page(request, trip_id, form, status=400)
    except ValidationFailed as exc:
        add_service_errors(form, exc.fields)
        return _trip_page(request, trip_id, form, status=400)
    except Conflict as exc:
        form.add_error(None, exc.message)
        return _trip_page(request, trip_id, form, status=409)
    messages.success(request, _("Seats booked."))
    return redirect("transport:trip", trip_id=trip_id)


@login_required
@require_POST
def ticket_cancel(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = selectors.get_ticket(request.user, ticket_id, Verb.WRITE)
    services.cancel_ticket(actor_from_request(request, "web"), ticket_id=ticket.id)
    messages.success(request, _("Ticket cancelled; its seats are free again."))
    return redirect("transport:trip", trip_id=ticket.trip_id)


def itinerary_language(code: str) -> str:
    """The household's language if Refugio's pages speak it, else Spanish (the registration default)."""
    known = {code for code, _name in settings.LANGUAGES}
    return code if code in known else "es"


@login_required
def itinerary_page(request: HttpRequest, household_id: str) -> HttpResponse:
    """The printable itinerary, every word in the household's language (not the staff member's)."""
    shown = disclose_one(actor_from_request(request, "web"), ITINERARY_PAGE, household_id)
    language = itinerary_language(shown["preferred_language"])
    modes = {leg["mode"] for leg in shown["legs"]}
    may_write = selectors.transport_households(request.user, Verb.WRITE).filter(pk=shown["id"]).exists()
    with translation.override(language):
        carry = [str(item) for item in CARRY_ALWAYS]
        for mode in Mode.values:
            if mode in modes:
                carry += [str(item) for item in CARRY_BY_MODE.get(Mode(mode), ())]
        legs = [
            {**leg, "mode_label": str(Mode(leg["mode"]).label), "status_label": _status_word(leg["status"])}
            for leg in shown["legs"]
        ]
        html = render_to_string(
            "transport/itinerary.html",
            {
                "traveller": shown,
                "legs": legs,
                "destination": shown["destinations"][0] if shown["destinations"] else None,
                "carry": carry,
                "language": language,
                "may_write": may_write,
            },
            request=request,
        )
    return HttpResponse(html)


def _status_word(status: str) -> str:
    return str(TicketStatus(status).label)


@login_required
@require_POST
def itinerary_send(request: HttpRequest, household_id: str) -> HttpResponse:
    household = selectors.get_transport_household(request.user, household_id, Verb.WRITE)
    try:
        services.send_next_trip(actor_from_request(request, "web"), household_id=household.id)
    except (Conflict, PermissionDenied, ValidationFailed) as exc:
        messages.error(request, getattr(exc, "message", None) or str(exc))
    else:
        messages.success(request, _("The next trip was sent to the household."))
    return redirect("people:household", household_id=household.id)


@login_required
def relocation_page(request: HttpRequest, household_id: str) -> HttpResponse:
    actor = actor_from_request(request, "web")
    household = selectors.get_transport_household(request.user, household_id, Verb.WRITE)
    form = RelocationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_relocation(actor, household_id=household.id, data=form.cleaned_data)
        except ValidationFailed as exc:
            add_service_errors(form, exc.fields)
        else:
            messages.success(request, _("Destination address recorded."))
            return redirect("transport:relocation", household_id=household.id)
    heading = disclose_one(actor, TRAVELLER_HEADING, household.id)
    earlier = disclose_many(actor, RELOCATIONS_PAGE, selectors.relocations_of(request.user, household))
    return render(
        request,
        "transport/relocation.html",
        {"form": form, "household": heading, "relocations": earlier},
        status=400 if form.errors else 200,
    )
