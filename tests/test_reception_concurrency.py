"""The last bed is given once: 20 requests for it at the same moment, each on its own database connection,
get exactly one 201 and nineteen 409s.

On SQLite the test database lives in memory (shared cache), where a second writer fails at once instead of
waiting; the requests therefore run against a file copy of it (WAL, busy timeout, BEGIN IMMEDIATE, as in
production). On PostgreSQL they run against the test database itself, where the shelter's capacity row is
locked with SELECT … FOR UPDATE."""

from __future__ import annotations

import contextlib
import datetime as dt
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection, connections
from django.test import Client
from django.utils import timezone

from refugio.accounts.models import Membership, Organisation, Role
from refugio.accounts.services import create_api_token
from refugio.audit.services import Actor
from refugio.reception import services

from .conftest import make_user, new_household, pg_only

N = 20


@contextlib.contextmanager
def _shared_database(tmp_path: Path) -> Iterator[str | None]:
    """Connections opened by other threads inside the block see the test data: on SQLite a file copy of
    the in-memory test database (its path is yielded), on PostgreSQL the test database (None)."""
    if connection.vendor != "sqlite":
        yield None
        return
    connection.ensure_connection()
    path = tmp_path / "concurrent.sqlite3"
    target = sqlite3.connect(path)
    connection.connection.backup(target)
    target.close()
    original = connections.settings["default"]
    connections.settings["default"] = {**original, "NAME": str(path)}
    try:
        yield str(path)
    finally:
        connections.settings["default"] = original


def _twenty_for_the_last_bed(tmp_path: Path) -> None:
    org = Organisation.objects.create(name="Concurrent Shelter", kind="shelter")
    admin = make_user("concurrent-admin", org, Role.ORG_ADMIN)
    worker = make_user("concurrent-worker", org, Role.CASEWORKER)
    shelter = services.create_shelter(
        Actor(admin, "system"),
        organisation_id=org.id,
        data={"name": "Última Cama", "city": "Tijuana", "address": "Calle 1"},
        beds={"general": 1},
    )
    households = [new_household(worker, org) for _ in range(N)]
    token = create_api_token(worker)
    today = timezone.localdate()
    body = {
        "shelter_id": shelter.id,
        "bed_type": "general",
        "starts_on": today.isoformat(),
        "ends_on": (today + dt.timedelta(days=2)).isoformat(),
        "beds": 1,
    }
    statuses: list[int] = []
    errors: list[BaseException] = []
    start = threading.Barrier(N)

    def ask(household_id: object) -> None:
        try:
            client = Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_ACCEPT_LANGUAGE="en")
            start.wait(30)
            answer = client.post(f"/api/v1/households/{household_id}/placements", body, content_type="application/json")
            statuses.append(answer.status_code)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connections.close_all()

    with _shared_database(tmp_path) as copy:
        threads = [threading.Thread(target=ask, args=(h.id,)) for h in households]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
    assert not errors, errors
    assert sorted(statuses) == [201] + [409] * (N - 1), statuses
    if copy is not None:
        with contextlib.closing(sqlite3.connect(copy)) as db:
            held = db.execute("SELECT count(*) FROM reception_placement WHERE status = 'planned'").fetchone()[0]
    else:
        from refugio.reception.models import Placement

        held = Placement.objects.filter(shelter=shelter).count()
    assert held == 1
    assert Membership.objects.filter(user=worker).exists()


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_placements_for_the_last_bed_give_exactly_one_201(tmp_path: Path) -> None:
    _twenty_for_the_last_bed(tmp_path)


@pg_only()
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_placements_for_the_last_bed_on_postgresql(tmp_path: Path) -> None:
    """The same on PostgreSQL, where the capacity row's FOR UPDATE lock is what serialises the requests."""
    _twenty_for_the_last_bed(tmp_path)
