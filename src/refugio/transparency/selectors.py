"""Reads for the public statistics: plain rows for the measures (no names, no identifiers: only dates, a
status, a tier, a port code, whether represented), and the latest release as published."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from refugio.accounts.models import Organisation
from refugio.accounts.rules import Subject, Verb
from refugio.accounts.selectors import organisations_where
from refugio.casemanagement.models import CasePlan, HearingAttendance, HearingOutcome
from refugio.casemanagement.selectors import appearance_and_check_in_rates
from refugio.core.errors import NotFound
from refugio.escalations.models import AgencyOffice, Escalation
from refugio.legal.models import Representation, RepresentationStatus
from refugio.people.models import Household, Person
from refugio.people.vocabulary import HouseholdStatus
from refugio.planning.models import Appointment, PlanRun, PlanStatus, PortOfEntry
from refugio.transparency.disclosure_control import Cell
from refugio.transparency.measures import EscalationRow, HouseholdRow, Period, ReceptionCounts, memory_key
from refugio.transparency.microdata import SourceRow
from refugio.transparency.models import Release
from refugio.triage.models import TriageOverride, TriageScore


def port_codes() -> list[str]:
    return list(PortOfEntry.objects.order_by("code").values_list("code", flat=True))


def port_names() -> dict[str, str]:
    return dict(PortOfEntry.objects.values_list("code", "name"))


def office_names() -> list[str]:
    return list(AgencyOffice.objects.order_by("name").values_list("name", flat=True))


def _appointments() -> dict[Any, tuple[str, Any]]:
    """Household id → (port code, date) from the newest plan that was published (superseded ones included:
    an appointment kept from an older plan is still where the household went)."""
    plans = PlanRun.objects.filter(status__in=[PlanStatus.PUBLISHED, PlanStatus.SUPERSEDED]).order_by("created_at")
    found: dict[Any, tuple[str, Any]] = {}
    for household_id, code, day in (
        Appointment.objects.filter(plan__in=plans)
        .order_by("plan__created_at")
        .values_list("household_id", "port__code", "date")
    ):
        found[household_id] = (code, day)  # newer plans overwrite older ones
    return found


def _tiers() -> dict[Any, int]:
    tiers = dict(TriageScore.objects.values_list("household_id", "tier"))
    for household_id, tier in (
        TriageOverride.objects.filter(ended_at__isnull=True).order_by("created_at").values_list("household_id", "tier")
    ):
        tiers[household_id] = tier
    return tiers


def household_rows() -> list[HouseholdRow]:
    """Every household that is not a merged duplicate, as a plain row for the measures."""
    appointments = _appointments()
    tiers = _tiers()
    represented = set(
        Representation.objects.filter(
            Q(status=RepresentationStatus.ACCEPTED) | Q(status=RepresentationStatus.ENDED)
        ).values_list("household_id", flat=True)
    )
    zone = timezone.get_current_timezone()
    rows = []
    for pk, status, created_at, updated_at, closed_at in Household.objects.filter(merged_into__isnull=True).values_list(
        "id", "status", "created_at", "updated_at", "closed_at"
    ):
        port, day = appointments.get(pk, (None, None))
        entered_on = None
        if status == HouseholdStatus.ENTERED:
            entered_on = day or updated_at.astimezone(zone).date()
        rows.append(
            HouseholdRow(
                registered_on=created_at.astimezone(zone).date(),
                status=status,
                tier=tiers.get(pk),
                port=port,
                entered_on=entered_on,
                closed_on=closed_at.astimezone(zone).date() if closed_at else None,
                represented=pk in represented,
            )
        )
    return rows


def escalation_rows() -> list[EscalationRow]:
    return [
        EscalationRow(office, created, acknowledged, resolved)
        for office, created, acknowledged, resolved in Escalation.objects.values_list(
            "office__name", "created_at", "acknowledged_at", "resolved_at"
        )
    ]


def reception_counts(period: Period) -> ReceptionCounts:
    """Check-ins due and hearing outcomes in the period, across all organisations (counts only).

    Check-ins come from casemanagement's per-organisation counts: each check-in belongs to one organisation's
    plan, so the sum counts each once. Hearings are counted here once each: the per-organisation counts give a
    hearing to both the organisation owning the household and one keeping a plan for it, so summing them would
    count such a hearing twice."""
    organisation_ids = set(Organisation.objects.values_list("id", flat=True))
    per_organisation = appearance_and_check_in_rates(organisation_ids, period.start, period.end).values()
    in_plan = CasePlan.objects.filter(organisation_id__in=organisation_ids).values("household_id")
    outcomes = dict(
        HearingAttendance.objects.filter(hearing__date__gte=period.start, hearing__date__lte=period.end)
        .filter(Q(hearing__household__owner_id__in=organisation_ids) | Q(hearing__household_id__in=in_plan))
        .values_list("outcome")
        .annotate(n=Count("id"))
        .order_by()
    )
    return ReceptionCounts(
        check_ins_attended=sum(r.check_ins_attended for r in per_organisation),
        check_ins_missed=sum(r.check_ins_missed for r in per_organisation),
        hearings_appeared=outcomes.get(HearingOutcome.APPEARED, 0),
        hearings_not_appeared=outcomes.get(HearingOutcome.DID_NOT_APPEAR, 0),
    )


def latest_release() -> Release | None:
    return Release.objects.order_by("-computed_at", "-id").first()


def previous_cells() -> dict[tuple[str, str, str], Cell]:
    """(table, row, column) → the cell as last published, with its basis, from the newest release holding it."""
    found: dict[tuple[str, str, str], Cell] = {}
    for release in Release.objects.order_by("-computed_at", "-id").iterator():
        for name, table in release.tables.items():
            basis = release.basis.get(name, {})
            for row, column, value, status in table["cells"]:
                key = memory_key(name, row, column, release.period_label)
                if key not in found:
                    found[key] = Cell(value, status, tuple(basis.get(f"{row}\t{column}", ())))
    return found


def public_release(release: Release) -> dict[str, Any]:
    """What the page, the exports and the API show: the release without its basis."""
    return {
        "id": release.pk,
        "period": release.period_label,
        "period_start": release.period_start.isoformat(),
        "period_end": release.period_end.isoformat(),
        "computed_at": release.computed_at.isoformat(),
        "k": release.k,
        "method": release.method,
        "tables": release.tables,
    }


# Microdata for partners -------------------------------------------------------------------------------------


def microdata_organisations(user: Any) -> list[Organisation]:  # noqa: ANN401 - a user or an anonymous one
    """The organisations whose microdata the user may export (their admins)."""
    return list(
        Organisation.objects.filter(id__in=organisations_where(user, Subject.DISPARITY, Verb.EXPORT)).order_by("name")
    )


def microdata_organisation(user: Any, organisation_id: int) -> Organisation:  # noqa: ANN401
    for organisation in microdata_organisations(user):
        if organisation.id == organisation_id:
            return organisation
    raise NotFound


def microdata_rows(organisation_id: int, as_of: Any) -> list[SourceRow]:  # noqa: ANN401 - a date
    """The organisation's own households registered by `as_of`, one plain row each: the head of household's
    nationality, sex and birth year, the port, tier, whether entered and represented, and the days waited. No
    name, code, id, date of birth or free text leaves this function."""
    appointments = _appointments()
    tiers = _tiers()
    represented = set(
        Representation.objects.filter(
            status__in=[RepresentationStatus.ACCEPTED, RepresentationStatus.ENDED], household__owner_id=organisation_id
        ).values_list("household_id", flat=True)
    )
    households = list(
        Household.objects.filter(
            owner_id=organisation_id, merged_into__isnull=True, created_at__date__lte=as_of
        ).values_list("id", "status", "created_at", "updated_at", "closed_at")
    )
    heads: dict[Any, tuple[str, str, int | None]] = {}
    has_head: set[Any] = set()
    for household_id, relationship, nationality, sex, birth_year in (
        Person.objects.filter(household_id__in=[h[0] for h in households], merged_into__isnull=True)
        .order_by("created_at")
        .values_list("household_id", "relationship_to_head", "nationality", "sex", "birth_year")
    ):
        if household_id in has_head:
            continue
        if relationship == "head" or household_id not in heads:  # the head, else the first member
            heads[household_id] = (nationality or "", sex or "", birth_year)
            if relationship == "head":
                has_head.add(household_id)
    zone = timezone.get_current_timezone()
    rows = []
    for pk, status, created_at, updated_at, closed_at in households:
        registered = created_at.astimezone(zone).date()
        port, day = appointments.get(pk, (None, None))
        entered_on = (day or updated_at.astimezone(zone).date()) if status == HouseholdStatus.ENTERED else None
        end = entered_on or (min(closed_at.astimezone(zone).date(), as_of) if closed_at else as_of)
        nationality, sex, birth_year = heads.get(pk, ("", "", None))
        rows.append(
            SourceRow(
                registered_on=registered,
                nationality=nationality,
                sex=sex,
                birth_year=birth_year,
                port=port,
                tier=tiers.get(pk),
                entered=entered_on is not None,
                waiting_days=max((end - registered).days, 0),
                represented=pk in represented,
            )
        )
    return rows
