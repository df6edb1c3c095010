"""Entry rates by group drawn on the server as SVG: a bar per group with its 95% interval as a whisker, and a
dashed line at 80% of the highest group's rate. Readable without JavaScript; the table beside it has the
numbers."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from refugio.disparity.analysis import FOUR_FIFTHS
from refugio.disparity.selectors import ShownGroup

WIDTH, ROW, LABEL, RIGHT, TOP = 360, 22, 120, 44, 6


def rate_chart(groups: Sequence[ShownGroup], title: str, chart_id: str) -> SafeString:
    if not groups:
        return SafeString("")
    plot = WIDTH - LABEL - RIGHT
    height = TOP * 2 + ROW * len(groups)
    parts = []
    reference_rate = next((g.figures["entry_rate"]["estimate"] for g in groups if g.figures["reference"]), None)
    for i, group in enumerate(groups):
        rate = group.figures["entry_rate"]
        y = TOP + i * ROW
        colour = "#a4262c" if group.figures["flagged"] else "#1f5f8b"
        parts.append(
            format_html(
                '<text x="{}" y="{}" font-size="11" text-anchor="end">{}</text>'
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>'
                '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#1b1b1b" stroke-width="1.5"/>'
                '<text x="{}" y="{}" font-size="11">{}%</text>',
                LABEL - 6,
                y + ROW * 0.65,
                group.label[:22],
                LABEL,
                y + 4,
                round(plot * rate["estimate"], 1),
                ROW - 8,
                colour,
                round(LABEL + plot * (rate["low"] or 0), 1),
                y + ROW / 2,
                round(LABEL + plot * (rate["high"] if rate["high"] is not None else 1), 1),
                y + ROW / 2,
                LABEL + plot + 4,
                y + ROW * 0.65,
                round(rate["estimate"] * 100),
            )
        )
    if reference_rate:
        x = round(LABEL + plot * FOUR_FIFTHS * reference_rate, 1)
        parts.append(
            format_html(
                '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#1b1b1b" stroke-dasharray="4 3"/>',
                x,
                TOP,
                x,
                height - TOP,
            )
        )
    return format_html(
        '<svg class="chart" role="img" aria-labelledby="{}" viewBox="0 0 {} {}" width="100%">'
        '<title id="{}">{}</title>{}</svg>',
        chart_id,
        WIDTH,
        height,
        chart_id,
        title,
        format_html_join("", "{}", ((p,) for p in parts)),
    )
