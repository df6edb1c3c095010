"""Messaging pages: the delivery dashboard, the inbox, a household's messages and channels, the catalogue, and the
channel choice in public registration."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from refugio.accounts.models import Organisation, Role
from refugio.audit.models import Action, AuditEvent
from refugio.audit.services import Actor
from refugio.messaging import services
from refugio.messaging.models import ChannelConsent, InboundMessage, Message
from refugio.people.models import Household
from refugio.people.validation import phone_index
from tests.conftest import World, new_household
from tests.test_pages import signed_in
from tests.test_register_form import COURT, HEAD, PLACE, Visitor

UNKNOWN = "+526649990000"


def _message(world: World, household: Household, template: str, *statuses: tuple[str, str]) -> Message:
    """A message sent through the local provider, then given the statuses a gateway would report."""
    params = {"date": "2026-12-15", "place": "Tijuana"} if template == "entry_date" else {}
    actor = Actor(world.users[Role.CASEWORKER], "system")
    message = services.queue_notice(actor, household=household, template=template, params=params, channel="sms")
    services.send_message(message.id)
    message.refresh_from_db()
    for status, code in statuses:
        services.simulate_status(message, status, code)
    message.refresh_from_db()
    return message


def _text(response: object) -> str:
    return response.content.decode()  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def distinct_phones(world: World) -> None:
    """The world's households share one phone; a reply is matched only to a number exactly one household has."""
    for household, phone in ((world.shared, "+526641234567"), (world.foreign, "+528991234567")):
        household.contact_phone, household.contact_phone_index = phone, phone_index(phone)
        household.save(update_fields=["contact_phone", "contact_phone_index"])


@pytest.fixture
def messages_world(world: World) -> World:
    # Home's own household: three messages, one delivered, one read, one the phone never got.
    _message(world, world.own, "entry_date", ("sent", ""), ("delivered", ""))
    _message(world, world.own, "callback_ack", ("delivered", ""), ("read", ""))
    _message(world, world.own, "entry_date", ("sent", ""), ("undelivered", "30003"))
    # Another organisation's household: seven messages of a template home never sent.
    for _n in range(7):
        _message(world, world.foreign, "callback_ack", ("failed", "21211"))
    return world


def test_dashboard_shows_only_the_organisations_own_figures(messages_world: World) -> None:
    w = messages_world
    page = _text(signed_in(w.users[Role.CASEWORKER]).get("/messages/"))
    assert "Home Legal Aid" in page and "Stranger Network" not in page
    # 3 messages of home: 2 delivered (one read), 1 failed; none of the stranger's 7 failed ones.
    assert "3 messages: 66.7% delivered, 33.3% failed" in page, page
    totals = re.findall(r"<th scope=\"row\">SMS</th><td>(\d+)</td>", page)
    assert totals == ["3"], totals
    # The failure to act on: the household's code, the head's name and what happened, in words.
    assert w.own.display_code in page and "The phone is off or unreachable (30003)" in page
    assert w.foreign.display_code not in page and "The number is not valid" not in page
    # Names and numbers shown were read through the disclosure layer: one READ of the household, naming them.
    read = AuditEvent.objects.filter(action=Action.READ, object_type="household", object_id=str(w.own.id)).latest("id")
    assert {"registration_code", "head_name", "contact_phone"} <= set(read.fields)


def test_dashboard_of_the_other_organisation_shows_its_own(messages_world: World) -> None:
    w = messages_world
    page = _text(signed_in(w.users["stranger_caseworker"]).get("/messages/"))
    assert "Stranger Network" in page and "Home Legal Aid" not in page
    assert "7 messages: 0.0% delivered, 100.0% failed" in page, page
    assert w.own.display_code not in page


def test_analyst_reads_figures_but_no_household(messages_world: World) -> None:
    w = messages_world
    page = _text(signed_in(w.users[Role.ANALYST]).get("/messages/"))
    assert "3 messages" in page and w.own.display_code not in page
    assert not AuditEvent.objects.filter(action=Action.READ, actor=w.users[Role.ANALYST]).exists()


def _reply(world: World, body: str, number: str | None = None) -> InboundMessage:
    return services.receive_inbound(
        channel="sms", from_number=number or world.own.contact_phone, body=body, provider="local"
    )


