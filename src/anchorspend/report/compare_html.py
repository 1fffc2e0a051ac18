"""compare.html: an anchor network's members side by side, rendered from the compare document.

The compare document is the analyse document plus ``network`` (see compare.py). The page follows
the analyse report's rules: how sure the figures are comes first (reconciliation, then each
member's classification coverage), no script and no network (the same Content-Security-Policy),
everything escaped by Jinja2 or by the chart helpers, ids built from counters, and the same
document always gives the same bytes.

Everything the page shows is computed here as plain-text tables (:class:`Grid`), so the Markdown
report (compare_md.py) renders exactly the same content; the HTML adds shading and small SVGs.

Template context: ``document`` (the dict, as given) and ``report`` (a :class:`CompareReport`),
with the analyse report's filters. ``--templates DIR`` may hold its own ``compare.html.j2``.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from markupsafe import Markup

from anchorspend.report import charts
from anchorspend.report.charts import (
    BLUE,
    DASH,
    GREEN,
    GREY,
    TEXT,
    UNKNOWN_FILL,
    WHITE,
    count,
    money,
    percent,
)
from anchorspend.report.html import (
    ALL_ORGS,
    ALL_PERIODS,
    NOT_CLASSIFICATIONS,
    PERIOD_KINDS,
    environment,
    measure_label,
    rows_list,
    text,
)

NETWORK = "Network"
MAIN_MEASURES = ("sme", "vcse", "local")  # drawn in the small multiples, when computed
FOCUS_MARK = "◀ this member"
LOW_MARK = "†"
LOW_NOTE = "low coverage: not ranked"
SHARED_SHOWN = 100
TEMPLATE = "compare.html.j2"
STATUS_SYMBOLS = {"met": "✓", "close": "≈", "missed": "✗", "undefined": "?"}
STATUS_WORDS = {"undefined": "undefined (share not defined)"}


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

# Small multiples: colour, dash pattern and marker differ, so no series rests on colour alone.
SERIES_STYLES = ((BLUE, "", "circle"), (GREEN, "6 3", "square"), (GREY, "2 3", "diamond"))


def member_label(name: str) -> str:
    """The network row of the document (``"(all)"``) is shown as "Network"."""
    return NETWORK if name == ALL_ORGS else name


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


def points(value: float | None) -> str:
    return DASH if value is None else f"{abs(value):.1f}"


def change_text(value: float | None) -> str:
    """A change in percentage points, with its direction in words' place: ↑, ↓ or →."""
    if value is None:
        return DASH
    shown = f"{abs(value):.1f}"
    if shown == "0.0":
        return "→ no change (0.0 points)"
    return f"{'↑' if value > 0 else '↓'} {shown} points"


def signed_money(value: str | None) -> str:
    if value is None:
        return DASH
    return ("+" if Decimal(value) > 0 else "") + money(value)


def status_text(status: str) -> str:
    symbol = STATUS_SYMBOLS.get(status, "")
    word = STATUS_WORDS.get(status, status)
    return f"{symbol} {word}".strip()


# ---------------------------------------------------------------- tables


@dataclass(frozen=True, slots=True)
class Cell:
    text: str
    cls: str = ""  # CSS classes, only from fixed names here (never from data)


@dataclass(frozen=True, slots=True)
class Row:
    cells: list[Cell]
    focus: bool = False  # the --member row: bold, with "◀ this member"
    network: bool = False


@dataclass(frozen=True, slots=True)
class Grid:
    caption: str
    headers: list[str]
    numeric: list[bool]  # right-aligned columns
    rows: list[Row]
    cls: str = ""
    header_col: int = 0  # which column holds the row's name (a <th scope="row">)
    notes: list[str] = field(default_factory=list)  # footnotes under the table


def _cells(values: list[str]) -> list[Cell]:
    return [Cell(v) for v in values]


@dataclass(frozen=True, slots=True)
class TrendChart:
    id: str
    member: str
    label: str
    focus: bool
    summary: str
    svg: Markup
    table: Grid


@dataclass(frozen=True, slots=True)
class League:
    id: str
    measure: str
    label: str
    overall: Grid | None
    periods: list[tuple[str, Grid]]


@dataclass(frozen=True, slots=True)
class Titled:
    id: str
    heading: str
    grid: Grid


