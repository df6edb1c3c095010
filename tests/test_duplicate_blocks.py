"""The duplicate check's blocks (a family name and a date of birth) lose nothing the matching rule would
flag: for every kind of birth (year only, year and month, full date, estimated or not, a year apart), every
record the rule matches is among the candidates the block query returns, and the query leaves out records
the rule can never match (another month of the same year, another day of the same month)."""

from __future__ import annotations

import itertools

import pytest

from refugio.people.duplicates import SIMILAR_NAME_AND_BIRTH, match_reason
from refugio.people.models import Person
from refugio.people.services import _birth_blocks, _record_of
from refugio.people.validation import name_key

from .conftest import World

BIRTHS = [
    (year, month, day, estimated)
    for year, month, day, estimated in itertools.product((1990, 1991), (None, 3, 4), (None, 5, 6), (False, True))
    if not (month is None and day is not None)  # a day without a month is never stored
]


@pytest.fixture
def register(world: World) -> list[Person]:
    """One record per kind of birth, all sharing a family name (in either position) and a given name."""
    assert world.own is not None
    people = []
    for i, (year, month, day, estimated) in enumerate(BIRTHS):
        first, second = ("garcia", "lopez") if i % 2 else ("lopez", "garcia")
        people.append(
            Person(
                household=world.own,
                given_names="Maria",
                search_name=f"maria {first} {second}",  # as the service stores it (bulk_create does not)
                first_family_name=first.title(),
                second_family_name=second.title(),
                family_key_1=first,
                family_key_2=second,
                birth_year=year,
                birth_month=month,
                birth_day=day,
                birth_date_estimated=estimated,
            )
        )
    return Person.objects.bulk_create(people)


def test_every_pair_the_rule_matches_is_in_a_block(register: list[Person]) -> None:
    ids = [p.id for p in register]
    left_out_somewhere = False
    for person in register:
        found = set(Person.objects.filter(_birth_blocks([person]), id__in=ids).values_list("id", flat=True))
        matched = {
            other.id
            for other in register
            if other.id != person.id and match_reason(_record_of(person), _record_of(other)) == SIMILAR_NAME_AND_BIRTH
        }
        assert matched <= found, (person.birth_year, person.birth_month, person.birth_day)
        left_out_somewhere |= len(found) < len(ids)
    assert left_out_somewhere  # the blocks are smaller than "every record with the family name"


def test_another_month_of_the_same_year_is_left_out(register: list[Person]) -> None:
    exact = next(p for p in register if (p.birth_year, p.birth_month, p.birth_date_estimated) == (1990, 3, False))
    found = Person.objects.filter(_birth_blocks([exact]), id__in=[p.id for p in register])
    months = {(p.birth_year, p.birth_month) for p in found if not p.birth_date_estimated}
    assert (1990, 4) not in months and (1991, 3) not in months
    assert {(1990, 3), (1990, None)} <= months


def test_another_day_of_the_same_month_is_left_out(register: list[Person]) -> None:
    exact = next(
        p for p in register if (p.birth_year, p.birth_month, p.birth_day, p.birth_date_estimated) == (1990, 3, 5, False)
    )
    found = Person.objects.filter(_birth_blocks([exact]), id__in=[p.id for p in register])
    births = {(p.birth_year, p.birth_month, p.birth_day) for p in found if not p.birth_date_estimated}
    assert (1990, 3, 6) not in births
    assert {(1990, 3, 5), (1990, 3, None), (1990, None, None)} <= births


def test_of_the_records_with_a_birth_year_only_those_whose_given_name_begins_alike_are_candidates(
    world: World,
) -> None:
    """A common family name in a large register has thousands of records with a birth year only; the rule
    needs a similar given name, which begins with the same letter however it was written."""
    assert world.own is not None

    def person(given: str, **birth: object) -> Person:
        return Person(
            household=world.own,
            given_names=given,
            search_name=name_key(given, "García"),  # as the service stores it (bulk_create does not)
            first_family_name="García",
            family_key_1="garcia",
            **birth,
        )

    year_only = Person.objects.bulk_create(
        [person(given, birth_year=2024, birth_date_estimated=True) for given in ("Ángel", "angel", "Beto", "Éder")]
    )
    newcomer = person("Angel David", birth_year=2024, birth_month=5, birth_day=2)
    found = Person.objects.filter(_birth_blocks([newcomer]), id__in=[p.id for p in year_only])
    assert sorted(p.given_names for p in found) == ["angel", "Ángel"]
