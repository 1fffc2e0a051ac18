"""Where the suppliers are, as the document's ``geography`` section says it: which basis placed
how much spend, spend by supplier local authority (unknown shown, never hidden), and the
postcodes that could not be placed. Over the same :class:`~anchorspend.views.Suppliers` as the
other views."""

from __future__ import annotations

from typing import Any

import polars as pl

from anchorspend.areas import local_authorities
from anchorspend.normalise import pence_text_expr, pence_to_text
from anchorspend.views import Suppliers, per_org_and_pooled, pooled_last, suppliers_count


def geography_view(sup: Suppliers, store: Any, problems: pl.DataFrame) -> dict[str, Any]:
    """Where the suppliers are: which basis placed how much spend, spend by supplier local
    authority (unknown shown, never hidden), and the postcodes that could not be placed."""
    user_store = store is not None and not store.bundled
    source = None if store is None or user_store else store.manifest["source"]
    if not sup.cells.height:
        return {
            "store": None,
            "source": source,
            "terminated_postcode_spend": "0.00",
            "terminated_postcode_rows": 0,
            "imd_edition": None,
            "basis": [],
            "by_local_authority": [],
            "unplaced_postcodes": [],
        }
    profiles = sup.profiles
    basis = (
        profiles.group_by("location_basis")
        .agg(pl.col("amount").sum().alias("pence"), pl.col("n").sum().alias("rows"))
        .sort("location_basis")
        .select("location_basis", pence_text_expr(pl.col("pence")).alias("spend"), "rows")
    )
    # the built-in table's names (current boundaries), then a store's for codes it lacks
    names = local_authorities().select(pl.col("code").alias("local_authority_code"), "name")
    if store is not None and "local_authority_name" in store.postcodes.collect_schema().names():
        names = pl.concat(
            [
                names,
                store.postcodes.select(
                    "local_authority_code", pl.col("local_authority_name").alias("name")
                )
                .drop_nulls()
                .unique("local_authority_code")
                .collect(),
            ]
        ).unique("local_authority_code", keep="first", maintain_order=True)
    by_la = (
        per_org_and_pooled(
            sup.cells.join(profiles.select("_pid", "local_authority_code"), on="_pid", how="left"),
            [pl.col("local_authority_code")],
            [pl.col("amount").sum().alias("pence"), suppliers_count()],
            sup.several,
        )
        .join(names, on="local_authority_code", how="left")
        .with_columns(pooled_last())
        .sort(
            ["_pooled", "organisation", "pence", "local_authority_code"],
            descending=[False, False, True, False],
            nulls_last=True,
        )
        .select(
            "organisation",
            "local_authority_code",
            "name",
            pence_text_expr(pl.col("pence")).alias("spend"),
            "suppliers",
        )
    )
    # the postcode as written: the lookup's where it gave one, else the export's
    spend_by_pc = (
        profiles.select(pl.coalesce("postcode", "supplier_postcode").alias("w"), "amount", "n")
        .drop_nulls("w")
        .group_by("w")
        .agg(pl.col("amount").sum().alias("pence"), pl.col("n").sum().alias("len"))
    )
    unplaced = (
        problems.join(spend_by_pc, left_on="postcode", right_on="w", how="inner")
        .sort(["pence", "postcode"], descending=[True, False])
        .select(
            "postcode",
            "problem",
            pence_text_expr(pl.col("pence")).alias("spend"),
            pl.col("len").cast(pl.Int64).alias("rows"),
        )
    )
    terminated = profiles.filter(pl.col("postcode_terminated"))
    return {
        "store": str(store.path) if user_store else None,
        "source": source,
        "terminated_postcode_spend": pence_to_text(int(terminated.get_column("amount").sum() or 0)),
        "terminated_postcode_rows": int(terminated.get_column("n").sum() or 0),
        "imd_edition": None if store is None else store.imd_edition,
        "basis": basis.to_dicts(),
        "by_local_authority": by_la.to_dicts(),
        "unplaced_postcodes": unplaced.to_dicts(),
    }
