"""A buyer's contracts register (Local Government Transparency Code) as a source of claims.

Councils publish their contracts with the supplier's name, company number, postcode and an
"SME Supplier?" (sometimes "VCSE Supplier?") answer recorded at award: the supplier's own
declaration, so the confidence is ``declared``. Each contract is one claim; a supplier the
register calls SME on one contract and not on another gives conflicting claims, which the build
lists (the most recent contract's answer is used). "Various" and other non-yes/no answers are
unknown.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from anchorspend.ingest.header import find_header, map_columns, score_cells
from anchorspend.ingest.raw import ROW, cell_name
from anchorspend.ingest.sources import ReadOptions, expand, open_sources, read_source
from anchorspend.normalise import company_number, flag, is_missing, parse_date
from anchorspend.schemas import header_key
from anchorspend.schemas import load as load_schema

START_DATE = ("startdate", "contractstartdate", "awarddate", "datestarted")
REFERENCE = ("contractreference", "contractref", "reference", "contractid")


def read_contracts_register(path: Path) -> pl.LazyFrame:
    schema = load_schema("suppliers")
    frames = []
    for file in expand([path]):
        with open_sources(file) as sources:
            for source in sources:
                table = read_source(source, ReadOptions(), lambda c: score_cells(c, schema, {}))
                header = find_header(table, schema, {})
                mapping = map_columns(table, header, schema, {})
                keys = [header_key(h) for h in mapping.headers]

                def raw(name: str, cols: dict[str, str] = mapping.columns) -> pl.Expr:
                    c = cols.get(name)
                    if c is None:
                        return pl.lit(None, dtype=pl.String)
                    return pl.when(~is_missing(pl.col(c))).then(pl.col(c).str.strip_chars())

                def by_key(wanted: tuple[str, ...], ks: list[str] = keys) -> pl.Expr:
                    for w in wanted:
                        if w in ks:
                            return pl.col(cell_name(ks.index(w))).str.strip_chars()
                    return pl.lit(None, dtype=pl.String)

                label = f"Contracts register: {Path(source.display).name}"
                ref = by_key(REFERENCE)
                started = parse_date(by_key(START_DATE)).struct.field("date").cast(pl.String)

                def said(
                    field: str, question: str, r: pl.Expr = ref, label: str = label
                ) -> list[pl.Expr]:
                    value = flag(raw(field))
                    evidence = pl.concat_str(
                        pl.lit(f"{label}: {question} = "), raw(field),
                        pl.when(r.is_not_null()).then(pl.lit(" (contract ") + r + pl.lit(")"))
                        .otherwise(pl.lit("")),
                    )  # fmt: skip
                    return [
                        value.alias(field),
                        pl.when(value.is_not_null()).then(evidence).alias(f"{field}_evidence"),
                        pl.when(value.is_not_null())
                        .then(pl.lit("declared"))
                        .alias(f"{field}_confidence"),
                    ]

                frames.append(
                    table.frame.filter(pl.col(ROW) > header)
                    .lazy()
                    .select(
                        pl.lit(label).alias("source"),
                        raw("supplier_name").alias("supplier_name"),
                        company_number(raw("company_number")).alias("company_number"),
                        raw("charity_number").alias("charity_number"),
                        raw("postcode").alias("postcode"),
                        pl.lit(None, pl.String).alias("status"),
                        pl.lit(False).alias("dissolved"),
                        *said("is_sme", "SME supplier?"),
                        *said("is_vcse", "VCSE supplier?"),
                        started.alias("as_of"),
                    )
                    .filter(pl.col("supplier_name").is_not_null())
                )
    return pl.concat(frames, how="vertical_relaxed")
