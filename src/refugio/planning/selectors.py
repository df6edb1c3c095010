"""Reads of the entry plan. Agency liaisons see manifests only for their agency's ports, and only the
fields needed at the port; caseworkers see appointments only of households they may see."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import models
from django.db.models import Count, Max, Min, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from refugio.accounts.rules import Subject, Verb, roles_for
from refugio.accounts.selectors import is_coordinator, organisation_ids_for, organisations_where
from refugio.core.errors import NotFound, VersionConflict
from refugio.people.models import Household, Person
from refugio.people.validation import name_key
from refugio.planning.models import Appointment, Lane, PlanRun, PlanStatus, PortDay, PortOfEntry
from refugio.planning.services import current_published


def published_appointment(household: Household) -> Appointment | None:
    published = current_published()
    if published is None:
        return None
    return published.appointments.filter(household=household).select_related("port").first()


def plan_loads(run: PlanRun) -> list[Mapping[str, Any]]:
    """People and households per port and day: counts only."""
    rows = (
        run.appointments.values("port__code", "date")
        .annotate(households=Count("id"), people=Sum("people"))
        .order_by("date", "port__code")
    )
    return list(rows)


@dataclass
class Explanation:
    appointment: Appointment | None
    text: str


def explain(household: Household, tier: int, priority: float) -> Explanation:
    """Why the household is where it is in the published plan, in the reader's language."""
    appointment = published_appointment(household)
    if appointment is not None:
        if appointment.lane == Lane.KEPT:
            text = _("This appointment had already been given to the household, so the new plan kept it.")
        elif appointment.lane == Lane.FIFO:
            text = _(
                "Placed in the registration-order lane: a share of every day's places goes to households in the "
                "order they registered, whatever their priority."
            )
        else:
            text = _(
                "Placed in the priority lane with priority %(priority)s (tier %(tier)s): households with higher "
                "priority that could use the same ports went earlier."
            ) % {"priority": f"{appointment.priority:g}", "tier": appointment.tier}
        if appointment.moved:
            text += " " + _("Its earlier appointment had to move because capacity fell; it has been told.")
        return Explanation(appointment, text)
    serving = [
        p
        for p in PortOfEntry.objects.all()
        if name_key(household.current_city) in {name_key(c) for c in p.departure_cities}
    ]
    if current_published() is None:
        return Explanation(None, _("No entry plan has been published yet."))
    if not serving:
        return Explanation(
            None,
            _("No port of entry serves %(city)s yet, so the plan cannot include this household.")
            % {"city": household.current_city},
        )
    if household.status not in ("registered", "under_review", "scheduled"):
        return Explanation(None, _("Only households waiting to enter are planned."))
    return Explanation(
        None,
        _(
            "Not scheduled in the current plan: within its horizon, the places at %(ports)s went to households with "
            "a higher priority than %(priority)s or an earlier registration (the registration-order lane)."
        )
        % {"ports": ", ".join(p.code for p in serving), "priority": f"{priority:g}"},
    )


def liaison_ports(user: AbstractBaseUser | AnonymousUser) -> list[PortOfEntry]:
    agencies = organisation_ids_for(user, roles_for(Subject.MANIFEST, Verb.READ))
    return list(PortOfEntry.objects.filter(agency_id__in=agencies)) if agencies else []


def manifest_days(user: AbstractBaseUser | AnonymousUser) -> list[Mapping[str, Any]]:
    """The published port-days of the liaison's ports; 404 for anyone who is no agency's liaison. A liaison
    of an agency without a port (an ICE field office) has none: an empty list, as their navigation offers it."""
    ports = liaison_ports(user)
    if not ports:
        if organisation_ids_for(user, roles_for(Subject.MANIFEST, Verb.READ)):
            return []
        raise NotFound
    published = current_published()
    if published is None:
        return []
    return list(
        published.appointments.filter(port__in=ports)
        .values("port__code", "port__name", "date")
        .annotate(households=Count("id"), people=Sum("people"))
        .order_by("date", "port__code")
    )


def manifest(user: AbstractBaseUser | AnonymousUser, port_code: str, date: dt.date) -> tuple[PortOfEntry, Any]:
    """The appointments at a port on a day, for a liaison of the port's agency; anyone else: 404."""
    port = next((p for p in liaison_ports(user) if p.code == port_code), None)
    published = current_published()
    if port is None or published is None:
        raise NotFound
    found = (
        published.appointments.filter(port=port, date=date)
        .select_related("household", "port")
        .prefetch_related("household__members")
        .order_by("household__registration_code")
    )
    return port, found


