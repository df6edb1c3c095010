"""Organisations, who belongs to them in which role, and machine tokens."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    LEGAL_AID = "legal_aid", _("Legal aid")
    SHELTER = "shelter", _("Shelter")
    ATTORNEY_NETWORK = "attorney_network", _("Attorney network")
    AGENCY = "agency", _("Agency")
    LOCAL_PARTNER = "local_partner", _("Local partner (resettlement affiliate)")
    OTHER = "other", _("Other")


class Role(models.TextChoices):
    ORG_ADMIN = "org_admin", _("Organisation administrator")
    CASEWORKER = "caseworker", _("Caseworker")
    ATTORNEY = "attorney", _("Attorney")
    SHELTER_STAFF = "shelter_staff", _("Shelter staff")
    AGENCY_LIAISON = "agency_liaison", _("Agency liaison")
    ANALYST = "analyst", _("Analyst")


class Organisation(models.Model):
    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=32, choices=OrganisationKind.choices)
    public_intake = models.BooleanField(
        default=False, help_text="Receives the households people register themselves (one organisation at most)."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["public_intake"], condition=Q(public_intake=True), name="one_public_intake")
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=32, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "organisation", "role"], name="membership_unique_role")]

    def __str__(self) -> str:
        return f"{self.user} · {self.organisation} · {self.role}"


class ApiToken(models.Model):
    """A bearer token for a machine acting as a user. Only its SHA-256 digest is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12, help_text="The first characters, to recognise a token.")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"
