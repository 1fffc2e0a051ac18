"""Line ends of a byte stream read in chunks: counted, rewritten, and looked for.

Polars knows two line ends, LF and CR LF. A CR alone (classic Mac exports, and exports that mix
all three) is turned into LF before Polars reads the file: :class:`LineEnds` counts a stream's
line ends and rewrites each lone CR as LF, and :class:`LoneCr` only says whether a stream holds
one. Both hold back a CR that ends a chunk until the next chunk shows whether an LF follows, so
CR LF split across two chunks is one line end.
"""

from __future__ import annotations

import re

from anchorspend.errors import Finding
from anchorspend.findings import make

LONE_CR = re.compile(rb"\r(?!\n)")


class LineEnds:
    """The line ends of a byte stream fed in chunks: counted (:meth:`count`), or counted and
    rewritten so that each lone CR becomes LF (:meth:`convert`, then :meth:`finish`). A CR that
    ends one chunk is held until the next shows whether an LF follows it: CR LF split across two
    chunks is one line end. Counts take in CR and LF inside quoted cells too: they are bytes,
    not records."""

    __slots__ = ("_held", "cr", "crlf", "lf")

    def __init__(self) -> None:
        self.cr = 0  # CR not followed by LF
        self.crlf = 0
        self.lf = 0  # LF not preceded by CR
        self._held = False  # the last chunk ended in a CR not yet counted

    def count(self, chunk: bytes) -> None:
        if not chunk:
            return
        lf = chunk.count(b"\n")
        if self._held:
            if chunk.startswith(b"\n"):
                self.crlf += 1
                lf -= 1
            else:
                self.cr += 1
        crs = chunk.count(b"\r")
        pairs = chunk.count(b"\r\n") if crs and lf else 0
        self._held = chunk.endswith(b"\r")
        self.crlf += pairs
        self.lf += lf - pairs
        self.cr += crs - pairs - self._held

    def convert(self, chunk: bytes) -> bytes:
        """``chunk`` with each lone CR as LF; a CR ending it is held back for the next call."""
        held = self._held
        self.count(chunk)
        if not held and b"\r" not in chunk:
            return chunk
        data = b"\r" + chunk if held else chunk
        if self._held:
            data = data[:-1]
        if b"\n" not in data:
            return data.replace(b"\r", b"\n")
        return LONE_CR.sub(b"\n", data)

    def finish(self) -> bytes:
        """The end of the stream: a CR held back is a line end of its own."""
        if not self._held:
            return b""
        self._held = False
        self.cr += 1
        return b"\n"

    @property
    def breaks(self) -> int:
        return self.cr + self.crlf + self.lf + self._held

    def finding(self, display: str) -> Finding | None:
        """An info finding for a stream with lone CRs: what was found, and how it is read."""
        if not self.cr:
            return None
        if not self.crlf and not self.lf:
            return make("line-endings-cr", path=display)
        kinds = [
            f"{n:,} {name}"
            for n, name in ((self.cr, "CR alone"), (self.crlf, "CR LF"), (self.lf, "LF alone"))
            if n
        ]
        return make("line-endings-mixed", path=display, kinds=", ".join(kinds))


class LoneCr:
    """Whether a byte stream fed in chunks holds a CR not followed by LF. A chunk without CR
    costs one byte search (LF-only files pay nothing more); one with CR, one regex search."""

    __slots__ = ("found", "held")

    def __init__(self) -> None:
        self.found = False
        self.held = False  # the last chunk ended in CR

    def feed(self, chunk: bytes) -> None:
        if self.found or not chunk:
            return
        lone = self.held and not chunk.startswith(b"\n")  # a CR that ended the last chunk
        self.held = chunk.endswith(b"\r")
        if not lone and b"\r" in chunk:  # a CR ending the chunk waits for the next one
            lone = LONE_CR.search(chunk, 0, len(chunk) - self.held) is not None
        self.found = lone

    def finish(self) -> None:
        self.found = self.found or self.held  # a CR ending the file
