"""A household texts a keyword (DETENIDO, DETAINED, DETNI, DÉTENU, DETIDO…): an alert is opened in its name
and it is answered, in its language, that someone will call. Only a text from a number that matched exactly one
household counts; an unknown number opens nothing (the text waits in the inbox for a person to review)."""

from __future__ import annotations

import logging
from typing import Any

from refugio.audit.services import Actor
from refugio.messaging.services import allowed_channels, queue_notice
from refugio.rapidresponse import keywords, services
from refugio.rapidresponse.models import AlertChannel

log = logging.getLogger(__name__)
REPLY_TEMPLATE = "callback_ack"  # "we got your request; someone will call you soon": nothing of the case


def on_inbound(sender: Any, inbound: Any, **kwargs: Any) -> None:  # noqa: ANN401
    household = inbound.household
    if household is None:
        return
    kind = keywords.alert_kind(inbound.body or "")
    if kind is None:
        return
    actor = Actor(None, inbound.channel)
    try:
        if not services.recent_message_alert(household):
            services.raise_alert(
                actor,
                household=household,
                kind=kind,
                person_id=str(inbound.person_id) if inbound.person_id else None,
                channel=AlertChannel.MESSAGE,
                now=inbound.received_at,
            )
        channel = inbound.channel if inbound.channel in allowed_channels(household) else None
        queue_notice(actor, household=household, template=REPLY_TEMPLATE, params={}, channel=channel, source="rapid")
    except Exception as exc:  # noqa: BLE001 - the text is stored already; an error must not fail the webhook
        # The type only: never the number or the text. The text stays in the inbox for a person to see.
        log.warning("inbound %s: no rapid-response alert (%s)", inbound.pk, type(exc).__name__)
