"""What the reader of the payments document is told about how its figures were made: exports
without ``procured_under``, receipt taken from the invoice date, due dates by the default
term, and periods that had not ended when the export was taken."""

from __future__ import annotations

from datetime import date

import polars as pl

from anchorspend.errors import Finding
from anchorspend.findings import make
from anchorspend.gather.ingested import Ingested


def unfinished(rows: pl.DataFrame, table: pl.DataFrame) -> list[Finding]:
    """Periods that end after the last payment the exports record: the export was taken before
    they ended, so what was not paid within them is not known yet."""
    last = rows.filter(pl.col("_status") == "analysed").get_column("payment_date").max()
    if not isinstance(last, date) or not table.height:
        return []
    ends = table.filter(pl.col("period_end") > pl.lit(last)).get_column("period_end").unique()
    return [make("period-not-over", end=end, last=last) for end in sorted(ends.to_list())]


def method_notes(rows: pl.DataFrame, data: Ingested) -> list[Finding]:
    """What the reader should know about how the figures were made."""
    notes: list[Finding] = []
    for r in data.inputs:
        if "procured_under" not in r.columns:
            notes.append(
                make("procured-under-missing", path=r.path, sheet=r.sheet, column="procured_under")
            )
    analysed = rows.filter(pl.col("_status") == "analysed")
    fallback = analysed.filter(pl.col("_fallback"))
    if fallback.height:
        notes.append(
            make("received-from-invoice-date", column="invoice_received_date", n=fallback.height)
        )
    default_due = analysed.filter(
        (pl.col("_due_date_status") == "missing") & pl.col("due").is_not_null()
    )
    if default_due.height:
        notes.append(make("due-date-default", column="due_date", n=default_due.height))
    return notes
