"""Reading in batches changes nothing: every input analysed with a batch of a few records gives
the document, the rows kept, the findings and the notes that one batch of the whole file gives.

What spans batches is what these inputs break: footer totals (labelled, and a bare grand total
checked against everything above it), blank organisation cells that take the file's usual
organisation, repeated headers and blank lines, title rows, cells past the header, a record
wider than the sample, duplicates across files, rejections and their findings, workbooks and
zips. The public exports are read in batches of 997 records.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import polars as pl
import pytest
from openpyxl import Workbook

from anchorspend import pipeline
from anchorspend.config import load as load_config
from anchorspend.document import document_json
from anchorspend.gather import inputs as gather_inputs
from anchorspend.gather import source as gather_source
from anchorspend.gather.options import RunConfig
from anchorspend.ingest import csvsniff
from tests.helpers import FIXTURES, PUBLIC

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _spanning(tmp: Path) -> Path:
    """A file whose every oddity lands in a different small batch."""
    lines = [
        "Spend over £500,,,,,",
        "",
        "Organisation,Date,Supplier,Amount,Transaction,",
        "North Council,01/05/2026,Acme Ltd,100.00,T1,",
        ",02/05/2026,Bolt Ltd,20.00,T2,",  # blank organisation: North (the usual one)
        "South Council,03/05/2026,Acme Ltd,30.00,T3,",
        "",
        "Organisation,Date,Supplier,Amount,Transaction,",  # repeated header
        "North Council,04/05/2026,,5.00,T4,",  # rejected: no supplier
        "North Council,31/02/2026,Cog Ltd,7.00,T5,",  # rejected: no such date
        "North Council,05/05/2026,Cog Ltd,1.234,T6,",  # rounded
        "North Council,06/05/2026,Dent Ltd,8.00,T7,,stray,more",  # wider than the sample
        "South Council,07/05/2026,Acme Ltd,-10.00,T8,",
        ",,,161.23,,",  # a bare grand total: the sum of everything above
        "Total,,,161.23,,",  # a labelled footer
    ]
    path = tmp / "spanning.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _workbook(tmp: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.append(["Council spend"])
    ws.append(["Organisation", "Payment Date", "Supplier", "Net Amount"])
    for i in range(12):
        ws.append(
            [
                None if i == 5 else "East Council",
                f"0{1 + i % 9}/06/2026",
                f"Firm {i % 4}",
                f"{i * 10}.50",
            ]
        )
    ws.append(["Total", None, None, "666.00"])
    path = tmp / "east.xlsx"
    wb.save(path)
    return path


def _zipped(tmp: Path) -> Path:
    path = tmp / "both.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for name in ("dup_q1_invoices.csv", "dup_q1_resent.csv"):
            zf.write(FIXTURES / name, name)
    return path


CASES = {
    "spanning": lambda tmp: RunConfig(inputs=(_spanning(tmp),)),
    "workbook": lambda tmp: RunConfig(inputs=(_workbook(tmp),)),
    "title-footer": lambda tmp: RunConfig(
        inputs=(FIXTURES / "title_rows_repeated_header_footer_total.csv",)
    ),
    "bare-total": lambda tmp: RunConfig(inputs=(FIXTURES / "unlabelled_footer_total.csv",)),
    "extra-cells": lambda tmp: RunConfig(inputs=(FIXTURES / "extra_cells.csv",)),
    "bad-values": lambda tmp: RunConfig(
        inputs=(FIXTURES / "bad_amounts.csv", FIXTURES / "bad_dates.csv")
    ),
    "duplicates": lambda tmp: RunConfig(
        inputs=(FIXTURES / "dup_q1_invoices.csv", FIXTURES / "dup_q1_resent.csv")
    ),
    "duplicates-zipped": lambda tmp: RunConfig(inputs=(_zipped(tmp),)),
    "classified": lambda tmp: RunConfig(
        inputs=(FIXTURES / "classify" / "spend.csv",),
        lookups=(
            FIXTURES / "classify" / "lookup-main.csv",
            FIXTURES / "classify" / "lookup-second.csv",
        ),
        config=load_config(FIXTURES / "classify" / "anchorspend.toml"),
        column_map=("is_vcse=VCSE Supplier",),
    ),
    "examples": lambda tmp: RunConfig(
        inputs=(EXAMPLES / "spend",),
        lookups=(EXAMPLES / "lookups" / "suppliers.csv",),
        config=load_config(EXAMPLES / "anchorspend.toml"),
    ),
}


def _outcome(config: RunConfig) -> tuple[str, str, str, list[str]]:
    """Everything a run says: the document, the rows it kept, the findings and the notes."""
    result = pipeline.run(config)
    return (
        document_json(result.document),
        result.rows.write_csv(),
        result.findings.write_csv(),
        [repr(n) for n in result.notes],
    )


@pytest.mark.parametrize("case", sorted(CASES))
def test_batches_of_a_few_records_change_nothing(
    case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = CASES[case](tmp_path)
    if case == "spanning":  # the wide record lies past the sample: read again, wider
        monkeypatch.setattr(csvsniff, "SAMPLE_RECORDS", 4)
    whole = _outcome(config)
    assert '"rows_read": 0' not in whole[0]
    monkeypatch.setattr(gather_source, "HEAD_ROWS", 5)  # the first batch: up to the header or so
    for size in (1, 2, 3, 7):
        monkeypatch.setattr(gather_inputs, "BATCH_ROWS", size)
        assert _outcome(config) == whole, f"batches of {size}"


def test_the_spanning_file_is_read_as_its_rows_say(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The file above does what it says in batches of one record, so that the equality test
    is not vacuous."""
    monkeypatch.setattr(csvsniff, "SAMPLE_RECORDS", 4)
    monkeypatch.setattr(gather_inputs, "BATCH_ROWS", 1)
    monkeypatch.setattr(gather_source, "HEAD_ROWS", 2)
    result = pipeline.run(RunConfig(inputs=(_spanning(tmp_path),)))
    rec = result.document["reconciliation"]
    assert (rec["rows_read"], rec["rows_analysed"], rec["rows_excluded"], rec["rows_rejected"]) == (
        10,
        6,
        2,
        2,
    )
    assert (rec["amount_analysed"], rec["amount_excluded"], rec["amount_rejected"]) == (
        "149.23",
        "322.46",
        "12.00",
    )
    assert rec["exclusions"] == [{"rule": "footer-total", "rows": 2, "amount": "322.46"}]
    totals = {
        m["organisation"]: m["total_spend"]
        for m in result.document["metrics"]
        if m["measure"] == "total_spend" and m["period"] == "all"
    }
    # the blank organisation cell is North's, the organisation on most rows
    assert totals == {"North Council": "129.23", "South Council": "20.00", "(all)": "149.23"}
    assert result.rows.get_column("_row").to_list() == [9, 10, 14, 15]
    assert result.rows.get_column("extra_2").to_list() == [None, None, None, None]
    codes = result.findings.get_column("code").to_list()
    # in a whole read's order: rule by rule (the date before the supplier), then row by row
    assert codes == [
        "type-error",
        "missing-value",
        "footer-total",
        "footer-total",
        "amount-rounded",
        "extra-cell",
        "extra-cell",
    ]


