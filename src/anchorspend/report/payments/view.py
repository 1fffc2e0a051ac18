"""The payments reports' view: what payments.md and payments.html both show, from the payments
document (see DOCUMENT.md).

Both lead with the payments compliance notice's figures per organisation and period (what a
finance director approves and copies into UK17), then the same figures by supplier type, the
days-to-pay distribution, the reconciliation and the rows not measured. Nothing is recomputed:
every figure is the document's, only formatted (percentages to 2 dp in the notice block, 1 dp
elsewhere; average days as the document gives them, to 2 dp).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from anchorspend.payments.rules import NOT_MEASURED, OUTSIDE
from anchorspend.report.format import DASH, count, money, org_label
from anchorspend.report.svg import BLUE, GREY, svg, text, void

TYPE_LABELS = {
    "all": "All suppliers",
    "sme": "SMEs",
    "vcse": "VCSEs",
    "local": "Local",
    "diverse_led": "Diverse-led",
    "large": "Large (not SME)",
    "unknown": "SME status unknown",
}
REASONS = {**NOT_MEASURED, **OUTSIDE}  # what each reason code means, for the reader


def meaning(code: str) -> str:
    """A reason code's meaning (a config's exclusion rule or a reading rejection: "")."""
    return REASONS.get(code, "")


PERIOD_KINDS = {
    "half": "six-month periods ending 31 March and 30 September",
    "h1": "six-month periods ending 30 September",
    "h2": "six-month periods ending 31 March",
    "quarter": "quarters ending March, June, September and December",
    "year": "financial years ending 31 March",
}


def percent2(share: float | None) -> str:
    """The notice's percentages: 2 dp (12.35%); "–" where there is nothing to divide."""
    return DASH if share is None else f"{share * 100:.2f}%"


def days(value: float | None) -> str:
    return DASH if value is None else f"{value:.2f}"


@dataclass(frozen=True, slots=True)
class Notice:
    """One organisation × period: the figures as UK17 asks for them, and the split by type."""

    id: str
    organisation: str
    period_start: str
    period_end: str
    figures: dict[str, Any]  # the ``all`` row
    by_type: list[dict[str, Any]]
    chart: Markup


def _key(p: dict[str, Any]) -> tuple[str, str]:
    return p["organisation"], p["period_start"]


def notices(doc: dict[str, Any]) -> list[Notice]:
    by: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for p in doc["payments"]:
        by.setdefault(_key(p), []).append(p)
    dist: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for d in doc["payments_distribution"]:
        dist.setdefault(_key(d), []).append(d)
    out = []
    for i, (key, rows) in enumerate(by.items()):
        first = next(r for r in rows if r["supplier_type"] == "all")
        title = (
            f"Days to pay: {org_label(key[0])}, {first['period_start']} to {first['period_end']}"
        )
        out.append(
            Notice(
                f"notice-{i + 1}",
                key[0],
                first["period_start"],
                first["period_end"],
                first,
                rows,
                distribution_chart(f"dist-{i + 1}", dist.get(key, []), title),
            )
        )
    return out


def distribution_chart(chart_id: str, buckets: list[dict[str, Any]], title: str) -> Markup:
    """Vertical bars: the notice's payments per days-to-pay bucket, the 30- and 60-day lines
    drawn between the buckets they separate. Counts are labelled on the bars."""
    left, top, bar_w, gap, plot_h = 40, 16, 56, 10, 180
    most = max([b["count"] for b in buckets] + [1])
    parts: list[Markup] = []
    for i, b in enumerate(buckets):
        x = left + i * (bar_w + gap)
        h = plot_h * b["count"] / most
        late = b["bucket"] in ("31-45", "46-60", "61-90", "91+")
        parts.append(
            void(
                "rect",
                {
                    "class": "bar",
                    "x": float(x),
                    "y": float(top + plot_h - h),
                    "width": float(bar_w),
                    "height": float(h),
                    "fill": GREY if late else BLUE,
                },
            )
        )
        parts.append(
            text(x + bar_w / 2, top + plot_h - h - 4, count(b["count"]), text_anchor="middle")
        )
        parts.append(text(x + bar_w / 2, top + plot_h + 16, b["bucket"], text_anchor="middle"))
    for after in ("26-30", "46-60"):
        at = next((k for k, b in enumerate(buckets) if b["bucket"] == after), None)
        if at is None:
            continue
        line_x = left + (at + 1) * (bar_w + gap) - gap / 2
        parts.append(
            void(
                "line",
                {"x1": line_x, "y1": float(top), "x2": line_x, "y2": float(top + plot_h)}
                | {"stroke": GREY, "stroke-width": 1, "stroke-dasharray": "4 3"},
            )
        )
    parts.append(text(left, top + plot_h + 36, "days to pay (0 = paid on the day received)"))
    width = left + max(len(buckets), 1) * (bar_w + gap)
    desc = "; ".join(f"{b['bucket']} days: {b['count']:,} payments" for b in buckets) or (
        "no payments in scope"
    )
    return svg(chart_id, width, top + plot_h + 48, title, desc, *parts)


def reconciliation_rows(rec: dict[str, Any]) -> list[tuple[str, str, str]]:
    labels = (
        ("read", "Rows read"),
        ("measured", "Measured"),
        ("not_measured", "Not measured (listed, with reasons)"),
        ("outside", "Outside the reporting periods"),
        ("excluded", "Excluded by a rule"),
        ("rejected", "Rejected when read"),
    )
    return [(label, count(rec[f"rows_{k}"]), money(rec[f"amount_{k}"])) for k, label in labels]
