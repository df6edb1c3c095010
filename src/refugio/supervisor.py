"""`refugio serve` keeps the service up: a small parent that holds the listening socket and restarts what dies.

Processes (each child in its own process group)::

    refugio serve                 holds the socket, restarts the two below, stops them all on exit
    ├── gunicorn master           `refugio serve --listen-fd N`: serves on the inherited socket
    │   └── gunicorn workers      restarted by the master; die with it (PR_SET_PDEATHSIG)
    ├── task worker (optional)    `refugio manage task_worker`, with `--task-worker`
    ├── report worker (optional)  `refugio manage task_worker --queue-name reports`: long reports apart
    └── registration worker (optional)
                                  `refugio manage task_worker --queue-name registrations`: stores what
                                  public registration acknowledged

The socket is bound once, here, and never closed while the parent lives: a gunicorn master that is
killed leaves no port to fight over; connections that arrive while a new master starts wait in the
socket's queue instead of being refused. Workers orphaned by a killed master get SIGTERM from the kernel
(they finish the request in hand and exit), and the parent signals their process group too, then kills
it after ``GRACE_SECONDS``. If the parent itself is killed, its children get SIGTERM from the kernel and
the service manager (systemd, ``Restart=always``) starts it again.
"""

from __future__ import annotations

import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field

PR_SET_PDEATHSIG = 1
# Longer than gunicorn's graceful timeout (30 s): a worker finishing a request is not cut short.
GRACE_SECONDS = 35.0
# A child that lived this long had started fine: restart it at once. One that died sooner waits longer
# each time (0.5, 1, 2, then 4 s), so a broken configuration does not spin.
HEALTHY_AFTER = 10.0
MAX_BACKOFF = 4.0
POLL = 0.1


