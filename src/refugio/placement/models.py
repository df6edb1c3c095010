"""Placement in the app: local partners' destinations and their weekly capacity, a household's family tie to
a destination, and the weekly allocation runs with their assignments (and overrides)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from refugio.encryption import EncryptedTextField
from refugio.people.vocabulary import Relationship, language_name

MEDICAL, SCHOOL, WHEELCHAIR = "medical", "school", "wheelchair"
BASIC_NEEDS = (MEDICAL, SCHOOL, WHEELCHAIR)
LANGUAGE_PREFIX = "language:"


def need_label(need: str) -> str:
    """A need in words, in the reader's language (`language:ht` is "Interpreting in Kreyòl ayisyen")."""
    if need == MEDICAL:
        return _("Medical care")
    if need == SCHOOL:
        return _("School places")
    if need == WHEELCHAIR:
        return _("Wheelchair access")
    if need.startswith(LANGUAGE_PREFIX):
        return _("Interpreting in %(language)s") % {"language": language_name(need.removeprefix(LANGUAGE_PREFIX))}
    return need


class Destination(models.Model):
    """Where a local partner (an organisation of kind local partner) receives people: its city."""

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="placement_destinations"
    )
    city = models.CharField(max_length=100)
    # What the outcome model reads about the place (placement.outcomes.DestinationProfile): public labour
    # market figures and the partner's own caseload, kept by the partner.
    unemployment_rate = models.FloatField(default=0.05, help_text="0 to 1")
    partner_caseload = models.FloatField(default=30.0, help_text="Open cases per caseworker")
    sector_demand = models.JSONField(default=dict, help_text="Share of local job openings per sector")

    class Meta:
        ordering = ["city", "id"]
        constraints = [models.UniqueConstraint(fields=["organisation", "city"], name="destination_unique_city")]

    def __str__(self) -> str:
        return f"{self.city} ({self.organisation})"


class WeeklyCapacity(models.Model):
    """What a destination can take in a week (from its Monday): people, and cases with each need. Its own
    staff keep it up to date; every change is audited."""

    destination = models.ForeignKey(Destination, on_delete=models.CASCADE, related_name="capacities")
    week_start = models.DateField(help_text="The Monday of the week")
    people = models.PositiveIntegerField(default=0)
    need_cases = models.JSONField(default=dict, help_text="Cases a week per need: {need: count}")
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["week_start", "destination__city"]
        constraints = [
            models.UniqueConstraint(fields=["destination", "week_start"], name="weekly_capacity_unique_week")
        ]


class FamilyTie(models.Model):
    """A relative of the household lives where a destination is: the household goes there first."""

    household = models.OneToOneField("people.Household", on_delete=models.CASCADE, related_name="placement_tie")
    destination = models.ForeignKey(Destination, on_delete=models.PROTECT, related_name="ties")
    relation = models.CharField(max_length=16, choices=Relationship.choices)
    recorded_at = models.DateTimeField(default=timezone.now)


class RunStatus(models.TextChoices):
    READY = "ready", gettext_lazy("Ready for review")
    PUBLISHED = "published", gettext_lazy("Published")
    SUPERSEDED = "superseded", gettext_lazy("Superseded")


class Outcome(models.TextChoices):
    """What a run maximizes, picked by the allocating organisation (placement.outcomes.OUTCOMES)."""

    EMPLOYED_90_DAYS = "employed_90_days", gettext_lazy("Members employed within 90 days")
    SCHOOL_90_DAYS = "school_90_days", gettext_lazy("Children enrolled in school within 90 days")


class AllocationRun(models.Model):
    """One weekly allocation of an organisation's arriving cases. Stored only when it solved: an infeasible
    week leaves nothing behind. `instance` keeps what was solved (cases, destinations, scores) so an
    override re-solves the same instance with the overridden cases fixed."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    week_start = models.DateField()
    status = models.CharField(max_length=16, choices=RunStatus.choices, default=RunStatus.READY)
    objective = models.FloatField()
    bound = models.FloatField()
    gap = models.FloatField()
    seconds = models.FloatField()
    outcome = models.CharField(max_length=32, choices=Outcome.choices, default=Outcome.EMPLOYED_90_DAYS)
    instance = models.JSONField(default=dict)
    model_summary = models.JSONField(default=dict)  # the outcome model's features and validation
    fairness = models.JSONField(default=list)  # by nationality: counts and mean scores, never a person
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organisation", "week_start"])]


class Assignment(models.Model):
    """Where a run places one household, with what the review page explains: the score against the next
    best destination, the tie, the needs; and, when a person changed it, who, when and why."""

    run = models.ForeignKey(AllocationRun, on_delete=models.CASCADE, related_name="assignments")
    household = models.ForeignKey("people.Household", on_delete=models.CASCADE, related_name="+")
    destination = models.ForeignKey(Destination, on_delete=models.PROTECT, related_name="+")
    people = models.PositiveSmallIntegerField()
    arrival_date = models.DateField()
    needs = models.JSONField(default=list)
    tie_destination = models.ForeignKey(Destination, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    score = models.FloatField()
    next_best_destination = models.ForeignKey(
        Destination, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    next_best_score = models.FloatField(null=True, blank=True)
    override_reason = EncryptedTextField(blank=True)  # free text: may describe the person's situation
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    overridden_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["arrival_date", "id"]
        constraints = [models.UniqueConstraint(fields=["run", "household"], name="assignment_unique_household")]

    @property
    def overridden(self) -> bool:
        return self.overridden_at is not None
