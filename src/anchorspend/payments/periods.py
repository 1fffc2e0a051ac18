"""Reporting periods as Polars expressions: the notice's half years (or quarters, or
financial years) from the commencement day, and the calendar quarters s.70 publishes by."""

from __future__ import annotations

import polars as pl

from anchorspend.payments.rules import Setup


def period_of(day: pl.Expr, setup: Setup) -> tuple[pl.Expr, pl.Expr]:
    """The reporting period ``day`` falls in, as (first day, last day); null before the
    commencement day and, for ``h1``/``h2``, in the other half of the financial year. Half
    years end on 31 March and 30 September, quarters at the ends of March, June, September and
    December, years on 31 March; the first period begins on the commencement day."""
    y, m = day.dt.year(), day.dt.month()
    if setup.period == "quarter":
        start, end = quarter_of(day)
    elif setup.period == "year":
        fy = y - (m < 4).cast(pl.Int32)
        start, end = pl.date(fy, 4, 1), pl.date(fy + 1, 3, 31)
    else:
        # October–March belongs to the financial year that ends in the March
        summer = m.is_between(4, 9)
        start_year = pl.when(m < 4).then(y - 1).otherwise(y)
        start = pl.when(summer).then(pl.date(y, 4, 1)).otherwise(pl.date(start_year, 10, 1))
        end = pl.when(summer).then(pl.date(y, 9, 30)).otherwise(pl.date(start_year + 1, 3, 31))
    keep = day >= pl.lit(setup.commencement)
    if setup.period == "h1":
        keep = keep & m.is_between(4, 9)
    elif setup.period == "h2":
        keep = keep & ~m.is_between(4, 9)
    start = pl.max_horizontal(start, pl.lit(setup.commencement))
    return pl.when(keep).then(start), pl.when(keep).then(end)


def quarter_of(day: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """The calendar quarter of ``day`` (a ``quarter`` reporting period, and s.70's publication
    period): first and last day."""
    first_month = (day.dt.month() - 1) // 3 * 3 + 1
    start = pl.date(day.dt.year(), first_month, 1)
    return start, pl.date(day.dt.year(), first_month + 2, 1).dt.month_end()
