"""A source read in two whole-file plans (:func:`anchorspend.ingest.stream.stream`) instead of
batch by batch, where that suits it: the clean rows go straight to spend as aggregated cells,
and only the rows with a problem are made canonical row by row."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import polars as pl

from anchorspend.errors import Finding
from anchorspend.gather.ingested import InputReport
from anchorspend.gather.part import Part, last_used
from anchorspend.ingest.canonical import build_batch, no_data_rows
from anchorspend.ingest.fields import fill_organisation
from anchorspend.ingest.frames import detached, pack
from anchorspend.ingest.mapping import Mapping
from anchorspend.ingest.raw import RawTable
from anchorspend.ingest.sources import Records, Source
from anchorspend.ingest.status import CLEAN_BEFORE
from anchorspend.ingest.stream import PROFILE_FIELDS, Streamed, Unsuited, stream

if TYPE_CHECKING:
    from anchorspend.gather.source import Gather


def read_streamed(
    gather: Gather,
    source: Source,
    records: Records,
    first: RawTable,
    mapping: Mapping,
    at: float,
    later: bool,
) -> tuple[Part, list[Finding], InputReport] | None:
    """``source`` read in two whole-file plans, or None where it is better read batch by
    batch: transactions to be matched across files, or a source the plans do not suit.
    ``first``: its first records, in which ``mapping`` was found."""
    assert gather.spend is not None
    if "transaction_id" in mapping.columns and (later or gather.seen is not None):
        return None
    if gather.progress:
        gather.progress(f"reading {source.display}", at)
    fields = tuple(f for f in PROFILE_FIELDS if f not in gather.spend.dropped)
    try:
        streamed = stream(records.collect, mapping, gather.row_options, fields, source.display)
    except Unsuited:
        return None
    part, seq = Part(), len(gather.parts)
    cells, named = _clean(gather, part, streamed, seq, source.display, records.sheet)
    counts, rows = _problems(gather, part, streamed, first, mapping, named, seq, later)
    if not part.rows:
        raise no_data_rows(source.display, mapping)
    gather.spend.add_streamed(cells, streamed.profiles, streamed.facts, rows)
    return gather.close(part, source, first, mapping, counts)


def _clean(
    gather: Gather, part: Part, streamed: Streamed, seq: int, display: str, sheet: str | None
) -> tuple[pl.DataFrame, list[pl.DataFrame]]:
    """The clean rows counted into ``part`` (rows, pence, a summary per organisation, as
    :func:`~anchorspend.gather.ingested.summarise` gives): the cells renamed, and the count of
    rows per organisation as published (for filling in blank organisations)."""
    renames = gather.run.config.organisations
    cells = streamed.cells
    # the clean rows per cell (hundreds of rows, not millions), then per organisation
    by_cell = (
        streamed.facts.group_by("_lc")
        .agg(pl.col("n").sum(), pl.col("amount").sum(), pl.col("_first").min())
        .join(cells.select("_lc", "organisation"), on="_lc")
        .sort("_first")
    )
    named = [
        by_cell.group_by("organisation")
        .agg(pl.col("n").sum().alias("count"))
        .filter(pl.col("organisation").is_not_null())
    ]
    if renames:
        cells = cells.with_columns(pl.col("organisation").replace(renames))
        by_cell = by_cell.with_columns(pl.col("organisation").replace(renames))
    part.summaries.append(
        by_cell.group_by("organisation", maintain_order=True)
        .agg(
            pl.col("n").sum(),
            pl.col("amount").sum(),
            pack(pl.lit(seq, pl.Int64), pl.col("_first").min()).alias("_first"),
        )
        .select(
            "organisation",
            pl.lit(display).cast(pl.Categorical).alias("_source"),
            pl.lit(sheet, pl.String).cast(pl.Categorical).alias("_sheet"),
            pl.lit("analysed").alias("_status"),
            pl.lit(None, pl.String).alias("_reason"),
            "n",
            "amount",
            "_first",
        )
    )
    part.rows = int(by_cell.get_column("n").sum())
    part.amount = int(by_cell.get_column("amount").sum())
    return cells, named


def _problems(
    gather: Gather,
    part: Part,
    streamed: Streamed,
    first: RawTable,
    mapping: Mapping,
    named: list[pl.DataFrame],
    seq: int,
    later: bool,
) -> tuple[tuple[int, int, int], pl.DataFrame]:
    """The rows with a problem made canonical as a batched read makes them and taken into
    ``part``: the counts :meth:`Gather.close` wants (last raw column used, blank records,
    repeated headers), and those rows, renamed, for the spend builder."""
    blank = repeated = 0
    problems = streamed.problems
    used = last_used(first.frame)
    if not problems.height:
        return (used, blank, repeated), pl.DataFrame()
    used = max(used, last_used(problems.drop(CLEAN_BEFORE)))
    batch = build_batch(replace(first, frame=problems), mapping, gather.row_options)
    blank, repeated = batch.blank_rows, batch.repeated_headers
    part.findings.append(detached(batch.findings))
    if batch.organisations is not None:
        named.append(batch.organisations)
    if batch.frame is None:
        return (used, blank, repeated), pl.DataFrame()
    frame = batch.frame
    if batch.organisations is not None:
        waiting = pl.col("organisation").is_null()
        if frame.select(waiting.any()).item():
            filled_in = fill_organisation(
                frame.filter(waiting), pl.concat(named), first.source, gather.row_options
            )
            frame = pl.concat([frame.filter(~waiting), filled_in]).sort("_row")
    part.rows += frame.height
    return (used, blank, repeated), gather.take(part, frame, seq, later, to_spend=False)
