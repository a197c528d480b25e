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
