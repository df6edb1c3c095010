"""What of a person's self-identification each place shows: the one kind, through refugio.disclosure."""

from __future__ import annotations

from refugio.disclosure import Kind, Surface, register_kind
from refugio.disparity.models import SelfIdentification
from refugio.disparity.selectors import visible_self_identifications
from refugio.disparity.vocabulary import RaceEthnicity
from refugio.people.surfaces import PERSON


def _category_label(s: SelfIdentification) -> str:
    return str(RaceEthnicity(s.category).label) if s.category in RaceEthnicity.values else ""


SELF_IDENTIFICATION = register_kind(
    Kind(
        name="self_identification",
        fields={
            "category": lambda s: s.category,
            "consent_given_at": lambda s: s.consent_given_at,
            "withdrawn_at": lambda s: s.withdrawn_at,
            "person_name": lambda s: s.person.full_name,
        },
        labels={"category": _category_label},
        envelope={"id": lambda s: s.id, "person_id": lambda s: s.person_id},
        visible=visible_self_identifications,
        organisation_of=lambda s: s.person.household.owner_id,
    )
)

# The household's self-identification page: what each member stated (or withdrew), and their names to choose from.
STATED = Surface(
    "disparity.self_identification",
    SELF_IDENTIFICATION,
    ("category", "consent_given_at", "withdrawn_at", "person_name"),
)
MEMBERS = Surface("disparity.self_identification.members", PERSON, ("full_name",))
