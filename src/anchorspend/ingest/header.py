"""Find the header row, and map its columns onto a schema's canonical fields by header and content.

Headers are matched by :func:`~anchorspend.schemas.header_key` (case, spaces and punctuation
ignored) against each field's aliases, in tiers: exact aliases first; then, for fields still
unmatched, headers that *start with* an alias (``Payment Date (dd/mm/yyyy)``) among headers no
field claimed; then, for required fields still unmatched, a column whose header has a word of
the field (``Name``, ``Payment GL Date``, ``Invoice Value``) and whose cells read as the field
(names, days, money). The cells are the test throughout (:mod:`anchorspend.ingest.content`): a
required field prefers the best-ranked column whose cells read as it, and two headers equally
good for one field are told apart by their cells (names beat codes, labels beat URIs, the
better-parsing column wins). A required field that content cannot decide stops with both
columns, a sample of each and the ``--map`` line; an optional field never stops a run (the best
candidate is used, with a warning naming the choice). ``--map FIELD=HEADER`` (or
``FIELD=column:E``) and ``[columns]`` win over everything.

The header is looked for among the first rows, and then among the last ones: some exports are
sorted with their header line last.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from functools import cache, partial

import polars as pl

from anchorspend.errors import AnchorspendError, Finding, UnrecognisedTable, UsageError
from anchorspend.findings import make
from anchorspend.ingest.content import EMPTY, HOLDS, Profile, header_words, profile
from anchorspend.ingest.raw import ROW, RawTable, cell_name
from anchorspend.schemas import FieldSpec, Schema, header_key

HEADER_SEARCH_ROWS = 30
MIN_DATA_ABOVE = 3  # see header_is_last
TAIL_SEARCH_ROWS = 3  # a header sorted below the data is among the last non-blank records
MIN_PREFIX_ALIAS = 5  # shorter aliases ("ref", "date") are too loose to match as prefixes
SHOWN_COLUMNS = 12  # unused columns shown, with sample values, when a required field is missing
DECISIVE = 0.2  # content tells two columns apart when their shares differ by this much
_BY_LETTER = re.compile(r"(?i)^column:([a-z]{1,3})$")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split(" "))


# Words that, in a header no alias knows, point at a required field. Weak evidence: a column is
# only taken for the field if its cells read as it too.
FIELD_WORDS: dict[str, frozenset[str]] = {
    "supplier_name": _words(
        "name supplier suppliers payee vendor creditor beneficiary contractor merchant "
        "recipient trader provider company nm"
    ),
    "payment_date": _words("date paid payment posted posting cleared gl dated dt pmt pymt"),
    "amount": _words(
        "amount value net gross total paid spend cost sum gbp £ expenditure price amt amnt val"
    ),
}
# An "… Amount"/"Net …" header that counts something other than the payment's pounds.
NOT_AMOUNT = _words("no number ref reference id code line vat tax qty quantity count units rate")
# A "… Name" or "Supplier …" header that says something other than who was paid.
NOT_SUPPLIER = _words(
    "account cost centre center department service directorate expense expenditure item file "
    "user card cardholder holder officer budget project scheme area team approver employee "
    "staff organisation body authority entity description type category group class status "
    "number no code id ref reference postcode address town city county country vat sector size"
)


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


def _alias_index(schema: Schema) -> dict[str, tuple[str, int]]:
    """header key → (field, rank); a key listed under two fields goes to the first listed."""
    return _index_of(schema.fields)


@cache
def _index_of(fields: tuple[FieldSpec, ...]) -> dict[str, tuple[str, int]]:
    index: dict[str, tuple[str, int]] = {}
    for spec in fields:
        for rank, alias in enumerate(spec.aliases):
            index.setdefault(header_key(alias), (spec.name, rank))
    return index


def _prefixes(schema: Schema) -> tuple[tuple[str, str, int], ...]:
    """(alias key, field, rank) for the aliases long enough to match as a header's start."""
    return _prefixes_of(schema.fields)


@cache
def _prefixes_of(fields: tuple[FieldSpec, ...]) -> tuple[tuple[str, str, int], ...]:
    return tuple(
        (header_key(a), spec.name, rank)
        for spec in fields
        for rank, a in enumerate(spec.aliases)
        if len(header_key(a)) >= MIN_PREFIX_ALIAS
    )


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


def _word_fields(header: str) -> set[str]:
    """The required fields a header's words point at (see :data:`FIELD_WORDS`)."""
    words = header_words(header)
    found = {f for f, w in FIELD_WORDS.items() if words & w}
    if "supplier_name" in found and words & NOT_SUPPLIER:
        found.discard("supplier_name")
    if "amount" in found and words & NOT_AMOUNT:
        found.discard("amount")
    return found


