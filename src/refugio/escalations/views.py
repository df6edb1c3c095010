"""Escalation pages for both sides. Thin: the selectors decide access, the services write."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from refugio.accounts.selectors import is_coordinator
from refugio.audit.request import actor_from_request
from refugio.core.errors import ValidationFailed
from refugio.core.forms import set_choices
from refugio.disclosure import disclose_one
from refugio.escalations import selectors, services
from refugio.escalations.forms import EscalationForm, MessageForm, RuleForm, StatusForm
from refugio.escalations.models import Category, Escalation, SharedField, Status
from refugio.escalations.presentation import attachment_response, awaiting_answer, disclose_escalation
from refugio.escalations.surfaces import is_overdue
from refugio.people.forms import add_service_errors
from refugio.people.selectors import get_household
from refugio.people.services import PermissionDenied
from refugio.people.surfaces import HOUSEHOLD_MEMBER_NAMES


@login_required
def escalation_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    found = selectors.with_last_speaker(request.user, selectors.visible_escalations(request.user))
    if status in Status.values:
        found = found.filter(status=status)
    rows = [(e, is_overdue(e), _awaiting(e)) for e in found[:300]]
    context = {"rows": rows, "statuses": Status.choices, "status": status, "may_report": is_coordinator(request.user)}
    return render(request, "escalations/list.html", context)


def _awaiting(escalation: Escalation) -> bool:
    return awaiting_answer(
        side="sender" if escalation.on_sender_side else "agency",  # type: ignore[attr-defined]
        status=escalation.status,
        acknowledged=escalation.acknowledged_at is not None,
        last_from_agency=escalation.agency_spoke_last,  # type: ignore[attr-defined]
    )


@login_required
def escalation_new(request: HttpRequest, household_id: str) -> HttpResponse:
    actor = actor_from_request(request, "web")
    offices = [(o.id, o.name) for o in selectors.office_directory()]
    if request.method == "POST":
        household = get_household(request.user, household_id, for_write=True)
        people = [(str(p.id), "") for p in household.members.all()]
        form = EscalationForm(request.POST, offices=offices, people=people)
        if form.is_valid():
            data = form.cleaned_data
            try:
                escalation = services.raise_escalation(
                    actor,
                    household=household,
                    office_id=data["office_id"],
                    category=data["category"],
                    summary=data["summary"],
                    shared_fields=data["shared_fields"],
                    person_id=data["person_id"] or None,
                )
            except ValidationFailed as exc:
                add_service_errors(form, exc.fields)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Escalation %(ref)s raised.") % {"ref": escalation.reference})
                return redirect("escalations:detail", escalation_id=escalation.id)
    shown = disclose_one(actor, HOUSEHOLD_MEMBER_NAMES, household_id)
    people = [(str(p["id"]), p["full_name"]) for p in shown["members"]]
    if request.method == "POST":
        set_choices(form, "person_id", [("", "—"), *people])
    else:
        form = EscalationForm(offices=offices, people=people)
    return render(request, "escalations/new.html", {"form": form, "household": shown})


@login_required
def escalation_detail_page(request: HttpRequest, escalation_id: str) -> HttpResponse:
    view, side = disclose_escalation(actor_from_request(request, "web"), escalation_id)
    transitions = services.TRANSITIONS.items()
    allowed = sorted({new for (old, new), sides in transitions if old == view["status"] and side in sides})
    status_form = StatusForm()
    set_choices(status_form, "status", [(s, Status(s).label) for s in allowed])
    shared = [
        (SharedField(name.removeprefix("person.")).label, view.get(f"{name}_label", value))
        for name, value in view.items()
        if name.startswith("person.") and not name.endswith("_label")
    ]
    return render(
        request,
        "escalations/detail.html",
        {
            "escalation": view,
            "view": view,
            "side": side,
            "category": view["category_label"],
            "status_label": view["status_label"],
            "message_form": MessageForm(),
            "status_form": status_form if allowed else None,
            "overdue": view["overdue"],
            "shared": shared,
            "awaiting": awaiting_answer(
                side=side,
                status=view["status"],
                acknowledged=bool(view.get("acknowledged_at")),
                last_from_agency=view["messages"][-1]["from_agency"] if view.get("messages") else None,
            ),
        },
    )


@login_required
@require_POST
def escalation_message(request: HttpRequest, escalation_id: str) -> HttpResponse:
    escalation, side = selectors.get_escalation(request.user, escalation_id)
    form = MessageForm(request.POST, request.FILES)
    if form.is_valid():
        files = [form.cleaned_data["files"]] if form.cleaned_data["files"] else []
        try:
            services.post_message(
                actor_from_request(request, "web"),
                escalation=escalation,
                side=side,
                body=form.cleaned_data["body"],
                files=files,
            )
        except ValidationFailed as exc:
            for message in exc.fields.values():
                messages.error(request, message)
    else:
        messages.error(request, _("Write a message."))
    return redirect("escalations:detail", escalation_id=escalation.id)


@login_required
@require_POST
def escalation_status(request: HttpRequest, escalation_id: str) -> HttpResponse:
    escalation, side = selectors.get_escalation(request.user, escalation_id)
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            services.change_status(
                actor_from_request(request, "web"),
                escalation=escalation,
                side=side,
                new_status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
            )
        except ValidationFailed as exc:
            for message in exc.fields.values():
                messages.error(request, message)
    else:
        messages.error(request, _("Choose a status and add a note that explains the change."))
    return redirect("escalations:detail", escalation_id=escalation.id)


@login_required
def escalation_attachment(request: HttpRequest, escalation_id: str, attachment_id: int) -> HttpResponse:
    return attachment_response(actor_from_request(request, "web"), escalation_id, attachment_id)


@login_required
def escalation_report(request: HttpRequest) -> HttpResponse:
    rows = selectors.coordinator_report(request.user)
    return render(request, "escalations/report.html", {"rows": rows, "categories": dict(Category.choices)})


@login_required
def escalation_rules(request: HttpRequest) -> HttpResponse:
    rules = services.response_rules()
    editable = services.is_coordinator(request.user)
    if request.method == "POST" and editable:
        category = request.POST.get("category", "")
        form = RuleForm(request.POST)
        if category in Category.values and form.is_valid():
            try:
                services.update_rule(actor_from_request(request, "web"), category=category, changes=form.cleaned_data)
            except (ValidationFailed, PermissionDenied) as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, _("Saved."))
        else:
            messages.error(request, _("Use a whole number from 1 to 1000."))
        return redirect("escalations:rules")
    forms_by_rule = [
        (
            r,
            Category(r.category).label,
            RuleForm(
                initial={
                    "acknowledge_within": r.acknowledge_within,
                    "acknowledge_unit": r.acknowledge_unit,
                    "resolve_within": r.resolve_within,
                    "resolve_unit": r.resolve_unit,
                },
                auto_id=f"{r.category}_%s",  # one form per category on the page: ids of their own
            ),
        )
        for r in rules
    ]
    return render(request, "escalations/rules.html", {"rules": forms_by_rule, "editable": editable})


@login_required
def office_directory(request: HttpRequest) -> HttpResponse:
    """Whom to contact at each office, by tier, for problems that must go up the line."""
    return render(request, "escalations/offices.html", {"offices": selectors.office_directory()})
