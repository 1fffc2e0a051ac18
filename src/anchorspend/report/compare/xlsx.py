"""compare.xlsx: the network comparison as typed, filterable sheets, one per view.

Built with the analyse workbook's own pieces (report/xlsx.py): money is an exact number formatted
as pounds, shares are numbers formatted as percentages, counts are integers, text from public
files is always a string cell (never a formula: a member or supplier called ``=HYPERLINK(…)``
stays text), every sheet has a frozen, filtered header, and the zip is re-packed with fixed times
so the same document gives the same bytes. The network row (``(all)``) is labelled "Network".
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl.styles import Font, PatternFill

from anchorspend.glance import ALL_ORGS, ALL_PERIODS
from anchorspend.report.compare.charts import HEAT_STEPS, LOW_HATCH, heat_step
from anchorspend.report.compare.grid import (
    STATUS_SYMBOLS,
    classifications_of,
    covered,
    measures_of,
    member_label,
)
from anchorspend.report.xlsx import (
    FINDINGS,
    METRICS,
    SUMMARY,
    Column,
    col,
    inputs_sheet,
    new_workbook,
    save,
    sheet,
    summary,
)

POINTS_FORMAT = "+0.0;-0.0;0.0"

MEMBERS = [
    col("member"),
    col("short_name"),
    col("type"),
    col("files"),
    col("rows_analysed", "int"),
    col("total_spend", "money"),
]
LEAGUE = [
    col("measure"),
    col("period"),
    col("member"),
    col("rank", "int"),
    col("ranked", "bool"),
    col("comparable", "bool"),
    col("share_of_total", "share"),
    col("share_of_known", "share"),
    col("coverage", "share"),
    col("supplier_share_of_total", "share"),
    col("suppliers", "int"),
    col("spend", "money"),
    col("total_spend", "money"),
    col("note"),
]
CHANGES = [
    col("member"),
    col("measure"),
    col("period"),
    col("previous_period"),
    col("previous_share", "share"),
    col("share_of_total", "share"),
    col("change_points", "value"),
    col("direction"),
    col("spend_change", "money"),
]
TARGETS = [
    col("member"),
    col("measure"),
    col("period"),
    col("target", "share"),
    col("share_of_total", "share"),
    col("status"),
    col("gap_points", "value"),
    col("gap", "money"),
]
LEAKAGE = [
    col("member"),
    col("category"),
    col("outside_local", "money"),
    col("share_outside", "share"),
    col("local", "money"),
    col("unknown_location", "money"),
    col("total", "money"),
]
NETWORK_SUMMARY = [*SUMMARY, col("value", "value")]


def _relabel(rows: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    return [{**r, key: member_label(r[key])} for r in rows]


def _summary_rows(document: dict[str, Any]) -> list[dict[str, Any]]:
    network = document.get("network") or {}
    out = [
        {**r, "organisation": member_label(r["organisation"])} if r.get("organisation") else r
        for r in summary(document)
    ]
    out += [
        {"section": "network", "item": "members", "value": len(network.get("members", []))},
        {"section": "network", "item": "focus member", "organisation": network.get("focus")},
        {
            "section": "network",
            "item": "minimum coverage to be ranked",
            "coverage": network.get("min_coverage"),
        },
        {
            "section": "network",
            "item": "close to a target within (points)",
            "value": network.get("close_points"),
        },
    ]
    return out


def _members(document: dict[str, Any]) -> list[dict[str, Any]]:
    members = (document.get("network") or {}).get("members", [])
    out: list[dict[str, Any]] = [
        {
            "member": m["name"],
            "short_name": m.get("short_name"),
            "type": m.get("type"),
            "files": "; ".join(m["files"]),
            "rows_analysed": m["rows_analysed"],
            "total_spend": m["total_spend"],
        }
        for m in members
    ]
    out.append(
        {
            "member": member_label(ALL_ORGS),
            "files": f"{sum(len(m['files']) for m in members)} files",
            "rows_analysed": sum(int(m["rows_analysed"]) for m in members),
            "total_spend": str(sum((Decimal(m["total_spend"]) for m in members), Decimal(0))),
        }
    )
    return out


Heat = tuple[list[Column], list[dict[str, Any]], set[tuple[int, int]]]


def _heat(document: dict[str, Any]) -> Heat:
    """Members (then the network) × classification measures: share of total, whole period;
    with the (row, column) of each cell whose member is not ranked for low coverage."""
    network = document.get("network") or {}
    measures = classifications_of(measures_of(document))
    min_coverage = float(network.get("min_coverage", 0.0))
    at = {
        (m["organisation"], m["measure"]): m
        for m in document.get("metrics", [])
        if m["period"] == ALL_PERIODS
    }
    comparable = {
        (r["member"], e["measure"]): bool(r["comparable"])
        for e in network.get("league", [])
        if e["period"] == ALL_PERIODS
        for r in e["members"]
    }
    names = [m["name"] for m in network.get("members", [])]
    if any(o == ALL_ORGS for o, _ in at):
        names.append(ALL_ORGS)
    columns = [
        col("member"),
        *(col(ms, "share", key=f"m{i}") for i, ms in enumerate(measures)),
        col("low_coverage_not_ranked"),
    ]
    records, low_cells = [], set()
    for row, name in enumerate(names, start=2):
        record: dict[str, Any] = {"member": member_label(name)}
        low = []
        for i, ms in enumerate(measures):
            m = at.get((name, ms))
            record[f"m{i}"] = m["share_of_total"] if m else None
            if m is None or m["share_of_total"] is None:
                continue
            if not comparable.get((name, ms), covered(m, min_coverage)):
                low.append(ms)
                low_cells.add((row, i + 2))
        record["low_coverage_not_ranked"] = ", ".join(low) or None
        records.append(record)
    return columns, records, low_cells


def _league(document: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for e in (document.get("network") or {}).get("league", []):
        for r in e["members"]:
            if r["rank"] is not None:
                note = None
            elif not r["comparable"]:
                note = "low coverage: not ranked"
            else:
                note = "share not defined: not ranked"
            out.append(
                {
                    **r,
                    "measure": e["measure"],
                    "period": e["period"],
                    "ranked": r["rank"] is not None,
                    "note": note,
                }
            )
        if e.get("network") is not None:
            out.append(
                {
                    **e["network"],
                    "measure": e["measure"],
                    "period": e["period"],
                    "member": member_label(ALL_ORGS),
                    "note": "the network (not ranked)",
                }
            )
    return out


def _changes(document: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for c in _relabel((document.get("network") or {}).get("changes", []), "member"):
        points = c["change_points"]
        if points is None:
            direction = None
        elif f"{abs(points):.1f}" == "0.0":
            direction = "→ no change"
        else:
            direction = "↑ up" if points > 0 else "↓ down"
        out.append({**c, "direction": direction})
    return out


def _targets(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {**t, "status": f"{STATUS_SYMBOLS.get(t['status'], '')} {t['status']}".strip()}
        for t in _relabel((document.get("network") or {}).get("targets", []), "member")
    ]


def _shared(document: dict[str, Any]) -> tuple[list[Column], list[dict[str, Any]]]:
    network = document.get("network") or {}
    names = [m["name"] for m in network.get("members", [])]
    columns = [
        col("supplier"),
        col("members", "int"),
        col("network_spend", "money"),
        *(col(n, "money", key=f"m{i}") for i, n in enumerate(names)),
    ]
    records = []
    for s in network.get("shared_suppliers", []):
        spend = {b["member"]: b["spend"] for b in s["by_member"]}
        record = {"supplier": s["supplier"], "members": s["members"], "network_spend": s["spend"]}
        records.append(record | {f"m{i}": spend.get(n) for i, n in enumerate(names)})
    return columns, records


def _format_column(ws: Any, header: str, number_format: str) -> None:
    for cell in ws[1]:
        if cell.value == header:
            for (c,) in ws.iter_rows(min_row=2, min_col=cell.column, max_col=cell.column):
                if isinstance(c.value, int | float):
                    c.number_format = number_format


def _shade_heat(ws: Any, low: set[tuple[int, int]]) -> None:
    """The HTML heat table's fills and text colours; cells not ranked for low coverage are
    hatched instead (the number in each cell carries the value, the last column says why)."""
    for row in ws.iter_rows(min_row=2, min_col=2, max_col=ws.max_column - 1):
        for c in row:
            if not isinstance(c.value, int | float):
                continue
            if (c.row, c.column) in low:
                c.fill = PatternFill("lightUp", fgColor=LOW_HATCH[1].lstrip("#").upper())
                continue
            step = HEAT_STEPS[heat_step(float(c.value))]
            c.fill = PatternFill("solid", fgColor=step.background.lstrip("#").upper())
            c.font = Font(color=step.text.lstrip("#").upper())


def workbook(document: dict[str, Any]) -> Any:
    """The openpyxl Workbook for a compare document (not yet saved)."""
    wb = new_workbook("anchorspend network comparison")
    network = document.get("network") or {}
    heat_columns, heat, low = _heat(document)
    shared_columns, shared = _shared(document)
    input_columns, inputs = inputs_sheet(document)
    sheet(wb, "Summary", NETWORK_SUMMARY, _summary_rows(document))
    sheet(wb, "Members", MEMBERS, _members(document))
    sheet(wb, "Heat", heat_columns, heat)
    _shade_heat(wb["Heat"], low)
    sheet(wb, "League", LEAGUE, _league(document))
    sheet(wb, "Changes", CHANGES, _changes(document))
    _format_column(wb["Changes"], "change_points", POINTS_FORMAT)
    sheet(wb, "Targets", TARGETS, _targets(document))
    _format_column(wb["Targets"], "gap_points", "0.0")
    sheet(wb, "Shared suppliers", shared_columns, shared)
    sheet(wb, "Leakage", LEAKAGE, _relabel(network.get("leakage", []), "member"))
    sheet(wb, "Metrics", METRICS, _relabel(document.get("metrics", []), "organisation"))
    sheet(wb, "Inputs", input_columns, inputs)
    sheet(wb, "Findings", FINDINGS, document.get("findings", []))
    return wb


def write_compare_xlsx(document: dict[str, Any], path: Path) -> None:
    """Write the compare workbook to ``path``; equal documents give equal bytes."""
    save(workbook(document), path)
