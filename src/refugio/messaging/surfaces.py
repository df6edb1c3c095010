"""What of messages each place shows (replies and channel consents: page_surfaces, with the pages). The
vocabulary of their personal fields is here, once; pages and endpoints name a surface and call refugio.disclosure.

A message says that a household was told something, on which phone, whether it arrived: about the person, so
every field is personal and every read is audited. Delivery counts (aggregates) are not a kind."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from refugio.accounts.rules import Verb
from refugio.disclosure import Kind, Surface, register_kind
from refugio.messaging import catalogue
from refugio.messaging.models import Message
from refugio.messaging.selectors import User, visible_messages
from refugio.people.registration_code import display
from refugio.people.vocabulary import language_name


def _events(message: Message) -> list[dict[str, Any]]:
    return [{"status": e.status, "at": e.received_at, "provider_code": e.provider_code} for e in message.events.all()]


def _body(message: Message) -> str:
    try:
        return catalogue.render(message.template, message.language, message.params)
    except (KeyError, ValueError):
        return ""


def _messages(user: User, verb: Verb) -> QuerySet[Message]:
    return visible_messages(user, verb)


MESSAGE = register_kind(
    Kind(
        name="message",
        fields={
            "registration_code": lambda m: display(m.household.registration_code),
            "channel": lambda m: m.channel,
            "template": lambda m: m.template,
            "language": lambda m: m.language,
            "status": lambda m: m.status,
            "events": _events,
            "to": lambda m: m.to,
            "body": _body,
            "last_error_code": lambda m: m.last_error_code,
            "attempts": lambda m: m.attempts,
            "created_at": lambda m: m.created_at,
            "sent_at": lambda m: m.sent_at,
            "fallback_of": lambda m: m.fallback_of_id,
        },
        labels={
            "channel": lambda m: m.get_channel_display(),
            "status": lambda m: m.get_status_display(),
            "language": lambda m: language_name(m.language),
        },
        envelope={"id": lambda m: m.id, "household_id": lambda m: m.household_id},
        visible=_messages,
        organisation_of=lambda m: m.household.owner_id,
    )
)

API_FIELDS = ("channel", "template", "language", "status", "events")
# GET /api/v1/households/{id}/messages, and the message a POST created.
HOUSEHOLD_MESSAGES_API = Surface("messaging.household_messages_api", MESSAGE, API_FIELDS)
# A household's page or thread: what was sent and what became of it.
HOUSEHOLD_MESSAGES_PAGE = Surface(
    "messaging.household_messages",
    MESSAGE,
    ("channel", "template", "language", "status", "events", "body", "last_error_code", "created_at", "fallback_of"),
)
# The failures list: who to call or visit (the code to find the case, never the number on the page).
FAILURES_PAGE = Surface(
    "messaging.failures",
    MESSAGE,
    ("registration_code", "channel", "template", "language", "status", "last_error_code", "created_at"),
)
