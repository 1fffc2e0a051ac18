"""The text keys the first plan groups rows by, and reading them back: a key is its parts
(each field's text as published) and which of them were null, joined by a separator no cell
may hold; a source whose cells hold it is :class:`Unsuited` to streaming."""

from __future__ import annotations

import polars as pl

SEP = "\x1f"  # between the parts of a key; a text holding it makes the source Unsuited


class Unsuited(Exception):
    """The source is read batch by batch instead (see :mod:`anchorspend.ingest.stream`)."""


def key(parts: list[pl.Expr], flags: tuple[pl.Expr, ...] = ()) -> pl.Expr:
    """The key of ``parts`` (texts, each null or not) and ``flags`` (booleans): the parts'
    texts, an empty text for a null, then a number whose bits say which parts were null and
    which flags were set, all joined by :data:`SEP`. Nothing is added to a text, so that the
    key costs little more than the texts themselves."""
    bits = [p.is_null() for p in parts] + [f.fill_null(False) for f in flags]
    mask = pl.sum_horizontal(b.cast(pl.UInt32) * (1 << i) for i, b in enumerate(bits))
    texts = [p.fill_null(pl.lit("")) for p in parts]
    mask_text = mask.cast(pl.String) if bits else pl.lit("0")
    return pl.concat_str([*texts, mask_text], separator=SEP)


def split(
    frame: pl.DataFrame, key: str, names: list[str], flags: tuple[str, ...] = ()
) -> pl.DataFrame:
    """``frame``'s key texts (see :func:`key`) back to their parts, ``names`` (null where the
    part was null), and their ``flags``."""
    text = pl.col(key).cast(pl.String)
    bad = frame.select((text.str.count_matches(SEP, literal=True) != len(names)).any())
    if bad.item():
        raise Unsuited("a cell holds the key separator")
    parts = text.str.split(SEP)
    mask = parts.list.get(len(names)).cast(pl.UInt32)
    return frame.with_columns(
        *(
            pl.when((mask & (1 << i)) == 0).then(parts.list.get(i)).alias(name)
            for i, name in enumerate(names)
        ),
        *(((mask & (1 << (len(names) + j))) != 0).alias(f) for j, f in enumerate(flags)),
    )


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
