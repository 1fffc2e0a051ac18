"""`anchorspend check`: exact findings as (row, column, code) tuples, and exit codes 0/1/3."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from anchorspend.check import check
from anchorspend.findings import flatten
from anchorspend.gather import inputs as gather_inputs
from tests.helpers import FIXTURES, invoke


def tuples(paths: list[Path], **kw: object) -> list[tuple[int | None, str | None, str]]:
    report = check(paths, **kw)  # type: ignore[arg-type]
    return sorted(
        ((f.row, f.column, f.code) for f in flatten(report.findings) if f.severity != "info"),
        key=lambda t: (t[0] or 0, t[1] or "", t[2]),
    )


def test_bad_amounts() -> None:
    assert tuples([FIXTURES / "bad_amounts.csv"]) == [
        (3, "Net Amount", "type-error"),
        (4, "Net Amount", "missing-value"),
        (5, "Net Amount", "type-error"),
    ]


def test_bad_dates() -> None:
    assert tuples([FIXTURES / "bad_dates.csv"]) == [
        (2, "Payment Date", "type-error"),
        (3, "Payment Date", "missing-value"),
        (4, "Payment Date", "date-is-period"),
    ]


def test_missing_supplier_and_extra_cells() -> None:
    assert tuples([FIXTURES / "missing_supplier.csv"]) == [
        (2, "Supplier Name", "missing-value"),
        (3, "Supplier Name", "missing-value"),
    ]
    assert tuples([FIXTURES / "extra_cells.csv"]) == [
        (3, "extra_1", "extra-cell"),
        (3, "extra_2", "extra-cell"),
        (4, "Net Amount", "missing-value"),
    ]


def test_lookup_file_is_detected_and_checked() -> None:
    report = check([FIXTURES / "lookup_bad_flags.csv"])
    assert [f.schema for f in report.files] == ["suppliers"]
    assert tuples([FIXTURES / "lookup_bad_flags.csv"]) == [
        (3, "is_sme", "type-error"),
        (4, "supplier_name", "missing-value"),
    ]


def test_footer_total_is_not_an_error() -> None:
    path = FIXTURES / "title_rows_repeated_header_footer_total.csv"
    assert tuples([path]) == []
    report = check([path])
    assert ("footer-total", 10) in set(report.findings.select("code", "row").iter_rows())


def test_exit_codes() -> None:
    clean = FIXTURES / "title_rows_repeated_header_footer_total.csv"
    r = invoke("check", str(clean))
    assert r.exit_code == 0, r.stdout
    assert "1 file(s) checked: 0 error(s), valid" in r.stdout
    r = invoke("check", str(FIXTURES / "bad_amounts.csv"))
    assert r.exit_code == 1
    assert (
        "bad_amounts.csv: error: type-error in Net Amount: 2 rows, e.g. rows 3, 5 — "
        "amount is not a number of pounds"
    ) in r.stdout
    r = invoke("check", str(FIXTURES / "no_header_words.csv"))
    assert r.exit_code == 3
    assert "no recognisable header row" in r.stderr


def test_json_lists_every_finding_with_coordinates() -> None:
    r = invoke("check", str(FIXTURES / "bad_dates.csv"), "--json")
    assert r.exit_code == 1
    doc = json.loads(r.stdout)
    assert doc["valid"] is False
    assert doc["files"] == [
        {
            "path": str(FIXTURES / "bad_dates.csv"),
            "schema": "spend",
            "rows": 5,
            "mapping": {
                "amount": {"header": "Net Amount", "column": "C", "basis": "alias"},
                "payment_date": {"header": "Payment Date", "column": "B", "basis": "alias"},
                "supplier_name": {"header": "Supplier Name", "column": "A", "basis": "alias"},
            },
        }
    ]

    errors = [f for f in doc["findings"] if f["severity"] == "error"]
    assert errors[0] == {
        "path": str(FIXTURES / "bad_dates.csv"),
        "sheet": None,
        "row": 2,
        "column": "Payment Date",
        "code": "type-error",
        "severity": "error",
        "value": "31/02/2026",
        "message": "payment date is not a recognised date (--date-format to name the format)",
    }


def test_github_annotations() -> None:
    r = invoke("check", str(FIXTURES / "bad_amounts.csv"), "--format", "github")
    assert r.exit_code == 1
    lines = r.stdout.splitlines()
    assert lines[0] == (
        f"::error file={FIXTURES / 'bad_amounts.csv'},line=3::type-error in "
        "Net Amount: amount is not a number of pounds (value: 'twelve pounds')"
    )
    assert len(lines) == 3


def test_schema_option(tmp_path: Path) -> None:
    r = invoke("check", str(FIXTURES / "lookup_bad_flags.csv"), "--schema", "spend")
    assert r.exit_code == 3
    custom = tmp_path / "mine.schema.json"
    custom.write_text(
        json.dumps(
            {
                "fields": [
                    {"name": "supplier_name", "type": "string", "constraints": {"required": True}},
                    {"name": "is_sme", "type": "boolean"},
                    {"name": "company_number", "type": "integer"},
                ]
            }
        ),
        encoding="utf-8",
    )
    assert tuples([FIXTURES / "lookup_bad_flags.csv"], schema=str(custom)) == [
        (3, "company_number", "type-error"),
        (3, "is_sme", "type-error"),
        (4, "supplier_name", "missing-value"),
    ]


def test_lookup_duplicate_keys_are_check_errors() -> None:
    path = FIXTURES / "lookup_duplicate_keys.csv"
    # rows 2-3 disagree (an error); rows 4-5 share a company number and agree (a warning)
    assert tuples([path]) == [
        (3, "name_key", "duplicate-key"),
        (5, "company_number", "duplicate-key"),
    ]
    r = invoke("check", str(path))
    assert r.exit_code == 1
    assert "name_key 'ACME' (rows 2, 3): is_sme differ" in r.stdout


def test_spend_files_are_checked_batch_by_batch_with_the_findings_of_a_whole_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """check reads a spend file in batches and lets the rows go (at 10M rows, 6.0 GB -> 0.75
    GB); read three records at a time, every finding, the row count and the repeated header
    and footer handling come out as they do read in one batch."""
    files = [
        FIXTURES / "title_rows_repeated_header_footer_total.csv",
        FIXTURES / "unlabelled_footer_total.csv",
        FIXTURES / "bad_amounts.csv",
        FIXTURES / "bad_dates.csv",
        FIXTURES / "extra_cells.csv",
        FIXTURES / "missing_supplier.csv",
    ]
    whole = check(files)
    monkeypatch.setattr(gather_inputs, "BATCH_ROWS", 3)
    batched = check(files)
    assert batched.findings.equals(whole.findings)
    assert [(f.path, f.schema, f.rows) for f in batched.files] == [
        (f.path, f.schema, f.rows) for f in whole.files
    ]
    # data rows read: blank lines and the repeated header are not rows, footers are
    assert [f.rows for f in whole.files] == [4, 4, 5, 5, 3, 3]


def test_a_spend_file_with_a_header_and_no_rows_is_not_offered_the_lookup_schema(
    tmp_path: Path,
) -> None:
    empty = tmp_path / "q1.csv"
    empty.write_text("Supplier Name,Payment Date,Amount\n", encoding="utf-8")
    r = invoke("check", empty)
    assert r.exit_code == 3
    assert "the file has a header (row 1) but no data rows" in r.stderr
    assert "--schema suppliers" not in r.stderr


def test_check_prints_each_column_used_and_why(tmp_path: Path) -> None:
    path = tmp_path / "ledger.csv"
    path.write_text(
        "Name,Payment GL Date,Net Amount,Ref\nAcme Ltd,01/04/2026,10.00,B1\n", encoding="utf-8"
    )
    r = invoke("check", str(path), "--map", "transaction_id=Ref")
    assert r.exit_code == 0, r.stderr
    assert (
        f"{path}: spend, 1 rows; columns: amount ← 'Net Amount' (C, alias), "
        "payment_date ← 'Payment GL Date' (B, content), "
        "supplier_name ← 'Name' (A, content), transaction_id ← 'Ref' (D, map)"
    ) in r.stdout


def test_findings_grouped_once_per_file_code_and_column_for_the_terminal() -> None:
    """The terminal's lines come from ``check.grouped``: how many, the first rows, the first
    message, in the order first found; ``check.document`` is what ``--json`` prints."""
    from anchorspend.check import document, grouped

    report = check([FIXTURES / "bad_amounts.csv"])
    assert [
        (g["code"], g["column"], g["severity"], g["count"], g["rows"]) for g in grouped(report)
    ] == [
        ("type-error", "Net Amount", "error", 2, [3, 5]),
        ("missing-value", "Net Amount", "error", 1, [4]),
    ]
    doc = document(report)
    assert (doc["schema"], doc["valid"], [f["rows"] for f in doc["files"]]) == (
        "anchorspend/check/v1",
        False,
        [5],
    )
    assert [(f["row"], f["code"]) for f in doc["findings"]] == [
        (3, "type-error"),
        (4, "missing-value"),
        (5, "type-error"),
    ]
