"""Community case management: a case plan with a caseworker and a schedule of check-ins instead of an ankle
monitor; a missed check-in opens outreach (message, call, visit), never a report to any agency; and the outcome
of each hearing, so the organisation can see its own appearance rate."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from refugio.encryption import EncryptedTextField


class PlanStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    CLOSED = "closed", _("Closed")


class CasePlan(models.Model):
    """A household's case plan: who accompanies it, since when, and the schedule its check-ins follow."""

    household = models.ForeignKey("people.Household", on_delete=models.PROTECT, related_name="case_plans")
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="case_plans")
    caseworker = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="case_plans"
    )
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=8, choices=PlanStatus.choices, default=PlanStatus.ACTIVE)
    goals = EncryptedTextField(blank=True)
    notes = EncryptedTextField(blank=True)
    # The schedule the plan generated its check-ins from (kept so it can be shown and extended).
    weekly_for_weeks = models.PositiveSmallIntegerField(default=4)
    then_every_days = models.PositiveSmallIntegerField(default=14)
    schedule_until = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-started_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["household"], condition=Q(status="active"), name="casemanagement_one_active_plan"
            )
        ]


class CheckInMode(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    PHONE = "phone", _("Phone call")
    SMS = "sms", _("Text message")


class CheckInStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    ATTENDED = "attended", _("Attended")
    MISSED = "missed", _("Missed")
    EXCUSED = "excused", _("Excused")


class CheckIn(models.Model):
    """One check-in of a household with its caseworker (the obligations calendar reads these fields)."""

    plan = models.ForeignKey(CasePlan, on_delete=models.CASCADE, related_name="check_ins")
    household = models.ForeignKey("people.Household", on_delete=models.PROTECT, related_name="check_ins")
    person = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField(db_index=True)
    mode = models.CharField(max_length=12, choices=CheckInMode.choices, default=CheckInMode.IN_PERSON)
    status = models.CharField(max_length=12, choices=CheckInStatus.choices, default=CheckInStatus.SCHEDULED)
    recorded_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = EncryptedTextField(blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["status", "due_on"])]


class OutreachStepKind(models.TextChoices):
    MESSAGE = "message", _("Message (SMS or WhatsApp)")
    PHONE_CALL = "phone_call", _("Phone call by the caseworker")
    VISIT = "visit", _("Visit at home or at the shelter")


class OutreachOutcome(models.TextChoices):
    RESCHEDULED = "reached_rescheduled", _("Reached and rescheduled")
    UNREACHABLE = "unreachable", _("Unreachable")
    MOVED = "moved", _("Moved away")


class OutreachStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class Outreach(models.Model):
    """Reaching out after a missed check-in. It only ever leads to contact with the household: no report to any
    agency is generated from it."""

    check_in = models.OneToOneField(CheckIn, on_delete=models.CASCADE, related_name="outreach")
    plan = models.ForeignKey(CasePlan, on_delete=models.CASCADE, related_name="outreach")
    household = models.ForeignKey("people.Household", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=8, choices=OutreachStatus.choices, default=OutreachStatus.OPEN)
    outcome = models.CharField(max_length=24, choices=OutreachOutcome.choices, blank=True)
    opened_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rescheduled_check_in = models.ForeignKey(
        CheckIn, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["opened_at"]
        indexes = [models.Index(fields=["status", "plan"])]


class OutreachStep(models.Model):
    """One attempt to reach the household: a message sent (or why not), a call, a visit."""

    outreach = models.ForeignKey(Outreach, on_delete=models.CASCADE, related_name="steps")
    kind = models.CharField(max_length=12, choices=OutreachStepKind.choices)
    reached = models.BooleanField(default=False)
    done_at = models.DateTimeField()
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = EncryptedTextField(blank=True)
    # The message queued for a MESSAGE step; empty when none could be sent (no consent to contact, opted out).
    message = models.ForeignKey("messaging.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["done_at", "id"]


class HearingOutcome(models.TextChoices):
    APPEARED = "appeared", _("Appeared")
    DID_NOT_APPEAR = "did_not_appear", _("Did not appear")
    RESCHEDULED = "rescheduled", _("Rescheduled")
    CANCELLED = "cancelled", _("Cancelled")


class HearingAttendance(models.Model):
    """What happened at a hearing, recorded after its date (legal.Hearing itself has no outcome)."""

    hearing = models.OneToOneField("legal.Hearing", on_delete=models.CASCADE, related_name="attendance")
    outcome = models.CharField(max_length=16, choices=HearingOutcome.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField()
