"""Reads for community case management: who may see which plans, check-ins and outreach; the caseworker's
lists; the organisation's caseworker loads; and the appearance and check-in rates of an organisation's own data.

Visibility follows the owned-or-shared household rule (people.selectors) with the roles accounts.rules gives
for Subject.CASE_PLAN. Agency liaisons and analysts hold none of them: they see no plan, check-in or outreach."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from refugio.accounts.models import Membership, Organisation, OrganisationKind
from refugio.accounts.rules import Subject, Verb, roles_for
from refugio.accounts.selectors import organisations_where
from refugio.casemanagement import rates
from refugio.casemanagement.models import (
    CasePlan,
    CheckIn,
    CheckInStatus,
    HearingAttendance,
    HearingOutcome,
    Outreach,
    OutreachStatus,
    PlanStatus,
)
from refugio.core.errors import NotFound, PermissionDenied
from refugio.legal.models import Hearing
from refugio.legal.selectors import visible_hearings
from refugio.people.models import Household
from refugio.people.selectors import households_for_organisations

User = AbstractBaseUser | AnonymousUser


def plan_households(user: User, verb: Verb = Verb.READ) -> QuerySet[Household]:
    """Households whose case management the user may `verb` (owned by, or shared with, such an organisation)."""
    return households_for_organisations(organisations_where(user, Subject.CASE_PLAN, verb))


def get_plan_household(user: User, household_id: uuid.UUID | str, verb: Verb = Verb.READ) -> Household:
    """A household, for its case management. NotFound when the user may not see it (whether it exists or not);
    PermissionDenied when they may see it but not `verb` it."""
    try:
        household = plan_households(user).select_related("owner").get(pk=household_id)
    except (Household.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise NotFound from exc
    if verb != Verb.READ and not plan_households(user, verb).filter(pk=household.pk).exists():
        raise PermissionDenied(_("Your role does not allow you to do this for this household."))
    return household


def plan_organisation(user: User | None, household: Household) -> int | None:
    """The organisation that would keep the user's plan for this household: the owner if the user keeps plans
    there, else one of the user's organisations the household is shared with; None if neither."""
    orgs = organisations_where(user, Subject.CASE_PLAN, Verb.WRITE)
    if household.owner_id in orgs:
        return household.owner_id
    for org_id in sorted(orgs):
        if households_for_organisations([org_id]).filter(pk=household.pk).exists():
            return org_id
    return None


def visible_plans(user: User, verb: Verb = Verb.READ) -> QuerySet[CasePlan]:
    return CasePlan.objects.filter(household__in=plan_households(user, verb)).select_related(
        "household", "caseworker", "organisation"
    )


def visible_check_ins(user: User, verb: Verb = Verb.READ) -> QuerySet[CheckIn]:
    return CheckIn.objects.filter(household__in=plan_households(user, verb)).select_related(
        "household", "person", "plan"
    )


def visible_outreach(user: User, verb: Verb = Verb.READ) -> QuerySet[Outreach]:
    return (
        Outreach.objects.filter(household__in=plan_households(user, verb))
        .select_related("household", "check_in", "plan", "plan__caseworker")
        .prefetch_related("steps", "household__members")
    )


def active_plan(household: Household) -> CasePlan | None:
    return CasePlan.objects.filter(household=household, status=PlanStatus.ACTIVE).select_related("caseworker").first()


def plans_of(user: User, household_id: uuid.UUID | str) -> QuerySet[CasePlan]:
    """The plans of one household, newest first; NotFound if the user may not see its case management."""
    household = get_plan_household(user, household_id)
    return visible_plans(user).filter(household=household).order_by("-started_on", "-id")


def check_ins_of(user: User, household_id: uuid.UUID | str) -> QuerySet[CheckIn]:
    household = get_plan_household(user, household_id)
    return visible_check_ins(user).filter(household=household).order_by("due_on", "id")


def outreach_of(user: User, household_id: uuid.UUID | str) -> QuerySet[Outreach]:
    household = get_plan_household(user, household_id)
    return visible_outreach(user).filter(household=household).order_by("-opened_at")


