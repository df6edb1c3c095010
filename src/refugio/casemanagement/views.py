"""Community case management pages: the caseworker's list, a household's plan and check-ins, recording a
check-in, outreach after a missed check-in, caseworker loads, hearing outcomes and the rates report."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from refugio.accounts.rules import Subject, Verb
from refugio.accounts.selectors import organisations_where
from refugio.audit.request import actor_from_request
from refugio.casemanagement import rates, selectors, services
from refugio.casemanagement.forms import (
    CheckInForm,
    HearingOutcomeForm,
    OutreachCloseForm,
    OutreachStepForm,
    PeriodForm,
    PlanForm,
    ReassignForm,
)
from refugio.casemanagement.surfaces import (
    CHECK_INS_PAGE,
    HEARING_OUTCOMES_PAGE,
    MY_CHECK_INS,
    MY_OUTREACH,
    OUTREACH_DETAIL,
    OUTREACH_PAGE,
    PLAN_PAGE,
    REASSIGN_LIST,
)
from refugio.core.errors import Conflict, PermissionDenied, ValidationFailed
from refugio.disclosure import disclose_many, disclose_one
from refugio.people.forms import add_service_errors
from refugio.people.surfaces import HOUSEHOLD_HEADING, HOUSEHOLD_MEMBER_NAMES

# The reference figures shown beside the organisation's own rates, with their sources.
REFERENCES = [
    {
        "programme": "ICE Family Case Management Program (2016–2017)",
        "check_ins": "99.4%",
        "appearances": "99.3%",
        "source": "DHS Office of Inspector General, OIG-18-22 (2017); Women's Refugee Commission (2019)",
    },
    {
        "programme": "Vera Institute, Appearance Assistance Program (1997–2000)",
        "check_ins": "",
        "appearances": "91% (93% asylum seekers)",
        "source": "Vera Institute of Justice, Testing Community Supervision for the INS (2000)",
    },
]


def _may(request: HttpRequest, verb: Verb) -> bool:
    return bool(organisations_where(request.user, Subject.CASE_PLAN, verb))


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The caseworker's list: open outreach on their plans, check-ins due this week."""
    actor = actor_from_request(request, "web")
    today = timezone.localdate()
    outreach = disclose_many(actor, MY_OUTREACH, selectors.my_open_outreach(request.user).order_by("opened_at"))
    due = disclose_many(actor, MY_CHECK_INS, selectors.my_check_ins_due(request.user, today))
    return render(
        request,
        "casemanagement/home.html",
        {
            "outreach": outreach,
            "due": due,
            "manages": bool(selectors.managed_organisations(request.user)),
            "reports": bool(selectors.report_organisations(request.user)),
            "records_hearings": bool(organisations_where(request.user, Subject.LEGAL, Verb.WRITE)),
        },
    )


@login_required
def household(request: HttpRequest, household_id: str) -> HttpResponse:
    """A household's case plan, its check-ins and outreach."""
    actor = actor_from_request(request, "web")
    found = selectors.get_plan_household(request.user, household_id)
    plans = disclose_many(actor, PLAN_PAGE, selectors.plans_of(request.user, found.id))
    check_ins = disclose_many(actor, CHECK_INS_PAGE, selectors.check_ins_of(request.user, found.id))
    outreach = disclose_many(actor, OUTREACH_PAGE, selectors.outreach_of(request.user, found.id))
    active = next((p for p in plans if p["status"] == "active"), None)
    return render(
        request,
        "casemanagement/household.html",
        {
            "household_id": found.id,
            "registration_code": found.display_code,
            "plans": plans,
            "active": active,
            "check_ins": check_ins,
            "outreach": outreach,
            "may_write": selectors.plan_households(request.user, Verb.WRITE).filter(pk=found.pk).exists(),
            "may_record": selectors.plan_households(request.user, Verb.CREATE).filter(pk=found.pk).exists(),
        },
    )


def _form_page(request: HttpRequest, household_id: Any, form: Any, title: str, submit: str) -> HttpResponse:  # noqa: ANN401
    heading = disclose_one(actor_from_request(request, "web"), HOUSEHOLD_HEADING, household_id)
    return render(
        request,
        "casemanagement/form.html",
        {"form": form, "household": heading, "title": title, "submit": submit},
    )


