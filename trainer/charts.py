"""Server-made SVG charts: the geometry is computed here, the template only draws it."""
from __future__ import annotations

from dataclasses import dataclass

ROW_HEIGHT = 30
LABEL_WIDTH = 340
BAR_AREA = 300


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    best: int
    y: int
    x: float  # left edge of the bar
    width: float
    best_x: float  # where the best achievable value sits on the axis
    negative: bool


@dataclass(frozen=True)
class BarChart:
    bars: list[Bar]
    width: int
    height: int
    zero_x: float
    label_width: int


def principle_chart(rows: list[tuple[str, int, int]]) -> BarChart:
    """Horizontal bars of earned points per principle, each with a tick at the best path's.

    rows: (label, earned, best); negative values grow left from the zero line.
    """
    low = min([0] + [min(v, b) for _, v, b in rows])
    high = max([1] + [max(v, b) for _, v, b in rows])
    scale = BAR_AREA / (high - low)
    zero = LABEL_WIDTH + (-low) * scale
    bars = []
    for index, (label, value, best) in enumerate(rows):
        left = zero + min(0, value) * scale
        bars.append(Bar(label, value, best, index * ROW_HEIGHT + 10, left, abs(value) * scale,
                        zero + best * scale, value < 0))
    return BarChart(bars, LABEL_WIDTH + BAR_AREA + 50, len(rows) * ROW_HEIGHT + 20, zero,
                    LABEL_WIDTH)


@dataclass(frozen=True)
class PercentBar:
    label: str
    percent: int
    y: int
    width: float


@dataclass(frozen=True)
class PercentChart:
    bars: list[PercentBar]
    width: int
    height: int
    label_width: int
    bar_area: int


def completion_chart(rows: list[tuple[str, int]]) -> PercentChart:
    """Horizontal bars from 0 to 100%, one per row (label, percent)."""
    bars = [PercentBar(label, percent, index * ROW_HEIGHT + 10, BAR_AREA * percent / 100)
            for index, (label, percent) in enumerate(rows)]
    return PercentChart(bars, LABEL_WIDTH + BAR_AREA + 60, len(rows) * ROW_HEIGHT + 20,
                        LABEL_WIDTH, BAR_AREA)


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
