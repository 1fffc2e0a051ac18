"""Header aliases for the published layouts, overrides, and the errors that name the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import FIXTURES, analyse_json, invoke

LAYOUTS = {
    # Local Government Transparency Code 2015 / LGA practitioner guide
    "lgtc": (
        "Body Name,Body,Service Area Categorisation,Service Division Categorisation,"
        "Responsible Unit,Expenses Type,Detailed expenses type,Payment Date,"
        "Transaction Number,Net Amount,Proclass,Supplier Name,Supplier ID",
        "Somewhere Council,E06000001,Adult Care,Day Care,Unit,Grants,Grant,01/04/2026,T1,"
        "600.00,Social,Acme Ltd,S1",
        {
            "organisation": "Body Name",
            "payment_date": "Payment Date",
            "supplier_name": "Supplier Name",
            "amount": "Net Amount",
            "transaction_id": "Transaction Number",
            "supplier_id": "Supplier ID",
            "expense_type": "Expenses Type",
            "expense_area": "Service Area Categorisation",
            "category": "Proclass",
        },
    ),
    # opendatacommunities spend schema
    "odc": (
        "OrganisationLabel,OrganisationURI,EffectiveDate,OrganisationalUnit,BeneficiaryName,"
        "BeneficiaryOtherID,PaymentDate,TransactionNumber,Amount,Purpose,ProclassLabel",
        "Trafford Council,http://x,2026-05-31,IT,Acme Ltd,99,2026-04-02,T1,600.00,Kit,ICT",
        {
            "organisation": "OrganisationLabel",
            "payment_date": "PaymentDate",
            "supplier_name": "BeneficiaryName",
            "amount": "Amount",
            "supplier_id": "BeneficiaryOtherID",
            "transaction_id": "TransactionNumber",
            "expense_area": "OrganisationalUnit",
            "purpose": "Purpose",
            "category": "ProclassLabel",
        },
    ),
    # HM Treasury "over £25,000" (central government, NHS)
    "hmt": (
        "Departmental Family,Entity,Date,Expense Type,Expense Area,Supplier,"
        "Transaction number,Amount",
        "Department of Health,Some NHS Trust,02/04/2026,Drugs,Pharmacy,Acme Ltd,T1,26000",
        {
            "organisation": "Entity",
            "payment_date": "Date",
            "supplier_name": "Supplier",
            "amount": "Amount",
            "transaction_id": "Transaction number",
            "expense_type": "Expense Type",
            "expense_area": "Expense Area",
        },
    ),
    # 2010 Local Data Panel layout
    "ldp2010": (
        "Body,Body name,Date,Transaction number,Invoice number,Amount,Supplier name,"
        "Supplier ID,VAT registration number,Expense area,Expense type,Expense code",
        "E08000009,Leeds City Council,14-Jan-2011,T1,I1,870.83,Acme Ltd,S1,"
        "GB123456789,Central,Materials,205",
        {
            "organisation": "Body name",
            "payment_date": "Date",
            "supplier_name": "Supplier name",
            "amount": "Amount",
            "transaction_id": "Transaction number",
            "supplier_id": "Supplier ID",
            "vat_number": "VAT registration number",
            "expense_area": "Expense area",
            "expense_type": "Expense type",
        },
    ),
    # finance-system exports
    "finance": (
        "Vendor ID,Vendor Name,Cost Element,Document No,Clearing Date,Total (excludes VAT)",
        "15500130,Acme Ltd,544075,5107789349,2013-04-02,1200.00",
        {
            "supplier_id": "Vendor ID",
            "supplier_name": "Vendor Name",
            "transaction_id": "Document No",
            "payment_date": "Clearing Date",
            "amount": "Total (excludes VAT)",
        },
    ),
}


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_published_layouts_map_without_flags(tmp_path: Path, layout: str) -> None:
    header, row, expected = LAYOUTS[layout]
    path = tmp_path / f"{layout}.csv"
    path.write_text(f"{header}\n{row}\n", encoding="utf-8")
    doc = analyse_json(str(path))
    assert {k: v for k, v in doc["inputs"][0]["columns"].items() if k in expected} == expected
    assert doc["reconciliation"]["rows_analysed"] == 1


def test_matching_ignores_case_space_and_punctuation(tmp_path: Path) -> None:
    path = tmp_path / "odd.csv"
    path.write_text(
        "SUPPLIER_NAME,payment-date,  Net  Amount (£) \nA,01/04/2026,1\n", encoding="utf-8"
    )
    doc = analyse_json(str(path))
    assert doc["inputs"][0]["columns"] == {
        "amount": "Net  Amount (£)",
        "payment_date": "payment-date",
        "supplier_name": "SUPPLIER_NAME",
    }


def test_prefix_match_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text(
        "Supplier Name,Payment Date (dd/mm/yyyy),Amount\nA,01/04/2026,1\n", encoding="utf-8"
    )
    doc = analyse_json(str(path))
    assert doc["inputs"][0]["columns"]["payment_date"] == "Payment Date (dd/mm/yyyy)"
    assert ("column-matched-by-prefix", "Payment Date (dd/mm/yyyy)") in {
        (f["code"], f["column"]) for f in doc["findings"]
    }


def test_missing_required_field_names_headers_and_fix(tmp_path: Path) -> None:
    # "Figure" has no word of an amount, so neither header nor content can name the column
    path = tmp_path / "m.csv"
    path.write_text("Supplier Name,Payment Date,Figure\nA,01/04/2026,1\n", encoding="utf-8")
    r = invoke("analyse", str(path))
    assert r.exit_code == 3
    assert "no column for the required field 'amount'" in r.stderr
    assert "'Supplier Name', 'Payment Date', 'Figure'" in r.stderr
    assert "unused: 'Figure' (column C: '1')" in r.stderr
    assert '--map amount="Figure"' in r.stderr  # the one unused column holding money
    assert "Traceback" not in r.stderr
    # ... and the printed fix works
    doc = analyse_json(str(path), "--map", "amount=Figure")
    assert doc["reconciliation"]["amount_analysed"] == "1.00"


def test_no_header_row_lists_what_was_found() -> None:
    r = invoke("analyse", str(FIXTURES / "no_header_words.csv"))
    assert r.exit_code == 3
    assert "no recognisable header row" in r.stderr
    assert "first non-empty row: 'Col1', 'Col2', 'Col3'" in r.stderr
    assert '--map payment_date="<header>"' in r.stderr
    doc = analyse_json(
        str(FIXTURES / "no_header_words.csv"),
        "--map",
        "supplier_name=Col1",
        "--map",
        "payment_date=Col2",
        "--map",
        "amount=Col3",
    )
    assert doc["reconciliation"]["amount_analysed"] == "10.00"


def test_headers_no_alias_knows_are_read_by_their_words_and_cells() -> None:
    # "Name" and "When" are no field's alias: a name column of names, the one column of dates
    doc = analyse_json(str(FIXTURES / "no_header_row.csv"))
    assert doc["reconciliation"]["amount_analysed"] == "10.00"
    assert doc["inputs"][0]["columns"] == {
        "amount": "Value",
        "payment_date": "When",
        "supplier_name": "Name",
    }
    codes = {(f["code"], f["column"]) for f in doc["findings"]}
    assert ("column-matched-by-content", "Name") in codes
    assert ("column-matched-by-content", "When") in codes


def test_two_equally_good_columns_is_an_error_not_a_guess() -> None:
    r = invoke("analyse", str(FIXTURES / "ambiguous_amount_columns.csv"))
    assert r.exit_code == 3
    assert "two columns are equally good for 'amount'" in r.stderr
    assert "'Amount' (column B: '10.00') and 'Amount' (column D: '10.00')" in r.stderr
    assert "fix: --map amount=column:B (or column:D)" in r.stderr


def test_bad_map_is_a_usage_error(tmp_path: Path) -> None:
    r = invoke("analyse", str(FIXTURES / "bad_amounts.csv"), "--map", "amout=Net Amount")
    assert r.exit_code == 2
    assert "did you mean 'amount'?" in r.stderr
    r = invoke("analyse", str(FIXTURES / "bad_amounts.csv"), "--map", "amount")
    assert r.exit_code == 2
    r = invoke("analyse", str(FIXTURES / "bad_amounts.csv"), "--map", "amount=Nope")
    assert r.exit_code == 3
    assert "--map amount='Nope': no such header" in r.stderr


def test_config_columns_and_unknown_keys(tmp_path: Path) -> None:
    cfg = tmp_path / "anchorspend.toml"
    cfg.write_text(
        '[columns]\nsupplier_name = "Name"\npayment_date = "When"\namount = "Value"\n',
        encoding="utf-8",
    )
    doc = analyse_json(str(FIXTURES / "no_header_row.csv"), "--config", str(cfg))
    assert doc["reconciliation"]["rows_analysed"] == 1
    cfg.write_text('organisaton = "X"\n', encoding="utf-8")
    r = invoke("analyse", str(FIXTURES / "bad_amounts.csv"), "--config", str(cfg))
    assert r.exit_code == 3
    assert "unknown key 'organisaton'" in r.stderr
    assert "did you mean 'organisation'?" in r.stderr


def test_exclusion_rules_count_under_their_name(tmp_path: Path) -> None:
    cfg = tmp_path / "anchorspend.toml"
    cfg.write_text('[[exclude]]\nname = "big-firms"\nsupplier = "(?i)^acme"\n', encoding="utf-8")
    doc = analyse_json(str(FIXTURES / "bad_amounts.csv"), "--config", str(cfg))
    assert doc["reconciliation"]["exclusions"] == [
        {"rule": "big-firms", "rows": 1, "amount": "1200.00"}
    ]
    assert doc["reconciliation"]["rows_analysed"] == 1


def test_organisation_renames(tmp_path: Path, public: Path) -> None:
    cfg = tmp_path / "anchorspend.toml"
    cfg.write_text(
        '[organisations]\n"CABINET OFFICE" = "Cabinet Office"\n'
        '"Crown Commercial Service" = "Cabinet Office"\n',
        encoding="utf-8",
    )
    doc = analyse_json(str(public / "cabinet-office-2019-06.csv"), "--config", str(cfg))
    orgs = sorted({m["organisation"] for m in doc["metrics"]})
    assert orgs == ["(all)", "Cabinet Office", "Government Property Agency"]
    total = [
        m
        for m in doc["metrics"]
        if m["organisation"] == "Cabinet Office"
        and m["period"] == "all"
        and m["measure"] == "total_spend"
    ]
    assert total[0]["total_spend"] == "22339594.59"  # 21817628.81 + 521965.78
