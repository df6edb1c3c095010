"""Writes of placement: a local partner's weekly capacity, a household's family tie, the weekly allocation
run, overrides (re-solved with the overridden cases fixed) and publishing.

A run is stored only when the optimizer found a placement: an infeasible week raises `AllocationInfeasible`
(a ValidationFailed with a message in words, by the constraint that fails) and writes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from refugio.accounts.rules import Verb
from refugio.audit.models import Action
from refugio.audit.services import Actor, Touch, record
from refugio.core.errors import NotFound, PermissionDenied, ValidationFailed, VersionConflict
from refugio.people.models import Household
from refugio.people.selectors import visible_households
from refugio.people.vocabulary import LANGUAGES, Relationship
from refugio.placement import optimizer, scoring, selectors
from refugio.placement.models import (
    BASIC_NEEDS,
    LANGUAGE_PREFIX,
    AllocationRun,
    Assignment,
    Destination,
    FamilyTie,
    Outcome,
    RunStatus,
    WeeklyCapacity,
    need_label,
)

MAX_CAPACITY = 100_000


class AllocationInfeasible(ValidationFailed):
    """No allocation respects every constraint; `constraint` is the optimizer's name for the one that fails."""

    def __init__(self, constraint: str, message: str) -> None:
        self.constraint = constraint
        super().__init__({"__all__": message}, message)


def _user(actor: Actor) -> selectors.User:
    return actor.user if actor.user is not None else AnonymousUser()


def known_needs() -> list[str]:
    """Every need a partner can publish capacity for: the basic ones and interpreting in each language."""
    return [*BASIC_NEEDS, *(LANGUAGE_PREFIX + code for code in LANGUAGES if code != "en")]


def _check_week(week_start: dt.date) -> None:
    if week_start.weekday() != 0:
        raise ValidationFailed({"week_start": _("A week starts on a Monday.")})


def set_capacity(
    actor: Actor,
    *,
    destination_id: int,
    week_start: dt.date,
    people: int,
    need_cases: Mapping[str, int],
    version: int | None = None,
) -> WeeklyCapacity:
    """A local partner's staff publish what their destination can take in a week. Only the partner's own
    staff may (an allocator who reads it: PermissionDenied; anyone else: NotFound). Audited."""
    destination = selectors.destination_to_update(_user(actor), destination_id)
    _check_week(week_start)
    errors = {}
    if not 0 <= people <= MAX_CAPACITY:
        errors["people"] = _("Give a number of people between 0 and %(n)d.") % {"n": MAX_CAPACITY}
    allowed = set(known_needs())
    for need, cases in need_cases.items():
        if need not in allowed:
            errors[f"need_cases.{need}"] = _("Unknown need.")
        elif not 0 <= cases <= MAX_CAPACITY:
            errors[f"need_cases.{need}"] = _("Give a number of cases between 0 and %(n)d.") % {"n": MAX_CAPACITY}
    if errors:
        raise ValidationFailed(errors)
    cleaned = {need: int(cases) for need, cases in sorted(need_cases.items()) if cases}
    with transaction.atomic():
        row = WeeklyCapacity.objects.select_for_update().filter(destination=destination, week_start=week_start).first()
        if row is None:
            if version not in (None, 0):
                raise VersionConflict(_("Someone else changed this capacity: read it again."))
            row = WeeklyCapacity.objects.create(
                destination=destination,
                week_start=week_start,
                people=people,
                need_cases=cleaned,
                updated_by_id=actor.user_id,
            )
            changed = ["people", *(f"need:{n}" for n in cleaned)]
        else:
            if version is not None and version != row.version:
                raise VersionConflict(_("Someone else changed this capacity: read it again."))
            changed = ["people"] if row.people != people else []
            changed += [
                f"need:{n}"
                for n in sorted(set(cleaned) | set(row.need_cases))
                if cleaned.get(n, 0) != row.need_cases.get(n, 0)
            ]
            if not changed:
                return row
            row.people, row.need_cases, row.version = people, cleaned, row.version + 1
            row.updated_at, row.updated_by_id = timezone.now(), actor.user_id
            row.save()
        record(
            actor,
            action=Action.UPDATE,
            touches=[
                Touch("capacity", f"{destination.id}:{week_start.isoformat()}", destination.organisation_id, changed)
            ],
        )
    return row


