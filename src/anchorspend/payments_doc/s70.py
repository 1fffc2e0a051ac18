"""Procurement Act 2023 s.70: each payment over £30,000 (VAT included) published one by one,
by calendar quarter (``--s70``): the rows, the fields the exports lack, and the gross amount."""

from __future__ import annotations

from typing import Any

import polars as pl

from anchorspend.errors import AnchorspendError, Finding
from anchorspend.findings import make
from anchorspend.ingest.fields import RAW_PREFIX
from anchorspend.normalise import pence_to_text
from anchorspend.payments.periods import quarter_of
from anchorspend.payments.rules import Setup
from anchorspend.payments_doc.listing import money_text, named

S70_THRESHOLD = 3_000_000  # pence, VAT included: s.70 publishes each payment over £30,000
# what s.70's publication of a payment needs, as the export may carry it
S70_FIELDS = (
    "organisation",
    "payment_date",
    "supplier_name",
    "gross_amount",
    "contract_id",
    "invoice_id",
    "company_number",
    "expense_type",
    "purpose",
)


def gross_of(has: frozenset[str]) -> pl.Expr | None:
    """A payment's gross pence: the export's gross amount, else amount + VAT; None when the
    export carries neither."""
    if "gross_amount" in has:
        return pl.col("gross_amount")
    if "vat_amount" in has:
        return pl.col("amount") + pl.col("vat_amount")
    return None


def s70_missing(fields: frozenset[str]) -> list[str]:
    """The fields of s.70's publication the exports do not carry (their columns in
    s70_payments.csv are empty). The gross may come from the amount and its VAT."""
    have = fields | {"organisation", "payment_date", "supplier_name"}
    if "vat_amount" in fields:
        have |= {"gross_amount"}
    return [f for f in S70_FIELDS if f not in have]


def s70_rows(
    rows: pl.DataFrame, setup: Setup, profiles: pl.DataFrame
) -> tuple[pl.DataFrame, list[Finding]]:
    """Each payment over £30,000 gross (VAT included), one row a payment, never aggregated,
    by calendar quarter: those under contracts procured under the 2023 Act (all payments
    where the export does not say). The publication's fields as far as the export carries
    them; a field it lacks is a null column (and named in the document)."""
    gross = gross_of(setup.fields)
    if gross is None:
        raise AnchorspendError(
            "--s70 needs each payment's gross amount (VAT included): the export has neither a "
            "gross amount nor a VAT column",
            hint='--map gross_amount="Header" or --map vat_amount="Header"',
        )
    paid = rows.filter(
        (pl.col("_status") == "analysed")
        & pl.col("payment_date").is_not_null()
        & pl.col("in_scope")
        & (pl.col("payment_date") >= pl.lit(setup.commencement))
    ).with_columns(gross.alias("_gross"))
    over = named(paid.filter(pl.col("_gross") > S70_THRESHOLD), profiles).sort(
        "payment_date", pl.col("_source").cast(pl.String), "_row"
    )
    return over.select(_published_columns()), _gross_unknown(paid)


def _gross_unknown(paid: pl.DataFrame) -> list[Finding]:
    """A finding for the payments whose gross cannot be known (``_gross`` null), if any."""
    unknown = paid.filter(pl.col("_gross").is_null() & (pl.col("amount") > 0))
    if not unknown.height:
        return []
    return [
        make(
            "s70-gross-unknown",
            row=int(unknown.item(0, "_row")),
            path=str(unknown.item(0, "_source")),
            n=unknown.height,
        )
    ]


def _published_columns() -> list[pl.Expr]:
    """The columns of s70_payments.csv, from a kept row with its ``_gross``."""
    start, end = quarter_of(pl.col("payment_date"))
    return [
        pl.col("organisation"),
        start.dt.to_string("%Y-%m-%d").alias("quarter_start"),
        end.dt.to_string("%Y-%m-%d").alias("quarter_end"),
        pl.col("payment_date").dt.to_string("%Y-%m-%d").alias("payment_date"),
        pl.col("supplier_name"),
        pl.col("_gross").map_batches(money_text, return_dtype=pl.String).alias("gross_amount"),
        pl.col("amount").map_batches(money_text, return_dtype=pl.String).alias("net_amount"),
        pl.col("_s70_contract_id").alias("contract_id"),
        pl.col(RAW_PREFIX + "invoice_id").alias("invoice_id"),
        pl.col("_s70_company_number").alias("company_number"),
        pl.col("_s70_expense_type").alias("expense_type"),
        pl.col("_s70_purpose").alias("purpose"),
        pl.col("_source").cast(pl.String).alias("path"),
        pl.col("_row").alias("row"),
    ]


def s70_summary(setup: Setup, s70: pl.DataFrame) -> dict[str, Any]:
    """The document's ``s70``: the threshold, the publication's fields the exports lack, and how
    many payments are published."""
    return {
        "threshold": pence_to_text(S70_THRESHOLD),
        "fields_missing": s70_missing(setup.fields),
        "payments": s70.height,
    }
