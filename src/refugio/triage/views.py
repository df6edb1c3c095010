"""Triage pages: an organisation's policy (versions, who moved) and overrides on a household."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from refugio.audit.request import actor_from_request
from refugio.core.errors import ValidationFailed
from refugio.people import selectors as people_selectors
from refugio.people import services as people_services
from refugio.people.services import PermissionDenied
from refugio.triage import services
from refugio.triage.policy import default_policy_text
from refugio.triage.selectors import policy_organisation, policy_versions


class PolicyForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Policy (YAML)"), widget=forms.Textarea(attrs={"rows": 24, "spellcheck": "false"})
    )
    note = forms.CharField(label=gettext_lazy("What changed and why"), max_length=300, required=False)


@login_required
def policy_page(request: HttpRequest) -> HttpResponse:
    organisation = policy_organisation(request.user, request.GET.get("org"))
    versions = policy_versions(organisation.id)
    current_text = versions[0].text if versions else default_policy_text()
    form = PolicyForm(request.POST or None, initial={"text": current_text})
    if request.method == "POST" and form.is_valid():
        try:
            version = services.save_policy(
                actor_from_request(request, "web"),
                organisation_id=organisation.id,
                text=form.cleaned_data["text"],
                note=form.cleaned_data["note"],
            )
        except ValidationFailed as exc:
            form.add_error("text", exc.fields.get("text", exc.message))
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("Version %(v)d saved; %(n)d households moved.") % {"v": version.version, "n": len(version.moves)},
            )
            return redirect(f"{request.path}?org={organisation.id}")
    return render(request, "triage/policy.html", {"form": form, "organisation": organisation, "versions": versions})


class OverrideForm(forms.Form):
    tier = forms.IntegerField(min_value=1, max_value=9)
    priority = forms.FloatField(min_value=1, max_value=10_000)
    reason = forms.CharField(max_length=2000)


@login_required
@require_POST
def override(request: HttpRequest, household_id: str) -> HttpResponse:
    household = people_selectors.get_household(request.user, household_id, for_write=True)
    form = OverrideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a tier from 1 to 9, a priority of at least 1, and the reason."))
    else:
        try:
            services.override(actor_from_request(request, "web"), household=household, **form.cleaned_data)
        except ValidationFailed as exc:
            messages.error(request, " ".join(exc.fields.values()))
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Override saved. It counts from the next plan."))
    return redirect("people:household", household_id=household.id)


@login_required
@require_POST
def end_override(request: HttpRequest, household_id: str) -> HttpResponse:
    household = people_selectors.get_household(request.user, household_id, for_write=True)
    try:
        services.end_override(actor_from_request(request, "web"), household=household)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    return redirect("people:household", household_id=household.id)


@login_required
@require_POST
def confirm_vulnerability(request: HttpRequest, person_id: str, code: str) -> HttpResponse:
    """A caseworker confirms a vulnerability the household declared; the household is rescored."""
    person = people_selectors.get_person(request.user, person_id, for_write=True)
    try:
        people_services.confirm_vulnerability(actor_from_request(request, "web"), person=person, code=code)
    except ValidationFailed as exc:
        messages.error(request, " ".join(exc.fields.values()))
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Vulnerability confirmed. The priority was recomputed."))
    return redirect("people:household", household_id=person.household_id)
