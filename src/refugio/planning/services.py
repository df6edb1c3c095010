"""Capacity edits (each starts a replan), plan runs, and publishing: appointments, statuses, messages."""

from __future__ import annotations

import datetime as dt
import time
import traceback
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from refugio.accounts.selectors import is_coordinator
from refugio.audit.models import Action
from refugio.audit.services import Actor, Touch, record
from refugio.core.errors import ValidationFailed, VersionConflict
from refugio.messaging.services import queue_notice
from refugio.people.models import Household
from refugio.people.services import PermissionDenied
from refugio.people.validation import name_key
from refugio.people.vocabulary import HouseholdStatus
from refugio.planning import planner
from refugio.planning.models import (
    Appointment,
    PlanRun,
    PlanStatus,
    PortDay,
    PortOfEntry,
    ScreeningDay,
    ShelterBedsDay,
)
from refugio.triage.selectors import effective_priorities
from refugio.triage.services import score_households, with_facts

PLANNED_STATUSES = (HouseholdStatus.REGISTERED, HouseholdStatus.UNDER_REVIEW, HouseholdStatus.SCHEDULED)
MAX_RANGE_DAYS = 400


def _require_coordinator(actor: Actor) -> None:
    if not is_coordinator(actor.user):
        raise PermissionDenied(_("Only coordinators can change capacity and plans."))


def _dates(start: dt.date, end: dt.date, skip_weekdays: set[int] | None = None) -> list[dt.date]:
    if end < start:
        raise ValidationFailed({"end": _("The last day is before the first.")})
    if (end - start).days >= MAX_RANGE_DAYS:
        raise ValidationFailed({"end": _("At most %(n)d days at a time.") % {"n": MAX_RANGE_DAYS}})
    days = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
    return [d for d in days if d.weekday() not in (skip_weekdays or set())]


def set_port_capacity(
    actor: Actor, *, port: PortOfEntry, start: dt.date, end: dt.date, capacity: int, closed_weekdays: set[int]
) -> PlanRun:
    """People a day at a port over a range of days (closed weekdays get 0), then a replan."""
    _require_coordinator(actor)
    if capacity < 0:
        raise ValidationFailed({"capacity": _("Capacity cannot be negative.")})
    with transaction.atomic():
        for date in _dates(start, end):
            closed = date.weekday() in closed_weekdays
            PortDay.objects.update_or_create(
                port=port, date=date, defaults={"capacity": 0 if closed else capacity, "closed": closed}
            )
        record(actor, action=Action.UPDATE, touches=[Touch("port_capacity", port.code, None, ["capacity"])])
        return start_plan(actor, trigger=_("Capacity of %(port)s changed") % {"port": port.name})


def set_screening(actor: Actor, *, city: str, start: dt.date, end: dt.date, capacity: int) -> PlanRun:
    _require_coordinator(actor)
    if not city.strip() or capacity < 0:
        raise ValidationFailed({"city": _("Give the city and a capacity of 0 or more.")})
    with transaction.atomic():
        for date in _dates(start, end):
            ScreeningDay.objects.update_or_create(city=city.strip(), date=date, defaults={"capacity": capacity})
        record(actor, action=Action.UPDATE, touches=[Touch("screening_capacity", city.strip(), None, ["capacity"])])
        return start_plan(actor, trigger=_("Health screening in %(city)s changed") % {"city": city.strip()})


def set_beds(actor: Actor, *, destination: str, start: dt.date, end: dt.date, beds: int) -> PlanRun:
    _require_coordinator(actor)
    if not destination.strip() or beds < 0:
        raise ValidationFailed({"destination": _("Give the destination and a number of beds of 0 or more.")})
    with transaction.atomic():
        for date in _dates(start, end):
            ShelterBedsDay.objects.update_or_create(destination=destination.strip(), date=date, defaults={"beds": beds})
        record(actor, action=Action.UPDATE, touches=[Touch("shelter_beds", destination.strip(), None, ["beds"])])
        return start_plan(actor, trigger=_("Shelter beds in %(place)s changed") % {"place": destination.strip()})


