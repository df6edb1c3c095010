"""Remedies pages: a household's removal orders with their motion-to-reopen deadlines, its motions (draft as
DOCX, filing, decision) and its MPP cases. Plain forms and links: no JavaScript needed."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from refugio.accounts.rules import Verb
from refugio.audit.request import actor_from_request
from refugio.audit.services import Actor
from refugio.core.errors import Conflict, ValidationFailed
from refugio.disclosure import disclose_many, disclose_one
from refugio.people.forms import add_service_errors
from refugio.people.surfaces import HOUSEHOLD_MEMBER_NAMES
from refugio.remedies import drafts, selectors, services
from refugio.remedies.forms import DecideMotionForm, FileMotionForm, MPPCaseForm, MPPStatusForm, RemovalOrderForm
from refugio.remedies.models import OPEN_MOTION
from refugio.remedies.surfaces import (
    HEADING,
    MOTION_DOCUMENT,
    MOTIONS_PAGE,
    MPP_PAGE,
    ORDERS_PAGE,
    evidence_for,
)

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@login_required
def household_page(request: HttpRequest, household_id: str) -> HttpResponse:
    actor = actor_from_request(request, "web")
    household = selectors.get_remedy_case(request.user, household_id)
    heading = disclose_one(actor, HEADING, household.id)
    motions = disclose_many(actor, MOTIONS_PAGE, selectors.motions_of(request.user, household.id))
    orders = disclose_many(actor, ORDERS_PAGE, selectors.orders_of(request.user, household.id))
    for order in orders:
        order["motions"] = [m for m in motions if m["order_id"] == order["id"]]
        order["evidence"] = evidence_for(order["reason"]) if order["in_absentia"] else []
        order["can_draft"] = order["in_absentia"] and not any(m["status"] in OPEN_MOTION for m in order["motions"])
    return render(
        request,
        "remedies/household.html",
        {
            "household": heading,
            "orders": orders,
            "mpp_cases": disclose_many(actor, MPP_PAGE, selectors.mpp_cases_of(request.user, household.id)),
            "may_write": selectors.may_write(request.user, household.id),
        },
    )


def _members(actor: Actor, household_id: Any) -> tuple[dict[str, Any], list[tuple[str, str]]]:  # noqa: ANN401
    shown = disclose_one(actor, HOUSEHOLD_MEMBER_NAMES, household_id)
    return shown, [(str(p["id"]), p["full_name"]) for p in shown["members"]]


def _form_page(
    request: HttpRequest,
    form: Any,
    title: str,
    household: dict[str, Any],
    status: int = 200,  # noqa: ANN401
) -> HttpResponse:
    if form.is_bound and form.errors and status == 200:
        status = 400
    return render(request, "remedies/form.html", {"form": form, "title": title, "household": household}, status=status)


@login_required
def order_add(request: HttpRequest, household_id: str) -> HttpResponse:
    actor = actor_from_request(request, "web")
    household = selectors.get_remedy_case(request.user, household_id, Verb.WRITE)
    shown, people = _members(actor, household.id)
    form = RemovalOrderForm(request.POST or None, people=people)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_removal_order(actor, household=household, data=form.service_data())
        except ValidationFailed as exc:
            add_service_errors(form, exc.fields)
        else:
            messages.success(request, _("Removal order recorded."))
            return redirect("remedies:household", household_id=household.id)
    return _form_page(request, form, _("Record a removal order"), shown)


@login_required
def mpp_add(request: HttpRequest, household_id: str) -> HttpResponse:
    actor = actor_from_request(request, "web")
    household = selectors.get_remedy_case(request.user, household_id, Verb.WRITE)
    shown, people = _members(actor, household.id)
    form = MPPCaseForm(request.POST or None, people=people)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_mpp_case(actor, household=household, data=form.cleaned_data)
        except ValidationFailed as exc:
            add_service_errors(form, exc.fields)
        else:
            messages.success(request, _("MPP case recorded."))
            return redirect("remedies:household", household_id=household.id)
    return _form_page(request, form, _("Record an MPP case"), shown)


@login_required
def mpp_edit(request: HttpRequest, mpp_case_id: int) -> HttpResponse:
    actor = actor_from_request(request, "web")
    case = selectors.get_mpp_case(request.user, mpp_case_id, Verb.WRITE)
    shown = disclose_one(actor, HEADING, case.household_id)
    form = MPPStatusForm(
        request.POST or None,
        initial={"status": case.status, "status_date": case.status_date},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_mpp_case(actor, case=case, data=form.cleaned_data)
        except ValidationFailed as exc:
            add_service_errors(form, exc.fields)
        else:
            messages.success(request, _("MPP case updated."))
            return redirect("remedies:household", household_id=case.household_id)
    return _form_page(request, form, _("Change the MPP case status"), shown)


@login_required
@require_POST
def motion_draft(request: HttpRequest, removal_order_id: int) -> HttpResponse:
    order = selectors.get_order(request.user, removal_order_id, Verb.WRITE)
    services.draft_motion(actor_from_request(request, "web"), order=order)  # a Conflict answers 409
    messages.success(request, _("Motion to reopen drafted. Download it, complete it and record its filing."))
    return redirect("remedies:household", household_id=order.household_id)


def _motion_form(request: HttpRequest, motion_id: int, form_class: type, title: str) -> HttpResponse:
    actor = actor_from_request(request, "web")
    motion = selectors.get_motion(request.user, motion_id, Verb.WRITE)
    shown = disclose_one(actor, HEADING, motion.order.household_id)
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if form_class is FileMotionForm:
                services.file_motion(actor, motion=motion, filed_on=data["filed_on"])
            else:
                services.decide_motion(
                    actor, motion=motion, outcome=data["outcome"], decided_on=data["decided_on"], notes=data["notes"]
                )
        except ValidationFailed as exc:
            add_service_errors(form, exc.fields)
        except Conflict as exc:
            form.add_error(None, exc.message)
            return _form_page(request, form, title, shown, status=409)
        else:
            messages.success(request, _("Motion updated."))
            return redirect("remedies:household", household_id=motion.order.household_id)
    return _form_page(request, form, title, shown)


@login_required
def motion_file(request: HttpRequest, reopen_motion_id: int) -> HttpResponse:
    return _motion_form(request, reopen_motion_id, FileMotionForm, _("Record the filing of the motion"))


@login_required
def motion_decide(request: HttpRequest, reopen_motion_id: int) -> HttpResponse:
    return _motion_form(request, reopen_motion_id, DecideMotionForm, _("Record the decision or withdrawal"))


def motion_facts(shown: dict[str, Any], evidence: list[str], prepared_on: Any) -> drafts.MotionFacts:  # noqa: ANN401
    """The draft's facts from the disclosed projection (nothing read past disclosure)."""
    deadline = shown["motion_deadline"]
    representation = shown["representation"] or {}
    return drafts.MotionFacts(
        respondent_name=shown["respondent_name"],
        a_number=shown["a_number"],
        court_name=shown["court_label"],
        order_date=shown["order_date"],
        reason=shown["reason"],
        deadline_due=deadline["due"],
        deadline_explanation=deadline["explanation"],
        representative=representation.get("name", ""),
        representative_kind=representation.get("kind", ""),
        hearings=[drafts.Hearing(h["date"], h["court"], h["kind"]) for h in shown["hearings"]],
        evidence=evidence,
        mpp=shown["mpp_status"],
        prepared_on=prepared_on,
    )


def motion_document(actor: Actor, motion_id: Any) -> HttpResponse:  # noqa: ANN401
    """The DOCX draft (in English, the court's language), audited through disclosure. Shared by the page and
    the API."""
    with translation.override("en"):
        shown = disclose_one(actor, MOTION_DOCUMENT, motion_id)
        evidence = evidence_for(shown["reason"])
        facts = motion_facts(shown, evidence, timezone.localdate())
    response = HttpResponse(drafts.motion_docx(facts), content_type=DOCX)
    response["Content-Disposition"] = f'attachment; filename="motion-to-reopen-{shown["registration_code"]}.docx"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def motion_download(request: HttpRequest, reopen_motion_id: int) -> HttpResponse:
    return motion_document(actor_from_request(request, "web"), reopen_motion_id)
