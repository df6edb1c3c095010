"""The household page's rapid-response panel (the report button and the open alerts), and the home pages'
block of open alerts for the user's cases."""

from __future__ import annotations

from typing import Any

from django import template

from refugio.audit.request import actor_from_request
from refugio.core.errors import NotFound
from refugio.disclosure import disclose_many
from refugio.rapidresponse import selectors
from refugio.rapidresponse.surfaces import ALERT_ROW

register = template.Library()
HOME_LIMIT = 10


@register.inclusion_tag("rapidresponse/_panel.html", takes_context=True)
def rapid_response_panel(context: dict[str, Any], household: Any) -> dict[str, Any]:  # noqa: ANN401
    request = context["request"]
    household_id = household["id"] if isinstance(household, dict) else getattr(household, "id", household)
    try:
        selectors.get_household_for_alert(request.user, household_id)
    except NotFound:
        return {"shown": False}
    alerts = selectors.open_alerts_of_household(request.user, household_id)
    # The envelope only (kind, status, reference): nothing personal, so nothing to audit; no disclosure needed.
    rows = [
        {
            "id": a.id,
            "reference": a.reference,
            "kind_label": a.get_kind_display(),
            "status_label": a.get_status_display(),
            "created_at": a.created_at,
        }
        for a in alerts
    ]
    return {"shown": True, "household_id": household_id, "alerts": rows}


@register.inclusion_tag("rapidresponse/_home.html", takes_context=True)
def rapid_response_home(context: dict[str, Any], attorney: bool = False) -> dict[str, Any]:  # noqa: ANN401
    """Open alerts: for an attorney, of the cases they represent; for a caseworker, of their organisation."""
    request = context["request"]
    user = request.user
    found = selectors.open_alerts_for_attorney(user) if attorney else selectors.open_alerts(user)
    return {"alerts": disclose_many(actor_from_request(request, "web"), ALERT_ROW, found[:HOME_LIMIT])}
