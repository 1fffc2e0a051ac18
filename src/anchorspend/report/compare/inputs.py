"""The compare report's tables of how sure the figures are: the reconciliation of rows and
amounts read, and the data behind the figures (unmatched suppliers, conflicting lookups, the
spend files and lookups read, and the problems found in the data)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from anchorspend.report.format import count, money, rows_list, text
from anchorspend.report.tables import Cell, Grid, cells, table


def _listed(
    document: dict[str, Any],
    key: str,
    caption: str,
    headers: list[str],
    numeric: list[bool],
    cells_of: Callable[[dict[str, Any]], list[Cell]],
) -> Grid | None:
    """A table of one of the document's lists, one row per entry; none when the list is empty.
    The list's key is the table's CSS class."""
    rows = document.get(key, [])
    return table(caption, headers, numeric, rows, cells_of, key) if rows else None


def _by_cause(caption: str, cause: str, entries: list[dict[str, Any]]) -> Grid:
    """Rows and amount for each exclusion rule or rejection reason (``cause`` names the key)."""
    return table(
        caption,
        [cause, "rows", "amount"],
        [False, True, True],
        entries,
        lambda e: cells([text(e[cause]), count(e["rows"]), money(e["amount"])]),
    )


def reconciliation(document: dict[str, Any]) -> list[Grid]:
    rec = document["reconciliation"]
    grids = [
        table(
            "Rows and amounts read",
            ["rows", "count", "amount"],
            [False, True, True],
            ("read", "analysed", "excluded", "rejected"),
            lambda s: cells([s, count(rec[f"rows_{s}"]), money(rec[f"amount_{s}"])]),
            "reconciliation",
        )
    ]
    if rec.get("exclusions"):
        grids.append(_by_cause("Excluded by rule", "rule", rec["exclusions"]))
    if rec.get("rejections"):
        caption = "Rejected by reason (a row may have several reasons)"
        grids.append(_by_cause(caption, "reason", rec["rejections"]))
    return grids


def unmatched(document: dict[str, Any]) -> Grid | None:
    rows = document.get("unmatched_suppliers", [])
    if not rows:
        return None

    def cells_of(ranked: tuple[int, dict[str, Any]]) -> list[Cell]:
        n, u = ranked
        return cells([str(n), text(u["supplier"]), money(u["spend"]), count(u["rows"])])

    return table(
        f"Unmatched suppliers by spend (top {len(rows)})",
        ["rank", "supplier", "spend", "payments"],
        [True, False, True, True],
        enumerate(rows, start=1),
        cells_of,
        "unmatched",
        header_col=1,
    )


def conflicts(document: dict[str, Any]) -> Grid | None:
    return _listed(
        document,
        "conflicts",
        "Conflicting classifications (sources in order of precedence: the first is used)",
        ["supplier", "field", "values by source", "spend"],
        [False, False, False, True],
        lambda c: cells(
            [
                text(c["supplier"]),
                text(c["field"]),
                "; ".join(f"{text(v['source'])}: {text(v['value'])}" for v in c["values"]),
                money(c["spend"]),
            ]
        ),
    )


def inputs(document: dict[str, Any]) -> Grid:
    return table(
        "Spend files read",
        [
            "file",
            "sheet",
            "encoding",
            "header row",
            "rows read",
            "analysed",
            "excluded",
            "rejected",
            "amount read",
            "columns used",
        ],
        [False, False, False, *[True] * 6, False],
        document.get("inputs", []),
        lambda i: cells(
            [
                text(i["path"]),
                text(i.get("sheet")),
                text(i.get("encoding")),
                *(
                    count(i.get(k))
                    for k in (
                        "header_row",
                        "rows_read",
                        "rows_analysed",
                        "rows_excluded",
                        "rows_rejected",
                    )
                ),
                money(i.get("amount_read")),
                "; ".join(f"{f} ← {h}" for f, h in (i.get("columns") or {}).items()),
            ]
        ),
        "inputs",
    )


def lookups(document: dict[str, Any]) -> Grid | None:
    return _listed(
        document,
        "lookups",
        "Supplier lookups",
        ["file", "rows", "suppliers matched", "spend matched"],
        [False, True, True, True],
        lambda lk: cells(
            [
                text(lk["path"]),
                count(lk["rows"]),
                count(lk["matched_suppliers"]),
                money(lk["matched_spend"]),
            ]
        ),
    )


def findings(document: dict[str, Any]) -> Grid | None:
    return _listed(
        document,
        "findings",
        "Problems found in the data, grouped (row numbers are the file's own)",
        ["file", "code", "column", "severity", "count", "e.g. rows", "message"],
        [False, False, False, False, True, False, False],
        lambda f: [
            Cell(text(f["path"]) + ("" if f.get("sheet") is None else f" ({f['sheet']})")),
            Cell(text(f["code"])),
            Cell(text(f.get("column"))),
            Cell(text(f["severity"]), "error" if f["severity"] == "error" else ""),
            Cell(count(f["count"])),
            Cell(rows_list(f.get("rows"))),
            Cell(text(f["message"])),
        ],
    )
