"""The views beside the measures: spend by category, top suppliers, unmatched suppliers (the
evidence behind the classifications: :mod:`anchorspend.evidence`; where the suppliers are:
:mod:`anchorspend.geography`).

All over the analysed spend (``amount`` in pence and ``n`` rows per organisation × supplier
profile, see :func:`suppliers_of`, or per category for :func:`categories`) for the whole input
(period ``all``); money in pence until the end.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from anchorspend.classify.conflicts import display_names
from anchorspend.config import PAYEE_KINDS
from anchorspend.ingest.fields import FLAG_FIELDS
from anchorspend.ingest.frames import pack, unpack
from anchorspend.measures import ALL_ORGS, share
from anchorspend.metrics import by_profile, dense_ids
from anchorspend.normalise import pence_text_expr
from anchorspend.spend import numbered_combos

TOP_SUPPLIERS = 10
UNMATCHED_IN_DOCUMENT = 50


def pooled_last() -> pl.Expr:
    return (pl.col("organisation") == ALL_ORGS).alias("_pooled")


# _ONE_CHUNK: the rows each view divides by its organisations' totals are joined to them in one
# chunk, as one group_by gave them before. With a single organisation the join broadcasts its
# one-row total, and polars divides by a broadcast value through its reciprocal, which can
# differ in the last bit from a true division: the shares stay the same to the bit only if the
# frames are built as they were.


@dataclass(slots=True)
class Suppliers:
    """The analysed spend per organisation × supplier profile, shaped once for all the views:
    the supplier key as a dense integer ``_sid`` (in the keys' sort order, so sorting by it is
    sorting by the key) and the organisation as a categorical, so the views group integers,
    not strings, and none repeats a join or a rollup another has done."""

    cells: pl.DataFrame  # organisation (Categorical), _pid, _sid, amount, n
    profiles: pl.DataFrame  # one row per _pid: _sid, _match, amount, n (all organisations), attrs
    several: bool  # more than one organisation, so a pooled "(all)" layer is shown


def suppliers_of(by_org: pl.DataFrame, attrs: pl.DataFrame) -> Suppliers:
    """:class:`Suppliers` from the spend per organisation × profile (``spend_view`` by
    organisation) and the profiles' attributes."""
    ids = attrs.select(
        "_pid",
        dense_ids(attrs.get_column("supplier_key")).alias("_sid"),
        # the match methods in order of strength (then by name): the least is the strongest
        dense_ids(
            attrs.select(
                pl.concat_str(_match_rank(pl.col("matched_by")).cast(pl.String), "matched_by")
            ).to_series()
        ).alias("_match"),
        *(c for c in _PROFILE_VIEW if c in attrs.columns),
    )
    cells = by_org.select(
        pl.col("organisation").cast(pl.Categorical()), "_pid", "amount", "n"
    ).join(ids.select("_pid", "_sid"), on="_pid", how="left")
    totals = cells.group_by("_pid").agg(pl.col("amount").sum(), pl.col("n").sum())
    return Suppliers(
        cells,
        totals.join(ids, on="_pid", how="left"),
        cells.get_column("organisation").n_unique() > 1,
    )


# what the views read of a profile, beside the supplier key
_PROFILE_VIEW = (
    "supplier_name",
    "matched_by",
    "redacted",
    "is_sme",
    "is_vcse",
    "is_diverse_led",
    "is_sme_confidence",
    "is_vcse_confidence",
    "is_diverse_led_confidence",
    "local",
    "local_authority_code",
    "location_basis",
    "postcode",
    "supplier_postcode",
    "postcode_terminated",
    "payee_kind",
    "payee_evidence",
    "payee_rule",
)


def per_org_and_pooled(
    frame: pl.DataFrame, keys: list[pl.Expr], aggs: list[pl.Expr], pooled: bool
) -> pl.DataFrame:
    """``aggs`` by organisation × ``keys`` and, if ``pooled``, by ``keys`` alone for the
    pooled ``(all)`` organisation: the same rows grouped twice rather than a relabelled copy
    of them stacked under the first (which doubled the rows to group). Organisation as text."""
    plans = [
        frame.lazy()
        .group_by("organisation", *keys)
        .agg(aggs)
        .with_columns(pl.col("organisation").cast(pl.String))
    ]
    if pooled:
        plans.append(
            frame.lazy()
            .group_by(keys)
            .agg(aggs)
            .with_columns(pl.lit(ALL_ORGS).alias("organisation"))
        )
    layers = pl.collect_all(plans)
    return pl.concat([layer.select(layers[0].columns) for layer in layers])


def suppliers_count() -> pl.Expr:
    """Distinct suppliers (the unknown key counting as one, as ``n_unique`` does)."""
    return pl.col("_sid").n_unique().cast(pl.Int64).alias("suppliers")


