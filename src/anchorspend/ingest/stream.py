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
rows above them, for :func:`anchorspend.ingest.canonical.build_batch` to treat one by one as
it always has (rejections, footers, findings and all). A clean file is read once.

:class:`Unsuited` says a source is better read batch by batch: its texts hold the separator
the keys are joined with, a field an exclusion rule reads cannot be checked per row here, or
most of its rows are problem rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from anchorspend.ingest.fields import FLAG_FIELDS, TEXT_FIELDS, RowOptions, default_organisation
from anchorspend.ingest.frames import pack, unpack
from anchorspend.ingest.mapping import Mapping
from anchorspend.ingest.raw import ROW
from anchorspend.ingest.values import amounts_of, dates_of, text_value
from anchorspend.normalise import (
    company_number,
    flag,
    flag_is_unknown_text,
    is_redacted_name,
    plain_amount,
    plain_id,
    redaction_marker,
    vat_number,
)

CELL_FIELDS = ("organisation", "payment_date", "category", "expense_type")
"""What a spend cell is keyed on, as published."""
PROFILE_FIELDS = (
    "supplier_name",
    "company_number",
    "charity_number",
    "vat_number",
    "supplier_id",
    *FLAG_FIELDS,
    "redaction_marker",
    "supplier_postcode",
)
"""What a supplier as published is keyed on (the caller leaves out identifiers no lookup
reads)."""
_SEP = "\x1f"  # between the parts of a key; a text holding it makes the source Unsuited
_PROFILE_COLS = (
    "supplier_name",
    "company_number",
    "charity_number",
    "vat_number",
    "supplier_id",
    *FLAG_FIELDS,
    "redacted",
    "supplier_postcode",
)
_RULE_FIELDS = {"organisation", "supplier_name", *TEXT_FIELDS, "expense_area", "purpose"}
PROBLEM_SHARE = 0.2
"""Above this share of problem rows a source is read batch by batch: the second plan holds its
problem rows at once."""


class Unsuited(Exception):
    """The source is read batch by batch instead (see the module docstring)."""


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


def _part(expr: pl.Expr) -> pl.Expr:
    """One part of a key: ``v`` and the text, or empty for a null (so the two never meet)."""
    return pl.concat_str(pl.lit("v"), expr).fill_null(pl.lit(""))


def _key(parts: list[pl.Expr]) -> pl.Expr:
    return pl.concat_str(parts, separator=_SEP) if parts else pl.lit("")


def _split(frame: pl.DataFrame, key: str, names: list[str]) -> pl.DataFrame:
    """``frame``'s key texts back to their parts, as written (see :func:`_part`)."""
    text = pl.col(key).cast(pl.String)
    bad = frame.select((text.str.count_matches(_SEP, literal=True) != len(names) - 1).any())
    if bad.item():
        raise Unsuited("a cell holds the key separator")
    parts = text.str.split(_SEP)
    return frame.with_columns(parts.list.get(i).alias(name) for i, name in enumerate(names))


def _value(part: pl.Expr) -> pl.Expr:
    """A part written by :func:`_part` back to its text (null for a null)."""
    return pl.when(part.str.starts_with("v")).then(part.str.slice(1))


