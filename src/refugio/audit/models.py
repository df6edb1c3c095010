"""The audit trail: append-only events in a Merkle tree with signed tree heads (see docs/audit.md).

Writers only insert events (each with its own leaf hash); the sealer gives each a position in the tree
(`leaf_index`, written once) and signs a tree head. Nothing else about an event or a head ever changes."""

from __future__ import annotations

from typing import Any, NoReturn

from django.db import models
from django.db.models import Q


class Action(models.TextChoices):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    READ = "read"
    SHARE = "share"
    REVOKE = "revoke"
    SIGN_IN = "sign_in"
    TOKEN = "token"


class AppendOnly(Exception):
    """Audit events are never changed or removed."""


class AuditEvent(models.Model):
    occurred_at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_constraint=False
    )
    actor_name = models.CharField(max_length=150)  # kept even if the account is removed later
    organisation = models.ForeignKey(
        "accounts.Organisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    action = models.CharField(max_length=16, choices=Action.choices)
    object_type = models.CharField(max_length=40)
    object_id = models.CharField(max_length=64, db_index=True)
    fields = models.JSONField(default=list)
    channel = models.CharField(max_length=8)  # api, web, cli, system
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    hash = models.CharField(max_length=64)  # leaf hash, RFC 6962: SHA-256(0x00 || canonical event bytes)
    leaf_index = models.BigIntegerField(null=True, blank=True, unique=True)  # set once, by the sealer

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["organisation", "id"]),
            models.Index(fields=["id"], condition=Q(leaf_index__isnull=True), name="audit_event_unsealed"),
        ]

    def save(self, *args: Any, **kwargs: Any) -> None:  # noqa: ANN401
        if self.pk is not None:
            raise AppendOnly("audit events cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:  # noqa: ANN401
        raise AppendOnly("audit events cannot be deleted")


class TreeHead(models.Model):
    """A signed statement: the first `size` sealed events have Merkle root `root_hash`. Append-only."""

    size = models.BigIntegerField(unique=True)
    root_hash = models.CharField(max_length=64)
    timestamp_ms = models.BigIntegerField()  # milliseconds since the epoch, as signed
    key_id = models.CharField(max_length=16)  # which signing key: the first 16 hex digits of SHA-256(public key)
    signature = models.CharField(max_length=128)  # Ed25519, hex
    # The roots of the perfect subtrees of this tree, largest first: lets the sealer extend the tree
    # without reading old leaves. Not signed, not trusted by verification (which recomputes everything).
    frontier = models.JSONField(default=list)

    class Meta:
        ordering = ["size"]

    def save(self, *args: Any, **kwargs: Any) -> None:  # noqa: ANN401
        if self.pk is not None:
            raise AppendOnly("tree heads cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:  # noqa: ANN401
        raise AppendOnly("tree heads cannot be deleted")


class Sealer(models.Model):
    """One row, locked by the sealer only (never by writers), so two sealers never seal at once."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    runs = models.BigIntegerField(default=0)
