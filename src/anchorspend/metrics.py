"""The metric rows: every measure summed per organisation × period (:func:`compute`), with the
targets (:func:`with_targets`) and money as text (:func:`money_columns`).

Each measure (see :mod:`anchorspend.measures`) is read once per supplier profile, as two bits
of a mask. Spend is summed per organisation × period × combination of measure values, and
suppliers are counted from one row per organisation × period × supplier, so the rollups to
``all`` periods and to the pooled ``(all)`` organisation work on tables the size of the
supplier list or smaller, not the transactions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from anchorspend.config import PAYEE_KINDS as KINDS
from anchorspend.measures import ALL_ORGS, ALL_PERIODS, share
from anchorspend.normalise import pence_text_expr
from anchorspend.payees import paid_within


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
    ``cells`` carries ``organisation``, ``period`` (see
    :func:`anchorspend.periods.period_expr`), the supplier profile ``_pid`` and ``amount`` in
    pence, at any finer grain (the spend facts); ``attrs`` has one row per ``_pid`` with
    ``supplier_key``, ``payee_kind`` and what the measures read. Addressable spend is the spend
    with payees of a kind not in ``set_aside``: each measure is given on that basis too
    (``addressable_spend``, ``spend_addressable``, ``known_addressable``,
    ``share_of_addressable``, ``coverage_addressable``).

    ``place``: the pooled ``(all)`` rows leave out payments from one organisation to another
    (``attrs``' ``payee_member``, the organisation a profile names, if any), so that a place's
    spend is counted once; each organisation's own rows keep them."""
    names = list(measures)
    place = place and "payee_member" in attrs.columns
    masks = [f"_mask{j}" for j in range((len(names) + _PER_MASK - 1) // _PER_MASK)]
    profile = _profile_bits(attrs, list(measures.values()), masks, place)
    tally = _tally(cells, profile, masks, place)
    rollups = _Rollups(tally, *_aggregations(len(names), masks, set_aside))
    plans, fixed = rollups.plans()
    # lazy, and collected together: polars' query engine groups these faster than eager calls
    layers = pl.collect_all([*plans, *(rollups.kinds(o, p) for o, p in fixed)])
    grouped = plain_columns(pl.concat(layers[: len(plans)]))
    by_kind = _in_order(pl.concat(layers[len(plans) :]), maintain_order=True)
    return Measured(_metric_rows(grouped, names), by_kind)


def _profile_bits(
    attrs: pl.DataFrame, measures: list[pl.Expr], masks: list[str], place: bool
) -> pl.DataFrame:
    """Each supplier profile (a small table) with every measure read once, into the bits of
    ``masks``, its payee kind (``_kind``) and its supplier as an integer (``supplier``)."""
    # profiles of no stated kind (a caller that has not decided them) are market payees
    codes = {k: i for i, k in enumerate(KINDS)}
    kind = (
        pl.col("payee_kind").replace_strict(codes, return_dtype=pl.UInt8)
        if "payee_kind" in attrs.columns
        else pl.lit(KINDS.index("market"), pl.UInt8)
    )
    member = [pl.col("payee_member")] if place else []
    return (
        attrs.lazy()
        .select(
            "_pid",
            dense_ids(attrs.get_column("supplier_key")).alias("supplier"),
            kind.alias("_kind"),
            *_mask_exprs(measures, masks),
            *member,
        )
        .collect()
    )


@dataclass(frozen=True, slots=True)
class _Tally:
    """What the rollups sum, from the facts. ``spend``: the spend per organisation × period ×
    payee kind × ``_within`` (a payment within the network) × combination of measure values, a
    handful of rows whatever the size of the input; ``suppliers``: each supplier's bits per
    organisation × period × ``_within``, OR-ed together, to count each supplier once;
    ``pooled_spend``: what the pooled rows read (without the payments within the network when
    ``place``)."""

    spend: pl.DataFrame
    suppliers: pl.DataFrame
    pooled_spend: pl.DataFrame
    masks: list[str]
    place: bool


def _tally(cells: pl.LazyFrame, profile: pl.DataFrame, masks: list[str], place: bool) -> _Tally:
    """The facts with their profile's bits, summed into :class:`_Tally`'s two tables, one after
    the other: at 10M rows each supplier's bits are a table of millions of rows, better not
    built beside the other."""
    keyed = by_profile(
        cells.select(pl.col("organisation").cast(pl.Categorical()), "period", "_pid", "amount"),
        profile,
        ["supplier", "_kind", *masks, *(["payee_member"] if place else [])],
    )
    # a payment within the network: to another organisation of the run
    within = paid_within() if place else pl.lit(False)
    keyed = keyed.with_columns(within.alias("_within"))
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
    pooled_spend = spend.filter(~pl.col("_within")) if place else spend
    return _Tally(spend, suppliers, pooled_spend, masks, place)


def _aggregations(
    n: int, masks: list[str], set_aside: Sequence[str]
) -> tuple[list[pl.Expr], list[pl.Expr]]:
    """What a rollup sums for each of the ``n`` measures: from the spend table, the spend that
    has it and that is known (all, and addressable: of a payee kind not in ``set_aside``);
    from the supplier counts (``len``), the suppliers that have it and that are known."""
    addressable = ~pl.col("_kind").is_in([KINDS.index(k) for k in set_aside])

    def has(i: int, known: bool) -> pl.Expr:
        return (pl.col(masks[i // _PER_MASK]) & _bit(i, known)) != 0

    spend_aggs = [
        pl.col("amount").sum().alias("total_spend"),
        pl.col("amount").filter(addressable).sum().alias("addressable_spend"),
    ]
    count_aggs = [pl.col("len").sum().alias("total_suppliers")]
    for i in range(n):
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
    return spend_aggs, count_aggs


_Fixed = tuple[str | None, str | None]
"""A rollup's organisation and period: ``(all)`` and ``all``, or None where it groups by it."""


def _fixed(org: str | None, period: str | None) -> list[pl.Expr]:
    """The organisation and period columns of a rollup (see :meth:`_Rollups.layer`)."""
    return [
        pl.lit(org).alias("organisation") if org else pl.col("organisation").cast(pl.String),
        pl.lit(period).alias("period") if period else pl.col("period").cast(pl.String),
    ]


def _grouping(org: str | None, period: str | None) -> list[str]:
    """The keys a rollup groups by: those it does not fix."""
    return [k for k, fix in (("organisation", org), ("period", period)) if fix is None]


@dataclass(frozen=True, slots=True)
class _Rollups:
    """The lazy plans of the metric rows per organisation × period and their rollups (to
    ``all`` periods, and to ``(all)`` where there are several organisations), and of the spend
    per payee kind on the same rollups."""

    tally: _Tally
    spend_aggs: list[pl.Expr]
    count_aggs: list[pl.Expr]

    def plans(self) -> tuple[list[pl.LazyFrame], list[_Fixed]]:
        """Each rollup's plan of metric rows, and which rollups they are."""
        tally, rolled, suppliers = self.tally, self.rolled, self.tally.suppliers
        # one row per organisation x period x supplier (``_within`` apart only with ``place``)
        mine = (
            rolled(suppliers.lazy(), ["organisation", "period"])
            if tally.place
            else suppliers.lazy()
        )
        by_org = rolled(mine, ["organisation"])
        fixed: list[_Fixed] = [(None, None), (None, ALL_PERIODS)]
        plans = [
            self.layer(mine, None, None, tally.spend),
            self.layer(by_org, None, ALL_PERIODS, tally.spend),
        ]
        if suppliers.get_column("organisation").n_unique() > 1:
            fixed += [(ALL_ORGS, None), (ALL_ORGS, ALL_PERIODS)]
            pooled = suppliers.lazy().filter(~pl.col("_within")) if tally.place else mine
            pooled_by_org = rolled(pooled, ["organisation"]) if tally.place else by_org
            plans += [
                self.layer(rolled(pooled, ["period"]), ALL_ORGS, None, tally.pooled_spend),
                self.layer(rolled(pooled_by_org, []), ALL_ORGS, ALL_PERIODS, tally.pooled_spend),
            ]
        return plans, fixed

    def layer(
        self, per_supplier: pl.LazyFrame, org: str | None, period: str | None, paid: pl.DataFrame
    ) -> pl.LazyFrame:
        """One rollup: ``org``/``period`` fixed (``(all)``, ``all``) or, if None, grouped by;
        ``per_supplier`` has one row per supplier within the grouping; ``paid``: the spend
        table it sums."""
        keys = _grouping(org, period)
        masks = self.tally.masks
        counted = per_supplier.group_by(*keys, *masks).agg(pl.len())
        if keys:
            out = (
                paid.lazy()
                .group_by(keys)
                .agg(self.spend_aggs)
                .join(counted.group_by(keys).agg(self.count_aggs), on=keys, nulls_equal=True)
            )
        else:
            out = pl.concat(
                [paid.lazy().select(self.spend_aggs), counted.select(self.count_aggs)],
                how="horizontal",
            )
        return out.select(*_fixed(org, period), pl.exclude("organisation", "period"))

    def kinds(self, org: str | None, period: str | None) -> pl.LazyFrame:
        """The same rollup of the spend per payee kind."""
        paid = self.tally.pooled_spend if org == ALL_ORGS else self.tally.spend
        return (
            paid.lazy()
            .group_by(*_grouping(org, period), "_kind")
            .agg(pl.col("amount").sum())
            .select(
                *_fixed(org, period),
                pl.col("_kind").replace_strict(dict(enumerate(KINDS))).alias("payee_kind"),
                "amount",
            )
        )

    def rolled(self, frame: pl.LazyFrame, keys: list[str]) -> pl.LazyFrame:
        """One row per supplier within ``keys``, its bits OR-ed together."""
        return frame.group_by(*keys, "supplier").agg(pl.col(self.tally.masks).bitwise_or())


def _metric_rows(grouped: pl.DataFrame, names: list[str]) -> pl.DataFrame:
    """The rollups' sums (one row per organisation × period, a column per measure and sum) as
    one row per organisation × period × measure, with the shares, in the documents' order."""
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
    addressable = pl.col("addressable_spend")
    return _in_order(
        long.with_columns(
            share(pl.col("spend"), pl.col("total_spend")).alias("share_of_total"),
            share(pl.col("spend"), pl.col("known_spend")).alias("share_of_known"),
            share(pl.col("known_spend"), pl.col("total_spend")).alias("coverage"),
            share(pl.col("suppliers"), pl.col("total_suppliers")).alias("supplier_share_of_total"),
            share(pl.col("suppliers"), pl.col("known_suppliers")).alias("supplier_share_of_known"),
            share(pl.col("spend_addressable"), addressable).alias("share_of_addressable"),
            share(pl.col("known_addressable"), addressable).alias("coverage_addressable"),
        ),
        pl.col("measure").replace_strict(order, return_dtype=pl.Int32),
    )


def _in_order(frame: pl.DataFrame, *then: pl.Expr, maintain_order: bool = False) -> pl.DataFrame:
    """``frame``'s rows per organisation × period in the documents' order, the pooled
    ``(all)`` after the organisations and ``all`` after the periods; then by ``then``."""
    pooled, every_period = pl.col("organisation") == ALL_ORGS, pl.col("period") == ALL_PERIODS
    return frame.sort(
        pooled, "organisation", every_period, "period", *then, maintain_order=maintain_order
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
