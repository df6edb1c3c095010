"""Reads for legal representation. Case access still comes from people.selectors.visible_households."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, Q, QuerySet
from django.http import Http404

from refugio.accounts.models import Role
from refugio.accounts.selectors import SHARE_ROLES, organisation_ids_for
from refugio.legal import matching
from refugio.legal.deadlines import uncovered
from refugio.legal.models import (
    OPEN_REPRESENTATION,
    CalendarFeed,
    Hearing,
    Representation,
    RepresentationStatus,
    Representative,
    RepresentativeKind,
)
from refugio.people.models import Household
from refugio.people.selectors import visible_households

User = AbstractBaseUser | AnonymousUser


def roster() -> QuerySet[Representative]:
    """The roster is about volunteers, not the people they serve: every staff member may read it."""
    return Representative.objects.select_related("organisation").annotate(
        open_cases=Count("representations", filter=Q(representations__status__in=OPEN_REPRESENTATION))
    )


def editable_representative(user: User, representative_id: int) -> Representative:
    """A roster entry of an organisation the user administers; 404 otherwise."""
    try:
        return Representative.objects.get(
            id=representative_id, organisation_id__in=organisation_ids_for(user, {Role.ORG_ADMIN})
        )
    except Representative.DoesNotExist as exc:
        raise Http404 from exc


def my_roster_entry(user: User) -> Representative | None:
    if not user.is_authenticated:
        return None
    return Representative.objects.filter(user=user).first()


def my_feeds(user: User) -> QuerySet[CalendarFeed]:
    """Live calendar feeds the user created (their own, or their organisation's as its admin)."""
    if not user.is_authenticated:
        return CalendarFeed.objects.none()
    return CalendarFeed.objects.filter(created_by=user, revoked_at__isnull=True).select_related("representative")


def get_my_feed(user: User, feed_id: int) -> CalendarFeed:
    try:
        return my_feeds(user).get(id=feed_id)
    except CalendarFeed.DoesNotExist as exc:
        raise Http404 from exc


def visible_hearings(user: User) -> QuerySet[Hearing]:
    return Hearing.objects.filter(household__in=visible_households(user)).select_related("household", "interpreter")


def offers_for(user: User) -> QuerySet[Representation]:
    """Representation offered to this user, as the representative on the roster."""
    if not user.is_authenticated:
        return Representation.objects.none()
    return Representation.objects.filter(representative__user=user, status=RepresentationStatus.OFFERED).select_related(
        "household", "representative"
    )


def get_offer(user: User, representation_id: int) -> Representation:
    try:
        return offers_for(user).get(id=representation_id)
    except Representation.DoesNotExist as exc:
        raise Http404 from exc


def conflict_check_names(representation: Representation) -> list[str]:
    """Names of the parties only: enough to check for a conflict of interest, nothing else."""
    return [p.full_name for p in representation.household.members.all()]


def _case_for(household: Household) -> matching.Case | None:
    members = list(household.members.all())
    court = next((p.immigration_court for p in members if p.immigration_court), "")
    if not court:
        return None
    hearings = [p.next_hearing_date for p in members if p.next_hearing_date]
    days = (min(hearings) - dt.date.today()).days if hearings else 730
    needs = set()
    codes = {v.code for p in members for v in p.vulnerability_rows.all()}
    if "unaccompanied_child" in codes:
        needs.add("unaccompanied_minor")
    if "gender_violence" in codes:
        needs.add("gender_based_violence")
    languages = frozenset(lang for p in members for lang in p.languages) or frozenset({household.preferred_language})
    return matching.Case(str(household.id), languages, court, frozenset(needs), days)


@dataclass(frozen=True)
class Suggestion:
    household: Household
    representative: Representative

    @property
    def next_hearing(self) -> dt.date | None:
        dates = [p.next_hearing_date for p in self.household.members.all() if p.next_hearing_date]
        return min(dates, default=None)


def suggestions(user: User, limit: int = 200) -> list[Suggestion]:
    """Optimal matches of the coordinator's unrepresented cases to available roster capacity."""
    org_ids = organisation_ids_for(user, SHARE_ROLES)
    if not org_ids:
        return []
    households = (
        Household.objects.filter(owner_id__in=org_ids)
        .exclude(representations__status__in=OPEN_REPRESENTATION)
        .prefetch_related("members__vulnerability_rows")
    )
    cases = {}
    for household in households:
        case = _case_for(household)
        if case:
            cases[case.case_id] = (case, household)
    people = {}
    attorneys = []
    for person in roster().filter(available=True).exclude(kind=RepresentativeKind.INTERPRETER):
        free = person.capacity - person.open_cases
        if free > 0:
            people[str(person.id)] = person
            attorneys.append(
                matching.Attorney(
                    str(person.id),
                    frozenset(person.languages),
                    frozenset(person.courts),
                    frozenset(person.expertise),
                    free,
                )
            )
    result = matching.match([c for c, _ in cases.values()], attorneys)
    found = [Suggestion(cases[case_id][1], people[rep_id]) for case_id, rep_id in result.matches]
    found.sort(key=lambda s: -cases[str(s.household.id)][0].weight)
    return found[:limit]


@dataclass(frozen=True)
class CalendarRow:
    hearing: Hearing
    missing: list[str]


def calendar(user: User, today: dt.date, days: int = 120) -> list[CalendarRow]:
    hearings = visible_hearings(user).filter(date__gte=today, date__lte=today + dt.timedelta(days=days))
    represented = set(
        Representation.objects.filter(
            status=RepresentationStatus.ACCEPTED, household__in=hearings.values("household")
        ).values_list("household_id", flat=True)
    )
    return [
        CalendarRow(
            h, uncovered(h.date, today, h.household_id in represented, bool(h.language), h.interpreter_id is not None)
        )
        for h in hearings
    ]