def _starts_with(key: str, header: str, alias_key: str, fieldname: str) -> bool:
    """Whether a header (``key``: its :func:`header_key`) starts with an alias of
    ``fieldname`` and is more than it, unless its other words say it is something else
    (``Supplier Type``, ``Amount VAT``)."""
    return (
        key.startswith(alias_key)
        and key != alias_key
        and (fieldname not in FIELD_WORDS or fieldname in _word_fields(header))
    )


PREFIX_SCORED_CELLS = 200  # a header's cells tried against every alias as prefixes


def score_cells(cells: list[str | None], schema: Schema, overrides: dict[str, str]) -> int:
    """How much a record looks like this schema's header: 0 unless it names at least two fields,
    among them two of the required fields (or all of them when fewer than two are required),
    one of them by a known name; else twice the number of distinct fields named by an alias or
    an alias the header starts with (``Vendor_Nm``), plus one for each further required field
    a header's words point at (``Payment GL Date``)."""
    index = _alias_index(schema)
    wanted = {header_key(h): f for f, h in overrides.items()}
    texts = [c for c in cells if c and len(c) <= 80]
    keys = [header_key(c) for c in texts]
    fields = {wanted.get(k) or index.get(k, (None, 0))[0] for k in keys} - {None}
    prefixes = _prefixes(schema)
    for text, k in list(zip(texts, keys, strict=True))[:PREFIX_SCORED_CELLS]:
        if k in index or k in wanted:
            continue
        for ak, f, _ in prefixes:
            if _starts_with(k, text, ak, f):
                fields.add(f)
                break
    by_words: set[str] = set()
    if set(schema.required) <= set(FIELD_WORDS):
        for text in texts:
            by_words |= _word_fields(text) - fields
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
        details=[f"first non-empty row: {_show(first)}"],
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


def _show(cells: list[str], limit: int = 12) -> str:
    shown = ", ".join(repr(c if len(c) <= 40 else c[:39] + "…") for c in cells[:limit])
    return (
        shown + (f", … ({len(cells)} in all)" if len(cells) > limit else "") if cells else "(none)"
    )


def _headers_of(table: RawTable, header_row: int) -> tuple[str, ...]:
    rec = table.frame.filter(pl.col(ROW) == header_row).row(0, named=True)
    return tuple(
        (rec[cell_name(i)] or "").replace("\ufeff", "").replace("ï»¿", "").strip()
        for i in range(table.width)
    )


class _Columns:
    """The evidence of one table's columns: headers, and cell profiles computed on demand."""

    def __init__(self, table: RawTable, headers: tuple[str, ...], data: pl.DataFrame) -> None:
        self.table, self.headers, self.data = table, headers, data
        self.keys = [header_key(h) for h in headers]
        self._profiles: dict[int, Profile] = {}

    def profiles(self, indices: list[int]) -> list[Profile]:
        todo = [i for i in dict.fromkeys(indices) if i not in self._profiles]
        if todo:
            present = [cell_name(i) for i in todo if cell_name(i) in self.data.columns]
            found = profile(self.data, present)
            self._profiles.update({i: found.get(cell_name(i), EMPTY) for i in todo})
        return [self._profiles[i] for i in indices]

    def profile(self, i: int) -> Profile:
        return self.profiles([i])[0]

    def describe(self, i: int) -> str:
        p = self.profiles([i])[0]
        sample = ", ".join(repr(s if len(s) <= 30 else s[:29] + "…") for s in p.samples)
        return f"{self.headers[i]!r} (column {letter(i)}: {sample or 'no values'})"


def reads_as(fieldname: str, p: Profile) -> bool:
    """Whether a column's cells read as the field: money for amounts, days or months for
    dates, names (not codes, numbers or addresses) for suppliers. Other fields: always."""
    if not p.filled:
        return False
    if fieldname == "amount":
        return p.money >= HOLDS and p.day + p.month < 0.5
    if fieldname == "payment_date":
        return p.day + p.month >= HOLDS
    if fieldname == "supplier_name":
        return p.words >= 0.8
    return True


_ID_FIELDS = {"transaction_id", "supplier_id", "company_number", "charity_number", "vat_number"}


