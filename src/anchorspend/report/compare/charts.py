"""The compare report's graphics: the heat table's shading scale and the trend small multiples.

The heat steps are shared with compare.xlsx (the same fills and text colours); the small
multiples are drawn with the chart helpers (report/svg.py), so every text and attribute is escaped,
and each comes with a sentence and its data table (a :class:`Grid`) for compare.md.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

from markupsafe import Markup

from anchorspend.glance import measure_label
from anchorspend.report import svg as charts
from anchorspend.report.compare.grid import Index, TrendChart, member_label
from anchorspend.report.format import drawn_share, percent, truncate
from anchorspend.report.svg import BLUE, GREEN, GREY, TEXT, UNKNOWN_FILL, WHITE
from anchorspend.report.tables import Grid, Row, cells

MAIN_MEASURES = ("sme", "vcse", "local")  # drawn in the small multiples, when computed


# ---------------------------------------------------------------- heat shading


@dataclass(frozen=True, slots=True)
class HeatStep:
    """Cells whose shown share is at least ``lower`` get this background and text colour."""

    lower: float
    background: str
    text: str

    @property
    def label(self) -> str:
        return f"{self.lower * 100:g}%"


# A sequential single-hue (blue) scale; dark text on the light steps, white on the dark ones.
# Every pair is at least 4.5:1 (WCAG 2.2 AA for text; see the tests). Breaks suit spend shares,
# which are mostly well under a half.
HEAT_STEPS: tuple[HeatStep, ...] = (
    HeatStep(0.00, "#f4f8fb", TEXT),  # 18.3:1
    HeatStep(0.05, "#dbe8f4", TEXT),  # 15.7:1
    HeatStep(0.10, "#b9d2ea", TEXT),  # 12.6:1
    HeatStep(0.20, "#8fb8de", TEXT),  # 9.4:1
    HeatStep(0.30, "#5694ca", TEXT),  # 6.1:1
    HeatStep(0.50, BLUE, WHITE),  # 5.2:1
    HeatStep(0.75, "#003078", WHITE),  # 12.4:1
)
# Low-coverage cells: a light grey hatch, dark text (≥14.8:1 on both stripes), and the † mark.
LOW_HATCH = (WHITE, "#dee0e2")
LOW_TEXT = TEXT


def heat_step(share: float) -> int:
    """The index of the step for ``share``, judged on the value as shown (one decimal)."""
    shown = float(f"{share * 100:.1f}") / 100
    index = 0
    for i, step in enumerate(HEAT_STEPS):
        if shown >= step.lower:
            index = i
    return index


def heat_legend() -> list[tuple[str, str]]:
    out = []
    for i, step in enumerate(HEAT_STEPS):
        if i + 1 < len(HEAT_STEPS):
            out.append((f"heat-{i}", f"{step.label} to under {HEAT_STEPS[i + 1].label}"))
        else:
            out.append((f"heat-{i}", f"{step.label} or more"))
    return out


# ---------------------------------------------------------------- small multiples

# Colour, dash pattern and marker differ, so no series rests on colour alone.
SERIES_STYLES = ((BLUE, "", "circle"), (GREEN, "6 3", "square"), (GREY, "2 3", "diamond"))


@dataclass(frozen=True, slots=True)
class Line:
    label: str
    values: list[float | None]


def _stroke(colour: str, dash: str) -> dict[str, object]:
    """A series' line: its colour, 2 wide, and its dash pattern (none for a solid line)."""
    stroke: dict[str, object] = {"stroke": colour, "stroke-width": 2}
    if dash:
        stroke["stroke-dasharray"] = dash
    return stroke


def _marker(shape: str, x: float, y: float, colour: str) -> Markup:
    if shape == "square":
        return charts.void(
            "rect", {"x": x - 3.5, "y": y - 3.5, "width": 7, "height": 7, "fill": colour}
        )
    if shape == "diamond":
        pts = f"{charts.num(x)},{charts.num(y - 4.5)} {charts.num(x + 4.5)},{charts.num(y)} "
        pts += f"{charts.num(x)},{charts.num(y + 4.5)} {charts.num(x - 4.5)},{charts.num(y)}"
        return charts.void("polygon", {"points": pts, "fill": colour})
    return charts.void("circle", {"cx": x, "cy": y, "r": 3.5, "fill": colour})


def _label_indices(n: int, every: int) -> list[int]:
    shown = list(range(0, n, every))
    if shown and shown[-1] != n - 1:
        if n - 1 - shown[-1] < every and len(shown) > 1:
            shown[-1] = n - 1
        else:
            shown.append(n - 1)
    return shown


