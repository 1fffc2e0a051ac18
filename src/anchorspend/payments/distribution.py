"""The days-to-pay distribution: the notice's payments counted per bucket of days
(:data:`~anchorspend.payments.rules.BUCKETS`), for the report's bar chart."""

from __future__ import annotations

import polars as pl

from anchorspend.measures import ALL_ORGS
from anchorspend.payments.figures import KEYS
from anchorspend.payments.rules import BUCKETS


def distribution(rows: pl.DataFrame) -> pl.DataFrame:
    """The notice's payments (in scope, measured, paid in a period) per organisation × period ×
    days-to-pay bucket (:data:`BUCKETS`), with the pooled ``(all)`` when there are several
    organisations: ``count`` and ``pence``, every bucket present."""
    bucket = pl.lit(None, pl.String)
    for label, first, last in reversed(BUCKETS):
        inside = pl.col("days") >= first if last is None else pl.col("days").is_between(first, last)
        bucket = pl.when(inside).then(pl.lit(label)).otherwise(bucket)
    counted = (
        rows.lazy()
        .filter(
            (pl.col("_pay_status") == "measured")
            & pl.col("paid_start").is_not_null()
            & pl.col("in_scope")
        )
        .group_by(
            pl.col("organisation").cast(pl.String),
            pl.col("paid_start").alias("period_start"),
            pl.col("paid_end").alias("period_end"),
            bucket.alias("bucket"),
        )
        .agg(pl.len().cast(pl.Int64).alias("count"), pl.col("amount").sum().alias("pence"))
        .collect()
    )
    if counted.get_column("organisation").n_unique() > 1:
        pooled = counted.group_by("period_start", "period_end", "bucket").agg(
            pl.col("count", "pence").sum()
        )
        counted = pl.concat(
            [counted, pooled.select(pl.lit(ALL_ORGS).alias("organisation"), *counted.columns[1:])]
        )
    labels = pl.DataFrame({"bucket": [b[0] for b in BUCKETS], "_b": list(range(len(BUCKETS)))})
    cells = counted.select(*KEYS).unique().join(labels, how="cross")
    return (
        cells.join(counted, on=[*KEYS, "bucket"], how="left")
        .with_columns(pl.col("count", "pence").fill_null(0))
        .with_columns((pl.col("organisation") == ALL_ORGS).alias("_pooled"))
        .sort("_pooled", "organisation", "period_start", "_b")
        .drop("_b", "_pooled")
    )
