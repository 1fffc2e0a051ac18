"""One entry per key in a lookup. Rows that share a key and agree are one entry (a warning);
rows that share a key and disagree are an error naming the keys; a name two organisations share
matches neither; and the other names of rows read as one entry still find it."""

from __future__ import annotations

import polars as pl

from anchorspend.classify.fields import ATTRS, MATCH_ORDER
from anchorspend.errors import Finding
from anchorspend.findings import make


def _ambiguous_names(frame: pl.DataFrame, display: str) -> tuple[pl.DataFrame, list[Finding]]:
    """Two entries with the same normalised name but different company or charity numbers are
    two organisations with one name (registers hold many): neither can be matched by name, only
    by identifier. Say so once per name."""
    ident = pl.coalesce(
        pl.lit("C") + pl.col("company_number"), pl.lit("H") + pl.col("charity_number")
    )
    clash = (
        frame.filter(pl.col("name_key").is_not_null() & ident.is_not_null())
        .group_by("name_key")
        .agg(ident.n_unique().alias("n"), pl.col("_lrow").min().alias("row"))
        .filter(pl.col("n") > 1)
        .sort("name_key")
    )
    if not clash.height:
        return frame, []
    findings = [
        make("ambiguous-name", path=display, row=row, column="supplier_name", value=key, n=n)
        for key, n, row in clash.head(50).iter_rows()
    ]
    if clash.height > 50:
        findings.append(make("ambiguous-name", "more", path=display, n=clash.height - 50))
    is_shared = pl.col("name_key").is_in(clash.get_column("name_key").implode())
    cleared = frame.with_columns(
        pl.when(is_shared).then(None).otherwise(pl.col("name_key")).alias("name_key")
    )
    return cleared, findings


def deduplicate(
    frame: pl.DataFrame, display: str
) -> tuple[pl.DataFrame, pl.DataFrame, list[Finding]]:
    """One entry per key. Rows sharing a key and agreeing on every attribute are one entry
    (a warning); rows sharing a key and disagreeing stop the run, naming the keys. Also the
    other names of the entries read as one (see :func:`_aliases`)."""
    frame = frame.unique(subset=[c for c in frame.columns if c != "_lrow"], keep="first")
    frame = frame.sort("_lrow", maintain_order=True).with_row_index("_uid")
    findings: list[Finding] = []
    frame, ambiguous = _ambiguous_names(frame, display)
    findings += ambiguous
    findings += _duplicate_keys(frame, display)
    # entries that agree: keep the first row for each key value, and where each other row went
    moved: list[pl.DataFrame] = []
    for key in MATCH_ORDER:
        keyed = frame.filter(pl.col(key).is_not_null())
        first = keyed.group_by(key).agg(pl.col("_uid").min().alias("_to"))
        let_go = keyed.join(first, on=key).filter(pl.col("_uid") != pl.col("_to"))
        moved.append(let_go.select("_uid", "_to", "name_key"))
        frame = frame.filter(~pl.col("_uid").is_in(let_go.get_column("_uid").implode()))
    entries = frame.with_row_index("_lk")
    return entries.drop("_uid"), _aliases(entries, pl.concat(moved)), findings


def _duplicate_keys(frame: pl.DataFrame, display: str) -> list[Finding]:
    """A finding per key value on more than one row: an error naming the attributes that
    differ, or a warning that the rows agree and are read as one."""
    findings: list[Finding] = []
    for key in MATCH_ORDER:
        dup = (
            frame.filter(pl.col(key).is_not_null())
            .group_by(key)
            .agg(
                pl.len().alias("n"),
                pl.struct(*ATTRS).n_unique().alias("variants"),
                pl.col("_lrow").alias("rows"),
                *(pl.col(a).n_unique().alias(f"_d_{a}") for a in ATTRS),
            )
            .filter(pl.col("n") > 1)
            .sort(key)
        )
        for rec in dup.iter_rows(named=True):
            value, n, rows = rec[key], rec["n"], rec["rows"]
            where = f"{key} {value!r} (rows {', '.join(str(r) for r in rows[:5])})"
            at = {"path": display, "row": rows[1], "column": key, "value": str(value)}
            if rec["variants"] > 1:
                differ = ", ".join(a for a in ATTRS if rec[f"_d_{a}"] > 1)
                findings.append(make("duplicate-key", **at, where=where, differ=differ))
            else:
                findings.append(make("duplicate-key", "same", **at, where=where, n=n))
    return findings


def _aliases(entries: pl.DataFrame, moved: pl.DataFrame) -> pl.DataFrame:
    """``name_key`` → ``_lk`` for the names of rows read as part of another entry (the same
    company listed as "Acme Ltd" and "Acme Trading Ltd"), so that either name matches it.
    ``moved``: each row let go (``_uid``) and the row it was read into (``_to``), which may in
    turn have been let go under a later key. A name that is some entry's own name, or that
    would lead to two entries, is no alias."""
    for _ in MATCH_ORDER:  # a chain of moves is at most one per key
        onward = moved.select(pl.col("_uid").alias("_to"), pl.col("_to").alias("_next"))
        moved = moved.join(onward, on="_to", how="left").select(
            "_uid", pl.coalesce("_next", "_to").alias("_to"), "name_key"
        )
    own = entries.get_column("name_key").drop_nulls().implode()
    found = (
        moved.filter(pl.col("name_key").is_not_null() & ~pl.col("name_key").is_in(own))
        .join(entries.select(pl.col("_uid").alias("_to"), "_lk"), on="_to")
        .select("name_key", "_lk")
        .unique()
    )
    single = found.group_by("name_key").agg(pl.len()).filter(pl.col("len") == 1)
    return found.join(single.select("name_key"), on="name_key").sort("name_key")
