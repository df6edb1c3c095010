"""Benchmark: registrations per second through the API, on this machine's PostgreSQL (prints JSON).

    .venv/bin/python bench/registration.py [--requests 2000] [--clients 16] [--workers 4] [--database NAME]
        [--preload 500000] [--cache redis://127.0.0.1:6379/15] [--sqlite]

Starts `refugio serve` in production mode on a fresh database (`refugio_bench` unless --database names
another), sends synthetic registrations from concurrent clients (one in ten is a retry of an earlier request
with the same Idempotency-Key), then checks that exactly one household exists per key, and how long after the
load the background worker needs until every accepted registration is stored as a household, every household
triaged and every person checked for duplicates.
Loopback only.
--preload stores that many synthetic households first (bench/preload.py), so the surge meets full tables;
--cache runs the rate-limit counters in that cache (REFUGIO_CACHE_URL) instead of the database.
--sqlite runs on the embedded default (a SQLite file in a scratch REFUGIO_HOME) instead of PostgreSQL.
--template NAME (PostgreSQL) keeps the preloaded database as NAME, its keys beside it (TEMPLATES), and
copies it for each later run with the same NAME: 500,000 households take a quarter of an hour to preload,
a copy a minute or two. Drop the database NAME when the schema changes.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Any, LiteralString

import psycopg
from psycopg import sql

from refugio.synth.generator import generate

PG = "postgresql://postgres@127.0.0.1:5432"
DATABASE = "refugio_bench"
TEMPLATES = Path(tempfile.gettempdir()) / "refugio-bench-templates"


def _bodies(count: int) -> list[dict[str, object]]:
    bodies = []
    for household in generate(count, seed=42):
        data = asdict(household)
        members = [{k: v for k, v in m.items() if k not in {"person_id", "household_id"}} for m in data.pop("members")]
        for member in members:
            member["languages"] = [x for x in member["languages"].split(";") if x]
            member["vulnerabilities"] = [x for x in member["vulnerabilities"].split(";") if x]
        for key in ("household_id", "registered_on", "size"):
            data.pop(key)
        bodies.append({**data, "members": members, "consent": True})
    return bodies


def _post(port: int, body: dict[str, object], key: str) -> tuple[int, float]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/registrations",
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json", "Idempotency-Key": key, "Accept-Language": "es"},
    )
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (loopback only)
            status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    return status, time.perf_counter() - started


def _count(db: psycopg.Connection[Any] | sqlite3.Connection, sql: LiteralString) -> int:
    row = db.execute(sql).fetchone()
    assert row is not None  # count(*) always answers one row
    return int(row[0] or 0)


Connect = Callable[[], Any]


def _connector(database: str, home: Path, sqlite: bool) -> Connect:
    @contextmanager
    def connect() -> Iterator[Any]:
        if sqlite:
            lite = sqlite3.connect(home / "refugio.sqlite3", timeout=30)
            try:
                yield lite
            finally:
                lite.close()
        else:
            with psycopg.connect(f"{PG}/{database}", autocommit=True) as db:
                yield db

    return connect


def _catch_up(connect: Connect, deadline: float) -> float | None:
    """Seconds until every accepted registration is stored as a household, every household scored and every
    person checked for duplicates (None: not within the deadline)."""
    started = time.perf_counter()
    with connect() as db:
        while time.perf_counter() - started < deadline:
            unstored = _count(db, "SELECT count(*) FROM registration_acceptedregistration WHERE stored_at IS NULL")
            # The households the load registered (an accepted registration's id is its household's): counting
            # unscored ones among all of them would be a scan of every stored household, five times a second.
            unscored = _count(
                db,
                "SELECT count(*) FROM registration_acceptedregistration a WHERE NOT EXISTS "
                "(SELECT 1 FROM triage_triagescore t WHERE t.household_id = a.id)",
            )
            unchecked = _count(db, "SELECT count(*) FROM people_person WHERE duplicates_checked_at IS NULL")
            if unstored == 0 and unscored == 0 and unchecked == 0:
                return round(time.perf_counter() - started, 2)
            time.sleep(0.2)
    return None


def _fill(args: argparse.Namespace, env: dict[str, str], refugio: list[str], connect: Connect) -> dict[str, Any]:
    """The intake organisation, and --preload households stored before the surge."""
    subprocess.run(
        [
            *refugio,
            "manage",
            "shell",
            "-c",
            "from refugio.accounts.models import Organisation; "
            "Organisation.objects.create(name='Bench intake', kind='legal_aid', public_intake=True)",
        ],
        check=True,
        env=env,
        capture_output=True,
    )
    if not args.preload:
        return {}
    with connect() as db:
        org = _count(db, "SELECT max(id) FROM accounts_organisation")
    out = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("preload.py")), "--households", str(args.preload),
         "--org", str(org)],
        check=True, env={**env, "DJANGO_SETTINGS_MODULE": "refugio.settings"}, capture_output=True, text=True,
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--database", default=DATABASE, help="scratch database, dropped first (default %(default)s)")
    parser.add_argument("--preload", type=int, default=0, help="households stored before the surge")
    parser.add_argument("--sqlite", action="store_true", help="the embedded SQLite default, not PostgreSQL")
    parser.add_argument("--cache", default="", help="REFUGIO_CACHE_URL for the server, e.g. redis://127.0.0.1:6379/15")
    parser.add_argument("--template", default="", help="keep the preloaded database as this name and reuse it")
    args = parser.parse_args()
    database = sql.Identifier(args.database)
    template_keys = TEMPLATES / f"{args.template}.keys.json"
    from_template = bool(args.template) and not args.sqlite and template_keys.exists()

    if not args.sqlite:
        with psycopg.connect(f"{PG}/postgres", autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(database))
            if from_template:
                template = sql.Identifier(args.template)
                admin.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(database, template))
            else:
                admin.execute(sql.SQL("CREATE DATABASE {}").format(database))
    home = Path(tempfile.mkdtemp())
    connect = _connector(args.database, home, args.sqlite)
    refugio = [sys.executable, "-m", "refugio.cli"]
    if from_template:
        (home / "keys.json").write_bytes(template_keys.read_bytes())
    else:
        keys = [*refugio, "keys", "generate", "--out", str(home / "keys.json")]
        subprocess.run(keys, check=True, capture_output=True)
    env = {
        **os.environ,
        "REFUGIO_MODE": "production",
        "REFUGIO_KEYS_FILE": str(home / "keys.json"),
        "REFUGIO_ALLOWED_HOSTS": "127.0.0.1",
        "REFUGIO_SSL_REDIRECT": "0",
        "REFUGIO_HOME": str(home),
        "REFUGIO_LOG_LEVEL": "WARNING",
        # All load comes from one address here; the per-client limit would answer 429 to almost all of it.
        "REFUGIO_REGISTRATIONS_PER_CLIENT": os.environ.get("REFUGIO_REGISTRATIONS_PER_CLIENT", "1000000/s"),
    }
    if args.cache:
        env["REFUGIO_CACHE_URL"] = args.cache
    if args.sqlite:
        env.pop("DATABASE_URL", None)
    else:
        env["DATABASE_URL"] = f"{PG}/{args.database}"
    subprocess.run([*refugio, "manage", "migrate", "-v", "0"], check=True, env=env)
    preloaded: dict[str, Any]
    if from_template:
        with connect() as db:
            stored = _count(db, "SELECT count(*) FROM people_household")
        if stored != args.preload:
            sys.exit(f"template {args.template} holds {stored} households, not --preload {args.preload}")
        preloaded = {"households": stored, "from_template": args.template}
    else:
        preloaded = _fill(args, env, refugio, connect)
        if args.template and not args.sqlite:
            with psycopg.connect(f"{PG}/postgres", autocommit=True) as admin:
                admin.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(args.template), database))
            TEMPLATES.mkdir(exist_ok=True)
            template_keys.write_bytes((home / "keys.json").read_bytes())
    server = subprocess.Popen(
        [*refugio, "serve", "--port", str(args.port), "--workers", str(args.workers), "--task-worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(home / "server.log").open("w"),  # kept for a look when something answers 500
    )
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{args.port}/healthz", timeout=1)  # noqa: S310
                break
            except OSError:
                time.sleep(0.2)
        unique = args.requests - args.requests // 10
        bodies = _bodies(unique)
        plan = [(bodies[i], f"bench-{i}") for i in range(unique)]
        plan += [(bodies[i * 9], f"bench-{i * 9}") for i in range(args.requests - unique)]  # retries
        started = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(args.clients) as pool:
            results = list(pool.map(lambda item: _post(args.port, *item), plan))
        elapsed = time.perf_counter() - started
        # What follows the acknowledgement (triage, duplicate flagging) must catch up within seconds.
        lag = _catch_up(connect, deadline=120)
    finally:
        server.terminate()
        try:
            server.wait(timeout=90)
        except subprocess.TimeoutExpired:  # a task still running in the worker: the figures are already in
            server.kill()
            server.wait()
    with connect() as db:
        households = _count(db, "SELECT count(*) FROM people_household") - args.preload
        people = _count(db, "SELECT count(*) FROM people_person")
    if not args.sqlite:
        with psycopg.connect(f"{PG}/postgres", autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(database))
    latencies = sorted(seconds for _, seconds in results)
    statuses: dict[str, int] = {}
    for status, _ in results:
        statuses[str(status)] = statuses.get(str(status), 0) + 1
    print(
        json.dumps(
            {
                "database": "sqlite" if args.sqlite else "postgresql",
                "stored_before": args.preload,
                "preload": preloaded,
                "rate_limit_cache": "redis" if args.cache else "database",
                "requests": len(results),
                "unique_registrations": unique,
                "retries": len(results) - unique,
                "clients": args.clients,
                "server_workers": args.workers,
                "seconds": round(elapsed, 2),
                "registrations_per_second": round(unique / elapsed, 1),
                "requests_per_second": round(len(results) / elapsed, 1),
                "latency_ms_median": round(statistics.median(latencies) * 1000, 1),
                "latency_ms_p95": round(latencies[int(0.95 * (len(latencies) - 1))] * 1000, 1),
                "latency_ms_p99": round(latencies[int(0.99 * (len(latencies) - 1))] * 1000, 1),
                "statuses": statuses,
                "households_stored": households,
                "people_stored": people,
                "exactly_once": households == unique,
                "derived_caught_up_seconds_after_load": lag,
                "server_log": str(home / "server.log"),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
