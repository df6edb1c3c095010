"""Obligations calendar: reads. Only the stored table (services.refresh_obligations writes it): a read never
computes or stores anything.

Visibility is the people rule (owned by, or shared by a live grant with, an organisation of the user) with the
roles accounts.rules gives for Subject.OBLIGATION."""

from __future__ import annotations

import datetime as dt
import uuid

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db.models import F, QuerySet
from django.utils.translation import gettext as _

from refugio.accounts.rules import Subject, Verb
from refugio.accounts.selectors import organisations_where
from refugio.core.errors import NotFound, PermissionDenied
from refugio.obligations.models import AgencyAppointment, AsylumFiling, Obligation, ObligationStatus
from refugio.obligations.rules import DUE_SOON_DAYS
from refugio.people.models import Household, Person
from refugio.people.selectors import households_for_organisations

User = AbstractBaseUser | AnonymousUser

CALENDAR_DAYS = DUE_SOON_DAYS
CALENDAR_LIMIT = 500


def obligation_households(user: User, verb: Verb = Verb.READ) -> QuerySet[Household]:
    return households_for_organisations(organisations_where(user, Subject.OBLIGATION, verb))


def get_household(user: User, household_id: uuid.UUID | str, verb: Verb = Verb.READ) -> Household:
    """A household, for its obligations: NotFound when invisible (whether it exists or not); PermissionDenied
    when visible but the user may not `verb` it."""
    try:
        household = obligation_households(user).get(pk=household_id)
    except (Household.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise NotFound from exc
    if verb != Verb.READ and not obligation_households(user, verb).filter(pk=household.pk).exists():
        raise PermissionDenied(_("Your role does not allow you to record obligations for this household."))
    return household


def visible_obligations(user: User, verb: Verb = Verb.READ) -> QuerySet[Obligation]:
    return Obligation.objects.filter(household__in=obligation_households(user, verb)).select_related(
        "household", "person"
    )


def _by_due(obligations: QuerySet[Obligation]) -> QuerySet[Obligation]:
    return obligations.order_by(F("due").asc(nulls_last=True), "kind", "id")


def obligations_of(user: User, household_id: uuid.UUID | str) -> QuerySet[Obligation]:
    """One household's obligations, by due date (those without one last); NotFound if invisible."""
    household = get_household(user, household_id)
    return _by_due(visible_obligations(user).filter(household=household))


def next_obligations(user: User, household_id: uuid.UUID | str, limit: int = 3) -> list[Obligation]:
    """The household's next open obligations (overdue first, then by date), for its page."""
    open_ = obligations_of(user, household_id).exclude(status=ObligationStatus.MET).exclude(due__isnull=True)
    return list(open_[:limit])


def calendar(user: User, today: dt.date, days: int = CALENDAR_DAYS) -> QuerySet[Obligation]:
    """Open obligations of every household the user's organisations work with: overdue ones and those due in
    the next `days` days."""
    return _by_due(
        visible_obligations(user).filter(
            due__lte=today + dt.timedelta(days=days),
            status__in=(ObligationStatus.OVERDUE, ObligationStatus.DUE_SOON, ObligationStatus.UPCOMING),
        )
    )[:CALENDAR_LIMIT]


def visible_appointments(user: User, verb: Verb = Verb.READ) -> QuerySet[AgencyAppointment]:
    return AgencyAppointment.objects.filter(household__in=obligation_households(user, verb)).select_related(
        "household", "person"
    )


def visible_filings(user: User, verb: Verb = Verb.READ) -> QuerySet[AsylumFiling]:
    return AsylumFiling.objects.filter(household__in=obligation_households(user, verb)).select_related(
        "household", "person"
    )


def members(household: Household) -> QuerySet[Person]:
    return household.members.filter(merged_into__isnull=True).order_by("created_at")
