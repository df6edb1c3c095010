"""Twilio's webhooks: signatures, inbound STOP/START in five languages, replies, unknown numbers, callbacks."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client, override_settings
from twilio.request_validator import RequestValidator

from refugio.accounts.models import Role
from refugio.audit.services import Actor
from refugio.messaging import catalogue, services
from refugio.messaging.models import DeliveryEvent, InboundMessage, Message, OptOut
from refugio.people.models import Household
from tests.conftest import World, new_household

TOKEN = "test-auth-token-0123456789abcdef"
BASE = "https://refugio.example.org"
PHONE = "+526561000002"

pytestmark = pytest.mark.usefixtures("twilio_settings")


@pytest.fixture
def twilio_settings() -> Any:  # noqa: ANN401
    with override_settings(TWILIO_AUTH_TOKEN=TOKEN, REFUGIO_PUBLIC_BASE_URL=BASE):
        yield


def _post(path: str, data: dict[str, str], *, sign: bool = True, token: str = TOKEN, url: str = "") -> Any:  # noqa: ANN401
    headers = {}
    if sign:
        headers["HTTP_X_TWILIO_SIGNATURE"] = RequestValidator(token).compute_signature(url or BASE + path, data)
    return Client().post(path, data, **headers)


_sid = iter(range(10_000))


def _inbound(body: str, sender: str = PHONE, **extra: str) -> Any:  # noqa: ANN401
    data = {"MessageSid": f"SM{next(_sid):032d}", "From": sender, "To": "+15005550006", "Body": body, **extra}
    return _post("/hooks/twilio/inbound", data)


@pytest.fixture
def household(world: World) -> Household:
    return new_household(world.users[Role.CASEWORKER], world.home, contact_phone="+52 656 100 0002")


# --- signatures -------------------------------------------------------------------------------------------------


def test_unsigned_or_badly_signed_webhooks_are_refused(household: Household) -> None:
    data = {"MessageSid": "SM1", "From": PHONE, "Body": "STOP"}
    assert _post("/hooks/twilio/inbound", data, sign=False).status_code == 403
    assert _post("/hooks/twilio/inbound", data, token="another-token").status_code == 403
    assert _post("/hooks/twilio/inbound", data, url="http://testserver/hooks/twilio/inbound").status_code == 403
    forged = {
        "HTTP_X_TWILIO_SIGNATURE": RequestValidator(TOKEN).compute_signature(BASE + "/hooks/twilio/inbound", data)
    }
    assert Client().post("/hooks/twilio/inbound", {**data, "Body": "hola"}, **forged).status_code == 403
    assert (
        _post("/hooks/twilio/status", {"MessageSid": "SM1", "MessageStatus": "delivered"}, sign=False).status_code
        == 403
    )
    assert not InboundMessage.objects.exists() and not OptOut.objects.exists()


def test_correctly_signed_webhooks_are_accepted(household: Household) -> None:
    response = _inbound("hola")
    assert response.status_code == 200 and response["Content-Type"] == "text/xml"
    assert b"<Response>" in response.content
    assert InboundMessage.objects.get().household == household


@override_settings(TWILIO_AUTH_TOKEN="")
def test_without_an_auth_token_every_webhook_is_refused(household: Household) -> None:
    assert _post("/hooks/twilio/inbound", {"From": PHONE, "Body": "x"}, token="").status_code == 403


def test_webhooks_only_accept_post() -> None:
    assert Client().get("/hooks/twilio/inbound").status_code == 405


def test_status_callback_is_recorded_by_our_id_in_the_url(world: World, household: Household) -> None:
    message = services.queue_notice(Actor(None), household=household, template="callback_ack", params={})
    services.send_message(message.id)
    message.refresh_from_db()
    path = f"/hooks/twilio/status?m={message.id}"
    for status in ("delivered", "sent"):  # out of order
        data = {"MessageSid": message.provider_id, "MessageStatus": status, "To": PHONE, "AccountSid": "AC1"}
        assert _post(path, data).status_code == 200
    message.refresh_from_db()
    assert message.status == "delivered"
    # A status for another message's sid, or for an id that is not ours, changes nothing.
    assert _post(path, {"MessageSid": "SMother", "MessageStatus": "failed", "ErrorCode": "30003"}).status_code == 200
    assert _post("/hooks/twilio/status?m=nonsense", {"MessageSid": "SMx", "MessageStatus": "read"}).status_code == 200
    assert Message.objects.get(pk=message.pk).status == "delivered"
    assert DeliveryEvent.objects.filter(message=message).latest("id").payload == {
        "MessageSid": message.provider_id,
        "MessageStatus": "sent",
        "AccountSid": "AC1",
    }


# --- STOP / START -----------------------------------------------------------------------------------------------

STOP_START = [
    ("es", "BAJA", "ALTA"),
    ("es", "Parar", "iniciar"),
    ("en", "STOP", "START"),
    ("fr", "Arrête", "démarrer"),
    ("fr", "ARRÊT", "COMMENCER"),
    ("pt", "SAIR", "COMEÇAR"),
    ("pt", "pare", "voltar"),
    ("ht", "KANPE", "KOMANSE"),
    ("ht", "sispann", "komanse"),
]


@pytest.mark.parametrize(("language", "stop", "start"), STOP_START)
def test_stop_pauses_every_channel_confirmed_once_and_start_resumes(
    world: World,
    household: Household,
    language: str,
    stop: str,
    start: str,
    django_capture_on_commit_callbacks: Any,  # noqa: ANN401
) -> None:
    services.set_channels(
        Actor(None), household=household, channels={"sms": True, "whatsapp": True, "email": True}, email="a@example.org"
    )
    waiting = services.queue_notice(
        Actor(None), household=household, template="entry_date", params={"date": "2026-12-03", "place": "El Paso"}
    )
    assert _inbound(stop).status_code == 200
    assert _inbound(stop).status_code == 200  # a second STOP: not confirmed again
    opt_out = OptOut.objects.get(household=household, resumed_at__isnull=True)
    assert opt_out.language == language
    confirmations = Message.objects.filter(household=household, template="opt_out_confirmation")
    assert confirmations.count() == 1 and confirmations.get().language == language
    assert confirmations.get().channel == "sms"  # answered where the STOP came in
    text = catalogue.render("opt_out_confirmation", language, {})
    assert text == catalogue.TEMPLATES["opt_out_confirmation"][language]
    waiting.refresh_from_db()
    assert waiting.status == "opted_out"  # what was still waiting is not sent
    for channel in ("sms", "whatsapp", "email"):  # every channel is paused
        paused = services.queue_notice(
            Actor(None), household=household, template="callback_ack", params={}, channel=channel
        )
        assert paused.status == "opted_out"
    with django_capture_on_commit_callbacks(execute=True):
        services.send_message(confirmations.get().id)
    assert Message.objects.get(pk=confirmations.get().pk).status == "wired"  # the confirmation itself goes out

    assert _inbound(start).status_code == 200
    assert not OptOut.objects.filter(household=household, resumed_at__isnull=True).exists()
    resumed = Message.objects.get(household=household, template="opt_in_confirmation")
    assert resumed.language == language
    again = services.queue_notice(Actor(None), household=household, template="callback_ack", params={})
    assert again.status == "queued"


def test_stop_inside_a_sentence_is_a_reply(world: World, household: Household) -> None:
    _inbound("no pare de escribirme por favor")
    assert not OptOut.objects.exists()
    assert InboundMessage.objects.get().kind == "reply"


def test_whatsapp_stop_pauses_sms_too(world: World, household: Household) -> None:
    _inbound("KANPE", sender=f"whatsapp:{PHONE}")
    confirmation = Message.objects.get(template="opt_out_confirmation")
    assert confirmation.channel == "whatsapp" and confirmation.language == "ht"
    assert (
        services.queue_notice(
            Actor(None), household=household, template="callback_ack", params={}, channel="sms"
        ).status
        == "opted_out"
    )


# --- replies ----------------------------------------------------------------------------------------------------


def test_replies_are_threaded_by_exact_number_and_stored_encrypted(world: World, household: Household) -> None:
    _inbound("Gracias, allí estaremos")
    reply = InboundMessage.objects.get()
    assert reply.household == household and reply.owner == world.home and reply.kind == "reply"
    assert reply.unread and reply.body == "Gracias, allí estaremos"
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT body, from_number FROM messaging_inboundmessage")
        raw = cursor.fetchone()
    assert "Gracias" not in raw[0] and PHONE not in raw[1]


def test_a_retried_webhook_is_stored_once(household: Household) -> None:
    data = {"MessageSid": "SMretried", "From": PHONE, "Body": "hola"}
    assert _post("/hooks/twilio/inbound", data).status_code == 200
    assert _post("/hooks/twilio/inbound", data).status_code == 200
    assert InboundMessage.objects.count() == 1


def test_unknown_numbers_are_stored_for_review_never_guessed(world: World, household: Household) -> None:
    _inbound("hola soy Ana", sender="+526561000003")  # one digit away from the household's number
    unknown = InboundMessage.objects.get()
    assert unknown.household is None and unknown.reviewed_at is None
    _inbound("STOP", sender="+526561000003")
    assert not OptOut.objects.exists()


def test_a_number_shared_by_two_households_is_not_guessed_but_stop_pauses_both(world: World) -> None:
    first = new_household(world.users[Role.CASEWORKER], world.home, contact_phone="+52 656 100 0009")
    second = new_household(world.users[Role.CASEWORKER], world.home, contact_phone="+52 656 100 0009")
    _inbound("hola", sender="+526561000009")
    assert InboundMessage.objects.get().household is None
    _inbound("STOP", sender="+526561000009")
    assert OptOut.objects.filter(household__in=[first, second], resumed_at__isnull=True).count() == 2
    assert Message.objects.filter(template="opt_out_confirmation").count() == 1  # one phone, one confirmation
    _inbound("START", sender="+526561000009")
    assert not OptOut.objects.filter(household__in=[first, second], resumed_at__isnull=True).exists()
    assert Message.objects.filter(template="opt_in_confirmation").count() == 1


@pytest.mark.parametrize(
    ("word", "language"), [("LLAMAR", "es"), ("rappel", "fr"), ("Ligar", "pt"), ("RELE", "ht"), ("call me", "en")]
)
def test_callback_keyword_marks_the_request(world: World, household: Household, word: str, language: str) -> None:
    _inbound(word)
    reply = InboundMessage.objects.get()
    assert reply.callback_requested and reply.kind == "callback"
    assert Message.objects.get(template="callback_ack").language == language
