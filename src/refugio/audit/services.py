"""Appending to the audit chain. Every write and every read of personal data passes through here."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.utils import timezone

from refugio.audit.models import AuditEvent, ChainHead

GENESIS = "0" * 64


@dataclass(frozen=True)
class Actor:
    """Who acts and from where; passed explicitly to every service."""

    user: AbstractBaseUser | AnonymousUser | None
    channel: str = "system"
    ip_address: str | None = None

    @property
    def name(self) -> str:
        if self.user is None or not self.user.is_authenticated:
            return f"({self.channel})"
        return self.user.get_username()

    @property
    def user_id(self) -> int | None:
        return self.user.pk if self.user is not None and self.user.is_authenticated else None


@dataclass(frozen=True)
class Touch:
    """One object touched by an action: which object, of which organisation, which fields."""

    object_type: str
    object_id: str
    organisation_id: int | None
    fields: Sequence[str]


def event_digest(previous_hash: str, event: AuditEvent) -> str:
    payload = {
        "occurred_at": event.occurred_at.isoformat(),
        "actor_id": event.actor_id,
        "actor_name": event.actor_name,
        "organisation_id": event.organisation_id,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "fields": list(event.fields),
        "channel": event.channel,
        "ip_address": event.ip_address,
    }
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256((previous_hash + canonical).encode()).hexdigest()


def record(actor: Actor, action: str, touches: Iterable[Touch], *, at: datetime | None = None) -> None:
    """Append one event per touched object, chained, in the caller's transaction (or a new one)."""
    touches = list(touches)
    if not touches:
        return
    occurred_at = at or timezone.now()
    with transaction.atomic():
        head, _ = ChainHead.objects.select_for_update().get_or_create(id=1, defaults={"last_hash": GENESIS})
        previous = head.last_hash
        events = []
        for touch in touches:
            event = AuditEvent(
                occurred_at=occurred_at,
                actor_id=actor.user_id,
                actor_name=actor.name,
                organisation_id=touch.organisation_id,
                action=action,
                object_type=touch.object_type,
                object_id=str(touch.object_id),
                fields=sorted(touch.fields),
                channel=actor.channel,
                ip_address=actor.ip_address,
                previous_hash=previous,
            )
            event.hash = previous = event_digest(previous, event)
            events.append(event)
        AuditEvent.objects.bulk_create(events)
        ChainHead.objects.filter(id=1).update(last_hash=previous)


@dataclass(frozen=True)
class ChainBreak:
    event_id: int
    reason: str


def verify_chain(batch_size: int = 5000) -> tuple[int, ChainBreak | None]:
    """Walk the chain from the start. Returns how many events were checked and the first break."""
    previous = GENESIS
    checked = 0
    last_id = 0
    while True:
        batch = list(AuditEvent.objects.filter(id__gt=last_id).order_by("id")[:batch_size])
        if not batch:
            break
        for event in batch:
            if event.previous_hash != previous:
                return checked, ChainBreak(event.id, "previous_hash does not match the event before it")
            if event_digest(previous, event) != event.hash:
                return checked, ChainBreak(event.id, "content does not match its hash")
            previous = event.hash
            checked += 1
            last_id = event.id
    head = ChainHead.objects.filter(id=1).first()
    if head is not None and head.last_hash != previous:
        return checked, ChainBreak(last_id, "events are missing after this one (chain head differs)")
    return checked, None
