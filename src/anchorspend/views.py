"""The views beside the measures: spend by category, top suppliers, unmatched suppliers.

All over the analysed spend cells (``pipeline.spend_cells``: ``amount`` in pence and ``n``
rows per cell) for the whole input (period ``all``); money in pence until the end.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from anchorspend.measures import ALL_ORGS, share
from anchorspend.normalise import pence_text_expr, pence_to_text

TOP_SUPPLIERS = 10
UNMATCHED_IN_DOCUMENT = 50


def _with_pooled(analysed: pl.DataFrame) -> pl.DataFrame:
    if analysed.get_column("organisation").n_unique() > 1:
        return pl.concat([analysed, analysed.with_columns(pl.lit(ALL_ORGS).alias("organisation"))])
    return analysed


def _pooled_last() -> pl.Expr:
    return (pl.col("organisation") == ALL_ORGS).alias("_pooled")


def categories(analysed: pl.DataFrame) -> list[dict[str, Any]]:
    """Spend by procurement category where the export has one, else by expense type."""
    if not analysed.height:
        return []
    has_category = analysed.group_by("organisation").agg(
        pl.col("category").is_not_null().any().alias("_has")
    )
    # one row per organisation x category x supplier before the pooled layer is added
    pre = (
        analysed.join(has_category, on="organisation")
        .group_by(
            "organisation",
            pl.when(pl.col("_has"))
            .then(pl.lit("category"))
            .otherwise(pl.lit("expense_type"))
            .alias("basis"),
            pl.when(pl.col("_has"))
            .then(pl.col("category"))
            .otherwise(pl.col("expense_type"))
            .fill_null("(not given)")
            .alias("cat"),
            "supplier_key",
        )
        .agg(pl.col("amount").sum(), pl.col("n").sum())
    )
    rows = _with_pooled(pre)
    totals = rows.group_by("organisation").agg(pl.col("amount").sum().alias("_total"))
    out = (
        rows.group_by("organisation", "basis", "cat")
        .agg(
            pl.col("amount").sum().alias("pence"),
            pl.col("n").sum().cast(pl.Int64).alias("rows"),
            pl.col("supplier_key").n_unique().cast(pl.Int64).alias("suppliers"),
        )
        .join(totals, on="organisation")
        .with_columns(_pooled_last())
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


def display_names(rows: pl.DataFrame) -> pl.DataFrame:
    """One name per supplier key: the spelling on most rows, then with most spend, then
    alphabetical (so the choice never depends on row order)."""
    return (
        rows.group_by("supplier_key", "supplier_name")
        .agg(pl.col("n").sum().alias("_n"), pl.col("amount").sum().alias("_p"))
        .sort(["_n", "_p", "supplier_name"], descending=[True, True, False])
        .group_by("supplier_key", maintain_order=True)
        .agg(pl.col("supplier_name").first().alias("supplier"))
    )


_FLAG_VIEW = ("is_sme", "is_vcse", "is_diverse_led", "local")
_MATCH_RANK = {"company_number": 0, "charity_number": 1, "vat_number": 2, "supplier_id": 3,
               "name_key": 4}  # fmt: skip


def _best_match(col: pl.Expr) -> pl.Expr:
    """A supplier's rows may be matched different ways: show the strongest (identifiers first)."""
    rank = col.replace_strict(_MATCH_RANK, default=len(_MATCH_RANK), return_dtype=pl.Int8)
    return col.sort_by(rank).drop_nulls().first()


def _any_true(col: pl.Expr) -> pl.Expr:
    """True if any row says so, else False if any says no, else unknown; order-independent."""
    return col.drop_nulls().max()


def _suppliers(rows: pl.DataFrame, by_org: bool) -> pl.DataFrame:
    """One row per (organisation and) supplier: spend, rows, match and flags, display name."""
    keys = ["organisation", "supplier_key"] if by_org else ["supplier_key"]
    return (
        rows.group_by(keys)
        .agg(
            pl.col("amount").sum().alias("pence"),
            pl.col("n").sum().cast(pl.Int64).alias("rows"),
            _best_match(pl.col("matched_by")).alias("matched_by"),
            *(_any_true(pl.col(f)).alias(f) for f in _FLAG_VIEW),
        )
        .join(display_names(rows), on="supplier_key", how="left")
    )


def top_suppliers(analysed: pl.DataFrame) -> list[dict[str, Any]]:
    if not analysed.height:
        return []
    per_org = _suppliers(analysed, by_org=True)
    if per_org.get_column("organisation").n_unique() > 1:
        pooled = per_org.group_by("supplier_key").agg(
            pl.lit(ALL_ORGS).alias("organisation"),
            pl.col("pence").sum(),
            pl.col("rows").sum(),
            _best_match(pl.col("matched_by")),
            *(_any_true(pl.col(c)) for c in _FLAG_VIEW),
            pl.col("supplier").drop_nulls().sort().first(),
        )
        per_org = pl.concat([per_org, pooled.select(per_org.columns)])
    totals = per_org.group_by("organisation").agg(pl.col("pence").sum().alias("_total"))
    ranked = (
        per_org.sort(["pence", "supplier_key"], descending=[True, False])
        .with_columns(pl.int_range(1, pl.len() + 1).over("organisation").alias("rank"))
        .filter(pl.col("rank") <= TOP_SUPPLIERS)
        .join(totals, on="organisation")
        .with_columns(_pooled_last())
        .sort("_pooled", "organisation", "rank")
    )
    return ranked.select(
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
    ).to_dicts()


