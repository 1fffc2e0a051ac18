"""A mapped raw table → the canonical spend frame, one row per data row read.

Each row ends with ``_status`` (``analysed`` | ``excluded`` | ``rejected``) and ``_reason`` (the
exclusion rule, or the rejection codes joined by ``; ``). Blank records and repeated header
records are not data rows: they are dropped here and counted. Problems found in values come back
as one findings frame (path, sheet, row, column, code, severity, value, message), built with
expressions, never a loop over rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import PurePath
from typing import overload

import polars as pl

from anchorspend.config import ExcludeRule
from anchorspend.errors import AnchorspendError, Finding
from anchorspend.findings import code_columns, empty_findings, make, message, message_expr
from anchorspend.ingest.header import Mapping
from anchorspend.ingest.raw import ROW, RawTable, cell_name
from anchorspend.normalise import (
    DateRange,
    company_number,
    flag,
    flag_is_unknown_text,
    is_missing,
    is_redacted_name,
    parse_amount,
    parse_date,
    plain_amount,
    plain_id,
    redaction_marker,
    vat_number,
)
from anchorspend.schemas import header_key

TEXT_FIELDS = ("expense_type", "expense_area", "category", "purpose", "supplier_postcode")
FLAG_FIELDS = ("is_sme", "is_vcse", "is_diverse_led")
# identifiers a supplier may be matched by, strongest first, and with the name all of them
ID_KEYS = ("company_number", "charity_number", "vat_number", "supplier_id")
SUPPLIER_COLS = ("supplier_name", *ID_KEYS)
FOOTER_RULE = "footer-total"
CLEAN_BEFORE = "_clean_before"
FOLDER_NOTE = "organisation-from-folder"
_FOOTER_LABEL = r"(?i)^\s*(?:grand\s+|sub-?\s*|overall\s+|report\s+|net\s+)?totals?\b"

# Rejection reasons (on the row) → the canonical field, the Frictionless-style finding code, and
# what is wrong (its message's ``detail``). A row lists every reason that applies, in this order.
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


# Two numbers held as one integer key, high × 2³² + low: one join or group-by key instead of two,
# and sorting by it sorts by the first number, then the second (while the low is below 2³²).
_HALF = 2**32


@overload
def pack(high: pl.Series, low: pl.Series) -> pl.Series: ...
@overload
def pack(high: pl.Expr, low: pl.Expr | int) -> pl.Expr: ...
def pack(high: pl.Series | pl.Expr, low: pl.Series | pl.Expr | int) -> pl.Series | pl.Expr:
    """``high`` × 2³² + ``low``, in ``high``'s integer type (cast it to UInt64 or Int64 first)."""
    return high * _HALF + low


