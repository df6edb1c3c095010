"""Reads for disparity monitoring: the waits of an organisation's households by group, a plan run's output by
group, the stored checks and alerts. Never read by triage or the planner (an import contract forbids it).

The unit compared is the household (families enter together): it counts in the group of its head of household
for nationality, sex and age, in the group of its preferred language, and, for race or ethnicity, in each
group that one of its members chose to state with consent not withdrawn (a household is counted once per
group). Merged-away households are left out.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from refugio.accounts.models import Organisation
from refugio.accounts.rules import Subject, Verb
from refugio.accounts.selectors import organisations_where
from refugio.casemanagement.selectors import HouseholdAttendance, household_attendance_counts
from refugio.core.errors import NotFound
from refugio.disparity import analysis
from refugio.disparity.models import DisparityAlert, DisparityCheck, SelfIdentification
from refugio.disparity.vocabulary import AgeBand, Dimension, RaceEthnicity, age_band
from refugio.legal.models import Representation, RepresentationStatus
from refugio.people.models import Household, Person
from refugio.people.selectors import visible_households
from refugio.people.vocabulary import HouseholdStatus, Sex, language_name, nationality_name
from refugio.planning.models import Appointment, PlanRun, PlanStatus
from refugio.triage.models import TriageOverride, TriageScore

User = AbstractBaseUser | AnonymousUser
WAITING_STATUSES = (HouseholdStatus.REGISTERED, HouseholdStatus.UNDER_REVIEW, HouseholdStatus.SCHEDULED)


def group_label(dimension: str, code: str) -> str:
    """A group in words (people read words, never codes)."""
    if dimension == Dimension.NATIONALITY:
        return nationality_name(code)
    if dimension == Dimension.LANGUAGE:
        return language_name(code)
    if dimension == Dimension.SEX:
        return str(Sex(code).label) if code in Sex.values else code
    if dimension == Dimension.AGE_BAND:
        return str(AgeBand(code).label) if code in AgeBand.values else code
    if dimension == Dimension.RACE_ETHNICITY:
        return str(RaceEthnicity(code).label) if code in RaceEthnicity.values else code
    return code


# Self-identification --------------------------------------------------------------------------------------


def self_identification_households(user: User, verb: Verb) -> QuerySet[Household]:
    """Households whose members' self-identification the user may read or record: visible, and owned by an
    organisation where the user holds the right (a household shared with another organisation is not theirs
    to ask about)."""
    owners = organisations_where(user, Subject.SELF_IDENTIFICATION, verb)
    return visible_households(user, for_write=verb != Verb.READ).filter(owner_id__in=owners, merged_into__isnull=True)


def visible_self_identifications(user: User, verb: Verb) -> QuerySet[SelfIdentification]:
    return SelfIdentification.objects.filter(
        person__household__in=self_identification_households(user, verb)
    ).select_related("person", "person__household")


def household_for_self_identification(user: User, household_id: uuid.UUID, verb: Verb = Verb.READ) -> Household:
    try:
        return self_identification_households(user, verb).get(pk=household_id)
    except Household.DoesNotExist as exc:
        raise NotFound from exc


def household_members(household: Household) -> QuerySet[Person]:
    return household.members.filter(merged_into__isnull=True).order_by("created_at")


def household_self_identifications(household: Household) -> QuerySet[SelfIdentification]:
    return SelfIdentification.objects.filter(person__household=household).select_related("person")


def live_categories(person_ids: Iterable[Any]) -> dict[Any, str]:
    """Each person's stated category where consent stands (decrypted here, only to be counted)."""
    return {
        s.person_id: s.category
        for s in SelfIdentification.objects.filter(person_id__in=list(person_ids), withdrawn_at__isnull=True)
        if s.category
    }


# The rows compared ------------------------------------------------------------------------------------------


def _head(household: Household) -> Person | None:
    members = [p for p in household.members.all() if p.merged_into_id is None]
    return next((p for p in members if p.relationship_to_head == "head"), members[0] if members else None)


