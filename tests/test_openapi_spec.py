"""The OpenAPI document is exact: every choice is an enum of the model's codes, every date, time, instant and
id carries the right format. A client generated from /api/v1/openapi.json knows the allowed values."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import models

from refugio.accounts.models import Membership, Organisation
from refugio.api import api
from refugio.audit.models import AuditEvent
from refugio.casemanagement.models import CasePlan, CheckIn, Outreach, OutreachStep
from refugio.escalations.models import AgencyOffice, Escalation, OfficeContact, ResponseRule, SharedField
from refugio.legal.models import Expertise, Hearing, Representation, Representative
from refugio.messaging.models import DeliveryEvent, Message
from refugio.obligations.models import AgencyAppointment, AsylumFiling, Obligation
from refugio.people.models import Consent, Household, Person
from refugio.people.vocabulary import COURTS, LANGUAGES, NATIONALITIES, Vulnerability
from refugio.placement.models import AllocationRun, Assignment, WeeklyCapacity
from refugio.planning.models import Appointment
from refugio.rapidresponse.models import AlertNotification, ChecklistItem, DetentionAlert, StayRequest
from refugio.reception.models import BedCount, Shelter
from refugio.reception.models import Placement as ShelterPlacement
from refugio.referrals.models import Referral, Service
from refugio.remedies.models import MotionToReopen, MPPCase, RemovalOrder
from refugio.tracing.models import TracingCandidate, TracingRequest
from refugio.transport.models import Relocation, Ticket, Trip

# Which model each schema describes (its properties named like the model's fields must match them) ...
MODEL_OF: dict[str, type[models.Model]] = {
    "MembershipOut": Membership,
    "OrganisationOut": Organisation,
    "AuditEventOut": AuditEvent,
    "EscalationIn": Escalation,
    "StatusIn": Escalation,
    "EscalationOut": Escalation,
    "EscalationSummaryOut": Escalation,
    "ReportRowOut": Escalation,
    "ContactOut": OfficeContact,
    "OfficeOut": AgencyOffice,
    "RuleOut": ResponseRule,
    "RulePatch": ResponseRule,
    "RepresentativeIn": Representative,
    "RepresentativeOut": Representative,
    "HearingIn": Hearing,
    "HearingOut": Hearing,
    "OfferOut": Representation,
    "PersonIn": Person,
    "PersonPatch": Person,
    "PublicPersonIn": Person,
    "PersonOut": Person,
    "HouseholdIn": Household,
    "HouseholdPatch": Household,
    "HouseholdOut": Household,
    "HouseholdSummaryOut": Household,
    "HouseholdQuery": Household,
    "RegistrationIn": Household,
    "StaffIntakeIn": Household,
    "ConsentIn": Consent,
    "ConsentOut": Consent,
    "AppointmentOut": Appointment,
    "HouseholdMessageIn": Message,
    "HouseholdMessageOut": Message,
    "DeliveryEventOut": DeliveryEvent,
    "AllocationRunOut": AllocationRun,
    "AllocationAssignmentOut": Assignment,
    "PlacementCapacityIn": WeeklyCapacity,
    "PlacementCapacityOut": WeeklyCapacity,
    # Reception without detention (issue 14).
    "ShelterIn": Shelter,
    "ShelterOut": Shelter,
    "BedsIn": BedCount,
    "BedsOut": BedCount,
    "PlacementIn": ShelterPlacement,
    "PlacementOut": ShelterPlacement,
    "TripIn": Trip,
    "TripOut": Trip,
    "TicketIn": Ticket,
    "TicketOut": Ticket,
    "LegOut": Ticket,
    "RelocationIn": Relocation,
    "RelocationOut": Relocation,
    "DestinationOut": Relocation,
    "DirectoryServiceOut": Service,
    "DirectoryServiceQuery": Service,
    "ReferralServiceRef": Service,
    "ReferralOut": Referral,
    "ReferralQuery": Referral,
    "ReferralIn": Referral,
    "ReferralDeclineIn": Referral,
    "ReferralPersonOut": Person,
    "CasePlanIn": CasePlan,
    "CasePlanOut": CasePlan,
    "CheckInIn": CheckIn,
    "CheckInOut": CheckIn,
    "OutreachOut": Outreach,
    "OutreachStepOut": OutreachStep,
    "ObligationOut": Obligation,
    "AgencyAppointmentIn": AgencyAppointment,
    "AgencyAppointmentOut": AgencyAppointment,
    "AsylumFilingIn": AsylumFiling,
    "AsylumFilingOut": AsylumFiling,
    "AlertIn": DetentionAlert,
    "AlertOut": DetentionAlert,
    "AlertRowOut": DetentionAlert,
    "AlertStatusIn": DetentionAlert,
    "AlertChecklistIn": ChecklistItem,
    "AlertChecklistOut": ChecklistItem,
    "AlertNotificationOut": AlertNotification,
    "StayRequestIn": StayRequest,
    "StayRequestOut": StayRequest,
    "StayRequestPatch": StayRequest,
    "AlertEscalationRef": Escalation,
    "RemovalOrderIn": RemovalOrder,
    "RemovalOrderOut": RemovalOrder,
    "MotionOut": MotionToReopen,
    "MPPCaseIn": MPPCase,
    "MPPCaseOut": MPPCase,
    "MPPCaseUpdate": MPPCase,
    # Family tracing (issue 15).
    "TracingRequestIn": TracingRequest,
    "TracingRequestOut": TracingRequest,
    "TracingRequestSummaryOut": TracingRequest,
    "FoundCandidateOut": TracingCandidate,
    "HeldCandidateOut": TracingCandidate,
    "TracingCandidateOut": TracingCandidate,
}
# ... and the ones that describe no single model (envelopes, references, errors, commands).
NO_MODEL = {
    "CellOut",  # public statistics: a release's cells and tables (JSON inside statistics.Release)
    "TableOut",
    "StatisticsOut",
    "AllocatedCaseOut",
    "AllocationFairnessOut",
    "AllocationOverrideIn",
    "AllocationPublishOut",
    "AllocationRunIn",
    "FamilyTieIn",
    "PlacementDestinationRef",
    "PlacementNextBestOut",
    "AttachmentOut",
    "AuditPage",
    "AuditQuery",
    "DeadlineOut",
    "ErrorOut",
    "EventOut",
    "GrantIn",
    "GrantOut",
    "HouseholdMessageParamsIn",
    "HouseholdPage",
    "MeOut",
    "MessageIn",
    "MessageOut",
    "OfferIn",
    "OfficeRef",
    "OverrideIn",
    "OverrideOut",
    "OwnerOut",
    "PersonPage",
    "ResponseIn",
    "TriageOut",
    "ReferenceOut",  # public statistics: the published reference figures (FCMP, AAP)
    "DatesQuery",
    "ItineraryOut",
    "ReferralOrganisationRef",
    "ScheduleOut",
    "RateOut",
    "OrganisationRatesOut",
    "AlertOfficeRef",
    "MotionDeadlineOut",
    "FileIn",
    "DecisionIn",
    "TracingConsentIn",
    "TracingVerificationIn",
}
# Codes from a fixed vocabulary that is not a model field's choices, by property name, in every schema.
VOCABULARY: dict[str, list[str]] = {
    "languages": list(LANGUAGES),
    "preferred_language": list(LANGUAGES),
    "language": list(LANGUAGES),
    "nationality": list(NATIONALITIES),
    "court": list(COURTS),
    "courts": list(COURTS),
    "immigration_court": list(COURTS),
    "vulnerabilities": list(Vulnerability.values),
    "vulnerability": list(Vulnerability.values),
    "expertise": list(Expertise.values),
    "shared_fields": list(SharedField.values),
}
# The model behind each operation's query and path parameters.
PARAMETER_MODEL: dict[str, type[models.Model]] = {
    "/api/v1/households": Household,
    "/api/v1/persons": Household,
    "/api/v1/escalations": Escalation,
    "/api/v1/escalation-rules/{category}": ResponseRule,
}
UUID_PARAMETERS = {"household_id", "person_id", "escalation_id"}


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    return api.get_openapi_schema()


def _plain(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema without its `| None` and without a list around it."""
    options = [s for s in schema.get("anyOf", [schema]) if s.get("type") != "null"]
    assert len(options) == 1, schema
    plain = options[0]
    return _plain(plain["items"]) if plain.get("type") == "array" else plain