@login_required
def plan_new(request: HttpRequest, household_id: str) -> HttpResponse:
    found = selectors.get_plan_household(request.user, household_id, Verb.WRITE)
    actor = actor_from_request(request, "web")
    organisation_id = selectors.plan_organisation(request.user, found)
    if organisation_id is None:
        raise Http404
    staff = [(u.id, u.get_full_name() or u.get_username()) for u in selectors.caseworkers_of(organisation_id)]
    form = PlanForm(request.POST or None, caseworkers=staff, initial={"caseworker_id": request.user.pk})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.create_plan(
                actor,
                household=found,
                caseworker_id=data["caseworker_id"],
                started_on=data["started_on"],
                weekly_for_weeks=data["weekly_for_weeks"],
                then_every_days=data["then_every_days"],
                schedule_until=data["schedule_until"],
                mode=data["mode"],
                goals=data["goals"],
                notes=data["notes"],
            )
        except ValidationFailed as exc:
            add_service_errors(form, exc.fields)
        except Conflict as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Case plan started; its check-ins are scheduled."))
            return redirect("casemanagement:household", household_id=found.id)
    return _form_page(request, found.id, form, _("Start a case plan"), _("Start the plan"))


@login_required
def check_in_new(request: HttpRequest, household_id: str) -> HttpResponse:
    """Record a check-in (attended, or a new one scheduled): a plain form that works on a phone."""
    found = selectors.get_plan_household(request.user, household_id, Verb.CREATE)
    actor = actor_from_request(request, "web")
    names = disclose_one(actor, HOUSEHOLD_MEMBER_NAMES, found.id)
    people = [(str(m["id"]), m["full_name"]) for m in names["members"]]
    form = CheckInForm(request.POST or None, people=people)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_check_in(
                actor,
                household=found,
                status=data["status"],
                date=data["date"],
                mode=data["mode"],
                person_id=data["person_id"] or None,
                note=data["note"],
            )
        except ValidationFailed as exc:
            add_service_errors(form, exc.fields)
        except (Conflict, PermissionDenied) as exc:
            form.add_error(None, getattr(exc, "message", None) or str(exc))
        else:
            messages.success(request, _("Check-in recorded."))
            return redirect("casemanagement:household", household_id=found.id)
    return render(
        request,
        "casemanagement/form.html",
        {
            "form": form,
            "household": {"id": found.id, "registration_code": names["registration_code"]},
            "title": _("Record a check-in"),
            "submit": _("Record"),
        },
    )


@login_required
@require_POST
def plan_close(request: HttpRequest, household_id: str) -> HttpResponse:
    found = selectors.get_plan_household(request.user, household_id, Verb.WRITE)
    plan = selectors.visible_plans(request.user, Verb.WRITE).filter(household=found, status="active").first()
    if plan is None:
        raise Http404
    try:
        services.close_plan(actor_from_request(request, "web"), plan=plan, ended_on=timezone.localdate())
    except (ValidationFailed, Conflict) as exc:
        messages.error(request, getattr(exc, "message", str(exc)))
    else:
        messages.success(request, _("Case plan closed."))
    return redirect("casemanagement:household", household_id=found.id)


@login_required
def outreach(request: HttpRequest, outreach_id: int) -> HttpResponse:
    """One outreach to work on: the household's phone, what was tried, the next step, the outcome."""
    shown = disclose_one(actor_from_request(request, "web"), OUTREACH_DETAIL, outreach_id)
    return render(
        request,
        "casemanagement/outreach.html",
        {"o": shown, "step_form": OutreachStepForm(), "close_form": OutreachCloseForm()},
    )


def _outreach_post(request: HttpRequest, outreach_id: int, form: Any, apply: Any) -> HttpResponse:  # noqa: ANN401
    found = selectors.get_outreach(request.user, outreach_id, Verb.WRITE)
    if form.is_valid():
        try:
            apply(actor_from_request(request, "web"), found, form.cleaned_data)
        except ValidationFailed as exc:
            add_service_errors(form, exc.fields)
        except Conflict as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Saved."))
            return redirect("casemanagement:outreach", outreach_id=found.id)
    shown = disclose_one(actor_from_request(request, "web"), OUTREACH_DETAIL, found.id)
    forms = {"step_form": OutreachStepForm(), "close_form": OutreachCloseForm()}
    forms["step_form" if isinstance(form, OutreachStepForm) else "close_form"] = form
    return render(request, "casemanagement/outreach.html", {"o": shown, **forms}, status=400)


@login_required
@require_POST
def outreach_step(request: HttpRequest, outreach_id: int) -> HttpResponse:
    def apply(actor: Any, found: Any, data: dict[str, Any]) -> None:  # noqa: ANN401
        services.add_outreach_step(actor, outreach=found, kind=data["kind"], reached=data["reached"], note=data["note"])

    return _outreach_post(request, outreach_id, OutreachStepForm(request.POST), apply)