def require_coordinator(user: AbstractBaseUser | AnonymousUser) -> None:
    """Plans and capacity are the coordinators' (they span every organisation's waiting list); anyone else: 404."""
    if not is_coordinator(user):
        raise NotFound


def plan_for_coordinator(user: AbstractBaseUser | AnonymousUser, plan_id: int) -> PlanRun:
    require_coordinator(user)
    try:
        return PlanRun.objects.get(pk=plan_id)
    except PlanRun.DoesNotExist as exc:
        raise NotFound from exc


def own_appointments(user: AbstractBaseUser | AnonymousUser, run: PlanRun) -> Any:  # noqa: ANN401
    """The run's appointments for households of the coordinator's own organisations only."""
    from refugio.people.selectors import visible_households

    visible = visible_households(user).filter(owner_id__in=organisations_where(user, Subject.PLAN, Verb.READ))
    return run.appointments.filter(household__in=visible).select_related("port", "household").order_by("date")[:500]


def port_calendar(
    user: AbstractBaseUser | AnonymousUser, days: int, today: dt.date
) -> tuple[list[dt.date], list[tuple[PortOfEntry, list[Any]]]]:
    require_coordinator(user)
    dates = [today + dt.timedelta(days=i) for i in range(1, days + 1)]
    table = []
    by_port: dict[int, dict[dt.date, PortDay]] = defaultdict(dict)
    for day in PortDay.objects.filter(date__in=dates):
        by_port[day.port_id][day.date] = day
    for port in PortOfEntry.objects.all():
        table.append((port, [by_port[port.id].get(d) for d in dates]))
    return dates, table


def recent_runs(user: AbstractBaseUser | AnonymousUser) -> list[PlanRun]:
    require_coordinator(user)
    return list(PlanRun.objects.all()[:20])


# The plan run's review: a chart of capacity against planned entries, who is left waiting and why, and what
# publishing will tell whom. Counts only: no household is named on these pages.

TIER_WORDS = {
    1: gettext_lazy("Most urgent"),
    2: gettext_lazy("Very urgent"),
    3: gettext_lazy("Urgent"),
    4: gettext_lazy("Standard"),
}
NOT_SCORED_TIER = 9  # the tier planner_input gives a household without a score


def tier_label(tier: int | None) -> str:
    """A tier in words, with its number (the household page shows the number)."""
    if tier is None:
        return _("Not scored yet")
    if tier == NOT_SCORED_TIER:
        return _("Not scored when planned (tier %(n)d)") % {"n": tier}
    words = TIER_WORDS.get(tier)
    if words is None:
        return _("Tier %(n)d") % {"n": tier}
    return _("%(words)s (tier %(n)d)") % {"words": words, "n": tier}


def _horizon(run: PlanRun) -> tuple[dt.date, dt.date] | None:
    """The days the run planned: from its summary, else from its appointments."""
    first, last = run.summary.get("first_day"), run.summary.get("last_day")
    if first and last:
        return dt.date.fromisoformat(first), dt.date.fromisoformat(last)
    found = run.appointments.aggregate(first=Min("date"), last=Max("date"))
    if found["first"] is None:
        return None
    return found["first"], found["last"]


@dataclass
class DayLoad:
    date: dt.date
    capacity: int
    closed: bool
    people_by_tier: dict[int, int]
    households: int

    @property
    def planned(self) -> int:
        return sum(self.people_by_tier.values())


@dataclass
class PortLoad:
    port: PortOfEntry
    weeks: list[list[DayLoad]]
    top: int  # the largest capacity or total of the window: one scale for all the port's weeks

    @property
    def days(self) -> list[DayLoad]:
        return [d for week in self.weeks for d in week]


@dataclass
class PlanChart:
    tiers: list[int]
    ports: list[PortLoad]
    start: dt.date | None
    end: dt.date | None
    earlier: dt.date | None
    later: dt.date | None


CHART_DAYS = 28


