"""Inline SVG charts, the pieces every report's charts are drawn with.

Pure functions: data in, markup out. Every piece of text and every attribute value goes through
``markupsafe.escape`` before it is joined, and a finished chart is ``Markup`` only because each
part was escaped, so a supplier called ``<script>…`` stays text. No ``href``, no ``xmlns`` URL:
inline SVG in HTML needs neither. Colours meet WCAG 2.2 AA against white (see the tests);
meaning never rests on colour alone (legends, labels and a hatch pattern for "unknown").
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from markupsafe import Markup, escape

from anchorspend.report.format import money_short, percent, truncate

# Palette (GOV.UK colours). Chart fills need 3:1 against white, text 4.5:1.
BLUE = "#1d70b8"  # 5.2:1 — "has the attribute", supplier bars, trend lines
TURQUOISE = "#28a197"  # 3.2:1 — "known not to have it" (graphics only, never text)
GREEN = "#00703c"  # 6.2:1 — category bars
GREY = "#505a5f"  # 7.1:1 — secondary text, axes, credit bars, hatch lines and outlines
TEXT = "#0b0c0c"  # 19.6:1 — chart text
UNKNOWN_FILL = "#b1b4b6"  # 2.1:1 — background of the hatch only; GREY lines and outline carry it
WHITE = "#ffffff"
FILL_COLOURS = (BLUE, TURQUOISE, GREEN, GREY)
TEXT_COLOURS = (TEXT, GREY)

SHARE_BAR_WIDTH = 400  # px, the 100% bar
FONT = 13


# ---------------------------------------------------------------- SVG building


def num(x: float) -> str:
    """A coordinate: at most two decimals, no trailing zeros, never "-0"."""
    text = f"{x:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _attrs(attrs: Mapping[str, object]) -> str:
    parts = []
    for key, value in attrs.items():
        shown = num(value) if isinstance(value, float) else str(value)
        parts.append(f' {key.replace("_", "-")}="{escape(shown)}"')
    return "".join(parts)


def el(tag: str, attrs: Mapping[str, object] | None = None, *children: str | Markup) -> Markup:
    """``<tag attrs>children</tag>``; plain-string children are escaped, Markup kept."""
    inner = Markup("").join(escape(c) for c in children)
    return Markup(f"<{tag}{_attrs(attrs or {})}>") + inner + Markup(f"</{tag}>")


def line_runs(
    values: list[float | None], x_of: Callable[[int], float], y_of: Callable[[float], float]
) -> list[str]:
    """SVG ``points`` for each unbroken run of two or more defined values: a period where the
    share is not defined breaks the line rather than being drawn as zero."""
    runs: list[list[tuple[float, float]]] = [[]]
    for i, v in enumerate(values):
        if v is None:
            runs.append([])
        else:
            runs[-1].append((x_of(i), y_of(v)))
    return [" ".join(f"{num(x)},{num(y)}" for x, y in run) for run in runs if len(run) > 1]


def void(tag: str, attrs: Mapping[str, object]) -> Markup:
    return Markup(f"<{tag}{_attrs(attrs)}/>")


def text(x: float, y: float, content: str, **attrs: object) -> Markup:
    return el("text", {"x": float(x), "y": float(y), **attrs}, content)


def svg(chart_id: str, width: float, height: float, title: str, desc: str, *body: Markup) -> Markup:
    """The chart's outer element: an accessible image named by its title and description."""
    return el(
        "svg",
        {
            "role": "img",
            "aria-labelledby": f"{chart_id}-title",
            "aria-describedby": f"{chart_id}-desc",
            "viewBox": f"0 0 {num(width)} {num(height)}",
            "width": float(width),
            "height": float(height),
            "font-size": FONT,
            "fill": TEXT,
        },
        el("title", {"id": f"{chart_id}-title"}, title),
        el("desc", {"id": f"{chart_id}-desc"}, desc),
        *body,
    )


def _hatch(pattern_id: str) -> Markup:
    return el(
        "defs",
        None,
        el(
            "pattern",
            {
                "id": pattern_id,
                "width": 6,
                "height": 6,
                "patternUnits": "userSpaceOnUse",
                "patternTransform": "rotate(45)",
            },
            void("rect", {"width": 6, "height": 6, "fill": UNKNOWN_FILL}),
            void("line", {"x1": 0, "y1": 0, "x2": 0, "y2": 6, "stroke": GREY, "stroke-width": 2}),
        ),
    )


