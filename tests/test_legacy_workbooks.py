"""Legacy workbooks (.xls, .ods): the same cells, sheet choice and figures as XLSX, and every
file that is not what its name says, or that would hurt calamine, refused with the fix."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import struct
import zipfile
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from anchorspend.errors import AnchorspendError
from anchorspend.gather.options import RunConfig
from anchorspend.ingest import legacy
from anchorspend.ingest.legacy import read_legacy, worksheets
from anchorspend.ingest.ods import _time as ods_time
from anchorspend.ingest.raw import RawTable
from tests.fixtures import wb_build
from tests.helpers import FIXTURES, analyse_json, invoke, run_keeping_rows
from tests.hostile import build

WORDS = {"supplier name", "payment date", "net amount", "date", "supplier", "amount"}
LEGACY = ("xls", "ods")
SPEND = {ext: FIXTURES / f"wb_spend.{ext}" for ext in LEGACY}
CELLS = {ext: FIXTURES / f"wb_cells.{ext}" for ext in LEGACY}
APRIL = [
    (1, *["Anytown Council: spend over £500, April 2026"] * 4),
    (2, "Supplier Name", "Payment Date", "Net Amount", "Expense Type"),
    (3, "Acme Ltd", "2026-04-01", "1250", "Stationery"),
    (4, "Beta Services", "2026-04-15", "640.07", "Cleaning"),
    (5, "Acme Ltd", "2026-04-20", "-310.25", "Credit note"),
    (6, "Gamma & Sons", "2026-04-30", "12000.1", "Building works"),
]


def looks_like_header(cells: list[str | None]) -> int:
    return sum(1 for c in cells if c and c.strip().lower() in WORDS)


def read(path: Path, sheet: str | None = None, display: str = "book") -> RawTable:
    return read_legacy(path, display=display, sheet=sheet, looks_like_header=looks_like_header)


def refusal(path: Path, sheet: str | None = None) -> AnchorspendError:
    with pytest.raises(AnchorspendError) as info:
        read(path, sheet)
    assert info.value.path == "book"
    return info.value


def xls(tmp_path: Path, *sheets: tuple[str, bytes], name: str = "book.xls", **kw: Any) -> Path:
    """An .xls file of hand-written BIFF8 records (see tests/hostile/build.py)."""
    path = tmp_path / name
    path.write_bytes(build.xls_compound(build.xls_stream(list(sheets), **kw)))
    return path


def ods(tmp_path: Path, rows: str, name: str = "book.ods", styles: str = "") -> Path:
    """An .ods file whose one table, "Spend", holds the header row and then ``rows``."""
    content = build._ods_content(rows=rows).replace(
        "<office:body>", f"<office:automatic-styles>{styles}</office:automatic-styles><office:body>"
    )
    return build._ods(tmp_path / name, content)


def number(value: float, extra: str = "") -> str:
    return f'<table:table-cell office:value-type="float" office:value="{value}"{extra}/>'


def text(value: str, extra: str = "") -> str:
    return (
        f'<table:table-cell office:value-type="string"{extra}><text:p>{value}</text:p>'
        "</table:table-cell>"
    )


# --- the committed fixtures ----------------------------------------------------------------------


def test_ods_fixtures_are_what_the_builder_writes() -> None:
    for name, sheets in wb_build.ODS.items():
        assert (FIXTURES / name).read_bytes() == wb_build.ods_bytes(sheets), name


@pytest.mark.parametrize("ext", LEGACY)
def test_the_spend_sheet_is_chosen_by_its_header_and_read_as_xlsx_text(ext: str) -> None:
    table = read(SPEND[ext])
    assert (table.sheet, table.width, table.source) == ("April", 4, "book")
    assert table.frame.schema == {"_row": pl.Int64, **{f"c{i}": pl.String for i in range(4)}}
    assert table.frame.rows() == APRIL
    assert [(f.code, f.sheet, f.row, f.column, f.value) for f in table.findings] == [
        ("merged-cells", "April", 1, "A1:D1", "Anytown Council: spend over £500, April 2026"),
        ("other-sheets-not-read", "April", None, None, None),
    ]
    assert "'May' also look like spend data and were NOT read" in table.findings[1].message


@pytest.mark.parametrize("ext", LEGACY)
def test_sheet_by_name_or_number_and_an_unknown_one(ext: str) -> None:
    may = read(SPEND[ext], sheet="May")
    assert may.sheet == "May"
    assert may.frame.rows() == [
        (1, "Supplier Name", "Payment Date", "Net Amount", "Expense Type"),
        (2, "Delta Care", "2026-05-02", "999.99", "Care"),
        (3, "Acme Ltd", "2026-05-31", "0.07", "Stationery"),
    ]
    assert may.findings == []
    assert read(SPEND[ext], sheet="1").frame.rows() == [
        (1, "About this file"),
        (2, "Payments over £500 by Anytown Council."),
    ]
    assert read(SPEND[ext], sheet="4").sheet == "Old"  # a hidden sheet, asked for by number
    err = refusal(SPEND[ext], sheet="June")
    assert err.message == "sheet 'June' not found"
    assert err.details == ["sheets in this workbook: 'Notes', 'April', 'May', 'Old' (hidden)"]
    assert err.hint == "--sheet NAME"


@pytest.mark.parametrize("ext", LEGACY)
def test_every_visible_sheet_is_what_sheet_star_reads(ext: str) -> None:
    assert worksheets(SPEND[ext], "book") == ["Notes", "April", "May"]


@pytest.mark.parametrize("ext", LEGACY)
def test_cell_kinds_read_as_the_xlsx_reader_gives_them(ext: str) -> None:
    table = read(CELLS[ext])
    # an ODS cell says whether it is a date; an XLS or XLSX text cell that looks like a stamp is
    # normalised with the dates in its column, since fastexcel's text cannot tell them apart
    stamp_text = "2026-04-03T10:00:00" if ext == "xls" else "2026-04-03 10:00:00"
    tail = ("  padded  ", None, "Acme Ltd")
    assert table.frame.rows() == [
        (1, "Date", "Stamp", "Time", "Whole", "Pence", "Flag", "Text", "Error", "Commented"),
        (2, "2026-04-03", "2026-04-03T14:30:00", "14:30:00", "46115", "1234.56", "true", *tail),
        (3, "2026-12-31", "2026-04-03", "09:05:07", "-2", "0.1", "false", stamp_text, None, "Beta"),
    ]
    assert [(f.code, f.severity, f.row, f.column, f.value) for f in table.findings] == [
        ("cell-error", "warning", 2, "H", "#DIV/0!"),
        ("cell-error", "warning", 3, "H", "#N/A"),
    ]
    assert table.findings[0].message == (
        "cell H2 holds the spreadsheet error #DIV/0!; it is read as empty (correct it in the "
        "workbook, or export CSV)"
    )


# --- through the pipeline and the CLI ------------------------------------------------------------


@pytest.mark.parametrize("ext", LEGACY)
def test_rows_amounts_in_pence_and_dates(ext: str) -> None:
    result = run_keeping_rows(RunConfig(inputs=(SPEND[ext],), sheet="*"))
    rows = result.rows.sort("_sheet", "_row", descending=[False, False])
    assert rows.select("_sheet", "_row", "supplier_name", "payment_date", "amount").rows() == [
        ("April", 3, "Acme Ltd", dt.date(2026, 4, 1), 125000),
        ("April", 4, "Beta Services", dt.date(2026, 4, 15), 64007),
        ("April", 5, "Acme Ltd", dt.date(2026, 4, 20), -31025),
        ("April", 6, "Gamma & Sons", dt.date(2026, 4, 30), 1200010),
        ("May", 2, "Delta Care", dt.date(2026, 5, 2), 99999),
        ("May", 3, "Acme Ltd", dt.date(2026, 5, 31), 7),
    ]


@pytest.mark.parametrize("ext", LEGACY)
def test_analyse_json_reads_the_chosen_sheet(ext: str) -> None:
    doc = analyse_json(str(SPEND[ext]))
    [only] = doc["inputs"]
    assert (only["path"], only["sheet"], only["header_row"]) == (str(SPEND[ext]), "April", 2)
    assert (only["rows_read"], only["amount_read"]) == (4, "13579.92")
    rec = doc["reconciliation"]
    assert (rec["rows_read"], rec["rows_analysed"], rec["amount_analysed"]) == (4, 4, "13579.92")
    other = [f for f in doc["findings"] if f["code"] == "other-sheets-not-read"]
    assert [f["sheet"] for f in other] == ["April"]


@pytest.mark.parametrize("ext", LEGACY)
def test_analyse_and_check_with_sheet_star(ext: str) -> None:
    path = SPEND[ext]
    doc = analyse_json(str(path), "--sheet", "*", "--period", "month")
    assert [
        (i["sheet"], i["header_row"], i["rows_read"], i["amount_read"]) for i in doc["inputs"]
    ] == [("April", 2, 4, "13579.92"), ("May", 1, 2, "1000.06")]
    rec = doc["reconciliation"]
    assert (rec["rows_read"], rec["amount_read"], rec["amount_rejected"]) == (6, "14579.98", "0.00")
    totals = [(m["period"], m["spend"]) for m in doc["metrics"] if m["measure"] == "total_spend"]
    assert sorted(totals) == [("2026-04", "13579.92"), ("2026-05", "1000.06"), ("all", "14579.98")]
    skipped = [
        (f["sheet"], f["severity"]) for f in doc["findings"] if f["code"] == "sheet-not-read"
    ]
    assert skipped == [("Notes", "warning")]  # the hidden "Old" is not read, nor said

    r = invoke("check", path, "--sheet", "*", "--json")
    assert r.exit_code == 0, r.stderr
    found = json.loads(r.stdout)
    assert [(f["path"], f["rows"]) for f in found["files"]] == [(str(path), 4), (str(path), 2)]


def _comparable(doc: dict[str, Any]) -> dict[str, Any]:
    """The document without the input's path (each format has its own file)."""
    out = json.loads(json.dumps(doc))
    for item in (*out["inputs"], *out["findings"]):
        item.pop("path", None)
    return out


