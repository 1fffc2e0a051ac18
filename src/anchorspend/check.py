"""``check``: validate spend exports and supplier lookups; findings only, never data out.

Spend files go through the same ingest as ``analyse`` (so ``check`` passing means ``analyse``
will read the file). Other schemas (the bundled ``suppliers`` or a user's Table Schema file) are
validated field by field from the schema's types and ``required`` constraints.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import polars as pl

from anchorspend.classify.lookup import load_lookup
from anchorspend.errors import AnchorspendError, Finding, UnrecognisedTable
from anchorspend.findings import (
    FINDINGS_SCHEMA,
    code_columns,
    empty_findings,
    findings_frame,
    group,
    message,
)
from anchorspend.gather.ingested import InputReport
from anchorspend.gather.inputs import SkippedSheets, check_spend
from anchorspend.gather.source import read_mapped
from anchorspend.ingest.canonical import NoDataRows
from anchorspend.ingest.fields import RowOptions
from anchorspend.ingest.frames import detached
from anchorspend.ingest.mapping import Mapping, parse_overrides
from anchorspend.ingest.raw import RawTable
from anchorspend.ingest.sources import ReadOptions, Source, expand, open_sources
from anchorspend.normalise import flag_is_unknown_text, is_missing, parse_amount, parse_date
from anchorspend.payments import DATE_FIELDS, row_checks
from anchorspend.schemas import Schema, header_key
from anchorspend.schemas import load as load_schema

AUTO_SCHEMAS = ("spend", "suppliers")  # a spend file with invoice dates is checked as payments


@dataclass(slots=True)
class CheckedFile:
    path: str
    schema: str
    rows: int
    # per field: the header used, its column letter and the basis of the choice
    mapping: dict[str, dict[str, str]] = field(default_factory=dict)


@dataclass(slots=True)
class CheckReport:
    files: list[CheckedFile] = field(default_factory=list)
    findings: pl.DataFrame = field(default_factory=empty_findings)

    @property
    def errors(self) -> int:
        return int((self.findings.get_column("severity") == "error").sum())


def _pick_schema(
    source: Source, options: ReadOptions, named: str | None, column_map: list[str]
) -> tuple[
    Schema,
    RawTable | None,
    Mapping | None,
    list[Finding],
    pl.DataFrame,
    int,
    dict[str, dict[str, str]],
]:
    """The schema ``source`` is checked against (``named``, else the first of
    :data:`AUTO_SCHEMAS` whose header it has) and what reading it that way found. A spend file
    is read in batches and its rows let go (table and mapping come back None); a lookup is
    read whole."""
    first_error: AnchorspendError | None = None
    for name in (named,) if named else AUTO_SCHEMAS:
        schema = load_schema(name)
        overrides = parse_overrides(column_map, schema)
        try:
            if schema.name == "spend":
                notes, found, report = check_spend(source, options, overrides)
                if named or not looks_like_payments(report.headers):
                    return schema, None, None, notes, found, report.rows_read, report.mapping
                schema = load_schema("payments")  # an invoice export: checked as one
                overrides = parse_overrides(column_map, schema)
            if schema.name == "payments":
                notes, found, report = check_payments(source, options, overrides)
                return schema, None, None, notes, found, report.rows_read, report.mapping
            table, mapping = read_mapped(source, options, schema, overrides)
            return schema, table, mapping, [], empty_findings(), 0, mapping.described()
        except NoDataRows:
            raise  # the header is this schema's: no other will fit better
        except AnchorspendError as exc:
            if named:
                raise
            first_error = first_error or exc
    assert first_error is not None
    first_error.hint = (first_error.hint or "") + " (or --schema suppliers for a lookup file)"
    raise first_error


def looks_like_payments(headers: tuple[str, ...]) -> bool:
    """A header with an invoice's received, due or invoice date is a payments export."""
    schema = load_schema("payments")
    keys = {header_key(a) for f in DATE_FIELDS for a in schema.field(f).aliases}
    return any(header_key(h) in keys for h in headers if h)


class _PaymentChecks:
    """A :class:`~anchorspend.gather.ingested.RowSink` keeping only each batch's payment
    findings."""

    def __init__(self) -> None:
        self.found: dict[int, list[pl.DataFrame]] = {}

    def add(self, rows: pl.DataFrame, source: int) -> None:
        self.found.setdefault(source, []).append(detached(row_checks(rows, RowOptions())))

    def forget(self, source: int) -> None:
        self.found.pop(source, None)