def set_family_tie(actor: Actor, *, household_id: Any, destination_id: int | None, relation: str = "") -> None:  # noqa: ANN401
    """Record (or, with no destination, remove) a household's family tie: a relative lives at a destination."""
    try:
        household = visible_households(_user(actor), for_write=True).get(pk=household_id)
    except (Household.DoesNotExist, ValueError, TypeError, DjangoValidationError) as exc:  # not an id: not found
        raise NotFound from exc
    with transaction.atomic():
        if destination_id is None:
            FamilyTie.objects.filter(household=household).delete()
        else:
            if relation not in Relationship.values or relation == Relationship.HEAD:
                raise ValidationFailed({"relation": _("Choose how the relative is related to the household.")})
            destination = Destination.objects.filter(pk=destination_id).first()
            if destination is None:
                raise ValidationFailed({"destination_id": _("Choose a destination.")})
            FamilyTie.objects.update_or_create(
                household=household, defaults={"destination": destination, "relation": relation}
            )
        record(
            actor,
            action=Action.UPDATE,
            touches=[Touch("household", str(household.id), household.owner_id, ["family_tie"])],
        )


def infeasible_message(
    exc: optimizer.Infeasible, cases: Sequence[Mapping[str, Any]], destinations: Sequence[Mapping[str, Any]]
) -> str:
    """The optimizer's reason in words, in the reader's language, without naming a person."""
    kind, subject = exc.kind, exc.subject or ""
    if kind == "capacity":
        return _(
            "The local partners together have fewer places this week than people arriving: ask them to add "
            "capacity, or move some arrivals to another week."
        )
    if kind == "need":
        return _(
            "Too few places this week for cases that need %(need)s: the arriving cases need more than the local "
            "partners together can take."
        ) % {"need": need_label(subject)}
    if kind == "tie":
        return _(
            "A household's family tie is to a destination that cannot take it this week (no capacity published, "
            "too little room, or not for its needs). Add capacity there or review the tie."
        )
    if kind == "fixed":
        return _("The destination chosen by hand cannot take this household: too little room, or not for its needs.")
    if kind == "no allowed destination":
        case = next((c for c in cases if c["id"] == subject), None)
        offered = {n for d in destinations for n, count in d["need_capacity"].items() if count > 0}
        missing = [n for n in (case["needs"] if case else []) if n not in offered]
        if missing:
            return _("No local partner takes cases that need %(needs)s this week: a household arriving needs it.") % {
                "needs": ", ".join(need_label(n) for n in missing)
            }
        return _(
            "A household cannot go to any destination this week: none has room for its size and takes cases "
            "with its needs."
        )
    if kind == "time limit":
        return _("No allocation was found in the time allowed. Try again.")
    return _("Each rule can be met alone but not all together (capacity, needs and family ties). Add capacity.")


def _instance(
    organisation_id: int, week_start: dt.date
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, str]]:
    """The cases arriving that week and the destinations with capacity, as stored on the run (no names)."""
    arriving = selectors.arriving(organisation_id, week_start)
    if not arriving:
        raise ValidationFailed(
            {"week_start": _("None of your households is to arrive that week (the published entry plan).")}
        )
    ties = selectors.ties_of([a.household_id for a in arriving])
    cases, groups = [], {}
    for appointment in arriving:
        household = appointment.household
        size = sum(1 for p in household.members.all() if p.merged_into_id is None) or 1
        tie = ties.get(str(household.id))
        cases.append(
            {
                "id": str(household.id),
                "size": size,
                "tie": str(tie.destination_id) if tie else None,
                "needs": selectors.needs_of(household, week_start),
                "adults": selectors.working_age_adults(household, week_start),
                "english": selectors.speaks_english(household),
                "arrival": appointment.date.isoformat(),
            }
        )
        groups[str(household.id)] = selectors.nationality_of(household)
    rows = WeeklyCapacity.objects.filter(week_start=week_start).select_related("destination__organisation")
    destinations = [
        {
            "id": str(row.destination_id),
            "city": row.destination.city,
            "capacity": row.people,
            "need_capacity": dict(row.need_cases),
            "unemployment_rate": row.destination.unemployment_rate,
            "partner_caseload": row.destination.partner_caseload,
            "sector_demand": dict(row.destination.sector_demand),
        }
        for row in rows
        if row.people > 0
    ]
    if not destinations:
        raise ValidationFailed({"week_start": _("No local partner has published capacity for that week.")})
    return cases, destinations, groups


