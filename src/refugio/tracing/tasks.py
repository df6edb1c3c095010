"""The tracing broker runs in the background: after a request is opened, and every night (new households
consent, new records arrive)."""

from __future__ import annotations

from django_tasks import task


@task(queue_name="reports")  # Splink can take a while: never in front of triage or duplicate checks
def search_tracing_requests() -> int:
    from refugio.tracing.services import search

    return search()
