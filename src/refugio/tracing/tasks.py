"""The tracing broker runs in the background: after a request is opened, and every night (new households
consent, new records arrive)."""

from __future__ import annotations

from django_tasks import task

from refugio.core.tasks import book_periodic, next_night


@task(queue_name="reports")  # Splink can take a while: never in front of triage or duplicate checks
def search_tracing_requests() -> int:
    from refugio.tracing.services import search

    return search()


@task(queue_name="reports")
def nightly_tracing_search() -> int:
    """Every open request against the pool as it is now, then again the next night."""
    from refugio.tracing.services import search

    try:
        return search()
    finally:
        schedule_nightly_search()


def schedule_nightly_search() -> None:
    """Book the next search for the coming night, unless one is already booked."""
    book_periodic(nightly_tracing_search, at=next_night())
