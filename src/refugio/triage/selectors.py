"""A household's triage as a caseworker reads it: the computed score, its reasons, and any override."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from refugio.accounts.models import Organisation
from refugio.accounts.selectors import organisation_ids_for
from refugio.core.errors import NotFound
from refugio.people.models import Household, PersonVulnerability
from refugio.triage.messages import reason_text
from refugio.triage.models import PolicyVersion, TriageOverride, TriageScore
from refugio.triage.services import POLICY_ROLES


@dataclass
class Triage:
    """What is stored. `scored` is False for a household scored by no write yet (data from before scoring
    moved to the writes): tier and priority are then None, or the override's."""

    tier: int | None
    priority: float | None
    computed_tier: int | None
    computed_priority: float | None
    reasons: list[str]
    policy_version: int | None
    override: TriageOverride | None
    scored: bool = True


def triage_of(household: Household) -> Triage:
    """The stored score and any override; never computes or stores anything (the writes rescore).
    The caller has already decided the reader may see the household."""
    stored = TriageScore.objects.filter(household=household).select_related("policy").first()
    active = TriageOverride.objects.filter(household=household, ended_at__isnull=True).first()
    computed_tier = stored.tier if stored else None
    computed_priority = stored.priority if stored else None
    return Triage(
        tier=active.tier if active else computed_tier,
        priority=active.priority if active else computed_priority,
        computed_tier=computed_tier,
        computed_priority=computed_priority,
        reasons=[reason_text(r) for r in stored.reasons] if stored else [],
        policy_version=stored.policy.version if stored and stored.policy else None,
        override=active,
        scored=stored is not None,
    )


@dataclass
class Declared:
    person_id: Any
    person_name: str
    code: str
    label: str


def declared_vulnerabilities(household: Household) -> list[Declared]:
    """The household's vulnerabilities declared, not yet confirmed (the reader may already see the household)."""
    rows = (
        PersonVulnerability.objects.filter(
            person__household=household, person__merged_into__isnull=True, confirmed_at__isnull=True
        )
        .select_related("person")
        # The names only: the person's encrypted fields are not decrypted for this.
        .only("code", "person_id", "person__given_names", "person__first_family_name", "person__second_family_name")
        .order_by("person__created_at", "code")
    )
    return [Declared(r.person_id, r.person.full_name, r.code, str(r.get_code_display())) for r in rows]


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
        raise NotFound
    chosen = int(requested) if requested and requested.isdigit() and int(requested) in admin_of else admin_of[0]
    return Organisation.objects.get(pk=chosen)
