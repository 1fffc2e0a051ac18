"""Analysed spend in star form: supplier profiles, classified once each, and integer-keyed facts.

``spend_of`` splits analysed rows; a ``SpendBuilder`` splits them batch by batch (a file read
in batches, a store's partitions); ``spend_cells`` rolls the facts up to a view's keys, and
``spend_view`` attaches the profile attributes compare's views read.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

import polars as pl

from anchorspend.ingest.fields import FLAG_FIELDS, ID_KEYS, SUPPLIER_COLS
from anchorspend.ingest.frames import detached, pack, unpack
from anchorspend.periods import PeriodKind, period_expr


def numbered_combos(table: pl.DataFrame, keys: Sequence[str]) -> tuple[pl.DataFrame, pl.Series]:
    """The distinct combinations of ``keys`` in ``table``, in the order first met and numbered
    ``_combo`` (UInt32) from 0, and the number of each row's combination: how a small table
    of cells is mapped onto a view's keys before the facts are re-keyed by position."""
    combos = table.select(keys).unique(maintain_order=True).with_row_index("_combo")
    of = table.join(combos, on=list(keys), how="left", nulls_equal=True, maintain_order="left")
    return combos, of.get_column("_combo")


# A supplier as published: everything classification and location read from a row.
PROFILE_COLS = (*SUPPLIER_COLS, *FLAG_FIELDS, "redacted", "supplier_postcode")
# What the measures and views group spend by, besides the supplier.
FACT_KEYS = ("organisation", "period", "category", "expense_type")


@dataclass(slots=True)
class Spend:
    """Analysed spend in star form. ``profiles``: one row per distinct supplier as published
    (``_pid``, the profile columns, total ``amount`` in pence and ``n`` rows), which is what
    gets classified and located, once each. ``facts``: spend and row counts per organisation ×
    period × category × expense type × ``_pid``, held packed: ``_key`` (the cell × 2³² + the
    profile, UInt64), ``amount`` and ``n``, 24 bytes a fact; ``cells`` names each cell
    (``_cell``, numbered from 0, and :data:`FACT_KEYS`, categorical). A key may appear in
    more than one fact (one per batch that had it): whatever reads the facts adds them up, as
    :func:`spend_cells` (the views' rollups, grouping integers rather than text) and
    :func:`spend_facts` (for readers that group them themselves) leave it to do."""

    profiles: pl.DataFrame
    facts: pl.DataFrame
    cells: pl.DataFrame


def spend_of(rows: pl.DataFrame, period: PeriodKind, ids: Collection[str] = ID_KEYS) -> Spend:
    """Split the analysed rows into supplier profiles and facts (see :class:`Spend`): a
    :class:`SpendBuilder` given one batch."""
    return SpendBuilder(period, ids).add(rows).finish()


