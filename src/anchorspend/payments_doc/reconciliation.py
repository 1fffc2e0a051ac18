"""The document's ``payments_reconciliation``: every row read is measured, not measured,
outside the periods, excluded or rejected, with rows and pounds per reason, so the pence add up."""

from __future__ import annotations

from typing import Any

import polars as pl

from anchorspend.normalise import pence_to_text


def reconciliation(rows: pl.DataFrame) -> dict[str, Any]:
    """Every row read is measured, not measured (with reasons), outside the periods, excluded
    or rejected; the pence add up the same way."""
    statuses = ("measured", "not-measured", "outside", "excluded", "rejected")
    agg = rows.group_by("_pay_status").agg(pl.len(), pl.col("amount").sum())
    by = {s: (0, 0) for s in statuses}
    for status, n, pence in agg.iter_rows():
        by[status] = (int(n), int(pence or 0))
    out: dict[str, Any] = {
        "rows_read": sum(n for n, _ in by.values()),
        **{f"rows_{s.replace('-', '_')}": by[s][0] for s in statuses},
        "amount_read": pence_to_text(sum(p for _, p in by.values())),
        **{f"amount_{s.replace('-', '_')}": pence_to_text(by[s][1]) for s in statuses},
    }
    for status, label in (
        ("not-measured", "not_measured"),
        ("outside", "outside"),
        ("excluded", "exclusions"),
        ("rejected", "rejections"),
    ):
        out[label] = _tally(rows, status)
    return out


def _tally(rows: pl.DataFrame, status: str) -> list[dict[str, Any]]:
    """Rows and pounds per reason (a row may give several, ``; ``-separated)."""
    counted = (
        rows.filter(pl.col("_pay_status") == status)
        .select(pl.col("_pay_reason").str.split("; ").alias("reason"), "amount")
        .explode("reason")
        .group_by("reason")
        .agg(pl.len(), pl.col("amount").sum())
        .sort("reason")
    )
    return [
        {"reason": r, "rows": int(n), "amount": pence_to_text(int(a or 0))}
        for r, n, a in counted.iter_rows()
    ]
