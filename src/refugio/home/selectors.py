"""Reads for the staff home page: per role and organisation, what is there to do. No writes, ever.

Querysets here are filtered to what the user may see (the same selectors as the pages they link to) and
to one organisation, since a user may hold roles in several. Lists of people go through
refugio.home.surfaces; counts and aggregates are returned as numbers.

"My households" (caseworker) are the households of the organisation the caseworker registered, or
changed (created, updated, shared or revoked something about them or their members) in the last 30 days,
as the audit log records it. Refugio has no assignment of cases to caseworkers; the log says who worked on
what, without anyone keeping a list up to date.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from dataclasses import dataclass
from statistics import median

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone

from refugio.accounts.models import Membership
from refugio.audit.models import Action, AuditEvent
from refugio.escalations.models import ACTIVE_STATUSES, Escalation, EscalationMessage
from refugio.escalations.selectors import liaison_office_ids, visible_escalations
from refugio.legal.models import Hearing, Representation, RepresentationStatus
from refugio.legal.selectors import offers_for, visible_deadline_persons, visible_hearings
from refugio.people.models import Household, Person, SharingGrant
from refugio.people.selectors import households_for_organisations, visible_households
from refugio.planning.models import Appointment, PortOfEntry, ShelterBedsDay
from refugio.planning.selectors import liaison_ports
from refugio.planning.services import current_published
from refugio.triage.models import TriageScore

WEEK = dt.timedelta(days=7)
RECENT = dt.timedelta(days=30)
HEARING_HORIZON = dt.timedelta(days=30)
SMALL_COUNT = 5  # aggregates below this are shown as "<5": too few to not point at someone
WRITE_ACTIONS = (Action.CREATE, Action.UPDATE, Action.SHARE, Action.REVOKE)
# Filing deadlines are one year after arrival: arrivals of a year ago, give or take the window.
YEAR = dt.timedelta(days=365)


def organisation_households(user: AbstractBaseUser, organisation_id: int) -> QuerySet[Household]:
    """The households the user sees through this organisation (owned by it or shared with it)."""
    return visible_households(user).filter(id__in=households_for_organisations({organisation_id}).values("id"))


# Caseworker -------------------------------------------------------------------------------------------


def my_households(user: AbstractBaseUser, organisation_id: int, now: dt.datetime | None = None) -> QuerySet[Household]:
    now = now or timezone.now()
    written = AuditEvent.objects.filter(actor_id=user.pk, action__in=WRITE_ACTIONS, occurred_at__gte=now - RECENT)
    touched_households = written.filter(object_type="household").values("object_id")
    touched_people = written.filter(object_type="person").values("object_id")
    household_ids = {str(i) for i in touched_households.values_list("object_id", flat=True)}
    household_ids |= {
        str(h)
        for h in Person.objects.filter(
            id__in=[p for p in touched_people.values_list("object_id", flat=True) if _is_uuid(p)]
        ).values_list("household_id", flat=True)
    }
    ids = [h for h in household_ids if _is_uuid(h)]
    return organisation_households(user, organisation_id).filter(Q(created_by_id=user.pk) | Q(id__in=ids))


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def hearings_between(user: AbstractBaseUser, organisation_id: int, start: dt.date, end: dt.date) -> QuerySet[Hearing]:
    return (
        visible_hearings(user)
        .filter(household__in=organisation_households(user, organisation_id), date__gte=start, date__lte=end)
        .order_by("date", "time")
    )


def filing_deadlines_between(user: AbstractBaseUser, organisation_id: int, start: dt.date, end: dt.date) -> int:
    """Members whose one-year asylum filing deadline falls in [start, end] (a count: the page links on)."""
    return (
        visible_deadline_persons(user)
        .filter(
            household__in=organisation_households(user, organisation_id),
            arrival_date__gte=start - YEAR,
            arrival_date__lte=end - YEAR,
        )
        .count()
    )


def _last_message_from_agency() -> Subquery:
    latest = EscalationMessage.objects.filter(escalation=OuterRef("pk")).order_by("-created_at", "-id")
    return Subquery(latest.values("from_agency")[:1])


def replies_awaiting(user: AbstractBaseUser, organisation_id: int) -> QuerySet[Escalation]:
    """Open escalations of the organisation's households whose last message came from the agency."""
    return (
        visible_escalations(user)
        .filter(household__in=organisation_households(user, organisation_id), status__in=ACTIVE_STATUSES)
        .annotate(agency_spoke_last=_last_message_from_agency())
        .filter(agency_spoke_last=True)
        .order_by("resolve_by")
    )