class SpendBuilder:
    """Analysed rows in, batch by batch; :class:`Spend` out.

    Each row is hashed into its profile once; everything after works on integers and small
    tables. Profiles, and the organisation × period × category × expense type cells, are
    numbered across batches as one pass over all the rows would number them (first seen, first
    numbered), so each batch's facts carry one integer key (cell and profile) and need only
    adding up at the end: at 10M rows there are ~9M facts, 24 bytes each.

    ``ids``: the identifier columns that can change a supplier's classification (see
    :func:`anchorspend.classify.identifiers_used`). The others are left out of the profiles (as
    null): an authority's own supplier id, unmatched by any lookup, would otherwise split one
    supplier into a profile per authority (3M profiles instead of 240,000 at 10M rows)."""

    def __init__(self, period: PeriodKind, ids: Collection[str] = ID_KEYS) -> None:
        self.period = period
        self.dropped = [c for c in ID_KEYS if c not in ids]
        self.kept = [c for c in PROFILE_COLS if c not in self.dropped]
        self.known: pl.DataFrame | None = None  # the kept profile columns and _pid
        self.cells: pl.DataFrame | None = None  # FACT_KEYS (categorical) and _cell
        self.facts: list[pl.DataFrame] = []  # _key (_cell × 2³² + _pid), amount, n
        self.schema: dict[str, pl.DataType] = {}

    def add(self, rows: pl.DataFrame) -> SpendBuilder:
        analysed = rows.filter(pl.col("_status") == "analysed") if rows.height else rows
        for c in PROFILE_COLS:
            self.schema.setdefault(c, rows.schema.get(c, pl.String()))
        if not analysed.height:
            return self
        self.known, pid = numbered(self.known, analysed.select(self.kept), "_pid")
        grouped = (
            analysed.select(*self._cell_keys(analysed), pid, pl.col("amount"))
            .group_by(*FACT_KEYS, "_pid", maintain_order=True)
            .agg(pl.col("amount").sum(), pl.len().cast(pl.Int64).alias("n"))
        )
        cells = grouped.select(FACT_KEYS).unique(maintain_order=True)
        self.cells, cell_ids = numbered(self.cells, cells, "_cell")
        keyed = grouped.join(
            cells.with_columns(cell_ids),
            on=list(FACT_KEYS),
            how="left",
            nulls_equal=True,
            maintain_order="left",
        )
        self.facts.append(
            keyed.select(
                pack(pl.col("_cell").cast(pl.UInt64), pl.col("_pid")).alias("_key"),
                "amount",
                "n",
            )
        )
        return self

    def add_streamed(
        self, cells: pl.DataFrame, profiles: pl.DataFrame, facts: pl.DataFrame, rows: pl.DataFrame
    ) -> SpendBuilder:
        """A source read by :func:`anchorspend.ingest.stream.stream`: its clean rows as
        ``cells``, ``profiles`` and ``facts`` (see :class:`~anchorspend.ingest.stream.Streamed`),
        and ``rows``, its problem rows made canonical. Profiles and cells are numbered in the
        order of the row that first has them, as :meth:`add` numbers them over every row."""
        analysed = (
            rows.filter(pl.col("_status") == "analysed").sort("_row") if rows.height else rows
        )
        for c in PROFILE_COLS:
            self.schema.setdefault(c, profiles.schema.get(c, pl.String()))
        # profiles: the clean ones (local number _lp) and the analysed problem rows', in order
        found = _in_row_order(profiles, analysed, "_lp", self.kept)
        if not found.height:
            return self
        self.known, pid = numbered(self.known, found.select(self.kept), "_pid")
        found = found.with_columns(pid)
        # cells: the period of each distinct date, then numbered in order as the profiles
        keyed = _in_row_order(cells, analysed, "_lc", (*_CELL_TEXT, "payment_date"))
        keyed = keyed.select("_lc", "_first", *self._cell_keys(keyed))
        self.cells, cell_ids = numbered(self.cells, keyed.select(FACT_KEYS), "_cell")
        keyed = keyed.with_columns(cell_ids)
        self.facts += _streamed_facts(facts, found, keyed, analysed)
        return self

    def _cell_keys(self, rows: pl.DataFrame) -> list[pl.Expr]:
        """:data:`FACT_KEYS` of ``rows``, categorical, the period labelled once per distinct
        date (a quarter's million rows carry ~90 dates)."""
        dates = rows.get_column("payment_date").unique().drop_nulls()
        labels = dates.to_frame().select(period_expr(pl.col("payment_date"), self.period))
        return [
            pl.col("organisation").cast(pl.Categorical),
            pl.col("payment_date")
            .replace_strict(dates, labels.to_series(), return_dtype=pl.Categorical)
            .alias("period"),
            pl.col("category").cast(pl.Categorical),
            pl.col("expense_type").cast(pl.Categorical),
        ]

    def mark(self) -> tuple[int, int, int]:
        """Where the builder is, for :meth:`rollback`."""
        return (
            len(self.facts),
            0 if self.known is None else self.known.height,
            0 if self.cells is None else self.cells.height,
        )

    def rollback(self, mark: tuple[int, int, int]) -> None:
        """Forget the batches added since :meth:`mark` (a source to be read again)."""
        facts, known, cells = mark
        del self.facts[facts:]
        self.known = self.known.head(known) if self.known is not None and known else None
        self.cells = self.cells.head(cells) if self.cells is not None and cells else None

    def finish(self) -> Spend:
        cols = {c: self.schema.get(c, pl.String()) for c in PROFILE_COLS}
        if self.known is None or self.cells is None:
            profiles = pl.DataFrame(schema={"_pid": pl.UInt32, **cols}).with_columns(
                pl.lit(None, pl.Int64).alias("amount"),
                pl.lit(None, pl.Int64).alias("n"),
                pl.lit("analysed").alias("_status"),
            )
            cells = pl.DataFrame(
                schema={"_cell": pl.UInt32} | {k: pl.Categorical() for k in FACT_KEYS}
            )
            return Spend(profiles, pl.DataFrame(schema=_FACTS_SCHEMA), cells)
        # A supplier's spend in one cell may span batches, so a key may recur; the batches'
        # facts are not added up here, as every reader groups them anyway (adding them up would
        # hold them twice, ~400 MB at 10M rows, to merge 0.1% of them)
        facts = pl.concat(self.facts, rechunk=False)
        self.facts = []
        profiles = self.known.with_columns(
            pl.lit(None, cols[c]).alias(c) for c in self.dropped
        ).select("_pid", *PROFILE_COLS)
        totals = (
            facts.lazy()
            .group_by(_profile(pl.col("_key")).alias("_pid"))
            .agg(pl.col("amount").sum(), pl.col("n").sum())
            .collect(engine="streaming")
        )
        profiles = profiles.join(totals, on="_pid", how="left", maintain_order="left")
        return Spend(profiles.with_columns(pl.lit("analysed").alias("_status")), facts, self.cells)


