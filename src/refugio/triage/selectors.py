"""A household's triage as a caseworker reads it: the computed score, its reasons, and any override."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import Http404

from refugio.accounts.models import Organisation
from refugio.accounts.selectors import organisation_ids_for
from refugio.people.models import Household
from refugio.triage.messages import reason_text
from refugio.triage.models import PolicyVersion, TriageOverride, TriageScore
from refugio.triage.services import POLICY_ROLES, score_households, with_facts


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


def policy_organisation(user: Any, requested: str | None) -> Organisation:  # noqa: ANN401
    """The organisation whose policy this admin edits (the one asked for, else their first); 404 for others."""
    admin_of = sorted(organisation_ids_for(user, POLICY_ROLES))
    if not admin_of:
        raise Http404
    chosen = int(requested) if requested and requested.isdigit() and int(requested) in admin_of else admin_of[0]
    return Organisation.objects.get(pk=chosen)