class Plan:
    """The two plans over one source's records, for ``mapping`` and ``options``."""

    def __init__(
        self, mapping: Mapping, options: RowOptions, profile_fields: tuple[str, ...], display: str
    ) -> None:
        self.mapping, self.options, self.display = mapping, options, display
        self.cols = mapping.columns
        if options.date_format is None and "payment_date" not in self.cols:
            raise Unsuited("no payment date column")
        for rule in options.exclude:
            if not set(rule.patterns) <= _RULE_FIELDS:
                raise Unsuited("an exclusion rule reads a field checked only row by row")
        self.cell = [f for f in CELL_FIELDS if f in self.cols and not self._org_given(f)]
        self.profile = [f for f in profile_fields if f in self.cols]
        self.extra = [f"c{i}" for i, h in enumerate(mapping.headers) if not h]
        self.amount = pl.col(self.cols["amount"])
        # each source's keys get codes of their own, numbered from 0; the codes' texts live as
        # long as something of their type does (these empty series, until the plan is done)
        self.cell_codes = pl.Categorical(pl.Categories.random())
        self.profile_codes = pl.Categorical(pl.Categories.random())
        self._alive = [pl.Series(dtype=self.cell_codes), pl.Series(dtype=self.profile_codes)]
        self.is_plain, self.plain_pence = plain_amount(self.amount)

    def _org_given(self, f: str) -> bool:
        return f == "organisation" and bool(self.options.organisation)

    def raw(self, f: str) -> pl.Expr:
        return pl.col(self.cols[f])

    def body(self, records: pl.LazyFrame) -> pl.LazyFrame:
        row, at = pl.col(ROW), self.mapping.header_row
        return records.filter(row != at if self.mapping.header_last else row > at)

    def _marked(self) -> pl.Expr:
        """Rows the first plan marks as problem rows itself."""
        marks = [pl.col(c).is_not_null() for c in self.extra]
        for rule in self.options.exclude:
            marks.append(
                pl.all_horizontal(
                    text_value(self.raw(f)).str.contains(rx).fill_null(False)
                    if f in self.cols
                    else pl.lit(False)
                    for f, rx in rule.patterns.items()
                )
            )
        return pl.any_horizontal(marks) if marks else pl.lit(False)

    def first(self, records: pl.LazyFrame) -> pl.LazyFrame:
        """The first plan: per pair of keys, the plain pence, the rows and the first row."""
        marked = self._marked()
        # the amount: empty where plain (summed), else its text ("n" for none)
        amount_part = (
            pl.when(self.is_plain)
            .then(pl.lit(""))
            .otherwise(pl.concat_str(pl.lit("v"), self.amount).fill_null(pl.lit("n")))
        )
        row_part = _part(pl.when(marked).then(pl.col(ROW).cast(pl.String)))
        profile = _key([_part(self.raw(f)) for f in self.profile] + [amount_part, row_part])
        cell = _key([_part(self.raw(f)) for f in self.cell]).cast(self.cell_codes)
        key = pack(
            cell.to_physical().cast(pl.UInt64),
            profile.cast(self.profile_codes).to_physical().cast(pl.UInt64),
        )
        return (
            self.body(records)
            .select(
                key.alias("_key"),
                pl.when(self.is_plain).then(self.plain_pence).otherwise(0).alias("_pence"),
                pl.col(ROW),
            )
            .group_by("_key")
            .agg(
                pl.col("_pence").sum().alias("amount"),
                pl.len().cast(pl.Int64).alias("n"),
                pl.col(ROW).min().alias("_first"),
            )
        )

    def cells(self, groups: pl.DataFrame) -> tuple[pl.DataFrame, pl.Expr]:
        """The distinct cells, canonical, and the rows whose cell is a problem."""
        found = _distinct(groups, unpack(pl.col("_key"))[0].alias("_lc"), self.cell_codes, "_c")
        raw = [f"_raw_{f}" for f in self.cell]
        found = _split(found, "_c", raw).drop("_c").with_columns(_value(pl.col(c)) for c in raw)
        o = self.options
        found = found.with_columns(dates_of(found, "_raw_payment_date", o).get_columns())
        if o.organisation:
            org = pl.lit(o.organisation)
        elif "organisation" in self.cols:
            org = text_value(pl.col("_raw_organisation"))
        else:
            org = pl.lit(default_organisation(self.display, o))
        canon = found.with_columns(
            org.alias("organisation"),
            *(
                (
                    text_value(pl.col(f"_raw_{f}")) if f in self.cell else pl.lit(None, pl.String)
                ).alias(f)
                for f in ("category", "expense_type")
            ),
        )
        why = {
            "payment_date": pl.col("_date_status") != "ok",
            "organisation": pl.col("organisation").is_null(),
        }
        hits: list[pl.Expr] = []
        for f, cond in why.items():
            if f not in self.cell:
                continue
            texts = canon.filter(cond).get_column(f"_raw_{f}")
            if texts.drop_nulls().len():
                hits.append(self.raw(f).is_in(texts.drop_nulls().implode()))
            if texts.null_count():
                hits.append(self.raw(f).is_null())
        canon = canon.filter(~pl.any_horizontal(why.values()))
        return canon.select("_lc", *CELL_FIELDS, "_first"), _any(hits)

    def profiles(self, groups: pl.DataFrame) -> tuple[pl.DataFrame, pl.Expr, pl.DataFrame]:
        """The distinct profiles, canonical (with the pence of an amount that was not plain),
        the rows whose profile is a problem, and the amount texts that were not plain but
        parsed cleanly (``_text``, ``_pence``)."""
        found = _distinct(groups, unpack(pl.col("_key"))[1].alias("_lp"), self.profile_codes, "_p")
        raw = [f"_raw_{f}" for f in self.profile]
        found = (
            _split(found, "_p", [*raw, "_amount_part", "_row_part"])
            .drop("_p")
            .with_columns(
                *(_value(pl.col(c)) for c in raw),
                _value(pl.col("_amount_part")).alias("_raw_amount"),
                _value(pl.col("_row_part")).cast(pl.Int64).alias("_raw_row"),
            )
        )
        not_plain = pl.col("_amount_part") != ""

        def r(f: str) -> pl.Expr:
            return pl.col(f"_raw_{f}") if f in self.profile else pl.lit(None, pl.String)

        redacted = is_redacted_name(r("supplier_name"))
        if "redaction_marker" in self.profile:
            redacted = redacted | redaction_marker(r("redaction_marker"))
        canon = (
            found.lazy()
            .with_columns(
                text_value(r("supplier_name")).alias("supplier_name"),
                redacted.alias("redacted"),
                plain_id(r("supplier_id")).alias("supplier_id"),
                company_number(r("company_number")).alias("company_number"),
                plain_id(r("charity_number")).alias("charity_number"),
                vat_number(r("vat_number")).alias("vat_number"),
                text_value(r("supplier_postcode")).alias("supplier_postcode"),
                *(flag(r(f)).alias(f) for f in FLAG_FIELDS),
                pl.any_horizontal(
                    flag_is_unknown_text(r(f)).fill_null(False) for f in FLAG_FIELDS
                ).alias("_odd_flag"),
            )
            .collect()
        )
        # amounts that were not plain: parsed once per text
        # amounts that were not plain: parsed once per text
        odd = amounts_of(
            canon.select(pl.when(not_plain).then(pl.col("_raw_amount")).alias("_raw_amount")),
            "_raw_amount",
        )
        canon = canon.with_columns(
            pl.when(not_plain).then(odd.get_column("amount")).alias("_odd_pence"),
            pl.when(not_plain).then(odd.get_column("_amount_status")).alias("_odd_status"),
        )
        missing_name = pl.col("supplier_name").is_null() | (pl.col("supplier_name") == "")
        bad_amount = not_plain & (pl.col("_odd_status") != "ok")
        marked = pl.col("_raw_row").is_not_null()
        bad = missing_name | bad_amount | marked | pl.col("_odd_flag")
        hits: list[pl.Expr] = [self.raw("supplier_name").is_null()]
        rows = canon.filter(marked).get_column("_raw_row")
        if rows.len():
            hits.append(pl.col(ROW).is_in(rows.implode()))
        names = canon.filter(missing_name).get_column("_raw_supplier_name").drop_nulls()
        if names.len():
            hits.append(self.raw("supplier_name").is_in(names.implode()))
        amounts = canon.filter(bad_amount).get_column("_raw_amount")
        if amounts.drop_nulls().len():
            hits.append(self.amount.is_in(amounts.drop_nulls().implode()))
        if amounts.null_count():
            hits.append(self.amount.is_null())
        for f in FLAG_FIELDS:
            if f in self.profile:
                texts = canon.filter(flag_is_unknown_text(r(f)).fill_null(False))
                if texts.height:
                    hits.append(self.raw(f).is_in(texts.get_column(f"_raw_{f}").implode()))
        keep = canon.filter(~bad).select("_lp", *_PROFILE_COLS, "_odd_pence", "_first")
        parsed = (
            canon.filter(not_plain & (pl.col("_odd_status") == "ok"))
            .select(pl.col("_raw_amount").alias("_text"), pl.col("_odd_pence").alias("_pence"))
            .unique("_text")
        )
        return keep, _any(hits), parsed

    def clean_pence(self, odd: pl.DataFrame) -> pl.Expr:
        """A record's pence as a clean row has them (plain, or an amount parsed once per
        text in ``odd``: ``_text``, ``_pence``)."""
        if not odd.height:
            return pl.when(self.is_plain).then(self.plain_pence)
        parsed = self.amount.replace_strict(
            odd.get_column("_text"), odd.get_column("_pence"), default=None, return_dtype=pl.Int64
        )
        return pl.when(self.is_plain).then(self.plain_pence).otherwise(parsed)

    def second(self, records: pl.LazyFrame, problem: pl.Expr, odd: pl.DataFrame) -> pl.LazyFrame:
        """The second plan: the problem rows' records, with the clean pence above each."""
        clean = pl.when(problem).then(0).otherwise(self.clean_pence(odd).fill_null(0))
        return (
            self.body(records)
            .with_columns(problem.alias("_problem"), clean.alias("_clean"))
            .with_columns((pl.col("_clean").cum_sum() - pl.col("_clean")).alias("_clean_before"))
            .filter(pl.col("_problem"))
            .drop("_problem", "_clean")
        )


def _distinct(
    groups: pl.DataFrame, local: pl.Expr, codes: pl.Categorical, text: str
) -> pl.DataFrame:
    """The distinct ``local`` codes of ``groups``, each with its first row and its key text
    (``text``), in the order first met."""
    name = local.meta.output_name()
    return (
        groups.group_by(local)
        .agg(pl.col("_first").min())
        .sort("_first")
        .with_columns(pl.col(name).cat.to(codes).alias(text))
    )


def _any(hits: list[pl.Expr]) -> pl.Expr:
    return pl.any_horizontal(hits).fill_null(False) if hits else pl.lit(False)


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
    cells, bad_cells = plan.cells(groups)
    profiles, bad_profiles, odd = plan.profiles(groups)
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
    del groups
    # a cell's or profile's first row is the first clean row that has it
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