def _households(queryset: QuerySet[Household]) -> list[Household]:
    return list(
        queryset.filter(merged_into__isnull=True).prefetch_related(
            Prefetch("members", queryset=Person.objects.order_by("created_at"))
        )
    )


def _grouped_rows(
    households: list[Household],
    entries: Mapping[Any, dt.date | None],
    censor_on: Mapping[Any, dt.date],
    year: int,
    tiers: Mapping[Any, int] | None = None,
    represented: set[Any] | frozenset[Any] = frozenset(),
    attendance: Mapping[Any, HouseholdAttendance] | None = None,
) -> dict[str, list[analysis.WaitRow]]:
    categories = live_categories(p.id for h in households for p in h.members.all())
    rows: dict[str, list[analysis.WaitRow]] = {d: [] for d in Dimension.values}
    for h in households:
        head = _head(h)
        registered = timezone.localtime(h.created_at).date()
        entered = entries.get(h.id)
        as_of = censor_on[h.id]
        counted = (attendance or {}).get(h.id) or HouseholdAttendance()

        def row(
            group: str,
            registered: dt.date = registered,
            entered: dt.date | None = entered,
            as_of: dt.date = as_of,
            tier: int | None = (tiers or {}).get(h.id),
            has_lawyer: bool = h.id in represented,
            counted: HouseholdAttendance = counted,
        ) -> analysis.WaitRow:
            return analysis.WaitRow(
                group=group,
                registered_on=registered,
                entered_on=entered,
                as_of=as_of,
                tier=tier,
                represented=has_lawyer,
                hearings_appeared=counted.hearings_appeared,
                hearings_not_appeared=counted.hearings_not_appeared,
                check_ins_attended=counted.check_ins_attended,
                check_ins_missed=counted.check_ins_missed,
            )

        rows[Dimension.NATIONALITY].append(row((head.nationality if head else "") or "XX"))
        rows[Dimension.LANGUAGE].append(row(h.preferred_language or "es"))
        rows[Dimension.SEX].append(row(head.sex if head else Sex.UNKNOWN))
        rows[Dimension.AGE_BAND].append(row(age_band(head.birth_year if head else None, year)))
        stated = {categories[p.id] for p in h.members.all() if p.id in categories}
        rows[Dimension.RACE_ETHNICITY].extend(row(c) for c in sorted(stated))
    return rows


def organisation_rows(organisation_id: int, as_of: dt.date) -> dict[str, list[analysis.WaitRow]]:
    """The organisation's own households: registered, and entered (status entered, or an appointment in a
    published plan) or still waiting on `as_of`. A household closed without entering is censored on the day it
    was closed. Each row also carries the household's hearings (appeared or not) and check-ins (attended or
    missed) up to `as_of`."""
    households = _households(Household.objects.filter(owner_id=organisation_id, created_at__date__lte=as_of))
    ids = [h.id for h in households]
    given: dict[Any, dt.date] = {}
    # The latest appointment of each household in a plan that was published (now or before).
    for household_id, date in (
        Appointment.objects.filter(household_id__in=ids, plan__status__in=(PlanStatus.PUBLISHED, PlanStatus.SUPERSEDED))
        .order_by("plan__published_at")
        .values_list("household_id", "date")
    ):
        given[household_id] = date
    entries: dict[Any, dt.date | None] = {}
    censor_on: dict[Any, dt.date] = {}
    for h in households:
        censor_on[h.id] = as_of
        if h.id in given:
            entries[h.id] = given[h.id]
        elif h.status == HouseholdStatus.ENTERED:
            entries[h.id] = timezone.localtime(h.updated_at).date()
        elif h.status == HouseholdStatus.CLOSED and h.closed_at is not None:
            censor_on[h.id] = min(as_of, timezone.localtime(h.closed_at).date())
    lawyers = set(
        Representation.objects.filter(
            household_id__in=ids, status__in=[RepresentationStatus.ACCEPTED, RepresentationStatus.ENDED]
        ).values_list("household_id", flat=True)
    )
    return _grouped_rows(
        households,
        entries,
        censor_on,
        as_of.year,
        household_tiers(ids),
        lawyers,
        household_attendance_counts(ids, until=as_of),
    )


