"""Background work of the obligations calendar: the batch that recomputes the households whose facts changed
(booked after each commit that changes one, with a sweep every minute for what a crash left pending), and the
daily refresh of statuses (upcoming → due soon → overdue move with time). Each books its own next run."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import task

from refugio.core.tasks import book_periodic, tomorrow_at

REFRESH_HOUR = 5  # local time: before the day's work starts
SWEEP_EVERY = dt.timedelta(minutes=1)


@task()
def refresh_pending_obligations() -> int:
    """Recompute every household whose facts changed (booked after the commit by signals); how many."""
    from refugio.obligations.services import refresh_pending

    return refresh_pending()


@task()
def sweep_pending_obligations() -> int:
    """The same, then again in SWEEP_EVERY: a household marked pending just before a crash, before its batch
    was booked, is still recomputed."""
    from refugio.obligations.services import refresh_pending

    try:
        return refresh_pending()
    finally:
        schedule_sweep(after=SWEEP_EVERY)


def schedule_sweep(after: dt.timedelta = dt.timedelta(0)) -> None:
    """Book the next sweep, unless one is already booked. A no-op where tasks cannot be deferred."""
    book_periodic(sweep_pending_obligations, after=after)


@task()
def refresh_obligation_statuses_daily() -> int:
    """Recompute the households whose statuses the date has changed; then tomorrow again."""
    from refugio.obligations.services import refresh_due_statuses

    refreshed = refresh_due_statuses(timezone.localdate())
    schedule_daily_refresh()
    return refreshed


def schedule_daily_refresh() -> None:
    """Book the next morning's run, unless one is already booked. A no-op where tasks cannot be deferred."""
    book_periodic(refresh_obligation_statuses_daily, at=tomorrow_at(REFRESH_HOUR))
