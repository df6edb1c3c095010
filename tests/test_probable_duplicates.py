"""The probabilistic duplicate search (Splink) finds what the quick rule misses, within one organisation."""

from __future__ import annotations

import io

from django.core.management import call_command

from refugio.accounts.models import Role
from refugio.audit.services import Actor
from refugio.people.models import DuplicateFlag
from refugio.people.services import create_household, find_probable_duplicates, flag_unchecked_duplicates

from .conftest import World
from .test_pages import signed_in


def _register(world: World, org, user, given: str, first: str, second: str, born: str) -> object:
    member = {
        "given_names": given,
        "first_family_name": first,
        "second_family_name": second,
        "date_of_birth": born,
        "sex": "male",
        "nationality": "MX",
        "relationship_to_head": "head",
    }
    return create_household(
        Actor(user, "system"), organisation_id=org.id, data={"current_city": "Tijuana"}, members=[member]
    )


def test_a_nickname_with_day_and_month_swapped_is_flagged_for_review_once(world: World) -> None:
    worker = world.users[Role.CASEWORKER]
    first = _register(world, world.home, worker, "José Luis", "Hernández", "García", "1990-03-12")
    again = _register(world, world.home, worker, "Pepe", "Hernandez", "Garcia", "1990-12-03")
    _register(world, world.home, worker, "Mario", "Hernández", "Ruiz", "1990-03-12")  # a namesake, not him
    elsewhere = _register(
        world, world.stranger, world.users["stranger_caseworker"], "José Luis", "Hernández", "García", "1990-03-12"
    )
    flag_unchecked_duplicates()
    assert not DuplicateFlag.objects.exists()  # the quick rule misses him (given names differ)

    assert find_probable_duplicates(organisation_id=world.home.id) == 1
    flag = DuplicateFlag.objects.get()
    assert {flag.person.household_id, flag.candidate.household_id} == {first.id, again.id}
    assert flag.person.household_id == again.id  # flagged from the newer record, like the quick rule
    assert elsewhere.id not in {flag.person.household_id, flag.candidate.household_id}  # never across organisations
    assert find_probable_duplicates(organisation_id=world.home.id) == 0  # idempotent

    page = signed_in(worker).get("/duplicates/").content.decode()
    assert "Probable match: names, date of birth and their usual variants" in page


def test_a_decided_pair_is_not_flagged_again(world: World) -> None:
    worker = world.users[Role.CASEWORKER]
    _register(world, world.home, worker, "José Luis", "Hernández", "García", "1990-03-12")
    _register(world, world.home, worker, "Pepe", "Hernandez", "Garcia", "1990-12-03")
    find_probable_duplicates(organisation_id=world.home.id)
    DuplicateFlag.objects.update(status="not_duplicate")
    out = io.StringIO()
    call_command("find_probable_duplicates", "--organisation", world.home.name, stdout=out)
    assert "0 new probable duplicate pairs" in out.getvalue()
    assert DuplicateFlag.objects.count() == 1
