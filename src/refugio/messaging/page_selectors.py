"""Reads for the messaging pages: delivery rates, failures to act on, inbox threads, a household's messages.

These return ids, counts and codes with their words; names, numbers and texts are shown only through the
disclosure layer (refugio.messaging.page_surfaces), from the ids these give. Who may see what is
refugio.messaging.selectors (Subject.MESSAGE in accounts.rules).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, Max, OuterRef, Prefetch, Q, QuerySet

from refugio.accounts.models import Organisation
from refugio.accounts.rules import Subject, Verb
from refugio.accounts.selectors import organisations_where
from refugio.core.errors import NotFound
from refugio.messaging.models import ChannelConsent, InboundMessage, Message, OptOut
from refugio.messaging.selectors import User, message_households, visible_inbound
from refugio.messaging.vocabulary import Channel, MessageStatus
from refugio.messaging.words import template_label
from refugio.people.models import Household, Person
from refugio.people.registration_code import normalise
from refugio.people.vocabulary import language_name

DELIVERED = frozenset({MessageStatus.DELIVERED, MessageStatus.READ})
# "unknown": a send interrupted by a crash that no provider lookup settled; a person must check it too.
FAILED = frozenset({MessageStatus.FAILED, MessageStatus.UNDELIVERED, MessageStatus.UNKNOWN})
OPTED_OUT = frozenset({MessageStatus.OPTED_OUT})


def dashboard_organisations(user: User) -> list[Organisation]:
    """The organisations whose delivery figures this user may read: where they read messages, or the
    organisation's aggregates (analysts). Never another organisation's."""
    ids = organisations_where(user, Subject.MESSAGE, Verb.READ) | organisations_where(
        user, Subject.AGGREGATE, Verb.READ
    )
    return list(Organisation.objects.filter(id__in=ids).order_by("name"))


def message_organisations(user: User, verb: Verb = Verb.READ) -> set[int]:
    return organisations_where(user, Subject.MESSAGE, verb)


@dataclass
class RateRow:
    key: str
    label: str
    total: int = 0
    delivered: int = 0
    failed: int = 0
    opted_out: int = 0

    @property
    def in_progress(self) -> int:
        return self.total - self.delivered - self.failed - self.opted_out

    def share(self, part: int) -> float:
        return round(100 * part / self.total, 1) if self.total else 0.0

    @property
    def delivered_pct(self) -> float:
        return self.share(self.delivered)

    @property
    def failed_pct(self) -> float:
        return self.share(self.failed)

    @property
    def opted_out_pct(self) -> float:
        return self.share(self.opted_out)

    @property
    def in_progress_pct(self) -> float:
        return self.share(self.in_progress)


@dataclass
class DeliveryRates:
    organisation: Organisation
    total: RateRow
    by_channel: list[RateRow] = field(default_factory=list)
    by_language: list[RateRow] = field(default_factory=list)
    by_template: list[RateRow] = field(default_factory=list)


def channel_label(code: str) -> str:
    return str(Channel(code).label) if code in Channel.values else code


def status_label(code: str) -> str:
    return str(MessageStatus(code).label) if code in MessageStatus.values else code


def _rows(counts: Iterable[Mapping[str, Any]], dimension: str, label: Any) -> list[RateRow]:  # noqa: ANN401
    rows: dict[str, RateRow] = {}
    for item in counts:
        key = item[dimension] if dimension else ""
        row = rows.setdefault(key, RateRow(key, str(label(key))))
        n, status = item["n"], item["status"]
        row.total += n
        if status in DELIVERED:
            row.delivered += n
        elif status in FAILED:
            row.failed += n
        elif status in OPTED_OUT:
            row.opted_out += n
    return sorted(rows.values(), key=lambda r: (-r.total, r.label))


def delivery_rates(organisation: Organisation) -> DeliveryRates:
    """Counts and shares of delivered, failed and opted-out messages to the organisation's own households, by
    channel, language and template. The caller took the organisation from dashboard_organisations."""
    counts = list(
        Message.objects.filter(household__owner=organisation)
        .values("channel", "language", "template", "status")
        .annotate(n=Count("id"))
    )
    total = _rows(counts, "", lambda _key: "")
    return DeliveryRates(
        organisation=organisation,
        total=total[0] if total else RateRow("", ""),
        by_channel=_rows(counts, "channel", channel_label),
        by_language=_rows(counts, "language", language_name),
        by_template=_rows(counts, "template", template_label),
    )


def failures_to_act_on(organisation: Organisation, *, limit: int = 100) -> list[Message]:
    """The organisation's messages that did not reach the household and were not made good by an SMS fallback,
    newest first, for a caseworker to call or visit."""
    rescued = Message.objects.filter(fallback_of=OuterRef("pk")).exclude(status__in=[*FAILED, *OPTED_OUT])
    return list(
        Message.objects.filter(household__owner=organisation, status__in=list(FAILED))
        .exclude(Exists(rescued))
        .select_related("household")
        .prefetch_related("events")
        .order_by("-created_at")[:limit]
    )


def households_of(ids: Iterable[uuid.UUID]) -> list[Household]:
    """Households by id, in the order given, once each (for disclose_many: one READ per household)."""
    wanted = list(dict.fromkeys(ids))
    members = Prefetch("members", queryset=Person.objects.order_by("created_at"))
    found = {h.id: h for h in Household.objects.filter(id__in=wanted).select_related("owner").prefetch_related(members)}
    return [found[i] for i in wanted if i in found]


@dataclass(frozen=True)
class Thread:
    household_id: uuid.UUID
    received: int
    unread: int
    callback: bool  # an unread message asks for a call
    last_at: Any  # noqa: ANN401
    last_inbound_id: uuid.UUID


def inbox_threads(user: User, *, limit: int = 200) -> list[Thread]:
    """Inbound texts the user may read, one thread per household: unread call-back requests first, then unread
    threads, then the most recent."""
    matched = visible_inbound(user).filter(household__isnull=False)
    rows = list(
        matched.values("household_id")
        .annotate(
            received=Count("id"),
            unread_count=Count("id", filter=Q(read_at__isnull=True)),
            callbacks=Count("id", filter=Q(read_at__isnull=True, callback_requested=True)),
            last_at=Max("received_at"),
        )
        .order_by("-callbacks", "-unread_count", "-last_at")[:limit]
    )
    latest: dict[uuid.UUID, uuid.UUID] = {}
    for inbound_id, household_id in (
        matched.filter(household_id__in=[r["household_id"] for r in rows])
        .order_by("household_id", "-received_at")
        .values_list("id", "household_id")
    ):
        latest.setdefault(household_id, inbound_id)
    return [
        Thread(
            household_id=r["household_id"],
            received=r["received"],
            unread=r["unread_count"],
            callback=r["callbacks"] > 0,
            last_at=r["last_at"],
            last_inbound_id=latest[r["household_id"]],
        )
        for r in rows
    ]


def latest_inbound(user: User, ids: Iterable[uuid.UUID]) -> QuerySet[InboundMessage]:
    return visible_inbound(user).filter(id__in=list(ids))


def unknown_numbers(user: User, *, limit: int = 100) -> QuerySet[InboundMessage]:
    """Texts from numbers that match no household, not yet reviewed: a person decides what they are."""
    return (
        visible_inbound(user).filter(household__isnull=True, reviewed_at__isnull=True).order_by("-received_at")[:limit]
    )


def unread_inbound_ids(user: User, household_id: uuid.UUID) -> list[uuid.UUID]:
    return list(
        visible_inbound(user).filter(household_id=household_id, read_at__isnull=True).values_list("id", flat=True)
    )


def get_unknown_inbound(user: User, inbound_id: Any) -> InboundMessage:  # noqa: ANN401
    """An unmatched inbound text of an organisation where the user may change messages; 404 otherwise."""
    try:
        return visible_inbound(user, Verb.WRITE).get(id=inbound_id, household__isnull=True)
    except (InboundMessage.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound from exc


def household_by_code(user: User, organisation_id: int | None, code: str) -> Household:
    """The household with this registration code, owned by the organisation whose inbox got the text, whose
    messages the user may change: how a caseworker names, deliberately, whom an unknown number's text is from.
    NotFound otherwise (also for a mistyped code: the check character catches it)."""
    normalised = normalise(code or "")
    found = (
        message_households(user, Verb.WRITE).filter(owner_id=organisation_id, registration_code=normalised).first()
        if normalised and organisation_id
        else None
    )
    if found is None:
        raise NotFound
    return found


def sent_messages(household_id: uuid.UUID, *, limit: int = 100) -> list[Message]:
    """The household's messages, newest first, with their delivery events. The caller discloses them."""
    return list(
        Message.objects.filter(household_id=household_id)
        .select_related("household")
        .prefetch_related("events")
        .order_by("-created_at")[:limit]
    )


