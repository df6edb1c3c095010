"""The household page's referrals panel: each referral's service, organisation and state (no personal field),
and the way to refer the household to a service."""

from __future__ import annotations

from typing import Any

from django import template

from refugio.audit.request import actor_from_request
from refugio.core.errors import NotFound
from refugio.disclosure import disclose_many
from refugio.referrals import selectors
from refugio.referrals.models import ReferralStatus
from refugio.referrals.surfaces import HOUSEHOLD_PANEL

register = template.Library()


@register.inclusion_tag("referrals/_panel.html", takes_context=True)
def referrals_panel(context: dict[str, Any], household: Any) -> dict[str, Any]:  # noqa: ANN401
    request = context["request"]
    household_id = household["id"] if isinstance(household, dict) else household
    found = selectors.household_referrals(request.user, household_id)
    try:
        selectors.get_household_to_refer(request.user, household_id)
        may_refer = True
    except NotFound:
        may_refer = False
    shown = disclose_many(actor_from_request(request, "web"), HOUSEHOLD_PANEL, found)
    return {"shown": bool(shown) or may_refer, "referrals": shown, "may_refer": may_refer, "household_id": household_id}


@register.inclusion_tag("referrals/_home.html", takes_context=True)
def referrals_home(context: dict[str, Any]) -> dict[str, Any]:
    """The staff home page's line: how many referrals received wait for an answer (a count, never a person)."""
    return {"waiting": selectors.received_referrals(context["request"].user).filter(status=ReferralStatus.SENT).count()}
