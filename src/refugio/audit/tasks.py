"""The sealer runs as a background task that books its own next run (`refugio manage task_worker` runs it)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import default_task_backend, task

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
    if not default_task_backend.supports_defer:
        return
    from django_tasks_db.models import DBTaskResult

    path = f"{seal_audit_log.func.__module__}.{seal_audit_log.func.__qualname__}"
    if DBTaskResult.objects.filter(task_path=path, status="READY").exists():
        return
    seal_audit_log.using(run_after=timezone.now() + after).enqueue()
