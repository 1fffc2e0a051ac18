"""``run(RunConfig) → Result``: the whole of ``analyse``, for the CLI and the tests alike.

ingest (readers → header → canonical rows) → measures → the machine document. No stage reaches
back; money stays integer pence until it is written.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field, replace
from itertools import chain
from pathlib import Path
from typing import Any, Protocol

import polars as pl

from anchorspend import __version__
from anchorspend.classify import Lookup, classify, identifiers_used, load_lookup
from anchorspend.config import Config, Member
from anchorspend.errors import AnchorspendError, Finding, UnrecognisedTable
from anchorspend.findings import all_findings, empty_findings, group, make
from anchorspend.geo import Store, bundled_store, locate, open_store, resolve_tiers
from anchorspend.glance import Context
from anchorspend.glance import build as glance
from anchorspend.ingest.canonical import (
    CLEAN_BEFORE,
    FOLDER_NOTE,
    ORDER,
    RowOptions,
    build_batch,
    detached,
    fill_organisation,
    no_data_rows,
    pack,
    source_notes,
)
from anchorspend.ingest.csvread import WiderThanSampled
from anchorspend.ingest.header import (
    HEADER_SEARCH_ROWS,
    Mapping,
    find_header,
    header_is_last,
    map_columns,
    map_found,
    map_table,
    parse_overrides,
    score_cells,
)
from anchorspend.ingest.raw import ROW, RawTable, cell_name
from anchorspend.ingest.sources import (
    ReadOptions,
    Records,
    Source,
    expand,
    input_folders,
    iter_source,
    open_sources,
    read_source,
    source_records,
)
from anchorspend.ingest.stream import PROFILE_FIELDS, Unsuited, stream
from anchorspend.measures import (
    ALL_ORGS,
    compute,
    measure_set,
    money_columns,
    with_targets,
)
from anchorspend.normalise import DateRange, pence_to_text
from anchorspend.payees import KNOWLEDGE_SOURCE, member_payees, payee_kinds
from anchorspend.schemas import Schema
from anchorspend.schemas import load as load_schema
from anchorspend.spend import (
    BY_ORG_ATTRS,
    CATEGORY_ATTRS,
    MEASURE_ATTRS,
    PeriodKind,
    Spend,
    SpendBuilder,
    spend_cells,
    spend_facts,
    spend_of,
    spend_view,
)
from anchorspend.views import (
    UNMATCHED_IN_DOCUMENT,
    addressable_view,
    categories,
    evidence,
    geography_view,
    payees,
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
    # per field: the header used, its column letter and the basis of the choice
    mapping: dict[str, dict[str, str]] = field(default_factory=dict)
    rows_read: int = 0
    rows_analysed: int = 0
    rows_excluded: int = 0
    rows_rejected: int = 0
    amount_read: int = 0
    blank_rows: int = 0
    repeated_headers: int = 0
    headers: tuple[str, ...] = ()  # every header cell, mapped or not (not in the document)

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "sheet": self.sheet,
            "encoding": self.encoding,
            "header_row": self.header_row,
            "columns": self.columns,
            "mapping": self.mapping,
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


BATCH_ROWS = 250_000
"""Records read, made canonical and (for ``analyse``) reduced to spend at a time: a delimited
file is never held whole, nor are its analysed rows."""
HEAD_ROWS = HEADER_SEARCH_ROWS
"""Non-blank records gathered into a source's first batch: where its header is looked for."""


def ingest(
    run: RunConfig,
    progress: Progress | None = None,
    *,
    ids: Collection[str] | None = None,
    batch_rows: int | None = None,
    sink: RowSink | None = None,
    spend: SpendBuilder | None = None,
    table: str = "spend",
) -> Ingested:
    """Every input's rows, read ``batch_rows`` records at a time, with the rules that look
    across inputs applied: the config's organisation renames, then duplicates across files.

    ``ids`` given (see :func:`anchorspend.classify.identifiers_used`), the analysed rows are
    split into spend (:attr:`Ingested.spend`) batch by batch and only the rest are kept in
    :attr:`Ingested.rows`; otherwise every row is kept, or handed to ``sink`` (then
    :attr:`Ingested.rows` is empty). ``spend``: split the analysed rows into this builder, which
    the caller finishes (compare gathers its members' spend in one). The result does not depend
    on ``batch_rows``. ``table``: the bundled schema the inputs are read as (``payments``: a
    finance system's invoice export, whose fields beyond spend's ride along as text, and whose
    rows without a payment date are unpaid invoices, not rejections)."""
    schema = load_schema(table)
    spend_fields = load_schema("spend").names
    overrides = {
        **{f: h for f, h in run.config.columns.items() if f in schema.names},
        **parse_overrides(list(run.column_map), schema),
    }
    gather = _Gather(
        run,
        ReadOptions(encoding=run.encoding, sheet=run.sheet),
        RowOptions(
            organisation=run.organisation or run.config.organisation,
            date_range=run.date_range,
            date_format=run.date_format,
            exclude=run.config.exclude,
            undated_ok=not schema.field("payment_date").required,
            carry=tuple(f for f in schema.names if f not in spend_fields),
        ),
        schema,
        overrides,
        ids,
        batch_rows or BATCH_ROWS,
        progress,
        sink,
        spend,
    )
    paths = expand(list(run.inputs))
    folders = input_folders(list(run.inputs))
    base = gather.row_options
    for done, path in enumerate(paths):
        folder = folders.get(path)
        gather.row_options = replace(base, folder=folder.resolve().name if folder else None)
        with open_sources(path, run.sheet) as sources:
            skipped = SkippedSheets()
            for k, source in enumerate(sources):
                last = done == len(paths) - 1 and k == len(sources) - 1
                share = 0.8 / len(paths) / len(sources)
                try:
                    gather.source(
                        source, 0.8 * done / len(paths) + k * share, share, later=not last
                    )
                except UnrecognisedTable as exc:
                    gather.notes.append(skipped.add(source, exc))
            skipped.check(path, sources)
    gather.notes = _once_per_folder(gather.notes, folders)
    return gather.finish()


