"""The period a payment falls in, as a Polars expression over its date: UK financial-year
quarters by default (``2026-27 Q1`` = April–June 2026), calendar quarters, months or financial
years. What the spend's facts, the store's partitions and the measures group by."""

from __future__ import annotations

from typing import Literal

import polars as pl

PeriodKind = Literal["quarter", "calendar", "month", "fy"]


def _fy(date: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """The UK financial year's label (``2026-27``, starting in April) and quarter (1–4) of
    ``date``."""
    y, m = date.dt.year(), date.dt.month()
    fy = y - (m < 4).cast(pl.Int32)
    label = pl.concat_str(
        fy.cast(pl.String), pl.lit("-"), ((fy + 1) % 100).cast(pl.String).str.zfill(2)
    )
    return label, ((m + 8) % 12) // 3 + 1


def fy_quarter(date: pl.Expr, sep: str = " Q") -> pl.Expr:
    """UK financial-year quarter: ``2026-27 Q1`` = April–June 2026 (``sep`` between the year and
    the quarter's number); null where ``date`` is."""
    label, quarter = _fy(date)
    return pl.concat_str(label, pl.lit(sep), quarter.cast(pl.String))


def period_expr(date: pl.Expr, kind: PeriodKind) -> pl.Expr:
    """UK financial-year quarters by default (``2026-27 Q1`` = April–June 2026)."""
    if kind == "quarter":
        return fy_quarter(date)
    if kind == "fy":
        return _fy(date)[0]
    if kind == "calendar":
        m = date.dt.month()
        return pl.concat_str(
            date.dt.year().cast(pl.String), pl.lit(" Q"), ((m - 1) // 3 + 1).cast(pl.String)
        )
    return date.dt.strftime("%Y-%m")
