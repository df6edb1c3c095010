"""The daily missed check-in sweep runs as a background task that books its own next run."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import default_task_backend, task

SWEEP_HOUR = 6  # local time: outreach is waiting on the caseworker's list in the morning


@task()
def open_outreach_daily() -> int:
    """Mark check-ins missed past their grace day and open outreach for each (once); then tomorrow again."""
    from refugio.casemanagement.services import mark_missed_check_ins

    opened = mark_missed_check_ins(timezone.localdate())
    schedule_daily_sweep()
    return opened


def schedule_daily_sweep() -> None:
    """Book the next morning's run, unless one is already booked. A no-op where tasks cannot be deferred."""
    if not default_task_backend.supports_defer:
        return
    from django_tasks_db.models import DBTaskResult

    path = f"{open_outreach_daily.func.__module__}.{open_outreach_daily.func.__qualname__}"
    if DBTaskResult.objects.filter(task_path=path, status="READY").exists():
        return
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    when = dt.datetime.combine(tomorrow, dt.time(SWEEP_HOUR), tzinfo=timezone.get_current_timezone())
    open_outreach_daily.using(run_after=when).enqueue()
