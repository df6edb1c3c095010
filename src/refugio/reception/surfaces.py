"""What of shelters and stays each place shows. The vocabulary of their personal fields is here, once;
pages and endpoints name a surface and call refugio.disclosure.

A shelter's address and phone are its confidential fields: seen by its own organisation and those it is
granted to, never by an agency (selectors.visible_shelters leaves agencies out whatever the grants say).
A stay shows who arrives, when, where from and what they need: to the household's organisations and to
the staff of the shelter they go to."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from refugio.accounts.rules import Verb
from refugio.disclosure import Kind, Surface, register_kind
from refugio.people.models import Household, Person
from refugio.people.registration_code import display
from refugio.people.vocabulary import Vulnerability, language_name
from refugio.planning.models import Appointment
from refugio.reception import selectors
from refugio.reception.beds import needed_bed_type
from refugio.reception.models import BedType, Placement
from refugio.reception.selectors import User


def _members(household: Household) -> list[Person]:
    return [p for p in household.members.all() if p.merged_into_id is None]


def _age(person: Person) -> int | None:
    if not person.birth_year:
        return None
    return timezone.localdate().year - person.birth_year


def _vulnerabilities(household: Household) -> list[str]:
    codes: list[str] = []
    for person in _members(household):
        codes += [v.code for v in person.vulnerability_rows.all() if v.code not in codes]
    return codes


def _vulnerability_words(household: Household) -> list[str]:
    return [str(Vulnerability(c).label) if c in Vulnerability.values else c for c in _vulnerabilities(household)]


def _languages(household: Household) -> list[str]:
    found: list[str] = [household.preferred_language] if household.preferred_language else []
    for person in _members(household):
        found += [code for code in person.languages if code not in found]
    return found


def needed_bed_type_of(household: Household) -> str:
    """The bed type the household needs, from its members' ages, sexes and vulnerabilities."""
    members = _members(household)
    adults = [p for p in members if (age := _age(p)) is None or age >= 18]
    return needed_bed_type(
        len(members),
        _vulnerabilities(household),
        sum(1 for p in adults if p.sex == "female"),
        len(adults),
        len(members) - len(adults),
    )


def _head_name(household: Household) -> str:
    members = _members(household)
    head = next((p for p in members if p.relationship_to_head == "head"), members[0] if members else None)
    return head.full_name if head else ""


def _appointment(placement: Placement) -> dict[str, Any] | None:
    found = selectors.appointment_of(placement.household_id)
    if found is None:
        return None
    return {"date": found.date, "port": found.port.name, "port_code": found.port.code}


# ---------------------------------------------------------------- shelters

SHELTER = register_kind(
    Kind(
        name="shelter",
        fields={"address": lambda s: s.address, "phone": lambda s: s.phone},
        envelope={
            "id": lambda s: s.id,
            "name": lambda s: s.name,
            "city": lambda s: s.city,
            "organisation_id": lambda s: s.organisation_id,
            "organisation": lambda s: s.organisation.name,
            "licensed_for_minors": lambda s: s.licensed_for_minors,
        },
        visible=lambda user, verb: selectors.visible_shelters(user, verb),
        organisation_of=lambda s: s.organisation_id,
    )
)
SHELTERS_API = Surface("reception.shelters", SHELTER, ("address", "phone"))
SHELTER_PAGE = Surface("reception.shelter_page", SHELTER, ("address", "phone"))
# The list of shelters and the arrivals board: names, cities and beds only, no address.
SHELTER_HEADING = Surface("reception.shelter_heading", SHELTER, ())


# ---------------------------------------------------------------- stays


def _visible_stays(user: User, verb: Verb) -> Any:  # noqa: ANN401
    return selectors.visible_placements(user, verb).prefetch_related("household__members__vulnerability_rows")


STAY = register_kind(
    Kind(
        name="shelter_stay",
        fields={
            "registration_code": lambda p: display(p.household.registration_code),
            "head_name": lambda p: _head_name(p.household),
            "people": lambda p: len(_members(p.household)),
            "shelter": lambda p: p.shelter.name,
            "bed_type": lambda p: p.bed_type,
            "beds": lambda p: p.beds,
            "starts_on": lambda p: p.starts_on,
            "ends_on": lambda p: p.ends_on,
            "status": lambda p: p.status,
            "vulnerabilities": lambda p: _vulnerabilities(p.household),
            "languages": lambda p: _languages(p.household),
            "appointment": _appointment,
        },
        labels={
            "bed_type": lambda p: p.get_bed_type_display(),
            "status": lambda p: p.get_status_display(),
            "vulnerabilities": lambda p: _vulnerability_words(p.household),
            "languages": lambda p: [language_name(c) for c in _languages(p.household)],
        },
        envelope={"id": lambda p: p.id, "household_id": lambda p: p.household_id, "shelter_id": lambda p: p.shelter_id},
        visible=_visible_stays,
        organisation_of=lambda p: p.household.owner_id,
    )
)
STAY_API_FIELDS = ("registration_code", "people", "bed_type", "beds", "starts_on", "ends_on", "status")
STAYS_API = Surface("reception.stays", STAY, STAY_API_FIELDS)
STAY_CHANGED = Surface("reception.stay_changed", STAY, STAY_API_FIELDS, verb=Verb.WRITE)
# The arrivals board: who, how many, which beds, from which port, what they need, in words.
BOARD_STAYS = Surface(
    "reception.board",
    STAY,
    (
        "registration_code",
        "head_name",
        "people",
        "bed_type",
        "beds",
        "starts_on",
        "ends_on",
        "status",
        "vulnerabilities",
        "languages",
        "appointment",
    ),
)
# The household page's line: where the household sleeps, or will.
HOUSEHOLD_STAY = Surface("reception.household_line", STAY, ("shelter", "bed_type", "starts_on", "ends_on", "status"))


# ---------------------------------------------------------------- arrivals without a bed


def _visible_arrivals(user: User, verb: Verb) -> Any:  # noqa: ANN401
    plan = selectors.current_published()
    if plan is None:
        return Appointment.objects.none()
    return (
        Appointment.objects.filter(plan=plan, household__in=selectors.households_for_stays(user, Verb.CREATE))
        .select_related("port", "household")
        .prefetch_related("household__members__vulnerability_rows")
    )


ARRIVAL = register_kind(
    Kind(
        name="reception_arrival",
        fields={
            "registration_code": lambda a: display(a.household.registration_code),
            "head_name": lambda a: _head_name(a.household),
            "people": lambda a: len(_members(a.household)),
            "date": lambda a: a.date,
            "vulnerabilities": lambda a: _vulnerabilities(a.household),
            "languages": lambda a: _languages(a.household),
            "bed_type_needed": lambda a: needed_bed_type_of(a.household),
        },
        labels={
            "vulnerabilities": lambda a: _vulnerability_words(a.household),
            "languages": lambda a: [language_name(c) for c in _languages(a.household)],
            "bed_type_needed": lambda a: str(BedType(needed_bed_type_of(a.household)).label),
        },
        envelope={
            "id": lambda a: a.id,
            "household_id": lambda a: a.household_id,
            "port": lambda a: {"code": a.port.code, "name": a.port.name},
        },
        visible=_visible_arrivals,
        organisation_of=lambda a: a.household.owner_id,
    )
)
BOARD_UNPLACED = Surface(
    "reception.board_unplaced",
    ARRIVAL,
    ("registration_code", "head_name", "people", "date", "vulnerabilities", "languages", "bed_type_needed"),
)