def _model_field(model: type[models.Model], name: str) -> models.Field | None:
    try:
        return model._meta.get_field(name)  # type: ignore[return-value]
    except Exception:
        return None


def _expected_enum(model: type[models.Model] | None, name: str) -> list[Any] | None:
    field = _model_field(model, name) if model else None
    if field is not None and field.choices:
        return [value for value, _label in field.flatchoices]
    return VOCABULARY.get(name)


def _problems(where: str, name: str, schema: dict[str, Any], model: type[models.Model] | None) -> Iterator[str]:
    plain = _plain(schema)
    if "$ref" in plain:
        return
    expected = _expected_enum(model, name)
    if expected is not None:
        enum = plain.get("enum")
        if enum is None:
            yield f"{where}.{name} is a plain {plain.get('type')}, not an enum of {expected[:4]}…"
        elif [v for v in enum if v != ""] != expected:
            yield f"{where}.{name} enum {enum} is not the model's {expected}"
    if plain.get("format") == "time":
        yield f"{where}.{name}: format time requires an offset; a court time has none"
    field = _model_field(model, name) if model else None
    if field is None and name.endswith("_id") and model is not None:
        field = _model_field(model, name[: -len("_id")])
    if field is not None and field.is_relation and not name.endswith("_id"):
        field = None  # a nested view of the related object (e.g. the escalation's person), not its id
    target = field.target_field if field is not None and field.is_relation and field.many_to_one else field
    wanted = {
        models.UUIDField: "uuid",
        models.DateTimeField: "date-time",
        models.DateField: "date",
    }
    for kind, fmt in wanted.items():
        if isinstance(target, kind):
            if plain.get("format") != fmt:
                yield f"{where}.{name} should have format {fmt}, has {plain.get('format')}"
            break
    if isinstance(target, models.TimeField) and "pattern" not in plain:
        yield f"{where}.{name} is a time of day without its HH:MM pattern"


