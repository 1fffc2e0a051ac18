"""The ``payments`` list: per organisation × period × supplier type, the notice's figures
(days to pay, the shares paid within 30, 31–60 and 61+ days, what fell due and was not paid)
and the all-regime figures of PCR 2015 reg 113 and PPN 05/15 (paid within 30 and 5 days)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import polars as pl

from anchorspend.measures import ALL_ORGS, share
from anchorspend.normalise import pence_text_expr
from anchorspend.payments.periods import period_of
from anchorspend.payments.rules import SUPPLIER_TYPES, Setup

_PAID_SUMS = (
    "paid_count",
    "paid_pence",
    "days_sum",
    "n_1_30",
    "n_31_60",
    "n_61_plus",
    "v_1_30",
    "v_31_60",
    "v_61_plus",
    "all_count",
    "all_pence",
    "n_within_30",
    "v_within_30",
    "n_within_5",
    "v_within_5",
)
_DUE_SUMS = ("due_count", "due_pence", "due_not_paid", "due_not_paid_pence")
KEYS = ("organisation", "period_start", "period_end")


def _paid_sums(measured: pl.LazyFrame) -> pl.LazyFrame:
    """Per organisation × paid period × supplier profile: the sums every paid figure is made of.
    The payments are first counted per class of days (≤ 5, 6–30, 31–60, ≥ 61) and scope, so
    the conditional sums run over those counts, not over every payment."""
    d = pl.col("days")
    day_class = (
        pl.when(d <= 5).then(0).when(d <= 30).then(1).when(d <= 60).then(2).otherwise(3)
    ).cast(pl.Int8)
    counted = (
        measured.filter(pl.col("paid_start").is_not_null())
        .group_by(
            "organisation",
            pl.col("paid_start").alias("period_start"),
            pl.col("paid_end").alias("period_end"),
            "_pid",
            "in_scope",
            day_class.alias("_class"),
        )
        .agg(
            pl.len().cast(pl.Int64).alias("_n"),
            pl.col("amount").sum().alias("_pence"),
            d.sum().alias("_days"),
        )
    )
    c, scope = pl.col("_class"), pl.col("in_scope")

    def n(cond: pl.Expr) -> pl.Expr:
        return pl.when(cond).then(pl.col("_n")).otherwise(0).sum()

    def pence(cond: pl.Expr) -> pl.Expr:
        return pl.when(cond).then(pl.col("_pence")).otherwise(0).sum()

    return counted.group_by(*KEYS, "_pid").agg(
        n(scope).alias("paid_count"),
        pence(scope).alias("paid_pence"),
        pl.when(scope).then(pl.col("_days")).otherwise(0).sum().alias("days_sum"),
        n(scope & (c <= 1)).alias("n_1_30"),
        n(scope & (c == 2)).alias("n_31_60"),
        n(scope & (c == 3)).alias("n_61_plus"),
        pence(scope & (c <= 1)).alias("v_1_30"),
        pence(scope & (c == 2)).alias("v_31_60"),
        pence(scope & (c == 3)).alias("v_61_plus"),
        pl.col("_n").sum().alias("all_count"),
        pl.col("_pence").sum().alias("all_pence"),
        n(c <= 1).alias("n_within_30"),
        pence(c <= 1).alias("v_within_30"),
        n(c == 0).alias("n_within_5"),
        pence(c == 0).alias("v_within_5"),
    )


def _due_sums(measured: pl.LazyFrame) -> pl.LazyFrame:
    """Per organisation × due period × supplier profile: what fell due, and what of it was not
    paid by the period's last day."""
    unpaid = pl.col("payment_date").is_null() | (pl.col("payment_date") > pl.col("period_end"))
    return (
        measured.filter(pl.col("due_start").is_not_null())
        .rename({"due_start": "period_start", "due_end": "period_end"})
        .group_by(*KEYS, "_pid")
        .agg(
            pl.len().cast(pl.Int64).alias("due_count"),
            pl.col("amount").sum().alias("due_pence"),
            unpaid.cast(pl.Int64).sum().alias("due_not_paid"),
            pl.when(unpaid).then(pl.col("amount")).otherwise(0).sum().alias("due_not_paid_pence"),
        )
    )


def _by_type(sums: pl.LazyFrame, types: pl.LazyFrame, names: Sequence[str]) -> pl.LazyFrame:
    """Sums per profile → per supplier type (a profile counts under each type it has), with
    the organisations pooled as ``(all)`` beside them."""
    typed = (
        sums.join(types, on="_pid").group_by(*KEYS, "supplier_type").agg(pl.col(list(names)).sum())
    )
    pooled = (
        typed.group_by("period_start", "period_end", "supplier_type")
        .agg(pl.col(list(names)).sum())
        .with_columns(pl.lit(ALL_ORGS).alias("organisation"))
    )
    return pl.concat([typed, pooled.select(typed.collect_schema().names())])


def supplier_types(located: pl.DataFrame, measures: dict[str, pl.Expr]) -> pl.DataFrame:
    """``_pid`` → ``supplier_type``, a row per type each profile has: ``all`` always; ``sme``,
    ``vcse``, ``local``, ``diverse_led`` where the measure is true; ``large`` where it is known
    not to be an SME, ``unknown`` where its SME status is unknown (redacted suppliers too)."""
    local = measures.get("local", pl.lit(None, pl.Boolean))
    flags = located.select(
        "_pid",
        pl.lit(True).alias("all"),
        measures["sme"].fill_null(False).alias("sme"),
        measures["vcse"].fill_null(False).alias("vcse"),
        local.fill_null(False).alias("local"),
        measures["diverse_led"].fill_null(False).alias("diverse_led"),
        measures["sme"].not_().fill_null(False).alias("large"),
        measures["sme"].is_null().alias("unknown"),
    )
    return (
        flags.unpivot(index="_pid", variable_name="supplier_type", value_name="_has")
        .filter(pl.col("_has"))
        .select(pl.col("_pid").cast(pl.UInt32), "supplier_type")
    )


