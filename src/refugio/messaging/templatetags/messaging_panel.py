"""The household page's messages panel: counts and states only (no text, no number), and the way to the
household's messages page."""

from __future__ import annotations

from typing import Any

from django import template

from refugio.core.errors import NotFound
from refugio.messaging import page_selectors
from refugio.messaging.selectors import get_message_household

register = template.Library()


@register.inclusion_tag("messaging/_panel.html", takes_context=True)
def messaging_panel(context: dict[str, Any], household_id: Any) -> dict[str, Any]:  # noqa: ANN401
    user = context["request"].user
    try:
        household = get_message_household(user, household_id)
    except NotFound:
        return {"shown": False}
    return {"shown": True, "household_id": household.id, **page_selectors.household_summary(user, household.id)}
