"""Shelters, their beds by type, the organisations a shelter is granted to, and households' stays in them.

A shelter's address and phone are confidential (encrypted at rest, shown only through
refugio.reception.surfaces to its own organisation and the organisations it is granted to, never to an
agency). `BedCount` is the capacity row: placing a household locks it, so the last bed is given once."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from refugio.encryption import EncryptedTextField


class BedType(models.TextChoices):
    FAMILY = "family", _("Family room")
    WOMEN_ONLY = "women_only", _("Women only")
    ACCESSIBLE = "accessible", _("Accessible")
    MINOR_SAFE = "minor_safe", _("Safe for unaccompanied minors")
    GENERAL = "general", _("General")


class Shelter(models.Model):
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="shelters")
    name = models.CharField(max_length=200)
    city = models.CharField(max_length=100)
    address = EncryptedTextField()
    phone = EncryptedTextField(blank=True)
    licensed_for_minors = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["city", "name"]

    def __str__(self) -> str:
        return self.name


class BedCount(models.Model):
    """How many beds of one type a shelter has: the row locked while a bed of that type is given."""

    shelter = models.ForeignKey(Shelter, on_delete=models.CASCADE, related_name="bed_counts")
    bed_type = models.CharField(max_length=16, choices=BedType.choices)
    beds = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["shelter_id", "bed_type"]
        constraints = [models.UniqueConstraint(fields=["shelter", "bed_type"], name="bed_count_unique")]


class ShelterGrant(models.Model):
    """The owning organisation lets a partner place households into this shelter (and read its address)."""

    shelter = models.ForeignKey(Shelter, on_delete=models.CASCADE, related_name="grants")
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    granted_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["granted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["shelter", "organisation"], condition=Q(revoked_at__isnull=True), name="one_live_shelter_grant"
            )
        ]


class PlacementStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ARRIVED = "arrived", _("Arrived")
    LEFT = "left", _("Left")
    CANCELLED = "cancelled", _("Cancelled")


# A placement holds its beds while planned or arrived; once left or cancelled they are free again.
HOLDS_BEDS = (PlacementStatus.PLANNED, PlacementStatus.ARRIVED)


class Placement(models.Model):
    """A household's stay: `beds` beds of one type, the nights from `starts_on` up to (not including)
    `ends_on`, the day they leave."""

    household = models.ForeignKey("people.Household", on_delete=models.PROTECT, related_name="shelter_stays")
    shelter = models.ForeignKey(Shelter, on_delete=models.PROTECT, related_name="placements")
    bed_type = models.CharField(max_length=16, choices=BedType.choices)
    beds = models.PositiveSmallIntegerField()
    starts_on = models.DateField(db_index=True)
    ends_on = models.DateField()
    status = models.CharField(max_length=12, choices=PlacementStatus.choices, default=PlacementStatus.PLANNED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    arrived_at = models.DateTimeField(null=True, blank=True)
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["starts_on", "id"]
        indexes = [models.Index(fields=["shelter", "bed_type", "status"])]