def test_the_same_workbook_as_xlsx_xls_and_ods_gives_the_same_document(tmp_path: Path) -> None:
    docs = {}
    for ext in ("xlsx", *LEGACY):
        folder = tmp_path / ext
        folder.mkdir()
        path = folder / "anytown.xlsx"
        if ext == "xlsx":
            wb_build.write_xlsx(wb_build.SPEND, path)
        else:
            path = folder / f"anytown.{ext}"
            shutil.copy(SPEND[ext], path)
        for sheet in (None, "*"):
            extra = ("--sheet", sheet) if sheet else ()
            docs[ext, sheet] = _comparable(analyse_json(str(path), "--period", "month", *extra))
    for sheet in (None, "*"):
        assert docs["xls", sheet] == docs["xlsx", sheet]
        assert docs["ods", sheet] == docs["xlsx", sheet]
    assert docs["xlsx", "*"]["reconciliation"]["amount_read"] == "14579.98"


def test_zip_members_and_folders_hold_legacy_workbooks(tmp_path: Path) -> None:
    archive = tmp_path / "exports.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(SPEND["xls"], "2026/april.xls")
        zf.write(SPEND["ods"], "2026/april.ods")
    doc = analyse_json(str(archive), "--sheet", "April")
    assert [(i["path"], i["sheet"], i["amount_read"]) for i in doc["inputs"]] == [
        (f"{archive}!2026/april.xls", "April", "13579.92"),
        (f"{archive}!2026/april.ods", "April", "13579.92"),
    ]
    folder = tmp_path / "exports"
    folder.mkdir()
    for ext in LEGACY:
        shutil.copy(SPEND[ext], folder / f"april.{ext.upper()}")  # the suffix in any case
    doc = analyse_json(str(folder), "--sheet", "*")
    assert [(Path(i["path"]).name, i["sheet"]) for i in doc["inputs"]] == [
        ("april.ODS", "April"),
        ("april.ODS", "May"),
        ("april.XLS", "April"),
        ("april.XLS", "May"),
    ]


