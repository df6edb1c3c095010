"""Channels behind one interface: the local provider, Twilio (SMS and WhatsApp), the WhatsApp Cloud API, e-mail.

A provider sends one rendered message and says what it did: `Accepted` (it holds the message now; its id), or
raises `SendError` (with the provider's code; `permanent` when a retry cannot help). Anything else it raises
(a timeout, a dropped connection) is ambiguous: the message may have been accepted, so the outbox keeps its
claim and reconciles it later with `find` instead of sending again.

`find` looks for a message the provider accepted without our knowing (we crashed, or the answer was lost):
its id if found, None if not found. Only a provider that `honours_idempotency` (the local one) makes "not
found" safe to send again; for the others "not found" after a crash is `unknown`, for a person to check.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import secrets
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import timezone

from refugio.messaging.ledger import PERMANENT_CODES, TWILIO_STATUS, is_permanent, within_service_window
from refugio.messaging.models import LocalOutbox
from refugio.messaging.vocabulary import Channel

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outgoing:
    message_id: str
    idempotency_key: str
    channel: str
    to: str
    body: str
    template: str = ""
    language: str = ""
    params: dict[str, str] = field(default_factory=dict)
    status_callback: str = ""  # where the provider reports delivery statuses (empty: none)
    subject: str = ""  # e-mail only
    # WhatsApp only: when the person last wrote to us on WhatsApp from this number (None: never), for the
    # 24-hour customer-service window.
    last_inbound_at: dt.datetime | None = None


@dataclass(frozen=True)
class Accepted:
    provider: str
    provider_id: str
    status: str = "wired"  # in our vocabulary (ledger)
    provider_status: str = ""


class SendError(Exception):
    def __init__(self, code: str, detail: str = "", *, permanent: bool | None = None) -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.permanent = is_permanent(code) if permanent is None else permanent


class Provider(Protocol):
    name: str
    honours_idempotency: bool

    def send(self, outgoing: Outgoing) -> Accepted: ...

    def find(self, outgoing: Outgoing, since: dt.datetime) -> Accepted | None: ...


# Twilio's test numbers and what sending to them does: the local provider answers the same way, so the demo and
# tests see permanent failures without a gateway.
LOCAL_FAILING_NUMBERS = {
    "+15005550001": "21211",  # invalid number
    "+15005550009": "21614",  # cannot receive SMS
    "+15005550004": "21610",  # unsubscribed at the carrier
    "+15005550016": "63016",  # WhatsApp: outside the 24-hour window, needs a template
}


class LocalProvider:
    """Writes what it would send to LocalOutbox. The idempotency key is unique there: asked twice (after a crash),
    it stores once and answers with the first id."""

    name = "local"
    honours_idempotency = True

    def send(self, outgoing: Outgoing) -> Accepted:
        code = LOCAL_FAILING_NUMBERS.get(outgoing.to.removeprefix("whatsapp:"))
        if code:
            raise SendError(code, "local test number", permanent=code in PERMANENT_CODES)
        provider_id = "LM" + secrets.token_hex(16)
        try:
            with transaction.atomic():
                LocalOutbox.objects.create(
                    idempotency_key=outgoing.idempotency_key,
                    provider_id=provider_id,
                    channel=outgoing.channel,
                    to=outgoing.to,
                    body=outgoing.body,
                )
        except IntegrityError:
            provider_id = LocalOutbox.objects.get(idempotency_key=outgoing.idempotency_key).provider_id
        return Accepted(self.name, provider_id, "wired", "accepted")

    def find(self, outgoing: Outgoing, since: dt.datetime) -> Accepted | None:
        row = LocalOutbox.objects.filter(idempotency_key=outgoing.idempotency_key).first()
        return Accepted(self.name, row.provider_id, "wired", "accepted") if row else None


class TwilioProvider:
    """SMS and WhatsApp through Twilio's Messages API (the official `twilio` library). Twilio takes no idempotency
    key: `find` lists the messages sent to the number since the claim and matches the body."""

    name = "twilio"
    honours_idempotency = False

    def __init__(self, client: Any = None) -> None:  # noqa: ANN401 - twilio.rest.Client (untyped)
        from twilio.rest import Client

        self.client = client or Client(settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN)

    @staticmethod
    def _addresses(outgoing: Outgoing) -> tuple[str, str]:
        if outgoing.channel == Channel.WHATSAPP:
            return f"whatsapp:{outgoing.to}", f"whatsapp:{settings.TWILIO_WHATSAPP_FROM}"
        return outgoing.to, settings.TWILIO_FROM

    def send(self, outgoing: Outgoing) -> Accepted:
        from twilio.base.exceptions import TwilioRestException

        to, sender = self._addresses(outgoing)
        kwargs: dict[str, str] = {"to": to}
        if sender.removeprefix("whatsapp:").startswith("MG"):
            kwargs["messaging_service_sid"] = sender.removeprefix("whatsapp:")
        else:
            kwargs["from_"] = sender
        content_sid = settings.TWILIO_CONTENT_SIDS.get(f"{outgoing.template}:{outgoing.language}", "")
        if outgoing.channel == Channel.WHATSAPP and content_sid:
            # Outside the 24-hour window WhatsApp takes only approved templates: variables in catalogue order.
            kwargs["content_sid"] = content_sid
            kwargs["content_variables"] = json.dumps(
                {str(i): v for i, (_k, v) in enumerate(sorted(outgoing.params.items()), start=1)}
            )
        else:
            kwargs["body"] = outgoing.body
        if outgoing.status_callback:
            kwargs["status_callback"] = outgoing.status_callback
        try:
            message = self.client.messages.create(**kwargs)
        except TwilioRestException as exc:
            if exc.status and exc.status >= 500:
                raise  # Twilio's side failed mid-request: ambiguous, reconciled later
            raise SendError(str(exc.code or exc.status), "twilio refused the message") from exc
        return Accepted(
            self.name, str(message.sid), TWILIO_STATUS.get(str(message.status), "wired"), str(message.status)
        )

    def find(self, outgoing: Outgoing, since: dt.datetime) -> Accepted | None:
        to, _sender = self._addresses(outgoing)
        for message in self.client.messages.list(to=to, date_sent_after=since, limit=50):
            if message.body == outgoing.body:
                return Accepted(self.name, str(message.sid), TWILIO_STATUS.get(str(message.status), "wired"))
        return None


# Our catalogue languages as WhatsApp template language codes. WhatsApp has no Haitian Creole: register the
# Creole texts under another code and name them in WHATSAPP_CLOUD_TEMPLATES ("entry_date:ht": "name:fr").
WHATSAPP_LANGUAGE_CODES: dict[str, str] = {"es": "es_MX", "en": "en_US", "fr": "fr", "pt": "pt_BR", "ht": "ht"}


def whatsapp_template(template: str, language: str) -> tuple[str, str]:
    """The approved WhatsApp template (name, language code) for a catalogue template in a language.
    WHATSAPP_CLOUD_TEMPLATES maps "template:language" or "template" to "name" or "name:code"; without an entry,
    the catalogue's name and WHATSAPP_LANGUAGE_CODES."""
    table: dict[str, str] = settings.WHATSAPP_CLOUD_TEMPLATES
    approved = table.get(f"{template}:{language}") or table.get(template) or template
    name, _sep, code = approved.partition(":")
    return name, code or WHATSAPP_LANGUAGE_CODES.get(language, language)


