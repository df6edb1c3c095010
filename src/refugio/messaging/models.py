"""Messages to households, the ledger of what providers said about them, channel consent, opt-outs, replies.

A message's `status` is never written from a callback directly: it is derived from its DeliveryEvents by rank
(refugio.messaging.ledger), so statuses arriving out of order cannot move it backwards.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from refugio.encryption import EncryptedTextField
from refugio.messaging.vocabulary import Channel, InboundKind, MessageStatus


class Message(models.Model):
    """One message to one recipient on one channel, rendered from a catalogue template at send time."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    household = models.ForeignKey("people.Household", on_delete=models.PROTECT, related_name="messages")
    # Empty: the household's contact (phones are kept per household).
    person = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="messages"
    )
    channel = models.CharField(max_length=16, choices=Channel.choices)
    template = models.CharField(max_length=40)  # a key of refugio.messaging.catalogue.TEMPLATES
    language = models.CharField(max_length=8)
    # The template's parameters (notice, date, place, household code) as JSON; a place can say where someone
    # sleeps, so it is encrypted like the address it is.
    params_json = EncryptedTextField(blank=True)
    to = EncryptedTextField(blank=True)  # E.164 phone (sms, whatsapp) or e-mail address, as sent
    status = models.CharField(max_length=16, choices=MessageStatus.choices, default=MessageStatus.QUEUED)
    provider = models.CharField(max_length=20, blank=True)  # which provider took it: local, twilio, whatsapp_cloud…
    provider_id = models.CharField(max_length=100, blank=True, db_index=True)  # Twilio's SM…/MM…, wamid…
    # Sent to providers that honour one (local, e-mail Message-ID); the claim that makes a send happen once.
    idempotency_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)  # when the current `sending` claim was committed
    last_error_code = models.CharField(max_length=20, blank=True)
    # A WhatsApp message that could not be delivered, resent by SMS where the person agreed.
    fallback_of = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="fallback")
    # What asked for it, e.g. "plan:<id>" (messaging does not depend on the apps that use it).
    source = models.CharField(max_length=60, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["household", "created_at"], name="message_household_created"),
            # Small: the outbox, what a worker still has to send.
            models.Index(
                fields=["next_attempt_at"], condition=Q(status__in=["queued", "errored"]), name="message_outbox"
            ),
            models.Index(fields=["status", "channel"], name="message_status_channel"),
        ]

    def __str__(self) -> str:
        return f"{self.template} ({self.channel}, {self.status})"

    @property
    def params(self) -> dict[str, str]:
        return dict(json.loads(self.params_json)) if self.params_json else {}

    @params.setter
    def params(self, value: dict[str, Any]) -> None:
        self.params_json = json.dumps({str(k): str(v) for k, v in value.items()}, sort_keys=True)


