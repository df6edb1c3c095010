"""Server-rendered SVG bar charts of a plan: capacity against the people planned, stacked by series (the
priority tiers). Pure: plain numbers and already translated words in, escaped SVG markup out.

Readable without colour: every series has its own pattern as well as its colour (all dark enough to read
against white, 4.5:1 or more), a legend names each series in words, each bar carries its numbers as text
above it, and the chart has a <title> and a <desc> (and role="img") for screen readers. Bars never exceed the
axis: the scale's top is at least the largest capacity and the largest total."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

# Dark colours (each ≥ 4.5:1 against white), and a pattern for each, so no series is told by colour alone.
COLOURS = ("#08519c", "#a63603", "#006d2c", "#54278f", "#4d4d4d", "#8c2d04", "#01665e", "#7a0177")
PATTERNS = ("solid", "stripes", "dots", "grid", "lines", "checks", "vstripes", "crosses")

# Geometry of one chart (a week per chart reads at 360 px: the viewBox is about that wide).
SLOT = 40  # width given to each day
BAR = 26  # width of a bar
LEFT = 30  # room for the axis labels
TOP = 18  # room for the numbers above the bars
PLOT = 110  # height of the plot area
BOTTOM = 34  # room for the day labels under the axis


@dataclass(frozen=True)
class Bar:
    """One day: its capacity, the people planned per series (in the order of the series), a short label under
    the bar, and a sentence that says it all in words (used in the chart's description)."""

    label: str
    capacity: int
    parts: tuple[int, ...]
    description: str = ""
    note: str = ""  # e.g. "closed", shown under the label

    @property
    def planned(self) -> int:
        return sum(self.parts)


def nice_top(value: int) -> int:
    """The smallest 1, 2, 2.5 or 5 × 10^k at or above value (at least 1): the top of the axis."""
    if value <= 1:
        return 1
    power = 10 ** int(math.floor(math.log10(value)))
    for step in (1, 2, 2.5, 5, 10):
        top = step * power
        if top >= value and float(top).is_integer():
            return int(top)
    return 10 * power


def bar_height(value: int, top: int) -> float:
    """Height in the plot of `value` people when the axis goes up to `top` (rounded to 0.01)."""
    if top <= 0:
        return 0.0
    return round(min(value, top) * PLOT / top, 2)


def _pattern(chart_id: str, index: int) -> str:
    colour = COLOURS[index % len(COLOURS)]
    kind = PATTERNS[index % len(PATTERNS)]
    pid = f"{chart_id}-p{index}"
    marks = {
        "solid": "",
        "stripes": '<path d="M-1,1 l2,-2 M0,6 l6,-6 M5,7 l2,-2" stroke="#fff" stroke-width="1.5"/>',
        "dots": '<circle cx="3" cy="3" r="1.3" fill="#fff"/>',
        "grid": '<path d="M0,3 h6 M3,0 v6" stroke="#fff" stroke-width="1"/>',
        "lines": '<path d="M0,3 h6" stroke="#fff" stroke-width="1.5"/>',
        "checks": '<rect x="0" y="0" width="3" height="3" fill="#fff" fill-opacity=".55"/>',
        "vstripes": '<path d="M3,0 v6" stroke="#fff" stroke-width="1.5"/>',
        "crosses": '<path d="M0,0 l6,6 M6,0 l-6,6" stroke="#fff" stroke-width="1"/>',
    }[kind]
    return (
        f'<pattern id="{pid}" width="6" height="6" patternUnits="userSpaceOnUse">'
        f'<rect width="6" height="6" fill="{colour}"/>{marks}</pattern>'
    )


def fill(chart_id: str, index: int) -> str:
    return f"url(#{chart_id}-p{index})"


def swatch(chart_id: str, index: int, label: str) -> str:
    """A small square in the series' colour and pattern, for a legend written in HTML beside the charts."""
    return (
        f'<svg class="swatch" width="18" height="18" viewBox="0 0 18 18" role="img" aria-label="{escape(label)}">'
        f"<defs>{_pattern(chart_id, index)}</defs>"
        f'<rect x="1" y="1" width="16" height="16" fill="{fill(chart_id, index)}" stroke="#1b1b1b"/></svg>'
    )


def week_chart(
    *,
    chart_id: str,
    title: str,
    series: Sequence[str],
    bars: Sequence[Bar],
    capacity_label: str,
    empty_text: str,
    top: int | None = None,
) -> str:
    """One chart: a bar per day, the planned people stacked by series inside an outline as tall as the day's
    capacity. `top` fixes the axis (so several charts of one port compare); by default it fits these bars.
    `chart_id` must be unique in the page (it prefixes every id)."""
    cid = escape(chart_id, quote=True)
    highest = max([0, *(b.capacity for b in bars), *(b.planned for b in bars)])
    top = max(nice_top(highest), top or 0)
    width = LEFT + SLOT * max(len(bars), 1) + 4
    height = TOP + PLOT + BOTTOM
    base = TOP + PLOT
    description = " ".join(b.description for b in bars if b.description) or empty_text
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-labelledby="{cid}-t {cid}-d" data-top="{top}">',
        f'<title id="{cid}-t">{escape(title)}</title>',
        f'<desc id="{cid}-d">{escape(description)}</desc>',
        "<defs>" + "".join(_pattern(cid, i) for i in range(len(series))) + "</defs>",
    ]
    # The axis: 0, half and top, with light grid lines.
    for value in (0, top / 2, top):
        y = round(base - value * PLOT / top, 2)
        text = f"{value:g}"
        out.append(f'<line x1="{LEFT}" x2="{width - 2}" y1="{y}" y2="{y}" stroke="#d0d0d0" stroke-width="1"/>')
        out.append(
            f'<text x="{LEFT - 4}" y="{y + 4}" text-anchor="end" font-size="11" fill="#1b1b1b">{escape(text)}</text>'
        )
    out.append(f'<line x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{base}" stroke="#1b1b1b" stroke-width="1"/>')
    if not bars:
        out.append(
            f'<text x="{LEFT + 8}" y="{TOP + PLOT / 2}" font-size="12" fill="#1b1b1b">{escape(empty_text)}</text>'
        )
    for i, b in enumerate(bars):
        x = LEFT + SLOT * i + (SLOT - BAR) / 2
        centre = LEFT + SLOT * i + SLOT / 2
        out.append(f'<g class="day"><title>{escape(b.description or b.label)}</title>')
        # Stacked parts: each segment's edges are the rounded heights of the running totals, so the stack
        # adds up exactly and its top is the total's height.
        running = 0
        for index, people in enumerate(b.parts):
            if people <= 0:
                continue
            lower = bar_height(running, top)
            running += people
            upper = bar_height(running, top)
            out.append(
                f'<rect class="part" data-series="{index}" data-people="{people}" x="{x}" '
                f'y="{round(base - upper, 2)}" width="{BAR}" height="{round(upper - lower, 2)}" '
                f'fill="{fill(cid, index)}" stroke="#fff" stroke-width="0.75"/>'
            )
        # The capacity: an outline as tall as the day's places (a dashed line when there are none).
        cap_h = bar_height(b.capacity, top)
        out.append(
            f'<rect class="capacity" data-people="{b.capacity}" x="{x - 2}" y="{round(base - cap_h, 2)}" '
            f'width="{BAR + 4}" height="{cap_h}" fill="none" stroke="#1b1b1b" stroke-width="1.5" '
            f'stroke-dasharray="4 2"><title>{escape(capacity_label)}: {b.capacity}</title></rect>'
        )
        figure = f"{b.planned}/{b.capacity}"
        label_y = round(base - max(cap_h, bar_height(b.planned, top)) - 4, 2)
        out.append(
            f'<text x="{centre}" y="{max(label_y, 11)}" text-anchor="middle" font-size="10" '
            f'fill="#1b1b1b">{escape(figure)}</text>'
        )
        out.append(
            f'<text x="{centre}" y="{base + 14}" text-anchor="middle" font-size="11" '
            f'fill="#1b1b1b">{escape(b.label)}</text>'
        )
        if b.note:
            out.append(
                f'<text x="{centre}" y="{base + 28}" text-anchor="middle" font-size="10" '
                f'fill="#1b1b1b">{escape(b.note)}</text>'
            )
        out.append("</g>")
    out.append(f'<line x1="{LEFT}" x2="{width - 2}" y1="{base}" y2="{base}" stroke="#1b1b1b" stroke-width="1"/>')
    out.append("</svg>")
    return "".join(out)