def categories(facts: pl.LazyFrame, cells: pl.DataFrame, sup: Suppliers) -> list[dict[str, Any]]:
    """Spend by procurement category where the export has one, else by expense type.
    ``facts``: the spend facts with their cell's number (``spend.spend_facts``); ``cells``:
    the cells' organisation, category and expense type.

    Which label a fact takes depends only on its cell, so the labels are worked out on the
    cells table (hundreds of rows) and the facts are streamed past it, never rolled up to a
    table of millions of rows: at 10M rows that rollup held ~500 MB at once."""
    if not cells.height:
        return []
    has = cells.group_by("organisation").agg(pl.col("category").is_not_null().any().alias("_has"))
    labelled = cells.join(has, on="organisation", how="left", maintain_order="left").select(
        pl.col("organisation").cast(pl.String),
        pl.col("_has").alias("basis"),
        pl.when(pl.col("_has"))
        .then(pl.col("category").cast(pl.String))
        .otherwise(pl.col("expense_type").cast(pl.String))
        .fill_null(pl.lit("(not given)"))
        .alias("cat"),
    )
    by_pid = sup.profiles.select("_pid", "_sid").sort("_pid")

    def layer(keys: list[str]) -> pl.DataFrame:
        combos, combo_of = numbered_combos(labelled, keys)
        keyed = facts.with_columns(pl.lit(combo_of).gather(pl.col("_key_cell")).alias("_combo"))
        # distinct suppliers: the unknown key counting as one, as n_unique does; each pair of
        # label and supplier packed into one integer (an unknown supplier as the largest UInt32)
        with_sid = by_profile(keyed, by_pid, ["_sid"]).select("_combo", "_sid")
        pair = pack(pl.col("_combo").cast(pl.UInt64), pl.col("_sid").fill_null(2**32 - 1))
        # collected one after the other: the distinct pairs' table is the largest thing here,
        # and is better not held while the sums are built beside it
        counts = (
            with_sid.select(pair.alias("_pair"))
            .unique()
            .group_by(unpack(pl.col("_pair"))[0].alias("_combo"))
            .agg(pl.len().cast(pl.Int64).alias("suppliers"))
            .collect(engine="streaming")
        )
        sums = (
            keyed.group_by("_combo")
            .agg(pl.col("amount").sum().alias("pence"), pl.col("n").sum().alias("rows"))
            .collect(engine="streaming")
        )
        out = combos.join(sums, on="_combo").join(counts, on="_combo")
        if "organisation" not in keys:
            out = out.with_columns(pl.lit(ALL_ORGS).alias("organisation"))
        return out.select("organisation", "basis", "cat", "pence", "rows", "suppliers")

    layers = [layer(["organisation", "basis", "cat"])]
    if sup.several:
        layers.append(layer(["basis", "cat"]))
    rows = pl.concat(layers).select(
        "organisation",
        pl.when(pl.col("basis"))
        .then(pl.lit("category"))
        .otherwise(pl.lit("expense_type"))
        .alias("basis"),
        "cat",
        "pence",
        "rows",
        "suppliers",
    )
    rows = rows.rechunk()  # see _ONE_CHUNK
    totals = rows.group_by("organisation").agg(pl.col("pence").sum().alias("_total"))
    out = (
        rows.join(totals, on="organisation")
        .with_columns(pooled_last())
        .sort(["_pooled", "organisation", "pence", "cat"], descending=[False, False, True, False])
        .select(
            "organisation",
            "basis",
            pl.col("cat").alias("category"),
            pence_text_expr(pl.col("pence")).alias("spend"),
            "rows",
            "suppliers",
            share(pl.col("pence"), pl.col("_total")).alias("share_of_total"),
        )
    )
    return out.to_dicts()


_FLAG_VIEW = (*FLAG_FIELDS, "local")
_MATCH_RANK = {
    "company_number": 0,
    "charity_number": 1,
    "vat_number": 2,
    "supplier_id": 3,
    "name_key": 4,
}


def _match_rank(col: pl.Expr) -> pl.Expr:
    """A supplier's rows may be matched different ways: the strongest (identifiers first) is
    shown, so each way is ranked."""
    return col.replace_strict(_MATCH_RANK, default=len(_MATCH_RANK), return_dtype=pl.Int8)


def _with_match(frame: pl.DataFrame, sup: Suppliers) -> pl.DataFrame:
    """``frame``'s ``_match`` (see :func:`suppliers_of`) back to the method's name."""
    methods = sup.profiles.select("_match", "matched_by").unique("_match")
    return frame.join(methods, on="_match", how="left").drop("_match")


def _supplier_aggs() -> list[pl.Expr]:
    """Spend and rows added up; the strongest match; a flag true if any row says so, else
    false if any says no, else unknown (order-independent)."""
    return [
        pl.col("pence").sum(),
        pl.col("rows").sum(),
        pl.col("_match").min(),
        *(pl.col(f).max() for f in _FLAG_VIEW),
    ]