# ---------------------------------------------------------------- 1. share bars


@dataclass(frozen=True, slots=True)
class ShareRow:
    label: str
    share: float | None  # share_of_total
    coverage: float | None  # known_spend / total_spend
    undefined: str = "not defined"  # what to say when there is no bar


def clamp(x: float) -> float:
    return min(1.0, max(0.0, x))


def share_segments(share: float, coverage: float, width: float) -> tuple[float, float, float]:
    """Widths of the has / known-not / unknown parts of a bar; they add up to ``width``."""
    cut_yes = round(clamp(share) * width, 2)
    cut_known = max(cut_yes, round(clamp(coverage) * width, 2))
    return cut_yes, round(cut_known - cut_yes, 2), round(width - cut_known, 2)


def share_bars(chart_id: str, rows: list[ShareRow], title: str, desc: str) -> Markup:
    """One 100% bar per measure: has it (blue), known not to (turquoise), unknown (hatched)."""
    bar_w, row_h, top = SHARE_BAR_WIDTH, 50, 34
    width = bar_w + 290
    hatch_id = f"{chart_id}-hatch"
    legend = [
        void("rect", {"x": 0, "y": 6, "width": 14, "height": 14, "fill": BLUE}),
        text(20, 18, "yes (has the attribute)"),
        void("rect", {"x": 190, "y": 6, "width": 14, "height": 14, "fill": TURQUOISE}),
        text(210, 18, "no (known not to)"),
        void(
            "rect",
            {"x": 345, "y": 6, "width": 14, "height": 14, "fill": f"url(#{hatch_id})"}
            | {"stroke": GREY},
        ),
        text(365, 18, "unknown (not classified)"),
    ]
    body: list[Markup] = [_hatch(hatch_id), el("g", {"class": "legend"}, *legend)]
    for i, row in enumerate(rows):
        y = top + i * row_h
        parts = [text(0, y + 14, row.label, font_weight="bold")]
        if row.share is None or row.coverage is None:
            parts.append(text(0, y + 34, row.undefined, fill=GREY))
        else:
            yes, no, unknown = share_segments(row.share, row.coverage, bar_w)
            bar_y, bar_h = y + 20, 18
            segs = (
                ("seg-yes", 0.0, yes, BLUE),
                ("seg-no", yes, no, TURQUOISE),
                ("seg-unknown", yes + no, unknown, f"url(#{hatch_id})"),
            )
            for cls, x, w, fill in segs:
                attrs: dict[str, object] = {
                    "class": cls,
                    "x": x,
                    "y": float(bar_y),
                    "width": w,
                    "height": bar_h,
                    "fill": fill,
                }
                if cls == "seg-unknown" and w > 0:
                    attrs["stroke"] = GREY
                parts.append(void("rect", attrs))
            for cut in (yes, yes + no):
                if 0 < cut < bar_w:
                    parts.append(
                        void(
                            "line",
                            {"x1": cut, "y1": float(bar_y), "x2": cut, "y2": float(bar_y + bar_h)}
                            | {"stroke": WHITE, "stroke-width": 2},
                        )
                    )
            has, known = clamp(row.share), max(clamp(row.share), clamp(row.coverage))
            shown = f"{percent(has)} yes, {percent(known - has)} no, {percent(1 - known)} unknown"
            parts.append(text(bar_w + 10, bar_y + 14, shown))
        body.append(el("g", {"class": "share-row"}, *parts))
    return svg(chart_id, width, top + len(rows) * row_h, title, desc, *body)


# ---------------------------------------------------------------- 2. trend


@dataclass(frozen=True, slots=True)
class Series:
    label: str
    values: list[float | None]  # one per period; None = no share drawn there
    # what the chart writes where a value is None, one per period: "unknown" (nothing
    # classified) or "not defined" (no positive spend); "not defined" if not given
    gaps: tuple[str, ...] = ()


