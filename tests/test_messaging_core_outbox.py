"""The outbox: each message sent exactly once (also across a crash), retries, the ledger, opt-out, fallback."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from refugio.accounts.models import Role
from refugio.audit.services import Actor
from refugio.messaging import services
from refugio.messaging.models import DeliveryEvent, LocalOutbox, Message, OptOut
from refugio.messaging.providers import Accepted, LocalProvider, Outgoing, SendError
from refugio.messaging.tasks import drain_outbox
from refugio.people.models import Household
from tests.conftest import World, new_household

PARAMS = {"date": "2026-12-03", "place": "El Paso"}


@pytest.fixture
def household(world: World) -> Household:
    return new_household(world.users[Role.CASEWORKER], world.home, contact_phone="+52 656 100 0001")


def _actor(world: World) -> Actor:
    return Actor(world.users[Role.CASEWORKER], "web")


def _queue(world: World, household: Household, **extra: Any) -> Message:  # noqa: ANN401
    return services.queue_notice(_actor(world), household=household, template="entry_date", params=PARAMS, **extra)


def _statuses(message: Message) -> list[str]:
    return list(DeliveryEvent.objects.filter(message=message).order_by("id").values_list("status", flat=True))


class Crash(Exception):
    """The process dies between the provider's acceptance and our commit."""


class CountingProvider:
    """A gateway like Twilio: no idempotency key; `find` answers what a lookup by number and date would."""

    name = "local"  # reconciled through provider_named("local") unless patched
    honours_idempotency = False

    def __init__(self, *, errors: list[SendError] | None = None, remembers: bool = False) -> None:
        self.sent: list[Outgoing] = []
        self.errors = list(errors or [])
        self.remembers = remembers

    def send(self, outgoing: Outgoing) -> Accepted:
        if self.errors:
            raise self.errors.pop(0)
        self.sent.append(outgoing)
        return Accepted("fake", f"SM{len(self.sent):032d}", "wired", "queued")

    def find(self, outgoing: Outgoing, since: dt.datetime) -> Accepted | None:
        if self.remembers and self.sent:
            return Accepted("fake", f"SM{len(self.sent):032d}", "wired", "queued")
        return None


def _use(monkeypatch: pytest.MonkeyPatch, provider: Any) -> None:  # noqa: ANN401
    monkeypatch.setattr(services, "provider_for", lambda channel: provider)
    monkeypatch.setattr(services, "provider_named", lambda name: provider)


def test_queued_message_is_sent_once_by_the_worker(
    world: World, household: Household, django_capture_on_commit_callbacks: Any
) -> None:  # noqa: E501
    with django_capture_on_commit_callbacks(execute=True):
        message = _queue(world, household)
    message.refresh_from_db()
    assert message.status == "wired" and message.provider == "local" and message.provider_id
    sent = LocalOutbox.objects.get()
    assert sent.to == "+526561000001" and "El Paso" in sent.body and household.display_code in sent.body
    # Running the worker again, or sending the same message again, sends nothing more.
    drain_outbox.call()
    assert services.send_message(message.id) == "wired"
    assert LocalOutbox.objects.count() == 1 and message.attempts == 1
    assert _statuses(message) == ["queued", "sending", "wired"]


def test_crash_after_acceptance_with_idempotent_provider_is_not_sent_twice(
    world: World, household: Household, monkeypatch: pytest.MonkeyPatch
) -> None:
    message = _queue(world, household)

    def crash(*args: Any, **kwargs: Any) -> None:  # noqa: ANN401
        raise Crash

    with monkeypatch.context() as patch:
        patch.setattr(services, "_record_accepted", crash)
        with pytest.raises(Crash):
            services.send_message(message.id)
    message.refresh_from_db()
    assert message.status == "sending" and LocalOutbox.objects.count() == 1
    # Another worker (or the task retried) sees the claim and does not send.
    assert services.send_message(message.id) == "sending"
    assert services.reconcile_claims() == 0  # the claim is fresh: maybe still in flight
    later = timezone.now() + services.CLAIM_TIMEOUT + dt.timedelta(seconds=1)
    assert services.reconcile_claims(now=later) == 1
    message.refresh_from_db()
    assert message.status == "wired" and message.provider_id == LocalOutbox.objects.get().provider_id
    assert LocalOutbox.objects.count() == 1


def test_crash_before_the_provider_stored_it_sends_again_with_the_same_key(
    world: World, household: Household, monkeypatch: pytest.MonkeyPatch
) -> None:
    message = _queue(world, household)
    with monkeypatch.context() as patch:
        patch.setattr(LocalProvider, "send", lambda self, outgoing: (_ for _ in ()).throw(Crash()))
        with pytest.raises(Crash):
            services.send_message(message.id)
    assert LocalOutbox.objects.count() == 0
    later = timezone.now() + services.CLAIM_TIMEOUT + dt.timedelta(seconds=1)
    services.reconcile_claims(now=later)
    message.refresh_from_db()
    assert message.status == "queued"  # not found, and the local provider honours the key: safe to send
    assert services.send_message(message.id) == "wired"
    assert services.send_message(message.id) == "wired"
    assert LocalOutbox.objects.count() == 1


