"""One source at a time, batch by batch (:class:`Gather`): header, canonical rows, the
organisation renames and the duplicates rule across sources, then kept rows or spend."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from itertools import chain

import polars as pl

from anchorspend.errors import Finding, UnrecognisedTable
from anchorspend.findings import empty_findings
from anchorspend.gather.duplicates import (
    KEY_FIRST,
    TXN_KEY,
    candidate,
    combine_pairs,
    duplicate_notes,
    mark_seen,
)
from anchorspend.gather.ingested import (
    Ingested,
    InputReport,
    RowSink,
    combine_summaries,
    refresh_counts,
    summarise,
)
from anchorspend.gather.options import Progress, RunConfig
from anchorspend.gather.part import Part, last_used, trimmed
from anchorspend.gather.streamed import read_streamed
from anchorspend.ingest.canonical import build_batch, no_data_rows, source_notes
from anchorspend.ingest.csvread import WiderThanSampled
from anchorspend.ingest.fields import RowOptions, fill_organisation
from anchorspend.ingest.frames import detached, pack
from anchorspend.ingest.header import HEADER_SEARCH_ROWS, find_header, header_is_last, score_cells
from anchorspend.ingest.mapping import Mapping, map_columns, map_found, map_table, parse_overrides
from anchorspend.ingest.problems import ORDER
from anchorspend.ingest.raw import ROW, RawTable
from anchorspend.ingest.sources import (
    ReadOptions,
    Records,
    Source,
    iter_source,
    read_source,
    source_records,
)
from anchorspend.schemas import Schema
from anchorspend.spend import SpendBuilder

HEAD_ROWS = HEADER_SEARCH_ROWS
"""Non-blank records gathered into a source's first batch: where its header is looked for."""


class Gather:
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
        self.parts: list[Part] = []
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
            new = pl.concat(part.keys).unique(TXN_KEY, keep="first", maintain_order=True)
            if self.seen is not None:
                new = new.join(self.seen, on=TXN_KEY, how="anti", nulls_equal=True)
            self.seen = new if self.seen is None else pl.concat([self.seen, new])

    def _read(
        self, source: Source, width: int, at: tuple[float, float], later: bool
    ) -> tuple[Part, list[Finding], InputReport]:
        def scorer(cells: list[str | None]) -> int:
            return score_cells(cells, self.schema, self.overrides)

        found: Mapping | None = None  # the header, where the streamed read found it
        if self.spend is not None and self.sink is None:
            with source_records(source, self.options, scorer, width) as records:
                start = self._head(records, source)
                found = self._mapping(start, source, width)
                read = read_streamed(self, source, records, start, found, at[0], later)
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
        part, seq = Part(), len(self.parts)
        prior, blank, repeated, used = 0, 0, 0, 0
        named: list[pl.DataFrame] = []
        pending: list[pl.DataFrame] = []
        for table in chain([first], batches):
            used = max(used, last_used(table.frame))
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
            self.take(part, frame, seq, later)
        if not part.rows:
            raise no_data_rows(source.display, mapping)
        if sum(p.height for p in pending):
            filled_in = fill_organisation(
                pl.concat(pending), pl.concat(named), source.display, self.row_options
            )
            self.take(part, filled_in, seq, later)
            if part.kept:
                part.kept = [pl.concat(part.kept, how="diagonal_relaxed").sort("_row")]
        return self.close(part, source, first, mapping, (used, blank, repeated))

    def close(
        self,
        part: Part,
        source: Source,
        first: RawTable,
        mapping: Mapping,
        counts: tuple[int, int, int],
    ) -> tuple[Part, list[Finding], InputReport]:
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
        head = trimmed(first)
        try:
            header_row = find_header(head, self.schema, self.overrides)
        except UnrecognisedTable:
            tail = self._tail(source, width, first)
            if tail is None:
                raise
            header_row = find_header(tail, self.schema, self.overrides)
            if not header_is_last(tail, header_row):
                raise
            mapping = map_columns(tail, header_row, self.schema, self.overrides, data=head)
        else:
            mapping = map_found(head, header_row, self.schema, self.overrides)
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
        return trimmed(replace(last[-1], frame=pl.concat([t.frame for t in last])))

    def take(
        self, part: Part, frame: pl.DataFrame, seq: int, later: bool, *, to_spend: bool = True
    ) -> pl.DataFrame:
        """One batch's canonical rows: renamed, checked against the sources before, summarised,
        then kept or split into spend. Returns the renamed rows (``to_spend`` False: the caller
        hands their analysed rows to the spend builder itself)."""
        if not frame.height:
            return frame
        renames = self.run.config.organisations
        if renames:
            frame = frame.with_columns(pl.col("organisation").replace(renames))
        frame, pairs = mark_seen(frame, self.seen)
        if pairs is not None:
            part.pairs.append(pairs.with_columns(pl.lit(seq).alias("_seq")))
        position = pack(pl.lit(seq, pl.Int64), pl.col("_row")).alias("_first")
        summary = summarise(frame.with_columns(position), pl.col("_first").min())
        part.summaries.append(detached(summary))  # its names would hold the batch's text
        part.amount += int(frame.get_column("amount").sum() or 0)
        if later:
            source = pl.col("_source").cast(pl.String).alias(KEY_FIRST)
            part.keys.append(detached(frame.filter(candidate()).select(*TXN_KEY, source)))
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
