"""How much and how often anonymous people may send registrations (/register/ and the public API).

The counters are django-ratelimit's, in the cache every server process shares (as for /status/). Each
registration sent counts once for the client's address and once for everyone together. A client over
its own limit is not counted against everyone, so one address cannot use up the shared allowance.
"""

from __future__ import annotations

import ipaddress
import math
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_ratelimit.core import get_usage

from refugio.audit.request import client_ip

# A household of 20 with every field filled is about 12 KB of JSON.
MAX_PUBLIC_BODY_BYTES = 64 * 1024


@dataclass(frozen=True)
class Limited:
    wait_seconds: int
    message: str


def client_key(_group: str, request: HttpRequest) -> str:
    """The client's address; for IPv6 its /64, since one subscriber may use any address in it."""
    text = client_ip(request)
    if text is None:
        return "unknown"
    address = ipaddress.ip_address(text)
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def _everyone(_group: str, _request: HttpRequest) -> str:
    return "all"


def registration_limited(request: HttpRequest) -> Limited | None:
    """Count one registration sent from this request's client. None when it may go ahead."""
    client = get_usage(
        request,
        group="registration-client",
        key=client_key,
        rate=settings.REFUGIO_REGISTRATIONS_PER_CLIENT,
        increment=True,
    )
    if client is not None and client["should_limit"]:
        wait = max(client["time_left"], 1)
        minutes = math.ceil(wait / 60)
        message = ngettext(
            "Too many registrations were sent from this connection. Please try again in %(n)d minute.",
            "Too many registrations were sent from this connection. Please try again in %(n)d minutes.",
            minutes,
        ) % {"n": minutes}
        return Limited(wait, message)
    everyone = get_usage(
        request,
        group="registration-global",
        key=_everyone,
        rate=settings.REFUGIO_REGISTRATION_GLOBAL_RATE,
        increment=True,
    )
    if everyone is not None and everyone["should_limit"]:
        wait = max(everyone["time_left"], 1)
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
