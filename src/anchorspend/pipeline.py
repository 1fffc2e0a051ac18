"""``run(RunConfig) → Result``: the whole of ``analyse``, for the CLI and the tests alike.

ingest (readers → header → canonical rows) → measures → the machine document. No stage reaches
back; money stays integer pence until it is written.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from anchorspend import __version__
from anchorspend.classify import classify, load_lookup
from anchorspend.config import Config
from anchorspend.errors import Finding
from anchorspend.geo import Store, locate, open_store, resolve_tiers
from anchorspend.ingest.canonical import (
    Canonical,
    RowOptions,
    build,
    empty_findings,
)
from anchorspend.ingest.header import (
    Mapping,
    find_header,
    map_columns,
    parse_overrides,
    score_cells,
)
from anchorspend.ingest.raw import RawTable
from anchorspend.ingest.sources import ReadOptions, Source, expand, open_sources, read_source
from anchorspend.measures import (
    PeriodKind,
    compute,
    measure_set,
    money_columns,
    with_targets,
)
from anchorspend.normalise import DateRange, pence_to_text
from anchorspend.schemas import Schema
from anchorspend.schemas import load as load_schema
from anchorspend.spend import CATEGORY_ATTRS, MEASURE_ATTRS, Spend, spend_of, spend_view
from anchorspend.views import (
    UNMATCHED_IN_DOCUMENT,
    categories,
    evidence,
    geography_view,
    suppliers_of,
    top_suppliers,
    unmatched_suppliers,
)

SCHEMA_ID = "anchorspend/metrics/v1"
Progress = Callable[[str, float | None], None]
"""Told each step as it starts, with the fraction of the run done when known."""


@dataclass(frozen=True, slots=True)
class RunConfig:
    inputs: tuple[Path, ...]
    lookups: tuple[Path, ...] = ()
    geography: Path | None = None  # a store from `geo import`; else the config's [geography]
    config: Config = field(default_factory=Config)
    organisation: str | None = None
    column_map: tuple[str, ...] = ()
    encoding: str | None = None
    sheet: str | None = None
    date_range: DateRange | None = None
    date_format: str | None = None
    period: PeriodKind = "quarter"
    store: Path | None = None  # rows from `anchorspend store add` instead of inputs


@dataclass(slots=True)
class InputReport:
    path: str
    sheet: str | None
    encoding: str | None
    header_row: int
    columns: dict[str, str]
    rows_read: int = 0
    rows_analysed: int = 0
    rows_excluded: int = 0
    rows_rejected: int = 0
    amount_read: int = 0
    blank_rows: int = 0
    repeated_headers: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "sheet": self.sheet,
            "encoding": self.encoding,
            "header_row": self.header_row,
            "columns": self.columns,
            "rows_read": self.rows_read,
            "rows_analysed": self.rows_analysed,
            "rows_excluded": self.rows_excluded,
            "rows_rejected": self.rows_rejected,
            "amount_read": pence_to_text(self.amount_read),
            "blank_rows_skipped": self.blank_rows,
            "repeated_headers_skipped": self.repeated_headers,
        }


@dataclass(slots=True)
class Ingested:
    rows: pl.DataFrame  # canonical rows of every input, with _status/_reason
    findings: pl.DataFrame  # row-level findings
    notes: list[Finding]  # file-level findings
    inputs: list[InputReport]
    summary: pl.DataFrame = field(default_factory=lambda: summarise(pl.DataFrame()))
    # analysed spend already split (a store, read partition by partition); then ``rows`` holds
    # only the rows not analysed
    spend: Spend | None = None


SUMMARY_KEYS = ("organisation", "_source", "_sheet", "_status", "_reason")


def summarise(rows: pl.DataFrame, *also: pl.Expr) -> pl.DataFrame:
    """Rows and pence per organisation, file, sheet, status and reason: all that
    reconciliation and the per-file and per-member counts need, kept after the rows go.
    ``also``: more aggregations per group (a store keeps each group's first position)."""
    if not rows.height:
        return pl.DataFrame(
            schema={
                "organisation": pl.String,
                "_source": pl.Categorical,
                "_sheet": pl.Categorical,
                "_status": pl.String,
                "_reason": pl.String,
                "n": pl.Int64,
                "amount": pl.Int64,
            }
        )
    return rows.group_by(SUMMARY_KEYS, maintain_order=True).agg(
        pl.len().cast(pl.Int64).alias("n"), pl.col("amount").sum(), *also
    )


def ingest(run: RunConfig, progress: Progress | None = None) -> Ingested:
    schema = load_schema("spend")
    overrides = {**run.config.columns, **parse_overrides(list(run.column_map), schema)}
    options = ReadOptions(encoding=run.encoding, sheet=run.sheet)
    row_options = RowOptions(
        organisation=run.organisation or run.config.organisation,
        date_range=run.date_range,
        date_format=run.date_format,
        exclude=run.config.exclude,
    )

    frames: list[pl.DataFrame] = []
    findings: list[pl.DataFrame] = []
    notes: list[Finding] = []
    reports: list[InputReport] = []
    paths = expand(list(run.inputs))
    for done, path in enumerate(paths):
        with open_sources(path) as sources:
            for source in sources:
                if progress:
                    progress(f"reading {source.display}", 0.8 * done / len(paths))
                table, mapping = read_mapped(source, options, schema, overrides)
                canon: Canonical = build(table, mapping, row_options)
                frames.append(canon.frame)
                findings.append(canon.findings)
                notes.extend(canon.notes)
                reports.append(_input_report(canon, table.sheet, table.encoding, mapping))
    rows = pl.concat(frames, how="diagonal_relaxed") if frames else pl.DataFrame()
    return finish_ingest(
        rows, pl.concat(findings) if findings else empty_findings(), notes, reports, run.config
    )


def finish_ingest(
    rows: pl.DataFrame,
    findings: pl.DataFrame,
    notes: list[Finding],
    reports: list[InputReport],
    config: Config,
) -> Ingested:
    """The rules that look across inputs, applied to rows read from files or from a store
    alike: the config's organisation renames, then duplicates across files."""
    if config.organisations and rows.height:
        rows = rows.with_columns(pl.col("organisation").replace(config.organisations))
    rows, dup_notes = exclude_cross_file_duplicates(rows)
    summary = summarise(rows)
    refresh_counts(reports, summary)
    return Ingested(rows, findings, notes + dup_notes, reports, summary)


DUPLICATE_RULE = "duplicate-in-another-file"
_TXN_KEY = ("organisation", "transaction_id", "payment_date", "supplier_name", "amount")


def exclude_cross_file_duplicates(rows: pl.DataFrame) -> tuple[pl.DataFrame, list[Finding]]:
    """The same transaction (organisation, transaction id, date, supplier, amount) in two files
    is counted once: rows in files after the first that carry it are excluded under
    ``duplicate-in-another-file`` and reported per pair of files. Repeats inside one file are
    left alone (an invoice may have several lines with one number)."""
    rows, pairs = mark_duplicates(rows)
    return rows, duplicate_notes(pairs)


def mark_duplicates(rows: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The rule of :func:`exclude_cross_file_duplicates`, and per pair of files (in the order
    their first duplicate was read) the rows, five example row numbers and the pence."""
    pairs = pl.DataFrame(
        schema={
            "_source": pl.String,
            "_first_source": pl.String,
            "len": pl.UInt32,
            "_row": pl.List(pl.Int64),
            "amount": pl.Int64,
        }
    )
    if not rows.height or rows.get_column("_source").n_unique() < 2:
        return rows, pairs
    candidate = (pl.col("_status") == "analysed") & pl.col("transaction_id").is_not_null()
    first = pl.col("_source").filter(candidate).first().over(_TXN_KEY)
    marked = rows.with_columns(
        (candidate & (pl.col("_source") != first)).fill_null(False).alias("_dup"),
        first.alias("_first_source"),
    )
    pairs = (
        marked.filter(pl.col("_dup"))
        .group_by("_source", "_first_source", maintain_order=True)
        .agg(pl.len(), pl.col("_row").head(5), pl.col("amount").sum())
        .with_columns(pl.col("_source", "_first_source").cast(pl.String))
    )
    out = marked.with_columns(
        pl.when(pl.col("_dup"))
        .then(pl.lit("excluded"))
        .otherwise(pl.col("_status"))
        .alias("_status"),
        pl.when(pl.col("_dup"))
        .then(pl.lit(DUPLICATE_RULE))
        .otherwise(pl.col("_reason"))
        .alias("_reason"),
    ).drop("_dup", "_first_source")
    return out, pairs


def duplicate_notes(pairs: pl.DataFrame) -> list[Finding]:
    return [
        Finding(
            "duplicate-in-another-file",
            f"{n} rows (£{pence_to_text(int(pence or 0))}) are also in {first_src}: same "
            "organisation, transaction id, date, supplier and amount; excluded here as "
            f"{DUPLICATE_RULE}",
            "warning",
            path=src,
            row=examples[0],
        )
        for src, first_src, n, examples, pence in pairs.iter_rows()
    ]


def refresh_counts(reports: list[InputReport], summary: pl.DataFrame) -> None:
    """Per-input row counts by status, counted once, after every rule has applied (duplicates
    across files included)."""
    if not summary.height:
        return
    counts = {
        (src, sheet, status): n
        for src, sheet, status, n in summary.group_by("_source", "_sheet", "_status")
        .agg(pl.col("n").sum())
        .iter_rows()
    }
    for r in reports:
        for status in ("analysed", "excluded", "rejected"):
            setattr(r, f"rows_{status}", counts.get((r.path, r.sheet, status), 0))


def read_mapped(
    source: Source, options: ReadOptions, schema: Schema, overrides: dict[str, str]
) -> tuple[RawTable, Mapping]:
    """Read one table, find its header and map its columns onto ``schema``."""
    table = read_source(source, options, lambda cells: score_cells(cells, schema, overrides))
    header_row = find_header(table, schema, overrides)
    return table, map_columns(table, header_row, schema, overrides)


def _input_report(
    canon: Canonical, sheet: str | None, encoding: str | None, mapping: Mapping
) -> InputReport:
    f = canon.frame
    return InputReport(
        path=f.get_column("_source")[0] if f.height else "",
        sheet=sheet,
        encoding=encoding,
        header_row=mapping.header_row,
        columns={k: mapping.header_of(k) for k in sorted(mapping.columns)},
        rows_read=f.height,
        amount_read=int(f.get_column("amount").sum() or 0),
        blank_rows=canon.blank_rows,
        repeated_headers=canon.repeated_headers,
    )


@dataclass(slots=True)
class Result:
    document: dict[str, Any]
    metrics: pl.DataFrame  # money as text
    rows: pl.DataFrame  # the rows not analysed (excluded, rejected), with _status/_reason
    findings: pl.DataFrame
    notes: list[Finding]
    conflicts: pl.DataFrame = field(default_factory=pl.DataFrame)
    unmatched: pl.DataFrame = field(default_factory=pl.DataFrame)
    metrics_pence: pl.DataFrame = field(default_factory=pl.DataFrame)  # money as int pence
    by_org: pl.DataFrame = field(default_factory=pl.DataFrame)  # see spend_view()
    summary: pl.DataFrame = field(default_factory=pl.DataFrame)  # see summarise()
    by_category: pl.DataFrame = field(default_factory=pl.DataFrame)

    @property
    def rejected(self) -> pl.DataFrame:
        return self.rows.filter(pl.col("_status") == "rejected")


def _tally(summary: pl.DataFrame, status: str, label: str) -> list[dict[str, Any]]:
    """Rows and pounds per rule (exclusions) or per reason (rejections, "; "-separated)."""
    if not summary.height:
        return []
    counted = (
        summary.filter(pl.col("_status") == status)
        .select(pl.col("_reason").str.split("; ").alias("key"), "n", "amount")
        .explode("key")
        .group_by("key")
        .agg(pl.col("n").sum(), pl.col("amount").sum())
        .sort("key")
    )
    return [
        {label: key, "rows": int(n), "amount": pence_to_text(int(a or 0))}
        for key, n, a in counted.iter_rows()
    ]


def reconciliation(summary: pl.DataFrame) -> dict[str, Any]:
    """The contract's identity, from the rows' summary (:func:`summarise`): every row read is
    analysed, excluded or rejected, and the parsed pounds add up the same way."""
    by = {s: (0, 0) for s in ("analysed", "excluded", "rejected")}
    if summary.height:
        agg = summary.group_by("_status").agg(pl.col("n").sum(), pl.col("amount").sum())
        for status, n, pence in agg.iter_rows():
            by[status] = (int(n), int(pence or 0))
    read_rows = sum(n for n, _ in by.values())
    read_amount = sum(p for _, p in by.values())
    rules = _tally(summary, "excluded", "rule")
    reasons = _tally(summary, "rejected", "reason")  # a row may carry several reasons
    return {
        "rows_read": read_rows,
        "rows_analysed": by["analysed"][0],
        "rows_excluded": by["excluded"][0],
        "rows_rejected": by["rejected"][0],
        "amount_read": pence_to_text(read_amount),
        "amount_analysed": pence_to_text(by["analysed"][1]),
        "amount_excluded": pence_to_text(by["excluded"][1]),
        "amount_rejected": pence_to_text(by["rejected"][1]),
        "exclusions": rules,
        "rejections": reasons,
    }


def group_findings(findings: pl.DataFrame, notes: list[Finding]) -> list[dict[str, Any]]:
    """Findings grouped by file, code and column, with a count and the first example rows."""
    out: list[dict[str, Any]] = []
    if findings.height:
        g = findings.group_by(
            "path", "sheet", "code", "column", "severity", maintain_order=True
        ).agg(
            pl.len().alias("count"), pl.col("row").head(5).alias("rows"), pl.col("message").first()
        )
        for rec in g.iter_rows(named=True):
            out.append(
                {
                    k: rec[k]
                    for k in (
                        "path",
                        "sheet",
                        "code",
                        "column",
                        "severity",
                        "count",
                        "rows",
                        "message",
                    )
                }
            )
    grouped: dict[tuple[Any, ...], dict[str, Any]] = {}
    for n in notes:
        key = (n.path, n.sheet, n.code, n.column, n.severity)
        entry = grouped.setdefault(
            key,
            {
                "path": n.path,
                "sheet": n.sheet,
                "code": n.code,
                "column": n.column,
                "severity": n.severity,
                "count": 0,
                "rows": [],
                "message": n.message,
            },
        )
        entry["count"] += 1
        if n.row is not None and len(entry["rows"]) < 5:
            entry["rows"].append(n.row)
    return out + list(grouped.values())


def _geography(run: RunConfig) -> Store | None:
    if run.geography is not None:
        return open_store(run.geography)
    if run.config.geography_store:
        base = run.config.path.parent if run.config.path else Path(".")
        return open_store(base / run.config.geography_store)
    return None


def document_json(document: dict[str, Any]) -> str:
    """The machine document as printed by ``--json`` and written as metrics.json."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def run(run: RunConfig, progress: Progress | None = None) -> Result:
    """``analyse``: read the inputs (or the store), then measure them."""
    return analyse_ingested(read(run, progress), run, progress)


def read(run: RunConfig, progress: Progress | None = None) -> Ingested:
    if run.store is None:
        return ingest(run, progress)
    from anchorspend.store import load

    return load(run.store, run, progress)


def analyse_ingested(data: Ingested, run: RunConfig, progress: Progress | None = None) -> Result:
    """Classify and measure rows already read. ``compare`` calls this with every member's rows,
    so a member's figures come from the same code as ``analyse`` on its files alone."""
    options = ReadOptions(encoding=run.encoding, sheet=run.sheet)
    lookups = []
    for path in run.lookups:
        if progress:
            progress(f"reading lookup {path}", 0.8)
        lookups.append(load_lookup(path, options))
    if progress:
        progress(f"classifying {data.rows.height:,} rows", 0.85)
    spend = data.spend or spend_of(data.rows, run.period)
    # the analysed rows live on in the facts and the summary; let them go
    data.rows = data.rows.filter(pl.col("_status") != "analysed") if data.rows.height else data.rows
    classified = classify(spend.profiles, lookups)
    store = _geography(run)
    tiers = resolve_tiers(run.config.local_tiers, store)
    located, postcode_problems = locate(classified.rows, store)
    deprived = run.config.deprived_decile_max if store and store.imd is not None else None
    measures = measure_set(classified.categories, tiers, deprived)
    attrs = located.with_columns(
        measures.get("local", pl.lit(None, dtype=pl.Boolean)).alias("local")
    )
    by_org = spend_view(spend, attrs, ("organisation",))
    by_category = spend_view(
        spend, attrs, ("organisation", "category", "expense_type"), CATEGORY_ATTRS
    )
    if progress:
        progress("measuring", 0.9)
    metrics_pence = pl.DataFrame()
    if spend.facts.height:
        measured = attrs.select("_pid", *MEASURE_ATTRS)
        metrics_pence = with_targets(
            compute(spend.facts.lazy(), measured, measures), run.config.targets
        )
    metrics = money_columns(metrics_pence) if metrics_pence.height else metrics_pence
    sup = suppliers_of(by_org, attrs)
    unmatched = unmatched_suppliers(sup)
    conflicts = classified.conflicts
    notes = data.notes + classified.findings
    if conflicts.height:
        notes.append(
            Finding(
                "classification-conflict",
                f"{conflicts.height} supplier classifications disagree between sources; the "
                "first lookup given wins, then the export's own flags (see conflicts.csv)",
                "warning",
            )
        )
    document = {
        "schema": SCHEMA_ID,
        "generator": f"anchorspend {__version__}",
        "period": run.period,
        "reconciliation": reconciliation(data.summary),
        "inputs": [r.as_dict() for r in data.inputs],
        "measures": list(measures),
        "metrics": metrics.to_dicts() if metrics.height else [],
        "categories": categories(by_category, sup),
        "top_suppliers": top_suppliers(sup),
        "unmatched_suppliers": unmatched.head(UNMATCHED_IN_DOCUMENT).to_dicts(),
        "conflicts": [
            {k: r[k] for k in ("supplier", "field", "values", "spend")}
            for r in conflicts.to_dicts()
        ],
        "evidence": evidence(sup),
        "geography": geography_view(sup, store, postcode_problems),
        "lookups": [
            {**s, "matched_spend": pence_to_text(s["matched_spend"])} for s in classified.lookups
        ],
        "findings": group_findings(data.findings, notes),
    }
    return Result(
        document,
        metrics,
        data.rows,
        data.findings,
        notes,
        conflicts,
        unmatched,
        metrics_pence,
        by_org,
        data.summary,
        by_category,
    )
