"""A payments export's own fields, read from their text (``_raw_<field>``) into values: the
invoice, received and due dates, VAT and gross in pence, ``disputed``, ``status`` (paid or
unpaid) and ``procured_under`` (the 2023 Act or an earlier regime). Each distinct text is
parsed once, as the reading parses ``amount`` and ``payment_date``."""

from __future__ import annotations

import polars as pl

from anchorspend.ingest.fields import RAW_PREFIX, RowOptions
from anchorspend.ingest.values import amounts_of, dates_of, per_distinct
from anchorspend.normalise import (
    flag,
    flag_is_unknown_text,
    is_missing,
    plain_amount,
)

DATE_FIELDS = ("invoice_date", "invoice_received_date", "due_date")
MONEY_FIELDS = ("vat_amount", "gross_amount")

_PAID_WORDS = ("PAID", "CLEARED", "CLOSED", "SETTLED", "COMPLETE", "COMPLETED")
_UNPAID_WORDS = (
    "UNPAID",
    "NOT PAID",
    "OUTSTANDING",
    "OPEN",
    "DUE",
    "OVERDUE",
    "PENDING",
    "AWAITING PAYMENT",
    "UNPAID AT PERIOD END",
)
# earlier regimes are tested first: "pre-2023 Act" names the Act but is not under it
_EARLIER = r"(?i)\b(?:pre|before|earlier|legacy|old|pcr|ucr|ccr|dspcr|2006|2011|2015|2016)"
_ACT_2023 = r"(?i)2023|\bpa\s?23\b|\bprocurement act\b"


def parse_fields(rows: pl.DataFrame, options: RowOptions, *, money: bool = True) -> pl.DataFrame:
    """The payment fields read as text (``_raw_<field>``) → values, each distinct text parsed
    once: dates with ``_<field>_status`` (``ok``, ``missing`` or why not); VAT and gross in
    pence with ``_<field>_odd`` (text that is not money); ``disputed`` as a flag with
    ``_disputed_odd`` (text that is not yes/no); ``status`` as ``paid``/``unpaid`` and
    ``regime`` as ``2023-act``/``earlier`` (null where not understood), with
    ``_status_present``/``_regime_present`` (the cell has text). ``money`` False: VAT and gross
    are left null (only s.70 reads them)."""
    out: list[pl.Series] = []
    for f in DATE_FIELDS:
        parsed = dates_of(rows, RAW_PREFIX + f, options)
        out.append(parsed.get_column("payment_date").alias(f))
        out.append(parsed.get_column("_date_status").alias(f"_{f}_status"))
    for f in MONEY_FIELDS:
        if money:
            pence, invalid = _money(rows, RAW_PREFIX + f)
        else:
            pence = pl.repeat(None, rows.height, dtype=pl.Int64, eager=True)
            invalid = pl.repeat(False, rows.height, eager=True)
        out += [pence.alias(f), invalid.alias(f"_{f}_odd")]
    disputed = rows.get_column(RAW_PREFIX + "disputed")
    out.append(per_distinct(disputed, flag(pl.col(disputed.name))).alias("disputed"))
    out.append(
        per_distinct(disputed, flag_is_unknown_text(pl.col(disputed.name))).alias("_disputed_odd")
    )
    status = rows.get_column(RAW_PREFIX + "status")
    out.append(per_distinct(status, _status(pl.col(status.name))).alias("status"))
    regime = rows.get_column(RAW_PREFIX + "procured_under")
    out.append(per_distinct(regime, _regime(pl.col(regime.name))).alias("regime"))
    text = {"status": status, "regime": regime}
    present = rows.select(
        (~is_missing(pl.col(t.name)) & pl.col(t.name).is_not_null()).alias(f"_{k}_present")
        for k, t in text.items()
    )
    return rows.with_columns(*out, *present.get_columns())


def _money(rows: pl.DataFrame, col: str) -> tuple[pl.Series, pl.Series]:
    """Pence of ``col``'s texts (null where missing or not money) and whether each is not
    money: plain amounts (``-1,234.5``) the cheap exact way, the rest by the full parser once
    per distinct text, as the reading parses ``amount``."""
    is_plain, plain_pence = plain_amount(pl.col(col))
    texts = rows.select(pl.col(col), is_plain.alias("_plain"), plain_pence.alias("_pence"))
    odd = amounts_of(texts.select(pl.when(~pl.col("_plain")).then(pl.col(col)).alias(col)), col)
    both = pl.concat([texts, odd], how="horizontal").select(
        pl.when(pl.col("_plain")).then(pl.col("_pence")).otherwise(pl.col("amount")),
        (~pl.col("_plain") & (pl.col("_amount_status") == "invalid")).alias("invalid"),
    )
    return both.to_series(0), both.to_series(1)


def _status(text: pl.Expr) -> pl.Expr:
    s = text.str.strip_chars().str.to_uppercase().str.replace_all(r"[\s_-]+", " ")
    return (
        pl.when(s.is_in(_UNPAID_WORDS))
        .then(pl.lit("unpaid"))
        .when(s.is_in(_PAID_WORDS))
        .then(pl.lit("paid"))
    )


def _regime(text: pl.Expr) -> pl.Expr:
    return (
        pl.when(text.str.contains(_EARLIER))
        .then(pl.lit("earlier"))
        .when(text.str.contains(_ACT_2023))
        .then(pl.lit("2023-act"))
    )


def unknown_status() -> pl.Expr:
    """The row's status has text that is neither paid nor unpaid (after :func:`parse_fields`)."""
    return pl.col("_status_present") & pl.col("status").is_null()


def unknown_disputed() -> pl.Expr:
    """The row's disputed has text that is not yes/no (after :func:`parse_fields`)."""
    return pl.col("_disputed_odd").fill_null(False)
