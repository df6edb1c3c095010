"""Referral pages: the service directory, a household's "Refer" form, the inbox of referrals received and sent,
a referral from either side, and the directory's HSDS import and export. Thin: the selectors decide access,
the services write, refugio.disclosure shows personal data."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from refugio.accounts.models import Organisation
from refugio.accounts.rules import Verb
from refugio.audit.request import actor_from_request
from refugio.core.errors import Conflict, NotFound, ValidationFailed
from refugio.disclosure import disclose_many, disclose_one
from refugio.people.forms import add_service_errors
from refugio.people.surfaces import HOUSEHOLD_MEMBER_NAMES
from refugio.people.vocabulary import ConsentPurpose, language_name
from refugio.referrals import hsds, selectors, services
from refugio.referrals.forms import DeclineForm, DirectoryForm, HsdsImportForm, InboxForm, ReferralForm
from refugio.referrals.models import CONSENT_FOR_CATEGORY, ReferralStatus, Service, ServiceCategory
from refugio.referrals.surfaces import RECEIVED_DETAIL, RECEIVED_LIST, REFER_CONSENTS, SENT_DETAIL, SENT_LIST


def _service(service: Service) -> dict[str, Any]:
    """A directory entry for a page (not personal data)."""
    return {
        "id": service.id,
        "name": service.name,
        "organisation": service.organisation.name,
        "category_label": service.get_category_display(),
        "description": service.description,
        "languages": [language_name(code) for code in service.languages or []],
        "eligibility": service.eligibility,
        "city": service.city,
        "address": service.address,
        "phone": service.phone,
        "email": service.email,
        "url": service.url,
        "hours": service.hours,
    }


@login_required
def directory_page(request: HttpRequest) -> HttpResponse:
    form = DirectoryForm(request.GET or None, cities=selectors.directory_cities())
    wanted = selectors.DirectoryFilter()
    if form.is_valid():
        wanted = selectors.DirectoryFilter(**form.cleaned_data)
    found = [_service(s) for s in selectors.directory(wanted)[:300]]
    may_import = bool(selectors.directory_admin_organisations(request.user))
    return render(request, "referrals/directory.html", {"form": form, "services": found, "may_import": may_import})


@login_required
def service_page(request: HttpRequest, service_id: str) -> HttpResponse:
    return render(request, "referrals/service.html", {"service": _service(selectors.get_service(service_id))})


@login_required
def inbox_page(request: HttpRequest) -> HttpResponse:
    form = InboxForm(request.GET or None)
    wanted = selectors.ReferralFilter()
    if form.is_valid():
        wanted = selectors.ReferralFilter(**form.cleaned_data)
    sent, received = selectors.inbox(request.user, wanted)
    actor = actor_from_request(request, "web")
    context = {
        "form": form,
        "received": disclose_many(actor, RECEIVED_LIST, received[:300]),
        "sent": disclose_many(actor, SENT_LIST, sent[:300]),
    }
    return render(request, "referrals/inbox.html", context)


def _detail(request: HttpRequest, referral_id: int) -> tuple[str, dict[str, Any]]:
    actor = actor_from_request(request, "web")
    side = selectors.side_of(request.user, referral_id)
    surface = SENT_DETAIL if side == selectors.SENDER else RECEIVED_DETAIL
    return side, disclose_one(actor, surface, referral_id)


@login_required
def referral_page(request: HttpRequest, referral_id: int) -> HttpResponse:
    side, shown = _detail(request, referral_id)
    return _render_detail(request, side, shown, DeclineForm())


def _render_detail(request: HttpRequest, side: str, shown: dict[str, Any], decline_form: DeclineForm) -> HttpResponse:
    status = shown["status"]
    receiver = side == selectors.RECEIVER
    context = {
        "referral": shown,
        "receiver": receiver,
        "may_accept": receiver and status == ReferralStatus.SENT,
        "may_complete": receiver and status == ReferralStatus.ACCEPTED,
        "may_withdraw": not receiver and status in (ReferralStatus.SENT, ReferralStatus.ACCEPTED),
        "decline_form": decline_form,
    }
    return render(request, "referrals/referral.html", context)


def _step(request: HttpRequest, referral_id: int, step: str) -> HttpResponse:
    actor = actor_from_request(request, "web")
    decline_form = DeclineForm(request.POST if step == "decline" else None)
    try:
        if step == "withdraw":
            services.withdraw(actor, referral=selectors.get_sent(request.user, referral_id, Verb.WRITE))
        else:
            referral = selectors.get_received(request.user, referral_id, Verb.WRITE)
            if step == "accept":
                services.accept(actor, referral=referral)
            elif step == "complete":
                services.complete(actor, referral=referral)
            elif decline_form.is_valid():
                services.decline(actor, referral=referral, reason=decline_form.cleaned_data["reason"])
            else:
                side, shown = _detail(request, referral_id)
                return _render_detail(request, side, shown, decline_form)
    except ValidationFailed as exc:
        add_service_errors(decline_form, exc.fields)
        side, shown = _detail(request, referral_id)
        return _render_detail(request, side, shown, decline_form)
    except Conflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The referral was updated."))
    try:
        selectors.side_of(request.user, referral_id)
    except NotFound:  # no longer visible (the consent was withdrawn): back to the inbox
        return redirect("referrals:inbox")
    return redirect("referrals:referral", referral_id=referral_id)


@login_required
@require_POST
def accept(request: HttpRequest, referral_id: int) -> HttpResponse:
    return _step(request, referral_id, "accept")


@login_required
@require_POST
def decline(request: HttpRequest, referral_id: int) -> HttpResponse:
    return _step(request, referral_id, "decline")


@login_required
@require_POST
def complete(request: HttpRequest, referral_id: int) -> HttpResponse:
    return _step(request, referral_id, "complete")


@login_required
@require_POST
def withdraw(request: HttpRequest, referral_id: int) -> HttpResponse:
    return _step(request, referral_id, "withdraw")


def _purposes(consents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each kind of service, and whether the household's live consent allows a referral for it."""
    live = {c["purpose"] for c in consents if not c["withdrawn_at"]}
    return [
        {
            "label": category.label,
            "consent_label": ConsentPurpose(CONSENT_FOR_CATEGORY[category]).label,
            "consented": CONSENT_FOR_CATEGORY[category] in live,
        }
        for category in ServiceCategory
    ]


