"""The household page's one transport line: the next leg (through refugio.disclosure), and the ways to the
printable itinerary and to the destination address form."""

from __future__ import annotations

from typing import Any

from django import template

from refugio.accounts.rules import Verb
from refugio.audit.request import actor_from_request
from refugio.core.errors import NotFound
from refugio.disclosure import disclose_one
from refugio.transport import selectors
from refugio.transport.surfaces import NEXT_LEG

register = template.Library()


@register.inclusion_tag("transport/_line.html", takes_context=True)
def transport_line(context: dict[str, Any], household: Any) -> dict[str, Any]:  # noqa: ANN401
    request = context["request"]
    household_id = household["id"] if isinstance(household, dict) else getattr(household, "id", household)
    try:
        found = selectors.get_transport_household(request.user, household_id)
    except NotFound:
        return {"shown": False}
    ticket = selectors.next_ticket(request.user, found.pk)
    leg = disclose_one(actor_from_request(request, "web"), NEXT_LEG, ticket.pk) if ticket else None
    may_write = selectors.transport_households(request.user, Verb.WRITE).filter(pk=found.pk).exists()
    return {"shown": True, "household_id": found.pk, "leg": leg, "may_write": may_write}
