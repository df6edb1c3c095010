"""Writes for accounts: tokens."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import User
from django.utils import timezone

from refugio.accounts.models import ApiToken

TOKEN_PREFIX = "rfg_"


def _digest(raw: str) -> str:
    # A fast hash is right here: tokens carry 256 random bits, so there is nothing to brute-force.
    return hashlib.sha256(raw.encode()).hexdigest()


def create_api_token(user: User) -> str:
    """A new bearer token for the user. The raw token is returned once and never stored."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, digest=_digest(raw), prefix=raw[:10])
    return raw


def user_for_token(raw: str) -> User | None:
    """The active user behind a live token, or None."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=_digest(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 300:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)  # coarse, to spare a write per call
    return token.user
