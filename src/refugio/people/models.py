"""Households and the people in them, what they consented to, and with whom their case is shared."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from refugio.encryption import EncryptedTextField
from refugio.people.registration_code import display
from refugio.people.vocabulary import (
    ConsentMethod,
    ConsentPurpose,
    HouseholdStatus,
    Relationship,
    Sex,
    Vulnerability,
)


class Household(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="households")
    registration_code = models.CharField(max_length=9, unique=True)
    status = models.CharField(max_length=16, choices=HouseholdStatus.choices, default=HouseholdStatus.REGISTERED)
    current_city = models.CharField(max_length=100, db_index=True)
    in_shelter = models.BooleanField(default=False)
    shelter_name = EncryptedTextField(blank=True)  # where someone sleeps: encrypted, never searched
    contact_phone = EncryptedTextField(blank=True)
    contact_phone_index = models.CharField(max_length=64, blank=True, db_index=True)
    contact_whatsapp = models.BooleanField(default=False)
    preferred_language = models.CharField(max_length=8, default="es")
    notes = EncryptedTextField(blank=True)
    # Stable id of the record in the system it came from (an intake form's _uuid, a synth id):
    # importing the same record twice must not create a second household.
    source_ref = models.CharField(max_length=100, blank=True)
    version = models.PositiveIntegerField(default=1)  # optimistic locking: no silent lost update
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(default=timezone.now)
    # Ready to enter (documents and health screening done); until a caseworker says otherwise, the day of
    # registration. The planner never schedules a household before it.
    ready_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Closed because a caseworker found it registers the same people as another household: its members,
    # consents and cases moved there (HouseholdMerge says exactly what). Kept, never deleted; an org admin
    # can undo the merge.
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "source_ref"], condition=~Q(source_ref=""), name="household_unique_source_ref"
            )
        ]

    def __str__(self) -> str:
        return display(self.registration_code)

    @property
    def display_code(self) -> str:
        return display(self.registration_code)


class Person(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="members")
    given_names = models.CharField(max_length=150)
    first_family_name = models.CharField(max_length=100)
    second_family_name = models.CharField(max_length=100, blank=True)
    search_name = models.CharField(max_length=400, blank=True, editable=False)  # accent-free, for search
    # Accent-free family names, each in its own indexed column: the blocking keys for duplicate checks.
    family_key_1 = models.CharField(max_length=100, blank=True, editable=False)
    family_key_2 = models.CharField(max_length=100, blank=True, editable=False)
    # A date of birth may be known only to the year or month, or be an estimate.
    birth_year = models.PositiveSmallIntegerField(null=True, blank=True)
    birth_month = models.PositiveSmallIntegerField(null=True, blank=True)
    birth_day = models.PositiveSmallIntegerField(null=True, blank=True)
    birth_date_estimated = models.BooleanField(default=False)
    sex = models.CharField(max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)
    nationality = models.CharField(max_length=2, blank=True)
    languages = models.JSONField(default=list)
    relationship_to_head = models.CharField(max_length=16, choices=Relationship.choices)
    a_number = EncryptedTextField(blank=True)
    a_number_index = models.CharField(max_length=64, blank=True, db_index=True)
    arrival_date = models.DateField(null=True, blank=True, help_text="Last arrival in the United States")
    immigration_court = models.CharField(max_length=8, blank=True, db_index=True)
    next_hearing_date = models.DateField(null=True, blank=True, db_index=True)
    narrative = EncryptedTextField(blank=True)
    notes = EncryptedTextField(blank=True)
    # A caseworker confirmed this record describes the same person as another; both records are kept.
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # Empty until a worker has looked for likely duplicates of this person (people.tasks), after registration.
    duplicates_checked_at = models.DateTimeField(null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["household", "created_at"]
        indexes = [
            # The duplicate check's blocks: a family name, a birth year and month (people.services._birth_blocks).
            models.Index(fields=["family_key_1", "birth_year", "birth_month"], name="person_family1_birth_month"),
            models.Index(fields=["family_key_2", "birth_year", "birth_month"], name="person_family2_birth_month"),
            # Records with a birth year only, by the first letter of the given name (search_name begins with it):
            # a common family name's year-only records in a large register are read only for that letter.
            models.Index("family_key_1", "birth_year", Substr("search_name", 1, 1), name="person_family1_year_initial"),
            models.Index("family_key_2", "birth_year", Substr("search_name", 1, 1), name="person_family2_year_initial"),
            # Small: only people still to be checked for duplicates.
            models.Index(
                fields=["created_at"], condition=Q(duplicates_checked_at__isnull=True), name="person_dupes_unchecked"
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.given_names, self.first_family_name, self.second_family_name) if p)

    @property
    def date_of_birth(self) -> str:
        """ISO text of what is known: 1990-03-12, 1990-03 or 1990 (empty when unknown)."""
        if self.birth_year is None:
            return ""
        text = f"{self.birth_year:04d}"
        if self.birth_month:
            text += f"-{self.birth_month:02d}"
            if self.birth_day:
                text += f"-{self.birth_day:02d}"
        return text


class PersonVulnerability(models.Model):
    """A vulnerability of a person. Entered by staff, it counts as confirmed; declared by the household itself
    (self-registration, the public API), it stays "declared, not yet confirmed" (confirmed_at null) until a
    caseworker confirms it, and until then it cannot raise the household's triage tier."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="vulnerability_rows")
    code = models.CharField(max_length=32, choices=Vulnerability.choices)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "code"], name="person_vulnerability_unique")]
        indexes = [models.Index(fields=["code", "person"])]

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None


