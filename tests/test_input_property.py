"""Property: a generated export — awkward supplier names, every accepted amount form, title rows,
blank lines, repeated headers, a footer total; UTF-8, UTF-8 with BOM, Windows-1252, XLSX and zip —
comes back as exactly the rows and pence that were written, or as an AnchorspendError; never as a
partial result. The oracle is the generated data itself: nothing here calls anchorspend's parsers.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
import zipfile
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from anchorspend.errors import AnchorspendError
from anchorspend.gather.options import RunConfig
from anchorspend.normalise import parse_amount, parse_date
from tests.helpers import run_keeping_rows as run

HEADER = ["Supplier Name", "Payment Date", "Amount", "SME"]
SPECIAL = "£€–“”,\"\n=+-@ŵŷâéøŴÂ😀🏴'&()/."
NAME_ALPHABET = st.sampled_from("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ")
# spreadsheet placeholders for "no value", which rightly leave a row without a supplier
PLACEHOLDERS = {"", "#N/A", "N/A", "NA", "#VALUE!", "#REF!", "-", "NULL", "NONE", "NAN"}
FIRST = dt.date(2024, 4, 1)


def _name_ok(name: str) -> bool:
    return name == name.strip() and name.upper() not in PLACEHOLDERS and "\r" not in name


names = st.text(
    alphabet=st.one_of(NAME_ALPHABET, st.sampled_from(SPECIAL)), min_size=1, max_size=24
).filter(_name_ok)


@dataclass(frozen=True)
class Row:
    name: str
    day: int  # days after FIRST
    pence: int
    form: str  # how the amount is written
    sme: str  # "Yes", "No" or "" (unknown)

    @property
    def date(self) -> dt.date:
        return FIRST + dt.timedelta(days=self.day)


def pounds(pence: int) -> str:
    return f"{abs(pence) // 100}.{abs(pence) % 100:02d}"


def grouped(pence: int) -> str:
    return f"{abs(pence) // 100:,}.{abs(pence) % 100:02d}"


def amount_text(pence: int, form: str) -> str:
    """The amount written in one of the forms the contract accepts (written here, independently
    of anchorspend's parser)."""
    neg = pence < 0
    if form == "plain":
        return ("-" if neg else "") + pounds(pence)
    if form == "grouped":
        return ("-" if neg else "") + grouped(pence)
    if form == "pound":
        return ("-" if neg else "") + "£" + grouped(pence)
    if form == "gbp":
        return "GBP " + ("-" if neg else "") + pounds(pence)
    if form == "brackets":
        return f"({grouped(pence)})" if neg else grouped(pence)
    if form == "trailing-minus":
        return pounds(pence) + ("-" if neg else "")
    if form == "cr":
        return pounds(pence) + (" CR" if neg else "")
    if form == "short":  # 12.5, or 12 for whole pounds
        whole, frac = divmod(abs(pence), 100)
        text = f"{whole}" if frac == 0 else f"{whole}.{frac:02d}".rstrip("0")
        return ("-" if neg else "") + text
    if form == "typeset-minus":
        return ("\u2212" if neg else "") + pounds(pence)
    raise AssertionError(form)


FORMS = (
    "plain",
    "grouped",
    "pound",
    "gbp",
    "brackets",
    "trailing-minus",
    "cr",
    "short",
    "typeset-minus",
)
DATE_FORMS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%b-%Y", "%d %B %Y")

rows = st.builds(
    Row,
    name=names,
    day=st.integers(0, 3 * 365),
    pence=st.integers(-5_000_000, 50_000_000_000),  # credit notes to £500m
    form=st.sampled_from(FORMS),
    sme=st.sampled_from(["Yes", "No", ""]),
)


@dataclass(frozen=True)
class Layout:
    titles: int  # title lines above the header
    blanks: frozenset[int]  # blank lines before these data rows
    repeat_header_at: int | None  # a repeated header line before this data row
    footer: bool  # a "Total" footer row carrying the sum
    crlf: bool
    date_form: str
    container: str  # utf-8, utf-8-sig, cp1252, xlsx, zip


layouts = st.builds(
    Layout,
    titles=st.integers(0, 3),
    blanks=st.frozensets(st.integers(0, 12), max_size=3),
    repeat_header_at=st.none() | st.integers(1, 12),
    footer=st.booleans(),
    crlf=st.booleans(),
    date_form=st.sampled_from(DATE_FORMS),
    container=st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "xlsx", "zip"]),
)


def records(data: list[Row], layout: Layout) -> list[list[Any]]:
    out: list[list[Any]] = [[f"Spend over £500 — title line {i + 1}"] for i in range(layout.titles)]
    out.append(HEADER)
    for i, r in enumerate(data):
        if i in layout.blanks:
            out.append([])
        if layout.repeat_header_at == i and i > 0:
            out.append(HEADER)
        out.append([r.name, r.date.strftime(layout.date_form), amount_text(r.pence, r.form), r.sme])
    if layout.footer:
        out.append(["Total", "", amount_text(sum(r.pence for r in data), "pound"), ""])
    return out


