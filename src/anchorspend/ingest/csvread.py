"""Delimited text (``.csv``, ``.tsv``, ``.txt``) → :class:`RawTable`.

The delimiter and the width are sniffed from the first records with the standard ``csv``
module (a bounded sample); the whole file is then parsed by Polars as text, with no header,
so title lines, blank lines and repeated headers stay visible as records and ``_row`` is the
physical record number. A record with more cells than the sample suggested widens the read.

Before Polars sees the file, two bounds keep a hostile file from costing unbounded memory: no line
may be longer than :data:`MAX_LINE_BYTES` and no record wider than :data:`MAX_COLUMNS` cells.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from anchorspend.errors import AnchorspendError, Finding
from anchorspend.ingest.encoding import decode, line_of
from anchorspend.ingest.raw import ROW, RawTable, cell_name

SAMPLE_BYTES = 256 * 1024
SAMPLE_RECORDS = 60
MAX_COLUMNS = 4096
MAX_LINE_BYTES = (
    16 * 1024 * 1024
)  # a spend record is a few hundred bytes; Polars holds a line whole
_SCAN_CHUNK = 4 * 1024 * 1024
# Polars' batched CSV reader reads ahead of a slow consumer in chunks of this many bytes. Its
# default held ~450 MB of a 1.4 GB file ahead of anchorspend (measured with a consumer slower
# than the reader, as ours is); 4 MB holds ~250 MB, reads as fast, and 1 MB is 40% slower.
# An undocumented knob (issue pola-rs/polars#26432 is the real fix): a user's own setting stands,
# and a Polars without it costs memory, never correctness. Read when a scan starts.
os.environ.setdefault("POLARS_CSV_CHUNK_SIZE", str(4 * 1024 * 1024))
_UNCLOSED = re.compile(r"could not parse `(.{0,200})", re.DOTALL)
_COLUMN_NUMBER = re.compile(r"\(column number (\d+)\)")
CANDIDATE_DELIMITERS = (",", "\t", ";", "|")


def _sample_records(text: str, delimiter: str) -> list[list[str]]:
    lines = text.splitlines(keepends=True)
    if len(lines) > 1 and len(text) >= SAMPLE_BYTES - 4:
        lines = lines[:-1]  # the last line of a cut sample is partial
    reader = csv.reader(io.StringIO("".join(lines)), delimiter=delimiter)
    out: list[list[str]] = []
    try:
        for record in reader:
            out.append(record)
            if len(out) >= SAMPLE_RECORDS:
                break
    except csv.Error:
        pass  # a quote left open by the cut; what was read is enough for a sample
    return out


def sniff_delimiter(text: str, suffix: str) -> str:
    """The delimiter whose records have the most consistent width greater than one."""
    if suffix == ".tsv":
        return "\t"
    best, best_score = ",", -1.0
    for delim in CANDIDATE_DELIMITERS:
        widths = [len(r) for r in _sample_records(text, delim) if any(c.strip() for c in r)]
        if not widths:
            continue
        common = max(set(widths), key=lambda w: (widths.count(w), w))
        if common < 2:
            continue
        score = widths.count(common) * common
        if score > best_score:
            best, best_score = delim, score
    return best


def _scan_bytes(path: Path, display: str) -> tuple[int, int]:
    """One bounded pass over the UTF-8 bytes: refuse a NUL byte anywhere and a line longer than
    MAX_LINE_BYTES. Returns the offset of the first line holding more than whitespace (-1 if
    none), where the sample for sniffing starts, and the number of lines (for progress). A
    line that fits inside one read chunk is shorter than the limit; one that crosses chunks is
    measured exactly."""
    since, line, done, content = 0, 1, 0, -1  # bytes since the last newline; its line number
    with path.open("rb") as fh:
        while chunk := fh.read(_SCAN_CHUNK):
            if (nul := chunk.find(b"\x00")) >= 0:
                at_line = line + chunk.count(b"\n", 0, nul)
                raise AnchorspendError(
                    f"line {at_line} holds NUL bytes: the file is binary, or UTF-16 without a "
                    "byte-order mark",
                    path=display,
                    hint="--encoding utf-16 if it is UTF-16 text; otherwise check the file",
                )
            if content < 0:
                skip = (
                    len(codecs.BOM_UTF8) if done == 0 and chunk.startswith(codecs.BOM_UTF8) else 0
                )
                if rest := chunk[skip:].strip():
                    at = chunk.index(rest[:1], skip)
                    content = done + chunk.rfind(b"\n", 0, at) + 1
            first = chunk.find(b"\n")
            since += len(chunk) if first < 0 else first
            if since > MAX_LINE_BYTES:
                raise AnchorspendError(
                    f"line {line} is longer than {MAX_LINE_BYTES // 2**20} MB: this is not a spend "
                    "export anchorspend can read (binary data, or a file without line breaks?)",
                    path=display,
                    hint="check the file; lines must end in LF or CR LF; split or re-export it",
                )
            if first >= 0:
                line += chunk.count(b"\n")
                since = len(chunk) - chunk.rfind(b"\n") - 1
            done += len(chunk)
    return content, line - (since == 0)  # a final line break starts no line


def _too_wide(display: str, row: int | None) -> AnchorspendError:
    return AnchorspendError(
        f"{f'row {row}' if row else 'a row'} has more than {MAX_COLUMNS:,} cells; "
        f"anchorspend reads at most {MAX_COLUMNS:,} columns",
        path=display,
        hint="check that this is a spend export and that its delimiter is , ; | or tab",
    )


def _parse_error(path: Path, display: str, exc: Exception) -> AnchorspendError:
    """Polars' message for a quote that is never closed quotes the rest of the file: say where
    the cell starts instead."""
    text = str(exc)
    unclosed, column = _UNCLOSED.search(text), _COLUMN_NUMBER.search(text)
    if unclosed and unclosed[1].startswith('"'):
        start = unclosed[1].split("\n", 1)[0].rstrip("\r")[:60].encode()
        offset = _find(path, start)
        where = f"line {line_of(path, offset)}" if offset >= 0 else "a line"
        col = f", column {column[1]}" if column else ""
        return AnchorspendError(
            f"{where}{col}: a quoted cell ({start.decode(errors='replace')!r}…) is never "
            "closed, so the rest of the file would be read into it",
            path=display,
            hint='close the quote (a literal " inside a quoted cell is written "")',
        )
    return AnchorspendError(
        f"could not parse as delimited text: {text.splitlines()[0][:200]}",
        path=display,
        hint="check the quoting; --encoding if the text looks garbled",
    )


def _cr_to_lf(path: Path) -> Path:
    """A temporary copy of ``path`` with every CR turned into LF."""
    fd, name = tempfile.mkstemp(prefix="anchorspend-", suffix=".lf.csv")
    out = Path(name)
    try:
        with os.fdopen(fd, "wb") as sink, path.open("rb") as fh:
            while chunk := fh.read(_SCAN_CHUNK):
                sink.write(chunk.replace(b"\r", b"\n"))
    except BaseException:
        out.unlink(missing_ok=True)
        raise
    return out


def _find(path: Path, needle: bytes) -> int:
    """Byte offset of the first occurrence of ``needle`` (which may straddle a chunk), or -1."""
    done, tail = 0, b""
    with path.open("rb") as fh:
        while chunk := fh.read(_SCAN_CHUNK):
            data = tail + chunk
            at = data.find(needle)
            if at >= 0:
                return done - len(tail) + at
            tail = data[-len(needle) :]
            done += len(chunk)
    return -1


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


@contextmanager
def _prepared(
    path: Path, display: str, encoding: str | None, delimiter: str | None
) -> Iterator[_Prepared]:
    """The file decoded to UTF-8 (a temporary copy where it is not), checked for NUL bytes and
    overlong lines, with its delimiter and width sniffed from the first non-blank records."""
    decoded = decode(path, display=display, forced=encoding)
    cr_only: Path | None = None
    try:
        with decoded.path.open("rb") as fh:
            head = fh.read(SAMPLE_BYTES)
        if b"\r" in head and b"\n" not in head:
            # classic Mac line endings ("CSV (Macintosh)"): Polars knows only LF and CR LF
            cr_only = _cr_to_lf(decoded.path)
            decoded.findings.append(
                Finding(
                    "line-endings-cr",
                    "lines end in CR only (a classic Mac export); each CR is read as a line break",
                    "info",
                    path=display,
                )
            )
        source = cr_only or decoded.path
        content, lines = _scan_bytes(source, display)
        if content < 0:
            raise AnchorspendError(
                "the file is empty", path=display, hint="check the export; nothing to read"
            )
        with source.open("rb") as fh:  # sniff from the first line that is not blank
            fh.seek(content)
            sample = fh.read(SAMPLE_BYTES).decode("utf-8", errors="ignore")
        sample = sample.removeprefix("\ufeff")
        delim = delimiter or sniff_delimiter(sample, path.suffix.lower())
        widths = [len(r) for r in _sample_records(sample, delim)]
        width = max(widths, default=1)
        if width > MAX_COLUMNS:
            raise _too_wide(display, next(i for i, w in enumerate(widths, 1) if w > MAX_COLUMNS))
        yield _Prepared(source, decoded.encoding, decoded.findings, delim, width, lines)
    finally:
        decoded.cleanup()
        if cr_only is not None:
            cr_only.unlink(missing_ok=True)


class WiderThanSampled(Exception):
    """A record further on is wider than the sample's: read the file again, ``width`` wide."""

    def __init__(self, width: int) -> None:
        super().__init__(width)
        self.width = width


