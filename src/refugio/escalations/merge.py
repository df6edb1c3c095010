"""When two households turn out to be the same people (people.services.merge_households), their escalations
follow the people to the surviving household, and back on an undo (connected in escalations/apps.py)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from refugio.audit.models import Action
from refugio.audit.services import Touch, record
from refugio.escalations.models import Escalation
from refugio.people.signals import MergeMove

ESCALATION, ESCALATION_PERSON = "escalations.escalation", "escalations.escalation.person"


def on_merge(sender: Any, *, move: MergeMove, **kwargs: Any) -> dict[str, list[str]]:  # noqa: ANN401
    escalations = [
        str(pk) for pk in Escalation.objects.filter(household_id=move.duplicate_id).values_list("pk", flat=True)
    ]
    Escalation.objects.filter(pk__in=escalations).update(household_id=move.survivor_id)
    people = [
        str(pk) for pk in Escalation.objects.filter(person_id=move.collapsed_person_id).values_list("pk", flat=True)
    ]
    Escalation.objects.filter(pk__in=people).update(person_id=move.surviving_person_id)
    _audit(move, escalations)
    return {ESCALATION: escalations, ESCALATION_PERSON: people}


def unmerge_problems(sender: Any, *, move: MergeMove, moved: dict[str, list[str]], **kwargs: Any) -> list[str]:  # noqa: ANN401
    ids = moved.get(ESCALATION, [])
    if Escalation.objects.filter(pk__in=ids, household_id=move.survivor_id).count() != len(ids):
        return [_("A moved escalation is no longer with the surviving household.")]
    return []


def on_unmerge(sender: Any, *, move: MergeMove, moved: dict[str, list[str]], **kwargs: Any) -> None:  # noqa: ANN401
    Escalation.objects.filter(pk__in=moved.get(ESCALATION, [])).update(household_id=move.duplicate_id)
    Escalation.objects.filter(pk__in=moved.get(ESCALATION_PERSON, []), person_id=move.surviving_person_id).update(
        person_id=move.collapsed_person_id
    )
    _audit(move, moved.get(ESCALATION, []))


def _audit(move: MergeMove, escalations: list[str]) -> None:
    record(
        move.actor,
        action=Action.UPDATE,
        touches=[Touch("escalation", e, move.owner_id, ["household"]) for e in escalations],
    )


def connect() -> None:
    from refugio.people.signals import household_merging, household_unmerge_problems, household_unmerging

    household_merging.connect(on_merge, dispatch_uid="escalations.merge")
    household_unmerge_problems.connect(unmerge_problems, dispatch_uid="escalations.unmerge_problems")
    household_unmerging.connect(on_unmerge, dispatch_uid="escalations.unmerge")
