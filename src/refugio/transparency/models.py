"""Releases of the public statistics: cut for a period, stored once, served unchanged."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone


class Release(models.Model):
    """One release: the published tables (cells with a value or "suppressed"), when and for which period it was
    cut, k, and notes on the method. `basis` holds the counts each cell rests on, for the stable-cell rule of
    the next release; it never leaves the database. A release is never changed: a new one is cut instead."""

    period_label = models.CharField(max_length=32)
    period_start = models.DateField()
    period_end = models.DateField()
    computed_at = models.DateTimeField(default=timezone.now, db_index=True)
    k = models.PositiveSmallIntegerField()
    method = models.JSONField(default=dict)
    tables = models.JSONField(default=dict)
    basis = models.JSONField(default=dict)

    class Meta:
        ordering = ["-computed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.period_label} ({self.computed_at:%Y-%m-%d %H:%M})"

    def save(self, *args: Any, **kwargs: Any) -> None:  # noqa: ANN401
        if self.pk is not None:
            raise ValueError("A statistics release is immutable: publish a new one.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:  # noqa: ANN401
        raise ValueError("A statistics release is immutable.")
