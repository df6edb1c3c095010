"""`refugio manage task_worker`: the background worker as `refugio serve --task-worker` starts it.

There is one task worker per database (the supervisor's). A task still marked running when it starts was cut
off by a crash (kill -9, power loss): it will never finish, and the periodic tasks that book their own next
run (audit sealing, the sweeps of accepted registrations, duplicates, triage, obligations and the outbox, the
disparity monitor) would never run again.
So, before working: mark those tasks failed, book every periodic task anew, then run django-tasks' worker.
"""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from refugio.audit.tasks import schedule_sealing
from refugio.casemanagement.tasks import schedule_daily_sweep as schedule_missed_check_ins
from refugio.disparity.tasks import schedule_monitor
from refugio.messaging.tasks import schedule_sweep as schedule_outbox_sweep
from refugio.obligations.tasks import schedule_daily_refresh as schedule_obligation_statuses
from refugio.obligations.tasks import schedule_sweep as schedule_obligations_sweep
from refugio.people.tasks import schedule_linkage
from refugio.people.tasks import schedule_sweep as schedule_duplicate_sweep
from refugio.registration.tasks import schedule_sweep as schedule_registration_sweep
from refugio.tracing.tasks import schedule_nightly_search
from refugio.triage.tasks import schedule_sweep as schedule_scoring_sweep


def recover_interrupted_tasks(queue_name: str = "default") -> int:
    """Mark this queue's tasks cut off by a crash failed and book the periodic tasks; how many were cut off.
    One worker per queue: another queue's running task belongs to a worker that is alive."""
    cut_off = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING, queue_name=queue_name).update(
        status=TaskResultStatus.FAILED, finished_at=timezone.now()
    )
    periodic = (
        schedule_sealing,
        schedule_registration_sweep,
        schedule_duplicate_sweep,
        schedule_scoring_sweep,
        schedule_outbox_sweep,
        schedule_monitor,
        schedule_linkage,
        schedule_nightly_search,
        schedule_missed_check_ins,
        schedule_obligation_statuses,
        schedule_obligations_sweep,
    )
    for book in periodic:
        book()
    return cut_off


class Command(BaseCommand):
    help = "Recover tasks cut off by a crash, book the periodic tasks, then run the database task worker."

    def add_arguments(self, parser: Any) -> None:  # noqa: ANN401
        parser.add_argument("--batch", action="store_true", help="run what is ready, then stop (tests, cron)")
        parser.add_argument("--queue-name", default="default", help="the queue this worker runs (one worker each)")

    def handle(self, *args: Any, **options: Any) -> None:  # noqa: ANN401
        cut_off = recover_interrupted_tasks(options["queue_name"])
        if cut_off:
            self.stderr.write(f"{cut_off} task(s) cut off by a crash marked failed; periodic tasks booked again")
        call_command("db_worker", "--queue-name", options["queue_name"], *(["--batch"] if options["batch"] else []))
