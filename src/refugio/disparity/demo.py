"""Demo data for disparity monitoring: a few self-identifications given with consent, and one run of the
monitor for each demo organisation holding households (called from refugio.people.demo)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser

from refugio.accounts.models import Organisation
from refugio.audit.services import Actor
from refugio.disparity import services
from refugio.disparity.models import DisparityCheck, SelfIdentification
from refugio.disparity.vocabulary import RaceEthnicity
from refugio.people.models import Household

# Synthetic answers, cycled over the first heads of household: never derived from any real person.
ANSWERS = [
    RaceEthnicity.BLACK,
    RaceEthnicity.MESTIZO,
    RaceEthnicity.BLACK,
    RaceEthnicity.INDIGENOUS,
    RaceEthnicity.MESTIZO,
    RaceEthnicity.PREFER_NOT,
    RaceEthnicity.WHITE,
]
STATED = 28  # households of the caseworker's organisation whose head states an answer


def load_disparity_demo(organisation: Organisation, caseworker: AbstractBaseUser) -> None:
    """Idempotent: answers only where none was recorded, a check only where none ran."""
    actor = Actor(user=caseworker, channel="cli")
    if not SelfIdentification.objects.filter(person__household__owner=organisation).exists():
        households = Household.objects.filter(owner=organisation, merged_into__isnull=True).order_by(
            "registration_code"
        )
        for i, household in enumerate(households[:STATED]):
            head = household.members.filter(merged_into__isnull=True).order_by("created_at").first()
            if head is None:
                continue
            services.record_self_identification(
                actor,
                household_id=household.id,
                person_id=head.id,
                category=ANSWERS[i % len(ANSWERS)],
                consent=True,
            )
    system = Actor(None, "system")
    for organisation_id in set(Household.objects.values_list("owner_id", flat=True)):
        if not DisparityCheck.objects.filter(organisation_id=organisation_id).exists():
            services.run_monitor(system, organisation_id=organisation_id)
