"""The creator dashboard's earnings chart: integer SVG geometry, no floats and no JavaScript."""

from __future__ import annotations

import dataclasses
import datetime as dt

from tips.dashboards.selectors import MonthEarnings


@dataclasses.dataclass(frozen=True)
class Bar:
    month: dt.date
    amount_cents: int
    readers: int
    x: int
    y: int
    height: int
    label_x: int


CHART_WIDTH = 720


CHART_HEIGHT = 240


CHART_TOP = 16


CHART_BOTTOM = 32  # room for month labels


def earnings_chart(earnings: list[MonthEarnings]) -> dict:
    """Integer geometry of an SVG bar chart of ``earnings`` (no floats, no JavaScript)."""
    slot = CHART_WIDTH // max(1, len(earnings))
    bar_width = max(4, slot * 6 // 10)
    plot_height = CHART_HEIGHT - CHART_TOP - CHART_BOTTOM
    largest = max((e.amount_cents for e in earnings), default=0)
    bars = []
    for index, e in enumerate(earnings):
        height = e.amount_cents * plot_height // largest if largest else 0
        if e.amount_cents and height < 2:
            height = 2  # a tiny amount stays visible
        x = index * slot + (slot - bar_width) // 2
        bars.append(
            Bar(
                month=e.month,
                amount_cents=e.amount_cents,
                readers=e.readers,
                x=x,
                y=CHART_TOP + plot_height - height,
                height=height,
                label_x=index * slot + slot // 2,
            )
        )
    return {
        "bars": bars,
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "bar_width": bar_width,
        "baseline": CHART_TOP + plot_height,
        "label_y": CHART_HEIGHT - 10,
        "largest_cents": largest,
        "total_cents": sum(e.amount_cents for e in earnings),
    }