def top_suppliers(sup: Suppliers) -> list[dict[str, Any]]:
    if not sup.cells.height:
        return []
    per_org = (
        sup.cells.lazy()
        .join(sup.profiles.lazy().select("_pid", "_match", *_FLAG_VIEW), on="_pid", how="left")
        .rename({"amount": "pence", "n": "rows"})
        .group_by("organisation", "_sid")
        .agg(_supplier_aggs())
        .with_columns(pl.col("organisation").cast(pl.String))
    )
    plans = [per_org]
    if sup.several:
        plans.append(
            per_org.group_by("_sid")
            .agg(_supplier_aggs())
            .select(pl.lit(ALL_ORGS).alias("organisation"), pl.all())
        )
    # lazy, and collected together: polars' query engine groups these faster than eager calls
    layers = pl.collect_all(plans)
    # each organisation's rows down to those at or above its tenth largest spend (ties kept)
    # before sorting: at 10M rows a layer holds millions of organisation × supplier rows
    least = pl.col("pence").top_k(TOP_SUPPLIERS).min().over("organisation")
    ranked = pl.concat(
        layer.filter(pl.col("pence") >= least)
        .sort(["pence", "_sid"], descending=[True, False])
        .with_columns(pl.int_range(1, pl.len() + 1).over("organisation").alias("rank"))
        .filter(pl.col("rank") <= TOP_SUPPLIERS)
        for layer in layers
    )
    # names only for the suppliers shown, from all their spend
    profiles = sup.profiles.filter(pl.col("_sid").is_in(ranked.get_column("_sid").implode()))
    ranked = _with_match(ranked.join(display_names(profiles, "_sid"), on="_sid", how="left"), sup)
    totals = pl.concat(
        layer.group_by("organisation").agg(pl.col("pence").sum().alias("_total"))
        for layer in layers
    )
    return (
        ranked.rechunk()  # see _ONE_CHUNK
        .join(totals.rechunk(), on="organisation")
        .with_columns(pooled_last())
        .sort("_pooled", "organisation", "rank")
        .select(
            "organisation",
            pl.col("rank").cast(pl.Int64),
            "supplier",
            pence_text_expr(pl.col("pence")).alias("spend"),
            "rows",
            share(pl.col("pence"), pl.col("_total")).alias("share_of_total"),
            "matched_by",
            pl.col("is_sme").alias("sme"),
            pl.col("is_vcse").alias("vcse"),
            pl.col("is_diverse_led").alias("diverse_led"),
            "local",
        )
        .to_dicts()
    )


def payees(sup: Suppliers) -> pl.DataFrame:
    """One row per supplier as published: ``supplier_name``, ``payee_kind``, ``evidence``,
    ``rule`` and ``spend`` (all organisations), largest first: the list a person reviews."""
    cols = ["supplier_name", "payee_kind", "payee_evidence", "payee_rule"]
    if not sup.profiles.height:
        return pl.DataFrame(schema={c: pl.String for c in (*cols, "spend")})
    return (
        sup.profiles.group_by(cols)
        .agg(pl.col("amount").sum().alias("pence"))
        .sort(["pence", "supplier_name"], descending=[True, False], nulls_last=True)
        .select(
            "supplier_name",
            "payee_kind",
            pl.col("payee_evidence").alias("evidence"),
            pl.col("payee_rule").alias("rule"),
            pence_text_expr(pl.col("pence")).alias("spend"),
        )
    )


def addressable_view(by_kind: pl.DataFrame, set_aside: Sequence[str]) -> list[dict[str, Any]]:
    """Per organisation and period (the metrics' rollups): all spend, addressable spend, the
    spend set aside, and the spend with each payee kind, so that total = addressable + each
    kind set aside, to the penny."""
    if not by_kind.height:
        return []
    keys = ["organisation", "period"]
    wide = (
        by_kind.with_columns(pl.col("payee_kind").is_in(list(set_aside)).alias("_away"))
        .group_by(keys, maintain_order=True)
        .agg(
            pl.col("amount").sum().alias("total_spend"),
            pl.col("amount").filter(~pl.col("_away")).sum().alias("addressable_spend"),
            pl.col("amount").filter(pl.col("_away")).sum().alias("set_aside_spend"),
            *(
                pl.col("amount").filter(pl.col("payee_kind") == k).sum().alias(f"{k}_spend")
                for k in PAYEE_KINDS
            ),
        )
    )
    money = [c for c in wide.columns if c.endswith("_spend")]
    return wide.with_columns(pence_text_expr(pl.col(c)).alias(c) for c in money).to_dicts()


def unmatched_suppliers(sup: Suppliers, set_aside: Sequence[str]) -> pl.DataFrame:
    """Suppliers no lookup matched, biggest spend first, but for redacted payees and those of a
    kind ``set_aside`` from addressable spend (public bodies, HMRC, pension funds: not worth
    classifying, see :func:`payees`)."""
    rows = sup.profiles.filter(
        pl.col("matched_by").is_null()
        & ~pl.col("redacted")
        & ~pl.col("payee_kind").is_in(list(set_aside))
    )
    if not rows.height:
        return pl.DataFrame(schema={"supplier": pl.String, "spend": pl.String, "rows": pl.Int64})
    return (
        rows.group_by("_sid")
        .agg(pl.col("amount").sum().alias("pence"), pl.col("n").sum().alias("rows"))
        .join(display_names(rows, "_sid"), on="_sid", how="left")
        .sort(["pence", "_sid"], descending=[True, False])
        .select("supplier", pence_text_expr(pl.col("pence")).alias("spend"), "rows")
    )
