"""Ports of entry and the capacities the planner respects; plans, their appointments, and the messages
that tell people where and when to go."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PortOfEntry(models.Model):
    code = models.CharField(max_length=8, unique=True)
    name = models.CharField(max_length=100)
    city = models.CharField(max_length=100, help_text="US city of the port")
    destination = models.CharField(max_length=100, help_text="Where people go next: the shelters' city")
    departure_cities = models.JSONField(default=list, help_text="Cities in Mexico this port serves")
    agency = models.ForeignKey(
        "accounts.Organisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ports",
        help_text="The agency whose liaisons receive this port's manifests",
    )
    what_to_bring = models.TextField(blank=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class PortDay(models.Model):
    port = models.ForeignKey(PortOfEntry, on_delete=models.CASCADE, related_name="days")
    date = models.DateField()
    capacity = models.PositiveIntegerField(help_text="People a day")
    closed = models.BooleanField(default=False)

    class Meta:
        ordering = ["date", "port__code"]
        constraints = [models.UniqueConstraint(fields=["port", "date"], name="port_day_unique")]


class ScreeningDay(models.Model):
    """Health screenings a departure city can do on a day."""

    city = models.CharField(max_length=100)
    date = models.DateField()
    capacity = models.PositiveIntegerField()

    class Meta:
        ordering = ["date", "city"]
        constraints = [models.UniqueConstraint(fields=["city", "date"], name="screening_day_unique")]


class ShelterBedsDay(models.Model):
    """Shelter beds free for new arrivals at a destination on a day (the reception capability's shelters)."""

    destination = models.CharField(max_length=100)
    date = models.DateField()
    beds = models.PositiveIntegerField()

    class Meta:
        ordering = ["date", "destination"]
        constraints = [models.UniqueConstraint(fields=["destination", "date"], name="beds_day_unique")]


class PlanStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    READY = "ready", _("Ready for review")
    PUBLISHED = "published", _("Published")
    SUPERSEDED = "superseded", _("Superseded")
    FAILED = "failed", _("Failed")


class PlanRun(models.Model):
    status = models.CharField(max_length=16, choices=PlanStatus.choices, default=PlanStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    fifo_share = models.FloatField(default=0.25)
    trigger = models.CharField(max_length=200, blank=True)
    summary = models.JSONField(default=dict)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]


class Lane(models.TextChoices):
    KEPT = "kept", _("Appointment already given, kept")
    FIFO = "fifo", _("Registration-order lane")
    PRIORITY = "priority", _("Priority lane")


class Appointment(models.Model):
    plan = models.ForeignKey(PlanRun, on_delete=models.CASCADE, related_name="appointments")
    household = models.ForeignKey("people.Household", on_delete=models.CASCADE, related_name="appointments")
    port = models.ForeignKey(PortOfEntry, on_delete=models.PROTECT, related_name="+")
    date = models.DateField()
    lane = models.CharField(max_length=16, choices=Lane.choices)
    people = models.PositiveSmallIntegerField()
    tier = models.PositiveSmallIntegerField()
    priority = models.FloatField()
    # The appointment it replaces was given and had to change (capacity fell): the household must be told.
    moved = models.BooleanField(default=False)

    class Meta:
        ordering = ["date", "port__code"]
        constraints = [models.UniqueConstraint(fields=["plan", "household"], name="appointment_unique")]
        indexes = [models.Index(fields=["plan", "port", "date"])]