@dataclass(frozen=True, slots=True)
class CompareReport:
    title: str
    focus: str | None
    period_kind: str
    min_coverage: float
    close_points: float
    classifications: list[str]
    reconciliation: list[Grid]
    coverage: Grid | None
    focus_headline: Grid | None
    members: Grid
    heat: Grid | None
    heat_steps: tuple[HeatStep, ...]
    heat_legend: list[tuple[str, str]]  # (CSS class, the range of shares it stands for)
    low_hatch: tuple[str, str]
    leagues: list[League]
    trend_measures: list[str]
    trends: list[TrendChart]
    changes: list[Titled]
    targets: list[Titled]
    shared: Grid | None
    top_suppliers: Grid | None
    leakage: Grid | None
    member_leakage: list[Titled]
    unmatched: Grid | None
    conflicts: Grid | None
    inputs: Grid
    lookups: Grid | None
    findings: Grid | None


# ---------------------------------------------------------------- the document, indexed


@dataclass(slots=True)
class _Index:
    document: dict[str, Any]
    network: dict[str, Any]
    focus: str | None
    members: list[str]  # in the document's order (by name)
    rows: list[str]  # members, then the network
    measures: list[str]
    classifications: list[str]
    periods: list[str]  # the periods other than "all", sorted
    metric: dict[tuple[str, str, str], dict[str, Any]]  # (organisation, period, measure)
    league: dict[tuple[str, str], dict[str, Any]]  # (measure, period)
    min_coverage: float

    def comparable(self, member: str, measure: str, period: str = ALL_PERIODS) -> bool:
        """As compare.py ranks: coverage (null as 0) at least ``min_coverage``. The network is
        never ranked, but its cells are marked by the same rule."""
        entry = self.league.get((measure, period))
        if entry is not None:
            for r in entry["members"]:
                if r["member"] == member:
                    return bool(r["comparable"])
        m = self.metric.get((member, period, measure))
        return m is not None and (m.get("coverage") or 0) >= self.min_coverage


def _index(document: dict[str, Any]) -> _Index:
    network: dict[str, Any] = document.get("network") or {}
    metrics = document.get("metrics", [])
    measures = list(document.get("measures") or dict.fromkeys(m["measure"] for m in metrics))
    members = [m["name"] for m in network.get("members", [])]
    if not members:
        members = sorted({m["organisation"] for m in metrics} - {ALL_ORGS})
    has_network = any(m["organisation"] == ALL_ORGS for m in metrics)
    return _Index(
        document=document,
        network=network,
        focus=network.get("focus"),
        members=members,
        rows=members + ([ALL_ORGS] if has_network or len(members) != 1 else []),
        measures=measures,
        classifications=[m for m in measures if m not in NOT_CLASSIFICATIONS],
        periods=sorted({m["period"] for m in metrics} - {ALL_PERIODS}),
        metric={(m["organisation"], m["period"], m["measure"]): m for m in metrics},
        league={(e["measure"], e["period"]): e for e in network.get("league", [])},
        min_coverage=float(network.get("min_coverage", 0.0)),
    )


def _coverage_of(m: dict[str, Any] | None) -> float | None:
    if m is None:
        return None
    if "coverage" in m:
        return m["coverage"]  # type: ignore[no-any-return]
    total = Decimal(m["total_spend"])
    if total <= 0:
        return None
    ratio = Decimal(m["known_spend"]) / total
    return float(ratio) if 0 <= ratio <= 1 else None


def _member_cell(ix: _Index, name: str) -> Cell:
    return Cell(member_label(name), "network" if name == ALL_ORGS else "")


def _row(ix: _Index, name: str, values: list[Cell]) -> Row:
    return Row(values, focus=name == ix.focus, network=name == ALL_ORGS)


# ---------------------------------------------------------------- 0. reconciliation, coverage


