"""Referrals: a referral the user sees (sent or received) and one they do not; a directory entry (the directory
is not personal data: every signed-in user reads it, so there is no foreign one)."""

from __future__ import annotations

from typing import Any

from refugio.referrals.models import Referral, Service
from refugio.referrals.selectors import received_referrals, sent_referrals


def extend(user: Any, own: dict[str, Any], foreign: dict[str, Any]) -> None:  # noqa: ANN401
    visible = set(sent_referrals(user).values_list("id", flat=True)) | set(
        received_referrals(user).values_list("id", flat=True)
    )
    if visible:
        own["referral_id"] = min(visible)
    hidden = Referral.objects.exclude(id__in=visible).order_by("id").first()
    if hidden is not None:
        foreign["referral_id"] = hidden.id
    service = Service.objects.filter(active=True).order_by("name").first()
    if service is not None:
        own["service_id"] = service.id
