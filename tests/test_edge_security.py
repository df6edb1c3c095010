"""The HTTP edge: which client address we believe, sign-in lockout, caching, the database file, OTP in production."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client, RequestFactory, override_settings

from refugio.accounts.models import Role
from refugio.audit.models import AuditEvent
from refugio.audit.request import client_ip, client_network
from refugio.keyring import generate_keys
from refugio.middleware import NoStoreMiddleware

from .conftest import World, api_client
from .test_pages import signed_in

PROXY = "10.0.0.1"  # the reverse proxy: REMOTE_ADDR of every request that came through it


def _ip(forwarded: str | None, remote: str = PROXY) -> str | None:
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_ip(RequestFactory().get("/", **extra))


# --- which address: REFUGIO_TRUSTED_PROXIES, counted from the right ---


@override_settings(REFUGIO_TRUSTED_PROXIES=0)
def test_without_trusted_proxies_the_header_is_ignored() -> None:
    assert _ip("198.51.100.7") == PROXY
    assert _ip("198.51.100.7, 203.0.113.5") == PROXY
    assert _ip(None) == PROXY
    assert _ip("198.51.100.7", remote="not an address") is None


@override_settings(REFUGIO_TRUSTED_PROXIES=1)
def test_one_proxy_trusts_only_the_entry_it_appended() -> None:
    assert _ip("203.0.113.5") == "203.0.113.5"
    for forged in ("1.1.1.1", "8.8.8.8, 9.9.9.9", "127.0.0.1", "garbage", ""):
        assert _ip(f"{forged}, 203.0.113.5") == "203.0.113.5"
    assert _ip("203.0.113.5:51234") == "203.0.113.5"  # proxies that add the port
    assert _ip("1.1.1.1, [2001:db8::1]:443") == "2001:db8::1"
    assert _ip("2001:DB8::1") == "2001:db8::1"
    # The request did not come through the proxy as declared: the peer address, never a forged one.
    assert _ip(None) == PROXY
    assert _ip("") == PROXY
    assert _ip("1.1.1.1, unknown") == PROXY


@override_settings(REFUGIO_TRUSTED_PROXIES=2)
def test_two_proxies_count_two_from_the_right() -> None:
    assert _ip("1.1.1.1, 203.0.113.5, 10.0.0.2") == "203.0.113.5"
    assert _ip("203.0.113.5, 10.0.0.2") == "203.0.113.5"
    assert _ip("10.0.0.2") == PROXY  # fewer entries than proxies: not the left-most


@override_settings(REFUGIO_TRUSTED_PROXIES=1)
def test_limits_count_an_ipv6_client_by_its_64() -> None:
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="2001:db8:1:2:aaaa::7")
    assert client_ip(request) == "2001:db8:1:2:aaaa::7"  # the audit keeps the full address
    assert client_network(request) == "2001:db8:1:2::"
    assert _ip("::ffff:203.0.113.5") == "203.0.113.5"


# --- every consumer uses that address: /status/ rate limit, audit, sign-in lockout ---


def _status(forwarded: str, code: str = "NOPE-NOPE-1", born: str = "1990") -> object:
    client = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)
    return client.post("/status/?lang=en", {"code": code, "date_of_birth": born})


@pytest.mark.parametrize("hops", [0, 1])
def test_rotating_forwarded_for_does_not_bypass_the_status_limit(world: World, hops: int) -> None:
    # With no trusted proxy the whole header is forged; with one, everything left of its entry.
    appended = ", 203.0.113.5" if hops else ""
    with override_settings(REFUGIO_TRUSTED_PROXIES=hops):
        for attempt in range(20):  # the per-client allowance, each with a new forged address
            assert _status(f"192.0.2.{attempt}{appended}", code=f"CODE{attempt}").status_code == 200
        assert _status(f"192.0.2.200{appended}", code="CODE99").status_code == 429
        if hops == 1:  # another client behind the same proxy is counted on its own
            assert _status("192.0.2.1, 203.0.113.6", code="CODE98").status_code == 200


@override_settings(REFUGIO_TRUSTED_PROXIES=1)
def test_rotating_ipv6_addresses_within_a_64_does_not_bypass_the_status_limit(world: World) -> None:
    for attempt in range(20):
        assert _status(f"2001:db8:1:2::{attempt + 1:x}", code=f"CODE{attempt}").status_code == 200
    assert _status("2001:db8:1:2:ffff::1", code="CODE99").status_code == 429
    assert _status("2001:db8:1:3::1", code="CODE98").status_code == 200  # the next /64 is someone else


@override_settings(REFUGIO_TRUSTED_PROXIES=1)
def test_the_audit_records_the_address_the_proxy_saw(world: World) -> None:
    response = _status("6.6.6.6, 203.0.113.5", code=world.own.display_code, born="1990-03-12")
    assert response.status_code == 200
    event = AuditEvent.objects.filter(object_id=str(world.own.id), action="read").latest("id")
    assert event.ip_address == "203.0.113.5"


def _sign_in(forwarded: str, password: str) -> object:
    client = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)
    return client.post("/accounts/login/", {"username": "caseworker", "password": password})


@override_settings(AXES_ENABLED=True, REFUGIO_TRUSTED_PROXIES=1)
def test_lockout_is_per_address_and_username_behind_a_proxy(world: World) -> None:
    attacker, owner = "1.2.3.4, 198.51.100.7", "203.0.113.5"
    failures = [_sign_in(attacker, "wrong-password-123").status_code for _ in range(5)]
    assert failures == [200, 200, 200, 200, 429]  # the fifth failure locks out
    # Anyone behind the same proxy could otherwise lock the caseworker out: the owner still gets in.
    assert _sign_in(owner, "a-long-test-password").status_code == 302
    # The attacker's address is locked out for this username, even with the right password.
    assert _sign_in(attacker, "a-long-test-password").status_code == 429
    assert _sign_in("9.9.9.9, 198.51.100.7", "a-long-test-password").status_code == 429  # forged prefix


# --- nothing personal stays in a cache ---


def _no_store(response: object) -> bool:
    directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
    return {"no-store", "private"} <= directives and "public" not in directives and response["Pragma"] == "no-cache"


def test_pages_and_api_answers_are_not_stored(world: World) -> None:
    browser = signed_in(world.users[Role.CASEWORKER])
    for path in ("/cases/", f"/cases/{world.own.id}/", "/escalations/", "/no-such-page/"):
        response = browser.get(path)
        assert response.status_code in (200, 404), path
        assert _no_store(response), (path, response.get("Cache-Control"))
    api = api_client(world.users[Role.CASEWORKER])
    for path in (f"/api/v1/households/{world.own.id}", "/api/v1/households"):
        response = api.get(path)
        assert response.status_code == 200 and _no_store(response), (path, response.get("Cache-Control"))
    assert _no_store(Client().get("/accounts/login/"))
    assert _no_store(Client().get("/intake/sw.js"))  # its own "no-cache" is kept and made stricter
    assert "no-cache" in Client().get("/intake/sw.js")["Cache-Control"]


def test_static_files_and_explicitly_public_answers_stay_cacheable(db: object) -> None:
    static = Client().get("/static/refugio/refugio.css")
    assert static.status_code == 200 and "no-store" not in static.get("Cache-Control", "")

    def public_view(_request: object) -> object:
        from django.http import HttpResponse

        response = HttpResponse("public")
        response["Cache-Control"] = "public, max-age=60"
        return response

    answer = NoStoreMiddleware(public_view)(RequestFactory().get("/some/public/thing"))
    assert answer["Cache-Control"] == "public, max-age=60" and "Pragma" not in answer


# --- the SQLite file ---


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_sqlite_database_is_readable_by_its_owner_only(tmp_path: Path, django_db_blocker: object) -> None:
    from refugio.db_sqlite.base import DatabaseWrapper

    name = tmp_path / "sub" / "fresh.sqlite3"
    settings_dict = {
        "NAME": str(name),
        "OPTIONS": {"init_command": "PRAGMA journal_mode=WAL;"},
        "ENGINE": "refugio.db_sqlite",
        "TIME_ZONE": None,
        "CONN_MAX_AGE": 0,
        "CONN_HEALTH_CHECKS": False,
        "AUTOCOMMIT": True,
        "ATOMIC_REQUESTS": False,
    }
    wrapper = DatabaseWrapper(settings_dict, alias="edge-test")
    previous = os.umask(0o022)  # a usual umask: without care the files would be 0644
    try:
        with django_db_blocker.unblock(), wrapper.cursor() as cursor:
            cursor.execute("CREATE TABLE t (secret TEXT)")
            cursor.execute("INSERT INTO t VALUES ('x')")
            files = sorted(tmp_path.glob("sub/fresh.sqlite3*"))
            assert [f.name for f in files] == ["fresh.sqlite3", "fresh.sqlite3-shm", "fresh.sqlite3-wal"]
            assert {f.name: _mode(f) for f in files} == {f.name: 0o600 for f in files}
    finally:
        os.umask(previous)
        wrapper.close()


def test_an_old_world_readable_database_is_tightened(tmp_path: Path) -> None:
    from refugio.db_sqlite.base import make_private

    old = tmp_path / "old.sqlite3"
    old.write_bytes(b"")
    old.chmod(0o644)
    make_private(str(old))
    assert _mode(old) == 0o600


def _refugio(args: list[str], home: Path, timeout: int = 300, **env: str) -> subprocess.CompletedProcess[str]:
    keys = generate_keys()
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REFUGIO_MODE", "DJANGO_SETTINGS_MODULE"} and not k.startswith("REFUGIO_")
    }
    environment.update(
        {
            "REFUGIO_HOME": str(home),
            "REFUGIO_MODE": "production",
            "REFUGIO_ALLOWED_HOSTS": "refugio.example.org",
            "REFUGIO_ENCRYPTION_KEYS": ",".join(keys["encryption_keys"]),
            "REFUGIO_INDEX_KEY": str(keys["index_key"]),
            "REFUGIO_SECRET_KEY": str(keys["secret_key"]),
            **env,
        }
    )
    command = [sys.executable, "-m", "refugio.cli", *args]
    return subprocess.run(command, capture_output=True, text=True, env=environment, timeout=timeout)  # noqa: S603


@pytest.mark.slow
def test_refugio_manage_migrate_creates_a_private_database(tmp_path: Path) -> None:
    home = tmp_path / "home"
    result = _refugio(["manage", "migrate", "auth", "--verbosity", "0"], home)
    assert result.returncode == 0, result.stderr
    assert _mode(home / "refugio.sqlite3") == 0o600


# --- production refuses unsafe settings ---


@pytest.mark.slow
def test_production_refuses_to_run_without_the_second_factor(tmp_path: Path) -> None:
    check = ["manage", "check", "--deploy", "--fail-level", "CRITICAL"]
    assert _refugio(check, tmp_path).returncode == 0  # the same set-up starts when the factor is on
    for value in ("0", "false", ""):  # refused at once: a server that starts would time out here
        refused = _refugio(["serve", "--port", "8598"], tmp_path, timeout=30, REFUGIO_REQUIRE_OTP=value)
        assert refused.returncode == 3, refused.stderr
        assert "REFUGIO_REQUIRE_OTP" in refused.stderr and "second factor" in refused.stderr
    assert _refugio(check, tmp_path, REFUGIO_MODE="test", REFUGIO_REQUIRE_OTP="0").returncode == 0


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "value"),
    [("REFUGIO_TRUSTED_PROXIES", "one"), ("REFUGIO_TRUSTED_PROXIES", "-1"), ("REFUGIO_TRUST_X_FORWARDED_FOR", "1")],
)
def test_proxy_settings_that_would_trust_forged_addresses_are_refused(tmp_path: Path, name: str, value: str) -> None:
    refused = _refugio(["manage", "check"], tmp_path, **{name: value})
    assert refused.returncode == 3 and "REFUGIO_TRUSTED_PROXIES" in refused.stderr, refused.stderr
