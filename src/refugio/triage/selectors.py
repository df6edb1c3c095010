"""A household's triage as a caseworker reads it: the computed score, its reasons, and any override."""

from __future__ import annotations

from dataclasses import dataclass

from refugio.people.models import Household
from refugio.triage.messages import reason_text
from refugio.triage.models import PolicyVersion, TriageOverride, TriageScore
from refugio.triage.services import score_households, with_facts


@dataclass
class Triage:
    tier: int
    priority: float
    computed_tier: int
    computed_priority: float
    reasons: list[str]
    policy_version: int | None
    override: TriageOverride | None


def triage_of(household: Household) -> Triage:
    """Scored now if it never was (a new registration); the caller has already decided it may see it."""
    stored = TriageScore.objects.filter(household=household).select_related("policy").first()
    if stored is None:
        score_households(with_facts(Household.objects.filter(pk=household.pk)))
        stored = TriageScore.objects.select_related("policy").get(household=household)
    active = TriageOverride.objects.filter(household=household, ended_at__isnull=True).first()
    return Triage(
        tier=active.tier if active else stored.tier,
        priority=active.priority if active else stored.priority,
        computed_tier=stored.tier,
        computed_priority=stored.priority,
        reasons=[reason_text(r) for r in stored.reasons],
        policy_version=stored.policy.version if stored.policy else None,
        override=active,
    )


def effective_priorities(household_ids: list) -> dict:  # noqa: ANN001
    """(tier, priority) per household: an active override wins over the computed score."""
    found = {s.household_id: (s.tier, s.priority) for s in TriageScore.objects.filter(household_id__in=household_ids)}
    for item in TriageOverride.objects.filter(household_id__in=household_ids, ended_at__isnull=True):
        found[item.household_id] = (item.tier, item.priority)
    return found


def policy_versions(organisation_id: int) -> list[PolicyVersion]:
    return list(PolicyVersion.objects.filter(organisation_id=organisation_id))