def test_inbox_unread_marker_clears_on_post_only(world: World) -> None:
    _reply(world, "Gracias, ahí estaremos.")
    client = signed_in(world.users[Role.CASEWORKER])
    inbox = _text(client.get("/messages/inbox/"))
    assert "1 unread" in inbox and "Gracias, ahí estaremos." in inbox and world.own.display_code in inbox
    # Looking (the inbox, the household's page, again) marks nothing read: reads never write.
    household_page = _text(client.get(f"/messages/households/{world.own.id}/"))
    assert "Gracias, ahí estaremos." in household_page and "1 unread" in household_page
    assert "1 unread" in _text(client.get("/messages/inbox/"))
    assert InboundMessage.objects.get().read_at is None
    # A GET of the action itself does nothing either.
    assert client.get(f"/messages/households/{world.own.id}/read/").status_code == 405
    assert InboundMessage.objects.get().read_at is None
    response = client.post(f"/messages/households/{world.own.id}/read/", {"next": "inbox"})
    assert response.status_code == 302 and response["Location"] == "/messages/inbox/"
    assert InboundMessage.objects.get().read_by == world.users[Role.CASEWORKER]
    assert "unread" not in _text(client.get("/messages/inbox/"))


def test_callback_request_is_highlighted_first(world: World) -> None:
    other = new_household(world.users[Role.CASEWORKER], world.home, contact_phone="+52 664 555 0199")
    _reply(world, "Gracias.")
    services.receive_inbound(channel="sms", from_number=other.contact_phone, body="LLAMAR", provider="local")
    inbox = _text(signed_in(world.users[Role.CASEWORKER]).get("/messages/inbox/"))
    assert 'class="callback"' in inbox and "Asks for a call" in inbox
    assert inbox.index(other.display_code) < inbox.index(world.own.display_code)


def test_another_organisation_sees_neither_the_thread_nor_the_household(world: World) -> None:
    _reply(world, "Gracias, ahí estaremos.")
    client = signed_in(world.users["stranger_caseworker"])
    assert "ahí estaremos" not in _text(client.get("/messages/inbox/"))
    assert client.get(f"/messages/households/{world.own.id}/").status_code == 404
    assert client.post(f"/messages/households/{world.own.id}/read/").status_code == 404
    assert InboundMessage.objects.get().read_at is None


@pytest.fixture
def intake(world: World) -> Organisation:
    Organisation.objects.filter(pk=world.home.pk).update(public_intake=True)
    return world.home


def test_unknown_number_is_linked_only_by_a_deliberate_audited_action(intake: Organisation, world: World) -> None:
    inbound = _reply(world, "Soy la hermana, ¿cuál es mi cita?", number=UNKNOWN)
    assert inbound.household_id is None  # never matched by guess
    client = signed_in(world.users[Role.CASEWORKER])
    inbox = _text(client.get("/messages/inbox/"))
    assert "Soy la hermana" in inbox and UNKNOWN in inbox
    # A mistyped code links nothing.
    client.post(f"/messages/unknown/{inbound.id}/assign/", {"registration_code": "2222-2222-2"})
    inbound.refresh_from_db()
    assert inbound.household_id is None and inbound.reviewed_at is None
    # Another organisation's household, even with its right code, even one shared with us: nothing linked.
    for other in (world.foreign, world.shared):
        client.post(f"/messages/unknown/{inbound.id}/assign/", {"registration_code": other.display_code})
        inbound.refresh_from_db()
        assert inbound.household_id is None
    before = AuditEvent.objects.filter(action=Action.UPDATE, object_type="inbound_message").count()
    response = client.post(f"/messages/unknown/{inbound.id}/assign/", {"registration_code": world.own.display_code})
    assert response.status_code == 302
    inbound.refresh_from_db()
    assert inbound.household_id == world.own.id and inbound.reviewed_by == world.users[Role.CASEWORKER]
    event = AuditEvent.objects.filter(action=Action.UPDATE, object_type="inbound_message").latest("id")
    assert AuditEvent.objects.filter(action=Action.UPDATE, object_type="inbound_message").count() == before + 1
    assert event.object_id == str(inbound.id) and "household" in event.fields
    assert event.actor == world.users[Role.CASEWORKER]
    assert UNKNOWN not in _text(client.get("/messages/inbox/"))


def test_shelter_staff_may_not_link_an_unknown_number(intake: Organisation, world: World) -> None:
    inbound = _reply(world, "Hola", number=UNKNOWN)
    client = signed_in(world.users[Role.SHELTER_STAFF])
    response = client.post(f"/messages/unknown/{inbound.id}/assign/", {"registration_code": world.own.display_code})
    assert response.status_code == 404
    inbound.refresh_from_db()
    assert inbound.household_id is None


