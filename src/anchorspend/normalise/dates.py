"""Dates: a day in any of the common spellings, an Excel serial, a month, or a period."""

from __future__ import annotations

import datetime as dt
from typing import Literal

import polars as pl

from anchorspend.normalise.missing import is_missing

DAY_FORMATS = (
    "%Y-%m-%d",
    "%d/%m/%Y",
    "%d-%m-%Y",
    "%d.%m.%Y",
    "%d-%b-%Y",
    "%d-%b-%y",
    "%d %b %Y",
    "%d %B %Y",
    "%d-%B-%Y",
    "%d/%m/%y",
    "%b %d, %Y",
    "%B %d, %Y",
    "%Y/%m/%d",
    "%d/%b/%Y",
    "%d %b %y",
    "%Y%m%d",
)
_MONTH_FORMATS = ("%d %B %Y", "%d %b %Y", "%d %m %Y")
EXCEL_EPOCH = dt.date(1899, 12, 30)
SERIAL_MIN, SERIAL_MAX = 18264, 73415  # 1950-01-01 … 2100-12-31
_TIME = r"(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)$"
_RANGE = r"^\s*(.+?)\s*(?:\s-\s|–|—|-|\sto\s)\s*(.+?)\s*$"

DateRange = Literal["start", "end"]


def _plausible(date: pl.Expr) -> pl.Expr:
    return pl.when(date.dt.year().is_between(1900, 2200)).then(date)


def _day(text: pl.Expr, first_format: str | None) -> pl.Expr:
    t = text.str.replace(_TIME, "").str.strip_chars().str.to_titlecase()
    formats = ((first_format,) if first_format else ()) + DAY_FORMATS
    # %Y happily reads "11" as the year 11: a parse only counts with a plausible year.
    parsed = [_plausible(t.str.strptime(pl.Date, f, strict=False)) for f in formats]
    serial = t.str.extract(r"^(\d{5})(?:\.0+)?$", 1).cast(pl.Int32, strict=False)
    from_serial = (
        pl.when(serial.is_between(SERIAL_MIN, SERIAL_MAX))
        .then(pl.lit(EXCEL_EPOCH) + pl.duration(days=serial))
        .cast(pl.Date)
    )
    return pl.coalesce(*parsed, from_serial)


def _month(text: pl.Expr) -> pl.Expr:
    """``July 2010``, ``Jul 2010``, ``07/2010``, ``2010-07`` → the first day of that month."""
    t = text.str.strip_chars().str.to_titlecase()
    iso = t.str.extract(r"^(\d{4})-(\d{1,2})$", 0)
    numeric = t.str.replace(r"^(\d{1,2})[/-](\d{4})$", "1 $1 $2")
    tries = [("1 " + t).str.strptime(pl.Date, f, strict=False) for f in _MONTH_FORMATS[:2]]
    tries.append(numeric.str.strptime(pl.Date, "%d %m %Y", strict=False))
    tries.append((iso + "-01").str.strptime(pl.Date, "%Y-%m-%d", strict=False))
    return pl.coalesce(*(_plausible(x) for x in tries))


def parse_date(
    expr: pl.Expr, *, date_range: DateRange | None = None, date_format: str | None = None
) -> pl.Expr:
    """Text → struct{date: Date, status: str}: ``ok``, ``missing``, ``invalid``, ``month`` (a
    month, ``2015-08`` or ``Aug 2015``: its quarter is certain, its day is not, so it reads as
    the first of the month), ``period`` (a range of months or days; with ``date_range`` one end
    is taken, of a range or a month, and the status is ``period-start``/``period-end``)."""
    day = _day(expr, date_format)
    left = expr.str.extract(_RANGE, 1)
    right = expr.str.extract(_RANGE, 2)
    left_start = pl.coalesce(_day(left, date_format), _month(left))
    right_day = _day(right, date_format)
    right_end = pl.coalesce(right_day, _month(right).dt.month_end())
    single_month = _month(expr)
    is_range = day.is_null() & left_start.is_not_null() & right_end.is_not_null()
    is_month = day.is_null() & ~is_range & single_month.is_not_null()
    chosen: pl.Expr
    if date_range == "start":
        chosen = pl.when(is_range).then(left_start).when(is_month).then(single_month)
    elif date_range == "end":
        chosen = pl.when(is_range).then(right_end).when(is_month).then(single_month.dt.month_end())
    else:
        # a month is exact to its period: read as its first day, marked so
        chosen = pl.when(is_month).then(single_month)
    is_period = is_range | is_month
    date = pl.when(day.is_not_null()).then(day).when(is_period).then(chosen)
    status = (
        pl.when(is_missing(expr))
        .then(pl.lit("missing"))
        .when(day.is_not_null())
        .then(pl.lit("ok"))
        .when(is_period & (pl.lit(date_range is not None) | is_range))
        .then(pl.lit(f"period-{date_range}" if date_range else "period"))
        .when(is_month)
        .then(pl.lit("month"))
        .otherwise(pl.lit("invalid"))
    )
    return pl.struct(
        pl.when(is_missing(expr)).then(None).otherwise(date).cast(pl.Date).alias("date"),
        status.alias("status"),
    )