def plan_chart(run: PlanRun, start: dt.date | None = None, days: int = CHART_DAYS) -> PlanChart:
    """Capacity (as it is now) and the people the run planned, per port, day and tier, for `days` days from
    `start` (the first day of the run's horizon by default), a week per row."""
    tiers = sorted(set(run.appointments.values_list("tier", flat=True).distinct()))
    horizon = _horizon(run)
    if horizon is None:
        return PlanChart(tiers, [], None, None, None, None)
    first, last = horizon
    start = min(max(start or first, first), last)
    end = min(start + dt.timedelta(days=days - 1), last)
    dates = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
    capacity = {
        (d.port_id, d.date): (0 if d.closed else d.capacity, d.closed)
        for d in PortDay.objects.filter(date__gte=start, date__lte=end)
    }
    people: dict[tuple[int, dt.date], dict[int, int]] = defaultdict(dict)
    households: dict[tuple[int, dt.date], int] = defaultdict(int)
    for row in (
        run.appointments.filter(date__gte=start, date__lte=end)
        .values("port_id", "date", "tier")
        .annotate(households=Count("id"), people=Sum("people"))
    ):
        people[(row["port_id"], row["date"])][row["tier"]] = row["people"] or 0
        households[(row["port_id"], row["date"])] += row["households"]
    ports = []
    for port in PortOfEntry.objects.all():
        loads = [
            DayLoad(
                date=d,
                capacity=capacity.get((port.id, d), (0, False))[0],
                closed=capacity.get((port.id, d), (0, False))[1],
                people_by_tier=people.get((port.id, d), {}),
                households=households.get((port.id, d), 0),
            )
            for d in dates
        ]
        top = max([0, *(x.capacity for x in loads), *(x.planned for x in loads)])
        ports.append(PortLoad(port, [loads[i : i + 7] for i in range(0, len(loads), 7)], top))
    earlier = max(first, start - dt.timedelta(days=days)) if start > first else None
    later = end + dt.timedelta(days=1) if end < last else None
    return PlanChart(tiers, ports, start, end, earlier, later)


class WaitingReason(models.TextChoices):
    """Why a household the run could have planned has no appointment in it (first that applies)."""

    REGISTERED_AFTER = "registered_after", gettext_lazy("Registered (or back to waiting) after this plan was computed")
    NO_PORT = "no_port", gettext_lazy("No port of entry serves their city")
    NOT_READY = "not_ready", gettext_lazy("Not ready to travel before the plan's last day")
    LEFT_UNUSED = "left_unused", gettext_lazy("Places that fit them were left free (registration-order share)")
    SCREENING = "screening", gettext_lazy("Health screening in their city was full on the days their port had room")
    BEDS = "beds", gettext_lazy("Shelter beds at the destination were full on the days their port had room")
    FAMILY = "family", gettext_lazy("Only fewer places than their family were left: families are never split")
    CAPACITY = (
        "capacity",
        gettext_lazy(
            "Every place at their ports went to households ahead of them (higher priority or earlier registration)"
        ),
    )


# Precedence when several days blocked a household for different reasons: the most telling one wins.
_BLOCKED = [WaitingReason.CAPACITY, WaitingReason.FAMILY, WaitingReason.BEDS, WaitingReason.SCREENING]
_BLOCKED += [WaitingReason.LEFT_UNUSED]


@dataclass
class WaitingCount:
    reason: WaitingReason
    households: int
    people: int

    @property
    def label(self) -> str:
        return str(self.reason.label)


