"""The plan run's review in words and pictures: tier names, and the SVG chart of each port's weeks (drawn by
the pure refugio.planning.chart from numbers and words in the reader's language)."""

from __future__ import annotations

from django import template
from django.utils.formats import date_format, number_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from refugio.planning import chart
from refugio.planning.selectors import DayLoad, PortLoad, tier_label

register = template.Library()


@register.filter
def tier_name(tier: int | None) -> str:
    return tier_label(tier)


def _describe(day: DayLoad, tiers: list[int]) -> str:
    parts = ", ".join(
        f"{tier_label(t)}: {number_format(day.people_by_tier[t])}" for t in tiers if day.people_by_tier.get(t)
    )
    when = date_format(day.date, "DATE_FORMAT")
    if day.closed:
        text = _("%(day)s: closed.") % {"day": when}
    else:
        text = _("%(day)s: %(planned)s people planned of %(capacity)s places.") % {
            "day": when,
            "planned": number_format(day.planned),
            "capacity": number_format(day.capacity),
        }
    return f"{text} {parts}." if parts else text


@register.simple_tag
def week_chart(load: PortLoad, week: list[DayLoad], index: int, tiers: list[int]) -> SafeString:
    """One week of a port: capacity outlines, planned people stacked by tier (pure chart module)."""
    bars = [
        chart.Bar(
            label=date_format(d.date, "D j"),
            capacity=d.capacity,
            parts=tuple(d.people_by_tier.get(t, 0) for t in tiers),
            description=_describe(d, tiers),
            note=_("closed") if d.closed else "",
        )
        for d in week
    ]
    title = _("%(port)s, week from %(day)s: people planned against places") % {
        "port": load.port.name,
        "day": date_format(week[0].date, "DATE_FORMAT") if week else "",
    }
    svg = chart.week_chart(
        chart_id=f"chart-{load.port.id}-{index}",
        title=title,
        series=[tier_label(t) for t in tiers],
        bars=bars,
        capacity_label=_("Places"),
        empty_text=_("Nothing planned."),
        top=load.top,
    )
    return mark_safe(svg)  # noqa: S308 - chart.week_chart escapes every text it writes


@register.simple_tag
def tier_swatch(index: int, tier: int) -> SafeString:
    return mark_safe(chart.swatch(f"legend-{index}", index, tier_label(tier)))  # noqa: S308 - escaped there
