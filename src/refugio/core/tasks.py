"""Booking background tasks (django-tasks) the way every app of Refugio needs it, in one place.

- `book_after_commit(task)`: a batch task that must run once the current transaction has committed (the
  duplicate check, triage and obligations after a registration). It is booked unless a run of it is already
  waiting to start a moment from now (that run will see this transaction's rows too), and every task asked for by one
  transaction is checked with a single query after the commit: a registration surge pays one statement, not
  one a task (and none while this process knows of a run waiting to start later).
- `book_now(*tasks)`: the same at once (outside a transaction, or from a worker).
- `book_periodic(task, at=...)`: the next run of a task that books its own next run (sweeps, daily jobs),
  unless one is booked already, so that restarting workers never doubles them. Long daily reports (the
  disparity monitor, the probabilistic duplicate and tracing searches) run at `next_night()`, never at once
  when a worker starts: a worker restarted during a registration surge must not spend the machine on them.

Where tasks run at once (the test settings' immediate backend) there is nothing to wait for: `book_*`
runs the task, and `book_periodic` does nothing (a periodic task would book itself forever).

A batch task is booked to start BATCH_DELAY after it is asked for, not at once: during a surge one run then
takes a second's worth of registrations in one batch (a tenth of the work of many small runs), and each
server process remembers until when the run it booked or saw waiting will not have started, so it asks the
database again only once that moment has passed. Whatever commits before a run is taken by a worker is in
its batch, so while a run waits (also when it is due and the worker is busy) nothing more is booked; what
commits while it runs books the next one; the sweeps catch anything a clock skew between hosts let through.
"""

from __future__ import annotations

import datetime as dt
import functools
import time
from typing import Any

from django.db import transaction
from django.utils import timezone
from django_tasks import default_task_backend

Task = Any  # a django_tasks Task; typed loosely because its generic parameters differ per task


def task_path(task: Task) -> str:
    func = task.func
    return f"{func.__module__}.{func.__qualname__}"


BATCH_DELAY = dt.timedelta(seconds=1)
# Until when (time.time()) a run of each task is known to be waiting, in this process. Less this margin: the run
# must not have started when something that relies on it commits.
_waiting_until: dict[str, float] = {}
MARGIN_SECONDS = 0.25


def book_now(*tasks: Task) -> None:
    """Make sure a run of each task starts after what the caller committed: book one to start BATCH_DELAY from
    now unless one is still waiting to be taken by a worker (status READY when asked: it will read what was
    committed before). One query for all of them, none while this process knows of a run that starts later.
    Called after the caller's commit (book_after_commit, or outside a transaction); a run that is due may be
    taken at any moment, so the process asks the database again next time instead of remembering it."""
    now = time.time()
    unique = {task_path(t): t for t in tasks if _waiting_until.get(task_path(t), 0.0) - MARGIN_SECONDS <= now}
    if not unique:
        return
    if not default_task_backend.supports_defer:
        for task in unique.values():
            task.enqueue()
        return
    from django_tasks_db.models import DBTaskResult

    waiting: dict[str, float] = {}  # task -> when its last run still waiting to be taken starts
    for path, run_after in DBTaskResult.objects.filter(status="READY", task_path__in=list(unique)).values_list(
        "task_path", "run_after"
    ):
        # The largest date there is means "as soon as possible": due now.
        starts = run_after.timestamp() if run_after.year < dt.MAXYEAR else now
        waiting[path] = max(starts, waiting.get(path, 0.0))
    start = timezone.now() + BATCH_DELAY
    for path, task in unique.items():
        if path in waiting:
            # Booking another would be a run with nothing to do: a busy worker would meet dozens of them.
            _waiting_until[path] = waiting[path]
        else:
            task.using(run_after=start).enqueue()
            _waiting_until[path] = start.timestamp()


def book_after_commit(task: Task) -> None:
    """Book `task` after the current transaction commits (at once outside one). The tasks asked for by one
    transaction wait on its connection; the first of its callbacks to run books them all with one query, the
    others find nothing left. (A task asked for by a transaction that rolled back is booked with the next
    commit: one extra run of an idempotent batch, nothing worse.) A failing booking is logged and never undoes
    nor fails the transaction that asked for it: every such task has a sweep that catches up."""
    connection = transaction.get_connection()
    pending: dict[str, Task] = connection.__dict__.setdefault("refugio_bookings", {})
    pending[task_path(task)] = task
    callback = functools.partial(_book_pending, connection)
    callback.books = task  # type: ignore[attr-defined]  # for a look in tests
    transaction.on_commit(callback, robust=True)


def _book_pending(connection: Any) -> None:  # noqa: ANN401
    pending: dict[str, Task] = connection.__dict__.get("refugio_bookings", {})
    if not pending:
        return
    tasks = list(pending.values())
    pending.clear()
    book_now(*tasks)


def book_periodic(task: Task, *, at: dt.datetime | None = None, after: dt.timedelta | None = None) -> None:
    """Book the next run of a self-booking task at `at` (or `after` from now, or now), unless one is booked.
    A no-op where tasks cannot be deferred."""
    if not default_task_backend.supports_defer:
        return
    from django_tasks_db.models import DBTaskResult

    if DBTaskResult.objects.filter(task_path=task_path(task), status="READY").exists():
        return
    when = at if at is not None else timezone.now() + (after or dt.timedelta(0))
    task.using(run_after=when).enqueue()


NIGHT_HOUR = 3  # local time: the long daily reports run when nobody registers


def tomorrow_at(hour: int) -> dt.datetime:
    """Tomorrow at `hour`:00 in the server's time zone (a daily run books the next day's when it finishes)."""
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    return dt.datetime.combine(tomorrow, dt.time(hour), tzinfo=timezone.get_current_timezone())


def next_night(hour: int = NIGHT_HOUR) -> dt.datetime:
    """The next `hour`:00 in the server's time zone (today's if it is still to come, else tomorrow's)."""
    now = timezone.localtime()
    night = now.replace(hour=hour, minute=0, second=0, microsecond=0)
    return night if night > now else night + dt.timedelta(days=1)
