"""A mapped raw table → the canonical spend frame, one row per data row read, batch by batch.

Each row ends with ``_status`` (``analysed`` | ``excluded`` | ``rejected``) and ``_reason`` (the
exclusion rule, or the rejection codes joined by ``; ``): :mod:`anchorspend.ingest.status`.
Blank records and repeated header records are not data rows: they are dropped here and counted.
Problems found in values come back as one findings frame (:mod:`anchorspend.ingest.problems`).
The values themselves are parsed by :mod:`anchorspend.ingest.values`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import polars as pl

from anchorspend.errors import AnchorspendError, Finding
from anchorspend.findings import empty_findings, make
from anchorspend.ingest.fields import (
    FLAG_FIELDS,
    FOLDER_NOTE,
    RAW_PREFIX,
    TEXT_FIELDS,
    RowOptions,
    default_organisation,
)
from anchorspend.ingest.frames import detached
from anchorspend.ingest.mapping import Mapping
from anchorspend.ingest.problems import ORDER, batch_findings
from anchorspend.ingest.raw import ROW, RawTable, cell_name
from anchorspend.ingest.status import (
    CLEAN_BEFORE,
    rejection_checks,
    with_footer_labels,
    with_status,
)
from anchorspend.ingest.values import parse_money_and_dates, per_distinct, text_value
from anchorspend.normalise import (
    company_number,
    flag,
    flag_is_unknown_text,
    is_redacted_name,
    plain_id,
    redaction_marker,
    vat_number,
)
from anchorspend.schemas import header_key

# this module's names, and FLAG_FIELDS, ID_KEYS, SUPPLIER_COLS (from fields) and detached, pack,
# unpack (from frames), which spend, store and views import from here
__all__ = ["Batch", "NoDataRows", "build_batch", "no_data_rows", "source_notes"]


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


class _Fields:
    """The canonical fields of one batch's data records (``body``)."""

    def __init__(self, body: pl.DataFrame, mapping: Mapping) -> None:
        self.body, self.columns = body, mapping.columns

    def value(
        self, fieldname: str, fn: Callable[[pl.Expr], pl.Expr] = text_value
    ) -> pl.Series | pl.Expr:
        """A canonical field: ``fn`` of its raw cells, evaluated once per distinct text (the
        normalisers treat blanks and placeholders as missing). An unmapped field is ``fn`` of
        null on every row. ``text_value`` is left as an expression for the one select that
        makes the rows: it costs less on every row than finding the distinct texts does."""
        c = self.columns.get(fieldname)
        if not c:
            return fn(pl.lit(None, dtype=pl.String))
        if fn is text_value:
            return fn(pl.col(c))
        return per_distinct(self.body.get_column(c), fn(pl.col(c)))

    def supplier(self) -> tuple[pl.Series, pl.Series]:
        """The supplier's name and whether it stands for a redaction, from one pass over the
        distinct names (and the redaction marker, where there is one)."""
        names = self.value(
            "supplier_name",
            lambda c: pl.struct(text_value(c).alias("name"), is_redacted_name(c).alias("redacted")),
        )
        assert isinstance(names, pl.Series)  # supplier_name is a required field: always mapped
        redacted = names.struct.field("redacted")
        if "redaction_marker" in self.columns:
            redacted = redacted | self.value("redaction_marker", redaction_marker)
        return names.struct.field("name"), redacted


def _organisation(
    body: pl.DataFrame, table: RawTable, mapping: Mapping, options: RowOptions
) -> tuple[pl.Expr | pl.Series, pl.DataFrame | None]:
    """Each row's organisation, and the rows per organisation named in the organisation column
    (None when there is none)."""
    if options.organisation:
        return pl.lit(options.organisation), None
    if "organisation" in mapping.columns:
        c = mapping.columns["organisation"]
        org = body.select(text_value(pl.col(c)).alias("organisation")).to_series()
        # detached: a few names kept past the batch would hold all its organisation cells
        counts = org.drop_nulls().value_counts(name="count").cast({"count": pl.Int64})
        return org, detached(counts)
    return pl.lit(default_organisation(table.source, options)), None


def _canonical(
    body: pl.DataFrame,
    org: pl.Expr | pl.Series,
    table: RawTable,
    mapping: Mapping,
    options: RowOptions,
    extra: dict[str, str],
) -> pl.DataFrame:
    """The batch's rows as canonical fields, their amounts and dates still as text
    (``_amount_text``, ``_date_text``), each flag with its text and whether it is unknown
    (``_text_<flag>``, ``_odd_<flag>``), and ``extra`` (cells beyond the header's columns,
    raw column → name)."""
    fields = _Fields(body, mapping)
    value_of = fields.value
    supplier_name, redacted = fields.supplier()
    return body.select(
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


def _finished(step: pl.DataFrame) -> pl.DataFrame:
    """The canonical rows without the columns their statuses and findings were made from."""
    return step.drop(
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


def build_batch(table: RawTable, mapping: Mapping, options: RowOptions, prior: int = 0) -> Batch:
    """Records (all of a source's, or one batch of them, in order) → canonical rows. Across
    batches, ``prior`` carries :attr:`Batch.above` of those before (a grand total with no label
    may add up the whole file), and rows whose organisation cell is blank keep a null
    organisation until the whole source is counted (:func:`fill_organisation`)."""
    cols = [cell_name(i) for i in range(table.width)]
    body = mapping.body(table.frame)

    blank_rows, repeat_rows = _skipped_records(body, cols, mapping)
    n_blank, n_repeat = blank_rows.len(), repeat_rows.len()
    if n_blank or n_repeat:
        body = body.filter(~pl.col(ROW).is_in(pl.concat([blank_rows, repeat_rows]).implode()))
    if body.height == 0:
        none = empty_findings().with_columns(pl.lit(0, pl.Int64).alias(ORDER))
        return Batch(None, none, n_blank, n_repeat, prior, None)

    org, organisations = _organisation(body, table, mapping, options)
    extra = {
        c: f"extra_{i + 1}"
        for i, c in enumerate(c for c, h in zip(cols, mapping.headers, strict=True) if not h)
    }
    step = _canonical(body, org, table, mapping, options, extra)
    step = parse_money_and_dates(step, options)
    step = with_footer_labels(step, body, cols)
    checks = rejection_checks(options)
    step = with_status(step, checks, options, prior)

    findings = batch_findings(step, table, mapping, checks, list(extra.values()))
    carried = int(step.get_column("_above").sum())
    return Batch(_finished(step), findings, n_blank, n_repeat, prior + carried, organisations)
