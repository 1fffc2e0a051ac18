"""The XLSX reader: physical row numbers, cell texts, sheet choice, findings and refusals."""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from anchorspend.errors import AnchorspendError, Finding
from anchorspend.ingest import workbook_zip, xlsx
from anchorspend.ingest.raw import RawTable
from anchorspend.ingest.xlsx import read_xlsx

WORDS = {"supplier", "amount", "date"}


def looks_like_header(cells: list[str | None]) -> int:
    return sum(1 for c in cells if c and c.strip().lower() in WORDS)


def read(path: Path, sheet: str | None = None) -> RawTable:
    return read_xlsx(path, display="book.xlsx", sheet=sheet, looks_like_header=looks_like_header)


def rows(table: RawTable) -> list[tuple[object, ...]]:
    out: list[tuple[object, ...]] = table.frame.rows()
    return out


def save(
    tmp_path: Path,
    sheets: Mapping[str, Sequence[Sequence[object]]],
    hidden: frozenset[str] = frozenset(),
) -> Path:
    """A workbook whose sheets hold the given rows from A1 down (None = empty cell)."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, content in sheets.items():
        ws = wb.create_sheet(name)
        for r, values in enumerate(content, start=1):
            for c, value in enumerate(values, start=1):
                if value is not None:
                    ws.cell(r, c, value)
        if name in hidden:
            ws.sheet_state = "hidden"
    path = tmp_path / "book.xlsx"
    wb.save(path)
    return path


def write_parts(tmp_path: Path, sheets: list[tuple[str, str]], name: str = "raw.xlsx") -> Path:
    """A minimal XLSX written part by part, for what openpyxl cannot express."""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pkg = "http://schemas.openxmlformats.org/package/2006/relationships"
    entries = "".join(
        f'<sheet name="{n}" sheetId="{i + 1}" r:id="rId{i + 1}"/>'
        for i, (n, _) in enumerate(sheets)
    )
    links = "".join(
        f'<Relationship Id="rId{i + 1}" Type="{rel}/worksheet" '
        f'Target="worksheets/sheet{i + 1}.xml"/>'
        for i in range(len(sheets))
    )
    path = tmp_path / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/></Types>',
        )
        zf.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="{pkg}"><Relationship Id="rId1" '
            f'Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        zf.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{main}" xmlns:r="{rel}"><sheets>{entries}</sheets></workbook>',
        )
        zf.writestr(
            "xl/_rels/workbook.xml.rels", f'<Relationships xmlns="{pkg}">{links}</Relationships>'
        )
        for i, (_, body) in enumerate(sheets):
            zf.writestr(
                f"xl/worksheets/sheet{i + 1}.xml", f'<worksheet xmlns="{main}">{body}</worksheet>'
            )
    return path


HEADER = ["Date", "Supplier", "Amount"]


def test_picks_the_data_sheet_after_a_notes_sheet(tmp_path: Path) -> None:
    path = save(
        tmp_path, {"Notes": [["About this file"]], "Data": [HEADER, ["2026-04-03", "Acme", 5]]}
    )
    table = read(path)
    assert table.sheet == "Data"
    assert table.source == "book.xlsx"
    assert table.width == 3
    assert table.encoding is None
    assert table.findings == []
    assert table.frame.schema == {
        "_row": pl.Int64,
        "c0": pl.String,
        "c1": pl.String,
        "c2": pl.String,
    }
    assert rows(table) == [(1, "Date", "Supplier", "Amount"), (2, "2026-04-03", "Acme", "5")]


def test_sheet_by_name_or_one_based_index_overrides_the_choice(tmp_path: Path) -> None:
    path = save(tmp_path, {"Data": [HEADER, ["x", "A", 1]], "Other": [HEADER, ["y", "B", 2]]})
    assert read(path).sheet == "Data"
    assert read(path, sheet="Other").sheet == "Other"
    two = read(path, sheet="2")
    assert two.sheet == "Other"
    assert rows(two)[1] == (2, "y", "B", "2")
    notes = read(save(tmp_path, {"Notes": [["no header here"]]}), sheet="Notes")
    assert rows(notes) == [(1, "no header here")]


def test_unknown_sheet_lists_the_sheets(tmp_path: Path) -> None:
    path = save(tmp_path, {"Data": [HEADER], "Old": [HEADER]}, hidden=frozenset({"Old"}))
    for wanted in ("Nope", "3", "0"):
        with pytest.raises(AnchorspendError) as info:
            read(path, sheet=wanted)
        err = info.value
        assert err.message == f"sheet {wanted!r} not found"
        assert err.path == "book.xlsx"
        assert err.details == ["sheets in this workbook: 'Data', 'Old' (hidden)"]
        assert err.hint == "--sheet NAME"


def test_blank_and_title_rows_above_the_header_keep_excel_row_numbers(tmp_path: Path) -> None:
    # fastexcel skips leading empty rows when header_row=None unless skip_rows=0 is passed
    content: list[Sequence[object]] = [[], [], ["Spend over £500"], HEADER, [], ["d", "Acme", 7]]
    table = read(save(tmp_path, {"Data": content}))
    assert rows(table) == [
        (1, None, None, None),
        (2, None, None, None),
        (3, "Spend over £500", None, None),
        (4, "Date", "Supplier", "Amount"),
        (5, None, None, None),
        (6, "d", "Acme", "7"),
    ]


def test_used_range_starting_at_c3_keeps_rows_and_columns_physical(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["C3"], ws["D3"], ws["E3"] = HEADER
    ws["D4"], ws["E4"] = "Acme", 12.5
    wb.save(tmp_path / "book.xlsx")
    table = read(tmp_path / "book.xlsx")
    assert table.width == 5  # calamine starts at column C; the reader pads A and B back
    assert rows(table) == [
        (1, None, None, None, None, None),
        (2, None, None, None, None, None),
        (3, None, None, "Date", "Supplier", "Amount"),
        (4, None, None, None, "Acme", "12.5"),
    ]


def test_cell_values_as_text(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append([*HEADER, "Serial", "Whole", "Time", "Note", "Empty", "Flag"])
    ws.append(
        [
            dt.date(2026, 4, 3),
            "Acme",
            1234.56,
            46115,
            46115.0,
            dt.time(14, 30),
            "a 2026-04-03 9",
            "",
            True,
        ]
    )
    # G3 is *text*: after fastexcel's string conversion it cannot be told from a date cell, so in a
    # column holding such stamps it is normalised too (same meaning, ISO form)
    ws.append([dt.datetime(2026, 4, 3, 14, 30), "B", 12.5, None, 3, None, "2026-04-03 10:00:00"])
    ws.append([dt.datetime(2026, 4, 3), "C", "£1,000.00", None, -2, None, "  padded  "])
    ws["A5"] = 46115  # a date serial in a number-formatted cell stays a number
    ws["A6"] = dt.datetime(2026, 4, 3, 9, 5, 7, 500000)
    wb.save(tmp_path / "book.xlsx")
    assert rows(read(tmp_path / "book.xlsx"))[1:] == [
        (
            2,
            "2026-04-03",
            "Acme",
            "1234.56",
            "46115",
            "46115",
            "14:30:00",
            "a 2026-04-03 9",
            None,
            "true",
        ),
        (3, "2026-04-03T14:30:00", "B", "12.5", None, "3", None, "2026-04-03T10:00:00", None, None),
        (4, "2026-04-03", "C", "£1,000.00", None, "-2", None, "  padded  ", None, None),
        (5, "46115", None, None, None, None, None, None, None, None),
        (6, "2026-04-03T09:05:07.500", None, None, None, None, None, None, None, None),
    ]


UNSAVED = (
    " holds a formula with no saved value (the workbook was not recalculated before saving);"
    " the cell is read as empty — open and save it in Excel, or export to CSV"
)


def test_formula_without_cached_value_is_a_finding(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()  # openpyxl saves formulas with an empty <v/>: never calculated
    ws = wb.active
    ws.title = "Spend"
    ws.append([*HEADER, "Double"])
    for r in range(2, 7):
        ws.append(["2026-04-03", f"S{r}", r, f"=C{r}*2" if r == 6 else r * 2])
    wb.save(tmp_path / "book.xlsx")
    table = read(tmp_path / "book.xlsx")
    assert rows(table)[5] == (6, "2026-04-03", "S6", "6", None)
    assert table.findings == [
        Finding(
            code="formula-without-value",
            severity="warning",
            path="book.xlsx",
            sheet="Spend",
            row=6,
            column="D",
            value="=C6*2",
            message="cell D6" + UNSAVED,
        )
    ]


def test_formula_xml_variants(tmp_path: Path) -> None:
    body = (
        '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Amount</t></is></c></row>'
        '<row r="2"><c r="A2"><f>B2&amp;"x"</f></c></row>'  # no <v> at all
        '<row r="3"><c r="A3" t="str"><f>IF(1,"","")</f><v></v></c></row>'  # "" is a saved result
        '<row r="4"><c r="A4"><f>1+1</f><v>2</v></c></row>'  # saved
        '<row r="5"><c r="A5"><f t="shared" si="0"/><v/></c></row></sheetData>'
        '<extLst><ext><xm:f xmlns:xm="urn:x">Sheet1!A1</xm:f></ext></extLst>'  # not a cell
    )
    table = read(write_parts(tmp_path, [("S", body)]))
    # row 5 has no value at all, so calamine's used range (and the frame) ends at row 4
    assert rows(table) == [(1, "Amount"), (2, None), (3, None), (4, "2")]
    assert [(f.row, f.column, f.value, f.message) for f in table.findings] == [
        (2, "A", '=B2&"x"', "cell A2" + UNSAVED),
        (5, "A", None, "cell A5" + UNSAVED),
    ]


def test_error_cells_are_findings_not_silent_blanks(tmp_path: Path) -> None:
    """Spreadsheet errors (#DIV/0!, #N/A, #REF!) are read as empty cells by calamine; each is
    a cell-error finding with its cell and text, whatever the writer's XML looks like."""
    body = (
        '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Amount</t></is></c></row>'
        '<row r="2"><c r="A2" t="e"><v>#DIV/0!</v></c></row>'  # a saved error
        '<row r="3"><c r="A3" t="e"><f>VLOOKUP(B3,X!A:B,2,0)</f><v>#N/A</v></c></row>'
        "<row r=\"4\"><c r='A4' s='1' t='e'><v>#REF!</v></c></row>"  # other quotes, a style
        '<row r="5"><c r="A5" t="str"><f>"e"</f><v>e</v></c></row>'  # text "e", not an error
        '<row r="6"><c r="A6"><v>7</v></c></row></sheetData>'
    )
    table = read(write_parts(tmp_path, [("S", body)]))
    assert rows(table) == [(1, "Amount"), (2, None), (3, None), (4, None), (5, "e"), (6, "7")]
    assert [(f.code, f.row, f.column, f.value, f.severity) for f in table.findings] == [
        ("cell-error", 2, "A", "#DIV/0!", "warning"),
        ("cell-error", 3, "A", "#N/A", "warning"),
        ("cell-error", 4, "A", "#REF!", "warning"),
    ]
    assert table.findings[0].message == (
        "cell A2 holds the spreadsheet error #DIV/0!; it is read as empty (correct it in the "
        "workbook, or export CSV)"
    )


def test_merged_cells_repeat_their_value(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Data"
    ws["A1"] = "Spend report April"
    ws.merge_cells("A1:E1")
    ws["A2"], ws["B2"], ws["C2"] = "Date", "Supplier", "Amount"
    ws.merge_cells("C2:D2")
    ws["E2"] = "VAT"
    ws.append(["2026-04-03", "Acme", 10, 2, 1])
    ws["B4"] = "Held"
    ws.merge_cells("B4:B5")
    ws["A5"] = "x"  # without a cell in row 5 the frame would end at row 4
    ws.merge_cells("F8:G9")  # beyond the cells: a finding, nothing to fill
    wb.save(tmp_path / "book.xlsx")
    table = read(tmp_path / "book.xlsx")
    assert rows(table) == [
        (1, *["Spend report April"] * 5),
        (2, "Date", "Supplier", "Amount", "Amount", "VAT"),
        (3, "2026-04-03", "Acme", "10", "2", "1"),
        (4, None, "Held", None, None, None),
        (5, "x", "Held", None, None, None),
    ]
    assert [
        (f.code, f.severity, f.sheet, f.row, f.column, f.value, f.message) for f in table.findings
    ] == [
        (
            "merged-cells",
            "info",
            "Data",
            1,
            "A1:E1",
            "Spend report April",
            "merged cells A1:E1 read as one value repeated",
        ),
        (
            "merged-cells",
            "info",
            "Data",
            2,
            "C2:D2",
            "Amount",
            "merged cells C2:D2 read as one value repeated",
        ),
        (
            "merged-cells",
            "info",
            "Data",
            4,
            "B4:B5",
            "Held",
            "merged cells B4:B5 read as one value repeated",
        ),
        (
            "merged-cells",
            "info",
            "Data",
            8,
            "F8:G9",
            None,
            "merged cells F8:G9 read as one value repeated",
        ),
    ]


def test_highest_score_wins_earliest_on_ties_merged_headers_count(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "A"
    ws.append(["Supplier", "Amount"])  # score 2
    b = wb.create_sheet("B")
    b.append(["Supplier", "Amount"])
    b.merge_cells("B1:C1")  # "Amount" twice once filled: score 3
    b["C2"] = 1  # a merge fills only as far as the used range reaches
    c = wb.create_sheet("C")
    c.append(["Supplier", "Amount", "Date"])  # score 3
    path = tmp_path / "book.xlsx"
    wb.save(path)
    assert read(path).sheet == "B"
    wb.remove(b)
    wb.save(path)
    assert read(path).sheet == "C"
    wb.remove(c)
    wb.create_sheet("D").append(["Amount", "Supplier"])
    wb.save(path)
    assert read(path).sheet == "A"


def test_many_merged_ranges_are_capped(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADER)
    for r in range(2, 62):
        ws.cell(r, 1, r)
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=2)
    wb.save(tmp_path / "book.xlsx")
    table = read(tmp_path / "book.xlsx")
    assert len(table.findings) == 51
    assert table.findings[49].column == "A51:B51"
    assert table.findings[-1].message == "10 more merged ranges read the same way (not listed)"
    assert table.frame.filter(pl.col("_row") == 61).row(0) == (61, "61", "61", None)


def test_hidden_sheets_only_when_no_visible_sheet_has_a_header(tmp_path: Path) -> None:
    content = {"Secret": [HEADER], "Data": [["Supplier", "x"]], "Blank": []}
    assert read(save(tmp_path, content, hidden=frozenset({"Secret"}))).sheet == "Data"
    content["Data"] = [["nothing"]]
    assert read(save(tmp_path, content, hidden=frozenset({"Secret"}))).sheet == "Secret"


def test_no_sheet_with_a_header(tmp_path: Path) -> None:
    long = ["word " * 10, "more " * 10]
    content: dict[str, list[Sequence[object]]] = {
        "Notes": [[], [None, "About", 3]],
        "Long": [long],
        "Empty": [],
    }
    with pytest.raises(AnchorspendError) as info:
        read(save(tmp_path, content, hidden=frozenset({"Empty"})))
    err = info.value
    assert err.message == "no sheet has a recognisable spend header"
    assert err.path == "book.xlsx"
    assert err.details == [
        "Notes: row 2: About | 3",
        "Long: row 1: " + ("word " * 10 + " | " + "more " * 10)[:79] + "…",
        "Empty (hidden): (empty)",
    ]
    assert err.hint == "--sheet NAME, and --map FIELD=HEADER if the headers are unusual"


@pytest.mark.parametrize(
    "content",
    [bytes(range(256)) * 8, b"Date,Supplier,Amount\n2026-04-03,Acme,5\n", b""],
    ids=["random", "csv", "empty"],
)
def test_not_a_workbook(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "book.xlsx"
    path.write_bytes(content)
    with pytest.raises(AnchorspendError) as info:
        read(path)
    assert info.value.message.startswith("not a readable XLSX workbook: not a zip archive")
    assert info.value.path == "book.xlsx"
    assert info.value.hint == "check the file; if it is CSV text, rename it to .csv"


def test_other_zip_files_and_damaged_sheets(tmp_path: Path) -> None:
    with zipfile.ZipFile(tmp_path / "doc.xlsx", "w") as zf:
        zf.writestr("word/document.xml", "<w/>")
    with pytest.raises(AnchorspendError, match="no workbook part"):
        read(tmp_path / "doc.xlsx")
    broken = write_parts(tmp_path, [("S", '<sheetData><row r="1"><c r="A1"><v>1</v></c>')])
    with pytest.raises(AnchorspendError, match="not a readable XLSX workbook: sheet 'S': ") as info:
        read(broken)
    assert info.value.__cause__ is not None
    assert info.value.hint == (
        "the workbook is damaged: open and save it again in a spreadsheet, or export CSV"
    )
    with pytest.raises(AnchorspendError, match="cannot open the file"):
        read(tmp_path / "missing.xlsx")


def test_encrypted_or_old_xls(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    with pytest.raises(AnchorspendError) as info:
        read(path)
    assert "encrypted" in info.value.message and ".xls" in info.value.message
    assert info.value.hint == (
        "rename it to .xls if it is an Excel 97-2003 workbook; otherwise save it as .xlsx or "
        ".csv without a password"
    )


def test_zip_bomb_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_parts(tmp_path, [("S", "<sheetData/>")])
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/media/padding.bin", bytes(60_000_000))
    expected = r"^refusing to open: the workbook would expand to \d+ bytes \(zip bomb\?\)$"
    with pytest.raises(AnchorspendError, match=expected) as info:
        read(path)
    assert info.value.hint == "if the file is genuine, export it as CSV"
    assert info.value.details[0].startswith("xl/media/padding.bin: ")
    small = save(tmp_path, {"Data": [HEADER]})
    monkeypatch.setattr(workbook_zip, "MAX_UNCOMPRESSED_BYTES", 1000)
    with pytest.raises(AnchorspendError, match="zip bomb"):
        read(small)


def test_huge_cell_extent_is_refused_before_calamine_allocates_it(tmp_path: Path) -> None:
    # calamine allocates the whole used rectangle: A1 plus XFD1048576 would abort the process
    body = (
        '<dimension ref="A1:XFD1048576"/><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>Amount</t></is></c></row>'
        '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>'
    )
    with pytest.raises(AnchorspendError, match="1048576 rows x 16384 columns"):
        read(write_parts(tmp_path, [("S", body)]))
    # a declared dimension alone costs nothing: only cells count
    body = (
        '<dimension ref="A1:XFD1048576"/>'
        '<sheetData><row r="2"><c r="B2"><v>5</v></c></row></sheetData>'
    )
    assert rows(read(write_parts(tmp_path, [("S", body)]), sheet="S")) == [
        (1, None, None),
        (2, None, "5"),
    ]


def test_prefixed_tags(tmp_path: Path) -> None:
    body = (
        '<x:sheetData xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<x:row r="3"><x:c r="B3" t="inlineStr"><x:is><x:t>Supplier</x:t></x:is></x:c>'
        '<x:c r="C3"><x:f>1+1</x:f></x:c></x:row></x:sheetData>'
    )
    path = write_parts(tmp_path, [("Data", body)])
    table = read(path)
    assert rows(table) == [(1, None, None), (2, None, None), (3, None, "Supplier")]
    assert [(f.row, f.column, f.value) for f in table.findings] == [(3, "C", "=1+1")]


def test_other_spend_sheets_are_named_not_silently_skipped(tmp_path: Path) -> None:
    from anchorspend.gather.options import RunConfig
    from anchorspend.pipeline import run

    wb = openpyxl.Workbook()
    april = wb.active
    april.title = "April"
    april.append(["Supplier", "Date", "Amount", "Expense Type"])
    april.append(["A Ltd", "01/04/2026", 10, "Kit"])
    may = wb.create_sheet("May")
    may.append(["Supplier", "Date", "Amount"])
    may.append(["B Ltd", "01/05/2026", 20])
    wb.save(tmp_path / "months.xlsx")
    result = run(RunConfig(inputs=(tmp_path / "months.xlsx",)))
    assert result.document["inputs"][0]["sheet"] == "April"
    notes = [(n.code, n.sheet, n.severity) for n in result.notes if n.code.startswith("other")]
    assert notes == [("other-sheets-not-read", "April", "warning")]
    may_only = run(RunConfig(inputs=(tmp_path / "months.xlsx",), sheet="May"))
    assert may_only.document["reconciliation"]["amount_read"] == "20.00"


def _monthly_workbook(path: Path) -> Path:
    """A notes tab, then one tab of spend per month (as several councils publish), one of
    them hidden, and a header a tab further down its sheet."""
    wb = openpyxl.Workbook()
    notes = wb.active
    notes.title = "Notes"
    notes.append(["Spend over £500, published monthly"])
    notes.append(["One tab per month."])
    months = {
        "April": [("Acme Ltd", "01/04/2026", 100.5), ("Beta Ltd", "15/04/2026", 200)],
        "May": [("Acme Ltd", "02/05/2026", 50)],
        "June": [("Gamma Ltd", "03/06/2026", -25.25), ("Acme Ltd", "30/06/2026", 10)],
        "Old": [("Delta Ltd", "01/03/2026", 999)],
    }
    for month, records in months.items():
        ws = wb.create_sheet(month)
        if month == "June":
            ws.append(["June 2026"])
        ws.append(["Supplier Name", "Payment Date", "Net Amount"])
        for r in records:
            ws.append(list(r))
        if month == "Old":
            ws.sheet_state = "hidden"
    wb.save(path)
    return path


def test_every_sheet_is_read_with_sheet_star_and_other_sheets_are_said_not_read(
    tmp_path: Path,
) -> None:
    from tests.helpers import analyse_json, invoke

    book = _monthly_workbook(tmp_path / "monthly.xlsx")
    assert xlsx.worksheets(book, "monthly.xlsx") == ["Notes", "April", "May", "June"]
    doc = analyse_json(str(book), "--sheet", "*")
    assert [
        (i["sheet"], i["header_row"], i["rows_read"], i["amount_read"]) for i in doc["inputs"]
    ] == [
        ("April", 1, 2, "300.50"),
        ("May", 1, 1, "50.00"),
        ("June", 2, 2, "-15.25"),
    ]
    rec = doc["reconciliation"]
    assert (rec["rows_read"], rec["amount_read"], rec["amount_analysed"]) == (5, "335.25", "335.25")
    skipped = [
        (f["sheet"], f["severity"]) for f in doc["findings"] if f["code"] == "sheet-not-read"
    ]
    assert skipped == [("Notes", "warning")]

    # check reads the same sheets, and says the same of the notes tab
    r = invoke("check", book, "--sheet", "*", "--json")
    assert r.exit_code == 0, r.stderr
    found = json.loads(r.stdout)
    assert [(f["path"], f["rows"]) for f in found["files"]] == [(str(book), n) for n in (2, 1, 2)]
    assert [
        (f["sheet"], f["code"]) for f in found["findings"] if f["code"] == "sheet-not-read"
    ] == [("Notes", "sheet-not-read")]

    # a lookup workbook beside them is read by its header, not tab by tab,
    lookup = openpyxl.Workbook()
    lookup.active.title = "Suppliers"
    lookup.active.append(["supplier_name", "is_sme"])
    lookup.active.append(["Acme Ltd", "yes"])
    lookup.save(tmp_path / "lookup.xlsx")
    looked = analyse_json(str(book), "--sheet", "*", "--lookup", str(tmp_path / "lookup.xlsx"))
    [sme] = [
        m
        for m in looked["metrics"]
        if (m["organisation"], m["period"], m["measure"]) == ("monthly", "all", "sme")
    ]
    assert (sme["spend"], sme["known_spend"], sme["total_spend"]) == ("160.50", "160.50", "335.25")

    # and so is it beside one named sheet
    named = analyse_json(str(book), "--sheet", "May", "--lookup", str(tmp_path / "lookup.xlsx"))
    [may] = [
        m
        for m in named["metrics"]
        if (m["organisation"], m["period"], m["measure"]) == ("monthly", "all", "sme")
    ]
    assert (may["spend"], may["total_spend"]) == ("50.00", "50.00")

    # a store holds each sheet's rows, and analyses to the same document
    store = tmp_path / "store"
    assert invoke("store", "add", book, "--sheet", "*", "--store", store, "-q").exit_code == 0
    stored = invoke("analyse", "--store", store, "--json")
    assert stored.exit_code == 0, stored.stderr
    assert json.loads(stored.stdout) == doc

    # without it, one sheet is read and the others are named, with both ways to read them
    one = analyse_json(str(book))
    [other] = [f for f in one["findings"] if f["code"] == "other-sheets-not-read"]
    assert "--sheet '*' reads them all" in other["message"]


def test_sheet_star_on_a_workbook_with_no_spend_sheet_stops_naming_each(tmp_path: Path) -> None:
    from tests.helpers import invoke

    wb = openpyxl.Workbook()
    wb.active.title = "Notes"
    wb.active.append(["nothing to read here"])
    wb.create_sheet("Summary").append(["Supplier", "Total"])
    wb.save(tmp_path / "cover.xlsx")
    r = invoke("analyse", tmp_path / "cover.xlsx", "--sheet", "*")
    assert r.exit_code == 3
    assert "no sheet of the workbook has a recognisable spend header" in r.stderr
    assert "  Notes: no recognisable header row" in r.stderr
    assert "  Summary: " in r.stderr
    assert "fix: --sheet NAME" in r.stderr
