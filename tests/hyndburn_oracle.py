"""An independent reading of Hyndburn Borough Council's spend exports (2017–2026).

Plain Python only: the ``csv`` module, ``decimal.Decimal`` and ``datetime``. Nothing here
imports anchorspend or Polars; it is the oracle ``tests/test_hyndburn.py`` holds anchorspend's
reading against. Every choice below was made by reading the 107 files byte by byte:

* **Encoding.** UTF-8 when the whole file decodes as UTF-8 (after any byte-order mark, also a
  BOM encoded twice, ``ï»¿``), else Windows-1252 (the ``£`` is byte 0xA3). Five files
  (1703, 1704, 1710, November-2020, December-2020) write the ``£`` of their amount header as
  byte 0x9C, the code page 437/850 pound sign, which Windows-1252 reads as ``œ``.
* **Line ends.** CR LF, CR only (most of 2017–2020: one CR LF after the header, then CR) and
  CR LF with bare LF inside quoted descriptions (2024–2025). The text is handed to ``csv``
  through ``io.StringIO(text, newline="")``, so the ``csv`` module splits records itself and
  keeps line breaks inside quoted cells.
* **Header.** The one record whose cells (stripped) carry an era's signature cells below
  (``ERAS``). It is the first record in most files, under a comma-only line in seven, and the
  LAST record in April-25-CSV.csv, March-25-CSV.csv and Sept-25-CVS.csv. Every other
  non-blank record is data, above or below it.
* **Blank records** (every cell empty after stripping: ``,,,,,,`` lines) are not data rows;
  nor is a record equal to the header (none in this corpus).
* **Amounts.** ``337``, ``250.00``, ``1708.75``, ``"1,708.75"``, ``£309.25``, ``"£3,128.02"``,
  ``-12.00`` (2023 ledger), ``14,646.05-`` (trailing minus, 2024–2025 finance system) and,
  though no file has one, ``(12.00)``. Anything else is not a number of pounds.
* **Dates** (day first everywhere): ``04/01/2017``, ``02/06/17``, ``05-Apr-17``,
  ``6 Jun 2023``, ``15 June 2023`` and Excel serials such as ``43708`` (1908.csv only; days
  since 1899-12-30, so 43708 = 2019-08-31). Two-digit years are 20yy.
* **Row status**, per anchorspend's documented rules: a row with no date whose first non-empty
  cell is a ``Total`` label is *excluded* (``footer-total``; no file has one); a row with no
  supplier, or no/an unparseable amount or date, is *rejected* with each reason (one row
  does: November-23-csv.csv, IRRV PUBLICATIONS, no supplier name, £290.00); every other row is
  *analysed*. A row's pence count towards its status where its amount parses.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path

# ---------------------------------------------------------------------------------------------
# Layout eras. A file belongs to the era whose signature cells all appear, stripped, in one of
# its records (that record is the header); its supplier, date and amount are the columns whose
# stripped header is one of the era's names, in that order of preference. Exactly one column
# must match each field.
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Era:
    name: str
    published: str  # the months of export in this layout, for the reader
    signature: frozenset[str]  # header cells that assign a file to the era
    supplier: tuple[str, ...]
    date: tuple[str, ...]
    amount: tuple[str, ...]
    reference: str  # the payment reference, for telling repeated transactions apart
    note: str


ERAS: tuple[Era, ...] = (
    Era(
        name="ledger",
        published="Jan 2017 – Feb 2024 (85 files)",
        signature=frozenset({"Account Detail", "HBC ref no"}),
        supplier=("Name",),
        date=("Payment date", "Payment Date"),
        amount=("Net Amount(£)", "Net Amount (£)", "Net Amount(œ)", "Net Amount"),
        reference="HBC ref no",
        note=(
            "Service Cost Centre (once '+'), Account Detail, Description, HBC ref no, Name, "
            "Payment date, Net Amount(£); Sep 2022 – Mar 2023 add RecId and drop the (£); "
            "2023–24 files pad to 8, 13, 74 or 79 columns"
        ),
    ),
    Era(
        name="finance",
        published="Mar 2024 – Jan 2026 (22 files)",
        signature=frozenset({"Department Area", "HBC Ref No."}),
        supplier=("Name:",),  # published as 'Name:  '
        date=("Payment Date",),
        amount=("Amount Paid",),
        reference="HBC Ref No.",
        note=(
            "Department Area, Service Area, Description, Line, HBC Ref No., 'Name:  ', "
            "Payment Date, Amount Paid; from Oct 2024 empty columns between them (12-17 "
            "columns), description fragments spill into one of them"
        ),
    ),
)

PLACEHOLDERS = frozenset({"", "#N/A", "N/A", "NA", "-", "NULL", "NONE"})  # 'no value'
_FOOTER = re.compile(r"^\s*(?:grand\s+|sub-?\s*)?totals?\b", re.IGNORECASE)
_AMOUNT = re.compile(
    r"(?P<lead>-)?£?(?P<units>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<frac>\d{1,2}))?(?P<trail>-)?"
)
_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        )
    )
    for m in names
}
_DMY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})")
_D_MON_Y = re.compile(r"(\d{1,2})[- ]([A-Za-z]+)[- ](\d{4}|\d{2})")
_SERIAL = re.compile(r"\d{5}")
_EXCEL_EPOCH = date(1899, 12, 30)


class OracleError(Exception):
    """The file is not one the oracle was written for (no header, two eras, ...)."""


def pence(text: str) -> int | None:
    """A published amount in pence, or None when it is not a number of pounds."""
    t = text.strip()
    negative = False
    if t.startswith("(") and t.endswith(")"):
        negative, t = True, t[1:-1].strip()
    m = _AMOUNT.fullmatch(t)
    if m is None or (m["lead"] and m["trail"]) or (negative and (m["lead"] or m["trail"])):
        return None
    value = Decimal(m["units"].replace(",", "") + "." + (m["frac"] or "0"))
    p = int(value * 100)
    return -p if negative or m["lead"] or m["trail"] else p


def day(text: str) -> date | None:
    """A published payment date, day first, or None when it is not one."""
    t = text.strip()
    try:
        if m := _DMY.fullmatch(t):
            d, mo, y = int(m[1]), int(m[2]), int(m[3])
            return date(2000 + y if y < 100 else y, mo, d)
        if m := _D_MON_Y.fullmatch(t):
            mo_ = _MONTHS.get(m[2].lower())
            if mo_ is None:
                return None
            y = int(m[3])
            return date(2000 + y if y < 100 else y, mo_, int(m[1]))
        if _SERIAL.fullmatch(t) and 36526 <= int(t) <= 54789:  # 2000-01-01 .. 2049-12-31
            return _EXCEL_EPOCH + timedelta(days=int(t))
    except ValueError:  # 31/02/2019
        return None
    return None


def fy_quarter(d: date) -> str:
    """UK financial-year quarter, '2019-20 Q2' = July–September 2019."""
    fy = d.year if d.month >= 4 else d.year - 1
    return f"{fy}-{(fy + 1) % 100:02d} Q{(d.month - 4) % 12 // 3 + 1}"


@dataclass(slots=True)
class Tally:
    rows: int = 0
    pence: int = 0

    def add(self, p: int) -> None:
        self.rows += 1
        self.pence += p


@dataclass(frozen=True, slots=True)
class Transaction:
    ref: str
    when: date
    supplier: str
    pence: int


@dataclass(slots=True)
class Reading:
    """What one file holds, by the oracle's reading."""

    path: Path
    era: str
    encoding: str  # 'utf-8' or 'cp1252'
    header_record: int  # 1-based, among the csv records
    header: tuple[str, ...]
    columns: dict[str, str]  # field → its header, stripped
    records: int = 0
    blank: int = 0
    repeated_headers: int = 0
    analysed: Tally = field(default_factory=Tally)
    excluded: dict[str, Tally] = field(default_factory=dict)  # rule → rows, pence
    rejected: Tally = field(default_factory=Tally)
    rejections: dict[str, Tally] = field(default_factory=dict)  # reason → rows, pence
    quarters: dict[str, int] = field(default_factory=dict)  # analysed pence per FY quarter
    transactions: list[Transaction] = field(default_factory=list)  # analysed rows

    @property
    def rows_read(self) -> int:
        return self.analysed.rows + sum(t.rows for t in self.excluded.values()) + self.rejected.rows

    @property
    def pence_read(self) -> int:
        return (
            self.analysed.pence + sum(t.pence for t in self.excluded.values()) + self.rejected.pence
        )

    @property
    def rows_excluded(self) -> int:
        return sum(t.rows for t in self.excluded.values())

    @property
    def pence_excluded(self) -> int:
        return sum(t.pence for t in self.excluded.values())


