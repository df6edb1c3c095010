"""Public registrations are acknowledged when accepted (registration.services.register) and stored as households
here, a batch at a time, right after: `store_accepted_registrations` is booked by the registration, and
`sweep_accepted_registrations` books itself every SWEEP_EVERY, so a registration accepted just before a crash
is still stored. Both are idempotent (registration.services.store_accepted). They have their own queue and
worker (QUEUE): storing what was acknowledged never waits behind a duplicate check or a report, and the two
workers use both cores."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from refugio.core.tasks import book_periodic

SWEEP_EVERY = dt.timedelta(minutes=1)
QUEUE = "registrations"


@task(queue_name=QUEUE)
def store_accepted_registrations() -> int:
    """Store every accepted registration not yet stored; how many were stored."""
    from refugio.registration.services import store_accepted

    return store_accepted()


@task(queue_name=QUEUE)
def sweep_accepted_registrations() -> int:
    """The same, then come back in SWEEP_EVERY (also when storing failed)."""
    from refugio.registration.services import store_accepted

    try:
        return store_accepted()
    finally:
        schedule_sweep(after=SWEEP_EVERY)


def schedule_sweep(after: dt.timedelta = dt.timedelta(0)) -> None:
    """Book the next sweep, unless one is already booked. A no-op where tasks cannot be deferred."""
    book_periodic(sweep_accepted_registrations, after=after)