@pytest.mark.usefixtures("db")
def test_local_provider_honours_the_idempotency_key() -> None:
    outgoing = Outgoing("m", "6f1c1a52-5b1a-4c4e-9a57-2c1c2a3b4c5d", "sms", "+526561000001", "hola")
    provider = LocalProvider()
    first, second = provider.send(outgoing), provider.send(outgoing)
    assert first.provider_id == second.provider_id and LocalOutbox.objects.count() == 1


def test_crash_with_a_provider_without_idempotency_is_marked_unknown_not_resent(
    world: World, household: Household, monkeypatch: pytest.MonkeyPatch
) -> None:
    provider = CountingProvider()
    _use(monkeypatch, provider)
    message = _queue(world, household)
    with monkeypatch.context() as patch:
        patch.setattr(services, "_record_accepted", lambda *a, **k: (_ for _ in ()).throw(Crash()))
        with pytest.raises(Crash):
            services.send_message(message.id)
    later = timezone.now() + services.CLAIM_TIMEOUT + dt.timedelta(seconds=1)
    services.reconcile_claims(now=later)
    drain_outbox.call()
    services.send_message(message.id)
    message.refresh_from_db()
    assert message.status == "unknown" and len(provider.sent) == 1


def test_crash_reconciled_by_provider_lookup(
    world: World, household: Household, monkeypatch: pytest.MonkeyPatch
) -> None:
    provider = CountingProvider(remembers=True)
    _use(monkeypatch, provider)
    message = _queue(world, household)
    with monkeypatch.context() as patch:
        patch.setattr(services, "_record_accepted", lambda *a, **k: (_ for _ in ()).throw(Crash()))
        with pytest.raises(Crash):
            services.send_message(message.id)
    services.reconcile_claims(now=timezone.now() + services.CLAIM_TIMEOUT + dt.timedelta(seconds=1))
    message.refresh_from_db()
    assert message.status == "wired" and message.provider_id == "SM" + "1".zfill(32) and len(provider.sent) == 1


def test_a_callback_after_a_crash_settles_the_claim(
    world: World, household: Household, monkeypatch: pytest.MonkeyPatch
) -> None:
    provider = CountingProvider()
    _use(monkeypatch, provider)
    message = _queue(world, household)
    with monkeypatch.context() as patch:
        patch.setattr(services, "_record_accepted", lambda *a, **k: (_ for _ in ()).throw(Crash()))
        with pytest.raises(Crash):
            services.send_message(message.id)
    services.record_status(
        provider="twilio", provider_id="SMabc", provider_status="delivered", message_id=str(message.id)
    )
    services.reconcile_claims(now=timezone.now() + services.CLAIM_TIMEOUT + dt.timedelta(seconds=1))
    message.refresh_from_db()
    assert message.status == "delivered" and message.provider_id == "SMabc" and len(provider.sent) == 1


def test_transient_errors_retry_with_backoff_then_send(
    world: World, household: Household, monkeypatch: pytest.MonkeyPatch
) -> None:
    provider = CountingProvider(errors=[SendError("30001"), SendError("20429")])
    _use(monkeypatch, provider)
    message = _queue(world, household)
    now = timezone.now()
    assert services.send_message(message.id, now=now) == "errored"
    message.refresh_from_db()
    assert message.next_attempt_at == now + dt.timedelta(seconds=30) and message.last_error_code == "30001"
    assert services.send_message(message.id, now=now + dt.timedelta(seconds=29)) == "errored"  # not yet due
    assert services.send_message(message.id, now=now + dt.timedelta(seconds=30)) == "errored"
    message.refresh_from_db()
    assert message.next_attempt_at == now + dt.timedelta(seconds=30 + 120)
    assert services.send_message(message.id, now=now + dt.timedelta(seconds=150)) == "wired"
    assert len(provider.sent) == 1 and Message.objects.get(pk=message.pk).attempts == 3


def test_retries_stop_after_the_last_attempt(
    world: World, household: Household, monkeypatch: pytest.MonkeyPatch
) -> None:  # noqa: E501
    provider = CountingProvider(errors=[SendError("30001")] * services.MAX_ATTEMPTS)
    _use(monkeypatch, provider)
    message = _queue(world, household)
    moment = timezone.now()
    for _ in range(services.MAX_ATTEMPTS):
        services.send_message(message.id, now=moment)
        moment += dt.timedelta(days=1)
    message.refresh_from_db()
    assert message.status == "failed" and message.attempts == services.MAX_ATTEMPTS


@pytest.mark.parametrize("code", ["21610", "21211", "21614", "63016", "131047"])
def test_permanent_errors_are_not_retried(
    world: World, household: Household, monkeypatch: pytest.MonkeyPatch, code: str
) -> None:
    provider = CountingProvider(errors=[SendError(code)])
    _use(monkeypatch, provider)
    message = _queue(world, household)
    assert services.send_message(message.id) == "failed"
    message.refresh_from_db()
    assert message.last_error_code == code and message.next_attempt_at is None
    assert services.send_message(message.id, now=timezone.now() + dt.timedelta(days=2)) == "failed"
    assert provider.sent == []


