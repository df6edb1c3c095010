"""The household page's obligations panel: the next few obligations (kind, date, status; no names), a link to
all of them and to the .ics download."""

from __future__ import annotations

from typing import Any

from django import template

from refugio.audit.request import actor_from_request
from refugio.core.errors import NotFound
from refugio.disclosure import disclose_many
from refugio.obligations import selectors
from refugio.obligations.surfaces import PANEL

register = template.Library()


@register.inclusion_tag("obligations/_panel.html", takes_context=True)
def obligations_panel(context: dict[str, Any], household_id: Any) -> dict[str, Any]:  # noqa: ANN401
    request = context["request"]
    try:
        found = selectors.next_obligations(request.user, household_id)
    except NotFound:  # a role that does not read obligations
        return {"shown": False}
    rows = disclose_many(actor_from_request(request, "web"), PANEL, found)
    return {"shown": True, "household_id": household_id, "rows": rows}