def household_tiers(household_ids: list[Any]) -> dict[Any, int]:
    """Each household's priority tier now: a standing override, else its score."""
    tiers = dict(TriageScore.objects.filter(household_id__in=household_ids).values_list("household_id", "tier"))
    for household_id, tier in (
        TriageOverride.objects.filter(household_id__in=household_ids, ended_at__isnull=True)
        .order_by("created_at")
        .values_list("household_id", "tier")
    ):
        tiers[household_id] = tier
    return tiers


@dataclass(frozen=True)
class ShownGroup:
    """A compared group's figures, with its name in words."""

    dimension: str
    code: str
    label: str
    figures: Mapping[str, Any]  # analysis.as_dict

    @property
    def dimension_label(self) -> str:
        return str(Dimension(self.dimension).label)

    def __getattr__(self, name: str) -> Any:  # noqa: ANN401
        try:
            return self.figures[name]
        except KeyError as exc:
            raise AttributeError(name) from exc


@dataclass(frozen=True)
class TierRow:
    """A group's households per priority tier: (count, share of the group) per tier, None where suppressed."""

    label: str
    cells: tuple[tuple[int | None, float | None], ...]


@dataclass(frozen=True)
class RepresentationRow:
    label: str
    n: int
    represented: int | None  # None: suppressed (fewer than 5 either way)
    rate: Mapping[str, float] | None  # estimate, low, high; None: suppressed


@dataclass(frozen=True)
class AttendanceRow:
    """A group's court appearance and check-in rates (estimate, low, high), None where suppressed."""

    label: str
    n: int
    hearings: int | None  # hearings counted (appeared or not); None: suppressed (1 to 4)
    appearance_rate: Mapping[str, float] | None
    check_ins: int | None  # check-ins counted (attended or missed); None: suppressed (1 to 4)
    check_in_rate: Mapping[str, float] | None


@dataclass(frozen=True)
class Breakdown:
    dimension: str
    label: str
    groups: tuple[ShownGroup, ...]
    suppressed_groups: int
    reference: str | None
    tiers: tuple[TierRow, ...] = ()
    representation: tuple[RepresentationRow, ...] = ()
    attendance: tuple[AttendanceRow, ...] = ()  # empty for checks stored before these rates were kept

    @property
    def flagged(self) -> tuple[ShownGroup, ...]:
        return tuple(g for g in self.groups if g.figures["flagged"])

    @property
    def below(self) -> tuple[ShownGroup, ...]:
        return tuple(g for g in self.groups if g.figures["below_four_fifths"])


def compare_rows(rows: Mapping[str, list[analysis.WaitRow]]) -> dict[str, dict[str, Any]]:
    """Per breakdown, the comparison as JSON-ready aggregates (what a DisparityCheck stores)."""
    out: dict[str, dict[str, Any]] = {}
    for dimension in Dimension.values:
        comparison = analysis.compare(rows.get(dimension, []))
        out[dimension] = {
            "groups": [analysis.as_dict(g) for g in comparison.groups],
            "suppressed_groups": comparison.suppressed_groups,
            "reference": comparison.reference,
            "tiers": analysis.tier_breakdown(rows.get(dimension, [])),
            "representation": analysis.representation_breakdown(rows.get(dimension, [])),
            "attendance": analysis.attendance_breakdown(rows.get(dimension, [])),
        }
    return out


