"""The document's ``evidence``: how sure each classification is, as spend by the confidence of
the flag behind it (declared, registered, inferred, not stated), per organisation, whole period."""

from __future__ import annotations

from typing import Any

import polars as pl

from anchorspend.measures import ALL_ORGS, share
from anchorspend.normalise import pence_text_expr
from anchorspend.views import Suppliers, per_org_and_pooled, pooled_last, suppliers_count

EVIDENCE_MEASURES = {"sme": "is_sme", "vcse": "is_vcse", "diverse_led": "is_diverse_led"}


def evidence(sup: Suppliers) -> list[dict[str, Any]]:
    """How sure the classification is: for each measure, the spend whose supplier's flag is
    known, split by confidence (declared, registered, inferred, not stated), whole period."""
    if not sup.cells.height:
        return []
    flags = [c for f in EVIDENCE_MEASURES.values() for c in (f, f"{f}_confidence")]
    cells = sup.cells.join(sup.profiles.select("_pid", *flags), on="_pid", how="left")
    totals = cells.group_by("organisation").agg(pl.col("amount").sum().alias("_total"))
    if sup.several:
        totals = pl.concat(
            [
                totals.with_columns(pl.col("organisation").cast(pl.String)),
                totals.select(pl.lit(ALL_ORGS).alias("organisation"), pl.col("_total").sum()),
            ]
        )
    parts = [
        per_org_and_pooled(
            cells.filter(pl.col(f).is_not_null()),
            [pl.col(f"{f}_confidence").alias("confidence")],
            [
                pl.col("amount").sum().alias("known"),
                pl.col("amount").filter(pl.col(f)).sum().alias("yes"),
                suppliers_count(),
            ],
            sup.several,
        )
        .with_columns(pl.lit(measure).alias("measure"))
        .rechunk()  # see views._ONE_CHUNK
        for measure, f in EVIDENCE_MEASURES.items()
    ]
    order = {"declared": 0, "registered": 1, "inferred": 2}
    out = (
        pl.concat(parts)
        .join(
            totals.with_columns(pl.col("organisation").cast(pl.String)).rechunk(), on="organisation"
        )
        .with_columns(
            pooled_last(),
            pl.col("measure")
            .replace_strict({m: i for i, m in enumerate(EVIDENCE_MEASURES)}, return_dtype=pl.Int8)
            .alias("_m"),
            pl.col("confidence").replace_strict(order, default=3, return_dtype=pl.Int8).alias("_c"),
        )
        .sort("_pooled", "organisation", "_m", "_c")
    )
    return out.select(
        "organisation",
        "measure",
        "confidence",
        pence_text_expr(pl.col("known")).alias("known_spend"),
        pence_text_expr(pl.col("yes")).alias("spend"),
        "suppliers",
        share(pl.col("known"), pl.col("_total")).alias("share_of_total"),
    ).to_dicts()
