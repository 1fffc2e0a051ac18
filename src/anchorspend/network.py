"""The ``network`` section of ``compare``'s document: the members side by side, from the
metrics and the spend views of one run over all of them (:func:`anchorspend.compare.compare`).

``league`` ranks the members per classification and period, ``changes`` gives each one's
change from the previous period, ``targets`` its progress against the config's targets,
``shared_suppliers`` the suppliers two or more members pay, ``flows`` the payments from one
member to another, and ``leakage`` the spend leaving the local area, by category.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

import polars as pl

from anchorspend.classify.conflicts import display_names
from anchorspend.measures import ALL_ORGS, ALL_PERIODS, NOT_CLASSIFICATIONS, TOTAL_SPEND
from anchorspend.normalise import pence_text_expr, pence_to_text
from anchorspend.payees import paid_within

SHARED_IN_DOCUMENT = 100
"""The shared suppliers the document lists, biggest first."""


def _money(col: str) -> pl.Expr:
    return pence_text_expr(pl.col(col)).alias(col)


def league(metrics: pl.DataFrame, min_coverage: float) -> list[dict[str, Any]]:
    """For each classification (not :data:`~anchorspend.measures.NOT_CLASSIFICATIONS`, as the
    reports rank them) and period: members by share of total, ranked only where coverage is
    good enough to compare; the network row beside them."""
    if not metrics.height:
        return []
    m = metrics.filter(~pl.col("measure").is_in(NOT_CLASSIFICATIONS))
    members = m.filter(pl.col("organisation") != ALL_ORGS).with_columns(
        (pl.col("coverage").fill_null(0) >= min_coverage).alias("comparable")
    )
    ranked = members.with_columns(
        pl.when(pl.col("comparable") & pl.col("share_of_total").is_not_null())
        .then(
            pl.col("share_of_total")
            .rank(method="min", descending=True)
            .over(
                "measure", "period", pl.col("comparable") & pl.col("share_of_total").is_not_null()
            )
        )
        .cast(pl.Int64)
        .alias("rank")
    ).sort(
        ["measure", "period", "rank", "share_of_total", "organisation"],
        nulls_last=True,
        descending=[False, False, False, True, False],
    )
    figures: list[str | pl.Expr] = [
        _money("spend"),
        _money("total_spend"),
        "share_of_total",
        "share_of_known",
        "coverage",
        "supplier_share_of_total",
        "suppliers",
    ]
    cols = [pl.col("organisation").alias("member"), "rank", "comparable", *figures]
    pooled = m.filter(pl.col("organisation") == ALL_ORGS).select("measure", "period", *figures)
    network = {(r["measure"], r["period"]): r for r in pooled.to_dicts()}
    out = []
    order = list(dict.fromkeys(metrics.get_column("measure").to_list()))
    for (measure, period), group in ranked.group_by(["measure", "period"], maintain_order=True):
        out.append(
            {
                "measure": measure,
                "period": period,
                "network": network.get((str(measure), str(period))),
                "members": group.select(cols).to_dicts(),
            }
        )
    return sorted(
        out, key=lambda e: (order.index(e["measure"]), e["period"] == ALL_PERIODS, e["period"])
    )


def changes(metrics: pl.DataFrame) -> list[dict[str, Any]]:
    """Each member's (and the network's) change from the previous period, in points and £, for
    every measure but total spend."""
    if not metrics.height:
        return []
    per = metrics.filter(
        (pl.col("period") != ALL_PERIODS) & (pl.col("measure") != TOTAL_SPEND)
    ).sort("organisation", "measure", "period")
    by = ("organisation", "measure")
    out = per.with_columns(
        pl.col("period").shift(1).over(by).alias("previous_period"),
        pl.col("share_of_total").shift(1).over(by).alias("previous_share"),
        pl.col("spend").shift(1).over(by).alias("_prev_spend"),
    ).filter(pl.col("previous_period").is_not_null())
    return out.select(
        pl.col("organisation").alias("member"),
        "measure",
        "period",
        "previous_period",
        "share_of_total",
        "previous_share",
        ((pl.col("share_of_total") - pl.col("previous_share")) * 100).alias("change_points"),
        pence_text_expr(pl.col("spend") - pl.col("_prev_spend")).alias("spend_change"),
    ).to_dicts()


def _gap_pence(target: float, total: int, spend: int) -> int:
    """Pounds still needed to reach ``target`` × total, to the penny (rounded up)."""
    needed = Decimal(str(target)) * total
    return max(0, math.ceil(needed) - spend)


def targets(metrics: pl.DataFrame, close_points: float) -> list[dict[str, Any]]:
    """Progress against configured targets: met, close (within ``close_points``) or missed, with
    the gap in pounds and in percentage points; undefined where the share is, and unknown where
    none of the spend could be classified (the share is then null too)."""
    if not metrics.height or "target" not in metrics.columns:
        return []
    rows = metrics.filter(pl.col("target").is_not_null())
    out = []
    for r in rows.iter_rows(named=True):
        # the share, the denominator and the spend of the target's basis
        addressable = r.get("target_basis") == "addressable"
        share = r["share_of_addressable" if addressable else "share_of_total"]
        if share is None:
            status, points, gap = "undefined", None, None
        elif r["known_spend"] == 0:  # nothing classified: 0% of total is unknown, not missed
            share, status, points, gap = None, "unknown", None, None
        else:
            points = max(0.0, (r["target"] - share) * 100)
            if addressable:
                gap = _gap_pence(r["target"], r["addressable_spend"], r["spend_addressable"])
            else:
                gap = _gap_pence(r["target"], r["total_spend"], r["spend"])
            status = (
                "met" if share >= r["target"] else ("close" if points <= close_points else "missed")
            )
        out.append(
            {
                "member": r["organisation"],
                "measure": r["measure"],
                "period": r["period"],
                "target": r["target"],
                "target_basis": r.get("target_basis") or "total",
                "share": share,  # on the target's basis
                # both bases, null where the share is unknown (nothing classified)
                "share_of_total": None if status == "unknown" else r["share_of_total"],
                "share_of_addressable": (
                    None if status == "unknown" else r.get("share_of_addressable")
                ),
                "status": status,
                "gap_points": points,
                "gap": None if gap is None else pence_to_text(gap),
            }
        )
    return out


def flows(rows: pl.DataFrame) -> list[dict[str, Any]]:
    """Payments from one member to another (the payee named as a member is, or carrying its
    identifier: see ``payees.member_payees``), per payer and payee, biggest first: money a
    pooled total counts twice, once paid and once spent again by the payee."""
    if not rows.height or "payee_member" not in rows.columns:
        return []
    paid = rows.filter((pl.col("_status") == "analysed") & paid_within())
    payer = pl.col("organisation").cast(pl.String).alias("payer")
    payee = pl.col("payee_member").alias("payee")
    rows_paid = pl.col("n").sum().cast(pl.Int64).alias("rows")
    return (
        paid.group_by(payer, payee)
        .agg(pl.col("amount").sum().alias("pence"), rows_paid)
        .sort(["pence", "payer", "payee"], descending=[True, False, False])
        .select("payer", "payee", pence_text_expr(pl.col("pence")).alias("spend"), "rows")
        .to_dicts()
    )


def shared_suppliers(rows: pl.DataFrame) -> list[dict[str, Any]]:
    """Suppliers paid by two or more members, with each member's spend: the network's combined
    purchasing power. Redacted rows are not suppliers anyone can share."""
    if not rows.height:
        return []
    analysed = rows.filter((pl.col("_status") == "analysed") & ~pl.col("redacted"))
    per = analysed.group_by("supplier_key", "organisation").agg(pl.col("amount").sum())
    shared = (
        per.group_by("supplier_key")
        .agg(
            pl.len().alias("members"),
            pl.col("amount").sum().alias("pence"),
            pl.struct(
                pl.col("organisation").alias("member"),
                pence_text_expr(pl.col("amount")).alias("spend"),
            )
            .sort_by("organisation")
            .alias("by_member"),
        )
        .filter(pl.col("members") >= 2)
        .join(display_names(analysed), on="supplier_key", how="left")
        .sort(["pence", "supplier_key"], descending=[True, False])
        .head(SHARED_IN_DOCUMENT)
    )
    return shared.select(
        "supplier",
        pl.col("members").cast(pl.Int64),
        pence_text_expr(pl.col("pence")).alias("spend"),
        "by_member",
    ).to_dicts()


def leakage(rows: pl.DataFrame, has_tiers: bool) -> list[dict[str, Any]]:
    """Spend leaving the local area, by category, largest first, for the network and each
    member; spend whose location is unknown is shown beside it, never folded in."""
    if not rows.height or not has_tiers:
        return []
    analysed = rows.filter(pl.col("_status") == "analysed").with_columns(
        pl.coalesce("category", "expense_type").fill_null("(not given)").alias("cat")
    )
    layers = [analysed, analysed.with_columns(pl.lit(ALL_ORGS).alias("organisation"))]
    pooled = pl.concat(layers)

    def part(cond: pl.Expr) -> pl.Expr:
        return pl.col("amount").filter(cond).sum()

    out = (
        pooled.group_by("organisation", "cat")
        .agg(
            part(pl.col("local") == False).alias("outside"),  # noqa: E712 - known, not local
            part(pl.col("local")).alias("local_pence"),
            part(pl.col("local").is_null()).alias("unknown"),
            pl.col("amount").sum().alias("total"),
        )
        .with_columns((pl.col("organisation") == ALL_ORGS).alias("_network"))
        .sort(["_network", "organisation", "outside", "cat"], descending=[True, False, True, False])
    )
    return out.select(
        pl.col("organisation").alias("member"),
        pl.col("cat").alias("category"),
        pence_text_expr(pl.col("outside")).alias("outside_local"),
        pence_text_expr(pl.col("local_pence")).alias("local"),
        pence_text_expr(pl.col("unknown")).alias("unknown_location"),
        pence_text_expr(pl.col("total")).alias("total"),
        pl.when(pl.col("total") > 0)
        .then(pl.col("outside").cast(pl.Float64) / pl.col("total").cast(pl.Float64))
        .alias("share_outside"),
    ).to_dicts()
