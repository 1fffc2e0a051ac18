"""Measures over analysed spend, per organisation and period, as the contract defines them.

A measure is a boolean expression over a row: true (the supplier has it), false, or null
(unknown). ``total_spend`` is true everywhere; ``redacted`` is never unknown. Classification
measures (``sme``, ``vcse``…) plug in as more expressions. Rows are first pre-aggregated to one
row per organisation × period × supplier × measure values, so the rollups to ``all`` periods and
to the pooled ``(all)`` organisation work on a table the size of the supplier list, not the
transactions.
"""

from __future__ import annotations

from typing import Literal

import polars as pl

from anchorspend.normalise import pence_text_expr

PeriodKind = Literal["quarter", "calendar", "month", "fy"]
ALL_PERIODS = "all"
ALL_ORGS = "(all)"


def period_expr(date: pl.Expr, kind: PeriodKind) -> pl.Expr:
    """UK financial-year quarters by default (``2026-27 Q1`` = April–June 2026)."""
    y, m = date.dt.year(), date.dt.month()
    fy = y - (m < 4).cast(pl.Int32)
    fy_label = pl.concat_str(
        fy.cast(pl.String), pl.lit("-"), ((fy + 1) % 100).cast(pl.String).str.zfill(2)
    )
    if kind == "quarter":
        return pl.concat_str(fy_label, pl.lit(" Q"), (((m + 8) % 12) // 3 + 1).cast(pl.String))
    if kind == "fy":
        return fy_label
    if kind == "calendar":
        return pl.concat_str(y.cast(pl.String), pl.lit(" Q"), ((m - 1) // 3 + 1).cast(pl.String))
    return date.dt.strftime("%Y-%m")


def measure_set(
    diverse_categories: list[str],
    local_tiers: dict[str, tuple[str, ...]],
    deprived_decile_max: int | None = None,
) -> dict[str, pl.Expr]:
    """Every measure, in display order, as a boolean expression over a classified row
    (true, false, or null for unknown). Redacted rows are unknown for every classification."""
    measures: dict[str, pl.Expr] = {
        "total_spend": pl.lit(True),
        "sme": pl.col("is_sme"),
        "vcse": pl.col("is_vcse"),
        "diverse_led": pl.col("is_diverse_led"),
    }
    for cat in diverse_categories:
        measures[f"diverse_led:{cat}"] = (
            pl.when(pl.col("is_diverse_led").not_())
            .then(pl.lit(False))
            .when(pl.col("categories").is_not_null())
            .then(pl.col("categories").list.contains(pl.lit(cat)))
        )
    code, region = pl.col("local_authority_code"), pl.col("region_code")
    for i, (tier, codes) in enumerate(local_tiers.items()):
        # a tier lists local authority codes and/or region codes
        inside = code.is_in(list(codes)).fill_null(False) | region.is_in(list(codes)).fill_null(
            False
        )
        expr = pl.when(code.is_not_null() | region.is_not_null()).then(inside)
        if i == 0:
            measures["local"] = expr
        measures[f"local:{tier}"] = expr
    if deprived_decile_max is not None:
        decile = pl.col("imd_decile")
        measures["deprived"] = pl.when(decile.is_not_null()).then(decile <= deprived_decile_max)
    measures["redacted"] = pl.col("redacted")
    return measures


def compute(analysed: pl.LazyFrame, measures: dict[str, pl.Expr]) -> pl.DataFrame:
    """Metric rows: organisation, period, measure, money in pence, supplier counts, shares.
    ``analysed`` carries ``period`` (see :func:`period_expr`) and ``amount`` in pence."""
    names = list(measures)
    flag_cols = [f"m{i}" for i in range(len(names))]
    # organisation and period as categoricals and the supplier as an integer: the rollups below
    # copy this table four times and count distinct suppliers in every group
    cat = pl.Categorical()
    pre = (
        analysed.select(
            pl.col("organisation").cast(cat),
            pl.col("period").cast(cat),
            pl.col("supplier_key").rank("dense").cast(pl.UInt32).alias("supplier"),
            pl.col("amount"),
            *(expr.alias(c) for c, expr in zip(flag_cols, measures.values(), strict=True)),
        )
        .group_by("organisation", "period", "supplier", *flag_cols)
        .agg(pl.col("amount").sum())
    ).collect()

    orgs = pre.get_column("organisation").unique()
    layers = [pre, pre.with_columns(pl.lit(ALL_PERIODS).cast(cat).alias("period"))]
    if orgs.len() > 1:
        layers += [
            layer.with_columns(pl.lit(ALL_ORGS).cast(cat).alias("organisation")) for layer in layers
        ]
    rolled = pl.concat(layers)

    aggs = []
    for c in flag_cols:
        yes, known = pl.col(c).fill_null(False), pl.col(c).is_not_null()
        aggs += [
            pl.col("amount").filter(yes).sum().alias(f"{c}_spend"),
            pl.col("amount").filter(known).sum().alias(f"{c}_known"),
            pl.col("supplier").filter(yes).n_unique().alias(f"{c}_sup"),
            pl.col("supplier").filter(known).n_unique().alias(f"{c}_ksup"),
        ]
    grouped = (
        rolled.group_by("organisation", "period")
        .agg(
            pl.col("amount").sum().alias("total_spend"),
            pl.col("supplier").n_unique().alias("total_suppliers"),
            *aggs,
        )
        .with_columns(pl.col("organisation", "period").cast(pl.String))
    )
    long = pl.concat(
        grouped.select(
            "organisation",
            "period",
            pl.lit(name).alias("measure"),
            "total_spend",
            pl.col(f"{c}_spend").alias("spend"),
            pl.col(f"{c}_known").alias("known_spend"),
            pl.col(f"{c}_sup").cast(pl.Int64).alias("suppliers"),
            pl.col(f"{c}_ksup").cast(pl.Int64).alias("known_suppliers"),
            pl.col("total_suppliers").cast(pl.Int64),
        )
        for c, name in zip(flag_cols, names, strict=True)
    )
    order = {n: i for i, n in enumerate(names)}
    return (
        long.with_columns(
            share(pl.col("spend"), pl.col("total_spend")).alias("share_of_total"),
            share(pl.col("spend"), pl.col("known_spend")).alias("share_of_known"),
            share(pl.col("known_spend"), pl.col("total_spend")).alias("coverage"),
            share(pl.col("suppliers"), pl.col("total_suppliers")).alias("supplier_share_of_total"),
            share(pl.col("suppliers"), pl.col("known_suppliers")).alias("supplier_share_of_known"),
            (pl.col("organisation") == ALL_ORGS).alias("_pooled"),
            (pl.col("period") == ALL_PERIODS).alias("_allp"),
            pl.col("measure").replace_strict(order, return_dtype=pl.Int32).alias("_m"),
        )
        .sort("_pooled", "organisation", "_allp", "period", "_m")
        .drop("_pooled", "_allp", "_m")
    )


def share(num: pl.Expr, den: pl.Expr) -> pl.Expr:
    """num/den as a float in [0, 1]; null when undefined (no spend, or net credits push the
    ratio outside [0, 1], where a share means nothing)."""
    ratio = num.cast(pl.Float64) / den.cast(pl.Float64)
    return pl.when((den > 0) & ratio.is_between(0.0, 1.0)).then(ratio)


def with_targets(metrics: pl.DataFrame, targets: dict[str, float]) -> pl.DataFrame:
    """``target`` (the share_of_total to reach) and ``target_met``, for measures with a target."""
    target = pl.col("measure").replace_strict(targets, default=None, return_dtype=pl.Float64)
    return metrics.with_columns(target.alias("target")).with_columns(
        pl.when(pl.col("target").is_not_null() & pl.col("share_of_total").is_not_null())
        .then(pl.col("share_of_total") >= pl.col("target"))
        .alias("target_met")
    )


def money_columns(metrics: pl.DataFrame) -> pl.DataFrame:
    """Pence → two-place decimal strings for output."""
    return metrics.with_columns(
        pence_text_expr(pl.col(c)).alias(c) for c in ("total_spend", "spend", "known_spend")
    )