_CELL_TEXT = ("organisation", "category", "expense_type")
_FACTS_SCHEMA = {"_key": pl.UInt64, "amount": pl.Int64, "n": pl.Int64}


def _in_row_order(
    clean: pl.DataFrame, analysed: pl.DataFrame, local: str, cols: Sequence[str]
) -> pl.DataFrame:
    """``cols`` of a streamed source's ``clean`` profiles or cells (numbered ``local`` within
    the source, ``_first``: the row that first has them) and of its ``analysed`` problem rows
    (no ``local`` number), in the order of their first row."""
    found = [clean.select(local, *cols, "_first")]
    if analysed.height:
        row_first = pl.col("_row").alias("_first")
        found.append(analysed.select(pl.lit(None, pl.UInt32).alias(local), *cols, row_first))
    return pl.concat(found, how="vertical_relaxed").sort("_first", maintain_order=True)


def _streamed_facts(
    facts: pl.DataFrame, found: pl.DataFrame, keyed: pl.DataFrame, analysed: pl.DataFrame
) -> list[pl.DataFrame]:
    """A streamed source's facts keyed as the builder numbers profiles (``found``) and cells
    (``keyed``): the clean facts re-keyed by position (a local number's global one, gathered),
    and the analysed problem rows' added up per key."""
    pid_of = _by_local(found, "_lp", "_pid")
    cell_of = _by_local(keyed, "_lc", "_cell")
    clean = facts.select(
        pack(
            pl.lit(cell_of).gather(pl.col("_lc")).cast(pl.UInt64),
            pl.lit(pid_of).gather(pl.col("_lp")),
        ).alias("_key"),
        "amount",
        "n",
    )
    if not analysed.height:
        return [clean]
    rest = pl.DataFrame(
        {
            "_key": pack(
                keyed.filter(pl.col("_lc").is_null()).get_column("_cell").cast(pl.UInt64),
                found.filter(pl.col("_lp").is_null()).get_column("_pid"),
            ),
            "amount": analysed.get_column("amount"),
        }
    )
    summed = rest.group_by("_key", maintain_order=True).agg(
        pl.col("amount").sum(), pl.len().cast(pl.Int64).alias("n")
    )
    return [clean, summed]


def _by_local(table: pl.DataFrame, local: str, ids: str) -> pl.Series:
    """``table``'s ``ids`` at the position of each ``local`` number (null where none has it)."""
    have = table.filter(pl.col(local).is_not_null())
    size = int(have.select(pl.col(local).max()).item()) + 1 if have.height else 0
    return (
        pl.repeat(None, size, dtype=pl.UInt32, eager=True)
        .scatter(have.get_column(local), have.get_column(ids))
        .alias(ids)
    )


def numbered(
    known: pl.DataFrame | None, found: pl.DataFrame, name: str
) -> tuple[pl.DataFrame, pl.Series]:
    """Ids (UInt32, ``name``) for the rows ``found``, row for row: values ``known`` has keep
    their ids, new ones are numbered on in the order first found. Returns ``known`` with the
    new values, detached from the batch's buffers, and the ids. Each row is looked up once;
    only the rows not yet known are grouped (after a few batches of a file, almost none), which
    is quicker than grouping every batch first."""
    on = found.columns
    start = 0 if known is None else known.height
    if known is None:
        hit = pl.repeat(None, found.height, dtype=pl.UInt32, eager=True)
    else:
        joined = found.join(known, on=on, how="left", nulls_equal=True, maintain_order="left")
        hit = joined.get_column(name)
    new = hit.is_null()
    if known is not None and not new.any():
        return known, hit.alias(name)
    unseen = found.filter(new)
    added = unseen.unique(maintain_order=True)
    added = detached(
        added.with_columns(pl.int_range(start, start + added.height, dtype=pl.UInt32).alias(name))
    )
    ids = unseen.join(added, on=on, how="left", nulls_equal=True, maintain_order="left")
    given = hit.scatter(new.arg_true(), ids.get_column(name)).alias(name)
    return added if known is None else pl.concat([known, added], how="vertical"), given


