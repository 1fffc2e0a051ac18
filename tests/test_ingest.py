"""Readers: encodings, header finding, blank/repeated/footer rows, ragged rows, zip, parquet."""

from __future__ import annotations

import codecs
import zipfile
from pathlib import Path

import polars as pl
import pytest

from anchorspend.errors import AnchorspendError
from anchorspend.gather.options import RunConfig
from tests.helpers import FIXTURES, analyse_json, invoke
from tests.helpers import run_keeping_rows as run

HEADER = "Supplier Name,Payment Date,Net Amount\r\n"
ROW = "Café Ltd,01/04/2026,£10.50\r\n"


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    p = tmp_path / name
    p.write_bytes(data)
    return p


def rows_of(path: Path, **kw: object) -> pl.DataFrame:
    return run(RunConfig(inputs=(path,), **kw)).rows  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("label", "body", "encoding"),
    [
        ("utf8", (HEADER + ROW).encode(), "utf-8"),
        ("bom", codecs.BOM_UTF8 + (HEADER + ROW).encode(), "utf-8-sig"),
        ("cp1252", (HEADER + ROW).encode("cp1252"), "cp1252"),
        ("utf16", (HEADER + ROW).encode("utf-16"), "utf-16"),
    ],
)
def test_encodings_give_the_same_rows(
    tmp_path: Path, label: str, body: bytes, encoding: str
) -> None:
    path = write(tmp_path, f"{label}.csv", body)
    result = run(RunConfig(inputs=(path,)))
    assert result.rows.get_column("supplier_name").to_list() == ["Café Ltd"]
    assert result.rows.get_column("amount").to_list() == [1050]
    assert result.document["inputs"][0]["encoding"] == encoding


def test_double_encoded_bom_is_not_part_of_the_header(tmp_path: Path) -> None:
    path = write(tmp_path, "d.csv", "ï»¿".encode() + HEADER.encode() + b"A Ltd,01/04/2026,5\n")
    doc = analyse_json(str(path))
    assert doc["inputs"][0]["columns"]["supplier_name"] == "Supplier Name"
    assert [(f["code"], f["rows"]) for f in doc["findings"]] == [
        ("double-encoded-bom", [1]),
        ("organisation-from-filename", []),
    ]


def test_stray_cp1252_bytes_in_utf8_are_kept_and_reported(tmp_path: Path) -> None:
    body = (
        HEADER + "Café Ltd,01/04/2026,1.00\r\n"
    ).encode() + b"Children\x92s Trust,02/04/2026,2.00\r\n"
    path = write(tmp_path, "mixed.csv", body)
    result = run(RunConfig(inputs=(path,)))
    assert result.rows.get_column("supplier_name").to_list() == ["Café Ltd", "Children’s Trust"]
    stray = [(n.code, n.row, n.value) for n in result.notes if n.code.startswith("stray")]
    assert stray == [("stray-windows-1252-byte", 3, "0x92")]
    assert result.document["inputs"][0]["encoding"] == "utf-8+cp1252"


def test_windows_1252_that_reads_in_part_as_utf8_is_windows_1252(tmp_path: Path) -> None:
    """Found by the property test: 'Â––' in Windows-1252 is C2 96 96, whose first two bytes are
    valid UTF-8 for a C1 control character, which no text holds."""
    path = write(tmp_path, "c1.csv", (HEADER + "Â–– Ltd,01/04/2026,1.00\n").encode("cp1252"))
    result = run(RunConfig(inputs=(path,)))
    assert result.rows.get_column("supplier_name").to_list() == ["Â–– Ltd"]
    assert result.document["inputs"][0]["encoding"] == "cp1252"
    assert [n.code for n in result.notes if "1252" in n.code] == ["encoding-windows-1252"]


