"""Synthetic people with known duplicates, for the linkage engine's tests and benchmark.

People come from the synthetic households (generator.py); some are recorded again the way another caseworker,
another organisation or the person themself would write them: typos, accents dropped, surnames swapped or
joined with "y", the second surname missing, a nickname, a hyphen dropped, a Mayan name in Spanish spelling,
the day and month of birth swapped, only the year, an estimated age. `truth` is the set of pairs of records
that are the same person. Deterministic for a seed.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass

from refugio.linkage.engine import PersonRecord
from refugio.linkage.names import NICKNAME_GROUPS, fold
from refugio.synth.generator import SynthPerson, generate

# Mayan surnames and their Spanish spellings as they appear in other records.
MAYAN_SPELLINGS = {"Tzoc": "Tzok", "Xiloj": "Shiloj", "Cux": "Kux", "Coj": "Kój", "Tum": "Tun", "Sic": "Sik"}


@dataclass
class SyntheticLinkage:
    left: list[PersonRecord]
    right: list[PersonRecord]  # empty for deduplication (everything is in left)
    truth: set[tuple[str, str]]  # pairs (sorted for dedupe, (left, right) for linkage)
    corruptions: dict[str, int]


def _strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _typo(rng: random.Random, word: str) -> str:
    if len(word) < 4:
        return word
    i = rng.randint(1, len(word) - 2)
    kind = rng.random()
    if kind < 0.4:
        return word[:i] + word[i + 1 :]  # deletion
    if kind < 0.7:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]  # transposition
    return word[:i] + rng.choice("aeiournslt") + word[i + 1 :]  # substitution


def _nickname(rng: random.Random, given: str) -> str | None:
    first = fold(given.split(" ")[0])
    for group in NICKNAME_GROUPS:
        if group[0] == first and len(group) > 1:
            return rng.choice(group[1:]).title()
    return None


def _record(person: SynthPerson, record_id: str) -> PersonRecord:
    family = " ".join(p for p in (person.first_family_name, person.second_family_name) if p)
    return PersonRecord(
        record_id=record_id,
        given_names=person.given_names,
        family_names=family,
        date_of_birth=person.date_of_birth,
        date_of_birth_estimated=person.date_of_birth_estimated,
        sex=person.sex,
        nationality=person.nationality,
    )


def corrupt(rng: random.Random, person: SynthPerson, record_id: str, counts: dict[str, int]) -> PersonRecord:
    """Another record of the same person: one to three corruptions, as they happen in the field."""
    given = person.given_names
    first, second = person.first_family_name, person.second_family_name
    dob, estimated = person.date_of_birth, person.date_of_birth_estimated
    joiner = " "
    kinds = rng.sample(
        [
            "typo_given",
            "typo_family",
            "swap_surnames",
            "missing_second",
            "nickname",
            "y_joined",
            "hyphen",
            "mayan",
            "dob_swap",
            "dob_year_only",
            "dob_estimated",
            "accents",
        ],
        k=rng.choice([1, 1, 2, 2, 3]),
    )
    for kind in kinds:
        done = True
        if kind == "typo_given":
            given = _typo(rng, given)
        elif kind == "typo_family":
            first = _typo(rng, first)
        elif kind == "swap_surnames" and second:
            first, second = second, first
        elif kind == "missing_second" and second:
            second = ""
        elif kind == "nickname" and (nick := _nickname(rng, given)):
            given = nick
        elif kind == "y_joined" and second:
            joiner = " y "
        elif kind == "hyphen" and ("-" in given or " " in given):
            given = given.replace("-", " ") if "-" in given else given.replace(" ", "-")
        elif kind == "mayan" and (first in MAYAN_SPELLINGS or second in MAYAN_SPELLINGS):
            first, second = MAYAN_SPELLINGS.get(first, first), MAYAN_SPELLINGS.get(second, second)
        elif kind == "dob_swap" and len(dob) == 10 and int(dob[8:10]) <= 12 and dob[5:7] != dob[8:10]:
            dob = f"{dob[:4]}-{dob[8:10]}-{dob[5:7]}"
        elif kind == "dob_year_only" and dob:
            dob = dob[:4]
        elif kind == "dob_estimated" and dob:
            dob, estimated = str(int(dob[:4]) + rng.choice([-2, -1, 1, 2])), True
        elif kind == "accents":
            given, first, second = _strip_accents(given), _strip_accents(first), _strip_accents(second)
        else:
            done = False
        if done:
            counts[kind] = counts.get(kind, 0) + 1
    family = joiner.join(p for p in (first, second) if p)
    return PersonRecord(
        record_id=record_id,
        given_names=given,
        family_names=family,
        date_of_birth=dob,
        date_of_birth_estimated=estimated,
        sex=person.sex,
        nationality=person.nationality,
    )


def people(count: int, seed: int) -> list[SynthPerson]:
    found: list[SynthPerson] = []
    for household in generate(count, seed):  # lazily: stops once there are enough people
        found.extend(household.members)
        if len(found) >= count:
            break
    return found[:count]


def deduplication_set(count: int, seed: int = 1, duplicate_share: float = 0.3) -> SyntheticLinkage:
    """`count` people; a share of them recorded once or twice more, corrupted. All records in `left`."""
    rng = random.Random(seed)
    records: list[PersonRecord] = []
    truth: set[tuple[str, str]] = set()
    counts: dict[str, int] = {}
    for person in people(count, seed):
        ids = [person.person_id]
        records.append(_record(person, person.person_id))
        if rng.random() < duplicate_share:
            for copy in range(1 if rng.random() < 0.8 else 2):
                record_id = f"{person.person_id}~{copy + 1}"
                records.append(corrupt(rng, person, record_id, counts))
                ids.append(record_id)
        for i, a in enumerate(ids):
            for b in ids[i + 1 :]:
                truth.add((min(a, b), max(a, b)))
    rng.shuffle(records)
    return SyntheticLinkage(records, [], truth, counts)


def linkage_set(count: int, seed: int = 1, overlap: float = 0.5) -> SyntheticLinkage:
    """Two files: `count` people on the left; an `overlap` share of them, corrupted, on the right with as many
    other people again."""
    rng = random.Random(seed)
    everyone = people(count * 2, seed)
    left_people, others = everyone[:count], everyone[count:]
    left = [_record(p, p.person_id) for p in left_people]
    right: list[PersonRecord] = []
    truth: set[tuple[str, str]] = set()
    counts: dict[str, int] = {}
    for person in left_people:
        if rng.random() < overlap:
            record_id = f"R-{person.person_id}"
            right.append(corrupt(rng, person, record_id, counts))
            truth.add((person.person_id, record_id))
    right.extend(_record(p, f"R-{p.person_id}") for p in others[: count - len(right)])
    rng.shuffle(right)
    return SyntheticLinkage(left, right, truth, counts)
