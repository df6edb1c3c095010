"""Twilio's webhooks: delivery statuses and inbound texts (SMS and WhatsApp), form-encoded, signed.

Each request must carry a valid X-Twilio-Signature: an HMAC-SHA1 over the URL Twilio called and the POSTed
fields, keyed by our auth token; the library's RequestValidator checks it. The URL is the configured public one
(REFUGIO_PUBLIC_BASE_URL + the path and query), never the Host header: behind a proxy (REFUGIO_TRUSTED_PROXIES)
the internal address would not match, and a forged Host must not make a signature pass. No valid signature:
403, nothing stored. CSRF does not apply (Twilio holds no session); the signature is the authentication.

The WhatsApp Cloud API's webhook (Meta), `/hooks/whatsapp`: a GET handshake (hub.verify_token must be our
WHATSAPP_VERIFY_TOKEN; we echo hub.challenge) and POSTs of JSON signed with X-Hub-Signature-256, an HMAC-SHA256 of
the raw body keyed by the app secret (WHATSAPP_APP_SECRET), compared in constant time. Statuses go to the same
ledger as Twilio's, inbound texts to the same inbox (STOP, START and call-back keywords alike).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST
from twilio.request_validator import RequestValidator

from refugio.messaging import services
from refugio.messaging.vocabulary import Channel

log = logging.getLogger(__name__)

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


def _signed(request: HttpRequest) -> bool:
    token = settings.TWILIO_AUTH_TOKEN
    signature = request.headers.get("X-Twilio-Signature", "")
    if not token or not signature:
        return False
    url = settings.REFUGIO_PUBLIC_BASE_URL + request.get_full_path()
    params = {key: request.POST.get(key, "") for key in request.POST}
    return bool(RequestValidator(token).validate(url, params, signature))


def _forbidden() -> HttpResponse:
    log.warning("twilio webhook refused: bad or missing signature")
    return HttpResponseForbidden("bad signature", content_type="text/plain")


@csrf_exempt
@require_POST
def twilio_status(request: HttpRequest) -> HttpResponse:
    """A delivery status (StatusCallback). Our message id is in the URL we gave Twilio (?m=…)."""
    if not _signed(request):
        return _forbidden()
    services.record_status(
        provider="twilio",
        provider_id=request.POST.get("MessageSid", "") or request.POST.get("SmsSid", ""),
        provider_status=request.POST.get("MessageStatus", "") or request.POST.get("SmsStatus", ""),
        error_code=request.POST.get("ErrorCode", ""),
        message_id=request.GET.get("m", ""),
        payload=request.POST.dict(),
    )
    return HttpResponse(status=200)


@csrf_exempt
@require_POST
def twilio_inbound(request: HttpRequest) -> HttpResponse:
    """A text someone sent to our number. Answered with empty TwiML: confirmations go through the outbox, so they
    are in the ledger like every other message."""
    if not _signed(request):
        return _forbidden()
    sender = request.POST.get("From", "")
    if sender:
        services.receive_inbound(
            channel=Channel.WHATSAPP if sender.startswith("whatsapp:") else Channel.SMS,
            from_number=sender,
            body=request.POST.get("Body", ""),
            provider="twilio",
            provider_id=request.POST.get("MessageSid", ""),
        )
    return HttpResponse(EMPTY_TWIML, content_type="text/xml")


# --- the WhatsApp Cloud API (Meta) ------------------------------------------------------------------------------


def _whatsapp_signed(request: HttpRequest) -> bool:
    secret = settings.WHATSAPP_APP_SECRET
    signature = request.headers.get("X-Hub-Signature-256", "")
    if not secret or not signature.startswith("sha256="):
        return False
    expected = hmac.new(secret.encode(), request.body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature.removeprefix("sha256="))


def _whatsapp_verification(request: HttpRequest) -> HttpResponse:
    """Meta's subscription handshake: echo the challenge only to whoever knows our verify token."""
    token = settings.WHATSAPP_VERIFY_TOKEN
    given = request.GET.get("hub.verify_token", "")
    challenge = request.GET.get("hub.challenge", "")
    if (
        not token
        or request.GET.get("hub.mode") != "subscribe"
        or not hmac.compare_digest(token.encode(), given.encode())
        or not challenge.isdigit()  # Meta sends a number; echo nothing else
    ):
        log.warning("whatsapp webhook verification refused")
        return HttpResponseForbidden("verification refused", content_type="text/plain")
    return HttpResponse(challenge, content_type="text/plain")


def _whatsapp_time(value: object) -> dt.datetime | None:
    try:
        return dt.datetime.fromtimestamp(int(str(value)), tz=dt.UTC)
    except (TypeError, ValueError, OverflowError):
        return None


def _whatsapp_text(message: dict[str, Any]) -> str:
    """What the person wrote: a text, a quick-reply button, or an interactive reply's title."""
    kind = message.get("type", "")
    if kind == "text":
        return str(message.get("text", {}).get("body", ""))
    if kind == "button":
        return str(message.get("button", {}).get("text", ""))
    if kind == "interactive":
        reply = message.get("interactive", {})
        chosen = reply.get("button_reply") or reply.get("list_reply") or {}
        return str(chosen.get("title", ""))
    return f"[{kind}]"  # a photo, voice note, location…: the caseworker still sees that they wrote


def _whatsapp_status(status: dict[str, Any]) -> None:
    errors = status.get("errors") or [{}]
    code = str(errors[0].get("code", "")) if status.get("status") == "failed" else ""
    services.record_status(
        provider="whatsapp_cloud",
        provider_id=str(status.get("id", "")),
        provider_status=str(status.get("status", "")),
        error_code=code,
        payload={
            "id": status.get("id", ""),
            "status": status.get("status", ""),
            "timestamp": status.get("timestamp", ""),
            "error_code": code,
            "error_title": errors[0].get("title", "") if code else "",
        },
        occurred_at=_whatsapp_time(status.get("timestamp")),
    )


def _whatsapp_inbound(message: dict[str, Any]) -> None:
    sender = str(message.get("from", ""))
    if not sender:
        return
    services.receive_inbound(
        channel=Channel.WHATSAPP,
        from_number="+" + sender.lstrip("+"),
        body=_whatsapp_text(message),
        provider="whatsapp_cloud",
        provider_id=str(message.get("id", "")),
        received_at=_whatsapp_time(message.get("timestamp")),
    )


@csrf_exempt
@require_http_methods(["GET", "POST"])
def whatsapp_cloud(request: HttpRequest) -> HttpResponse:
    """Meta's webhook for the WhatsApp Business Account: statuses of what we sent and messages people sent."""
    if request.method == "GET":
        return _whatsapp_verification(request)
    if not _whatsapp_signed(request):
        log.warning("whatsapp webhook refused: bad or missing signature")
        return HttpResponseForbidden("bad signature", content_type="text/plain")
    try:
        notification = json.loads(request.body)
        changes = [change.get("value", {}) for entry in notification.get("entry", []) for change in entry["changes"]]
    except (ValueError, KeyError, TypeError, AttributeError):
        return HttpResponseBadRequest("not a WhatsApp notification", content_type="text/plain")
    for value in changes:
        for status in value.get("statuses", []):
            _whatsapp_status(status)
        for message in value.get("messages", []):
            _whatsapp_inbound(message)
    return HttpResponse(status=200)
