"""Appending to the audit log. Every write and every read of personal data passes through here.

Writers only insert events, each with its own leaf hash: no shared row, no lock. `seal` (run by a task
and by `refugio manage seal_audit`) gives the new events their places in a Merkle tree and signs a tree
head. See docs/audit.md.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from refugio.audit import merkle
from refugio.audit.models import AuditEvent, Sealer, TreeHead
from refugio.audit.proof_files import canonical_event_bytes
from refugio.audit.signing import sign_head


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


def canonical_payload(
    *,
    occurred_at: datetime,
    actor_id: int | None,
    actor_name: str,
    organisation_id: int | None,
    action: str,
    object_type: str,
    object_id: str,
    fields: Sequence[str],
    channel: str,
    ip_address: str | None,
) -> dict[str, Any]:
    """What an event's leaf hash covers: every column but the id, the hash and the position."""
    return {
        "occurred_at": occurred_at.astimezone(dt.UTC).isoformat(),
        "actor_id": actor_id,
        "actor_name": actor_name,
        "organisation_id": organisation_id,
        "action": str(action),
        "object_type": object_type,
        "object_id": object_id,
        "fields": list(fields),
        "channel": channel,
        "ip_address": ip_address,
    }


def canonical_bytes(**columns: Any) -> bytes:  # noqa: ANN401
    """The bytes an event's leaf hash covers (the encoding partners rebuild: proof_files.canonical_event_bytes)."""
    return canonical_event_bytes(canonical_payload(**columns))


# The columns canonical_bytes reads, in its keyword names; verification fetches exactly these.
CONTENT_COLUMNS = (
    "occurred_at",
    "actor_id",
    "actor_name",
    "organisation_id",
    "action",
    "object_type",
    "object_id",
    "fields",
    "channel",
    "ip_address",
)


def event_leaf_hash(event: AuditEvent) -> str:
    return merkle.leaf_hash(canonical_bytes(**{c: getattr(event, c) for c in CONTENT_COLUMNS})).hex()


def _ip(text: str | None) -> str | None:
    """As the database stores it, so the hash computed now matches the row read back later."""
    if not text:
        return None
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return text


@contextmanager
def recorded_together() -> Iterator[None]:
    """Within this block (inside the caller's transaction), the events of every `record` are inserted together
    when the block ends: one statement for a registration's household, members and consent. An exception
    leaves nothing to insert, as the transaction it ends writes nothing either."""
    pending: list[AuditEvent] = []
    outer = connection.__dict__.get("refugio_audit_pending")
    connection.__dict__["refugio_audit_pending"] = pending
    try:
        yield
    finally:
        connection.__dict__["refugio_audit_pending"] = outer
    AuditEvent.objects.bulk_create(pending)


def record(actor: Actor, *, action: str, touches: Iterable[Touch], at: datetime | None = None) -> None:
    """Insert one event per touched object, in the caller's transaction (or its own). Takes no lock."""
    touches = list(touches)
    if not touches:
        return
    occurred_at = at or timezone.now()
    events = []
    for touch in touches:
        event = AuditEvent(
            occurred_at=occurred_at,
            actor_id=actor.user_id,
            actor_name=actor.name,
            organisation_id=touch.organisation_id,
            action=str(action),
            object_type=touch.object_type,
            object_id=str(touch.object_id),
            fields=sorted(touch.fields),
            channel=actor.channel,
            ip_address=_ip(actor.ip_address),
        )
        event.hash = event_leaf_hash(event)
        events.append(event)
    pending = connection.__dict__.get("refugio_audit_pending")
    if pending is not None:
        pending.extend(events)
        return
    AuditEvent.objects.bulk_create(events)


class SealConflict(Exception):
    """The stored tree does not continue the last signed head; `verify_audit` says where."""


@dataclass(frozen=True)
class SealResult:
    sealed: int
    heads: int
    size: int
    root_hash: str


def _lock_sealer() -> None:
    """Serialise sealers: a write first, so SQLite takes its write lock and PostgreSQL a row lock."""
    if not Sealer.objects.filter(id=1).update(runs=F("runs") + 1):
        Sealer.objects.get_or_create(id=1)  # two first sealers: one inserts, the other waits on its key
        Sealer.objects.filter(id=1).update(runs=F("runs") + 1)


