"""Daily bar charts drawn on the server as inline SVG: no script, no CDN, readable without CSS.

A chart is three SVGs side by side, so its words keep their size on any screen: the y-axis
labels in a column of their own, the bars stretched to whatever width is left, and the dates
under them placed by percentage. Only the bars scale; text never does. The dates come in two
rows, for wide screens and for phones (the CSS shows one): a phone has room for fewer.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import date

from markupsafe import Markup, escape

HEIGHT, TOP, BOTTOM = 180, 10, 2  # the bars' area, in CSS pixels
DATES_HEIGHT = 20
FONT_PX = 12  # static/css/staff.css draws .chart__axis at this size
CHAR_PX = 0.62 * FONT_PX  # an average character's width, to fit the labels
# The y-axis column's least width, so charts above one another line their days up.
AXIS_PX = 64
# A month's first day is labelled unless it falls this close to the last day (always labelled).
ROOM_BEFORE_LAST = {"wide": 5, "narrow": 16}


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2 or 5 × 10ⁿ at or above value, so gridlines fall on round numbers."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def date_labels(days: Sequence[date], room: int) -> list[tuple[int, str]]:
    """(index, anchor) of the days to label: each month's first day, the first day shown when
    no 1st follows closely, and always the last day, which ends at the right edge."""
    last = len(days) - 1
    if last < 0:
        return []
    labels = [
        (index, "start")
        for index, day in enumerate(days[:last])
        if (day.day == 1 or (index == 0 and day.day <= 21)) and last - index >= room
    ]
    return [*labels, (last, "end")]


def bar_chart(
    days: Sequence[date],
    values: Sequence[int],
    *,
    label: str,
    describe: Callable[[int], str],
    css_class: str,
) -> Markup:
    """One bar per day with three gridlines; each bar's <title> gives its exact value.

    `describe` turns a value into the words shown on the axis and in tooltips (money or a count).
    """
    top = nice_ceiling(max(values, default=0))
    plot = HEIGHT - TOP - BOTTOM
    ticks = [(TOP + plot * (1 - share), describe(round(top * share))) for share in (0, 0.5, 1)]
    axis_width = max(AXIS_PX, math.ceil(max(len(text) for _, text in ticks) * CHAR_PX) + 10)
    count = max(len(days), 1)

    y_axis = [
        f'<svg class="chart__y" width="{axis_width}" height="{HEIGHT}" aria-hidden="true" '
        'xmlns="http://www.w3.org/2000/svg">'
    ]
    y_axis += [
        f'<text class="chart__axis" x="{axis_width - 6}" y="{y + 4:.1f}" text-anchor="end">'
        f"{escape(text)}</text>"
        for y, text in ticks
    ]
    bars = [
        f'<svg class="chart__bars" viewBox="0 0 {count} {HEIGHT}" preserveAspectRatio="none" '
        f'role="img" aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(label)}</title>",
    ]
    bars += [
        f'<line class="chart__grid" x1="0" x2="{count}" y1="{y:.1f}" y2="{y:.1f}" '
        'vector-effect="non-scaling-stroke"/>'
        for y, _ in ticks
    ]
    for index, (day, value) in enumerate(zip(days, values, strict=True)):
        height = plot * value / top
        bars.append(
            f'<rect class="chart__bar" x="{index + 0.1:.1f}" y="{TOP + plot - height:.1f}" '
            f'width="0.8" height="{height:.1f}">'
            f"<title>{day:%-d %b}: {escape(describe(value))}</title></rect>"
        )
    parts = ['<div class="chart-plot">', *bars, "</svg>"]
    for layout, room in ROOM_BEFORE_LAST.items():
        parts.append(
            f'<svg class="chart__dates chart__dates--{layout}" width="100%" '
            f'height="{DATES_HEIGHT}" aria-hidden="true" xmlns="http://www.w3.org/2000/svg">'
        )
        for index, anchor in date_labels(days, room):
            x = 100 if anchor == "end" else 100 * index / count
            parts.append(
                f'<text class="chart__axis" x="{x:.2f}%" y="{DATES_HEIGHT - 5}" '
                f'text-anchor="{anchor}">{days[index]:%-d %b}</text>'
            )
        parts.append("</svg>")
    parts.append("</div>")
    chart = [f'<div class="chart {escape(css_class)}">', *y_axis, "</svg>", *parts, "</div>"]
    # Safe: every piece of text above went through escape().
    return Markup("".join(chart))  # noqa: S704


def share_chart(labels: Sequence[str], shares: Sequence[float | None], *, label: str) -> Markup:
    """One bar per step (a cohort's month of age) from 0 to 100 %, built like bar_chart: the
    axis in its own column, the bars stretched, the labels placed by percentage (every one on
    wide screens, every other on phones). A step with no value yet has no bar."""
    count = max(len(labels), 1)
    plot = HEIGHT - TOP - BOTTOM
    ticks = [(TOP + plot * (1 - share), f"{round(share * 100)} %") for share in (0, 0.5, 1)]
    y_axis = [
        f'<svg class="chart__y" width="{AXIS_PX}" height="{HEIGHT}" aria-hidden="true" '
        'xmlns="http://www.w3.org/2000/svg">',
        *(
            f'<text class="chart__axis" x="{AXIS_PX - 6}" y="{y + 4:.1f}" text-anchor="end">'
            f"{escape(text)}</text>"
            for y, text in ticks
        ),
        "</svg>",
    ]
    bars = [
        f'<svg class="chart__bars" viewBox="0 0 {count} {HEIGHT}" preserveAspectRatio="none" '
        f'role="img" aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(label)}</title>",
        *(
            f'<line class="chart__grid" x1="0" x2="{count}" y1="{y:.1f}" y2="{y:.1f}" '
            'vector-effect="non-scaling-stroke"/>'
            for y, _ in ticks
        ),
    ]
    for index, (name, share) in enumerate(zip(labels, shares, strict=True)):
        if share is None:
            continue
        height = plot * share
        bars.append(
            f'<rect class="chart__bar" x="{index + 0.15:.2f}" y="{TOP + plot - height:.1f}" '
            f'width="0.7" height="{height:.1f}">'
            f"<title>{escape(name)}: {share:.0%}</title></rect>"
        )
    bars.append("</svg>")
    for layout, every in (("wide", 1), ("narrow", 2)):
        bars.append(
            f'<svg class="chart__dates chart__dates--{layout}" width="100%" '
            f'height="{DATES_HEIGHT}" aria-hidden="true" xmlns="http://www.w3.org/2000/svg">'
        )
        bars += [
            f'<text class="chart__axis" x="{100 * (index + 0.5) / count:.2f}%" '
            f'y="{DATES_HEIGHT - 5}" text-anchor="middle">{escape(name)}</text>'
            for index, name in enumerate(labels)
            if index % every == every - 1
        ]
        bars.append("</svg>")
    chart = ['<div class="chart chart--share">', *y_axis, '<div class="chart-plot">', *bars]
    chart.append("</div></div>")
    # Safe: every piece of text above went through escape().
    return Markup("".join(chart))  # noqa: S704
