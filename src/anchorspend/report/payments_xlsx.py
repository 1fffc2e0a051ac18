"""payments.xlsx: the payments document as typed, filterable sheets, in report.xlsx's manner
(money as exact pounds, shares as percentages, text never a formula, same document → same
bytes)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from anchorspend.report.xlsx import FINDINGS, _col, _sheet, new_workbook, save

SHARES = (
    "share_paid_1_30",
    "share_paid_31_60",
    "share_paid_61_plus",
    "value_share_paid_1_30",
    "value_share_paid_31_60",
    "value_share_paid_61_plus",
)
FIGURES = [
    _col("organisation"),
    _col("period_start"),
    _col("period_end"),
    _col("supplier_type"),
    _col("paid_count", "int"),
    _col("paid_value", "money"),
    _col("average_days_to_pay", "value"),
    *(_col(k, "share") for k in SHARES),
    _col("due_count", "int"),
    _col("due_value", "money"),
    _col("due_not_paid_share", "share"),
    _col("value_due_not_paid_share", "share"),
    _col("all_regimes_paid_count", "int"),
    _col("all_regimes_paid_value", "money"),
    *(_col(k, "share") for k in ("within_30_share", "value_within_30_share")),
    *(_col(k, "share") for k in ("within_5_share", "value_within_5_share")),
]
DISTRIBUTION = [
    _col("organisation"),
    _col("period_start"),
    _col("period_end"),
    _col("bucket"),
    _col("count", "int"),
    _col("paid_value", "money"),
]
NOT_MEASURED = [
    _col("path"),
    _col("sheet"),
    _col("row", "int"),
    _col("organisation"),
    _col("supplier_name"),
    _col("invoice_id"),
    _col("invoice_amount", "money"),
    _col("received"),
    _col("payment_date"),
    _col("reasons"),
]
RECONCILIATION = [_col("status"), _col("reason"), _col("rows", "int"), _col("amount", "money")]


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
    _sheet(wb, "Payments", FIGURES, doc["payments"])
    _sheet(wb, "Distribution", DISTRIBUTION, doc["payments_distribution"])
    _sheet(wb, "Reconciliation", RECONCILIATION, _reconciliation(doc))
    _sheet(wb, "Not measured", NOT_MEASURED, doc["payments_not_measured"])
    _sheet(wb, "Findings", FINDINGS, doc["findings"])
    save(wb, path)
