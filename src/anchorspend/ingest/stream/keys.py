"""The text keys the first plan groups rows by, and reading them back: a key is its parts
(each field's text as published) joined by a separator no cell may hold; a source whose cells
hold it is :class:`Unsuited` to streaming."""

from __future__ import annotations

import polars as pl

SEP = "\x1f"  # between the parts of a key; a text holding it makes the source Unsuited


class Unsuited(Exception):
    """The source is read batch by batch instead (see :mod:`anchorspend.ingest.stream`)."""


def part(expr: pl.Expr) -> pl.Expr:
    """One part of a key: ``v`` and the text, or empty for a null (so the two never meet)."""
    return pl.concat_str(pl.lit("v"), expr).fill_null(pl.lit(""))


def key(parts: list[pl.Expr]) -> pl.Expr:
    """The key of ``parts`` (each made by :func:`part`)."""
    return pl.concat_str(parts, separator=SEP) if parts else pl.lit("")


def split(frame: pl.DataFrame, key: str, names: list[str]) -> pl.DataFrame:
    """``frame``'s key texts back to their parts, as written (see :func:`part`)."""
    text = pl.col(key).cast(pl.String)
    bad = frame.select((text.str.count_matches(SEP, literal=True) != len(names) - 1).any())
    if bad.item():
        raise Unsuited("a cell holds the key separator")
    parts = text.str.split(SEP)
    return frame.with_columns(parts.list.get(i).alias(name) for i, name in enumerate(names))


def value(part: pl.Expr) -> pl.Expr:
    """A part written by :func:`part` back to its text (null for a null)."""
    return pl.when(part.str.starts_with("v")).then(part.str.slice(1))


def distinct(
    groups: pl.DataFrame, local: pl.Expr, codes: pl.Categorical, text: str
) -> pl.DataFrame:
    """The distinct ``local`` codes of ``groups``, each with its first row and its key text
    (``text``), in the order first met."""
    name = local.meta.output_name()
    return (
        groups.group_by(local)
        .agg(pl.col("_first").min())
        .sort("_first")
        .with_columns(pl.col(name).cat.to(codes).alias(text))
    )
