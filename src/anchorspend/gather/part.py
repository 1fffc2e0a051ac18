"""What one source gave while it is read (:class:`Part`), and the raw-column helpers both ways of
reading a source share."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import polars as pl

from anchorspend.ingest.raw import ROW, RawTable, cell_name


@dataclass(slots=True)
class Part:
    """What one source gave, kept apart until it is all read (a wider record found late means
    reading it again)."""

    kept: list[pl.DataFrame] = field(default_factory=list)
    summaries: list[pl.DataFrame] = field(default_factory=list)
    pairs: list[pl.DataFrame] = field(default_factory=list)
    findings: list[pl.DataFrame] = field(default_factory=list)
    keys: list[pl.DataFrame] = field(default_factory=list)
    rows: int = 0
    amount: int = 0


def trimmed(table: RawTable) -> RawTable:
    """``table`` without the trailing columns empty in every record."""
    width = last_used(table.frame) + 1
    cells = table.frame.select(ROW, *(cell_name(i) for i in range(width)))
    return replace(table, frame=cells, width=width)


def last_used(frame: pl.DataFrame) -> int:
    """Index of the last raw column with a cell in ``frame`` (0 when none has)."""
    cols = [c for c in frame.columns if c != ROW]
    if not cols or not frame.height:
        return 0
    has = frame.select(pl.col(cols).is_not_null().any()).row(0)
    return max((i for i, h in enumerate(has) if h), default=0)
