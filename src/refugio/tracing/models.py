"""Tracing requests and the candidates the broker finds for them."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from refugio.encryption import EncryptedTextField


class Relationship(models.TextChoices):
    CHILD = "child", _("Son or daughter")
    PARENT = "parent", _("Mother or father")
    SPOUSE = "spouse", _("Spouse or partner")
    SIBLING = "sibling", _("Brother or sister")
    GRANDPARENT = "grandparent", _("Grandparent")
    OTHER = "other", _("Other relative")


class SoughtSex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    UNKNOWN = "unknown", _("Not known")


class RequestStatus(models.TextChoices):
    OPEN = "open", _("Searching")
    REUNITED = "reunited", _("Reunited")
    CLOSED = "closed", _("Closed")


class TracingRequest(models.Model):
    """What a family knows about a missing relative. Seen only by the requesting organisation."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey("people.Household", on_delete=models.PROTECT, related_name="tracing_requests")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    given_names = EncryptedTextField()
    family_names = EncryptedTextField()
    birth_year = models.PositiveSmallIntegerField(null=True, blank=True)
    birth_year_estimated = models.BooleanField(default=True)
    sex = models.CharField(max_length=8, choices=SoughtSex.choices, default=SoughtSex.UNKNOWN)
    relationship = models.CharField(max_length=12, choices=Relationship.choices)
    separated_child = models.BooleanField(default=False, help_text="The person sought is a child (under 18)")
    last_seen_place = EncryptedTextField(blank=True)
    last_seen_on = models.DateField(null=True, blank=True)
    notes = EncryptedTextField(blank=True)
    status = models.CharField(max_length=10, choices=RequestStatus.choices, default=RequestStatus.OPEN)
    closed_reason = EncryptedTextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    searched_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-separated_child", "created_at"]  # separated children first


class CandidateStatus(models.TextChoices):
    PROPOSED = "proposed", _("Possible match: to review")
    CONFIRMED = "confirmed", _("Both caseworkers confirmed")
    SHARED = "shared", _("Consent given: details shared")
    REUNITED = "reunited", _("Reunited")
    REJECTED = "rejected", _("Not the person sought")


class VerificationMethod(models.TextChoices):
    QUESTIONS = "questions", _("Questions only the family can answer")
    PHOTOS = "photos", _("A person compared photographs")
    DOCUMENTS = "documents", _("Identity or birth documents")


class TracingCandidate(models.Model):
    """A record of another (or the same) organisation that may be the person sought. The requesting side
    sees only the holding organisation's name and the strength; the holding side sees its own record."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    request = models.ForeignKey(TracingRequest, on_delete=models.PROTECT, related_name="candidates")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    holder = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    match_probability = models.FloatField()
    evidence = models.JSONField(default=dict)  # comparison → level label; never a value
    status = models.CharField(max_length=10, choices=CandidateStatus.choices, default=CandidateStatus.PROPOSED)
    requester_confirmed_at = models.DateTimeField(null=True, blank=True)
    requester_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    holder_confirmed_at = models.DateTimeField(null=True, blank=True)
    holder_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requester_consent_at = models.DateTimeField(null=True, blank=True)
    holder_consent_at = models.DateTimeField(null=True, blank=True)
    verification_method = models.CharField(max_length=10, choices=VerificationMethod.choices, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    verification_notes = EncryptedTextField(blank=True)
    shared_at = models.DateTimeField(null=True, blank=True)
    reunited_at = models.DateTimeField(null=True, blank=True)
    rejected_at = models.DateTimeField(null=True, blank=True)
    found_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-match_probability"]
        constraints = [models.UniqueConstraint(fields=["request", "person"], name="one_candidate_per_person")]


class TracingNote(models.Model):
    """What happened on a case (calls made, a lead followed), for the requesting organisation only."""

    request = models.ForeignKey(TracingRequest, on_delete=models.PROTECT, related_name="case_notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    body = EncryptedTextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]
