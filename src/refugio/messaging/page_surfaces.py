"""What of households, replies and channel consents the messaging pages show, through refugio.disclosure.

An inbound text is personal data twice over: what the person wrote and the number they wrote from. A channel
consent may carry an e-mail address. Both are kinds here, with the one rule that says who may see them.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from refugio.accounts.rules import Verb
from refugio.disclosure import Kind, Nested, Surface, register_kind
from refugio.messaging.models import ChannelConsent, InboundMessage
from refugio.messaging.selectors import message_households, visible_inbound
from refugio.messaging.vocabulary import Channel, InboundKind
from refugio.people.selectors import User
from refugio.people.surfaces import HOUSEHOLD


def _kind_label(m: InboundMessage) -> str:
    return str(InboundKind(m.kind).label) if m.kind in InboundKind.values else m.kind


INBOUND = register_kind(
    Kind(
        name="inbound_message",
        fields={"body": lambda m: m.body, "from_number": lambda m: m.from_number},
        envelope={
            "id": lambda m: m.id,
            "household_id": lambda m: m.household_id,
            "channel": lambda m: m.channel,
            "channel_label": lambda m: str(Channel(m.channel).label) if m.channel in Channel.values else m.channel,
            "kind": lambda m: m.kind,
            "kind_label": _kind_label,
            "callback_requested": lambda m: m.callback_requested,
            "received_at": lambda m: m.received_at,
            "unread": lambda m: m.read_at is None,
            "reviewed_at": lambda m: m.reviewed_at,
        },
        visible=visible_inbound,
        organisation_of=lambda m: m.owner_id,
    )
)


def _visible_consents(user: User, verb: Verb) -> QuerySet[ChannelConsent]:
    return ChannelConsent.objects.filter(household__in=message_households(user, verb)).select_related("household")


CHANNEL_CONSENT = register_kind(
    Kind(
        name="channel_consent",
        fields={"address": lambda c: c.address},
        envelope={
            "id": lambda c: c.id,
            "household_id": lambda c: c.household_id,
            "channel": lambda c: c.channel,
            "channel_label": lambda c: str(Channel(c.channel).label) if c.channel in Channel.values else c.channel,
            "fallback_to_sms": lambda c: c.fallback_to_sms,
            "given_at": lambda c: c.given_at,
            "withdrawn_at": lambda c: c.withdrawn_at,
        },
        visible=_visible_consents,
        organisation_of=lambda c: c.household.owner_id,
    )
)


def _thread(household: Any) -> Any:  # noqa: ANN401
    return household.inbound_messages.order_by("-received_at")[:200]


def _live_consents(household: Any) -> Any:  # noqa: ANN401
    return household.channel_consents.filter(withdrawn_at__isnull=True, person__isnull=True).select_related("household")


# A failure to act on: whom to call or visit.
FAILURE_HOUSEHOLD = Surface(
    "messaging.failure", HOUSEHOLD, ("registration_code", "head_name", "contact_phone", "current_city")
)
# An inbox thread's heading.
THREAD_HOUSEHOLD = Surface("messaging.thread_heading", HOUSEHOLD, ("registration_code", "head_name"))
# The last text of a thread, and the texts from unknown numbers waiting for review.
INBOUND_PREVIEW = Surface("messaging.inbound_preview", INBOUND, ("body",))
UNKNOWN_INBOUND = Surface("messaging.unknown", INBOUND, ("body", "from_number"))
# The household's messages page: contact, the texts it sent us, the channels it chose.
HOUSEHOLD_MESSAGES = Surface(
    "messaging.household",
    HOUSEHOLD,
    ("registration_code", "head_name", "contact_phone", "contact_whatsapp", "preferred_language"),
    nested={
        "inbound": Nested(_thread, Surface("messaging.household_thread", INBOUND, ("body",))),
        "consents": Nested(_live_consents, Surface("messaging.household_consents", CHANNEL_CONSENT, ("address",))),
    },
)
# The heading of a form about a household's messages, for those who may change it.
HOUSEHOLD_MESSAGES_HEADING = Surface("messaging.heading", HOUSEHOLD, ("registration_code",), verb=Verb.WRITE)