def _reconciliation(document: dict[str, Any]) -> list[Grid]:
    rec = document["reconciliation"]
    grids = [
        Grid(
            "Rows and amounts read",
            ["rows", "count", "amount"],
            [False, True, True],
            [
                Row(_cells([s, count(rec[f"rows_{s}"]), money(rec[f"amount_{s}"])]))
                for s in ("read", "analysed", "excluded", "rejected")
            ],
            "reconciliation",
        )
    ]
    if rec.get("exclusions"):
        grids.append(
            Grid(
                "Excluded by rule",
                ["rule", "rows", "amount"],
                [False, True, True],
                [
                    Row(_cells([text(e["rule"]), count(e["rows"]), money(e["amount"])]))
                    for e in rec["exclusions"]
                ],
            )
        )
    if rec.get("rejections"):
        grids.append(
            Grid(
                "Rejected by reason (a row may have several reasons)",
                ["reason", "rows", "amount"],
                [False, True, True],
                [
                    Row(_cells([text(e["reason"]), count(e["rows"]), money(e["amount"])]))
                    for e in rec["rejections"]
                ],
            )
        )
    return grids


def _low_note(ix: _Index) -> str:
    return (
        f"{LOW_MARK} {LOW_NOTE}: classification is known for less than "
        f"{percent(ix.min_coverage)} of the member's (or the network's) spend."
    )


def _coverage(ix: _Index) -> Grid | None:
    if not ix.classifications:
        return None
    rows, low = [], False
    for name in ix.rows:
        values = [_member_cell(ix, name)]
        for ms in ix.classifications:
            cov = _coverage_of(ix.metric.get((name, ALL_PERIODS, ms)))
            shown = percent(cov)
            if cov is not None and not ix.comparable(name, ms):
                shown, low = f"{shown} {LOW_MARK}", True
            values.append(Cell(shown))
        rows.append(_row(ix, name, values))
    return Grid(
        "Coverage: known spend as a share of total spend (whole period)",
        ["member", *(measure_label(m) for m in ix.classifications)],
        [False, *[True] * len(ix.classifications)],
        rows,
        "coverage",
        notes=[_low_note(ix)] if low else [],
    )


# ---------------------------------------------------------------- focus and members


def _rank_text(entry: dict[str, Any] | None, name: str) -> str:
    if entry is None:
        return DASH
    ranked = [r for r in entry["members"] if r["rank"] is not None]
    for r in entry["members"]:
        if r["member"] == name:
            return _rank_of(r, len(ranked))
    return DASH


def _rank_of(r: dict[str, Any], ranked: int | None = None) -> str:
    if r["rank"] is not None:
        return str(r["rank"]) if ranked is None else f"{r['rank']} of {ranked}"
    if not r["comparable"]:
        return f"not ranked (coverage {percent(r['coverage'])})"
    return "not ranked (share not defined)"


def _focus_headline(ix: _Index) -> Grid | None:
    name = ix.focus
    if name is None:
        return None
    targets = {(t["member"], t["measure"], t["period"]): t for t in ix.network.get("targets", [])}
    rows = []
    for ms in ix.classifications:
        mine = ix.metric.get((name, ALL_PERIODS, ms))
        pooled = ix.metric.get((ALL_ORGS, ALL_PERIODS, ms))
        t = targets.get((name, ms, ALL_PERIODS))
        rows.append(
            Row(
                [
                    Cell(measure_label(ms)),
                    Cell(percent(mine["share_of_total"] if mine else None)),
                    Cell(percent(pooled["share_of_total"] if pooled else None)),
                    Cell(_rank_text(ix.league.get((ms, ALL_PERIODS)), name)),
                    Cell(percent(_coverage_of(mine))),
                    Cell(money(mine["spend"] if mine else None)),
                    Cell(percent(t["target"]) if t else DASH),
                    Cell(status_text(t["status"]) if t else DASH),
                ]
            )
        )
    return Grid(
        f"{name}: measures for the whole period, beside the network",
        [
            "measure",
            "share of total",
            "network share",
            "rank",
            "coverage",
            "spend",
            "target",
            "target result",
        ],
        [False, True, True, False, True, True, True, False],
        rows,
        "focus-headline",
    )


