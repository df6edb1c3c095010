"""Self-identification given with consent, and the stored results of the disparity monitor (aggregates only)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from refugio.disparity.vocabulary import Dimension
from refugio.encryption import EncryptedTextField


class SelfIdentification(models.Model):
    """A person's own answer about race or ethnicity, recorded only with their consent to use it for
    monitoring. Never read by triage or the planner. Withdrawing erases the answer (the row stays, empty,
    to show when consent was given and withdrawn)."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    category = EncryptedTextField(blank=True)  # a RaceEthnicity code; empty once withdrawn
    consent_given_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["consent_given_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(withdrawn_at__isnull=True), name="self_identification_one_live"
            )
        ]


class DisparityCheck(models.Model):
    """One run of the monitor for one organisation: per breakdown, the compared groups' figures. No person ids,
    and groups under the small-group threshold are not in it at all."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    as_of = models.DateField()
    run_at = models.DateTimeField(default=timezone.now)
    run_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # {dimension: {"groups": [analysis.as_dict(...)], "suppressed_groups": int, "reference": code}}
    results = models.JSONField(default=dict)
    flagged = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-run_at"]


class DisparityAlert(models.Model):
    """A flagged group, told to one of the organisation's admins."""

    check_run = models.ForeignKey(DisparityCheck, on_delete=models.CASCADE, related_name="alerts")
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    dimension = models.CharField(max_length=16, choices=Dimension.choices)
    group = models.CharField(max_length=32)  # the group's code (a nationality, a language, a category…)
    entry_rate = models.FloatField()
    reference_group = models.CharField(max_length=32)
    reference_rate = models.FloatField()
    hazard_ratio_high = models.FloatField(null=True, blank=True)
    rate_ratio_high = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # The same recipient was alerted about the same group by the check just before: the alert stands, and is not
    # e-mailed again. Only an alert that starts a run of checks flagging the group is e-mailed, once.
    repeat_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["recipient", "created_at"])]
