"""Find the header row, and map its cells onto a schema's canonical fields.

Matching is by :func:`~anchorspend.schemas.header_key` (case, spaces and punctuation ignored)
against each field's aliases, in two tiers: exact alias matches first; then, for fields still
unmatched, headers that *start with* an alias (``Payment Date (dd/mm/yyyy)``) among headers no
field claimed. Earlier aliases beat later ones. Two headers equally good for one field is an
error that names both, never a silent pick. ``--map FIELD=HEADER`` and ``[columns]`` win.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

import polars as pl

from anchorspend.errors import AnchorspendError, Finding, UnrecognisedTable, UsageError
from anchorspend.ingest.raw import ROW, RawTable, cell_name
from anchorspend.schemas import Schema, header_key

HEADER_SEARCH_ROWS = 30
MIN_PREFIX_ALIAS = 5  # shorter aliases ("ref", "date") are too loose to match as prefixes


@dataclass(frozen=True, slots=True)
class Mapping:
    """Which raw column feeds each canonical field, and how the header looked."""

    header_row: int  # physical row number of the header
    headers: tuple[str, ...]  # header text per raw column ("" when blank)
    columns: dict[str, str]  # canonical field → raw column name (c0…)
    how: dict[str, str]  # canonical field → "alias" | "prefix" | "map"
    findings: list[Finding] = field(default_factory=list)

    def header_of(self, fieldname: str) -> str:
        return self.headers[int(self.columns[fieldname][1:])]


def _alias_index(schema: Schema) -> dict[str, tuple[str, int]]:
    """header key → (field, rank); a key listed under two fields goes to the first listed."""
    index: dict[str, tuple[str, int]] = {}
    for spec in schema.fields:
        for rank, alias in enumerate(spec.aliases):
            index.setdefault(header_key(alias), (spec.name, rank))
    return index


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


def score_cells(cells: list[str | None], schema: Schema, overrides: dict[str, str]) -> int:
    """How much a record looks like this schema's header: 0 unless it names at least two fields,
    among them two of the required fields (or all of them when fewer than two are required);
    else the number of distinct fields it names."""
    index = _alias_index(schema)
    wanted = {header_key(h): f for f, h in overrides.items()}
    keys = [header_key(c) for c in cells if c]
    fields = {wanted.get(k) or index.get(k, (None, 0))[0] for k in keys} - {None}
    need = min(2, len(schema.required))
    if len(fields & set(schema.required)) < need or len(fields) < 2:
        return 0
    return len(fields)


def find_header(table: RawTable, schema: Schema, overrides: dict[str, str]) -> int:
    """Physical row number of the header: the best-scoring record among the first rows that
    are not blank (an export may open with any number of blank lines)."""
    filled = pl.any_horizontal(pl.exclude(ROW).is_not_null())
    head = table.frame.filter(filled).head(HEADER_SEARCH_ROWS)
    best_row, best = 0, 0
    cols = [cell_name(i) for i in range(table.width)]
    for rec in head.iter_rows(named=True):
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
        f"no recognisable header row in the first {HEADER_SEARCH_ROWS} rows "
        f"(looked for columns for {required})",
        path=table.source,
        details=[f"first non-empty row: {_show(first)}"],
        hint="--map FIELD=HEADER for each required field, e.g. "
        + " ".join(f'--map {f}="<header>"' for f in schema.required),
    )


def _show(cells: list[str], limit: int = 12) -> str:
    shown = ", ".join(repr(c if len(c) <= 40 else c[:39] + "…") for c in cells[:limit])
    return (
        shown + (f", … ({len(cells)} in all)" if len(cells) > limit else "") if cells else "(none)"
    )


def map_columns(
    table: RawTable, header_row: int, schema: Schema, overrides: dict[str, str]
) -> Mapping:
    rec = table.frame.filter(pl.col(ROW) == header_row).row(0, named=True)
    headers = tuple(
        (rec[cell_name(i)] or "").replace("\ufeff", "").replace("ï»¿", "").strip()
        for i in range(table.width)
    )
    keys = [header_key(h) for h in headers]
    columns: dict[str, str] = {}
    how: dict[str, str] = {}
    claimed: set[int] = set()

    for fieldname, wanted in overrides.items():
        hits = [i for i, h in enumerate(headers) if h == wanted] or [
            i for i, k in enumerate(keys) if k == header_key(wanted) and k
        ]
        if not hits:
            raise AnchorspendError(
                f"--map {fieldname}={wanted!r}: no such header",
                path=table.source,
                details=[f"headers found (row {header_row}): {_show(list(headers))}"],
                hint=_fix_line(fieldname, wanted, headers),
            )
        if len(hits) > 1:
            raise AnchorspendError(
                f"--map {fieldname}={wanted!r}: {len(hits)} columns carry that header "
                f"(columns {', '.join(_letter(i) for i in hits)})",
                path=table.source,
                hint="rename one of them in the export",
            )
        columns[fieldname], how[fieldname] = cell_name(hits[0]), "map"
        claimed.add(hits[0])

    index = _alias_index(schema)
    # Tier 1: exact aliases.
    candidates: dict[str, list[tuple[int, int]]] = {}
    for i, k in enumerate(keys):
        if i in claimed or not k or k not in index:
            continue
        fieldname, rank = index[k]
        candidates.setdefault(fieldname, []).append((rank, i))
    for fieldname, found in candidates.items():
        if fieldname in columns:
            continue
        found.sort()
        _refuse_tie(table, header_row, headers, fieldname, found)
        columns[fieldname], how[fieldname] = cell_name(found[0][1]), "alias"
        claimed.add(found[0][1])
    # Tier 2: prefixes, for fields still missing, among unclaimed headers.
    for spec in schema.fields:
        if spec.name in columns:
            continue
        found = []
        for rank, alias in enumerate(spec.aliases):
            ak = header_key(alias)
            if len(ak) < MIN_PREFIX_ALIAS:
                continue
            found.extend(
                (rank, i)
                for i, k in enumerate(keys)
                if i not in claimed and k.startswith(ak) and k != ak and k not in index
            )
        if found:
            found = sorted(set(found))
            _refuse_tie(table, header_row, headers, spec.name, found)
            columns[spec.name], how[spec.name] = cell_name(found[0][1]), "prefix"
            claimed.add(found[0][1])

    missing = [f for f in schema.required if f not in columns]
    if missing:
        fieldname = missing[0]
        guess = _closest(fieldname, schema, headers, claimed)
        raise UnrecognisedTable(
            f"no column for the required field {fieldname!r}"
            + (f" (also missing: {', '.join(missing[1:])})" if missing[1:] else ""),
            path=table.source,
            details=[f"headers found (row {header_row}): {_show(list(headers), 40)}"],
            hint=" ".join(
                _fix_line(f, guess if f == fieldname else None, headers) for f in missing
            ),
        )
    findings = [
        Finding(
            "column-matched-by-prefix",
            f"column {headers[int(columns[f][1:])]!r} read as {f!r} (its header starts with a "
            f"known name); --map {f}=HEADER to choose another",
            "info",
            path=table.source,
            row=header_row,
            column=headers[int(columns[f][1:])],
        )
        for f, h in how.items()
        if h == "prefix"
    ]
    return Mapping(header_row, headers, columns, how, findings)


def _refuse_tie(
    table: RawTable,
    header_row: int,
    headers: tuple[str, ...],
    fieldname: str,
    found: list[tuple[int, int]],
) -> None:
    ties = [i for rank, i in found if rank == found[0][0]]
    if len(ties) > 1:
        names = " and ".join(f"{headers[i]!r} (column {_letter(i)})" for i in ties)
        raise AnchorspendError(
            f"two columns are equally good for {fieldname!r}: {names}",
            path=table.source,
            details=[f"headers found (row {header_row}): {_show(list(headers), 40)}"],
            hint=f'--map {fieldname}="{headers[ties[0]]}" (or the other one)',
        )


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


def _letter(i: int) -> str:
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s
