"""What a new triage policy would change, before it is saved: how many households would move to a more or a
less urgent tier, and how many each tier would hold before and after. A read: it scores in memory and stores
nothing (no score, no audit event); it counts households and shows nobody."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.utils import timezone

from refugio.accounts.selectors import organisation_ids_for
from refugio.core.errors import NotFound
from refugio.people.models import Household
from refugio.triage.models import TriageScore
from refugio.triage.policy import Policy, score
from refugio.triage.services import POLICY_ROLES, current_policy, household_facts, with_facts


@dataclass(frozen=True)
class TierCount:
    tier: int
    before: int
    after: int


@dataclass(frozen=True)
class PolicyPreview:
    households: int
    more_urgent: int  # moved to a tier with a smaller number
    less_urgent: int
    same_tier: int
    tiers: tuple[TierCount, ...]  # every tier of either policy, most urgent first


def policy_preview(user: AbstractBaseUser | AnonymousUser, *, organisation_id: int, policy: Policy) -> PolicyPreview:
    """The effect of `policy` on the organisation's households, compared with the tiers they have now (their
    stored score; for a household never scored, its score under the current policy)."""
    if organisation_id not in organisation_ids_for(user, POLICY_ROLES):
        raise NotFound
    today = timezone.localdate()
    households = list(with_facts(Household.objects.filter(owner_id=organisation_id)))
    stored = dict(TriageScore.objects.filter(household__owner_id=organisation_id).values_list("household_id", "tier"))
    _version, current = current_policy(organisation_id)
    before: Counter[int] = Counter()
    after: Counter[int] = Counter()
    up = down = same = 0
    for household in households:
        facts = household_facts(household, today)
        old = stored.get(household.id)
        if old is None:
            old = score(current, facts, today).tier
        new = score(policy, facts, today).tier
        before[old] += 1
        after[new] += 1
        if new < old:
            up += 1
        elif new > old:
            down += 1
        else:
            same += 1
    tiers = sorted(set(before) | set(after) | {t for t, _m in policy.tiers} | {t for t, _m in current.tiers})
    return PolicyPreview(
        households=len(households),
        more_urgent=up,
        less_urgent=down,
        same_tier=same,
        tiers=tuple(TierCount(t, before[t], after[t]) for t in tiers),
    )
