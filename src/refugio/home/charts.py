"""Bar charts drawn on the server as SVG: readable without JavaScript, scaled to any width by the viewBox.

A count below the small-count threshold is drawn as no bar and labelled "<5", like the table beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

WIDTH, HEIGHT = 320, 160
TOP, BOTTOM, LEFT = 18, 34, 4


@dataclass(frozen=True)
class ChartBar:
    label: str  # under the bar, already in the reader's words
    count: int
    shown: str  # the count as written: "12", "<5"
    suppressed: bool


def bar_chart(bars: Sequence[ChartBar], title: str, chart_id: str) -> SafeString:
    """An SVG bar chart; `title` names it for screen readers (the table next to it has the numbers)."""
    usable = WIDTH - LEFT * 2
    step = usable / max(len(bars), 1)
    bar_width = max(step * 0.7, 2)
    tallest = max((b.count for b in bars if not b.suppressed), default=0) or 1
    plot = HEIGHT - TOP - BOTTOM
    parts = []
    for i, bar in enumerate(bars):
        x = LEFT + i * step + (step - bar_width) / 2
        centre = x + bar_width / 2
        height = 0.0 if bar.suppressed else plot * bar.count / tallest
        y = TOP + plot - height
        if height:
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" class="bar"></rect>',
                    f"{x:.1f}",
                    f"{y:.1f}",
                    f"{bar_width:.1f}",
                    f"{height:.1f}",
                )
            )
        parts.append(
            format_html('<text x="{}" y="{}" class="value">{}</text>', f"{centre:.1f}", f"{y - 4:.1f}", bar.shown)
        )
        parts.append(
            format_html(
                '<text x="{}" y="{}" class="label">{}</text>', f"{centre:.1f}", f"{HEIGHT - BOTTOM + 14:.1f}", bar.label
            )
        )
    baseline = format_html(
        '<line x1="{}" x2="{}" y1="{}" y2="{}" class="axis"></line>', LEFT, WIDTH - LEFT, TOP + plot, TOP + plot
    )
    return format_html(
        '<svg class="home-chart" viewBox="0 0 {} {}" role="img" aria-labelledby="{}">'
        '<title id="{}">{}</title>{}{}</svg>',
        WIDTH,
        HEIGHT,
        chart_id,
        chart_id,
        title,
        baseline,
        format_html_join("", "{}", ((p,) for p in parts)),
    )
