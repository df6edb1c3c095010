"""Demo messages: a few households of each demo organisation with messages in every state (queued, sent,
delivered, read, failed, opted out, an SMS fallback), replies, a call-back request, a STOP and a text from a
number no household has. Sent through the local provider and its simulated callbacks, as a gateway would.

Safe to run again: nothing is added once the demo messages exist.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

from refugio.accounts.models import Organisation
from refugio.audit.services import Actor
from refugio.messaging import services
from refugio.messaging.models import Message
from refugio.people.models import Household

SOURCE = "demo"
UNKNOWN_NUMBER = "+526649990000"  # no demo household has it: its text waits for review


def _with_phone(organisation: Organisation, count: int) -> list[Household]:
    found = []
    for household in Household.objects.filter(owner=organisation, merged_into__isnull=True).order_by("created_at"):
        if household.contact_phone:
            found.append(household)
        if len(found) == count:
            break
    return found


def _send(
    actor: Actor,
    household: Household,
    template: str,
    params: dict[str, str],
    *callbacks: tuple[str, str],
    channel: str | None = None,
) -> Message:
    """Queue, send through the local provider, then report what the gateway would (status, error code)."""
    message = services.queue_notice(
        actor, household=household, template=template, params=params, channel=channel, source=SOURCE
    )
    if not callbacks:
        return message  # stays queued until the worker sends it
    services.send_message(message.id)
    message.refresh_from_db()
    for status, code in callbacks:
        services.simulate_status(message, status, code)
    message.refresh_from_db()
    return message


def load_messaging_demo() -> None:
    if Message.objects.filter(source=SOURCE).exists():
        return
    user_model = get_user_model()
    legal = Organisation.objects.filter(name="Demo Legal Aid").first()
    shelter = Organisation.objects.filter(name="Demo Shelter").first()
    if legal is None or shelter is None:
        return
    actor = Actor(user_model.objects.filter(username="legal-caseworker").first(), "cli")
    shelter_actor = Actor(user_model.objects.filter(username="shelter-staff").first(), "cli")
    entry = {"date": "2026-12-15", "place": "San Ysidro"}
    with transaction.atomic():
        households = _with_phone(legal, 4)
        if not households:
            return
        # A small demo (the tests') may have fewer households with a phone: they then play several parts.
        first, second, third, fourth = (households[i % len(households)] for i in range(4))
        # Channels as chosen with a caseworker: WhatsApp, and SMS if WhatsApp does not reach them.
        services.set_channels(actor, household=first, channels={"whatsapp": True, "sms": True}, fallback_to_sms=True)
        _send(actor, first, "entry_date", entry, ("sent", ""), ("delivered", ""), ("read", ""), channel="whatsapp")
        # WhatsApp cannot reach them outside the 24-hour window: the SMS fallback they agreed to is delivered.
        failed_whatsapp = _send(actor, first, "check_in_reminder", entry, ("failed", "63016"), channel="whatsapp")
        fallback = Message.objects.filter(fallback_of=failed_whatsapp).first()
        if fallback is not None:
            services.send_message(fallback.id)
            fallback.refresh_from_db()
            services.simulate_status(fallback, "delivered")
        _send(actor, second, "notice", {"notice": "bring_documents"}, ("sent", ""), ("delivered", ""), channel="sms")
        _send(actor, second, "hearing_reminder", {"date": "2027-01-20"}, ("sent", ""), channel="sms")
        # The phone is off: a caseworker should call or visit.
        _send(actor, third, "entry_moved", entry, ("sent", ""), ("undelivered", "30003"), channel="sms")
        _send(actor, third, "notice", {"notice": "contact_caseworker"}, channel="sms")  # queued
        # Replies: a thank-you, a call-back request, a STOP (then a message that is not sent).
        services.receive_inbound(
            channel="sms",
            from_number=first.contact_phone,
            body="Gracias, ahí estaremos.",
            provider="local",
            provider_id="demo-in-1",
        )
        services.receive_inbound(
            channel="sms", from_number=second.contact_phone, body="LLAMAR", provider="local", provider_id="demo-in-2"
        )
        services.receive_inbound(
            channel="sms",
            from_number=second.contact_phone,
            body="No entiendo qué papeles llevar.",
            provider="local",
            provider_id="demo-in-3",
        )
        services.receive_inbound(
            channel="sms", from_number=fourth.contact_phone, body="PARAR", provider="local", provider_id="demo-in-4"
        )
        _send(actor, fourth, "check_in_reminder", entry, channel="sms")  # recorded as opted out, never sent
        # A number no household has: stored for a person to review, never matched by guess.
        services.receive_inbound(
            channel="whatsapp",
            from_number=UNKNOWN_NUMBER,
            body="Hola, me registré con el teléfono de mi hermana. ¿Cómo sé mi cita?",
            provider="local",
            provider_id="demo-in-5",
        )
        for household in _with_phone(shelter, 2):
            _send(
                shelter_actor,
                household,
                "placement_published",
                {"date": "2026-12-10", "place": "Casa Demo"},
                ("sent", ""),
                ("delivered", ""),
                channel="sms",
            )
