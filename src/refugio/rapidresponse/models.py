"""Rapid response: detention and imminent-removal alerts, their checklist, who was told and when, the on-call
rota, and stay-of-removal requests."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from refugio.encryption import EncryptedTextField


class AlertKind(models.TextChoices):
    DETENTION = "detention", _("Detention")
    IMMINENT_REMOVAL = "imminent_removal", _("Imminent removal")


class AlertChannel(models.TextChoices):
    STAFF = "staff", _("Reported by staff")
    MESSAGE = "message", _("Reported by the household by message")


class AlertStatus(models.TextChoices):
    OPEN = "open", _("Open")
    LOCATED = "located", _("Located")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


ACTIVE_ALERT_STATUSES = (AlertStatus.OPEN, AlertStatus.LOCATED, AlertStatus.RESOLVED)


class Outcome(models.TextChoices):
    RELEASED = "released", _("Released")
    STAY_GRANTED = "stay_granted", _("Stay of removal granted")
    REMOVED = "removed", _("Removed")
    OTHER = "other", _("Other outcome")


class DetentionAlert(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    household = models.ForeignKey("people.Household", on_delete=models.PROTECT, related_name="detention_alerts")
    person = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=AlertKind.choices)
    channel = models.CharField(max_length=10, choices=AlertChannel.choices, default=AlertChannel.STAFF)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    facility = EncryptedTextField(blank=True)
    city = EncryptedTextField(blank=True)
    details = EncryptedTextField(blank=True)
    status = models.CharField(max_length=10, choices=AlertStatus.choices, default=AlertStatus.OPEN, db_index=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True)
    escalation = models.OneToOneField(
        "escalations.Escalation", null=True, blank=True, on_delete=models.PROTECT, related_name="detention_alert"
    )
    created_at = models.DateTimeField(db_index=True)
    located_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    @property
    def reference(self) -> str:
        return "DET-" + self.id.hex[:8].upper()


class ChecklistStep(models.TextChoices):
    LOCATE = "locate", _("Locate the person (ICE detainee locator)")
    A_NUMBER = "a_number", _("A-number confirmed")
    CUSTODY = "custody", _("Custody status known")
    STAY = "stay", _("Stay of removal requested")


class ChecklistItem(models.Model):
    alert = models.ForeignKey(DetentionAlert, on_delete=models.CASCADE, related_name="checklist")
    step = models.CharField(max_length=10, choices=ChecklistStep.choices)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = EncryptedTextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["alert", "step"], name="rapidresponse_one_item_per_step")]


class NotifiedAs(models.TextChoices):
    ATTORNEY = "attorney", _("Attorney of the case")
    ON_CALL = "on_call", _("On call")
    ORG_ADMIN = "org_admin", _("Organisation administrator (nobody on call)")


class AlertNotification(models.Model):
    """Someone told of an alert: recorded before the e-mail goes, `sent_at` set once it went."""

    alert = models.ForeignKey(DetentionAlert, on_delete=models.CASCADE, related_name="notifications")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    notified_as = models.CharField(max_length=10, choices=NotifiedAs.choices)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["alert", "user"], name="rapidresponse_notify_once")]


class OnCall(models.Model):
    """Who answers the organisation's rapid-response phone, from when until when."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["starts_at", "id"]


class Decision(models.TextChoices):
    PENDING = "pending", _("Pending")
    GRANTED = "granted", _("Granted")
    DENIED = "denied", _("Denied")


class StayRequest(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    alert = models.ForeignKey(DetentionAlert, on_delete=models.PROTECT, related_name="stay_requests")
    grounds = EncryptedTextField(blank=True)
    drafted_at = models.DateTimeField()
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    filed_on = models.DateField(null=True, blank=True)
    decision = models.CharField(max_length=10, choices=Decision.choices, default=Decision.PENDING)
    decided_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-drafted_at"]
