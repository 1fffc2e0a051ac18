"""Map a header's columns onto a schema's canonical fields, by header and content.

Headers are matched by :func:`~anchorspend.schemas.header_key` (case, spaces and punctuation
ignored) against each field's aliases, in tiers: exact aliases first; then, for fields still
unmatched, headers that *start with* an alias (``Payment Date (dd/mm/yyyy)``) among headers no
field claimed; then, for required fields still unmatched, a column whose header has a word of
the field (``Name``, ``Payment GL Date``, ``Invoice Value``) and whose cells read as the field
(names, days, money). The cells are the test throughout (:mod:`anchorspend.ingest.choice`): a
required field prefers the best-ranked column whose cells read as it, and two headers equally
good for one field are told apart by their cells (names beat codes, labels beat URIs, the
better-parsing column wins). A required field that content cannot decide stops with both
columns, a sample of each and the ``--map`` line; an optional field never stops a run (the best
candidate is used, with a warning naming the choice). ``--map FIELD=HEADER`` (or
``FIELD=column:E``) and ``[columns]`` win over everything.

Finding the header row is :mod:`anchorspend.ingest.header`.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from functools import partial

import polars as pl

from anchorspend.errors import AnchorspendError, Finding, UnrecognisedTable, UsageError
from anchorspend.findings import make
from anchorspend.ingest.aliases import FIELD_WORDS, alias_index, prefixes, starts_with
from anchorspend.ingest.choice import Columns, by_content, choose, reads_as
from anchorspend.ingest.header import (
    column_index,
    find_header,
    header_is_last,
    headers_of,
    letter,
    show,
)
from anchorspend.ingest.raw import ROW, RawTable, cell_name
from anchorspend.schemas import Schema, header_key

SHOWN_COLUMNS = 12  # unused columns shown, with sample values, when a required field is missing
_BY_LETTER = re.compile(r"(?i)^column:([a-z]{1,3})$")


@dataclass(frozen=True, slots=True)
class Mapping:
    """Which raw column feeds each canonical field, how it was chosen, and how the header
    looked."""

    header_row: int  # physical row number of the header
    headers: tuple[str, ...]  # header text per raw column ("" when blank)
    columns: dict[str, str]  # canonical field → raw column name (c0…)
    how: dict[str, str]  # canonical field → "alias" | "prefix" | "content" | "map"
    findings: list[Finding] = field(default_factory=list)
    header_last: bool = False  # the header is the last row, below the data

    def body(self, frame: pl.DataFrame) -> pl.DataFrame:
        """The records of ``frame`` (in physical order) that hold data: those after the
        header, or, where the header is last, all but the header."""
        if self.header_last:
            return frame.filter(pl.col(ROW) != self.header_row)
        # sorted by row: the data starts after the header, without a copy
        return frame.slice(int(frame.get_column(ROW).search_sorted(self.header_row, "right")))

    def header_of(self, fieldname: str) -> str:
        return self.headers[int(self.columns[fieldname][1:])]

    def described(self) -> dict[str, dict[str, str]]:
        """Per field, the header used and the basis of the choice (for documents and ``check``)."""
        return {
            f: {
                "header": self.header_of(f),
                "column": letter(int(self.columns[f][1:])),
                "basis": self.how[f],
            }
            for f in sorted(self.columns)
        }


def parse_overrides(items: list[str], schema: Schema) -> dict[str, str]:
    """``--map FIELD=HEADER`` items → {field: header}. Unknown fields are usage errors."""
    out: dict[str, str] = {}
    for item in items:
        fieldname, sep, header = item.partition("=")
        fieldname, header = fieldname.strip(), header.strip().strip('"').strip("'")
        if not sep or not fieldname or not header:
            raise UsageError(
                f"bad --map {item!r}: expected FIELD=HEADER", hint='--map amount="Net Amount"'
            )
        if fieldname not in schema.names:
            near = difflib.get_close_matches(fieldname, schema.names, n=1)
            raise UsageError(
                f"bad --map {item!r}: {fieldname!r} is not a field",
                hint=(f"did you mean {near[0]!r}? " if near else "")
                + f"fields: {', '.join(schema.names)}",
            )
        out[fieldname] = header
    return out


class _Mapper:
    """The columns chosen so far for one table's fields, tier by tier."""

    def __init__(self, cols: Columns, schema: Schema) -> None:
        self.cols, self.schema = cols, schema
        self.columns: dict[str, str] = {}
        self.how: dict[str, str] = {}
        self.claimed: set[int] = set()
        self.findings: list[Finding] = []

    def claim(self, fieldname: str, i: int, basis: str) -> None:
        self.columns[fieldname], self.how[fieldname] = cell_name(i), basis
        self.claimed.add(i)

    def take(self, fieldname: str, found: list[tuple[int, int]], basis: str) -> None:
        """The best of ``found`` ((rank, column)) for ``fieldname`` (see :func:`choose`)."""
        self.claim(
            fieldname, choose(self.cols, self.schema, fieldname, found, self.findings), basis
        )

    def by_alias(self, index: dict[str, tuple[str, int]]) -> None:
        """Tier 1: exact aliases."""
        candidates: dict[str, list[tuple[int, int]]] = {}
        for i, k in enumerate(self.cols.keys):
            if i in self.claimed or not k or k not in index:
                continue
            fieldname, rank = index[k]
            candidates.setdefault(fieldname, []).append((rank, i))
        for spec in self.schema.fields:  # in the schema's order, so that choices are stable
            if spec.name in candidates and spec.name not in self.columns:
                self.take(spec.name, sorted(candidates[spec.name]), "alias")

    def by_prefix(self, index: dict[str, tuple[str, int]]) -> None:
        """Tier 2: prefixes, for fields still missing, among unclaimed headers."""
        keys, headers = self.cols.keys, self.cols.headers
        for spec in self.schema.fields:
            if spec.name in self.columns:
                continue
            found = [
                (rank, i)
                for ak, f, rank in prefixes(self.schema)
                if f == spec.name
                for i, k in enumerate(keys)
                if i not in self.claimed and k not in index and starts_with(k, headers[i], ak, f)
            ]
            if found:
                best: dict[int, int] = {}
                for rank, i in sorted(found, reverse=True):
                    best[i] = rank
                self.take(spec.name, sorted((r, i) for i, r in best.items()), "prefix")

    def by_content(self) -> None:
        """Tier 3: required fields no header names, found by a header's words and the cells."""
        for fieldname in self.schema.required:
            if fieldname in self.columns or fieldname not in FIELD_WORDS:
                continue
            i = by_content(self.cols, fieldname, self.claimed)
            if i is not None:
                self.claim(fieldname, i, "content")

    def missing(self, header_row: int) -> UnrecognisedTable:
        """The stop for required fields no tier found a column for: the headers, the unused
        columns with samples, and a ``--map`` line for each (the likeliest header filled in
        for the first)."""
        cols, headers = self.cols, self.cols.headers
        missing = [f for f in self.schema.required if f not in self.columns]
        fieldname = missing[0]
        guess = _closest(fieldname, self.schema, headers, self.claimed)
        if guess is None:  # the one unused column whose cells read as the field, if one does
            reading = [
                i
                for i in free_columns(headers, self.claimed)
                if reads_as(fieldname, cols.profile(i))
            ]
            guess = headers[reading[0]] if len(reading) == 1 else None
        free = free_columns(headers, self.claimed)[:SHOWN_COLUMNS]
        return UnrecognisedTable(
            f"no column for the required field {fieldname!r}"
            + (f" (also missing: {', '.join(missing[1:])})" if missing[1:] else ""),
            path=cols.table.source,
            details=[
                f"headers found (row {header_row}): {show(list(headers), 40)}",
                *(f"unused: {cols.describe(i)}" for i in free),
            ],
            hint=" ".join(
                _fix_line(f, guess if f == fieldname else None, headers) for f in missing
            ),
        )

    def basis_notes(self, header_row: int) -> None:
        """A finding for each column matched by prefix or by content, not by its name."""
        table, headers = self.cols.table, self.cols.headers
        for f, basis in self.how.items():
            if basis not in ("prefix", "content"):
                continue
            i = int(self.columns[f][1:])
            at = partial(make, path=table.source, row=header_row, column=headers[i], field=f)
            if basis == "prefix":
                self.findings.append(at("column-matched-by-prefix"))
            else:
                samples = ", ".join(repr(s) for s in self.cols.profiles([i])[0].samples[:3])
                self.findings.append(at("column-matched-by-content", samples=samples))