def _widened(exc: Exception, source: Path, display: str, width: int) -> int:
    """The width to read again at, when ``exc`` says a record had more cells than ``width``;
    any other parse error is the user's, said plainly."""
    # Polars says "more fields" past the first record, "n_extra" for the first one
    if "more fields" not in str(exc) and "n_extra" not in str(exc):
        raise _parse_error(source, display, exc) from exc
    if width >= MAX_COLUMNS:
        raise _too_wide(display, None) from exc
    return min(MAX_COLUMNS, width * 2)


def _strip_bom(frame: pl.DataFrame) -> pl.DataFrame:
    first = pl.col(cell_name(0))
    return frame.with_columns(
        pl.col(ROW).cast(pl.Int64),
        pl.when(pl.col(ROW) == 1).then(first.str.strip_prefix("\ufeff")).otherwise(first),
    )


def read_csv(
    path: Path, *, display: str, encoding: str | None = None, delimiter: str | None = None
) -> RawTable:
    with _prepared(path, display, encoding, delimiter) as prep:
        width = prep.width
        while True:
            try:
                frame = pl.read_csv(prep.source, **_options(prep.delimiter, width))
                break
            except (pl.exceptions.ComputeError, pl.exceptions.SchemaError) as exc:
                width = _widened(exc, prep.source, display, width)
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
    everywhere are not dropped: that is known only at the end), the decoding findings on the
    first. A record wider than ``width`` and the sample raises :class:`WiderThanSampled`, after
    which the caller starts again with the width it names."""
    with _prepared(path, display, encoding, delimiter) as prep:
        width = max(width, prep.width)
        batches = pl.scan_csv(prep.source, **_options(prep.delimiter, width)).collect_batches(
            chunk_size=batch_rows
        )
        findings = prep.findings
        try:
            for frame in batches:
                yield RawTable(
                    _strip_bom(frame), display, width, None, prep.encoding, findings, prep.lines
                )
                findings = []
        except (pl.exceptions.ComputeError, pl.exceptions.SchemaError) as exc:
            raise WiderThanSampled(_widened(exc, prep.source, display, width)) from exc
