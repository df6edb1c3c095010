"""The household page's triage and entry panel: priority with its reasons, any override, declared
vulnerabilities waiting for confirmation, and why the household is where it is in the published plan."""

from __future__ import annotations

from typing import Any

from django import template

from refugio.accounts.rules import Subject, Verb
from refugio.accounts.selectors import organisations_where
from refugio.audit.request import actor_from_request
from refugio.disclosure import disclose_one
from refugio.planning.surfaces import PRIORITY_PANEL

register = template.Library()


@register.inclusion_tag("planning/_entry_panel.html", takes_context=True)
def entry_panel(context: dict[str, Any], household_id: Any) -> dict[str, Any]:  # noqa: ANN401
    request = context["request"]
    shown = disclose_one(actor_from_request(request, "web"), PRIORITY_PANEL, household_id)
    return {
        "household": shown,
        "triage": shown,
        "declared": shown["declared"],
        "can_override": shown["owner_id"] in organisations_where(request.user, Subject.TRIAGE, Verb.OVERRIDE),
        "csrf_token": context.get("csrf_token"),
    }
