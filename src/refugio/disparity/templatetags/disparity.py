"""The plan review's fairness panel: `{% plan_disparity_panel run %}` on the planning pages. A tag, so that the
planning app never imports disparity monitoring (an import contract forbids it)."""

from __future__ import annotations

from typing import Any

from django import template

from refugio.disparity.selectors import plan_disparity
from refugio.planning.models import PlanRun, PlanStatus

register = template.Library()

REVIEWABLE = (PlanStatus.READY, PlanStatus.PUBLISHED, PlanStatus.SUPERSEDED)


@register.inclusion_tag("disparity/_plan_panel.html")
def plan_disparity_panel(run: PlanRun) -> dict[str, Any]:
    if run.status not in REVIEWABLE:
        return {"check": None}
    return {"check": plan_disparity(run)}


@register.filter
def percent(value: float | None) -> str:
    return "—" if value is None else f"{round(value * 100)}%"


@register.filter
def ratio(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


@register.filter
def days(value: float | None) -> str:
    return "—" if value is None else f"{round(value)}"
