"""What reading the inputs gives (:class:`Ingested`): the rows not analysed, findings, notes,
one :class:`InputReport` per table read, the rows' summary and the analysed spend; and the
summary (:func:`summarise`) that reconciliation and the per-input counts are made from."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

import polars as pl

from anchorspend.errors import Finding
from anchorspend.normalise import pence_to_text
from anchorspend.spend import Spend


@dataclass(slots=True)
class InputReport:
    path: str
    sheet: str | None
    encoding: str | None
    header_row: int
    columns: dict[str, str]
    # per field: the header used, its column letter and the basis of the choice
    mapping: dict[str, dict[str, str]] = field(default_factory=dict)
    rows_read: int = 0
    rows_analysed: int = 0
    rows_excluded: int = 0
    rows_rejected: int = 0
    amount_read: int = 0
    blank_rows: int = 0
    repeated_headers: int = 0
    headers: tuple[str, ...] = ()  # every header cell, mapped or not (not in the document)

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "sheet": self.sheet,
            "encoding": self.encoding,
            "header_row": self.header_row,
            "columns": self.columns,
            "mapping": self.mapping,
            "rows_read": self.rows_read,
            "rows_analysed": self.rows_analysed,
            "rows_excluded": self.rows_excluded,
            "rows_rejected": self.rows_rejected,
            "amount_read": pence_to_text(self.amount_read),
            "blank_rows_skipped": self.blank_rows,
            "repeated_headers_skipped": self.repeated_headers,
        }


@dataclass(slots=True)
class Ingested:
    rows: pl.DataFrame  # canonical rows of every input, with _status/_reason
    findings: pl.DataFrame  # row-level findings
    notes: list[Finding]  # file-level findings
    inputs: list[InputReport]
    summary: pl.DataFrame = field(default_factory=lambda: summarise(pl.DataFrame()))
    # analysed spend already split (a store, read partition by partition); then ``rows`` holds
    # only the rows not analysed
    spend: Spend | None = None


class RowSink(Protocol):
    """Where :func:`ingest` hands each batch's canonical rows instead of keeping them (``store
    add`` writes them out as they come)."""

    def add(self, rows: pl.DataFrame, source: int) -> None:
        """Rows of the ``source``-th source read (0-based), in batches, in reading order but
        for rows whose organisation had to wait for the source's count."""

    def forget(self, source: int) -> None:
        """Drop what ``source`` gave: it is being read again."""


SUMMARY_KEYS = ("organisation", "_source", "_sheet", "_status", "_reason")


def summarise(rows: pl.DataFrame, *also: pl.Expr) -> pl.DataFrame:
    """Rows and pence per organisation, file, sheet, status and reason: all that
    reconciliation and the per-file and per-member counts need, kept after the rows go.
    ``also``: more aggregations per group (a store keeps each group's first position)."""
    if not rows.height:
        return pl.DataFrame(
            schema={
                "organisation": pl.String,
                "_source": pl.Categorical,
                "_sheet": pl.Categorical,
                "_status": pl.String,
                "_reason": pl.String,
                "n": pl.Int64,
                "amount": pl.Int64,
            }
        )
    return rows.group_by(SUMMARY_KEYS, maintain_order=True).agg(
        pl.len().cast(pl.Int64).alias("n"), pl.col("amount").sum(), *also
    )


def combine_summaries(summaries: list[pl.DataFrame]) -> pl.DataFrame:
    """Summaries of parts read apart (batches, a store's partitions), each made with its
    groups' first position as ``_first`` (:func:`summarise`), as one summary in reading
    order."""
    if not summaries:
        return summarise(pl.DataFrame())
    return (
        pl.concat(summaries)
        .sort("_first")
        .group_by(SUMMARY_KEYS, maintain_order=True)
        .agg(pl.col("n").sum(), pl.col("amount").sum())
    )


def refresh_counts(reports: list[InputReport], summary: pl.DataFrame) -> None:
    """Per-input row counts by status, counted once, after every rule has applied (duplicates
    across files included)."""
    if not summary.height:
        return
    counts = {
        (src, sheet, status): n
        for src, sheet, status, n in summary.group_by("_source", "_sheet", "_status")
        .agg(pl.col("n").sum())
        .iter_rows()
    }
    for r in reports:
        for status in ("analysed", "excluded", "rejected"):
            setattr(r, f"rows_{status}", counts.get((r.path, r.sheet, status), 0))
