"""payments.md and payments.html, rendered from the payments document (see DOCUMENT.md).

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

from anchorspend.payments import NOT_MEASURED, OUTSIDE
from anchorspend.report.charts import (
    BLUE,
    DASH,
    GREY,
    count,
    money,
    percent,
    svg,
    text,
    void,
)
from anchorspend.report.html import environment, org_label

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
        parts.append(text(x + bar_w / 2, top + plot_h - h - 4, count(b["count"]),
                          text_anchor="middle"))  # fmt: skip
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


def _reconciliation_rows(rec: dict[str, Any]) -> list[tuple[str, str, str]]:
    labels = (
        ("read", "Rows read"),
        ("measured", "Measured"),
        ("not_measured", "Not measured (listed, with reasons)"),
        ("outside", "Outside the reporting periods"),
        ("excluded", "Excluded by a rule"),
        ("rejected", "Rejected when read"),
    )
    return [(label, count(rec[f"rows_{k}"]), money(rec[f"amount_{k}"])) for k, label in labels]


def render_payments_html(doc: dict[str, Any]) -> str:
    """payments.html; the same document always gives the same bytes."""
    template = environment().get_template("payments.html.j2")
    return template.render(
        document=doc,
        notices=notices(doc),
        reconciliation=_reconciliation_rows(doc["payments_reconciliation"]),
        period_kind=PERIOD_KINDS[doc["period"]],
        types=TYPE_LABELS,
        meaning=meaning,
        percent2=percent2,
        days=days,
    )


def _md_row(cells: list[str]) -> str:
    return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"


def render_payments_md(doc: dict[str, Any]) -> str:
    """payments.md: the same sections as the HTML, as tables."""
    lines = [
        "# Payment performance",
        "",
        f"{doc['generator']} · {doc['schema']} · periods are {PERIOD_KINDS[doc['period']]}, "
        f"the first from {doc['commencement']}. Days to pay are counted from the invoice's "
        + (
            "invoice date where it has no received date."
            if doc["received_from"] == "invoice-date"
            else "received date."
        ),
        "",
    ]
    for n in notices(doc):
        f = n.figures
        lines += [
            f"## {org_label(n.organisation)}: {n.period_start} to {n.period_end}",
            "",
            "Payments compliance notice (UK17):",
            "",
            _md_row(["figure", "value"]),
            _md_row(["---", "---:"]),
            _md_row(["Average days to pay", days(f["average_days_to_pay"])]),
            _md_row(["Paid in 1-30 days", percent2(f["share_paid_1_30"])]),
            _md_row(["Paid in 31-60 days", percent2(f["share_paid_31_60"])]),
            _md_row(["Paid in 61 days or more", percent2(f["share_paid_61_plus"])]),
            _md_row(["Due in the period, not paid in it", percent2(f["due_not_paid_share"])]),
            "",
            f"{f['paid_count']:,} payments ({money(f['paid_value'])}) in the notice's scope; "
            f"{f['due_count']:,} invoices fell due. Reg 113: {percent2(f['within_30_share'])} "
            f"paid within 30 days; PPN 05/15: {percent2(f['within_5_share'])} within 5 days "
            f"(of {f['all_regimes_paid_count']:,} payments under any regime).",
            "",
            _md_row(
                [
                    "suppliers",
                    "payments",
                    "value",
                    "avg days",
                    "1-30",
                    "31-60",
                    "61+",
                    "by value 1-30",
                    "due not paid",
                    "within 30",
                    "within 5",
                ]
            ),
            _md_row(["---"] + ["---:"] * 10),
        ]
        for t in n.by_type:
            lines.append(
                _md_row(
                    [
                        TYPE_LABELS[t["supplier_type"]],
                        count(t["paid_count"]),
                        money(t["paid_value"]),
                        days(t["average_days_to_pay"]),
                        percent(t["share_paid_1_30"]),
                        percent(t["share_paid_31_60"]),
                        percent(t["share_paid_61_plus"]),
                        percent(t["value_share_paid_1_30"]),
                        percent(t["due_not_paid_share"]),
                        percent(t["within_30_share"]),
                        percent(t["within_5_share"]),
                    ]
                )
            )
        lines.append("")
    rec = doc["payments_reconciliation"]
    lines += [
        "## Reconciliation",
        "",
        _md_row(["", "rows", "amount"]),
        _md_row(["---", "---:", "---:"]),
    ]
    lines += [_md_row(list(r)) for r in _reconciliation_rows(rec)]
    lines.append("")
    for label, key in (("Not measured", "not_measured"), ("Outside the periods", "outside")):
        if rec[key]:
            lines += [f"{label}, by reason:", "", _md_row(["reason", "rows", "amount", "meaning"])]
            lines.append(_md_row(["---", "---:", "---:", "---"]))
            lines += [
                _md_row([r["reason"], count(r["rows"]), money(r["amount"]), meaning(r["reason"])])
                for r in rec[key]
            ]
            lines.append("")
    listed = doc["payments_not_measured"]
    if listed:
        lines += [
            "## Rows not measured",
            "",
            _md_row(["file", "row", "supplier", "invoice", "amount", "reasons"]),
            _md_row(["---", "---:", "---", "---", "---:", "---"]),
        ]
        lines += [
            _md_row(
                [
                    str(r["path"]),
                    str(r["row"]),
                    str(r["supplier_name"] or DASH),
                    str(r["invoice_id"] or DASH),
                    money(r["invoice_amount"]),
                    r["reasons"],
                ]
            )
            for r in listed
        ]
        more = doc["payments_not_measured_rows"] - len(listed)
        if more:
            lines += ["", f"{more:,} more in payments_not_measured.csv."]
        lines.append("")
    return "\n".join(lines)