def get_outreach(user: User, outreach_id: int, verb: Verb = Verb.READ) -> Outreach:
    try:
        return visible_outreach(user, verb).get(pk=outreach_id)
    except (Outreach.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound from exc


def week_of(today: dt.date) -> tuple[dt.date, dt.date]:
    """Monday to Sunday of the week of `today`."""
    monday = today - dt.timedelta(days=today.weekday())
    return monday, monday + dt.timedelta(days=6)


def my_open_outreach(user: User) -> QuerySet[Outreach]:
    """Open outreach on the plans this user is the caseworker of."""
    if not user.is_authenticated:
        return Outreach.objects.none()
    return visible_outreach(user, Verb.WRITE).filter(status=OutreachStatus.OPEN, plan__caseworker_id=user.pk)


def my_check_ins_due(user: User, today: dt.date) -> QuerySet[CheckIn]:
    """Check-ins still to record this week, on plans this user is the caseworker of."""
    if not user.is_authenticated:
        return CheckIn.objects.none()
    monday, sunday = week_of(today)
    return visible_check_ins(user).filter(
        plan__caseworker_id=user.pk,
        plan__status=PlanStatus.ACTIVE,
        status=CheckInStatus.SCHEDULED,
        due_on__gte=monday,
        due_on__lte=sunday,
    )


# --- caseworker loads (organisation admins) ------------------------------------------------------------------


def managed_organisations(user: User) -> set[int]:
    """Organisations whose plans this user may reassign and whose caseworker loads they see (admins)."""
    return organisations_where(user, Subject.CASE_PLAN, Verb.OVERRIDE)


def caseworkers_of(organisation_id: int) -> QuerySet[Any]:
    """Staff of an organisation who may keep a case plan (the roles that write Subject.CASE_PLAN there)."""
    member_ids = Membership.objects.filter(
        organisation_id=organisation_id, role__in=list(roles_for(Subject.CASE_PLAN, Verb.WRITE))
    ).values("user_id")
    return get_user_model().objects.filter(id__in=member_ids, is_active=True).order_by("username")


@dataclass(frozen=True)
class Load:
    organisation: str
    caseworker_id: int | None
    caseworker: str
    active_plans: int
    due_this_week: int
    open_outreach: int


def _staff_name(user: Any) -> str:  # noqa: ANN401
    if user is None:
        return _("No caseworker")
    return user.get_full_name() or user.get_username()


def caseworker_loads(user: User, today: dt.date) -> list[Load]:
    """Per caseworker of each organisation the user manages: active plans, check-ins due this week, open
    outreach. Counts only."""
    monday, sunday = week_of(today)
    out: list[Load] = []
    for org in Organisation.objects.filter(id__in=managed_organisations(user)).order_by("name"):
        plans = CasePlan.objects.filter(organisation=org, status=PlanStatus.ACTIVE)
        per_plan = plans.values("caseworker_id").annotate(
            n=Count("id", distinct=True),
        )
        active = {row["caseworker_id"]: row["n"] for row in per_plan}
        due = dict(
            CheckIn.objects.filter(
                plan__in=plans, status=CheckInStatus.SCHEDULED, due_on__gte=monday, due_on__lte=sunday
            )
            .values_list("plan__caseworker_id")
            .annotate(n=Count("id"))
            .values_list("plan__caseworker_id", "n")
        )
        outreach = dict(
            Outreach.objects.filter(plan__organisation=org, status=OutreachStatus.OPEN)
            .values_list("plan__caseworker_id")
            .annotate(n=Count("id"))
            .values_list("plan__caseworker_id", "n")
        )
        staff = {u.id: u for u in caseworkers_of(org.id)}
        ids = set(staff) | set(active) | set(due) | set(outreach)
        users = {u.id: u for u in get_user_model().objects.filter(id__in=[i for i in ids if i is not None])}
        rows = [
            Load(
                org.name,
                cid,
                _staff_name(users.get(cid) if cid is not None else None),
                active.get(cid, 0),
                due.get(cid, 0),
                outreach.get(cid, 0),
            )
            for cid in ids
        ]
        rows.sort(key=lambda r: (r.caseworker_id is not None, r.caseworker.lower()))
        out += rows
    return out


def reassignable_plans(user: User) -> QuerySet[CasePlan]:
    """Active plans of the organisations the user manages."""
    return (
        visible_plans(user)
        .filter(organisation_id__in=managed_organisations(user), status=PlanStatus.ACTIVE)
        .order_by("caseworker__username", "started_on")
    )


def get_reassignable_plan(user: User, plan_id: int) -> CasePlan:
    try:
        return reassignable_plans(user).get(pk=plan_id)
    except (CasePlan.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound from exc


def caseworker_choices(user: User) -> list[tuple[int, str]]:
    """Everyone who may be given a plan, in the organisations the user manages: (user id, name)."""
    seen: dict[int, str] = {}
    for org_id in sorted(managed_organisations(user)):
        for staff in caseworkers_of(org_id):
            seen.setdefault(staff.id, _staff_name(staff))
    return sorted(seen.items(), key=lambda item: item[1].lower())


# --- hearing outcomes -----------------------------------------------------------------------------------------


def hearings_to_record(user: User, today: dt.date, days: int = 120) -> QuerySet[Hearing]:
    """Hearings of the last `days` days (today included) whose outcome the user may record (legal writers)."""
    return (
        visible_hearings(user, Verb.WRITE)
        .filter(date__lte=today, date__gte=today - dt.timedelta(days=days))
        .select_related("attendance")
        .order_by("-date", "-time")
    )


def get_hearing_to_record(user: User, hearing_id: uuid.UUID | str) -> Hearing:
    try:
        return visible_hearings(user, Verb.WRITE).select_related("attendance").get(pk=hearing_id)
    except (Hearing.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise NotFound from exc


# --- rates -----------------------------------------------------------------------------------------------------


def report_organisations(user: User) -> list[Organisation]:
    """Organisations whose own rates the user may read: admins and analysts (Subject.AGGREGATE), never an agency."""
    ids = organisations_where(user, Subject.AGGREGATE, Verb.READ) | managed_organisations(user)
    return list(Organisation.objects.filter(id__in=ids).exclude(kind=OrganisationKind.AGENCY).order_by("name"))


@dataclass(frozen=True)
class OrganisationRates:
    """Counts and rates of one organisation over a period. No person, no household: counts only."""

    organisation_id: int
    check_ins_attended: int
    check_ins_missed: int
    check_ins_excused: int
    hearings_appeared: int
    hearings_not_appeared: int
    hearings_rescheduled: int
    hearings_cancelled: int

    @property
    def check_in_rate(self) -> rates.Rate:
        return rates.rate(self.check_ins_attended, self.check_ins_attended + self.check_ins_missed)

    @property
    def appearance_rate(self) -> rates.Rate:
        return rates.rate(self.hearings_appeared, self.hearings_appeared + self.hearings_not_appeared)


def appearance_and_check_in_rates(
    organisation_ids: list[int] | set[int], start: dt.date, end: dt.date
) -> dict[int, OrganisationRates]:
    """Per organisation, over [start, end]: check-ins of its plans due in the period (attended / missed /
    excused), and outcomes of the hearings in the period of households it owns or keeps a plan for.
    Check-in rate = attended / (attended + missed); appearance rate = appeared / (appeared + did not appear).
    For the organisation's own report and, later, the public statistics (which apply their own suppression)."""
    ids = set(organisation_ids)
    check_ins: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    rows = (
        CheckIn.objects.filter(plan__organisation_id__in=ids, due_on__gte=start, due_on__lte=end)
        .values_list("plan__organisation_id", "status")
        .annotate(n=Count("id"))
    )
    for org_id, status, n in rows:
        check_ins[org_id][status] += n
    hearings: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for org_id in ids:
        in_plan = CasePlan.objects.filter(organisation_id=org_id).values("household_id")
        counted = (
            HearingAttendance.objects.filter(hearing__date__gte=start, hearing__date__lte=end)
            .filter(Q(hearing__household__owner_id=org_id) | Q(hearing__household_id__in=in_plan))
            .values_list("outcome")
            .annotate(n=Count("id"))
        )
        for outcome, n in counted:
            hearings[org_id][outcome] += n
    return {
        org_id: OrganisationRates(
            organisation_id=org_id,
            check_ins_attended=check_ins[org_id][CheckInStatus.ATTENDED],
            check_ins_missed=check_ins[org_id][CheckInStatus.MISSED],
            check_ins_excused=check_ins[org_id][CheckInStatus.EXCUSED],
            hearings_appeared=hearings[org_id][HearingOutcome.APPEARED],
            hearings_not_appeared=hearings[org_id][HearingOutcome.DID_NOT_APPEAR],
            hearings_rescheduled=hearings[org_id][HearingOutcome.RESCHEDULED],
            hearings_cancelled=hearings[org_id][HearingOutcome.CANCELLED],
        )
        for org_id in sorted(ids)
    }


@dataclass(frozen=True)
class HouseholdAttendance:
    """One household's counted hearings and check-ins (rescheduled or cancelled hearings and excused or
    scheduled check-ins are not counted: they are neither an appearance nor a failure to appear)."""

    hearings_appeared: int = 0
    hearings_not_appeared: int = 0
    check_ins_attended: int = 0
    check_ins_missed: int = 0


def household_attendance_counts(
    household_ids: list[Any] | set[Any], until: dt.date | None = None
) -> dict[Any, HouseholdAttendance]:
    """Per household id (only those with something counted), the hearings it appeared at or did not, and the
    check-ins it attended or missed; up to `until` (hearing date, check-in due date) when given. Two grouped
    queries, whatever the number of households: for aggregates by group (disparity monitoring), never a person."""
    ids = list(household_ids)
    counts: dict[Any, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    if not ids:
        return {}
    hearings = HearingAttendance.objects.filter(
        hearing__household_id__in=ids, outcome__in=(HearingOutcome.APPEARED, HearingOutcome.DID_NOT_APPEAR)
    )
    check_ins = CheckIn.objects.filter(household_id__in=ids, status__in=(CheckInStatus.ATTENDED, CheckInStatus.MISSED))
    if until is not None:
        hearings = hearings.filter(hearing__date__lte=until)
        check_ins = check_ins.filter(due_on__lte=until)
    for household_id, outcome, n in (
        hearings.values_list("hearing__household_id", "outcome").annotate(n=Count("id")).order_by()
    ):
        counts[household_id][outcome] += n
    for household_id, status, n in check_ins.values_list("household_id", "status").annotate(n=Count("id")).order_by():
        counts[household_id][status] += n
    return {
        household_id: HouseholdAttendance(
            hearings_appeared=c[HearingOutcome.APPEARED],
            hearings_not_appeared=c[HearingOutcome.DID_NOT_APPEAR],
            check_ins_attended=c[CheckInStatus.ATTENDED],
            check_ins_missed=c[CheckInStatus.MISSED],
        )
        for household_id, c in counts.items()
    }
