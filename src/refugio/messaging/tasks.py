"""The outbox worker: sends what is due, retries on schedule, settles claims a crash left behind.

`drain_outbox` is booked when a message is queued (on commit) and sends every due message once; `sweep_outbox`
books itself every SWEEP_EVERY and does the same plus `reconcile_claims`, so retries come due and a claim left by
a dead worker is settled even if nothing new is queued. Sending twice is impossible by construction (see
refugio.messaging.services), so two drains running at once only share the work.
"""

from __future__ import annotations

import datetime as dt
import logging

from django_tasks import task

from refugio.core.tasks import book_now, book_periodic

SWEEP_EVERY = dt.timedelta(minutes=1)
log = logging.getLogger(__name__)


@task()
def drain_outbox() -> int:
    """Send every message that is due; how many were tried."""
    from refugio.messaging.services import due_message_ids, send_message

    ids = due_message_ids()
    for message_id in ids:
        try:
            send_message(message_id)
        except Exception as exc:  # noqa: BLE001 - an ambiguous failure keeps its claim (reconciled later); go on
            # The type only: a provider's message can quote the number.
            log.warning("sending message %s failed (%s); its claim will be reconciled", message_id, type(exc).__name__)
    return len(ids)


@task()
def sweep_outbox() -> int:
    """Settle stale claims and send what is due, then come back in SWEEP_EVERY (also when this failed)."""
    from refugio.messaging.services import reconcile_claims

    try:
        reconcile_claims()
        return int(drain_outbox.call())
    finally:
        schedule_sweep(after=SWEEP_EVERY)


def schedule_drain() -> None:
    """Book a drain unless one is already waiting to run (it will send these messages too). Call it on
    commit: the worker must find the messages stored."""
    book_now(drain_outbox)


def schedule_sweep(after: dt.timedelta = dt.timedelta(0)) -> None:
    """Book the next sweep, unless one is already booked. A no-op where tasks cannot be deferred."""
    book_periodic(sweep_outbox, after=after)
