"""Public pages for people registering: work without JavaScript, in their language."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django_ratelimit.core import is_ratelimited

from refugio.audit.models import Action
from refugio.audit.request import actor_from_request, client_key
from refugio.audit.services import Touch, record
from refugio.people.registration_code import normalise
from refugio.people.vocabulary import HouseholdStatus
from refugio.planning.selectors import published_appointment
from refugio.registration.intake_files import IntakeFileError, max_import_bytes, read_intake
from refugio.registration.selectors import household_for, intake_organisations
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
    code = forms.CharField(
        label=_("Registration code"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    date_of_birth = forms.CharField(
        label=_("Date of birth of the head of household (as you registered it: YYYY-MM-DD, YYYY-MM or YYYY)"),
        max_length=10,
    )


def _language(request: HttpRequest) -> str:
    chosen = request.GET.get("lang", "")
    return chosen if chosen in PUBLIC_LANGUAGES else translation.get_language() or "es"


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
                Action.READ,
                [Touch("household", str(household.id), household.owner_id, ["status"])],
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
        self.fields["organisation_id"].choices = organisations


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
                    actor_from_request(request, "web"), form.cleaned_data["organisation_id"], intake
                )
            except IntakeFileError as exc:
                form.add_error("file", str(exc))
            except ImportRejected as exc:
                context["problems"] = exc.problems[:500]
                context["problem_count"] = len(exc.problems)
    return render(request, "registration/import.html", context, status=422 if context.get("problems") else 200)
