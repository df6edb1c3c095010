"""Obligations calendar: pages. A household's obligations, the organisation's next 14 days, the .ics exports,
and the forms that record an agency appointment or an asylum filing. GET pages only read the stored table."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from refugio.accounts.rules import Verb
from refugio.audit.request import actor_from_request
from refugio.audit.services import Actor
from refugio.core.errors import ValidationFailed
from refugio.disclosure import disclose_many, disclose_one
from refugio.obligations import ics, selectors, services
from refugio.obligations.forms import AppointmentForm, FilingForm
from refugio.obligations.surfaces import (
    APPOINTMENTS_PAGE,
    CALENDAR_PAGE,
    FILINGS_PAGE,
    HEADING,
    HOUSEHOLD_PAGE,
    ICS_EXPORT,
    MEMBER_CHOICES,
)
from refugio.people.forms import add_service_errors


def _may_write(request: HttpRequest, household_id: Any) -> bool:  # noqa: ANN401
    return selectors.obligation_households(request.user, Verb.WRITE).filter(pk=household_id).exists()


@login_required
def household_page(request: HttpRequest, household_id: str) -> HttpResponse:
    actor = actor_from_request(request, "web")
    household = selectors.get_household(request.user, household_id)
    rows = disclose_many(actor, HOUSEHOLD_PAGE, selectors.obligations_of(request.user, household.id))
    context = {
        "household": disclose_one(actor, HEADING, household.id),
        "rows": rows,
        "appointments": disclose_many(
            actor, APPOINTMENTS_PAGE, selectors.visible_appointments(request.user).filter(household=household)
        ),
        "filings": disclose_many(
            actor, FILINGS_PAGE, selectors.visible_filings(request.user).filter(household=household)
        ),
        "may_write": _may_write(request, household.id),
    }
    return render(request, "obligations/household.html", context)


def _ics_response(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def household_ics(request: HttpRequest, household_id: str) -> HttpResponse:
    """Downloaded by a signed-in user: the household's obligations, by registration code, never a name."""
    actor = actor_from_request(request, "web")
    household = selectors.get_household(request.user, household_id)
    events = disclose_many(actor, ICS_EXPORT, selectors.obligations_of(request.user, household.id))
    body = ics.render(events, name=_("Obligations"), reminder=_("Reminder"))
    return _ics_response(body, f"obligations-{household.id}.ics")


@login_required
def calendar_page(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    rows = disclose_many(actor_from_request(request, "web"), CALENDAR_PAGE, selectors.calendar(request.user, today))
    return render(request, "obligations/calendar.html", {"rows": rows, "days": selectors.CALENDAR_DAYS})


@login_required
def calendar_ics(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    events = disclose_many(actor_from_request(request, "web"), ICS_EXPORT, selectors.calendar(request.user, today))
    body = ics.render(events, name=_("Obligations"), reminder=_("Reminder"))
    return _ics_response(body, "obligations.ics")


def _form_page(
    request: HttpRequest,
    household_id: str,
    form_class: type[AppointmentForm] | type[FilingForm],
    save: Any,  # noqa: ANN401
    title: str,
    done: str,
) -> HttpResponse:
    actor: Actor = actor_from_request(request, "web")
    household = selectors.get_household(request.user, household_id, Verb.WRITE)
    members = disclose_many(actor, MEMBER_CHOICES, selectors.members(household))
    form = form_class(request.POST or None, members=members)
    if request.method == "POST" and form.is_valid():
        try:
            save(actor, household=household, data=form.cleaned_data)
        except ValidationFailed as exc:
            add_service_errors(form, exc.fields)
        else:
            messages.success(request, done)
            return redirect("obligations:household", household.id)
    heading = disclose_one(actor, HEADING, household.id)
    return render(
        request,
        "obligations/form.html",
        {"forms": [form], "household": heading, "title": title},
    )


@login_required
def appointment_add(request: HttpRequest, household_id: str) -> HttpResponse:
    return _form_page(
        request,
        household_id,
        AppointmentForm,
        services.record_agency_appointment,
        _("Record an agency appointment"),
        _("Appointment recorded."),
    )


@login_required
def filing_add(request: HttpRequest, household_id: str) -> HttpResponse:
    return _form_page(
        request,
        household_id,
        FilingForm,
        services.record_asylum_filing,
        _("Record an asylum filing"),
        _("Asylum filing recorded."),
    )
