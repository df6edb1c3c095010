"""Field types for the API schemas that make /api/v1/openapi.json exact: every choice is an ``enum`` built
once from the model's choices, every date, time and id carries its format.

The input types only describe: the services check every value themselves (one pass, a message per field,
in the caller's language), so a bad code still answers 422 with the message it always had.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Annotated, Any

from django.db import models
from pydantic import AwareDatetime, PlainSerializer, WithJsonSchema

from refugio.accounts.models import OrganisationKind, Role
from refugio.audit.models import Action
from refugio.escalations.models import AgencyKind, Category, DeadlineUnit, SharedField, Tier
from refugio.escalations.models import Status as EscalationStatusChoices
from refugio.legal.models import Expertise, HearingKind, HearingMode, RepresentationStatus, RepresentativeKind
from refugio.messaging import catalogue as message_catalogue
from refugio.messaging.vocabulary import Channel as MessageChannel
from refugio.messaging.vocabulary import MessageStatus
from refugio.people.vocabulary import (
    COURTS,
    LANGUAGES,
    NATIONALITIES,
    ConsentMethod,
    ConsentPurpose,
    HouseholdStatus,
    Relationship,
    Sex,
    Vulnerability,
)
from refugio.planning.models import Lane


def choice_values(
    options: type[models.Choices] | Mapping[str, str] | Iterable[str], *, blank: bool = False
) -> list[Any]:
    """The allowed codes, in their declared order; ``""`` first when the field may be left blank."""
    values = list(options.values) if isinstance(options, type) else list(options)
    return ["", *values] if blank else values


def choice(options: type[models.Choices] | Mapping[str, str] | Iterable[str], *, blank: bool = False) -> Any:  # noqa: ANN401
    """A code from a fixed vocabulary: ``str`` (``int`` for IntegerChoices) whose schema is an ``enum``."""
    values = choice_values(options, blank=blank)
    numeric = bool(values) and all(isinstance(v, int) and not isinstance(v, bool) for v in values)
    base: type = int if numeric else str
    return Annotated[base, WithJsonSchema({"type": "integer" if numeric else "string", "enum": values})]


def _time_text(value: dt.time) -> str:
    return value.strftime("%H:%M")


# A time of day at the court, local, without an offset: "09:30". (JSON Schema's format "time" requires an
# offset, which a court calendar does not have.)
_LOCAL_TIME_SCHEMA = {
    "type": "string",
    "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$",
    "description": "Local time at the court, HH:MM (no offset)",
}
LocalTimeOut = Annotated[dt.time, PlainSerializer(_time_text, return_type=str), WithJsonSchema(_LOCAL_TIME_SCHEMA)]
LocalTimeIn = Annotated[str, WithJsonSchema(_LOCAL_TIME_SCHEMA)]

DateText = Annotated[str, WithJsonSchema({"type": "string", "format": "date"})]
"""A full date, YYYY-MM-DD, checked by the service (so a bad one gets its own message)."""

PartialDate = Annotated[
    str,
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^([0-9]{4}(-[0-9]{1,2}(-[0-9]{1,2})?)?)?$",
            "description": "YYYY-MM-DD, YYYY-MM or YYYY; empty when unknown",
        }
    ),
]
"""A date of birth known in part."""

UUIDText = Annotated[str, WithJsonSchema({"type": "string", "format": "uuid"})]
"""An id in a path: declared a UUID, read as text so a malformed one is 404 like any unknown id."""

TZDatetime = AwareDatetime
"""An instant with its offset (RFC 3339); a time without one is refused."""

# The vocabularies, each built once.
SexCode = choice(Sex)
SexCodeOrBlank = choice(Sex, blank=True)
RelationshipCode = choice(Relationship)
VulnerabilityCode = choice(Vulnerability)
HouseholdStatusCode = choice(HouseholdStatus)
ConsentPurposeCode = choice(ConsentPurpose)
ConsentMethodCode = choice(ConsentMethod)
LanguageCode = choice(LANGUAGES)
LanguageCodeOrBlank = choice(LANGUAGES, blank=True)
NationalityCodeOrBlank = choice(NATIONALITIES, blank=True)
CourtCode = choice(COURTS)
CourtCodeOrBlank = choice(COURTS, blank=True)
RoleCode = choice(Role)
MessageChannelCode = choice(MessageChannel)
MessageStatusCode = choice(MessageStatus)
MessageTemplateCode = choice(message_catalogue.TEMPLATES)
SendableMessageTemplateCode = choice(
    [t for t in message_catalogue.TEMPLATES if t not in message_catalogue.SYSTEM_TEMPLATES]
)
MessageNoticeCode = choice(message_catalogue.NOTICES)
OrganisationKindCode = choice(OrganisationKind)
AuditActionCode = choice(Action)
AgencyKindCode = choice(AgencyKind)
TierNumber = choice(Tier)
CategoryCode = choice(Category)
DeadlineUnitCode = choice(DeadlineUnit)
EscalationStatusCode = choice(EscalationStatusChoices)
SharedFieldCode = choice(SharedField)
RepresentativeKindCode = choice(RepresentativeKind)
ExpertiseCode = choice(Expertise)
RepresentationStatusCode = choice(RepresentationStatus)
HearingKindCode = choice(HearingKind)
HearingModeCode = choice(HearingMode)
LaneCode = choice(Lane)

# Whole numbers the services accept only within a range (checked there, each with its message).
DeadlineAmount = Annotated[int, WithJsonSchema({"type": "integer", "minimum": 1, "maximum": 1000})]
Capacity = Annotated[int, WithJsonSchema({"type": "integer", "minimum": 0, "maximum": 500})]
