"""Duplicate flagging runs here, after the registration is stored and acknowledged, never inside the request.

Every new person starts unchecked (`duplicates_checked_at` empty). `check_duplicates` is booked when a
registration commits and checks every unchecked person, a batch at a time; `sweep_duplicates` books itself
every SWEEP_EVERY and does the same, so a person stored just before a crash is still checked. Both are
idempotent: a flag is stored once per pair, and a person is marked checked in the transaction that flags it.
"""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from refugio.core.tasks import book_periodic, next_night

SWEEP_EVERY = dt.timedelta(minutes=1)


@task()
def check_duplicates() -> int:
    """Flag likely duplicates of everyone not yet checked; the number of new flags."""
    from refugio.people.services import flag_unchecked_duplicates

    return flag_unchecked_duplicates()


@task()
def sweep_duplicates() -> int:
    """The same check, then come back in SWEEP_EVERY (also when the check failed)."""
    from refugio.people.services import flag_unchecked_duplicates

    try:
        return flag_unchecked_duplicates()
    finally:
        schedule_sweep(after=SWEEP_EVERY)


def schedule_sweep(after: dt.timedelta = dt.timedelta(0)) -> None:
    """Book the next sweep, unless one is already booked. A no-op where tasks cannot be deferred."""
    book_periodic(sweep_duplicates, after=after)


@task(queue_name="reports")  # minutes of Splink at a large register: never in front of the surge path
def search_probable_duplicates() -> int:
    """The probabilistic duplicate search over every organisation's register, then again the next night."""
    from refugio.people.services import find_probable_duplicates_everywhere

    try:
        return find_probable_duplicates_everywhere()
    finally:
        schedule_linkage()


def schedule_linkage() -> None:
    """Book the next probabilistic search for the coming night, unless one is already booked."""
    book_periodic(search_probable_duplicates, at=next_night())
