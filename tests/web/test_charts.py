"""Chart geometry for the dashboard's inline SVG."""

from __future__ import annotations

from datetime import date

from api.web import charts
from assistant.insights import ObjectionWeek


def test_weeks_without_data_keep_their_place_and_stacks_add_up() -> None:
    rows = [
        ObjectionWeek(week=date(2026, 3, 2), category="price_budget", objections=3, calls=2),
        ObjectionWeek(week=date(2026, 3, 2), category="timing_priority", objections=1, calls=1),
        ObjectionWeek(week=date(2026, 3, 16), category="timing_priority", objections=2, calls=2),
    ]
    chart = charts.stacked_bars(rows, x="week", key="category", value="objections")
    assert [bar.label for bar in chart.bars] == ["Mar 02", "Mar 09", "Mar 16"]
    assert [len(bar.segments) for bar in chart.bars] == [2, 0, 1]
    # price_budget has the larger total (3 vs 3: tie broken by name), so it gets the first colour.
    assert [name for name, _ in chart.legend] == ["price_budget", "timing_priority"]
    first = chart.bars[0]
    assert first.segments[0].y + first.segments[0].height == chart.baseline  # stacked from the axis up
    assert abs(first.segments[1].y + first.segments[1].height - first.segments[0].y) < 1e-9
    top = chart.ticks[-1]
    assert top[1] == 5  # a round axis maximum above the tallest bar (4)
    assert abs(first.segments[1].y - (chart.baseline - 4 / 5 * (chart.baseline - top[0]))) < 1e-6


def test_no_rows_draw_no_bars_and_shares_are_clamped() -> None:
    assert charts.stacked_bars([], x="week", key="category", value="objections").bars == []
    assert [b.fraction for b in charts.hbars([("a", 1.4, ""), ("b", -0.1, ""), ("c", 0.25, "")])] == [1.0, 0.0, 0.25]