def breakdowns(results: Mapping[str, Mapping[str, Any]]) -> list[Breakdown]:
    """Stored or fresh results in words, in the order of the dimensions."""
    out = []
    for dimension in Dimension:
        result = results.get(dimension.value)
        if result is None:
            continue
        groups = tuple(
            ShownGroup(dimension.value, g["group"], group_label(dimension.value, g["group"]), g)
            for g in result["groups"]
        )
        reference = result.get("reference")
        tiers = tuple(
            TierRow(
                group_label(dimension.value, code),
                tuple(
                    (
                        counts.get(tier),
                        counts[tier] / counts["total"]
                        if counts.get(tier) is not None and counts.get("total")
                        else None,
                    )
                    for tier in analysis.TIERS
                ),
            )
            for code, counts in result.get("tiers", {}).items()
        )
        representation = tuple(
            RepresentationRow(group_label(dimension.value, code), int(r["n"]), r["represented"], r["rate"])
            for code, r in result.get("representation", {}).items()
        )
        attendance = tuple(
            AttendanceRow(
                group_label(dimension.value, code),
                int(a["n"]),
                a["appearance"]["events"],
                a["appearance"]["rate"],
                a["check_in"]["events"],
                a["check_in"]["rate"],
            )
            for code, a in result.get("attendance", {}).items()
        )
        out.append(
            Breakdown(
                dimension=dimension.value,
                label=str(dimension.label),
                groups=groups,
                suppressed_groups=int(result.get("suppressed_groups", 0)),
                reference=group_label(dimension.value, reference) if reference else None,
                tiers=tiers,
                representation=representation,
                attendance=attendance,
            )
        )
    return out


# A plan run ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanDisparity:
    breakdowns: list[Breakdown]

    @property
    def below(self) -> list[ShownGroup]:
        return [g for b in self.breakdowns for g in b.below]

    @property
    def flagged(self) -> list[ShownGroup]:
        return [g for b in self.breakdowns for g in b.flagged]

    @property
    def compared(self) -> bool:
        return any(len(b.groups) > 1 for b in self.breakdowns)


def plan_disparity(run: PlanRun) -> PlanDisparity:
    """The same test applied to what a plan run gives: among households waiting to enter (every organisation's,
    as the planner sees them), who gets an appointment in the run and who keeps waiting, by group. Waits are
    counted from registration to the appointment's day; those left waiting are censored at the run's last day."""
    last_day = run.summary.get("last_day") if isinstance(run.summary, dict) else None
    horizon_end = dt.date.fromisoformat(last_day) if last_day else timezone.localtime(run.created_at).date()
    appointed = dict(run.appointments.values_list("household_id", "date"))
    households = _households(Household.objects.filter(Q(status__in=WAITING_STATUSES) | Q(id__in=list(appointed))))
    entries: dict[Any, dt.date | None] = {h.id: appointed.get(h.id) for h in households}
    censor_on = {h.id: horizon_end for h in households}
    rows = _grouped_rows(households, entries, censor_on, horizon_end.year)
    return PlanDisparity(breakdowns=breakdowns(compare_rows(rows)))


# Checks and alerts ---------------------------------------------------------------------------------------


def monitored_organisations(user: User) -> list[Organisation]:
    """The organisations whose comparisons the user reads (analysts and admins)."""
    return list(Organisation.objects.filter(id__in=organisations_where(user, Subject.DISPARITY, Verb.READ)))


def organisation_for_dashboard(user: User, organisation_id: int | None) -> Organisation:
    organisations = monitored_organisations(user)
    if not organisations:
        raise NotFound
    if organisation_id is None:
        return organisations[0]
    for organisation in organisations:
        if organisation.id == organisation_id:
            return organisation
    raise NotFound


def latest_check(organisation_id: int) -> DisparityCheck | None:
    return DisparityCheck.objects.filter(organisation_id=organisation_id).first()


def latest_alerts(organisation_id: int, limit: int = 20) -> list[DisparityAlert]:
    """The organisation's latest alerts, one per flagged group of a check (not one per recipient)."""
    seen: set[tuple[int, str, str]] = set()
    out = []
    for alert in DisparityAlert.objects.filter(organisation_id=organisation_id).order_by("-created_at")[: limit * 10]:
        key = (alert.check_run_id, alert.dimension, alert.group)
        if key in seen:
            continue
        seen.add(key)
        out.append(alert)
        if len(out) == limit:
            break
    return out


def alerts_for(user: User) -> QuerySet[DisparityAlert]:
    """The alerts addressed to this user."""
    if not user.is_authenticated:
        return DisparityAlert.objects.none()
    return DisparityAlert.objects.filter(recipient_id=user.pk)
