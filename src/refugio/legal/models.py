"""The legal roster, representation of cases, hearings, and calendar feeds."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from refugio.encryption import EncryptedTextField


class RepresentativeKind(models.TextChoices):
    ATTORNEY = "attorney", _("Attorney")
    ACCREDITED = "accredited_representative", _("Accredited representative")
    LAW_STUDENT = "law_student", _("Supervised law student")
    INTERPRETER = "interpreter", _("Interpreter")


class Expertise(models.TextChoices):
    DETAINED = "detained", _("Detained cases")
    UNACCOMPANIED_MINOR = "unaccompanied_minor", _("Unaccompanied minors")
    GENDER_BASED_VIOLENCE = "gender_based_violence", _("Gender-based violence")
    APPEALS = "appeals", _("Appeals")
    LGBTQI = "lgbtqi", _("LGBTQI+ claims")
    TORTURE_TRAUMA = "torture_trauma", _("Torture and trauma")


class Representative(models.Model):
    """Someone on the roster: who they are, what they speak, where they appear, what they know."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="roster")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="representative"
    )
    name = models.CharField(max_length=150)
    email = models.EmailField(blank=True)
    kind = models.CharField(max_length=32, choices=RepresentativeKind.choices)
    languages = models.JSONField(default=list)
    courts = models.JSONField(default=list)
    expertise = models.JSONField(default=list)
    capacity = models.PositiveSmallIntegerField(default=10, help_text="Open cases at most")
    available = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"


class RepresentationStatus(models.TextChoices):
    OFFERED = "offered", _("Offered")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    ENDED = "ended", _("Ended")


OPEN_REPRESENTATION = (RepresentationStatus.OFFERED, RepresentationStatus.ACCEPTED)


class Representation(models.Model):
    household = models.ForeignKey("people.Household", on_delete=models.PROTECT, related_name="representations")
    representative = models.ForeignKey(Representative, on_delete=models.PROTECT, related_name="representations")
    status = models.CharField(max_length=12, choices=RepresentationStatus.choices, default=RepresentationStatus.OFFERED)
    offered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    offered_at = models.DateTimeField()
    responded_at = models.DateTimeField(null=True, blank=True)
    decline_reason = EncryptedTextField(blank=True)
    g28_filed_on = models.DateField(null=True, blank=True, help_text="Form G-28 (DHS)")
    eoir28_filed_on = models.DateField(null=True, blank=True, help_text="Form EOIR-28 (immigration court)")

    class Meta:
        ordering = ["-offered_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["household", "representative"],
                condition=Q(status__in=["offered", "accepted"]),
                name="one_open_representation_per_pair",
            )
        ]


class HearingKind(models.TextChoices):
    MASTER = "master", _("Master calendar hearing")
    INDIVIDUAL = "individual", _("Individual (merits) hearing")
    BOND = "bond", _("Bond hearing")
    OTHER = "other", _("Other")


class HearingMode(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    REMOTE = "remote", _("Remote (video or phone)")


class Hearing(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    household = models.ForeignKey("people.Household", on_delete=models.PROTECT, related_name="hearings")
    person = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    court = models.CharField(max_length=8)
    date = models.DateField(db_index=True)
    time = models.TimeField(null=True, blank=True)
    kind = models.CharField(max_length=12, choices=HearingKind.choices)
    mode = models.CharField(max_length=12, choices=HearingMode.choices)
    language = models.CharField(max_length=8, blank=True, help_text="Interpreter needed for this language")
    interpreter = models.ForeignKey(
        Representative, null=True, blank=True, on_delete=models.SET_NULL, related_name="interpreting"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "time"]


class NoticeSent(models.Model):
    """A reminder (30, 7 or 1 days) or an uncovered-hearing alert (0) already sent, so none is sent twice."""

    hearing = models.ForeignKey(Hearing, on_delete=models.CASCADE, related_name="notices")
    days_before = models.SmallIntegerField()
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["hearing", "days_before"], name="notice_once")]


class CalendarFeed(models.Model):
    """A secret iCalendar URL for one representative or one organisation. Only the digest is stored."""

    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12)
    representative = models.ForeignKey(
        Representative, null=True, blank=True, on_delete=models.CASCADE, related_name="feeds"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", null=True, blank=True, on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
