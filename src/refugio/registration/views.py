"""Public pages for people registering: work without JavaScript, in their language."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django_ratelimit.core import is_ratelimited

from refugio.audit.models import Action
from refugio.audit.request import actor_from_request, client_key
from refugio.audit.services import Touch, record
from refugio.core.forms import set_choices
from refugio.people.registration_code import normalise
from refugio.people.vocabulary import HouseholdStatus
from refugio.planning.selectors import published_appointment
from refugio.registration.forms import MONTHS, numeric_input
from refugio.registration.intake_files import IntakeFileError, max_import_bytes, read_intake
from refugio.registration.selectors import household_for, intake_organisation_name, intake_organisations
from refugio.registration.services import ImportRejected, import_intake

MAX_IMPORT_BYTES = max_import_bytes()  # REFUGIO_IMPORT_MAX_BYTES, 10 MB by default; read_intake checks it too
PUBLIC_LANGUAGES = [code for code, _name in settings.LANGUAGES]

STATUS_TEXT = {
    HouseholdStatus.REGISTERED: _("Your registration was received. You do not need to do anything now."),
    HouseholdStatus.UNDER_REVIEW: _("A caseworker is reviewing your registration. They will contact you."),
    HouseholdStatus.SCHEDULED: _(
        "You have an appointment to enter. We will send you the port, the date and what to bring."
    ),
    HouseholdStatus.ENTERED: _("Our records show that you entered. Welcome."),
    HouseholdStatus.CLOSED: _("This registration is closed. Contact the organisation if you think this is wrong."),
}


class StatusForm(forms.Form):
    """The code and the head's date of birth, asked with the same day / month / year boxes as registration:
    only the year when that is all that was registered."""

    code = forms.CharField(
        label=_("Registration code"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    birth_day = forms.IntegerField(
        label=_("Day of birth"), min_value=1, max_value=31, required=False, widget=numeric_input()
    )
    birth_month = forms.TypedChoiceField(label=_("Month of birth"), choices=MONTHS, coerce=int, required=False)
    birth_year = forms.IntegerField(
        label=_("Year of birth"), min_value=1900, max_value=2100, required=False, widget=numeric_input()
    )

    def clean(self) -> dict[str, Any]:
        super().clean()  # the stubs allow an override to return None; Form.clean returns cleaned_data
        data = self.cleaned_data
        year, month, day = (data.get(k) for k in ("birth_year", "birth_month", "birth_day"))
        legacy = str(self.data.get("date_of_birth", "")).strip()[:10]
        if year is None and not (month or day) and legacy:
            # The one text box of earlier versions (YYYY-MM-DD, YYYY-MM or YYYY), still taken from scripts.
            data["date_of_birth"] = legacy
        elif year is None:
            if "birth_year" not in self.errors:
                self.add_error("birth_year", forms.Field.default_error_messages["required"])
        elif day and not month:
            self.add_error("birth_month", _("Choose the month too, or leave the day empty."))
        else:
            parts = [f"{year:04d}", *([f"{month:02d}"] if month else []), *([f"{day:02d}"] if day else [])]
            data["date_of_birth"] = "-".join(parts)
        return data


def _language(request: HttpRequest) -> str:
    chosen = request.GET.get("lang", "")
    return chosen if chosen in PUBLIC_LANGUAGES else translation.get_language() or "es"


@never_cache
def landing(request: HttpRequest) -> HttpResponse:
    """/: what a person can do here, in their language (?lang= or the browser's); staff go to their home page."""
    if request.user.is_authenticated:
        return redirect("staff_home")
    language = _language(request)
    translation.activate(language)
    context = {"language": language, "languages": settings.LANGUAGES, "organisation": intake_organisation_name()}
    return render(request, "registration/landing.html", context)


@never_cache
def status_lookup(request: HttpRequest) -> HttpResponse:
    language = _language(request)
    translation.activate(language)
    form = StatusForm(request.POST or None)
    context: dict[str, object] = {"form": form, "language": language, "languages": settings.LANGUAGES}
    if request.method == "POST" and form.is_valid():
        code = normalise(form.cleaned_data["code"]) or form.cleaned_data["code"].strip().upper()
        limited_client = is_ratelimited(
            request,
            group="status-client",
            key=client_key,
            rate=settings.REFUGIO_STATUS_LOOKUPS_PER_CLIENT,
            increment=True,
        )
        limited_code = is_ratelimited(
            request,
            group="status-code",
            key=lambda _g, _r: code,
            rate=settings.REFUGIO_STATUS_LOOKUPS_PER_CODE,
            increment=True,
        )
        if limited_client or limited_code:
            context["message"] = _("Too many attempts. Please try again in an hour.")
            return render(request, "registration/status.html", context, status=429)
        household = household_for(form.cleaned_data["code"], form.cleaned_data["date_of_birth"])
        if household is None:
            context["message"] = _(
                "We could not find a registration with this code and date of birth. Check both and try again."
            )
        else:
            record(
                actor_from_request(request, "public"),
                action=Action.READ,
                touches=[Touch("household", str(household.id), household.owner_id, ["status"])],
            )
            context["status_label"] = HouseholdStatus(household.status).label
            context["status_text"] = STATUS_TEXT[HouseholdStatus(household.status)]
            if household.status == HouseholdStatus.SCHEDULED:
                context["appointment"] = published_appointment(household)
    return render(request, "registration/status.html", context)


class ImportForm(forms.Form):
    organisation_id = forms.TypedChoiceField(label=_("Organisation"), coerce=int)
    file = forms.FileField(label=_("File (CSV or XLSX)"))
    file_format = forms.ChoiceField(
        label=_("Format"),
        choices=[("csv", _("One row per person (Refugio columns)")), ("kobo", _("KoboToolbox export"))],
        widget=forms.RadioSelect,
        initial="csv",
    )

    def __init__(self, *args: Any, organisations: list[tuple[int, str]], **kwargs: Any) -> None:  # noqa: ANN401
        super().__init__(*args, **kwargs)
        set_choices(self, "organisation_id", organisations)


@login_required
def intake_import(request: HttpRequest) -> HttpResponse:
    organisations = intake_organisations(request.user)
    if not organisations:
        raise Http404
    form = ImportForm(request.POST or None, request.FILES or None, organisations=organisations)
    context: dict[str, Any] = {"form": form, "max_mb": MAX_IMPORT_BYTES // 1_000_000}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            form.add_error("file", _("The file is larger than %(n)d MB.") % {"n": MAX_IMPORT_BYTES // 1_000_000})
        else:
            try:
                intake = read_intake(upload.name, upload.read(), form.cleaned_data["file_format"])
                context["result"] = import_intake(
                    actor_from_request(request, "web"),
                    organisation_id=form.cleaned_data["organisation_id"],
                    intake=intake,
                )
            except IntakeFileError as exc:
                form.add_error("file", str(exc))
            except ImportRejected as exc:
                context["problems"] = exc.problems[:500]
                context["problem_count"] = len(exc.problems)
    return render(request, "registration/import.html", context, status=422 if context.get("problems") else 200)