# --- files that are not what their name says ----------------------------------------------------


def _misnamed(tmp_path: Path, name: str, data: bytes) -> AnchorspendError:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(AnchorspendError) as info:
        read(path)
    assert info.value.path == "book"
    return info.value


CSV = (build.HEADER + build.ROW).encode()


@pytest.mark.parametrize(
    ("name", "data", "message", "hint"),
    [
        ("a.xls", CSV, "it is text (CSV?) named .xls, not a workbook", "rename it to .csv"),
        ("a.ods", CSV, "it is text (CSV?) named .ods, not a workbook", "rename it to .csv"),
        ("a.xls", b"\xef\xbb\xbf" + CSV, "it is text (CSV?) named .xls", "rename it to .csv"),
        ("a.xls", "\ufeffa\tb\n".encode("utf-16-le"), "it is text (CSV?)", "rename it to .csv"),
        (
            "a.xls",
            b"\r\n<!DOCTYPE html><html><body><p>Spend</p></body></html>",
            "it is a web page (HTML) saved as .xls, not a workbook",
            "open it in a spreadsheet and save it as .xlsx, or export the data again as CSV",
        ),
        (
            "a.xls",
            b'<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">',
            "it is an Excel 2003 XML spreadsheet saved as .xls",
            "open it in Excel and save it as .xlsx, or export CSV",
        ),
        ("a.xls", b"", "the file is empty", "download or export it again"),
        (
            "a.xls",
            bytes(range(256)),
            "it is not the OLE2 signature of Excel 97-2003 files",
            "check the file: it is damaged, or not a .xls file",
        ),
        (
            "a.ods",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600),
            "it is an OLE2 compound file (an Excel 97-2003 workbook, or a password-protected one)",
            "rename it to .xls if it is an Excel 97-2003 workbook; save it without a password",
        ),
    ],
)
def test_a_file_named_xls_or_ods_that_is_something_else(
    tmp_path: Path, name: str, data: bytes, message: str, hint: str
) -> None:
    err = _misnamed(tmp_path, name, data)
    kind = name.rpartition(".")[2].upper()
    assert err.message.startswith(f"not a readable {kind} workbook: {message}")
    assert err.hint is not None and err.hint.startswith(hint)


