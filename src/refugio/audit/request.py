"""The actor behind an HTTP request: who, and from which address."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest

from refugio.audit.services import Actor


def _address(text: str) -> str | None:
    """A normalised IP address, or None. Accepts the forms proxies write: `a.b.c.d:port`, `[v6]:port`."""
    text = text.strip()
    if text.startswith("["):
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:  # IPv4 with a port; a bare IPv6 address has several colons
        text = text.partition(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)  # ::ffff:203.0.113.5 is 203.0.113.5
    return str(address)


def client_ip(request: HttpRequest) -> str | None:
    """The address of the client, as far as the trusted proxies in front of us can vouch for it.

    Every rate limit, the sign-in lockout and the audit use this one function.

    With ``REFUGIO_TRUSTED_PROXIES = N`` (0 by default), the last N entries of X-Forwarded-For were
    appended by our own proxies, so the entry N places from the right is the address the outermost
    proxy saw. Anything to its left was written by the client and is ignored: it can be forged.
    N = 0 ignores the header and uses the peer address (REMOTE_ADDR). When the header has fewer than
    N entries, or the entry there is not an address, the request did not come through the proxies
    as declared, so the peer address is used: it may be a proxy's (stricter limits), never a forged one.
    """
    peer = _address(request.META.get("REMOTE_ADDR", ""))
    hops = getattr(settings, "REFUGIO_TRUSTED_PROXIES", 0)
    if hops <= 0:
        return peer
    entries = [e for e in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if e.strip()]
    if len(entries) < hops:
        return peer
    return _address(entries[-hops]) or peer


def client_network(request: HttpRequest) -> str | None:
    """The client as rate limits and the sign-in lockout count it: its IPv4 address, or for IPv6 its /64
    (written as the network's first address), since one subscriber may use any address in its /64."""
    text = client_ip(request)
    if text is None or ":" not in text:
        return text
    return str(ipaddress.ip_network(f"{text}/64", strict=False).network_address)


def client_key(_group: str, request: HttpRequest) -> str:
    """The `key=` of every django-ratelimit limit per client. No address: one shared bucket, never none."""
    return client_network(request) or "unknown"


def actor_from_request(request: HttpRequest, channel: str) -> Actor:
    user = getattr(request, "auth", None) or request.user
    return Actor(user=user, channel=channel, ip_address=client_ip(request))
