"""The first plan's distinct cells and profiles made canonical, once per distinct key, and the
rows they show to be problem rows (as an expression over the records, for the second plan)."""

from __future__ import annotations

import polars as pl

from anchorspend.ingest.fields import FLAG_FIELDS, default_organisation
from anchorspend.ingest.frames import unpack
from anchorspend.ingest.raw import ROW
from anchorspend.ingest.stream.keys import distinct, split
from anchorspend.ingest.stream.plan import CELL_FIELDS, Plan
from anchorspend.ingest.values import amounts_of, dates_of, text_value
from anchorspend.normalise import (
    company_number,
    flag,
    flag_is_unknown_text,
    is_redacted_name,
    plain_id,
    redaction_marker,
    vat_number,
)

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


def _any(hits: list[pl.Expr]) -> pl.Expr:
    return pl.any_horizontal(hits).fill_null(False) if hits else pl.lit(False)


def _rows_with(raw: pl.Expr, texts: pl.Series) -> list[pl.Expr]:
    """Tests for the records whose ``raw`` cell is one of ``texts`` (a null among them: an
    empty cell)."""
    hits = []
    if texts.drop_nulls().len():
        hits.append(raw.is_in(texts.drop_nulls().implode()))
    if texts.null_count():
        hits.append(raw.is_null())
    return hits


def canonical_cells(plan: Plan, groups: pl.DataFrame) -> tuple[pl.DataFrame, pl.Expr]:
    """The distinct cells, canonical, and the rows whose cell is a problem."""
    found = distinct(groups, unpack(pl.col("_key"))[0].alias("_lc"), plan.cell_codes, "_c")
    raw = [f"_raw_{f}" for f in plan.cell]
    found = split(found, "_c", raw).drop("_c")
    o = plan.options
    found = found.with_columns(dates_of(found, "_raw_payment_date", o).get_columns())
    if o.organisation:
        org = pl.lit(o.organisation)
    elif "organisation" in plan.cols:
        org = text_value(pl.col("_raw_organisation"))
    else:
        org = pl.lit(default_organisation(plan.display, o))
    canon = found.with_columns(
        org.alias("organisation"),
        *(
            (text_value(pl.col(f"_raw_{f}")) if f in plan.cell else pl.lit(None, pl.String)).alias(
                f
            )
            for f in ("category", "expense_type")
        ),
    )
    why = {
        "payment_date": pl.col("_date_status") != "ok",
        "organisation": pl.col("organisation").is_null(),
    }
    hits: list[pl.Expr] = []
    for f, cond in why.items():
        if f in plan.cell:
            hits += _rows_with(plan.raw(f), canon.filter(cond).get_column(f"_raw_{f}"))
    canon = canon.filter(~pl.any_horizontal(why.values()))
    return canon.select("_lc", *CELL_FIELDS, "_first"), _any(hits)


def _read_profiles(plan: Plan, groups: pl.DataFrame) -> pl.DataFrame:
    """The distinct profiles with their texts (``_raw_<field>``, ``_raw_amount`` where the
    amount was not plain, ``_raw_row`` where the first plan marked the row), canonical
    fields, ``_odd_flag`` (a flag that is not yes or no), and ``_odd_pence`` and
    ``_odd_status``: an amount that was not plain, parsed once per text."""
    found = distinct(groups, unpack(pl.col("_key"))[1].alias("_lp"), plan.profile_codes, "_p")
    raw = [f"_raw_{f}" for f in plan.profile]
    found = (
        split(found, "_p", [*raw, "_raw_amount", "_raw_row"], ("_plain",))
        .drop("_p")
        .with_columns(pl.col("_raw_row").cast(pl.Int64))
    )
    r = plan.profile_text
    redacted = is_redacted_name(r("supplier_name"))
    if "redaction_marker" in plan.profile:
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
    not_plain = ~pl.col("_plain")
    odd = amounts_of(
        canon.select(pl.when(not_plain).then(pl.col("_raw_amount")).alias("_raw_amount")),
        "_raw_amount",
    )
    return canon.with_columns(
        pl.when(not_plain).then(odd.get_column("amount")).alias("_odd_pence"),
        pl.when(not_plain).then(odd.get_column("_amount_status")).alias("_odd_status"),
    )


def canonical_profiles(
    plan: Plan, groups: pl.DataFrame
) -> tuple[pl.DataFrame, pl.Expr, pl.DataFrame]:
    """The distinct profiles, canonical (with the pence of an amount that was not plain),
    the rows whose profile is a problem, and the amount texts that were not plain but
    parsed cleanly (``_text``, ``_pence``)."""
    canon = _read_profiles(plan, groups)
    not_plain = ~pl.col("_plain")
    missing_name = pl.col("supplier_name").is_null() | (pl.col("supplier_name") == "")
    bad_amount = not_plain & (pl.col("_odd_status") != "ok")
    marked = pl.col("_raw_row").is_not_null()
    bad = missing_name | bad_amount | marked | pl.col("_odd_flag")
    hits: list[pl.Expr] = [plan.raw("supplier_name").is_null()]
    rows = canon.filter(marked).get_column("_raw_row")
    if rows.len():
        hits.append(pl.col(ROW).is_in(rows.implode()))
    names = canon.filter(missing_name).get_column("_raw_supplier_name").drop_nulls()
    if names.len():
        hits.append(plan.raw("supplier_name").is_in(names.implode()))
    hits += _rows_with(plan.amount, canon.filter(bad_amount).get_column("_raw_amount"))
    for f in FLAG_FIELDS:
        if f in plan.profile:
            texts = canon.filter(flag_is_unknown_text(plan.profile_text(f)).fill_null(False))
            if texts.height:
                hits.append(plan.raw(f).is_in(texts.get_column(f"_raw_{f}").implode()))
    keep = canon.filter(~bad).select("_lp", *_PROFILE_COLS, "_odd_pence", "_first")
    parsed = (
        canon.filter(not_plain & (pl.col("_odd_status") == "ok"))
        .select(pl.col("_raw_amount").alias("_text"), pl.col("_odd_pence").alias("_pence"))
        .unique("_text")
    )
    return keep, _any(hits), parsed