def arrivals_between(
    user: AbstractBaseUser, organisation_id: int, start: dt.date, end: dt.date
) -> QuerySet[Appointment]:
    """Appointments of the published plan for the organisation's (owned or shared) households."""
    published = current_published()
    if published is None:
        return Appointment.objects.none()
    return (
        Appointment.objects.filter(
            plan=published,
            household__in=organisation_households(user, organisation_id),
            date__gte=start,
            date__lte=end,
        )
        .select_related("port", "household")
        .prefetch_related("household__members")
        .order_by("date", "port__code")
    )


# Attorney ---------------------------------------------------------------------------------------------


def my_hearings(user: AbstractBaseUser, organisation_id: int, start: dt.date, end: dt.date) -> QuerySet[Hearing]:
    """Hearings of the cases this attorney represents (an accepted representation on the roster)."""
    mine = Representation.objects.filter(representative__user_id=user.pk, status=RepresentationStatus.ACCEPTED).values(
        "household_id"
    )
    return hearings_between(user, organisation_id, start, end).filter(household_id__in=mine)


def my_filing_deadlines(user: AbstractBaseUser, organisation_id: int, start: dt.date, end: dt.date) -> int:
    mine = Representation.objects.filter(representative__user_id=user.pk, status=RepresentationStatus.ACCEPTED).values(
        "household_id"
    )
    return (
        visible_deadline_persons(user)
        .filter(
            household__in=organisation_households(user, organisation_id),
            household_id__in=mine,
            arrival_date__gte=start - YEAR,
            arrival_date__lte=end - YEAR,
        )
        .count()
    )


def offers_to_answer(user: AbstractBaseUser, organisation_id: int) -> QuerySet[Representation]:
    return offers_for(user).filter(representative__organisation_id=organisation_id).order_by("offered_at")


# Shelter ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BedsDay:
    destination: str
    date: dt.date
    beds: int


def beds_between(user: AbstractBaseUser, organisation_id: int, start: dt.date, end: dt.date) -> list[BedsDay]:
    """Free beds per destination and day, where the organisation's arrivals go (none recorded: empty)."""
    destinations = set(
        PortOfEntry.objects.filter(
            id__in=arrivals_between(user, organisation_id, start, end).values("port_id")
        ).values_list("destination", flat=True)
    )
    rows = ShelterBedsDay.objects.filter(date__gte=start, date__lte=end)
    if destinations:
        rows = rows.filter(destination__in=destinations)
    return [BedsDay(r.destination, r.date, r.beds) for r in rows.order_by("destination", "date")[:60]]


def in_shelter_count(user: AbstractBaseUser, organisation_id: int) -> int:
    return organisation_households(user, organisation_id).filter(in_shelter=True).count()


# Agency liaison ---------------------------------------------------------------------------------------


def escalations_for_office(user: AbstractBaseUser, organisation_id: int) -> QuerySet[Escalation]:
    """Open escalations sent to this agency's offices where the user is a contact; `unread` marks those
    the office has not answered yet: never acknowledged, or the sender wrote last."""
    offices = liaison_office_ids(user)
    return (
        Escalation.objects.filter(
            office_id__in=offices, office__organisation_id=organisation_id, status__in=ACTIVE_STATUSES
        )
        .select_related("office")
        .annotate(agency_spoke_last=_last_message_from_agency())
        .order_by("acknowledge_by")
    )


def is_unread(escalation: Escalation) -> bool:
    spoke_last = getattr(escalation, "agency_spoke_last", None)
    return escalation.acknowledged_at is None or spoke_last is False


@dataclass(frozen=True)
class ManifestDay:
    port_code: str
    port_name: str
    date: dt.date
    households: int
    people: int


def manifest_days(user: AbstractBaseUser, organisation_id: int, start: dt.date) -> list[ManifestDay]:
    ports = [p for p in liaison_ports(user) if p.agency_id == organisation_id]
    published = current_published()
    if not ports or published is None:
        return []
    rows = (
        published.appointments.filter(port__in=ports, date__gte=start)
        .values("port__code", "port__name", "date")
        .annotate(households=Count("id"))
        .order_by("date", "port__code")[:14]
    )
    people = {
        (r["port__code"], r["date"]): r["n"]
        for r in published.appointments.filter(port__in=ports, date__gte=start)
        .values("port__code", "date")
        .annotate(n=Sum("people"))
    }
    return [
        ManifestDay(
            r["port__code"], r["port__name"], r["date"], r["households"], people.get((r["port__code"], r["date"]), 0)
        )
        for r in rows
    ]


