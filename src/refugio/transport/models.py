"""Transport: trips with seats, tickets for households, and the destination (sponsor) address.

Households who enter are received by civil society: they travel from the port to a shelter, and from
there to their destination. A trip has a number of seats; a ticket takes some of them for a household.
The last seat is never sold twice: booking locks the trip row and re-counts inside the lock.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from refugio.encryption import EncryptedTextField


class Mode(models.TextChoices):
    BUS = "bus", _("Bus")
    FLIGHT = "flight", _("Flight")
    CAR = "car", _("Car")
    VAN = "van", _("Van")


class TicketStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    CANCELLED = "cancelled", _("Cancelled")
    USED = "used", _("Used")


#: Tickets that hold their seats.
HOLDING = (TicketStatus.BOOKED, TicketStatus.USED)


class USState(models.TextChoices):
    """US states, the District of Columbia and territories (USPS codes; names are proper nouns)."""

    AL = "AL", "Alabama"
    AK = "AK", "Alaska"
    AZ = "AZ", "Arizona"
    AR = "AR", "Arkansas"
    CA = "CA", "California"
    CO = "CO", "Colorado"
    CT = "CT", "Connecticut"
    DE = "DE", "Delaware"
    DC = "DC", "District of Columbia"
    FL = "FL", "Florida"
    GA = "GA", "Georgia"
    HI = "HI", "Hawaii"
    ID = "ID", "Idaho"
    IL = "IL", "Illinois"
    IN = "IN", "Indiana"
    IA = "IA", "Iowa"
    KS = "KS", "Kansas"
    KY = "KY", "Kentucky"
    LA = "LA", "Louisiana"
    ME = "ME", "Maine"
    MD = "MD", "Maryland"
    MA = "MA", "Massachusetts"
    MI = "MI", "Michigan"
    MN = "MN", "Minnesota"
    MS = "MS", "Mississippi"
    MO = "MO", "Missouri"
    MT = "MT", "Montana"
    NE = "NE", "Nebraska"
    NV = "NV", "Nevada"
    NH = "NH", "New Hampshire"
    NJ = "NJ", "New Jersey"
    NM = "NM", "New Mexico"
    NY = "NY", "New York"
    NC = "NC", "North Carolina"
    ND = "ND", "North Dakota"
    OH = "OH", "Ohio"
    OK = "OK", "Oklahoma"
    OR = "OR", "Oregon"
    PA = "PA", "Pennsylvania"
    RI = "RI", "Rhode Island"
    SC = "SC", "South Carolina"
    SD = "SD", "South Dakota"
    TN = "TN", "Tennessee"
    TX = "TX", "Texas"
    UT = "UT", "Utah"
    VT = "VT", "Vermont"
    VA = "VA", "Virginia"
    WA = "WA", "Washington"
    WV = "WV", "West Virginia"
    WI = "WI", "Wisconsin"
    WY = "WY", "Wyoming"
    PR = "PR", "Puerto Rico"
    GU = "GU", "Guam"
    VI = "VI", "U.S. Virgin Islands"
    AS = "AS", "American Samoa"
    MP = "MP", "Northern Mariana Islands"


class Trip(models.Model):
    """One journey between two cities (never a personal address), with a number of seats."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="trips")
    mode = models.CharField(max_length=8, choices=Mode.choices, default=Mode.BUS)
    from_place = models.CharField(max_length=120)
    to_place = models.CharField(max_length=120)
    departs_at = models.DateTimeField(db_index=True)
    arrives_at = models.DateTimeField(null=True, blank=True)
    seats = models.PositiveSmallIntegerField()
    carrier = models.CharField(max_length=120, blank=True)
    booking_reference = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["departs_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(seats__gte=1), name="transport_trip_seats_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_mode_display()} {self.from_place} → {self.to_place} {self.departs_at:%Y-%m-%d %H:%M}"


class Ticket(models.Model):
    """Seats on a trip for (some members of) a household."""

    trip = models.ForeignKey(Trip, on_delete=models.PROTECT, related_name="tickets")
    household = models.ForeignKey("people.Household", on_delete=models.PROTECT, related_name="tickets")
    persons = models.ManyToManyField("people.Person", blank=True, related_name="+")
    seats = models.PositiveSmallIntegerField(default=1)
    status = models.CharField(max_length=10, choices=TicketStatus.choices, default=TicketStatus.BOOKED)
    reference = models.CharField(max_length=16, unique=True, editable=False)
    booked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    booked_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["trip__departs_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(seats__gte=1), name="transport_ticket_seats_positive"),
        ]

    def __str__(self) -> str:
        return f"Ticket {self.reference}"

    def save(self, *args: object, **kwargs: object) -> None:
        if not self.reference:
            self.reference = uuid.uuid4().hex[:10].upper()
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class Relocation(models.Model):
    """Where a household goes to live (a sponsor, family): the destination address, encrypted at rest.

    Other apps listen to ``post_save`` of this model (the change-of-address obligations start on
    ``moved_on``); keep the field names stable.
    """

    household = models.ForeignKey("people.Household", on_delete=models.PROTECT, related_name="relocations")
    sponsor_name = EncryptedTextField(blank=True)
    address = EncryptedTextField()
    city = models.CharField(max_length=100)
    state = models.CharField(max_length=2, choices=USState.choices)
    moved_on = models.DateField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-moved_on", "-id"]

    def __str__(self) -> str:
        return f"Relocation {self.pk} ({self.city}, {self.state})"
