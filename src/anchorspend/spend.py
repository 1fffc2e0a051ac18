"""Analysed spend in star form: supplier profiles, classified once each, and integer-keyed facts.

``spend_of`` splits analysed rows; ``merge_spend`` joins splits made part by part (a store's
partitions); ``spend_view`` rolls the facts up to a view's keys and attaches the profile
attributes the view reads.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import polars as pl

from anchorspend.classify import ID_KEYS, SUPPLIER_COLS
from anchorspend.ingest.canonical import FLAG_FIELDS
from anchorspend.measures import PeriodKind, period_expr

# A supplier as published: everything classification and location read from a row.
PROFILE_COLS = (*SUPPLIER_COLS, *FLAG_FIELDS, "redacted", "supplier_postcode")
# What the measures and views group spend by, besides the supplier.
FACT_KEYS = ("organisation", "period", "category", "expense_type")


@dataclass(slots=True)
class Spend:
    """Analysed spend in star form. ``profiles``: one row per distinct supplier as published
    (``_pid``, the profile columns, total ``amount`` in pence and ``n`` rows), which is what
    gets classified and located, once each. ``facts``: spend and row counts per organisation ×
    period × category × expense type × ``_pid``, integer-keyed on the supplier."""

    profiles: pl.DataFrame
    facts: pl.DataFrame


def spend_of(rows: pl.DataFrame, period: PeriodKind, ids: Collection[str] = ID_KEYS) -> Spend:
    """Split the analysed rows into supplier profiles and facts (see :class:`Spend`). Each row
    is hashed into its profile once; everything after works on integers and small tables.

    ``ids``: the identifier columns that can change a supplier's classification (see
    :func:`anchorspend.classify.identifiers_used`). The others are left out of the profiles (as
    null): an authority's own supplier id, unmatched by any lookup, would otherwise split one
    supplier into a profile per authority (3M profiles instead of 240,000 at 10M rows)."""
    analysed = rows.filter(pl.col("_status") == "analysed") if rows.height else rows
    if not analysed.height:
        profiles = pl.DataFrame(
            schema={"_pid": pl.UInt32, **{c: rows.schema.get(c, pl.String) for c in PROFILE_COLS}}
        ).with_columns(
            pl.lit(None, pl.Int64).alias("amount"),
            pl.lit(None, pl.Int64).alias("n"),
            pl.lit("analysed").alias("_status"),
        )
        facts = pl.DataFrame(
            schema={k: pl.String for k in FACT_KEYS}
            | {"period": pl.Categorical(), "_pid": pl.UInt32, "amount": pl.Int64, "n": pl.Int64}
        )
        return Spend(profiles, facts)
    dropped = [c for c in ID_KEYS if c not in ids]
    kept = [c for c in PROFILE_COLS if c not in dropped]
    groups = (
        analysed.select(kept)
        .with_row_index("_i")
        .group_by(kept, maintain_order=True)
        .agg(pl.col("_i"))
        .with_row_index("_pid")
        .with_columns(pl.lit(None, analysed.schema[c]).alias(c) for c in dropped)
        .select("_pid", *PROFILE_COLS, "_i")
    )
    members = groups.select("_pid", "_i").explode("_i")
    pid = (
        pl.repeat(0, analysed.height, dtype=pl.UInt32, eager=True)
        .scatter(members.get_column("_i"), members.get_column("_pid"))
        .alias("_pid")
    )
    # a period label per distinct date (a quarter's million rows carry ~90 dates), categorical
    dates = analysed.get_column("payment_date").unique().drop_nulls()
    labels = dates.to_frame().select(period_expr(pl.col("payment_date"), period)).to_series()
    facts = (
        analysed.select(
            pl.col("organisation"),
            pl.col("payment_date")
            .replace_strict(dates, labels, return_dtype=pl.Categorical)
            .alias("period"),
            pl.col("category"),
            pl.col("expense_type"),
            pid,
            pl.col("amount"),
        )
        .group_by(*FACT_KEYS, "_pid", maintain_order=True)
        .agg(pl.col("amount").sum(), pl.len().cast(pl.Int64).alias("n"))
    )
    return _with_totals(groups.drop("_i"), facts)


def _with_totals(profiles: pl.DataFrame, facts: pl.DataFrame) -> Spend:
    """Each profile given its spend and rows over all the facts (what classification reads)."""
    totals = facts.group_by("_pid").agg(pl.col("amount").sum(), pl.col("n").sum())
    return Spend(
        profiles.join(totals, on="_pid", how="left", maintain_order="left").with_columns(
            pl.lit("analysed").alias("_status")
        ),
        facts,
    )


def merge_spend(parts: list[Spend]) -> Spend:
    """Spend split part by part (a store's partitions) as one: profiles matched across parts
    by their columns and renumbered, facts re-keyed and added up where keys meet (a financial
    year spans four quarterly partitions)."""
    if len(parts) == 1:
        return parts[0]
    tagged = pl.concat(
        [p.profiles.with_columns(pl.lit(i, pl.UInt32).alias("_part")) for i, p in enumerate(parts)]
    )
    known = tagged.select(PROFILE_COLS).unique(maintain_order=True).with_row_index("_gpid")
    renumber = tagged.join(known, on=PROFILE_COLS, nulls_equal=True).select(
        "_part", "_pid", "_gpid"
    )
    facts = (
        pl.concat(
            [p.facts.with_columns(pl.lit(i, pl.UInt32).alias("_part")) for i, p in enumerate(parts)]
        )
        .join(renumber, on=["_part", "_pid"])
        .group_by(*FACT_KEYS, "_gpid", maintain_order=True)
        .agg(pl.col("amount").sum(), pl.col("n").sum())
        .rename({"_gpid": "_pid"})
    )
    return _with_totals(known.rename({"_gpid": "_pid"}), facts)


def spend_view(
    spend: Spend, attrs: pl.DataFrame, keys: tuple[str, ...], only: tuple[str, ...] | None = None
) -> pl.DataFrame:
    """The facts rolled up to ``keys`` × supplier profile, with the profile's attributes
    (classification, location; ``only`` those named, if given) attached: the shape the
    measures and views read."""
    wanted = attrs.drop("amount", "n")
    if only is not None:
        wanted = wanted.select("_pid", *(c for c in only if c in wanted.columns))
    return (
        spend.facts.group_by(*keys, "_pid", maintain_order=True)
        .agg(pl.col("amount").sum(), pl.col("n").sum())
        .join(wanted, on="_pid", how="left", maintain_order="left")
    )


# the attributes the measures read (see measures.measure_set), and what the category views read
MEASURE_ATTRS = (
    "supplier_key",
    "is_sme",
    "is_vcse",
    "is_diverse_led",
    "categories",
    "local_authority_code",
    "region_code",
    "imd_decile",
    "redacted",
    "local",
)
CATEGORY_ATTRS = ("supplier_key", "local", "_status")
