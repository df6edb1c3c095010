"""Writing messages: queue, send exactly once, record what providers say, opt-outs, replies, consent.

Exactly once. `send_message` commits a claim (status `sending`, attempts + 1, the provider's name) before it calls
the provider, and records the provider's answer in a second transaction. A message is sent only from `queued` or
`errored`, so a second worker, a retried task or a repeated call finds the claim and does nothing. If the process
dies between the provider's acceptance and our commit, the claim stays; `reconcile_claims` (run by the outbox
sweep after CLAIM_TIMEOUT) asks the provider: found, the message takes the provider's id; not found, it is sent
again only by a provider that honours the idempotency key (the local one), and otherwise marked `unknown` for a
person to check, never sent twice. Twilio's status callbacks carry our message id in their URL, so a callback that
arrives after such a crash also settles the claim.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from refugio.accounts.models import Organisation
from refugio.accounts.rules import Subject, Verb
from refugio.accounts.selectors import organisations_where
from refugio.audit.models import Action
from refugio.audit.services import Actor, Touch, record
from refugio.core.errors import NotFound, ValidationFailed
from refugio.messaging import catalogue, ledger
from refugio.messaging.models import ChannelConsent, DeliveryEvent, InboundMessage, Message, OptOut
from refugio.messaging.optout import classify
from refugio.messaging.providers import Accepted, Outgoing, SendError, provider_for, provider_named
from refugio.messaging.signals import inbound_received
from refugio.messaging.vocabulary import Channel, InboundKind, MessageStatus
from refugio.people.models import Household
from refugio.people.selectors import households_for_organisations
from refugio.people.validation import phone_index

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
CLAIM_TIMEOUT = dt.timedelta(minutes=10)
SYSTEM_TEMPLATES = catalogue.SYSTEM_TEMPLATES  # the STOP confirmation must reach a paused household
# Fields of a provider's callback kept in the ledger: nothing that names or reaches the person (no To, From, Body,
# ProfileName, WaId).
KEPT_CALLBACK_FIELDS = frozenset(
    {
        "MessageSid",
        "SmsSid",
        "MessageStatus",
        "SmsStatus",
        "ErrorCode",
        "ErrorMessage",
        "AccountSid",
        "ApiVersion",
        "ChannelPrefix",
        "RawDlrDoneDate",
        "EventType",
        # The WhatsApp Cloud API's status (without recipient_id, the number)
        "id",
        "status",
        "timestamp",
        "error_code",
        "error_title",
    }
)
CHANNEL_PREFERENCE = (Channel.WHATSAPP, Channel.SMS, Channel.EMAIL)


# --- the ledger -------------------------------------------------------------------------------------------------


def _append(
    message: Message,
    status: str,
    *,
    provider_status: str = "",
    provider_code: str = "",
    payload: Mapping[str, Any] | None = None,
    occurred_at: dt.datetime | None = None,
) -> DeliveryEvent:
    """Store an event as received and derive the message's status from all of its events (call it holding the
    message's row lock, or in the transaction that created it)."""
    event = DeliveryEvent.objects.create(
        message=message,
        status=status,
        provider_status=provider_status[:30],
        provider_code=provider_code[:20],
        payload=dict(payload or {}),
        occurred_at=occurred_at,
    )
    statuses = list(
        DeliveryEvent.objects.filter(message=message).order_by("received_at", "id").values_list("status", flat=True)
    )
    message.status = ledger.derive(statuses)
    if provider_code:
        message.last_error_code = provider_code[:20]
    message.updated_at = timezone.now()
    Message.objects.filter(pk=message.pk).update(
        status=message.status, last_error_code=message.last_error_code, updated_at=message.updated_at
    )
    return event


def _locked(message_id: uuid.UUID | str) -> Message:
    return Message.objects.select_for_update(of=("self",)).select_related("household").get(pk=message_id)


# --- consent and opt-out ----------------------------------------------------------------------------------------


