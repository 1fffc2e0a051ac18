"""Rows as the payments document lists them: with their supplier's name, their money as text
and their dates as ISO text; :func:`listed` is the shape of ``payments_not_measured``."""

from __future__ import annotations

from typing import Any

import polars as pl

from anchorspend.ingest.fields import RAW_PREFIX
from anchorspend.normalise import pence_text_expr


def named(rows: pl.DataFrame, profiles: pl.DataFrame) -> pl.DataFrame:
    """``rows`` with their supplier's name: the profile's for analysed rows, as read for the
    rest."""
    names = rows.select("_pid").join(
        profiles.select("_pid", pl.col("supplier_name").alias("_name")),
        on="_pid",
        how="left",
        maintain_order="left",
    )
    return rows.with_columns(
        pl.coalesce(names.get_column("_name"), pl.col("supplier_name")).alias("supplier_name")
    )


def money_text(s: pl.Series) -> pl.Series:
    """Pence → money text, as the document writes it (``map_batches`` over a pence column)."""
    return s.to_frame().select(pence_text_expr(pl.first())).to_series()


def records(frame: pl.DataFrame) -> list[dict[str, Any]]:
    """Rows as JSON-ready dicts: dates as ISO text."""
    dates = [c for c, t in frame.schema.items() if t == pl.Date]
    return frame.with_columns(pl.col(dates).dt.to_string("%Y-%m-%d")).to_dicts()


def listed(rows: pl.DataFrame) -> pl.DataFrame:
    """Rows with where they came from, what they say and why (reason codes ``; ``-separated)."""
    return rows.select(
        pl.col("_source").cast(pl.String).alias("path"),
        pl.col("_sheet").cast(pl.String).alias("sheet"),
        pl.col("_row").alias("row"),
        "organisation",
        "supplier_name",
        pl.col(RAW_PREFIX + "invoice_id").alias("invoice_id"),
        pl.col("amount").map_batches(money_text, return_dtype=pl.String).alias("invoice_amount"),
        pl.col("received").dt.to_string("%Y-%m-%d").alias("received"),
        pl.col("payment_date").dt.to_string("%Y-%m-%d").alias("payment_date"),
        pl.col("_pay_reason").alias("reasons"),
    )
