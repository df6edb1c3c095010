"""Rapid response pages: report an alert, the alert with its checklist and stay requests, the open alerts, the
on-call rota. Thin: selectors decide access, services write, the disclosure layer shows. No JavaScript."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from refugio.accounts.models import Organisation
from refugio.accounts.rules import Verb
from refugio.audit.request import actor_from_request
from refugio.core.errors import NotFound, PermissionDenied, ValidationFailed
from refugio.core.forms import set_choices
from refugio.disclosure import disclose_many, disclose_one
from refugio.escalations.selectors import office_directory
from refugio.people.forms import add_service_errors
from refugio.people.surfaces import HOUSEHOLD_MEMBER_NAMES
from refugio.rapidresponse import selectors, services
from refugio.rapidresponse.forms import AlertForm, ChecklistForm, ShiftForm, StatusForm, StayForm, StayUpdateForm
from refugio.rapidresponse.models import AlertStatus, ChecklistStep, Outcome
from refugio.rapidresponse.presentation import stay_document_response
from refugio.rapidresponse.surfaces import ALERT_PAGE, ALERT_ROW, STAY_ROW

ICE_LOCATOR_URL = "https://locator.ice.gov/odls/#/search"


@login_required
def alert_list(request: HttpRequest) -> HttpResponse:
    rows = disclose_many(actor_from_request(request, "web"), ALERT_ROW, selectors.open_alerts(request.user)[:300])
    may_keep_rota = bool(selectors.rota_organisations(request.user))
    return render(request, "rapidresponse/list.html", {"alerts": rows, "may_keep_rota": may_keep_rota})


@login_required
def alert_new(request: HttpRequest, household_id: str) -> HttpResponse:
    household = selectors.get_household_for_alert(request.user, household_id)
    actor = actor_from_request(request, "web")
    shown = disclose_one(actor, HOUSEHOLD_MEMBER_NAMES, household.id)
    people = [(str(p["id"]), p["full_name"]) for p in shown["members"]]
    offices = [(o.id, o.name) for o in office_directory()]
    form = AlertForm(request.POST or None, people=people, offices=offices)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            alert = services.raise_alert(
                actor,
                household=household,
                kind=data["kind"],
                person_id=data["person_id"] or None,
                facility=data["facility"],
                city=data["city"],
                details=data["details"],
                office_id=int(data["office_id"]) if data["office_id"] else None,
            )
        except ValidationFailed as exc:
            add_service_errors(form, exc.fields)
        else:
            messages.success(request, _("Alert raised. The attorney and the person on call are being told now."))
            return redirect("rapidresponse:detail", alert_id=alert.id)
    return render(request, "rapidresponse/new.html", {"form": form, "household": shown})


def _alert_context(request: HttpRequest, alert_id: str, **forms: Any) -> dict[str, Any]:  # noqa: ANN401
    actor = actor_from_request(request, "web")
    alert = selectors.get_alert(request.user, alert_id)
    view = disclose_one(actor, ALERT_PAGE, alert.id)
    may_write = selectors.visible_alerts(request.user, Verb.WRITE).filter(pk=alert.pk).exists()
    stays = disclose_many(actor, STAY_ROW, alert.stay_requests.all()) if may_write else []
    status_form = forms.get("status_form") or StatusForm()
    allowed = services.NEXT_STATUS[view["status"]]
    set_choices(status_form, "status", [(s, label) for s, label in AlertStatus.choices if s in allowed])
    for item in view["checklist"]:
        item["form"] = (
            forms["checklist_form"]
            if forms.get("checklist_step") == item["step"]
            else ChecklistForm(initial={"done": item["done"], "note": item["note"]}, prefix=item["step"])
        )
    for stay in stays:
        stay["form"] = (
            forms["stay_update_form"]
            if str(forms.get("stay_id")) == str(stay["id"])
            else StayUpdateForm(
                initial={"filed_on": stay["filed_on"], "decision": stay["decision"], "decided_on": stay["decided_on"]}
            )
        )
    return {
        "alert": view,
        "may_write": may_write,
        "stays": stays,
        "status_form": status_form if allowed else None,
        "stay_form": forms.get("stay_form") or StayForm(),
        "locator_url": ICE_LOCATOR_URL,
        "locate_step": ChecklistStep.LOCATE,
        "outcomes": Outcome.choices,
    }


@login_required
def alert_detail(request: HttpRequest, alert_id: str) -> HttpResponse:
    return render(request, "rapidresponse/detail.html", _alert_context(request, alert_id))


@login_required
@require_POST
def checklist_update(request: HttpRequest, alert_id: str, step: str) -> HttpResponse:
    if step not in ChecklistStep.values:
        raise NotFound
    alert = selectors.get_alert(request.user, alert_id)
    form = ChecklistForm(request.POST, prefix=step)
    if form.is_valid():
        try:
            services.update_checklist(
                actor_from_request(request, "web"),
                alert=alert,
                step=step,
                done=form.cleaned_data["done"],
                note=form.cleaned_data["note"],
            )
        except ValidationFailed as exc:
            add_service_errors(form, exc.fields)
        else:
            return redirect("rapidresponse:detail", alert_id=alert.id)
    context = _alert_context(request, alert_id, checklist_form=form, checklist_step=step)
    return render(request, "rapidresponse/detail.html", context, status=422)


@login_required
@require_POST
def status_update(request: HttpRequest, alert_id: str) -> HttpResponse:
    alert = selectors.get_alert(request.user, alert_id)
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            services.change_status(
                actor_from_request(request, "web"),
                alert=alert,
                status=form.cleaned_data["status"],
                outcome=form.cleaned_data["outcome"],
            )
        except ValidationFailed as exc:
            add_service_errors(form, exc.fields)
        else:
            return redirect("rapidresponse:detail", alert_id=alert.id)
    return render(request, "rapidresponse/detail.html", _alert_context(request, alert_id, status_form=form), status=422)


@login_required
@require_POST
def stay_new(request: HttpRequest, alert_id: str) -> HttpResponse:
    alert = selectors.get_alert(request.user, alert_id)
    form = StayForm(request.POST)
    if form.is_valid():
        try:
            services.draft_stay_request(
                actor_from_request(request, "web"), alert=alert, grounds=form.cleaned_data["grounds"]
            )
        except ValidationFailed as exc:
            add_service_errors(form, exc.fields)
        else:
            messages.success(request, _("Stay request drafted. Download the document below."))
            return redirect("rapidresponse:detail", alert_id=alert.id)
    return render(request, "rapidresponse/detail.html", _alert_context(request, alert_id, stay_form=form), status=422)


@login_required
@require_POST
def stay_update(request: HttpRequest, stay_id: str) -> HttpResponse:
    stay = selectors.get_stay_request(request.user, stay_id)
    form = StayUpdateForm(request.POST)
    if form.is_valid():
        try:
            services.update_stay_request(
                actor_from_request(request, "web"),
                stay=stay,
                changes={k: form.cleaned_data[k] for k in ("filed_on", "decision", "decided_on")},
            )
        except ValidationFailed as exc:
            add_service_errors(form, exc.fields)
        else:
            return redirect("rapidresponse:detail", alert_id=stay.alert_id)
    context = _alert_context(request, str(stay.alert_id), stay_update_form=form, stay_id=stay.id)
    return render(request, "rapidresponse/detail.html", context, status=422)


@login_required
def stay_document(request: HttpRequest, stay_id: str) -> HttpResponse:
    return stay_document_response(actor_from_request(request, "web"), stay_id)


def _organisation(request: HttpRequest) -> int:
    orgs = selectors.rota_organisations(request.user)
    if not orgs:
        raise NotFound
    try:
        chosen = int(request.GET.get("organisation") or request.POST.get("organisation") or orgs[0])
    except ValueError as exc:
        raise NotFound from exc
    if chosen not in orgs:
        raise NotFound
    return chosen


def _aware(day: dt.date, time: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, time))


@login_required
def on_call(request: HttpRequest) -> HttpResponse:
    organisation_id = _organisation(request)
    members = [
        (m.user_id, m.user.get_full_name() or m.user.get_username()) for m in selectors.members_of(organisation_id)
    ]
    members = sorted(dict(members).items(), key=lambda pair: pair[1])
    form = ShiftForm(request.POST or None, members=members)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.add_shift(
                actor_from_request(request, "web"),
                organisation_id=organisation_id,
                user_id=data["user_id"],
                starts_at=_aware(data["starts_on"], data["starts_time"]),
                ends_at=_aware(data["ends_on"], data["ends_time"]),
                phone=data["phone"],
                email=data["email"],
            )
        except ValidationFailed as exc:
            add_service_errors(form, exc.fields)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Shift added to the rota."))
            return redirect(f"{request.path}?organisation={organisation_id}")
    now = timezone.now()
    shifts = [
        {
            "id": s.id,
            "name": s.user.get_full_name() or s.user.get_username(),
            "phone": s.phone,
            "email": s.email,
            "starts_at": s.starts_at,
            "ends_at": s.ends_at,
            "now": s.starts_at <= now < s.ends_at,
        }
        for s in selectors.rota(organisation_id, now)
    ]
    organisations = Organisation.objects.filter(id__in=selectors.rota_organisations(request.user)).order_by("name")
    context = {
        "form": form,
        "shifts": shifts,
        "organisation_id": organisation_id,
        "organisations": organisations,
        "nobody_on_call": not any(s["now"] for s in shifts),
    }
    return render(request, "rapidresponse/on_call.html", context, status=422 if form.errors else 200)


@login_required
@require_POST
def shift_end(request: HttpRequest, shift_id: int) -> HttpResponse:
    organisation_id = _organisation(request)
    services.end_shift(actor_from_request(request, "web"), shift_id=shift_id)
    return redirect(f"{reverse('rapidresponse:on_call')}?organisation={organisation_id}")