def small_multiple(
    chart_id: str, periods: list[str], lines: list[Line], title: str, desc: str
) -> Markup:
    """One member's share of spend by period, up to three measures, on a fixed 0–100% axis:
    every small multiple has the same axes so they can be compared at a glance."""
    width, left, right, top, plot_h = 320.0, 44.0, 34.0, 34.0, 120.0
    plot_w = width - left - right
    base = top + plot_h
    n = len(periods)

    def x_of(i: int) -> float:
        return left + 14 + (plot_w - 28) * (i / (n - 1) if n > 1 else 0.5)

    def y_of(v: float) -> float:
        return base - charts.clamp(v) * plot_h

    parts: list[Markup] = []
    for k, line in enumerate(lines):  # the legend: line, marker and name, never colour alone
        colour, dash, shape = SERIES_STYLES[k % len(SERIES_STYLES)]
        x0 = k * 100.0
        legend = {"x1": x0, "y1": 10.0, "x2": x0 + 22, "y2": 10.0}
        parts.append(charts.void("line", legend | _stroke(colour, dash)))
        parts.append(_marker(shape, x0 + 11, 10.0, colour))
        parts.append(charts.text(x0 + 28, 14, truncate(line.label, 9)))
    for tick in (0.0, 0.5, 1.0):
        y = y_of(tick)
        grid = {"x1": left, "y1": y, "x2": left + plot_w, "y2": y}
        parts.append(charts.void("line", grid | {"stroke": GREY if tick == 0 else UNKNOWN_FILL}))
        parts.append(charts.text(left - 6, y + 4, f"{tick:.0%}", text_anchor="end", font_size=11))
    every = max(1, math.ceil(72 * n / (plot_w - 28))) if n else 1
    for i in _label_indices(n, every):
        label = charts.text(
            x_of(i), base + 16, periods[i], text_anchor="middle", fill=GREY, font_size=11
        )
        parts.append(label)
    for k, line in enumerate(lines):
        colour, dash, shape = SERIES_STYLES[k % len(SERIES_STYLES)]
        for pts in charts.line_runs(line.values, x_of, y_of):
            attrs = {"points": pts, "fill": "none"} | _stroke(colour, dash)
            parts.append(charts.void("polyline", attrs))
        for i, v in enumerate(line.values):
            if v is not None:
                parts.append(_marker(shape, x_of(i), y_of(v), colour))
    return charts.svg(chart_id, width, base + 26, title, desc, *parts)


# ---------------------------------------------------------------- the trends section


def _trend_sentence(label: str, lines: list[Line], periods: list[str]) -> str:
    if not periods:
        return f"{label}: no period other than the whole is in the data."
    clauses = []
    for line in lines:
        pts = [(p, v) for p, v in zip(periods, line.values, strict=True) if v is not None]
        if not pts:
            clauses.append(f"{line.label} not defined in any period")
        elif len(pts) == 1:
            clauses.append(f"{line.label} {percent(pts[0][1])} in {pts[0][0]}")
        else:
            (p0, v0), (p1, v1) = pts[0], pts[-1]
            clauses.append(f"{line.label} {percent(v0)} in {p0}, {percent(v1)} in {p1}")
    return f"{label}: " + "; ".join(clauses) + "."


def trends(ix: Index, ids: Iterator[str]) -> tuple[list[str], list[TrendChart]]:
    """The measures drawn, and one small multiple per member (then the network)."""
    measures = [m for m in MAIN_MEASURES if m in ix.measures]
    if not measures or not ix.periods:
        return measures, []
    out = []
    for name in ix.rows:
        label = member_label(name)
        lines = [
            Line(
                measure_label(ms),
                [drawn_share(ix.metric.get((name, p, ms))) for p in ix.periods],
            )
            for ms in measures
        ]
        cid = next(ids)
        title = f"Share of spend by period: {label}"
        desc = (
            f"{label}'s share of spend with "
            + ", ".join(line.label for line in lines)
            + " suppliers in each period, on the same 0–100% scale as every member's chart."
        )
        table = Grid(
            f"Data for this chart: {label}",
            ["period", *(line.label for line in lines)],
            [False, *[True] * len(lines)],
            [
                Row(cells([p, *(percent(line.values[i]) for line in lines)]))
                for i, p in enumerate(ix.periods)
            ],
            "chart-data",
        )
        out.append(
            TrendChart(
                cid,
                name,
                label,
                name == ix.focus,
                _trend_sentence(label, lines, ix.periods),
                small_multiple(cid, ix.periods, lines, title, desc),
                table,
            )
        )
    return measures, out