_BOMS = (b"\xef\xbb\xbf", b"\xc3\xaf\xc2\xbb\xc2\xbf")  # a BOM, and one encoded twice


def decode(raw: bytes) -> tuple[str, str]:
    """(text, encoding): BOMs (single or double, repeated) dropped; UTF-8 if it all decodes."""
    stripped = True
    while stripped:
        stripped = False
        for bom in _BOMS:
            if raw.startswith(bom):
                raw, stripped = raw[len(bom) :], True
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return raw.decode("cp1252"), "cp1252"


def _column(header: Sequence[str], names: tuple[str, ...], what: str, path: Path) -> int:
    for name in names:
        hits = [i for i, cell in enumerate(header) if cell == name]
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1:
            raise OracleError(f"{path.name}: two {what} columns named {name!r}")
    raise OracleError(f"{path.name}: no {what} column among {names} in {list(header)}")


def _find_header(records: list[list[str]], path: Path) -> tuple[int, Era]:
    found: list[tuple[int, Era]] = []
    for i, record in enumerate(records):
        cells = {c.strip() for c in record}
        found += [(i, era) for era in ERAS if era.signature <= cells]
    eras = {era.name for _, era in found}
    if len(eras) != 1:
        raise OracleError(f"{path.name}: header eras found {sorted(eras) or 'none'}")
    return found[0]


