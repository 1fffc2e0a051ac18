"""Matching suppliers against lookups, and choosing each supplier's attributes by precedence:
the first lookup that knows an attribute gives it (with its evidence), then the flags published
in the export, then what a CIC's name says. Works on distinct suppliers, not on rows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from anchorspend.classify.cic import CIC_EVIDENCE, is_cic_name
from anchorspend.classify.conflicts import find_conflicts
from anchorspend.classify.fields import ATTRS, EVIDENCE, MATCH_ORDER, UNSTATED
from anchorspend.classify.lookup import Lookup
from anchorspend.errors import Finding
from anchorspend.ingest.fields import FLAG_FIELDS, ID_KEYS, SUPPLIER_COLS
from anchorspend.normalise import name_key

# the type of each attribute when no lookup gives it
_ATTR_TYPES: tuple[tuple[str, pl.DataType], ...] = (
    ("is_sme", pl.Boolean()),
    ("is_vcse", pl.Boolean()),
    ("is_diverse_led", pl.Boolean()),
    ("categories", pl.List(pl.String)),
    ("local_authority_code", pl.String()),
    ("postcode", pl.String()),
    ("payee_kind", pl.String()),
)
# the columns of the winning lookup's evidence for each flag
_WON_EVIDENCE = tuple(
    f"_lookup_{f}_{part}" for f in FLAG_FIELDS for part in ("confidence", "evidence", "source")
)


def identifiers_used(lookups: list[Lookup]) -> tuple[str, ...]:
    """The identifier columns that can change how a supplier is classified: the company number
    (it keys suppliers no lookup matched) and each other identifier some lookup gives."""
    return tuple(
        k
        for k in ID_KEYS
        if k == "company_number"
        or any(lookup.frame.get_column(k).is_not_null().any() for lookup in lookups)
    )


@dataclass(slots=True)
class Classified:
    rows: pl.DataFrame  # input rows + supplier_key, matched_by, flags, categories, LA code
    conflicts: pl.DataFrame  # supplier, field, values (list of {source, value}), spend pence
    lookups: list[dict[str, Any]]
    findings: list[Finding]
    categories: list[str]  # diverse-led categories present, sorted


def classify(rows: pl.DataFrame, lookups: list[Lookup]) -> Classified:
    """Add the resolved supplier key and classification to every row (see the package
    docstring): match the distinct suppliers against each lookup, line the lookups up side by
    side, choose each attribute by precedence, and attach the choice to the rows."""
    distinct = _distinct_suppliers(rows)
    per_source = [(lookup.label, _matched(distinct, lookup)) for lookup in lookups]
    export_flags = _with_supplier_ids(rows, distinct)
    sup = _by_precedence(_side_by_side(distinct, per_source), len(per_source))
    out = _resolved(_attached(export_flags, sup))
    conflicts = find_conflicts(sup, export_flags, out, [label for label, _ in per_source])
    stats = _lookup_stats(lookups, sup, out)
    cats = (
        out.select(pl.col("categories").explode().drop_nulls().unique().sort())
        .get_column("categories")
        .to_list()
        if out.height
        else []
    )
    findings = [f for lookup in lookups for f in lookup.findings]
    return Classified(out.drop("_sid"), conflicts, stats, findings, cats)


def _distinct_suppliers(rows: pl.DataFrame) -> pl.DataFrame:
    """One row (``_sid``) per distinct combination of name and identifiers, with the name's
    ``name_key`` (each distinct name normalised once)."""
    distinct = (
        rows.select(*SUPPLIER_COLS)
        .unique(maintain_order=True)
        .with_row_index("_sid")
        .with_columns(pl.col("_sid").cast(pl.Int64))
    )
    names = distinct.select("supplier_name").unique()
    names = names.with_columns(name_key(pl.col("supplier_name")).alias("name_key"))
    return distinct.join(names, on="supplier_name", how="left", nulls_equal=True)


def _with_supplier_ids(rows: pl.DataFrame, distinct: pl.DataFrame) -> pl.DataFrame:
    """The rows, in order, each with its distinct supplier's ``_sid``: the supplier-level view
    of the flags the export publishes. Only the key columns are joined (the wide rows are never
    copied)."""
    ids = rows.select(*SUPPLIER_COLS).join(
        distinct.select("_sid", *SUPPLIER_COLS),
        on=list(SUPPLIER_COLS),
        nulls_equal=True,
        how="left",
        maintain_order="left",
    )
    return rows.with_columns(ids.get_column("_sid"))


def _match(distinct: pl.DataFrame, lookup: Lookup) -> pl.DataFrame:
    """For each distinct supplier: the lookup entry (_lk) and the key that found it."""
    out = distinct.select("_sid")
    found = []
    for key in MATCH_ORDER:
        keyed = lookup.frame.filter(pl.col(key).is_not_null()).select(key, "_lk")
        if key == "name_key" and lookup.aliases.height:
            keyed = pl.concat([keyed, lookup.aliases.cast(keyed.schema)])
        hit = distinct.filter(pl.col(key).is_not_null()).join(keyed, on=key, how="inner")
        found.append(hit.select("_sid", pl.col("_lk").alias(f"_lk_{key}")))
    for frame in found:
        out = out.join(frame, on="_sid", how="left")
    return out.select(
        "_sid",
        pl.coalesce(f"_lk_{k}" for k in MATCH_ORDER).alias("_lk"),
        pl.coalesce(
            pl.when(pl.col(f"_lk_{k}").is_not_null()).then(pl.lit(k)) for k in MATCH_ORDER
        ).alias("matched_by"),
    )


def _matched(distinct: pl.DataFrame, lookup: Lookup) -> pl.DataFrame:
    """Each distinct supplier's entry in ``lookup`` with the entry's attributes, evidence and
    source (``_src``: the entry's own, else the lookup's file name)."""
    entries = lookup.frame.select(
        "_lk",
        *ATTRS,
        *EVIDENCE,
        pl.col("source").fill_null(lookup.label).alias("_src"),
    )
    return _match(distinct, lookup).join(entries, on="_lk", how="left")


def _side_by_side(
    distinct: pl.DataFrame, per_source: list[tuple[str, pl.DataFrame]]
) -> pl.DataFrame:
    """One row per distinct supplier, each lookup's match in columns suffixed by its position
    (``_lk0``, ``_by0``, ``is_sme0``…)."""
    sup = distinct.select("_sid", "name_key", "company_number")
    for i, (_, m) in enumerate(per_source):
        sup = sup.join(
            m.select(
                "_sid",
                pl.col("_lk").alias(f"_lk{i}"),
                pl.col("matched_by").alias(f"_by{i}"),
                *(pl.col(a).alias(f"{a}{i}") for a in (*ATTRS, *EVIDENCE, "_src")),
            ),
            on="_sid",
            how="left",
        )
    return sup


def _by_precedence(sup: pl.DataFrame, n: int) -> pl.DataFrame:
    """Add the supplier key (the first lookup's entry, else the company number, else the
    name), the key that matched, each attribute from the first of the ``n`` lookups that gives
    it (``_lookup_<attr>``), and the evidence and source that travel with each flag's value."""
    first_match = pl.coalesce(
        *(
            pl.when(pl.col(f"_lk{i}").is_not_null()).then(
                pl.lit(f"L{i}:") + pl.col(f"_lk{i}").cast(pl.String)
            )
            for i in range(n)
        ),
        pl.lit(None, dtype=pl.String),
    )
    sup = sup.with_columns(
        pl.coalesce(
            first_match,
            pl.lit("C:") + pl.col("company_number"),
            pl.lit("N:") + pl.col("name_key"),
        ).alias("supplier_key"),
        pl.coalesce(*(pl.col(f"_by{i}") for i in range(n)), pl.lit(None, pl.String)).alias(
            "matched_by"
        ),
        *(
            pl.coalesce(*(pl.col(f"{a}{i}") for i in range(n)), pl.lit(None, dtype)).alias(
                f"_lookup_{a}"
            )
            for a, dtype in _ATTR_TYPES
        ),
    )

    def with_flag(f: str, column: str) -> pl.Expr:
        """``column`` of the first lookup that knows flag ``f`` (``{}`` for its position)."""
        return pl.coalesce(
            *(
                pl.when(pl.col(f"{f}{i}").is_not_null()).then(pl.col(column.format(i)))
                for i in range(n)
            ),
            pl.lit(None, pl.String),
        )

    # evidence travels with the value that won: the first lookup that knows the flag
    return sup.with_columns(
        *(
            with_flag(f, f"{f}_{part}{{}}").alias(f"_lookup_{f}_{part}")
            for f in FLAG_FIELDS
            for part in ("confidence", "evidence")
        ),
        *(with_flag(f, "_src{}").alias(f"_lookup_{f}_source") for f in FLAG_FIELDS),
    )