def test_workbooks_of_another_kind_are_named_with_their_suffix(tmp_path: Path) -> None:
    wb_build.write_xlsx(wb_build.SPEND, tmp_path / "real.xlsx")
    err = _misnamed(tmp_path, "a.xls", (tmp_path / "real.xlsx").read_bytes())
    assert (err.message, err.hint) == (
        "not a readable XLS workbook: it is an XLSX workbook named .xls",
        "rename it to .xlsx",
    )
    err = _misnamed(tmp_path, "b.xls", SPEND["ods"].read_bytes())
    assert err.hint == "rename it to .ods"
    err = _misnamed(tmp_path, "c.ods", (tmp_path / "real.xlsx").read_bytes())
    assert err.hint == "rename it to .xlsx"
    with zipfile.ZipFile(tmp_path / "doc.ods", "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.text")
    err = refusal(tmp_path / "doc.ods")
    assert err.message == (
        "not a readable ODS workbook: it is an OpenDocument file of type "
        "'application/vnd.oasis.opendocument.text', not a spreadsheet"
    )


def test_the_cli_says_a_csv_named_xls_is_one(tmp_path: Path) -> None:
    path = tmp_path / "spend.xls"
    path.write_bytes(CSV)
    for command in ("analyse", "check"):
        r = invoke(command, path)
        assert r.exit_code == 3
        assert f"{path}: not a readable XLS workbook: it is text (CSV?) named .xls" in r.stderr
        assert "fix: rename it to .csv" in r.stderr


