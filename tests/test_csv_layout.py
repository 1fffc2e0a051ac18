"""Delimited text as public bodies publish it: line ends of every kind, and quotes out of place.

Lone CRs (classic Mac exports, and exports that mix CR, CR LF and LF) are read as line breaks
with the line numbers an editor shows; a stray quote inside a cell that does not start with one
is read as text, with a warning naming the line; any other fault in the quoting stops the read
with the line, what is wrong there and the fix, and never with Polars' own words.
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from anchorspend import pipeline
from anchorspend.errors import AnchorspendError, Finding
from anchorspend.gather import inputs as gather_inputs
from anchorspend.gather import source as gather_source
from anchorspend.gather.options import RunConfig
from anchorspend.ingest import csvread, csvscan, encoding
from anchorspend.ingest.csvread import MAX_COLUMNS, WiderThanSampled, iter_csv, read_csv
from anchorspend.ingest.raw import RawTable
from tests.helpers import FIXTURES, invoke

HEADER = ("Supplier Name", "Payment Date", "Net Amount", "Description")
Row = tuple[object, ...]
POLARS_WORDS = ("row_offset", "expected", "chunk", "dtype", "polars", "Schema", "could not parse")


def read(path: Path, **kw: str) -> tuple[list[Row], list[Finding]]:
    table = read_csv(path, display=path.name, **kw)
    return table.frame.rows(), table.findings


def stream(path: Path, batch_rows: int = 2, **kw: str) -> list[RawTable]:
    """The batches of :func:`iter_csv`, started again wider as the pipeline does."""
    width = 0
    while True:
        try:
            return list(iter_csv(path, display=path.name, batch_rows=batch_rows, width=width, **kw))
        except WiderThanSampled as wider:
            width = wider.width


def iterate(path: Path, batch_rows: int = 2) -> tuple[list[Row], list[Finding]]:
    """Every batch's rows, and the first batch's findings, read once the stream is done (later
    findings are added to that list)."""
    batches = stream(path, batch_rows)
    assert all(not b.findings for b in batches[1:])
    return [r for b in batches for r in b.frame.rows()], batches[0].findings


def codes(findings: list[Finding]) -> list[tuple[str, str, int | None]]:
    return [(f.code, f.severity, f.row) for f in findings]


def refused(path: Path, **kw: str) -> AnchorspendError:
    with pytest.raises(AnchorspendError) as caught:
        read_csv(path, display=path.name, **kw)
    with pytest.raises(AnchorspendError) as streamed:
        stream(path, 2, **kw)
    assert streamed.value.render() == caught.value.render()
    error = caught.value
    assert error.path == path.name and error.hint
    for word in POLARS_WORDS:
        assert word.lower() not in error.render().lower(), word
    return error


# --- line ends -------------------------------------------------------------------------------

CR_WITH_LF_ROWS: list[Row] = [
    (1, *HEADER),
    (2, "Acme Ltd", "01/04/2026", "1.50", "Paper"),
    (3, "Two Lines Ltd", "02/04/2026", "2.25", "Delivery\nand fitting"),
    (4, "Beta Ltd", "03/04/2026", "3.00", "Ink"),
]
MIXED_ROWS: list[Row] = [
    (1, *HEADER),
    (2, "Acme Ltd", "01/04/2026", "1.50", "Paper"),
    (3, "Beta Ltd", "02/04/2026", "2.25", "Ink"),
    (4, "Gamma Ltd", "03/04/2026", "3.00", "Toner"),
    (5, None, None, None, None),  # CR, then CR LF: a blank line
    (6, "Delta Ltd", "04/04/2026", "4.00", "Pens"),
]
LINE_END_CASES: dict[str, tuple[list[Row], str]] = {
    "csv_cr_only_with_lf_inside.csv": (
        CR_WITH_LF_ROWS,
        "line ends are mixed (3 CR alone, 1 CR LF, 1 LF alone); each CR, CR LF and LF is read "
        "as one line break",
    ),
    "csv_mixed_line_ends.csv": (
        MIXED_ROWS,
        "line ends are mixed (3 CR alone, 2 CR LF, 1 LF alone); each CR, CR LF and LF is read "
        "as one line break",
    ),
}


@pytest.mark.parametrize("name", sorted(LINE_END_CASES))
def test_every_lone_cr_is_a_line_break(name: str) -> None:
    rows, message = LINE_END_CASES[name]
    path = FIXTURES / name
    for got, findings in (read(path), iterate(path)):
        assert got == rows
        assert [(f.code, f.severity, f.message) for f in findings] == [
            ("line-endings-mixed", "info", message)
        ]


def test_cr_only_keeps_its_code_and_message(tmp_path: Path) -> None:
    path = tmp_path / "mac.csv"
    path.write_bytes(b'a,b\r1,"x\ry"\r2,z\r')
    rows, findings = read(path)
    assert rows == [(1, "a", "b"), (2, "1", "x\ny"), (3, "2", "z")]  # the CR in a cell: LF
    assert [(f.code, f.message) for f in findings] == [
        (
            "line-endings-cr",
            "lines end in CR only (a classic Mac export); each CR is read as a line break",
        )
    ]


@pytest.mark.parametrize(
    "body", [b"a,b\n1,2\n3,4\n", b"a,b\r\n1,2\r\n3,4", b'a,b\r\n1,"x\r\ny"\r\n']
)
def test_lf_and_cr_lf_files_are_read_in_place(tmp_path: Path, body: bytes) -> None:
    path = tmp_path / "plain.csv"
    path.write_bytes(body)
    decoded = encoding.decode(path, display="plain.csv")
    assert (decoded.path, decoded.temporary, decoded.findings) == (path, False, [])


@pytest.mark.parametrize("chunk", [1, 2, 3, 7, 11])
@pytest.mark.parametrize("name", sorted(LINE_END_CASES))
@pytest.mark.parametrize("codec", ["utf-8", "cp1252"])
def test_line_ends_across_chunk_boundaries(
    name: str, codec: str, chunk: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Small chunks put CR and its LF in different chunks: still one line end. The UTF-8 file
    is copied with LF for each lone CR; the Windows-1252 one is converted as it is transcoded."""
    monkeypatch.setattr(encoding, "CHUNK", chunk)
    monkeypatch.setattr(csvscan, "SCAN_CHUNK", chunk)
    rows, message = LINE_END_CASES[name]
    body = (FIXTURES / name).read_bytes().replace(b"Acme", "Ácme".encode(codec))
    path = tmp_path / name
    path.write_bytes(body)
    want = [tuple(c.replace("Acme", "Ácme") if isinstance(c, str) else c for c in r) for r in rows]
    for got, findings in (read(path), iterate(path)):
        assert got == want
        assert message in [f.message for f in findings]


