"""Choosing among a table's columns by their cells: whether a column's cells read as a field
(:func:`reads_as`), how well they suit it, one column among several headers equally good for a
field (:func:`choose`), a column for a required field no header names (:func:`by_content`), and
the stop when the cells cannot decide. The cells' shares are :mod:`anchorspend.ingest.content`'s.
"""

from __future__ import annotations

import polars as pl

from anchorspend.errors import AnchorspendError, Finding
from anchorspend.findings import make
from anchorspend.ingest.aliases import FIELD_WORDS, word_fields
from anchorspend.ingest.content import EMPTY, HOLDS, Profile, profile
from anchorspend.ingest.header import letter, show
from anchorspend.ingest.raw import RawTable, cell_name
from anchorspend.schemas import Schema, header_key

DECISIVE = 0.2  # content tells two columns apart when their shares differ by this much


class Columns:
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


def choose(
    cols: Columns,
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


def _chosen(cols: Columns, fieldname: str, i: int, others: list[int], why: str) -> Finding:
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


def by_content(cols: Columns, fieldname: str, claimed: set[int]) -> int | None:
    """A column for a required field no alias names: the unclaimed column whose header has a
    word of the field and whose cells read as it; among several, the best-suited one when
    content is decisive. Dates need no header word where exactly one column holds them."""
    free = [i for i, h in enumerate(cols.headers) if i not in claimed and h]
    worded = [i for i in free if fieldname in word_fields(cols.headers[i])]
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
    cols: Columns, fieldname: str, candidates: list[int], problem: str, others: str
) -> AnchorspendError:
    """The stop for a required field neither headers nor cells decide: the candidates with
    sample values, and the ``--map`` line that picks the first."""
    names = " and ".join(cols.describe(i) for i in candidates)
    return AnchorspendError(
        f"{problem}: {names}",
        path=cols.table.source,
        details=[f"headers found: {show(list(cols.headers), 40)}"],
        hint=f"--map {fieldname}=column:{letter(candidates[0])} {others}",
    )