def _profile(key: pl.Expr) -> pl.Expr:
    """A packed fact key's supplier profile (see :class:`Spend`)."""
    return unpack(key)[1]


def _cell(key: pl.Expr) -> pl.Expr:
    """A packed fact key's cell (see :class:`Spend`)."""
    return unpack(key)[0]


def spend_view(cells: pl.DataFrame, attrs: pl.DataFrame, only: tuple[str, ...]) -> pl.DataFrame:
    """Spend cells (:func:`spend_cells`) with the profile attributes named in ``only``
    attached and the keys as text: what compare's network views read."""
    wanted = attrs.select("_pid", *(c for c in only if c in attrs.columns))
    text = [k for k in ("organisation", "category", "expense_type") if k in cells.columns]
    return cells.with_columns(pl.col(text).cast(pl.String)).join(
        wanted, on="_pid", how="left", maintain_order="left"
    )


def spend_facts(spend: Spend, keys: tuple[str, ...]) -> pl.LazyFrame:
    """The facts, lazily, with ``keys`` (categorical), their cell's number ``_key_cell``,
    ``_pid``, ``amount`` and ``n``: for a consumer that groups them further itself, so that
    no rollup of millions of rows is held in between (the keys are gathered from the small
    cells table as the facts stream by)."""
    cell = _cell(pl.col("_key"))
    return spend.facts.lazy().select(
        *(pl.lit(spend.cells.get_column(k)).gather(cell).alias(k) for k in keys),
        cell.alias("_key_cell"),
        _profile(pl.col("_key")).alias("_pid"),
        "amount",
        "n",
    )


def spend_cells(spend: Spend, keys: tuple[str, ...]) -> pl.DataFrame:
    """The facts rolled up to ``keys`` × supplier profile: ``_pid``, ``amount``, ``n``, the
    keys categorical. What the views read, when they take the attributes from the profiles
    themselves (at 10M rows, attributes attached to 3M cells cost ~600 MB).

    The cells are few: each is given the number of its combination of ``keys`` there, the
    facts are re-keyed to that number × 2³² + the profile and grouped on that one integer,
    streamed, and the keys are put back on the (fewer) rows that come out."""
    if not spend.facts.height:
        return (
            spend.cells.select(keys)
            .clear()
            .with_columns(
                pl.lit(None, pl.UInt32).alias("_pid"),
                pl.lit(None, pl.Int64).alias("amount"),
                pl.lit(None, pl.Int64).alias("n"),
            )
        )
    # the cells are numbered 0, 1, 2… in order, so a cell's combination is found by position
    combos, combo_of = numbered_combos(spend.cells, keys)
    key = pl.col("_key")
    rolled = (
        spend.facts.lazy()
        .select(
            pack(pl.lit(combo_of.cast(pl.UInt64)).gather(_cell(key)), _profile(key)).alias("_key"),
            "amount",
            "n",
        )
        .group_by("_key")
        .agg(pl.col("amount").sum(), pl.col("n").sum())
        .collect(engine="streaming")
    )
    combo = rolled.select(_cell(key)).to_series()
    return pl.DataFrame([combos.get_column(k).gather(combo) for k in keys]).with_columns(
        rolled.select(_profile(key).alias("_pid"), "amount", "n")
    )


# the attributes the measures read (see measures.measure_set), and what the category views read
MEASURE_ATTRS = (
    "supplier_key",
    "is_sme",
    "is_vcse",
    "is_diverse_led",
    "categories",
    "local_authority_code",
    "region_code",
    "country_code",
    "imd_decile",
    "redacted",
    "local",
    "payee_kind",
)
CATEGORY_ATTRS = ("supplier_key", "local", "_status")
# what compare's shared-supplier view reads of spend by organisation
BY_ORG_ATTRS = ("supplier_key", "supplier_name", "redacted", "_status", "payee_member")
