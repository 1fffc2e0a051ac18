"""The one shape every reader produces: a grid of text cells with physical row numbers.

Readers do not know about spend: they find no header and parse no amount. They return every
record of the source, blank ones included, so that row numbers stay physical and the header
finder can look at title lines. Everything after this point is Polars expressions.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from anchorspend.errors import Finding

ROW = "_row"
"""Column holding the physical row number, 1-based (the first record of the file or sheet is 1)."""


def cell_name(i: int) -> str:
    """Name of the i-th (0-based) raw column."""
    return f"c{i}"


@dataclass(slots=True)
class RawTable:
    """A source's records as text.

    ``frame`` has ``_row`` (Int64) and ``c0 … c{width-1}`` (String, null for an empty or absent
    cell). ``source`` is the display path (``archive.zip!inner.csv`` for zip members); ``sheet``
    is set for workbooks. ``encoding`` says how the bytes were decoded (``None`` when the format
    carries its own, as XLSX and Parquet do).
    """

    frame: pl.DataFrame
    source: str
    width: int
    sheet: str | None = None
    encoding: str | None = None
    findings: list[Finding] = field(default_factory=list)
    records: int | None = None  # about how many records the whole source holds (for progress)
