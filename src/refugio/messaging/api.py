"""Messages in the JSON API: a household's messages with their delivery events, and sending one."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from ninja import Router, Schema, Status

from refugio.api_types import (
    DateText,
    LanguageCode,
    MessageChannelCode,
    MessageNoticeCode,
    MessageStatusCode,
    MessageTemplateCode,
    SendableMessageTemplateCode,
    UUIDText,
)
from refugio.audit.request import actor_from_request
from refugio.core.api import ERRORS, Strict
from refugio.core.http import AuthedRequest
from refugio.disclosure import disclose_many, disclose_one
from refugio.messaging import selectors, services
from refugio.messaging.surfaces import HOUSEHOLD_MESSAGES_API

router = Router(tags=["messaging"])


class DeliveryEventOut(Schema):
    status: MessageStatusCode
    at: dt.datetime
    provider_code: str


class HouseholdMessageOut(Schema):
    id: uuid.UUID
    channel: MessageChannelCode
    template: MessageTemplateCode
    language: LanguageCode  # one of the catalogue's five
    status: MessageStatusCode
    events: list[DeliveryEventOut]


class HouseholdMessageParamsIn(Strict):
    """What the template needs besides the household code (which Refugio adds): see the catalogue."""

    notice: MessageNoticeCode | None = None
    date: DateText | None = None
    place: str | None = None


class HouseholdMessageIn(Strict):
    template: SendableMessageTemplateCode
    channel: MessageChannelCode | None = None
    params: HouseholdMessageParamsIn | None = None


@router.get("/households/{household_id}/messages", response={200: list[HouseholdMessageOut], **ERRORS})
def household_messages(request: AuthedRequest, household_id: UUIDText) -> list[dict[str, Any]]:
    found = selectors.household_messages(request.auth, household_id)
    return disclose_many(actor_from_request(request, "api"), HOUSEHOLD_MESSAGES_API, found)


@router.post("/households/{household_id}/messages", response={201: HouseholdMessageOut, **ERRORS})
def send_message(request: AuthedRequest, household_id: UUIDText, payload: HouseholdMessageIn) -> Status:
    """Queue a message. A household that opted out gets it recorded with status `opted_out`, never sent."""
    actor = actor_from_request(request, "api")
    params = {k: v for k, v in (payload.params.model_dump() if payload.params else {}).items() if v is not None}
    made = services.send_household_message(
        actor, household_id=household_id, template=payload.template, channel=payload.channel, params=params
    )
    return Status(201, disclose_one(actor, HOUSEHOLD_MESSAGES_API, made.id))
