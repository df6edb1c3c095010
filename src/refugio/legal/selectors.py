"""Reads for legal representation: who may see or change the legal data of a case (hearings,
representation, deadlines), the roster, suggestions, offers and the calendar.

Legal visibility follows the people rule (a household owned by, or shared by a live grant with, an
organisation of the user) but with the roles accounts.rules gives for Subject.LEGAL: shelter staff
read legal data shared with them and never change it."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from refugio.accounts.rules import Subject, Verb, roles_for
from refugio.accounts.selectors import organisation_ids_for, organisations_where
from refugio.core.errors import NotFound, PermissionDenied
from refugio.legal import matching
from refugio.legal.models import (
    OPEN_REPRESENTATION,
    CalendarFeed,
    Hearing,
    Representation,
    RepresentationStatus,
    Representative,
    RepresentativeKind,
)
from refugio.people.models import Household, Person
from refugio.people.selectors import households_for_organisations

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

User = AbstractBaseUser | AnonymousUser


class _OpenCases(TypedDict):
    open_cases: int


def roster() -> QuerySet[WithAnnotations[Representative, _OpenCases]]:
    """The roster is about volunteers, not the people they serve: every staff member may read it."""
    return Representative.objects.select_related("organisation").annotate(
        open_cases=Count("representations", filter=Q(representations__status__in=OPEN_REPRESENTATION))
    )


def editable_representative(user: User, representative_id: int) -> Representative:
    """A roster entry of an organisation the user administers; 404 otherwise."""
    try:
        return Representative.objects.get(
            id=representative_id, organisation_id__in=organisation_ids_for(user, roles_for(Subject.POLICY, Verb.WRITE))
        )
    except Representative.DoesNotExist as exc:
        raise NotFound from exc


def my_roster_entry(user: User) -> Representative | None:
    if not user.is_authenticated:
        return None
    return Representative.objects.filter(user_id=user.pk).first()


def my_feeds(user: User) -> QuerySet[CalendarFeed]:
    """Live calendar feeds the user created (their own, or their organisation's as its admin)."""
    if not user.is_authenticated:
        return CalendarFeed.objects.none()
    return CalendarFeed.objects.filter(created_by_id=user.pk, revoked_at__isnull=True).select_related("representative")


def get_my_feed(user: User, feed_id: int) -> CalendarFeed:
    try:
        return my_feeds(user).get(id=feed_id)
    except CalendarFeed.DoesNotExist as exc:
        raise NotFound from exc


def legal_households(user: User, verb: Verb = Verb.READ) -> QuerySet[Household]:
    """Households whose legal data the user may `verb`: owned by, or shared by a live grant with, an
    organisation in which accounts.rules gives them that verb on Subject.LEGAL."""
    return households_for_organisations(organisations_where(user, Subject.LEGAL, verb))


def get_legal_case(user: User, household_id: uuid.UUID | str, verb: Verb = Verb.READ) -> Household:
    """A household, for its legal data. NotFound when the user may not see it (whether it exists or not);
    PermissionDenied when they may see it but not `verb` it (shelter staff never change legal data)."""
    try:
        household = legal_households(user).select_related("owner").get(pk=household_id)
    except (Household.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise NotFound from exc
    if verb != Verb.READ and not legal_households(user, verb).filter(pk=household.pk).exists():
        raise PermissionDenied(_("You can read this case's legal information but not change it."))
    return household


def visible_hearings(user: User, verb: Verb = Verb.READ) -> QuerySet[Hearing]:
    """Hearings of the cases whose legal data the user may `verb`, with whether each case is represented."""
    accepted = Representation.objects.filter(
        household_id=OuterRef("household_id"), status=RepresentationStatus.ACCEPTED
    )
    return (
        Hearing.objects.filter(household__in=legal_households(user, verb))
        .select_related("household", "interpreter")
        .annotate(represented=Exists(accepted))
    )


def hearings_of(user: User, household_id: uuid.UUID | str) -> QuerySet[Hearing]:
    """The hearings of one case; NotFound if the user may not see its legal data."""
    return visible_hearings(user).filter(household=get_legal_case(user, household_id))


def visible_deadline_persons(user: User, verb: Verb = Verb.READ) -> QuerySet[Person]:
    return Person.objects.filter(household__in=legal_households(user, verb)).select_related("household")


def deadline_persons(user: User, household_id: uuid.UUID | str) -> list[Person]:
    """Members of one case with an arrival date (the asylum filing deadline runs from it)."""
    household = get_legal_case(user, household_id)
    return [
        p for p in visible_deadline_persons(user).filter(household=household).order_by("created_at") if p.arrival_date
    ]


def _with_parties(representations: QuerySet[Representation]) -> QuerySet[Representation]:
    return representations.select_related("household", "representative").prefetch_related(
        Prefetch("household__members", queryset=Person.objects.order_by("created_at"))
    )


def visible_representations(user: User, verb: Verb = Verb.READ) -> QuerySet[Representation]:
    """Representations of cases whose legal data the user may `verb`, and those offered to the user as the
    representative on the roster (the conflict check comes before the case is shared)."""
    if not user.is_authenticated:
        return Representation.objects.none()
    mine = Q(
        representative__user=user, representative__organisation_id__in=organisations_where(user, Subject.LEGAL, verb)
    )
    return _with_parties(Representation.objects.filter(Q(household__in=legal_households(user, verb)) | mine))


def offers_for(user: User) -> QuerySet[Representation]:
    """Representation offered to this user, as the representative on the roster."""
    if not user.is_authenticated:
        return Representation.objects.none()
    offered = Representation.objects.filter(representative__user_id=user.pk, status=RepresentationStatus.OFFERED)
    return _with_parties(offered)


def get_offer(user: User, representation_id: int) -> Representation:
    try:
        offer = offers_for(user).get(id=representation_id)
    except Representation.DoesNotExist as exc:
        raise NotFound from exc
    return offer


def get_offer_to_answer(user: User, representation_id: int) -> Representation:
    """An offer to this user (NotFound otherwise) that their role lets them answer (PermissionDenied)."""
    offer = get_offer(user, representation_id)
    if offer.representative.organisation_id not in organisations_where(user, Subject.LEGAL, Verb.WRITE):
        raise PermissionDenied(_("Your role does not allow you to take on cases."))
    return offer


def _case_for(household: Household) -> matching.Case | None:
    members = list(household.members.all())
    court = next((p.immigration_court for p in members if p.immigration_court), "")
    if not court:
        return None
    # Only hearings still to come: a past one is not urgent (it was listed first, with negative days).
    today = dt.date.today()
    hearings = [p.next_hearing_date for p in members if p.next_hearing_date and p.next_hearing_date >= today]
    hearings += [h.date for h in household.hearings.all() if h.date >= today]
    days = (min(hearings) - today).days if hearings else 730
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


def suggestions(user: User, limit: int = 200) -> list[Suggestion]:
    """Optimal matches of the coordinator's unrepresented cases to available roster capacity."""
    org_ids = organisations_where(user, Subject.LEGAL, Verb.SHARE)
    if not org_ids:
        return []
    households = (
        Household.objects.filter(owner_id__in=org_ids, merged_into__isnull=True)  # not one closed by a merge
        .exclude(representations__status__in=OPEN_REPRESENTATION)
        .prefetch_related("members__vulnerability_rows", "hearings")
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


def calendar(user: User, today: dt.date, days: int = 120) -> QuerySet[Hearing]:
    """Hearings of the coming months in the cases the user may see."""
    return visible_hearings(user).filter(date__gte=today, date__lte=today + dt.timedelta(days=days))
