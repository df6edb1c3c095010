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
from refugio.core.tasks import book_after_commit, book_periodic
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
    TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "reports"]}}
)


def _booked() -> list[str]:
    return sorted(DBTaskResult.objects.filter(status="READY").values_list("task_path", flat=True))


@pytest.fixture(autouse=True)
def nothing_pending(db: object) -> None:
    connection.__dict__.pop("refugio_bookings", None)


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
def test_a_task_already_waiting_is_not_booked_again() -> None:
    check_duplicates.enqueue()
    with TestCase.captureOnCommitCallbacks(execute=True):
        book_after_commit(check_duplicates)
        book_after_commit(score_registered)
    assert _booked().count("refugio.people.tasks.check_duplicates") == 1
    assert "refugio.triage.tasks.score_registered" in _booked()


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