@login_required
@require_POST
def outreach_close(request: HttpRequest, outreach_id: int) -> HttpResponse:
    def apply(actor: Any, found: Any, data: dict[str, Any]) -> None:  # noqa: ANN401
        services.close_outreach(
            actor, outreach=found, outcome=data["outcome"], new_date=data["new_date"], mode=data["mode"]
        )

    return _outreach_post(request, outreach_id, OutreachCloseForm(request.POST), apply)


@login_required
def loads(request: HttpRequest) -> HttpResponse:
    """For organisation admins: each caseworker's load, and the active plans to reassign."""
    if not selectors.managed_organisations(request.user):
        raise Http404
    plans = disclose_many(actor_from_request(request, "web"), REASSIGN_LIST, selectors.reassignable_plans(request.user))
    return render(
        request,
        "casemanagement/loads.html",
        {
            "loads": selectors.caseworker_loads(request.user, timezone.localdate()),
            "plans": plans,
            "form": ReassignForm(caseworkers=selectors.caseworker_choices(request.user)),
        },
    )


@login_required
@require_POST
def reassign(request: HttpRequest, case_plan_id: int) -> HttpResponse:
    plan = selectors.get_reassignable_plan(request.user, case_plan_id)
    form = ReassignForm(request.POST, caseworkers=selectors.caseworker_choices(request.user))
    if not form.is_valid():
        messages.error(request, _("Choose a caseworker of the organisation."))
        return redirect("casemanagement:loads")
    try:
        services.reassign_plan(
            actor_from_request(request, "web"), plan=plan, caseworker_id=form.cleaned_data["caseworker_id"]
        )
    except ValidationFailed as exc:
        messages.error(request, " ".join(exc.fields.values()))
    except Conflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Plan reassigned."))
    return redirect("casemanagement:loads")


@login_required
def hearings(request: HttpRequest) -> HttpResponse:
    """Past hearings (last four months) whose outcome to record: appeared, did not appear, rescheduled,
    cancelled."""
    if not organisations_where(request.user, Subject.LEGAL, Verb.WRITE):
        raise Http404
    rows = disclose_many(
        actor_from_request(request, "web"),
        HEARING_OUTCOMES_PAGE,
        selectors.hearings_to_record(request.user, timezone.localdate()),
    )
    return render(request, "casemanagement/hearings.html", {"rows": rows, "form": HearingOutcomeForm()})


@login_required
@require_POST
def hearing_outcome(request: HttpRequest, hearing_id: str) -> HttpResponse:
    hearing = selectors.get_hearing_to_record(request.user, hearing_id)
    form = HearingOutcomeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose what happened at the hearing."))
        return redirect("casemanagement:hearings")
    try:
        services.record_hearing_outcome(
            actor_from_request(request, "web"), hearing=hearing, outcome=form.cleaned_data["outcome"]
        )
    except ValidationFailed as exc:
        messages.error(request, " ".join(exc.fields.values()))
    else:
        messages.success(request, _("Hearing outcome recorded."))
    return redirect("casemanagement:hearings")


def _shown_rate(rate: rates.Rate) -> dict[str, Any]:
    """A rate for the report: counts under 5 as "<5"; no rate (nor interval) for fewer than 5 cases."""
    return {
        "successes": rates.small_count(rate.successes),
        "total": rates.small_count(rate.total),
        "rate": rates.percent(rate.rate) if rate.shown else "",
        "low": rates.percent(rate.low) if rate.shown else "",
        "high": rates.percent(rate.high) if rate.shown else "",
    }


@login_required
def report(request: HttpRequest) -> HttpResponse:
    """Appearance and check-in rates of the organisation's own data (counts only, no person), with 95%
    confidence intervals, beside published reference figures."""
    organisations = selectors.report_organisations(request.user)
    if not organisations:
        raise Http404
    form = PeriodForm(request.GET or None)
    start, end = form.period()
    found = selectors.appearance_and_check_in_rates([o.id for o in organisations], start, end)
    rows = []
    for org in organisations:
        numbers = found[org.id]
        rows.append(
            {
                "organisation": org.name,
                "check_in": _shown_rate(numbers.check_in_rate),
                "excused": rates.small_count(numbers.check_ins_excused),
                "appearance": _shown_rate(numbers.appearance_rate),
                "rescheduled": rates.small_count(numbers.hearings_rescheduled),
                "cancelled": rates.small_count(numbers.hearings_cancelled),
            }
        )
    return render(
        request,
        "casemanagement/report.html",
        {"form": form, "start": start, "end": end, "rows": rows, "references": REFERENCES},
    )