def write(folder: Path, data: list[Row], layout: Layout) -> Path:
    recs = records(data, layout)
    if layout.container == "xlsx":
        wb = openpyxl.Workbook()
        ws = wb.active
        for r, rec in enumerate(recs, start=1):
            for c, value in enumerate(rec, start=1):
                if value != "":
                    cell = ws.cell(r, c, value)
                    cell.data_type = "s"  # "=x" is a name here, never a formula
        wb.save(folder / "spend.xlsx")
        return folder / "spend.xlsx"
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n" if layout.crlf else "\n").writerows(recs)
    text = buf.getvalue()
    if layout.container == "zip":
        with zipfile.ZipFile(folder / "spend.zip", "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("exports/spend.csv", text.encode("utf-8"))
        return folder / "spend.zip"
    encoding = layout.container
    if encoding == "cp1252":
        try:
            raw = text.encode("cp1252")
            raw.decode("utf-8")  # ambiguous: documented to be read as UTF-8, so write UTF-8
            encoding = "utf-8"
        except UnicodeEncodeError:
            encoding = "utf-8"  # not representable in Windows-1252
        except UnicodeDecodeError:
            pass
    (folder / "spend.csv").write_bytes(text.encode(encoding))
    return folder / "spend.csv"


def money(text: str) -> Decimal:
    return Decimal(text)


def check_shares(doc: dict[str, Any]) -> None:
    for m in doc["metrics"]:
        for key, num, den in (
            ("share_of_total", "spend", "total_spend"),
            ("share_of_known", "spend", "known_spend"),
        ):
            share = m[key]
            if share is None:
                continue
            assert 0.0 <= share <= 1.0, m
            assert money(m[den]) > 0 and 0 <= money(m[num]) <= money(m[den]), m
            assert abs(share - float(money(m[num]) / money(m[den]))) < 1e-9, m
        assert 0 <= m["suppliers"] <= m["known_suppliers"] <= m["total_suppliers"], m


@given(data=st.lists(rows, min_size=1, max_size=12), layout=layouts)
def test_generated_export_round_trips_to_the_penny(data: list[Row], layout: Layout) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = write(Path(tmp), data, layout)
        try:
            result = run(RunConfig(inputs=(path,), organisation="Org"))
        except AnchorspendError as exc:  # explicit refusal is allowed; a partial result is not
            raise AssertionError(f"refused a valid export: {exc.render()}") from exc
    analysed = result.rows.filter(result.rows["_status"] == "analysed")
    got = Counter(analysed.select("supplier_name", "payment_date", "amount").iter_rows())
    assert got == Counter((r.name, r.date, r.pence) for r in data)

    total = sum(r.pence for r in data)
    rec = result.document["reconciliation"]
    footer = 1 if layout.footer else 0
    assert (rec["rows_read"], rec["rows_analysed"]) == (len(data) + footer, len(data))
    assert (rec["rows_excluded"], rec["rows_rejected"]) == (footer, 0)
    assert money(rec["amount_analysed"]) == Decimal(total) / 100
    assert money(rec["amount_excluded"]) == Decimal(total * footer) / 100
    assert money(rec["amount_read"]) == Decimal(total * (1 + footer)) / 100
    assert rec["rows_read"] == rec["rows_analysed"] + rec["rows_excluded"] + rec["rows_rejected"]
    assert money(rec["amount_read"]) == sum(
        money(rec[k]) for k in ("amount_analysed", "amount_excluded", "amount_rejected")
    )
    check_shares(result.document)
    everyone = [
        m
        for m in result.document["metrics"]
        if m["period"] == "all" and m["measure"] == "sme" and m["organisation"] == "Org"
    ]
    assert len(everyone) == 1
    sme = everyone[0]
    assert money(sme["total_spend"]) == Decimal(total) / 100
    assert money(sme["spend"]) == Decimal(sum(r.pence for r in data if r.sme == "Yes")) / 100
    assert money(sme["known_spend"]) == Decimal(sum(r.pence for r in data if r.sme)) / 100


@given(
    values=st.lists(
        st.tuples(st.integers(-(10**13), 10**13), st.sampled_from(FORMS)), min_size=1, max_size=50
    )
)
def test_every_accepted_amount_form_parses_to_exact_pence(values: list[tuple[int, str]]) -> None:
    texts = [amount_text(p, form) for p, form in values]
    got = pl.DataFrame({"t": texts}).select(parse_amount(pl.col("t")).alias("a")).unnest("a")
    assert got.rows() == [(p, "ok") for p, _ in values]


@given(
    values=st.lists(
        st.tuples(
            st.dates(dt.date(1950, 1, 1), dt.date(2100, 12, 31)), st.sampled_from(DATE_FORMS)
        ),
        min_size=1,
        max_size=50,
    )
)
def test_every_documented_date_form_parses_to_the_day(values: list[tuple[dt.date, str]]) -> None:
    texts = [d.strftime(form) for d, form in values]
    got = pl.DataFrame({"t": texts}).select(parse_date(pl.col("t")).alias("d")).unnest("d")
    assert got.rows() == [(d, "ok") for d, _ in values]
