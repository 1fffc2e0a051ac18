"""The compare report's supplier tables: suppliers shared by members, payments between members,
the network's top suppliers, and spend outside the local area (leakage) for the network and
each member."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from anchorspend.glance import ALL_ORGS
from anchorspend.report.compare.grid import Index, Titled
from anchorspend.report.format import count, money, percent, text
from anchorspend.report.tables import Cell, Grid, cells, table

SHARED_SHOWN = 100


def shared(ix: Index) -> Grid | None:
    found = ix.network.get("shared_suppliers", [])[:SHARED_SHOWN]
    if not found:
        return None

    def cells_of(s: dict[str, Any]) -> list[Cell]:
        spend = {b["member"]: b["spend"] for b in s["by_member"]}
        return [
            Cell(text(s["supplier"])),
            Cell(count(s["members"])),
            Cell(money(s["spend"])),
            *(Cell(money(spend.get(m))) for m in ix.members),
        ]

    return table(
        f"Suppliers paid by two or more members (top {len(found)} by network spend)",
        ["supplier", "members", "network spend", *ix.members],
        [False, True, True, *[True] * len(ix.members)],
        found,
        cells_of,
        "shared",
    )


def flows(ix: Index) -> Grid | None:
    """Payments from one member to another, payer → payee (see compare.flows)."""
    found = ix.network.get("flows", [])
    if not found:
        return None
    place = ix.network.get("place", False)
    net = "the network row leaves them out" if place else "the network row counts them"
    return table(
        f"Payments between members ({net})",
        ["payer", "payee", "spend", "payments"],
        [False, False, True, True],
        found,
        lambda f: [
            Cell(text(f["payer"])),
            Cell(text(f["payee"])),
            Cell(money(f["spend"])),
            Cell(count(f["rows"])),
        ],
        "flows",
    )


def top_suppliers(document: dict[str, Any]) -> Grid | None:
    top = [r for r in document.get("top_suppliers", []) if r["organisation"] == ALL_ORGS]
    if not top:
        return None
    return table(
        f"The network's top {len(top)} suppliers by spend",
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
        top,
        lambda r: [
            Cell(str(r["rank"])),
            Cell(text(r["supplier"])),
            Cell(money(r["spend"])),
            Cell(percent(r["share_of_total"])),
            Cell(count(r["rows"])),
            *(Cell(text(r.get(k))) for k in ("sme", "vcse", "diverse_led", "local")),
            Cell(text(r.get("matched_by"))),
        ],
        "top-suppliers",
        header_col=1,
    )


# The leakage table's figures after the category: (header, field, format).
LEAKAGE_FIGURES: tuple[tuple[str, str, Callable[[Any], str]], ...] = (
    ("outside the local area", "outside_local", money),
    ("share outside", "share_outside", percent),
    ("local", "local", money),
    ("location unknown", "unknown_location", money),
    ("total", "total", money),
)


def _leakage_grid(rows: list[dict[str, Any]], caption: str) -> Grid:
    return table(
        caption,
        ["category", *(header for header, _, _ in LEAKAGE_FIGURES)],
        [False, *[True] * len(LEAKAGE_FIGURES)],
        rows,
        lambda r: cells([text(r["category"]), *(shown(r[k]) for _, k, shown in LEAKAGE_FIGURES)]),
        "leakage",
    )


def _by_spend_outside(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(rows, key=lambda r: -Decimal(r["outside_local"]))  # stable: document order


def leakage(ix: Index) -> tuple[Grid | None, list[Titled]]:
    """The network's leakage by category, and each member's."""
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