def test_a_cr_lf_pair_split_by_a_chunk_is_one_line_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(encoding, "CHUNK", 7)
    path = tmp_path / "split.csv"
    path.write_bytes(b"a,b,c\r\n1,2,3\r4,5,6\r\n")  # the first CR LF straddles bytes 6 and 7
    decoded = encoding.decode(path, display="split.csv")
    try:
        assert decoded.path.read_bytes() == b"a,b,c\r\n1,2,3\n4,5,6\r\n"
    finally:
        decoded.cleanup()
    assert "(1 CR alone, 2 CR LF)" in decoded.findings[0].message


def test_line_numbers_count_every_kind_of_line_end(tmp_path: Path) -> None:
    """A byte that is neither UTF-8 nor Windows-1252 is named by the line an editor shows."""
    path = tmp_path / "bad.csv"
    path.write_bytes(b"a,b\r1,2\r\n3,4\n5,\x81\r")
    with pytest.raises(AnchorspendError, match=r"^line 4: byte 0x81"):
        encoding.decode(path, display="bad.csv")


# --- stray quotes: read, with a warning --------------------------------------------------------

STRAY_ROWS = [
    (1, *HEADER),
    (2, "Pipe Co", "01/04/2026", "12.50", '12" pipe'),
    (3, 'O"Neil Plumbing', "02/04/2026", "3.00", "Valve, brass"),
    (4, "Beta Ltd", "03/04/2026", "4.00", "Washers"),
]


@pytest.mark.parametrize("batch_rows", [1, 2, 3, 100])
def test_a_stray_quote_is_read_as_text_with_a_warning(batch_rows: int) -> None:
    path = FIXTURES / "csv_stray_quote.csv"
    for got, findings in (read(path), iterate(path, batch_rows)):
        assert got == STRAY_ROWS
        assert [(f.code, f.severity, f.row, f.value, f.message) for f in findings] == [
            (
                "stray-quote",
                "warning",
                2,
                '12" pipe',
                "line 2, column 4: a quote inside a cell that does not start with one "
                "('12\" pipe') is read as part of the text",
            ),
            (
                "stray-quote",
                "warning",
                3,
                'O"Neil Plumbing',
                "line 3, column 1: a quote inside a cell that does not start with one "
                "('O\"Neil Plumbing') is read as part of the text",
            ),
        ]


def test_a_stray_quote_far_into_a_streamed_file(tmp_path: Path) -> None:
    """Polars stops on the stray quote after batches were handed on: the rest is read from the
    mended copy, each record once, and the warning joins the first batch's findings."""
    path = tmp_path / "late.csv"
    lines = [b"Supplier,Amount"] + [b"S%d,%d" % (i, i) for i in range(2, 3000)]
    lines[2500] = b'Pipe Co 3" bore,2501'
    path.write_bytes(b"\n".join(lines) + b"\n")
    got, findings = iterate(path, batch_rows=100)
    assert [r[0] for r in got] == list(range(1, 3000))
    assert got[2500] == (2501, 'Pipe Co 3" bore', "2501")
    assert codes(findings) == [("stray-quote", "warning", 2501)]
    assert "line 2501, column 1" in findings[0].message