def _members(ix: _Index) -> Grid:
    rows = []
    total, analysed, files = Decimal(0), 0, 0
    for m in ix.network.get("members", []):
        total += Decimal(m["total_spend"])
        analysed += int(m["rows_analysed"])
        files += len(m["files"])
        rows.append(
            _row(
                ix,
                m["name"],
                [
                    Cell(m["name"]),
                    Cell(text(m.get("short_name"))),
                    Cell(text(m.get("type"))),
                    Cell("; ".join(m["files"]) or DASH),
                    Cell(count(m["rows_analysed"])),
                    Cell(money(m["total_spend"])),
                ],
            )
        )
    rows.append(
        Row(
            [
                Cell(f"{NETWORK} ({len(rows)} member{'' if len(rows) == 1 else 's'})", "network"),
                Cell(DASH),
                Cell(DASH),
                Cell(f"{files} files"),
                Cell(count(analysed)),
                Cell(money(total)),
            ],
            network=True,
        )
    )
    return Grid(
        "Members of the network and their spend analysed",
        ["member", "short name", "type", "files", "rows analysed", "total spend"],
        [False, False, False, False, True, True],
        rows,
        "members",
    )


# ---------------------------------------------------------------- heat table


def _heat(ix: _Index) -> Grid | None:
    if not ix.classifications:
        return None
    rows, low = [], False
    for name in ix.rows:
        values = [_member_cell(ix, name)]
        for ms in ix.classifications:
            m = ix.metric.get((name, ALL_PERIODS, ms))
            share = m["share_of_total"] if m else None
            if share is None:
                values.append(Cell(DASH, "heat-none"))
            elif not ix.comparable(name, ms):
                low = True
                values.append(Cell(f"{percent(share)} {LOW_MARK}", "heat-low"))
            else:
                values.append(Cell(percent(share), f"heat-{heat_step(share)}"))
        rows.append(_row(ix, name, values))
    return Grid(
        "Share of total spend by member and measure (whole period)",
        ["member", *(measure_label(m) for m in ix.classifications)],
        [False, *[True] * len(ix.classifications)],
        rows,
        "heat",
        notes=[_low_note(ix)] if low else [],
    )


# ---------------------------------------------------------------- league tables


def _league_grid(ix: _Index, entry: dict[str, Any], caption: str) -> Grid:
    members = sorted(entry["members"], key=lambda r: r["rank"] is None)  # stable: ranked first
    rows = []
    for r in members:
        rows.append(
            _row(
                ix,
                r["member"],
                [
                    Cell(_rank_of(r), "" if r["rank"] is not None else "unranked"),
                    _member_cell(ix, r["member"]),
                    Cell(percent(r["share_of_total"])),
                    Cell(percent(r["supplier_share_of_total"])),
                    Cell(percent(r["coverage"])),
                    Cell(money(r["spend"])),
                ],
            )
        )
    n = entry.get("network")
    if n is not None:
        rows.append(
            Row(
                [
                    Cell(DASH),
                    Cell(NETWORK, "network"),
                    Cell(percent(n["share_of_total"])),
                    Cell(percent(n["supplier_share_of_total"])),
                    Cell(percent(n["coverage"])),
                    Cell(money(n["spend"])),
                ],
                network=True,
            )
        )
    return Grid(
        caption,
        ["rank", "member", "share of total", "supplier share", "coverage", "spend"],
        [True, False, True, True, True, True],
        rows,
        "league",
        header_col=1,
    )


def _leagues(ix: _Index) -> list[League]:
    out = []
    for i, ms in enumerate(ix.classifications, start=1):
        label = measure_label(ms)
        overall = ix.league.get((ms, ALL_PERIODS))
        periods = [
            (p, _league_grid(ix, ix.league[ms, p], f"{label}: league for {p}"))
            for p in ix.periods
            if (ms, p) in ix.league
        ]
        if overall is None and not periods:
            continue
        out.append(
            League(
                f"league-{i}",
                ms,
                label,
                None
                if overall is None
                else _league_grid(ix, overall, f"{label}: league for the whole period"),
                periods,
            )
        )
    return out


# ---------------------------------------------------------------- small multiples


