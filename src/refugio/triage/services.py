"""Scoring households with their organisation's policy, saving new policy versions, and audited overrides."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import asdict
from typing import Any

from django.db import transaction
from django.db.models import Max, Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from refugio.accounts.rules import Subject, Verb, roles_for
from refugio.accounts.selectors import organisation_ids_for
from refugio.audit.models import Action
from refugio.audit.services import Actor, Touch, record
from refugio.core.errors import ValidationFailed
from refugio.people.models import Household, Person, PersonVulnerability
from refugio.people.services import PermissionDenied
from refugio.triage.models import PolicyVersion, TriageOverride, TriageScore
from refugio.triage.policy import (
    HouseholdFacts,
    PersonFacts,
    Policy,
    PolicyError,
    Score,
    age_on,
    default_policy,
    parse_policy,
    score,
)

POLICY_ROLES = roles_for(Subject.POLICY, Verb.WRITE)
OVERRIDE_ROLES = roles_for(Subject.TRIAGE, Verb.OVERRIDE)


def current_policy(organisation_id: int) -> tuple[PolicyVersion | None, Policy]:
    version = PolicyVersion.objects.filter(organisation_id=organisation_id).first()
    return (version, parse_policy(version.text)) if version else (None, default_policy())


def household_facts(household: Household, today: dt.date) -> HouseholdFacts:
    people = tuple(
        PersonFacts(
            age_on(p.birth_year, p.birth_month, p.birth_day, today),
            frozenset(v.code for v in p.vulnerability_rows.all() if v.confirmed_at is not None),
            frozenset(v.code for v in p.vulnerability_rows.all() if v.confirmed_at is None),
        )
        for p in household.members.all()
        if p.merged_into_id is None
    )
    return HouseholdFacts(people, timezone.localtime(household.created_at).date())


def with_facts(households: Any) -> Any:  # noqa: ANN401
    """A household queryset with what scoring reads, in two queries."""
    return households.prefetch_related(
        Prefetch("members", queryset=Person.objects.prefetch_related("vulnerability_rows"))
    )


def score_households(households: Iterable[Household], today: dt.date | None = None) -> dict[Any, Score]:
    """Score and store each household with its organisation's current policy."""
    today = today or timezone.localdate()
    return _score_and_store([(h.id, h.owner_id, household_facts(h, today)) for h in households], today)


def _score_and_store(facts: list[tuple[Any, int, HouseholdFacts]], today: dt.date) -> dict[Any, Score]:
    policies: dict[int, tuple[PolicyVersion | None, Policy]] = {}
    scores: dict[Any, Score] = {}
    rows = []
    for household_id, owner_id, household_facts_ in facts:
        if owner_id not in policies:
            policies[owner_id] = current_policy(owner_id)
        version, policy = policies[owner_id]
        result = score(policy, household_facts_, today)
        scores[household_id] = result
        rows.append(
            TriageScore(
                household_id=household_id,
                policy=version,
                tier=result.tier,
                priority=result.priority,
                reasons=[asdict(r) for r in result.reasons],
                computed_at=timezone.now(),
            )
        )
    if rows:
        TriageScore.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["household"],
            update_fields=["policy", "tier", "priority", "reasons", "computed_at"],
        )
    return scores


def _facts_of(household_ids: list[Any], today: dt.date) -> list[tuple[Any, int, HouseholdFacts]]:
    """What scoring reads of these households (as household_facts does), from three queries of plain rows: a
    surge's batch builds no model instances, decrypts nothing and runs no prefetch machinery."""
    vulnerabilities: dict[Any, list[tuple[str, bool]]] = {}
    for person_id, code, confirmed_at in PersonVulnerability.objects.filter(
        person__household_id__in=household_ids
    ).values_list("person_id", "code", "confirmed_at"):
        vulnerabilities.setdefault(person_id, []).append((code, confirmed_at is not None))
    people: dict[Any, list[PersonFacts]] = {}
    members = Person.objects.filter(household_id__in=household_ids, merged_into__isnull=True)
    for person_id, household_id, year, month, day in members.values_list(
        "id", "household_id", "birth_year", "birth_month", "birth_day"
    ):
        rows = vulnerabilities.get(person_id, [])
        people.setdefault(household_id, []).append(
            PersonFacts(
                age_on(year, month, day, today),
                frozenset(code for code, confirmed in rows if confirmed),
                frozenset(code for code, confirmed in rows if not confirmed),
            )
        )
    households = Household.objects.filter(pk__in=household_ids).values_list("id", "owner_id", "created_at")
    return [
        (household_id, owner_id, HouseholdFacts(tuple(people.get(household_id, ())), timezone.localtime(at).date()))
        for household_id, owner_id, at in households
    ]


def rescore_household(household_id: Any) -> None:  # noqa: ANN401
    """Score one household again, in the caller's transaction (the write that changed what it reads)."""
    today = timezone.localdate()
    _score_and_store(_facts_of([household_id], today), today)


def on_household_changed(sender: Any, household_id: Any, **kwargs: Any) -> None:  # noqa: ANN401
    """Receiver of refugio.people.signals.household_changed (connected in TriageConfig.ready)."""
    rescore_household(household_id)


