"""The daily refresh of obligation statuses (upcoming → due soon → overdue move with time), as a background
task that books its own next run, like the hearing notices (legal.tasks)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import default_task_backend, task

REFRESH_HOUR = 5  # local time: before the day's work starts


@task()
def refresh_household_obligations(household_id: str) -> int:
    """Recompute one household's obligations after its facts changed (booked on commit by signals)."""
    from refugio.obligations.services import refresh_obligations

    refresh_obligations(household_id)
    return 1


@task()
def refresh_obligation_statuses_daily() -> int:
    """Recompute the households whose statuses the date has changed; then tomorrow again."""
    from refugio.obligations.services import refresh_due_statuses

    refreshed = refresh_due_statuses(timezone.localdate())
    schedule_daily_refresh()
    return refreshed


def schedule_daily_refresh() -> None:
    """Book the next morning's run, unless one is already booked."""
    if not default_task_backend.supports_defer:
        return
    from django_tasks_db.models import DBTaskResult

    func = refresh_obligation_statuses_daily.func
    path = f"{func.__module__}.{func.__qualname__}"
    if DBTaskResult.objects.filter(task_path=path, status="READY").exists():
        return
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    when = dt.datetime.combine(tomorrow, dt.time(REFRESH_HOUR), tzinfo=timezone.get_current_timezone())
    refresh_obligation_statuses_daily.using(run_after=when).enqueue()