def _assign(positions: list[tuple[int, int]]) -> None:
    """Write leaf_index for (event id, index) pairs in one statement (the trigger allows this one change)."""
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    values = ",".join(["(%s, %s)"] * len(positions))
    params = [n for pair in positions for n in pair]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET leaf_index = v.column2 FROM (VALUES {values}) AS v "  # noqa: S608
            f"WHERE {table}.id = v.column1",
            params,
        )


def _seal_batch(batch_size: int) -> tuple[int, TreeHead | None]:
    with transaction.atomic():
        _lock_sealer()
        head = TreeHead.objects.order_by("-size").first()
        frontier = merkle.Frontier(head.size, (bytes.fromhex(h) for h in head.frontier)) if head else merkle.Frontier()
        signed_size = frontier.size
        # Leaves placed but not yet under a head (the migration places the old chain's events this way).
        placed = AuditEvent.objects.filter(leaf_index__gte=frontier.size).order_by("leaf_index")
        for index, leaf in placed.values_list("leaf_index", "hash"):
            if index != frontier.size:
                raise SealConflict(f"the tree has no leaf at position {frontier.size}")
            frontier.append(bytes.fromhex(leaf))
        pending = list(
            AuditEvent.objects.filter(leaf_index__isnull=True).order_by("id").values_list("id", "hash")[:batch_size]
        )
        if not pending and frontier.size == signed_size:
            return 0, None
        positions = []
        for event_id, leaf in pending:
            positions.append((event_id, frontier.size))
            frontier.append(bytes.fromhex(leaf))
        if positions:
            _assign(positions)
        root_hash = frontier.root().hex()
        timestamp_ms = int(time.time() * 1000)
        kid, signature = sign_head(frontier.size, root_hash, timestamp_ms)
        new_head = TreeHead.objects.create(
            size=frontier.size,
            root_hash=root_hash,
            timestamp_ms=timestamp_ms,
            key_id=kid,
            signature=signature,
            frontier=[h.hex() for h in frontier.hashes],
        )
        return len(pending), new_head


def seal(*, batch_size: int = 5000, max_batches: int | None = None) -> SealResult:
    """Seal every event committed so far, in batches of `batch_size`, one signed head per batch.

    Idempotent: with nothing new it does nothing. Two sealers at once take turns on the Sealer row, and
    the second sees what the first sealed. Events whose transactions commit later (even with smaller ids)
    are simply sealed by a later batch: positions are the sealer's own sequence, never the id.
    """
    sealed = heads = 0
    last: TreeHead | None = None
    while max_batches is None or heads < max_batches:
        count, head = _seal_batch(batch_size)
        if head is None:
            break
        sealed += count
        heads += 1
        last = head
        if count < batch_size:
            break
    last = last or TreeHead.objects.order_by("-size").first()
    return SealResult(
        sealed=sealed,
        heads=heads,
        size=last.size if last else 0,
        root_hash=last.root_hash if last else merkle.EMPTY_ROOT.hex(),
    )


def leaf_hashes(size: int) -> list[bytes]:
    """The first `size` leaf hashes in tree order (32 bytes each: fine for proofs up to a few million)."""
    rows = AuditEvent.objects.filter(leaf_index__lt=size, leaf_index__isnull=False).order_by("leaf_index")
    leaves = [bytes.fromhex(h) for h in rows.values_list("hash", flat=True).iterator(chunk_size=20000)]
    if len(leaves) != size:
        raise SealConflict(f"the log holds {len(leaves)} of the {size} leaves asked for")
    return leaves


def inclusion_proof(event: AuditEvent, head: TreeHead) -> list[str]:
    if event.leaf_index is None or event.leaf_index >= head.size:
        raise ValueError("this event is not under that tree head")
    return [h.hex() for h in merkle.inclusion_proof(leaf_hashes(head.size), event.leaf_index)]


def consistency_proof(old: TreeHead, new: TreeHead) -> list[str]:
    return [h.hex() for h in merkle.consistency_proof(leaf_hashes(new.size), old.size)]


@dataclass(frozen=True)
class ChainBreak:
    event_id: int | None
    reason: str


def verify_chain() -> tuple[int, ChainBreak | None]:
    """Kept for older callers: (sealed events checked, the first problem or None). See audit.verify."""
    from refugio.audit.verify import verify_log

    report = verify_log()
    first = report.problems[0] if report.problems else None
    return report.sealed, ChainBreak(first.event_id, first.detail) if first else None
