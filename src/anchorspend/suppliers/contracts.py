"""A buyer's contracts register (Local Government Transparency Code) as a source of claims.

Councils publish their contracts with the supplier's name, company number, postcode and an
"SME Supplier?" (sometimes "VCSE Supplier?") answer recorded at award: the supplier's own
declaration, so the confidence is ``declared``. Each contract is one claim; a supplier the
register calls SME on one contract and not on another gives conflicting claims, which the build
lists (the most recent contract's answer is used).

Some registers answer in words in one combined column (``SME or VSCE (inc. Reg. No.)`` holding
``Micro``, ``Large``, ``Charity``, ``VCSE 1121596``…): each answer is read by
:func:`anchorspend.normalise.flag_words` against what its header asks, and a charity or company
number written after the words becomes the supplier's number where the register has no number
column (or leaves that cell blank). Answers that cannot be read (``Various``, ``TBC``, ``N/A``),
``Yes`` under a header that asks "SME *or* VCSE", and numbers that are not used are findings
listing the distinct values: never a guess.

``overrides`` (``--map FIELD=HEADER``) choose columns as they do for spend exports.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from anchorspend.errors import AnchorspendError, Finding, UnrecognisedTable
from anchorspend.findings import make
from anchorspend.ingest.header import HEADER_SEARCH_ROWS, find_header, score_cells
from anchorspend.ingest.mapping import Mapping, map_columns
from anchorspend.ingest.raw import ROW, RawTable, cell_name
from anchorspend.ingest.sources import ReadOptions, expand, open_sources, read_source
from anchorspend.normalise import (
    company_number,
    flag_header_names,
    flag_words,
    is_missing,
    parse_date,
)
from anchorspend.schemas import header_key
from anchorspend.schemas import load as load_schema

START_DATE = ("startdate", "contractstartdate", "awarddate", "datestarted")
REFERENCE = ("contractreference", "contractref", "reference", "contractid")
FLAGS = ("is_sme", "is_vcse")
SHOWN_VALUES = 20


@dataclass(frozen=True, slots=True)
class _Answers:
    """One column of SME/VCSE answers: what its header asks and how each answer reads."""

    field: str  # the field the column was mapped to
    column: str  # its raw column (c0…)
    header: str  # its header, whitespace collapsed
    question: str  # how evidence names it
    words: pl.Expr  # flag_words struct


def read_contracts_register(path: Path, overrides: dict[str, str] | None = None) -> pl.LazyFrame:
    return read_contracts(path, overrides)[0]


def read_contracts(
    path: Path, overrides: dict[str, str] | None = None
) -> tuple[pl.LazyFrame, list[Finding]]:
    """Claims from one contracts register (a file, or a folder or zip of them), and the
    findings about answers that were not read."""
    schema = load_schema("suppliers")
    chosen = overrides or {}
    frames = []
    findings: list[Finding] = []
    for file in expand([path]):
        with open_sources(file) as sources:
            for source in sources:
                table = read_source(source, ReadOptions(), lambda c: score_cells(c, schema, chosen))
                header = _find_header(table, chosen)
                mapping = map_columns(table, header, schema, chosen)
                findings += table.findings + mapping.findings
                frame, found = _claims(table, header, mapping, Path(source.display).name)
                frames.append(frame)
                findings += found
    return pl.concat(frames, how="vertical_relaxed"), findings


def _find_header(table: RawTable, overrides: dict[str, str]) -> int:
    """The header row; a ``--map`` header that no row near the top carries is named as such,
    with the row that looks most like a header."""
    schema = load_schema("suppliers")
    try:
        return find_header(table, schema, overrides)
    except UnrecognisedTable:
        if not overrides:
            raise
        filled = pl.any_horizontal(pl.exclude(ROW).is_not_null())
        head = table.frame.filter(filled).head(HEADER_SEARCH_ROWS)
        cols = [cell_name(i) for i in range(table.width)]
        rows = [(r[0], [c for c in r[1:] if c]) for r in head.select(ROW, *cols).iter_rows()]
        keys = {header_key(c) for _, cells in rows for c in cells}
        absent = [(f, h) for f, h in overrides.items() if header_key(h) not in keys]
        if not absent:
            raise
        row, cells = max(rows, key=lambda r: len(r[1]), default=(0, []))
        shown = ", ".join(repr(c) for c in cells[:40]) or "(none)"
        raise AnchorspendError(
            "; ".join(f"--map {f}={h!r}: no such header" for f, h in absent)
            + f" in the first {HEADER_SEARCH_ROWS} rows",
            path=table.source,
            details=[f"headers found (row {row}): {shown}"],
            hint=" ".join(f'--map {f}="<one of the headers above>"' for f, _ in absent),
        ) from None


def _answers(mapping: Mapping) -> list[_Answers]:
    """The SME/VCSE columns. A header's own words say what it asks (``SME or VSCE`` asks both);
    a header naming neither (``--map is_sme=Size``) asks about the field it feeds."""
    out = []
    for field in FLAGS:
        column = mapping.columns.get(field)
        if column is None:
            continue
        header = " ".join(mapping.header_of(field).split())
        sme, vcse = flag_header_names(header)
        if not (sme or vcse):
            sme, vcse = field == "is_sme", field == "is_vcse"
        question = header if sme and vcse else "SME supplier?" if sme else "VCSE supplier?"
        out.append(
            _Answers(
                field, column, header, question, flag_words(pl.col(column), sme=sme, vcse=vcse)
            )
        )
    return out


def _claims(
    table: RawTable, header: int, mapping: Mapping, name: str
) -> tuple[pl.LazyFrame, list[Finding]]:
    keys = [header_key(h) for h in mapping.headers]

    def raw(field: str) -> pl.Expr:
        c = mapping.columns.get(field)
        if c is None:
            return pl.lit(None, dtype=pl.String)
        return pl.when(~is_missing(pl.col(c))).then(pl.col(c).str.strip_chars())

    def by_key(wanted: tuple[str, ...]) -> pl.Expr:
        for w in wanted:
            if w in keys:
                return pl.col(cell_name(keys.index(w))).str.strip_chars()
        return pl.lit(None, dtype=pl.String)

    label = f"Contracts register: {name}"
    ref = by_key(REFERENCE)
    started = parse_date(by_key(START_DATE)).struct.field("date").cast(pl.String)
    contract = pl.when(ref.is_not_null()).then(pl.lit(" (contract ") + ref + pl.lit(")"))
    answers = _answers(mapping)

    def said(field: str) -> list[pl.Expr]:
        # the column asking only about this flag first, then a column that also answers it
        ordered = sorted(answers, key=lambda a: a.field != field)
        value = pl.coalesce(
            *(a.words.struct.field(field) for a in ordered), pl.lit(None, pl.Boolean)
        )
        evidence = pl.lit(None, pl.String)
        for a in reversed(ordered):
            text = pl.concat_str(
                pl.lit(f"{label}: {a.question} = "),
                pl.col(a.column).str.strip_chars(),
                contract.fill_null(""),
            )
            evidence = (
                pl.when(a.words.struct.field(field).is_not_null()).then(text).otherwise(evidence)
            )
        return [
            value.alias(field),
            pl.when(value.is_not_null()).then(evidence).alias(f"{field}_evidence"),
            pl.when(value.is_not_null()).then(pl.lit("declared")).alias(f"{field}_confidence"),
        ]

    def number(kind: str) -> pl.Expr:
        return pl.coalesce(*(a.words.struct.field(kind) for a in answers), pl.lit(None, pl.String))

    body = table.frame.filter(pl.col(ROW) > header)
    frame = (
        body.lazy()
        .select(
            pl.lit(label).alias("source"),
            raw("supplier_name").alias("supplier_name"),
            company_number(pl.coalesce(raw("company_number"), number("company_number"))).alias(
                "company_number"
            ),
            pl.coalesce(raw("charity_number"), number("charity_number")).alias("charity_number"),
            raw("postcode").alias("postcode"),
            pl.lit(None, pl.String).alias("status"),
            pl.lit(False).alias("dissolved"),
            *said("is_sme"),
            *said("is_vcse"),
            started.alias("as_of"),
        )
        .filter(pl.col("supplier_name").is_not_null())
    )
    named = body.filter(raw("supplier_name").is_not_null())
    return frame, [f for a in answers for f in _unread(named, a, table)]


# the problem :func:`~anchorspend.normalise.flag_words` finds in an answer → its finding
_UNREAD = {
    "either": "register-answer-either",
    "number": "register-answer-number",
    "unknown": "register-answer-unknown",
}


def _unread(body: pl.DataFrame, answers: _Answers, table: RawTable) -> list[Finding]:
    """Findings for the answers in one column that were not read, each listing the values."""
    counted = (
        body.select(
            pl.col(answers.column).str.strip_chars().alias("value"),
            answers.words.struct.field("problem").alias("problem"),
        )
        .filter(pl.col("problem").is_not_null())
        .group_by("problem", "value")
        .len()
        .sort("problem", "len", "value", descending=[False, True, False])
    )
    out = []
    for (problem,), group in counted.group_by("problem", maintain_order=True):
        values = list(group.select("value", "len").iter_rows())
        shown = ", ".join(f"{v!r} ({n})" for v, n in values[:SHOWN_VALUES])
        if len(values) > SHOWN_VALUES:
            shown += f", … ({len(values)} distinct values)"
        total = sum(n for _, n in values)
        contracts = f"{total} contract{'s' if total != 1 else ''}"
        out.append(
            make(
                _UNREAD[problem],
                path=table.source,
                sheet=table.sheet,
                column=answers.header,
                contracts=contracts,
                shown=shown,
            )
        )
    return out
