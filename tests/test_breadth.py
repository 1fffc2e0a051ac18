"""Reading at breadth: columns by header and content, months, float residue, a header sorted
last, and a folder of one publisher's files as one organisation (tests/fixtures/breadth/)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from anchorspend.errors import AnchorspendError
from anchorspend.ingest.content import profile
from anchorspend.ingest.header import find_header
from anchorspend.ingest.mapping import map_columns
from anchorspend.ingest.raw import ROW, RawTable, cell_name
from anchorspend.schemas import load as load_schema
from tests.helpers import FIXTURES, analyse_json, invoke

BREADTH = FIXTURES / "breadth"


def _mapping(doc: dict, i: int = 0) -> dict[str, tuple[str, str, str]]:
    return {
        f: (m["header"], m["column"], m["basis"]) for f, m in doc["inputs"][i]["mapping"].items()
    }


def _codes(doc: dict) -> set[tuple[str, str | None]]:
    return {(f["code"], f["column"]) for f in doc["findings"]}


def test_a_supplier_header_twice_takes_the_names_not_the_codes() -> None:
    doc = analyse_json(str(BREADTH / "supplier_code_beside_name.csv"))
    assert _mapping(doc)["supplier_name"] == ("Supplier", "C", "alias")
    assert doc["reconciliation"]["amount_analysed"] == "130.50"
    assert {s["supplier"] for s in doc["top_suppliers"]} == {"ACME LTD", "BETA TRADING"}
    [chosen] = [f for f in doc["findings"] if f["code"] == "column-chosen-by-content"]
    assert chosen["severity"] == "info"
    assert "'Supplier' (column C: 'ACME LTD', 'BETA TRADING') chosen over" in chosen["message"]
    assert "--map supplier_name=column:B" in chosen["message"]


def test_an_optional_header_twice_never_stops_the_run() -> None:
    r = invoke("analyse", str(BREADTH / "classification_header_twice.csv"), "--json")
    assert r.exit_code == 0, r.stderr
    import json

    doc = json.loads(r.stdout)
    # both are words; the finer level (more distinct values) is used, with a warning
    assert _mapping(doc)["expense_type"] == ("Expense Type", "E", "alias")
    [warning] = [f for f in doc["findings"] if f["code"] == "column-choice"]
    assert warning["severity"] == "warning"
    assert "--map expense_type=column:D" in warning["message"]


def test_a_label_beats_its_uri() -> None:
    doc = analyse_json(str(BREADTH / "label_beside_uri.csv"))
    assert _mapping(doc)["category"] == ("ProclassLabel", "D", "alias")
    assert {c["category"] for c in doc["categories"]} == {"Construction", "Facilities"}


def test_month_precision_dates_are_read_as_their_month() -> None:
    doc = analyse_json(str(BREADTH / "month_precision_dates.csv"), "--period", "month")
    rec = doc["reconciliation"]
    assert (rec["rows_analysed"], rec["rows_rejected"]) == (3, 0)
    assert _mapping(doc)["payment_date"] == ("Payment Month", "B", "content")
    spend = {
        m["period"]: m["total_spend"]
        for m in doc["metrics"]
        if m["measure"] == "total_spend" and m["period"] != "all"
    }
    assert spend == {"2015-08": "100.00", "2015-09": "50.00", "2015-10": "25.00"}
    [month] = [f for f in doc["findings"] if f["code"] == "date-month-only"]
    assert (month["severity"], month["count"], month["rows"]) == ("info", 3, [2, 3, 4])


def test_a_header_sorted_below_the_data_is_found() -> None:
    doc = analyse_json(str(BREADTH / "header_is_last_line.csv"))
    rec = doc["reconciliation"]
    assert (rec["rows_read"], rec["rows_analysed"], rec["amount_analysed"]) == (4, 4, "187.50")
    assert doc["inputs"][0]["header_row"] == 5
    assert ("header-at-end", None) in _codes(doc)
    assert "repeated-header" not in {c for c, _ in _codes(doc)}


def test_a_header_sorted_below_the_data_is_found_when_read_in_batches() -> None:
    from anchorspend.gather.inputs import ingest
    from anchorspend.gather.options import RunConfig

    run = RunConfig(inputs=(BREADTH / "header_is_last_line.csv",))
    got = ingest(run, batch_rows=1)
    assert got.inputs[0].header_row == 5
    assert got.rows.get_column("amount").sum() == 18750
    assert set(got.rows.get_column("_status")) == {"analysed"}


def test_float_residue_in_amounts_is_rounded_to_the_penny() -> None:
    doc = analyse_json(str(BREADTH / "float_residue_amounts.csv"))
    assert doc["reconciliation"]["amount_analysed"] == "1234.57"
    [rounded] = [f for f in doc["findings"] if f["code"] == "amount-rounded"]
    assert (rounded["count"], rounded["rows"]) == (2, [2, 3])


def test_a_folder_of_one_publishers_files_is_one_organisation() -> None:
    doc = analyse_json(str(BREADTH / "one_council"))
    orgs = {m["organisation"] for m in doc["metrics"]}
    assert orgs == {"one_council"}
    assert doc["reconciliation"]["amount_analysed"] == "150.00"
    # said once, for the folder, not once for each of its files
    [note] = [f for f in doc["findings"] if f["code"] == "organisation-from-folder"]
    assert note["path"] == str(BREADTH / "one_council")
    assert (
        "rows are credited to 'one_council', the name of the folder (2 files without an "
        "organisation column)"
    ) in note["message"]
    # a file named on its own keeps its own name
    doc = analyse_json(str(BREADTH / "one_council" / "2026-04.csv"))
    assert {m["organisation"] for m in doc["metrics"]} == {"2026-04"}


def test_net_beats_gross_by_its_alias_rank() -> None:
    doc = analyse_json(str(BREADTH / "net_and_gross.csv"))
    assert _mapping(doc)["amount"] == ("Net Amount", "C", "alias")
    assert doc["reconciliation"]["amount_analysed"] == "100.00"


def test_vocabulary_of_finance_systems() -> None:
    doc = analyse_json(str(BREADTH / "codes_and_vocabulary.csv"))
    m = _mapping(doc)
    assert m["supplier_name"] == ("Payee", "B", "alias")
    assert m["payment_date"] == ("Paid On", "C", "alias")
    assert m["amount"] == ("Net Value", "E", "alias")
    assert doc["reconciliation"]["amount_analysed"] == "150.00"


def _table(rows: list[list[str | None]]) -> RawTable:
    width = max(len(r) for r in rows)
    data: dict[str, list[object]] = {ROW: list(range(1, len(rows) + 1))}
    for i in range(width):
        data[cell_name(i)] = [r[i] if i < len(r) else None for r in rows]
    frame = pl.DataFrame(
        data, schema={ROW: pl.Int64, **{cell_name(i): pl.String for i in range(width)}}
    )
    return RawTable(frame=frame, source="t.csv", width=width)


def test_two_name_columns_content_cannot_tell_apart_stop_with_samples() -> None:
    schema = load_schema("spend")
    table = _table(
        [
            ["Name", "Name", "Payment Date", "Amount"],
            ["ACME LTD", "Parks", "01/04/2026", "1.00"],
            ["BETA LTD", "Roads", "02/04/2026", "2.00"],
        ]
    )
    header = find_header(table, schema, {})
    with pytest.raises(AnchorspendError) as caught:
        map_columns(table, header, schema, {})
    text = f"{caught.value} {' '.join(caught.value.details)} {caught.value.hint}"
    assert "several columns could be it" in text or "equally good" in text
    assert "'ACME LTD'" in text and "'Parks'" in text
    assert "--map supplier_name=column:A" in text


def test_profile_shares() -> None:
    frame = pl.DataFrame(
        {
            "c0": ["ACME LTD", "B000018580/57559", "12/03/2020", "1,234.50", None],
            "c1": ["http://x.example/1", "www.y.example", "10023", "2015-08", ""],
        }
    )
    got = profile(frame, ["c0", "c1"])
    a, b = got["c0"], got["c1"]
    assert (a.filled, a.words, a.code, a.day, a.money, a.pounds) == (
        4,
        0.25,
        0.25,
        0.25,
        0.25,
        0.25,
    )
    assert (b.filled, b.uri, b.digits, b.month) == (4, 0.5, 0.25, 0.25)
    assert a.samples == ("ACME LTD", "B000018580/57559", "12/03/2020", "1,234.50")


def test_hyndburn_layouts_read_with_no_flags(tmp_path: Path) -> None:
    # the two Hyndburn eras, written small: a bare "Name", a "Name:  " with empty columns
    # between the real ones, and a pound sign in the amount's header
    ledger = tmp_path / "ledger.csv"
    ledger.write_text(
        ",,,,,,\nService Cost Centre,Account Detail,Description,HBC ref no,Name,Payment Date,"
        'Net Amount (£)\nPARKS,TOOLS,SPADE,35507,GARDEN CO,6 Jun 2023,"1,708.75"\n',
        encoding="utf-8",
    )
    finance = tmp_path / "finance.csv"
    finance.write_text(
        "Department Area,,Service Area,,Description,,,Line,,HBC Ref No.,,Name:  ,,,Payment Date,"
        ",Amount Paid\nENVS,,CAC,,Mower,,,1,,CRINV0001,,Garden Co,,,15/07/24,,14.00-\n",
        encoding="utf-8",
    )
    for path, total, supplier in ((ledger, "1708.75", "Name"), (finance, "-14.00", "Name:")):
        doc = analyse_json(str(path))
        assert doc["reconciliation"]["amount_analysed"] == total
        assert doc["inputs"][0]["mapping"]["supplier_name"]["header"] == supplier
        assert doc["inputs"][0]["mapping"]["supplier_name"]["basis"] == "content"


def test_a_lookup_column_asking_sme_or_vcse_is_read_in_words(tmp_path: Path) -> None:
    from anchorspend.classify.lookup import load_lookup

    path = tmp_path / "lookup.csv"
    path.write_text(
        "Supplier Name,SME or VCSE\nAcme Ltd,Yes\nMicro Co,Micro\nHelp Trust,Charity 1121596\n"
        "Big plc,Large\nOdd Ltd,TBC\n",
        encoding="utf-8",
    )
    lookup = load_lookup(path)
    got = {
        r["supplier_name"]: (r["is_sme"], r["is_vcse"])
        for r in lookup.frame.select("supplier_name", "is_sme", "is_vcse").to_dicts()
    }
    # "Yes" says one of the two, not which: neither is known
    assert got == {
        "Acme Ltd": (None, None),
        "Micro Co": (True, None),
        "Help Trust": (None, True),
        "Big plc": (False, None),
        "Odd Ltd": (None, None),
    }
    assert {(f.code, f.column) for f in lookup.findings} >= {("unknown-flag-value", "is_sme")}


def test_system_codes_and_camel_case_headers(tmp_path: Path) -> None:
    path = tmp_path / "erp.csv"
    path.write_text(
        "VENDOR_NM,SUPPLIER_TYPE,InvPostDate,PMT_AMT,VAT_AMT\n"
        "ACME LTD,Company,01/04/2026,100.00,20.00\n"
        "BETA LTD,Company,02/04/2026,50.00,10.00\n",
        encoding="utf-8",
    )
    doc = analyse_json(str(path))
    m = _mapping(doc)
    # the supplier's type and the VAT are words of the field, and not it
    assert m["supplier_name"] == ("VENDOR_NM", "A", "prefix")
    assert m["payment_date"] == ("InvPostDate", "C", "content")
    assert m["amount"] == ("PMT_AMT", "D", "content")
    assert doc["reconciliation"]["amount_analysed"] == "150.00"


def test_check_counts_a_lookup_whose_header_is_last_without_its_header(tmp_path: Path) -> None:
    path = tmp_path / "lookup.csv"
    path.write_text(
        "Acme Ltd,Yes\nBeta Ltd,No\nGamma Ltd,Yes\nDelta Ltd,No\nSupplier Name,SME\n",
        encoding="utf-8",
    )
    r = invoke("check", str(path), "--schema", "suppliers", "--json")
    assert r.exit_code == 0, r.stderr
    import json

    [checked] = json.loads(r.stdout)["files"]
    assert checked["rows"] == 4


def test_a_lookup_is_mapped_by_header_and_content_too(tmp_path: Path) -> None:
    from anchorspend.classify.lookup import load_lookup

    path = tmp_path / "lookup.csv"
    path.write_text(
        "Payee Name,Company No,SME\nAcme Ltd,01234567,Yes\nBeta Ltd,,No\n", encoding="utf-8"
    )
    lookup = load_lookup(path)
    got = lookup.frame.select("supplier_name", "company_number", "is_sme").rows()
    assert sorted(got) == [("Acme Ltd", "01234567", True), ("Beta Ltd", None, False)]
    assert ("column-matched-by-content", "Payee Name") in {
        (f.code, f.column) for f in lookup.findings
    }
