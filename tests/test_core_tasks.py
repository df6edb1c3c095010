"""Booking background tasks (refugio.core.tasks) with the database task backend, as in production: what one
transaction asks for is booked after its commit with one query, never twice while a run is waiting, and not
at all when the transaction rolls back before anything commits."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection, transaction
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from refugio.casemanagement.tasks import schedule_daily_sweep
from refugio.core import tasks as core_tasks
from refugio.core.tasks import BATCH_DELAY, book_after_commit, book_now, book_periodic
from refugio.legal.tasks import schedule_daily_notices
from refugio.obligations.tasks import (
    REFRESH_HOUR,
    refresh_pending_obligations,
    schedule_daily_refresh,
    sweep_pending_obligations,
)
from refugio.people.tasks import check_duplicates
from refugio.triage.tasks import score_registered

DATABASE_TASKS = override_settings(
    TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "reports", "registrations"]}}
)


def _booked() -> list[str]:
    return sorted(DBTaskResult.objects.filter(status="READY").values_list("task_path", flat=True))


@pytest.fixture(autouse=True)
def nothing_pending(db: object) -> None:
    connection.__dict__.pop("refugio_bookings", None)
    core_tasks._waiting_until.clear()  # what this process remembers of runs booked by earlier tests


@DATABASE_TASKS
def test_one_transaction_books_each_task_once_with_one_query() -> None:
    with TestCase.captureOnCommitCallbacks(execute=False) as callbacks, transaction.atomic():
        for task in (check_duplicates, score_registered, refresh_pending_obligations, check_duplicates):
            book_after_commit(task)
        assert _booked() == []  # nothing before the commit
    with CaptureQueriesContext(connection) as queries:
        for callback in callbacks:
            callback()
    assert _booked() == sorted(
        [
            "refugio.obligations.tasks.refresh_pending_obligations",
            "refugio.people.tasks.check_duplicates",
            "refugio.triage.tasks.score_registered",
        ]
    )
    looked = [q for q in queries if q["sql"].startswith("SELECT") and "dbtaskresult" in q["sql"]]
    assert len(looked) == 1


@DATABASE_TASKS
def test_a_task_waiting_to_start_later_is_not_booked_again() -> None:
    check_duplicates.using(run_after=timezone.now() + dt.timedelta(seconds=30)).enqueue()
    with TestCase.captureOnCommitCallbacks(execute=True):
        book_after_commit(check_duplicates)
        book_after_commit(score_registered)
    assert _booked().count("refugio.people.tasks.check_duplicates") == 1
    assert "refugio.triage.tasks.score_registered" in _booked()


@DATABASE_TASKS
@pytest.mark.parametrize("starts_in", [None, dt.timedelta(seconds=-5), dt.timedelta(milliseconds=100)])
def test_a_run_not_yet_taken_by_a_worker_reads_what_committed_before_and_gets_no_successor(
    starts_in: dt.timedelta | None,
) -> None:
    # Due now (the worker is busy with something else), or in a moment: still waiting to be taken.
    (check_duplicates if starts_in is None else check_duplicates.using(run_after=timezone.now() + starts_in)).enqueue()
    for _ in range(3):  # registrations committing while the worker is busy
        with TestCase.captureOnCommitCallbacks(execute=True):
            book_after_commit(check_duplicates)
    assert _booked().count("refugio.people.tasks.check_duplicates") == 1


@DATABASE_TASKS
def test_a_run_already_taken_by_a_worker_gets_a_successor_for_what_commits_after_it() -> None:
    check_duplicates.enqueue()
    DBTaskResult.objects.update(status="RUNNING")  # it may have read before this transaction commits
    with TestCase.captureOnCommitCallbacks(execute=True):
        book_after_commit(check_duplicates)
    assert _booked() == ["refugio.people.tasks.check_duplicates"]


@DATABASE_TASKS
def test_a_batch_starts_a_moment_later_so_that_a_surge_is_checked_in_few_large_batches() -> None:
    before = timezone.now()
    book_now(check_duplicates)
    (booked,) = DBTaskResult.objects.filter(status="READY")
    assert before + BATCH_DELAY <= booked.run_after <= timezone.now() + BATCH_DELAY
    assert not DBTaskResult.objects.ready().exists()  # a worker polling now does not take it yet


@DATABASE_TASKS
def test_while_its_run_waits_to_start_a_process_books_without_asking_the_database(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    book_now(check_duplicates)
    with CaptureQueriesContext(connection) as queries:
        for _ in range(50):  # fifty registrations committing in the same second
            book_now(check_duplicates)
    assert len(queries) == 0
    # The run has started (a worker took it): the next registration asks again and books the next run.
    DBTaskResult.objects.update(status="RUNNING")
    later = core_tasks.time.time() + BATCH_DELAY.total_seconds()
    monkeypatch.setattr(core_tasks.time, "time", lambda: later)
    book_now(check_duplicates)
    assert _booked() == ["refugio.people.tasks.check_duplicates"]


@DATABASE_TASKS
def test_a_periodic_task_is_booked_once_however_often_it_is_asked_for() -> None:
    for _ in range(3):
        book_periodic(sweep_pending_obligations)
    assert _booked() == ["refugio.obligations.tasks.sweep_pending_obligations"]


@DATABASE_TASKS
@pytest.mark.parametrize(
    ("schedule", "path", "hour"),
    [
        (schedule_daily_notices, "refugio.legal.tasks.send_hearing_notices_daily", 7),
        (schedule_daily_sweep, "refugio.casemanagement.tasks.open_outreach_daily", 6),
        (schedule_daily_refresh, "refugio.obligations.tasks.refresh_obligation_statuses_daily", REFRESH_HOUR),
    ],
)
def test_a_daily_run_is_booked_once_for_tomorrow_morning(schedule, path: str, hour: int) -> None:
    schedule()
    schedule()
    (booked,) = DBTaskResult.objects.filter(status="READY", task_path=path)
    when = timezone.localtime(booked.run_after)
    assert when.date() == timezone.localdate() + dt.timedelta(days=1)
    assert (when.hour, when.minute) == (hour, 0)
