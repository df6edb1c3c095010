"""A server that comes back: a database outage answers 503 (not 500), /healthz says what is down, and a
killed gunicorn master is replaced while the port keeps listening."""

from __future__ import annotations

import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import pytest
from django.db import InterfaceError, OperationalError, connection
from django.test import Client
from django.utils import timezone, translation
from django.utils.translation import gettext

MESSAGE = "The service is temporarily unavailable. Please try again in a few minutes."


@contextmanager
def database_down(error: type[Exception] = OperationalError) -> Iterator[None]:
    """Every query from now on fails as it would with the database gone (connection refused)."""
    with mock.patch.object(connection, "ensure_connection", side_effect=error("connection refused")):
        yield


def _message(language: str) -> str:
    with translation.override(language):
        return gettext(MESSAGE)


# --- 503 instead of 500 -------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["fr", "en", "ht"])
def test_a_page_answers_503_in_the_users_language(language: str) -> None:
    client = Client()  # raises if the error escaped the view unhandled
    with database_down():
        response = client.get(f"/register/?lang={language}")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response["Content-Type"].startswith("text/html")
    assert response["Content-Language"] == language
    page = response.content.decode()
    assert f'<html lang="{language}">' in page
    assert _message(language) in page


@pytest.mark.django_db
def test_a_page_takes_the_language_from_accept_language() -> None:
    client = Client()
    with database_down(InterfaceError):
        response = client.get("/register/", HTTP_ACCEPT_LANGUAGE="pt")
    assert response.status_code == 503
    assert response["Content-Language"] == "pt"
    assert _message("pt") in response.content.decode()


@pytest.mark.django_db
def test_an_outage_met_in_a_middleware_is_a_503_too() -> None:
    """A session cookie makes the second-factor middleware load the session before any view runs:
    Django turns that error into a 500 unless handler500 knows better."""
    client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="fr")
    client.cookies["sessionid"] = "a" * 32
    with database_down():
        page = client.get("/")
        api = client.get("/api/v1/households")
    assert page.status_code == 503 and page["Retry-After"] == "30"
    assert _message("fr") in page.content.decode()
    assert api.status_code == 503 and api["Retry-After"] == "30"
    assert api.json() == {"code": "unavailable", "message": _message("fr"), "fields": {}}


@pytest.mark.django_db
@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_the_api_answers_503_in_its_error_format(error: type[Exception]) -> None:
    client = Client()
    with database_down(error):
        response = client.post(
            "/api/v1/registrations",
            {"members": []},
            content_type="application/json",
            HTTP_ACCEPT_LANGUAGE="es",
            HTTP_IDEMPOTENCY_KEY="outage-1",
        )
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response.json() == {"code": "unavailable", "message": _message("es"), "fields": {}}


@pytest.mark.django_db
def test_other_errors_stay_500() -> None:
    client = Client(raise_request_exception=False)
    with mock.patch("refugio.registration.register_view._language", side_effect=RuntimeError("a bug")):
        response = client.get("/register/")
    assert response.status_code == 500
    assert "Retry-After" not in response


# --- /healthz -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_healthz_says_everything_is_up() -> None:
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "keys": "ok", "tasks": "ok", "registrations": "ok"}


@pytest.mark.django_db
def test_healthz_says_the_database_is_down() -> None:
    with database_down():
        response = Client().get("/healthz")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response.json() == {
        "status": "error", "database": "error", "keys": "ok", "tasks": "unknown", "registrations": "unknown"
    }


@pytest.mark.django_db
def test_healthz_says_the_keys_cannot_be_used() -> None:
    with mock.patch("refugio.encryption.encrypt", side_effect=ValueError("bad key")):
        response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "error", "database": "ok", "keys": "error", "tasks": "ok", "registrations": "ok"
    }


