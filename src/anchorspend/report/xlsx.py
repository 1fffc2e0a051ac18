"""The workbook helpers every report.xlsx shares: typed columns, sheets, saving.

Money is an exact ``Decimal`` number formatted as pounds, shares are numbers formatted as
percentages, counts are integers and flags are booleans, so a reader can sort, filter and sum.
Text from public files is always written as text: a supplier called ``=HYPERLINK(…)`` stays a
string cell (never a formula, CWE-1236), with Excel's quote prefix so that editing it keeps it
text. Same document → same bytes: entries are re-packed with a fixed time (``save``).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

from anchorspend.glance import ALL_PERIODS, NOT_CLASSIFICATIONS

MONEY_FORMAT = "£#,##0.00;[Red]-£#,##0.00"
SHARE_FORMAT = "0.0%"
COUNT_FORMAT = "#,##0"
FIXED_TIME = datetime(2000, 1, 1)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # not allowed in XLSX XML at all
MAX_WIDTH = 60

Kind = Literal["text", "money", "share", "int", "bool", "rows", "value"]


@dataclass(frozen=True, slots=True)
class Column:
    header: str
    key: str
    kind: Kind = "text"


def col(header: str, kind: Kind = "text", key: str | None = None) -> Column:
    return Column(header, key or header, kind)


METRICS = [
    col("organisation"),
    col("period"),
    col("measure"),
    *(col(k, "money") for k in ("total_spend", "spend", "known_spend")),
    *(col(k, "int") for k in ("suppliers", "known_suppliers", "total_suppliers")),
    *(col(k, "share") for k in ("share_of_total", "share_of_known", "coverage")),
    *(col(k, "share") for k in ("supplier_share_of_total", "supplier_share_of_known")),
    *(col(k, "money") for k in ("addressable_spend", "spend_addressable", "known_addressable")),
    *(col(k, "share") for k in ("share_of_addressable", "coverage_addressable")),
    col("target", "share"),
    col("target_basis"),
    col("target_met", "bool"),
]
SUMMARY = [
    col("section"),
    col("item"),
    col("organisation"),
    col("rows", "int"),
    col("amount", "money"),
    col("known_spend", "money"),
    col("coverage", "share"),
]
INPUTS = [
    col("path"),
    col("sheet"),
    col("encoding"),
    col("header_row", "int"),
    *(col(k, "int") for k in ("rows_read", "rows_analysed", "rows_excluded", "rows_rejected")),
    col("amount_read", "money"),
    col("columns"),
]
FINDINGS = [
    col("path"),
    col("sheet"),
    col("code"),
    col("column"),
    col("severity"),
    col("count", "int"),
    col("example_rows", "rows", key="rows"),
    col("message"),
]


def typed(value: Any, kind: Kind) -> Any:
    if value is None:
        return None
    if kind == "money":
        return Decimal(value)
    if kind == "share":
        return float(value)
    if kind == "int":
        return int(value)
    if kind == "bool":
        return bool(value)
    if kind == "value" and isinstance(value, bool | int | float):
        return value
    if kind == "rows":
        return ", ".join(str(r) for r in value)
    return value if isinstance(value, str) else str(value)


def shown(value: Any, kind: Kind) -> str:
    """Roughly what Excel displays, to size the column."""
    if value is None:
        return ""
    if kind == "money":
        return f"£{value:,.2f}"
    if kind == "share":
        return f"{value:.1%}"
    return str(value)


def put(ws: Any, row: int, col: int, value: Any, kind: Kind) -> None:
    cell = ws.cell(row=row, column=col)
    if isinstance(value, str):
        value = ILLEGAL.sub("\ufffd", value)
        cell.value = value
        cell.data_type = "s"  # never a formula, never an error code
        if value.startswith(FORMULA_START):
            cell.quotePrefix = True
        return
    cell.value = value
    if kind == "money":
        cell.number_format = MONEY_FORMAT
    elif kind == "share":
        cell.number_format = SHARE_FORMAT
    elif kind == "int":
        cell.number_format = COUNT_FORMAT


def sheet(wb: Any, title: str, columns: list[Column], records: list[dict[str, Any]]) -> None:
    ws = wb.create_sheet(title)
    bold = Font(bold=True)
    widths = [len(c.header) for c in columns]
    for j, c in enumerate(columns, start=1):
        put(ws, 1, j, c.header, "text")
        ws.cell(row=1, column=j).font = bold
    for i, record in enumerate(records, start=2):
        for j, c in enumerate(columns, start=1):
            value = typed(record.get(c.key), c.kind)
            put(ws, i, j, value, c.kind)
            widths[j - 1] = max(widths[j - 1], len(shown(value, c.kind)))
    for j, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = min(MAX_WIDTH, max(8, w + 2))
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(records) + 1}"


def summary(document: dict[str, Any]) -> list[dict[str, Any]]:
    rec = document["reconciliation"]
    out: list[dict[str, Any]] = [
        {
            "section": "reconciliation",
            "item": s,
            "rows": rec[f"rows_{s}"],
            "amount": rec[f"amount_{s}"],
        }
        for s in ("read", "analysed", "excluded", "rejected")
    ]
    out += [
        {"section": "excluded by rule", "item": e["rule"], "rows": e["rows"], "amount": e["amount"]}
        for e in rec["exclusions"]
    ]
    out += [
        {
            "section": "rejected by reason",
            "item": e["reason"],
            "rows": e["rows"],
            "amount": e["amount"],
        }
        for e in rec["rejections"]
    ]
    out += [
        {
            "section": "coverage",
            "item": m["measure"],
            "organisation": m["organisation"],
            "amount": m["total_spend"],
            "known_spend": m["known_spend"],
            "coverage": m.get("coverage"),
        }
        for m in document["metrics"]
        if m["period"] == ALL_PERIODS and m["measure"] not in NOT_CLASSIFICATIONS
    ]
    return out


def inputs_sheet(document: dict[str, Any]) -> tuple[list[Column], list[dict[str, Any]]]:
    """Inputs with the documented columns first, then any others the document carries."""
    records = [
        {**i, "columns": "; ".join(f"{k}: {v}" for k, v in (i.get("columns") or {}).items())}
        for i in document.get("inputs", [])
    ]
    known = {c.key for c in INPUTS}
    extra = [k for k in dict.fromkeys(k for r in records for k in r) if k not in known]
    columns = INPUTS + [
        col(k, "money" if k.startswith("amount_") else "int")
        if all(isinstance(r.get(k), int | None) or k.startswith("amount_") for r in records)
        else col(k)
        for k in extra
    ]
    return columns, records


def new_workbook(title: str) -> Any:
    """An empty workbook whose properties carry no clock time, so the bytes repeat."""
    wb = Workbook()
    wb.remove(wb.active)
    wb.properties.creator = "anchorspend"
    wb.properties.title = title
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    return wb


FIXED_ZIP_TIME = (2000, 1, 1, 0, 0, 0)


def save(wb: Workbook, path: Path) -> None:
    """Save a workbook so that equal contents give equal bytes. ``Workbook.save()`` would stamp
    "modified" with the clock, so write through ExcelWriter, then re-pack every zip entry with a
    fixed time."""
    staged = io.BytesIO()
    with ZipFile(staged, "w", ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(wb, archive).write_data()
    with ZipFile(staged) as src, ZipFile(path, "w", ZIP_DEFLATED, allowZip64=True) as dst:
        for info in src.infolist():
            fixed = ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            fixed.compress_type = ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, src.read(info))
