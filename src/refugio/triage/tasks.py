"""Triage of households registered on the surge path, in batches, right after they are stored.

Public registration stores a household and acknowledges it without scoring it (the scoring is ~a third of
the work of a registration). On commit it books `score_registered`, which scores every household still
without a score, newest first, a batch per transaction; `sweep_scoring` books itself every SWEEP_EVERY and
does the same, so a household stored just before a crash is still scored. Both are idempotent: a score is
stored once per household (an upsert), and rescoring a scored household changes nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django_tasks import task

from refugio.core.tasks import book_after_commit, book_periodic

SWEEP_EVERY = dt.timedelta(minutes=1)
BATCH = 500


@task()
def score_registered() -> int:
    """Score every household not yet scored; how many were."""
    from refugio.triage.services import score_unscored

    return score_unscored(batch_size=BATCH)


@task()
def sweep_scoring() -> int:
    """The same, then come back in SWEEP_EVERY (also when scoring failed)."""
    from refugio.triage.services import score_unscored

    try:
        return score_unscored(batch_size=BATCH)
    finally:
        schedule_sweep(after=SWEEP_EVERY)


def schedule_scoring(sender: Any = None, **kwargs: Any) -> None:  # noqa: ANN401
    """Book a run for after the commit, unless one is already waiting (it will score this household too).
    Connected to people's `household_registered`, sent in the registration's transaction."""
    book_after_commit(score_registered)


def schedule_sweep(after: dt.timedelta = dt.timedelta(0)) -> None:
    """Book the next sweep, unless one is already booked. A no-op where tasks cannot be deferred."""
    book_periodic(sweep_scoring, after=after)