def test_every_schema_is_checked_against_its_model(spec: dict[str, Any]) -> None:
    unknown = set(spec["components"]["schemas"]) - set(MODEL_OF) - NO_MODEL
    assert not unknown, f"Say which model these schemas describe (MODEL_OF) or that none does (NO_MODEL): {unknown}"


def test_every_choice_is_an_enum_and_every_format_right(spec: dict[str, Any]) -> None:
    problems: list[str] = []
    for name, schema in spec["components"]["schemas"].items():
        for prop, prop_schema in schema.get("properties", {}).items():
            problems += _problems(name, prop, prop_schema, MODEL_OF.get(name))
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                where = f"{method.upper()} {path} {parameter['in']}"
                problems += _problems(where, parameter["name"], parameter["schema"], PARAMETER_MODEL.get(path))
                if parameter["name"] in UUID_PARAMETERS and parameter["schema"].get("format") != "uuid":
                    problems.append(f"{where}.{parameter['name']} should have format uuid")
    assert not problems, "\n".join(problems)


def test_the_walker_reports_a_plain_string_or_a_time_with_format_time() -> None:
    categories = [value for value, _label in Escalation._meta.get_field("category").flatchoices]
    assert list(_problems("X", "category", {"type": "string"}, Escalation))
    assert not list(_problems("X", "category", {"type": "string", "enum": categories}, Escalation))
    assert list(_problems("X", "time", {"anyOf": [{"type": "string", "format": "time"}, {"type": "null"}]}, Hearing))
    assert list(_problems("X", "created_at", {"type": "string"}, Escalation))


def test_hearing_time_matches_its_declared_pattern(spec: dict[str, Any]) -> None:
    import datetime as dt
    import re

    from refugio.legal.api import HearingOut

    declared = _plain(spec["components"]["schemas"]["HearingOut"]["properties"]["time"])
    shown = HearingOut.model_validate(
        {
            "id": "6f1c1f3e-9b3a-4d0e-8a53-2f8a4d1a9e10",
            "household_id": "6f1c1f3e-9b3a-4d0e-8a53-2f8a4d1a9e11",
            "court": "ELP",
            "date": dt.date(2027, 2, 1),
            "time": dt.time(9, 30),
            "kind": "master",
            "mode": "in_person",
            "language": "",
            "interpreter_id": None,
        }
    ).model_dump(mode="json")["time"]
    assert shown == "09:30"
    assert re.fullmatch(declared["pattern"], shown)
