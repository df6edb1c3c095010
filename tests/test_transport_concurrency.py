"""The last seat is sold once, however many people book it at the same moment (SQLite and PostgreSQL).

SQLite's in-memory test database shares one cache between threads and answers "table is locked" instead of
waiting, which is not how Refugio runs: the SQLite race runs in a subprocess on a database file, with the
production settings (WAL, BEGIN IMMEDIATE, busy timeout)."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.db import close_old_connections, connection
from django.utils import timezone

from refugio.accounts.models import Organisation, Role
from refugio.audit.services import Actor
from refugio.core.errors import Conflict
from refugio.people.models import Household
from refugio.transport import services
from refugio.transport.models import Ticket, Trip

from .conftest import make_user, new_household, pg_only

THREADS = 6


def _race(seats: int) -> tuple[Trip, list[object]]:
    org = Organisation.objects.create(name="Race Shelter", kind="shelter")
    user: User = make_user("race-caseworker", org, Role.CASEWORKER)
    households: list[Household] = [new_household(user, org) for _ in range(THREADS)]
    trip = services.create_trip(
        Actor(user, "system"),
        organisation_id=org.id,
        data={
            "mode": "bus",
            "from_place": "San Ysidro",
            "to_place": "Tijuana",
            "departs_at": timezone.now() + dt.timedelta(days=3),
            "seats": seats,
        },
    )
    barrier = threading.Barrier(THREADS)
    outcomes: list[object] = []
    lock = threading.Lock()

    def book(household: Household) -> None:
        try:
            barrier.wait(timeout=30)
            ticket = services.book_ticket(Actor(user, "system"), trip_id=trip.id, household_id=household.id, seats=1)
            outcome: object = ticket.id
        except Conflict as exc:
            outcome = exc.code
        except Exception as exc:  # noqa: BLE001 - reported in the assertion below
            outcome = repr(exc)
        finally:
            close_old_connections()
            connection.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=book, args=(h,)) for h in households]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return trip, outcomes


def _check(trip: Trip, outcomes: list[object], seats: int) -> None:
    _check_outcomes(outcomes, Ticket.objects.filter(trip=trip, status="booked").count(), seats)


# Run in a fresh interpreter on a SQLite file: migrate, race, print the outcomes as JSON.
RACE_SCRIPT = """
import json, sys
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from tests.test_transport_concurrency import _race
from refugio.transport.models import Ticket
trip, outcomes = _race(seats=int(sys.argv[1]))
print(json.dumps({"outcomes": outcomes, "booked": Ticket.objects.filter(trip=trip, status="booked").count()}))
"""


def _race_on_sqlite_file(tmp_path: Path, seats: int) -> tuple[list[object], int]:
    environment = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REFUGIO_MODE"}}
    environment.update(
        {
            "DJANGO_SETTINGS_MODULE": "refugio.settings_test",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'race.sqlite3'}",
            "REFUGIO_HOME": str(tmp_path),
        }
    )
    done = subprocess.run(
        [sys.executable, "-c", RACE_SCRIPT, str(seats)],
        capture_output=True,
        text=True,
        env=environment,
        timeout=300,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    return answer["outcomes"], answer["booked"]


def _check_outcomes(outcomes: list[object], booked: int, seats: int) -> None:
    sold = [o for o in outcomes if isinstance(o, int)]
    refused = [o for o in outcomes if o == "no_seat_free"]
    assert len(outcomes) == THREADS
    assert len(sold) == seats, outcomes
    assert len(refused) == THREADS - seats, outcomes
    assert booked == seats


@pytest.mark.slow
def test_concurrent_bookings_sell_the_last_seat_once_on_sqlite(tmp_path: Path) -> None:
    outcomes, booked = _race_on_sqlite_file(tmp_path, seats=1)
    _check_outcomes(outcomes, booked, seats=1)


@pytest.mark.slow
def test_concurrent_bookings_fill_the_trip_exactly_on_sqlite(tmp_path: Path) -> None:
    outcomes, booked = _race_on_sqlite_file(tmp_path, seats=3)
    _check_outcomes(outcomes, booked, seats=3)


@pg_only()
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_bookings_sell_the_last_seat_once_on_postgres() -> None:
    trip, outcomes = _race(seats=1)
    _check(trip, outcomes, seats=1)
