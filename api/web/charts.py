"""Chart geometry for the dashboard, drawn as inline SVG by the templates: no chart library, no JS."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from pydantic import BaseModel

# Distinguishable with common colour-vision deficiencies (Okabe-Ito), then neutrals.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000", "#999999"]
WIDTH, HEIGHT = 640, 220
LEFT, BOTTOM, TOP = 36, 28, 8


@dataclass(frozen=True)
class Segment:
    y: float
    height: float
    color: str
    title: str


@dataclass(frozen=True)
class Bar:
    x: float
    width: float
    label: str
    segments: list[Segment]


@dataclass
class StackedBars:
    """Bars per x value (a week), each a stack of series (categories); heights in SVG units."""

    width: int = WIDTH
    height: int = HEIGHT
    bars: list[Bar] = field(default_factory=list)
    ticks: list[tuple[float, int]] = field(default_factory=list)  # (y, value)
    legend: list[tuple[str, str]] = field(default_factory=list)  # (name, color)
    baseline: float = HEIGHT - BOTTOM
    left: int = LEFT


def stacked_bars(rows: Sequence[BaseModel], *, x: str, key: str, value: str) -> StackedBars:
    """Long rows (one per x and key) as stacked bars; the series with the largest totals get colours first."""
    chart = StackedBars()
    if not rows:
        return chart
    xs = _continuous(sorted({getattr(r, x) for r in rows}))
    totals: defaultdict[str, float] = defaultdict(float)
    cells: dict[tuple[Any, str], float] = defaultdict(float)
    for r in rows:
        totals[str(getattr(r, key))] += float(getattr(r, value))
        cells[(getattr(r, x), str(getattr(r, key)))] += float(getattr(r, value))
    names = sorted(totals, key=lambda n: (-totals[n], n))
    colors = {n: PALETTE[min(i, len(PALETTE) - 1)] for i, n in enumerate(names)}
    peak = max(sum(cells[(v, n)] for n in names) for v in xs)
    top = _nice_ceiling(peak)
    plot_height = chart.baseline - TOP
    scale = plot_height / top
    slot = (WIDTH - LEFT) / len(xs)
    for i, v in enumerate(xs):
        y = chart.baseline
        segments = []
        for n in names:
            amount = cells[(v, n)]
            if amount:
                y -= amount * scale
                segments.append(Segment(y, amount * scale, colors[n], f"{_label(v)}: {n} {amount:g}"))
        chart.bars.append(Bar(LEFT + i * slot + slot * 0.15, slot * 0.7, _label(v), segments))
    step = max(1, top // 4)
    chart.ticks = [(chart.baseline - t * scale, t) for t in range(0, top + 1, step)]
    chart.legend = [(n, colors[n]) for n in names]
    return chart


@dataclass(frozen=True)
class HBar:
    label: str
    fraction: float  # 0..1 of the full bar
    text: str


def hbars(items: Sequence[tuple[str, float, str]]) -> list[HBar]:
    """Horizontal bars for shares (0..1): a label, the share, and the text shown beside the bar."""
    return [HBar(label, max(0.0, min(1.0, share)), text) for label, share, text in items]


def _continuous(xs: list[Any]) -> list[Any]:
    """Weeks with nothing in them still get their (empty) place on a time axis."""
    if not xs or not all(isinstance(v, date) for v in xs):
        return xs
    weeks = (xs[-1] - xs[0]).days // 7
    return [xs[0] + timedelta(weeks=n) for n in range(weeks + 1)]


def _nice_ceiling(peak: float) -> int:
    """A round axis maximum at or above `peak` (1, 2, 5, 10, 20, 50, ...)."""
    if peak <= 1:
        return 1
    magnitude = 10 ** math.floor(math.log10(peak))
    for factor in (1, 2, 5, 10):
        if factor * magnitude >= peak:
            return int(factor * magnitude)
    return int(10 * magnitude)


def _label(v: Any) -> str:
    return v.strftime("%b %d") if isinstance(v, date) else str(v)
