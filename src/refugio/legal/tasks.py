"""The daily hearing notices run as a background task that books its own next run."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import default_task_backend, task

NOTICE_HOUR = 7  # local time: reminders arrive in the morning


@task()
def send_hearing_notices_daily() -> int:
    """Reminders at 30, 7 and 1 days and alerts for uncovered hearings 14 days out; then tomorrow again.
    Sending twice is harmless: each notice is recorded once (NoticeSent)."""
    from refugio.legal.services import send_hearing_notices

    sent = send_hearing_notices(timezone.localdate())
    schedule_daily_notices()
    return sent


def schedule_daily_notices() -> None:
    """Book the next morning's run, unless one is already booked."""
    if not default_task_backend.supports_defer:
        return
    from django_tasks_db.models import DBTaskResult

    path = f"{send_hearing_notices_daily.func.__module__}.{send_hearing_notices_daily.func.__qualname__}"
    if DBTaskResult.objects.filter(task_path=path, status="READY").exists():
        return
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    when = dt.datetime.combine(tomorrow, dt.time(NOTICE_HOUR), tzinfo=timezone.get_current_timezone())
    send_hearing_notices_daily.using(run_after=when).enqueue()
