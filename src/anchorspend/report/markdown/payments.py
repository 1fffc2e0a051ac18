"""payments.md: the same sections as payments.html (payments/view.py), as tables."""

from __future__ import annotations

from typing import Any

from anchorspend.report.format import DASH, count, money, org_label, percent
from anchorspend.report.markdown import md_text, plain_row
from anchorspend.report.payments.view import (
    PERIOD_KINDS,
    TYPE_LABELS,
    Notice,
    days,
    meaning,
    notices,
    percent2,
    reconciliation_rows,
)

Lines = list[str]
BY_TYPE_HEADERS = [
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
BY_TYPE_SHARES = (
    "share_paid_1_30",
    "share_paid_31_60",
    "share_paid_61_plus",
    "value_share_paid_1_30",
    "due_not_paid_share",
    "within_30_share",
    "within_5_share",
)


def _intro(doc: dict[str, Any]) -> Lines:
    counted = (
        "invoice date where it has no received date."
        if doc["received_from"] == "invoice-date"
        else "received date."
    )
    return [
        "# Payment performance",
        "",
        f"{doc['generator']} · {doc['schema']} · periods are {PERIOD_KINDS[doc['period']]}, "
        f"the first from {doc['commencement']}. Days to pay are counted from the invoice's "
        + counted,
        "",
    ]


def _notice(n: Notice) -> Lines:
    """One organisation × period: the notice's figures, then the same by supplier type."""
    f = n.figures
    lines = [
        f"## {md_text(org_label(n.organisation))}: {n.period_start} to {n.period_end}",
        "",
        "Payments compliance notice (UK17):",
        "",
        plain_row(["figure", "value"]),
        plain_row(["---", "---:"]),
        plain_row(["Average days to pay", days(f["average_days_to_pay"])]),
        plain_row(["Paid in 1-30 days", percent2(f["share_paid_1_30"])]),
        plain_row(["Paid in 31-60 days", percent2(f["share_paid_31_60"])]),
        plain_row(["Paid in 61 days or more", percent2(f["share_paid_61_plus"])]),
        plain_row(["Due in the period, not paid in it", percent2(f["due_not_paid_share"])]),
        "",
        f"{f['paid_count']:,} payments ({money(f['paid_value'])}) in the notice's scope; "
        f"{f['due_count']:,} invoices fell due. Reg 113: {percent2(f['within_30_share'])} "
        f"paid within 30 days; PPN 05/15: {percent2(f['within_5_share'])} within 5 days "
        f"(of {f['all_regimes_paid_count']:,} payments under any regime).",
        "",
        plain_row(BY_TYPE_HEADERS),
        plain_row(["---"] + ["---:"] * 10),
    ]
    for t in n.by_type:
        figures = [count(t["paid_count"]), money(t["paid_value"]), days(t["average_days_to_pay"])]
        shares = [percent(t[k]) for k in BY_TYPE_SHARES]
        lines.append(plain_row([TYPE_LABELS[t["supplier_type"]], *figures, *shares]))
    return [*lines, ""]


def _reconciliation(rec: dict[str, Any]) -> Lines:
    lines = [
        "## Reconciliation",
        "",
        plain_row(["", "rows", "amount"]),
        plain_row(["---", "---:", "---:"]),
        *(plain_row(list(r)) for r in reconciliation_rows(rec)),
        "",
    ]
    for label, key in (("Not measured", "not_measured"), ("Outside the periods", "outside")):
        if not rec[key]:
            continue
        lines += [f"{label}, by reason:", ""]
        lines += [plain_row(["reason", "rows", "amount", "meaning"])]
        lines += [plain_row(["---", "---:", "---:", "---"])]
        lines += [
            plain_row([r["reason"], count(r["rows"]), money(r["amount"]), meaning(r["reason"])])
            for r in rec[key]
        ]
        lines.append("")
    return lines


def _not_measured(doc: dict[str, Any]) -> Lines:
    listed = doc["payments_not_measured"]
    if not listed:
        return []
    lines = [
        "## Rows not measured",
        "",
        plain_row(["file", "row", "supplier", "invoice", "amount", "reasons"]),
        plain_row(["---", "---:", "---", "---", "---:", "---"]),
    ]
    lines += [
        plain_row(
            [
                md_text(str(r["path"])),
                str(r["row"]),
                md_text(str(r["supplier_name"] or DASH)),
                md_text(str(r["invoice_id"] or DASH)),
                money(r["invoice_amount"]),
                r["reasons"],
            ]
        )
        for r in listed
    ]
    more = doc["payments_not_measured_rows"] - len(listed)
    if more:
        lines += ["", f"{more:,} more in payments_not_measured.csv."]
    return [*lines, ""]


def render_payments_md(doc: dict[str, Any]) -> str:
    """payments.md: the same sections as payments.html, as tables."""
    lines = _intro(doc)
    for n in notices(doc):
        lines += _notice(n)
    lines += _reconciliation(doc["payments_reconciliation"])
    lines += _not_measured(doc)
    return "\n".join(lines)