def trend_chart(
    chart_id: str, periods: list[str], series: list[Series], title: str, desc: str
) -> Markup:
    """Small multiples: one panel per measure, share of spend (0–100%) by period."""
    left, top, plot_h, panel_h = 44, 32, 70, 136
    n = len(periods)
    plot_w = max(240.0, 90.0 * (n - 1))
    every = math.ceil(80 * n / plot_w)  # label every period, or every k-th when crowded
    panel_w = left + plot_w + 36
    cols = 2 if n <= 4 else 1
    base = top + plot_h

    def x_of(i: int) -> float:
        return left + 20 + (plot_w - 40) * (i / (n - 1) if n > 1 else 0.5)

    def y_of(v: float) -> float:
        return base - clamp(v) * plot_h

    panels: list[Markup] = []
    for k, s in enumerate(series):
        parts = [text(0, 14, s.label, font_weight="bold")]
        for tick in (0.0, 0.5, 1.0):
            line = {"x1": float(left), "y1": y_of(tick), "x2": left + plot_w, "y2": y_of(tick)}
            parts.append(void("line", line | {"stroke": GREY if tick == 0 else UNKNOWN_FILL}))
            parts.append(text(left - 6, y_of(tick) + 4, f"{tick:.0%}", text_anchor="end"))
        for i, period in enumerate(periods):
            if i % every == 0 or i == n - 1:
                parts.append(text(x_of(i), base + 18, period, text_anchor="middle", fill=GREY))
        for points in line_runs(s.values, x_of, y_of):
            parts.append(
                void(
                    "polyline",
                    {"points": points, "fill": "none", "stroke": BLUE} | {"stroke-width": 2},
                )
            )
        for i, v in enumerate(s.values):
            if v is None:
                parts.append(
                    text(
                        x_of(i),
                        base - 8,
                        s.gaps[i] if s.gaps else "not defined",
                        text_anchor="middle",
                        fill=GREY,
                        font_size=11,
                    )
                )
            else:
                parts.append(void("circle", {"cx": x_of(i), "cy": y_of(v), "r": 4, "fill": BLUE}))
                if n <= 8:
                    label = text(x_of(i), y_of(v) - 8, percent(v), text_anchor="middle")
                    parts.append(label)
        x0, y0 = (k % cols) * panel_w, (k // cols) * panel_h
        panels.append(
            el(
                "g",
                {"class": "trend-panel", "transform": f"translate({num(x0)},{num(y0)})"},
                *parts,
            )
        )
    rows = math.ceil(len(series) / cols)
    return svg(chart_id, cols * panel_w, rows * panel_h, title, desc, *panels)


# ---------------------------------------------------------------- 3–4. horizontal bars


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    value: Decimal


def hbar_chart(chart_id: str, bars: list[Bar], title: str, desc: str, colour: str = BLUE) -> Markup:
    """Horizontal bars from a zero line; negative values (credits) go left, in grey."""
    # the label column fits NAME_LIMIT characters of upper case at the chart font (measured in
    # Chromium: 240 px clipped "GREATER MANCHESTER COMBINED AUT…" by 33 px)
    label_w, plot_w, value_w, row_h, top = 300, 320, 130, 24, 8
    lo = min([Decimal(0), *(b.value for b in bars)])
    hi = max([Decimal(0), *(b.value for b in bars)])
    span = (hi - lo) or Decimal(1)
    zero_x = label_w + float((-lo) / span) * plot_w
    parts: list[Markup] = []
    for i, b in enumerate(bars):
        y = top + i * row_h
        w = float(abs(b.value) / span) * plot_w
        negative = b.value < 0
        parts.append(text(label_w - 8, y + 15, truncate(b.label), text_anchor="end"))
        parts.append(
            void(
                "rect",
                {
                    "class": "bar-neg" if negative else "bar",
                    "x": zero_x - w if negative else zero_x,
                    "y": float(y + 3),
                    "width": w,
                    "height": float(row_h - 6),
                    "fill": GREY if negative else colour,
                },
            )
        )
        parts.append(text(label_w + plot_w + 10, y + 15, money_short(b.value)))
    bottom = top + len(bars) * row_h
    parts.append(
        void(
            "line",
            {"x1": zero_x, "y1": float(top), "x2": zero_x, "y2": float(bottom)}
            | {"stroke": GREY, "stroke-width": 1},
        )
    )
    return svg(chart_id, label_w + plot_w + value_w, bottom + 8, title, desc, *parts)