def _fitness(fieldname: str, p: Profile) -> tuple[float, float]:
    """How well a column's cells suit the field (higher is better), then a tie-break: for
    descriptive fields the finer classification (more distinct values)."""
    if fieldname == "amount":
        return (p.money + p.pounds - p.day - p.month, 0.0)
    if fieldname == "payment_date":
        return (p.day + p.month, 0.0)
    if fieldname in _ID_FIELDS:
        return (p.code + p.digits - p.uri, 0.0)
    if fieldname in {"is_sme", "is_vcse", "is_diverse_led", "redaction_marker"}:
        return (1.0 - p.uri - p.code, 0.0)
    return (p.words - p.code - p.digits - p.uri, p.distinct)


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
    headers = _headers_of(table, header_row)
    at_end = data is not None
    if data is None:
        body = table.frame.filter(pl.col(ROW) > header_row)
    else:
        body = data.frame.filter(pl.col(ROW) != header_row)
    body = body.filter(pl.any_horizontal(pl.exclude(ROW).is_not_null()))
    cols = _Columns(table, headers, body)
    columns: dict[str, str] = {}
    how: dict[str, str] = {}
    claimed: set[int] = set()
    findings: list[Finding] = []

    for fieldname, wanted in overrides.items():
        i = _override_column(table, header_row, headers, fieldname, wanted)
        columns[fieldname], how[fieldname] = cell_name(i), "map"
        claimed.add(i)

    def take(fieldname: str, found: list[tuple[int, int]], basis: str) -> None:
        i = _choose(cols, schema, fieldname, found, findings)
        columns[fieldname], how[fieldname] = cell_name(i), basis
        claimed.add(i)

    index = _alias_index(schema)
    # Tier 1: exact aliases.
    candidates: dict[str, list[tuple[int, int]]] = {}
    for i, k in enumerate(cols.keys):
        if i in claimed or not k or k not in index:
            continue
        fieldname, rank = index[k]
        candidates.setdefault(fieldname, []).append((rank, i))
    for spec in schema.fields:  # in the schema's order, so that choices are stable
        if spec.name in candidates and spec.name not in columns:
            take(spec.name, sorted(candidates[spec.name]), "alias")
    # Tier 2: prefixes, for fields still missing, among unclaimed headers.
    for spec in schema.fields:
        if spec.name in columns:
            continue
        found = [
            (rank, i)
            for ak, f, rank in _prefixes(schema)
            if f == spec.name
            for i, k in enumerate(cols.keys)
            if i not in claimed and k not in index and _starts_with(k, headers[i], ak, f)
        ]
        if found:
            best: dict[int, int] = {}
            for rank, i in sorted(found, reverse=True):
                best[i] = rank
            take(spec.name, sorted((r, i) for i, r in best.items()), "prefix")
    # Tier 3: required fields no header names, found by a header's words and the cells.
    for fieldname in schema.required:
        if fieldname in columns or fieldname not in FIELD_WORDS:
            continue
        i3 = _by_content(cols, fieldname, claimed)
        if i3 is not None:
            columns[fieldname], how[fieldname] = cell_name(i3), "content"
            claimed.add(i3)

    missing = [f for f in schema.required if f not in columns]
    if missing:
        fieldname = missing[0]
        guess = _closest(fieldname, schema, headers, claimed)
        if guess is None:  # the one unused column whose cells read as the field, if one does
            reading = [
                i for i in free_columns(headers, claimed) if reads_as(fieldname, cols.profile(i))
            ]
            guess = headers[reading[0]] if len(reading) == 1 else None
        free = free_columns(headers, claimed)[:SHOWN_COLUMNS]
        raise UnrecognisedTable(
            f"no column for the required field {fieldname!r}"
            + (f" (also missing: {', '.join(missing[1:])})" if missing[1:] else ""),
            path=table.source,
            details=[
                f"headers found (row {header_row}): {_show(list(headers), 40)}",
                *(f"unused: {cols.describe(i)}" for i in free),
            ],
            hint=" ".join(
                _fix_line(f, guess if f == fieldname else None, headers) for f in missing
            ),
        )
    for f, basis in how.items():
        if basis not in ("prefix", "content"):
            continue
        i = int(columns[f][1:])
        at = partial(make, path=table.source, row=header_row, column=headers[i], field=f)
        if basis == "prefix":
            findings.append(at("column-matched-by-prefix"))
        else:
            samples = ", ".join(repr(s) for s in cols.profiles([i])[0].samples[:3])
            findings.append(at("column-matched-by-content", samples=samples))
    if at_end:
        findings.append(make("header-at-end", path=table.source, sheet=table.sheet, row=header_row))
    return Mapping(header_row, headers, columns, how, findings, at_end)


def free_columns(headers: tuple[str, ...], claimed: set[int]) -> list[int]:
    return [i for i, h in enumerate(headers) if h and i not in claimed]


