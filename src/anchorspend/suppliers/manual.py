"""Manual files for ``suppliers build``: a lookup of the analyst's own (its flags are claims of
confidence "manual", and the only source of diverse-led status), or a ``review.csv`` from
``suppliers match`` whose ``accept`` rows make the names as exported entries of their own."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from anchorspend.classify.lookup import load_lookup
from anchorspend.normalise import company_number, name_key
from anchorspend.suppliers.registers_common import CLAIM_SCHEMA


def manual_claims(path: Path) -> tuple[pl.LazyFrame, pl.DataFrame | None]:
    """A manual file is a lookup (validated like any other) or a review.csv from `suppliers
    match` (its `accept` rows). Returns claims, and accepted aliases to attach afterwards."""
    head = (
        pl.read_csv(path, n_rows=0, infer_schema=False).columns
        if path.suffix.lower() in (".csv", ".txt")
        else []
    )
    if "decision" in head and "candidate_name" in head:
        review = pl.read_csv(path, infer_schema=False)
        accepted = review.filter(
            pl.col("decision").str.strip_chars().str.to_lowercase() == "accept"
        )
        return _empty_claims(), accepted.select(
            pl.col("supplier").alias("alias"),
            "candidate_name",
            company_number(pl.col("candidate_company_number")).alias("candidate_company_number"),
            pl.col("candidate_charity_number").str.strip_chars().alias("candidate_charity_number"),
            "score",
        )
    lookup = load_lookup(path)  # validated: duplicate keys that disagree stop here
    f = lookup.frame
    label = f"manual: {path.name}"
    claims = f.lazy().select(
        pl.lit(label).alias("source"),
        "supplier_name",
        "company_number",
        "charity_number",
        "postcode",
        pl.lit(None, pl.String).alias("status"),
        "dissolved",
        *(
            expr
            for flag in ("is_sme", "is_vcse")
            for expr in (
                pl.col(flag),
                pl.when(pl.col(flag).is_not_null())
                .then(pl.coalesce(pl.col(f"{flag}_evidence"), pl.lit(label)))
                .alias(f"{flag}_evidence"),
                pl.when(pl.col(flag).is_not_null())
                .then(pl.lit("manual"))
                .alias(f"{flag}_confidence"),
            )
        ),
        pl.lit(None, pl.String).alias("as_of"),
    )
    diverse = (
        f.lazy()
        .select(
            "company_number",
            "charity_number",
            "supplier_name",
            "is_diverse_led",
            "is_diverse_led_evidence",
            pl.col("categories"),
        )
        .filter(pl.col("is_diverse_led").is_not_null())
    )
    return claims, diverse.collect()


def _empty_claims() -> pl.LazyFrame:
    return pl.LazyFrame(schema=CLAIM_SCHEMA)


def with_diverse(table: pl.DataFrame, diverse: list[pl.DataFrame]) -> pl.DataFrame:
    """Diverse-led status comes only from manual files (no open register records it)."""
    cols = {
        "is_diverse_led": pl.Boolean,
        "is_diverse_led_evidence": pl.String,
        "is_diverse_led_confidence": pl.String,
        "diverse_led_categories": pl.String,
    }
    table = table.with_columns(pl.lit(None, t).alias(c) for c, t in cols.items())
    for d in diverse:
        keyed = (
            d.with_columns(
                pl.coalesce(
                    pl.lit("C:") + pl.col("company_number"),
                    pl.lit("H:") + pl.col("charity_number"),
                    pl.lit("N:") + name_key(pl.col("supplier_name")),
                ).alias("_org")
            )
            .select(
                "_org",
                pl.col("is_diverse_led").alias("_d"),
                pl.col("is_diverse_led_evidence").alias("_de"),
                pl.col("categories").list.join(";").alias("_dc"),
            )
            .unique("_org", keep="first")
        )
        table = (
            table.join(keyed, on="_org", how="left")
            .with_columns(
                pl.coalesce("_d", "is_diverse_led").alias("is_diverse_led"),
                pl.coalesce("_de", "is_diverse_led_evidence").alias("is_diverse_led_evidence"),
                pl.when(pl.col("_d").is_not_null())
                .then(pl.lit("manual"))
                .otherwise(pl.col("is_diverse_led_confidence"))
                .alias("is_diverse_led_confidence"),
                pl.coalesce("_dc", "diverse_led_categories").alias("diverse_led_categories"),
            )
            .drop("_d", "_de", "_dc")
        )
    return table


def with_aliases(table: pl.DataFrame, aliases: list[pl.DataFrame]) -> pl.DataFrame:
    """Accepted review rows: the name as the export spells it becomes an entry of its own,
    carrying the chosen organisation's flags and saying so."""
    if not aliases:
        return table
    accepted = pl.concat(aliases, how="vertical_relaxed")
    target = pl.coalesce(
        pl.lit("C:") + pl.col("candidate_company_number"),
        pl.lit("H:") + pl.col("candidate_charity_number"),
        pl.lit("N:") + name_key(pl.col("candidate_name")),
    )
    joined = accepted.with_columns(target.alias("_org")).join(table, on="_org", how="inner")
    alias_rows = joined.select(
        pl.col("_org"),
        pl.col("alias").alias("supplier_name"),
        *(pl.lit(None, table.schema[c]).alias(c) for c in ("company_number", "charity_number")),
        *(
            c
            for c in table.columns
            if c not in ("_org", "supplier_name", "company_number", "charity_number", "source")
            and not c.endswith("_evidence")
        ),
        *(
            (
                pl.lit("manual review: accepted as ")
                + pl.col("candidate_name")
                + pl.lit(" (score ")
                + pl.col("score")
                + pl.lit("); ")
                + pl.col(c)
            ).alias(c)
            for c in table.columns
            if c.endswith("_evidence")
        ),
        (pl.lit("manual review; ") + pl.col("source")).alias("source"),
    ).select(table.columns)
    return pl.concat([table, alias_rows], how="vertical_relaxed")
