"""``suppliers build``: one supplier lookup, with evidence, from open registers.

Every source becomes *claims* (see ``registers``): a name, identifiers, a postcode, and for each
flag a value with its evidence and confidence. Claims are merged into organisations:

1. A charity that is also a company (the Charity Commission's company link, or a 360Giving
   recipient giving both numbers) is one organisation, keyed by its company number.
2. The key is the company number, else the charity number, else the normalised name.
3. For each flag the strongest claim wins: **manual** (always), then **declared** (a notice
   where the supplier or buyer said so), then **registered** (a register's own category), then
   **inferred**; on a tie, the order Companies House, Charity Commission, OCDS, 360Giving.
   Claims that disagree are written to ``<lookup>.conflicts.csv`` — never silently dropped.
4. The name and postcode come from the most official source present (Companies House, the
   Charity Commission, OCDS, 360Giving, manual last unless it is the only one); dissolved or
   removed organisations are kept and flagged.

Everything stays lazy and runs on Polars' streaming engine, so the full Companies House file
(five million companies) builds in bounded memory.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from anchorspend.classify import load_lookup
from anchorspend.errors import AnchorspendError, Finding, UsageError
from anchorspend.files import write_replacing
from anchorspend.ingest.fields import FLAG_FIELDS
from anchorspend.normalise import company_number, name_key
from anchorspend.suppliers import registers
from anchorspend.suppliers.contracts import read_contracts
from anchorspend.suppliers.registers_common import CLAIM_COLUMNS, CLAIM_SCHEMA

CONFIDENCE_RANK = {"manual": 0, "declared": 1, "registered": 2, "inferred": 3}
SOURCE_RANK = {
    "Companies House": 0,
    "Charity Commission": 1,
    "OCDS": 2,
    "Contracts register": 3,
    "360Giving": 4,
}
Progress = Callable[[str, float | None], None]


@dataclass(frozen=True, slots=True)
class Sources:
    companies_house: tuple[Path, ...] = ()
    charities: tuple[Path, ...] = ()
    grants: tuple[Path, ...] = ()
    ocds: tuple[Path, ...] = ()
    contracts: tuple[Path, ...] = ()
    manual: tuple[Path, ...] = ()


@dataclass(frozen=True, slots=True)
class BuildReport:
    out: Path
    organisations: int
    by_source: dict[str, int]
    flags: dict[str, dict[str, int]]  # flag → confidence → organisations
    conflicts: int
    aliases: int
    findings: tuple[Finding, ...] = ()  # answers in contracts registers that were not read


def _source_rank(source: pl.Expr) -> pl.Expr:
    prefix = source.str.extract(r"^([A-Za-z0-9 ]+?)(?::|$)", 1)
    return prefix.replace_strict(SOURCE_RANK, default=len(SOURCE_RANK), return_dtype=pl.Int8)


def _manual_claims(path: Path) -> tuple[pl.LazyFrame, pl.DataFrame | None]:
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


def _keyed(claims: pl.LazyFrame) -> pl.LazyFrame:
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


_REPEATED = (
    "source",
    "status",
    "is_sme_evidence",
    "is_sme_confidence",
    "is_vcse_evidence",
    "is_vcse_confidence",
)


def build(
    sources: Sources,
    out: Path,
    progress: Progress | None = None,
    *,
    overrides: dict[str, str] | None = None,
) -> BuildReport:
    """``overrides`` (``--map FIELD=HEADER``, suppliers-schema fields) choose the columns of the
    contracts registers: the one kind of register read by its headers. The other registers are
    read in their published layouts, by their own column names."""
    if not any(
        (
            sources.companies_house,
            sources.charities,
            sources.grants,
            sources.ocds,
            sources.contracts,
            sources.manual,
        )
    ):
        raise AnchorspendError(
            "no sources given",
            hint="--companies-house FILE, --charities FILE, --grants FILE, --ocds FILE or "
            "--manual FILE (any of them, repeatable)",
        )
    if overrides and not sources.contracts:
        raise UsageError(
            "--map applies to contracts registers, and no --contracts FILE was given",
            hint='--contracts REGISTER --map supplier_name="Awarded To" (the other registers '
            "are read in their published layouts)",
        )

    def tick(message: str, done: float | None = None) -> None:
        if progress:
            progress(message, done)

    parts: list[pl.LazyFrame] = []
    readers = (
        (sources.companies_house, registers.read_companies_house),
        (sources.charities, registers.read_charities),
        (sources.grants, registers.read_grants),
        (sources.ocds, registers.read_ocds),
    )
    for paths, reader in readers:
        for path in paths:
            tick(f"reading {path.name}", 0.05)
            parts.append(reader(path).select(CLAIM_COLUMNS))
    findings: list[Finding] = []
    for path in sources.contracts:
        tick(f"reading {path.name}", 0.05)
        claims_read, found = read_contracts(path, overrides)
        parts.append(claims_read.select(CLAIM_COLUMNS))
        findings += found
    aliases: list[pl.DataFrame] = []
    diverse: list[pl.DataFrame] = []
    for path in sources.manual:
        claims, extra = _manual_claims(path)
        parts.append(claims.select(CLAIM_COLUMNS))
        if extra is not None and "alias" in extra.columns:
            aliases.append(extra)
        elif extra is not None:
            diverse.append(extra)
    with tempfile.TemporaryDirectory(prefix="anchorspend-build-") as tmp:
        # every later stage reads the claims: key them once, streamed to disk, not per stage
        staged = Path(tmp) / "claims.parquet"
        _keyed(pl.concat(parts, how="vertical_relaxed")).sink_parquet(staged)
        claims = pl.scan_parquet(staged)
        tick("merging organisations", 0.4)
        organisations = _organisations(claims)
        decided, conflicts = _decide(claims)
        lookup = organisations.join(decided, on="_org", how="left")
        table = lookup.collect(engine="streaming")
        conflict_table = conflicts.collect(engine="streaming")
    table = _with_diverse(table, diverse)
    table = _with_aliases(table, aliases)
    tick(f"writing {table.height:,} organisations", 0.9)
    table = table.drop("_org").sort(
        "supplier_name", "company_number", "charity_number", nulls_last=True
    )
    _write(table, out)
    if conflict_table.height:
        conflict_table.write_csv(out.with_suffix(".conflicts.csv"))
    return BuildReport(
        out=out,
        organisations=table.height,
        by_source={},
        flags={
            f: dict(
                table.filter(pl.col(f).is_not_null())
                .group_by(f"{f}_confidence")
                .len()
                .sort(f"{f}_confidence")
                .iter_rows()
            )
            for f in FLAG_FIELDS
        },
        conflicts=conflict_table.height,
        aliases=sum(a.height for a in aliases),
        findings=tuple(findings),
    )


def _organisations(claims: pl.LazyFrame) -> pl.LazyFrame:
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


def _decide(claims: pl.LazyFrame) -> tuple[pl.LazyFrame, pl.LazyFrame]:
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


def _with_diverse(table: pl.DataFrame, diverse: list[pl.DataFrame]) -> pl.DataFrame:
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


def _with_aliases(table: pl.DataFrame, aliases: list[pl.DataFrame]) -> pl.DataFrame:
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


def _write(table: pl.DataFrame, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    suffix = out.suffix.lower()
    if suffix not in (".parquet", ".csv"):
        raise AnchorspendError("the lookup must be .parquet or .csv", path=str(out))
    if suffix == ".parquet":
        write_replacing(out, lambda tmp: table.write_parquet(tmp, compression="zstd"))
    else:
        write_replacing(out, table.write_csv)