def test_local_test_numbers_fail_permanently(world: World) -> None:
    household = new_household(world.users[Role.CASEWORKER], world.home, contact_phone="+1 500 555 0001")
    message = _queue(world, household)
    assert services.send_message(message.id) == "failed"
    assert Message.objects.get(pk=message.pk).last_error_code == "21211"


def test_out_of_order_callbacks_never_move_the_status_backwards(world: World, household: Household) -> None:
    message = _queue(world, household)
    services.send_message(message.id)
    message.refresh_from_db()
    for status in ("delivered", "sent", "queued"):
        services.simulate_status(message, status)
    message.refresh_from_db()
    assert message.status == "delivered"
    services.simulate_status(message, "read")
    services.simulate_status(message, "delivered")
    message.refresh_from_db()
    assert message.status == "read"
    # Every event is kept as received, in the order received.
    assert _statuses(message) == ["queued", "sending", "wired", "delivered", "sent", "wired", "read", "delivered"]


def test_events_are_append_only(world: World, household: Household) -> None:
    message = _queue(world, household)
    event = DeliveryEvent.objects.filter(message=message).first()
    assert event is not None
    event.status = "delivered"
    with pytest.raises(ValueError, match="append-only"):
        event.save()


def test_callback_payload_is_stored_without_personal_data(world: World, household: Household) -> None:
    message = _queue(world, household)
    services.send_message(message.id)
    message.refresh_from_db()
    services.record_status(
        provider="local",
        provider_id=message.provider_id,
        provider_status="undelivered",
        error_code="30003",
        payload={
            "MessageStatus": "undelivered",
            "ErrorCode": "30003",
            "To": "+526561000001",
            "Body": "hola",
            "From": "+15005550006",
            "ProfileName": "Ana",
        },
    )
    event = DeliveryEvent.objects.filter(message=message).latest("id")
    assert event.payload == {"MessageStatus": "undelivered", "ErrorCode": "30003"}
    assert event.provider_code == "30003" and Message.objects.get(pk=message.pk).status == "undelivered"


def test_opted_out_household_gets_the_message_recorded_never_sent(world: World, household: Household) -> None:
    OptOut.objects.create(household=household, keyword="STOP", channel="sms", language="en")
    message = _queue(world, household)
    assert message.status == "opted_out" and _statuses(message) == ["opted_out"]
    drain_outbox.call()
    assert services.send_message(message.id) == "opted_out" and LocalOutbox.objects.count() == 0


def test_opt_out_after_queueing_stops_the_send(world: World, household: Household) -> None:
    message = _queue(world, household)
    OptOut.objects.create(household=household, keyword="STOP", channel="sms", language="en")
    assert services.send_message(message.id) == "opted_out" and LocalOutbox.objects.count() == 0


def _whatsapp_household(world: World, *, fallback: bool) -> Household:
    household = new_household(world.users[Role.CASEWORKER], world.home, contact_phone="+1 500 555 0016")
    services.set_channels(
        _actor(world), household=household, channels={"whatsapp": True, "sms": True}, fallback_to_sms=fallback
    )
    return household


def test_whatsapp_falls_back_to_sms_where_the_household_agreed(world: World) -> None:
    household = _whatsapp_household(world, fallback=True)
    message = _queue(world, household)
    assert message.channel == "whatsapp"
    assert services.send_message(message.id) == "failed"  # 63016: re-engagement needed
    fallback = Message.objects.get(fallback_of=message)
    assert fallback.channel == "sms" and fallback.status == "queued" and fallback.template == message.template


def test_no_sms_fallback_without_consent(world: World) -> None:
    household = _whatsapp_household(world, fallback=False)
    message = _queue(world, household)
    assert services.send_message(message.id) == "failed"
    assert not Message.objects.filter(fallback_of=message).exists()


def test_async_whatsapp_failure_falls_back_once(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    household = _whatsapp_household(world, fallback=True)
    message = _queue(world, household)
    _use(monkeypatch, CountingProvider())
    services.send_message(message.id)
    message.refresh_from_db()
    for _ in range(2):  # the same failure reported twice
        services.record_status(
            provider="fake", provider_id=message.provider_id, provider_status="failed", error_code="63016"
        )
    assert Message.objects.filter(fallback_of=message).count() == 1


def test_channel_not_chosen_is_refused(world: World, household: Household) -> None:
    from refugio.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        _queue(world, household, channel="email")


def test_an_ambiguous_failure_keeps_the_claim_and_the_worker_goes_on(
    world: World, household: Household, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = _queue(world, household), _queue(world, household)

    def timeout_once(self: LocalProvider, outgoing: Outgoing) -> Accepted:
        if outgoing.message_id == str(first.id):
            raise TimeoutError  # did the gateway get it? nobody knows
        return original(self, outgoing)

    original = LocalProvider.send
    monkeypatch.setattr(LocalProvider, "send", timeout_once)
    drain_outbox.call()
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == "sending" and second.status == "wired"
