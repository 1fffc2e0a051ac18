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
    truncated_zip,
    corrupt_member_zip,
    nested_zip,
    declared_huge_zip,
]
LARGE: list[Builder] = [zip_bomb_zip, zip_bomb_xlsx, long_line_csv, wide_csv, many_members_zip]


def main(argv: list[str]) -> None:
    target = Path(argv[0]) if argv else Path(__file__).with_name("files")
    target.mkdir(parents=True, exist_ok=True)
    for build in SMALL:
        print(build(target))


if __name__ == "__main__":
    main(sys.argv[1:])
