"""Two tools over Polars frames that every later stage uses: two numbers packed as one integer
key (:func:`pack`, :func:`unpack`), and a frame's text copied out of the buffers it shares with
a larger frame (:func:`detached`)."""

from __future__ import annotations

from typing import overload

import polars as pl

# Two numbers held as one integer key, high × 2³² + low: one join or group-by key instead of two,
# and sorting by it sorts by the first number, then the second (while the low is below 2³²).
_HALF = 2**32


@overload
def pack(high: pl.Series, low: pl.Series) -> pl.Series: ...
@overload
def pack(high: pl.Expr, low: pl.Expr | int) -> pl.Expr: ...
def pack(high: pl.Series | pl.Expr, low: pl.Series | pl.Expr | int) -> pl.Series | pl.Expr:
    """``high`` × 2³² + ``low``, in ``high``'s integer type (cast it to UInt64 or Int64 first)."""
    return high * _HALF + low


def unpack(key: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """The two numbers (UInt32) a :func:`pack`-ed ``key`` holds, the high then the low (each
    below 2³²)."""
    return (key // _HALF).cast(pl.UInt32), (key % _HALF).cast(pl.UInt32)


def detached(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with its text copied out of the buffers it shares. A few rows kept from a batch
    (rejected rows, findings, new supplier profiles) would otherwise hold the batch's whole
    text in memory: Polars' strings are views into shared buffers (without this, a 10M-row
    read grows by the ~34 MB of text of every batch)."""
    text = [c for c, t in frame.schema.items() if t == pl.String]
    return frame.with_columns(pl.concat_str(pl.col(c), pl.lit("")).alias(c) for c in text)