def _solve(
    cases: Sequence[Mapping[str, Any]],
    destinations: Sequence[Mapping[str, Any]],
    scores: Mapping[tuple[str, str], float],
    fixed: Mapping[str, str],
) -> optimizer.Placement:
    solver_cases = [optimizer.Case(c["id"], int(c["size"]), c["tie"], frozenset(c["needs"])) for c in cases]
    solver_destinations = [
        optimizer.Destination(d["id"], int(d["capacity"]), dict(d["need_capacity"])) for d in destinations
    ]
    try:
        return optimizer.place(solver_cases, solver_destinations, scores, time_limit_seconds=60, fixed=fixed)
    except optimizer.Infeasible as exc:
        raise AllocationInfeasible(exc.constraint, infeasible_message(exc, cases, destinations)) from exc


def _scores_of(run: AllocationRun) -> dict[tuple[str, str], float]:
    return {(c, d): float(s) for c, d, s in run.instance["scores"]}


def _assignment_fields(
    placement: optimizer.Placement, case: Mapping[str, Any], destinations: Mapping[str, Destination]
) -> dict[str, Any]:
    explanation = placement.explain(case["id"])
    next_best = explanation.next_best
    return {
        "destination": destinations[explanation.chosen.destination_id],
        "score": explanation.chosen.score,
        "next_best_destination": destinations[next_best.destination_id] if next_best else None,
        "next_best_score": next_best.score if next_best else None,
    }


def run_allocation(
    actor: Actor, *, organisation_id: int, week_start: dt.date, outcome: str = Outcome.EMPLOYED_90_DAYS
) -> AllocationRun:
    """The weekly allocation meeting's proposal: the organisation's households arriving that week placed
    with local partners, maximizing the expected `outcome` (the organisation's pick) within capacity, needs
    and family ties."""
    if outcome not in Outcome.values:
        raise ValidationFailed({"outcome": _("Choose the outcome the allocation maximizes.")})
    if organisation_id not in selectors.allocating_organisations(_user(actor), Verb.WRITE):
        if organisation_id in selectors.allocating_organisations(_user(actor)):
            raise PermissionDenied(_("Only an organisation's administrators run allocations."))
        raise NotFound
    _check_week(week_start)
    cases, destinations, groups = _instance(organisation_id, week_start)
    model = scoring.outcome_model(outcome)
    scores = scoring.predict(model, cases, destinations)
    placement = _solve(cases, destinations, scores, {})
    by_id = {str(d.id): d for d in Destination.objects.filter(id__in=[int(d["id"]) for d in destinations])}
    with transaction.atomic():
        run = AllocationRun.objects.create(
            organisation_id=organisation_id,
            week_start=week_start,
            outcome=outcome,
            objective=placement.objective,
            bound=placement.bound,
            gap=placement.gap,
            seconds=placement.seconds,
            instance={
                "cases": cases,
                "destinations": destinations,
                "scores": [[c, d, s] for (c, d), s in sorted(scores.items())],
            },
            model_summary=scoring.summary(model),
            fairness=scoring.fairness(placement.assignment, groups, scores),
            created_by_id=actor.user_id,
        )
        Assignment.objects.bulk_create(
            [
                Assignment(
                    run=run,
                    household_id=case["id"],
                    people=case["size"],
                    arrival_date=dt.date.fromisoformat(case["arrival"]),
                    needs=case["needs"],
                    tie_destination=by_id.get(case["tie"]) if case["tie"] else None,
                    **_assignment_fields(placement, case, by_id),
                )
                for case in cases
            ]
        )
        record(
            actor, action=Action.CREATE, touches=[Touch("allocation", str(run.id), organisation_id, ["assignments"])]
        )
    return run


