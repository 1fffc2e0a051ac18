"""The measures, as the contract defines them, and the vocabulary every later stage reads.

A measure is a boolean expression over a supplier profile: true (the supplier has it), false,
or null (unknown). ``total_spend`` is true everywhere; ``redacted`` is never unknown.
Classification measures (``sme``, ``vcse``…) plug in as more expressions (:func:`measure_set`).
The names of the rollups (``all`` periods, the pooled ``(all)`` organisation), which measures
are not classifications, and a share as every figure gives it (:func:`share`) are here too;
:mod:`anchorspend.metrics` sums the measures per organisation × period.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from anchorspend.errors import AnchorspendError

ALL_PERIODS = "all"
"""The period of the rollup over every period."""
ALL_ORGS = "(all)"
"""The organisation of the pooled rows of several organisations (a name no input may use)."""
TOTAL_SPEND = "total_spend"
"""The measure true of every row: all spend."""
NOT_CLASSIFICATIONS = (TOTAL_SPEND, "redacted")
"""The measures that are not classifications of suppliers: never unknown, so never given a
coverage, ranked or counted as a classification in the documents and reports."""


def classifications(measures: Sequence[str]) -> list[str]:
    """``measures`` that classify suppliers (every one but :data:`NOT_CLASSIFICATIONS`)."""
    return [m for m in measures if m not in NOT_CLASSIFICATIONS]


def measure_set(
    diverse_categories: list[str],
    local_tiers: dict[str, tuple[str, ...]],
    deprived_decile_max: int | None = None,
) -> dict[str, pl.Expr]:
    """Every measure, in display order, as a boolean expression over a classified row
    (true, false, or null for unknown). Redacted rows are unknown for every classification."""
    measures: dict[str, pl.Expr] = {
        TOTAL_SPEND: pl.lit(True),
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
    places = [pl.col(c) for c in ("local_authority_code", "region_code", "country_code")]
    for i, (tier, codes) in enumerate(local_tiers.items()):
        # a tier lists local authority, region and/or country codes
        inside = pl.any_horizontal(p.is_in(list(codes)).fill_null(False) for p in places)
        expr = pl.when(pl.any_horizontal(p.is_not_null() for p in places)).then(inside)
        if i == 0:
            measures["local"] = expr
        measures[f"local:{tier}"] = expr
    if deprived_decile_max is not None:
        decile = pl.col("imd_decile")
        measures["deprived"] = pl.when(decile.is_not_null()).then(decile <= deprived_decile_max)
    measures["redacted"] = pl.col("redacted")
    return measures


def refuse_reserved_name(summary: pl.DataFrame) -> None:
    """Stop on rows whose organisation is named as the pooled figures are (:data:`ALL_ORGS`),
    as they could not be told from them. ``summary``: the rows read, counted per
    organisation and file (see :func:`anchorspend.gather.ingested.summarise`)."""
    if not summary.height:
        return
    clash = (
        summary.filter(pl.col("organisation") == ALL_ORGS)
        .group_by(pl.col("_source").cast(pl.String))
        .agg(pl.col("n").sum())
        .sort("_source")
    )
    if not clash.height:
        return
    raise AnchorspendError(
        f"an organisation is named {ALL_ORGS!r}, the name the pooled figures of several "
        "organisations go under, so its rows could not be told from them",
        path=clash.item(0, "_source"),
        details=[f"{r['n']:,} rows in {r['_source']}" for r in clash.to_dicts()],
        hint=f'name it in the config: [organisations] "{ALL_ORGS}" = "Its real name" '
        "(or --organisation NAME for a file with no organisation column)",
    )


def share(num: pl.Expr, den: pl.Expr) -> pl.Expr:
    """num/den as a float in [0, 1]; null when undefined (no spend, or net credits push the
    ratio outside [0, 1], where a share means nothing)."""
    ratio = num.cast(pl.Float64) / den.cast(pl.Float64)
    return pl.when((den > 0) & ratio.is_between(0.0, 1.0)).then(ratio)