def _attached(export_flags: pl.DataFrame, sup: pl.DataFrame) -> pl.DataFrame:
    """The rows with their supplier's key, matched_by and the lookups' choices (by ``_sid``;
    rows keep their order)."""
    chosen = sup.select(
        "_sid",
        "supplier_key",
        "matched_by",
        *(f"_lookup_{a}" for a in ATTRS),
        *_WON_EVIDENCE,
    )
    attached = (
        export_flags.select("_sid")
        .join(chosen, on="_sid", how="left", maintain_order="left")
        .drop("_sid")
    )
    return export_flags.with_columns(attached.get_columns())


def _resolved(out: pl.DataFrame) -> pl.DataFrame:
    """Each flag from the first source that gives it (a lookup, the export, a CIC's name) with
    its confidence and evidence, and the lookups' other attributes; nothing for a redacted
    row."""
    unknown = pl.col("redacted")
    from_lookup = {f: pl.col(f"_lookup_{f}").is_not_null() for f in FLAG_FIELDS}
    from_export = {f: pl.col(f).is_not_null() for f in FLAG_FIELDS}
    # a community interest company's name must say so (CIC_EVIDENCE): a VCSE from its name
    cic = is_cic_name(pl.col("supplier_name")).fill_null(False)
    from_name = {f: cic if f == "is_vcse" else pl.lit(False) for f in FLAG_FIELDS}

    def confidence(f: str) -> pl.Expr:
        stated = pl.col(f"_lookup_{f}_confidence").fill_null(UNSTATED)
        return (
            pl.when(unknown)
            .then(None)
            .when(from_lookup[f])
            .then(stated)
            .when(from_export[f])
            .then(pl.lit("declared"))
            .when(from_name[f])
            .then(pl.lit("registered"))
        )

    def evidence(f: str) -> pl.Expr:
        given = pl.coalesce(pl.col(f"_lookup_{f}_evidence"), pl.col(f"_lookup_{f}_source"))
        return (
            pl.when(unknown)
            .then(None)
            .when(from_lookup[f])
            .then(given)
            .when(from_export[f])
            .then(pl.lit("the export's own column"))
            .when(from_name[f])
            .then(pl.lit(CIC_EVIDENCE))
        )

    def unless_redacted(value: pl.Expr) -> pl.Expr:
        return pl.when(unknown).then(None).otherwise(value)

    out = out.with_columns(
        *(confidence(f).alias(f"{f}_confidence") for f in FLAG_FIELDS),
        *(evidence(f).alias(f"{f}_evidence") for f in FLAG_FIELDS),
    )
    by_name = {f: pl.when(from_name[f]).then(pl.lit(True)) for f in FLAG_FIELDS}
    return out.with_columns(
        *(
            unless_redacted(pl.coalesce(f"_lookup_{f}", f, by_name[f])).alias(f)
            for f in FLAG_FIELDS
        ),
        *(
            unless_redacted(pl.col(f"_lookup_{a}")).alias(a)
            for a in ("categories", "local_authority_code", "postcode", "payee_kind")
        ),
        unless_redacted(pl.col("matched_by")).alias("matched_by"),
    ).drop(*(f"_lookup_{a}" for a in ATTRS), *_WON_EVIDENCE)


def _lookup_stats(
    lookups: list[Lookup], sup: pl.DataFrame, out: pl.DataFrame
) -> list[dict[str, Any]]:
    """Per lookup: its entries, and the suppliers and spend it matched on its own (analysed,
    unredacted rows), whichever lookup had precedence."""
    analysed = out.filter((pl.col("_status") == "analysed") & ~pl.col("redacted"))
    stats: list[dict[str, Any]] = []
    for i, lookup in enumerate(lookups):
        mine = sup.filter(pl.col(f"_lk{i}").is_not_null()).select("_sid", f"_lk{i}")
        hit = analysed.join(mine, on="_sid")
        stats.append(
            {
                "path": lookup.path,
                "rows": lookup.frame.height,
                "matched_suppliers": hit.get_column(f"_lk{i}").n_unique(),
                "matched_spend": int(hit.get_column("amount").sum() or 0),
            }
        )
    return stats
