"""A household merged into another (people.services.merge_households) is closed: plans must not schedule it.
Its appointments in plans not yet published are removed (publishing one would schedule a closed household);
an appointment in the published plan is history and stays, but is reported on the merge (audited) so the
coordinator knows the next plan places the merged household instead. The planner's input already leaves
closed households out. An undo reopens the household with its old status: the next plan places it again;
removed proposals are not restored (a plan is recomputed from its inputs)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from refugio.audit.models import Action
from refugio.audit.services import Touch, record
from refugio.people.signals import MergeMove
from refugio.planning.models import Appointment, PlanStatus

REMOVED, PUBLISHED = "planning.appointment.removed", "planning.appointment.published"
UNPUBLISHED = (PlanStatus.QUEUED, PlanStatus.RUNNING, PlanStatus.READY)


def on_merge(sender: Any, *, move: MergeMove, **kwargs: Any) -> dict[str, list[str]]:  # noqa: ANN401
    mine = Appointment.objects.filter(household_id=move.duplicate_id)
    removed = [str(pk) for pk in mine.filter(plan__status__in=UNPUBLISHED).values_list("pk", flat=True)]
    Appointment.objects.filter(pk__in=removed).delete()
    published = [
        str(pk)
        for pk in mine.filter(plan__status=PlanStatus.PUBLISHED, date__gte=timezone.localdate()).values_list(
            "pk", flat=True
        )
    ]
    record(move.actor, action=Action.DELETE, touches=[Touch("appointment", a, move.owner_id, []) for a in removed])
    record(
        move.actor,
        action=Action.UPDATE,
        touches=[Touch("appointment", a, move.owner_id, ["household_closed"]) for a in published],
    )
    return {REMOVED: removed, PUBLISHED: published}


def connect() -> None:
    from refugio.people.signals import household_merging

    household_merging.connect(on_merge, dispatch_uid="planning.merge")
