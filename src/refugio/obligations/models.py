"""Obligations calendar: the facts this app records (agency appointments, asylum filings) and the stored
obligations computed from every app's facts (`services.refresh_obligations`), read by pages and the API."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from refugio.encryption import EncryptedTextField
from refugio.obligations.rules import ObligationKind, Status


class AppointmentKind(models.TextChoices):
    ICE_CHECK_IN = "ice_check_in", _("ICE check-in")
    BIOMETRICS = "biometrics", _("Biometrics appointment (USCIS)")
    USCIS_INTERVIEW = "uscis_interview", _("USCIS interview")


class Attendance(models.TextChoices):
    """Blank until recorded."""

    ATTENDED = "attended", _("Attended")
    MISSED = "missed", _("Missed")


class AgencyAppointment(models.Model):
    household = models.ForeignKey("people.Household", on_delete=models.PROTECT, related_name="agency_appointments")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="agency_appointments")
    kind = models.CharField(max_length=16, choices=AppointmentKind.choices)
    date = models.DateField()
    time = models.TimeField(null=True, blank=True)
    place = EncryptedTextField(blank=True)  # an office address
    notes = EncryptedTextField(blank=True)
    attendance = models.CharField(max_length=10, choices=Attendance.choices, blank=True, default="")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "time", "id"]


class AsylumFiling(models.Model):
    """An asylum application (Form I-589) filed: it meets the one-year deadline and starts the work-permit clock."""

    household = models.ForeignKey("people.Household", on_delete=models.PROTECT, related_name="asylum_filings")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="asylum_filings")
    filed_on = models.DateField()
    receipt_number = EncryptedTextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["filed_on", "id"]


class Kind(models.TextChoices):
    HEARING = ObligationKind.HEARING.value, _("Immigration court hearing")
    INTERPRETER = ObligationKind.INTERPRETER.value, _("Confirm an interpreter for the hearing")
    TRANSPORT = ObligationKind.TRANSPORT.value, _("Book transport to the hearing")
    BED = ObligationKind.BED.value, _("Find a bed near the court")
    ICE_CHECK_IN = ObligationKind.ICE_CHECK_IN.value, _("ICE check-in")
    BIOMETRICS = ObligationKind.BIOMETRICS.value, _("Biometrics appointment (USCIS)")
    USCIS_INTERVIEW = ObligationKind.USCIS_INTERVIEW.value, _("USCIS interview")
    EOIR33 = ObligationKind.EOIR33.value, _("Change of address to the court (EOIR-33)")
    AR11 = ObligationKind.AR11.value, _("Change of address to USCIS (AR-11)")
    ASYLUM_ONE_YEAR = ObligationKind.ASYLUM_ONE_YEAR.value, _("Asylum application: one-year deadline")
    WORK_PERMIT = ObligationKind.WORK_PERMIT.value, _("Work permit: may apply")
    MOTION_TO_REOPEN = ObligationKind.MOTION_TO_REOPEN.value, _("Motion to reopen the removal order")
    COMMUNITY_CHECK_IN = ObligationKind.COMMUNITY_CHECK_IN.value, _("Check-in with the caseworker")


class ObligationStatus(models.TextChoices):
    UPCOMING = Status.UPCOMING.value, _("Upcoming")
    DUE_SOON = Status.DUE_SOON.value, _("Due soon")
    OVERDUE = Status.OVERDUE.value, _("Overdue")
    MET = Status.MET.value, _("Met")
    NO_DEADLINE = Status.NO_DEADLINE.value, _("No deadline")


class Obligation(models.Model):
    """One obligation as last computed. Written only by services.refresh_obligations; never on a read."""

    household = models.ForeignKey("people.Household", on_delete=models.CASCADE, related_name="obligations")
    person = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=160)
    kind = models.CharField(max_length=32, choices=Kind.choices)
    due = models.DateField(null=True, blank=True, db_index=True)
    source = models.CharField(max_length=120)
    status = models.CharField(max_length=12, choices=ObligationStatus.choices)
    params = models.JSONField(default=dict)  # what the explanation needs: dates, court code; never a name
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["due", "kind", "id"]
        constraints = [models.UniqueConstraint(fields=["household", "key"], name="obligation_key_once")]
        indexes = [models.Index(fields=["status", "due"])]


class PendingRefresh(models.Model):
    """A household whose obligations must be recomputed because its facts changed. Written in the transaction
    that changed them (so a crash right after the commit loses no refresh) and removed by the batch that
    recomputes them (`services.refresh_pending`): one row per household however often it changed, and one
    background task per batch, not per household, during a registration surge."""

    household_id = models.UUIDField(primary_key=True)  # no foreign key: a household deleted meanwhile is skipped
    requested_at = models.DateTimeField(db_index=True)
