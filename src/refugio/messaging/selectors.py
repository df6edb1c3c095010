"""Reading messages: who may see which, a household's messages, the inbox, failures, delivery counts.

A user sees a household's messages (and replies) where the rule table gives them Subject.MESSAGE in an
organisation that owns the household or holds a live grant for it; a reply from an unknown number, where it
gives them that in the organisation whose inbox received it. Pages and endpoints show them through
refugio.messaging.surfaces (refugio.disclosure)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db.models import Count, Max, Prefetch, Q, QuerySet

from refugio.accounts.rules import Subject, Verb
from refugio.accounts.selectors import organisations_where
from refugio.core.errors import NotFound
from refugio.messaging.models import DeliveryEvent, InboundMessage, Message
from refugio.messaging.vocabulary import MessageStatus
from refugio.people.models import Household
from refugio.people.selectors import households_for_organisations

User = AbstractBaseUser | AnonymousUser

# What a caseworker should act on (call, visit): not delivered, or nobody knows.
FAILURE_STATUSES = (MessageStatus.FAILED, MessageStatus.UNDELIVERED, MessageStatus.UNKNOWN)


def message_households(user: User, verb: Verb = Verb.READ) -> QuerySet[Household]:
    return households_for_organisations(organisations_where(user, Subject.MESSAGE, verb))


def visible_messages(user: User, verb: Verb = Verb.READ) -> QuerySet[Message]:
    return (
        Message.objects.filter(household__in=message_households(user, verb))
        .select_related("household")
        .prefetch_related(Prefetch("events", queryset=DeliveryEvent.objects.order_by("received_at", "id")))
    )


def get_message_household(user: User, household_id: uuid.UUID | str, verb: Verb = Verb.READ) -> Household:
    try:
        return message_households(user, verb).get(pk=household_id)
    except (Household.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise NotFound from exc


def household_messages(user: User, household_id: uuid.UUID | str) -> QuerySet[Message]:
    """A household's messages, newest first; NotFound if the user may not see its messages."""
    household = get_message_household(user, household_id)
    return visible_messages(user).filter(household=household).order_by("-created_at")


def failures(user: User, since: dt.datetime | None = None) -> QuerySet[Message]:
    """Messages that did not reach the household (or whose fate is unknown), newest first."""
    query = visible_messages(user).filter(status__in=FAILURE_STATUSES)
    if since:
        query = query.filter(created_at__gte=since)
    return query.order_by("-created_at")


def visible_inbound(user: User, verb: Verb = Verb.READ) -> QuerySet[InboundMessage]:
    orgs = organisations_where(user, Subject.MESSAGE, verb)
    return InboundMessage.objects.filter(
        Q(household__in=households_for_organisations(orgs)) | Q(household__isnull=True, owner_id__in=orgs)
    ).select_related("household")


def inbox(user: User) -> QuerySet[InboundMessage]:
    """Every reply the user may read, newest first (the unread have no read_at)."""
    return visible_inbound(user).order_by("-received_at")


def unread_count(user: User) -> int:
    return visible_inbound(user).filter(read_at__isnull=True).count()


def inbox_households(user: User) -> QuerySet[Household]:
    """Households that wrote to us, the latest first, each with `last_inbound_at`, `unread` and
    `callbacks` (unread callback requests)."""
    visible = message_households(user)
    return (
        Household.objects.filter(pk__in=visible.values("pk"), inbound_messages__isnull=False)
        .annotate(
            last_inbound_at=Max("inbound_messages__received_at"),
            unread=Count("inbound_messages", filter=Q(inbound_messages__read_at__isnull=True)),
            callbacks=Count(
                "inbound_messages",
                filter=Q(inbound_messages__read_at__isnull=True, inbound_messages__callback_requested=True),
            ),
        )
        .order_by("-last_inbound_at")
    )


def thread(user: User, household_id: uuid.UUID | str) -> tuple[QuerySet[InboundMessage], QuerySet[Message]]:
    """A household's conversation: what it wrote and what we sent (each newest first)."""
    household = get_message_household(user, household_id)
    return (
        visible_inbound(user).filter(household=household).order_by("-received_at"),
        visible_messages(user).filter(household=household).order_by("-created_at"),
    )


def unknown_senders(user: User) -> QuerySet[InboundMessage]:
    """Texts from numbers no household has, not yet reviewed: for a person to look at, never matched by guess."""
    return visible_inbound(user).filter(household__isnull=True, reviewed_at__isnull=True).order_by("-received_at")


def delivery_counts(user: User, since: dt.datetime | None = None) -> list[dict[str, Any]]:
    """Aggregates only (no person): per channel, language and template, how many messages ended in each status.
    For the organisations where the user reads aggregates."""
    orgs = organisations_where(user, Subject.AGGREGATE, Verb.READ)
    query = Message.objects.filter(household__owner_id__in=orgs)
    if since:
        query = query.filter(created_at__gte=since)
    rows = (
        query.values("channel", "language", "template", "status")
        .annotate(count=Count("id"))
        .order_by("channel", "language", "template", "status")
    )
    return [dict(row) for row in rows]