def die_with_parent(sig: int = signal.SIGTERM) -> None:
    """Ask Linux to send ``sig`` to this process when its parent dies (nothing elsewhere)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0)
    except (OSError, AttributeError):
        return


def worker_dies_with_master(server: object, worker: object) -> None:
    """gunicorn ``post_fork``: a worker whose master is gone stops at once (gunicorn itself notices only
    between requests, after up to half its timeout, and never while requests keep coming)."""
    die_with_parent(signal.SIGTERM)
    if os.getppid() != getattr(server, "pid", os.getppid()):  # the master died before prctl
        os._exit(0)


def _preexec(parent: int) -> Callable[[], None]:
    def run() -> None:
        die_with_parent(signal.SIGTERM)
        if os.getppid() != parent:  # the parent died between fork and prctl
            os._exit(1)

    return run


def listen(host: str, port: int, attempts: int = 40) -> socket.socket:
    """A listening TCP socket. A port still held by the draining workers of a previous run is retried
    for ``attempts`` seconds; SO_REUSEPORT is not set, so a second server on the same port is refused."""
    family, kind, proto, _name, address = socket.getaddrinfo(
        host.strip("[]"), port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    for attempt in range(attempts):
        sock = socket.socket(family, kind, proto)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(address)
        except OSError as exc:
            sock.close()
            if attempt == attempts - 1:
                raise
            _say(f"cannot listen on {host}:{port} yet ({exc.strerror}); retrying")
            time.sleep(1)
            continue
        sock.listen(2048)
        sock.set_inheritable(True)
        return sock
    raise AssertionError("unreachable")


def _say(text: str) -> None:
    sys.stderr.write(f"refugio serve: {text}\n")
    sys.stderr.flush()


def _describe(returncode: int) -> str:
    if returncode < 0:
        try:
            return f"killed by {signal.Signals(-returncode).name}"
        except ValueError:
            return f"killed by signal {-returncode}"
    return f"exit {returncode}"


@dataclass
class Child:
    name: str
    argv: list[str]
    pass_fds: tuple[int, ...] = ()
    process: subprocess.Popen[bytes] | None = None
    started: float = 0.0
    quick_failures: int = 0
    start_at: float = 0.0
    restarts: int = 0

    def start(self) -> subprocess.Popen[bytes]:
        self.process = process = subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
            self.argv,
            pass_fds=self.pass_fds,
            start_new_session=True,  # its own process group: orphans can be found and stopped together
            preexec_fn=_preexec(os.getpid()),  # noqa: PLW1509 (the supervisor runs no threads)
        )
        self.started = time.monotonic()
        return process


@dataclass
class Supervisor:
    children: list[Child]
    # Process groups of children that ended, with the time after which whatever is left in them is killed.
    draining: dict[int, float] = field(default_factory=dict)
    stopping: bool = False

    def _stop(self, signum: int, _frame: object) -> None:
        self.stopping = True

    def run(self) -> int:
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(sig, self._stop)
        for child in self.children:
            process = child.start()
            _say(f"started {child.name} (pid {process.pid})")
        while not self.stopping:
            time.sleep(POLL)
            now = time.monotonic()
            for child in self.children:
                self._watch(child, now)
            self._reap_draining(now)
        return self._shutdown()

    def _watch(self, child: Child, now: float) -> None:
        if child.process is None:
            if now >= child.start_at and not self.stopping:
                process = child.start()
                child.restarts += 1
                _say(f"started {child.name} again (pid {process.pid})")
            return
        returncode = child.process.poll()
        if returncode is None:
            return
        pid = child.process.pid
        _say(f"{child.name} (pid {pid}) ended ({_describe(returncode)}); starting it again")
        # Its workers, if any, are still in its process group: stop them (they finish their request).
        self._signal_group(pid, signal.SIGTERM)
        self.draining[pid] = now + GRACE_SECONDS
        child.quick_failures = child.quick_failures + 1 if now - child.started < HEALTHY_AFTER else 0
        delay = 0.0 if child.quick_failures == 0 else min(MAX_BACKOFF, 0.5 * 2 ** (child.quick_failures - 1))
        child.process = None
        child.start_at = now + delay
        self._watch(child, now)  # no delay: start it now

    def _reap_draining(self, now: float) -> None:
        for group, deadline in list(self.draining.items()):
            if not _group_alive(group):
                del self.draining[group]
            elif now >= deadline:
                self._signal_group(group, signal.SIGKILL)
                del self.draining[group]

    @staticmethod
    def _signal_group(group: int, sig: int) -> None:
        try:
            os.killpg(group, sig)
        except (ProcessLookupError, PermissionError):
            pass

    def _shutdown(self) -> int:
        _say("stopping")
        running = [c.process for c in self.children if c.process is not None]
        groups = [p.pid for p in running] + list(self.draining)
        for group in groups:
            self._signal_group(group, signal.SIGTERM)
        deadline = time.monotonic() + GRACE_SECONDS
        while time.monotonic() < deadline and any(_group_alive(g) for g in groups):
            for process in running:
                process.poll()
            time.sleep(POLL)
        for group in groups:
            self._signal_group(group, signal.SIGKILL)
        for process in running:
            process.wait()
        return 0


def _group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def serve(host: str, port: int, workers: int, *, task_worker: bool) -> int:
    """Listen on host:port and keep gunicorn (and the task worker) running until SIGTERM or Ctrl+C."""
    try:
        sock = listen(host, port)
    except OSError as exc:
        _say(f"cannot listen on {host}:{port}: {exc.strerror}")
        return 1
    refugio = [sys.executable, "-m", "refugio.cli"]
    gunicorn = Child(
        "gunicorn",
        [*refugio, "serve", "--listen-fd", str(sock.fileno()), "--workers", str(workers)],
        pass_fds=(sock.fileno(),),
    )
    children = [gunicorn]
    if task_worker:
        # task_worker first recovers what a crash cut off (and books the periodic tasks), then works.
        children.append(Child("task worker", [*refugio, "manage", "task_worker"]))
        children.append(Child("report worker", [*refugio, "manage", "task_worker", "--queue-name", "reports"]))
        children.append(
            Child("registration worker", [*refugio, "manage", "task_worker", "--queue-name", "registrations"])
        )
    _say(f"listening on {host}:{port} (pid {os.getpid()})")
    try:
        return Supervisor(children).run()
    finally:
        sock.close()