def score_all(organisation_id: int | None = None, *, only_unscored: bool = False, batch_size: int = 500) -> int:
    """Score every household (of one organisation), in batches; for data from before scoring moved to the
    writes, and after a change to how scoring works. Returns how many were scored."""
    households = Household.objects.order_by("pk")
    if organisation_id is not None:
        households = households.filter(owner_id=organisation_id)
    if only_unscored:
        households = households.filter(triage__isnull=True)
    ids = list(households.values_list("pk", flat=True))
    today = timezone.localdate()
    for start in range(0, len(ids), batch_size):
        with transaction.atomic():
            _score_and_store(_facts_of(ids[start : start + batch_size], today), today)
    return len(ids)


def score_unscored(*, batch_size: int = 500) -> int:
    """Score the households that have no score yet (registered on the surge path), newest first, a batch
    per transaction; how many were scored. Idempotent: a household scored meanwhile is simply rescored. Only
    households stored before the run started: under a surge a run ends (households stored meanwhile booked the
    next one)."""
    scored = 0
    started = timezone.now()
    while True:
        with transaction.atomic():
            batch = list(
                Household.objects.filter(triage__isnull=True, created_at__lte=started)
                .order_by("-created_at")
                .values_list("pk", flat=True)[:batch_size]
            )
            if not batch:
                return scored
            today = timezone.localdate()
            _score_and_store(_facts_of(batch, today), today)
        scored += len(batch)


def save_policy(actor: Actor, *, organisation_id: int, text: str, note: str = "") -> PolicyVersion:
    """Keep a new version, re-score the organisation's households and record who moved and why."""
    if organisation_id not in organisation_ids_for(actor.user, POLICY_ROLES):
        raise PermissionDenied(_("Only the organisation's administrators can change its triage policy."))
    try:
        parse_policy(text)
    except PolicyError as exc:
        from refugio.triage.messages import policy_problems

        raise ValidationFailed({"text": " ".join(policy_problems(exc))}) from exc
    households = list(with_facts(Household.objects.filter(owner_id=organisation_id)))
    before = {s.household_id: s for s in TriageScore.objects.filter(household__owner_id=organisation_id)}
    with transaction.atomic():
        latest = PolicyVersion.objects.filter(organisation_id=organisation_id).aggregate(n=Max("version"))["n"] or 0
        version = PolicyVersion.objects.create(
            organisation_id=organisation_id,
            version=latest + 1,
            text=text,
            note=note[:300],
            created_by_id=actor.user_id,
        )
        after = score_households(households)
        moves = []
        for household in households:
            old, new = before.get(household.id), after[household.id]
            if old is None or (old.tier, old.priority) == (new.tier, new.priority):
                continue
            old_codes = {r["criterion"] for r in old.reasons}
            new_codes = {r.criterion for r in new.reasons}
            moves.append(
                {
                    "household_id": str(household.id),
                    "code": household.display_code,
                    "tier": [old.tier, new.tier],
                    "priority": [old.priority, new.priority],
                    "added": sorted(new_codes - old_codes),
                    "removed": sorted(old_codes - new_codes),
                }
            )
        version.moves = sorted(moves, key=lambda m: (m["tier"][1], -m["priority"][1]))
        version.save(update_fields=["moves"])
        record(
            actor, action=Action.UPDATE, touches=[Touch("triage_policy", str(version.id), organisation_id, ["text"])]
        )
    return version


def override(actor: Actor, *, household: Household, tier: int, priority: float, reason: str) -> TriageOverride:
    if household.owner_id not in organisation_ids_for(actor.user, OVERRIDE_ROLES):
        raise PermissionDenied(_("Only the owning organisation's caseworkers can override its triage."))
    errors = {}
    if not reason.strip():
        errors["reason"] = _("Say why you override the computed priority.")
    if not 1 <= tier <= 9:
        errors["tier"] = _("The tier is a whole number from 1 (most urgent) to 9.")
    if not 1 <= priority <= 10_000:
        errors["priority"] = _("The priority is a number of at least 1.")
    if errors:
        raise ValidationFailed(errors)
    now = timezone.now()
    with transaction.atomic():
        TriageOverride.objects.filter(household=household, ended_at__isnull=True).update(ended_at=now)
        item = TriageOverride.objects.create(
            household=household,
            tier=tier,
            priority=priority,
            reason=reason.strip(),
            created_by_id=actor.user_id,
            created_at=now,
        )
        record(
            actor,
            action=Action.UPDATE,
            touches=[Touch("household", str(household.id), household.owner_id, ["triage_override"])],
        )
    return item


def end_override(actor: Actor, *, household: Household) -> None:
    if household.owner_id not in organisation_ids_for(actor.user, OVERRIDE_ROLES):
        raise PermissionDenied(_("Only the owning organisation's caseworkers can override its triage."))
    with transaction.atomic():
        ended = TriageOverride.objects.filter(household=household, ended_at__isnull=True).update(
            ended_at=timezone.now()
        )
        if ended:
            record(
                actor,
                action=Action.UPDATE,
                touches=[Touch("household", str(household.id), household.owner_id, ["triage_override"])],
            )