class Consent(models.Model):
    """What a person agreed to share, with whom, when and how it was recorded."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="consents")
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="consents")
    purpose = models.CharField(max_length=24, choices=ConsentPurpose.choices)
    recipient = models.ForeignKey(
        "accounts.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="A named organisation; empty means organisations of the kind the purpose implies.",
    )
    method = models.CharField(max_length=16, choices=ConsentMethod.choices)
    given_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["given_at"]


class SharingGrant(models.Model):
    """A household shared with another organisation for a stated purpose, until a date; revocable."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="grants")
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="grants")
    purpose = EncryptedTextField()  # free text that can describe the person's situation
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    granted_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-granted_at"]
        indexes = [models.Index(fields=["organisation", "household"])]

    @staticmethod
    def live_q(prefix: str = "", now: object = None) -> Q:
        """Grants in force: not revoked and not expired."""
        moment = now or timezone.now()
        return Q(**{f"{prefix}revoked_at__isnull": True, f"{prefix}expires_at__gt": moment})

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


class DuplicateStatus(models.TextChoices):
    OPEN = "open", _("To review")
    NOT_DUPLICATE = "not_duplicate", _("Not the same person")
    MERGED = "merged", _("Same person: merged")


class DuplicateFlag(models.Model):
    """A newly stored person who is probably someone already registered, for a caseworker to decide.
    Nothing is merged automatically."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    candidate = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=32)
    status = models.CharField(max_length=16, choices=DuplicateStatus.choices, default=DuplicateStatus.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["person", "candidate"], name="duplicate_flag_once")]


class HouseholdMerge(models.Model):
    """A duplicate household merged into the surviving one: who decided, when, and the ids of every object
    moved (per kind, `moved`), with what each looked like before where the merge changed more than its
    household (`restore`), so that an undo moves back exactly those and nothing else."""

    survivor = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+")
    duplicate = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+")
    surviving_person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    collapsed_person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    flag = models.ForeignKey(DuplicateFlag, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    duplicate_status = models.CharField(max_length=16, choices=HouseholdStatus.choices)
    moved = models.JSONField(default=dict)  # {"person": [id, ...], "legal.hearing": [...], ...}
    restore = models.JSONField(default=dict)  # {"relationship": {person_id: code}, ...}
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    merged_at = models.DateTimeField(default=timezone.now)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-merged_at"]
        constraints = [
            # A household is merged away once at a time: undone first, then it may be merged again.
            models.UniqueConstraint(
                fields=["duplicate"], condition=Q(undone_at__isnull=True), name="household_merge_once"
            )
        ]
