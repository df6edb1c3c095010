"""How much and how often anonymous people may send registrations (/register/ and the public API).

The counters live in the cache every server process shares (as for /status/). Each registration sent counts
once for the client's address and once for everyone together. A client over its own limit is not counted
against everyone, so one address cannot use up the shared allowance.

Counting is on every registration's path, so in Redis both counters are counted in one round trip (a
pipeline), not the six that django-ratelimit's add-then-increment takes for two limits: at 200
registrations a second those round trips were a fifth of a server process's time. Each counter's window
is fixed but starts at its own moment (as django-ratelimit's do), so that all clients' windows do not end
together.
"""

from __future__ import annotations

import hashlib
import math
import time
import zlib
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from refugio.audit.request import client_network

# A household of 20 with every field filled is about 12 KB of JSON.
MAX_PUBLIC_BODY_BYTES = 64 * 1024


@dataclass(frozen=True)
class Limited:
    wait_seconds: int
    message: str


UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class Window:
    """One counter's current window: its cache key, how long it lasts, and the most it may count."""

    key: str
    seconds: int
    limit: int
    ends_at: float

    @classmethod
    def of(cls, group: str, value: str, rate: str, now: float) -> Window:
        count, per = rate.split("/")
        seconds = int(per[:-1] or 1) * UNITS[per[-1]]
        offset = zlib.crc32(value.encode()) % seconds  # this counter's own moment in the period
        start = int(now) - (int(now) + offset) % seconds
        digest = hashlib.sha256(f"{group}:{value}".encode()).hexdigest()[:32]  # no address in the cache's keys
        return cls(f"refugio:limit:{digest}:{start}", seconds, int(count), start + seconds)

    def time_left(self, now: float) -> int:
        return max(math.ceil(self.ends_at - now), 1)


def _count(*windows: Window) -> list[int]:
    """Count one hit in each window; the counts after it. One round trip in Redis."""
    cache = caches["default"]
    if isinstance(cache, RedisCache):
        keys = [cache.make_and_validate_key(w.key) for w in windows]
        pipeline = cache._cache.get_client(keys[0], write=True).pipeline(transaction=False)
        for key, window in zip(keys, windows, strict=True):
            pipeline.set(key, 0, ex=window.seconds + 1, nx=True)
            pipeline.incr(key)
        return [int(n) for n in pipeline.execute()[1::2]]
    counts = []
    for window in windows:
        cache.add(window.key, 0, window.seconds + 1)
        try:
            counts.append(cache.incr(window.key))
        except ValueError:  # the entry ended between the two calls: this hit starts a new one
            cache.set(window.key, 1, window.seconds + 1)
            counts.append(1)
    return counts


def _uncount(window: Window) -> None:
    try:
        caches["default"].decr(window.key)
    except ValueError:  # already gone with its window
        pass


def registration_limited(request: HttpRequest) -> Limited | None:
    """Count one registration sent from this request's client. None when it may go ahead."""
    now = time.time()
    client_address = client_network(request) or "unknown"  # IPv4, or an IPv6 client's /64
    client = Window.of("registration-client", client_address, settings.REFUGIO_REGISTRATIONS_PER_CLIENT, now)
    everyone = Window.of("registration-global", "all", settings.REFUGIO_REGISTRATION_GLOBAL_RATE, now)
    by_client, by_everyone = _count(client, everyone)
    if by_client > client.limit:
        _uncount(everyone)  # one address over its limit does not use up everyone's allowance
        wait = client.time_left(now)
        minutes = math.ceil(wait / 60)
        message = ngettext(
            "Too many registrations were sent from this connection. Please try again in %(n)d minute.",
            "Too many registrations were sent from this connection. Please try again in %(n)d minutes.",
            minutes,
        ) % {"n": minutes}
        return Limited(wait, message)
    if by_everyone > everyone.limit:
        wait = everyone.time_left(now)
        return Limited(wait, _("Very many people are registering at this moment. Please try again in a minute."))
    return None


def body_too_large(request: HttpRequest, *, read: bool = True) -> bool:
    """Judged on the declared length first, so an oversized body is refused without being read. With
    read=False (a form whose body Django may already have parsed), on the declared length only."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_PUBLIC_BODY_BYTES:
        return True
    return read and len(request.body) > MAX_PUBLIC_BODY_BYTES


def too_large_message() -> str:
    return _("This registration is too large to send (at most %(n)d KB).") % {"n": MAX_PUBLIC_BODY_BYTES // 1024}