@dataclass(frozen=True, slots=True)
class Line:
    label: str
    values: list[float | None]


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
        stroke: dict[str, object] = {"stroke": colour, "stroke-width": 2}
        if dash:
            stroke["stroke-dasharray"] = dash
        parts.append(
            charts.void("line", {"x1": x0, "y1": 10.0, "x2": x0 + 22, "y2": 10.0} | stroke)
        )
        parts.append(_marker(shape, x0 + 11, 10.0, colour))
        parts.append(charts.text(x0 + 28, 14, charts.truncate(line.label, 9)))
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
        runs: list[list[tuple[float, float]]] = [[]]
        for i, v in enumerate(line.values):
            if v is None:
                runs.append([])
            else:
                runs[-1].append((x_of(i), y_of(v)))
        for run in runs:
            if len(run) > 1:
                attrs: dict[str, object] = {
                    "points": " ".join(f"{charts.num(x)},{charts.num(y)}" for x, y in run),
                    "fill": "none",
                    "stroke": colour,
                    "stroke-width": 2,
                }
                if dash:
                    attrs["stroke-dasharray"] = dash
                parts.append(charts.void("polyline", attrs))
        for i, v in enumerate(line.values):
            if v is not None:
                parts.append(_marker(shape, x_of(i), y_of(v), colour))
    return charts.svg(chart_id, width, base + 26, title, desc, *parts)


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


