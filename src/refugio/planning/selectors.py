"""Reads of the entry plan. Agency liaisons see manifests only for their agency's ports, and only the
fields needed at the port; caseworkers see appointments only of households they may see."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from refugio.accounts.rules import Subject, Verb, roles_for
from refugio.accounts.selectors import is_coordinator, organisation_ids_for, organisations_where
from refugio.core.errors import NotFound
from refugio.people.models import Household
from refugio.people.validation import name_key
from refugio.planning.models import Appointment, Lane, PlanRun, PortOfEntry
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
    """The published port-days of the liaison's ports; 404 for anyone who is no port's liaison."""
    ports = liaison_ports(user)
    if not ports:
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
    from refugio.planning.models import PortDay

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
