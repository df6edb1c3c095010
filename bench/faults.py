"""Faults under load: does `refugio serve` come back, and does a database outage answer 503? (prints JSON)

    .venv/bin/python bench/faults.py [--clients 8] [--workers 3] [--outage 5] [--no-pg-restart]

Starts `refugio serve --task-worker` in production mode on a free local port, on a fresh PostgreSQL
database `refugio_faults` reached through a TCP forwarder this script runs (so the database can be taken
away without touching the shared server). While clients send registrations (each with its own
Idempotency-Key, retried after a connection error or a 5xx), it, in turn:

1. kills a gunicorn worker with SIGKILL,
2. kills the gunicorn master (the supervisor starts a new one),
3. kills the background task worker, then the one that stores accepted registrations (the supervisor starts
   new ones),
4. takes the database away for a few seconds (the forwarder refuses and cuts connections),
5. restarts PostgreSQL itself (`pg_ctlcluster --skip-systemctl-redirect 15 main restart -m fast`: the
   shared cluster, so only here, never in tests; `--no-pg-restart` skips it).

After each fault, once the service answers again, it checks every registration acknowledged so far is
stored exactly once and runs `verify_audit`. It measures how long the service needed to answer /healthz
with 200 again and whether the port ever refused a connection, and counts the answers during the two
database faults (503 expected, no other 5xx). After the load it waits for the background work the task
worker owns to finish (storing accepted registrations as households, duplicate checks, triage scoring,
audit sealing) and
reports what was left undone and any task left "running" by a killed worker.
Traffic goes to 127.0.0.1 only; the run is bounded in time (--max-seconds) and registrations (--max-registrations).
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from registration import _bodies  # type: ignore[import-not-found]  # noqa: E402 (same requests as bench/registration.py)

PG_HOST, PG_PORT = "127.0.0.1", 5432
DATABASE = "refugio_faults"


# --- a TCP forwarder between the server and PostgreSQL that can be cut -----------------------------------


class Forwarder:
    """127.0.0.1:port → PostgreSQL. `down()` refuses new connections and cuts open ones; `up()` restores."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.lock = threading.Lock()
        self.open: set[socket.socket] = set()
        self.listener: socket.socket | None = None
        self.up()

    def up(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(256)
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def down(self) -> None:
        with self.lock:
            listener, self.listener = self.listener, None
            if listener is not None:
                listener.shutdown(socket.SHUT_RDWR)
                listener.close()
            for sock in list(self.open):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()
            self.open.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                server = socket.create_connection((PG_HOST, PG_PORT), timeout=5)
            except OSError:
                client.close()
                continue
            with self.lock:
                if self.listener is not listener:  # went down meanwhile
                    client.close()
                    server.close()
                    return
                self.open |= {client, server}
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        for sock in (source, target):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        with self.lock:
            self.open.discard(source)
            self.open.discard(target)


# --- processes --------------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except FileNotFoundError:
        return []


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except FileNotFoundError:
        return ""


def _master(supervisor: int) -> int | None:
    return next((p for p in _children(supervisor) if "--listen-fd" in _cmdline(p)), None)


def _task_worker(supervisor: int, queue: str = "") -> int | None:
    """The task worker of this queue (the default one, without --queue-name, when none is given)."""
    for pid in _children(supervisor):
        words = _cmdline(pid).split()
        named = words[words.index("--queue-name") + 1] if "--queue-name" in words else ""
        if "task_worker" in words and named == queue:
            return pid
    return None


def _healthz(port: int, timeout: float = 5) -> int | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=timeout) as response:  # noqa: S310
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)
    except OSError:
        return None


def _accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def _wait(condition: object, limit: float) -> float | None:
    started = time.monotonic()
    while time.monotonic() - started < limit:
        if condition():  # type: ignore[operator]
            return round(time.monotonic() - started, 2)
        time.sleep(0.05)
    return None


# --- load -------------------------------------------------------------------------------------------------


