"""Reads for remedies: who may see or change a case's removal orders, motions to reopen and MPP cases, and
the MPP wind-down phase of households (eligibility shown in triage, never part of a score).

Visibility follows the people rule (a household owned by, or shared by a live grant with, an organisation
of the user) with the roles accounts.rules gives for Subject.REMEDY."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from refugio.accounts.rules import Subject, Verb
from refugio.accounts.selectors import organisations_where
from refugio.core.errors import NotFound, PermissionDenied
from refugio.people.models import Household, Person
from refugio.people.selectors import households_for_organisations
from refugio.remedies import deadlines
from refugio.remedies.models import (
    PHASE_OF_STATUS,
    MotionStatus,
    MotionToReopen,
    MPPCase,
    RemovalOrder,
    ReopeningReason,
)

User = AbstractBaseUser | AnonymousUser


def remedy_households(user: User, verb: Verb = Verb.READ) -> QuerySet[Household]:
    """Households whose removal orders, motions and MPP cases the user may `verb`."""
    return households_for_organisations(organisations_where(user, Subject.REMEDY, verb))


def get_remedy_case(user: User, household_id: uuid.UUID | str, verb: Verb = Verb.READ) -> Household:
    """A household, for its remedies. NotFound when the user may not see it (whether it exists or not);
    PermissionDenied when they may see it but not `verb` it (shelter staff read, never change)."""
    try:
        household = remedy_households(user).select_related("owner").get(pk=household_id)
    except (Household.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise NotFound from exc
    if verb != Verb.READ and not remedy_households(user, verb).filter(pk=household.pk).exists():
        raise PermissionDenied(_("You can read this case's removal orders but not change them."))
    return household


def may_write(user: User, household_id: uuid.UUID | str) -> bool:
    return remedy_households(user, Verb.WRITE).filter(pk=household_id).exists()


def member_of(household: Household, person_id: Any) -> Person | None:  # noqa: ANN401
    """A current member of the household, or None (a person of another household is never one)."""
    try:
        return household.members.filter(merged_into__isnull=True).get(pk=person_id)
    except (Person.DoesNotExist, ValidationError, ValueError, TypeError):
        return None


def visible_orders(user: User, verb: Verb = Verb.READ) -> QuerySet[RemovalOrder]:
    return RemovalOrder.objects.filter(household__in=remedy_households(user, verb)).select_related(
        "household", "person"
    )


def orders_of(user: User, household_id: uuid.UUID | str) -> QuerySet[RemovalOrder]:
    """The removal orders of one case; NotFound if the user may not see it."""
    return visible_orders(user).filter(household=get_remedy_case(user, household_id))


def visible_motions(user: User, verb: Verb = Verb.READ) -> QuerySet[MotionToReopen]:
    return MotionToReopen.objects.filter(order__household__in=remedy_households(user, verb)).select_related(
        "order", "order__household", "order__person"
    )


def motions_of(user: User, household_id: uuid.UUID | str) -> QuerySet[MotionToReopen]:
    return visible_motions(user).filter(order__household=get_remedy_case(user, household_id))


def get_motion(user: User, motion_id: Any, verb: Verb = Verb.READ) -> MotionToReopen:  # noqa: ANN401
    """A motion the user may see; NotFound otherwise; PermissionDenied if they may see but not `verb` it."""
    try:
        motion = visible_motions(user).get(pk=motion_id)
    except (MotionToReopen.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise NotFound from exc
    if verb != Verb.READ and not visible_motions(user, verb).filter(pk=motion.pk).exists():
        raise PermissionDenied(_("You can read this case's removal orders but not change them."))
    return motion


def get_order(user: User, order_id: Any, verb: Verb = Verb.READ) -> RemovalOrder:  # noqa: ANN401
    try:
        order = visible_orders(user).get(pk=order_id)
    except (RemovalOrder.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise NotFound from exc
    if verb != Verb.READ and not visible_orders(user, verb).filter(pk=order.pk).exists():
        raise PermissionDenied(_("You can read this case's removal orders but not change them."))
    return order


def visible_mpp_cases(user: User, verb: Verb = Verb.READ) -> QuerySet[MPPCase]:
    return MPPCase.objects.filter(household__in=remedy_households(user, verb)).select_related("household", "person")


def mpp_cases_of(user: User, household_id: uuid.UUID | str) -> QuerySet[MPPCase]:
    return visible_mpp_cases(user).filter(household=get_remedy_case(user, household_id))


def get_mpp_case(user: User, case_id: Any, verb: Verb = Verb.READ) -> MPPCase:  # noqa: ANN401
    try:
        case = visible_mpp_cases(user).get(pk=case_id)
    except (MPPCase.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise NotFound from exc
    if verb != Verb.READ and not visible_mpp_cases(user, verb).filter(pk=case.pk).exists():
        raise PermissionDenied(_("You can read this case's removal orders but not change them."))
    return case


def mpp_phase_by_household(household_ids: Iterable[Any]) -> dict[Any, int]:
    """The MPP wind-down phase of each household that has an MPP case (1 active, 2 terminated or dismissed,
    3 in-absentia order); households without one are left out. A household with several cases takes the
    earliest phase. The caller has already decided the reader may see these households; only the phase
    (no person, no detail) is returned. Eligibility only: never an input of the triage score."""
    phases: dict[Any, int] = {}
    rows = MPPCase.objects.filter(household_id__in=list(household_ids)).values_list("household_id", "status")
    for household_id, status in rows:
        phase = PHASE_OF_STATUS[status]
        phases[household_id] = min(phase, phases.get(household_id, phase))
    return phases


def households_in_phase(phase: int) -> QuerySet[MPPCase]:
    """MPP cases whose status puts a household in `phase` (to filter a list of households by it)."""
    statuses = [status for status, p in PHASE_OF_STATUS.items() if p == phase]
    return MPPCase.objects.filter(status__in=statuses)


def household_ids_in_phase(phase: int) -> QuerySet[Any]:
    """Ids of households whose earliest MPP phase is `phase` (a subquery; scope it with visibility)."""
    earlier = [status for status, p in PHASE_OF_STATUS.items() if p < phase]
    return (
        households_in_phase(phase)
        .exclude(household_id__in=MPPCase.objects.filter(status__in=earlier).values("household_id"))
        .values("household_id")
    )


def households_with_mpp() -> QuerySet[Any]:
    """Ids of households with any MPP case (a subquery; scope it with visibility)."""
    return MPPCase.objects.values("household_id")


def motions_due_soon(user: User, today: dt.date, within_days: int = 30) -> QuerySet[RemovalOrder]:
    """In-absentia orders (exceptional circumstances) whose 180-day motion deadline falls within `within_days`
    from today and that have no motion filed yet: the work of the coming weeks, soonest first."""
    window = deadlines.EXCEPTIONAL_CIRCUMSTANCES_DAYS
    filed = MotionToReopen.objects.exclude(status__in=[MotionStatus.DRAFTED, MotionStatus.WITHDRAWN])
    return (
        visible_orders(user)
        .filter(
            in_absentia=True,
            reason=ReopeningReason.EXCEPTIONAL_CIRCUMSTANCES,
            order_date__gte=today - dt.timedelta(days=window),
            order_date__lte=today - dt.timedelta(days=window - within_days),
        )
        .exclude(id__in=filed.values("order_id"))
        .order_by("order_date", "id")
    )
