"""The household page's triage and entry panel: priority with its reasons, any override, and why the
household is where it is in the published plan. The page has already checked that the reader may see it."""

from __future__ import annotations

from typing import Any

from django import template

from refugio.accounts.selectors import organisation_ids_for
from refugio.planning.selectors import explain
from refugio.triage.selectors import triage_of
from refugio.triage.services import OVERRIDE_ROLES

register = template.Library()


@register.inclusion_tag("planning/_entry_panel.html", takes_context=True)
def entry_panel(context: dict[str, Any], household: Any) -> dict[str, Any]:  # noqa: ANN401
    triage = triage_of(household)
    user = context["request"].user
    return {
        "household": household,
        "triage": triage,
        "explanation": explain(household, triage.tier, triage.priority),
        "can_override": household.owner_id in organisation_ids_for(user, OVERRIDE_ROLES),
        "csrf_token": context.get("csrf_token"),
    }