def _once_per_folder(notes: list[Finding], folders: dict[Path, Path]) -> list[Finding]:
    """The files of an INPUT folder credited to the folder's name are said to be in one note
    for the folder, in the place of its first file's, not one per file."""
    by_display = {str(p): folder for p, folder in folders.items()}
    counts: dict[Path, int] = {}
    for n in notes:
        if n.code == FOLDER_NOTE and n.path in by_display:
            counts[by_display[n.path]] = counts.get(by_display[n.path], 0) + 1
    out: list[Finding] = []
    for n in notes:
        folder = by_display.get(n.path or "") if n.code == FOLDER_NOTE else None
        if folder is None:
            out.append(n)
        elif folder in counts:
            files = counts.pop(folder)
            out.append(
                make(
                    FOLDER_NOTE,
                    "folder",
                    path=str(folder),
                    column=n.column,
                    name=folder.resolve().name,
                    files=f"{files} file{'s' if files != 1 else ''}",
                )
            )
    return out


class SkippedSheets:
    """The worksheets of one input that ``--sheet '*'`` passed over (they are not spend), for
    ``analyse`` and ``check`` alike: each is said in a warning, and an input none of whose
    sheets could be read stops the run."""

    def __init__(self) -> None:
        self.skipped: list[tuple[Source, AnchorspendError]] = []

    def add(self, source: Source, exc: UnrecognisedTable) -> Finding:
        """The warning for ``source``; re-raises ``exc`` for a table the user named (not one
        sheet of many: it must be what it was read as)."""
        if source.sheet is None:
            raise exc
        self.skipped.append((source, exc))
        return make("sheet-not-read", path=source.display, sheet=source.sheet, reason=exc.message)

    def check(self, path: Path, sources: list[Source]) -> None:
        if self.skipped and len(self.skipped) == len(sources):
            raise AnchorspendError(
                "no sheet of the workbook has a recognisable spend header",
                path=str(path),
                details=[f"{s.sheet}: {e.message}" for s, e in self.skipped],
                hint="--sheet NAME for one sheet, and --map FIELD=HEADER if the headers are "
                "unusual",
            )


_KEY_FIRST = "_first_source"


class RowSink(Protocol):
    """Where :func:`ingest` hands each batch's canonical rows instead of keeping them (``store
    add`` writes them out as they come)."""

    def add(self, rows: pl.DataFrame, source: int) -> None:
        """Rows of the ``source``-th source read (0-based), in batches, in reading order but
        for rows whose organisation had to wait for the source's count."""

    def forget(self, source: int) -> None:
        """Drop what ``source`` gave: it is being read again."""


@dataclass(slots=True)
class _Part:
    """What one source gave, kept apart until it is all read (a wider record found late means
    reading it again)."""

    kept: list[pl.DataFrame] = field(default_factory=list)
    summaries: list[pl.DataFrame] = field(default_factory=list)
    pairs: list[pl.DataFrame] = field(default_factory=list)
    findings: list[pl.DataFrame] = field(default_factory=list)
    keys: list[pl.DataFrame] = field(default_factory=list)
    rows: int = 0
    amount: int = 0