def left_waiting(run: PlanRun) -> list[WaitingCount]:
    """Households waiting to enter that have no appointment in the run, counted by why.

    The planner records no reasons, and a run keeps no copy of its inputs, so this is derived: from the
    households waiting now (their city, size and ready date now) and the capacity now (ports, health
    screening, shelter beds), less what the run's appointments use. For each day of the horizon from a
    household's ready date and each of its ports, what stopped a household of its size is noted; the most
    telling reason over those days is counted (places left free that fit it, then screening, beds, a family
    too large for the places left, and otherwise every place taken by households ahead of it)."""
    from refugio.planning.models import ScreeningDay, ShelterBedsDay
    from refugio.planning.services import PLANNED_STATUSES

    counts = {reason: [0, 0] for reason in WaitingReason}
    horizon = _horizon(run)
    waiting = (
        Household.objects.filter(status__in=PLANNED_STATUSES)
        .exclude(id__in=run.appointments.values("household_id"))
        .annotate(size=Count("members", filter=Q(members__merged_into__isnull=True)))
        .values_list("created_at", "ready_on", "current_city", "size")
    )
    ports = list(PortOfEntry.objects.all())
    city_ports: dict[str, list[PortOfEntry]] = defaultdict(list)
    for port in ports:
        for city in port.departure_cities:
            city_ports[name_key(city)].append(port)
    if horizon is None:
        first = last = None
        n_days = 0
    else:
        first, last = horizon
        n_days = (last - first).days + 1
    cutoff = run.created_at
    # What is left of every capacity after the run's appointments, per day of the horizon.
    port_left: dict[int, np.ndarray] = {p.id: np.zeros(n_days, dtype=np.int64) for p in ports}
    screening_left: dict[str, np.ndarray] = {}
    beds_left: dict[str, np.ndarray] = {}
    if first is not None and last is not None:
        for day in PortDay.objects.filter(date__gte=first, date__lte=last):
            if day.port_id in port_left:
                port_left[day.port_id][(day.date - first).days] = 0 if day.closed else day.capacity
        for s in ScreeningDay.objects.filter(date__gte=first, date__lte=last):
            screening_left.setdefault(name_key(s.city), np.zeros(n_days, dtype=np.int64))[(s.date - first).days] = (
                s.capacity
            )
        for b in ShelterBedsDay.objects.filter(date__gte=first, date__lte=last):
            beds_left.setdefault(b.destination, np.zeros(n_days, dtype=np.int64))[(b.date - first).days] = b.beds
        destination = {p.id: p.destination for p in ports}
        for row in (
            run.appointments.filter(date__gte=first, date__lte=last)
            .values("port_id", "date", "household__current_city")
            .annotate(people=Sum("people"))
        ):
            i, used = (row["date"] - first).days, row["people"] or 0
            if row["port_id"] in port_left:
                port_left[row["port_id"]][i] -= used
            city = name_key(row["household__current_city"])
            if city in screening_left:
                screening_left[city][i] -= used
            if destination.get(row["port_id"]) in beds_left:
                beds_left[destination[row["port_id"]]][i] -= used

    big = np.iinfo(np.int64).max // 4
    verdicts: dict[tuple[str, int], np.ndarray] = {}

    def verdict(city: str, size: int) -> np.ndarray:
        """Per day, the index in _BLOCKED of what stopped a household of `size` from `city` (best over its
        ports), then the best from each day on (a suffix maximum): read at the household's ready day."""
        key = (city, size)
        if key not in verdicts:
            best = np.zeros(n_days, dtype=np.int64)
            screening = screening_left.get(city, np.full(n_days, big))
            for port in city_ports[city]:
                room_port = port_left[port.id]
                beds = beds_left.get(port.destination, np.full(n_days, big))
                code = np.where(room_port < size, np.where(room_port > 0, 1, 0), 0)
                code = np.where((room_port >= size) & (screening < size), 3, code)
                code = np.where((room_port >= size) & (screening >= size) & (beds < size), 2, code)
                fits_all = (room_port >= size) & (screening >= size) & (beds >= size)
                code = np.where(fits_all, 4, code)
                # A family blocked only because fewer seats than its size were left, at the port or elsewhere.
                partial = (np.minimum(np.minimum(room_port, screening), beds) > 0) & ~fits_all & (code < 2)
                code = np.where(partial, 1, code)
                best = np.maximum(best, code)
            verdicts[key] = np.maximum.accumulate(best[::-1])[::-1] if n_days else best
        return verdicts[key]

    for created_at, ready_on, current_city, size in waiting.iterator():
        size = size or 1
        city = name_key(current_city)
        if created_at > cutoff:
            reason = WaitingReason.REGISTERED_AFTER
        elif not city_ports.get(city):
            reason = WaitingReason.NO_PORT
        elif first is None or last is None:
            reason = WaitingReason.CAPACITY
        else:
            ready = ready_on or timezone.localtime(created_at).date()
            if ready > last:
                reason = WaitingReason.NOT_READY
            else:
                reason = _BLOCKED[int(verdict(city, size)[max(0, (ready - first).days)])]
        counts[reason][0] += 1
        counts[reason][1] += size
    return [WaitingCount(reason, h, p) for reason, (h, p) in counts.items() if h]


class MessageKind(models.TextChoices):
    """What publishing a run tells a household (the rule of services.publish_plan: a message goes to every
    household whose port or day differs from the published plan's)."""

    NEW = "new", gettext_lazy("First appointment")
    MOVED = "moved", gettext_lazy("Appointment moved because capacity fell")
    CHANGED = "changed", gettext_lazy("Appointment changed (new port or day)")
    UNCHANGED = "unchanged", gettext_lazy("Same appointment as now")
    WITHDRAWN = "withdrawn", gettext_lazy("Lose their appointment: back to waiting")
    WAITING = "waiting", gettext_lazy("Still waiting: not in this plan")


