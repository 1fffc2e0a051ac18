"""Delimited text (``.csv``, ``.tsv``, ``.txt``) → :class:`RawTable`.

The delimiter and the width are sniffed from the first records with the standard ``csv``
module (a bounded sample); the whole file is then parsed by Polars as text, with no header,
so title lines, blank lines and repeated headers stay visible as records and ``_row`` is the
physical record number. A record with more cells than the sample suggested widens the read.

Before Polars sees the file, three bounds keep a hostile file from costing unbounded memory: no
line may be longer than :data:`MAX_LINE_BYTES`, no record wider than :data:`MAX_COLUMNS` cells,
and a file whose quotes would have Polars hold a longer record is re-scanned first (see
:class:`_SplitterRecords`). Line ends are LF or CR LF by then:
:func:`anchorspend.ingest.encoding.decode` turns a lone CR into LF.

When Polars cannot parse the file, the file is read again line by line (:class:`_Records`, on
the error path only) to name the line and the fault. A quote inside a cell that does not start
with one (``12" pipe``) is read as part of the text: the cell is quoted in a copy that Polars
reads instead, and a ``stray-quote`` warning names the line. No message of Polars' own reaches
the user.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from operator import methodcaller
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from anchorspend.errors import AnchorspendError, Finding
from anchorspend.findings import make
from anchorspend.ingest.encoding import decode
from anchorspend.ingest.raw import ROW, RawTable, cell_name

if TYPE_CHECKING:  # NumPy (80 ms to import) is imported when a CSV file is first scanned
    import numpy as np

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
CANDIDATE_DELIMITERS = (",", "\t", ";", "|")
_DELIMITER_NAMES = {",": "commas", "\t": "tabs", ";": "semicolons", "|": "bars"}
_STRAY_EXAMPLES = 200  # stray-quote findings kept per file; the count is always exact
_EXCERPT = 60  # characters of a line shown in a message
_PARSE_ERRORS = (pl.exceptions.ComputeError, pl.exceptions.SchemaError)


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


class _SplitterRecords:
    """Polars' line splitter takes every quote as opening or closing a quoted cell and holds a
    record whole, so one quote never closed, or one stray quote in a file with few others, has
    it hold the rest of the file (measured: 2.3 GB for a 200 MB file). Fed the file chunk by
    chunk, this measures the bytes since the last LF that splitter takes as a record's end (one
    after an even number of quotes); ``runaway`` once more than MAX_LINE_BYTES lie between two
    at a chunk's end. Most chunks are settled with two counts (their quotes, and those before
    their last LF); only a chunk whose last LF lies inside quotes is looked at byte by byte."""

    __slots__ = ("odd", "runaway", "since")

    def __init__(self) -> None:
        self.odd = False  # an odd number of quotes so far
        self.since = 0  # bytes since the last record end
        self.runaway = False

    def feed(self, chunk: bytes) -> None:
        lf = chunk.rfind(b"\n")  # the chunk's last LF
        last = lf  # the last record end
        if b'"' not in chunk:  # every LF lies on the side of the quotes the chunk starts on
            last = -1 if self.odd else lf
        else:
            quotes = _bytes(chunk) == ord('"')
            head = _count(quotes[: max(lf, 0)])  # quotes before the last LF
            tail = _count(quotes[max(lf, 0) :])  # and from it on
            if lf >= 0 and self.odd ^ (head % 2 == 1):  # the last LF lies inside quotes
                last = _last_record_end(chunk, self.odd)
            self.odd ^= (head + tail) % 2 == 1
        self.since = self.since + len(chunk) if last < 0 else len(chunk) - last - 1
        self.runaway = self.runaway or self.since > MAX_LINE_BYTES


def _count(mask: np.ndarray[Any, np.dtype[np.bool_]]) -> int:
    """How many of ``mask`` are true (``count_nonzero``: ten times quicker than a sum)."""
    import numpy as np

    return int(np.count_nonzero(mask))


def _bytes(chunk: bytes) -> np.ndarray[Any, np.dtype[np.uint8]]:
    """``chunk`` as an array of bytes (no copy): NumPy counts a byte in a chunk several times
    faster than ``bytes.count``."""
    import numpy as np

    return np.frombuffer(chunk, dtype=np.uint8)


def _last_record_end(chunk: bytes, odd: bool) -> int:
    """Offset of the last LF of ``chunk`` after an even number of quotes (``odd``: the count
    before the chunk is odd), or -1. Rarely needed."""
    import numpy as np

    data = _bytes(chunk)
    inside = np.cumsum(data == ord('"'), dtype=np.uint8) % 2 != odd  # wraps at 256: even
    ends = np.flatnonzero((data == ord("\n")) & ~inside)
    return int(ends[-1]) if ends.size else -1


@dataclass(slots=True)
class _Scanned:
    content: int  # offset of the first line holding more than whitespace (-1: none)
    lines: int
    runaway: bool  # see :class:`_SplitterRecords`


def _scan_bytes(path: Path, display: str) -> _Scanned:
    """One bounded pass over the UTF-8 bytes: refuse a NUL byte anywhere and a line longer than
    MAX_LINE_BYTES. Returns the offset of the first line holding more than whitespace (-1 if
    none), where the sample for sniffing starts, the number of lines (for progress), and whether
    Polars would hold a record longer than MAX_LINE_BYTES. A line that fits inside one read
    chunk is shorter than the limit; one that crosses chunks is measured exactly."""
    since, line, done, content = 0, 1, 0, -1  # bytes since the last newline; its line number
    quoted = _SplitterRecords()
    with path.open("rb") as fh:
        while chunk := fh.read(_SCAN_CHUNK):
            quoted.feed(chunk)
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
                    hint="check the file; lines must end in LF, CR LF or CR; split or re-export it",
                )
            if first >= 0:
                line += _count(_bytes(chunk) == ord("\n"))
                since = len(chunk) - chunk.rfind(b"\n") - 1
            done += len(chunk)
    return _Scanned(content, line - (since == 0), quoted.runaway)  # a final LF starts no line


def _too_wide(display: str, row: int | None) -> AnchorspendError:
    return AnchorspendError(
        f"{f'row {row}' if row else 'a row'} has more than {MAX_COLUMNS:,} cells; "
        f"anchorspend reads at most {MAX_COLUMNS:,} columns",
        path=display,
        hint="check that this is a spend export and that its delimiter is , ; | or tab",
    )


def _unreadable(display: str, delimiter: str) -> AnchorspendError:
    """Polars could not parse the file and the re-scan found nothing to name."""
    name = _DELIMITER_NAMES.get(delimiter, repr(delimiter))
    return AnchorspendError(
        f"could not read the file as cells separated by {name}: its quoting cannot be followed, "
        "but no one line could be named as the fault",
        path=display,
        hint='check the quoting (a quote inside a quoted cell is written twice, ""); '
        "--delimiter if the cells are separated by another character; "
        "--encoding if the text looks garbled",
    )


def _excerpt(data: bytes) -> str:
    return data[: _EXCERPT * 4].decode("utf-8", errors="replace")[:_EXCERPT]


@dataclass(slots=True)
class _Open:
    """A quoted cell read on past the end of its line."""

    line: int
    column: int
    offset: int  # where the opening quote stands in its line
    start: bytes  # the cell's first bytes on its line, from its opening quote

    @property
    def excerpt(self) -> str:
        return _excerpt(self.start)


class _Records:
    """Delimited text followed line by line as Polars' parser reads it, to name the line where
    it stops. A cell that starts with a quote runs to the next quote that is not doubled, which
    must end the cell (a delimiter or the line's end follows), and may run over lines; in any
    other cell a quote is a literal character: a *stray* quote. Polars' parser reads a stray
    quote so too, but its line splitter counts every quote, so a line with an odd number of them
    stops the read. :meth:`feed` returns each line with such cells quoted (``12" pipe`` becomes
    ``"12"" pipe"``), which Polars reads as the same text.

    A quoted cell followed by more text (``"abc"def``), one never closed, and a record with more
    than :data:`MAX_COLUMNS` cells raise :class:`AnchorspendError`, naming the line."""

    def __init__(self, display: str, delimiter: str) -> None:
        self.display = display
        self.delimiter = delimiter
        self.delim = delimiter.encode()
        self.line = 0  # the physical line being read
        self.record = 0  # the record it belongs to (``_row``)
        self.cells = 0  # cells of that record so far
        self.open: _Open | None = None
        self.strays = 0
        self.findings: list[Finding] = []

    def skip(self, block: bytes) -> bool:
        """Whole lines (each ending in LF) without a quote, taken at one go: inside a quoted
        cell, or records whose width is all there is to check. False where a line may have
        more than MAX_COLUMNS cells: the lines are then fed one by one, to name it."""
        lines = block.count(b"\n")
        if self.open is None:
            if max(map(methodcaller("count", self.delim), block.split(b"\n"))) >= MAX_COLUMNS:
                return False
            self.record += lines
        self.line += lines
        return True

    def feed(self, raw: bytes) -> bytes:
        """One physical line without its LF (a CR before it is kept): the line to write."""
        self.line += 1
        body = raw[:-1] if raw.endswith(b"\r") else raw
        pos = len(codecs.BOM_UTF8) if self.line == 1 and raw.startswith(codecs.BOM_UTF8) else 0
        if self.open is None:
            self.record += 1
            self.cells = 0
            if b'"' not in body:
                self._add(body.count(self.delim) + 1)
                return raw
        edits: list[tuple[int, int]] = []  # cells holding a stray quote, to be quoted
        while True:
            if self.open is not None:
                close = self._closing(body, pos)
                if close < 0:
                    return _quoted(raw, edits)  # the cell runs on over the next line
                pos = close + 1
                if pos < len(body) and not body.startswith(self.delim, pos):
                    raise self._text_after(body, close)
                self.open = None
                if pos >= len(body):
                    return _quoted(raw, edits)
                pos += len(self.delim)
            self._add(1)
            if body.startswith(b'"', pos):
                self.open = _Open(self.line, self.cells, pos, body[pos : pos + _EXCERPT * 4])
                pos += 1
                continue
            end = body.find(self.delim, pos)
            stop = len(body) if end < 0 else end
            if body.find(b'"', pos, stop) >= 0:
                edits.append((pos, stop))
                self._stray(body[pos:stop])
            if end < 0:
                return _quoted(raw, edits)
            pos = end + len(self.delim)

    def finish(self) -> None:
        """The end of the file: a quoted cell still open is never closed."""
        if self.open is not None:
            raise AnchorspendError(
                f"line {self.open.line}, column {self.open.column}: a quoted cell "
                f"({self.open.excerpt!r}…) is never closed, so the rest "
                "of the file would be read into it",
                path=self.display,
                hint='close the quote (a literal " inside a quoted cell is written "")',
            )
        if self.strays > len(self.findings):
            self.findings.append(
                make(
                    "stray-quote",
                    "more",
                    path=self.display,
                    count=self.strays,
                    listed=len(self.findings),
                )
            )

    @staticmethod
    def _closing(body: bytes, pos: int) -> int:
        """Offset of the quote that closes a quoted cell, from ``pos`` on (-1: not this line)."""
        while (quote := body.find(b'"', pos)) >= 0:
            if not body.startswith(b'"', quote + 1):
                return quote
            pos = quote + 2  # "" is a quote inside the cell
        return -1

    def _add(self, cells: int) -> None:
        self.cells += cells
        if self.cells > MAX_COLUMNS:
            raise _too_wide(self.display, self.record)

    def _stray(self, cell: bytes) -> None:
        self.strays += 1
        if len(self.findings) < _STRAY_EXAMPLES:
            text = cell.decode("utf-8", errors="replace")
            self.findings.append(
                make(
                    "stray-quote",
                    path=self.display,
                    row=self.record,
                    value=text[:200],
                    line=self.line,
                    cell=self.cells,
                    excerpt=_excerpt(cell),
                )
            )

    def _text_after(self, body: bytes, close: int) -> AnchorspendError:
        """The quote at ``close`` ends a quoted cell, and more text follows it in the cell."""
        assert self.open is not None
        end = body.find(self.delim, close)
        stop = len(body) if end < 0 else end
        if self.open.line != self.line:
            return AnchorspendError(
                f"line {self.open.line}, column {self.open.column}: a quoted cell "
                f"({self.open.excerpt!r}…) is not closed on its line; "
                f"the next quote, on line {self.line}, is followed by more text "
                f"({_excerpt(body)!r}), so the cell cannot be read",
                path=self.display,
                hint=f'close the quote on line {self.open.line} (a literal " inside a quoted '
                'cell is written "")',
            )
        cell = body[self.open.offset : stop].decode("utf-8", errors="replace")
        after = body[close + 1 : stop].decode("utf-8", errors="replace")
        if not after.strip():
            hint = "remove the spaces after the closing quote"
        elif (other := after[0]) in CANDIDATE_DELIMITERS and other != self.delimiter:
            hint = (
                f"--delimiter '{other}' if the cells are separated by "
                f"{_DELIMITER_NAMES[other]}; otherwise put a delimiter after the closing quote"
            )
        else:
            quoted = '"' + cell.replace('"', '""') + '"'
            example = f" ({quoted})" if len(cell) <= _EXCERPT else ""
            hint = (
                "if the quotes belong to the text, quote the whole cell and double each quote "
                f"inside it{example}; if a delimiter is missing after the closing quote, add it"
            )
        return AnchorspendError(
            f"line {self.line}, column {self.open.column}: a quoted cell is closed and more text "
            f"follows in the same cell ({_excerpt(body[self.open.offset : stop])!r}); a cell "
            "that starts with a quote must end with one",
            path=self.display,
            hint=hint,
        )


def _quoted(raw: bytes, edits: list[tuple[int, int]]) -> bytes:
    """``raw`` with each cell ``raw[start:stop]`` of ``edits`` quoted, its quotes doubled."""
    if not edits:
        return raw
    parts, done = [], 0
    for start, stop in edits:
        cell = raw[start:stop]
        parts += [raw[done:start], b'"', cell.replace(b'"', b'""'), b'"']
        done = stop
    parts.append(raw[done:])
    return b"".join(parts)


@dataclass(slots=True)
class _Rescan:
    """A copy of the file in which each cell with a stray quote is quoted, and the findings."""

    source: Path
    findings: list[Finding]


def _rescan(source: Path, display: str, delimiter: str) -> _Rescan | None:
    """After Polars could not parse ``source``: read it again with :class:`_Records`, streaming,
    writing the copy Polars can read. Raises the fault that stops a reading, named by line;
    ``None`` when there is no stray quote to mend (nor any fault the re-scan knows)."""
    records = _Records(display, delimiter)
    fd, name = tempfile.mkstemp(prefix="anchorspend-", suffix=".quoted.csv")
    out = Path(name)
    try:
        with os.fdopen(fd, "wb") as sink, source.open("rb") as fh:
            tail = b""
            while chunk := fh.read(_SCAN_CHUNK):
                data = tail + chunk
                cut = data.rfind(b"\n") + 1
                block, tail = data[:cut], data[cut:]  # whole lines; the start of the next
                if b'"' in block or not records.skip(block):
                    lines = block.split(b"\n")[:-1]
                    block = b"".join([records.feed(line) + b"\n" for line in lines])
                sink.write(block)
            if tail:
                sink.write(records.feed(tail))
        records.finish()
    except BaseException:
        out.unlink(missing_ok=True)
        raise
    if not records.strays:
        out.unlink(missing_ok=True)
        return None
    return _Rescan(out, records.findings)


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
        scanned = _scan_bytes(source, display)
        if scanned.content < 0:
            raise AnchorspendError(
                "the file is empty", path=display, hint="check the export; nothing to read"
            )
        with source.open("rb") as fh:  # sniff from the first line that is not blank
            fh.seek(scanned.content)
            sample = fh.read(SAMPLE_BYTES).decode("utf-8", errors="ignore")
        sample = sample.removeprefix("\ufeff")
        delim = delimiter or sniff_delimiter(sample, path.suffix.lower())
        widths = [len(r) for r in _sample_records(sample, delim)]
        width = max(widths, default=1)
        if width > MAX_COLUMNS:
            raise _too_wide(display, next(i for i, w in enumerate(widths, 1) if w > MAX_COLUMNS))
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
    """The file Polars reads: the prepared one, or the copy in which :func:`_rescan` quoted
    stray quotes. A file Polars would hold whole (``runaway``) is re-scanned before Polars
    reads it, so a quote never closed is named without Polars holding the rest of the file."""

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
                raise _too_wide(self.display, None) from exc
            raise _unreadable(self.display, self.prep.delimiter) from exc
        return width

    def _rescan(self) -> bool:
        """Re-scan the file (raising the fault it names); True if stray quotes were mended."""
        self.rescanned = True
        rescan = _rescan(self.path, self.display, self.prep.delimiter)
        if rescan is None:
            return False
        self.path = rescan.source
        self.prep.findings.extend(rescan.findings)
        return True

    def cleanup(self) -> None:
        if self.path != self.prep.source:
            self.path.unlink(missing_ok=True)


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
                    again = reading.recover(exc, width)
                    if again != width:
                        raise WiderThanSampled(again) from exc
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
        first = pl.col(cell_name(0))
        return scan.with_columns(
            pl.col(ROW).cast(pl.Int64),
            pl.when(pl.col(ROW) == 1).then(first.str.strip_prefix("\ufeff")).otherwise(first),
        )

    def collect(self, plan: Callable[[pl.LazyFrame], pl.LazyFrame]) -> pl.DataFrame:
        while True:
            try:
                return plan(self.frame).collect(engine="streaming")
            except _PARSE_ERRORS as exc:
                again = self.reading.recover(exc, self.width)
                if again != self.width:
                    raise WiderThanSampled(again) from exc


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
