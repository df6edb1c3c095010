"""The Twilio provider speaks Twilio's Messages API through the official library (a stub client: no network)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import override_settings
from twilio.base.exceptions import TwilioRestException

from refugio.messaging.providers import Outgoing, SendError, TwilioProvider

OUT = Outgoing(
    "m1",
    "key",
    "sms",
    "+526561000005",
    "Refugio: hola",
    template="entry_date",
    language="es",
    params={"code": "K7M2-QX9P-4", "date": "2026-12-03", "place": "El Paso"},
    status_callback="https://refugio.example.org/hooks/twilio/status?m=m1",
)


class StubMessages:
    def __init__(self, error: Exception | None = None, listed: list[Any] | None = None) -> None:
        self.calls: list[dict[str, Any]] = []
        self.error = error
        self.listed = listed or []

    def create(self, **kwargs: Any) -> Any:  # noqa: ANN401
        self.calls.append(kwargs)
        if self.error:
            raise self.error
        return SimpleNamespace(sid="SM123", status="queued")

    def list(self, **kwargs: Any) -> list[Any]:  # noqa: ANN401
        self.calls.append(kwargs)
        return self.listed


def _provider(messages: StubMessages) -> TwilioProvider:
    return TwilioProvider(client=SimpleNamespace(messages=messages))


@override_settings(TWILIO_FROM="+15005550006", TWILIO_WHATSAPP_FROM="+15005550007", TWILIO_CONTENT_SIDS={})
def test_sms_and_whatsapp_requests() -> None:
    messages = StubMessages()
    accepted = _provider(messages).send(OUT)
    assert (accepted.provider_id, accepted.status) == ("SM123", "wired")
    assert messages.calls[0] == {
        "to": "+526561000005",
        "from_": "+15005550006",
        "body": "Refugio: hola",
        "status_callback": OUT.status_callback,
    }
    whatsapp = Outgoing(**{**OUT.__dict__, "channel": "whatsapp"})
    _provider(messages).send(whatsapp)
    assert messages.calls[1]["to"] == "whatsapp:+526561000005"
    assert messages.calls[1]["from_"] == "whatsapp:+15005550007"


@override_settings(TWILIO_WHATSAPP_FROM="MG0123", TWILIO_CONTENT_SIDS={"entry_date:es": "HX99"})
def test_whatsapp_template_outside_the_window() -> None:
    messages = StubMessages()
    _provider(messages).send(Outgoing(**{**OUT.__dict__, "channel": "whatsapp"}))
    call = messages.calls[0]
    assert call["messaging_service_sid"] == "MG0123" and call["content_sid"] == "HX99" and "body" not in call
    assert call["content_variables"] == '{"1": "K7M2-QX9P-4", "2": "2026-12-03", "3": "El Paso"}'


@override_settings(TWILIO_FROM="+15005550006")
@pytest.mark.parametrize(("status", "code", "permanent"), [(400, 21610, True), (400, 21211, True), (429, 20429, False)])
def test_refusals_become_send_errors(status: int, code: int, permanent: bool) -> None:
    error = TwilioRestException(status, "https://api.twilio.com/x", msg="refused", code=code)
    with pytest.raises(SendError) as caught:
        _provider(StubMessages(error)).send(OUT)
    assert caught.value.code == str(code) and caught.value.permanent is permanent


@override_settings(TWILIO_FROM="+15005550006")
def test_a_server_error_is_ambiguous_not_a_refusal() -> None:
    error = TwilioRestException(503, "https://api.twilio.com/x", msg="unavailable")
    with pytest.raises(TwilioRestException):
        _provider(StubMessages(error)).send(OUT)


@override_settings(TWILIO_FROM="+15005550006")
def test_find_matches_the_body_sent_since_the_claim() -> None:
    listed = [
        SimpleNamespace(sid="SMother", body="otra cosa", status="delivered"),
        SimpleNamespace(sid="SMours", body="Refugio: hola", status="delivered"),
    ]
    messages = StubMessages(listed=listed)
    since = dt.datetime(2026, 11, 30, tzinfo=dt.UTC)
    found = _provider(messages).find(OUT, since)
    assert found is not None and (found.provider_id, found.status) == ("SMours", "delivered")
    assert messages.calls[0]["to"] == "+526561000005" and messages.calls[0]["date_sent_after"] == since
    assert _provider(StubMessages(listed=listed[:1])).find(OUT, since) is None