# --- .xls: what the BIFF records say -------------------------------------------------------------


def test_hand_written_biff_reads_with_hidden_sheets_and_merges(tmp_path: Path) -> None:
    merge = build._rec(0x00E5, struct.pack("<H4H", 1, 0, 0, 0, 2))  # A1:C1
    title = build.xls_label(0, 0, "Spend report") + merge
    header = b"".join(build.xls_label(1, c, t) for c, t in enumerate(["Supplier", "Amount"]))
    path = xls(
        tmp_path,
        ("Old", build.xls_spend_sheet()),
        ("Now", title + header + build.xls_number(2, 1, -0.5)),
        hidden=frozenset({"Old"}),
    )
    assert worksheets(path, "book") == ["Now"]
    table = read(path)
    assert table.sheet == "Now"
    # as in XLSX, a merged range is filled only as far as the cells reach (A:B here)
    assert table.frame.rows() == [
        (1, "Spend report", "Spend report"),
        (2, "Supplier", "Amount"),
        (3, None, "-0.5"),
    ]
    assert [(f.code, f.column, f.value) for f in table.findings] == [
        ("merged-cells", "A1:C1", "Spend report")
    ]


def _formula(row: int, col: int, cached: bytes, tokens: bytes = b"\x1e\x01\x00") -> bytes:
    """A FORMULA record: its cached result (8 bytes), then the parsed formula (here =1)."""
    body = struct.pack("<HHH", row, col, 0) + cached + struct.pack("<HI", 0, 0)
    return build._rec(0x0006, body + struct.pack("<H", len(tokens)) + tokens)


def test_formula_results_errors_and_text(tmp_path: Path) -> None:
    error = b"\x02\x00\x07\x00\x00\x00\xff\xff"  # #DIV/0!
    text_follows = b"\x00" + bytes(5) + b"\xff\xff"
    string = build._rec(0x0207, struct.pack("<HB", 2, 0) + b"ok")
    records = (
        build.xls_label(0, 0, "Amount")
        + _formula(1, 0, struct.pack("<d", 7.25))  # a number
        + _formula(2, 0, error)
        + _formula(3, 0, text_follows)
        + string
        + _formula(4, 0, text_follows)  # its STRING record never comes
        + build._rec(0x0205, struct.pack("<HHHBB", 5, 0, 0, 0x2A, 1))  # BOOLERR: #N/A
    )
    table = read(xls(tmp_path, ("S", records)))
    assert table.frame.rows() == [
        (1, "Amount"),
        (2, "7.25"),
        (3, None),
        (4, "ok"),
        (5, None),
        (6, None),
    ]
    assert [(f.code, f.row, f.column, f.value) for f in table.findings] == [
        ("formula-without-value", 5, "A", None),
        ("cell-error", 3, "A", "#DIV/0!"),
        ("cell-error", 6, "A", "#N/A"),
    ]


def _globals(*records: bytes) -> bytes:
    """A Workbook stream of workbook globals only: BOF, ``records``, EOF."""
    return build._bof(5) + b"".join(records) + build._rec(0x000A)