def active_opt_out(household: Household) -> OptOut | None:
    return OptOut.objects.filter(household=household, resumed_at__isnull=True).first()


def _live_consents(household: Household) -> dict[str, ChannelConsent]:
    return {
        c.channel: c
        for c in ChannelConsent.objects.filter(household=household, person__isnull=True, withdrawn_at__isnull=True)
    }


def allowed_channels(household: Household) -> list[str]:
    """The channels this household may be written to, best first. Without any channel choice recorded, the
    contact phone given at registration: WhatsApp where the household said it uses it, and SMS."""
    consents = _live_consents(household)
    recorded = ChannelConsent.objects.filter(household=household, person__isnull=True).exists()
    out = []
    for channel in CHANNEL_PREFERENCE:
        if recorded:
            ok = channel in consents and bool(_address(household, channel, consents.get(channel)))
        elif channel == Channel.WHATSAPP:
            ok = household.contact_whatsapp and bool(household.contact_phone)
        else:
            ok = channel == Channel.SMS and bool(household.contact_phone)
        if ok:
            out.append(str(channel))
    return out


def sms_fallback_allowed(household: Household) -> bool:
    """WhatsApp falls back to SMS only where the household agreed to it (and to SMS)."""
    consents = _live_consents(household)
    whatsapp = consents.get(Channel.WHATSAPP)
    return bool(whatsapp and whatsapp.fallback_to_sms and Channel.SMS in consents and household.contact_phone)


def _address(household: Household, channel: str, consent: ChannelConsent | None) -> str:
    if consent is not None and consent.address:
        return consent.address
    return household.contact_phone if channel in (Channel.SMS, Channel.WHATSAPP) else ""


def set_channels(
    actor: Actor, *, household: Household, channels: Mapping[str, bool], fallback_to_sms: bool = False, email: str = ""
) -> None:
    """Record the household's channel choice (at registration or with a caseworker): a live consent for each
    channel chosen, withdrawn for each channel not chosen. `fallback_to_sms` is asked with WhatsApp."""
    now = timezone.now()
    wanted = {Channel(c) for c, on in channels.items() if on}
    if Channel.EMAIL in wanted and not email:
        raise ValidationFailed({"email": _("Write the e-mail address to use.")})
    with transaction.atomic():
        live = {
            c.channel: c
            for c in ChannelConsent.objects.select_for_update().filter(
                household=household, person__isnull=True, withdrawn_at__isnull=True
            )
        }
        for channel in Channel:
            consent = live.get(channel)
            fallback = fallback_to_sms if channel == Channel.WHATSAPP else False
            address = email if channel == Channel.EMAIL else ""
            if channel in wanted and consent and (consent.fallback_to_sms, consent.address) == (fallback, address):
                continue
            if consent:
                ChannelConsent.objects.filter(pk=consent.pk).update(withdrawn_at=now)
            if channel in wanted:
                ChannelConsent.objects.create(
                    household=household,
                    channel=channel,
                    fallback_to_sms=fallback,
                    address=address,
                    given_at=now,
                    recorded_by_id=actor.user_id,
                )
        record(
            actor,
            action=Action.UPDATE,
            touches=[Touch("household", str(household.id), household.owner_id, ["channels"])],
        )


# --- queueing ---------------------------------------------------------------------------------------------------


def _language(household: Household) -> str:
    language = household.preferred_language or "es"
    return language if language in catalogue.LANGUAGES else "es"


def _schedule_drain() -> None:
    from refugio.messaging.tasks import schedule_drain

    transaction.on_commit(schedule_drain)