def check_payments(
    source: Source, options: ReadOptions, overrides: dict[str, str]
) -> tuple[list[Finding], pl.DataFrame, InputReport]:
    """A payments export read as ``payments`` reads it, batch by batch, with its dates checked
    against each other (received after paid, due before received) and its flags read."""
    sink = _PaymentChecks()
    notes, found, report = check_spend(source, options, overrides, "payments", sink)
    checks = [f for parts in sink.found.values() for f in parts]
    if checks:
        rows = pl.concat(checks)
        header = pl.col("field").replace_strict(report.columns, default=pl.col("field"))
        named = rows.with_columns(header.alias("column")).select(*FINDINGS_SCHEMA)
        found = pl.concat([found, named])
    return notes, found, report


def validate_by_schema(table: RawTable, mapping: Mapping, schema: Schema) -> pl.DataFrame:
    """Type and required checks for any Table Schema, as one findings frame."""
    body = mapping.body(table.frame)
    cols = [c for c in body.columns if c != "_row"]
    body = body.filter(
        ~pl.all_horizontal(pl.col(c).str.strip_chars().fill_null("") == "" for c in cols)
    )
    parts = []
    for spec in schema.fields:
        c = mapping.columns.get(spec.name)
        if c is None:
            continue
        v = pl.col(c).str.strip_chars()
        tests: list[tuple[str, pl.Expr, str]] = []
        if spec.required:
            tests.append(("missing-value", is_missing(v), f"{spec.name} is required"))
        if spec.type == "boolean":
            tests.append(("type-error", flag_is_unknown_text(v), "not a yes/no value"))
        elif spec.type == "number":
            tests.append(
                ("type-error", parse_amount(v).struct.field("status") == "invalid", "not a number")
            )
        elif spec.type == "integer":
            tests.append(
                (
                    "type-error",
                    ~is_missing(v) & ~v.str.contains(r"^[+-]?\d+$"),
                    "not a whole number",
                )
            )
        elif spec.type == "date":
            tests.append(
                (
                    "type-error",
                    parse_date(v).struct.field("status") == "invalid",
                    "not a recognised date",
                )
            )
        for code, cond, detail in tests:
            parts.append(
                body.filter(cond.fill_null(False)).select(
                    pl.lit(table.source).alias("path"),
                    pl.lit(table.sheet, pl.String).alias("sheet"),
                    pl.col("_row").alias("row"),
                    pl.lit(mapping.header_of(spec.name)).alias("column"),
                    *code_columns(code),
                    pl.col(c).alias("value"),
                    pl.lit(message(code, detail=detail)).alias("message"),
                )
            )
    return pl.concat(parts) if parts else empty_findings()


def check(
    paths: list[Path],
    *,
    schema: str | None = None,
    column_map: list[str] | None = None,
    options: ReadOptions | None = None,
) -> CheckReport:
    options = options or ReadOptions()
    report = CheckReport()
    frames: list[pl.DataFrame] = []
    for path in expand(paths):
        with open_sources(path, options.sheet) as sources:
            skipped = SkippedSheets()
            for source in sources:
                try:
                    picked = _pick_schema(source, options, schema, column_map or [])
                except UnrecognisedTable as exc:
                    frames.append(findings_frame([skipped.add(source, exc)]))
                    continue
                chosen, table, mapping, spend_notes, spend_found, rows, described = picked
                if table is None or mapping is None:  # spend: read in batches already
                    frames += [findings_frame(spend_notes), spend_found]
                else:
                    found = validate_by_schema(table, mapping, chosen)
                    notes = table.findings + mapping.findings
                    if chosen.name == "suppliers":
                        lookup = load_lookup(source.path, options, strict=False)
                        notes += [
                            replace(f, path=source.display)
                            for f in lookup.findings
                            if f.code == "duplicate-key"
                        ]
                    frames += [findings_frame(notes), found]
                    rows = mapping.body(table.frame).height
                report.files.append(CheckedFile(source.display, chosen.name, rows, described))
            skipped.check(path, sources)
    if frames:
        report.findings = pl.concat(frames).sort(
            "path", "row", "column", "code", nulls_last=False, maintain_order=True
        )
    return report


def document(report: CheckReport) -> dict[str, Any]:
    """``check --json``'s document: whether the files are valid, each file as read, and every
    finding."""
    return {
        "schema": "anchorspend/check/v1",
        "valid": report.errors == 0,
        "files": [
            {"path": f.path, "schema": f.schema, "rows": f.rows, "mapping": f.mapping}
            for f in report.files
        ],
        "findings": report.findings.to_dicts(),
    }


def grouped(report: CheckReport) -> list[dict[str, Any]]:
    """The findings once per file, code, column and severity, in the order first found: each
    with ``count``, ``rows`` (the first three rows) and the first ``message``."""
    return group(report.findings, ("path", "code", "column", "severity"), examples=3)
