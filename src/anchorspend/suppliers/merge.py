"""Claims merged into organisations, as ``suppliers build`` does it (see
:mod:`anchorspend.suppliers.build` for the rules): every claim keyed to its organisation, each
organisation's name, identifiers and postcode from the most official source, and each flag
from the strongest claim, with the claims that disagree. Everything stays lazy."""

from __future__ import annotations

import polars as pl

from anchorspend.normalise import name_key

CONFIDENCE_RANK = {"manual": 0, "declared": 1, "registered": 2, "inferred": 3}
SOURCE_RANK = {
    "Companies House": 0,
    "Charity Commission": 1,
    "OCDS": 2,
    "Contracts register": 3,
    "360Giving": 4,
}


def _source_rank(source: pl.Expr) -> pl.Expr:
    """The rank of a claim's source in ``SOURCE_RANK`` (by its label before any ":"), after
    every listed source for one not listed."""
    prefix = source.str.extract(r"^([A-Za-z0-9 ]+?)(?::|$)", 1)
    return prefix.replace_strict(SOURCE_RANK, default=len(SOURCE_RANK), return_dtype=pl.Int8)


# evidence and labels repeat on millions of rows: these are stored as categories
_REPEATED = (
    "source",
    "status",
    "is_sme_evidence",
    "is_sme_confidence",
    "is_vcse_evidence",
    "is_vcse_confidence",
)


def keyed(claims: pl.LazyFrame) -> pl.LazyFrame:
    """Link charities to their companies, then give every claim its organisation key. Only the
    few claims that need a link are looked up (semi-joins), so five million company rows pass
    straight through."""
    claims = claims.with_columns(
        # evidence and labels repeat on millions of rows: store each text once
        *(pl.col(c).cast(pl.Categorical) for c in _REPEATED),
        name_key(pl.col("supplier_name")).alias("_name"),
    )
    needs_company = claims.filter(
        pl.col("charity_number").is_not_null() & pl.col("company_number").is_null()
    ).select("charity_number")
    links = (
        claims.filter(
            pl.col("charity_number").is_not_null() & pl.col("company_number").is_not_null()
        )
        .join(needs_company, on="charity_number", how="semi")
        .group_by("charity_number")
        .agg(pl.col("company_number").min().alias("_linked"))
    )
    keyed = (
        claims.join(links, on="charity_number", how="left")
        .with_columns(pl.coalesce("company_number", "_linked").alias("company_number"))
        .drop("_linked")
        .with_columns(
            pl.coalesce(
                pl.lit("C:") + pl.col("company_number"), pl.lit("H:") + pl.col("charity_number")
            ).alias("_id"),
        )
    )
    name_only = keyed.filter(pl.col("_id").is_null() & pl.col("_name").is_not_null()).select(
        "_name"
    )
    # a claim with only a name joins the one identified organisation carrying that name
    by_name = (
        keyed.filter(pl.col("_id").is_not_null())
        .join(name_only, on="_name", how="semi")
        .group_by("_name")
        .agg(pl.col("_id").unique().alias("_ids"))
        .filter(pl.col("_ids").list.len() == 1)
        .select("_name", pl.col("_ids").list.first().alias("_named"))
    )
    return (
        keyed.join(by_name, on="_name", how="left")
        .with_columns(
            pl.coalesce("_id", "_named", pl.lit("N:") + pl.col("_name")).alias("_org"),
            _source_rank(pl.col("source").cast(pl.String)).alias("_src"),
            pl.col("source").cast(pl.String).str.starts_with("manual").alias("_manual"),
        )
        .drop("_name", "_id", "_named")
    )


def organisations(claims: pl.LazyFrame) -> pl.LazyFrame:
    """Name, identifiers, postcode and status per organisation, from the most official source."""
    order = [pl.col("_manual"), pl.col("_src")]

    def best(c: str) -> pl.Expr:
        return pl.col(c).sort_by(order).drop_nulls().first()

    return claims.group_by("_org").agg(
        best("supplier_name"),
        best("company_number"),
        best("charity_number"),
        best("postcode"),
        best("status").cast(pl.String),
        pl.col("dissolved").fill_null(False).any(),
        pl.col("as_of").drop_nulls().max(),
        pl.col("source").cast(pl.String).unique().sort().str.join("; ").alias("source"),
    )


def decide(claims: pl.LazyFrame) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    """For each organisation and flag: the strongest claim, and any claims that disagree."""
    long = pl.concat(
        [
            claims.filter(pl.col(f).is_not_null()).select(
                "_org",
                "_src",
                "source",
                "as_of",
                pl.lit(f).alias("flag"),
                pl.col(f).alias("value"),
                pl.col(f"{f}_evidence").alias("evidence"),
                pl.col(f"{f}_confidence").alias("confidence"),
            )
            for f in ("is_sme", "is_vcse")
        ]
    ).with_columns(
        pl.col("confidence")
        .cast(pl.String)
        .replace_strict(CONFIDENCE_RANK, default=9, return_dtype=pl.Int8)
        .alias("_rank"),
        pl.col("source").cast(pl.String),
    )
    # strongest confidence, then the most official source, then the most recent claim
    order = [pl.col("_rank"), pl.col("_src"), pl.col("source"), pl.col("as_of")]
    desc = [False, False, False, True]

    def first(c: str) -> pl.Expr:
        return pl.col(c).sort_by(order, descending=desc, nulls_last=True).first()

    best = long.group_by("_org", "flag").agg(first("value"), first("evidence"), first("confidence"))
    decided: pl.LazyFrame | None = None
    for f in ("is_sme", "is_vcse"):
        one = best.filter(pl.col("flag") == f).select(
            "_org",
            pl.col("value").alias(f),
            pl.col("evidence").alias(f"{f}_evidence"),
            pl.col("confidence").alias(f"{f}_confidence"),
        )
        decided = (
            one if decided is None else decided.join(one, on="_org", how="full", coalesce=True)
        )
    assert decided is not None
    disagree = (
        long.group_by("_org", "flag")
        .agg(pl.col("value").n_unique().alias("n"))
        .filter(pl.col("n") > 1)
        .select("_org", "flag")
    )
    conflicts = (
        long.join(disagree, on=["_org", "flag"])
        .sort("_org", "flag", "_rank", "_src")
        .select(
            pl.col("_org").alias("organisation"),
            "flag",
            "source",
            "value",
            "confidence",
            "evidence",
        )
    )
    return decided, conflicts