@cache
def read(path: Path) -> Reading:
    """The oracle's reading of one export (cached: each file is read once per session)."""
    text, encoding = decode(path.read_bytes())
    records = list(csv.reader(io.StringIO(text, newline="")))
    at, era = _find_header(records, path)
    header = tuple(c.strip() for c in records[at])
    s = _column(header, era.supplier, "supplier", path)
    d = _column(header, era.date, "date", path)
    a = _column(header, era.amount, "amount", path)
    ref = _column(header, (era.reference,), "reference", path)
    out = Reading(
        path=path,
        era=era.name,
        encoding=encoding,
        header_record=at + 1,
        header=header,
        columns={"supplier_name": header[s], "payment_date": header[d], "amount": header[a]},
        records=len(records),
    )
    for i, record in enumerate(records):
        if i == at:
            continue
        if all(not c.strip() for c in record):
            out.blank += 1
            continue
        if tuple(c.strip() for c in record) == header:
            out.repeated_headers += 1
            continue
        cell = record + [""] * (len(header) - len(record))  # short records are padded
        supplier, when_text, amount_text = cell[s].strip(), cell[d].strip(), cell[a].strip()
        p = pence(amount_text)
        when = day(when_text)
        first = next((c for c in cell if c.strip()), "")
        if when is None and _FOOTER.match(first):
            out.excluded.setdefault("footer-total", Tally()).add(p or 0)
            continue
        reasons = []
        if amount_text.upper() in PLACEHOLDERS:
            reasons.append("missing-amount")
        elif p is None:
            reasons.append("invalid-amount")
        if when_text.upper() in PLACEHOLDERS:
            reasons.append("missing-date")
        elif when is None:
            reasons.append("invalid-date")
        if supplier.upper() in PLACEHOLDERS:
            reasons.append("missing-supplier")
        if reasons:
            out.rejected.add(p or 0)
            for reason in reasons:
                out.rejections.setdefault(reason, Tally()).add(p or 0)
            continue
        assert p is not None and when is not None
        out.analysed.add(p)
        q = fy_quarter(when)
        out.quarters[q] = out.quarters.get(q, 0) + p
        out.transactions.append(
            Transaction(
                " ".join(cell[ref].split()).upper(), when, " ".join(supplier.split()).upper(), p
            )
        )
    return out


def repeats_across_files(readings: Iterable[Reading]) -> dict[str, dict[str, int]]:
    """Analysed rows that repeat a transaction of an earlier file (same reference, date,
    supplier and pence), as anchorspend's ``duplicate-in-another-file`` rule would exclude
    them: file name → FY quarter → pence, and '(rows)' → rows. Empty for Hyndburn: the few
    rows with the same date, supplier and pence in two files differ in their reference."""
    first: dict[Transaction, Path] = {}
    out: dict[str, dict[str, int]] = {}
    for r in readings:
        for t in r.transactions:
            owner = first.setdefault(t, r.path)
            if t.ref and owner != r.path:
                per = out.setdefault(r.path.name, {"(rows)": 0})
                per["(rows)"] += 1
                q = fy_quarter(t.when)
                per[q] = per.get(q, 0) + t.pence
    return out