class _Gather:
    """Sources in, batch by batch; one :class:`Ingested` out."""

    def __init__(
        self,
        run: RunConfig,
        options: ReadOptions,
        row_options: RowOptions,
        schema: Schema,
        overrides: dict[str, str],
        ids: Collection[str] | None,
        batch_rows: int,
        progress: Progress | None,
        sink: RowSink | None = None,
        spend: SpendBuilder | None = None,
    ) -> None:
        self.run, self.options, self.row_options = run, options, row_options
        self.schema, self.overrides = schema, overrides
        # fields the config's [columns] chose and no --map overrode
        self.config_fields = set(run.config.columns) - set(
            parse_overrides(list(run.column_map), schema)
        )
        self.batch_rows, self.progress, self.sink = batch_rows, progress, sink
        self.parts: list[_Part] = []
        self.notes: list[Finding] = []
        self.reports: list[InputReport] = []
        # per transaction key of the sources read so far, the first source that has it
        self.seen: pl.DataFrame | None = None
        self.shared = spend is not None  # the caller's builder: the caller finishes it
        self.spend = spend or (None if ids is None else SpendBuilder(run.period, ids))

    def source(self, source: Source, at: float, share: float, *, later: bool) -> None:
        """Read ``source``: the run is ``at`` done when it starts, and it is ``share`` of it."""
        width = 0
        mark = self.spend.mark() if self.spend else (0, 0, 0)
        while True:
            try:
                part, notes, report = self._read(source, width, (at, share), later)
                break
            except WiderThanSampled as wider:  # found past the sample: read it all again
                width = wider.width
                if self.spend:
                    self.spend.rollback(mark)
                if self.sink:
                    self.sink.forget(len(self.parts))
        self.parts.append(part)
        self.notes += notes
        self.reports.append(report)
        if part.keys:
            new = pl.concat(part.keys).unique(_TXN_KEY, keep="first", maintain_order=True)
            if self.seen is not None:
                new = new.join(self.seen, on=_TXN_KEY, how="anti", nulls_equal=True)
            self.seen = new if self.seen is None else pl.concat([self.seen, new])

    def _read(
        self, source: Source, width: int, at: tuple[float, float], later: bool
    ) -> tuple[_Part, list[Finding], InputReport]:
        def scorer(cells: list[str | None]) -> int:
            return score_cells(cells, self.schema, self.overrides)

        found: Mapping | None = None  # the header, where the streamed read found it
        if self.spend is not None and self.sink is None:
            with source_records(source, self.options, scorer, width) as records:
                start = self._head(records, source)
                found = self._mapping(start, source, width)
                read = self._streamed(source, records, start, found, at[0], later)
            if read is not None:
                return read

        batches = iter_source(source, self.options, scorer, self.batch_rows, width)
        # the header is looked for among the first non-blank records: gather enough of them
        head: list[RawTable] = []
        filled = pl.any_horizontal(pl.exclude(ROW).is_not_null())
        for table in batches:
            head.append(table)
            if sum(t.frame.select(filled.sum()).item() for t in head) >= HEAD_ROWS:
                break
        first = replace(head[0], frame=pl.concat([t.frame for t in head]))
        mapping = found or self._mapping(first, source, width)
        part, seq = _Part(), len(self.parts)
        prior, blank, repeated, used = 0, 0, 0, 0
        named: list[pl.DataFrame] = []
        pending: list[pl.DataFrame] = []
        for table in chain([first], batches):
            used = max(used, _last_used(table.frame))
            batch = build_batch(table, mapping, self.row_options, prior)
            prior = batch.above
            blank += batch.blank_rows
            repeated += batch.repeated_headers
            # findings share the batch's text: kept as they are only where the rows are kept
            keeps_rows = self.spend is None and self.sink is None
            part.findings.append(batch.findings if keeps_rows else detached(batch.findings))
            if batch.organisations is not None:
                named.append(batch.organisations)
            if batch.frame is None:
                continue
            part.rows += batch.frame.height
            if self.progress:
                done = min(part.rows / first.records, 1.0) if first.records else 0.0
                self.progress(f"reading {source.display}: {part.rows:,} rows", at[0] + at[1] * done)
            frame = batch.frame
            if batch.organisations is not None:  # blank organisation cells wait for the count
                waiting = pl.col("organisation").is_null()
                pending.append(frame.filter(waiting))
                frame = frame.filter(~waiting)
            self._take(part, frame, seq, later)
        if not part.rows:
            raise no_data_rows(source.display, mapping)
        if sum(p.height for p in pending):
            filled_in = fill_organisation(
                pl.concat(pending), pl.concat(named), source.display, self.row_options
            )
            self._take(part, filled_in, seq, later)
            if part.kept:
                part.kept = [pl.concat(part.kept, how="diagonal_relaxed").sort("_row")]
        return self._close(part, source, first, mapping, (used, blank, repeated))

    def _streamed(
        self,
        source: Source,
        records: Records,
        first: RawTable,
        mapping: Mapping,
        at: float,
        later: bool,
    ) -> tuple[_Part, list[Finding], InputReport] | None:
        """``source`` read in two whole-file plans (:func:`anchorspend.ingest.stream.stream`),
        or None where it is better read batch by batch: transactions to be matched across
        files, or a source the plans do not suit. ``first``: its first records, in which
        ``mapping`` was found."""
        assert self.spend is not None
        if "transaction_id" in mapping.columns and (later or self.seen is not None):
            return None
        if self.progress:
            self.progress(f"reading {source.display}", at)
        fields = tuple(f for f in PROFILE_FIELDS if f not in self.spend.dropped)
        try:
            streamed = stream(records.collect, mapping, self.row_options, fields, source.display)
        except Unsuited:
            return None
        part, seq = _Part(), len(self.parts)
        renames = self.run.config.organisations
        cells = streamed.cells
        # the clean rows per cell (hundreds of rows, not millions), then per organisation
        by_cell = (
            streamed.facts.group_by("_lc")
            .agg(pl.col("n").sum(), pl.col("amount").sum(), pl.col("_first").min())
            .join(cells.select("_lc", "organisation"), on="_lc")
            .sort("_first")
        )
        named = [
            by_cell.group_by("organisation")
            .agg(pl.col("n").sum().alias("count"))
            .filter(pl.col("organisation").is_not_null())
        ]
        if renames:
            cells = cells.with_columns(pl.col("organisation").replace(renames))
            by_cell = by_cell.with_columns(pl.col("organisation").replace(renames))
        clean = by_cell
        part.summaries.append(
            clean.group_by("organisation", maintain_order=True)
            .agg(
                pl.col("n").sum(),
                pl.col("amount").sum(),
                pack(pl.lit(seq, pl.Int64), pl.col("_first").min()).alias("_first"),
            )
            .select(
                "organisation",
                pl.lit(source.display).cast(pl.Categorical).alias("_source"),
                pl.lit(records.sheet, pl.String).cast(pl.Categorical).alias("_sheet"),
                pl.lit("analysed").alias("_status"),
                pl.lit(None, pl.String).alias("_reason"),
                "n",
                "amount",
                "_first",
            )
        )
        part.rows = int(clean.get_column("n").sum())
        part.amount = int(clean.get_column("amount").sum())
        blank = repeated = 0
        analysed: list[pl.DataFrame] = []
        problems = streamed.problems
        used = _last_used(first.frame)
        if problems.height:
            used = max(used, _last_used(problems.drop(CLEAN_BEFORE)))
            batch = build_batch(replace(first, frame=problems), mapping, self.row_options)
            blank, repeated = batch.blank_rows, batch.repeated_headers
            part.findings.append(detached(batch.findings))
            if batch.organisations is not None:
                named.append(batch.organisations)
            if batch.frame is not None:
                frame = batch.frame
                if batch.organisations is not None:
                    waiting = pl.col("organisation").is_null()
                    if frame.select(waiting.any()).item():
                        filled_in = fill_organisation(
                            frame.filter(waiting),
                            pl.concat(named),
                            source.display,
                            self.row_options,
                        )
                        frame = pl.concat([frame.filter(~waiting), filled_in]).sort("_row")
                part.rows += frame.height
                analysed.append(self._take(part, frame, seq, later, to_spend=False))
        if not part.rows:
            raise no_data_rows(source.display, mapping)
        rows = pl.concat(analysed) if analysed else pl.DataFrame()
        self.spend.add_streamed(cells, streamed.profiles, streamed.facts, rows)
        return self._close(part, source, first, mapping, (used, blank, repeated))

    def _close(
        self,
        part: _Part,
        source: Source,
        first: RawTable,
        mapping: Mapping,
        counts: tuple[int, int, int],
    ) -> tuple[_Part, list[Finding], InputReport]:
        """A source read to its end: extra columns no record uses dropped, findings put in
        reading order, its notes and report. ``counts``: the last raw column any record uses,
        the blank records and the repeated headers skipped."""
        used, blank, repeated = counts
        # cells past the last column any record uses are not columns (as a whole read finds)
        blank_headers = [c for c, h in enumerate(mapping.headers) if not h]
        unused = [f"extra_{i + 1}" for i, c in enumerate(blank_headers) if c > used]
        part.kept = [k.drop(unused, strict=False) for k in part.kept]
        findings = (
            pl.concat(part.findings)
            if part.findings
            else empty_findings().with_columns(pl.lit(0, pl.Int64).alias(ORDER))
        )
        part.findings = [findings.sort(ORDER, maintain_order=True).drop(ORDER)]
        notes = source_notes(first, mapping, self.row_options, repeated)
        report = InputReport(
            path=source.display,
            sheet=first.sheet,
            encoding=first.encoding,
            header_row=mapping.header_row,
            columns={k: mapping.header_of(k) for k in sorted(mapping.columns)},
            mapping=described(mapping, self.config_fields),
            rows_read=part.rows,
            amount_read=part.amount,
            blank_rows=blank,
            repeated_headers=repeated,
            headers=mapping.headers,
        )
        return part, notes, report

    def _head(self, records: Records, source: Source) -> RawTable:
        """The first records, as many as a batched read gathers to look for the header in."""
        filled = pl.any_horizontal(pl.exclude(ROW).is_not_null())
        n = self.batch_rows
        while True:
            frame = records.collect(lambda lf: lf.head(n))  # noqa: B023
            if frame.height < n or frame.select(filled.sum()).item() >= HEAD_ROWS:
                break
            n += self.batch_rows
        return RawTable(
            frame, source.display, records.width, records.sheet, records.encoding, records.findings
        )

    def _mapping(self, first: RawTable, source: Source, width: int) -> Mapping:
        """The header and columns, found as a whole read finds them (columns empty in every
        record gathered so far aside), widened to the batches' width. A header not among the
        first records is looked for at the end of the source (an export sorted with its
        header last): that costs a second pass, made only then."""
        trimmed = _trimmed(first)
        try:
            header_row = find_header(trimmed, self.schema, self.overrides)
        except UnrecognisedTable:
            tail = self._tail(source, width, first)
            if tail is None:
                raise
            header_row = find_header(tail, self.schema, self.overrides)
            if not header_is_last(tail, header_row):
                raise
            mapping = map_columns(tail, header_row, self.schema, self.overrides, data=trimmed)
        else:
            mapping = map_found(trimmed, header_row, self.schema, self.overrides)
        return replace(
            mapping, headers=mapping.headers + ("",) * (first.width - len(mapping.headers))
        )

    def _tail(self, source: Source, width: int, first: RawTable) -> RawTable | None:
        """The last records of ``source`` (its last two batches), or None when ``first``
        already holds them all."""
        if first.records and first.frame.height >= first.records:
            return None
        scorer = lambda cells: score_cells(cells, self.schema, self.overrides)  # noqa: E731
        last: list[RawTable] = []
        for table in iter_source(source, self.options, scorer, self.batch_rows, width):
            last = [*last[-1:], table]
        if not last or last[-1].frame.get_column(ROW).max() == first.frame.get_column(ROW).max():
            return None
        return _trimmed(replace(last[-1], frame=pl.concat([t.frame for t in last])))

    def _take(
        self, part: _Part, frame: pl.DataFrame, seq: int, later: bool, *, to_spend: bool = True
    ) -> pl.DataFrame:
        """One batch's canonical rows: renamed, checked against the sources before, summarised,
        then kept or split into spend. Returns the renamed rows (``to_spend`` False: the caller
        hands their analysed rows to the spend builder itself)."""
        if not frame.height:
            return frame
        renames = self.run.config.organisations
        if renames:
            frame = frame.with_columns(pl.col("organisation").replace(renames))
        frame, pairs = _mark_seen(frame, self.seen)
        if pairs is not None:
            part.pairs.append(pairs.with_columns(pl.lit(seq).alias("_seq")))
        position = pack(pl.lit(seq, pl.Int64), pl.col("_row")).alias("_first")
        summary = summarise(frame.with_columns(position), pl.col("_first").min())
        part.summaries.append(detached(summary))  # its names would hold the batch's text
        part.amount += int(frame.get_column("amount").sum() or 0)
        if later:
            source = pl.col("_source").cast(pl.String).alias(_KEY_FIRST)
            part.keys.append(detached(frame.filter(_candidate()).select(*_TXN_KEY, source)))
        if self.sink is not None:
            self.sink.add(frame, seq)
            return frame
        if self.spend is None:
            part.kept.append(frame)
            return frame
        part.kept.append(detached(frame.filter(pl.col("_status") != "analysed")))
        if to_spend:
            self.spend.add(frame)
        return frame

    def finish(self) -> Ingested:
        kept = [k for p in self.parts for k in p.kept]
        rows = pl.concat(kept, how="diagonal_relaxed") if kept else pl.DataFrame()
        findings = [f for p in self.parts for f in p.findings]
        summary = combine_summaries([s for p in self.parts for s in p.summaries])
        refresh_counts(self.reports, summary)
        pairs = [x for p in self.parts for x in p.pairs]
        dup_notes = duplicate_notes(combine_pairs(pairs)) if pairs else []
        spend = None if self.spend is None or self.shared else self.spend.finish()
        return Ingested(
            rows,
            pl.concat(findings) if findings else empty_findings(),
            self.notes + dup_notes,
            self.reports,
            summary,
            spend,
        )