@dataclass
class Load:
    port: int
    deadline: float
    answers: list[tuple[float, str]] = field(default_factory=list)  # (time, status or error name)
    acknowledged: dict[str, str] = field(default_factory=dict)  # key → household_id
    given_up: list[str] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def send(self, body: dict[str, object], key: str) -> None:
        data = json.dumps(body).encode()
        for _attempt in range(200):
            if time.monotonic() > self.deadline:
                break
            request = urllib.request.Request(  # noqa: S310 (loopback only)
                f"http://127.0.0.1:{self.port}/api/v1/registrations",
                data=data,
                method="POST",
                headers={"Content-Type": "application/json", "Idempotency-Key": key, "Accept-Language": "es"},
            )
            wait = 0.2
            try:
                with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310
                    answer = json.loads(response.read())
                    self._note(str(response.status))
                    with self.lock:
                        self.acknowledged[key] = answer["household_id"]
                    return
            except urllib.error.HTTPError as exc:
                self._note(str(exc.code))
                if exc.code < 500 and exc.code != 429:
                    break  # refused for good: not acknowledged, and never retried
                wait = min(float(exc.headers.get("Retry-After") or 1), 1.0)  # honoured, capped to keep the run short
            except (OSError, ValueError) as exc:
                reason = getattr(exc, "reason", exc)
                self._note(type(reason).__name__)
            time.sleep(wait)
        with self.lock:
            self.given_up.append(key)

    def _note(self, what: str) -> None:
        with self.lock:
            self.answers.append((time.monotonic(), what))


def _client(load: Load, work: queue.Queue[tuple[dict[str, object], str]]) -> None:
    while not load.stop.is_set():
        try:
            body, key = work.get_nowait()
        except queue.Empty:
            return
        load.send(body, key)


# --- the run ----------------------------------------------------------------------------------------------


def _stored(direct: str, acknowledged: dict[str, str]) -> dict[str, int]:
    """Every registration acknowledged so far kept exactly once? Kept: accepted (durable, answered with its
    household's id) and stored as that household, or still waiting for the worker to store it. (All counts from
    one snapshot: a registration committing between two READ COMMITTED statements would look like a duplicate.)"""
    with psycopg.connect(direct, connect_timeout=10) as db:
        db.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        accepted = db.execute(
            "SELECT idempotency_key, id::text, stored_at IS NULL FROM registration_acceptedregistration "
            "WHERE idempotency_key LIKE 'faults-%%'"
        ).fetchall()
        stored = {row[0] for row in db.execute("SELECT id::text FROM people_household").fetchall()}
    records: dict[str, str] = {key: household for key, household, _waiting in accepted}
    waiting = {household for _key, household, still_waiting in accepted if still_waiting}
    lost = [k for k, h in acknowledged.items() if records.get(k) != h or (h not in stored and h not in waiting)]
    return {
        "acknowledged": len(acknowledged),
        "lost": len(lost),
        "duplicated": len(stored - set(records.values())),  # households no acknowledged registration explains
        "households_stored": len(stored),
        "accepted_waiting_to_be_stored": len(waiting),
    }


def _verify(refugio: list[str], env: dict[str, str]) -> dict[str, object]:
    done = subprocess.run([*refugio, "manage", "verify_audit"], env=env, capture_output=True, text=True)
    return {"exit_code": done.returncode, "output": (done.stdout + done.stderr).strip()[-300:]}


def _tasks_table(db: psycopg.Connection[tuple[object, ...]]) -> str | None:
    row = db.execute("SELECT tablename FROM pg_tables WHERE tablename LIKE '%%dbtaskresult' LIMIT 1").fetchone()
    return str(row[0]) if row else None


def _running_tasks(direct: str) -> list[str]:
    with psycopg.connect(direct, connect_timeout=10) as db:
        table = _tasks_table(db)
        if table is None:
            return []
        rows = db.execute(f"SELECT task_path FROM {table} WHERE status = 'RUNNING'").fetchall()  # noqa: S608
    return sorted(str(r[0]) for r in rows)


