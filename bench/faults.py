"""Faults under load: does `refugio serve` come back, and does a database outage answer 503? (prints JSON)

    .venv/bin/python bench/faults.py [--clients 8] [--workers 3] [--outage 5]

Starts `refugio serve --task-worker` in production mode on a free local port, on a fresh PostgreSQL
database `refugio_faults` reached through a TCP forwarder this script runs (so the database can be taken
away without touching the shared server). While clients send registrations (each with its own
Idempotency-Key, retried after a connection error or a 5xx), it kills with SIGKILL a gunicorn worker,
the gunicorn master and the task worker, then takes the database away for a few seconds. It measures how
long the service needed to answer again after each fault, counts the answers during the outage, and at
the end checks that every acknowledged registration is stored exactly once and runs `verify_audit`.
Traffic goes to 127.0.0.1 only; the run is bounded in time (--max-seconds) and registrations (--max-registrations).
"""

from __future__ import annotations

import argparse
import json
import os
import queue
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


def _task_worker(supervisor: int) -> int | None:
    return next((p for p in _children(supervisor) if "db_worker" in _cmdline(p)), None)


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


def main() -> None:  # noqa: PLR0915 (one story, told in order)
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--outage", type=float, default=5.0, help="seconds without the database")
    parser.add_argument("--pause", type=float, default=4.0, help="seconds of load between faults")
    parser.add_argument("--max-registrations", type=int, default=5000)
    parser.add_argument("--max-seconds", type=float, default=240.0)
    args = parser.parse_args()
    started = time.monotonic()

    with psycopg.connect(f"postgresql://postgres@{PG_HOST}:{PG_PORT}/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {DATABASE}")
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
    faults: dict[str, object] = {}
    outage: dict[str, object] = {}
    load = Load(port, deadline=started + args.max_seconds)
    try:
        faults["startup_seconds"] = _wait(lambda: _healthz(port) == 200, 120)
        work: queue.Queue[tuple[dict[str, object], str]] = queue.Queue()
        for i, body in enumerate(_bodies(args.max_registrations)):
            work.put((body, f"faults-{i}"))
        clients = [threading.Thread(target=_client, args=(load, work)) for _ in range(args.clients)]
        for client in clients:
            client.start()

        def kill(name: str, pid: int | None, back: object) -> None:
            time.sleep(args.pause)
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
            faults[name]["port_ever_refused"] = refused.is_set()  # type: ignore[index]

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
        time.sleep(max(0.0, killed_master + args.pause + 5 - time.monotonic()))
        left = sum(1 for w in old_workers if Path(f"/proc/{w}").exists())
        faults["kill_gunicorn_master"]["old_workers_left_5s_after"] = left  # type: ignore[index]
        task = _task_worker(server.pid)
        kill("kill_task_worker", task, lambda: _task_worker(server.pid) not in (None, task) and _healthz(port) == 200)

        time.sleep(args.pause)
        went_down = time.monotonic()
        forwarder.down()
        health_during: dict[str, int] = {}
        while time.monotonic() - went_down < args.outage:
            code = str(_healthz(port, timeout=3))
            health_during[code] = health_during.get(code, 0) + 1
            time.sleep(0.5)
        came_up = time.monotonic()
        forwarder.up()
        outage["seconds_without_database"] = round(came_up - went_down, 2)
        outage["healthz_during"] = health_during
        outage["seconds_until_healthy_after_database_back"] = _wait(lambda: _healthz(port) == 200, 30)
        time.sleep(args.pause)
        load.stop.set()  # no new registrations; those under way finish (with their retries)
        for client in clients:
            client.join()
        during = [what for at, what in load.answers if went_down <= at <= came_up + 1]
        outage["answers_during"] = {w: during.count(w) for w in sorted(set(during))}
        outage["answers_503"] = during.count("503")
        outage["answers_other_5xx"] = sum(1 for w in during if w.isdigit() and w.startswith("5") and w != "503")
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

    with psycopg.connect(direct) as db:
        households = db.execute("SELECT count(*) FROM people_household").fetchone()[0]  # type: ignore[index]
        records: dict[str, str] = dict(
            db.execute(
                "SELECT key, household_id::text FROM registration_idempotencyrecord WHERE key LIKE 'faults-%%'"
            ).fetchall()
        )
        stored = {row[0] for row in db.execute("SELECT id::text FROM people_household").fetchall()}
    lost = [k for k, h in load.acknowledged.items() if records.get(k) != h or h not in stored]
    verify = subprocess.run([*refugio, "manage", "verify_audit"], env=env, capture_output=True, text=True)
    with psycopg.connect(f"postgresql://postgres@{PG_HOST}:{PG_PORT}/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {DATABASE}")
    everything = [what for _, what in load.answers]
    print(
        json.dumps(
            {
                "clients": args.clients,
                "server_workers": args.workers,
                "seconds": round(time.monotonic() - started, 1),
                "faults": faults,
                "database_outage": outage,
                "answers": {w: everything.count(w) for w in sorted(set(everything))},
                "registrations_acknowledged": len(load.acknowledged),
                "registrations_given_up": len(load.given_up),
                "households_stored": households,
                "acknowledged_lost": len(lost),
                "duplicated": households - len(set(records.values())),
                "stored_without_acknowledgement": len(set(records) - set(load.acknowledged)),
                "server_exit_code": server.returncode,
                "verify_audit": {
                    "exit_code": verify.returncode,
                    "output": (verify.stdout + verify.stderr).strip()[-300:],
                },
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
