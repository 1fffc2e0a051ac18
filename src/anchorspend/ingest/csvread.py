"""Delimited text (``.csv``, ``.tsv``, ``.txt``) → :class:`RawTable`.

The file is decoded to UTF-8 (:mod:`anchorspend.ingest.encoding`: line ends are LF or CR LF by
then), passed through the bounded byte scan (:mod:`anchorspend.ingest.csvscan`), and its
delimiter and width are sniffed from the first records (:mod:`anchorspend.ingest.csvsniff`).
The whole file is then parsed by Polars as text, with no header, so title lines, blank lines and
repeated headers stay visible as records and ``_row`` is the physical record number. A record
with more cells than the sample suggested widens the read.

When Polars cannot parse the file, the file is read again line by line
(:mod:`anchorspend.ingest.csvquotes`, on the error path only) to name the line and the fault, or
to mend stray quotes in a copy that Polars reads instead. No message of Polars' own reaches the
user.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from anchorspend.errors import AnchorspendError, Finding
from anchorspend.ingest.csvquotes import rescan, unreadable
from anchorspend.ingest.csvscan import MAX_COLUMNS, scan_bytes, too_wide
from anchorspend.ingest.csvsniff import SAMPLE_BYTES, sample_records, sniff_delimiter
from anchorspend.ingest.encoding import decode
from anchorspend.ingest.raw import ROW, RawTable, cell_name

# Polars' batched CSV reader reads ahead of a slow consumer (as anchorspend is) in chunks of this
# many bytes. With its default it holds hundreds of MB of a large file ahead of the consumer;
# 4 MB holds about half as much and reads as fast, where 1 MB reads markedly slower. The knob is
# undocumented (issue pola-rs/polars#26432 asks for a real one): a user's own setting stands, and
# a Polars without it costs memory, never correctness. Polars reads it when a scan starts.
os.environ.setdefault("POLARS_CSV_CHUNK_SIZE", str(4 * 1024 * 1024))
_PARSE_ERRORS = (pl.exceptions.ComputeError, pl.exceptions.SchemaError)


def _options(delimiter: str, width: int) -> dict[str, Any]:
    """How Polars reads the records: all text, no header, physical row numbers."""
    return {
        "has_header": False,
        "separator": delimiter,
        "quote_char": '"',
        "schema": {cell_name(i): pl.String for i in range(width)},
        "missing_columns": "insert",
        "empty_string_is_null": True,
        "raise_if_empty": False,
        "infer_schema": False,
        "encoding": "utf8",
        "row_index_name": ROW,
        "row_index_offset": 1,
    }


@dataclass(slots=True)
class _Prepared:
    source: Path  # UTF-8 text with LF or CR LF line ends
    encoding: str | None
    findings: list[Finding]
    delimiter: str
    width: int  # the widest record of the sample
    lines: int  # physical lines, about the records to come (for progress)
    runaway: bool  # Polars would hold a record longer than MAX_LINE_BYTES


@contextmanager
def _prepared(
    path: Path, display: str, encoding: str | None, delimiter: str | None
) -> Iterator[_Prepared]:
    """The file decoded to UTF-8 with LF for each lone CR (a temporary copy where it is not
    already), checked for NUL bytes and overlong lines, with its delimiter and width sniffed from
    the first non-blank records."""
    decoded = decode(path, display=display, forced=encoding)
    try:
        source = decoded.path
        scanned = scan_bytes(source, display)
        if scanned.content < 0:
            raise AnchorspendError(
                "the file is empty", path=display, hint="check the export; nothing to read"
            )
        with source.open("rb") as fh:  # sniff from the first line that is not blank
            fh.seek(scanned.content)
            sample = fh.read(SAMPLE_BYTES).decode("utf-8", errors="ignore")
        sample = sample.removeprefix("\ufeff")
        delim = delimiter or sniff_delimiter(sample, path.suffix.lower())
        widths = [len(r) for r in sample_records(sample, delim)]
        width = max(widths, default=1)
        if width > MAX_COLUMNS:
            raise too_wide(display, next(i for i, w in enumerate(widths, 1) if w > MAX_COLUMNS))
        yield _Prepared(
            source,
            decoded.encoding,
            decoded.findings,
            delim,
            width,
            scanned.lines,
            scanned.runaway,
        )
    finally:
        decoded.cleanup()


class WiderThanSampled(Exception):
    """A record further on is wider than the sample's: read the file again, ``width`` wide."""

    def __init__(self, width: int) -> None:
        super().__init__(width)
        self.width = width


def _wider(exc: Exception) -> bool:
    """Polars says a record has more cells than the schema: "more fields" past the first
    record, "n_extra" for the first one."""
    return "more fields" in str(exc) or "n_extra" in str(exc)


@dataclass(slots=True)
class _Reading:
    """The file Polars reads: the prepared one, or the copy in which
    :func:`~anchorspend.ingest.csvquotes.rescan` quoted stray quotes. A file Polars would hold
    whole (``runaway``) is re-scanned before Polars reads it, so a quote never closed is named
    without Polars holding the rest of the file."""

    prep: _Prepared
    display: str
    path: Path
    rescanned: bool = False

    def __post_init__(self) -> None:
        if self.prep.runaway:
            self._rescan()  # a file it finds sound is read as it is

    def recover(self, exc: Exception, width: int) -> int:
        """After Polars failed at ``width``: the width to read at next. Twice as wide for a record
        wider than the schema; the same width, from the mended copy, for stray quotes (their
        findings join the file's). Any other failure is the user's, said by line where the
        re-scan finds one, and plainly where it does not."""
        if _wider(exc) and width < MAX_COLUMNS:
            return min(MAX_COLUMNS, width * 2)
        if self.rescanned or not self._rescan():  # nothing the re-scan can mend or name
            if _wider(exc):
                raise too_wide(self.display, None) from exc
            raise unreadable(self.display, self.prep.delimiter) from exc
        return width

    def recover_in_place(self, exc: Exception, width: int) -> None:
        """:meth:`recover` for a read that has handed records on and cannot start again here:
        one that can go on at ``width`` does; one that must be wider raises
        :class:`WiderThanSampled`, for the caller to start again."""
        again = self.recover(exc, width)
        if again != width:
            raise WiderThanSampled(again) from exc

    def _rescan(self) -> bool:
        """Re-scan the file (raising the fault it names); True if stray quotes were mended."""
        self.rescanned = True
        mended = rescan(self.path, self.display, self.prep.delimiter)
        if mended is None:
            return False
        self.path = mended.source
        self.prep.findings.extend(mended.findings)
        return True

    def cleanup(self) -> None:
        if self.path != self.prep.source:
            self.path.unlink(missing_ok=True)


