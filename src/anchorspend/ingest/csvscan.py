"""The bounded pass over a delimited file's UTF-8 bytes before Polars reads it.

Three bounds keep a hostile file from costing unbounded memory: no line may be longer than
:data:`MAX_LINE_BYTES`, no record wider than :data:`MAX_COLUMNS` cells, and a file whose quotes
would have Polars hold a longer record is noted (``runaway``, see :class:`_SplitterRecords`), so
that it is re-scanned before Polars reads it. A NUL byte anywhere stops the read.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from anchorspend.errors import AnchorspendError

if TYPE_CHECKING:  # NumPy (80 ms to import) is imported when a CSV file is first scanned
    import numpy as np

MAX_COLUMNS = 4096
# A spend record is a few hundred bytes; Polars holds a line whole.
MAX_LINE_BYTES = 16 * 1024 * 1024
# Bytes read at a time, by this scan and by the re-scan of :mod:`anchorspend.ingest.csvquotes`.
SCAN_CHUNK = 4 * 1024 * 1024


class _SplitterRecords:
    """Polars' line splitter takes every quote as opening or closing a quoted cell and holds a
    record whole, so one quote never closed, or one stray quote in a file with few others, has
    it hold the rest of the file (in memory, many times the file's size). Fed the file chunk by
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
            quotes = _as_array(chunk) == ord('"')
            head = _count_true(quotes[: max(lf, 0)])  # quotes before the last LF
            tail = _count_true(quotes[max(lf, 0) :])  # and from it on
            if lf >= 0 and self.odd ^ (head % 2 == 1):  # the last LF lies inside quotes
                last = _last_record_end(chunk, self.odd)
            self.odd ^= (head + tail) % 2 == 1
        self.since = self.since + len(chunk) if last < 0 else len(chunk) - last - 1
        self.runaway = self.runaway or self.since > MAX_LINE_BYTES


def _count_true(mask: np.ndarray[Any, np.dtype[np.bool_]]) -> int:
    """How many of ``mask`` are true (``count_nonzero``: ten times quicker than a sum)."""
    import numpy as np

    return int(np.count_nonzero(mask))


def _as_array(chunk: bytes) -> np.ndarray[Any, np.dtype[np.uint8]]:
    """``chunk`` as an array of bytes (no copy): NumPy counts a byte in a chunk several times
    faster than ``bytes.count``."""
    import numpy as np

    return np.frombuffer(chunk, dtype=np.uint8)


def _last_record_end(chunk: bytes, odd: bool) -> int:
    """Offset of the last LF of ``chunk`` after an even number of quotes (``odd``: the count
    before the chunk is odd), or -1. Rarely needed."""
    import numpy as np

    data = _as_array(chunk)
    inside = np.cumsum(data == ord('"'), dtype=np.uint8) % 2 != odd  # wraps at 256: even
    ends = np.flatnonzero((data == ord("\n")) & ~inside)
    return int(ends[-1]) if ends.size else -1


@dataclass(slots=True)
class Scanned:
    content: int  # offset of the first line holding more than whitespace (-1: none)
    lines: int
    runaway: bool  # see :class:`_SplitterRecords`


def scan_bytes(path: Path, display: str) -> Scanned:
    """One bounded pass over the UTF-8 bytes: refuse a NUL byte anywhere and a line longer than
    MAX_LINE_BYTES. Returns the offset of the first line holding more than whitespace (-1 if
    none), where the sample for sniffing starts, the number of lines (for progress), and whether
    Polars would hold a record longer than MAX_LINE_BYTES. A line that fits inside one read
    chunk is shorter than the limit; one that crosses chunks is measured exactly."""
    since, line, done, content = 0, 1, 0, -1  # bytes since the last newline; its line number
    quoted = _SplitterRecords()
    with path.open("rb") as fh:
        while chunk := fh.read(SCAN_CHUNK):
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
                line += _count_true(_as_array(chunk) == ord("\n"))
                since = len(chunk) - chunk.rfind(b"\n") - 1
            done += len(chunk)
    return Scanned(content, line - (since == 0), quoted.runaway)  # a final LF starts no line


def too_wide(display: str, row: int | None) -> AnchorspendError:
    return AnchorspendError(
        f"{f'row {row}' if row else 'a row'} has more than {MAX_COLUMNS:,} cells; "
        f"anchorspend reads at most {MAX_COLUMNS:,} columns",
        path=display,
        hint="check that this is a spend export and that its delimiter is , ; | or tab",
    )