@pytest.mark.parametrize(
    "name",
    [
        "bradford-2018-01.csv",
        "cabinet-office-2019-06.csv",
        "gla-2013-P01.csv",
        "leeds-2011-01-raw.csv",
        "manchester-2022-05.csv",
        "trafford-gpc-2026-27.csv",
        "trafford-supplier-spend-2026-27.zip",
    ],
)
def test_public_exports_in_batches(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    path = PUBLIC / name
    if not path.exists():
        pytest.skip(f"{path} is absent (public data not checked out beside the repo)")
    config = RunConfig(inputs=(path,))
    whole = _outcome(config)
    monkeypatch.setattr(gather_inputs, "BATCH_ROWS", 997)
    assert _outcome(config) == whole


def test_a_wide_record_found_after_batches_were_reduced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Polars finds a record wider than the sample only when it parses that far: in a file of
    5 MB, after 120,000 records were handed on and split into spend. Those batches are
    forgotten and the file read again, wider: nothing is counted twice."""
    lines = ["Organisation,Date,Supplier,Amount"]
    lines += [f"North,01/05/2026,S{i % 500},{i % 97}.00" for i in range(200_000)]
    lines.append("North,02/05/2026,Wide Ltd,1.00,an extra cell")
    path = tmp_path / "wide-late.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    config = RunConfig(inputs=(path,))
    whole = _outcome(config)
    monkeypatch.setattr(gather_inputs, "BATCH_ROWS", 20_000)
    assert _outcome(config) == whole
    rec = pipeline.run(config).document["reconciliation"]
    pence = sum(i % 97 for i in range(200_000)) * 100 + 100
    assert (rec["rows_read"], rec["rows_analysed"]) == (200_001, 200_001)
    assert rec["amount_analysed"] == f"{pence // 100}.{pence % 100:02d}"


def test_detached_text_keeps_every_value_and_null() -> None:
    from anchorspend.ingest.frames import detached

    frame = pl.DataFrame(
        {"a": ["x" * 40, None, "", "£ – é"], "n": [1, 2, None, 4], "b": [True, None, False, True]}
    )
    out = detached(frame)
    assert out.equals(frame, null_equal=True)
    assert out.schema == frame.schema


def test_progress_moves_through_a_file_read_in_batches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A long file tells how far through it the read is, not just that it is reading."""
    lines = ["Organisation,Date,Supplier,Amount"]
    lines += [f"North,01/05/2026,S{i % 7},{i}.00" for i in range(99)]
    path = tmp_path / "long.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.setattr(gather_inputs, "BATCH_ROWS", 20)
    monkeypatch.setattr(gather_source, "HEAD_ROWS", 2)
    told: list[tuple[str, float | None]] = []
    gather_inputs.ingest(RunConfig(inputs=(path,)), lambda msg, done: told.append((msg, done)))
    assert [m for m, _ in told] == [
        f"reading {path}: {n} rows" for n in (19, 39, 59, 79, 99)
    ]  # the first batch holds the header
    # 100 lines in all, the reading is 0.8 of the run
    assert [round(d or 0, 3) for _, d in told] == [0.152, 0.312, 0.472, 0.632, 0.792]


def _with_profile_columns(rows: pl.DataFrame) -> pl.DataFrame:
    """Analysed rows with the supplier profile columns they lack, as null."""
    from anchorspend.ingest.fields import FLAG_FIELDS
    from anchorspend.spend import PROFILE_COLS

    flags = (*FLAG_FIELDS, "redacted")
    return rows.with_columns(
        pl.lit(None, pl.Boolean if c in flags else pl.String).alias(c)
        for c in PROFILE_COLS
        if c not in rows.columns
    )


def test_categories_from_streamed_facts_match_a_rollup_and_any_profile_numbering() -> None:
    """The category view streams the packed facts past the cells table. Its figures equal a
    plain rollup of the same rows, and a supplier table whose profiles are not numbered 0, 1,
    2… (a profile with no spend) takes the join path to the same answer."""
    from anchorspend.spend import spend_cells, spend_facts, spend_of
    from anchorspend.views import Suppliers, categories, suppliers_of

    rows = pl.DataFrame(
        {
            "organisation": ["A", "A", "A", "B", "B", "A"],
            "payment_date": [dt.date(2025, 4, 1)] * 3 + [dt.date(2025, 7, 1)] * 3,
            "category": [None, None, None, "Works", None, None],
            "expense_type": ["Fuel", "Fuel", "Rent", "Rent", "Rent", "Fuel"],
            "supplier_name": ["X", "Y", "X", None, "Z", "X"],
            "amount": [100, 250, -40, 999, 1, 5],
            "_status": ["analysed"] * 6,
        }
    )
    spend = spend_of(_with_profile_columns(rows), "quarter")
    attrs = spend.profiles.select(
        "_pid", pl.col("supplier_name").str.to_uppercase().alias("supplier_key"), "supplier_name"
    ).with_columns(pl.lit(None, pl.String).alias("matched_by"))
    sup = suppliers_of(spend_cells(spend, ("organisation",)), attrs)
    got = categories(spend_facts(spend, ()), spend.cells, sup)
    want = [
        # B has a category column with a value: its rows are labelled by category
        ("A", "expense_type", "Fuel", "3.55", 3, 2),
        ("A", "expense_type", "Rent", "-0.40", 1, 1),
        ("B", "category", "Works", "9.99", 1, 1),
        ("B", "category", "(not given)", "0.01", 1, 1),
        ("(all)", "category", "Works", "9.99", 1, 1),
        ("(all)", "expense_type", "Fuel", "3.55", 3, 2),
        ("(all)", "category", "(not given)", "0.01", 1, 1),
        ("(all)", "expense_type", "Rent", "-0.40", 1, 1),
    ]
    keys = ("organisation", "basis", "category", "spend", "rows", "suppliers")
    assert [tuple(c[k] for k in keys) for c in got] == want
    ghost = sup.profiles.head(1).with_columns(pl.lit(99, pl.UInt32).alias("_pid"))
    sparse = Suppliers(sup.cells, pl.concat([sup.profiles, ghost]), sup.several)
    assert categories(spend_facts(spend, ()), spend.cells, sparse) == got


def test_measures_take_profile_values_by_position_or_by_join_alike() -> None:
    """The measures give each fact its profile's supplier and bits by position when profiles
    are numbered 0, 1, 2…, and by a join otherwise; both give the same, exact, figures."""
    from anchorspend.metrics import compute
    from anchorspend.spend import spend_facts, spend_of

    rows = pl.DataFrame(
        {
            "organisation": ["A", "A", "A", "B"],
            "payment_date": [dt.date(2025, 4, 1)] * 3 + [dt.date(2025, 7, 1)],
            "supplier_name": ["X", "Y", "X", "Z"],
            "category": [None, None, None, None],
            "expense_type": ["Fuel", "Rent", "Fuel", "Fuel"],
            "amount": [100, 250, -40, 7],
            "_status": ["analysed"] * 4,
        }
    )
    spend = spend_of(_with_profile_columns(rows), "quarter")
    sme = {"X": True, "Y": False}
    attrs = spend.profiles.select(
        "_pid",
        pl.col("supplier_name").alias("supplier_key"),
        pl.col("supplier_name")
        .replace_strict(sme, default=None, return_dtype=pl.Boolean)
        .alias("is_sme"),
    )
    facts = spend_facts(spend, ("organisation", "period"))
    dense = compute(facts, attrs, {"sme": pl.col("is_sme")}).metrics
    ghost = attrs.head(1).with_columns(pl.lit(7, pl.UInt32).alias("_pid"))
    sparse = compute(facts, pl.concat([attrs, ghost]), {"sme": pl.col("is_sme")}).metrics
    assert sparse.equals(dense)
    a_q1 = dense.filter((pl.col("organisation") == "A") & (pl.col("period") == "2025-26 Q1"))
    assert a_q1.select(
        "total_spend", "spend", "known_spend", "suppliers", "known_suppliers", "total_suppliers"
    ).row(0) == (310, 60, 310, 1, 2, 2)
    b = dense.filter(pl.col("organisation") == "B").row(0, named=True)
    assert (b["total_spend"], b["known_spend"], b["coverage"]) == (7, 0, 0.0)
