"""A supplier lookup: a file in the suppliers schema (CSV, XLSX or Parquet) read into one entry
per key, each with its flags, categories, place and payee kind, and the evidence for them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from anchorspend.classify.duplicates import deduplicate
from anchorspend.config import PAYEE_KINDS
from anchorspend.errors import AnchorspendError, Finding
from anchorspend.findings import make
from anchorspend.ingest.fields import FLAG_FIELDS
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
    plain_id,
    vat_number,
)
from anchorspend.schemas import load as load_schema


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
                frame = _entries(mapping.body(table.frame), mapping)
                findings += _unknown_flag_values(frame, source.display)
                _check_payee_kinds(frame, source.display, mapping)
                frames.append(frame.drop(*(f"_odd_{f}" for f in FLAG_FIELDS)))
    frame = pl.concat(frames, how="vertical_relaxed")
    frame = frame.with_columns(name_key(pl.col("supplier_name")).alias("name_key"))
    frame, aliases, dup_findings = deduplicate(frame, str(path))
    if strict:
        _refuse_clashes(dup_findings, path)
    return Lookup(str(path), Path(path).name, frame, findings + dup_findings, aliases)


def _cell(columns: dict[str, str], name: str) -> pl.Expr:
    """The field's cell, trimmed; null where it is missing or the file has no such column."""
    c = columns.get(name)
    if c is None:
        return pl.lit(None, dtype=pl.String)
    return pl.when(~is_missing(pl.col(c))).then(pl.col(c).str.strip_chars())


def _flag_of(f: str, kind: str, columns: dict[str, str], combined: dict[str, str]) -> pl.Expr:
    """Flag ``f`` read from its column (``kind`` "flag"), or whether its cell is text that is no
    answer (``kind`` "odd"). A column asking about SME and VCSE at once ("SME or VCSE") is read
    in words, as a contracts register's is (``normalise.flag_words``): its "Yes" is not SME."""
    c = combined.get(f) or next(iter(combined.values()), None)
    if f not in ("is_sme", "is_vcse") or c is None:
        cell = _cell(columns, f)
        return flag(cell) if kind == "flag" else flag_is_unknown_text(cell)
    read = flag_words(pl.when(~is_missing(pl.col(c))).then(pl.col(c)), sme=True, vcse=True)
    if kind == "flag":
        return read.struct.field(f)
    return read.struct.field("problem").is_in(["unknown", "either"])


def _entries(body: pl.DataFrame, mapping: Mapping) -> pl.DataFrame:
    """One row per non-empty row of the file: keys normalised, flags read (with an ``_odd_``
    column per flag saying the cell was no answer), categories as a list, postcodes in one
    form."""
    columns = mapping.columns
    combined = {
        f: c
        for f, c in columns.items()
        if f in ("is_sme", "is_vcse") and all(flag_header_names(mapping.header_of(f)))
    }

    def raw(name: str) -> pl.Expr:
        return _cell(columns, name)

    categories = (
        raw("diverse_led_categories")
        .str.to_lowercase()
        .str.split(";")
        .list.eval(pl.element().str.strip_chars())
        .list.eval(pl.element().filter(pl.element() != ""))
    )
    # valid postcodes in one form (so duplicates compare); others as written
    postcode = pl.coalesce(normalise_postcode(raw("postcode")), raw("postcode"))
    return body.select(
        pl.col(ROW).alias("_lrow"),
        raw("supplier_name").alias("supplier_name"),
        company_number(raw("company_number")).alias("company_number"),
        plain_id(raw("charity_number")).alias("charity_number"),
        vat_number(raw("vat_number")).alias("vat_number"),
        plain_id(raw("supplier_id")).alias("supplier_id"),
        *(_flag_of(f, "flag", columns, combined).alias(f) for f in FLAG_FIELDS),
        *(
            _flag_of(f, "odd", columns, combined).fill_null(False).alias(f"_odd_{f}")
            for f in FLAG_FIELDS
        ),
        categories.alias("categories"),
        plain_id(raw("local_authority_code")).alias("local_authority_code"),
        raw("payee_kind").str.to_lowercase().alias("payee_kind"),
        postcode.alias("postcode"),
        raw("source").alias("source"),
        *(raw(f"{f}_evidence").alias(f"{f}_evidence") for f in FLAG_FIELDS),
        *(raw(f"{f}_confidence").str.to_lowercase().alias(f"{f}_confidence") for f in FLAG_FIELDS),
        flag(raw("dissolved")).fill_null(False).alias("dissolved"),
    ).filter(pl.any_horizontal(pl.exclude("_lrow", "categories", "dissolved").is_not_null()))


def _unknown_flag_values(frame: pl.DataFrame, display: str) -> list[Finding]:
    """A finding per flag whose cells hold text that is no answer, at the first such row."""
    findings: list[Finding] = []
    for f in FLAG_FIELDS:
        odd = frame.filter(pl.col(f"_odd_{f}")).get_column("_lrow").to_list()
        if odd:
            findings.append(
                make(
                    "unknown-flag-value",
                    "lookup",
                    path=display,
                    row=odd[0],
                    column=f,
                    n=len(odd),
                    field=f,
                )
            )
    return findings


def _refuse_clashes(dup_findings: list[Finding], path: Path) -> None:
    """Stop on duplicate keys whose entries disagree, naming the first twenty."""
    clashes = [f for f in dup_findings if f.severity == "error"]
    if not clashes:
        return
    details = [f.message for f in clashes[:20]]
    if len(clashes) > 20:
        details.append(f"… and {len(clashes) - 20} more")
    raise AnchorspendError(
        f"the lookup has {len(clashes)} duplicate keys whose entries disagree",
        path=str(path),
        details=details,
        hint="keep one entry per supplier (or split the file into lookups in precedence order)",
    )


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