MESSAGE_TEXT = {
    MessageKind.NEW: gettext_lazy("Your appointment to enter: port, day and what to bring."),
    MessageKind.MOVED: gettext_lazy("Your appointment has changed: the new port, day and what to bring."),
    MessageKind.CHANGED: gettext_lazy("Your appointment to enter: the new port, day and what to bring."),
    MessageKind.UNCHANGED: gettext_lazy("No message (they already have this appointment)."),
    MessageKind.WITHDRAWN: gettext_lazy("No message is sent; their status goes back to registered."),
    MessageKind.WAITING: gettext_lazy("No message."),
}


@dataclass
class MessageGroup:
    kind: MessageKind
    households: int
    people: int
    languages: list[tuple[str, int]]  # (language name, households), for the groups that get a message

    @property
    def label(self) -> str:
        return str(self.kind.label)

    @property
    def message(self) -> str:
        return str(MESSAGE_TEXT[self.kind])

    @property
    def sends(self) -> bool:
        return self.kind in (MessageKind.NEW, MessageKind.MOVED, MessageKind.CHANGED)


@dataclass
class PublishPreview:
    run: PlanRun
    groups: list[MessageGroup]
    version: str
    can_publish: bool
    previous: PlanRun | None

    @property
    def messages(self) -> int:
        return sum(g.households for g in self.groups if g.sends)

    @property
    def message_people(self) -> int:
        return sum(g.people for g in self.groups if g.sends)


def publish_version(run: PlanRun, previous: PlanRun | None, appointments: int) -> str:
    """What the confirmation's numbers depend on: the run and its state, and the plan published now."""
    parts = [
        run.id,
        run.status,
        run.finished_at.isoformat() if run.finished_at else "",
        appointments,
        previous.id if previous else "",
        previous.published_at.isoformat() if previous and previous.published_at else "",
    ]
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:20]


def publish_preview(run: PlanRun) -> PublishPreview:
    """How many households (and people) publishing the run would tell what, by the same rule publishing
    applies: a message for each appointment whose port or day differs from the published plan's."""
    from refugio.people.vocabulary import HouseholdStatus

    previous = current_published()
    before: dict[Any, tuple[int, dt.date]] = {}
    if previous is not None and previous.pk != run.pk:
        before = {
            hid: (port, day) for hid, port, day in previous.appointments.values_list("household_id", "port_id", "date")
        }
    names = dict(settings.LANGUAGES)
    tally: dict[MessageKind, list[int]] = {kind: [0, 0] for kind in MessageKind}
    languages: dict[MessageKind, dict[str, int]] = {kind: defaultdict(int) for kind in MessageKind}
    rows = run.appointments.values_list(
        "household_id", "port_id", "date", "people", "moved", "household__preferred_language"
    )
    count = 0
    for household_id, port_id, day, people, moved, language in rows.iterator():
        count += 1
        if before.get(household_id) == (port_id, day):
            kind = MessageKind.UNCHANGED
        elif household_id not in before:
            kind = MessageKind.NEW
        elif moved:
            kind = MessageKind.MOVED
        else:
            kind = MessageKind.CHANGED
        tally[kind][0] += 1
        tally[kind][1] += people
        languages[kind][names.get(language or "es", language or "es")] += 1
    planned = run.appointments.values("household_id")
    for kind, statuses in (
        (MessageKind.WITHDRAWN, [HouseholdStatus.SCHEDULED]),
        (MessageKind.WAITING, [HouseholdStatus.REGISTERED, HouseholdStatus.UNDER_REVIEW]),
    ):
        found = Household.objects.filter(status__in=statuses).exclude(id__in=planned)
        people = Person.objects.filter(household__in=found, merged_into__isnull=True).count()
        tally[kind] = [found.count(), people]
    groups = [
        MessageGroup(kind, h, p, sorted(languages[kind].items(), key=lambda item: (-item[1], item[0])))
        for kind, (h, p) in tally.items()
    ]
    return PublishPreview(
        run=run,
        groups=groups,
        version=publish_version(run, previous, count),
        can_publish=run.status == PlanStatus.READY,
        previous=previous,
    )


def check_publish_version(run: PlanRun, version: str) -> PublishPreview:
    """The preview as it is now; VersionConflict if the confirmation was made of other numbers."""
    preview = publish_preview(run)
    if not hmac.compare_digest(preview.version, version or ""):
        raise VersionConflict
    return preview
