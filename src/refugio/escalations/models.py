"""The escalation line: case-specific problems raised with an agency office, with an owner, a deadline
and a way up through three tiers of contacts."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.files.storage import Storage
from django.db import models
from django.utils.translation import gettext_lazy as _

from refugio.encryption import EncryptedFileField, EncryptedTextField


class AgencyKind(models.TextChoices):
    CBP_PORT = "cbp_port", _("CBP port of entry")
    ICE_FIELD_OFFICE = "ice_field_office", _("ICE field office")
    USCIS = "uscis", _("USCIS")
    IMMIGRATION_COURT = "immigration_court", _("Immigration court")
    OTHER = "other", _("Other agency")


class AgencyOffice(models.Model):
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="offices")
    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=24, choices=AgencyKind.choices)
    city = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Tier(models.IntegerChoices):
    OFFICER = 1, _("Tier 1: officer")
    SUPERVISOR = 2, _("Tier 2: supervisor")
    HEADQUARTERS = 3, _("Tier 3: headquarters")


class OfficeContact(models.Model):
    """A person to reach at an office. A contact with a user account is that office's liaison in Refugio."""

    office = models.ForeignKey(AgencyOffice, on_delete=models.CASCADE, related_name="contacts")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="office_contacts"
    )
    name = models.CharField(max_length=150)
    role = models.CharField(max_length=150)
    email = models.EmailField()
    phone = models.CharField(max_length=40, blank=True)
    tier = models.PositiveSmallIntegerField(choices=Tier.choices, default=Tier.OFFICER)

    class Meta:
        ordering = ["office", "tier", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.office}, tier {self.tier})"


class Category(models.TextChoices):
    DETAINED = "detained", _("Detained after entry")
    SURVEILLANCE = "surveillance", _("Ankle monitor or other surveillance imposed")
    IMMINENT_REMOVAL = "imminent_removal", _("Imminent removal or deportation flight")
    FAMILY_SEPARATED = "family_separated", _("Family separated at processing")
    DOCUMENTS = "documents", _("Lost or confiscated documents")
    MISSING_APPOINTMENT = "missing_appointment", _("Missing appointment record")
    MEDICAL = "medical", _("Medical emergency")
    OTHER = "other", _("Other")


class DeadlineUnit(models.TextChoices):
    HOURS = "hours", _("hours")
    BUSINESS_DAYS = "business_days", _("business days")


class ResponseRule(models.Model):
    """How fast an office must acknowledge and resolve each category. Coordinators edit these."""

    category = models.CharField(max_length=24, choices=Category.choices, unique=True)
    acknowledge_within = models.PositiveIntegerField()
    acknowledge_unit = models.CharField(max_length=16, choices=DeadlineUnit.choices)
    resolve_within = models.PositiveIntegerField()
    resolve_unit = models.CharField(max_length=16, choices=DeadlineUnit.choices)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )


class Status(models.TextChoices):
    OPEN = "open", _("Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    IN_PROGRESS = "in_progress", _("In progress")
    RESOLVED = "resolved", _("Resolved")
    CLOSED_UNRESOLVED = "closed_unresolved", _("Closed unresolved")


ACTIVE_STATUSES = (Status.OPEN, Status.ACKNOWLEDGED, Status.IN_PROGRESS)


class SharedField(models.TextChoices):
    NAME = "name", _("Name")
    DATE_OF_BIRTH = "date_of_birth", _("Date of birth")
    A_NUMBER = "a_number", _("A-number")
    NATIONALITY = "nationality", _("Nationality")
    LANGUAGES = "languages", _("Languages")
    COURT = "immigration_court", _("Immigration court")
    NEXT_HEARING = "next_hearing_date", _("Next hearing date")


DEFAULT_SHARED_FIELDS = [SharedField.NAME, SharedField.DATE_OF_BIRTH, SharedField.A_NUMBER]


class Escalation(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    household = models.ForeignKey("people.Household", on_delete=models.PROTECT, related_name="escalations")
    person = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="escalations"
    )
    office = models.ForeignKey(AgencyOffice, on_delete=models.PROTECT, related_name="escalations")
    category = models.CharField(max_length=24, choices=Category.choices)
    summary = EncryptedTextField()
    shared_fields = models.JSONField(default=list)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN, db_index=True)
    tier = models.PositiveSmallIntegerField(choices=Tier.choices, default=Tier.OFFICER)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    raised_for = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(db_index=True)
    acknowledge_by = models.DateTimeField()
    resolve_by = models.DateTimeField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    reached_tier_2_at = models.DateTimeField(null=True, blank=True)
    reached_tier_3_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "acknowledge_by"]), models.Index(fields=["status", "resolve_by"])]

    @property
    def reference(self) -> str:
        return "ESC-" + self.id.hex[:8].upper()


class EscalationEvent(models.Model):
    """A status change (with its note) or a move up a tier."""

    escalation = models.ForeignKey(Escalation, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=8)  # status, tier
    from_value = models.CharField(max_length=20)
    to_value = models.CharField(max_length=20)
    note = EncryptedTextField(blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]


class EscalationMessage(models.Model):
    escalation = models.ForeignKey(Escalation, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    author_name = models.CharField(max_length=150)
    from_agency = models.BooleanField(default=False)
    body = EncryptedTextField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]


def _attachment_storage() -> Storage:
    from django.core.files.storage import storages

    return storages["attachments"]


def _attachment_path(instance: EscalationAttachment, filename: str) -> str:
    # A random name: nothing about the person or the original file name reaches the file system.
    return f"escalations/{instance.escalation_id}/{uuid.uuid4().hex}"


class EscalationAttachment(models.Model):
    escalation = models.ForeignKey(Escalation, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(
        EscalationMessage, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    file = EncryptedFileField(upload_to=_attachment_path, storage=_attachment_storage)
    original_name = EncryptedTextField()  # a file name can name the person or their situation
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField()