def test_hostile_biff_is_refused_before_calamine(tmp_path: Path) -> None:
    spaces = b"\x1e\x01\x00" + b"\x19\x40\x00\xff" * 100  # =1 with 25,500 spaces laid in
    err = refusal(xls(tmp_path, ("S", _formula(0, 1, struct.pack("<d", 1), spaces))))
    assert err.message == (
        "refusing to open sheet 'S': the formula in cell B1 declares 25,500 spaces, which would "
        "take the reader minutes to lay out"
    )
    sst = build._rec(0x00FC, struct.pack("<ii", 1, 1_000_000) + b"\x01\x00\x00a")
    (tmp_path / "sst.xls").write_bytes(build.xls_compound(_globals(sst)))
    err = refusal(tmp_path / "sst.xls")
    assert err.message == (
        "not a readable XLS workbook: its shared-string table declares 1,000,000 strings in 4 bytes"
    )
    (tmp_path / "locked.xls").write_bytes(build.xls_compound(_globals(build._rec(0x002F, b"\0\0"))))
    err = refusal(tmp_path / "locked.xls")
    assert (err.message, err.hint) == (
        "the workbook is password-protected",
        "save it without a password (or export CSV)",
    )
    far = build._rec(0x0085, struct.pack("<IBBBB", 99_999, 0, 0, 1, 0) + b"X")
    (tmp_path / "far.xls").write_bytes(build.xls_compound(_globals(far)))
    assert refusal(tmp_path / "far.xls").message == (
        "not a readable XLS workbook: sheet 'X' starts past the end of the workbook stream"
    )