@pytest.mark.parametrize("bom", [b"", codecs.BOM_UTF8])
def test_stray_bytes_are_placed_exactly_across_chunks_and_at_the_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bom: bytes
) -> None:
    """Found by make fuzz: a lead byte as the file's last byte was placed past its end (and a
    sequence cut by a read chunk would be placed wrongly)."""
    from anchorspend.ingest import encoding

    monkeypatch.setattr(encoding, "CHUNK", 64)
    body = bom + (HEADER + "Café Ltd,01/04/2026,1.00\n" * 3).encode()
    body += b"Caf\xe9 \xd3 Ltd,02/04/2026,2.00\nZ\xd3"  # ends inside a would-be sequence
    path = write(tmp_path, "ends.csv", body)
    result = run(RunConfig(inputs=(path,)))
    stray = [(n.row, n.value) for n in result.notes if n.code == "stray-windows-1252-byte"]
    assert stray == [(5, "0xe9"), (5, "0xd3"), (6, "0xd3")]
    raw = path.read_bytes()
    assert [raw.count(b"\n", 0, i) + 1 for i, b in enumerate(raw) if b in (0xE9, 0xD3)] == [
        5,
        5,
        6,
    ]


def test_non_ascii_far_into_the_file_is_found(tmp_path: Path) -> None:
    filler = "".join(f"Supplier {i} Ltd,01/04/2026,1.00\n" for i in range(60000))
    body = (HEADER + filler).encode() + "Zoë – Ltd,01/04/2026,1.00\n".encode("cp1252")
    path = write(tmp_path, "late.csv", body)
    result = run(RunConfig(inputs=(path,)))
    assert result.document["inputs"][0]["encoding"] == "cp1252"
    assert result.rows.get_column("supplier_name")[-1] == "Zoë – Ltd"


