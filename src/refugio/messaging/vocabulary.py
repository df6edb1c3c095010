"""The fixed vocabularies of messaging: channels, delivery statuses and their order, inbound kinds."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    SMS = "sms", _("SMS")
    WHATSAPP = "whatsapp", _("WhatsApp")
    EMAIL = "email", _("E-mail")


class MessageStatus(models.TextChoices):
    """RapidPro/Courier's states plus ours: `sending` is our claim before calling the provider, `unknown` a
    claim found after a crash that no provider lookup could settle (a person checks), `errored` a transient
    failure waiting for its retry, `opted_out` never sent."""

    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    ERRORED = "errored", _("Error, will retry")
    UNKNOWN = "unknown", _("Unknown, to check")
    WIRED = "wired", _("Handed to the provider")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    UNDELIVERED = "undelivered", _("Not delivered")
    DELIVERED = "delivered", _("Delivered")
    READ = "read", _("Read")
    OPTED_OUT = "opted_out", _("Not sent: opted out")


class InboundKind(models.TextChoices):
    REPLY = "reply", _("Reply")
    STOP = "stop", _("Stop")
    START = "start", _("Start again")
    CALLBACK = "callback", _("Asks for a call")
