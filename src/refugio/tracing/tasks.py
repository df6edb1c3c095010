"""The tracing broker runs in the background: after a request is opened, and every night (new households
consent, new records arrive)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import default_task_backend, task

SEARCH_EVERY = dt.timedelta(days=1)


@task(queue_name="reports")  # Splink can take a while: never in front of triage or duplicate checks
def search_tracing_requests() -> int:
    from refugio.tracing.services import search

    return search()


@task(queue_name="reports")
def nightly_tracing_search() -> int:
    """Every open request against the pool as it is now, then again in SEARCH_EVERY."""
    from refugio.tracing.services import search

    try:
        return search()
    finally:
        schedule_nightly_search(after=SEARCH_EVERY)


def schedule_nightly_search(after: dt.timedelta = dt.timedelta(0)) -> None:
    if not default_task_backend.supports_defer:
        return
    from django_tasks_db.models import DBTaskResult

    func = nightly_tracing_search.func
    if DBTaskResult.objects.filter(task_path=f"{func.__module__}.{func.__qualname__}", status="READY").exists():
        return
    nightly_tracing_search.using(run_after=timezone.now() + after).enqueue()