def test_undefined_cp1252_byte_stops_with_the_fix(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.csv", HEADER.encode() + b"A\x81 Ltd,01/04/2026,1\n")
    r = invoke("analyse", str(path))
    assert r.exit_code == 3
    assert "line 2: byte 0x81 is neither UTF-8 nor Windows-1252" in r.stderr
    assert "--encoding" in r.stderr
    assert "Traceback" not in r.stderr


def test_forced_encoding(tmp_path: Path) -> None:
    path = write(tmp_path, "f.csv", (HEADER + "Café,01/04/2026,1\n").encode("cp1252"))
    rows = rows_of(path, encoding="cp1252")
    assert rows.get_column("supplier_name").to_list() == ["Café"]
    r = invoke("analyse", str(path), "--encoding", "utf-8")
    assert r.exit_code == 3
    assert "not valid utf-8" in r.stderr


def test_title_rows_blank_lines_repeated_header_and_footer_total() -> None:
    path = FIXTURES / "title_rows_repeated_header_footer_total.csv"
    result = run(RunConfig(inputs=(path,)))
    rows = result.rows.select("_row", "supplier_name", "amount", "_status", "_reason")
    assert rows.rows() == [
        (5, "TOTAL ACCESS (UK) LTD", 10000, "analysed", None),
        (6, "Acme Ltd", 20050, "analysed", None),
        (9, "Beta Ltd", -5025, "analysed", None),
        (10, "Grand Total", 25025, "excluded", "footer-total"),
    ]
    rec = result.document["reconciliation"]
    assert (rec["rows_read"], rec["rows_analysed"], rec["rows_excluded"]) == (4, 3, 1)
    assert (rec["amount_read"], rec["amount_analysed"], rec["amount_excluded"]) == (
        "500.50",
        "250.25",
        "250.25",
    )
    assert rec["exclusions"] == [{"rule": "footer-total", "rows": 1, "amount": "250.25"}]
    assert result.document["inputs"][0]["header_row"] == 4
    assert result.document["inputs"][0]["repeated_headers_skipped"] == 1
    assert result.document["inputs"][0]["blank_rows_skipped"] == 1


def test_extra_cells_are_kept_and_short_rows_padded() -> None:
    result = run(RunConfig(inputs=(FIXTURES / "extra_cells.csv",)))
    assert result.rows.select("_row", "supplier_name", "extra_1", "extra_2", "_status").rows() == [
        (2, "Acme Ltd", None, None, "analysed"),
        (3, "Beta Ltd", "surplus", "cells", "analysed"),
        (4, "Gamma Ltd", None, None, "rejected"),
    ]
    got = sorted(result.findings.select("row", "column", "code").rows())
    assert got == [
        (3, "extra_1", "extra-cell"),
        (3, "extra_2", "extra-cell"),
        (4, "Net Amount", "missing-value"),
    ]


def test_rows_wider_than_the_sample_widen_the_read(tmp_path: Path) -> None:
    body = (
        HEADER
        + "".join(f"S{i},01/04/2026,1\n" for i in range(3000))
        + "Wide,01/04/2026,2,a,b,c,d,e,f\n"
    )
    result = run(RunConfig(inputs=(write(tmp_path, "w.csv", body.encode()),)))
    assert result.rows.height == 3001
    assert result.rows.filter(pl.col("supplier_name") == "Wide").select("extra_6").item() == "f"


def test_tsv_and_semicolon_files(tmp_path: Path) -> None:
    tsv = write(tmp_path, "a.tsv", b"Supplier\tDate\tAmount\nA, B and C Ltd\t01/04/2026\t3.5\n")
    semi = write(tmp_path, "b.txt", b'Supplier;Date;Amount\nA Ltd;01/04/2026;"1,000.00"\n')
    result = run(RunConfig(inputs=(tsv, semi)))
    assert result.rows.select("supplier_name", "amount").rows() == [
        ("A, B and C Ltd", 350),
        ("A Ltd", 100000),
    ]


def test_multiline_quoted_cells_keep_row_numbers(tmp_path: Path) -> None:
    body = HEADER + 'A Ltd,01/04/2026,1\n"B\nLtd",02/04/2026,2\nC Ltd,03/04/2026,3\n'
    rows = rows_of(write(tmp_path, "m.csv", body.encode()))
    assert rows.select("_row", "supplier_name").rows() == [
        (2, "A Ltd"),
        (3, "B\nLtd"),
        (4, "C Ltd"),
    ]


def test_zip_of_csv_and_directory_input(tmp_path: Path) -> None:
    inner = (HEADER + "A Ltd,01/04/2026,1.25\n").encode()
    with zipfile.ZipFile(tmp_path / "in.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("q1/spend.csv", inner)
        zf.writestr("__MACOSX/q1/._spend.csv", b"junk")
        zf.writestr("readme.pdf", b"%PDF")
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "b.csv").write_bytes((HEADER + "B Ltd,02/04/2026,2.00\n").encode())
    (folder / "notes.docx").write_bytes(b"ignored")
    doc = analyse_json(str(tmp_path / "in.zip"), str(folder))
    assert [i["path"] for i in doc["inputs"]] == [
        f"{tmp_path / 'in.zip'}!q1/spend.csv",
        str(folder / "b.csv"),
    ]
    assert doc["reconciliation"]["amount_read"] == "3.25"


def test_previous_out_folder_is_not_read_as_input(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_bytes((HEADER + "A Ltd,01/04/2026,1.00\n").encode())
    assert invoke("analyse", str(tmp_path), "--out", str(tmp_path / "report"), "-q").exit_code == 0
    doc = analyse_json(str(tmp_path))
    assert [Path(i["path"]).name for i in doc["inputs"]] == ["a.csv"]


def test_parquet_input(tmp_path: Path) -> None:
    pl.DataFrame(
        {
            "Supplier Name": ["A Ltd", "B Ltd"],
            "Payment Date": ["2026-04-01", "2026-07-01"],
            "Amount": ["10.10", "(0.10)"],
        }
    ).write_parquet(tmp_path / "s.parquet")
    doc = analyse_json(str(tmp_path / "s.parquet"))
    assert doc["reconciliation"]["amount_read"] == "10.00"
    assert {m["period"] for m in doc["metrics"]} == {"2026-27 Q1", "2026-27 Q2", "all"}


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.csv", b"", "the file is empty"),
        ("blank.csv", b"\n\n  \n", "the file is empty"),
        ("nul.csv", b"Supplier\x00,Date\x00\n", "NUL bytes"),
        ("header_only.csv", HEADER.encode(), "no data rows"),
    ],
)
def test_unreadable_files_exit_3(tmp_path: Path, name: str, data: bytes, message: str) -> None:
    r = invoke("analyse", str(write(tmp_path, name, data)))
    assert r.exit_code == 3, r.stderr
    assert message in r.stderr
    assert name in r.stderr


