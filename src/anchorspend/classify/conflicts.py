"""Where the sources disagree about a supplier (a *conflict*, listed in the report and in
``conflicts.csv``), and the one name each supplier is shown by."""

from __future__ import annotations

import polars as pl

from anchorspend.classify.fields import EXPORT_SOURCE
from anchorspend.ingest.fields import FLAG_FIELDS
from anchorspend.normalise import pence_text_expr


def find_conflicts(
    sup: pl.DataFrame, export_rows: pl.DataFrame, classified: pl.DataFrame, labels: list[str]
) -> pl.DataFrame:
    """Suppliers whose sources disagree on a flag: one row per supplier key and flag."""
    parts: list[pl.DataFrame] = []
    keyed = sup.select("_sid", "supplier_key")
    for f in FLAG_FIELDS:
        for i, label in enumerate(labels):
            parts.append(
                sup.filter(pl.col(f"{f}{i}").is_not_null()).select(
                    "supplier_key",
                    pl.lit(f).alias("field"),
                    pl.lit(label).alias("source"),
                    pl.lit(i).alias("rank"),
                    pl.col(f"{f}{i}").alias("value"),
                )
            )
        parts.append(
            export_rows.filter(pl.col(f).is_not_null() & ~pl.col("redacted"))
            .join(keyed, on="_sid")
            .select(
                "supplier_key",
                pl.lit(f).alias("field"),
                pl.lit(EXPORT_SOURCE).alias("source"),
                pl.lit(len(labels)).alias("rank"),
                pl.col(f).alias("value"),
            )
        )
    votes = pl.concat(parts).unique().sort("supplier_key", "field", "rank", "value")
    clashing = (
        votes.group_by("supplier_key", "field")
        .agg(pl.col("value").n_unique().alias("n"))
        .filter(pl.col("n") > 1)
        .select("supplier_key", "field")
    )
    analysed = classified.filter(pl.col("_status") == "analysed")
    spend = analysed.group_by("supplier_key").agg(pl.col("amount").sum().alias("pence"))
    spend = spend.join(display_names(analysed), on="supplier_key", how="left")
    return (
        votes.join(clashing, on=["supplier_key", "field"])
        .group_by("supplier_key", "field", maintain_order=True)
        .agg(pl.struct("source", pl.col("value")).alias("values"))
        .join(spend, on="supplier_key", how="left")
        .with_columns(pence_text_expr(pl.col("pence").fill_null(0)).alias("spend"))
        .sort(["pence", "supplier_key", "field"], descending=[True, False, False], nulls_last=True)
        .select("supplier", "supplier_key", "field", "values", "spend")
    )


def display_names(rows: pl.DataFrame, key: str = "supplier_key") -> pl.DataFrame:
    """One name per supplier ``key``: the spelling on most rows, then with most spend, then
    alphabetical (so the choice never depends on row order)."""
    return (
        rows.group_by(key, "supplier_name")
        .agg(pl.col("n").sum().alias("_n"), pl.col("amount").sum().alias("_p"))
        .sort(["_n", "_p", "supplier_name"], descending=[True, True, False])
        .group_by(key, maintain_order=True)
        .agg(pl.col("supplier_name").first().alias("supplier"))
    )
