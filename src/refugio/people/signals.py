"""What the people domain tells the domains above it, without importing them.

`household_changed` is sent by people/services.py after every write that can change what is derived from
a household (its members, their ages and vulnerabilities, whether a vulnerability is confirmed), inside the
write's transaction, with `household_id`. Receivers run in that transaction: what they store commits or
rolls back with the write. Triage connects to it (triage/apps.py) to rescore the household."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from django.dispatch import Signal

household_changed = Signal()  # keyword argument: household_id


def send_household_changed(household_id: Any) -> None:  # noqa: ANN401
    household_changed.send(sender=None, household_id=household_id)


# Sent in the transaction that stores public registrations (insert_self_registered), per household,
# with `household_id`: instead of deriving in the registration's transaction, a receiver books a batch run
# for after the commit (refugio.core.tasks.book_after_commit), as triage does.
household_registered = Signal()


def send_household_registered(household_id: Any) -> None:  # noqa: ANN401
    household_registered.send(sender=None, household_id=household_id)


# Merging duplicate households (people.services.merge_households / unmerge_households). People cannot move the
# rows of the apps above it (legal, planning, escalations), so each of those apps connects a receiver that
# moves its own rows, in the merge's transaction. Receivers must not catch errors: a failure rolls back the
# whole merge (they are called with `send`, not `send_robust`).


@dataclass(frozen=True)
class MergeMove:
    """What a receiver needs to move its rows: from the duplicate household to the surviving one, and from
    the collapsed person (the duplicate record of the same person) to the surviving person. The ids are
    strings, as stored in HouseholdMerge."""

    actor: Any
    survivor_id: str
    duplicate_id: str
    surviving_person_id: str
    collapsed_person_id: str
    owner_id: int


# Merge: kwargs move=MergeMove. Each receiver moves its rows and returns {kind: [ids moved]}, kind prefixed
# with its app ("legal.hearing"); people stores these in HouseholdMerge.moved.
household_merging = Signal()
# Before an undo: kwargs move=MergeMove, moved={kind: [ids]}. Each receiver returns a list of sentences,
# one for each of its moved rows that changed since so that moving it back would be a guess (empty if none).
household_unmerge_problems = Signal()
# Undo: kwargs move=MergeMove, moved={kind: [ids]}. Each receiver moves back exactly its ids.
household_unmerging = Signal()


def send_household_merging(move: MergeMove) -> dict[str, list[str]]:
    moved: dict[str, list[str]] = {}
    for _receiver, answer in household_merging.send(sender=None, move=move):
        moved.update(cast(dict[str, list[str]], answer or {}))
    return moved


def unmerge_problems(move: MergeMove, moved: dict[str, list[str]]) -> list[str]:
    problems: list[str] = []
    for _receiver, answer in household_unmerge_problems.send(sender=None, move=move, moved=moved):
        problems.extend(cast(list[str], answer or []))
    return problems


def send_household_unmerging(move: MergeMove, moved: dict[str, list[str]]) -> None:
    household_unmerging.send(sender=None, move=move, moved=moved)
