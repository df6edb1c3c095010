"""Remedies for removal orders: the orders (in absentia or not), motions to reopen them, and MPP case status.

`RemovalOrder` and its field names are read by the obligations calendar: keep them."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from refugio.encryption import EncryptedTextField
from refugio.remedies import deadlines


class ReopeningReason(models.TextChoices):
    """The ground on which reopening an in-absentia order would be sought (INA §240(b)(5)(C))."""

    EXCEPTIONAL_CIRCUMSTANCES = deadlines.EXCEPTIONAL_CIRCUMSTANCES, _("Exceptional circumstances")
    LACK_OF_NOTICE = deadlines.LACK_OF_NOTICE, _("Did not receive notice of the hearing")
    IN_CUSTODY = deadlines.IN_CUSTODY, _("In federal or state custody")


# What to gather for each ground (shown on the page in the reader's language, listed in the draft in English).
EVIDENCE: dict[str, tuple[Any, ...]] = {
    ReopeningReason.EXCEPTIONAL_CIRCUMSTANCES: (
        _("Medical records or other proof of the circumstance (illness, hospital stay, death of a close relative)"),
        _("Proof that the circumstance fell on the hearing date and prevented appearing"),
        _("Sworn declaration (affidavit) of the respondent explaining why they could not appear"),
        _("Declarations of witnesses, with their identity documents"),
        _("For MPP: proof of danger or kidnapping in Mexico (police reports, news, medical reports)"),
    ),
    ReopeningReason.LACK_OF_NOTICE: (
        _("The Notice to Appear (NTA) and every hearing notice served, or proof that none was served"),
        _("Proof of the address on file with the court and DHS (EOIR-33, change-of-address records)"),
        _("MPP tent-court records: the tear sheet, the date and place of return to Mexico"),
        _("Sworn declaration (affidavit) of the respondent about the notices they did or did not receive"),
        _("The record of proceedings obtained from the court (FOIA request or EOIR records)"),
    ),
    ReopeningReason.IN_CUSTODY: (
        _("Proof of the custody dates (booking record, release papers, jail or detention records)"),
        _("Proof that the custody covered the hearing date"),
        _("Sworn declaration (affidavit) of the respondent that the absence was through no fault of their own"),
    ),
}


class RemovalOrder(models.Model):
    household = models.ForeignKey("people.Household", on_delete=models.PROTECT, related_name="removal_orders")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="removal_orders")
    order_date = models.DateField()
    court = models.CharField(max_length=8, help_text="Immigration court code (people.vocabulary.COURTS)")
    in_absentia = models.BooleanField(default=True)
    # Only meaningful for in-absentia orders: the ground on which reopening would be sought.
    reason = models.CharField(max_length=32, choices=ReopeningReason.choices, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-order_date", "-id"]

    def motion_deadline(self) -> deadlines.MotionDeadline:
        return deadlines.motion_to_reopen_deadline(self.order_date, self.in_absentia, self.reason or None)


class MotionStatus(models.TextChoices):
    DRAFTED = "drafted", _("Drafted")
    FILED = "filed", _("Filed")
    GRANTED = "granted", _("Granted")
    DENIED = "denied", _("Denied")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# Which status may follow which: a draft is filed (or withdrawn); a filed motion is decided (or withdrawn).
MOTION_TRANSITIONS: dict[str, frozenset[str]] = {
    MotionStatus.DRAFTED: frozenset({MotionStatus.FILED, MotionStatus.WITHDRAWN}),
    MotionStatus.FILED: frozenset({MotionStatus.GRANTED, MotionStatus.DENIED, MotionStatus.WITHDRAWN}),
    MotionStatus.GRANTED: frozenset(),
    MotionStatus.DENIED: frozenset(),
    MotionStatus.WITHDRAWN: frozenset(),
}
OPEN_MOTION = (MotionStatus.DRAFTED, MotionStatus.FILED)


class MotionToReopen(models.Model):
    order = models.ForeignKey(RemovalOrder, on_delete=models.PROTECT, related_name="motions")
    status = models.CharField(max_length=12, choices=MotionStatus.choices, default=MotionStatus.DRAFTED)
    filed_on = models.DateField(null=True, blank=True)
    decided_on = models.DateField(null=True, blank=True)
    decision_notes = EncryptedTextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]


class MPPStatus(models.TextChoices):
    ACTIVE = "active", _("Active MPP case")
    TERMINATED = "terminated", _("Terminated or dismissed MPP case")
    IN_ABSENTIA_ORDER = "in_absentia_order", _("In-absentia removal order under MPP")


class MPPPhase(models.IntegerChoices):
    """The order of the 2021 MPP wind-down: who could enter first. Eligibility, never a triage score."""

    ACTIVE = 1, _("Phase 1: active MPP case")
    TERMINATED = 2, _("Phase 2: terminated or dismissed MPP case")
    IN_ABSENTIA = 3, _("Phase 3: in-absentia order under MPP")


PHASE_OF_STATUS: dict[str, int] = {
    MPPStatus.ACTIVE: MPPPhase.ACTIVE,
    MPPStatus.TERMINATED: MPPPhase.TERMINATED,
    MPPStatus.IN_ABSENTIA_ORDER: MPPPhase.IN_ABSENTIA,
}


class MPPCase(models.Model):
    """A person's case under the Migrant Protection Protocols ("Remain in Mexico")."""

    household = models.ForeignKey("people.Household", on_delete=models.PROTECT, related_name="mpp_cases")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="mpp_cases")
    status = models.CharField(max_length=20, choices=MPPStatus.choices)
    court = models.CharField(max_length=8, blank=True)
    enrolled_on = models.DateField(null=True, blank=True, help_text="When the person was returned to Mexico")
    status_date = models.DateField(null=True, blank=True, help_text="Of the termination or the order")
    details = EncryptedTextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["person"], name="one_mpp_case_per_person")]
