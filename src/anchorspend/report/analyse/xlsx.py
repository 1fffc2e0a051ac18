"""report.xlsx for ``analyse``: the machine document as typed, filterable sheets (the
helpers in report/xlsx.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from anchorspend.report.xlsx import (
    FINDINGS,
    METRICS,
    SUMMARY,
    col,
    inputs_sheet,
    new_workbook,
    save,
    sheet,
    summary,
)

CATEGORIES = [
    col("organisation"),
    col("basis"),
    col("category"),
    col("spend", "money"),
    col("rows", "int"),
    col("suppliers", "int"),
    col("share_of_total", "share"),
]
TOP_SUPPLIERS = [
    col("organisation"),
    col("rank", "int"),
    col("supplier"),
    col("spend", "money"),
    col("rows", "int"),
    col("share_of_total", "share"),
    col("matched_by"),
    *(col(k, "bool") for k in ("sme", "vcse", "diverse_led", "local")),
]
UNMATCHED = [col("rank", "int"), col("supplier"), col("spend", "money"), col("rows", "int")]
CONFLICTS = [
    col("conflict", "int"),
    col("supplier"),
    col("field"),
    col("supplier_spend", "money"),
    col("source"),
    col("value", "value"),  # a flag (boolean) or text, as the source gave it
]
LOOKUPS = [
    col("path"),
    col("rows", "int"),
    col("matched_suppliers", "int"),
    col("matched_spend", "money"),
]


def _conflicts(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "conflict": n,
            "supplier": c["supplier"],
            "field": c["field"],
            "supplier_spend": c["spend"],
            "source": v["source"],
            "value": v["value"],
        }
        for n, c in enumerate(document.get("conflicts", []), start=1)
        for v in c["values"]
    ]


def _ranked(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"rank": n, **r} for n, r in enumerate(rows, start=1)]


def workbook(document: dict[str, Any]) -> Any:
    """The openpyxl Workbook for ``document`` (not yet saved)."""
    wb = new_workbook("anchorspend report")
    input_columns, inputs = inputs_sheet(document)
    sheet(wb, "Summary", SUMMARY, summary(document))
    sheet(wb, "Metrics", METRICS, document["metrics"])
    sheet(wb, "Categories", CATEGORIES, document.get("categories", []))
    sheet(wb, "Top suppliers", TOP_SUPPLIERS, document.get("top_suppliers", []))
    sheet(wb, "Unmatched", UNMATCHED, _ranked(document.get("unmatched_suppliers", [])))
    sheet(wb, "Conflicts", CONFLICTS, _conflicts(document))
    sheet(wb, "Inputs", input_columns, inputs)
    sheet(wb, "Lookups", LOOKUPS, document.get("lookups", []))
    sheet(wb, "Findings", FINDINGS, document.get("findings", []))
    return wb


def write_xlsx(document: dict[str, Any], path: Path) -> None:
    """Write report.xlsx to ``path`` (the caller decides where; outputs.py stages it)."""
    save(workbook(document), path)
