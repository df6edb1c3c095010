"""A task worker restarted after kill -9 finds the periodic tasks cut off and books them again."""

from __future__ import annotations

from django.test import override_settings
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from refugio.audit.management.commands.task_worker import recover_interrupted_tasks
from refugio.audit.tasks import seal_audit_log

PERIODIC = {
    "refugio.audit.tasks.seal_audit_log",
    "refugio.people.tasks.sweep_duplicates",
    "refugio.triage.tasks.sweep_scoring",
    "refugio.messaging.tasks.sweep_outbox",
    "refugio.disparity.tasks.monitor_disparities",
    "refugio.obligations.tasks.sweep_pending_obligations",
    "refugio.registration.tasks.sweep_accepted_registrations",
}

DATABASE_TASKS = override_settings(
    TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "reports", "registrations"]}}
)


@DATABASE_TASKS
def test_a_sealing_run_cut_off_by_a_crash_is_failed_and_every_periodic_task_booked_again(db: object) -> None:
    seal_audit_log.enqueue()
    DBTaskResult.objects.all().update(status=TaskResultStatus.RUNNING)  # the worker died in the middle

    assert recover_interrupted_tasks() == 1

    assert not DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).exists()
    booked = set(DBTaskResult.objects.filter(status=TaskResultStatus.READY).values_list("task_path", flat=True))
    assert booked >= PERIODIC


@DATABASE_TASKS
def test_the_daily_monitor_runs_on_its_own_queue_and_a_worker_recovers_only_its_queue(db: object) -> None:
    from refugio.disparity.tasks import monitor_disparities

    monitor_disparities.enqueue()
    seal_audit_log.enqueue()
    DBTaskResult.objects.all().update(status=TaskResultStatus.RUNNING)  # one task running in each worker

    assert recover_interrupted_tasks("default") == 1  # the sealing run; the report worker's task is alive
    running = DBTaskResult.objects.get(status=TaskResultStatus.RUNNING)
    assert (running.task_path, running.queue_name) == ("refugio.disparity.tasks.monitor_disparities", "reports")