def map_columns(
    table: RawTable,
    header_row: int,
    schema: Schema,
    overrides: dict[str, str],
    *,
    data: RawTable | None = None,
) -> Mapping:
    """Map ``table``'s header (row ``header_row``) onto ``schema``. The cells profiled are the
    records after the header, or, where the header is the last row (``data`` given: the
    source's first records), those of ``data``."""
    headers = headers_of(table, header_row)
    at_end = data is not None
    if data is None:
        body = table.frame.filter(pl.col(ROW) > header_row)
    else:
        body = data.frame.filter(pl.col(ROW) != header_row)
    body = body.filter(pl.any_horizontal(pl.exclude(ROW).is_not_null()))
    mapper = _Mapper(Columns(table, headers, body), schema)
    for fieldname, wanted in overrides.items():
        i = _override_column(table, header_row, headers, fieldname, wanted)
        mapper.claim(fieldname, i, "map")
    index = alias_index(schema)
    mapper.by_alias(index)
    mapper.by_prefix(index)
    mapper.by_content()
    if any(f not in mapper.columns for f in schema.required):
        raise mapper.missing(header_row)
    mapper.basis_notes(header_row)
    findings = mapper.findings
    if at_end:
        findings.append(make("header-at-end", path=table.source, sheet=table.sheet, row=header_row))
    return Mapping(header_row, headers, mapper.columns, mapper.how, findings, at_end)


