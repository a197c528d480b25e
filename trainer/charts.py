"""Server-made SVG charts: the geometry is computed here, the template only draws it."""
from __future__ import annotations

from dataclasses import dataclass

ROW_HEIGHT = 46  # a label above each bar, so the chart is narrow enough for a phone
BAR_AREA = 300
VALUE_WIDTH = 56


@dataclass(frozen=True)
class PercentBar:
    label: str
    percent: int
    y: int
    width: float
    best_x: float | None  # a tick for a yardstick (the best options' share), if any


@dataclass(frozen=True)
class PercentChart:
    """Drawn at its own size (width x height px) and scaled down, never up, to fit: on a
    phone the labels stay legible because they sit above the bars, not beside them."""

    bars: list[PercentBar]
    width: int
    height: int
    bar_area: int


def percent_chart(rows: list[tuple]) -> PercentChart:
    """Horizontal bars from 0 to 100%, one per row: (label, percent) or, with a tick where
    a yardstick stands, (label, percent, yardstick percent)."""
    bars = [PercentBar(label, percent, index * ROW_HEIGHT + 4, BAR_AREA * percent / 100,
                       BAR_AREA * tick[0] / 100 if tick else None)
            for index, (label, percent, *tick) in enumerate(rows)]
    return PercentChart(bars, BAR_AREA + VALUE_WIDTH, len(rows) * ROW_HEIGHT + 8, BAR_AREA)


@dataclass(frozen=True)
class Column:
    label: str
    count: int
    x: float
    y: float
    height: float


@dataclass(frozen=True)
class ColumnChart:
    columns: list[Column]
    width: int
    height: int
    column_width: float
    base_y: int


def histogram(rows: list[tuple[str, int]], plot_height: int = 180) -> ColumnChart:
    """Vertical columns, one per band (label, count), scaled to the largest."""
    width, column_width, top = 640, 56, 20
    highest = max([1] + [count for _, count in rows])
    base = top + plot_height
    columns = []
    for index, (label, count) in enumerate(rows):
        height = plot_height * count / highest
        columns.append(Column(label, count, 10 + index * (column_width + 7), base - height,
                              height))
    return ColumnChart(columns, width, base + 40, column_width, base)


MONTH_ROW_HEIGHT = 60  # the month's name, then two bars: completions and average score
LEGEND_HEIGHT = 22


@dataclass(frozen=True)
class MonthBars:
    label: str
    completions: int
    average: int | None  # None: no attempt finished that month
    y: int
    completions_width: float
    average_width: float


@dataclass(frozen=True)
class MonthChart:
    """Like PercentChart (narrow, the name above the bars, drawn at its own size and only
    scaled down), with two bars a month: completions, scaled to the busiest month, and the
    average score, from 0 to 100%."""

    months: list[MonthBars]
    width: int
    height: int
    bar_area: int
    legend_y: int


def month_chart(rows: list[tuple[str, int, int | None]]) -> MonthChart:
    """One row per month: (label, completions, average score or None)."""
    busiest = max([1] + [count for _, count, _ in rows])
    months = [MonthBars(label, count, average, LEGEND_HEIGHT + index * MONTH_ROW_HEIGHT + 4,
                        BAR_AREA * count / busiest, BAR_AREA * (average or 0) / 100)
              for index, (label, count, average) in enumerate(rows)]
    return MonthChart(months, BAR_AREA + VALUE_WIDTH,
                      LEGEND_HEIGHT + len(rows) * MONTH_ROW_HEIGHT + 8, BAR_AREA, 14)
