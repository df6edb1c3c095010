"""SVG charts for the public statistics page, drawn on the server: no JavaScript, scaled by the viewBox to
any width (360 px phones included). Pure: already translated words and published numbers in, escaped markup
out. A hidden cell draws no bar and a dash (the description and the text table under each chart say why)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

WIDTH, HEIGHT = 340, 170
TOP, BOTTOM, LEFT, RIGHT = 16, 36, 34, 6
INK = "#1b1b1b"
BAR_FILL = "#08519c"  # 8.6:1 against white


@dataclass(frozen=True)
class Point:
    label: str  # under the bar or the step, in the reader's words
    value: float | None  # None: hidden or not measured
    shown: str  # as written: "12", "<5", "—"


def _mark(point: Point) -> str:
    """What is written on the chart: the number, or a dash for a hidden one (the description and the table
    under the chart say it in words; words would overlap on a narrow chart)."""
    return point.shown if point.value is not None else "–"


def _top(values: Sequence[float]) -> float:
    highest = max([1.0, *values])
    for step in (1, 2, 2.5, 5, 10):
        magnitude = 10 ** (len(str(int(highest))) - 1)
        if step * magnitude >= highest:
            return float(step * magnitude)
    return highest


def _frame(chart_id: str, title: str, description: str, top: float, unit: str) -> list[str]:
    cid = escape(chart_id, quote=True)
    base = HEIGHT - BOTTOM
    plot = base - TOP
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-labelledby="{cid}-t {cid}-d">',
        f'<title id="{cid}-t">{escape(title)}</title><desc id="{cid}-d">{escape(description)}</desc>',
    ]
    for value in (0, top / 2, top):
        y = round(base - value * plot / top, 1)
        out.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y}" y2="{y}" stroke="#d0d0d0"/>')
        out.append(
            f'<text x="{LEFT - 3}" y="{y + 4}" text-anchor="end" font-size="10" fill="{INK}">{value:g}{unit}</text>'
        )
    out.append(f'<line x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{base}" stroke="{INK}"/>')
    out.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{base}" y2="{base}" stroke="{INK}"/>')
    return out


def bar_chart(points: Sequence[Point], *, chart_id: str, title: str, unit: str = "") -> str:
    """One bar per point, its number written above it."""
    top = _top([p.value for p in points if p.value is not None])
    base = HEIGHT - BOTTOM
    plot = base - TOP
    description = "; ".join(f"{p.label}: {p.shown}" for p in points)
    out = _frame(chart_id, title, description, top, unit)
    step = (WIDTH - LEFT - RIGHT) / max(len(points), 1)
    width = max(min(step * 0.7, 40), 2)
    for i, p in enumerate(points):
        centre = LEFT + step * i + step / 2
        height = 0.0 if p.value is None else round(p.value * plot / top, 1)
        if height:
            out.append(
                f'<rect x="{round(centre - width / 2, 1)}" y="{round(base - height, 1)}" width="{round(width, 1)}" '
                f'height="{height}" fill="{BAR_FILL}"/>'
            )
        out.append(
            f'<text x="{round(centre, 1)}" y="{round(base - height - 3, 1)}" text-anchor="middle" font-size="10" '
            f'fill="{INK}">{escape(_mark(p))}</text>'
        )
        out.append(
            f'<text x="{round(centre, 1)}" y="{base + 13}" text-anchor="middle" font-size="9" '
            f'fill="{INK}">{escape(p.label)}</text>'
        )
    out.append("</svg>")
    return "".join(out)


def step_chart(points: Sequence[Point], *, chart_id: str, title: str) -> str:
    """A Kaplan–Meier curve read at fixed days: the share still waiting (0–100 %), as steps between the
    published points; a hidden point breaks the line."""
    base = HEIGHT - BOTTOM
    plot = base - TOP
    description = "; ".join(f"{p.label}: {p.shown}" for p in points)
    out = _frame(chart_id, title, description, 100, "%")
    step = (WIDTH - LEFT - RIGHT) / max(len(points), 1)
    previous: tuple[float, float] | None = None
    for i, p in enumerate(points):
        x = round(LEFT + step * i + step / 2, 1)
        if p.value is None:
            previous = None
        else:
            y = round(base - p.value * plot / 100, 1)
            if previous is not None:
                out.append(
                    f'<path d="M{previous[0]},{previous[1]} H{x} V{y}" fill="none" '
                    f'stroke="{BAR_FILL}" stroke-width="2"/>'
                )
            out.append(f'<circle cx="{x}" cy="{y}" r="3" fill="{BAR_FILL}"/>')
            previous = (x, y)
        label_y = base - 4 if p.value is None else round(base - p.value * plot / 100 - 6, 1)
        out.append(
            f'<text x="{x}" y="{max(label_y, 10)}" text-anchor="middle" font-size="10" '
            f'fill="{INK}">{escape(_mark(p))}</text>'
        )
        out.append(
            f'<text x="{x}" y="{base + 13}" text-anchor="middle" font-size="9" fill="{INK}">{escape(p.label)}</text>'
        )
    out.append("</svg>")
    return "".join(out)
