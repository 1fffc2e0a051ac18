"""payments.xlsx: the payments document as typed, filterable sheets, in report.xlsx's manner
(money as exact pounds, shares as percentages, text never a formula, same document → same
bytes)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from anchorspend.report.xlsx import FINDINGS, col, new_workbook, save, sheet

SHARES = (
    "share_paid_1_30",
    "share_paid_31_60",
    "share_paid_61_plus",
    "value_share_paid_1_30",
    "value_share_paid_31_60",
    "value_share_paid_61_plus",
)
FIGURES = [
    col("organisation"),
    col("period_start"),
    col("period_end"),
    col("supplier_type"),
    col("paid_count", "int"),
    col("paid_value", "money"),
    col("average_days_to_pay", "value"),
    *(col(k, "share") for k in SHARES),
    col("due_count", "int"),
    col("due_value", "money"),
    col("due_not_paid_share", "share"),
    col("value_due_not_paid_share", "share"),
    col("all_regimes_paid_count", "int"),
    col("all_regimes_paid_value", "money"),
    *(col(k, "share") for k in ("within_30_share", "value_within_30_share")),
    *(col(k, "share") for k in ("within_5_share", "value_within_5_share")),
]
DISTRIBUTION = [
    col("organisation"),
    col("period_start"),
    col("period_end"),
    col("bucket"),
    col("count", "int"),
    col("paid_value", "money"),
]
NOT_MEASURED = [
    col("path"),
    col("sheet"),
    col("row", "int"),
    col("organisation"),
    col("supplier_name"),
    col("invoice_id"),
    col("invoice_amount", "money"),
    col("received"),
    col("payment_date"),
    col("reasons"),
]
RECONCILIATION = [col("status"), col("reason"), col("rows", "int"), col("amount", "money")]


def _reconciliation(doc: dict[str, Any]) -> list[dict[str, Any]]:
    rec = doc["payments_reconciliation"]
    out: list[dict[str, Any]] = []
    for status in ("read", "measured", "not_measured", "outside", "excluded", "rejected"):
        out.append(
            {"status": status, "rows": rec[f"rows_{status}"], "amount": rec[f"amount_{status}"]}
        )
    for status, key in (
        ("not_measured", "not_measured"),
        ("outside", "outside"),
        ("excluded", "exclusions"),
        ("rejected", "rejections"),
    ):
        out += [{"status": status, **r} for r in rec[key]]
    return out


def write_payments_xlsx(doc: dict[str, Any], path: Path) -> None:
    wb = new_workbook("anchorspend payments")
    sheet(wb, "Payments", FIGURES, doc["payments"])
    sheet(wb, "Distribution", DISTRIBUTION, doc["payments_distribution"])
    sheet(wb, "Reconciliation", RECONCILIATION, _reconciliation(doc))
    sheet(wb, "Not measured", NOT_MEASURED, doc["payments_not_measured"])
    sheet(wb, "Findings", FINDINGS, doc["findings"])
    save(wb, path)
