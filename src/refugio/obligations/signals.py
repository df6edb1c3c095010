"""Obligations are recomputed when their inputs change: any save or delete of a model the rules read
(hearings, people, households, moves, removal orders and motions, check-ins, agency appointments, asylum
filings) marks the household concerned as pending, in the same transaction (`PendingRefresh`), and after the
commit books the batch that recomputes every pending household (`tasks.refresh_pending_obligations`): within
seconds, never in the request, one task per batch rather than per household. Models of apps that do not exist
are skipped."""

from __future__ import annotations

import logging
from typing import Any

from django.apps import apps
from django.db.models import Model
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from refugio.core.tasks import book_after_commit

log = logging.getLogger(__name__)

# Each input model, with how to find the household of one of its rows.
INPUTS: dict[str, str] = {
    "people.Household": "pk",
    "people.Person": "household_id",
    "legal.Hearing": "household_id",
    "transport.Relocation": "household_id",
    "remedies.RemovalOrder": "household_id",
    "remedies.MotionToReopen": "order.household_id",
    "casemanagement.CheckIn": "household_id",
    "obligations.AgencyAppointment": "household_id",
    "obligations.AsylumFiling": "household_id",
}
# For households and people, saved often for other reasons (triage, duplicate checks, versions): a save naming
# its fields (`update_fields`) refreshes only if it names one the rules read.
READ_FIELDS: dict[str, frozenset[str]] = {
    "people.Household": frozenset({"current_city", "merged_into", "closed_at"}),
    "people.Person": frozenset(
        {"arrival_date", "immigration_court", "next_hearing_date", "merged_into", "household", "household_id"}
    ),
}


def _household_of(instance: Model, path: str) -> Any:  # noqa: ANN401
    value: Any = instance
    for part in path.split("."):
        try:
            value = getattr(value, part)
        except Exception:  # noqa: BLE001 - a related row already deleted: nothing to refresh
            return None
        if value is None:
            return None
    return value


def schedule_refresh(household_id: Any) -> None:  # noqa: ANN401
    """Mark the household pending in this transaction (rolled back with it) and book the batch after the
    commit, once per transaction however many households and rows it changed."""
    from refugio.obligations.models import PendingRefresh

    PendingRefresh.objects.bulk_create(
        [PendingRefresh(household_id=household_id, requested_at=timezone.now())],
        update_conflicts=True,  # pending already: a later time, so a batch that read older facts keeps the row
        unique_fields=["household_id"],
        update_fields=["requested_at"],
    )
    # In a background task, never in the request that changed the facts: a registration surge must not pay
    # for the obligations of each household inside its answer (measured: 40 % of a registration's time).
    from refugio.obligations.tasks import refresh_pending_obligations

    book_after_commit(refresh_pending_obligations)


def _changed(path: str, read_fields: frozenset[str] | None) -> Any:  # noqa: ANN401
    def receiver(sender: type[Model], instance: Model, **kwargs: Any) -> None:  # noqa: ANN401
        if kwargs.get("raw"):
            return  # loading fixtures
        named = kwargs.get("update_fields")
        if read_fields is not None and named is not None and not read_fields & set(named):
            return  # none of the fields the rules read
        household_id = _household_of(instance, path)
        if household_id is not None:
            schedule_refresh(household_id)

    return receiver


_RECEIVERS: list[Any] = []  # kept alive: signals hold weak references


def connect() -> None:
    for label, path in INPUTS.items():
        try:
            model = apps.get_model(label)
        except (LookupError, ValueError):
            log.info("obligations: no model %s, not followed", label)
            continue
        receiver = _changed(path, READ_FIELDS.get(label))
        _RECEIVERS.append(receiver)
        uid = f"obligations.refresh.{label}"
        post_save.connect(receiver, sender=model, dispatch_uid=uid + ".save")
        post_delete.connect(receiver, sender=model, dispatch_uid=uid + ".delete")
