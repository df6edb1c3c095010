"""Tracing in the demo: a few families consented to tracing at the shelter, and the legal-aid group looks for
a son whose record the shelter holds; the broker has searched once."""

from __future__ import annotations

from typing import TYPE_CHECKING

from refugio.audit.services import Actor
from refugio.people.models import Consent, Household
from refugio.people.services import record_consent
from refugio.people.vocabulary import ConsentMethod, ConsentPurpose
from refugio.tracing.models import TracingRequest
from refugio.tracing.services import open_request, search

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from refugio.accounts.models import Organisation


def load_tracing_demo(orgs: dict[str, Organisation], users: dict[str, User]) -> None:
    if TracingRequest.objects.exists():
        return
    shelter_actor = Actor(users["shelter-staff"], "cli")
    legal_actor = Actor(users["legal-caseworker"], "cli")
    held = list(Household.objects.filter(owner=orgs["Demo Shelter"]).order_by("created_at")[:60])
    for household in held:
        if not Consent.objects.filter(household=household, purpose=ConsentPurpose.REUNIFICATION).exists():
            record_consent(
                shelter_actor, household=household, purpose=ConsentPurpose.REUNIFICATION, method=ConsentMethod.VERBAL
            )
    sought = next((p for h in held[len(held) // 2 :] for p in h.members.all() if p.birth_year), None)
    family = Household.objects.filter(owner=orgs["Demo Legal Aid"]).order_by("created_at").first()
    if sought is None or family is None:
        return
    record_consent(legal_actor, household=family, purpose=ConsentPurpose.REUNIFICATION, method=ConsentMethod.VERBAL)
    open_request(
        legal_actor,
        household=family,
        data={
            "given_names": sought.given_names.split()[0],
            "family_names": sought.first_family_name,
            "birth_year": sought.birth_year,
            "relationship": "sibling",
            "last_seen_place": "Reynosa, at the bus station",
        },
    )
    search()