def _trimmed(table: RawTable) -> RawTable:
    """``table`` without the trailing columns empty in every record."""
    width = _last_used(table.frame) + 1
    cells = table.frame.select(ROW, *(cell_name(i) for i in range(width)))
    return replace(table, frame=cells, width=width)


def _last_used(frame: pl.DataFrame) -> int:
    """Index of the last raw column with a cell in ``frame`` (0 when none has)."""
    cols = [c for c in frame.columns if c != ROW]
    if not cols or not frame.height:
        return 0
    has = frame.select(pl.col(cols).is_not_null().any()).row(0)
    return max((i for i, h in enumerate(has) if h), default=0)


def _candidate() -> pl.Expr:
    return (pl.col("_status") == "analysed") & pl.col("transaction_id").is_not_null()


def _mark_seen(
    frame: pl.DataFrame, seen: pl.DataFrame | None
) -> tuple[pl.DataFrame, pl.DataFrame | None]:
    """:func:`mark_duplicates` for a batch, against the transactions of the sources before."""
    if seen is None or not seen.height:
        return frame, None
    first = (
        frame.select(_TXN_KEY)
        .join(seen, on=_TXN_KEY, how="left", nulls_equal=True, maintain_order="left")
        .get_column(_KEY_FIRST)
    )
    marked = frame.with_columns(pl.when(_candidate()).then(first).alias(_KEY_FIRST))
    dup = pl.col(_KEY_FIRST).is_not_null()
    pairs = (
        marked.filter(dup)
        .group_by("_source", _KEY_FIRST, maintain_order=True)
        .agg(pl.len(), pl.col("_row").head(5), pl.col("amount").sum())
        .with_columns(pl.col("_source").cast(pl.String))
    )
    return _excluded_as_duplicates(marked, dup).drop(_KEY_FIRST), pairs if pairs.height else None


