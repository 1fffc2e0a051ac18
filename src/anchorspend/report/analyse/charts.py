"""The analyse report's charts, one organisation at a time: each a summary in words, an SVG and
the table behind it (report/svg.py draws them)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from markupsafe import Markup

from anchorspend.glance import measure_label
from anchorspend.report import svg as charts
from anchorspend.report.format import (
    DASH,
    count,
    coverage,
    drawn_share,
    money,
    money_short,
    percent,
    share,
    text,
)
from anchorspend.report.svg import Bar, Series, ShareRow
from anchorspend.report.tables import Table

TOP_CATEGORIES = 10


@dataclass(frozen=True, slots=True)
class Chart:
    id: str
    kind: str  # "shares" | "trend" | "top-suppliers" | "categories" | "places"
    heading: str
    summary: list[str]
    svg: Markup
    table: Table


def _undefined(total: Decimal | None) -> str:
    if total is None or total <= 0:
        return "not defined (net spend is not positive)"
    return "not defined (net credits put it outside 0–100%)"


def share_chart(cid: str, label: str, rows: list[dict[str, Any]]) -> Chart:
    shares, summary, body = [], [], []
    for m in rows:
        name = measure_label(m["measure"])
        total, spend, known = (Decimal(m[k]) for k in ("total_spend", "spend", "known_spend"))
        share, cov = m["share_of_total"], coverage(m)
        shares.append(ShareRow(name, share, cov, _undefined(total)))
        if share is None or cov is None:
            summary.append(f"{name} share of spend is {_undefined(total)}.")
        elif cov == 0:
            summary.append(f"{name}: no spend could be classified, so the share is unknown.")
        else:
            summary.append(
                f"{name} suppliers received {money_short(spend)}, {percent(share)} of spend; "
                f"classification is known for {percent(cov)} of spend."
            )
        defined = share is not None and cov is not None
        body.append(
            [
                name,
                money(spend),
                percent(share),
                money(known - spend),
                percent(cov - share) if defined else DASH,
                money(total - known),
                percent(1 - cov) if cov is not None else DASH,
            ]
        )
    headers = ["measure", "has it", "share", "known not to", "share", "unknown", "share"]
    desc = f"Share of {label}'s spend by whether the supplier has each attribute, "
    desc += "does not, or is unclassified."
    svg = charts.share_bars(cid, shares, f"Share of spend by supplier type: {label}", desc)
    table = Table(headers, body, [False, *[True] * 6])
    return Chart(cid, "shares", "Share of spend by supplier type", summary, svg, table)


def trend_chart(
    cid: str, label: str, measures: list[str], by_period: dict[str, dict[str, Any]]
) -> Chart:
    periods = sorted(by_period)

    def gap(period: str, m: str) -> str:
        """Why a share is left out: nothing classified, or no positive spend."""
        classified = (by_period[period].get(m) or {}).get("share_of_total") is not None
        return "unknown" if classified else "not defined"

    series = [
        Series(
            measure_label(m),
            [drawn_share(by_period[p].get(m)) for p in periods],
            tuple(gap(p, m) for p in periods),
        )
        for m in measures
    ]
    summary = []
    if len(periods) == 1:
        summary.append(f"Only one period ({periods[0]}) is in the data, so each chart is one dot.")
    for m, s in zip(measures, series, strict=True):
        points = [(p, v) for p, v in zip(periods, s.values, strict=True) if v is not None]
        missing = [p for p, v in zip(periods, s.values, strict=True) if v is None]
        # a share left out is unknown (nothing classified) or not defined (no positive spend)
        unknown = [p for p in missing if gap(p, m) == "unknown"]
        undefined = [p for p in missing if p not in unknown]
        if not points and not undefined:
            sentence = f"{s.label}: no spend could be classified, so the share is unknown"
        elif not points and not unknown:
            sentence = f"{s.label}: the share is not defined in any period"
        elif not points:
            sentence = f"{s.label}: no share to show in any period"
        elif len(points) == 1:
            sentence = f"{s.label}: {percent(points[0][1])} in {points[0][0]}"
        else:
            (p0, v0), (p1, v1) = points[0], points[-1]
            sentence = f"{s.label}: {percent(v0)} in {p0}, {percent(v1)} in {p1}"
        if unknown and (points or undefined):
            sentence += f"; unknown (no spend classified) in {', '.join(unknown)}"
        if undefined and (points or unknown):
            sentence += f"; not defined in {', '.join(undefined)}"
        summary.append(sentence + ".")
    table = Table(
        ["period", *(s.label for s in series)],
        [[p, *(percent(s.values[i]) for s in series)] for i, p in enumerate(periods)],
        [False, *[True] * len(series)],
    )
    title = f"Share of spend by period: {label}"
    desc = f"Share of {label}'s spend for each measure in each period, from 0 to 100%."
    svg = charts.trend_chart(cid, periods, series, title, desc)
    return Chart(cid, "trend", "Share of spend by period", summary, svg, table)


def _of_spend(share: float | None) -> str:
    return "" if share is None else f" ({percent(share)} of spend)"


def top_chart(cid: str, label: str, rows: list[dict[str, Any]], total: Decimal | None) -> Chart:
    spends = [Decimal(r["spend"]) for r in rows]
    first = rows[0]
    together = sum(spends, Decimal(0))
    summary = [
        f"The biggest supplier, {text(first['supplier'])}, received {money_short(spends[0])}"
        f"{_of_spend(first['share_of_total'])}; the top {len(rows)} received "
        f"{money_short(together)} together{_of_spend(share(together, total))}."
    ]
    credits = sum(1 for s in spends if s < 0)
    if credits:
        summary.append(
            f"{credits} of them had net credits (negative spend), drawn in grey to the left "
            "of the zero line."
        )
    body = [
        [
            str(r["rank"]),
            text(r["supplier"]),
            money(r["spend"]),
            percent(r["share_of_total"]),
            count(r["rows"]),
            *(text(r.get(k)) for k in ("sme", "vcse", "diverse_led", "local")),
            text(r.get("matched_by")),
        ]
        for r in rows
    ]
    headers = ["rank", "supplier", "spend", "share of total", "payments"]
    table = Table(
        [*headers, "SME", "VCSE", "diverse-led", "local", "matched by"],
        body,
        [True, False, True, True, True, *[False] * 5],
    )
    bars = [Bar(text(r["supplier"]), s) for r, s in zip(rows, spends, strict=True)]
    title = f"Top {len(rows)} suppliers by spend: {label}"
    svg = charts.hbar_chart(cid, bars, title, f"Spend with {label}'s biggest suppliers.")
    return Chart(cid, "top-suppliers", "Top suppliers by spend", summary, svg, table)


def category_chart(
    cid: str, label: str, rows: list[dict[str, Any]], total: Decimal | None
) -> Chart:
    bases = sorted({r["basis"] for r in rows})
    noun = " or ".join(b.replace("_", " ") for b in bases)
    head, rest = rows[:TOP_CATEGORIES], rows[TOP_CATEGORIES:]
    bars = [Bar(text(r["category"]), Decimal(r["spend"])) for r in head]
    body = [
        [
            text(r["category"]),
            money(r["spend"]),
            percent(r["share_of_total"]),
            count(r["rows"]),
            count(r["suppliers"]),
        ]
        for r in head
    ]
    summary = [
        f"The biggest {noun}, {text(head[0]['category'])}, accounts for "
        f"{money_short(head[0]['spend'])}{_of_spend(head[0]['share_of_total'])}."
    ]
    if rest:
        other = sum((Decimal(r["spend"]) for r in rest), Decimal(0))
        other_label = f"other categories ({len(rest)})"
        bars.append(Bar(other_label, other))
        body.append(
            [
                other_label,
                money(other),
                percent(share(other, total)),
                count(sum(r["rows"] for r in rest)),
                DASH,
            ]
        )
        summary.append(
            f"The other {len(rest)} together account for {money_short(other)}"
            f"{_of_spend(share(other, total))}."
        )
    title = f"Spend by {noun}: {label}"
    svg = charts.hbar_chart(cid, bars, title, f"{label}'s spend by {noun}.", charts.GREEN)
    table = Table(
        [noun, "spend", "share of total", "payments", "suppliers"],
        body,
        [False, True, True, True, True],
    )
    return Chart(cid, "categories", f"Spend by {noun}", summary, svg, table)
