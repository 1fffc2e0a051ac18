"""Which canonical rows are analysed, excluded or rejected, and why.

A row is *rejected* for what is wrong with its values (:func:`rejection_checks`: every reason
that applies, in that order) and *excluded* by a rule: the ``footer-total`` rule first (a row
labelled as a total, or an unlabelled grand total that is exactly the sum of the rows above
it), then the config's exclusion rules in order. A footer is excluded even where its values
would reject it; any other rule excludes only rows that are not rejected."""

from __future__ import annotations

import polars as pl

from anchorspend.ingest.fields import RowOptions

FOOTER_RULE = "footer-total"
CLEAN_BEFORE = "_clean_before"
"""On a source's problem rows read apart (see :mod:`anchorspend.ingest.stream`): the pence of
the rows read elsewhere above each row."""
_FOOTER_LABEL = r"(?i)^\s*(?:grand\s+|sub-?\s*|overall\s+|report\s+|net\s+)?totals?\b"


def with_footer_labels(step: pl.DataFrame, body: pl.DataFrame, cols: list[str]) -> pl.DataFrame:
    """``step`` with ``_footer_label``: whether the row's label (its first non-empty cell in
    ``body``, "Total", "Grand total") names a footer. Only rows with no payment date can be
    labelled footers, so only those are looked at."""
    undated = step.get_column("payment_date").is_null().arg_true()
    first_cell = pl.coalesce(
        pl.when(pl.col(c).str.strip_chars() != "").then(pl.col(c)) for c in cols
    )
    labels = body[undated].select(first_cell.str.contains(_FOOTER_LABEL).fill_null(False))
    return step.with_columns(
        pl.repeat(False, step.height, eager=True)
        .alias("_footer_label")
        .scatter(undated, labels.to_series())
    )


def rejection_checks(options: RowOptions) -> dict[str, pl.Expr]:
    """Each rejection reason and the condition, over a parsed row, that gives it."""
    return {
        "missing-amount": pl.col("_amount_status") == "missing",
        "invalid-amount": pl.col("_amount_status") == "invalid",
        "missing-date": (pl.col("_date_status") == "missing") & pl.lit(not options.undated_ok),
        "invalid-date": pl.col("_date_status") == "invalid",
        "date-is-period": pl.col("_date_status") == "period",
        "missing-supplier": pl.col("supplier_name").is_null() | (pl.col("supplier_name") == ""),
    }


def _above() -> pl.Expr:
    """A row's pence as a later grand total adds them up: none for a labelled footer."""
    labelled = pl.col("_footer_label") & pl.col("payment_date").is_null()
    return pl.when(labelled).then(0).otherwise(pl.col("amount").fill_null(0))


def _excluded_by(options: RowOptions, prior: int) -> pl.Expr:
    """The first exclusion rule a row matches (``footer-total`` first), else null. ``prior``:
    the pence of the source's batches before this one."""
    labelled = pl.col("_footer_label") & pl.col("payment_date").is_null()
    # An unlabelled grand total: no supplier, no date, and exactly the sum of every row above.
    above = _above()
    before = above.cum_sum() - above + prior + pl.col(CLEAN_BEFORE)
    bare_sum = (
        pl.col("supplier_name").is_null()
        & pl.col("payment_date").is_null()
        & pl.col("amount").is_not_null()
        & (pl.col("amount") == before)
        & (before != 0)
    )
    footer = labelled | bare_sum
    matches = [pl.when(footer).then(pl.lit(FOOTER_RULE))]
    for rule in options.exclude:
        hit = pl.all_horizontal(
            pl.col(f).cast(pl.String).str.contains(rx).fill_null(False)
            for f, rx in rule.patterns.items()
        )
        matches.append(pl.when(hit).then(pl.lit(rule.name)))
    return pl.coalesce(matches)


def with_status(
    step: pl.DataFrame, checks: dict[str, pl.Expr], options: RowOptions, prior: int
) -> pl.DataFrame:
    """``step`` with ``_status`` and ``_reason`` (the exclusion rule, or the rejection codes
    joined by ``; ``), and what they are made from: ``_rejections``, ``_rule`` and ``_above``
    (the row's pence as a later grand total counts them)."""
    reasons = pl.concat_str(
        [pl.when(cond).then(pl.lit(code)) for code, cond in checks.items()],
        separator="; ",
        ignore_nulls=True,
    )
    step = step.with_columns(
        reasons.alias("_rejections"),
        _excluded_by(options, prior).alias("_rule"),
        _above().alias("_above"),
    )
    return step.with_columns(
        pl.when(pl.col("_rule") == FOOTER_RULE)
        .then(pl.lit("excluded"))
        .when(pl.col("_rejections") != "")
        .then(pl.lit("rejected"))
        .when(pl.col("_rule").is_not_null())
        .then(pl.lit("excluded"))
        .otherwise(pl.lit("analysed"))
        .alias("_status"),
    ).with_columns(
        pl.when(pl.col("_status") == "rejected")
        .then(pl.col("_rejections"))
        .when(pl.col("_status") == "excluded")
        .then(pl.col("_rule"))
        .alias("_reason"),
    )