def start_plan(actor: Actor, *, fifo_share: float = 0.25, trigger: str = "") -> PlanRun:
    """Queue a plan run; a background task computes it, and a coordinator reviews and publishes it."""
    _require_coordinator(actor)
    if not 0 <= fifo_share <= 1:
        raise ValidationFailed({"fifo_share": _("The registration-order share is between 0 and 1.")})
    from refugio.planning.tasks import compute_plan_task

    run = PlanRun.objects.create(fifo_share=fifo_share, trigger=trigger[:200], created_by_id=actor.user_id)
    transaction.on_commit(lambda: compute_plan_task.enqueue(run.id))
    return run


def current_published() -> PlanRun | None:
    return PlanRun.objects.filter(status=PlanStatus.PUBLISHED).order_by("-published_at").first()


def planner_input(today: dt.date) -> tuple[list[planner.Household], planner.Capacity, dict[str, Any]]:
    """Every household waiting to enter, whichever organisation holds it (capacity is shared), as the
    planner sees it: size, dates, allowed ports from its city, priority; no names."""
    ports = list(PortOfEntry.objects.all())
    city_ports: dict[str, list[str]] = {}
    for port in ports:
        for city in port.departure_cities:
            city_ports.setdefault(name_key(city), []).append(port.code)
    candidates = list(with_facts(Household.objects.filter(status__in=PLANNED_STATUSES)))
    score_households(candidates, today)
    priorities = effective_priorities([h.id for h in candidates])
    given: dict[Any, Appointment] = {}
    published = current_published()
    if published:
        given = {a.household_id: a for a in published.appointments.filter(date__gt=today).select_related("port")}
    households, tiers, no_port = [], {}, 0
    for h in candidates:
        allowed = tuple(sorted(city_ports.get(name_key(h.current_city), ())))
        if not allowed:
            no_port += 1
            continue
        registered = timezone.localtime(h.created_at).date()
        size = sum(1 for p in h.members.all() if p.merged_into_id is None) or 1
        tier, priority = priorities.get(h.id, (9, 1.0))
        kept = given.get(h.id)
        households.append(
            planner.Household(
                id=str(h.id),
                size=size,
                registered_on=registered,
                ready_on=h.ready_on or registered,
                allowed_ports=allowed,
                priority=max(1.0, priority),
                fixed_port=kept.port.code if kept else None,
                fixed_date=kept.date if kept else None,
                city=name_key(h.current_city),
            )
        )
        tiers[str(h.id)] = tier
    capacity = planner.Capacity(
        ports={
            (d.port.code, d.date): 0 if d.closed else d.capacity
            for d in PortDay.objects.filter(date__gt=today).select_related("port")
        },
        screening={(name_key(s.city), s.date): s.capacity for s in ScreeningDay.objects.filter(date__gt=today)},
        beds={(b.destination, b.date): b.beds for b in ShelterBedsDay.objects.filter(date__gt=today)},
        destination_of_port={p.code: p.destination for p in ports},
    )
    return households, capacity, {"tiers": tiers, "no_port": no_port}


def _progress(run: PlanRun, percent: int) -> None:
    PlanRun.objects.filter(pk=run.pk).update(progress=percent)


