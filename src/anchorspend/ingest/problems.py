"""A batch's findings: one row per problem cell (path, sheet, row, column, code, severity, value,
message), built with expressions, never a loop over rows.

Rejections are errors unless the row is a footer total; the footer itself, a rounded amount, a
date read as a period or a month, a flag that is not yes or no, and a cell beyond the header's
columns are noted. Each finding carries ``_order`` (:data:`ORDER`), its place, so that a
source's findings read in batches can be put back in the order a whole read gives them."""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from anchorspend.findings import code_columns, message, message_expr
from anchorspend.ingest.fields import FLAG_FIELDS
from anchorspend.ingest.mapping import Mapping
from anchorspend.ingest.raw import RawTable
from anchorspend.ingest.status import FOOTER_RULE

# Rejection reasons (on the row, as anchorspend.ingest.status.rejection_checks names them) → the
# canonical field, the Frictionless-style finding code, and what is wrong (its message's
# ``detail``).
REJECTIONS = {
    "missing-amount": ("amount", "missing-value", "no amount"),
    "invalid-amount": ("amount", "type-error", "amount is not a number of pounds"),
    "missing-date": ("payment_date", "missing-value", "no payment date"),
    "invalid-date": (
        "payment_date",
        "type-error",
        "payment date is not a recognised date (--date-format to name the format)",
    ),
    "date-is-period": ("payment_date", "date-is-period", ""),  # the code's own message
    "missing-supplier": ("supplier_name", "missing-value", "no supplier name"),
}
ORDER = "_order"
MAX_EXTRA = 10_000  # more than the cells a record may have (csvread.MAX_COLUMNS)

Rows = Callable[..., pl.LazyFrame]


def _rejected(
    rows: Rows, header: Callable[[str], str], checks: dict[str, pl.Expr]
) -> list[pl.LazyFrame]:
    """The rejections, one part per reason, except on footer rows."""
    not_footer = pl.col("_rule").fill_null("") != FOOTER_RULE
    text_of = {
        "amount": pl.col("_amount_text"),
        "payment_date": pl.col("_date_text"),
        "supplier_name": pl.col("supplier_name"),
    }
    parts = []
    for reason, cond in checks.items():
        fieldname, code, detail = REJECTIONS[reason]
        parts.append(
            rows(cond & not_footer, code, header(fieldname), text_of[fieldname], detail=detail)
        )
    return parts


def _noted(rows: Rows, header: Callable[[str], str], mapping: Mapping) -> list[pl.LazyFrame]:
    """Footers, values read with a caveat (rounded, a period, a month) and unknown flags."""
    amount, date = pl.col("_amount_text"), pl.col("_date_text")
    rounded = pl.col("_amount_status") == "rounded"
    period = pl.col("_date_status").str.starts_with("period-")
    month = pl.col("_date_status") == "month"
    parts = [
        rows(pl.col("_rule") == FOOTER_RULE, FOOTER_RULE, header("amount"), amount),
        rows(rounded, "amount-rounded", header("amount"), amount),
        rows(period, "date-is-period", header("payment_date"), date, "used"),
        rows(month, "date-month-only", header("payment_date"), date),
    ]
    for f in FLAG_FIELDS:
        if f in mapping.columns:
            odd, text = pl.col(f"_odd_{f}"), pl.col(f"_text_{f}")
            parts.append(rows(odd, "unknown-flag-value", header(f), text, field=f))
    return parts


def _extra_cells(step: pl.DataFrame, source: str, extra_names: list[str]) -> pl.LazyFrame:
    """Cells beyond the header's columns: one unpivot, not a frame per column (a title row may
    be 4,096 cells wide)."""
    return (
        step.lazy()
        .select(pl.col("_sheet").cast(pl.String).alias("sheet"), pl.col("_row"), *extra_names)
        .unpivot(index=["sheet", "_row"], variable_name="column", value_name="value")
        .filter(pl.col("value").is_not_null() & (pl.col("value").str.strip_chars() != ""))
        .select(
            pl.lit(source).alias("path"),
            "sheet",
            pl.col("_row").alias("row"),
            "column",
            *code_columns("extra-cell"),
            pl.col("value").cast(pl.String),
            message_expr("extra-cell", column=pl.col("column")),
        )
    )


def batch_findings(
    step: pl.DataFrame,
    table: RawTable,
    mapping: Mapping,
    checks: dict[str, pl.Expr],
    extra_names: list[str],
) -> pl.DataFrame:
    """One row per problem cell of a batch's canonical rows (``step``, with their statuses)."""

    def header(fieldname: str) -> str:
        return mapping.header_of(fieldname) if fieldname in mapping.columns else fieldname

    def rows(
        cond: pl.Expr, code: str, column: str, value: pl.Expr, variant: str | None = None, **f: str
    ) -> pl.LazyFrame:
        """A finding ``code`` on ``column`` for each row where ``cond`` holds."""
        return (
            step.lazy()
            .filter(cond)
            .select(
                pl.lit(table.source).alias("path"),
                pl.col("_sheet").cast(pl.String).alias("sheet"),
                pl.col("_row").alias("row"),
                pl.lit(column).alias("column"),
                *code_columns(code, variant),
                value.cast(pl.String).alias("value"),
                pl.lit(message(code, variant, **f)).alias("message"),
            )
        )

    parts = [*_rejected(rows, header, checks), *_noted(rows, header, mapping)]
    if extra_names:
        parts.append(_extra_cells(step, table.source, extra_names))
    # each part's place (part by part, an extra column's cells one column at a time)
    extra_number = pl.col("column").str.strip_prefix("extra_").cast(pl.Int64, strict=False)
    return pl.concat(
        part.with_columns(
            (
                pl.lit(i * MAX_EXTRA)
                + (extra_number.fill_null(0) if i == len(parts) - 1 and extra_names else pl.lit(0))
            )
            .cast(pl.Int64)
            .alias(ORDER)
        )
        for i, part in enumerate(parts)
    ).collect()
