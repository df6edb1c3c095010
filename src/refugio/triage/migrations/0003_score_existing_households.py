"""Score every household once, so pages never compute a score on GET.

Scoring moved from the first read to the writes (people.signals.household_changed), and declared
vulnerabilities no longer raise the tier: every stored score is recomputed here. Historical models and the
pure policy module only, so later model changes cannot break this migration. `refugio manage score_triage`
does the same with the current code."""

from dataclasses import asdict
from typing import Any

from django.db import migrations
from django.utils import timezone

BATCH = 500


def score_existing(apps, schema_editor):  # noqa: ANN001, ANN201
    from refugio.triage.policy import HouseholdFacts, PersonFacts, age_on, default_policy, parse_policy, score

    Household = apps.get_model("people", "Household")
    Person = apps.get_model("people", "Person")
    PersonVulnerability = apps.get_model("people", "PersonVulnerability")
    PolicyVersion = apps.get_model("triage", "PolicyVersion")
    TriageScore = apps.get_model("triage", "TriageScore")

    today = timezone.localdate()
    policies = {}
    ids = list(Household.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        # Only the columns scoring reads: nothing encrypted is loaded.
        households = Household.objects.filter(pk__in=batch).only("pk", "owner_id", "created_at")
        people = (
            Person.objects.filter(household_id__in=batch, merged_into__isnull=True)
            .only("pk", "household_id", "birth_year", "birth_month", "birth_day")
            .order_by()
        )
        vulnerabilities = PersonVulnerability.objects.filter(person__household_id__in=batch).values_list(
            "person_id", "code", "confirmed_at"
        )
        confirmed: dict[Any, set[str]] = {}
        declared: dict[Any, set[str]] = {}
        for person_id, code, confirmed_at in vulnerabilities:
            (confirmed if confirmed_at is not None else declared).setdefault(person_id, set()).add(code)
        members: dict[Any, list[PersonFacts]] = {}
        for p in people:
            members.setdefault(p.household_id, []).append(
                PersonFacts(
                    age_on(p.birth_year, p.birth_month, p.birth_day, today),
                    frozenset(confirmed.get(p.pk, ())),
                    frozenset(declared.get(p.pk, ())),
                )
            )
        rows = []
        for household in households:
            if household.owner_id not in policies:
                version = PolicyVersion.objects.filter(organisation_id=household.owner_id).order_by("-version").first()
                policies[household.owner_id] = (version, parse_policy(version.text) if version else default_policy())
            version, policy = policies[household.owner_id]
            facts = HouseholdFacts(
                tuple(members.get(household.pk, ())), timezone.localtime(household.created_at).date()
            )
            result = score(policy, facts, today)
            rows.append(
                TriageScore(
                    household_id=household.pk,
                    policy=version,
                    tier=result.tier,
                    priority=result.priority,
                    reasons=[asdict(r) for r in result.reasons],
                    computed_at=timezone.now(),
                )
            )
        TriageScore.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["household"],
            update_fields=["policy", "tier", "priority", "reasons", "computed_at"],
        )


class Migration(migrations.Migration):
    dependencies = [
        ("triage", "0002_encrypt_override_reason"),
        ("people", "0006_vulnerability_confirmed"),
    ]

    operations = [migrations.RunPython(score_existing, migrations.RunPython.noop)]