@login_required
def refer_page(request: HttpRequest, household_id: str) -> HttpResponse:
    actor = actor_from_request(request, "web")
    household = selectors.get_household_to_refer(request.user, household_id)
    shown = disclose_one(actor, HOUSEHOLD_MEMBER_NAMES, household.id)
    consents = disclose_one(actor, REFER_CONSENTS, household.id)["consents"]
    offered = selectors.referrable_services(household)
    choices = [
        (str(s.id), f"{s.name} — {s.organisation.name} · {s.get_category_display()}{f' · {s.city}' if s.city else ''}")
        for s in offered
    ]
    people = [(str(p["id"]), p["full_name"]) for p in shown["members"]]
    initial = {"service_id": request.GET.get("service", ""), "person_ids": [pid for pid, _name in people]}
    form = ReferralForm(request.POST or None, services=choices, people=people, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            made = services.create_referral(
                actor,
                household=household,
                service_id=data["service_id"],
                person_ids=data["person_ids"],
                note=data["note"],
            )
        except ValidationFailed as exc:
            add_service_errors(form, exc.fields)
        else:
            messages.success(request, _("Referral sent."))
            return redirect("referrals:referral", referral_id=made.id)
    context = {"form": form, "household": shown, "purposes": _purposes(consents), "has_services": bool(offered)}
    return render(request, "referrals/refer.html", context)


def _admin_organisation(request: HttpRequest) -> Organisation:
    orgs = selectors.directory_admin_organisations(request.user)
    organisation = Organisation.objects.filter(id__in=orgs).order_by("name").first()
    if organisation is None:
        raise Http404
    return organisation


@login_required
def hsds_page(request: HttpRequest) -> HttpResponse:
    organisation = _admin_organisation(request)
    form = HsdsImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.import_hsds(
                actor_from_request(request, "web"),
                content=form.cleaned_data["file"].read(),
                organisation=organisation,
                allowed_organisations={organisation.id},
            )
        except ValidationFailed as exc:
            form.add_error(None, exc.message)
            for key, message in exc.fields.items():
                form.add_error(None, f"{key}: {message}")
        else:
            messages.success(
                request,
                _("Directory imported: %(created)d new services, %(updated)d updated.")
                % {"created": result.created, "updated": result.updated},
            )
            return redirect("referrals:hsds")
    count = selectors.all_services(organisation.id).count()
    return render(request, "referrals/hsds.html", {"form": form, "organisation": organisation, "count": count})


@login_required
def hsds_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The whole directory (not personal data) as HSDS JSON or the CSV data package."""
    tables = services.export_tables(selectors.all_services())
    if fmt == "zip":
        response = HttpResponse(hsds.to_datapackage(tables), content_type="application/zip")
        response["Content-Disposition"] = 'attachment; filename="refugio-directory-hsds.zip"'
        return response
    response = HttpResponse(hsds.to_json(tables), content_type="application/json")
    response["Content-Disposition"] = 'attachment; filename="refugio-directory-hsds.json"'
    return response