class WhatsAppCloudProvider:
    """WhatsApp through Meta's Cloud API (Graph API over HTTPS). Within 24 hours of the person's last WhatsApp
    message the text is sent as is; outside that window WhatsApp takes only an approved template, so the catalogue
    template goes as its approved WhatsApp template (`whatsapp_template`) with the parameters as body variables
    in alphabetical order ({{1}} code, {{2}} date, {{3}} place…, like Twilio's Content templates). Meta offers no
    lookup of sent messages: a crash mid-send is reconciled by a person."""

    name = "whatsapp_cloud"
    honours_idempotency = False

    @staticmethod
    def payload(outgoing: Outgoing, now: dt.datetime | None = None) -> dict[str, Any]:
        payload: dict[str, Any] = {"messaging_product": "whatsapp", "to": outgoing.to.lstrip("+")}
        if within_service_window(outgoing.last_inbound_at, now or timezone.now()):
            return {**payload, "type": "text", "text": {"body": outgoing.body}}
        name, code = whatsapp_template(outgoing.template, outgoing.language)
        template: dict[str, Any] = {"name": name, "language": {"code": code}}
        if outgoing.params:
            template["components"] = [
                {
                    "type": "body",
                    "parameters": [{"type": "text", "text": v} for _k, v in sorted(outgoing.params.items())],
                }
            ]
        return {**payload, "type": "template", "template": template}

    def send(self, outgoing: Outgoing) -> Accepted:
        import requests

        url = (
            f"https://graph.facebook.com/{settings.WHATSAPP_CLOUD_API_VERSION}/"
            f"{settings.WHATSAPP_CLOUD_PHONE_NUMBER_ID}/messages"
        )
        payload = self.payload(outgoing)
        response = requests.post(
            url, json=payload, headers={"Authorization": f"Bearer {settings.WHATSAPP_CLOUD_TOKEN}"}, timeout=20
        )
        if response.status_code >= 500:
            response.raise_for_status()  # ambiguous: reconciled later
        body = response.json()
        if response.status_code >= 400:
            code = str(body.get("error", {}).get("code", response.status_code))
            raise SendError(code, "whatsapp cloud refused the message")
        return Accepted(self.name, str(body["messages"][0]["id"]), "wired", "accepted")

    def find(self, outgoing: Outgoing, since: dt.datetime) -> Accepted | None:
        return None