def _row_and_first_cell() -> tuple[pl.Expr, pl.Expr]:
    """``_row`` as Int64, and the first cell without the BOM that may start the first record."""
    first = pl.col(cell_name(0))
    return (
        pl.col(ROW).cast(pl.Int64),
        pl.when(pl.col(ROW) == 1).then(first.str.strip_prefix("\ufeff")).otherwise(first),
    )


def _strip_bom(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(*_row_and_first_cell())


def read_csv(
    path: Path, *, display: str, encoding: str | None = None, delimiter: str | None = None
) -> RawTable:
    with _prepared(path, display, encoding, delimiter) as prep:
        width = prep.width
        reading = _Reading(prep, display, prep.source)
        try:
            while True:
                try:
                    frame = pl.read_csv(reading.path, **_options(prep.delimiter, width))
                    break
                except _PARSE_ERRORS as exc:
                    width = reading.recover(exc, width)
        finally:
            reading.cleanup()
    # Trailing columns that are empty in every record add nothing but width.
    used = [c for c in frame.columns[1:] if frame.get_column(c).null_count() < frame.height] or [
        cell_name(0)
    ]
    keep = frame.columns[1 : 1 + int(used[-1][1:]) + 1]
    frame = _strip_bom(frame.select(ROW, *keep))
    return RawTable(
        frame=frame,
        source=display,
        width=len(keep),
        encoding=prep.encoding,
        findings=prep.findings,
    )


def iter_csv(
    path: Path,
    *,
    display: str,
    batch_rows: int,
    encoding: str | None = None,
    delimiter: str | None = None,
    width: int = 0,
) -> Iterator[RawTable]:
    """The records as :func:`read_csv` reads them, ``batch_rows`` at a time, so that the file is
    never held whole: each batch is a :class:`RawTable` of the full width (trailing columns empty
    everywhere are not dropped: that is known only at the end), the file's findings on the
    first. A record wider than ``width`` and the sample raises :class:`WiderThanSampled`, after
    which the caller starts again with the width it names.

    Stray quotes met after batches were handed on do not start the file again: the rest is read
    from the mended copy, from the record after the last one handed on (the copy has the same
    records), and their findings are added to the first batch's list, which a caller reading it
    after the last batch sees whole."""
    with _prepared(path, display, encoding, delimiter) as prep:
        width = max(width, prep.width)
        reading = _Reading(prep, display, prep.source)
        first, done = True, 0  # done: the last record handed on
        try:
            while True:
                scan = pl.scan_csv(reading.path, **_options(prep.delimiter, width))
                if done:
                    scan = scan.filter(pl.col(ROW) > done)
                try:
                    for frame in scan.collect_batches(chunk_size=batch_rows):
                        if done and not frame.height:
                            continue
                        findings = prep.findings if first else []
                        yield RawTable(
                            _strip_bom(frame),
                            display,
                            width,
                            None,
                            prep.encoding,
                            findings,
                            prep.lines,
                        )
                        first, done = False, int(frame.get_column(ROW)[-1])
                    return
                except _PARSE_ERRORS as exc:
                    reading.recover_in_place(exc, width)
        finally:
            reading.cleanup()


class CsvRecords:
    """A delimited file's records as one lazy query (the shape :func:`iter_csv` yields, BOM
    stripped), for a caller that runs whole-file plans over them. :meth:`collect` runs a plan
    with the same recovery as a batched read: stray quotes are mended in a copy and the plan
    runs again over it; a record wider than the sample raises :class:`WiderThanSampled`."""

    def __init__(self, prep: _Prepared, reading: _Reading, width: int) -> None:
        self.prep, self.reading, self.width = prep, reading, width

    @property
    def frame(self) -> pl.LazyFrame:
        scan = pl.scan_csv(self.reading.path, **_options(self.prep.delimiter, self.width))
        return scan.with_columns(*_row_and_first_cell())

    def collect(self, plan: Callable[[pl.LazyFrame], pl.LazyFrame]) -> pl.DataFrame:
        while True:
            try:
                return plan(self.frame).collect(engine="streaming")
            except _PARSE_ERRORS as exc:
                self.reading.recover_in_place(exc, self.width)


@contextmanager
def csv_records(
    path: Path,
    *,
    display: str,
    encoding: str | None = None,
    delimiter: str | None = None,
    width: int = 0,
) -> Iterator[tuple[CsvRecords, list[Finding], str | None]]:
    """The file's records for whole-file plans (:class:`CsvRecords`), with the file's findings
    and the encoding it was read in."""
    with _prepared(path, display, encoding, delimiter) as prep:
        reading = _Reading(prep, display, prep.source)
        try:
            yield CsvRecords(prep, reading, max(width, prep.width)), prep.findings, prep.encoding
        finally:
            reading.cleanup()
