"""The monitor runs once a day as a background task that books its own next run (`refugio manage task_worker`)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import default_task_backend, task

MONITOR_EVERY = dt.timedelta(days=1)


@task(queue_name="reports")  # its own worker: minutes of statistics must not delay the surge path
def monitor_disparities() -> int:
    """Check every organisation's waits by group, then come back in MONITOR_EVERY (also when it failed)."""
    from refugio.disparity.services import run_all_monitors

    try:
        return run_all_monitors()
    finally:
        schedule_monitor(after=MONITOR_EVERY)


def schedule_monitor(after: dt.timedelta = dt.timedelta(0)) -> None:
    """Book the next run, unless one is already booked. A no-op where tasks cannot be deferred."""
    if not default_task_backend.supports_defer:
        return
    from django_tasks_db.models import DBTaskResult

    path = f"{monitor_disparities.func.__module__}.{monitor_disparities.func.__qualname__}"
    if DBTaskResult.objects.filter(task_path=path, status="READY").exists():
        return
    monitor_disparities.using(run_after=timezone.now() + after).enqueue()
