"""Benchmark: the audit log on this machine's PostgreSQL (prints JSON).

    .venv/bin/python bench/audit.py [--database refugio_audit_bench] [--writers 16] [--seconds 10]
                                    [--hold-ms 0 20] [--seal-events 100000] [--verify-events 1000000 10000000]

Recreates the database, migrates it, then measures:
- appends: events/s recorded through `record()` by W writer processes, each in its own connection and
  its own transaction per event; `--hold-ms` keeps each transaction open that much longer after
  recording (the rest of a request), which is what a lock held until COMMIT multiplies;
- sealing: events/s placed into the Merkle tree and signed by the real sealer (`seal()`), over
  `--seal-events` events inserted unsealed;
- verification: seconds for `verify_log()` over the whole log when it holds each of `--verify-events`
  events (measured, not extrapolated). The log is grown to each size by a bulk path: events written with
  COPY, already placed, with a signed tree head every `--head-every` events (5,000, as the sealer's
  batches), continuing from the real sealer's last head. The bulk path builds the tree with the sealer's
  own code (`merkle.Frontier`, `signing.sign_head`, `services.canonical_bytes`); `verify_log()` recomputes
  every leaf and every head's root from the rows, so it would fail if the bulk tree differed from the
  sealer's.
Runs against older code too (then it measures `verify_chain()`): put that code first on PYTHONPATH.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing
import os
import platform
import sys
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


COPY_COLUMNS = (
    "occurred_at, actor_id, actor_name, organisation_id, action, object_type, object_id, fields, channel, "
    "ip_address, hash, leaf_index"
)


def _bulk_extend(database: str, size: int, head_every: int, chunk: int = 50_000) -> dict[str, Any]:
    """Grow the sealed log to `size` events: COPY placed events, one signed head per `head_every`."""
    import psycopg

    from refugio.audit import merkle
    from refugio.audit.models import AuditEvent, TreeHead
    from refugio.audit.services import canonical_bytes
    from refugio.audit.signing import sign_head

    assert not AuditEvent.objects.filter(leaf_index__isnull=True).exists(), "seal before growing the log"
    head = TreeHead.objects.order_by("-size").first()
    frontier = merkle.Frontier(head.size, (bytes.fromhex(h) for h in head.frontier)) if head else merkle.Frontier()
    start = frontier.size
    assert AuditEvent.objects.filter(leaf_index__gte=start).count() == 0, "placed events beyond the last head"
    base = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    started = time.perf_counter()
    heads: list[TreeHead] = []
    with psycopg.connect(f"{PG}/{database}") as conn:
        for lo in range(start, size, chunk):
            hi = min(size, lo + chunk)
            with conn.cursor() as cursor, cursor.copy(f"COPY audit_auditevent ({COPY_COLUMNS}) FROM STDIN") as copy:
                for i in range(lo, hi):
                    at = base + dt.timedelta(milliseconds=i)
                    fields = ["a_number", "narrative"] if i % 3 else ["notes"]
                    org = 1 + i % 7
                    leaf = merkle.leaf_hash(
                        canonical_bytes(
                            occurred_at=at,
                            actor_id=None,
                            actor_name="bench",
                            organisation_id=org,
                            action="read",
                            object_type="person",
                            object_id=str(i),
                            fields=fields,
                            channel="api",
                            ip_address="203.0.113.5",
                        )
                    )
                    copy.write_row(
                        (at, None, "bench", org, "read", "person", str(i), json.dumps(fields), "api",
                         "203.0.113.5", leaf.hex(), i)
                    )  # fmt: skip
                    frontier.append(leaf)
                    if frontier.size % head_every == 0 or frontier.size == size:
                        root_hash = frontier.root().hex()
                        timestamp_ms = int(time.time() * 1000)
                        kid, signature = sign_head(frontier.size, root_hash, timestamp_ms)
                        heads.append(
                            TreeHead(
                                size=frontier.size,
                                root_hash=root_hash,
                                timestamp_ms=timestamp_ms,
                                key_id=kid,
                                signature=signature,
                                frontier=[h.hex() for h in frontier.hashes],
                            )
                        )
            conn.commit()
    TreeHead.objects.bulk_create(heads, batch_size=1000)
    with psycopg.connect(f"{PG}/{database}", autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE audit_auditevent")
    return {"events_added": size - start, "heads_added": len(heads), "seconds": round(time.perf_counter() - started, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default="refugio_audit_bench")
    parser.add_argument("--writers", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--max-events-per-writer", type=int, default=100_000)
    parser.add_argument("--hold-ms", type=int, nargs="+", default=[0, 20])
    parser.add_argument("--seal-events", type=int, default=100_000, help="events sealed by the real sealer")
    parser.add_argument("--seal-batch", type=int, default=5_000)
    parser.add_argument("--verify-events", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--head-every", type=int, default=5_000, help="a signed head every N bulk events")
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

    n = args.seal_events
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
        result["verify"] = []
        for size in sorted(args.verify_events):
            grown = _bulk_extend(args.database, size, args.head_every)
            started = time.perf_counter()
            report = verify_log()
            verify_s = time.perf_counter() - started
            assert report.ok, report.problems[:3]
            assert report.sealed == size and report.unsealed == 0, (report.sealed, report.unsealed)
            result["verify"].append(
                {
                    "events": report.sealed,
                    "heads": report.heads,
                    "grown_by_bulk_path": grown,
                    "intact": report.ok,
                    "seconds": round(verify_s, 1),
                    "events_per_second": round(report.sealed / verify_s, 1),
                }
            )
            print(json.dumps(result["verify"][-1]), file=sys.stderr, flush=True)  # progress on long runs
            total = size
    else:
        started = time.perf_counter()
        checked, broken = services.verify_chain()
        verify_s = time.perf_counter() - started
        assert broken is None, broken
        result["verify"] = {
            "events": checked,
            "seconds": round(verify_s, 1),
            "events_per_second": round(checked / verify_s, 1),
        }
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_total_relation_size('audit_auditevent')")
        result["table_bytes_per_event"] = round(cursor.fetchone()[0] / max(1, total), 1)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
