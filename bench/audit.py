"""Benchmark: the audit log on this machine's PostgreSQL (prints JSON).

    .venv/bin/python bench/audit.py [--database refugio_audit_bench] [--writers 16] [--seconds 10]
                                    [--hold-ms 0 20] [--verify-events 1000000]

Recreates the database, migrates it, then measures:
- appends: events/s recorded through `record()` by W writer processes, each in its own connection and
  its own transaction per event; `--hold-ms` keeps each transaction open that much longer after
  recording (the rest of a request), which is what a lock held until COMMIT multiplies;
- sealing: events/s placed into the Merkle tree and signed (`seal()`), over N generated events;
- verification: seconds for `verify_log()` over those N events, and 10M extrapolated linearly
  (labelled as such: not measured).
Runs against older code too (then it measures `verify_chain()`): put that code first on PYTHONPATH.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing
import os
import platform
import time
from typing import Any

PG = "postgresql://postgres@127.0.0.1:5432"


def _django(database: str) -> None:
    os.environ["DATABASE_URL"] = f"{PG}/{database}"
    os.environ["REFUGIO_MODE"] = "test"
    os.environ["DJANGO_SETTINGS_MODULE"] = "refugio.settings"
    import django

    django.setup()


def _writer(database: str, writer: int, seconds: float, hold_ms: int, max_events: int, ready: Any, out: Any) -> None:  # noqa: ANN401
    _django(database)
    from django.db import connection, transaction

    from refugio.audit.services import Actor, Touch, record

    actor = Actor(None, "api", "203.0.113.5")
    connection.ensure_connection()
    ready.wait()  # every process is up and connected before the clock starts
    deadline = time.monotonic() + seconds
    done = 0
    while done < max_events and time.monotonic() < deadline:
        with transaction.atomic():
            record(actor, action="read", touches=[Touch("person", f"{writer}-{done}", 1, ["a_number", "narrative"])])
            if hold_ms:
                time.sleep(hold_ms / 1000)
        done += 1
    connection.close()
    out.put(done)


def _recreate(database: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{database}"')


def _appends(database: str, writers: int, seconds: float, hold_ms: int, max_events: int) -> dict[str, Any]:
    context = multiprocessing.get_context("spawn")
    ready = context.Barrier(writers + 1)
    out = context.Queue()
    processes = [
        context.Process(target=_writer, args=(database, n, seconds, hold_ms, max_events, ready, out))
        for n in range(writers)
    ]
    for process in processes:
        process.start()
    ready.wait()
    started = time.monotonic()
    counts = [out.get() for _ in processes]
    elapsed = time.monotonic() - started
    for process in processes:
        process.join()
    total = sum(counts)
    return {
        "writers": writers,
        "hold_ms": hold_ms,
        "seconds": round(elapsed, 2),
        "events": total,
        "events_per_second": round(total / elapsed, 1),
    }


def _generate(n: int) -> float:
    """N events inserted in bulk (as many writers would have), each with its leaf hash if the code has one."""
    from django.db import transaction

    from refugio.audit import services
    from refugio.audit.models import AuditEvent

    started = time.perf_counter()
    base = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    batch = 10_000
    new_style = hasattr(services, "event_leaf_hash")
    if not new_style:  # old code: the chain only grows through record(); use it, in large batches
        actor = services.Actor(None, "system")
        for start in range(0, n, batch):
            touches = [services.Touch("person", str(i), 1, ["notes"]) for i in range(start, min(n, start + batch))]
            services.record(actor, action="read", touches=touches, at=base)
        return time.perf_counter() - started
    for start in range(0, n, batch):
        events = []
        for i in range(start, min(n, start + batch)):
            event = AuditEvent(
                occurred_at=base + dt.timedelta(milliseconds=i),
                actor_name="bench",
                organisation_id=1 + i % 7,
                action="read",
                object_type="person",
                object_id=str(i),
                fields=["a_number", "narrative"],
                channel="api",
                ip_address="203.0.113.5",
            )
            event.hash = services.event_leaf_hash(event)
            events.append(event)
        with transaction.atomic():
            AuditEvent.objects.bulk_create(events)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default="refugio_audit_bench")
    parser.add_argument("--writers", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--max-events-per-writer", type=int, default=100_000)
    parser.add_argument("--hold-ms", type=int, nargs="+", default=[0, 20])
    parser.add_argument("--verify-events", type=int, default=100_000)
    parser.add_argument("--seal-batch", type=int, default=10_000)
    args = parser.parse_args()

    _recreate(args.database)
    _django(args.database)
    from django.core.management import call_command

    import refugio
    from refugio.audit import services

    call_command("migrate", interactive=False, verbosity=0)
    result: dict[str, Any] = {
        "code": os.path.dirname(refugio.__file__),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "appends": [],
    }
    for hold in args.hold_ms:
        result["appends"].append(_appends(args.database, args.writers, args.seconds, hold, args.max_events_per_writer))

    from django.db import connection

    from refugio.audit.models import AuditEvent

    n = args.verify_events
    generated = _generate(n)
    total = AuditEvent.objects.count()
    result["generated"] = {"events": n, "seconds": round(generated, 1), "log_size": total}

    if hasattr(services, "seal"):
        from refugio.audit.verify import verify_log

        started = time.perf_counter()
        sealed = services.seal(batch_size=args.seal_batch)
        seal_s = time.perf_counter() - started
        result["sealing"] = {
            "events": sealed.sealed,
            "heads": sealed.heads,
            "seconds": round(seal_s, 2),
            "events_per_second": round(sealed.sealed / seal_s, 1),
        }
        started = time.perf_counter()
        report = verify_log()
        verify_s = time.perf_counter() - started
        assert report.ok, report.problems[:3]
        checked = report.sealed
    else:
        started = time.perf_counter()
        checked, broken = services.verify_chain()
        verify_s = time.perf_counter() - started
        assert broken is None, broken
    result["verify"] = {
        "events": checked,
        "seconds": round(verify_s, 1),
        "events_per_second": round(checked / verify_s, 1),
        "extrapolated_10M_seconds_NOT_MEASURED": round(verify_s * 10_000_000 / checked, 0),
    }
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_total_relation_size('audit_auditevent')")
        result["table_bytes_per_event"] = round(cursor.fetchone()[0] / max(1, total), 1)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