def figures(rows: pl.DataFrame, types: pl.DataFrame, setup: Setup) -> pl.DataFrame:
    """The ``payments`` rows: one per organisation × period × supplier type, every period from
    an organisation's first to its last with a measured row (and the pooled ``(all)`` when there
    are several organisations), every type in :data:`SUPPLIER_TYPES` order. ``rows``: assessed
    rows with ``_pid``; ``types``: ``_pid`` → ``supplier_type``, one row per type it has."""
    # one compact copy of what the sums read, rather than a filter of every column per sum
    measured = (
        rows.filter(pl.col("_pay_status") == "measured")
        .select(
            pl.col("organisation").cast(pl.String),
            "_pid",
            "in_scope",
            "days",
            "amount",
            "payment_date",
            "paid_start",
            "paid_end",
            "due_start",
            "due_end",
        )
        .lazy()
    )
    types_lf = types.lazy()
    paid = _by_type(_paid_sums(measured), types_lf, _PAID_SUMS)
    due = _by_type(_due_sums(measured), types_lf, _DUE_SUMS)
    keys = [*KEYS, "supplier_type"]
    joined = paid.join(due, on=keys, how="full", coalesce=True).collect()
    orgs = sorted(measured.select(pl.col("organisation").unique()).collect().to_series().to_list())
    if len(orgs) > 1:
        orgs.append(ALL_ORGS)
    grid = _grid(joined, orgs, setup)
    table = grid.join(joined, on=keys, how="left", nulls_equal=True).with_columns(
        pl.col(*_PAID_SUMS, *_DUE_SUMS).fill_null(0)
    )
    return _shares(table)


def _grid(joined: pl.DataFrame, orgs: list[str], setup: Setup) -> pl.DataFrame:
    """Every organisation × period (from its first to its last with figures) × supplier type,
    in order."""
    if not joined.height:
        return pl.DataFrame(
            schema={
                "organisation": pl.String,
                "period_start": pl.Date,
                "period_end": pl.Date,
                "supplier_type": pl.String,
            }
        )
    span = joined.group_by("organisation").agg(
        pl.col("period_start").min().alias("_first"), pl.col("period_end").max().alias("_last")
    )
    last = joined.get_column("period_end").max()
    assert isinstance(last, date)  # the largest of a non-empty Date column
    days = pl.date_range(setup.commencement, last, "1d", eager=True)
    start, end = period_of(pl.col("day"), setup)
    periods = (
        pl.DataFrame({"day": days})
        .select(start.alias("period_start"), end.alias("period_end"))
        .drop_nulls()
        .unique()
    )
    order = pl.DataFrame(
        {"supplier_type": list(SUPPLIER_TYPES), "_t": list(range(len(SUPPLIER_TYPES)))}
    )
    org_order = pl.DataFrame({"organisation": orgs, "_o": list(range(len(orgs)))})
    return (
        org_order.join(span, on="organisation")
        .join(periods, how="cross")
        .filter(pl.col("period_start").is_between(pl.col("_first"), pl.col("_last")))
        .join(order, how="cross")
        .sort("_o", "period_start", "_t")
        .select(*KEYS, "supplier_type")
    )


def average_days(days_sum: pl.Expr, count: pl.Expr) -> pl.Expr:
    """The exact mean ``days_sum / count`` rounded to 2 decimal places, half up (away from
    zero: days are never negative), by integer arithmetic: hundredths = ⌊(200·sum + count) /
    (2·count)⌋, as the float that prints as that decimal. Null when there is no payment."""
    hundredths = (200 * days_sum + count) // (2 * count)
    # the float nearest the 2 dp decimal (1833 / 100 alone gives 18.330000000000002)
    return pl.when(count > 0).then((hundredths / 100).round(2))


def _shares(t: pl.DataFrame) -> pl.DataFrame:
    def by_count(k: str, of: str) -> pl.Expr:
        return share(pl.col(k), pl.col(of))

    return t.select(
        *KEYS,
        "supplier_type",
        "paid_count",
        pence_text_expr(pl.col("paid_pence")).alias("paid_value"),
        average_days(pl.col("days_sum"), pl.col("paid_count")).alias("average_days_to_pay"),
        by_count("n_1_30", "paid_count").alias("share_paid_1_30"),
        by_count("n_31_60", "paid_count").alias("share_paid_31_60"),
        by_count("n_61_plus", "paid_count").alias("share_paid_61_plus"),
        by_count("v_1_30", "paid_pence").alias("value_share_paid_1_30"),
        by_count("v_31_60", "paid_pence").alias("value_share_paid_31_60"),
        by_count("v_61_plus", "paid_pence").alias("value_share_paid_61_plus"),
        "due_count",
        pence_text_expr(pl.col("due_pence")).alias("due_value"),
        by_count("due_not_paid", "due_count").alias("due_not_paid_share"),
        by_count("due_not_paid_pence", "due_pence").alias("value_due_not_paid_share"),
        pl.col("all_count").alias("all_regimes_paid_count"),
        pence_text_expr(pl.col("all_pence")).alias("all_regimes_paid_value"),
        by_count("n_within_30", "all_count").alias("within_30_share"),
        by_count("v_within_30", "all_pence").alias("value_within_30_share"),
        by_count("n_within_5", "all_count").alias("within_5_share"),
        by_count("v_within_5", "all_pence").alias("value_within_5_share"),
    )