class DeliveryEvent(models.Model):
    """A status a provider (or we) reported for a message, stored as received and never changed."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(max_length=16, choices=MessageStatus.choices)
    provider_status = models.CharField(max_length=30, blank=True)  # the provider's own word, e.g. "accepted"
    provider_code = models.CharField(max_length=20, blank=True)  # error code: 21610, 63016, 131047…
    # When the provider says it happened (if it says), and when we received it.
    occurred_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    # The callback's fields minus personal data (no To, From, Body): what a person checking a failure needs.
    payload = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["received_at", "id"]

    def __str__(self) -> str:
        return f"{self.status} {self.provider_code}".strip()

    def save(self, *args: Any, **kwargs: Any) -> None:  # noqa: ANN401
        if self.pk is not None:
            raise ValueError("Delivery events are append-only")
        super().save(*args, **kwargs)


class ChannelConsent(models.Model):
    """A household (or one person in it) agreed to be written to on a channel; withdrawn by a caseworker or at
    registration, not by STOP (an opt-out pauses, START resumes)."""

    household = models.ForeignKey("people.Household", on_delete=models.PROTECT, related_name="channel_consents")
    person = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(max_length=16, choices=Channel.choices)
    # Where to write on this channel when it is not the household's contact phone (an e-mail address).
    address = EncryptedTextField(blank=True)
    # For WhatsApp: the person agreed that an undelivered WhatsApp message may be sent again by SMS.
    fallback_to_sms = models.BooleanField(default=False)
    given_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["given_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["household", "channel"],
                condition=Q(withdrawn_at__isnull=True, person__isnull=True),
                name="channel_consent_one_live_per_household",
            ),
            models.UniqueConstraint(
                fields=["person", "channel"],
                condition=Q(withdrawn_at__isnull=True, person__isnull=False),
                name="channel_consent_one_live_per_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel}{' (withdrawn)' if self.withdrawn_at else ''}"


class OptOut(models.Model):
    """A STOP: every channel is paused for the household's contact (or the person) until a START."""

    household = models.ForeignKey("people.Household", on_delete=models.PROTECT, related_name="opt_outs")
    person = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    keyword = models.CharField(max_length=20)  # the keyword as recognised (STOP, PARAR, KANPE…), not the text
    channel = models.CharField(max_length=16, choices=Channel.choices)  # where the STOP came in
    language = models.CharField(max_length=8)  # of the keyword: the confirmation is written in it
    opted_out_at = models.DateTimeField(default=timezone.now)
    resumed_at = models.DateTimeField(null=True, blank=True)
    resumed_keyword = models.CharField(max_length=20, blank=True)
    # Confirmed once: a second STOP while paused sends nothing more.
    confirmation = models.ForeignKey(Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-opted_out_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(resumed_at__isnull=True, person__isnull=True),
                name="opt_out_one_live_per_household",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.keyword} {self.opted_out_at:%Y-%m-%d}"

    @property
    def active(self) -> bool:
        return self.resumed_at is None


class InboundMessage(models.Model):
    """A text someone sent us. Matched to a household only by the exact number (blind index); an unknown number
    stays unmatched (household empty) for a person to review, never guessed."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # The organisation whose inbox shows it: the household's owner, or for an unknown number the
    # organisation that receives public registrations (empty if none: only the admin site shows it).
    owner = models.ForeignKey(
        "accounts.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    household = models.ForeignKey(
        "people.Household", null=True, blank=True, on_delete=models.PROTECT, related_name="inbound_messages"
    )
    person = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(max_length=16, choices=Channel.choices)
    from_number = EncryptedTextField()
    from_index = models.CharField(max_length=64, db_index=True)  # blind index of the E.164 number
    body = EncryptedTextField(blank=True)
    kind = models.CharField(max_length=16, choices=InboundKind.choices, default=InboundKind.REPLY)
    language = models.CharField(max_length=8, blank=True)  # of a recognised keyword
    callback_requested = models.BooleanField(default=False)
    provider = models.CharField(max_length=20, blank=True)
    provider_id = models.CharField(max_length=100, blank=True)  # Twilio's MessageSid: a retried webhook is stored once
    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # For an unknown number: a person looked at it (and, if they recognised the household, linked it by hand).
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "provider_id"], condition=~Q(provider_id=""), name="inbound_unique_provider_id"
            )
        ]
        indexes = [
            models.Index(fields=["household", "received_at"], name="inbound_household_received"),
            models.Index(fields=["owner", "read_at"], name="inbound_owner_unread"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.received_at:%Y-%m-%d %H:%M}"

    @property
    def unread(self) -> bool:
        return self.read_at is None


class LocalOutbox(models.Model):
    """What the local provider (demo, tests, a deployment without a gateway) would have sent. The idempotency key
    is unique: asked twice to send the same message, it stores and "sends" it once."""

    idempotency_key = models.UUIDField(unique=True)
    provider_id = models.CharField(max_length=40, unique=True)
    channel = models.CharField(max_length=16, choices=Channel.choices)
    to = EncryptedTextField()
    body = EncryptedTextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.provider_id
