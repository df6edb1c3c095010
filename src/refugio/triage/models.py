"""Triage policies (every version kept), each household's score with its reasons, and audited overrides."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from refugio.encryption import EncryptedTextField


class PolicyVersion(models.Model):
    """One saved version of an organisation's policy (YAML). The newest scores the organisation's households;
    an organisation without any uses the default policy shipped with Refugio."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField()
    text = models.TextField()
    note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    # Who moved when this version replaced the one before, and why (reason codes added and removed).
    moves = models.JSONField(default=list)

    class Meta:
        ordering = ["-version"]
        constraints = [models.UniqueConstraint(fields=["organisation", "version"], name="policy_version_unique")]


class TriageScore(models.Model):
    household = models.OneToOneField("people.Household", on_delete=models.CASCADE, related_name="triage")
    policy = models.ForeignKey(PolicyVersion, null=True, on_delete=models.PROTECT, related_name="+")
    tier = models.PositiveSmallIntegerField()
    priority = models.FloatField()
    reasons = models.JSONField(default=list)  # [{criterion, kind, points, detail}], rendered in the reader's language
    computed_at = models.DateTimeField(default=timezone.now)


class TriageOverride(models.Model):
    """A caseworker's decision to set a household's tier and priority, with the reason. The newest active
    one counts; ending it returns the household to its computed score."""

    household = models.ForeignKey("people.Household", on_delete=models.CASCADE, related_name="triage_overrides")
    tier = models.PositiveSmallIntegerField()
    priority = models.FloatField()
    reason = EncryptedTextField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
