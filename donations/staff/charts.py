"""Daily bar charts drawn on the server as inline SVG: no script, no CDN, readable without CSS."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import date

from markupsafe import Markup, escape

WIDTH, HEIGHT = 900, 200
LEFT, RIGHT, TOP, BOTTOM = 64, 8, 12, 28


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2 or 5 × 10ⁿ at or above value, so gridlines fall on round numbers."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def bar_chart(
    days: Sequence[date],
    values: Sequence[int],
    *,
    label: str,
    describe: Callable[[int], str],
    css_class: str,
) -> Markup:
    """An SVG of one bar per day with three gridlines; each bar's <title> gives its exact value.

    `describe` turns a value into the words shown on the axis and in tooltips (money or a count).
    """
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    top = nice_ceiling(max(values, default=0))
    slot = plot_width / max(len(days), 1)
    parts = [
        f'<svg class="chart {escape(css_class)}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(label)}" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(label)}</title>",
    ]
    for share in (0, 0.5, 1):
        y = TOP + plot_height * (1 - share)
        parts.append(
            f'<line class="chart__grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" '
            f'y1="{y:.1f}" y2="{y:.1f}"/>'
        )
        parts.append(
            f'<text class="chart__axis" x="{LEFT - 8}" y="{y + 4:.1f}" text-anchor="end">'
            f"{escape(describe(round(top * share)))}</text>"
        )
    for index, (day, value) in enumerate(zip(days, values, strict=True)):
        height = plot_height * value / top
        x = LEFT + index * slot
        parts.append(
            f'<rect class="chart__bar" x="{x + 0.5:.1f}" y="{TOP + plot_height - height:.1f}" '
            f'width="{max(slot - 1.5, 1):.1f}" height="{height:.1f}">'
            f"<title>{day:%-d %b}: {escape(describe(value))}</title></rect>"
        )
        # The 1st of each month, and the first day when no 1st follows closely.
        if day.day == 1 or (index == 0 and day.day <= 21):
            parts.append(
                f'<text class="chart__axis" x="{x:.1f}" y="{HEIGHT - 8}">{day:%-d %b}</text>'
            )
    parts.append("</svg>")
    # Safe: every piece of text above went through escape().
    return Markup("".join(parts))  # noqa: S704
