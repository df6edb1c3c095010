"""When a tracing candidate may move on: pure rules, no Django.

A false reunification costs more than a missed one, so no step follows from a score alone: a candidate is
shown at `CANDIDATE_THRESHOLD` or above, both caseworkers must confirm it, the people concerned on both
sides must consent, and where a child is concerned a person must verify the family link (questions only the
family can answer, photographs, documents) before any detail is shared and before a reunification is
recorded."""

from __future__ import annotations

from dataclasses import dataclass

# A candidate is proposed to both caseworkers at this match probability or above; most are not the person.
CANDIDATE_THRESHOLD = 0.5
MAX_CANDIDATES_PER_REQUEST = 5
STRONG, LIKELY, POSSIBLE = "strong", "likely", "possible"


def strength(match_probability: float) -> str:
    """The word a caseworker sees instead of a number that looks more exact than it is."""
    if match_probability >= 0.95:
        return STRONG
    if match_probability >= 0.8:
        return LIKELY
    return POSSIBLE


@dataclass(frozen=True)
class CandidateState:
    requester_confirmed: bool
    holder_confirmed: bool
    requester_consented: bool
    holder_consented: bool
    child_concerned: bool
    verified: bool
    rejected: bool


def confirmed(state: CandidateState) -> bool:
    return state.requester_confirmed and state.holder_confirmed and not state.rejected


def may_share(state: CandidateState) -> bool:
    """Details cross between the organisations only now."""
    return (
        confirmed(state)
        and state.requester_consented
        and state.holder_consented
        and (state.verified or not state.child_concerned)
    )


def may_record_reunion(state: CandidateState, shared: bool) -> bool:
    """A child is never reunited on a score: verification is required whatever else happened."""
    return shared and may_share(state) and (state.verified or not state.child_concerned)


def is_child(birth_year: int | None, this_year: int) -> bool:
    """Under 18, or of unknown age: treated as a child (the safer mistake)."""
    return birth_year is None or this_year - birth_year < 18
