"""A household's channel choice as a person makes it: at public registration (/register/) or with a caseworker.

"No messages" is an answer, not the absence of one: a household that never chose is written to on its contact
phone (messaging.services.allowed_channels), so a "none" must leave a record. It is kept as each channel asked
and declined at once (given and withdrawn at the same moment), which is what happened.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from django.db import transaction
from django.utils import timezone

from refugio.audit.services import Actor
from refugio.messaging.models import ChannelConsent
from refugio.messaging.services import set_channels
from refugio.messaging.vocabulary import Channel
from refugio.people.models import Household


def choose_channels(
    actor: Actor,
    *,
    household: Household,
    channels: Mapping[str, bool],
    email: str = "",
    fallback_to_sms: bool = False,
) -> None:
    """Record the channels chosen (set_channels audits it); with none chosen, record the refusal too."""
    with transaction.atomic():
        set_channels(actor, household=household, channels=channels, email=email, fallback_to_sms=fallback_to_sms)
        if any(channels.values()):
            return
        if ChannelConsent.objects.filter(household=household, person__isnull=True).exists():
            return  # a choice was recorded before: set_channels withdrew it, which says "none"
        now = timezone.now()
        ChannelConsent.objects.bulk_create(
            ChannelConsent(household=household, channel=c, given_at=now, withdrawn_at=now, recorded_by_id=actor.user_id)
            for c in Channel
        )


def record_channel_choice(
    actor: Actor,
    *,
    household_id: uuid.UUID | str,
    channels: Mapping[str, bool],
    email: str = "",
    fallback_to_sms: bool = False,
) -> None:
    """What the person chose for the household they just registered (the registration's answer names it, so no
    visibility rule applies: the person is registering their own household)."""
    household = Household.objects.get(pk=household_id)
    choose_channels(actor, household=household, channels=channels, email=email, fallback_to_sms=fallback_to_sms)