@pytest.mark.django_db
def test_healthz_says_no_task_worker_is_running_but_stays_up() -> None:
    from django_tasks_db.models import DBTaskResult

    def waiting(since: dt.timedelta) -> DBTaskResult:
        return DBTaskResult.objects.create(
            task_path="refugio.escalations.tasks.sweep_overdue",
            args_kwargs={"args": [], "kwargs": {}},
            backend_name="default",
            queue_name="default",
            run_after=timezone.now() - since,
        )

    waiting(dt.timedelta(seconds=30))  # a worker polling every second would have it soon: fine
    assert Client().get("/healthz").json()["tasks"] == "ok"
    waiting(dt.timedelta(minutes=6))
    response = Client().get("/healthz")
    assert response.status_code == 200  # registration and casework go on without the worker
    assert response.json() == {
        "status": "degraded", "database": "ok", "keys": "ok", "tasks": "late", "registrations": "ok"
    }


@pytest.mark.django_db
def test_healthz_says_accepted_registrations_wait_or_could_not_be_stored() -> None:
    from refugio.accounts.models import Organisation
    from refugio.registration.models import AcceptedRegistration

    intake = Organisation.objects.create(name="Intake", kind="legal_aid", public_intake=True)

    def accepted(since: dt.timedelta, code: str, problem: str = "") -> None:
        AcceptedRegistration.objects.create(
            id=uuid.uuid4(), registration_code=code, request_digest="0" * 64, organisation=intake,
            content="{}", accepted_at=timezone.now() - since, problem=problem,
        )

    accepted(dt.timedelta(seconds=30), "22222222Z")  # the worker stores it in a moment
    assert Client().get("/healthz").json()["registrations"] == "ok"
    accepted(dt.timedelta(minutes=6), "33333333Z")
    response = Client().get("/healthz")
    assert response.status_code == 200 and response.json()["status"] == "degraded"
    assert response.json()["registrations"] == "late"
    accepted(dt.timedelta(seconds=1), "44444444Z", problem="ValidationFailed members")
    assert Client().get("/healthz").json()["registrations"] == "problem"


# --- a real server, killed ----------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except FileNotFoundError:
        return []


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def _healthy(port: int, within: float) -> float | None:
    """Seconds until /healthz answers 200, or None if it did not within `within` seconds."""
    started = time.monotonic()
    while time.monotonic() - started < within:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=within) as response:  # noqa: S310
                if response.status == 200:
                    return time.monotonic() - started
        except (OSError, urllib.error.URLError):
            time.sleep(0.1)
    return None


def _accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_killed_master_is_replaced_within_ten_seconds(tmp_path: Path) -> None:
    environment = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REFUGIO_MODE", "DJANGO_SETTINGS_MODULE"}
    }
    environment.update(
        REFUGIO_HOME=str(tmp_path), REFUGIO_MODE="demo", REFUGIO_ALLOWED_HOSTS="127.0.0.1", REFUGIO_LOG_LEVEL="WARNING"
    )
    refugio = [sys.executable, "-m", "refugio.cli"]
    subprocess.run([*refugio, "manage", "migrate", "-v", "0"], env=environment, check=True, timeout=300)
    port = _free_port()
    server = subprocess.Popen(
        [*refugio, "serve", "--port", str(port), "--workers", "2"],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        assert _healthy(port, 120) is not None, "the server never came up"
        (master,) = _children(server.pid)
        booted = time.monotonic()
        while len(_children(master)) < 2 and time.monotonic() - booted < 30:
            time.sleep(0.05)
        workers = _children(master)
        assert len(workers) == 2

        killed = time.monotonic()
        os.kill(master, signal.SIGKILL)
        assert _accepts(port)  # the supervisor holds the socket: never "connection refused"
        while _children(server.pid) in ([], [master]) and time.monotonic() - killed < 10:
            time.sleep(0.05)
        (new_master,) = _children(server.pid)
        assert new_master != master
        while len(_children(new_master)) < 2 and time.monotonic() - killed < 10:
            time.sleep(0.05)
        assert _healthy(port, 10 - (time.monotonic() - killed)) is not None, "no new workers within 10 s"
        deadline = time.monotonic() + 10
        while any(_alive(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(_alive(w) for w in workers), "the old master's workers kept running"

        os.kill(_children(new_master)[0], signal.SIGKILL)  # a worker: gunicorn replaces it
        assert _healthy(port, 10) is not None
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=60)
        finally:
            if server.poll() is None:
                os.killpg(server.pid, signal.SIGKILL)
    assert server.returncode == 0
    assert not _accepts(port)  # it stopped everything it started
