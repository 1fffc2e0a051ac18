"""``suppliers match`` and ``suppliers unmatched``: resolve the exports' suppliers against
lookups, and show the analyst only the doubtful cases.

Resolution is exactly ``analyse``'s (identifier, then exact normalised name). For suppliers it
leaves unmatched, fuzzy *candidates* are proposed from the lookups' names, with a score and the
margin over the runner-up, into ``review.csv``. Nothing proposed here is ever applied: "Age UK
Leeds" is not "Age UK", and "Sheffield City Council Pension Fund" is not "Sheffield City
Council". The analyst marks rows ``accept``; ``suppliers build --manual review.csv`` turns those
into lookup entries.

Candidates are blocked by the first significant word of the name (a shared first word is
required), then every remaining pair is scored in one vectorised rapidfuzz call, so a
five-million-entry lookup is searched without comparing everything with everything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import polars as pl
from rapidfuzz import fuzz, process

from anchorspend.classify.conflicts import display_names
from anchorspend.classify.lookup import Lookup, load_lookup
from anchorspend.classify.resolve import classify
from anchorspend.config import PAYEE_KINDS
from anchorspend.gather.inputs import ingest
from anchorspend.gather.options import RunConfig
from anchorspend.normalise import name_key, pence_text_expr
from anchorspend.payees import payee_kinds
from anchorspend.spend import spend_of

CANDIDATES = 2
MIN_SCORE = 70.0
_STOP = ("THE", "A", "AN", "MR", "MRS", "MS", "DR", "THE ROYAL")
REVIEW_COLUMNS = (
    "supplier",
    "spend",
    "rows",
    "rank",
    "candidate_name",
    "candidate_company_number",
    "candidate_charity_number",
    "candidate_is_sme",
    "candidate_is_vcse",
    "candidate_source",
    "score",
    "margin",
    "decision",
)


@dataclass(slots=True)
class MatchResult:
    summary: list[dict[str, Any]]  # how suppliers were resolved: by what, spend, suppliers
    review: pl.DataFrame  # REVIEW_COLUMNS, decision empty
    unmatched: pl.DataFrame  # supplier, spend, rows, cumulative share of unmatched spend
    total_pence: int
    # the unmatched spend not worth classifying: payee kind, spend, suppliers (see payees)
    set_aside: list[dict[str, Any]] = field(default_factory=list)

    @property
    def candidates(self) -> int:
        """How many candidate rows the review holds."""
        return self.review.height

    @property
    def suppliers_with_candidates(self) -> int:
        """How many suppliers the review proposes candidates for."""
        return int((self.review.get_column("rank") == 1).sum()) if self.review.height else 0

    def top_unmatched(self, n: int) -> list[dict[str, Any]]:
        """The ``n`` unmatched suppliers with the most spend, as rows."""
        return self.unmatched.head(n).to_dicts()


def _block(expr: pl.Expr) -> pl.Expr:
    """First word of a normalised name that is not a stop word ("THE GROWTH CO" → "GROWTH")."""
    words = expr.str.split(" ")
    first = words.list.get(0, null_on_oob=True)
    second = words.list.get(1, null_on_oob=True)
    return pl.when(first.is_in(_STOP) & second.is_not_null()).then(second).otherwise(first)


def _candidates(queries: pl.DataFrame, pool: pl.DataFrame, keep: int) -> pl.DataFrame:
    """Top ``keep`` pool names for each query name, scored by token-sort ratio (0-100)."""
    pairs = queries.join(pool, on="_block", how="inner", suffix="_c")
    if not pairs.height:
        return pairs.with_columns(pl.lit(None, pl.Float64).alias("score"))
    scores = process.cpdist(
        pairs.get_column("name_key").to_list(),
        pairs.get_column("name_key_c").to_list(),
        scorer=fuzz.token_sort_ratio,
        workers=-1,
    )
    scored = pairs.with_columns(pl.Series("score", scores, dtype=pl.Float64)).filter(
        (pl.col("score") >= MIN_SCORE) & (pl.col("name_key") != pl.col("name_key_c"))
    )
    ranked = scored.sort(["name_key", "score", "name_key_c"], descending=[False, True, False])
    return ranked.with_columns(
        pl.int_range(1, pl.len() + 1).over("name_key").alias("rank"),
        (pl.col("score") - pl.col("score").shift(-1).over("name_key").fill_null(0)).alias("_m"),
    ).filter(pl.col("rank") <= keep)


def match(run: RunConfig, *, keep: int = CANDIDATES) -> MatchResult:
    """Resolve the exports' suppliers as ``analyse`` does, set aside the unmatched payees not
    worth classifying, and propose up to ``keep`` candidates for each other unmatched one."""
    data = ingest(run)
    lookups = [load_lookup(p) for p in run.lookups]
    rows = classify(spend_of(data.rows, "quarter").profiles, lookups).rows
    rows = rows.drop("payee_kind").join(payee_kinds(rows), on="_pid", how="left")
    total = int(rows.get_column("amount").sum() or 0)
    unmatched_rows = rows.filter(pl.col("matched_by").is_null() & ~pl.col("redacted"))
    # only market payees are worth classifying: public bodies, HMRC and pension funds are set
    # aside (and counted) as addressable spend leaves them out
    set_aside = pl.col("payee_kind").is_in(run.config.set_aside)
    away = _set_aside(unmatched_rows.filter(set_aside))
    queries = _queries(unmatched_rows.filter(~set_aside))
    pool = _pool(lookups).rename({"name_key": "name_key_c"})
    found = _candidates(queries, pool, keep) if pool.height else pl.DataFrame()
    return MatchResult(
        _spend_rows(_summary(rows), "resolved_by"),
        _review(found),
        _unmatched(queries),
        total,
        _spend_rows(away, "payee_kind"),
    )


def _summary(rows: pl.DataFrame) -> pl.DataFrame:
    """Spend and suppliers by how they were resolved (the key that matched, "unmatched" or
    "redacted")."""
    how = (
        pl.when(pl.col("redacted"))
        .then(pl.lit("redacted"))
        .otherwise(pl.col("matched_by").fill_null("unmatched"))
    )
    suppliers = pl.col("supplier_key").n_unique().cast(pl.Int64)
    return (
        rows.group_by(how.alias("resolved_by"))
        .agg(pl.col("amount").sum().alias("pence"), suppliers.alias("suppliers"))
        .sort("resolved_by")
    )


def _set_aside(away: pl.DataFrame) -> pl.DataFrame:
    """Spend and suppliers (distinct names) by payee kind, in the kinds' order."""
    suppliers = name_key(pl.col("supplier_name")).n_unique().cast(pl.Int64)
    order = pl.col("payee_kind").replace_strict(
        {k: i for i, k in enumerate(PAYEE_KINDS)}, return_dtype=pl.Int8
    )
    return (
        away.group_by("payee_kind")
        .agg(pl.col("amount").sum().alias("pence"), suppliers.alias("suppliers"))
        .sort(order)
    )


