"""What a column's cells hold, from a sample: the evidence column mapping weighs beside headers.

A header names a column the way its finance system does (``Name``, ``Payment GL Date``,
``Invoice Value``); the cells say what it is. :func:`profile` measures, for each column of a
sample of data rows, the share of filled cells that read as money, as a day, as a month, as a
numeric or system code, as a web address, or as words, and how many are distinct. The
mapping in :mod:`anchorspend.ingest.mapping` uses these shares to confirm a header's meaning, to
break ties between two headers, and to find a required field no header names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import polars as pl

from anchorspend.normalise import is_missing, parse_amount, parse_date

SAMPLE_ROWS = 500
"""Data rows profiled per source: enough to see a column's habits, cheap on any file."""

# A reading that holds for this share of a column's filled cells describes the column.
HOLDS = 0.9

_CODE = r"^[A-Za-z]{0,6}[-/]?\d[\dA-Za-z/\-.]*$"  # B000018580/57559, CRINV0001143, 35507
_URI = r"(?i)^(?:https?://|www\.)\S+$"
_WORDS = r"[A-Za-z]{2,}"


@dataclass(frozen=True, slots=True)
class Profile:
    """One column's sample: counts are of filled (non-blank) cells."""

    filled: int
    money: float  # reads as an amount of pounds
    pounds: float  # reads as money written like money: pence, thousands commas, £, brackets
    day: float  # reads as a day
    month: float  # reads as a month (``2015-08``, ``Aug 2015``) but not a day
    digits: float  # only digits: a numeric code (or a whole-pound amount)
    code: float  # a system code: letters then digits, no spaces
    uri: float
    words: float  # holds words and is none of the above: names, descriptions
    distinct: float  # distinct values / filled cells
    samples: tuple[str, ...]  # the first few distinct values, for messages

    def share(self, reading: str) -> float:
        value = getattr(self, reading)
        assert isinstance(value, float)
        return value

    @property
    def text(self) -> float:
        """Names rather than codes, numbers or addresses: the test for a supplier column."""
        return self.words


EMPTY = Profile(0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, ())


def profile(body: pl.DataFrame, columns: list[str]) -> dict[str, Profile]:
    """Profiles of ``columns`` over the first :data:`SAMPLE_ROWS` rows of ``body`` (data rows
    only: the header and anything above it already removed). The columns are stacked into one,
    so each parser runs once, whatever the number of columns."""
    if not columns:
        return {}
    sample = body.head(SAMPLE_ROWS).select(columns)
    cell = pl.col("v").str.strip_chars()
    readings = (
        sample.lazy()
        .unpivot(variable_name="c", value_name="v")
        .filter(~is_missing(pl.col("v")))
        .with_columns(
            parse_amount(cell).struct.field("status").alias("_money"),
            parse_date(cell).struct.field("status").alias("_date"),
            cell.alias("v"),
        )
        .with_columns(
            pl.col("_money").is_in(["ok", "rounded"]).alias("money"),
            (pl.col("_date") == "ok").alias("day"),
            pl.col("_date").is_in(["month", "period"]).alias("month"),
            pl.col("v").str.contains(r"^\d+$").alias("digits"),
            pl.col("v").str.contains(_URI).alias("uri"),
        )
        .with_columns(
            (pl.col("money") & pl.col("v").str.contains(r"[.,£()]|\d\s*-$|(?i)cr$")).alias(
                "pounds"
            ),
            (
                pl.col("v").str.contains(_CODE)
                & ~pl.col("digits")
                & ~pl.col("money")
                & ~pl.col("day")
                & ~pl.col("month")
            ).alias("code"),
        )
        .with_columns(
            (
                pl.col("v").str.contains(_WORDS)
                & ~pl.col("day")
                & ~pl.col("month")
                & ~pl.col("uri")
                & ~pl.col("code")
                & ~pl.col("money")
            ).alias("words")
        )
        .group_by("c")
        .agg(
            pl.len().alias("filled"),
            *(pl.col(r).sum() for r in READINGS),
            pl.col("v").n_unique().alias("distinct"),
            pl.col("v").unique(maintain_order=True).head(4).alias("samples"),
        )
        .collect()
    )
    out = dict.fromkeys(columns, EMPTY)
    for rec in readings.iter_rows(named=True):  # one record per column profiled
        filled = int(rec["filled"])
        shares = {r: int(rec[r]) / filled for r in READINGS}
        out[rec["c"]] = Profile(
            filled=filled,
            distinct=int(rec["distinct"]) / filled,
            samples=tuple(str(v) for v in rec["samples"]),
            **shares,
        )
    return out


READINGS = ("money", "pounds", "day", "month", "digits", "code", "uri", "words")


def header_words(header: str) -> set[str]:
    """A header's words, lower case, camelCase and snake_case split: ``Payment GL Date`` →
    {payment, gl, date}; ``InvoicePaidDate`` → {invoice, paid, date}; ``PYMT_DT`` → {pymt, dt}."""
    text = re.sub(r"([a-z])([A-Z])", r"\1 \2", header.replace("\ufeff", ""))
    return set(re.findall(r"[a-z0-9£]+", text.lower()))
