"""The actor behind an HTTP request: who, and from which address."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest

from refugio.audit.services import Actor


def client_ip(request: HttpRequest) -> str | None:
    # Trust X-Forwarded-For only when a reverse proxy in front of us is declared to set it.
    if getattr(settings, "REFUGIO_TRUST_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[0].strip()
        if forwarded:
            candidate = forwarded
        else:
            candidate = request.META.get("REMOTE_ADDR", "")
    else:
        candidate = request.META.get("REMOTE_ADDR", "")
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None


def actor_from_request(request: HttpRequest, channel: str) -> Actor:
    user = getattr(request, "auth", None) or request.user
    return Actor(user=user, channel=channel, ip_address=client_ip(request))
