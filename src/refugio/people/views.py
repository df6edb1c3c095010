"""Staff pages for cases. Thin: the selectors decide what a user may see, the services write."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from refugio.accounts.selectors import organisation_directory
from refugio.audit.request import actor_from_request
from refugio.core.errors import ValidationFailed
from refugio.disclosure import disclose_many, disclose_one
from refugio.people import selectors, services
from refugio.people.forms import (
    ConsentForm,
    HouseholdEditForm,
    HouseholdForm,
    PersonEditForm,
    PersonForm,
    ShareForm,
    add_service_errors,
)
from refugio.people.surfaces import (
    DUPLICATE_COMPARISON,
    DUPLICATES_PAGE,
    HOUSEHOLD_EDIT,
    HOUSEHOLD_HEADING,
    HOUSEHOLD_PAGE,
    HOUSEHOLD_SUMMARY,
    MERGE_LIST,
    MERGE_PAGE,
    PERSON_EDIT,
)
from refugio.people.vocabulary import COURTS, HouseholdStatus, Vulnerability


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    try:
        filters = selectors.parse_household_filter(request.GET)
    except ValidationFailed as exc:
        for message in exc.fields.values():
            messages.error(request, message)
        filters = selectors.HouseholdFilter()
    paginator = Paginator(selectors.search_households(request.user, filters), 25)
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "rows": disclose_many(actor_from_request(request, "web"), HOUSEHOLD_SUMMARY, page),
        "filters": filters,
        "query": query.urlencode(),
        "courts": COURTS,
        "statuses": HouseholdStatus.choices,
        "vulnerabilities": Vulnerability.choices,
    }
    template = "people/_results.html" if request.headers.get("HX-Request") else "people/case_list.html"
    return render(request, template, context)


@login_required
def household_page(request: HttpRequest, household_id: str) -> HttpResponse:
    actor = actor_from_request(request, "web")
    household = disclose_one(actor, HOUSEHOLD_PAGE, household_id)
    may = selectors.household_permissions(request.user, household["id"])
    # For an org admin: the merges into this household, each with its undo.
    merges = disclose_many(
        actor, MERGE_LIST, selectors.merges_to_undo(request.user).filter(survivor_id=household["id"])
    )
    return render(
        request,
        "people/household.html",
        {
            "household": household,
            "may": may,
            "merges": merges,
            "share_form": _share_form(household["owner"]["id"]) if may.share else None,
            "consent_form": (
                # Its own ids: the sharing form on the same page has a "purpose" too (one id per page).
                ConsentForm(people=[(str(p["id"]), p["full_name"]) for p in household["members"]], auto_id="consent_%s")
                if may.edit
                else None
            ),
        },
    )


def _share_form(owner_id: int, data: Any = None) -> ShareForm:  # noqa: ANN401
    choices = [(o.id, o.name) for o in organisation_directory() if o.id != owner_id and o.kind != "agency"]
    initial = {"expires_on": (timezone.localdate() + dt.timedelta(days=90))}
    return ShareForm(data, organisations=choices, initial=initial)


def _person_values(form: PersonForm) -> dict[str, Any]:
    values = {k: v for k, v in form.cleaned_data.items() if k != "version"}
    values["next_hearing_date"] = values.get("next_hearing_date") or ""
    values["arrival_date"] = values.get("arrival_date") or ""
    return values


@login_required
def household_create(request: HttpRequest) -> HttpResponse:
    household_form = HouseholdForm(request.POST or None, prefix="h")
    head_form = PersonForm(request.POST or None, prefix="p", initial={"relationship_to_head": "head"})
    if request.method == "POST" and household_form.is_valid() and head_form.is_valid():
        try:
            household = services.create_household(
                actor_from_request(request, "web"),
                organisation_id=_chosen_org(request),
                data=household_form.cleaned_data,
                members=[_person_values(head_form)],
            )
        except ValidationFailed as exc:
            add_service_errors(household_form, {k: v for k, v in exc.fields.items() if not k.startswith("members")})
            add_service_errors(
                head_form, {k.split(".", 2)[-1]: v for k, v in exc.fields.items() if k.startswith("members.")}
            )
        except services.PermissionDenied as exc:
            household_form.add_error(None, str(exc))
        else:
            messages.success(request, _("Household registered: %(code)s") % {"code": household.display_code})
            return redirect("people:household", household_id=household.id)
    return render(
        request, "people/household_form.html", {"forms": [household_form, head_form], "title": _("New household")}
    )


def _chosen_org(request: HttpRequest) -> int | None:
    try:
        return int(request.POST.get("organisation_id", ""))
    except ValueError:
        return None


@login_required
def household_edit(request: HttpRequest, household_id: str) -> HttpResponse:
    actor = actor_from_request(request, "web")
    if request.method != "POST":
        shown = disclose_one(actor, HOUSEHOLD_EDIT, household_id)
        form = HouseholdEditForm(initial={name: shown.get(name) for name in HouseholdEditForm.base_fields})
        return _form_page(request, [form], shown, _("Edit household"))
    household = selectors.get_household(request.user, household_id, for_write=True)
    form = HouseholdEditForm(request.POST)
    if form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            services.update_household(
                actor, household=household, changes=values, expected_version=form.cleaned_data["version"]
            )
        except ValidationFailed as exc:
            add_service_errors(form, exc.fields)
        except services.VersionConflict as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Saved."))
            return redirect("people:household", household_id=household.id)
    return _form_page(request, [form], disclose_one(actor, HOUSEHOLD_HEADING, household_id), _("Edit household"))


def _form_page(request: HttpRequest, forms: list[Any], household: Any, title: str) -> HttpResponse:  # noqa: ANN401
    return render(request, "people/household_form.html", {"forms": forms, "household": household, "title": title})


@login_required
def person_add(request: HttpRequest, household_id: str) -> HttpResponse:
    household = selectors.get_household(request.user, household_id, for_write=True)
    form = PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_person(actor_from_request(request, "web"), household=household, data=_person_values(form))
        except ValidationFailed as exc:
            add_service_errors(form, exc.fields)
        else:
            messages.success(request, _("Member added."))
            return redirect("people:household", household_id=household.id)
    heading = disclose_one(actor_from_request(request, "web"), HOUSEHOLD_HEADING, household_id)
    return _form_page(request, [form], heading, _("Add a member"))


@login_required
def person_edit(request: HttpRequest, person_id: str) -> HttpResponse:
    actor = actor_from_request(request, "web")
    if request.method != "POST":
        shown = disclose_one(actor, PERSON_EDIT, person_id)
        form = PersonEditForm(initial={name: shown.get(name) for name in PersonEditForm.base_fields})
        heading = disclose_one(actor, HOUSEHOLD_HEADING, shown["household_id"])
        return _form_page(request, [form], heading, _("Edit member"))
    person = selectors.get_person(request.user, person_id, for_write=True)
    form = PersonEditForm(request.POST)
    if form.is_valid():
        try:
            services.update_person(
                actor, person=person, changes=_person_values(form), expected_version=form.cleaned_data["version"]
            )
        except ValidationFailed as exc:
            add_service_errors(form, exc.fields)
        except services.VersionConflict as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Saved."))
            return redirect("people:household", household_id=person.household_id)
    return _form_page(request, [form], disclose_one(actor, HOUSEHOLD_HEADING, person.household_id), _("Edit member"))


@login_required
@require_POST
def household_share(request: HttpRequest, household_id: str) -> HttpResponse:
    household = selectors.get_household(request.user, household_id, for_write=True)
    form = _share_form(household.owner_id, request.POST)
    if form.is_valid():
        end = dt.datetime.combine(
            form.cleaned_data["expires_on"], dt.time(23, 59), tzinfo=timezone.get_current_timezone()
        )
        try:
            services.share_household(
                actor_from_request(request, "web"),
                household=household,
                organisation_id=form.cleaned_data["organisation_id"],
                purpose=form.cleaned_data["purpose"],
                expires_at=end,
            )
        except (ValidationFailed, services.PermissionDenied) as exc:
            messages.error(request, " ".join(getattr(exc, "fields", {}).values()) or str(exc))
        else:
            messages.success(request, _("Shared."))
    else:
        messages.error(request, _("Sharing needs an organisation, a purpose and an end date."))
    return redirect("people:household", household_id=household.id)


@login_required
@require_POST
def grant_revoke(request: HttpRequest, grant_id: int) -> HttpResponse:
    grant = selectors.get_grant(request.user, grant_id)
    try:
        services.revoke_grant(actor_from_request(request, "web"), grant=grant)
    except services.PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Sharing revoked."))
    if selectors.visible_households(request.user).filter(id=grant.household_id).exists():
        return redirect("people:household", household_id=grant.household_id)
    return redirect("people:case_list")


@login_required
@require_POST
def consent_add(request: HttpRequest, household_id: str) -> HttpResponse:
    household = selectors.get_household(request.user, household_id, for_write=True)
    form = ConsentForm(request.POST, people=[(str(p.id), p.full_name) for p in household.members.all()])
    if form.is_valid():
        try:
            services.record_consent(
                actor_from_request(request, "web"),
                household=household,
                purpose=form.cleaned_data["purpose"],
                method=form.cleaned_data["method"],
                person_id=form.cleaned_data["person_id"] or None,
            )
        except ValidationFailed as exc:
            messages.error(request, " ".join(exc.fields.values()))
        else:
            messages.success(request, _("Consent recorded."))
    else:
        messages.error(request, _("Choose what was agreed and how."))
    return redirect("people:household", household_id=household.id)


@login_required
@require_POST
def consent_withdraw(request: HttpRequest, consent_id: int) -> HttpResponse:
    consent = selectors.get_consent(request.user, consent_id)
    services.withdraw_consent(actor_from_request(request, "web"), consent=consent)
    messages.success(request, _("Consent withdrawn."))
    return redirect("people:household", household_id=consent.household_id)


@login_required
def duplicates_page(request: HttpRequest) -> HttpResponse:
    actor = actor_from_request(request, "web")
    flags = disclose_many(actor, DUPLICATES_PAGE, selectors.open_duplicates(request.user)[:200])
    merges = disclose_many(actor, MERGE_LIST, selectors.merges_to_undo(request.user)[:50])
    return render(request, "people/duplicates.html", {"flags": flags, "merges": merges})


@login_required
def duplicate_resolve(request: HttpRequest, flag_id: int) -> HttpResponse:
    """GET: the two records side by side, with their households, and the choice of the household to keep.
    POST: the decision ("same" yes or no; "keep" earlier or newer when they are the same person)."""
    actor = actor_from_request(request, "web")
    if request.method != "POST":
        flag = disclose_one(actor, DUPLICATE_COMPARISON, flag_id)
        return render(request, "people/duplicate_compare.html", {"flag": flag, "keep": "earlier"})
    found = selectors.get_duplicate(request.user, flag_id)
    same = request.POST.get("same") == "yes"
    try:
        if same:
            merge = services.merge_households(actor, flag=found, keep=request.POST.get("keep", "earlier"))
        else:
            services.resolve_duplicate(actor, flag=found, same_person=False)
    except ValidationFailed as exc:
        messages.error(request, " ".join(exc.fields.values()))
    else:
        if not same:
            messages.success(request, _("Saved: they are different people."))
        else:
            messages.success(
                request,
                _("Merged: one household now; the other is closed. Check the relationships of the members who moved."),
            )
            if merge.moved.get("planning.appointment.published"):
                messages.warning(
                    request,
                    _(
                        "The closed household had an appointment in the published plan. It is not kept: "
                        "the next plan places the merged household."
                    ),
                )
    return redirect("people:duplicates")


@login_required
def merge_page(request: HttpRequest, merge_id: int) -> HttpResponse:
    """An org admin's view of a merge, and its undo (POST)."""
    actor = actor_from_request(request, "web")
    if request.method != "POST":
        merge = disclose_one(actor, MERGE_PAGE, merge_id)
        return render(request, "people/merge.html", {"merge": merge})
    found = selectors.get_merge(request.user, merge_id)
    try:
        services.unmerge_households(actor, merge=found)
    except ValidationFailed as exc:
        messages.error(request, " ".join(exc.fields.values()))
        return redirect("people:merge", merge_id=merge_id)
    messages.success(request, _("Merge undone: both households are as they were."))
    return redirect("people:household", household_id=found.duplicate_id)
