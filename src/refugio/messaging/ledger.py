"""A message's status from its delivery events (pure: no Django).

Two regimes. Before a provider has accepted the message, the outbox alone writes its events (queued, sending,
errored, unknown), one at a time under a row lock, so the latest one is the state. Once a provider has spoken
(wired and after), callbacks arrive in any order (Twilio and WhatsApp do not promise order): the state is the
highest-ranked status ever reported, so a late "sent" never hides "delivered". Proof of delivery outranks a
failure (a "failed" followed by "delivered" means it arrived); `opted_out` is final.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

OUTBOX_STATUSES = frozenset({"queued", "sending", "errored", "unknown"})

# Provider-reported statuses by rank: never move to a lower one.
RANK: dict[str, int] = {
    "wired": 1,
    "sent": 2,
    "failed": 3,
    "undelivered": 3,
    "delivered": 4,
    "read": 5,
    "opted_out": 9,
}

FAILED_STATUSES = frozenset({"failed", "undelivered"})
FINAL_STATUSES = frozenset({"read", "opted_out"})

# Twilio's MessageStatus words (SMS and WhatsApp) in our vocabulary. "accepted"/"queued"/"sending" at Twilio all
# mean it holds the message: "wired".
TWILIO_STATUS: dict[str, str] = {
    "accepted": "wired",
    "scheduled": "wired",
    "queued": "wired",
    "sending": "wired",
    "sent": "sent",
    "delivered": "delivered",
    "read": "read",
    "failed": "failed",
    "undelivered": "undelivered",
    "canceled": "failed",
    "receiving": "wired",
    "received": "wired",
}

# WhatsApp Cloud API status words.
WHATSAPP_CLOUD_STATUS: dict[str, str] = {
    "accepted": "wired",
    "sent": "sent",
    "delivered": "delivered",
    "read": "read",
    "failed": "failed",
}

# Errors a retry cannot fix: the person unsubscribed (Twilio 21610), the number is invalid or cannot receive
# texts (21211, 21614, 21612, 21408), WhatsApp needs a template or re-engagement (Twilio 63016, Cloud 131047),
# the recipient is not on WhatsApp (63003, Cloud 131026), a Cloud template missing, paused, disabled or given the
# wrong parameters (132000, 132001, 132012, 132015, 132016).
CLOUD_TEMPLATE_CODES = frozenset({"132000", "132001", "132012", "132015", "132016"})
PERMANENT_CODES = (
    frozenset(
        {"21610", "21211", "21614", "21612", "21408", "21606", "63003", "63016", "63024", "131026", "131047", "131051"}
    )
    | CLOUD_TEMPLATE_CODES
)
# Of those, the ones that say "WhatsApp could not reach them" (an SMS may, where the person agreed).
WHATSAPP_UNREACHABLE_CODES = frozenset({"63003", "63016", "63024", "131026", "131047"}) | CLOUD_TEMPLATE_CODES


# WhatsApp's customer-service window: free text only within 24 hours of the person's last message to us; outside
# it, only an approved template (otherwise Meta answers 131047, Twilio 63016).
WHATSAPP_SERVICE_WINDOW = dt.timedelta(hours=24)


def within_service_window(last_inbound_at: dt.datetime | None, now: dt.datetime) -> bool:
    """Whether a WhatsApp free-text message may be sent now: the person wrote to us less than 24 hours ago."""
    return last_inbound_at is not None and now - last_inbound_at < WHATSAPP_SERVICE_WINDOW


def is_permanent(code: str) -> bool:
    return code in PERMANENT_CODES


def derive(statuses: Iterable[str]) -> str:
    """The message's status from its events' statuses, in the order they were received."""
    latest_outbox = "queued"
    best = ""
    for status in statuses:
        if status in RANK:
            if not best or RANK[status] >= RANK[best]:
                best = status
        elif status in OUTBOX_STATUSES:
            latest_outbox = status
    return best or latest_outbox


def retry_delay_seconds(attempt: int, base: int = 30, cap: int = 6 * 3600) -> int:
    """Exponential backoff after the `attempt`-th failed attempt (1 based): 30 s, 2 min, 8 min, … at most 6 h."""
    return int(min(cap, base * 4 ** max(0, attempt - 1)))
