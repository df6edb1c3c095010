from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from refugio.audit.models import Action, AuditEvent
from refugio.audit.selectors import visible_audit_events

# The audit trail in words: what was done, to what, which fields. Codes stay in the log (and the API).
ACTIONS: dict[str, Any] = {
    Action.CREATE: _("created"),
    Action.UPDATE: _("changed"),
    Action.DELETE: _("deleted"),
    Action.READ: _("read"),
    Action.SHARE: _("shared"),
    Action.REVOKE: _("revoked"),
    Action.SIGN_IN: _("signed in"),
    Action.TOKEN: _("API token"),
}
OBJECTS = {
    "household": _("Household"),
    "person": _("Person"),
    "consent": _("Consent"),
    "sharing_grant": _("Sharing"),
    "duplicate_flag": _("Possible duplicate"),
    "household_merge": _("Merge of households"),
    "hearing": _("Hearing"),
    "representation": _("Representation"),
    "representative": _("Roster entry"),
    "deadline": _("Filing deadline"),
    "escalation": _("Escalation"),
    "escalation_attachment": _("Escalation attachment"),
    "appointment": _("Entry appointment"),
    "arrival": _("Arrival"),
    "priority": _("Priority"),
    "triage_policy": _("Triage policy"),
    "response_rule": _("Response deadline rule"),
    "plan": _("Entry plan"),
    "allocation": _("Allocation"),
    "allocated_case": _("Allocated case"),
    "capacity": _("Capacity"),
    "port_capacity": _("Port capacity"),
    "screening_capacity": _("Screening capacity"),
    "shelter_beds": _("Shelter beds"),
    "encryption_keys": _("Encryption keys"),
    "message": _("Message"),
}
FIELDS = {
    "given_names": _("Given names"),
    "first_family_name": _("First family name"),
    "second_family_name": _("Second family name"),
    "full_name": _("Name"),
    "head_name": _("Name of the head of household"),
    "date_of_birth": _("Date of birth"),
    "date_of_birth_estimated": _("Date of birth estimated"),
    "sex": _("Sex"),
    "nationality": _("Nationality"),
    "languages": _("Languages"),
    "relationship_to_head": _("Relationship"),
    "a_number": _("A-number"),
    "arrival_date": _("Arrival date"),
    "immigration_court": _("Immigration court"),
    "next_hearing_date": _("Next hearing date"),
    "vulnerabilities": _("Vulnerabilities"),
    "narrative": _("Narrative"),
    "notes": _("Notes"),
    "registration_code": _("Registration code"),
    "status": _("Status"),
    "current_city": _("Current city"),
    "in_shelter": _("In a shelter"),
    "shelter_name": _("Shelter"),
    "contact_phone": _("Phone"),
    "contact_whatsapp": _("WhatsApp"),
    "preferred_language": _("Preferred language"),
    "ready_on": _("Ready to enter on"),
    "member_count": _("Number of people"),
    "members": _("Members"),
    "household_id": _("Household"),
    "summary": _("Summary"),
    "messages": _("Messages"),
    "events": _("History"),
    "file": _("File"),
    "court": _("Court"),
    "date": _("Date"),
    "time": _("Time"),
    "kind": _("Type"),
    "mode": _("Mode"),
    "language": _("Language"),
    "interpreter": _("Interpreter"),
    "interpreter_id": _("Interpreter"),
    "uncovered": _("What is missing"),
    "offered_at": _("Offered on"),
    "responded_at": _("Answered on"),
    "decline_reason": _("Reason for declining"),
    "asylum_filing_deadline": _("Asylum filing deadline"),
    "tier": _("Priority tier"),
    "priority": _("Priority"),
    "reasons": _("Reasons"),
    "override": _("Override"),
    "appointment": _("Entry appointment"),
    "people": _("Number of people"),
    "purpose": _("Purpose"),
    "method": _("Method"),
    "given_at": _("Given on"),
    "withdrawn_at": _("Withdrawn on"),
    "organisation": _("Organisation"),
    "expires_at": _("Expires on"),
    "revoked_at": _("Revoked on"),
    "person": _("Person"),
    "candidate": _("Possible duplicate"),
    "channel": _("Channel"),
    "template": _("Message"),
    "to": _("Recipient"),
}
CHANNELS = {
    "web": _("web"),
    "api": _("API"),
    "cli": _("command line"),
    "system": _("Refugio itself"),
    "sms": _("text message"),
    "whatsapp": _("WhatsApp"),
}


def _field_words(name: str) -> str:
    """A field key in words: person fields shared in an escalation are "person.<field>"."""
    prefix, _dot, rest = name.rpartition(".")
    words = FIELDS.get(rest)
    shown = str(words) if words is not None else rest.replace("_", " ").capitalize()
    if prefix == "person":
        return f"{shown} ({OBJECTS['person']})"
    return shown


def _short_reference(object_type: str, object_id: str) -> str:
    """A UUID as its first eight digits (ESC-… for escalations, like their pages); other ids as they are."""
    try:
        value = uuid.UUID(object_id)
    except ValueError:
        return object_id if len(object_id) <= 16 else object_id[:12] + "…"
    if object_type == "escalation":
        return "ESC-" + value.hex[:8].upper()
    return value.hex[:8].upper()


def _link(event: AuditEvent) -> str:
    """The page of the object, where there is one (it answers 404 to whoever may not see it)."""
    try:
        key = uuid.UUID(event.object_id)
    except ValueError:
        return ""
    if event.object_type == "household":
        return reverse("people:household", args=[key])
    if event.object_type == "escalation":
        return reverse("escalations:detail", args=[key])
    return ""


def event_in_words(event: AuditEvent) -> dict[str, Any]:
    return {
        "id": event.id,
        "occurred_at": event.occurred_at,
        "actor_name": event.actor_name,
        "action": str(ACTIONS.get(event.action, event.action)),
        "object": str(OBJECTS.get(event.object_type, event.object_type.replace("_", " ").capitalize())),
        "reference": _short_reference(event.object_type, event.object_id),
        "link": _link(event),
        "fields": [_field_words(f) for f in event.fields],
        "channel": str(CHANNELS.get(event.channel, event.channel)),
        "ip_address": event.ip_address,
    }


@login_required
def events(request: HttpRequest) -> HttpResponse:
    page = Paginator(visible_audit_events(request.user), 100).get_page(request.GET.get("page"))
    return render(request, "audit/events.html", {"page": page, "rows": [event_in_words(e) for e in page]})
