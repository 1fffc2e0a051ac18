"""What ``check`` says of a payments export's rows: dates out of order or not days, and
status, disputed and procured_under texts it does not understand."""

from __future__ import annotations

import polars as pl

from anchorspend.findings import code_columns, message
from anchorspend.ingest.fields import RAW_PREFIX, RowOptions
from anchorspend.payments.fields import parse_fields, unknown_disputed, unknown_status

# what ``check`` says of a payments export's rows: code → the field it is about
CHECKS = {
    "received-after-paid": "invoice_received_date",
    "due-before-received": "due_date",
    "invalid-received-date": "invoice_received_date",
    "invalid-invoice-date": "invoice_date",
    "invalid-due-date": "due_date",
    "unknown-status": "status",
    "unknown-disputed": "disputed",
    "unknown-regime": "procured_under",
}


def row_checks(rows: pl.DataFrame, options: RowOptions) -> pl.DataFrame:
    """``check``'s findings for canonical payment rows (not excluded ones): one row per problem
    with ``path``, ``sheet``, ``row``, ``field`` (canonical), ``code``, ``severity``, ``value``
    (the cell as published) and ``message``."""
    rows = parse_fields(rows.filter(pl.col("_status") != "excluded"), options, money=False)
    bad = {"missing", "ok"}
    received = pl.col("invoice_received_date")
    conds = {
        "received-after-paid": (received > pl.col("payment_date")).fill_null(False),
        "due-before-received": (pl.col("due_date") < received).fill_null(False),
        "invalid-received-date": ~pl.col("_invoice_received_date_status").is_in(bad),
        "invalid-invoice-date": ~pl.col("_invoice_date_status").is_in(bad),
        "invalid-due-date": ~pl.col("_due_date_status").is_in(bad),
        "unknown-status": unknown_status(),
        "unknown-disputed": unknown_disputed(),
        "unknown-regime": pl.col("_regime_present") & pl.col("regime").is_null(),
    }
    parts = [
        rows.filter(cond).select(
            pl.col("_source").cast(pl.String).alias("path"),
            pl.col("_sheet").cast(pl.String).alias("sheet"),
            pl.col("_row").alias("row"),
            pl.lit(CHECKS[code]).alias("field"),
            *code_columns(code),
            pl.col(RAW_PREFIX + CHECKS[code]).alias("value"),
            pl.lit(message(code)).alias("message"),
        )
        for code, cond in conds.items()
    ]
    return pl.concat(parts)
