from __future__ import annotations

from django.db import models


class IdempotencyRecord(models.Model):
    """The answer given to a request with an Idempotency-Key, so a retry gets the same answer and
    creates nothing new. The key is unique: two concurrent retries cannot both create a household."""

    key = models.CharField(max_length=200, unique=True)
    request_digest = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response = models.JSONField()
    household = models.ForeignKey("people.Household", null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
