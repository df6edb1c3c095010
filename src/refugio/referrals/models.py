"""Referrals: the service directory (not personal data) and referrals of a household to a service.

A `Service` is something an organisation offers (a clinic, a food bank, a school enrolment desk) at a
public service point; it is exchanged with other directories as Open Referral HSDS (referrals.hsds).
A `Referral` sends people of a household to a service, only for a purpose the household consented to."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from refugio.encryption import EncryptedTextField
from refugio.people.vocabulary import ConsentPurpose


class ServiceCategory(models.TextChoices):
    MEDICAL = "medical", _("Medical care")
    MENTAL_HEALTH = "mental_health", _("Mental health")
    LEGAL = "legal", _("Legal help")
    SCHOOL = "school", _("School enrolment")
    FOOD = "food", _("Food")
    WORK_PERMIT = "work_permit", _("Work permit clinic")
    OTHER = "other", _("Other services")


# The consent a referral to each kind of service needs (people.vocabulary.ConsentPurpose).
CONSENT_FOR_CATEGORY: dict[str, str] = {
    ServiceCategory.MEDICAL: ConsentPurpose.REFERRAL_MEDICAL,
    ServiceCategory.MENTAL_HEALTH: ConsentPurpose.REFERRAL_MENTAL_HEALTH,
    ServiceCategory.LEGAL: ConsentPurpose.LEGAL_REFERRAL,
    ServiceCategory.SCHOOL: ConsentPurpose.REFERRAL_SCHOOL,
    ServiceCategory.FOOD: ConsentPurpose.REFERRAL_FOOD,
    ServiceCategory.WORK_PERMIT: ConsentPurpose.REFERRAL_WORK_PERMIT,
    ServiceCategory.OTHER: ConsentPurpose.SHELTER_REFERRAL,
}


class Service(models.Model):
    """A service an organisation offers at a public service point. Its id is its HSDS id (idempotent import)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="services")
    name = models.CharField(max_length=200)
    category = models.CharField(max_length=16, choices=ServiceCategory.choices)
    description = models.TextField(blank=True)
    languages = models.JSONField(default=list, blank=True)  # ISO 639 codes (people.vocabulary.LANGUAGES)
    eligibility = models.TextField(blank=True)
    city = models.CharField(max_length=120, blank=True)
    address = models.CharField(max_length=300, blank=True)  # of a public service point, never a person's
    state_province = models.CharField(max_length=60, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=2, blank=True)  # ISO 3166-1 alpha-2
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    url = models.URLField(blank=True)
    hours = models.CharField(max_length=300, blank=True)  # as people read them: "Mon–Fri 9:00–17:00"
    active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["organisation__name", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def consent_purpose(self) -> str:
        return CONSENT_FOR_CATEGORY[self.category]


class ReferralStatus(models.TextChoices):
    SENT = "sent", _("Sent")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    COMPLETED = "completed", _("Completed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


OPEN_STATUSES = (ReferralStatus.SENT, ReferralStatus.ACCEPTED)


class Referral(models.Model):
    household = models.ForeignKey("people.Household", on_delete=models.PROTECT, related_name="referrals")
    persons = models.ManyToManyField("people.Person", related_name="referrals")
    from_organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="referrals")
    to_organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    category = models.CharField(max_length=16, choices=ServiceCategory.choices)  # the purpose
    status = models.CharField(max_length=12, choices=ReferralStatus.choices, default=ReferralStatus.SENT)
    note = EncryptedTextField(blank=True)  # the sender's note to the receiving organisation
    decline_reason = EncryptedTextField(blank=True)
    sent_at = models.DateTimeField(default=timezone.now)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    responded_at = models.DateTimeField(null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)  # completed or withdrawn
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-sent_at", "-id"]

    @property
    def consent_purpose(self) -> str:
        return CONSENT_FOR_CATEGORY[self.category]
