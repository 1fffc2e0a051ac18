"""Supplier classification: lookups, matching, precedence and conflicts.

Matching works on *distinct suppliers* (one row per distinct combination of name and
identifiers in the exports), never on transactions: each distinct name is normalised once.
For each lookup, a supplier is matched by the first of these that finds an entry: company
number, charity number, VAT number, supplier id (all normalised), then the normalised name.

Precedence, documented in the README: lookups in the order given (the first ``--lookup`` wins),
then the flags published in the export itself. Where the sources disagree about a supplier the
disagreement is a *conflict*: listed in the report and in ``conflicts.csv``, never hidden, and
the value used is the one with precedence.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from anchorspend.config import PAYEE_KINDS
from anchorspend.errors import AnchorspendError, Finding
from anchorspend.findings import make
from anchorspend.ingest.fields import FLAG_FIELDS, ID_KEYS, SUPPLIER_COLS
from anchorspend.ingest.header import score_cells
from anchorspend.ingest.mapping import Mapping, map_table
from anchorspend.ingest.raw import ROW
from anchorspend.ingest.sources import ReadOptions, expand, open_sources, read_source
from anchorspend.normalise import (
    company_number,
    flag,
    flag_header_names,
    flag_is_unknown_text,
    flag_words,
    is_missing,
    name_key,
    normalise_postcode,
    pence_text_expr,
    plain_id,
    vat_number,
)
from anchorspend.schemas import load as load_schema

MATCH_ORDER = (*ID_KEYS, "name_key")
EXPORT_SOURCE = "export"


@dataclass(slots=True)
class Lookup:
    path: str
    label: str
    frame: pl.DataFrame  # one row per entry: _lk, keys, flags, categories, local_authority_code
    findings: list[Finding] = field(default_factory=list)
    # other names of entries read as one (same identifier, same classification): name_key, _lk
    aliases: pl.DataFrame = field(
        default_factory=lambda: pl.DataFrame(schema={"name_key": pl.String, "_lk": pl.UInt32})
    )


def load_lookup(path: Path, options: ReadOptions | None = None, *, strict: bool = True) -> Lookup:
    """Read a lookup (CSV/XLSX/Parquet) in the suppliers schema; duplicate keys that disagree
    are an error naming the keys, duplicates that agree are merged with a warning."""
    schema = load_schema("suppliers")
    frames: list[pl.DataFrame] = []
    findings: list[Finding] = []
    for file in expand([path]):
        with open_sources(file) as sources:
            for source in sources:
                table = read_source(
                    source,
                    options or ReadOptions(),
                    lambda cells: score_cells(cells, schema, {}),
                )
                mapping = map_table(table, schema, {})
                findings += table.findings + mapping.findings

                def raw(name: str, cols: dict[str, str] = mapping.columns) -> pl.Expr:
                    c = cols.get(name)
                    if c is None:
                        return pl.lit(None, dtype=pl.String)
                    return pl.when(~is_missing(pl.col(c))).then(pl.col(c).str.strip_chars())

                # a column asking about SME and VCSE at once ("SME or VCSE") is read in words,
                # as a contracts register's is (normalise.flag_words): its "Yes" is not SME
                combined = {
                    f: c
                    for f, c in mapping.columns.items()
                    if f in ("is_sme", "is_vcse") and all(flag_header_names(mapping.header_of(f)))
                }

                def flag_of(f: str, kind: str, combined: dict[str, str] = combined) -> pl.Expr:
                    c = combined.get(f) or next(iter(combined.values()), None)
                    if f not in ("is_sme", "is_vcse") or c is None:
                        return flag(raw(f)) if kind == "flag" else flag_is_unknown_text(raw(f))
                    read = flag_words(
                        pl.when(~is_missing(pl.col(c))).then(pl.col(c)), sme=True, vcse=True
                    )
                    if kind == "flag":
                        return read.struct.field(f)
                    return read.struct.field("problem").is_in(["unknown", "either"])

                body = mapping.body(table.frame)
                frame = body.select(
                    pl.col(ROW).alias("_lrow"),
                    raw("supplier_name").alias("supplier_name"),
                    company_number(raw("company_number")).alias("company_number"),
                    plain_id(raw("charity_number")).alias("charity_number"),
                    vat_number(raw("vat_number")).alias("vat_number"),
                    plain_id(raw("supplier_id")).alias("supplier_id"),
                    *(flag_of(f, "flag").alias(f) for f in FLAG_FIELDS),
                    *(flag_of(f, "odd").fill_null(False).alias(f"_odd_{f}") for f in FLAG_FIELDS),
                    raw("diverse_led_categories")
                    .str.to_lowercase()
                    .str.split(";")
                    .list.eval(pl.element().str.strip_chars())
                    .list.eval(pl.element().filter(pl.element() != ""))
                    .alias("categories"),
                    plain_id(raw("local_authority_code")).alias("local_authority_code"),
                    raw("payee_kind").str.to_lowercase().alias("payee_kind"),
                    # valid postcodes in one form (so duplicates compare); others as written
                    pl.coalesce(normalise_postcode(raw("postcode")), raw("postcode")).alias(
                        "postcode"
                    ),
                    raw("source").alias("source"),
                    *(raw(f"{f}_evidence").alias(f"{f}_evidence") for f in FLAG_FIELDS),
                    *(
                        raw(f"{f}_confidence").str.to_lowercase().alias(f"{f}_confidence")
                        for f in FLAG_FIELDS
                    ),
                    flag(raw("dissolved")).fill_null(False).alias("dissolved"),
                ).filter(
                    pl.any_horizontal(pl.exclude("_lrow", "categories", "dissolved").is_not_null())
                )
                for f in FLAG_FIELDS:
                    odd = frame.filter(pl.col(f"_odd_{f}")).get_column("_lrow").to_list()
                    if odd:
                        findings.append(
                            make(
                                "unknown-flag-value",
                                "lookup",
                                path=source.display,
                                row=odd[0],
                                column=f,
                                n=len(odd),
                                field=f,
                            )
                        )
                _check_payee_kinds(frame, source.display, mapping)
                frames.append(frame.drop(*(f"_odd_{f}" for f in FLAG_FIELDS)))
    frame = pl.concat(frames, how="vertical_relaxed")
    frame = frame.with_columns(name_key(pl.col("supplier_name")).alias("name_key"))
    frame, aliases, dup_findings = _deduplicate(frame, str(path))
    clashes = [f for f in dup_findings if f.severity == "error"]
    if clashes and strict:
        details = [f.message for f in clashes[:20]]
        if len(clashes) > 20:
            details.append(f"… and {len(clashes) - 20} more")
        raise AnchorspendError(
            f"the lookup has {len(clashes)} duplicate keys whose entries disagree",
            path=str(path),
            details=details,
            hint="keep one entry per supplier (or split the file into lookups in precedence order)",
        )
    return Lookup(str(path), Path(path).name, frame, findings + dup_findings, aliases)


def _check_payee_kinds(frame: pl.DataFrame, display: str, mapping: Mapping) -> None:
    """Refuse a ``payee_kind`` that is not one of the kinds, naming the row and the value."""
    kind = pl.col("payee_kind")
    odd = frame.filter(kind.is_not_null() & ~kind.is_in(PAYEE_KINDS))
    if odd.height:
        first = odd.row(0, named=True)
        more = f" ({odd.height} rows)" if odd.height > 1 else ""
        column = mapping.header_of("payee_kind")
        raise AnchorspendError(
            f"row {first['_lrow']}, column {column!r}: payee kind {first['payee_kind']!r} is "
            f"not one of {', '.join(PAYEE_KINDS)}{more}",
            path=display,
            hint="write one of the kinds, or leave the cell blank for anchorspend to decide",
        )


CIC_EVIDENCE = (
    "the name ends in 'Community Interest Company' or 'CIC', as the law requires of a CIC and "
    "of no other company (Companies (Audit, Investigations and Community Enterprise) Act 2004, "
    "s.33)"
)
_CIC_NAME = (
    r"(?i)\b(COMMUNITY\W+INTEREST\W+(PUBLIC\W+LIMITED\W+)?COMPANY|COMMUNITY\W+INTEREST\W+"
    r"P\W?L\W?C|C\W?I\W?C|CWMNI\W+BUDDIANT\W+CYMUNEDOL(\W+CYHOEDDUS\W+CYFYNGEDIG)?)\W*$"
)


def is_cic_name(name: pl.Expr) -> pl.Expr:
    """The name is a community interest company's: it ends in one of the forms s.33 of the
    2004 Act requires (English or Welsh, "C.I.C." as "CIC"), whatever the case, spacing or
    punctuation around the words."""
    return name.str.contains(_CIC_NAME)


_ATTRS = (*FLAG_FIELDS, "categories", "local_authority_code", "postcode", "payee_kind")
_EVIDENCE = tuple(f"{f}_{part}" for f in FLAG_FIELDS for part in ("confidence", "evidence"))
UNSTATED = "not stated"  # a lookup that gives a flag without saying how sure it is


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
    shared = clash.get_column("name_key").implode()
    cleared = frame.with_columns(
        pl.when(pl.col("name_key").is_in(shared)).then(None).otherwise(pl.col("name_key"))
        .alias("name_key")
    )  # fmt: skip
    return cleared, findings


def _deduplicate(
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
    for key in MATCH_ORDER:
        dup = (
            frame.filter(pl.col(key).is_not_null())
            .group_by(key)
            .agg(
                pl.len().alias("n"),
                pl.struct(*_ATTRS).n_unique().alias("variants"),
                pl.col("_lrow").alias("rows"),
                *(pl.col(a).n_unique().alias(f"_d_{a}") for a in _ATTRS),
            )
            .filter(pl.col("n") > 1)
            .sort(key)
        )
        for rec in dup.iter_rows(named=True):
            value, n, rows = rec[key], rec["n"], rec["rows"]
            where = f"{key} {value!r} (rows {', '.join(str(r) for r in rows[:5])})"
            at = {"path": display, "row": rows[1], "column": key, "value": str(value)}
            if rec["variants"] > 1:
                differ = ", ".join(a for a in _ATTRS if rec[f"_d_{a}"] > 1)
                findings.append(make("duplicate-key", **at, where=where, differ=differ))
            else:
                findings.append(make("duplicate-key", "same", **at, where=where, n=n))
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


def classify(rows: pl.DataFrame, lookups: list[Lookup]) -> Classified:
    """Add the resolved supplier key and classification to every row (see module docstring)."""
    distinct = (
        rows.select(*SUPPLIER_COLS)
        .unique(maintain_order=True)
        .with_row_index("_sid")
        .with_columns(pl.col("_sid").cast(pl.Int64))
    )
    names = distinct.select("supplier_name").unique()
    names = names.with_columns(name_key(pl.col("supplier_name")).alias("name_key"))
    distinct = distinct.join(names, on="supplier_name", how="left", nulls_equal=True)

    per_source: list[tuple[str, pl.DataFrame]] = []
    stats: list[dict[str, Any]] = []
    for i, lookup in enumerate(lookups):
        m = _match(distinct, lookup).join(
            lookup.frame.select(
                "_lk",
                *_ATTRS,
                *_EVIDENCE,
                pl.col("source").fill_null(lookup.label).alias("_src"),
            ),
            on="_lk",
            how="left",
        )
        m = m.with_columns(pl.lit(i).alias("_lookup"))
        per_source.append((lookup.label, m))
    # supplier-level view of the published flags: every distinct value a supplier's rows carry
    # join only the key columns (the wide rows are never copied); rows keep their order
    ids = rows.select(*SUPPLIER_COLS).join(
        distinct.select("_sid", *SUPPLIER_COLS),
        on=list(SUPPLIER_COLS),
        nulls_equal=True,
        how="left",
        maintain_order="left",
    )
    export_flags = rows.with_columns(ids.get_column("_sid"))

    sup = distinct.select("_sid", "name_key", "company_number")
    for i, (_, m) in enumerate(per_source):
        sup = sup.join(
            m.select(
                "_sid",
                pl.col("_lk").alias(f"_lk{i}"),
                pl.col("matched_by").alias(f"_by{i}"),
                *(pl.col(a).alias(f"{a}{i}") for a in (*_ATTRS, *_EVIDENCE, "_src")),
            ),
            on="_sid",
            how="left",
        )
    n = len(per_source)
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
            for a, dtype in (
                ("is_sme", pl.Boolean),
                ("is_vcse", pl.Boolean),
                ("is_diverse_led", pl.Boolean),
                ("categories", pl.List(pl.String)),
                ("local_authority_code", pl.String),
                ("postcode", pl.String),
                ("payee_kind", pl.String),
            )
        ),
    )

    # evidence travels with the value that won: the first lookup that knows the flag
    sup = sup.with_columns(
        *(
            pl.coalesce(
                *(pl.when(pl.col(f"{f}{i}").is_not_null()).then(pl.col(f"{f}_{part}{i}"))
                  for i in range(n)),
                pl.lit(None, pl.String),
            ).alias(f"_lookup_{f}_{part}")
            for f in FLAG_FIELDS
            for part in ("confidence", "evidence")
        ),
        *(
            pl.coalesce(
                *(pl.when(pl.col(f"{f}{i}").is_not_null()).then(pl.col(f"_src{i}"))
                  for i in range(n)),
                pl.lit(None, pl.String),
            ).alias(f"_lookup_{f}_source")
            for f in FLAG_FIELDS
        ),
    )  # fmt: skip
    attached = (
        export_flags.select("_sid")
        .join(
            sup.select(
                "_sid",
                "supplier_key",
                "matched_by",
                *(f"_lookup_{a}" for a in _ATTRS),
                *(
                    f"_lookup_{f}_{part}"
                    for f in FLAG_FIELDS
                    for part in ("confidence", "evidence", "source")
                ),
            ),
            on="_sid",
            how="left",
            maintain_order="left",
        )
        .drop("_sid")
    )
    out = export_flags.with_columns(attached.get_columns())
    unknown = pl.col("redacted")
    from_lookup = {f: pl.col(f"_lookup_{f}").is_not_null() for f in FLAG_FIELDS}
    from_export = {f: pl.col(f).is_not_null() for f in FLAG_FIELDS}
    # a community interest company's name must say so (CIC_EVIDENCE): a VCSE from its name
    cic = is_cic_name(pl.col("supplier_name")).fill_null(False)
    from_name = {f: cic if f == "is_vcse" else pl.lit(False) for f in FLAG_FIELDS}
    out = out.with_columns(
        *(
            pl.when(unknown).then(None)
            .when(from_lookup[f]).then(pl.col(f"_lookup_{f}_confidence").fill_null(UNSTATED))
            .when(from_export[f]).then(pl.lit("declared"))
            .when(from_name[f]).then(pl.lit("registered"))
            .alias(f"{f}_confidence")
            for f in FLAG_FIELDS
        ),
        *(
            pl.when(unknown).then(None)
            .when(from_lookup[f]).then(pl.coalesce(
                pl.col(f"_lookup_{f}_evidence"), pl.col(f"_lookup_{f}_source")))
            .when(from_export[f]).then(pl.lit("the export's own column"))
            .when(from_name[f]).then(pl.lit(CIC_EVIDENCE))
            .alias(f"{f}_evidence")
            for f in FLAG_FIELDS
        ),
    )  # fmt: skip
    out = out.with_columns(
        *(
            pl.when(unknown)
            .then(None)
            .otherwise(pl.coalesce(f"_lookup_{f}", f, pl.when(from_name[f]).then(pl.lit(True))))
            .alias(f)
            for f in FLAG_FIELDS
        ),
        pl.when(unknown).then(None).otherwise(pl.col("_lookup_categories")).alias("categories"),
        pl.when(unknown)
        .then(None)
        .otherwise(pl.col("_lookup_local_authority_code"))
        .alias("local_authority_code"),
        pl.when(unknown).then(None).otherwise(pl.col("_lookup_postcode")).alias("postcode"),
        pl.when(unknown).then(None).otherwise(pl.col("_lookup_payee_kind")).alias("payee_kind"),
        pl.when(unknown).then(None).otherwise(pl.col("matched_by")).alias("matched_by"),
    ).drop(
        *(f"_lookup_{a}" for a in _ATTRS),
        *(
            f"_lookup_{f}_{part}"
            for f in FLAG_FIELDS
            for part in ("confidence", "evidence", "source")
        ),
    )

    conflicts = _conflicts(sup, export_flags, out, [label for label, _ in per_source])
    analysed = out.filter((pl.col("_status") == "analysed") & ~pl.col("redacted"))
    for i, lookup in enumerate(lookups):
        # what this lookup matched on its own, whichever lookup had precedence
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
    cats = (
        out.select(pl.col("categories").explode().drop_nulls().unique().sort())
        .get_column("categories")
        .to_list()
        if out.height
        else []
    )
    findings = [f for lookup in lookups for f in lookup.findings]
    return Classified(out.drop("_sid"), conflicts, stats, findings, cats)


def _conflicts(
    sup: pl.DataFrame, export_rows: pl.DataFrame, classified: pl.DataFrame, labels: list[str]
) -> pl.DataFrame:
    """Suppliers whose sources disagree on a flag: one row per supplier key and flag."""
    parts: list[pl.DataFrame] = []
    keyed = sup.select("_sid", "supplier_key")
    for f in FLAG_FIELDS:
        for i, label in enumerate(labels):
            parts.append(
                sup.filter(pl.col(f"{f}{i}").is_not_null()).select(
                    "supplier_key",
                    pl.lit(f).alias("field"),
                    pl.lit(label).alias("source"),
                    pl.lit(i).alias("rank"),
                    pl.col(f"{f}{i}").alias("value"),
                )
            )
        parts.append(
            export_rows.filter(pl.col(f).is_not_null() & ~pl.col("redacted"))
            .join(keyed, on="_sid")
            .select(
                "supplier_key",
                pl.lit(f).alias("field"),
                pl.lit(EXPORT_SOURCE).alias("source"),
                pl.lit(len(labels)).alias("rank"),
                pl.col(f).alias("value"),
            )
        )
    votes = pl.concat(parts).unique().sort("supplier_key", "field", "rank", "value")
    clashing = (
        votes.group_by("supplier_key", "field")
        .agg(pl.col("value").n_unique().alias("n"))
        .filter(pl.col("n") > 1)
        .select("supplier_key", "field")
    )
    analysed = classified.filter(pl.col("_status") == "analysed")
    spend = analysed.group_by("supplier_key").agg(pl.col("amount").sum().alias("pence"))
    spend = spend.join(display_names(analysed), on="supplier_key", how="left")
    return (
        votes.join(clashing, on=["supplier_key", "field"])
        .group_by("supplier_key", "field", maintain_order=True)
        .agg(pl.struct("source", pl.col("value")).alias("values"))
        .join(spend, on="supplier_key", how="left")
        .with_columns(pence_text_expr(pl.col("pence").fill_null(0)).alias("spend"))
        .sort(["pence", "supplier_key", "field"], descending=[True, False, False], nulls_last=True)
        .select("supplier", "supplier_key", "field", "values", "spend")
    )


def display_names(rows: pl.DataFrame, key: str = "supplier_key") -> pl.DataFrame:
    """One name per supplier ``key``: the spelling on most rows, then with most spend, then
    alphabetical (so the choice never depends on row order)."""
    return (
        rows.group_by(key, "supplier_name")
        .agg(pl.col("n").sum().alias("_n"), pl.col("amount").sum().alias("_p"))
        .sort(["_n", "_p", "supplier_name"], descending=[True, True, False])
        .group_by(key, maintain_order=True)
        .agg(pl.col("supplier_name").first().alias("supplier"))
    )