def test_stray_quote_findings_are_capped_and_counted(tmp_path: Path) -> None:
    path = tmp_path / "many.csv"
    path.write_bytes(b"Item,Size\n" + b'Pipe,12" long\n' * 250)
    rows, findings = read(path)
    assert len(rows) == 251 and rows[-1] == (251, "Pipe", '12" long')
    assert [f.row for f in findings[:-1]] == list(range(2, 202))
    assert findings[-1].message == "250 cells hold a stray quote in all; the first 200 are listed"


def test_stray_quotes_in_a_file_read_in_batches_change_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    config = RunConfig(inputs=(FIXTURES / "csv_stray_quote.csv",))

    def outcome() -> tuple[str, list[str]]:
        result = pipeline.run(config)
        return result.findings.write_csv(), [repr(n) for n in result.notes]

    whole = outcome()
    assert [n for n in whole[1] if "stray-quote" in n]
    monkeypatch.setattr(gather_source, "HEAD_ROWS", 1)
    for size in (1, 2, 3):
        monkeypatch.setattr(gather_inputs, "BATCH_ROWS", size)
        assert outcome() == whole, f"batches of {size}"


# --- quoting that stops the read ---------------------------------------------------------------


def test_a_quoted_cell_followed_by_text() -> None:
    error = refused(FIXTURES / "csv_quote_then_text.csv")
    assert error.message == (
        "line 3, column 1: a quoted cell is closed and more text follows in the same cell "
        "('\"Best\" Buy Ltd'); a cell that starts with a quote must end with one"
    )
    assert error.hint == (
        "if the quotes belong to the text, quote the whole cell and double each quote inside it "
        '("""Best"" Buy Ltd"); if a delimiter is missing after the closing quote, add it'
    )


def test_a_quote_left_open_names_the_line_it_opens_on() -> None:
    error = refused(FIXTURES / "csv_quote_left_open.csv")
    assert error.message == (
        "line 2, column 4: a quoted cell ('\"Paper and'…) is not closed on its line; the next "
        "quote, on line 3, is followed by more text ('Beta Ltd,02/04/2026,2.25,\"Ink, black\"'), "
        "so the cell cannot be read"
    )
    assert (
        error.hint == 'close the quote on line 2 (a literal " inside a quoted cell is written "")'
    )


def test_a_quote_never_closed(tmp_path: Path) -> None:
    path = tmp_path / "open.csv"
    path.write_bytes(b'a,b,c\r1,2,3\r4,"open,6\r7,8,9\r')  # CR-only: lines still counted
    error = refused(path)
    assert error.message == (
        "line 3, column 2: a quoted cell ('\"open,6'…) is never closed, so the rest of the file "
        "would be read into it"
    )


def test_spaces_after_a_closing_quote(tmp_path: Path) -> None:
    path = tmp_path / "space.csv"
    path.write_bytes(b'a,b,c\n1,"abc" ,3\n')
    error = refused(path)
    assert error.message.startswith("line 2, column 2: a quoted cell is closed and more text")
    assert error.hint == "remove the spaces after the closing quote"


def test_a_wrong_delimiter_is_named_in_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "semi.csv"
    path.write_bytes(b'"Supplier";Amount\n"Acme";1.50\n')
    error = refused(path, delimiter=",")
    assert error.message.startswith("line 1, column 1: a quoted cell is closed and more text")
    assert error.hint == (
        "--delimiter ';' if the cells are separated by semicolons; otherwise put a delimiter "
        "after the closing quote"
    )
    rows, _ = read(path)  # sniffed, it reads
    assert rows == [(1, "Supplier", "Amount"), (2, "Acme", "1.50")]