def test_caseworker_records_channels_and_replies(world: World) -> None:
    client = signed_in(world.users[Role.CASEWORKER])
    url = f"/messages/households/{world.own.id}/"
    bad = client.post(url + "channels/", {"channels": ["email"]})
    assert bad.status_code == 400 and "Write the e-mail address" in _text(bad)
    assert not ChannelConsent.objects.filter(household=world.own).exists()
    bad = client.post(url + "channels/", {"channels": ["whatsapp"], "fallback_to_sms": "on"})
    assert bad.status_code == 400 and "needs both WhatsApp and SMS" in _text(bad)
    client.post(url + "channels/", {"channels": ["whatsapp", "sms"], "fallback_to_sms": "on"})
    live = {c.channel: c for c in ChannelConsent.objects.filter(household=world.own, withdrawn_at__isnull=True)}
    assert set(live) == {"whatsapp", "sms"} and live["whatsapp"].fallback_to_sms
    response = client.post(url + "reply/", {"template": "entry_date", "channel": "sms", "place": "Tijuana"})
    assert response.status_code == 400 and "This message needs a date." in _text(response)
    response = client.post(
        url + "reply/", {"template": "entry_date", "channel": "sms", "place": "Tijuana", "date": "2026-12-15"}
    )
    assert response.status_code == 302
    message = Message.objects.get(household=world.own)
    assert (message.template, message.channel, message.params["place"]) == ("entry_date", "sms", "Tijuana")
    page = _text(client.get(url))
    assert "Entry appointment" in page and "Queued" in page
    # Unticking every channel is a choice too: no messages.
    client.post(url + "channels/", {})
    assert services.allowed_channels(world.own) == []
    assert "No messages: the household chose no channel." in _text(client.get(url))


def test_shelter_staff_read_messages_but_do_not_change_channels(world: World) -> None:
    client = signed_in(world.users[Role.SHELTER_STAFF])
    url = f"/messages/households/{world.own.id}/"
    page = _text(client.get(url))
    assert "Channels and consent" not in page and 'name="channels"' not in page
    assert client.post(url + "channels/", {"channels": ["sms"]}).status_code == 404
    assert not ChannelConsent.objects.filter(household=world.own).exists()


def test_a_household_that_sent_stop_gets_nothing(world: World) -> None:
    _reply(world, "PARAR")
    client = signed_in(world.users[Role.CASEWORKER])
    url = f"/messages/households/{world.own.id}/"
    assert "The household sent PARAR" in _text(client.get(url))
    client.post(url + "reply/", {"template": "notice", "notice": "contact_caseworker"})
    sent = Message.objects.filter(household=world.own, template="notice").get()
    assert sent.status == "opted_out"


def test_household_page_links_to_its_messages(world: World) -> None:
    _reply(world, "LLAMAR")
    page = _text(signed_in(world.users[Role.CASEWORKER]).get(f"/cases/{world.own.id}/"))
    assert f"/messages/households/{world.own.id}/" in page and "1 unread" in page and "Asks for a call" in page


def test_catalogue_shows_every_language_with_segments(world: World) -> None:
    page = _text(signed_in(world.users[Role.CASEWORKER]).get("/messages/catalogue/"))
    for language in ("Español", "English", "Kreyòl", "Français", "Português"):
        assert language in page, language
    # The English entry date fits one GSM-7 segment (101 characters).
    english = "Refugio: your appointment to enter is on December 15, 2026 at Puerto de San Ysidro. Code K7M2-QX9P-4."
    assert english in page
    after = page[page.index(english) + len(english) :]
    assert re.match(r".{0,40}1 SMS segment · GSM-7 · 101 characters", after, re.DOTALL), after[:200]
    # Spanish "Código" (ó is not in GSM-7) makes the whole text UCS-2: 103 characters, 2 segments of 67.
    spanish = "Refugio: su cita para entrar es el 15 de diciembre de 2026 en Puerto de San Ysidro. Código K7M2-QX9P-4."
    after = page[page.index(spanish) + len(spanish) :]
    assert re.match(r".{0,40}2 SMS segments · UCS-2 · 103 characters", after, re.DOTALL), after[:200]


