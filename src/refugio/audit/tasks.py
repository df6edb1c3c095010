"""The sealer runs as a background task that books its own next run (`refugio manage task_worker` runs it)."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from refugio.core.tasks import book_periodic

SEAL_EVERY = dt.timedelta(seconds=10)


@task()
def seal_audit_log() -> int:
    """Seal what was recorded since the last run, then come back in SEAL_EVERY (also when sealing failed)."""
    from refugio.audit.services import seal

    try:
        return seal().sealed
    finally:
        schedule_sealing(after=SEAL_EVERY)


def schedule_sealing(after: dt.timedelta = dt.timedelta(0)) -> None:
    """Book the next sealing run, unless one is already booked. A no-op where tasks cannot be deferred."""
    book_periodic(seal_audit_log, after=after)
