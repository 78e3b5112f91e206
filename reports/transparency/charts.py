"""Charts drawn on the server as SVG, so they need no script, no library and no CDN, and print as they show.

A chart here is only geometry in the SVG's own units (a viewBox CHART_WIDTH wide); templates/transparency/
_month_chart.html draws it, names the series in the page's language, and the page puts the figures in a table
below it for screen readers and for copying.
"""

import datetime
import math
from dataclasses import dataclass, field

CHART_WIDTH = 600
# Tall for its width: the chart scales down with a phone's width, and must stay readable there.
CHART_HEIGHT = 280
CHART_TOP = 20
CHART_BOTTOM = 34
# A label ("03/26") is about LABEL_WIDTH units wide at the page's font size: past MAX_LABELS they would touch, so
# beyond it only every n-th month is labelled (the table below the chart names every month).
LABEL_WIDTH = 56
MAX_LABELS = 6
# Share of a month's width taken by its bars; the rest keeps months apart.
BARS_SHARE = 0.76


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: int
    series: str
    month: datetime.date


@dataclass
class Label:
    x: float
    month: datetime.date
    anchor: str = "middle"  # SVG text-anchor: an edge month's label ends at the chart's edge rather than past it


@dataclass
class Chart:
    width: int
    height: int
    series: tuple = ()
    bars: list = field(default_factory=list)
    labels: list = field(default_factory=list)
    maximum: int = 0
    baseline: float = 0
    top: float = CHART_TOP


def month_chart(months: list, values: dict[str, list[int]]) -> Chart:
    """Grouped bars, one group per month (oldest first), one bar per series in the order of `values`.

    `months` are the months' first days (dates or datetimes); `values` maps a series name (a CSS class and a
    legend key: received, handled, overdue) to one number per month. Every series shares one scale.
    """
    series = tuple(values)
    chart = Chart(CHART_WIDTH, CHART_HEIGHT, series=series, baseline=CHART_HEIGHT - CHART_BOTTOM)
    chart.maximum = max([1, *(value for numbers in values.values() for value in numbers)])
    plot = chart.baseline - CHART_TOP
    group = CHART_WIDTH / max(len(months), 1)
    bar = group * BARS_SHARE / max(len(series), 1)
    margin = group * (1 - BARS_SHARE) / 2
    # Label the latest month always, and every step-th one before it.
    step = math.ceil(len(months) / MAX_LABELS) if months else 1
    for i, month in enumerate(months):
        x = i * group + margin
        for j, name in enumerate(series):
            value = values[name][i]
            height = round(plot * value / chart.maximum, 1)
            chart.bars.append(
                Bar(round(x + j * bar, 1), round(chart.baseline - height, 1), round(bar, 1), height, value, name, month)
            )
        if (len(months) - 1 - i) % step == 0:
            chart.labels.append(_label(i, month, group, len(months)))
    return chart


def _label(i, month, group, count) -> Label:
    if group >= LABEL_WIDTH:
        return Label(round(i * group + group / 2, 1), month)
    if i == count - 1:
        return Label(CHART_WIDTH, month, "end")
    if i == 0:
        return Label(0, month, "start")
    return Label(round(i * group + group / 2, 1), month)