def _excluded_as_duplicates(rows: pl.DataFrame, dup: pl.Expr) -> pl.DataFrame:
    """Rows where ``dup`` holds excluded under the duplicates rule."""
    return rows.with_columns(
        pl.when(dup).then(pl.lit("excluded")).otherwise(pl.col("_status")).alias("_status"),
        pl.when(dup).then(pl.lit(DUPLICATE_RULE)).otherwise(pl.col("_reason")).alias("_reason"),
    )


def combine_summaries(summaries: list[pl.DataFrame]) -> pl.DataFrame:
    """Summaries of parts read apart (batches, a store's partitions), each made with its
    groups' first position as ``_first`` (:func:`summarise`), as one summary in reading
    order."""
    if not summaries:
        return summarise(pl.DataFrame())
    return (
        pl.concat(summaries)
        .sort("_first")
        .group_by(SUMMARY_KEYS, maintain_order=True)
        .agg(pl.col("n").sum(), pl.col("amount").sum())
    )


def combine_pairs(pairs: list[pl.DataFrame]) -> pl.DataFrame:
    """Duplicate pairs found part by part (batches, a store's partitions), each with its
    source's place in reading order as ``_seq``, as one row per pair of files, in the order
    their first duplicate was read."""
    return (
        pl.concat(pairs)
        .group_by("_source", _KEY_FIRST)
        .agg(
            pl.col("len").sum(),
            pl.col("_row").explode().sort().head(5),
            pl.col("amount").sum(),
            pl.col("_seq").first(),
        )
        .with_columns(pl.col("_row").list.first().alias("_at"))
        .sort("_seq", "_at")
        .drop("_seq", "_at")
    )


