"""One source's data rows as spend, in one streamed plan, and the few rows that need a closer
look picked out of a second.

The first plan reads every record once. Per row it makes only cheap checks (is the amount a
plain number of pounds; does the row have cells past the header or match an exclusion rule)
and two keys: the *cell* (organisation, payment date, category and expense type as
published) and the *profile* (the supplier as published: name, identifiers, flags,
postcode). Each key is a categorical code; the rows are added up per pair of codes, so what
comes out is one row per supplier per cell, however many rows the file has.

Only then are the keys' texts read, once per distinct value: dates parsed, names and
identifiers normalised, flags read, amounts that were not plain parsed. A value that cannot be
analysed cleanly (a date that is missing, not a date or a period; an amount that is not
exact pence; a missing supplier or organisation; a flag that is not yes or no) marks every
row that has it as a *problem row*, as does a row the first plan marked itself. The
second plan reads the records again and keeps the problem rows alone, with the pence of the
rows above them, for :func:`anchorspend.ingest.canonical.build_batch` to treat one by one as it
treats any batch (rejections, footers, findings and all). A clean file is read once.

:class:`Unsuited` says a source is better read batch by batch: its texts hold the separator
the keys are joined with, a field an exclusion rule reads cannot be checked per row here, or
most of its rows are problem rows.

The package: :mod:`~anchorspend.ingest.stream.keys` (the keys' texts),
:mod:`~anchorspend.ingest.stream.plan` (the two plans over the records) and
:mod:`~anchorspend.ingest.stream.canon` (the distinct keys made canonical, and the problem
rows they show); :func:`stream` runs them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from anchorspend.ingest.fields import RowOptions
from anchorspend.ingest.frames import unpack
from anchorspend.ingest.mapping import Mapping
from anchorspend.ingest.stream.canon import canonical_cells, canonical_profiles
from anchorspend.ingest.stream.keys import Unsuited
from anchorspend.ingest.stream.plan import PROFILE_FIELDS, Plan

__all__ = ["PROFILE_FIELDS", "Streamed", "Unsuited", "stream"]

PROBLEM_SHARE = 0.2
"""Above this share of problem rows a source is read batch by batch: the second plan holds its
problem rows at once."""


@dataclass(slots=True)
class Streamed:
    """A source's clean rows as spend, and its problem rows to be read one by one.

    ``cells``: ``_lc`` (UInt32) with the canonical organisation, payment date, category and
    expense type, and ``_first`` (the row that first had it). ``profiles``: ``_lp`` (UInt32),
    the canonical profile columns and ``_first``. ``facts``: ``_lc``, ``_lp``, ``amount``
    (pence) and ``n`` (rows) of the clean rows. ``problems``: the problem rows' records (as a
    :class:`RawTable` frame has them) with ``_clean_before``, the pence of the clean rows
    above each."""

    cells: pl.DataFrame
    profiles: pl.DataFrame
    facts: pl.DataFrame
    problems: pl.DataFrame


Collect = Callable[[Callable[[pl.LazyFrame], pl.LazyFrame]], pl.DataFrame]


def stream(
    collect: Collect,
    mapping: Mapping,
    options: RowOptions,
    profile_fields: tuple[str, ...],
    display: str,
) -> Streamed:
    """Both plans over one source (see the module docstring). ``collect`` runs a plan over the
    source's records."""
    plan = Plan(mapping, options, profile_fields, display)
    groups = collect(plan.first)
    rows = int(groups.get_column("n").sum())
    cells, bad_cells = canonical_cells(plan, groups)
    profiles, bad_profiles, odd = canonical_profiles(plan, groups)
    lc, lp = unpack(pl.col("_key"))
    sizes = (
        groups.select((lc.max() + 1).alias("c"), (lp.max() + 1).alias("p")).row(0)
        if groups.height
        else (0, 0)
    )
    # clean pairs: both keys clean, found by position (a local number indexes these arrays)
    cell_ok = _at(cells, "_lc", pl.lit(True), sizes[0])
    odd_pence = _at(profiles, "_lp", pl.col("_odd_pence").fill_null(0), sizes[1])
    facts = (
        groups.lazy()
        .with_columns(lc.alias("_lc"), lp.alias("_lp"))
        .with_columns(pl.lit(odd_pence).gather(pl.col("_lp")).alias("_odd"))
        .filter(
            pl.lit(cell_ok).gather(pl.col("_lc")).fill_null(False) & pl.col("_odd").is_not_null()
        )
        .select(
            "_lc",
            "_lp",
            (pl.col("amount") + pl.col("_odd") * pl.col("n")).alias("amount"),
            "n",
            "_first",
        )
        .collect()
    )
    filtered = facts.height < groups.height
    del groups
    # a cell's or profile's first row is the first clean row that has it (where no pair was
    # left out, the first row of all, which it already holds)
    if filtered:
        cells = _first_clean(cells, facts, "_lc")
        profiles = _first_clean(profiles, facts, "_lp")
    problem_rows = rows - int(facts.get_column("n").sum())
    if problem_rows > PROBLEM_SHARE * rows and problem_rows > 1000:
        raise Unsuited("most rows need a closer look")
    problems = (
        collect(lambda lf: plan.second(lf, bad_cells | bad_profiles, odd))
        if problem_rows
        else pl.DataFrame()
    )
    return Streamed(cells, profiles.drop("_odd_pence"), facts, problems)


def _at(table: pl.DataFrame, local: str, value: pl.Expr, size: int) -> pl.Series:
    """``value`` of ``table``'s rows at the position of their ``local`` number, null at the
    numbers ``table`` does not have (``size`` numbers in all)."""
    values = table.select(value.alias("_v")).get_column("_v")
    return pl.repeat(None, size, dtype=values.dtype, eager=True).scatter(
        table.get_column(local), values
    )


def _first_clean(table: pl.DataFrame, facts: pl.DataFrame, key: str) -> pl.DataFrame:
    """``table``'s entries that clean rows have, each with the first of those rows, in order."""
    first = facts.group_by(key).agg(pl.col("_first").min())
    return table.drop("_first").join(first, on=key).sort("_first")
