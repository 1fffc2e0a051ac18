"""The report's "where suppliers are" chart: spend by supplier local authority.

The spend whose location is unknown always has its own bar and row, never folded into the rest.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from anchorspend.report import svg as charts
from anchorspend.report.format import DASH, money, money_short, percent
from anchorspend.report.svg import Bar

TOP_PLACES = 10
UNKNOWN = "location unknown"


def place_rows(document: dict[str, Any], organisation: str) -> list[dict[str, Any]]:
    geography = document.get("geography") or {}
    return [r for r in geography.get("by_local_authority", []) if r["organisation"] == organisation]


def _label(r: dict[str, Any]) -> str:
    code = r["local_authority_code"]
    if code is None:
        return UNKNOWN
    return f"{r['name']} ({code})" if r.get("name") else str(code)


def place_chart(
    cid: str,
    label: str,
    rows: list[dict[str, Any]],
    total: Decimal | None,
    basis: list[dict[str, Any]] | None = None,
    source: dict[str, Any] | None = None,
) -> tuple[list[str], Any, list[str], list[list[str]]]:
    """(summary, svg, headers, table rows) for one organisation. ``source``: the bundled
    postcode table's, named with its attribution (the Open Government Licence asks for it)."""
    known = [r for r in rows if r["local_authority_code"] is not None]
    unknown = [r for r in rows if r["local_authority_code"] is None]
    head, rest = known[:TOP_PLACES], known[TOP_PLACES:]

    def share(value: Decimal) -> str:
        return (
            percent(float(value / total)) if total and total > 0 and 0 <= value <= total else DASH
        )

    bars = [Bar(_label(r), Decimal(r["spend"])) for r in head]
    body = [
        [_label(r), money(r["spend"]), share(Decimal(r["spend"])), str(r["suppliers"])]
        for r in head
    ]
    if rest:
        other = sum((Decimal(r["spend"]) for r in rest), Decimal(0))
        name = f"other local authorities ({len(rest)})"
        bars.append(Bar(name, other))
        body.append([name, money(other), share(other), DASH])
    unknown_spend = sum((Decimal(r["spend"]) for r in unknown), Decimal(0))
    if unknown:
        bars.append(Bar(UNKNOWN, unknown_spend))
        body.append(
            [
                UNKNOWN,
                money(unknown_spend),
                share(unknown_spend),
                str(sum(r["suppliers"] for r in unknown)),
            ]
        )
    summary = []
    if head:
        summary.append(
            f"The most spend went to suppliers in {_label(head[0])}: "
            f"{money_short(head[0]['spend'])} ({share(Decimal(head[0]['spend']))} of spend)."
        )
    summary.append(
        f"The location of suppliers receiving {money_short(unknown_spend)} "
        f"({share(unknown_spend)} of spend) is unknown."
    )
    if basis:
        summary.append(
            "Placed by: "
            + "; ".join(f"{b['location_basis']} {money_short(b['spend'])}" for b in basis)
            + " (all organisations)."
        )
    if source:
        summary.append(f"Postcodes placed with the {source['name']}. {source['attribution']}")
    title = f"Spend by supplier local authority: {label}"
    svg = charts.hbar_chart(cid, bars, title, f"{label}'s spend by where its suppliers are.")
    return summary, svg, ["supplier local authority", "spend", "share of total", "suppliers"], body
