"""The household page's line about shelter: where the household sleeps or will, and a link to place it."""

from __future__ import annotations

from typing import Any

from django import template

from refugio.accounts.rules import Subject, Verb
from refugio.audit.request import actor_from_request
from refugio.disclosure import disclose_many
from refugio.reception import selectors
from refugio.reception.surfaces import HOUSEHOLD_STAY

register = template.Library()


@register.inclusion_tag("reception/_household_line.html", takes_context=True)
def shelter_stay_line(context: dict[str, Any], household: Any) -> dict[str, Any]:  # noqa: ANN401
    request = context["request"]
    household_id = household["id"] if isinstance(household, dict) else household
    stays = disclose_many(actor_from_request(request, "web"), HOUSEHOLD_STAY, selectors.household_stays(household_id))
    may_place = selectors.households_for_stays(request.user, Verb.CREATE).filter(id=household_id).exists()
    return {"stays": stays, "household_id": household_id, "may_place": may_place}


@register.inclusion_tag("reception/_board_links.html", takes_context=True)
def arrivals_board_links(context: dict[str, Any]) -> dict[str, Any]:
    """Links to the arrivals boards of the shelters of the user's own organisations (names only)."""
    user = context["request"].user
    own = selectors.shelters_for_organisations(
        selectors.reception_orgs(user, Subject.SHELTER_STAY, Verb.READ), granted=False
    ).order_by("city", "name")
    return {"shelters": [{"id": s.id, "name": s.name, "city": s.city} for s in own]}
