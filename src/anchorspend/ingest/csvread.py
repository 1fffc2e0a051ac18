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
from pathlib import Path

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


def _scan_bytes(path: Path, display: str) -> int:
    """One bounded pass over the UTF-8 bytes: refuse a NUL byte anywhere and a line longer than
    MAX_LINE_BYTES. Returns the offset of the first line holding more than whitespace (-1 if
    none), where the sample for sniffing starts. A line that fits inside one read chunk is
    shorter than the limit; one that crosses chunks is measured exactly."""
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
    return content


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


def _read(path: Path, delimiter: str, width: int) -> pl.DataFrame:
    return pl.read_csv(
        path,
        has_header=False,
        separator=delimiter,
        quote_char='"',
        schema={cell_name(i): pl.String for i in range(width)},
        missing_columns="insert",
        empty_string_is_null=True,
        raise_if_empty=False,
        infer_schema=False,
        encoding="utf8",
        row_index_name=ROW,
        row_index_offset=1,
    )


def read_csv(
    path: Path, *, display: str, encoding: str | None = None, delimiter: str | None = None
) -> RawTable:
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
        content = _scan_bytes(source, display)
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
        while True:
            try:
                frame = _read(source, delim, width)
                break
            except (pl.exceptions.ComputeError, pl.exceptions.SchemaError) as exc:
                # Polars says "more fields" past the first record, "n_extra" for the first one
                wider = "more fields" in str(exc) or "n_extra" in str(exc)
                if not wider:
                    raise _parse_error(source, display, exc) from exc
                if width >= MAX_COLUMNS:
                    raise _too_wide(display, None) from exc
                width = min(MAX_COLUMNS, width * 2)
    finally:
        decoded.cleanup()
        if cr_only is not None:
            cr_only.unlink(missing_ok=True)
    # Trailing columns that are empty in every record add nothing but width.
    used = [c for c in frame.columns[1:] if frame.get_column(c).null_count() < frame.height] or [
        cell_name(0)
    ]
    keep = frame.columns[1 : 1 + int(used[-1][1:]) + 1]
    frame = frame.select(pl.col(ROW).cast(pl.Int64), *keep)
    first = pl.col(cell_name(0))
    frame = frame.with_columns(
        pl.when(pl.col(ROW) == 1).then(first.str.strip_prefix("\ufeff")).otherwise(first)
    )
    return RawTable(
        frame=frame,
        source=display,
        width=len(keep),
        encoding=decoded.encoding,
        findings=decoded.findings,
    )
