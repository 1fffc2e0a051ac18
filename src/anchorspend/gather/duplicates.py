"""The duplicates rule: a transaction (organisation, id, date, supplier, amount) in a file after
the first that carries it is excluded as ``duplicate-in-another-file``, with one warning per
pair of files."""

from __future__ import annotations

import polars as pl

from anchorspend.errors import Finding
from anchorspend.findings import make
from anchorspend.normalise import pence_to_text

DUPLICATE_RULE = "duplicate-in-another-file"
TXN_KEY = ("organisation", "transaction_id", "payment_date", "supplier_name", "amount")
KEY_FIRST = "_first_source"


def candidate() -> pl.Expr:
    """Rows the rule looks at: analysed, with a transaction id."""
    return (pl.col("_status") == "analysed") & pl.col("transaction_id").is_not_null()


def mark_seen(
    frame: pl.DataFrame, seen: pl.DataFrame | None
) -> tuple[pl.DataFrame, pl.DataFrame | None]:
    """:func:`mark_duplicates` for a batch, against the transactions of the sources before."""
    if seen is None or not seen.height:
        return frame, None
    first = (
        frame.select(TXN_KEY)
        .join(seen, on=TXN_KEY, how="left", nulls_equal=True, maintain_order="left")
        .get_column(KEY_FIRST)
    )
    marked = frame.with_columns(pl.when(candidate()).then(first).alias(KEY_FIRST))
    dup = pl.col(KEY_FIRST).is_not_null()
    pairs = (
        marked.filter(dup)
        .group_by("_source", KEY_FIRST, maintain_order=True)
        .agg(pl.len(), pl.col("_row").head(5), pl.col("amount").sum())
        .with_columns(pl.col("_source").cast(pl.String))
    )
    return _excluded_as_duplicates(marked, dup).drop(KEY_FIRST), pairs if pairs.height else None


def _excluded_as_duplicates(rows: pl.DataFrame, dup: pl.Expr) -> pl.DataFrame:
    """Rows where ``dup`` holds excluded under the duplicates rule."""
    return rows.with_columns(
        pl.when(dup).then(pl.lit("excluded")).otherwise(pl.col("_status")).alias("_status"),
        pl.when(dup).then(pl.lit(DUPLICATE_RULE)).otherwise(pl.col("_reason")).alias("_reason"),
    )


def combine_pairs(pairs: list[pl.DataFrame]) -> pl.DataFrame:
    """Duplicate pairs found part by part (batches, a store's partitions), each with its
    source's place in reading order as ``_seq``, as one row per pair of files, in the order
    their first duplicate was read."""
    return (
        pl.concat(pairs)
        .group_by("_source", KEY_FIRST)
        .agg(
            pl.col("len").sum(),
            pl.col("_row").explode().sort().head(5),
            pl.col("amount").sum(),
            pl.col("_seq").first(),
        )
        .with_columns(pl.col("_row").list.first().alias("_at"))
        .sort("_seq", "_at")
        .drop("_seq", "_at")
    )


def mark_duplicates(rows: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The duplicates rule over rows of several files at once (a store's partition): rows in
    files after the first that carry a transaction are excluded; and per pair of files (in the order
    their first duplicate was read) the rows, five example row numbers and the pence."""
    pairs = pl.DataFrame(
        schema={
            "_source": pl.String,
            "_first_source": pl.String,
            "len": pl.UInt32,
            "_row": pl.List(pl.Int64),
            "amount": pl.Int64,
        }
    )
    if not rows.height or rows.get_column("_source").n_unique() < 2:
        return rows, pairs
    is_candidate = candidate()
    first = pl.col("_source").filter(is_candidate).first().over(TXN_KEY)
    marked = rows.with_columns(
        (is_candidate & (pl.col("_source") != first)).fill_null(False).alias("_dup"),
        first.alias("_first_source"),
    )
    pairs = (
        marked.filter(pl.col("_dup"))
        .group_by("_source", "_first_source", maintain_order=True)
        .agg(pl.len(), pl.col("_row").head(5), pl.col("amount").sum())
        .with_columns(pl.col("_source", "_first_source").cast(pl.String))
    )
    out = _excluded_as_duplicates(marked, pl.col("_dup")).drop("_dup", "_first_source")
    return out, pairs


def duplicate_notes(pairs: pl.DataFrame) -> list[Finding]:
    return [
        make(
            DUPLICATE_RULE,
            path=src,
            row=examples[0],
            n=n,
            amount=pence_to_text(int(pence or 0)),
            first=first_src,
        )
        for src, first_src, n, examples, pence in pairs.iter_rows()
    ]