def compute_plan(plan_id: int, today: dt.date | None = None) -> PlanRun:
    """The background task's work: read, score, plan, store appointments. Failures are recorded on the run."""
    run = PlanRun.objects.get(pk=plan_id)
    if run.status != PlanStatus.QUEUED:
        return run
    today = today or timezone.localdate()
    PlanRun.objects.filter(pk=run.pk).update(status=PlanStatus.RUNNING, progress=5)
    started = time.perf_counter()
    try:
        households, capacity, meta = planner_input(today)
        _progress(run, 40)
        if not capacity.ports:
            raise ValueError(_("No port has capacity after today: add capacity first."))
        result = planner.plan(households, capacity, fifo_share=run.fifo_share)
        _progress(run, 80)
        by_id = {h.id: h for h in households}
        codes = {p.code: p for p in PortOfEntry.objects.all()}
        moved = set(result.moved)
        with transaction.atomic():
            Appointment.objects.bulk_create(
                [
                    Appointment(
                        plan=run,
                        household_id=household_id,
                        port=codes[placement.port],
                        date=placement.date,
                        lane=placement.lane,
                        people=by_id[household_id].size,
                        tier=meta["tiers"][household_id],
                        priority=by_id[household_id].priority,
                        moved=household_id in moved,
                    )
                    for household_id, placement in result.placements.items()
                ],
                batch_size=2000,
            )
            summary = result.summary()
            summary.update(
                {
                    "no_port": meta["no_port"],
                    "first_day": result.first_day.isoformat() if result.first_day else None,
                    "last_day": result.last_day.isoformat() if result.last_day else None,
                    "total_seconds": round(time.perf_counter() - started, 3),
                }
            )
            PlanRun.objects.filter(pk=run.pk).update(
                status=PlanStatus.READY, progress=100, summary=summary, finished_at=timezone.now()
            )
    except Exception as exc:  # noqa: BLE001 - the run records why it failed; the coordinator sees it
        PlanRun.objects.filter(pk=run.pk).update(
            status=PlanStatus.FAILED, error=f"{exc}\n{traceback.format_exc(limit=3)}"[:4000], finished_at=timezone.now()
        )
    run.refresh_from_db()
    return run


def publish_plan(actor: Actor, *, run: PlanRun, expected_version: str | None = None) -> int:
    """Make a reviewed plan the one people are told about. Returns how many messages were queued (new or
    changed appointments only; an unchanged appointment is not announced again).

    `expected_version` is the version of the confirmation the coordinator saw (selectors.publish_preview):
    checked inside the transaction, with the plan locked, so a plan changed between the check and the
    publication cannot be published on a stale confirmation (VersionConflict, nothing written)."""
    _require_coordinator(actor)
    if run.status != PlanStatus.READY:
        raise ValidationFailed({"status": _("Only a plan ready for review can be published.")})
    with transaction.atomic():
        run = PlanRun.objects.select_for_update().get(pk=run.pk)
        if run.status != PlanStatus.READY:  # published or superseded by a concurrent request meanwhile
            raise VersionConflict
        if expected_version is not None:
            # selectors imports this module (current_published): imported here, not at the top.
            from refugio.planning.selectors import check_publish_version

            check_publish_version(run, expected_version)
        previous = current_published()
        before = {}
        if previous:
            before = {a.household_id: (a.port_id, a.date) for a in previous.appointments.all()}
            PlanRun.objects.filter(pk=previous.pk).update(status=PlanStatus.SUPERSEDED)
        appointments = list(run.appointments.select_related("port", "household"))
        scheduled_ids = {a.household_id for a in appointments}
        queued = 0
        touches = []
        for appointment in appointments:
            household = appointment.household
            if before.get(household.id) != (appointment.port_id, appointment.date):
                # Through the outbox (refugio.messaging): sent once, in the household's language, on its channel;
                # the catalogue's text carries the date, the port and the code, never a case detail.
                queue_notice(
                    actor,
                    household=household,
                    template="entry_moved" if appointment.moved else "entry_date",
                    params={"date": appointment.date.isoformat(), "place": appointment.port.name},
                    source=f"plan:{run.id}",
                )
                queued += 1
            if household.status != HouseholdStatus.SCHEDULED:
                touches.append(Touch("household", str(household.id), household.owner_id, ["status"]))
        Household.objects.filter(id__in=scheduled_ids).exclude(status=HouseholdStatus.SCHEDULED).update(
            status=HouseholdStatus.SCHEDULED, updated_at=timezone.now()
        )
        unscheduled = Household.objects.filter(status=HouseholdStatus.SCHEDULED).exclude(id__in=scheduled_ids)
        touches += [Touch("household", str(h.id), h.owner_id, ["status"]) for h in unscheduled]
        unscheduled.update(status=HouseholdStatus.REGISTERED, updated_at=timezone.now())
        PlanRun.objects.filter(pk=run.pk).update(
            status=PlanStatus.PUBLISHED, published_at=timezone.now(), published_by_id=actor.user_id
        )
        record(actor, action=Action.UPDATE, touches=[Touch("plan", str(run.id), None, ["status"]), *touches])
    return queued