# Analyst ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    label: str
    count: int

    @property
    def suppressed(self) -> bool:
        return 0 < self.count < SMALL_COUNT


def registrations_per_week(organisation_id: int, today: dt.date, weeks: int = 12) -> list[Bar]:
    """Households the organisation registered, per week (Monday to Sunday), the last `weeks` weeks."""
    monday = today - dt.timedelta(days=today.weekday())
    first = monday - dt.timedelta(weeks=weeks - 1)
    since = timezone.make_aware(dt.datetime.combine(first, dt.time.min))
    counts: Counter[dt.date] = Counter()
    for created in Household.objects.filter(owner_id=organisation_id, created_at__gte=since).values_list(
        "created_at", flat=True
    ):
        day = timezone.localtime(created).date()
        counts[day - dt.timedelta(days=day.weekday())] += 1
    return [
        Bar((first + dt.timedelta(weeks=i)).isoformat(), counts[first + dt.timedelta(weeks=i)]) for i in range(weeks)
    ]


def households_by_tier(organisation_id: int) -> list[Bar]:
    """Scored households of the organisation per priority tier (1 most urgent), unscored apart."""
    rows = dict(
        TriageScore.objects.filter(household__owner_id=organisation_id)
        .values_list("tier")
        .annotate(n=Count("id"))
        .values_list("tier", "n")
    )
    unscored = Household.objects.filter(owner_id=organisation_id, triage__isnull=True).count()
    tiers = sorted(set(rows) | {1, 2, 3, 4})
    return [Bar(str(t), rows.get(t, 0)) for t in tiers] + [Bar("", unscored)]


@dataclass(frozen=True)
class ResponseTime:
    category: str
    category_label: str
    count: int
    hours_to_acknowledge: float | None  # median; None when too few to show

    @property
    def suppressed(self) -> bool:
        return 0 < self.count < SMALL_COUNT


def escalation_response_times(organisation_id: int) -> list[ResponseTime]:
    """Per category of the organisation's escalations: how many, and the median hours until the agency
    acknowledged them (withheld below SMALL_COUNT)."""
    groups: dict[str, list[Escalation]] = {}
    for escalation in Escalation.objects.filter(raised_for_id=organisation_id).only(
        "category", "created_at", "acknowledged_at"
    ):
        groups.setdefault(escalation.category, []).append(escalation)
    out = []
    for category, items in sorted(groups.items()):
        hours = [(e.acknowledged_at - e.created_at).total_seconds() / 3600 for e in items if e.acknowledged_at]
        shown = len(items) >= SMALL_COUNT and len(hours) >= SMALL_COUNT
        out.append(
            ResponseTime(
                category,
                str(items[0].get_category_display()),
                len(items),
                round(median(hours), 1) if shown else None,
            )
        )
    return out


# Organisation administrator ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AdminFigures:
    members: list[Membership]
    without_second_factor: int
    grants_given: int
    grants_received: int
    audit_events_week: int


def admin_figures(organisation_id: int, now: dt.datetime | None = None) -> AdminFigures:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    now = now or timezone.now()
    members = list(
        Membership.objects.filter(organisation_id=organisation_id)
        .select_related("user")
        .order_by("user__username", "role")
    )
    user_ids = {m.user_id for m in members}
    with_device = set(TOTPDevice.objects.filter(user_id__in=user_ids, confirmed=True).values_list("user_id", flat=True))
    return AdminFigures(
        members=members,
        without_second_factor=len(user_ids - with_device),
        grants_given=SharingGrant.objects.filter(SharingGrant.live_q(now=now), household__owner_id=organisation_id)
        .exclude(organisation_id=organisation_id)
        .count(),
        grants_received=SharingGrant.objects.filter(SharingGrant.live_q(now=now), organisation_id=organisation_id)
        .exclude(household__owner_id=organisation_id)
        .count(),
        audit_events_week=AuditEvent.objects.filter(
            organisation_id=organisation_id, occurred_at__gte=now - WEEK
        ).count(),
    )