def unpack(key: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """The two numbers (UInt32) a :func:`pack`-ed ``key`` holds, the high then the low (each
    below 2³²)."""
    return (key // _HALF).cast(pl.UInt32), (key % _HALF).cast(pl.UInt32)


@dataclass(frozen=True, slots=True)
class RowOptions:
    organisation: str | None = None
    # where the source has no organisation column: the INPUT folder it was found in (its
    # files are one organisation), else None for the file's own name
    folder: str | None = None
    date_range: DateRange | None = None
    date_format: str | None = None
    exclude: tuple[ExcludeRule, ...] = ()
    # a payments export (``anchorspend payments``): a row with no payment date is an invoice not
    # paid yet, not a rejection; and these further fields ride along as their cells' text, in
    # columns named ``_raw_<field>``, for the payments stage to parse
    undated_ok: bool = False
    carry: tuple[str, ...] = ()


RAW_PREFIX = "_raw_"


def default_organisation(display: str, options: RowOptions) -> str:
    """Who a source's rows are credited to when nothing names an organisation: the INPUT
    folder the source was found in, else the file's name."""
    return options.folder or organisation_from_name(display)


def organisation_from_name(display: str) -> str:
    return PurePath(display.rsplit("!", 1)[-1]).stem


ORDER = "_order"  # on a batch's findings: see _findings
MAX_EXTRA = 10_000  # more than the cells a record may have (csvread.MAX_COLUMNS)


def detached(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with its text copied out of the buffers it shares. A few rows kept from a batch
    (rejected rows, findings, new supplier profiles) would otherwise hold the batch's whole
    text in memory: Polars' strings are views into shared buffers (measured: a 10M-row read
    kept growing by the ~34 MB of text per batch)."""
    text = [c for c, t in frame.schema.items() if t == pl.String]
    return frame.with_columns(pl.concat_str(pl.col(c), pl.lit("")).alias(c) for c in text)


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
    # (company_number: 59 -> 36 ms on 250,000 rows)
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


def _skipped_records(
    body: pl.DataFrame, cols: list[str], mapping: Mapping
) -> tuple[pl.Series, pl.Series]:
    """Blank records and repeated header records: their row numbers. Each test is first made
    on a cheap necessary condition (an empty first mapped cell; every mapped cell at least as
    long as its header's key) and in full only on the few rows that pass it."""
    mapped = sorted(set(mapping.columns.values()), key=lambda c: int(c[1:]))
    keys = {c: header_key(mapping.headers[int(c[1:])]) for c in mapped}
    probe = pl.col(mapped[0]).str.strip_chars().fill_null("") == ""
    long_enough = pl.all_horizontal(pl.col(c).str.len_bytes() >= len(k) for c, k in keys.items())
    cand = body.filter(probe | long_enough)
    blank = pl.all_horizontal(pl.col(c).str.strip_chars().fill_null("") == "" for c in cols)
    repeated = pl.all_horizontal(
        pl.col(c).fill_null("").str.to_lowercase().str.replace_all(r"[^0-9a-z]+", "") == k
        for c, k in keys.items()
    )
    blank_rows = cand.filter(blank).get_column(ROW)
    repeat_rows = cand.filter(repeated & ~blank).get_column(ROW)
    return blank_rows, repeat_rows


@dataclass(slots=True)
class Batch:
    """One batch of a source's records as canonical rows (see :func:`build_batch`)."""

    frame: pl.DataFrame | None  # None: no data rows in the batch
    findings: pl.DataFrame
    blank_rows: int
    repeated_headers: int
    above: int  # what a bare grand total after this batch would add up (see ``prior``)
    # rows per organisation named in the organisation column; None when there is none (then
    # every row already has its organisation)
    organisations: pl.DataFrame | None


class NoDataRows(AnchorspendError):
    """The header was found, so the file is what it was read as, but nothing follows it."""


def no_data_rows(source: str, mapping: Mapping) -> AnchorspendError:
    return NoDataRows(
        f"the file has a header (row {mapping.header_row}) but no data rows",
        path=source,
        hint="check the export; remove the file if the period had no spend",
    )


def source_notes(
    table: RawTable, mapping: Mapping, options: RowOptions, repeated_headers: int
) -> list[Finding]:
    """The file-level findings of a source: its reader's, its header's, repeated headers
    skipped, and an organisation taken from the file name. ``table``: the first batch."""
    notes = list(table.findings) + list(mapping.findings)
    at = partial(make, path=table.source, sheet=table.sheet)
    if repeated_headers:
        notes.append(at("repeated-header", n=repeated_headers))
    if not options.organisation and "organisation" not in mapping.columns:
        name = default_organisation(table.source, options)
        code = FOLDER_NOTE if options.folder else "organisation-from-filename"
        notes.append(at(code, column="organisation", name=name))
    return notes


def fill_organisation(
    frame: pl.DataFrame, named: pl.DataFrame, source: str, options: RowOptions
) -> pl.DataFrame:
    """Rows with a blank organisation cell (a footer row, say) take the organisation named on
    most rows of the source (``named``: ``organisation``, ``count``, summed over its batches;
    the alphabetically first among equals), else the file name."""
    totals = named.group_by("organisation").agg(pl.col("count").sum())
    most = totals.filter(pl.col("count") == pl.col("count").max()).sort("organisation")
    usual = most.item(0, "organisation") if most.height else None
    return frame.with_columns(
        pl.coalesce(
            "organisation",
            pl.lit(usual, pl.String),
            pl.lit(default_organisation(source, options)),
        )
    )


def build_batch(table: RawTable, mapping: Mapping, options: RowOptions, prior: int = 0) -> Batch:
    """Records (all of a source's, or one batch of them, in order) → canonical rows. Across
    batches, ``prior`` carries :attr:`Batch.above` of those before (a grand total with no label
    may add up the whole file), and rows whose organisation cell is blank keep a null
    organisation until the whole source is counted (:func:`fill_organisation`)."""
    cols = [cell_name(i) for i in range(table.width)]
    frame = table.frame
    body = mapping.body(frame)

    blank_rows, repeat_rows = _skipped_records(body, cols, mapping)
    n_blank, n_repeat = blank_rows.len(), repeat_rows.len()
    if n_blank or n_repeat:
        body = body.filter(~pl.col(ROW).is_in(pl.concat([blank_rows, repeat_rows]).implode()))
    if body.height == 0:
        none = empty_findings().with_columns(pl.lit(0, pl.Int64).alias(ORDER))
        return Batch(None, none, n_blank, n_repeat, prior, None)

    def value_of(
        fieldname: str, fn: Callable[[pl.Expr], pl.Expr] = text_value
    ) -> pl.Series | pl.Expr:
        """A canonical field: ``fn`` of its raw cells, evaluated once per distinct text (the
        normalisers treat blanks and placeholders as missing). An unmapped field is ``fn`` of
        null on every row. ``text_value`` is left as an expression for the one select below:
        it costs less on every row than finding the distinct texts does."""
        c = mapping.columns.get(fieldname)
        if not c:
            return fn(pl.lit(None, dtype=pl.String))
        if fn is text_value:
            return fn(pl.col(c))
        return per_distinct(body.get_column(c), fn(pl.col(c)))

    organisations = None
    if options.organisation:
        org: pl.Expr | pl.Series = pl.lit(options.organisation)
    elif "organisation" in mapping.columns:
        c = mapping.columns["organisation"]
        org = body.select(text_value(pl.col(c)).alias("organisation")).to_series()
        # detached: a few names kept past the batch would hold all its organisation cells
        organisations = detached(
            org.drop_nulls().value_counts(name="count").cast({"count": pl.Int64})
        )
    else:
        org = pl.lit(default_organisation(table.source, options))

    # the name and whether it stands for a redaction, from one pass over the distinct names
    names = value_of(
        "supplier_name",
        lambda c: pl.struct(text_value(c).alias("name"), is_redacted_name(c).alias("redacted")),
    )
    assert isinstance(names, pl.Series)  # supplier_name is a required field: always mapped
    supplier_name = names.struct.field("name")
    redacted = names.struct.field("redacted")
    if "redaction_marker" in mapping.columns:
        redacted = redacted | value_of("redaction_marker", redaction_marker)
    extra = {
        c: f"extra_{i + 1}"
        for i, c in enumerate(c for c, h in zip(cols, mapping.headers, strict=True) if not h)
    }

    step = body.select(
        pl.lit(table.source).cast(pl.Categorical).alias("_source"),
        pl.lit(table.sheet, dtype=pl.String).cast(pl.Categorical).alias("_sheet"),
        pl.col(ROW).alias("_row"),
        org.alias("organisation"),
        supplier_name.alias("supplier_name"),
        value_of("transaction_id", plain_id).alias("transaction_id"),
        value_of("supplier_id", plain_id).alias("supplier_id"),
        value_of("company_number", company_number).alias("company_number"),
        value_of("charity_number", plain_id).alias("charity_number"),
        value_of("vat_number", vat_number).alias("vat_number"),
        *(value_of(f).alias(f) for f in TEXT_FIELDS),
        *(value_of(f, flag).alias(f) for f in FLAG_FIELDS),
        *(value_of(f, flag_is_unknown_text).alias(f"_odd_{f}") for f in FLAG_FIELDS),
        *(value_of(f).alias(f"_text_{f}") for f in FLAG_FIELDS),
        redacted.alias("redacted"),
        value_of("amount").alias("_amount_text"),
        value_of("payment_date").alias("_date_text"),
        *(value_of(f).alias(RAW_PREFIX + f) for f in options.carry),
        *(pl.col(c).alias(name) for c, name in extra.items()),
        # the pence of rows read elsewhere above each row (see anchorspend.ingest.stream)
        (pl.col(CLEAN_BEFORE) if CLEAN_BEFORE in body.columns else pl.lit(0, pl.Int64)).alias(
            CLEAN_BEFORE
        ),
    )
    step = _parse_money_and_dates(step, options)
    # A footer's label ("Total", "Grand total") is its first non-empty cell; only rows with no
    # payment date can be labelled footers, so only those are looked at.
    undated = step.get_column("payment_date").is_null().arg_true()
    first_cell = pl.coalesce(
        pl.when(pl.col(c).str.strip_chars() != "").then(pl.col(c)) for c in cols
    )
    labels = body[undated].select(first_cell.str.contains(_FOOTER_LABEL).fill_null(False))
    step = step.with_columns(
        pl.repeat(False, step.height, eager=True)
        .alias("_footer_label")
        .scatter(undated, labels.to_series())
    )

    checks = {
        "missing-amount": pl.col("_amount_status") == "missing",
        "invalid-amount": pl.col("_amount_status") == "invalid",
        "missing-date": (pl.col("_date_status") == "missing") & pl.lit(not options.undated_ok),
        "invalid-date": pl.col("_date_status") == "invalid",
        "date-is-period": pl.col("_date_status") == "period",
        "missing-supplier": pl.col("supplier_name").is_null() | (pl.col("supplier_name") == ""),
    }
    reasons = pl.concat_str(
        [pl.when(cond).then(pl.lit(code)) for code, cond in checks.items()],
        separator="; ",
        ignore_nulls=True,
    )
    labelled = pl.col("_footer_label") & pl.col("payment_date").is_null()
    # An unlabelled grand total: no supplier, no date, and exactly the sum of every row above.
    above = pl.when(labelled).then(0).otherwise(pl.col("amount").fill_null(0))
    before = above.cum_sum() - above + prior + pl.col(CLEAN_BEFORE)
    bare_sum = (
        pl.col("supplier_name").is_null()
        & pl.col("payment_date").is_null()
        & pl.col("amount").is_not_null()
        & (pl.col("amount") == before)
        & (before != 0)
    )
    footer = labelled | bare_sum
    # the first rule that matches names the exclusion; footer-total comes first
    matches = [pl.when(footer).then(pl.lit(FOOTER_RULE))]
    for rule in options.exclude:
        hit = pl.all_horizontal(
            pl.col(f).cast(pl.String).str.contains(rx).fill_null(False)
            for f, rx in rule.patterns.items()
        )
        matches.append(pl.when(hit).then(pl.lit(rule.name)))
    excluded_by = pl.coalesce(matches)
    step = step.with_columns(
        reasons.alias("_rejections"), excluded_by.alias("_rule"), above.alias("_above")
    )
    step = step.with_columns(
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

    findings = _findings(step, table, mapping, checks, list(extra.values()))
    carried = int(step.get_column("_above").sum())
    frame = step.drop(
        CLEAN_BEFORE,
        "_above",
        "_rejections",
        "_rule",
        "_footer_label",
        *(f"_odd_{f}" for f in FLAG_FIELDS),
        *(f"_text_{f}" for f in FLAG_FIELDS),
    ).with_columns(
        # the texts as published matter only where they did not parse cleanly (rejected rows,
        # findings): elsewhere they are the same as the parsed value, and cost memory per row
        pl.when((pl.col("_status") != "analysed") | (pl.col("_amount_status") != "ok"))
        .then(pl.col("_amount_text"))
        .alias("_amount_text"),
        pl.when((pl.col("_status") != "analysed") | (pl.col("_date_status") != "ok"))
        .then(pl.col("_date_text"))
        .alias("_date_text"),
    )
    return Batch(frame, findings, n_blank, n_repeat, prior + carried, organisations)


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
    subexpressions, which only the query engine computes once (parse_date: 950 -> 670 ms on
    250,000 texts)."""
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


def _parse_money_and_dates(step: pl.DataFrame, options: RowOptions) -> pl.DataFrame:
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


def _findings(
    step: pl.DataFrame,
    table: RawTable,
    mapping: Mapping,
    checks: dict[str, pl.Expr],
    extra_names: list[str],
) -> pl.DataFrame:
    """One row per problem cell. Rejections are errors unless the row is a footer total."""

    def header(fieldname: str) -> str:
        return mapping.header_of(fieldname) if fieldname in mapping.columns else fieldname

    def rows(
        cond: pl.Expr, code: str, column: str, value: pl.Expr, variant: str | None = None, **f: str
    ) -> pl.LazyFrame:
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
    amount, date = pl.col("_amount_text"), pl.col("_date_text")
    parts.append(rows(pl.col("_rule") == FOOTER_RULE, FOOTER_RULE, header("amount"), amount))
    rounded = pl.col("_amount_status") == "rounded"
    parts.append(rows(rounded, "amount-rounded", header("amount"), amount))
    period = pl.col("_date_status").str.starts_with("period-")
    parts.append(rows(period, "date-is-period", header("payment_date"), date, "used"))
    month = pl.col("_date_status") == "month"
    parts.append(rows(month, "date-month-only", header("payment_date"), date))
    for f in FLAG_FIELDS:
        if f in mapping.columns:
            odd, text = pl.col(f"_odd_{f}"), pl.col(f"_text_{f}")
            parts.append(rows(odd, "unknown-flag-value", header(f), text, field=f))
    if extra_names:  # one unpivot, not a frame per column: a title row may be 4,096 cells wide
        parts.append(
            step.lazy()
            .select(pl.col("_sheet").cast(pl.String).alias("sheet"), pl.col("_row"), *extra_names)
            .unpivot(index=["sheet", "_row"], variable_name="column", value_name="value")
            .filter(pl.col("value").is_not_null() & (pl.col("value").str.strip_chars() != ""))
            .select(
                pl.lit(table.source).alias("path"),
                "sheet",
                pl.col("_row").alias("row"),
                "column",
                *code_columns("extra-cell"),
                pl.col("value").cast(pl.String),
                message_expr("extra-cell", column=pl.col("column")),
            )
        )
    # each part's place, so that a source's findings read in batches can be put back in the
    # order a whole read gives them (part by part, an extra column's cells one column at a time)
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