DUPLICATE_RULE = "duplicate-in-another-file"
_TXN_KEY = ("organisation", "transaction_id", "payment_date", "supplier_name", "amount")


def mark_duplicates(rows: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The duplicates rule over rows of several files at once (a store's partition): rows in
    files after the first that carry a transaction are excluded; and per pair of files (in the order
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
    candidate = _candidate()
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
    out = _excluded_as_duplicates(marked, pl.col("_dup")).drop("_dup", "_first_source")
    return out, pairs


def duplicate_notes(pairs: pl.DataFrame) -> list[Finding]:
    return [
        make(
            DUPLICATE_RULE,
            path=src,
            row=examples[0],
            n=n,
            amount=pence_to_text(int(pence or 0)),
            first=first_src,
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


class _Discard:
    """A :class:`RowSink` that keeps nothing: ``check`` wants findings, not rows."""

    def add(self, rows: pl.DataFrame, source: int) -> None:
        pass

    def forget(self, source: int) -> None:
        pass


def check_spend(
    source: Source,
    options: ReadOptions,
    overrides: dict[str, str],
    table: str = "spend",
    sink: RowSink | None = None,
) -> tuple[list[Finding], pl.DataFrame, InputReport]:
    """One source read as ``analyse`` (``table`` "spend") or ``payments`` ("payments") reads
    it, batch by batch, keeping only what ``check`` reports: the file-level findings, the
    value findings and the input's report (rows read, mapping, headers). Each batch's rows go
    to ``sink`` (by default nowhere): memory stays that of a batch, whatever the file's size."""
    schema = load_schema(table)
    spend_fields = load_schema("spend").names
    gather = _Gather(
        RunConfig(inputs=()),
        options,
        RowOptions(
            organisation="-",  # check does not credit rows to organisations
            undated_ok=not schema.field("payment_date").required,
            carry=tuple(f for f in schema.names if f not in spend_fields),
        ),
        schema,
        overrides,
        None,
        BATCH_ROWS,
        None,
        sink or _Discard(),
    )
    gather.source(source, 0.0, 1.0, later=False)
    done = gather.finish()
    return done.notes, done.findings, done.inputs[0]


def described(mapping: Mapping, config_fields: Collection[str]) -> dict[str, dict[str, str]]:
    """:meth:`Mapping.described`, with a choice the config's ``[columns]`` made (and no
    ``--map`` overrode: ``config_fields``) said to be the config's."""
    out = mapping.described()
    for f, entry in out.items():
        if entry["basis"] == "map" and f in config_fields:
            entry["basis"] = "config"
    return out


def read_mapped(
    source: Source, options: ReadOptions, schema: Schema, overrides: dict[str, str]
) -> tuple[RawTable, Mapping]:
    """Read one table, find its header and map its columns onto ``schema``."""
    table = read_source(source, options, lambda cells: score_cells(cells, schema, overrides))
    return table, map_table(table, schema, overrides)


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
    # spend per organisation (and per category) × supplier profile: see spend_view(); only
    # for compare (analyse_ingested's ``network``)
    by_org: pl.DataFrame = field(default_factory=pl.DataFrame)
    summary: pl.DataFrame = field(default_factory=pl.DataFrame)  # see summarise()
    by_category: pl.DataFrame = field(default_factory=pl.DataFrame)
    # one row per supplier as published with its payee kind and spend (see views.payees)
    payees: pl.DataFrame = field(default_factory=pl.DataFrame)

    @property
    def rejected(self) -> pl.DataFrame:
        if "_status" not in self.rows.columns:  # nothing but analysed rows was read
            return self.rows
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


def _geography(run: RunConfig) -> Store:
    """The user's store (`--geography`, else the config's), else the one in the package."""
    if run.geography is not None:
        return open_store(run.geography)
    if run.config.geography_store:
        base = run.config.path.parent if run.config.path else Path(".")
        return open_store(base / run.config.geography_store)
    return bundled_store()


def document_json(document: dict[str, Any]) -> str:
    """The machine document as printed by ``--json`` and written as metrics.json."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def run(run: RunConfig, progress: Progress | None = None) -> Result:
    """``analyse``: read the lookups, the inputs (or the store), then measure them."""
    lookups = load_lookups(run, progress)
    return analyse_ingested(read(run, progress, lookups), run, progress, lookups)


def load_lookups(run: RunConfig, progress: Progress | None = None) -> list[Lookup]:
    # --sheet names the exports' sheet: a lookup workbook's table is found by its header (with
    # `--sheet Data`, a lookup whose table is on 'Suppliers' stopped with "sheet not found")
    options = ReadOptions(encoding=run.encoding)
    lookups = []
    for path in run.lookups:
        if progress:
            progress(f"reading lookup {path}", 0.0)
        lookups.append(load_lookup(path, options))
    return lookups


def read(
    run: RunConfig, progress: Progress | None = None, lookups: list[Lookup] | None = None
) -> Ingested:
    """The inputs' or the store's rows, the analysed ones split into spend as they are read
    (keeping the identifiers ``lookups`` can match on)."""
    ids = identifiers_used(lookups or [])
    if run.store is None:
        return ingest(run, progress, ids=ids)
    from anchorspend.store import load

    return load(run.store, run, progress, ids)


def _named_inputs(
    run: RunConfig, named: Sequence[Path] | None, reports: list[InputReport]
) -> tuple[str, ...]:
    """The spend files a next step's command names: ``named``, else the run's INPUTs, else (a
    store) the files its rows were read from (a zip's member as the zip)."""
    if named or run.inputs:
        return tuple(str(p) for p in (named or run.inputs))
    return tuple(dict.fromkeys(r.path.split("!", 1)[0] for r in reports))


def _pence(unmatched: pl.DataFrame) -> tuple[int, ...]:
    """Each unmatched supplier's spend in pence, biggest first (as ``unmatched_suppliers``
    sorts them)."""
    if not unmatched.height:
        return ()
    pence = pl.col("spend").str.replace(".", "", literal=True).cast(pl.Int64)
    return tuple(unmatched.select(pence).get_column("spend").to_list())


def _refuse_reserved_name(summary: pl.DataFrame) -> None:
    """An organisation named as the pooled figures are, ``(all)``, would be read as them."""
    if not summary.height:
        return
    clash = (
        summary.filter(pl.col("organisation") == ALL_ORGS)
        .group_by(pl.col("_source").cast(pl.String))
        .agg(pl.col("n").sum())
        .sort("_source")
    )
    if not clash.height:
        return
    raise AnchorspendError(
        f"an organisation is named {ALL_ORGS!r}, the name the pooled figures of several "
        "organisations go under, so its rows could not be told from them",
        path=clash.item(0, "_source"),
        details=[f"{r['n']:,} rows in {r['_source']}" for r in clash.to_dicts()],
        hint=f'name it in the config: [organisations] "{ALL_ORGS}" = "Its real name" '
        "(or --organisation NAME for a file with no organisation column)",
    )


def _members_of(run: RunConfig, spend: Spend) -> list[Member]:
    """The config's members, and every other organisation of the run by its name alone."""
    orgs = spend.cells.get_column("organisation").cast(pl.String).unique().drop_nulls()
    configured = {m.name for m in run.config.members}
    others = [Member(o, o, ()) for o in sorted(orgs.to_list()) if o not in configured]
    return [*run.config.members, *others]


def analyse_ingested(
    data: Ingested,
    run: RunConfig,
    progress: Progress | None = None,
    lookups: list[Lookup] | None = None,
    *,
    network: bool = False,
    place: bool = False,
    named_inputs: Sequence[Path] | None = None,
) -> Result:
    """Classify and measure rows already read. ``compare`` calls this with every member's rows,
    so a member's figures come from the same code as ``analyse`` on its files alone.
    ``lookups``: those of ``run``, if already read. ``place`` (with ``network``): the pooled
    figures net of payments from one organisation to another. ``network``: keep the spend per
    organisation and per category with the attributes compare's views read
    (:attr:`Result.by_org`, :attr:`Result.by_category`). ``named_inputs``: the spend files the
    next step's commands name (default: those of ``run``)."""
    _refuse_reserved_name(data.summary)
    if lookups is None:
        lookups = load_lookups(run, progress)
    if progress:
        progress(f"classifying {data.rows.height:,} rows", 0.85)
    spend = data.spend or spend_of(data.rows, run.period, identifiers_used(lookups))
    # the analysed rows live on in the facts and the summary; let them go
    data.rows = data.rows.filter(pl.col("_status") != "analysed") if data.rows.height else data.rows
    classified = classify(spend.profiles, lookups)
    kinds = payee_kinds(classified.rows)
    store = _geography(run)
    tiers = resolve_tiers(run.config.local_tiers, store)
    located, postcode_problems = locate(classified.rows, store)
    deprived = run.config.deprived_decile_max if store and store.imd is not None else None
    measures = measure_set(classified.categories, tiers, deprived)
    attrs = (
        located.drop("payee_kind")
        .join(kinds, on="_pid", how="left", maintain_order="left")
        .with_columns(measures.get("local", pl.lit(None, dtype=pl.Boolean)).alias("local"))
    )
    if network:  # which payees are the run's own organisations (see payees.member_payees)
        attrs = attrs.join(
            member_payees(classified.rows, _members_of(run, spend)),
            on="_pid",
            how="left",
            maintain_order="left",
        )
    if progress:
        progress("measuring", 0.9)
    # one large table at a time: at 10M rows each rollup of the facts has millions of rows
    metrics_pence, by_kind = pl.DataFrame(), pl.DataFrame()
    if spend.facts.height:
        measured = attrs.select("_pid", *MEASURE_ATTRS, *(["payee_member"] if network else []))
        facts = spend_facts(spend, ("organisation", "period"))
        computed = compute(facts, measured, measures, run.config.set_aside, network and place)
        metrics_pence = with_targets(computed.metrics, run.config.targets, run.config.target_bases)
        by_kind = computed.by_kind
    metrics = money_columns(metrics_pence) if metrics_pence.height else metrics_pence
    org_cells = spend_cells(spend, ("organisation",))
    sup = suppliers_of(org_cells, attrs)
    by_org = spend_view(org_cells, attrs, BY_ORG_ATTRS) if network else pl.DataFrame()
    del org_cells
    by_category = pl.DataFrame()
    if network:
        category_cells = spend_cells(spend, ("organisation", "category", "expense_type"))
        by_category = spend_view(category_cells, attrs, CATEGORY_ATTRS)
        del category_cells
    category_view = (
        categories(spend_facts(spend, ()), spend.cells, sup) if spend.facts.height else []
    )
    unmatched = unmatched_suppliers(sup, run.config.set_aside)
    conflicts = classified.conflicts
    notes = data.notes + classified.findings
    if conflicts.height:
        notes.append(make("classification-conflict", n=conflicts.height))
    rec = reconciliation(data.summary)
    doc_metrics = metrics.to_dicts() if metrics.height else []
    context = Context(
        inputs=_named_inputs(run, named_inputs, data.inputs),
        lookups=tuple(str(p) for p in run.lookups),
        geography=not store.bundled,
        unmatched_spend=_pence(unmatched),
    )
    document = {
        "schema": SCHEMA_ID,
        "generator": f"anchorspend {__version__}",
        "period": run.period,
        "reconciliation": rec,
        "glance": glance(doc_metrics, list(measures), rec, context, run.config.headline_basis),
        "inputs": [r.as_dict() for r in data.inputs],
        "measures": list(measures),
        "metrics": doc_metrics,
        "categories": category_view,
        "top_suppliers": top_suppliers(sup),
        "unmatched_suppliers": unmatched.head(UNMATCHED_IN_DOCUMENT).to_dicts(),
        "addressable": {
            "set_aside": list(run.config.set_aside),
            "knowledge": KNOWLEDGE_SOURCE,
            "by_period": addressable_view(by_kind, run.config.set_aside),
        },
        "conflicts": [
            {k: r[k] for k in ("supplier", "field", "values", "spend")}
            for r in conflicts.to_dicts()
        ],
        "evidence": evidence(sup),
        "geography": geography_view(sup, store, postcode_problems),
        "lookups": [
            {**s, "matched_spend": pence_to_text(s["matched_spend"])} for s in classified.lookups
        ],
        "findings": group(all_findings(data.findings, notes)),
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
        payees(sup),
    )