def test_missing_input_and_unknown_type(tmp_path: Path) -> None:
    r = invoke("analyse", str(tmp_path / "nope.csv"))
    assert r.exit_code == 3
    assert "no such file or folder" in r.stderr
    r = invoke("analyse", str(write(tmp_path, "x.pdf", b"%PDF")))
    assert r.exit_code == 3
    assert "unsupported file type '.pdf'" in r.stderr


def test_bad_zip_member_size_guard(tmp_path: Path) -> None:
    with zipfile.ZipFile(tmp_path / "bomb.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("big.csv", b"0" * (60 * 1024 * 1024))
    with pytest.raises(AnchorspendError, match="zip bomb"):
        run(RunConfig(inputs=(tmp_path / "bomb.zip",)))


def test_unlabelled_footer_total_is_excluded_but_a_stray_amount_is_not() -> None:
    result = run(RunConfig(inputs=(FIXTURES / "unlabelled_footer_total.csv",)))
    assert result.rows.select("_row", "amount", "_status", "_reason").rows() == [
        (2, 150, "analysed", None),
        (3, 250, "analysed", None),
        (4, 400, "excluded", "footer-total"),
        (5, 300, "rejected", "missing-date; missing-supplier"),
    ]


def test_same_transaction_in_two_files_is_counted_once() -> None:
    result = run(
        RunConfig(
            inputs=(FIXTURES / "dup_q1_invoices.csv", FIXTURES / "dup_q1_resent.csv"),
            organisation="X",
        )
    )
    rows = result.rows.select("_source", "_row", "_status", "_reason")
    assert [(Path(s).name, r, st, re) for s, r, st, re in rows.iter_rows()] == [
        ("dup_q1_invoices.csv", 2, "analysed", None),
        ("dup_q1_invoices.csv", 3, "analysed", None),
        ("dup_q1_invoices.csv", 4, "analysed", None),  # a repeat inside one file stays
        ("dup_q1_resent.csv", 2, "excluded", "duplicate-in-another-file"),
        ("dup_q1_resent.csv", 3, "analysed", None),
    ]
    rec = result.document["reconciliation"]
    assert rec["exclusions"] == [
        {"rule": "duplicate-in-another-file", "rows": 1, "amount": "20.00"}
    ]
    assert rec["amount_analysed"] == "80.00"
    assert [(i["rows_analysed"], i["rows_excluded"]) for i in result.document["inputs"]] == [
        (3, 0),
        (1, 1),
    ]
    [note] = [n for n in result.notes if n.code == "duplicate-in-another-file"]
    assert note.path.endswith("dup_q1_resent.csv") and note.row == 2
    assert "dup_q1_invoices.csv" in note.message


def test_utf8_check_skips_ascii_chunks_but_not_a_sequence_cut_by_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from anchorspend.ingest import encoding

    monkeypatch.setattr(encoding, "CHUNK", 64)
    cut = tmp_path / "cut.csv"
    cut.write_bytes(b"a" * 63 + b"\xc3" + b"b" * 64)  # a lead byte, then plain ASCII
    assert encoding._is_utf8(cut) == (False, 63)
    whole = tmp_path / "whole.csv"
    whole.write_bytes(b"a" * 63 + "é".encode() + b"b" * 64)  # the same, completed
    assert encoding._is_utf8(whole) == (True, -1)


def test_classic_mac_line_endings_are_line_breaks(tmp_path: Path) -> None:
    """Excel for Mac's "CSV (Macintosh)" ends lines with CR alone; read as one long line it
    looked like a header without rows."""
    body = b"Title row\rSupplier Name,Payment Date,Net Amount\rA Ltd,01/04/2026,1.50\r"
    body += b'"Two\rLines Ltd",02/04/2026,2.25\rB Ltd,03/04/2026,3.00\r'
    result = run(RunConfig(inputs=(write(tmp_path, "mac.csv", body),)))
    rows = result.rows.select("_row", "supplier_name", "amount").rows()
    assert rows == [(3, "A Ltd", 150), (4, "Two\nLines Ltd", 225), (5, "B Ltd", 300)]
    assert [n.code for n in result.notes if n.code == "line-endings-cr"] == ["line-endings-cr"]
