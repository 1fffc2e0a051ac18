"""The compare report's building blocks: plain-text tables and the indexed compare document.

Every section of compare.html and compare.md is one or more :class:`Grid` (cells already
formatted as text, CSS classes only from fixed names); the section builders (tables.py,
suppliers.py, inputs.py, charts.py here) read the document through
:class:`Index`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from markupsafe import Markup

from anchorspend.glance import ALL_ORGS, ALL_PERIODS, NOT_CLASSIFICATIONS
from anchorspend.report.format import DASH, coverage, money, percent
from anchorspend.report.tables import Cell, Grid, Row

NETWORK = "Network"
LOW_MARK = "†"
LOW_NOTE = "low coverage: not ranked"
STATUS_SYMBOLS = {"met": "✓", "close": "≈", "missed": "✗", "undefined": "?", "unknown": "?"}
STATUS_WORDS = {
    "undefined": "undefined (share not defined)",
    "unknown": "unknown (nothing classified)",
}

T = TypeVar("T")


# ---------------------------------------------------------------- cell formats


def member_label(name: str) -> str:
    """The network row of the document (``"(all)"``) is shown as "Network"."""
    return NETWORK if name == ALL_ORGS else name


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


# ---------------------------------------------------------------- the document, indexed


def measures_of(document: dict[str, Any]) -> list[str]:
    """The document's measures, in its order (from the metrics when it does not list them)."""
    metrics = document.get("metrics", [])
    return list(document.get("measures") or dict.fromkeys(m["measure"] for m in metrics))


def classifications_of(measures: list[str]) -> list[str]:
    return [m for m in measures if m not in NOT_CLASSIFICATIONS]


def covered(m: dict[str, Any] | None, min_coverage: float) -> bool:
    """compare.py's rule for being ranked: coverage (null as 0) at least ``min_coverage``."""
    return m is not None and (m.get("coverage") or 0) >= min_coverage


def coverage_of(m: dict[str, Any] | None) -> float | None:
    return None if m is None else coverage(m)


@dataclass(slots=True)
class Index:
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
        return covered(self.metric.get((member, period, measure)), self.min_coverage)

    def order(self, name: str) -> int:
        """Where ``name``'s rows go: members in the document's order, then the network."""
        return self.rows.index(name) if name in self.rows else len(self.rows)

    def member_cell(self, name: str) -> Cell:
        return Cell(member_label(name), "network" if name == ALL_ORGS else "")

    def row(self, name: str, values: list[Cell]) -> Row:
        return Row(values, focus=name == self.focus, network=name == ALL_ORGS)

    def low_note(self) -> str:
        return (
            f"{LOW_MARK} {LOW_NOTE}: classification is known for less than "
            f"{percent(self.min_coverage)} of the member's (or the network's) spend."
        )


def build_index(document: dict[str, Any]) -> Index:
    network: dict[str, Any] = document.get("network") or {}
    metrics = document.get("metrics", [])
    measures = measures_of(document)
    members = [m["name"] for m in network.get("members", [])]
    if not members:
        members = sorted({m["organisation"] for m in metrics} - {ALL_ORGS})
    has_network = any(m["organisation"] == ALL_ORGS for m in metrics)
    return Index(
        document=document,
        network=network,
        focus=network.get("focus"),
        members=members,
        rows=members + ([ALL_ORGS] if has_network or len(members) != 1 else []),
        measures=measures,
        classifications=classifications_of(measures),
        periods=sorted({m["period"] for m in metrics} - {ALL_PERIODS}),
        metric={(m["organisation"], m["period"], m["measure"]): m for m in metrics},
        league={(e["measure"], e["period"]): e for e in network.get("league", [])},
        min_coverage=float(network.get("min_coverage", 0.0)),
    )
