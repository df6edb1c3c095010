"""How households and people are shown, and which fields each view reveals (for the audit)."""

from __future__ import annotations

from typing import Any

from refugio.people.models import Household, Person
from refugio.people.registration_code import display

PERSON_DETAIL_FIELDS = (
    "given_names",
    "first_family_name",
    "second_family_name",
    "date_of_birth",
    "date_of_birth_estimated",
    "sex",
    "nationality",
    "languages",
    "relationship_to_head",
    "a_number",
    "immigration_court",
    "next_hearing_date",
    "vulnerabilities",
    "narrative",
    "notes",
)
HOUSEHOLD_DETAIL_FIELDS = (
    "registration_code",
    "status",
    "current_city",
    "in_shelter",
    "shelter_name",
    "contact_phone",
    "contact_whatsapp",
    "preferred_language",
    "notes",
    "ready_on",
)
HOUSEHOLD_SUMMARY_FIELDS = ("registration_code", "status", "current_city")
PERSON_SUMMARY_FIELDS = ("given_names", "first_family_name", "second_family_name", "next_hearing_date")


def person_detail(person: Person) -> dict[str, Any]:
    return {
        "id": person.id,
        "household_id": person.household_id,
        "given_names": person.given_names,
        "first_family_name": person.first_family_name,
        "second_family_name": person.second_family_name,
        "full_name": person.full_name,
        "date_of_birth": person.date_of_birth,
        "date_of_birth_estimated": person.birth_date_estimated,
        "sex": person.sex,
        "nationality": person.nationality,
        "languages": person.languages,
        "relationship_to_head": person.relationship_to_head,
        "a_number": person.a_number,
        "arrival_date": person.arrival_date,
        "immigration_court": person.immigration_court,
        "next_hearing_date": person.next_hearing_date,
        "vulnerabilities": sorted(v.code for v in person.vulnerability_rows.all()),
        "narrative": person.narrative,
        "notes": person.notes,
        "version": person.version,
    }


def household_detail(household: Household) -> dict[str, Any]:
    return {
        "id": household.id,
        "registration_code": display(household.registration_code),
        "status": household.status,
        "owner": {"id": household.owner_id, "name": household.owner.name},
        "current_city": household.current_city,
        "in_shelter": household.in_shelter,
        "shelter_name": household.shelter_name,
        "contact_phone": household.contact_phone,
        "contact_whatsapp": household.contact_whatsapp,
        "preferred_language": household.preferred_language,
        "notes": household.notes,
        "ready_on": household.ready_on,
        "version": household.version,
        "created_at": household.created_at,
        "updated_at": household.updated_at,
        "members": [person_detail(p) for p in household.members.all()],
    }


def head_of(household: Household) -> Person | None:
    members = list(household.members.all())
    return next((p for p in members if p.relationship_to_head == "head"), members[0] if members else None)


def household_summary(household: Household) -> dict[str, Any]:
    head = head_of(household)
    hearings = [p.next_hearing_date for p in household.members.all() if p.next_hearing_date]
    return {
        "id": household.id,
        "registration_code": display(household.registration_code),
        "status": household.status,
        "owner": {"id": household.owner_id, "name": household.owner.name},
        "current_city": household.current_city,
        "head_name": head.full_name if head else "",
        "member_count": len(household.members.all()),
        "next_hearing_date": min(hearings) if hearings else None,
        "created_at": household.created_at,
    }
