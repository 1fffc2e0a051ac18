"""The compare report's member-by-member tables: coverage, the focus member's headline, the
members, the heat table of shares, league tables, changes since the previous period and targets.

Each row of a member is marked as the focus (``--member``) or the network by :meth:`Index.row`;
a cell whose member is not ranked for low coverage carries the † mark and a footnote.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from anchorspend.glance import ALL_ORGS, ALL_PERIODS, measure_label
from anchorspend.report.compare.charts import heat_step
from anchorspend.report.compare.grid import (
    LOW_MARK,
    NETWORK,
    Index,
    League,
    Titled,
    change_text,
    coverage_of,
    points,
    signed_money,
    status_text,
)
from anchorspend.report.format import DASH, UNKNOWN, count, money, percent, text
from anchorspend.report.tables import Cell, Grid, Row


def _share(share: float | None, coverage: float | None) -> str:
    """A share as a table shows it: "unknown" where none of the spend could be classified
    (coverage 0), for there 0% of total means unknown, not none (as the trend charts and the
    share bars say); the dash where it is not defined."""
    if share is not None and coverage == 0:
        return UNKNOWN
    return percent(share)


# ---------------------------------------------------------------- member × measure grids


def _by_member_and_measure(
    ix: Index, caption: str, cls: str, cell_of: Callable[[str, str], tuple[Cell, bool]]
) -> Grid | None:
    """Members (then the network) × classification measures, whole period. ``cell_of(member,
    measure)`` gives the cell and whether it is marked low coverage (then the grid has a note)."""
    if not ix.classifications:
        return None
    rows, low = [], False
    for name in ix.rows:
        values = [ix.member_cell(name)]
        for ms in ix.classifications:
            cell, marked = cell_of(name, ms)
            low = low or marked
            values.append(cell)
        rows.append(ix.row(name, values))
    return Grid(
        caption,
        ["member", *(measure_label(m) for m in ix.classifications)],
        [False, *[True] * len(ix.classifications)],
        rows,
        cls,
        notes=[ix.low_note()] if low else [],
    )


def coverage(ix: Index) -> Grid | None:
    def cell_of(name: str, ms: str) -> tuple[Cell, bool]:
        cov = coverage_of(ix.metric.get((name, ALL_PERIODS, ms)))
        if cov is not None and not ix.comparable(name, ms):
            return Cell(f"{percent(cov)} {LOW_MARK}"), True
        return Cell(percent(cov)), False

    return _by_member_and_measure(
        ix, "Coverage: known spend as a share of total spend (whole period)", "coverage", cell_of
    )


def heat(ix: Index) -> Grid | None:
    def cell_of(name: str, ms: str) -> tuple[Cell, bool]:
        m = ix.metric.get((name, ALL_PERIODS, ms))
        share = m["share_of_total"] if m else None
        if share is None:
            return Cell(DASH, "heat-none"), False
        if coverage_of(m) == 0:
            return Cell(f"{UNKNOWN} {LOW_MARK}", "heat-low"), True
        if not ix.comparable(name, ms):
            return Cell(f"{percent(share)} {LOW_MARK}", "heat-low"), True
        return Cell(percent(share), f"heat-{heat_step(share)}"), False

    return _by_member_and_measure(
        ix, "Share of total spend by member and measure (whole period)", "heat", cell_of
    )


# ---------------------------------------------------------------- focus and members


def _rank_of(r: dict[str, Any], ranked: int | None = None) -> str:
    if r["rank"] is not None:
        return str(r["rank"]) if ranked is None else f"{r['rank']} of {ranked}"
    if not r["comparable"]:
        return f"not ranked (coverage {percent(r['coverage'])})"
    return "not ranked (share not defined)"


def _rank_text(entry: dict[str, Any] | None, name: str) -> str:
    if entry is None:
        return DASH
    ranked = [r for r in entry["members"] if r["rank"] is not None]
    for r in entry["members"]:
        if r["member"] == name:
            return _rank_of(r, len(ranked))
    return DASH


def focus_headline(ix: Index) -> Grid | None:
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
                    Cell(_share(mine["share_of_total"], coverage_of(mine)) if mine else DASH),
                    Cell(_share(pooled["share_of_total"], coverage_of(pooled)) if pooled else DASH),
                    Cell(_rank_text(ix.league.get((ms, ALL_PERIODS)), name)),
                    Cell(percent(coverage_of(mine))),
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


def members(ix: Index) -> Grid:
    rows = []
    total, analysed, files = Decimal(0), 0, 0
    for m in ix.network.get("members", []):
        total += Decimal(m["total_spend"])
        analysed += int(m["rows_analysed"])
        files += len(m["files"])
        rows.append(
            ix.row(
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


# ---------------------------------------------------------------- league tables


def _league_figures(r: dict[str, Any]) -> list[Cell]:
    """A league row's figures, the same for a member and for the network."""
    return [
        Cell(_share(r["share_of_total"], r["coverage"])),
        Cell(_share(r["supplier_share_of_total"], r["coverage"])),
        Cell(percent(r["coverage"])),
        Cell(money(r["spend"])),
    ]


def _league_grid(ix: Index, entry: dict[str, Any], caption: str) -> Grid:
    ranked_first = sorted(entry["members"], key=lambda r: r["rank"] is None)  # stable
    rows = [
        ix.row(
            r["member"],
            [
                Cell(_rank_of(r), "" if r["rank"] is not None else "unranked"),
                ix.member_cell(r["member"]),
                *_league_figures(r),
            ],
        )
        for r in ranked_first
    ]
    n = entry.get("network")
    if n is not None:
        rows.append(Row([Cell(DASH), Cell(NETWORK, "network"), *_league_figures(n)], network=True))
    return Grid(
        caption,
        ["rank", "member", "share of total", "supplier share", "coverage", "spend"],
        [True, False, True, True, True, True],
        rows,
        "league",
        header_col=1,
    )


def leagues(ix: Index) -> list[League]:
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


# ---------------------------------------------------------------- changes and targets


def _grouped(entries: list[dict[str, Any]], key: str) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for e in entries:
        out.setdefault(e[key], []).append(e)
    return out


def changes(ix: Index) -> list[Titled]:
    by_measure = _grouped(ix.network.get("changes", []), "measure")
    out = []
    for i, ms in enumerate(ix.classifications, start=1):
        found = sorted(by_measure.get(ms, []), key=lambda c: (ix.order(c["member"]), c["period"]))
        if not found:
            continue
        rows = [
            ix.row(
                c["member"],
                [
                    ix.member_cell(c["member"]),
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


def targets(ix: Index) -> list[Titled]:
    by_period = _grouped(ix.network.get("targets", []), "period")
    periods = sorted(by_period, key=lambda p: (p != ALL_PERIODS, p))  # the whole period first
    rank = {m: i for i, m in enumerate(ix.measures)}
    out = []
    for i, p in enumerate(periods, start=1):
        found = sorted(
            by_period[p],
            key=lambda t: (ix.order(t["member"]), rank.get(t["measure"], len(rank))),
        )
        rows = [
            ix.row(
                t["member"],
                [
                    ix.member_cell(t["member"]),
                    Cell(measure_label(t["measure"]) + _basis_note(t)),
                    Cell(percent(t["target"])),
                    Cell(UNKNOWN if t["status"] == UNKNOWN else percent(t["share"])),
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


def _basis_note(t: dict[str, Any]) -> str:
    return " (of addressable spend)" if t.get("target_basis") == "addressable" else ""
