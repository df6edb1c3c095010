"""The WhatsApp Cloud API (Meta): the webhook's handshake and signature, statuses into the ledger, inbound
keywords, and the 24-hour customer-service window (template outside it). The HTTP call is stubbed: no network."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Sequence
from typing import Any

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from refugio.accounts.models import Role
from refugio.audit.services import Actor
from refugio.messaging import services
from refugio.messaging.models import DeliveryEvent, InboundMessage, Message, OptOut
from refugio.people.models import Household
from tests.conftest import World, new_household

SECRET = "test-app-secret-0123456789abcdef"
VERIFY = "test-verify-token"
PHONE = "+526561000002"

pytestmark = pytest.mark.usefixtures("cloud_settings")


@pytest.fixture
def cloud_settings() -> Any:  # noqa: ANN401
    with override_settings(
        WHATSAPP_APP_SECRET=SECRET,
        WHATSAPP_VERIFY_TOKEN=VERIFY,
        REFUGIO_MESSAGING_PROVIDER="twilio",
        REFUGIO_WHATSAPP_PROVIDER="cloud",
        WHATSAPP_CLOUD_TOKEN="cloud-token",
        WHATSAPP_CLOUD_PHONE_NUMBER_ID="1234567890",
        WHATSAPP_CLOUD_TEMPLATES={"entry_date": "refugio_entry_date"},
    ):
        yield


@pytest.fixture
def household(world: World) -> Household:
    household = new_household(world.users[Role.CASEWORKER], world.home, contact_phone="+52 656 100 0002")
    services.set_channels(Actor(None), household=household, channels={"whatsapp": True, "sms": True})
    return household


def _post(notification: dict[str, Any], *, secret: str | None = SECRET, header: str = "") -> Any:  # noqa: ANN401
    raw = json.dumps(notification).encode()
    headers: dict[str, str] = {}
    if secret is not None:
        headers["X-Hub-Signature-256"] = (
            header or "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
        )
    return Client().post("/hooks/whatsapp", raw, content_type="application/json", headers=headers)


def _notification(
    *, statuses: Sequence[dict[str, Any]] = (), messages: Sequence[dict[str, Any]] = ()
) -> dict[str, Any]:
    value: dict[str, Any] = {"messaging_product": "whatsapp", "metadata": {"phone_number_id": "1234567890"}}
    if statuses:
        value["statuses"] = list(statuses)
    if messages:
        value["messages"] = list(messages)
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "WABA", "changes": [{"field": "messages", "value": value}]}],
    }


_wamid = iter(range(10_000))


def _text(body: str, *, at: dt.datetime | None = None, sender: str = PHONE) -> dict[str, Any]:
    return {
        "from": sender.lstrip("+"),
        "id": f"wamid.IN{next(_wamid):08d}",
        "timestamp": str(int((at or timezone.now()).timestamp())),
        "type": "text",
        "text": {"body": body},
    }


def _status(provider_id: str, status: str, code: int | None = None) -> dict[str, Any]:
    event: dict[str, Any] = {
        "id": provider_id,
        "status": status,
        "timestamp": str(int(timezone.now().timestamp())),
        "recipient_id": PHONE.lstrip("+"),
    }
    if code is not None:
        event["errors"] = [{"code": code, "title": "Re-engagement message"}]
    return event


class StubGraph:
    """requests.post to the Graph API: records the payloads; answers like Meta."""

    def __init__(self, status_code: int = 200, answer: dict[str, Any] | None = None) -> None:
        self.payloads: list[dict[str, Any]] = []
        self.status_code = status_code
        self.answer = answer or {"messages": [{"id": "wamid.OUT1"}]}

    def __call__(self, url: str, *, json: dict[str, Any], headers: dict[str, str], timeout: int) -> Any:  # noqa: ANN401
        assert url.endswith("/1234567890/messages") and headers["Authorization"] == "Bearer cloud-token"
        self.payloads.append(json)
        stub = self

        class Response:
            status_code = stub.status_code

            @staticmethod
            def json() -> dict[str, Any]:
                return stub.answer

        return Response()


@pytest.fixture
def graph(monkeypatch: pytest.MonkeyPatch) -> StubGraph:
    stub = StubGraph()
    monkeypatch.setattr("requests.post", stub)
    return stub


def _send_entry_date(household: Household) -> Message:
    message = services.queue_notice(
        Actor(None),
        household=household,
        template="entry_date",
        params={"date": "2026-12-03", "place": "El Paso"},
        channel="whatsapp",
    )
    services.send_message(message.id)
    message.refresh_from_db()
    return message


# --- the webhook: handshake and signature ------------------------------------------------------------------------


def test_verification_handshake_echoes_the_challenge_only_with_our_token() -> None:
    query = {"hub.mode": "subscribe", "hub.verify_token": VERIFY, "hub.challenge": "1158201444"}
    response = Client().get("/hooks/whatsapp", query)
    assert response.status_code == 200 and response.content == b"1158201444"
    assert Client().get("/hooks/whatsapp", {**query, "hub.verify_token": "guess"}).status_code == 403
    assert Client().get("/hooks/whatsapp", {**query, "hub.mode": "unsubscribe"}).status_code == 403
    assert Client().get("/hooks/whatsapp", {**query, "hub.challenge": "<script>"}).status_code == 403
    with override_settings(WHATSAPP_VERIFY_TOKEN=""):
        assert Client().get("/hooks/whatsapp", {**query, "hub.verify_token": ""}).status_code == 403


def test_unsigned_or_badly_signed_posts_are_refused(household: Household) -> None:
    stop = _notification(messages=[_text("STOP")])
    assert _post(stop, secret=None).status_code == 403
    assert _post(stop, secret="another-secret").status_code == 403
    assert _post(stop, header="sha256=" + "0" * 64).status_code == 403
    signed_hola = (
        "sha256="
        + hmac.new(
            SECRET.encode(), json.dumps(_notification(messages=[_text("hola")])).encode(), hashlib.sha256
        ).hexdigest()
    )
    assert _post(stop, header=signed_hola).status_code == 403  # a signature of another body
    with override_settings(WHATSAPP_APP_SECRET=""):
        assert _post(stop, secret="").status_code == 403
    assert not InboundMessage.objects.exists() and not OptOut.objects.exists()


def test_correctly_signed_post_is_accepted(household: Household) -> None:
    assert _post(_notification(messages=[_text("Gracias, allí estaremos")])).status_code == 200
    reply = InboundMessage.objects.get()
    assert (reply.household, reply.channel, reply.kind) == (household, "whatsapp", "reply")
    assert reply.provider == "whatsapp_cloud"


# --- statuses into the ledger ------------------------------------------------------------------------------------


def test_delivered_before_sent_stays_delivered(world: World, household: Household, graph: StubGraph) -> None:
    message = _send_entry_date(household)
    assert (message.provider, message.provider_id, message.status) == ("whatsapp_cloud", "wamid.OUT1", "wired")
    assert _post(_notification(statuses=[_status("wamid.OUT1", "delivered")])).status_code == 200
    assert _post(_notification(statuses=[_status("wamid.OUT1", "sent")])).status_code == 200
    message.refresh_from_db()
    assert message.status == "delivered"
    assert list(DeliveryEvent.objects.filter(message=message).order_by("id").values_list("status", flat=True))[-2:] == [
        "delivered",
        "sent",
    ]  # both stored as received
    kept = DeliveryEvent.objects.filter(message=message).latest("id").payload
    assert PHONE.lstrip("+") not in json.dumps(kept)  # the recipient's number is not kept


def test_re_engagement_required_131047_is_permanent(world: World, household: Household, graph: StubGraph) -> None:
    # Refused at send: failed at once, no retry; the SMS fallback needs the household's agreement (none here).
    graph.status_code, graph.answer = 400, {"error": {"code": 131047, "message": "Re-engagement message"}}
    refused = _send_entry_date(household)
    assert (refused.status, refused.last_error_code, refused.next_attempt_at) == ("failed", "131047", None)
    # Reported later by the webhook: failed, with the code, and the agreed SMS fallback goes.
    graph.status_code, graph.answer = 200, {"messages": [{"id": "wamid.OUT2"}]}
    services.set_channels(
        Actor(None), household=household, channels={"whatsapp": True, "sms": True}, fallback_to_sms=True
    )
    message = _send_entry_date(household)
    assert _post(_notification(statuses=[_status("wamid.OUT2", "failed", 131047)])).status_code == 200
    message.refresh_from_db()
    assert (message.status, message.last_error_code) == ("failed", "131047")
    assert Message.objects.get(fallback_of=message).channel == "sms"


# --- inbound keywords --------------------------------------------------------------------------------------------


def test_inbound_stop_pauses_the_household_and_start_resumes(world: World, household: Household) -> None:
    assert _post(_notification(messages=[_text("PARAR")])).status_code == 200
    opt_out = OptOut.objects.get(household=household, resumed_at__isnull=True)
    assert (opt_out.channel, opt_out.language) == ("whatsapp", "es")
    confirmation = Message.objects.get(template="opt_out_confirmation")
    assert (confirmation.channel, confirmation.language) == ("whatsapp", "es")
    paused = services.queue_notice(Actor(None), household=household, template="callback_ack", params={}, channel="sms")
    assert paused.status == "opted_out"
    assert _post(_notification(messages=[_text("ALTA")])).status_code == 200
    assert not OptOut.objects.filter(household=household, resumed_at__isnull=True).exists()


# --- the 24-hour window ------------------------------------------------------------------------------------------


def test_template_outside_the_24_hour_window(world: World, household: Household, graph: StubGraph) -> None:
    _send_entry_date(household)  # the person never wrote to us
    assert _post(_notification(messages=[_text("hola", at=timezone.now() - dt.timedelta(hours=25))])).status_code == 200
    _send_entry_date(household)
    for payload in graph.payloads:
        assert payload["type"] == "template" and "text" not in payload
        assert payload["to"] == PHONE.lstrip("+")
        assert payload["template"] == {
            "name": "refugio_entry_date",
            "language": {"code": "es_MX"},
            "components": [
                {
                    "type": "body",
                    "parameters": [
                        {"type": "text", "text": household.display_code},
                        {"type": "text", "text": "2026-12-03"},
                        {"type": "text", "text": "El Paso"},
                    ],
                }
            ],
        }


def test_text_inside_the_24_hour_window(world: World, household: Household, graph: StubGraph) -> None:
    assert _post(_notification(messages=[_text("hola", at=timezone.now() - dt.timedelta(hours=23))])).status_code == 200
    _send_entry_date(household)
    (payload,) = graph.payloads
    assert payload["type"] == "text" and "template" not in payload
    assert "El Paso" in payload["text"]["body"] and household.display_code in payload["text"]["body"]
