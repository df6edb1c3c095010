"""When two households turn out to be the same people (people.services.merge_households), their agency
appointments and asylum filings follow the people to the surviving household, and back on an undo; both
households' obligations are recomputed after the commit (the moves of every app are bulk updates, which send
no save signal). Connected in obligations/apps.py."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from refugio.audit.models import Action
from refugio.audit.services import Touch, record
from refugio.obligations.models import AgencyAppointment, AsylumFiling
from refugio.obligations.signals import schedule_refresh
from refugio.people.signals import MergeMove

MODELS: dict[str, type[AgencyAppointment] | type[AsylumFiling]] = {
    "obligations.agency_appointment": AgencyAppointment,
    "obligations.asylum_filing": AsylumFiling,
}


def _refresh_both(move: MergeMove) -> None:
    schedule_refresh(move.survivor_id)
    schedule_refresh(move.duplicate_id)


def on_merge(sender: Any, *, move: MergeMove, **kwargs: Any) -> dict[str, list[str]]:  # noqa: ANN401
    moved: dict[str, list[str]] = {}
    for kind, model in MODELS.items():
        rows = model.objects.filter(household_id=move.duplicate_id)
        ids = [str(pk) for pk in rows.values_list("pk", flat=True)]
        model.objects.filter(pk__in=ids).update(household_id=move.survivor_id)
        model.objects.filter(pk__in=ids, person_id=move.collapsed_person_id).update(person_id=move.surviving_person_id)
        moved[kind] = ids
    _audit(move, moved)
    _refresh_both(move)
    return moved


def unmerge_problems(sender: Any, *, move: MergeMove, moved: dict[str, list[str]], **kwargs: Any) -> list[str]:  # noqa: ANN401
    problems = []
    for kind, model in MODELS.items():
        ids = moved.get(kind, [])
        if model.objects.filter(pk__in=ids, household_id=move.survivor_id).count() != len(ids):
            problems.append(_("A moved agency appointment or asylum filing is no longer with the surviving household."))
    return problems


def on_unmerge(sender: Any, *, move: MergeMove, moved: dict[str, list[str]], **kwargs: Any) -> None:  # noqa: ANN401
    for kind, model in MODELS.items():
        ids = moved.get(kind, [])
        model.objects.filter(pk__in=ids).update(household_id=move.duplicate_id)
        model.objects.filter(pk__in=ids, person_id=move.surviving_person_id).update(person_id=move.collapsed_person_id)
    _audit(move, {kind: moved.get(kind, []) for kind in MODELS})  # `moved` holds every app's kinds
    _refresh_both(move)


def _audit(move: MergeMove, moved: dict[str, list[str]]) -> None:
    record(
        move.actor,
        action=Action.UPDATE,
        touches=[
            Touch(kind.split(".", 1)[1], pk, move.owner_id, ["household"]) for kind, ids in moved.items() for pk in ids
        ],
    )


def connect() -> None:
    from refugio.people.signals import household_merging, household_unmerge_problems, household_unmerging

    household_merging.connect(on_merge, dispatch_uid="obligations.merge")
    household_unmerge_problems.connect(unmerge_problems, dispatch_uid="obligations.unmerge_problems")
    household_unmerging.connect(on_unmerge, dispatch_uid="obligations.unmerge")
