"""The household page's one line about case management: the plan, its next check-in, open outreach, links."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from refugio.accounts.rules import Verb
from refugio.audit.request import actor_from_request
from refugio.casemanagement import selectors
from refugio.casemanagement.surfaces import HOUSEHOLD_PANEL
from refugio.core.errors import NotFound
from refugio.disclosure import disclose_many

register = template.Library()


@register.inclusion_tag("casemanagement/_panel.html", takes_context=True)
def case_plan_line(context: dict[str, Any], household: Any) -> dict[str, Any]:  # noqa: ANN401
    request = context["request"]
    household_id = household["id"] if isinstance(household, dict) else household
    try:
        found = selectors.get_plan_household(request.user, household_id)
    except NotFound:
        return {"shown": False}
    plan = selectors.visible_plans(request.user).filter(household=found, status="active")
    shown = disclose_many(actor_from_request(request, "web"), HOUSEHOLD_PANEL, plan[:1])
    may_write = selectors.plan_households(request.user, Verb.WRITE).filter(pk=found.pk).exists()
    may_record = selectors.plan_households(request.user, Verb.CREATE).filter(pk=found.pk).exists()
    return {
        "shown": True,
        "household_id": found.id,
        "plan": shown[0] if shown else None,
        "may_write": may_write,
        "may_record": may_record,
    }


@register.inclusion_tag("casemanagement/_home.html", takes_context=True)
def case_plan_home(context: dict[str, Any]) -> dict[str, Any]:
    """The caseworker home's block: how many check-ins are due this week and how much outreach is open on the
    user's plans (counts only), and the way to the list."""
    user = context["request"].user
    outreach = selectors.my_open_outreach(user).count()
    due = selectors.my_check_ins_due(user, timezone.localdate()).count()
    return {
        "shown": bool(outreach or due or selectors.visible_plans(user).filter(caseworker_id=user.pk).exists()),
        "outreach": outreach,
        "due": due,
    }
