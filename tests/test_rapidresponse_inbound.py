"""A household texts DETENIDO (or DETAINED, DETNI, DÉTENU, DETIDO…): an alert is opened in its name, the
attorney and the person on call are told, and the household is answered in its own language. An unknown
number, or a word inside a sentence, opens nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client, override_settings
from twilio.request_validator import RequestValidator

from refugio.accounts.models import Role
from refugio.audit.services import Actor
from refugio.escalations.models import AgencyOffice, Escalation
from refugio.legal.models import Representative
from refugio.legal.services import offer_representation, respond_to_offer
from refugio.messaging.models import InboundMessage, Message
from refugio.people.models import Household
from refugio.rapidresponse import keywords
from refugio.rapidresponse.models import AlertNotification, DetentionAlert
from tests.conftest import World, new_household

TOKEN = "test-auth-token-0123456789abcdef"
BASE = "https://refugio.example.org"
PHONE = "+526561000077"
_sid = iter(range(10_000))


@pytest.fixture(autouse=True)
def twilio_settings() -> Any:  # noqa: ANN401
    with override_settings(TWILIO_AUTH_TOKEN=TOKEN, REFUGIO_PUBLIC_BASE_URL=BASE):
        yield


def _text(body: str, sender: str = PHONE, capture: Any = None) -> Any:  # noqa: ANN401
    data = {"MessageSid": f"SM{next(_sid):032d}", "From": sender, "To": "+15005550006", "Body": body}
    signature = RequestValidator(TOKEN).compute_signature(BASE + "/hooks/twilio/inbound", data)
    with capture(execute=True):
        return Client().post("/hooks/twilio/inbound", data, HTTP_X_TWILIO_SIGNATURE=signature)


@pytest.fixture
def household(world: World) -> Household:
    AgencyOffice.objects.create(organisation=world.agency, name="ICE Field", kind="ice_field_office")
    world.users[Role.ATTORNEY].email = "attorney@legal.example"
    world.users[Role.ATTORNEY].save()
    world.users[Role.ORG_ADMIN].email = "admin@legal.example"
    world.users[Role.ORG_ADMIN].save()
    found = new_household(
        world.users[Role.CASEWORKER], world.home, contact_phone="+52 656 100 0077", preferred_language="fr"
    )
    rep = Representative.objects.create(
        organisation=world.home, user=world.users[Role.ATTORNEY], name="Atty", kind="attorney"
    )
    offer = offer_representation(Actor(world.users[Role.ORG_ADMIN]), household=found, representative_id=rep.id)
    respond_to_offer(Actor(world.users[Role.ATTORNEY]), offer=offer, accept=True)
    return found


@pytest.mark.parametrize("word", ["DETENIDO", "detained", "Détenu", "DETNI", "detido mi marido", "Deportación"])
def test_a_keyword_from_a_known_phone_opens_an_alert_and_answers_in_french(
    household: Household, word: str, django_capture_on_commit_callbacks: Any
) -> None:
    mail.outbox.clear()
    assert _text(word, capture=django_capture_on_commit_callbacks).status_code == 200
    alert = DetentionAlert.objects.get()
    assert alert.household == household and alert.channel == "message" and alert.raised_by is None
    assert alert.kind == ("imminent_removal" if word.startswith("Dep") else "detention")
    escalation = Escalation.objects.get()
    assert alert.escalation == escalation and escalation.office.name == "ICE Field"
    told = AlertNotification.objects.get(alert=alert, notified_as="attorney")
    assert told.sent_at is not None
    assert "attorney@legal.example" in {m.to[0] for m in mail.outbox}
    reply = Message.objects.get(household=household, source="rapid")
    assert reply.language == "fr" and reply.template == "callback_ack"


def test_a_second_text_opens_no_second_alert(household: Household, django_capture_on_commit_callbacks: Any) -> None:
    _text("DETENIDO", capture=django_capture_on_commit_callbacks)
    _text("DETENIDO en Otay", capture=django_capture_on_commit_callbacks)
    assert DetentionAlert.objects.count() == 1
    assert Message.objects.filter(household=household, source="rapid").count() == 2


def test_an_unknown_phone_opens_nothing(household: Household, django_capture_on_commit_callbacks: Any) -> None:
    mail.outbox.clear()
    _text("DETENIDO", sender="+15550001111", capture=django_capture_on_commit_callbacks)
    assert InboundMessage.objects.count() == 1  # kept for review, as any unknown text
    assert not DetentionAlert.objects.exists() and not Escalation.objects.exists()
    assert not Message.objects.filter(source="rapid").exists() and not mail.outbox


def test_a_word_inside_a_sentence_opens_nothing(household: Household, django_capture_on_commit_callbacks: Any) -> None:
    _text("no estoy detenido, todo bien", capture=django_capture_on_commit_callbacks)
    assert not DetentionAlert.objects.exists()


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("DETENIDO", "detention"),
        ("  détenue !", "detention"),
        ("Detido.", "detention"),
        ("arete nan prizon", "detention"),
        ("DEPORTATION tomorrow", "imminent_removal"),
        ("hola", None),
        ("", None),
        ("stop", None),
        ("no estoy detenido", None),
    ],
)
def test_keywords(text: str, kind: str | None) -> None:
    assert keywords.alert_kind(text) == kind
