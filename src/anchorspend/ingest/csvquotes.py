"""The quoting of a delimited file followed line by line, as Polars' parser reads it: on the
error path only, after Polars could not parse the file (or before, for a file Polars would hold
whole), to name the line and the fault, and to mend stray quotes.

A quote inside a cell that does not start with one (``12" pipe``) is read as part of the text:
the cell is quoted in a copy that Polars reads instead, and a ``stray-quote`` warning names the
line. A quoted cell followed by more text, one never closed, and a record too wide stop the read
with the line named.
"""

from __future__ import annotations

import codecs
import os
import tempfile
from dataclasses import dataclass
from operator import methodcaller
from pathlib import Path

from anchorspend.errors import AnchorspendError, Finding
from anchorspend.findings import make
from anchorspend.ingest import csvscan
from anchorspend.ingest.csvscan import MAX_COLUMNS, too_wide
from anchorspend.ingest.csvsniff import CANDIDATE_DELIMITERS, DELIMITER_NAMES

_STRAY_EXAMPLES = 200  # stray-quote findings kept per file; the count is always exact
_EXCERPT = 60  # characters of a line shown in a message


def unreadable(display: str, delimiter: str) -> AnchorspendError:
    """Polars could not parse the file and the re-scan found nothing to name."""
    name = DELIMITER_NAMES.get(delimiter, repr(delimiter))
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
            raise too_wide(self.display, self.record)

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
                f"{DELIMITER_NAMES[other]}; otherwise put a delimiter after the closing quote"
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
class Rescan:
    """A copy of the file in which each cell with a stray quote is quoted, and the findings."""

    source: Path
    findings: list[Finding]


def rescan(source: Path, display: str, delimiter: str) -> Rescan | None:
    """After Polars could not parse ``source``: read it again with :class:`_Records`, streaming,
    writing the copy Polars can read. Raises the fault that stops a reading, named by line;
    ``None`` when there is no stray quote to mend (nor any fault the re-scan knows)."""
    records = _Records(display, delimiter)
    fd, name = tempfile.mkstemp(prefix="anchorspend-", suffix=".quoted.csv")
    out = Path(name)
    try:
        with os.fdopen(fd, "wb") as sink, source.open("rb") as fh:
            tail = b""
            while chunk := fh.read(csvscan.SCAN_CHUNK):
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
    return Rescan(out, records.findings)
