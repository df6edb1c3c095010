"""The household page's line about removal orders (each order's deadline in days left, the MPP phase, the way
to the remedies page), and the days left in words."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from refugio.audit.request import actor_from_request
from refugio.core.errors import NotFound
from refugio.disclosure import disclose_many
from refugio.remedies import selectors
from refugio.remedies.models import MPPPhase
from refugio.remedies.surfaces import ORDER_HOME, ORDER_PANEL

register = template.Library()


@register.filter
def days_left_words(days: int | None) -> str:
    if days is None:
        return ""
    if days < 0:
        return ngettext("the deadline passed %(count)s day ago", "the deadline passed %(count)s days ago", -days) % {
            "count": -days
        }
    if days == 0:
        return _("due today")
    return ngettext("%(count)s day left", "%(count)s days left", days) % {"count": days}


@register.inclusion_tag("remedies/_panel.html", takes_context=True)
def remedies_panel(context: dict[str, Any], household_id: Any) -> dict[str, Any]:  # noqa: ANN401
    request = context["request"]
    try:
        household = selectors.get_remedy_case(request.user, household_id)
    except NotFound:
        return {"shown": False}
    orders = disclose_many(
        actor_from_request(request, "web"), ORDER_PANEL, selectors.orders_of(request.user, household.id)
    )
    phase = selectors.mpp_phase_by_household([household.id]).get(household.id)
    return {
        "shown": True,
        "household_id": household.id,
        "orders": orders,
        "phase": MPPPhase(phase).label if phase else "",
    }


@register.inclusion_tag("remedies/_home.html", takes_context=True)
def remedies_home(context: dict[str, Any]) -> dict[str, Any]:
    """The home page's card: motions to reopen due within 30 days, and the way to the triage queue."""
    request = context["request"]
    due = selectors.motions_due_soon(request.user, timezone.localdate())[:10]
    return {"orders": disclose_many(actor_from_request(request, "web"), ORDER_HOME, due)}