def unmatched_suppliers(analysed: pl.DataFrame) -> pl.DataFrame:
    """Suppliers no lookup matched (redacted rows aside), biggest spend first."""
    rows = analysed.filter(pl.col("matched_by").is_null() & ~pl.col("redacted"))
    if not rows.height:
        return pl.DataFrame(schema={"supplier": pl.String, "spend": pl.String, "rows": pl.Int64})
    return (
        _suppliers(rows, by_org=False)
        .sort(["pence", "supplier_key"], descending=[True, False])
        .select("supplier", pence_text_expr(pl.col("pence")).alias("spend"), "rows")
    )


def geography_view(analysed: pl.DataFrame, store: Any, problems: pl.DataFrame) -> dict[str, Any]:
    """Where the suppliers are: which basis placed how much spend, spend by supplier local
    authority (unknown shown, never hidden), and the postcodes that could not be placed."""
    if not analysed.height:
        return {"store": None, "terminated_postcode_spend": "0.00", "terminated_postcode_rows": 0,
                "imd_edition": None, "basis": [], "by_local_authority": [],
                "unplaced_postcodes": []}  # fmt: skip
    basis = (
        analysed.group_by("location_basis")
        .agg(pl.col("amount").sum().alias("pence"), pl.col("n").sum().cast(pl.Int64).alias("rows"))
        .sort("location_basis")
        .select("location_basis", pence_text_expr(pl.col("pence")).alias("spend"), "rows")
    )
    names = pl.DataFrame(schema={"local_authority_code": pl.String, "name": pl.String})
    if store is not None and "local_authority_name" in store.postcodes.collect_schema().names():
        names = (
            store.postcodes.select("local_authority_code", pl.col("local_authority_name")
                                   .alias("name")).unique("local_authority_code").collect()
        )  # fmt: skip
    by_la = (
        _with_pooled(analysed)
        .group_by("organisation", "local_authority_code")
        .agg(pl.col("amount").sum().alias("pence"),
             pl.col("supplier_key").n_unique().cast(pl.Int64).alias("suppliers"))
        .join(names, on="local_authority_code", how="left")
        .with_columns(_pooled_last())
        .sort(["_pooled", "organisation", "pence", "local_authority_code"],
              descending=[False, False, True, False], nulls_last=True)
        .select("organisation", "local_authority_code", "name",
                pence_text_expr(pl.col("pence")).alias("spend"), "suppliers")
    )  # fmt: skip
    written = pl.concat(
        [
            analysed.select(pl.col("postcode").alias("w"), "amount", "n"),
            analysed.filter(pl.col("postcode").is_null()).select(
                pl.col("supplier_postcode").alias("w"), "amount", "n"
            ),
        ]
    )
    spend_by_pc = (
        written.drop_nulls("w")
        .group_by("w")
        .agg(pl.col("amount").sum().alias("pence"), pl.col("n").sum().alias("len"))
    )
    unplaced = (
        problems.join(spend_by_pc, left_on="postcode", right_on="w", how="inner")
        .sort(["pence", "postcode"], descending=[True, False])
        .select("postcode", "problem", pence_text_expr(pl.col("pence")).alias("spend"),
                pl.col("len").cast(pl.Int64).alias("rows"))
    )  # fmt: skip
    terminated = analysed.filter(pl.col("postcode_terminated"))
    return {
        "store": None if store is None else str(store.path),
        "terminated_postcode_spend": pence_to_text(int(terminated.get_column("amount").sum() or 0)),
        "terminated_postcode_rows": int(terminated.get_column("n").sum() or 0),
        "imd_edition": None if store is None else store.imd_edition,
        "basis": basis.to_dicts(),
        "by_local_authority": by_la.to_dicts(),
        "unplaced_postcodes": unplaced.to_dicts(),
    }


EVIDENCE_MEASURES = {"sme": "is_sme", "vcse": "is_vcse", "diverse_led": "is_diverse_led"}


def evidence(analysed: pl.DataFrame) -> list[dict[str, Any]]:
    """How sure the classification is: for each measure, the spend whose supplier's flag is
    known, split by confidence (declared, registered, inferred, not stated), whole period."""
    if not analysed.height:
        return []
    rows = _with_pooled(analysed)
    totals = rows.group_by("organisation").agg(pl.col("amount").sum().alias("_total"))
    parts = []
    for measure, f in EVIDENCE_MEASURES.items():
        parts.append(
            rows.filter(pl.col(f).is_not_null())
            .group_by("organisation", pl.col(f"{f}_confidence").alias("confidence"))
            .agg(pl.col("amount").sum().alias("known"),
                 pl.col("amount").filter(pl.col(f)).sum().alias("yes"),
                 pl.col("supplier_key").n_unique().cast(pl.Int64).alias("suppliers"))
            .with_columns(pl.lit(measure).alias("measure"))
        )  # fmt: skip
    order = {"declared": 0, "registered": 1, "inferred": 2}
    out = (
        pl.concat(parts)
        .join(totals, on="organisation")
        .with_columns(
            _pooled_last(),
            pl.col("measure").replace_strict({m: i for i, m in enumerate(EVIDENCE_MEASURES)},
                                             return_dtype=pl.Int8).alias("_m"),
            pl.col("confidence").replace_strict(order, default=3, return_dtype=pl.Int8).alias("_c"),
        )
        .sort("_pooled", "organisation", "_m", "_c")
    )  # fmt: skip
    return out.select(
        "organisation", "measure", "confidence",
        pence_text_expr(pl.col("known")).alias("known_spend"),
        pence_text_expr(pl.col("yes")).alias("spend"),
        "suppliers",
        share(pl.col("known"), pl.col("_total")).alias("share_of_total"),
    ).to_dicts()  # fmt: skip
