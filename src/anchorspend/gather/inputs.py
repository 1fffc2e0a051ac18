"""``ingest``: every input of a run read into one :class:`~anchorspend.gather.ingested.Ingested`;
``check_spend``: one source read as ``analyse`` reads it, keeping only what ``check`` reports."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from pathlib import Path

import polars as pl

from anchorspend.errors import AnchorspendError, Finding, UnrecognisedTable
from anchorspend.findings import make
from anchorspend.gather.ingested import Ingested, InputReport, RowSink
from anchorspend.gather.options import Progress, RunConfig
from anchorspend.gather.source import Gather
from anchorspend.ingest.fields import FOLDER_NOTE, RowOptions
from anchorspend.ingest.mapping import parse_overrides
from anchorspend.ingest.sources import (
    ReadOptions,
    Source,
    expand,
    input_folders,
    open_sources,
)
from anchorspend.schemas import load as load_schema
from anchorspend.spend import SpendBuilder

BATCH_ROWS = 250_000
"""Records read, made canonical and (for ``analyse``) reduced to spend at a time: a delimited
file is never held whole, nor are its analysed rows."""


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
    gather = Gather(
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
    gather = Gather(
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
