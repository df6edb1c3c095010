"""Synthetic households and people for demos, tests and benchmarks.

Deterministic: the same seed and reference date give the same records, byte for byte.
No Django import, so benchmarks can generate data without a database.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TypeVar

from refugio.synth.names import CITIES, COURT_FOR_CITY, CULTURES, FAMILY_ZIPF, GIVEN_ZIPF, Culture, by_rank

DEFAULT_AS_OF = dt.date(2026, 11, 1)


@dataclass
class SynthPerson:
    person_id: str
    household_id: str
    given_names: str
    first_family_name: str
    second_family_name: str
    date_of_birth: str
    date_of_birth_estimated: bool
    sex: str
    nationality: str
    languages: str  # ";"-separated
    relationship_to_head: str
    a_number: str
    immigration_court: str
    next_hearing_date: str
    vulnerabilities: str  # ";"-separated


@dataclass
class SynthHousehold:
    household_id: str
    registered_on: str
    current_city: str
    in_shelter: bool
    shelter_name: str
    contact_phone: str
    contact_whatsapp: bool
    preferred_language: str
    size: int
    members: list[SynthPerson] = field(default_factory=list)


_T = TypeVar("_T")


def _weighted(rng: random.Random, items: Sequence[tuple[_T, float]]) -> _T:
    return rng.choices([i for i, _ in items], weights=[w for _, w in items], k=1)[0]


class _Builder:
    def __init__(self, seed: int, as_of: dt.date) -> None:
        self.rng = random.Random(seed)
        # Names come from their own stream: longer or reordered name lists change the names, never who the
        # synthetic people are (household sizes, ages, needs, dates), which tests and the demo rely on.
        self.names = random.Random(f"{seed}:names")
        self.as_of = as_of
        self.seed = seed

    def birth(self, age: int) -> tuple[str, bool]:
        """A date of birth for this age: usually exact, sometimes year or month only and estimated."""
        rng = self.rng
        born = self.as_of - dt.timedelta(days=age * 365 + rng.randint(0, 364))
        roll = rng.random()
        if roll < 0.8:
            return born.isoformat(), False
        if roll < 0.9:
            return f"{born.year:04d}-{born.month:02d}", False
        return f"{born.year:04d}", True

    def name(self, culture: Culture, sex: str) -> str:
        pool = culture.female if sex == "female" else culture.male
        first = by_rank(self.names, pool, GIVEN_ZIPF)
        if culture.two_family_names and self.names.random() < 0.35:
            second = by_rank(self.names, pool, GIVEN_ZIPF)
            if second != first:
                return f"{first} {second}"
        return first

    def family_names(self, culture: Culture) -> tuple[str, str]:
        first = by_rank(self.names, culture.family, FAMILY_ZIPF)
        second = by_rank(self.names, culture.family, FAMILY_ZIPF) if culture.two_family_names else ""
        return first, second

    def a_number(self) -> str:
        return "A" + str(self.rng.randint(200_000_000, 249_999_999))

    def household(self, index: int) -> SynthHousehold:
        rng = self.rng
        culture = _weighted(rng, [(c, c.weight) for c in CULTURES])
        assert isinstance(culture, Culture)
        city, _, area, shelters = _weighted(rng, [(c, c[1]) for c in CITIES])
        household_id = f"S{self.seed}-{index:07d}"
        in_shelter = rng.random() < 0.45
        languages = _weighted(rng, culture.languages)
        assert isinstance(languages, tuple)
        registered_on = self.as_of - dt.timedelta(days=rng.randint(0, 720))
        phone = ""
        if rng.random() < 0.9:
            digits = 10 - len(area)
            phone = f"+52{area}{rng.randint(10 ** (digits - 1) * 2, 10**digits - 1)}"
        household = SynthHousehold(
            household_id=household_id,
            registered_on=registered_on.isoformat(),
            current_city=city,
            in_shelter=in_shelter,
            shelter_name=rng.choice(shelters) if in_shelter else "",
            contact_phone=phone,
            contact_whatsapp=bool(phone) and rng.random() < 0.8,
            preferred_language="ht"
            if "ht" in languages
            else ("en" if "en" in languages and "fr" not in languages else ("fr" if "fr" in languages else "es")),
            size=0,
        )
        mpp = rng.random() < 0.6
        court = COURT_FOR_CITY[city] if mpp else ""
        hearing = ""
        if mpp and rng.random() < 0.7:
            hearing = (self.as_of + dt.timedelta(days=rng.randint(-60, 300))).isoformat()
        family_first, family_second = self.family_names(culture)
        composition = self._composition()
        for position, (relationship, sex, age) in enumerate(composition):
            if relationship == "spouse":
                first, second = self.family_names(culture)
            elif relationship == "head":
                first, second = family_first, family_second
            else:
                # Children take the head's first family name; the second may be the other parent's.
                first = family_first
                second = by_rank(self.names, culture.family, FAMILY_ZIPF) if culture.two_family_names else ""
            dob, estimated = self.birth(age)
            vulnerabilities = self._vulnerabilities(relationship, sex, age, culture, len(composition))
            person = SynthPerson(
                person_id=f"{household_id}-{position + 1}",
                household_id=household_id,
                given_names=self.name(culture, sex),
                first_family_name=first,
                second_family_name=second,
                date_of_birth=dob,
                date_of_birth_estimated=estimated,
                sex=sex,
                nationality=culture.nationality,
                languages=";".join(languages),
                relationship_to_head=relationship,
                a_number=self.a_number() if mpp else "",
                immigration_court=court,
                next_hearing_date=hearing,
                vulnerabilities=";".join(vulnerabilities),
            )
            household.members.append(person)
        household.size = len(household.members)
        return household

    def _composition(self) -> list[tuple[str, str, int]]:
        rng = self.rng
        kind = rng.random()
        if kind < 0.02:  # unaccompanied minor
            return [("head", rng.choice(["female", "male"]), rng.randint(13, 17))]
        head_sex = "female" if rng.random() < 0.55 else "male"
        head_age = rng.randint(18, 58)
        members = [("head", head_sex, head_age)]
        if kind < 0.22:
            return members  # adult travelling alone
        if rng.random() < 0.55:
            members.append(
                ("spouse", "male" if head_sex == "female" else "female", max(18, head_age + rng.randint(-6, 6)))
            )
        for _ in range(rng.choices([0, 1, 2, 3, 4], weights=[10, 30, 30, 20, 10])[0]):
            members.append(("child", rng.choice(["female", "male"]), rng.randint(0, min(17, max(0, head_age - 16)))))
        if rng.random() < 0.07:
            members.append(("parent", rng.choice(["female", "male"]), min(90, head_age + rng.randint(20, 30))))
        if rng.random() < 0.05:
            members.append(("sibling", rng.choice(["female", "male"]), max(14, head_age + rng.randint(-8, 8))))
        return members

    def _vulnerabilities(self, relationship: str, sex: str, age: int, culture: Culture, size: int) -> list[str]:
        rng = self.rng
        found = []
        if rng.random() < 0.05:
            found.append("medical_urgent")
        if rng.random() < 0.08:
            found.append("chronic_illness")
        if sex == "female" and 16 <= age <= 42 and rng.random() < 0.07:
            found.append("pregnant")
        if relationship == "head" and age < 18:
            found.append("unaccompanied_child")
        if relationship == "head" and size >= 2 and rng.random() < 0.3:
            found.append("single_caregiver")
        if age >= 65:
            found.append("elderly")
        if rng.random() < 0.04:
            found.append("disability")
        if age >= 16 and rng.random() < 0.03:
            found.append("lgbtqi")
        if age >= 12 and rng.random() < 0.06:
            found.append("kidnapping_survivor")
        if sex == "female" and age >= 14 and rng.random() < 0.06:
            found.append("gender_violence")
        if culture.nationality in {"HT", "CM"} or (culture.nationality == "GT" and rng.random() < 0.3):
            if rng.random() < 0.5:
                found.append("targeted_race")
        return found


def generate(households: int, seed: int, as_of: dt.date = DEFAULT_AS_OF) -> Iterator[SynthHousehold]:
    builder = _Builder(seed, as_of)
    for index in range(1, households + 1):
        yield builder.household(index)


HOUSEHOLD_COLUMNS = [f for f in SynthHousehold.__dataclass_fields__ if f != "members"]
PERSON_COLUMNS = list(SynthPerson.__dataclass_fields__)


def write_csv(
    households: int,
    seed: int,
    out: Path,
    as_of: dt.date = DEFAULT_AS_OF,
    also: Callable[[SynthHousehold], None] | None = None,
) -> tuple[int, int]:
    """Write households.csv and people.csv under out; `also` sees each household on the same pass.
    Returns (households, people)."""
    out.mkdir(parents=True, exist_ok=True)
    people = 0
    with (
        (out / "households.csv").open("w", newline="", encoding="utf-8") as h_file,
        (out / "people.csv").open("w", newline="", encoding="utf-8") as p_file,
    ):
        h_writer = csv.DictWriter(h_file, HOUSEHOLD_COLUMNS, lineterminator="\n")
        p_writer = csv.DictWriter(p_file, PERSON_COLUMNS, lineterminator="\n")
        h_writer.writeheader()
        p_writer.writeheader()
        for household in generate(households, seed, as_of):
            row = asdict(household)
            members = row.pop("members")
            h_writer.writerow(row)
            p_writer.writerows(members)
            people += len(members)
            if also is not None:
                also(household)
    return households, people
