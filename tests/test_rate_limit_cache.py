"""Registration limits hold under a surge of many clients: no counter is forgotten, in either cache."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
from django.core.cache import caches
from django.test import RequestFactory, override_settings

from refugio.registration.limits import registration_limited

CLIENTS = 450  # more than Django's default of 300 cache entries


@pytest.fixture(autouse=True)
def _no_window_ends_during_the_test(monkeypatch: pytest.MonkeyPatch) -> None:
    # Each counter's hour ends at its own moment; with 450 of them, one would often end mid-test and count anew.
    now = time.time()
    monkeypatch.setattr("refugio.registration.limits.time.time", lambda: now)


def _limited_clients() -> int:
    factory = RequestFactory()
    for i in range(CLIENTS):
        assert registration_limited(factory.post("/register/", REMOTE_ADDR=f"10.9.{i // 250}.{i % 250}")) is None
    return sum(
        registration_limited(factory.post("/register/", REMOTE_ADDR=f"10.9.{i // 250}.{i % 250}")) is not None
        for i in range(CLIENTS)
    )


@override_settings(REFUGIO_REGISTRATIONS_PER_CLIENT="1/h", REFUGIO_REGISTRATION_GLOBAL_RATE="100000/h")
def test_the_database_cache_remembers_every_client_of_a_surge(db: object) -> None:
    caches["default"].clear()
    assert _limited_clients() == CLIENTS


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.fixture
def redis_cache() -> Iterator[None]:
    if not _redis_up():
        pytest.skip("no Redis on 127.0.0.1:6379")
    cache = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:6379/15"}
    with override_settings(CACHES={"default": cache}):
        caches["default"].clear()
        yield
        caches["default"].clear()


@override_settings(REFUGIO_REGISTRATIONS_PER_CLIENT="1/h", REFUGIO_REGISTRATION_GLOBAL_RATE="100000/h")
def test_the_redis_cache_counts_every_client_of_a_surge(redis_cache: None) -> None:
    assert _limited_clients() == CLIENTS


def test_a_cache_address_that_is_not_redis_is_refused_at_start() -> None:
    code = "import django; django.setup()"
    env = {"DJANGO_SETTINGS_MODULE": "refugio.settings_test", "REFUGIO_CACHE_URL": "memcached://127.0.0.1:11211"}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False)
    assert result.returncode != 0
    assert "REFUGIO_CACHE_URL must be a Redis address" in result.stderr