def _override_column(
    table: RawTable, header_row: int, headers: tuple[str, ...], fieldname: str, wanted: str
) -> int:
    """The column ``--map FIELD=HEADER`` names: by its header text, or ``column:E``."""
    if by_letter := _BY_LETTER.match(wanted):
        i = _index(by_letter[1])
        if i < len(headers):
            return i
        raise AnchorspendError(
            f"--map {fieldname}={wanted!r}: the table has {len(headers)} columns",
            path=table.source,
            details=[f"headers found (row {header_row}): {_show(list(headers))}"],
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
            details=[f"headers found (row {header_row}): {_show(list(headers))}"],
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


def _choose(
    cols: _Columns,
    schema: Schema,
    fieldname: str,
    found: list[tuple[int, int]],
    findings: list[Finding],
) -> int:
    """One column among ``found`` ((rank, column), best rank first) for ``fieldname``.

    A required field prefers the columns whose cells read as it (when any does). Among the
    best-ranked, content breaks a tie; a tie content cannot break stops a required field and
    takes the first column, with a warning, for an optional one."""
    required = fieldname in schema.required
    if required and fieldname in FIELD_WORDS and len(found) > 1:
        profiles = cols.profiles([i for _, i in found])
        fitting = [c for c, p in zip(found, profiles, strict=True) if reads_as(fieldname, p)]
        dropped = [i for c, i in found if (c, i) not in fitting and c <= found[0][0]]
        if fitting and dropped:
            findings.append(_chosen(cols, fieldname, fitting[0][1], dropped, "do not read as it"))
        found = fitting or found
    ties = [i for rank, i in found if rank == found[0][0]]
    if len(ties) == 1:
        return ties[0]
    scored = sorted(
        ((_fitness(fieldname, p), i) for p, i in zip(cols.profiles(ties), ties, strict=True)),
        key=lambda s: (-s[0][0], -s[0][1], s[1]),
    )
    (best, i), (second, j) = scored[0], scored[1]
    decided = best[0] - second[0] >= DECISIVE
    others = " and ".join(cols.describe(k) for _, k in scored[1:])
    if decided:
        findings.append(_chosen(cols, fieldname, i, [k for _, k in scored[1:]], "suit it less"))
        return i
    if required:
        raise _undecided(
            cols,
            fieldname,
            ties,
            f"two columns are equally good for {fieldname!r}",
            f"(or column:{letter(ties[1])})",
        )
    findings.append(
        make(
            "column-choice",
            column=cols.headers[i],
            path=cols.table.source,
            sheet=cols.table.sheet,
            field=fieldname,
            used=cols.describe(i),
            others=others,
            letter=letter(j),
        )
    )
    return i


def _chosen(cols: _Columns, fieldname: str, i: int, others: list[int], why: str) -> Finding:
    """The info finding for a column content chose over ``others``."""
    names = " and ".join(cols.describe(k) for k in others)
    return make(
        "column-chosen-by-content",
        column=cols.headers[i],
        path=cols.table.source,
        sheet=cols.table.sheet,
        field=fieldname,
        used=cols.describe(i),
        names=names,
        why=why,
        letter=letter(others[0]),
    )


def _by_content(cols: _Columns, fieldname: str, claimed: set[int]) -> int | None:
    """A column for a required field no alias names: the unclaimed column whose header has a
    word of the field and whose cells read as it; among several, the best-suited one when
    content is decisive. Dates need no header word where exactly one column holds them."""
    free = [i for i, h in enumerate(cols.headers) if i not in claimed and h]
    worded = [i for i in free if fieldname in _word_fields(cols.headers[i])]
    fitting = [
        i for i, p in zip(worded, cols.profiles(worded), strict=True) if reads_as(fieldname, p)
    ]
    if fieldname == "payment_date" and not fitting:
        dated = [i for i, p in zip(free, cols.profiles(free), strict=True) if p.day >= HOLDS]
        fitting = dated if len(dated) == 1 else []
    if not fitting:
        return None
    if len(fitting) == 1:
        return fitting[0]
    scored = sorted(
        (
            (_fitness(fieldname, p)[0], i)
            for p, i in zip(cols.profiles(fitting), fitting, strict=True)
        ),
        key=lambda s: (-s[0], s[1]),
    )
    if scored[0][0] - scored[1][0] >= DECISIVE:
        return scored[0][1]
    raise _undecided(
        cols,
        fieldname,
        fitting,
        f"no header names {fieldname!r} and several columns could be it",
        "(or another of them)",
    )


def _undecided(
    cols: _Columns, fieldname: str, candidates: list[int], problem: str, others: str
) -> AnchorspendError:
    """The stop for a required field neither headers nor cells decide: the candidates with
    sample values, and the ``--map`` line that picks the first."""
    names = " and ".join(cols.describe(i) for i in candidates)
    return AnchorspendError(
        f"{problem}: {names}",
        path=cols.table.source,
        details=[f"headers found: {_show(list(cols.headers), 40)}"],
        hint=f"--map {fieldname}=column:{letter(candidates[0])} {others}",
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


def letter(i: int) -> str:
    """Spreadsheet column letters of a 0-based column index (0 → A, 26 → AA)."""
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def _index(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n - 1


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