def _create(
    actor: Actor | None,
    *,
    household: Household,
    template: str,
    params: Mapping[str, str],
    channel: str,
    language: str,
    to: str,
    source: str = "",
    fallback_of: Message | None = None,
    bypass_opt_out: bool = False,
) -> Message:
    message = Message(
        household=household,
        channel=channel,
        template=template,
        language=language,
        to=to,
        source=source[:60],
        fallback_of=fallback_of,
        created_by_id=actor.user_id if actor else None,
    )
    message.params = dict(params)
    message.save()
    if not bypass_opt_out and active_opt_out(household):
        _append(message, MessageStatus.OPTED_OUT)
    elif not to:
        _append(message, MessageStatus.FAILED, provider_code="no_address")
    else:
        DeliveryEvent.objects.create(message=message, status=MessageStatus.QUEUED)
        _schedule_drain()
    return message


def queue_notice(
    actor: Actor,
    *,
    household: Household,
    template: str,
    params: Mapping[str, str],
    channel: str | None = None,
    source: str = "",
) -> Message:
    """Queue a catalogue message for a household, in its language, on the channel given or its best allowed one.

    For other apps' services, which have authorized their own action (publishing a plan, a placement); the API
    goes through `send_household_message`. The household code is added when the template needs it. A household
    that opted out gets the message recorded as `opted_out`, never sent; one without a usable channel, `failed`
    with the code `no_channel`. Raises ValidationFailed for an unknown template, wrong parameters or a channel the
    household did not choose."""
    try:
        needed = catalogue.placeholders(catalogue.TEMPLATES[template]["en"])
    except KeyError as exc:
        raise ValidationFailed({"template": _("There is no such message.")}) from exc
    values = dict(params)
    if "code" in needed and "code" not in values:
        values["code"] = household.display_code
    try:
        clean = catalogue.check_params(template, values)
    except catalogue.BadParams as exc:
        raise ValidationFailed({"params": str(exc)}) from exc
    allowed = allowed_channels(household)
    if channel is not None and channel not in allowed:
        raise ValidationFailed({"channel": _("This household has not agreed to messages on this channel.")})
    chosen = channel or (allowed[0] if allowed else "")
    with transaction.atomic():
        if not chosen:
            message = Message(
                household=household,
                channel=Channel.SMS,
                template=template,
                language=_language(household),
                source=source[:60],
                created_by_id=actor.user_id,
            )
            message.params = clean
            message.save()
            status = MessageStatus.OPTED_OUT if active_opt_out(household) else MessageStatus.FAILED
            _append(message, status, provider_code="" if status == MessageStatus.OPTED_OUT else "no_channel")
        else:
            consent = _live_consents(household).get(chosen)
            message = _create(
                actor,
                household=household,
                template=template,
                params=clean,
                channel=chosen,
                language=_language(household),
                to=_address(household, chosen, consent),
                source=source,
            )
        record(
            actor,
            action=Action.CREATE,
            touches=[Touch("message", str(message.id), household.owner_id, ["template", "channel", "to"])],
        )
    return message


def messaging_households(actor: Actor, verb: Verb) -> Any:  # noqa: ANN401
    return households_for_organisations(organisations_where(actor.user, Subject.MESSAGE, verb))


