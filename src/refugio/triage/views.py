"""Triage pages: an organisation's policy (versions, who moved) and overrides on a household."""

from __future__ import annotations

import hashlib

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import F, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from refugio.accounts.models import Organisation
from refugio.accounts.rules import Subject, Verb
from refugio.accounts.selectors import organisations_where
from refugio.audit.request import actor_from_request
from refugio.core.errors import ValidationFailed, VersionConflict
from refugio.disclosure import disclose_many
from refugio.people import selectors as people_selectors
from refugio.people import services as people_services
from refugio.people.selectors import households_for_organisations
from refugio.people.services import PermissionDenied
from refugio.people.surfaces import HOUSEHOLD_SUMMARY
from refugio.people.vocabulary import Vulnerability

# The MPP wind-down phase: eligibility shown beside the score on the queue, never part of it.
from refugio.remedies.models import MPPPhase
from refugio.remedies.selectors import household_ids_in_phase, households_with_mpp, mpp_phase_by_household
from refugio.triage import services
from refugio.triage.editing import latest_version_number, save_edited_policy
from refugio.triage.forms import CRITERIA, TIERS, PolicyEditor
from refugio.triage.models import PolicyVersion, TriageOverride
from refugio.triage.policy import Criterion, Policy, PolicyError, default_policy_text, parse_policy
from refugio.triage.preview import PolicyPreview, policy_preview
from refugio.triage.selectors import effective_priorities, policy_organisation, policy_versions


def criterion_words(criterion: Criterion) -> str:
    """What a criterion means, in the reader's language (never its code)."""
    if criterion.kind == "vulnerability":
        try:
            return str(Vulnerability(criterion.vulnerability).label)
        except ValueError:
            return criterion.vulnerability
    if criterion.kind == "age_at_least":
        return _("Someone aged %(age)s or over") % {"age": criterion.age}
    if criterion.kind == "single_caregiver":
        return _("One adult alone with a child under %(age)s") % {"age": criterion.child_under}
    return _("Time waited since registration")


def _policy_of(version: PolicyVersion | None) -> Policy | None:
    try:
        return parse_policy(version.text if version else default_policy_text())
    except PolicyError:  # a version saved before a rule got stricter: show its codes
        return None


def _latest_moves(versions: list[PolicyVersion]) -> list[dict]:
    """The newest version's moves, with words for the criteria that now apply or no longer do."""
    if not versions or not versions[0].moves:
        return []
    words: dict[str, str] = {}
    for policy in (_policy_of(versions[1] if len(versions) > 1 else None), _policy_of(versions[0])):
        words.update({c.code: criterion_words(c) for c in (policy.criteria if policy else ())})
    return [
        {
            **m,
            "added": [words.get(code, code) for code in m["added"]],
            "removed": [words.get(code, code) for code in m["removed"]],
        }
        for m in versions[0].moves[:200]
    ]


def _render(
    request: HttpRequest,
    organisation: Organisation,
    editor: PolicyEditor,
    *,
    preview: PolicyPreview | None = None,
    previewed: str = "",
) -> HttpResponse:
    versions = policy_versions(organisation.id)
    context = {
        "editor": editor,
        "organisation": organisation,
        "versions": versions,
        "moves": _latest_moves(versions),
        "moved_count": len(versions[0].moves) if versions else 0,
        "preview": preview,
        "previewed": previewed,
    }
    return render(request, "triage/policy.html", context)