def _background_left(direct: str) -> dict[str, int]:
    """What the task worker still owes: accepted registrations not stored as households, unchecked people,
    unscored households, unsealed audit events."""
    queries = {
        "registrations_not_stored": "SELECT count(*) FROM registration_acceptedregistration WHERE stored_at IS NULL",
        "people_not_checked_for_duplicates": "SELECT count(*) FROM people_person WHERE duplicates_checked_at IS NULL",
        "households_not_scored": "SELECT count(*) FROM people_household h WHERE NOT EXISTS "
        "(SELECT 1 FROM triage_triagescore s WHERE s.household_id = h.id)",
        "audit_events_not_sealed": "SELECT count(*) FROM audit_auditevent WHERE leaf_index IS NULL",
    }
    left: dict[str, int] = {}
    with psycopg.connect(direct, connect_timeout=10) as db:
        for name, sql in queries.items():
            try:
                left[name] = int(db.execute(sql).fetchone()[0])  # type: ignore[index]
            except (psycopg.errors.UndefinedColumn, psycopg.errors.UndefinedTable):  # older code: done in the request
                db.rollback()
    return left


def main() -> None:  # noqa: PLR0915 (one story, told in order)
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--outage", type=float, default=5.0, help="seconds without the database")
    parser.add_argument("--pause", type=float, default=4.0, help="seconds of load between faults")
    parser.add_argument("--settle", type=float, default=150.0, help="seconds to wait for the background work")
    parser.add_argument("--no-pg-restart", action="store_true", help="skip restarting the PostgreSQL cluster")
    parser.add_argument("--pg-cluster", default="15 main")
    parser.add_argument(
        "--kill-task-worker-during", default="", metavar="TASK", help="kill it while running this task (a substring)"
    )
    parser.add_argument("--max-registrations", type=int, default=5000)
    parser.add_argument("--max-seconds", type=float, default=300.0)
    args = parser.parse_args()
    started = time.monotonic()

    with psycopg.connect(f"postgresql://postgres@{PG_HOST}:{PG_PORT}/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {DATABASE}")
    forwarder = Forwarder()
    home = Path(tempfile.mkdtemp())
    refugio = [sys.executable, "-m", "refugio.cli"]
    subprocess.run([*refugio, "keys", "generate", "--out", str(home / "keys.json")], check=True, capture_output=True)
    direct = f"postgresql://postgres@{PG_HOST}:{PG_PORT}/{DATABASE}"
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}},
        "REFUGIO_MODE": "production",
        "REFUGIO_KEYS_FILE": str(home / "keys.json"),
        "DATABASE_URL": direct,
        "REFUGIO_ALLOWED_HOSTS": "127.0.0.1",
        "REFUGIO_SSL_REDIRECT": "0",
        "REFUGIO_HOME": str(home),
        "REFUGIO_LOG_LEVEL": "WARNING",
        # One client address sends everything here: the per-address and global limits are not under test.
        "REFUGIO_REGISTRATIONS_PER_CLIENT": "1000000/1m",
        "REFUGIO_REGISTRATION_GLOBAL_RATE": "1000000/1s",
    }
    if "audit_signing_key" not in (home / "keys.json").read_text():
        try:  # a keys file from before audit sealing: give the audit its key the other documented way
            from refugio.audit.signing import generate_signing_key

            env["REFUGIO_AUDIT_SIGNING_KEY"] = generate_signing_key()
        except ImportError:
            pass
    subprocess.run([*refugio, "manage", "migrate", "-v", "0"], check=True, env=env)
    subprocess.run(
        [
            *refugio,
            "manage",
            "shell",
            "-c",
            "from refugio.accounts.models import Organisation; "
            "Organisation.objects.create(name='Faults intake', kind='legal_aid', public_intake=True)",
        ],
        check=True,
        env=env,
        capture_output=True,
    )
    port = _free_port()
    served = {**env, "DATABASE_URL": f"postgresql://postgres@127.0.0.1:{forwarder.port}/{DATABASE}"}
    log = (home / "serve.log").open("wb")
    server = subprocess.Popen(
        [*refugio, "serve", "--port", str(port), "--workers", str(args.workers), "--task-worker"],
        env=served,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    faults: dict[str, dict[str, object]] = {}
    load = Load(port, deadline=started + args.max_seconds)
    background: dict[str, object] = {}

    def after(name: str) -> None:
        """Once serving again: everything acknowledged so far stored exactly once, and the audit intact."""
        with load.lock:
            acknowledged = dict(load.acknowledged)
        faults[name]["stored"] = _stored(direct, acknowledged)
        faults[name]["verify_audit"] = _verify(refugio, env)

    def database_fault(name: str, take_away: object) -> None:
        """Take the database away (`take_away` returns when it is back); count the answers meanwhile."""
        time.sleep(args.pause)
        went_down = time.monotonic()
        health_during: dict[str, int] = {}
        done = threading.Event()

        def probe() -> None:
            while not done.is_set():
                code = str(_healthz(port, timeout=3))
                health_during[code] = health_during.get(code, 0) + 1
                time.sleep(0.5)

        prober = threading.Thread(target=probe)
        prober.start()
        detail = take_away()  # type: ignore[operator]
        came_up = time.monotonic()
        done.set()
        prober.join()
        back = _wait(lambda: _healthz(port) == 200, 60)
        during = [what for at, what in load.answers if went_down <= at <= came_up + 1]
        faults[name] = {
            **(detail or {}),
            "seconds_database_away": round(came_up - went_down, 2),
            "seconds_until_healthz_200_after_database_back": back,
            "healthz_during": health_during,
            "answers_during": {w: during.count(w) for w in sorted(set(during))},
            "answers_503": during.count("503"),
            "answers_other_5xx": sum(1 for w in during if w.isdigit() and w.startswith("5") and w != "503"),
        }
        after(name)

    try:
        startup = _wait(lambda: _healthz(port) == 200, 120)
        work: queue.Queue[tuple[dict[str, object], str]] = queue.Queue()
        for i, body in enumerate(_bodies(args.max_registrations)):
            work.put((body, f"faults-{i}"))
        clients = [threading.Thread(target=_client, args=(load, work)) for _ in range(args.clients)]
        for client in clients:
            client.start()

        def kill(name: str, pid: int | None, back: object, pause: float | None = None) -> None:
            time.sleep(args.pause if pause is None else pause)
            if pid is None:
                faults[name] = {"error": "process not found"}
                return
            refused = threading.Event()
            killed = time.monotonic()
            os.kill(pid, signal.SIGKILL)
            probe_until = killed + 15

            def probe() -> None:  # is the port ever not listening?
                while time.monotonic() < probe_until and not refused.is_set():
                    if not _accepts(port):
                        refused.set()
                    time.sleep(0.05)

            prober = threading.Thread(target=probe)
            prober.start()
            seconds = _wait(back, 15)
            faults[name] = {"pid": pid, "seconds_until_serving_again": seconds}
            prober.join()
            faults[name]["port_ever_refused"] = refused.is_set()
            after(name)

        master = _master(server.pid)
        workers = _children(master) if master else []
        kill(
            "kill_gunicorn_worker",
            workers[0] if workers else None,
            lambda: master is not None and len(_children(master)) == args.workers and _healthz(port) == 200,
        )
        master = _master(server.pid)
        old_workers = _children(master) if master else []

        def new_master_serves() -> bool:
            now = _master(server.pid)
            return now not in (None, master) and len(_children(now)) == args.workers and _healthz(port) == 200

        killed_master = time.monotonic()
        kill("kill_gunicorn_master", master, new_master_serves)
        time.sleep(max(0.0, killed_master + 5 - time.monotonic()))
        orphans = sum(1 for w in old_workers if Path(f"/proc/{w}").exists())
        faults["kill_gunicorn_master"]["old_workers_left_5s_after"] = orphans
        # Kill it while it works on something (a sealing run, a duplicate check, a scoring batch), if that
        # happens within 30 s: a task it had claimed must still be done by someone afterwards.
        time.sleep(args.pause)
        busy_until = time.monotonic() + 30

        def busy() -> list[str]:
            return [t for t in _running_tasks(direct) if args.kill_task_worker_during in t]

        running_at_kill = busy()
        while not running_at_kill and time.monotonic() < busy_until:
            time.sleep(0.02)
            running_at_kill = busy()
        task = _task_worker(server.pid)
        kill(
            "kill_task_worker",
            task,
            lambda: _task_worker(server.pid) not in (None, task) and _healthz(port) == 200,
            pause=0,
        )
        faults["kill_task_worker"]["tasks_running_just_before_kill"] = running_at_kill
        # The worker that stores accepted registrations as households, in the middle of the load.
        storing = _task_worker(server.pid, "registrations")
        kill(
            "kill_registration_worker",
            storing,
            lambda: _task_worker(server.pid, "registrations") not in (None, storing) and _healthz(port) == 200,
        )

        def cut() -> None:
            forwarder.down()
            time.sleep(args.outage)
            forwarder.up()

        database_fault("database_unreachable", cut)

        if not args.no_pg_restart:

            def restart() -> dict[str, object]:
                began = time.monotonic()
                done = subprocess.run(
                    ["pg_ctlcluster", "--skip-systemctl-redirect", *args.pg_cluster.split(), "restart", "-m", "fast"],
                    capture_output=True,
                    text=True,
                )
                return {
                    "restart_exit_code": done.returncode,
                    "restart_seconds": round(time.monotonic() - began, 2),
                    "restart_output": (done.stdout + done.stderr).strip()[-200:],
                }

            database_fault("postgresql_restart", restart)

        time.sleep(args.pause)
        load.stop.set()  # no new registrations; those under way finish (with their retries)
        for client in clients:
            client.join()

        # The background work the task worker owns, done after every fault?
        settle_start = time.monotonic()
        owed = _background_left(direct)
        while any(owed.values()) and time.monotonic() - settle_start < args.settle:
            time.sleep(2)
            owed = _background_left(direct)
        settled = None if any(owed.values()) else round(time.monotonic() - settle_start, 1)
        background = {
            "seconds_until_done_after_load": settled,
            "left_undone": owed,
            "tasks_left_running": _running_tasks(direct),  # claimed by a killed worker, never finished
        }
    finally:
        load.stop.set()
        if forwarder.listener is None:
            forwarder.up()
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()

    final = _stored(direct, load.acknowledged)
    with psycopg.connect(direct) as db:
        records = {
            r[0]
            for r in db.execute(
                "SELECT idempotency_key FROM registration_acceptedregistration WHERE idempotency_key IS NOT NULL"
            ).fetchall()
        }
    verify = _verify(refugio, env)
    with psycopg.connect(f"postgresql://postgres@{PG_HOST}:{PG_PORT}/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
    shutil.rmtree(home, ignore_errors=True)  # its keys file and the server's log
    everything = [what for _, what in load.answers]
    checks = [f for f in faults.values() if "stored" in f]
    print(
        json.dumps(
            {
                "clients": args.clients,
                "server_workers": args.workers,
                "seconds": round(time.monotonic() - started, 1),
                "startup_seconds": startup,
                "faults": faults,
                "background_work": background,
                "answers": {w: everything.count(w) for w in sorted(set(everything))},
                "registrations_acknowledged": len(load.acknowledged),
                "registrations_given_up": len(load.given_up),
                "households_stored": final["households_stored"],
                "acknowledged_lost": final["lost"],
                "duplicated": final["duplicated"],
                "stored_without_acknowledgement": len(
                    {r for r in records if r.startswith("faults-")} - set(load.acknowledged)
                ),
                "every_fault_0_lost_0_duplicated": all(
                    f["stored"]["lost"] == 0 and f["stored"]["duplicated"] == 0  # type: ignore[index]
                    for f in checks
                ),
                "verify_audit_intact_after_every_fault": all(
                    f["verify_audit"]["exit_code"] == 0  # type: ignore[index]
                    for f in checks
                ),
                "server_exit_code": server.returncode,
                "verify_audit": verify,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
