"""The two plans over one source's records (:class:`Plan`): the first keys and adds up every
record; the second keeps the problem rows, with the pence of the clean rows above each. What
the keys hold and what makes a problem row: :mod:`anchorspend.ingest.stream`."""

from __future__ import annotations

import polars as pl

from anchorspend.ingest.fields import FLAG_FIELDS, TEXT_FIELDS, RowOptions
from anchorspend.ingest.frames import pack
from anchorspend.ingest.mapping import Mapping
from anchorspend.ingest.raw import ROW
from anchorspend.ingest.stream.keys import Unsuited, key
from anchorspend.ingest.values import text_value
from anchorspend.normalise import plain_amount

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
_RULE_FIELDS = {"organisation", "supplier_name", *TEXT_FIELDS, "expense_area", "purpose"}


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

    def profile_text(self, f: str) -> pl.Expr:
        """A profile field's text, as read back from the first plan's key (null where the
        source has no such column)."""
        return pl.col(f"_raw_{f}") if f in self.profile else pl.lit(None, pl.String)

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
        # the amount: null where plain (summed, and flagged), else its text (null for none)
        amount_part = pl.when(self.is_plain).then(None).otherwise(self.amount)
        row_part = pl.when(marked).then(pl.col(ROW).cast(pl.String))
        profile = key(
            [self.raw(f) for f in self.profile] + [amount_part, row_part], (self.is_plain,)
        )
        cell = key([self.raw(f) for f in self.cell]).cast(self.cell_codes)
        pair = pack(
            cell.to_physical().cast(pl.UInt64),
            profile.cast(self.profile_codes).to_physical().cast(pl.UInt64),
        )
        return (
            self.body(records)
            .select(
                pair.alias("_key"),
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
