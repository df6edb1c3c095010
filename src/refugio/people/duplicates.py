"""Is this probably the same person? A rule that tolerates how names are really written. No Django import.

Same A-number: the same person. Otherwise, the same date of birth (to the precision both records
have; a year either way when one is an estimate), similar given names, and at least one family name in
common, in either position, so swapped, missing or accent-less second family names still match.
"""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher

SAME_A_NUMBER = "same_a_number"
SIMILAR_NAME_AND_BIRTH = "similar_name_and_birth"


@dataclass(frozen=True)
class PersonRecord:
    given: str  # accent-free lower case, as people.validation.name_key gives
    families: tuple[str, ...]
    birth: tuple[int | None, int | None, int | None]
    estimated: bool
    a_number_index: str


def _births_agree(a: PersonRecord, b: PersonRecord) -> bool:
    (ay, am, ad), (by, bm, bd) = a.birth, b.birth
    if ay is None or by is None:
        return False
    if abs(ay - by) > (1 if a.estimated or b.estimated else 0):
        return False
    if ay == by and am and bm and am != bm:
        return False
    return not (ay == by and am == bm and ad and bd and ad != bd)


def _given_similar(a: str, b: str) -> bool:
    first_a, first_b = a.split()[:1], b.split()[:1]
    if first_a and first_a == first_b:
        return True
    return SequenceMatcher(None, a, b).ratio() >= 0.85


def match_reason(a: PersonRecord, b: PersonRecord) -> str | None:
    if a.a_number_index and a.a_number_index == b.a_number_index:
        return SAME_A_NUMBER
    if not _births_agree(a, b) or not _given_similar(a.given, b.given):
        return None
    if set(filter(None, a.families)) & set(filter(None, b.families)):
        return SIMILAR_NAME_AND_BIRTH
    return None