class EmailProvider:
    """E-mail through Django's EMAIL_BACKEND (SMTP, or a provider's API with django-anymail). The Message-ID is
    the idempotency key, so a receiving server that saw it already may drop a repeat; we never repeat one."""

    name = "email"
    honours_idempotency = False

    def send(self, outgoing: Outgoing) -> Accepted:
        message_id = f"<{outgoing.idempotency_key}@refugio>"
        email = EmailMessage(
            subject=outgoing.subject or "Refugio",
            body=outgoing.body,
            to=[outgoing.to],
            headers={"Message-ID": message_id},
        )
        try:
            sent = email.send()
        except (OSError, ValueError) as exc:
            raise SendError("email", type(exc).__name__, permanent=isinstance(exc, ValueError)) from exc
        if not sent:
            raise SendError("email", "not sent", permanent=False)
        anymail_status = getattr(email, "anymail_status", None)
        provider_id = getattr(anymail_status, "message_id", None) or message_id
        return Accepted(self.name, str(provider_id), "sent", "sent")

    def find(self, outgoing: Outgoing, since: dt.datetime) -> Accepted | None:
        return None


def provider_for(channel: str) -> Provider:
    """The provider configured for a channel (REFUGIO_MESSAGING_PROVIDER, REFUGIO_WHATSAPP_PROVIDER)."""
    if settings.REFUGIO_MESSAGING_PROVIDER == "local":
        return LocalProvider()
    if channel == Channel.EMAIL:
        return EmailProvider()
    if channel == Channel.WHATSAPP and settings.REFUGIO_WHATSAPP_PROVIDER == "cloud":
        return WhatsAppCloudProvider()
    return TwilioProvider()


def provider_named(name: str) -> Provider:
    """The provider that took a message (to reconcile it with the one that has it, even after a config change)."""
    providers: dict[str, type[Provider]] = {
        "local": LocalProvider,
        "twilio": TwilioProvider,
        "whatsapp_cloud": WhatsAppCloudProvider,
        "email": EmailProvider,
    }
    return providers[name]()