def live_opt_out(household_id: uuid.UUID) -> OptOut | None:
    return OptOut.objects.filter(household_id=household_id, resumed_at__isnull=True).first()


def channel_choice_recorded(household_id: uuid.UUID) -> bool:
    return ChannelConsent.objects.filter(household_id=household_id, person__isnull=True).exists()


def unread_count(user: User) -> int:
    """Unread replies of households and unreviewed texts from unknown numbers, in the user's inbox."""
    inbound = visible_inbound(user)
    return inbound.filter(
        Q(household__isnull=False, read_at__isnull=True) | Q(household__isnull=True, reviewed_at__isnull=True)
    ).count()


def household_summary(user: User, household_id: uuid.UUID) -> dict[str, Any]:
    """Counts and states for the household page's panel: nothing a person wrote, no number. The caller checked
    that the user may see the household's messages."""
    sent = Message.objects.filter(household_id=household_id)
    inbound = visible_inbound(user).filter(household_id=household_id)
    channels = ChannelConsent.objects.filter(household_id=household_id, person__isnull=True, withdrawn_at__isnull=True)
    return {
        "sent": sent.count(),
        "failed": sent.filter(status__in=list(FAILED)).count(),
        "replies": inbound.count(),
        "unread": inbound.filter(read_at__isnull=True).count(),
        "callback": inbound.filter(read_at__isnull=True, callback_requested=True).exists(),
        "opted_out": live_opt_out(household_id) is not None,
        "channels": [channel_label(c) for c in channels.order_by("channel").values_list("channel", flat=True)],
        "choice_recorded": channel_choice_recorded(household_id),
    }