def test_no_workbook_stream_and_library_failures(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = bytearray(build.xls_compound(build.xls_stream([("S", build.xls_spend_sheet())])))
    at = data.index("Workbook".encode("utf-16-le"))
    data[at : at + 16] = "Document".encode("utf-16-le")
    (tmp_path / "doc.xls").write_bytes(bytes(data))
    err = refusal(tmp_path / "doc.xls")
    assert err.message.startswith(
        "not a readable XLS workbook: the compound file holds no Workbook"
    )

    # a formula result calamine does not know: its own error, never its words
    odd = build.xls_label(0, 0, "Amount") + _formula(1, 0, b"\x09" + bytes(5) + b"\xff\xff")
    err = refusal(xls(tmp_path, ("S", odd), name="odd.xls"))
    assert (err.message, err.hint) == (
        "not a readable XLS workbook: its contents could not be read",
        "the workbook is damaged: open and save it again in a spreadsheet, or export CSV",
    )
    assert err.__cause__ is not None and str(err.__cause__) not in err.render()

    class PanicException(BaseException):  # what pyo3 raises for a panic inside calamine
        pass

    def panics(_: object) -> None:
        raise PanicException("index out of bounds")

    monkeypatch.setattr(legacy.fastexcel, "read_excel", panics)
    assert (
        refusal(SPEND["xls"]).message
        == "not a readable XLS workbook: its contents could not be read"
    )

    def interrupted(_: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(legacy.fastexcel, "read_excel", interrupted)
    with pytest.raises(KeyboardInterrupt):
        read(SPEND["ods"])


def test_compound_file_damage(tmp_path: Path) -> None:
    good = build.xls_compound(build.xls_stream([("S", build.xls_spend_sheet())]))
    cases = {
        "short": good[:300],
        "shift": good[:30] + b"\x08\x00" + good[32:],
        "fat": good[:44] + struct.pack("<I", 999) + good[48:],
        "difat": good[:76] + struct.pack("<I", 70) + good[80:],  # the FAT sector is past the end
    }
    for name, data in cases.items():
        (tmp_path / f"{name}.xls").write_bytes(data)
        err = refusal(tmp_path / f"{name}.xls")
        assert err.message.startswith("not a readable XLS workbook: "), name
        assert err.hint == "the workbook is damaged or incomplete: download or export it again"


# --- .ods: what content.xml says -----------------------------------------------------------------


def test_repeats_spans_and_physical_rows(tmp_path: Path) -> None:
    spanned = text("Acme", ' table:number-columns-spanned="2"')
    twice = number(1.5, ' table:number-columns-repeated="2"')
    rows = (
        '<table:table-row table:number-rows-repeated="2"><table:table-cell/></table:table-row>'
        f"<table:table-row>{spanned}<table:covered-table-cell/>{number(5)}</table:table-row>"
        f'<table:table-row table:number-rows-repeated="2">{text("x")}{twice}</table:table-row>'
    )
    table = read(ods(tmp_path, rows))
    assert table.frame.rows() == [
        (1, "Supplier Name", "Payment Date", "Amount"),
        (2, None, None, None),
        (3, None, None, None),
        (4, "Acme", "Acme", "5"),
        (5, "x", "1.5", "1.5"),
        (6, "x", "1.5", "1.5"),
    ]
    assert [(f.code, f.row, f.column) for f in table.findings] == [("merged-cells", 4, "A4:B4")]


def test_times_formulas_hidden_tables_and_durations(tmp_path: Path) -> None:
    rows = (
        "<table:table-row>"
        '<table:table-cell office:value-type="time" office:time-value="PT36H05M00,5S"/>'
        '<table:table-cell office:value-type="time" office:time-value="P1DT2H"/>'
        '<table:table-cell table:formula="of:=[.A1]*2"/></table:table-row>'
    )
    hidden = (
        '<style:style xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
        'style:name="ta" style:family="table"><style:table-properties table:display="false"/>'
        "</style:style>"
    )
    path = ods(tmp_path, rows, styles=hidden)
    table = read(path, sheet="Spend")
    assert table.frame.rows()[1] == (2, "PT36H05M00,5S", "26:00:00", None)
    assert [(f.code, f.row, f.column, f.value) for f in table.findings] == [
        ("formula-without-value", 2, "C", "of:=[.A1]*2")
    ]
    assert ods_time("PT14H30M00S") == "14:30:00"
    assert ods_time("PT0H0M7.25S") == "00:00:07.25"
    styled = 'table:name="Spend" table:style-name="ta"'
    content = build._ods_content().replace('table:name="Spend"', styled)
    styles = f"<office:automatic-styles>{hidden}</office:automatic-styles>"
    build._ods(tmp_path / "hidden.ods", content.replace("<office:body>", styles + "<office:body>"))
    assert worksheets(tmp_path / "hidden.ods", "book") == ["Spend"]  # none visible: the hidden


def test_ods_refusals(tmp_path: Path) -> None:
    spaces = '<table:table-row><table:table-cell office:value-type="string"><text:p>'
    spaces += '<text:s text:c="60000000"/></text:p></table:table-cell></table:table-row>'
    err = refusal(ods(tmp_path, spaces))
    assert err.message == "refusing to open: content.xml declares over 50,000,000 repeated spaces"
    lots = number(1, ' table:number-columns-repeated="lots"')
    err = refusal(ods(tmp_path, f"<table:table-row>{lots}</table:table-row>", name="n.ods"))
    assert err.message == (
        "not a readable ODS workbook: content.xml: a column count is not a number ('lots')"
    )
    err = refusal(ods(tmp_path, "<table:table-row>", name="bad.ods"))
    assert err.message.startswith("not a readable ODS workbook: content.xml is not well-formed XML")
    again = '<table:table table:name="Spend"/></office:spreadsheet>'
    dup = build._ods_content().replace("</office:spreadsheet>", again)
    build._ods(tmp_path / "dup.ods", dup)
    assert refusal(tmp_path / "dup.ods").message == (
        "not a readable ODS workbook: two sheets share the name 'Spend'"
    )
    locked = tmp_path / "locked.ods"
    with zipfile.ZipFile(locked, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("META-INF/manifest.xml", "<m><manifest:encryption-data/></m>")
        zf.writestr("content.xml", "x")
    assert refusal(locked).message == "the workbook is password-protected"
    styles = tmp_path / "styles.ods"
    with zipfile.ZipFile(styles, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("styles.xml", build.LAUGHS + "<s>&lol9;</s>")
        zf.writestr("content.xml", build._ods_content())
    assert "part 'styles.xml' declares an XML DTD" in refusal(styles).message
