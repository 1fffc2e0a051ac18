"""Find a table's header row: the record that best names the schema's fields
(:func:`score_cells`), among the first rows, and then among the last ones: some exports are
sorted with their header line last. Also the header's texts as read, and the spreadsheet column
letters messages name columns by.

Mapping the header's columns onto the fields is :mod:`anchorspend.ingest.mapping`.
"""

from __future__ import annotations

import polars as pl

from anchorspend.errors import UnrecognisedTable
from anchorspend.ingest.aliases import FIELD_WORDS, alias_index, prefixes, starts_with, word_fields
from anchorspend.ingest.raw import ROW, RawTable, cell_name
from anchorspend.schemas import Schema, header_key

HEADER_SEARCH_ROWS = 30
MIN_DATA_ABOVE = 3  # see header_is_last
TAIL_SEARCH_ROWS = 3  # a header sorted below the data is among the last non-blank records
PREFIX_SCORED_CELLS = 200  # a header's cells tried against every alias as prefixes


def score_cells(cells: list[str | None], schema: Schema, overrides: dict[str, str]) -> int:
    """How much a record looks like this schema's header: 0 unless it names at least two fields,
    among them two of the required fields (or all of them when fewer than two are required),
    one of them by a known name; else twice the number of distinct fields named by an alias or
    an alias the header starts with (``Vendor_Nm``), plus one for each further required field
    a header's words point at (``Payment GL Date``)."""
    index = alias_index(schema)
    wanted = {header_key(h): f for f, h in overrides.items()}
    texts = [c for c in cells if c and len(c) <= 80]
    keys = [header_key(c) for c in texts]
    fields = {wanted.get(k) or index.get(k, (None, 0))[0] for k in keys} - {None}
    alias_starts = prefixes(schema)
    for text, k in list(zip(texts, keys, strict=True))[:PREFIX_SCORED_CELLS]:
        if k in index or k in wanted:
            continue
        for ak, f, _ in alias_starts:
            if starts_with(k, text, ak, f):
                fields.add(f)
                break
    by_words: set[str] = set()
    if set(schema.required) <= set(FIELD_WORDS):
        for text in texts:
            by_words |= word_fields(text) - fields
    required = (fields | by_words) & set(schema.required)
    need = min(2, len(schema.required))
    if len(required) < need or len(fields | by_words) < 2 or not fields:
        return 0
    return 2 * len(fields) + len(by_words)


def find_header(table: RawTable, schema: Schema, overrides: dict[str, str]) -> int:
    """Physical row number of the header: the best-scoring record among the first rows that
    are not blank (an export may open with any number of blank lines), else among the last few
    (an export sorted with its header line last; see :func:`header_is_last`)."""
    filled = pl.any_horizontal(pl.exclude(ROW).is_not_null())
    records = table.frame.filter(filled)
    head = records.head(HEADER_SEARCH_ROWS)
    cols = [cell_name(i) for i in range(table.width)]
    for part in (head, records.tail(TAIL_SEARCH_ROWS)):
        best_row, best = 0, 0
        for rec in part.iter_rows(named=True):
            score = score_cells([rec[c] for c in cols], schema, overrides)
            if score > best:
                best_row, best = rec[ROW], score
        if best:
            return int(best_row)
    first = next(
        (
            [v for v in (rec[c] for c in cols) if v]
            for rec in head.iter_rows(named=True)
            if any(rec[c] for c in cols)
        ),
        [],
    )
    required = ", ".join(schema.required)
    raise UnrecognisedTable(
        f"no recognisable header row in the first {HEADER_SEARCH_ROWS} rows or the last "
        f"{TAIL_SEARCH_ROWS} (looked for columns for {required})",
        path=table.source,
        details=[f"first non-empty row: {show(first)}"],
        hint="--map FIELD=HEADER for each required field, e.g. "
        + " ".join(f'--map {f}="<header>"' for f in schema.required),
    )


def header_is_last(table: RawTable, header_row: int) -> bool:
    """Whether the header found is the last record, below the data: no record follows it and
    at least :data:`MIN_DATA_ABOVE` precede it (fewer are title lines above a header with no
    data, which is a file with no data rows)."""
    filled = pl.any_horizontal(pl.exclude(ROW).is_not_null())
    records = table.frame.filter(filled).get_column(ROW)
    before = int((records < header_row).sum())
    return before >= MIN_DATA_ABOVE and records.max() == header_row


def show(cells: list[str], limit: int = 12) -> str:
    shown = ", ".join(repr(c if len(c) <= 40 else c[:39] + "…") for c in cells[:limit])
    return (
        shown + (f", … ({len(cells)} in all)" if len(cells) > limit else "") if cells else "(none)"
    )


def headers_of(table: RawTable, header_row: int) -> tuple[str, ...]:
    rec = table.frame.filter(pl.col(ROW) == header_row).row(0, named=True)
    return tuple(
        (rec[cell_name(i)] or "").replace("\ufeff", "").replace("ï»¿", "").strip()
        for i in range(table.width)
    )


def letter(i: int) -> str:
    """Spreadsheet column letters of a 0-based column index (0 → A, 26 → AA)."""
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def column_index(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n - 1
