"""When two households turn out to be the same people (people.services.merge_households), their hearings and
representations follow the people to the surviving household, and back on an undo. People cannot import
legal, so it sends people.signals and this module answers (connected in legal/apps.py)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from refugio.audit.models import Action
from refugio.audit.services import Touch, record
from refugio.legal.models import OPEN_REPRESENTATION, Hearing, Representation
from refugio.people.signals import MergeMove

HEARING, HEARING_PERSON, REPRESENTATION = "legal.hearing", "legal.hearing.person", "legal.representation"


def on_merge(sender: Any, *, move: MergeMove, **kwargs: Any) -> dict[str, list[str]]:  # noqa: ANN401
    hearings = [str(pk) for pk in Hearing.objects.filter(household_id=move.duplicate_id).values_list("pk", flat=True)]
    Hearing.objects.filter(pk__in=hearings).update(household_id=move.survivor_id)
    hearing_people = [
        str(pk) for pk in Hearing.objects.filter(person_id=move.collapsed_person_id).values_list("pk", flat=True)
    ]
    Hearing.objects.filter(pk__in=hearing_people).update(person_id=move.surviving_person_id)
    # One open representation per household and representative: an open one the surviving household already
    # has with the same representative stays with the closed household (and is not moved back, or lost).
    taken = set(
        Representation.objects.filter(household_id=move.survivor_id, status__in=OPEN_REPRESENTATION).values_list(
            "representative_id", flat=True
        )
    )
    representations = [
        str(r.pk)
        for r in Representation.objects.filter(household_id=move.duplicate_id)
        if not (r.status in OPEN_REPRESENTATION and r.representative_id in taken)
    ]
    Representation.objects.filter(pk__in=representations).update(household_id=move.survivor_id)
    _audit(move, hearings, representations)
    return {HEARING: hearings, HEARING_PERSON: hearing_people, REPRESENTATION: representations}


def unmerge_problems(sender: Any, *, move: MergeMove, moved: dict[str, list[str]], **kwargs: Any) -> list[str]:  # noqa: ANN401
    problems = []
    if Hearing.objects.filter(pk__in=moved.get(HEARING, []), household_id=move.survivor_id).count() != len(
        moved.get(HEARING, [])
    ):
        problems.append(_("A moved hearing is no longer with the surviving household."))
    if Representation.objects.filter(
        pk__in=moved.get(REPRESENTATION, []), household_id=move.survivor_id
    ).count() != len(moved.get(REPRESENTATION, [])):
        problems.append(_("A moved representation is no longer with the surviving household."))
    return problems


def on_unmerge(sender: Any, *, move: MergeMove, moved: dict[str, list[str]], **kwargs: Any) -> None:  # noqa: ANN401
    Hearing.objects.filter(pk__in=moved.get(HEARING, [])).update(household_id=move.duplicate_id)
    Hearing.objects.filter(pk__in=moved.get(HEARING_PERSON, []), person_id=move.surviving_person_id).update(
        person_id=move.collapsed_person_id
    )
    Representation.objects.filter(pk__in=moved.get(REPRESENTATION, [])).update(household_id=move.duplicate_id)
    _audit(move, moved.get(HEARING, []), moved.get(REPRESENTATION, []))


def _audit(move: MergeMove, hearings: list[str], representations: list[str]) -> None:
    record(
        move.actor,
        action=Action.UPDATE,
        touches=[Touch("hearing", h, move.owner_id, ["household"]) for h in hearings]
        + [Touch("representation", r, move.owner_id, ["household"]) for r in representations],
    )


def connect() -> None:
    from refugio.people.signals import household_merging, household_unmerge_problems, household_unmerging

    household_merging.connect(on_merge, dispatch_uid="legal.merge")
    household_unmerge_problems.connect(unmerge_problems, dispatch_uid="legal.unmerge_problems")
    household_unmerging.connect(on_unmerge, dispatch_uid="legal.unmerge")