def override_assignment(actor: Actor, *, assignment_id: int, destination_id: int, reason: str) -> AllocationRun:
    """Put one household at another destination, with a reason (audited), and re-solve the rest of the run
    with every overridden household fixed where a person put it. Nothing changes if that is infeasible."""
    try:
        assignment = Assignment.objects.select_related("run", "household").get(pk=assignment_id)
    except (Assignment.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound from exc
    run = assignment.run
    user = _user(actor)
    if (
        run.organisation_id not in selectors.allocating_organisations(user)
        or not visible_households(user).filter(pk=assignment.household_id).exists()
    ):
        raise NotFound
    if run.organisation_id not in selectors.allocating_organisations(user, Verb.OVERRIDE):
        raise PermissionDenied(_("Your role cannot change an allocation."))
    if run.status != RunStatus.READY:
        raise ValidationFailed({"status": _("Only an allocation not yet published can be changed.")})
    reason = reason.strip()
    if not reason:
        raise ValidationFailed({"reason": _("Say why the household goes elsewhere.")})
    destinations = {d["id"] for d in run.instance["destinations"]}
    if str(destination_id) not in destinations:
        raise ValidationFailed({"destination_id": _("Choose one of the destinations of this week.")})
    fixed = {
        str(a.household_id): str(a.destination_id)
        for a in run.assignments.exclude(overridden_at__isnull=True).exclude(pk=assignment.pk)
    }
    fixed[str(assignment.household_id)] = str(destination_id)
    cases = run.instance["cases"]
    scores = _scores_of(run)
    placement = _solve(cases, run.instance["destinations"], scores, fixed)
    by_id = {str(d.id): d for d in Destination.objects.filter(id__in=[int(d) for d in destinations])}
    groups = {
        str(h.id): selectors.nationality_of(h)
        for h in Household.objects.filter(id__in=[c["id"] for c in cases]).prefetch_related("members")
    }
    with transaction.atomic():
        current = {str(a.household_id): a for a in run.assignments.select_for_update()}
        moved = []
        for case in cases:
            row = current[case["id"]]
            fields = _assignment_fields(placement, case, by_id)
            if row.destination_id != fields["destination"].id:
                moved.append(row)
            for name, value in fields.items():
                setattr(row, name, value)
            if row.pk == assignment.pk:
                row.override_reason, row.overridden_by_id, row.overridden_at = reason, actor.user_id, timezone.now()
            row.save()
        AllocationRun.objects.filter(pk=run.pk).update(
            objective=placement.objective,
            bound=placement.bound,
            gap=placement.gap,
            seconds=placement.seconds,
            fairness=scoring.fairness(placement.assignment, groups, scores),
            version=run.version + 1,
        )
        touches = [Touch("allocation", str(run.id), run.organisation_id, ["assignments"])]
        touches.append(
            Touch("household", str(assignment.household_id), run.organisation_id, ["placement", "override_reason"])
        )
        touches += [
            Touch("household", str(row.household_id), run.organisation_id, ["placement"])
            for row in moved
            if row.pk != assignment.pk
        ]
        record(actor, action=Action.UPDATE, touches=touches)
    run.refresh_from_db()
    return run


def _notify(actor: Actor, assignments: Sequence[Assignment]) -> int:
    """Tell each household where it goes, in its language, through messaging (when that app is there)."""
    try:
        from refugio.messaging.services import queue_notice
    except ImportError:
        return 0
    sent = 0
    for assignment in assignments:
        queue_notice(
            actor,
            household=assignment.household,
            template="placement_published",
            params={"date": assignment.arrival_date.isoformat(), "place": assignment.destination.city},
        )
        sent += 1
    return sent


def publish_allocation(actor: Actor, *, run_id: int) -> int:
    """Make a reviewed allocation final: the local partners see the cases allocated to them and each
    household is told where it goes. An earlier published run of the same week is superseded. Returns how
    many households were notified."""
    run = selectors.run_for(_user(actor), run_id)
    if run.organisation_id not in selectors.allocating_organisations(_user(actor), Verb.WRITE):
        raise PermissionDenied(_("Only an organisation's administrators publish allocations."))
    if run.status != RunStatus.READY:
        raise ValidationFailed({"status": _("Only an allocation ready for review can be published.")})
    with transaction.atomic():
        AllocationRun.objects.filter(
            organisation_id=run.organisation_id, week_start=run.week_start, status=RunStatus.PUBLISHED
        ).update(status=RunStatus.SUPERSEDED)
        AllocationRun.objects.filter(pk=run.pk).update(
            status=RunStatus.PUBLISHED,
            published_at=timezone.now(),
            published_by_id=actor.user_id,
            version=run.version + 1,
        )
        assignments = list(run.assignments.select_related("household", "destination"))
        record(actor, action=Action.UPDATE, touches=[Touch("allocation", str(run.id), run.organisation_id, ["status"])])
        notified = _notify(actor, assignments)
    return notified
