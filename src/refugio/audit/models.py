"""The audit trail: append-only events, each carrying the hash of the one before it."""

from __future__ import annotations

from typing import Any, NoReturn

from django.db import models


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
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["organisation", "id"])]

    def save(self, *args: Any, **kwargs: Any) -> None:  # noqa: ANN401
        if self.pk is not None:
            raise AppendOnly("audit events cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:  # noqa: ANN401
        raise AppendOnly("audit events cannot be deleted")


class ChainHead(models.Model):
    """One row, locked while an event is appended, so concurrent writers form one chain."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_hash = models.CharField(max_length=64)