def test_count_a_draft_text(world: World) -> None:
    client = signed_in(world.users[Role.CASEWORKER])
    page = _text(client.get("/messages/catalogue/", {"text": "x" * 161}))
    assert "2 SMS segments · GSM-7 · 161 characters" in page
    page = _text(client.get("/messages/catalogue/", {"text": "Código " + "x" * 63}))
    assert "1 SMS segment · UCS-2 · 70 characters" in page
    page = _text(client.get("/messages/catalogue/", {"text": "Código " + "x" * 64}))
    assert "2 SMS segments · UCS-2 · 71 characters" in page


def _register(visitor: Visitor, place: dict[str, object]) -> Visitor:
    visitor.post(HEAD)
    visitor.post({})
    assert visitor.field("step") == "place"
    visitor.post(place)
    return visitor


def _finish(visitor: Visitor) -> Household:
    before = set(Household.objects.values_list("id", flat=True))
    visitor.post(COURT)
    visitor.post({})
    visitor.post({"consent": "on"})
    assert visitor.page.status_code == 302, visitor.html
    return Household.objects.exclude(id__in=before).get()


@pytest.mark.parametrize("lang", ["es", "en", "fr", "pt", "ht"])
def test_registration_offers_channels_in_every_language(intake: Organisation, lang: str) -> None:
    visitor = Visitor(lang)
    visitor.post(HEAD)
    visitor.post({})
    html = visitor.html
    for value in ("sms", "whatsapp", "email", "none"):
        assert f'name="message_channels" value="{value}"' in html
    assert re.search(r'name="message_channels" value="[a-z]+"[^>]*checked', html) is None  # nothing ticked ahead


def test_registration_stores_the_channel_choice_without_javascript(intake: Organisation) -> None:
    visitor = _register(Visitor("es"), {**PLACE, "message_channels": ["whatsapp", "email"], "email": "ana@example.org"})
    assert visitor.field("step") == "court", visitor.html
    household = _finish(visitor)
    live = {c.channel: c for c in ChannelConsent.objects.filter(household=household, withdrawn_at__isnull=True)}
    assert set(live) == {"whatsapp", "email"} and live["email"].address == "ana@example.org"
    assert not live["whatsapp"].fallback_to_sms
    assert services.allowed_channels(household) == ["whatsapp", "email"]


def test_registration_sms_fallback_is_only_with_agreement(intake: Organisation) -> None:
    household = _finish(
        _register(Visitor("pt"), {**PLACE, "message_channels": ["whatsapp"], "sms_if_whatsapp_fails": "on"})
    )
    assert services.sms_fallback_allowed(household)


def test_registration_choice_errors_are_shown_on_the_step(intake: Organisation) -> None:
    visitor = _register(Visitor("en"), {**PLACE, "message_channels": ["email"]})
    assert visitor.field("step") == "place" and "Write your e-mail address, or untick e-mail." in visitor.html
    visitor.post({**PLACE, "message_channels": ["none", "sms"]})
    assert visitor.field("step") == "place" and "No messages" in visitor.html
    visitor.post({**PLACE, "contact_phone": "", "contact_whatsapp": "no", "message_channels": ["sms"]})
    assert visitor.field("step") == "place" and "Write the phone number for SMS or WhatsApp" in visitor.html


def test_registration_none_means_no_messages(intake: Organisation) -> None:
    household = _finish(_register(Visitor("ht"), {**PLACE, "message_channels": ["none"]}))
    assert services.allowed_channels(household) == []


def test_registration_without_an_answer_records_no_choice(intake: Organisation) -> None:
    household = _finish(_register(Visitor("fr"), dict(PLACE)))
    assert not ChannelConsent.objects.filter(household=household).exists()


def test_pages_need_a_signed_in_staff_member(world: World) -> None:
    for url in ("/messages/", "/messages/inbox/", "/messages/catalogue/", f"/messages/households/{world.own.id}/"):
        response = Client().get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_the_pages_write_nothing_but_their_audit_trail(messages_world: World) -> None:
    from tests.test_reads_never_write import writes_of

    w = messages_world
    _reply(w, "LLAMAR")
    client = signed_in(w.users[Role.CASEWORKER])
    for url in ("/messages/", "/messages/inbox/", f"/messages/households/{w.own.id}/", "/messages/catalogue/"):
        assert writes_of(client, url) == [], url
    assert writes_of(client, f"/cases/{w.own.id}/") == []
