"""Geometry of the dashboard's charts, drawn on the server as SVG (no script: the CSP allows none inline, and the
figures are also in a table). Pure functions from figures to rectangles; the templates only place them."""

from __future__ import annotations

from dataclasses import dataclass

#: One colour per channel (also the legend's).
COLOURS = {
    "consultation": "#b4282d",
    "checkup": "#d98b00",
    "event": "#2e8540",
    "download": "#3b6fd8",
    "printed": "#7a4fb5",
}
DEMAND_COLOUR = "#d98b00"
SUPPLY_COLOUR = "#3b6fd8"


@dataclass(frozen=True)
class Rect:
    """A bar (or a segment of one) in SVG user units, with what it stands for."""

    x: float
    y: float
    width: float
    height: float
    fill: str
    title: str


def nice_max(value: int) -> int:
    """A round upper bound for an axis (1, 2, 5 × 10ⁿ) at or above ``value`` (at least 1)."""
    value = max(value, 1)
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= value:
                return step * factor
        step *= 10


@dataclass
class StackedBars:
    """Monthly stacked bars: one column per month, a segment per channel."""

    width: int
    height: int
    top: int
    plot_height: int
    scale_max: int
    rects: list[Rect]
    labels: list[tuple[float, str]]  # (x centre, month label)
    totals: list[tuple[float, float, int]]  # (x centre, y, total)


def stacked_months(months, channel_labels: dict[str, str], height: int = 220) -> StackedBars:
    """Stacked bars of touches per channel for each month (``months``: ``metrics.Month``)."""
    left, bottom, top = 36, 28, 16
    column = 44
    width = left + column * max(len(months), 1) + 8
    plot = height - bottom - top
    scale = nice_max(max((m.total for m in months), default=0))
    rects, labels, totals = [], [], []
    for index, month in enumerate(months):
        x = left + index * column + 8
        y = top + plot
        for code, count in month.touches.items():
            if not count:
                continue
            h = plot * count / scale
            y -= h
            rects.append(
                Rect(x, y, column - 16, h, COLOURS.get(code, "#888"), f"{month.month} {channel_labels[code]}: {count}")
            )
        labels.append((x + (column - 16) / 2, month.month[5:]))
        totals.append((x + (column - 16) / 2, y - 3, month.total))
    return StackedBars(width, height, top, plot, scale, rects, labels, totals)


@dataclass
class PairedBars:
    """Horizontal bar pairs (e.g. demand beside supply) per row."""

    width: int
    height: int
    label_width: int
    rects: list[Rect]
    rows: list[tuple[float, str, int, int]]  # (y centre, label, first, second)


def paired_rows(rows: list[tuple[str, int, int]], first_title: str, second_title: str, width: int = 560) -> PairedBars:
    """Two bars per row, each scaled to its own maximum (demand and supply are counted in different units)."""
    label_width, row_height, bar = 150, 34, 12
    plot = width - label_width - 48
    first_max = nice_max(max((r[1] for r in rows), default=0))
    second_max = nice_max(max((r[2] for r in rows), default=0))
    rects, placed = [], []
    for index, (name, first, second) in enumerate(rows):
        y = 6 + index * row_height
        rects.append(
            Rect(label_width, y, plot * first / first_max, bar, DEMAND_COLOUR, f"{name} · {first_title}: {first}")
        )
        rects.append(
            Rect(
                label_width,
                y + bar + 2,
                plot * second / second_max,
                bar,
                SUPPLY_COLOUR,
                f"{name} · {second_title}: {second}",
            )
        )
        placed.append((y + bar + 1, name, first, second))
    return PairedBars(width, 12 + len(rows) * row_height, label_width, rects, placed)