def free_columns(headers: tuple[str, ...], claimed: set[int]) -> list[int]:
    return [i for i, h in enumerate(headers) if h and i not in claimed]


def _override_column(
    table: RawTable, header_row: int, headers: tuple[str, ...], fieldname: str, wanted: str
) -> int:
    """The column ``--map FIELD=HEADER`` names: by its header text, or ``column:E``."""
    if by_letter := _BY_LETTER.match(wanted):
        i = column_index(by_letter[1])
        if i < len(headers):
            return i
        raise AnchorspendError(
            f"--map {fieldname}={wanted!r}: the table has {len(headers)} columns",
            path=table.source,
            details=[f"headers found (row {header_row}): {show(list(headers))}"],
            hint=_fix_line(fieldname, None, headers),
        )
    keys = [header_key(h) for h in headers]
    hits = [i for i, h in enumerate(headers) if h == wanted] or [
        i for i, k in enumerate(keys) if k == header_key(wanted) and k
    ]
    if not hits:
        raise AnchorspendError(
            f"--map {fieldname}={wanted!r}: no such header",
            path=table.source,
            details=[f"headers found (row {header_row}): {show(list(headers))}"],
            hint=_fix_line(fieldname, wanted, headers),
        )
    if len(hits) > 1:
        raise AnchorspendError(
            f"--map {fieldname}={wanted!r}: {len(hits)} columns carry that header "
            f"(columns {', '.join(letter(i) for i in hits)})",
            path=table.source,
            hint=f"name the column by its letter: --map {fieldname}=column:{letter(hits[0])}",
        )
    return hits[0]


def _closest(
    fieldname: str, schema: Schema, headers: tuple[str, ...], claimed: set[int]
) -> str | None:
    aliases = [header_key(a) for a in schema.field(fieldname).aliases]
    free = {header_key(h): h for i, h in enumerate(headers) if h and i not in claimed}
    best: tuple[float, str] | None = None
    for k, h in free.items():
        score = max(difflib.SequenceMatcher(None, k, a).ratio() for a in aliases)
        if best is None or score > best[0]:
            best = (score, h)
    return best[1] if best and best[0] >= 0.5 else None


def _fix_line(fieldname: str, header: str | None, headers: tuple[str, ...]) -> str:
    return f'--map {fieldname}="{header or "<one of the headers above>"}"'


def map_table(table: RawTable, schema: Schema, overrides: dict[str, str]) -> Mapping:
    """A whole table's header found and its columns mapped, wherever the header is."""
    return map_found(table, find_header(table, schema, overrides), schema, overrides)


def map_found(
    table: RawTable, header_row: int, schema: Schema, overrides: dict[str, str]
) -> Mapping:
    """The columns of ``table`` mapped by the header :func:`find_header` found in it: above
    the data, or its last row."""
    data = table if header_is_last(table, header_row) else None
    return map_columns(table, header_row, schema, overrides, data=data)