def _trends(ix: _Index, ids: Iterator[str]) -> tuple[list[str], list[TrendChart]]:
    measures = [m for m in MAIN_MEASURES if m in ix.measures]
    if not measures or not ix.periods:
        return measures, []
    out = []
    for name in ix.rows:
        label = member_label(name)
        lines = [
            Line(
                measure_label(ms),
                [(ix.metric.get((name, p, ms)) or {}).get("share_of_total") for p in ix.periods],
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
                Row(_cells([p, *(percent(line.values[i]) for line in lines)]))
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


# ---------------------------------------------------------------- changes and targets


def _order(ix: _Index, name: str) -> int:
    return ix.rows.index(name) if name in ix.rows else len(ix.rows)


def _changes(ix: _Index) -> list[Titled]:
    by_measure: dict[str, list[dict[str, Any]]] = {}
    for c in ix.network.get("changes", []):
        by_measure.setdefault(c["measure"], []).append(c)
    out = []
    for i, ms in enumerate(ix.classifications, start=1):
        found = sorted(by_measure.get(ms, []), key=lambda c: (_order(ix, c["member"]), c["period"]))
        if not found:
            continue
        rows = [
            _row(
                ix,
                c["member"],
                [
                    _member_cell(ix, c["member"]),
                    Cell(c["period"]),
                    Cell(c["previous_period"]),
                    Cell(percent(c["previous_share"])),
                    Cell(percent(c["share_of_total"])),
                    Cell(change_text(c["change_points"])),
                    Cell(signed_money(c["spend_change"])),
                ],
            )
            for c in found
        ]
        grid = Grid(
            f"{measure_label(ms)}: change since the previous period",
            [
                "member",
                "period",
                "previous period",
                "previous share",
                "share",
                "change (points)",
                "change in spend",
            ],
            [False, False, False, True, True, True, True],
            rows,
            "changes",
        )
        out.append(Titled(f"changes-{i}", measure_label(ms), grid))
    return out


def _targets(ix: _Index) -> list[Titled]:
    by_period: dict[str, list[dict[str, Any]]] = {}
    for t in ix.network.get("targets", []):
        by_period.setdefault(t["period"], []).append(t)
    periods = sorted(by_period, key=lambda p: (p != ALL_PERIODS, p))  # the whole period first
    rank = {m: i for i, m in enumerate(ix.measures)}
    out = []
    for i, p in enumerate(periods, start=1):
        found = sorted(
            by_period[p],
            key=lambda t: (_order(ix, t["member"]), rank.get(t["measure"], len(rank))),
        )
        rows = [
            _row(
                ix,
                t["member"],
                [
                    _member_cell(ix, t["member"]),
                    Cell(measure_label(t["measure"])),
                    Cell(percent(t["target"])),
                    Cell(percent(t["share_of_total"])),
                    Cell(status_text(t["status"]), f"status-{t['status']}"),
                    Cell(points(t["gap_points"])),
                    Cell(money(t["gap"])),
                ],
            )
            for t in found
        ]
        heading = "Whole period" if p == ALL_PERIODS else p
        grid = Grid(
            f"Targets: {heading.lower() if p == ALL_PERIODS else heading}",
            ["member", "measure", "target", "share of total", "result", "gap (points)", "gap"],
            [False, False, True, True, False, True, True],
            rows,
            "targets",
        )
        out.append(Titled(f"targets-{i}", heading, grid))
    return out


# ---------------------------------------------------------------- suppliers and leakage


def _shared(ix: _Index) -> Grid | None:
    shared = ix.network.get("shared_suppliers", [])[:SHARED_SHOWN]
    if not shared:
        return None
    rows = []
    for s in shared:
        spend = {b["member"]: b["spend"] for b in s["by_member"]}
        rows.append(
            Row(
                [
                    Cell(text(s["supplier"])),
                    Cell(count(s["members"])),
                    Cell(money(s["spend"])),
                    *(Cell(money(spend.get(m))) for m in ix.members),
                ]
            )
        )
    return Grid(
        f"Suppliers paid by two or more members (top {len(rows)} by network spend)",
        ["supplier", "members", "network spend", *ix.members],
        [False, True, True, *[True] * len(ix.members)],
        rows,
        "shared",
    )


def _top_suppliers(ix: _Index) -> Grid | None:
    top = [r for r in ix.document.get("top_suppliers", []) if r["organisation"] == ALL_ORGS]
    if not top:
        return None
    rows = [
        Row(
            [
                Cell(str(r["rank"])),
                Cell(text(r["supplier"])),
                Cell(money(r["spend"])),
                Cell(percent(r["share_of_total"])),
                Cell(count(r["rows"])),
                *(Cell(text(r.get(k))) for k in ("sme", "vcse", "diverse_led", "local")),
                Cell(text(r.get("matched_by"))),
            ]
        )
        for r in top
    ]
    return Grid(
        f"The network's top {len(rows)} suppliers by spend",
        [
            "rank",
            "supplier",
            "spend",
            "share of total",
            "payments",
            "SME",
            "VCSE",
            "diverse-led",
            "local",
            "matched by",
        ],
        [True, False, True, True, True, *[False] * 5],
        rows,
        "top-suppliers",
        header_col=1,
    )


def _leakage_grid(rows_in: list[dict[str, Any]], caption: str) -> Grid:
    rows = [
        Row(
            [
                Cell(text(r["category"])),
                Cell(money(r["outside_local"])),
                Cell(percent(r["share_outside"])),
                Cell(money(r["local"])),
                Cell(money(r["unknown_location"])),
                Cell(money(r["total"])),
            ]
        )
        for r in rows_in
    ]
    return Grid(
        caption,
        [
            "category",
            "outside the local area",
            "share outside",
            "local",
            "location unknown",
            "total",
        ],
        [False, True, True, True, True, True],
        rows,
        "leakage",
    )


def _by_spend_outside(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(rows, key=lambda r: -Decimal(r["outside_local"]))  # stable: document order


def _leakage(ix: _Index) -> tuple[Grid | None, list[Titled]]:
    rows = ix.network.get("leakage", [])
    pooled = _by_spend_outside([r for r in rows if r["member"] == ALL_ORGS])
    network = (
        _leakage_grid(pooled, "Network spend outside the local area, by category")
        if pooled
        else None
    )
    per = []
    for i, name in enumerate(ix.members, start=1):
        mine = _by_spend_outside([r for r in rows if r["member"] == name])
        if mine:
            grid = _leakage_grid(mine, f"{name}: spend outside the local area, by category")
            per.append(Titled(f"leakage-{i}", name, grid))
    return network, per


# ---------------------------------------------------------------- inputs and data problems


def _unmatched(document: dict[str, Any]) -> Grid | None:
    rows = document.get("unmatched_suppliers", [])
    if not rows:
        return None
    return Grid(
        f"Unmatched suppliers by spend (top {len(rows)})",
        ["rank", "supplier", "spend", "payments"],
        [True, False, True, True],
        [
            Row(_cells([str(n), text(u["supplier"]), money(u["spend"]), count(u["rows"])]))
            for n, u in enumerate(rows, start=1)
        ],
        "unmatched",
        header_col=1,
    )


def _conflicts(document: dict[str, Any]) -> Grid | None:
    rows = document.get("conflicts", [])
    if not rows:
        return None
    return Grid(
        "Conflicting classifications (sources in order of precedence: the first is used)",
        ["supplier", "field", "values by source", "spend"],
        [False, False, False, True],
        [
            Row(
                _cells(
                    [
                        text(c["supplier"]),
                        text(c["field"]),
                        "; ".join(f"{text(v['source'])}: {text(v['value'])}" for v in c["values"]),
                        money(c["spend"]),
                    ]
                )
            )
            for c in rows
        ],
        "conflicts",
    )


def _inputs(document: dict[str, Any]) -> Grid:
    return Grid(
        "Spend files read",
        [
            "file",
            "sheet",
            "encoding",
            "header row",
            "rows read",
            "analysed",
            "excluded",
            "rejected",
            "amount read",
            "columns used",
        ],
        [False, False, False, *[True] * 6, False],
        [
            Row(
                [
                    Cell(text(i["path"])),
                    Cell(text(i.get("sheet"))),
                    Cell(text(i.get("encoding"))),
                    *(
                        Cell(count(i.get(k)))
                        for k in (
                            "header_row",
                            "rows_read",
                            "rows_analysed",
                            "rows_excluded",
                            "rows_rejected",
                        )
                    ),
                    Cell(money(i.get("amount_read"))),
                    Cell("; ".join(f"{f} ← {h}" for f, h in (i.get("columns") or {}).items())),
                ]
            )
            for i in document.get("inputs", [])
        ],
        "inputs",
    )


def _lookups(document: dict[str, Any]) -> Grid | None:
    rows = document.get("lookups", [])
    if not rows:
        return None
    return Grid(
        "Supplier lookups",
        ["file", "rows", "suppliers matched", "spend matched"],
        [False, True, True, True],
        [
            Row(
                _cells(
                    [
                        text(lk["path"]),
                        count(lk["rows"]),
                        count(lk["matched_suppliers"]),
                        money(lk["matched_spend"]),
                    ],
                )
            )
            for lk in rows
        ],
        "lookups",
    )


def _findings(document: dict[str, Any]) -> Grid | None:
    rows = document.get("findings", [])
    if not rows:
        return None
    return Grid(
        "Problems found in the data, grouped (row numbers are the file's own)",
        ["file", "code", "column", "severity", "count", "e.g. rows", "message"],
        [False, False, False, False, True, False, False],
        [
            Row(
                [
                    Cell(text(f["path"]) + ("" if f.get("sheet") is None else f" ({f['sheet']})")),
                    Cell(text(f["code"])),
                    Cell(text(f.get("column"))),
                    Cell(text(f["severity"]), "error" if f["severity"] == "error" else ""),
                    Cell(count(f["count"])),
                    Cell(rows_list(f.get("rows"))),
                    Cell(text(f["message"])),
                ]
            )
            for f in rows
        ],
        "findings",
    )


# ---------------------------------------------------------------- the whole report


def build_compare_report(document: dict[str, Any]) -> CompareReport:
    """The view both compare.html and compare.md render: every table, already formatted."""
    ix = _index(document)
    ids = (f"chart-{n}" for n in itertools.count(1))  # ids never come from data
    trend_measures, trends = _trends(ix, ids)
    leakage, member_leakage = _leakage(ix)
    if ix.focus is not None:
        title = f"{ix.focus} in the network"
    else:
        title = f"anchorspend network comparison ({len(ix.members)} members)"
    return CompareReport(
        title=title,
        focus=ix.focus,
        period_kind=PERIOD_KINDS.get(document.get("period", ""), str(document.get("period"))),
        min_coverage=ix.min_coverage,
        close_points=float(ix.network.get("close_points", 0.0)),
        classifications=ix.classifications,
        reconciliation=_reconciliation(document),
        coverage=_coverage(ix),
        focus_headline=_focus_headline(ix),
        members=_members(ix),
        heat=_heat(ix),
        heat_steps=HEAT_STEPS,
        heat_legend=heat_legend(),
        low_hatch=LOW_HATCH,
        leagues=_leagues(ix),
        trend_measures=[measure_label(m) for m in trend_measures],
        trends=trends,
        changes=_changes(ix),
        targets=_targets(ix),
        shared=_shared(ix),
        top_suppliers=_top_suppliers(ix),
        leakage=leakage,
        member_leakage=member_leakage,
        unmatched=_unmatched(document),
        conflicts=_conflicts(document),
        inputs=_inputs(document),
        lookups=_lookups(document),
        findings=_findings(document),
    )


def render_compare_html(document: dict[str, Any], *, templates: Path | None = None) -> str:
    """compare.html for the compare document; the same document always gives the same bytes."""
    template = environment(templates).get_template(TEMPLATE)
    return template.render(document=document, report=build_compare_report(document))
