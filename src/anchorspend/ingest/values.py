"""Field values from their cells' texts: :func:`text_value` for text fields, and the
normalisers and the date and amount parsers evaluated once per distinct text, their results
spread back row for row (a batch's rows repeat a few names, dates and amounts many times)."""

from __future__ import annotations

import polars as pl

from anchorspend.ingest.fields import RowOptions
from anchorspend.normalise import is_missing, parse_amount, parse_date, plain_amount


def text_value(raw: pl.Expr) -> pl.Expr:
    """A cell as a field value: stripped, with blanks and spreadsheet placeholders as null."""
    return pl.when(~is_missing(raw)).then(raw.str.strip_chars())


DISTINCT_SHARE = 0.05
"""Above this share of distinct values a normaliser runs on every row: finding the distinct
values costs about as much as a cheap normaliser does (measured at 10M rows)."""


def per_distinct(values: pl.Series, expr: pl.Expr) -> pl.Series:
    """``expr`` (over ``pl.col(values.name)``) evaluated once per distinct value and spread back
    row for row. A million rows of supplier names hold perhaps 25,000 distinct ones: ``expr``
    runs on those, and one hash join hands each row its value's result (measured ~30% faster
    than grouping row numbers by value and scattering them back). A column of mostly distinct
    values (transaction ids, amounts) is evaluated directly."""
    rows = values.to_frame()
    # lazy, not eager: the query engine computes a normaliser's repeated subexpressions once
    # (company_number takes ~36 ms on 250,000 rows so, ~59 ms eagerly)
    if rows.select(pl.first().approx_n_unique()).item() > DISTINCT_SHARE * values.len():
        return rows.lazy().select(expr).collect().to_series()
    results = rows.lazy().unique().with_columns(expr.alias("_result"))  # null is a value too
    return (
        rows.lazy()
        .join(results, on=values.name, how="left", nulls_equal=True, maintain_order="left")
        .select("_result")
        .collect()
        .to_series()
    )


_NULL_RESULTS: dict[tuple[object, ...], pl.DataFrame] = {}


def _by_distinct(
    frame: pl.DataFrame,
    key: str,
    parsed: pl.Expr,
    cache_key: tuple[object, ...],
    quick: pl.Expr | None = None,
) -> pl.DataFrame:
    """Evaluate ``parsed`` (a struct expression over ``pl.col(key)``) once per distinct value
    of ``key`` and return its fields, row for row: a quarter's 500,000 rows carry perhaps 90
    distinct dates, and the parsers try many formats. Only the key column is joined, so the
    wide frame is never copied.

    The full parsers cost ~50 ms an evaluation however few values they see, which a folder of
    small files pays per file. So ``quick`` (the same struct, null in its first field where it
    cannot say) answers the common shapes first, the full parser sees only the rest, and its
    answer for a missing value is computed once per ``cache_key``."""
    keys = frame.select(key)
    distinct = keys.select(pl.col(key).unique())
    parts: list[pl.DataFrame] = []
    if quick is not None:
        fast = distinct.lazy().with_columns(quick.alias("_p")).collect().unnest("_p")
        known = fast.filter(pl.col(fast.columns[1]).is_not_null())
        parts.append(known)
        distinct = distinct.join(known.select(key), on=key, how="anti", nulls_equal=True)
    if distinct.height == 1 and distinct.get_column(key).null_count() == 1:
        cached = (key, *cache_key)  # the result frame is named by the key column
        if cached not in _NULL_RESULTS:
            _NULL_RESULTS[cached] = _parsed(distinct, parsed)
        parts.append(_NULL_RESULTS[cached])
    elif distinct.height or not parts:  # no texts at all: an empty answer of the right shape
        parts.append(_parsed(distinct, parsed))
    table = pl.concat(parts, how="vertical_relaxed")
    return (
        keys.lazy()
        .join(table.lazy(), on=key, how="left", nulls_equal=True, maintain_order="left")
        .drop(key)
        .collect()
    )


def _parsed(distinct: pl.DataFrame, parsed: pl.Expr) -> pl.DataFrame:
    """The distinct texts with the fields of ``parsed``, evaluated lazily: the parsers repeat
    subexpressions, which only the query engine computes once (parse_date takes ~670 ms on
    250,000 texts so, ~950 ms eagerly)."""
    return distinct.lazy().with_columns(parsed.alias("_p")).collect().unnest("_p")


def _quick_date(text: pl.Expr) -> pl.Expr:
    """The two shapes most exports use, ``31/03/2026`` and ``2026-03-31``, exactly as
    :func:`parse_date` reads them (its first two formats); null where it cannot tell."""
    read = (
        pl.when(text.str.contains(r"^\d{4}-\d{2}-\d{2}$"))
        .then(text.str.strptime(pl.Date, "%Y-%m-%d", strict=False))
        .when(text.str.contains(r"^\d{2}/\d{2}/\d{4}$"))
        .then(text.str.strptime(pl.Date, "%d/%m/%Y", strict=False))
    )
    day = pl.when(read.dt.year().is_between(1900, 2200)).then(read)
    return pl.struct(
        day.alias("payment_date"), pl.when(day.is_not_null()).then(pl.lit("ok")).alias("_status")
    )


def dates_of(frame: pl.DataFrame, key: str, options: RowOptions) -> pl.DataFrame:
    """``payment_date`` and ``_date_status`` of ``frame``'s date texts ``key``, row for row,
    parsed once per distinct text (the common shapes first: see :func:`_by_distinct`)."""
    return _by_distinct(
        frame,
        key,
        parse_date(
            pl.col(key), date_range=options.date_range, date_format=options.date_format
        ).struct.rename_fields(["payment_date", "_date_status"]),
        ("date", options.date_range, options.date_format),
        # a --date-format is tried before everything else: then only the full parser will do
        None
        if options.date_format
        else _quick_date(pl.col(key)).struct.rename_fields(["payment_date", "_date_status"]),
    )


def amounts_of(frame: pl.DataFrame, key: str) -> pl.DataFrame:
    """``amount`` (pence) and ``_amount_status`` of ``frame``'s amount texts ``key``, row for
    row, parsed once per distinct text."""
    return _by_distinct(
        frame,
        key,
        parse_amount(pl.col(key)).struct.rename_fields(["amount", "_amount_status"]),
        ("amount",),
    )


def parse_money_and_dates(step: pl.DataFrame, options: RowOptions) -> pl.DataFrame:
    """``payment_date``/``_date_status`` and ``amount`` (pence)/``_amount_status``. Plain amounts
    take a cheap exact path; the rest, and all dates, are parsed once per distinct text. The
    results are attached as columns (sharing the frame's buffers), not joined onto it."""
    dates = dates_of(step, "_date_text", options)
    is_plain, plain_pence = plain_amount(pl.col("_amount_text"))
    texts = step.select("_amount_text", is_plain.alias("_plain"), plain_pence.alias("_plain_pence"))
    odd = amounts_of(
        texts.select(pl.when(~pl.col("_plain")).then(pl.col("_amount_text")).alias("_amount_text")),
        "_amount_text",
    ).rename({"amount": "_odd_pence", "_amount_status": "_odd_status"})
    amounts = pl.concat([texts, odd], how="horizontal").select(
        pl.when(pl.col("_plain"))
        .then(pl.col("_plain_pence"))
        .otherwise(pl.col("_odd_pence"))
        .alias("amount"),
        pl.when(pl.col("_plain"))
        .then(pl.lit("ok"))
        .otherwise(pl.col("_odd_status"))
        .alias("_amount_status"),
    )
    return step.with_columns(*dates.get_columns(), *amounts.get_columns())