def test_a_record_too_wide_past_the_sample_is_named_by_its_row(tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    path.write_bytes(b"a,b\n" + b"1,2\n" * 70 + b"," * MAX_COLUMNS + b"\n")
    error = refused(path)
    assert (
        error.message == "row 72 has more than 4,096 cells; anchorspend reads at most 4,096 columns"
    )


def test_a_failure_nothing_can_name_is_still_said_plainly(tmp_path: Path) -> None:
    path = tmp_path / "fine.csv"
    path.write_bytes(b"a,b\n1,2\n")
    with csvread._prepared(path, "fine.csv", None, None) as prep:
        reading = csvread._Reading(prep, "fine.csv", prep.source)
        failure = pl.exceptions.ComputeError("CSV malformed: expected 0 rows, actual 3 rows")
        with pytest.raises(AnchorspendError) as caught:
            reading.recover(failure, 2)
    assert caught.value.message == (
        "could not read the file as cells separated by commas: its quoting cannot be followed, "
        "but no one line could be named as the fault"
    )
    assert "--delimiter" in (caught.value.hint or "")


# --- through the CLI ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "rows", "amount", "code"),
    [
        ("csv_cr_only_with_lf_inside.csv", 3, "6.75", "line-endings-mixed"),
        ("csv_mixed_line_ends.csv", 4, "10.75", "line-endings-mixed"),
        ("csv_stray_quote.csv", 3, "19.50", "stray-quote"),
    ],
)
def test_analyse_reads_and_reconciles(name: str, rows: int, amount: str, code: str) -> None:
    result = invoke("analyse", str(FIXTURES / name), "--json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    recon = doc["reconciliation"]
    assert (recon["rows_read"], recon["rows_analysed"], recon["rows_rejected"]) == (rows, rows, 0)
    assert (recon["amount_read"], recon["amount_analysed"]) == (amount, amount)
    assert code in {f["code"] for f in doc["findings"]}


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("csv_quote_then_text.csv", "line 3, column 1: a quoted cell is closed and more text"),
        ("csv_quote_left_open.csv", "line 2, column 4: a quoted cell ('\"Paper and'…)"),
    ],
)
def test_analyse_refuses_with_the_line(name: str, fragment: str) -> None:
    result = invoke("analyse", str(FIXTURES / name), "--json")
    assert result.exit_code == 3
    assert f"{name}: {fragment}" in result.stderr
    assert "fix: " in result.stderr and "Traceback" not in result.stderr
    for word in POLARS_WORDS:
        assert word.lower() not in result.stderr.lower(), word


# --- a quote Polars would read the rest of the file into ---------------------------------------


def splitter_since(data: bytes) -> int:
    """Bytes since the last LF after an even number of quotes: what Polars' splitter holds."""
    odd, since = False, 0
    for byte in data:
        odd ^= byte == ord('"')
        since = 0 if byte == ord("\n") and not odd else since + 1
    return since


@pytest.mark.parametrize(
    "body",
    [
        b'a,b\n1,"x\ny"\n2,3\n',
        b'a,b\n1,"open\n2,3\n4,5\n',
        b'a,"b""c"\n"d\n\ne",f\n12" pipe\nx\n"y"\n',
        b'"""\n"\n\n""\n',
    ],
)
@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 64])
def test_the_splitters_records_are_measured_across_chunks(body: bytes, chunk: int) -> None:
    records = csvscan._SplitterRecords()
    for at in range(0, len(body), chunk):
        records.feed(body[at : at + chunk])
        assert records.since == splitter_since(body[: at + chunk])


def test_a_quote_never_closed_is_named_before_polars_holds_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(csvscan, "MAX_LINE_BYTES", 64)
    monkeypatch.setattr(csvscan, "SCAN_CHUNK", 16)
    path = tmp_path / "open.csv"
    path.write_bytes(b'a,b\n1,2\n"open,3\n' + b"4,5\n" * 40)

    def polars_reads(*args: object, **kwargs: object) -> None:
        raise AssertionError("Polars was asked to read the file")

    monkeypatch.setattr(pl, "read_csv", polars_reads)
    monkeypatch.setattr(pl, "scan_csv", polars_reads)
    error = refused(path)
    assert error.message.startswith("line 3, column 1: a quoted cell ('\"open,3'…) is never closed")


def test_a_lone_stray_quote_is_mended_before_polars_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(csvscan, "MAX_LINE_BYTES", 64)
    monkeypatch.setattr(csvscan, "SCAN_CHUNK", 16)
    path = tmp_path / "stray.csv"
    path.write_bytes(b'a,b\n1,12" pipe\n' + b"4,5\n" * 40)
    with csvread._prepared(path, "stray.csv", None, None) as prep:
        assert prep.runaway
    for rows, findings in (read(path), iterate(path, 7)):
        assert rows[:3] == [(1, "a", "b"), (2, "1", '12" pipe'), (3, "4", "5")]
        assert len(rows) == 42
        assert codes(findings) == [("stray-quote", "warning", 2)]


@pytest.mark.parametrize("chunk", [1, 3, 7, 64])
@pytest.mark.parametrize(
    "name", ["csv_stray_quote.csv", "csv_quote_then_text.csv", "csv_quote_left_open.csv"]
)
def test_the_rescan_across_chunk_boundaries(
    name: str, chunk: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The re-scan reads whole lines whatever the chunks: the same rows, findings and errors."""

    def outcome() -> object:
        try:
            rows, findings = read(FIXTURES / name)
        except AnchorspendError as error:
            return error.render()
        return rows, findings

    whole = outcome()
    monkeypatch.setattr(csvscan, "SCAN_CHUNK", chunk)
    assert outcome() == whole
