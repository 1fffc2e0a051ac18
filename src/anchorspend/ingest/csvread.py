"""Delimited text (``.csv``, ``.tsv``, ``.txt``) → :class:`RawTable`.

The delimiter and the width are sniffed from the first records with the standard ``csv``
module (a bounded sample); the whole file is then parsed by Polars as text, with no header,
so title lines, blank lines and repeated headers stay visible as records and ``_row`` is the
physical record number. A record with more cells than the sample suggested widens the read.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import polars as pl

from anchorspend.errors import AnchorspendError
from anchorspend.ingest.encoding import decode
from anchorspend.ingest.raw import ROW, RawTable, cell_name

SAMPLE_BYTES = 256 * 1024
SAMPLE_RECORDS = 60
MAX_COLUMNS = 4096
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
    try:
        with decoded.path.open("rb") as fh:
            sample = fh.read(SAMPLE_BYTES).decode("utf-8", errors="ignore")
        sample = sample.removeprefix("\ufeff")
        if not sample.strip():
            raise AnchorspendError(
                "the file is empty", path=display, hint="check the export; nothing to read"
            )
        if "\x00" in sample:
            raise AnchorspendError(
                "the file holds NUL bytes: it is binary, or UTF-16 without a byte-order mark",
                path=display,
                hint="--encoding utf-16 if it is UTF-16 text; otherwise check the file",
            )
        delim = delimiter or sniff_delimiter(sample, path.suffix.lower())
        width = max((len(r) for r in _sample_records(sample, delim)), default=1)
        while True:
            try:
                frame = _read(decoded.path, delim, width)
                break
            except pl.exceptions.ComputeError as exc:
                if "more fields" not in str(exc) or width >= MAX_COLUMNS:
                    raise AnchorspendError(
                        f"could not parse as delimited text: {str(exc).splitlines()[0]}",
                        path=display,
                        hint="check the quoting; --encoding if the text looks garbled",
                    ) from exc
                width = min(MAX_COLUMNS, width * 2)
    finally:
        decoded.cleanup()
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