def _queries(unmatched_rows: pl.DataFrame) -> pl.DataFrame:
    """One row per unmatched supplier (a name key), named as analyse names a supplier, with its
    spend, rows and block."""
    keyed = unmatched_rows.select(
        name_key(pl.col("supplier_name")).alias("name_key"), "supplier_name", "amount", "n"
    ).drop_nulls("name_key")
    return (
        keyed.group_by("name_key")
        .agg(pl.col("amount").sum().alias("pence"), pl.col("n").sum().cast(pl.Int64).alias("rows"))
        .join(display_names(keyed, "name_key"), on="name_key", how="left")
        .select("name_key", "supplier", "pence", "rows")
        .with_columns(_block(pl.col("name_key")).alias("_block"))
    )


def _pool(lookups: list[Lookup]) -> pl.DataFrame:
    """Every lookup name a candidate may be (the first lookup's entry for a name), with its
    identifiers, flags, source and block."""
    if not lookups:
        return pl.DataFrame(schema={"name_key": pl.String}).with_columns(
            _block(pl.col("name_key")).alias("_block")
        )
    entries = [
        lk.frame.select(
            pl.col("name_key"),
            pl.col("supplier_name").alias("candidate_name"),
            pl.col("company_number").alias("candidate_company_number"),
            pl.col("charity_number").alias("candidate_charity_number"),
            pl.col("is_sme").alias("candidate_is_sme"),
            pl.col("is_vcse").alias("candidate_is_vcse"),
            pl.lit(lk.label).alias("candidate_source"),
        )
        for lk in lookups
    ]
    pool = pl.concat(entries, how="vertical_relaxed").drop_nulls("name_key")
    pool = pool.unique("name_key", keep="first", maintain_order=True)
    return pool.with_columns(_block(pl.col("name_key")).alias("_block"))


def _unmatched(queries: pl.DataFrame) -> pl.DataFrame:
    """The unmatched suppliers, most spend first, with the cumulative share of their spend."""
    all_pence = max(int(queries.get_column("pence").sum() or 0), 1)
    cumulative = queries.sort(["pence", "name_key"], descending=[True, False]).with_columns(
        (pl.col("pence").cum_sum() / all_pence).alias("cumulative_share")
    )
    return cumulative.select(
        "supplier", pence_text_expr(pl.col("pence")).alias("spend"), "rows", "cumulative_share"
    )


def _spend_rows(frame: pl.DataFrame, key: str) -> list[dict[str, Any]]:
    """``frame``'s rows as ``{key, "spend", "suppliers"}``, the spend as text."""
    return [
        {key: k, "spend": spend, "suppliers": n}
        for k, spend, n in frame.select(
            key, pence_text_expr(pl.col("pence")), "suppliers"
        ).iter_rows()
    ]


def _review(found: pl.DataFrame) -> pl.DataFrame:
    if not found.height:
        return pl.DataFrame(schema=dict.fromkeys(REVIEW_COLUMNS, pl.String))
    return found.sort(["pence", "name_key", "rank"], descending=[True, False, False]).select(
        "supplier",
        pence_text_expr(pl.col("pence")).alias("spend"),
        "rows",
        pl.col("rank").cast(pl.Int64),
        "candidate_name",
        "candidate_company_number",
        "candidate_charity_number",
        "candidate_is_sme",
        "candidate_is_vcse",
        "candidate_source",
        pl.col("score").round(1),
        pl.col("_m").round(1).alias("margin"),
        pl.lit("").alias("decision"),
    )
