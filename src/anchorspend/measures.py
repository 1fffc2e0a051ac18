"""Measures over analysed spend, per organisation and period, as the contract defines them.

A measure is a boolean expression over a row: true (the supplier has it), false, or null
(unknown). ``total_spend`` is true everywhere; ``redacted`` is never unknown. Classification
measures (``sme``, ``vcse``…) plug in as more expressions, read once per supplier profile (they
only read the profile's attributes). Spend is summed per organisation × period × combination of
measure values, and suppliers are counted from one row per organisation × period × supplier, so
the rollups to ``all`` periods and to the pooled ``(all)`` organisation work on tables the size
of the supplier list or smaller, not the transactions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from anchorspend.config import PAYEE_KINDS as KINDS
from anchorspend.normalise import pence_text_expr
from anchorspend.payees import paid_within

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


@dataclass(slots=True)
class Measured:
    """``metrics``: one row per organisation × period × measure (see :func:`compute`).
    ``by_kind``: the spend per organisation × period × payee kind (``payee_kind``, ``amount``
    in pence), with the same ``(all)`` and ``all`` rollups."""

    metrics: pl.DataFrame
    by_kind: pl.DataFrame


def compute(
    cells: pl.LazyFrame,
    attrs: pl.DataFrame,
    measures: dict[str, pl.Expr],
    set_aside: Sequence[str] = (),
    place: bool = False,
) -> Measured:
    """Metric rows: organisation, period, measure, money in pence, supplier counts, shares.
    ``cells`` carries ``organisation``, ``period`` (see :func:`period_expr`), the supplier
    profile ``_pid`` and ``amount`` in pence, at any finer grain (the spend facts); ``attrs``
    has one row per ``_pid`` with ``supplier_key``, ``payee_kind`` and what the measures read.
    Addressable spend is the spend with payees of a kind not in ``set_aside``: each measure is
    given on that basis too (``addressable_spend``, ``spend_addressable``,
    ``known_addressable``, ``share_of_addressable``, ``coverage_addressable``).

    ``place``: the pooled ``(all)`` rows leave out payments from one organisation to another
    (``attrs``' ``payee_member``, the organisation a profile names, if any), so that a place's
    spend is counted once; each organisation's own rows keep them."""
    names = list(measures)
    place = place and "payee_member" in attrs.columns
    # profiles of no stated kind (a caller that has not decided them) are market payees
    kind = (
        pl.col("payee_kind").replace_strict(
            {k: i for i, k in enumerate(KINDS)}, return_dtype=pl.UInt8
        )
        if "payee_kind" in attrs.columns
        else pl.lit(KINDS.index("market"), pl.UInt8)
    )
    addressable = ~pl.col("_kind").is_in([KINDS.index(k) for k in set_aside])
    masks = [f"_mask{j}" for j in range((len(names) + _PER_MASK - 1) // _PER_MASK)]
    # every measure read once per supplier profile (a small table), into bits; the supplier as
    # an integer
    member = [pl.col("payee_member")] if place else []
    profile = (
        attrs.lazy()
        .select(
            "_pid",
            dense_ids(attrs.get_column("supplier_key")).alias("supplier"),
            kind.alias("_kind"),
            *_mask_exprs(list(measures.values()), masks),
            *member,
        )
        .collect()
    )
    keyed = by_profile(
        cells.select(pl.col("organisation").cast(pl.Categorical()), "period", "_pid", "amount"),
        profile,
        ["supplier", "_kind", *masks, *(["payee_member"] if place else [])],
    )
    # a payment within the network: to another organisation of the run
    within = paid_within() if place else pl.lit(False)
    keyed = keyed.with_columns(within.alias("_within"))
    # spend per organisation x period x combination of measure values: a handful of rows
    # whatever the size of the input, summed again for the rollups; and, to count each
    # supplier once, its bits per organisation x period, OR-ed together
    # (one after the other: each supplier's bits are a table of millions of rows at 10M rows,
    # better not built beside the other)
    spend = (
        keyed.group_by("organisation", "period", "_kind", "_within", *masks)
        .agg(pl.col("amount").sum())
        .collect()
    )
    suppliers = (
        keyed.group_by("organisation", "period", "supplier", "_within")
        .agg(pl.col(masks).bitwise_or())
        .collect()
    )
    # what the pooled rows read: without the payments within the network when ``place``
    pooled_spend = spend.filter(~pl.col("_within")) if place else spend

    def has(i: int, known: bool) -> pl.Expr:
        return (pl.col(masks[i // _PER_MASK]) & _bit(i, known)) != 0

    spend_aggs = [
        pl.col("amount").sum().alias("total_spend"),
        pl.col("amount").filter(addressable).sum().alias("addressable_spend"),
    ]
    count_aggs = [pl.col("len").sum().alias("total_suppliers")]
    for i in range(len(names)):
        spend_aggs += [
            pl.col("amount").filter(has(i, False)).sum().alias(f"m{i}_spend"),
            pl.col("amount").filter(has(i, True)).sum().alias(f"m{i}_known"),
            pl.col("amount").filter(has(i, False) & addressable).sum().alias(f"m{i}_aspend"),
            pl.col("amount").filter(has(i, True) & addressable).sum().alias(f"m{i}_aknown"),
        ]
        count_aggs += [
            pl.col("len").filter(has(i, False)).sum().alias(f"m{i}_sup"),
            pl.col("len").filter(has(i, True)).sum().alias(f"m{i}_ksup"),
        ]

    def fixed(org: str | None, period: str | None) -> list[pl.Expr]:
        """The organisation and period columns of a rollup (see ``layer``)."""
        return [
            pl.lit(org).alias("organisation") if org else pl.col("organisation").cast(pl.String),
            pl.lit(period).alias("period") if period else pl.col("period").cast(pl.String),
        ]

    def grouping(org: str | None, period: str | None) -> list[str]:
        return [k for k, fix in (("organisation", org), ("period", period)) if fix is None]

    def layer(
        per_supplier: pl.LazyFrame, org: str | None, period: str | None, paid: pl.DataFrame
    ) -> pl.LazyFrame:
        """One rollup: ``org``/``period`` fixed (``(all)``, ``all``) or, if None, grouped by;
        ``per_supplier`` has one row per supplier within the grouping; ``paid``: the spend
        table it sums."""
        keys = grouping(org, period)
        counted = per_supplier.group_by(*keys, *masks).agg(pl.len())
        if keys:
            out = (
                paid.lazy()
                .group_by(keys)
                .agg(spend_aggs)
                .join(counted.group_by(keys).agg(count_aggs), on=keys, nulls_equal=True)
            )
        else:
            out = pl.concat(
                [paid.lazy().select(spend_aggs), counted.select(count_aggs)], how="horizontal"
            )
        return out.select(*fixed(org, period), pl.exclude("organisation", "period"))

    def kinds(org: str | None, period: str | None) -> pl.LazyFrame:
        """The same rollup of the spend per payee kind."""
        paid = pooled_spend if org == ALL_ORGS else spend
        return (
            paid.lazy()
            .group_by(*grouping(org, period), "_kind")
            .agg(pl.col("amount").sum())
            .select(
                *fixed(org, period),
                pl.col("_kind").replace_strict(dict(enumerate(KINDS))).alias("payee_kind"),
                "amount",
            )
        )

    def rolled(frame: pl.LazyFrame, keys: list[str]) -> pl.LazyFrame:
        return frame.group_by(*keys, "supplier").agg(pl.col(masks).bitwise_or())

    # lazy, and collected together: polars' query engine groups these faster than eager calls
    # one row per organisation x period x supplier (``_within`` apart only with ``place``)
    mine = rolled(suppliers.lazy(), ["organisation", "period"]) if place else suppliers.lazy()
    by_org = rolled(mine, ["organisation"])
    rollups: list[tuple[str | None, str | None]] = [(None, None), (None, ALL_PERIODS)]
    plans = [layer(mine, None, None, spend), layer(by_org, None, ALL_PERIODS, spend)]
    if suppliers.get_column("organisation").n_unique() > 1:
        rollups += [(ALL_ORGS, None), (ALL_ORGS, ALL_PERIODS)]
        pooled = suppliers.lazy().filter(~pl.col("_within")) if place else mine
        pooled_by_org = rolled(pooled, ["organisation"]) if place else by_org
        plans += [
            layer(rolled(pooled, ["period"]), ALL_ORGS, None, pooled_spend),
            layer(rolled(pooled_by_org, []), ALL_ORGS, ALL_PERIODS, pooled_spend),
        ]
    layers = pl.collect_all([*plans, *(kinds(o, p) for o, p in rollups)])
    grouped = plain_columns(pl.concat(layers[: len(plans)]))
    long = pl.concat(
        grouped.select(
            "organisation",
            "period",
            pl.lit(name).alias("measure"),
            "total_spend",
            pl.col(f"m{i}_spend").alias("spend"),
            pl.col(f"m{i}_known").alias("known_spend"),
            pl.col(f"m{i}_sup").cast(pl.Int64).alias("suppliers"),
            pl.col(f"m{i}_ksup").cast(pl.Int64).alias("known_suppliers"),
            pl.col("total_suppliers").cast(pl.Int64),
            "addressable_spend",
            pl.col(f"m{i}_aspend").alias("spend_addressable"),
            pl.col(f"m{i}_aknown").alias("known_addressable"),
        )
        for i, name in enumerate(names)
    )
    order = {n: i for i, n in enumerate(names)}
    metrics = (
        long.with_columns(
            share(pl.col("spend"), pl.col("total_spend")).alias("share_of_total"),
            share(pl.col("spend"), pl.col("known_spend")).alias("share_of_known"),
            share(pl.col("known_spend"), pl.col("total_spend")).alias("coverage"),
            share(pl.col("suppliers"), pl.col("total_suppliers")).alias("supplier_share_of_total"),
            share(pl.col("suppliers"), pl.col("known_suppliers")).alias("supplier_share_of_known"),
            share(pl.col("spend_addressable"), pl.col("addressable_spend")).alias(
                "share_of_addressable"
            ),
            share(pl.col("known_addressable"), pl.col("addressable_spend")).alias(
                "coverage_addressable"
            ),
            (pl.col("organisation") == ALL_ORGS).alias("_pooled"),
            (pl.col("period") == ALL_PERIODS).alias("_allp"),
            pl.col("measure").replace_strict(order, return_dtype=pl.Int32).alias("_m"),
        )
        .sort("_pooled", "organisation", "_allp", "period", "_m")
        .drop("_pooled", "_allp", "_m")
    )
    return Measured(metrics, _sorted_rollups(pl.concat(layers[len(plans) :])))


def _sorted_rollups(frame: pl.DataFrame) -> pl.DataFrame:
    """Rows per organisation × period in the metrics' order, ``(all)`` and ``all`` last."""
    return (
        frame.with_columns(
            (pl.col("organisation") == ALL_ORGS).alias("_pooled"),
            (pl.col("period") == ALL_PERIODS).alias("_allp"),
        )
        .sort("_pooled", "organisation", "_allp", "period", maintain_order=True)
        .drop("_pooled", "_allp")
    )


# Each measure's value (true / false / unknown) as two bits, "true" and "known", packed into
# UInt64 masks: a supplier's values are OR-ed over its rows in one aggregation, and all the
# measures are summed from one small table of the combinations that occur.
_PER_MASK = 32


def _bit(i: int, known: bool) -> pl.Expr:
    """The bit for measure ``i``'s "true" (or "known") in its mask (see ``_PER_MASK``)."""
    return pl.lit(1 << (2 * (i % _PER_MASK) + int(known)), pl.UInt64)


def _mask_exprs(exprs: list[pl.Expr], masks: list[str]) -> list[pl.Expr]:
    """The masks (see ``_PER_MASK``) of a row's measure values, for ``compute``'s rollups."""
    zero = pl.lit(0, pl.UInt64)
    out = []
    for j, name in enumerate(masks):
        bits = []
        for i in range(j * _PER_MASK, min(len(exprs), (j + 1) * _PER_MASK)):
            bits.append(pl.when(exprs[i].fill_null(False)).then(_bit(i, False)).otherwise(zero))
            bits.append(pl.when(exprs[i].is_not_null()).then(_bit(i, True)).otherwise(zero))
        out.append(pl.sum_horizontal(bits).alias(name))
    return out


def by_profile(facts: pl.LazyFrame, table: pl.DataFrame, cols: Sequence[str]) -> pl.LazyFrame:
    """``facts`` (which carry ``_pid``) with ``cols`` of ``table`` (one row per supplier
    profile) beside them: taken by position where the profiles are numbered 0, 1, 2…, as a
    SpendBuilder numbers them (a gather, no hash table over millions of facts), and by a
    join otherwise."""
    table = table.sort("_pid")
    if table.get_column("_pid").equals(pl.int_range(table.height, eager=True, dtype=pl.UInt32)):
        return facts.with_columns(
            pl.lit(table.get_column(c)).gather(pl.col("_pid")).alias(c) for c in cols
        )
    return facts.join(table.lazy().select("_pid", *cols), on="_pid", how="left")


def dense_ids(values: pl.Series) -> pl.Series:
    """Each value's place among the distinct values, as a UInt32 (null stays null): ordered as
    the values sort, like ``rank("dense")``, but sorting only the distinct values (a supplier
    key recurs on many profiles), which is ten times quicker on 300k profiles."""
    distinct = values.unique().drop_nulls().sort().to_frame().with_row_index("_id")
    return (
        values.to_frame()
        .join(distinct, on=values.name, how="left", maintain_order="left")
        .get_column("_id")
    )


def plain_columns(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with every column held as a plain series. Polars may keep a column of one
    repeated value (a one-row aggregate, and concatenations of equal ones) as a scalar, and
    divides by a scalar through its reciprocal, which can differ in the last bit from a true
    division: the shares would then depend on how a frame happened to be built."""
    return pl.DataFrame(frame.get_columns())


def share(num: pl.Expr, den: pl.Expr) -> pl.Expr:
    """num/den as a float in [0, 1]; null when undefined (no spend, or net credits push the
    ratio outside [0, 1], where a share means nothing)."""
    ratio = num.cast(pl.Float64) / den.cast(pl.Float64)
    return pl.when((den > 0) & ratio.is_between(0.0, 1.0)).then(ratio)


def with_targets(
    metrics: pl.DataFrame, targets: dict[str, float], bases: dict[str, str] | None = None
) -> pl.DataFrame:
    """``target`` (the share to reach), ``target_basis`` (``total``: the share of all spend;
    ``addressable``: of addressable spend) and ``target_met``, for measures with a target;
    ``target_met`` is null where the share is not defined or none of the spend on the basis
    could be classified (then its 0% is unknown, and so is whether the target was met)."""
    bases = bases or {}
    target = pl.col("measure").replace_strict(targets, default=None, return_dtype=pl.Float64)
    basis = pl.col("measure").replace_strict(bases, default="total", return_dtype=pl.String)
    addressable = pl.col("target_basis") == "addressable"
    reached = (
        pl.when(addressable)
        .then(pl.col("share_of_addressable"))
        .otherwise(pl.col("share_of_total"))
    )
    known = pl.when(addressable).then(pl.col("known_addressable")).otherwise(pl.col("known_spend"))
    return metrics.with_columns(
        target.alias("target"), pl.when(target.is_not_null()).then(basis).alias("target_basis")
    ).with_columns(
        pl.when(pl.col("target").is_not_null() & reached.is_not_null() & (known != 0))
        .then(reached >= pl.col("target"))
        .alias("target_met")
    )


def money_columns(metrics: pl.DataFrame) -> pl.DataFrame:
    """Pence → two-place decimal strings for output."""
    return metrics.with_columns(pence_text_expr(pl.col(c)).alias(c) for c in MONEY)


MONEY = (
    "total_spend",
    "spend",
    "known_spend",
    "addressable_spend",
    "spend_addressable",
    "known_addressable",
)
"""The metric rows' money columns."""