def send_household_message(
    actor: Actor,
    *,
    household_id: uuid.UUID | str,
    template: str,
    channel: str | None = None,
    params: Mapping[str, str] | None = None,
) -> Message:
    """A caseworker sends a catalogue message (the API's POST); the household code is added by Refugio."""
    try:
        household = messaging_households(actor, Verb.CREATE).get(pk=household_id)
    except (Household.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise NotFound from exc
    if template in SYSTEM_TEMPLATES:
        raise ValidationFailed({"template": _("This message is sent only by Refugio itself.")})
    return queue_notice(actor, household=household, template=template, params=params or {}, channel=channel)


def queue_for_plan(
    households_and_params: list[tuple[Household, str, dict[str, str]]], *, actor: Actor, source: str
) -> int:
    """Queue many plan messages at once (planning's publish step): (household, template, params) each."""
    count = 0
    for household, template, params in households_and_params:
        queue_notice(actor, household=household, template=template, params=params, source=source)
        count += 1
    return count


# --- sending ----------------------------------------------------------------------------------------------------


def _status_callback(message: Message) -> str:
    if message.channel == Channel.EMAIL:
        return ""
    return f"{settings.REFUGIO_PUBLIC_BASE_URL}/hooks/twilio/status?m={message.id}"


def _last_whatsapp_inbound(message: Message) -> dt.datetime | None:
    """When this number last wrote to us on WhatsApp (WhatsApp's 24-hour window is per number), or None."""
    if message.channel != Channel.WHATSAPP or not message.to:
        return None
    return (
        InboundMessage.objects.filter(channel=Channel.WHATSAPP, from_index=phone_index(message.to))
        .order_by("-received_at")
        .values_list("received_at", flat=True)
        .first()
    )


def _outgoing(message: Message) -> Outgoing:
    return Outgoing(
        message_id=str(message.id),
        idempotency_key=str(message.idempotency_key),
        channel=message.channel,
        to=message.to,
        body=catalogue.render(message.template, message.language, message.params),
        template=message.template,
        language=message.language,
        params=message.params,
        status_callback=_status_callback(message),
        subject="Refugio",
        last_inbound_at=_last_whatsapp_inbound(message),
    )


def send_message(message_id: uuid.UUID | str, *, now: dt.datetime | None = None) -> str:
    """Send one queued message if it is due; its status afterwards. Safe to call any number of times."""
    now = now or timezone.now()
    with transaction.atomic():
        try:
            message = _locked(message_id)
        except Message.DoesNotExist:
            return ""
        if message.status not in (MessageStatus.QUEUED, MessageStatus.ERRORED):
            return message.status
        if message.next_attempt_at and message.next_attempt_at > now:
            return message.status
        if message.template not in SYSTEM_TEMPLATES and active_opt_out(message.household):
            _append(message, MessageStatus.OPTED_OUT)  # opted out after it was queued
            return message.status
        provider = provider_for(message.channel)
        Message.objects.filter(pk=message.pk).update(
            attempts=message.attempts + 1, claimed_at=now, provider=provider.name, next_attempt_at=None
        )
        message.attempts += 1
        _append(message, MessageStatus.SENDING)
    try:
        accepted = provider.send(_outgoing(message))
    except SendError as exc:
        return _record_refusal(message.pk, exc, now=now)
    return _record_accepted(message.pk, accepted)


def _record_accepted(message_id: uuid.UUID | str, accepted: Accepted) -> str:
    with transaction.atomic():
        message = _locked(message_id)
        Message.objects.filter(pk=message.pk).update(
            provider=accepted.provider, provider_id=accepted.provider_id, sent_at=timezone.now()
        )
        message.provider_id = accepted.provider_id
        _append(message, accepted.status, provider_status=accepted.provider_status)
    return message.status


def _record_refusal(message_id: uuid.UUID | str, error: SendError, *, now: dt.datetime) -> str:
    with transaction.atomic():
        message = _locked(message_id)
        if error.permanent or message.attempts >= MAX_ATTEMPTS:
            _append(message, MessageStatus.FAILED, provider_code=error.code)
            _fall_back(message, error.code)
        else:
            retry_at = now + dt.timedelta(seconds=ledger.retry_delay_seconds(message.attempts))
            Message.objects.filter(pk=message.pk).update(next_attempt_at=retry_at)
            _append(message, MessageStatus.ERRORED, provider_code=error.code)
            _schedule_drain()
    return message.status


def _fall_back(message: Message, code: str) -> Message | None:
    """A WhatsApp message WhatsApp could not deliver goes again by SMS, once, only where the household agreed."""
    if message.channel != Channel.WHATSAPP or code not in ledger.WHATSAPP_UNREACHABLE_CODES:
        return None
    household = message.household
    if not sms_fallback_allowed(household) or Message.objects.filter(fallback_of=message).exists():
        return None
    return _create(
        None,
        household=household,
        template=message.template,
        params=message.params,
        channel=Channel.SMS,
        language=message.language,
        to=household.contact_phone,
        source=message.source,
        fallback_of=message,
    )


def due_message_ids(now: dt.datetime | None = None, limit: int = 500) -> list[uuid.UUID]:
    now = now or timezone.now()
    return list(
        Message.objects.filter(status__in=(MessageStatus.QUEUED, MessageStatus.ERRORED))
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .order_by("created_at")
        .values_list("id", flat=True)[:limit]
    )


def next_retry_at() -> dt.datetime | None:
    return (
        Message.objects.filter(status=MessageStatus.ERRORED, next_attempt_at__isnull=False)
        .order_by("next_attempt_at")
        .values_list("next_attempt_at", flat=True)
        .first()
    )


def reconcile_claims(now: dt.datetime | None = None) -> int:
    """Settle claims older than CLAIM_TIMEOUT (a worker died mid-send): adopt what the provider has, send again
    only through a provider that honours the idempotency key, otherwise mark `unknown`. How many it settled."""
    now = now or timezone.now()
    stale = list(
        Message.objects.filter(status=MessageStatus.SENDING, claimed_at__lt=now - CLAIM_TIMEOUT).values_list(
            "id", flat=True
        )
    )
    settled = 0
    for message_id in stale:
        message = Message.objects.get(pk=message_id)
        provider = provider_named(message.provider) if message.provider else provider_for(message.channel)
        assert message.claimed_at is not None  # noqa: S101 - a sending message always has its claim time
        try:
            found = provider.find(_outgoing(message), since=message.claimed_at - dt.timedelta(minutes=1))
        except Exception:  # noqa: BLE001 - the provider is unreachable: try again at the next sweep
            log.warning("could not reconcile message %s with %s", message.id, provider.name)
            continue
        with transaction.atomic():
            message = _locked(message_id)
            if message.status != MessageStatus.SENDING:
                continue  # a status callback settled it meanwhile
            if found:
                Message.objects.filter(pk=message.pk).update(provider_id=found.provider_id, sent_at=now)
                _append(message, found.status, provider_status="reconciled")
            elif provider.honours_idempotency:
                _append(message, MessageStatus.QUEUED, provider_status="reconciled")
                _schedule_drain()
            else:
                _append(message, MessageStatus.UNKNOWN, provider_status="reconciled")
        settled += 1
    return settled


# --- provider callbacks -----------------------------------------------------------------------------------------


def record_status(
    *,
    provider: str,
    provider_id: str,
    provider_status: str,
    error_code: str = "",
    message_id: str = "",
    payload: Mapping[str, Any] | None = None,
    occurred_at: dt.datetime | None = None,
) -> Message | None:
    """A delivery status reported by a provider, stored as received. The message is found by our id (in the
    callback URL) or by the provider's id; a status for a message we do not know is dropped (None)."""
    status = (ledger.TWILIO_STATUS if provider != "whatsapp_cloud" else ledger.WHATSAPP_CLOUD_STATUS).get(
        provider_status.lower()
    )
    if status is None:
        return None
    with transaction.atomic():
        query = Message.objects.select_for_update(of=("self",)).select_related("household")
        try:
            message = (
                query.get(pk=uuid.UUID(message_id))
                if message_id
                else query.get(provider=provider, provider_id=provider_id)
            )
        except (Message.DoesNotExist, Message.MultipleObjectsReturned, ValidationError, ValueError):
            return None
        if message.provider_id and provider_id and message.provider_id != provider_id:
            return None  # our id with another message's sid: not this message's status
        if not message.provider_id and provider_id:
            # The answer to our send was lost (a crash): the callback tells us the provider has it.
            Message.objects.filter(pk=message.pk).update(
                provider=provider, provider_id=provider_id, sent_at=message.sent_at or timezone.now()
            )
            message.provider_id = provider_id
        kept = {k: str(v) for k, v in (payload or {}).items() if k in KEPT_CALLBACK_FIELDS}
        _append(
            message,
            status,
            provider_status=provider_status,
            provider_code=error_code,
            payload=kept,
            occurred_at=occurred_at,
        )
        if status in ledger.FAILED_STATUSES and error_code:
            _fall_back(message, error_code)
    return message


def simulate_status(message: Message, status: str, error_code: str = "") -> Message | None:
    """The local provider's callback: what a gateway would report (demo, tests). `status` in Twilio's words."""
    if message.provider != "local" or not message.provider_id:
        raise ValidationFailed({"status": "only a message the local provider took can be given a status"})
    return record_status(
        provider="local",
        provider_id=message.provider_id,
        provider_status=status,
        error_code=error_code,
        payload={"MessageStatus": status, "ErrorCode": error_code},
    )


# --- inbound ----------------------------------------------------------------------------------------------------


def _public_intake_org() -> Organisation | None:
    return Organisation.objects.filter(public_intake=True).first()


def receive_inbound(
    *,
    channel: str,
    from_number: str,
    body: str,
    provider: str,
    provider_id: str = "",
    received_at: dt.datetime | None = None,
) -> InboundMessage:
    """Store a text someone sent. The sender is the household whose contact phone is exactly this number (blind
    index); no match, or more than one household, leaves it unmatched for review. A whole-message STOP pauses
    every household on that number and is confirmed once; START resumes; a callback keyword asks for a call."""
    number = from_number.removeprefix("whatsapp:").strip()
    index = phone_index(number)
    with transaction.atomic():
        if provider_id:
            existing = InboundMessage.objects.filter(provider=provider, provider_id=provider_id).first()
            if existing:
                return existing  # the provider retried the webhook
        households = list(Household.objects.filter(contact_phone_index=index)) if index else []
        matched = households[0] if len(households) == 1 else None
        keyword = classify(body, matched.preferred_language if matched else "")
        inbound = InboundMessage(
            owner=matched.owner if matched else _public_intake_org(),
            household=matched,
            channel=channel,
            from_number=number,
            from_index=index,
            body=body[:2000],
            kind=keyword.kind if keyword else InboundKind.REPLY,
            language=keyword.language if keyword else "",
            callback_requested=bool(keyword and keyword.kind == InboundKind.CALLBACK),
            provider=provider,
            provider_id=provider_id[:100],
            received_at=received_at or timezone.now(),
        )
        try:
            with transaction.atomic():
                inbound.save()
        except IntegrityError:
            return InboundMessage.objects.get(provider=provider, provider_id=provider_id)
        if keyword and keyword.kind == InboundKind.STOP:
            confirm = True  # one phone, one confirmation, even when households share the number
            for household in households:
                paused = _opt_out(
                    household, keyword=keyword.keyword, language=keyword.language, channel=channel, confirm=confirm
                )
                confirm = confirm and paused is None
        elif keyword and keyword.kind == InboundKind.START:
            confirm = True
            for household in households:
                resumed = _opt_in(
                    household, keyword=keyword.keyword, language=keyword.language, channel=channel, confirm=confirm
                )
                confirm = confirm and not resumed
        elif keyword and keyword.kind == InboundKind.CALLBACK and matched:
            _acknowledge(matched, channel, "callback_ack", keyword.language)
    inbound_received.send(sender=InboundMessage, inbound=inbound)  # other apps act on a stored text (rapid response)
    return inbound


def _acknowledge(
    household: Household, channel: str, template: str, language: str, bypass_opt_out: bool = False
) -> Message:
    """Answer on the channel the text came in on, in the language of the keyword."""
    to = household.contact_phone
    return _create(
        None,
        household=household,
        template=template,
        params={},
        channel=channel,
        language=language if language in catalogue.LANGUAGES else _language(household),
        to=to,
        source="keyword",
        bypass_opt_out=bypass_opt_out,
    )


def _opt_out(household: Household, *, keyword: str, language: str, channel: str, confirm: bool = True) -> OptOut | None:
    """Pause the household; None if it was paused already (confirmed then, not again)."""
    existing = OptOut.objects.select_for_update().filter(household=household, resumed_at__isnull=True).first()
    if existing:
        return None
    opt_out = OptOut.objects.create(household=household, keyword=keyword, language=language, channel=channel)
    # Anything still waiting to go is not sent.
    for message in (
        Message.objects.select_for_update()
        .filter(household=household, status__in=(MessageStatus.QUEUED, MessageStatus.ERRORED))
        .exclude(template__in=SYSTEM_TEMPLATES)
    ):
        _append(message, MessageStatus.OPTED_OUT)
    if confirm:
        confirmation = _acknowledge(household, channel, "opt_out_confirmation", language, bypass_opt_out=True)
        OptOut.objects.filter(pk=opt_out.pk).update(confirmation=confirmation)
    record(
        Actor(user=None, channel=channel),
        action=Action.UPDATE,
        touches=[Touch("household", str(household.id), household.owner_id, ["opt_out"])],
    )
    return opt_out


def _opt_in(household: Household, *, keyword: str, language: str, channel: str, confirm: bool = True) -> bool:
    """Resume the household; False if it was not paused (nothing to resume, nothing to confirm)."""
    paused = OptOut.objects.select_for_update().filter(household=household, resumed_at__isnull=True)
    if not paused.exists():
        return False
    paused.update(resumed_at=timezone.now(), resumed_keyword=keyword)
    if confirm:
        _acknowledge(household, channel, "opt_in_confirmation", language, bypass_opt_out=True)
    record(
        Actor(user=None, channel=channel),
        action=Action.UPDATE,
        touches=[Touch("household", str(household.id), household.owner_id, ["opt_out"])],
    )
    return True


# --- the inbox --------------------------------------------------------------------------------------------------


def _inbound_for(actor: Actor, inbound_id: uuid.UUID | str, verb: Verb) -> InboundMessage:
    from refugio.messaging.selectors import visible_inbound

    try:
        return visible_inbound(actor.user or AnonymousUser(), verb).select_for_update(of=("self",)).get(pk=inbound_id)
    except (InboundMessage.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise NotFound from exc


def mark_read(actor: Actor, *, inbound_id: uuid.UUID | str) -> InboundMessage:
    with transaction.atomic():
        inbound = _inbound_for(actor, inbound_id, Verb.READ)
        if inbound.read_at is None:
            InboundMessage.objects.filter(pk=inbound.pk).update(read_at=timezone.now(), read_by_id=actor.user_id)
            record(
                actor,
                action=Action.UPDATE,
                touches=[Touch("inbound_message", str(inbound.pk), inbound.owner_id, ["read_at"])],
            )
    inbound.refresh_from_db()
    return inbound


def mark_reviewed(
    actor: Actor, *, inbound_id: uuid.UUID | str, household_id: uuid.UUID | str | None = None
) -> InboundMessage:
    """A person looked at a text from an unknown number; if they know whose it is, they link it (never a guess by
    Refugio). Linking does not change the household's contact phone."""
    with transaction.atomic():
        inbound = _inbound_for(actor, inbound_id, Verb.WRITE)
        if inbound.household_id is not None:
            raise ValidationFailed({"household": _("This message is already linked to a household.")})
        household = None
        if household_id:
            try:
                household = messaging_households(actor, Verb.WRITE).get(pk=household_id)
            except (Household.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
                raise NotFound from exc
        now = timezone.now()
        InboundMessage.objects.filter(pk=inbound.pk).update(
            reviewed_at=now,
            reviewed_by_id=actor.user_id,
            household=household,
            owner=household.owner if household else inbound.owner,
        )
        record(
            actor,
            action=Action.UPDATE,
            touches=[Touch("inbound_message", str(inbound.pk), inbound.owner_id, ["household", "reviewed_at"])],
        )
    inbound.refresh_from_db()
    return inbound
