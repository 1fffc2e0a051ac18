"""Builders for the hostile corpus: each writes one attack file into a folder and returns its path.

The small files are also committed in ``tests/hostile/files/`` so that anyone can point the CLI
at them; ``python -m tests.hostile.build tests/hostile/files`` regenerates them and a test checks
that they still equal what these builders write. The large ones (bombs, the 200 MB line, the
100,000 columns) exist only at run time, in the test's temporary folder.
"""

from __future__ import annotations

import io
import random
import struct
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

HEADER = "Supplier Name,Payment Date,Amount\r\n"
ROW = "Acme Ltd,01/04/2026,12.50\r\n"
_WHEN = (2026, 1, 1, 0, 0, 0)  # fixed zip timestamps: the committed bytes are reproducible
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
# Ten entities of ten references each, nine deep: 10**9 copies of "lol" if anything expanded it.
LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "' + (f"&lol{i - 1};" if i > 1 else "&lol;") * 10 + '">'
        for i in range(1, 10)
    )
    + "]>"
)
MB = 1024 * 1024


def _zip(path: Path, members: list[tuple[str, bytes]], method: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members:
            zf.writestr(zipfile.ZipInfo(name, _WHEN), data, compress_type=method)
    return path


def _cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def _sheet(prolog: str = "", extra: str = "") -> bytes:
    head = "".join(_cell(f"{c}1", t) for c, t in zip("ABC", HEADER.strip().split(","), strict=True))
    data = _cell("A2", "Acme Ltd") + _cell("B2", "01/04/2026") + '<c r="C2"><v>12.5</v></c>'
    rows = f'<row r="1">{head}</row><row r="2">{data}</row>{extra}'
    return f'{prolog}<worksheet xmlns="{_MAIN}"><sheetData>{rows}</sheetData></worksheet>'.encode()


def _workbook_parts(sheet: bytes, book_prolog: str = "") -> list[tuple[str, bytes]]:
    return [
        (
            "[Content_Types].xml",
            b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            b'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/></Types>',
        ),
        (
            "_rels/.rels",
            f'<Relationships xmlns="{_PKG}"><Relationship Id="rId1" Type="{_REL}/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>'.encode(),
        ),
        (
            "xl/workbook.xml",
            f'{book_prolog}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>'
            '<sheet name="Spend" sheetId="1" r:id="rId1"/></sheets></workbook>'.encode(),
        ),
        (
            "xl/_rels/workbook.xml.rels",
            f'<Relationships xmlns="{_PKG}"><Relationship Id="rId1" Type="{_REL}/worksheet" '
            'Target="worksheets/sheet1.xml"/></Relationships>'.encode(),
        ),
        ("xl/worksheets/sheet1.xml", sheet),
    ]


def _xlsx(path: Path, parts: list[tuple[str, bytes]]) -> Path:
    return _zip(path, parts)


# .xls: BIFF8 records in an OLE2 compound file, written here (no library writes hostile ones).


def _rec(kind: int, data: bytes = b"") -> bytes:
    return struct.pack("<HH", kind, len(data)) + data


def _bof(kind: int) -> bytes:  # kind 0x0005: workbook globals, 0x0010: worksheet
    return _rec(0x0809, struct.pack("<HHHHII", 0x0600, kind, 0x0DBB, 0x07CC, 0, 6))


def xls_label(row: int, col: int, text: str) -> bytes:
    data = text.encode("latin-1")
    return _rec(0x0204, struct.pack("<HHHHB", row, col, 0, len(data), 0) + data)


def xls_number(row: int, col: int, value: float) -> bytes:
    return _rec(0x0203, struct.pack("<HHHd", row, col, 0, value))


def xls_dimensions(first_row: int, rows_end: int, first_col: int, cols_end: int) -> bytes:
    """DIMENSIONS: rows first_row..rows_end-1, columns first_col..cols_end-1 (BIFF8 form)."""
    return _rec(0x0200, struct.pack("<IIHHH", first_row, rows_end, first_col, cols_end, 0))


def xls_spend_sheet(extra: bytes = b"") -> bytes:
    """The records of a sheet holding HEADER and ROW (the amount a number), then ``extra``."""
    cells = [xls_label(0, c, t) for c, t in enumerate(HEADER.strip().split(","))]
    cells += [xls_label(1, 0, "Acme Ltd"), xls_label(1, 1, "01/04/2026"), xls_number(1, 2, 12.5)]
    return xls_dimensions(0, 2, 0, 3) + b"".join(cells) + extra


def xls_stream(sheets: list[tuple[str, bytes]], hidden: frozenset[str] = frozenset()) -> bytes:
    """A Workbook stream: the globals listing ``sheets`` (name, records), then each sheet."""
    entries = [
        struct.pack("<BBBB", name in hidden, 0, len(name), 0) + name.encode("latin-1")
        for name, _ in sheets
    ]
    at = len(_bof(5)) + sum(8 + len(e) for e in entries) + 4  # where the first sheet starts
    listed, bodies = [], []
    for (_, records), entry in zip(sheets, entries, strict=True):
        listed.append(_rec(0x0085, struct.pack("<I", at) + entry))
        bodies.append(_bof(0x10) + records + _rec(0x000A))
        at += len(bodies[-1])
    return b"".join([_bof(5), *listed, _rec(0x000A), *bodies])


def xls_compound(stream: bytes) -> bytes:
    """A version-3 compound file (512-byte sectors) holding ``stream`` as "Workbook", padded to
    4096 bytes so that it lives in regular sectors: the header, the FAT in sector 0, the
    directory in sector 1, the stream from sector 2 on."""
    stream = stream.ljust(max(4096, -(-len(stream) // 512) * 512), b"\0")
    n = len(stream) // 512
    assert n + 2 <= 128, "one FAT sector maps 128 sectors"
    end, free, nostream = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFF
    fat = [0xFFFFFFFD, end, *range(3, n + 2), end] + [free] * (126 - n)

    def entry(name: str, kind: int, start: int, size: int, child: int = nostream) -> bytes:
        raw = name.encode("utf-16-le") + b"\0\0" if name else b""
        head = struct.pack("<HBB3I", len(raw), kind, 1, nostream, nostream, child)
        return raw.ljust(64, b"\0") + head + bytes(36) + struct.pack("<II", start, size) + bytes(4)

    directory = (
        entry("Root Entry", 5, end, 0, child=1)
        + entry("Workbook", 2, 2, len(stream))
        + entry("", 0, 0, 0) * 2
    )
    header = struct.pack(
        "<8s16sHHHHH6s9I109I",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        bytes(16),
        0x3E,
        3,
        0xFFFE,
        9,
        6,
        bytes(6),
        *(0, 1, 1, 0, 4096, end, 0, end, 0),
        *(0, *[free] * 108),
    )
    return header + struct.pack("<128I", *fat) + directory + stream


def _ods(path: Path, content: str) -> Path:
    manifest = (
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type="'
        'application/vnd.oasis.opendocument.spreadsheet"/></manifest:manifest>'
    )
    return _zip(
        path,
        [
            ("mimetype", b"application/vnd.oasis.opendocument.spreadsheet"),
            ("META-INF/manifest.xml", manifest.encode()),
            ("content.xml", content.encode()),
        ],
    )


def _ods_content(prolog: str = "", rows: str = "") -> str:
    ns = (
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
    )
    head = "".join(
        f'<table:table-cell office:value-type="string"><text:p>{t}</text:p></table:table-cell>'
        for t in HEADER.strip().split(",")
    )
    return (
        f"{prolog}<office:document-content {ns}><office:body><office:spreadsheet>"
        f'<table:table table:name="Spend"><table:table-row>{head}</table:table-row>{rows}'
        "</table:table></office:spreadsheet></office:body></office:document-content>"
    )


# --- small files, committed ------------------------------------------------------------------


def empty_csv(d: Path) -> Path:
    (p := d / "empty.csv").write_bytes(b"")
    return p


def blank_lines_csv(d: Path) -> Path:
    (p := d / "blank_lines.csv").write_bytes(b"\r\n\n   \r\n\t\n")
    return p


def header_only_csv(d: Path) -> Path:
    (p := d / "header_only.csv").write_bytes(HEADER.encode())
    return p


def nul_bytes_csv(d: Path) -> Path:
    (p := d / "nul_bytes.csv").write_bytes((HEADER + ROW).encode() + b"Ac\x00me,01/04/2026,1\r\n")
    return p


def binary_junk_csv(d: Path) -> Path:
    (p := d / "binary_junk.csv").write_bytes(random.Random(8).randbytes(4096))
    return p


def text_junk_csv(d: Path) -> Path:
    """Bytes that all decode as Windows-1252 (no NUL, no quote): text, but not a table."""
    alphabet = bytes(b for b in range(1, 256) if b not in b'"\x81\x8d\x8f\x90\x9d')
    rng = random.Random(9)
    (p := d / "text_junk.csv").write_bytes(bytes(rng.choice(alphabet) for _ in range(4096)))
    return p


def unterminated_quote_csv(d: Path) -> Path:
    body = HEADER + ROW + '"Open Quote Ltd,01/04/2026,5\r\n' + ROW * 3
    (p := d / "unterminated_quote.csv").write_bytes(body.encode())
    return p


def billion_laughs_xlsx(d: Path) -> Path:
    sheet = _sheet(prolog=LAUGHS).replace(b"Acme Ltd", b"&lol9;")
    return _xlsx(d / "billion_laughs.xlsx", _workbook_parts(sheet))


def billion_laughs_strings_xlsx(d: Path) -> Path:
    sheet = _sheet().replace(
        b'<c r="A2" t="inlineStr"><is><t>Acme Ltd</t></is></c>', b'<c r="A2" t="s"><v>0</v></c>'
    )
    strings = f'{LAUGHS}<sst xmlns="{_MAIN}" count="1" uniqueCount="1"><si><t>&lol9;</t></si></sst>'
    parts = [*_workbook_parts(sheet), ("xl/sharedStrings.xml", strings.encode())]
    return _xlsx(d / "billion_laughs_strings.xlsx", parts)


def external_entity_xlsx(d: Path) -> Path:
    xxe = '<?xml version="1.0"?><!DOCTYPE workbook [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    parts = _workbook_parts(_sheet(), book_prolog=xxe)
    return _xlsx(d / "external_entity.xlsx", parts)


def huge_range_xlsx(d: Path) -> Path:
    far = '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    sheet = _sheet(extra=far).replace(
        b"<sheetData>", b'<dimension ref="A1:XFD1048576"/><sheetData>'
    )
    return _xlsx(d / "huge_range.xlsx", _workbook_parts(sheet))


def missing_shared_strings_xlsx(d: Path) -> Path:
    sheet = _sheet().replace(
        b'<c r="A2" t="inlineStr"><is><t>Acme Ltd</t></is></c>', b'<c r="A2" t="s"><v>0</v></c>'
    )
    return _xlsx(d / "missing_shared_strings.xlsx", _workbook_parts(sheet))


def truncated_xlsx(d: Path) -> Path:
    whole = io.BytesIO()
    with zipfile.ZipFile(whole, "w") as zf:
        for name, data in _workbook_parts(_sheet()):
            zf.writestr(zipfile.ZipInfo(name, _WHEN), data, compress_type=zipfile.ZIP_DEFLATED)
    data = whole.getvalue()
    (p := d / "truncated.xlsx").write_bytes(data[: len(data) * 2 // 3])
    return p


def csv_named_xlsx(d: Path) -> Path:
    (p := d / "csv_named.xlsx").write_bytes((HEADER + ROW).encode())
    return p


def truncated_xls(d: Path) -> Path:
    data = xls_compound(xls_stream([("Spend", xls_spend_sheet())]))
    (p := d / "truncated.xls").write_bytes(data[: len(data) * 2 // 3])
    return p


def csv_named_xls(d: Path) -> Path:
    """CSV text named .xls, as councils often publish it."""
    (p := d / "csv_named.xls").write_bytes((HEADER + ROW).encode())
    return p


def web_page_xls(d: Path) -> Path:
    """An HTML table named .xls (what some web systems export as "Excel")."""
    cells = "".join(f"<td>{t}</td>" for t in (HEADER + ROW).split())
    page = f"<html><head><title>Spend</title></head><body><table><tr>{cells}</tr></table></body>"
    (p := d / "web_page.xls").write_bytes(page.encode())
    return p


def huge_dimensions_xls(d: Path) -> Path:
    """A sheet whose DIMENSIONS record declares 4 billion rows: calamine reserves that many cells
    before reading one, and the allocation's failure aborts the process."""
    sheet = xls_spend_sheet().replace(xls_dimensions(0, 2, 0, 3), xls_dimensions(2, 1, 0, 16384))
    return _write(d / "huge_dimensions.xls", xls_compound(xls_stream([("Spend", sheet)])))


def huge_range_xls(d: Path) -> Path:
    """A number in row 65536, column 65536 (BIFF8 allows 256 columns): calamine's dense grid
    would hold 4.3 billion cells."""
    sheet = xls_spend_sheet(extra=xls_number(65535, 65535, 1))
    return _write(d / "huge_range.xls", xls_compound(xls_stream([("Spend", sheet)])))


def sector_loop_xls(d: Path) -> Path:
    """The Workbook stream's sector chain points back to its start: calamine would follow it
    for ever, its buffer growing until memory runs out."""
    data = bytearray(xls_compound(xls_stream([("Spend", xls_spend_sheet())])))
    last = 512 + 4 * 9  # the FAT entry of sector 9, the stream's last (sectors 2-9)
    struct.pack_into("<I", data, last, 2)
    return _write(d / "sector_loop.xls", bytes(data))


def billion_laughs_ods(d: Path) -> Path:
    rows = '<table:table-row><table:table-cell office:value-type="string"><text:p>&lol9;'
    rows += "</text:p></table:table-cell></table:table-row>"
    return _ods(d / "billion_laughs.ods", _ods_content(prolog=LAUGHS, rows=rows))


def repeated_cells_ods(d: Path) -> Path:
    """One number repeated over 16,384 columns and a million rows, in 300 bytes: calamine expands
    every repeat into its grid (17 billion cells)."""
    rows = (
        '<table:table-row table:number-rows-repeated="1048575"><table:table-cell '
        'office:value-type="float" office:value="1" table:number-columns-repeated="16384"/>'
        "</table:table-row>"
    )
    return _ods(d / "repeated_cells.ods", _ods_content(rows=rows))


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def truncated_zip(d: Path) -> Path:
    whole = _zip(d / "whole.zip", [("spend.csv", (HEADER + ROW * 200).encode())])
    data = whole.read_bytes()
    whole.unlink()
    (p := d / "truncated.zip").write_bytes(data[: len(data) // 2])
    return p


def corrupt_member_zip(d: Path) -> Path:
    """A stored member whose bytes no longer match its CRC-32."""
    path = _zip(
        d / "corrupt_member.zip", [("spend.csv", (HEADER + ROW).encode())], zipfile.ZIP_STORED
    )
    data = bytearray(path.read_bytes())
    at = data.index(b"Acme Ltd")
    data[at] = ord("B")
    path.write_bytes(bytes(data))
    return path


def nested_zip(d: Path) -> Path:
    """A zip in a zip in a zip: never opened blindly (each level could be a bomb)."""
    data = (HEADER + ROW).encode()
    for level in (3, 2):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            name = "spend.csv" if level == 3 else "level3.zip"
            zf.writestr(zipfile.ZipInfo(name, _WHEN), data, compress_type=zipfile.ZIP_DEFLATED)
        data = buf.getvalue()
    return _zip(d / "nested.zip", [("level2.zip", data)])


def declared_huge_zip(d: Path) -> Path:
    """Tiny members whose central directory declares 3 GiB each: refused on the declaration alone,
    before a byte is inflated."""
    path = _zip(d / "declared_huge.zip", [("a.csv", b"x"), ("b.csv", b"y")], zipfile.ZIP_STORED)
    data = bytearray(path.read_bytes())
    at = 0
    while (at := data.find(b"PK\x01\x02", at)) >= 0:
        struct.pack_into("<I", data, at + 24, 3 * 1024**3)  # uncompressed size
        at += 4
    path.write_bytes(bytes(data))
    return path


# --- large files, built at run time only -----------------------------------------------------


def zip_bomb_zip(d: Path) -> Path:
    """300 MB of zeros deflated to ~300 KB: a ratio of about 1,000."""
    info = zipfile.ZipInfo("spend.csv", _WHEN)
    info.compress_type = zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(d / "zip_bomb.zip", "w") as zf, zf.open(info, "w", force_zip64=True) as fh:
        fh.write(HEADER.encode())
        zeros = b"0" * MB
        for _ in range(300):
            fh.write(zeros)
    return d / "zip_bomb.zip"


def zip_bomb_xlsx(d: Path) -> Path:
    """A workbook whose sheet part inflates from ~300 KB to 300 MB (whitespace after the data)."""
    path = d / "zip_bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in _workbook_parts(_sheet()):
            info = zipfile.ZipInfo(name, _WHEN)
            info.compress_type = zipfile.ZIP_DEFLATED
            with zf.open(info, "w", force_zip64=True) as fh:
                fh.write(data)
                if name.endswith("sheet1.xml"):
                    for _ in range(300):
                        fh.write(b" " * MB)
    return path


def long_line_csv(d: Path) -> Path:
    """A 200 MB single line: a header whose last cell never ends."""
    path = d / "long_line.csv"
    with path.open("wb") as fh:
        fh.write(HEADER.strip().encode() + b",")
        block = b"x" * MB
        for _ in range(200):
            fh.write(block)
        fh.write(b"\n")
    return path


def wide_csv(d: Path) -> Path:
    """100,000 columns: a header and one row."""
    extra = 100_000 - 3
    head = HEADER.strip() + "," + ",".join(f"h{i}" for i in range(extra))
    row = ROW.strip() + "," * extra
    (p := d / "wide.csv").write_text(head + "\n" + row + "\n", encoding="utf-8")
    return p


def unclosed_quote_large_csv(d: Path) -> Path:
    """A quote opened on line 3 and never closed, then 200 MB of ordinary rows: Polars' line
    splitter would hold them all as one record (2.3 GB for a file this size)."""
    path = d / "unclosed_quote_large.csv"
    with path.open("wb") as fh:
        fh.write((HEADER + ROW + '"Open Quote Ltd,01/04/2026,5\r\n').encode())
        block = ROW.encode() * (MB // len(ROW))
        for _ in range(200):
            fh.write(block)
    return path


def many_members_zip(d: Path) -> Path:
    """20,000 tiny spend files in one archive: small on disk, but each member is a file to
    read (found by hand: this took over ten minutes before members were counted)."""
    body = (HEADER + ROW).encode()
    return _zip(d / "many_members.zip", [(f"s{i:05d}.csv", body) for i in range(20_000)])


Builder = Callable[[Path], Path]
SMALL: list[Builder] = [
    empty_csv,
    blank_lines_csv,
    header_only_csv,
    nul_bytes_csv,
    binary_junk_csv,
    text_junk_csv,
    unterminated_quote_csv,
    billion_laughs_xlsx,
    billion_laughs_strings_xlsx,
    external_entity_xlsx,
    huge_range_xlsx,
    missing_shared_strings_xlsx,
    truncated_xlsx,
    csv_named_xlsx,
    truncated_xls,
    csv_named_xls,
    web_page_xls,
    huge_dimensions_xls,
    huge_range_xls,
    sector_loop_xls,
    billion_laughs_ods,
    repeated_cells_ods,
    truncated_zip,
    corrupt_member_zip,
    nested_zip,
    declared_huge_zip,
]
LARGE: list[Builder] = [
    zip_bomb_zip,
    zip_bomb_xlsx,
    long_line_csv,
    wide_csv,
    many_members_zip,
    unclosed_quote_large_csv,
]


def main(argv: list[str]) -> None:
    target = Path(argv[0]) if argv else Path(__file__).with_name("files")
    target.mkdir(parents=True, exist_ok=True)
    for build in SMALL:
        print(build(target))


if __name__ == "__main__":
    main(sys.argv[1:])
