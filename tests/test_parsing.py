"""Amounts, dates, identifiers and redaction, as expressions and through the pipeline."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from anchorspend.normalise import (
    MISSING_TEXT,
    company_number,
    is_missing,
    is_redacted_name,
    parse_amount,
    parse_date,
    pence_to_text,
    vat_number,
)
from tests.helpers import FIXTURES, analyse_json, invoke


def amounts(values: list[str | None]) -> list[tuple[int | None, str]]:
    df = pl.DataFrame({"a": values}, schema={"a": pl.String})
    out = df.select(parse_amount(pl.col("a")).alias("p")).unnest("p")
    return list(out.iter_rows())


def test_amount_forms() -> None:
    assert amounts(
        [
            "£1,234.56",
            "(123.45)",
            "123.45-",
            "123.45 CR",
            "-3",
            "£-3.00",
            ".5",
            " 12 ",
            "1234567.8",
            "250.00 DR",
        ]
    ) == [
        (123456, "ok"),
        (-12345, "ok"),
        (-12345, "ok"),
        (-12345, "ok"),
        (-300, "ok"),
        (-300, "ok"),
        (50, "ok"),
        (1200, "ok"),
        (123456780, "ok"),
        (25000, "ok"),
    ]


def test_amount_missing_and_invalid() -> None:
    assert amounts(
        [None, "", "#N/A", "N/A", "twelve", "1,23", "1.2E+", "--3", "(5)-", "1.2.3"]
    ) == [
        (None, "missing"),
        (None, "missing"),
        (None, "missing"),
        (None, "missing"),
        (None, "invalid"),
        (None, "invalid"),
        (None, "invalid"),
        (None, "invalid"),
        (None, "invalid"),
        (None, "invalid"),
    ]


def test_amount_in_scientific_notation_is_the_exact_decimal() -> None:
    # a spreadsheet's float residue or a large figure written out by Excel
    assert amounts(
        ["-6.82121E-13", "1.2E+05", "2.5e-1", "1234.5699999999999", "(1.5E3)", "1E99", "E5"]
    ) == [
        (0, "rounded"),
        (12000000, "ok"),
        (25, "ok"),
        (123457, "rounded"),
        (-150000, "ok"),
        (None, "invalid"),
        (None, "invalid"),
    ]


def test_amount_sub_penny_rounds_half_away_from_zero() -> None:
    assert amounts(["0.125", "-0.125", "0.124", "10.9950", "10.500"]) == [
        (13, "rounded"),
        (-13, "rounded"),
        (12, "rounded"),
        (1100, "rounded"),
        (1050, "ok"),
    ]


def test_pence_to_text() -> None:
    assert [pence_to_text(p) for p in (0, 5, -5, 123456, -100)] == [
        "0.00",
        "0.05",
        "-0.05",
        "1234.56",
        "-1.00",
    ]


def dates(values: list[str], **kw: object) -> list[tuple[str | None, str]]:
    df = pl.DataFrame({"d": values})
    out = df.select(parse_date(pl.col("d"), **kw).alias("p")).unnest("p")  # type: ignore[arg-type]
    return [(None if d is None else d.isoformat(), s) for d, s in out.iter_rows()]


def test_date_forms() -> None:
    assert dates(
        [
            "2026-04-01",
            "01/04/2026",
            "14-Jan-2011",
            "14-JAN-11",
            "43831",
            "2026-04-03 00:00:00",
            "2026-04-03T14:30:00",
            "3 April 2026",
            "01/04/26",
            "31/02/2026",
            "",
        ]
    ) == [
        ("2026-04-01", "ok"),
        ("2026-04-01", "ok"),
        ("2011-01-14", "ok"),
        ("2011-01-14", "ok"),
        ("2020-01-01", "ok"),
        ("2026-04-03", "ok"),
        ("2026-04-03", "ok"),
        ("2026-04-03", "ok"),
        ("2026-04-01", "ok"),
        (None, "invalid"),
        (None, "missing"),
    ]


def test_periods_are_rejected_unless_an_end_is_chosen() -> None:
    values = ["July 2010-September 2010", "Jul 2010 - Sep 2010", "July 2010", "01/04/2026"]
    assert dates(values) == [
        (None, "period"),
        (None, "period"),
        ("2010-07-01", "month"),  # a month is exact to its quarter: read, never rejected
        ("2026-04-01", "ok"),
    ]
    assert dates(["2015-08", "Aug 2015", "08/2015"]) == [("2015-08-01", "month")] * 3
    assert dates(values, date_range="start") == [
        ("2010-07-01", "period-start"),
        ("2010-07-01", "period-start"),
        ("2010-07-01", "period-start"),
        ("2026-04-01", "ok"),
    ]
    assert dates(values, date_range="end") == [
        ("2010-09-30", "period-end"),
        ("2010-09-30", "period-end"),
        ("2010-07-31", "period-end"),
        ("2026-04-01", "ok"),
    ]


def test_date_format_option_reads_us_dates() -> None:
    assert dates(["04/30/2026"]) == [(None, "invalid")]
    assert dates(["04/30/2026"], date_format="%m/%d/%Y") == [("2026-04-30", "ok")]


def test_company_and_vat_numbers() -> None:
    df = pl.DataFrame(
        {"c": ["3241176", "SC123456", "sc 12345", "OC1", "NI012345", "n/a", "12345678", "ABC/1"]}
    )
    assert df.select(company_number(pl.col("c"))).to_series().to_list() == [
        "03241176",
        "SC123456",
        "SC012345",
        "OC000001",
        "NI012345",
        None,
        "12345678",
        "ABC/1",
    ]
    v = pl.DataFrame({"v": ["GB 812 3112 85", "812311285", "NA"]})
    assert v.select(vat_number(pl.col("v"))).to_series().to_list() == [
        "GB812311285",
        "GB812311285",
        None,
    ]


@pytest.mark.parametrize(
    "name",
    [
        "REDACTED PERSONAL DATA",
        "Redacted Personal Information",
        "Redacted",
        "Redacted Commercial Data",
        "redacted - personal data",
        "Personal Data",
        "Name withheld",
        "Withheld",
        "Private Individual",
        "Individual",
        "Commercially confidential",
        "Data Protection Act",
        "** REDACTED **",
    ],
)
def test_redacted_spellings(name: str) -> None:
    assert pl.select(is_redacted_name(pl.lit(name))).item() is True


@pytest.mark.parametrize(
    "name",
    [
        "TOTAL ACCESS (UK) LTD",
        "INDIVIDUALS R US LTD",
        "Confidential Shredding Services Ltd",
        "Personal Touch Care Ltd",
        "Acme Ltd",
    ],
)
def test_real_suppliers_are_not_redactions(name: str) -> None:
    assert pl.select(is_redacted_name(pl.lit(name))).item() is False


def test_bad_rows_are_rejected_with_reasons_and_reconcile() -> None:
    doc = analyse_json(
        str(FIXTURES / "bad_amounts.csv"),
        str(FIXTURES / "bad_dates.csv"),
        str(FIXTURES / "missing_supplier.csv"),
    )
    rec = doc["reconciliation"]
    # analysed: Acme 1200, Epsilon (50), Delta 40, Epsilon 50 (serial 45383), Acme 30
    assert (rec["rows_read"], rec["rows_analysed"], rec["rows_rejected"]) == (13, 5, 8)
    # parsed amounts on rejected rows still count in amount_rejected
    assert rec["amount_rejected"] == "90.00"
    assert rec["amount_analysed"] == "1270.00"
    assert rec["amount_read"] == "1360.00"
    assert rec["rejections"] == [
        {"reason": "date-is-period", "rows": 1, "amount": "30.00"},
        {"reason": "invalid-amount", "rows": 2, "amount": "0.00"},
        {"reason": "invalid-date", "rows": 1, "amount": "10.00"},
        {"reason": "missing-amount", "rows": 1, "amount": "0.00"},
        {"reason": "missing-date", "rows": 1, "amount": "20.00"},
        {"reason": "missing-supplier", "rows": 2, "amount": "30.00"},
    ]


def test_date_range_flag_keeps_period_rows() -> None:
    doc = analyse_json(str(FIXTURES / "bad_dates.csv"), "--date-range", "end")
    assert doc["reconciliation"]["rows_rejected"] == 2
    assert doc["reconciliation"]["amount_analysed"] == "120.00"


def test_strict_exits_1_when_rows_are_rejected(tmp_path: Path) -> None:
    r = invoke("analyse", str(FIXTURES / "bad_amounts.csv"), "--strict", "--out", str(tmp_path))
    assert r.exit_code == 1
    rejected = pl.read_csv(tmp_path / "rejected_rows.csv", infer_schema=False)
    assert rejected.select("row", "reason", "supplier_name", "amount").rows() == [
        ("3", "invalid-amount", "Beta Ltd", "twelve pounds"),
        ("4", "missing-amount", "Gamma Ltd", None),
        ("5", "invalid-amount", "Delta Ltd", "1.2.3"),
    ]


@given(
    st.tuples(st.integers(0, 9999), st.integers(0, 19), st.integers(0, 39), st.booleans()).map(
        lambda t: (
            f"{t[0]:04d}-{t[1]:02d}-{t[2]:02d}" if t[3] else f"{t[2]:02d}/{t[1]:02d}/{t[0]:04d}"
        )
    )
    | st.text(alphabet="0123456789/-. ", max_size=12)
)
@example("31/03/2026")
@example("2026-03-31")
@example("31/02/2026")
@example("0001-01-01")
def test_the_quick_date_path_agrees_with_the_full_parser(text: str) -> None:
    """canonical._quick_date answers the common shapes before parse_date runs: wherever it
    answers, it must say exactly what parse_date says."""
    from anchorspend.ingest.values import _quick_date

    frame = pl.DataFrame({"t": [text]})
    quick = frame.select(_quick_date(pl.col("t")).alias("q")).unnest("q").row(0)
    full = frame.select(parse_date(pl.col("t")).alias("f")).unnest("f").row(0)
    if quick[0] is not None:
        assert quick == full


def test_the_quick_date_path_answers_the_common_shapes() -> None:
    from anchorspend.ingest.values import _quick_date

    texts = ["31/03/2026", "2026-03-31", "31/02/2026", "0001-01-01", "31 Mar 2026", None]
    got = pl.DataFrame({"t": texts}).select(_quick_date(pl.col("t")).alias("q")).unnest("q")
    march = dt.date(2026, 3, 31)
    assert got.rows() == [
        (march, "ok"),
        (march, "ok"),
        (None, None),
        (None, None),
        (None, None),
        (None, None),
    ]


# Placeholders in every case, padded with every kind of whitespace, and the characters whose
# Unicode case mapping is not the ASCII one (long s, Kelvin sign, dotless i, fullwidth forms)
# fmt: off
_MISSING_TRICKY = [
    "", " ", "\t", "\u00a0", "\u2003N/A\u2003", "n/a", "N/a ", "na", "nan", "NaN", "null", "None",
    "-", " - ", "--", "#n/a", "#value!", "#REF!", "nA", "\u017f", "\u212a", "N/A.", "NA NA",
    "\nNONE\n", "NULLs", "\u039dA", "\uff2e/\uff21", "N\u00a0A", "N/A\r", "\r\n", "\u0131",
    "\u2212", "N/A\u200b", "\u200b", "\ufeff", "\u0085", "\u2028NA\u2029", "x", None,
]
# fmt: on


@given(st.lists(st.one_of(st.none(), st.text(), st.sampled_from(_MISSING_TRICKY)), max_size=40))
@example(_MISSING_TRICKY)
def test_is_missing_is_the_placeholder_reading(values: list[str | None]) -> None:
    """The one-regex ``is_missing`` answers as stripping, upper-casing and looking the text up
    in MISSING_TEXT does, on any text."""
    frame = pl.DataFrame({"v": values}, schema={"v": pl.String})
    v = pl.col("v")
    reference = v.is_null() | v.str.strip_chars().str.to_uppercase().is_in(MISSING_TEXT)
    got = frame.select(is_missing(v).alias("got"), reference.alias("want"))
    assert got.get_column("got").to_list() == got.get_column("want").to_list()


def test_a_column_of_no_values_parses_under_any_name() -> None:
    """The parsers' answer for a column with no value is kept between calls; it must not carry
    the first caller's column name to the next (found by the streamed read)."""
    from anchorspend.ingest.values import amounts_of

    for name in ("_amount_text", "_raw_amount"):
        frame = pl.DataFrame({name: [None, None]}, schema={name: pl.String})
        out = amounts_of(frame, name)
        assert out.columns == ["amount", "_amount_status"]
        assert out.rows() == [(None, "missing"), (None, "missing")]