@login_required
def policy_page(request: HttpRequest) -> HttpResponse:
    """The policy as a form; "Preview" shows how many households would change tier, "Save" keeps a version."""
    organisation = policy_organisation(request.user, request.GET.get("org"))
    if request.method != "POST":
        versions = policy_versions(organisation.id)
        current = _policy_of(versions[0] if versions else None) or parse_policy(default_policy_text())
        editor = PolicyEditor.from_policy(current, based_on=latest_version_number(organisation.id))
        return _render(request, organisation, editor)
    editor = PolicyEditor(request.POST)
    for which, button in ((TIERS, "add_tier"), (CRITERIA, "add_criterion")):
        if button in request.POST:
            return _render(request, organisation, editor.with_row_added(which))
    if not editor.is_valid():
        return _render(request, organisation, editor)
    digest = hashlib.sha256(editor.text.encode()).hexdigest()
    head = editor.header.cleaned_data
    if "save" in request.POST and head.get("previewed") == digest:
        try:
            version = save_edited_policy(
                actor_from_request(request, "web"),
                organisation_id=organisation.id,
                text=editor.text,
                note=head.get("note") or "",
                based_on=head["based_on"],
            )
        except VersionConflict as exc:
            editor.header.add_error(None, str(exc))
        except ValidationFailed as exc:
            editor.header.add_error(None, exc.fields.get("text", exc.message))
        except PermissionDenied as exc:
            editor.header.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("Version %(v)d saved; %(n)d households moved.") % {"v": version.version, "n": len(version.moves)},
            )
            return redirect(f"{request.path}?org={organisation.id}")
    elif "save" in request.POST:
        messages.info(request, _("The policy changed since the preview. Check the new preview, then save."))
    preview = policy_preview(request.user, organisation_id=organisation.id, policy=parse_policy(editor.text))
    return _render(request, organisation, editor, preview=preview, previewed=digest)


@login_required
@require_GET
def policy_yaml(request: HttpRequest) -> HttpResponse:
    """The current policy as YAML, for those who keep it in a file or compare versions."""
    organisation = policy_organisation(request.user, request.GET.get("org"))
    versions = policy_versions(organisation.id)
    response = HttpResponse(
        versions[0].text if versions else default_policy_text(), content_type="application/yaml; charset=utf-8"
    )
    number = versions[0].version if versions else 0
    response["Content-Disposition"] = f'attachment; filename="triage-policy-{organisation.id}-v{number}.yaml"'
    return response


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


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    """The triage queue: visible households, most urgent first (an active override wins), with their MPP
    wind-down phase beside the score (eligibility, never part of it) and a filter by that phase."""
    households = households_for_organisations(organisations_where(request.user, Subject.TRIAGE, Verb.READ))
    phase = request.GET.get("mpp_phase", "")
    if phase in {str(p) for p in MPPPhase.values}:
        households = households.filter(id__in=household_ids_in_phase(int(phase)))
    elif phase == "none":
        households = households.exclude(id__in=households_with_mpp())
    else:
        phase = ""
    active = TriageOverride.objects.filter(household=OuterRef("pk"), ended_at__isnull=True).order_by("-created_at")
    households = households.annotate(
        queue_tier=Coalesce(Subquery(active.values("tier")[:1]), F("triage__tier")),
        queue_priority=Coalesce(Subquery(active.values("priority")[:1]), F("triage__priority")),
    ).order_by(F("queue_tier").asc(nulls_last=True), F("queue_priority").desc(nulls_last=True), "created_at", "id")
    page = Paginator(households.select_related("owner").prefetch_related("members"), 50).get_page(
        request.GET.get("page")
    )
    ids = [h.id for h in page]
    scores, phases = effective_priorities(ids), mpp_phase_by_household(ids)
    rows = disclose_many(actor_from_request(request, "web"), HOUSEHOLD_SUMMARY, page)
    for row in rows:
        row["tier"], row["priority"] = scores.get(row["id"], (None, None))
        found = phases.get(row["id"])
        row["mpp_phase"], row["mpp_phase_label"] = found, MPPPhase(found).label if found else ""
    phase_choices = [(str(value), label) for value, label in MPPPhase.choices] + [("none", _("No MPP case"))]
    return render(
        request,
        "triage/queue.html",
        {"rows": rows, "page": page, "phase": phase, "phase_choices": phase_choices},
    )
