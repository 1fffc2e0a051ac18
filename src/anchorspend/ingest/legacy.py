"""Legacy workbooks: ``.xls`` (Excel 97-2003: BIFF records in an OLE2 compound file) and ``.ods``
(OpenDocument: a zip of XML), read into the same :class:`RawTable` as XLSX.

calamine (through fastexcel) parses the whole of either file when it opens it, and it trusts what
the file declares: an OLE2 sector number or stream length is allocated before it is read, a
sector chain is followed without a bound, a sheet's declared dimensions are reserved as cells,
an ODS cell's repeat count is expanded cell by cell. A hostile file could so abort the process
(an allocation failure is no exception) or never end. So before calamine sees the file, this
module walks it the way calamine will and refuses what would hurt:

* ``.xls``: the file's size; the compound file's header and sector chains (in range, without
  loops, inside the file); in the Workbook stream, each sheet's declared dimensions and the
  extent of its cells (the XLSX limit), the declared shared-string count, formulas whose space
  tokens calamine would lay out in quadratic time, and password protection.
* ``.ods``: the XLSX checks of the zip (declared sizes, DTDs in any part), then content.xml
  streamed once: each table's cell extent with repeated rows and columns counted, and repeated
  spaces.

The same pass collects what calamine does not report, for the XLSX reader's later steps (see
:func:`anchorspend.ingest.xlsx._frame`): merged ranges, error cells (#DIV/0!, which calamine reads
as a blank or, in ODS, as 0) and ODS time cells (which fastexcel drops).

A file named ``.xls`` or ``.ods`` that is something else (CSV text, a web page, an XLSX
workbook) is named for what it is, with the fix.
"""

from __future__ import annotations

import re
import struct
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.parsers import expat

import fastexcel

from anchorspend.errors import AnchorspendError
from anchorspend.ingest.header import letter
from anchorspend.ingest.raw import RawTable
from anchorspend.ingest.xlsx import (
    _OLE_MAGIC,
    _TOO_BIG_HINT,
    DAMAGED,
    MAX_CELLS,
    MAX_UNCOMPRESSED_BYTES,
    _frame,
    _library_failure,
    _Loaded,
    _named,
    _open_zip,
    _pick,
    _refuse_dtds,
    _Scan,
    _Sheet,
    _table,
    _unreadable,
)

KINDS = {".xls": "XLS", ".ods": "ODS"}
MAX_XLS_BYTES = MAX_UNCOMPRESSED_BYTES  # an .xls file is read whole, as an XLSX expands
MAX_FORMULA_SPACES = 10_000  # space tokens in one .xls formula (calamine inserts each one)
MAX_ALLOCATION = 1024**3  # bytes that one header field of a compound file may make calamine reserve
_ZIP_MAGIC = b"PK\x03\x04"
_ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"
_CUT = "the workbook is damaged or incomplete: download or export it again"
_REJECT = "if the file is genuine, open and save it in a spreadsheet, or export it as CSV"
_PASSWORD = "save it without a password (or export CSV)"


def _ref(r1: int, c1: int, r2: int, c2: int) -> str:
    return f"{letter(c1)}{r1}:{letter(c2)}{r2}"


# --- what the file is --------------------------------------------------------------------------

_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f]")


def _as_text(head: bytes) -> str | None:
    """The start of the file as text, if it is text (a byte-order mark, or no control bytes)."""
    for bom, codec in (
        (b"\xef\xbb\xbf", "utf-8"),
        (b"\xff\xfe", "utf-16-le"),
        (b"\xfe\xff", "utf-16-be"),
    ):
        if head.startswith(bom):
            return head[len(bom) :].decode(codec, "replace")
    return None if _CONTROL.search(head) else head.decode("utf-8", "replace")


def _zip_kind(path: Path) -> str | None:
    """ "XLSX" or "ODS" for a zip archive holding that kind of workbook (from its directory)."""
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            mime = zf.read("mimetype")[:64] if "mimetype" in names else b""
    except Exception:  # a damaged archive is simply no workbook we can name
        return None
    if "xl/workbook.xml" in names:
        return "XLSX"
    return "ODS" if mime.startswith(_ODS_MIME) else None


def _misnamed(path: Path, head: bytes, kind: str, display: str) -> AnchorspendError:
    """The error for a file named ``.xls``/``.ods`` whose bytes are something else."""
    ext = "." + kind.lower()

    def error(reason: str, hint: str) -> AnchorspendError:
        return _unreadable(display, reason, hint, kind)

    if not head:
        return error("the file is empty", "download or export it again")
    if head.startswith(_ZIP_MAGIC):
        other = _zip_kind(path)
        if other is not None and other != kind:
            return error(f"it is an {other} workbook named {ext}", f"rename it to .{other.lower()}")
        if kind == "XLS":
            return error("it is a zip archive, not an Excel 97-2003 file", "check the file")
    if head.startswith(_OLE_MAGIC):  # only an .ods gets here
        return error(
            "it is an OLE2 compound file (an Excel 97-2003 workbook, or a password-protected "
            "one), not an OpenDocument spreadsheet",
            "rename it to .xls if it is an Excel 97-2003 workbook; " + _PASSWORD,
        )
    text = _as_text(head)
    if text is None:
        magic = "the OLE2 signature of Excel 97-2003 files" if kind == "XLS" else "a zip archive"
        return error(f"it is not {magic}", f"check the file: it is damaged, or not a {ext} file")
    low = text.lstrip().lower()
    if low.startswith(("<!doctype html", "<html")) or "<table" in low or "<html" in low:
        return error(
            f"it is a web page (HTML) saved as {ext}, not a workbook",
            "open it in a spreadsheet and save it as .xlsx, or export the data again as CSV",
        )
    if "urn:schemas-microsoft-com:office:spreadsheet" in low:
        return error(
            f"it is an Excel 2003 XML spreadsheet saved as {ext}",
            "open it in Excel and save it as .xlsx, or export CSV",
        )
    return error(f"it is text (CSV?) named {ext}, not a workbook", "rename it to .csv")


# --- .xls: the compound file -------------------------------------------------------------------

_END = 0xFFFFFFFE  # ENDOFCHAIN
_RESERVED = 0xFFFFFFFA  # sector numbers from here on are markers, not sectors
_DIFSECT = 0xFFFFFFFC


def _u32s(data: bytes) -> tuple[int, ...]:
    return struct.unpack(f"<{len(data) // 4}I", data[: len(data) // 4 * 4])


class _Compound:
    """An OLE2 compound file, read the way calamine's ``Cfb`` reads it, with each number checked
    before calamine would act on it. Sectors must lie whole inside the file."""

    def __init__(self, data: bytes, display: str) -> None:
        self.data, self.display = data, display
        if len(data) < 512:
            raise self.damaged("it is shorter than a compound file's 512-byte header")
        self.version, shift, mini_shift = struct.unpack_from("<H2xHH", data, 26)
        if shift not in (9, 12) or mini_shift != 6:
            raise self.damaged("its header declares an impossible sector size")
        self.size = 1 << shift
        header = 512 if shift == 9 else 4096
        self.start = header
        self.count = max(len(data) - header, 0) // self.size  # whole sectors in the file
        dir_len, fat_len, dir_start = struct.unpack_from("<3I", data, 40)
        mini_fat_start, mini_fat_len, difat_start = struct.unpack_from("<3I", data, 60)
        # calamine reserves DIFAT room by a count read across two header fields (bytes 62-65)
        (difat_room,) = struct.unpack_from("<I", data, 62)
        if difat_room * 4 > MAX_ALLOCATION or fat_len > self.count:
            raise self.damaged("its header declares more sectors than the file holds")
        difat = list(_u32s(data[76:512]))
        sector, steps = difat_start, 0
        while sector < _RESERVED:
            difat.extend(_u32s(self.sector(sector)))
            sector = difat.pop()
            steps += 1
            if steps > self.count:
                raise self.damaged("its sector table's chain loops")
        self.fat = _u32s(b"".join(self.sector(s) for s in difat if s < _DIFSECT))
        dirs = self.chain(dir_start, self.fat, self.size, dir_len * self.size)
        self.entries = [self._entry(dirs[i : i + 128]) for i in range(0, len(dirs) - 127, 128)]
        if not self.entries or (self.version != 3 and self.entries[0][1] == _END):
            raise self.damaged("it has no root directory")
        self.mini: bytes = b""
        self.mini_fat: tuple[int, ...] = ()
        if mini_fat_len > 0:
            root = self.entries[0]
            self.mini = self.chain(root[1], self.fat, self.size, root[2])
            self.mini_fat = _u32s(
                self.chain(mini_fat_start, self.fat, self.size, mini_fat_len * self.size)
            )

    def damaged(self, reason: str) -> AnchorspendError:
        return _unreadable(self.display, reason, _CUT, "XLS")

    def sector(self, sector: int) -> bytes:
        if sector >= self.count:
            raise self.damaged("a sector chain points past the end of the file (cut short?)")
        at = self.start + sector * self.size
        return self.data[at : at + self.size]

    def chain(self, first: int, fat: tuple[int, ...], size: int, declared: int) -> bytes:
        """A stream's bytes by its sector chain (``size`` 64 for the mini stream), cut to its
        declared length when it has one, as calamine does; calamine reserves that length first."""
        if declared > len(self.data):
            raise self.damaged(
                f"a stream declares {declared:,} bytes but the whole file has "
                f"{len(self.data):,} (cut short?)"
            )
        parts: list[bytes] = []
        sector = first
        store = self.mini if size == 64 else None
        limit = len(store) // 64 if store is not None else self.count
        while sector != _END:
            if sector >= limit or sector >= len(fat) or len(parts) >= limit:
                raise self.damaged(
                    "a sector chain points past the end of the file, or loops (cut short?)"
                )
            parts.append(
                store[sector * 64 : sector * 64 + 64] if store is not None else self.sector(sector)
            )
            sector = fat[sector]
        data = b"".join(parts)
        return data[:declared] if declared else data

    def _entry(self, raw: bytes) -> tuple[str, int, int]:
        """A directory entry: name, first sector, length (64-bit with 4096-byte sectors)."""
        name = raw[:64].decode("utf-16-le", "replace").split("\0", 1)[0]
        (start,) = struct.unpack_from("<I", raw, 116)
        (length,) = struct.unpack_from("<I" if self.size == 512 else "<Q", raw, 120)
        return name, start, length

    def workbook(self) -> bytes:
        names = [e[0] for e in self.entries]
        found = next((e for e in self.entries if e[0] == "Workbook"), None) or next(
            (e for e in self.entries if e[0] == "Book"), None
        )
        if found is None:
            if "EncryptedPackage" in names:
                raise AnchorspendError(
                    "the workbook is password-protected", path=self.display, hint=_PASSWORD
                )
            raise _unreadable(
                self.display,
                "the compound file holds no Workbook stream (is it another Office document "
                "named .xls?)",
                "check the file; save it from Excel as .xlsx or export CSV",
                "XLS",
            )
        _, first, length = found
        if length < 4096:
            return self.chain(first, self.mini_fat, 64, length)
        return self.chain(first, self.fat, self.size, length)


# --- .xls: the BIFF records --------------------------------------------------------------------

_BOF, _EOF, _CONTINUE, _FILEPASS, _BOUNDSHEET, _SST = 0x0809, 0x000A, 0x003C, 0x002F, 0x0085, 0x00FC
_DIMENSIONS, _MERGED, _FORMULA, _STRING, _BOOLERR, _MULRK = (
    0x0200,
    0x00E5,
    0x0006,
    0x0207,
    0x0205,
    0x00BD,
)
# records that hold one cell at (row, column) in their first four bytes, as calamine reads them
_CELLS = {0x0203: 14, 0x0204: 6, _BOOLERR: 8, 0x027E: 10, 0x00FD: 10, _FORMULA: 20}
# records that may stand between a formula and the STRING record holding its text result
_FORMULA_COMPANIONS = {0x04BC, 0x0221, 0x0236, _CONTINUE}
_XLS_ERRORS = {
    0x00: "#NULL!",
    0x07: "#DIV/0!",
    0x0F: "#VALUE!",
    0x17: "#REF!",
    0x1D: "#NAME?",
    0x24: "#NUM!",
    0x2A: "#N/A",
    0x2B: "#GETTING_DATA",
}
_SPACE_TOKEN = re.compile(rb"\x19[\x40\x41].(.)", re.DOTALL)  # PtgAttrSpace and its count


def _records(stream: bytes, at: int, fail: AnchorspendError) -> Iterator[tuple[int, bytes, int]]:
    """(type, data, bytes of CONTINUE records folded into it) of each record from ``at``, as
    calamine iterates them; a record running past the stream's end raises ``fail``."""
    end = len(stream)
    while at < end:
        if end - at < 4:
            raise fail
        kind, length = struct.unpack_from("<HH", stream, at)
        at += 4 + length
        if at > end:
            raise fail
        data, extra = stream[at - length : at], 0
        while end - at > 4 and stream[at : at + 2] == b"<\x00":  # CONTINUE
            (more,) = struct.unpack_from("<H", stream, at + 2)
            at += 4 + more
            if at > end:
                raise fail
            extra += more
        yield kind, data, extra


@dataclass(frozen=True, slots=True)
class _Entry:
    """A sheet as the workbook globals list it."""

    at: int
    name: str
    hidden: bool
    worksheet: bool


def _xls(path: Path, display: str) -> list[tuple[_Sheet, _Scan]]:
    size = path.stat().st_size
    if size > MAX_XLS_BYTES:
        raise AnchorspendError(
            f"refusing to open: the workbook is {size:,} bytes; anchorspend reads .xls files of "
            f"up to {MAX_XLS_BYTES:,}",
            path=display,
            hint=_TOO_BIG_HINT,
        )
    stream = _Compound(path.read_bytes(), display).workbook()
    fail = _unreadable(
        display, "its Workbook stream ends inside a record (cut short?)", _CUT, "XLS"
    )
    entries: list[_Entry] = []
    biff8 = True
    for kind, data, extra in _records(stream, 0, fail):
        if kind == _BOF and len(data) >= 4:
            version, dt = struct.unpack_from("<HH", data)
            # calamine's reading of the version: BIFF2 to BIFF5 by number, anything else BIFF8
            older = version in (0x0002, 0x0007, 0x0200, 0x0300, 0x0400, 0x0500)
            biff8 = not older and not (version == 0 and dt == 0x1000)
        elif kind == _FILEPASS:
            raise AnchorspendError(
                "the workbook is password-protected", path=display, hint=_PASSWORD
            )
        elif kind == _BOUNDSHEET:
            entries.append(_entry(data, biff8, len(stream), display))
        elif kind == _SST and len(data) >= 8:
            (strings,) = struct.unpack_from("<i", data, 4)
            room = len(data) - 8 + extra
            if strings < 0 or strings * 3 > room:  # each string takes 3 bytes at least
                raise _unreadable(
                    display,
                    f"its shared-string table declares {strings:,} strings in {room:,} bytes",
                    _CUT,
                    "XLS",
                )
        elif kind == _EOF:
            break
    return [
        (
            _Sheet(e.name, "Workbook" if e.worksheet else None, e.hidden),
            _scan_sheet(stream, e, display, fail),
        )
        for e in entries
    ]


def _entry(data: bytes, biff8: bool, size: int, display: str) -> _Entry:
    """A BOUNDSHEET record: where the sheet starts, its name, visibility and type."""
    if len(data) < 8 or data[4] & 0x3F > 2 or data[5] not in (0, 1, 2, 6):
        raise _unreadable(display, "a sheet entry in its workbook globals is damaged", _CUT, "XLS")
    (at,) = struct.unpack_from("<I", data)
    count = data[6]
    if biff8:
        wide = data[7] & 1
        raw = data[8 : 8 + count * (2 if wide else 1)]
        name = raw.decode("utf-16-le" if wide else "latin-1", "replace")
    else:
        name = data[7 : 7 + count].decode("cp1252", "replace")
    name = name.replace("\0", "")
    if at >= size:
        raise _unreadable(
            display, f"sheet {name!r} starts past the end of the workbook stream", _CUT, "XLS"
        )
    return _Entry(at, name, data[4] & 0x3F != 0, data[5] == 0)


def _scan_sheet(stream: bytes, entry: _Entry, display: str, fail: AnchorspendError) -> _Scan:
    """One sheet's records from its BOF to its EOF: declared dimensions and the extent of the
    cells calamine will place, merged ranges, error cells, formulas left without a value."""
    scan = _Scan()
    name = entry.name
    top = left = -1
    pending: tuple[int, int] | None = None  # a formula whose text result should follow
    for kind, data, _ in _records(stream, entry.at, fail):
        if pending is not None and kind not in _FORMULA_COMPANIONS and kind != _STRING:
            scan.formulas.append((letter(pending[1]), pending[0] + 1, None))
            pending = None
        least = _CELLS.get(kind)
        if least is not None and len(data) >= least:
            row, col = struct.unpack_from("<HH", data)
            top, left = max(top, row), max(left, col)
            if kind == _BOOLERR and data[7] == 1:
                _error(scan, row, col, data[6])
            elif kind == _FORMULA:
                pending = _formula(scan, row, col, data, name, display)
        elif kind == _MULRK and len(data) >= 6:
            row, _ = struct.unpack_from("<HH", data)
            (last,) = struct.unpack_from("<H", data, len(data) - 2)
            top, left = max(top, row), max(left, last)
        elif kind == _STRING:
            pending = None
        elif kind == _DIMENSIONS:
            _dimensions(data, name, display)
        elif kind == _MERGED:
            _merges(scan, data, display, name)
        elif kind == _EOF:
            break
    if pending is not None:
        scan.formulas.append((letter(pending[1]), pending[0] + 1, None))
    scan.max_row, scan.max_col = top + 1, left + 1
    if scan.max_row * scan.max_col > MAX_CELLS:
        raise AnchorspendError(
            f"refusing to open sheet {name!r}: its cells span up to "
            f"{scan.max_row} rows x {scan.max_col} columns",
            path=display,
            hint=_TOO_BIG_HINT,
        )
    scan.merges.sort()
    return scan


def _error(scan: _Scan, row: int, col: int, code: int) -> None:
    text = _XLS_ERRORS.get(code, f"#ERROR({code})")
    scan.errors.append((letter(col), row + 1, text))
    scan.cells.append((row + 1, col, row + 1, col, None))


def _formula(
    scan: _Scan, row: int, col: int, data: bytes, name: str, display: str
) -> tuple[int, int] | None:
    """A FORMULA record: its cached result (an error is a finding; a text result follows in a
    STRING record, whose position is returned), and the spaces its tokens ask calamine for."""
    if b"\x19" in data[20:]:
        spaces = sum(m[1][0] for m in _SPACE_TOKEN.finditer(data, 20))
        if spaces > MAX_FORMULA_SPACES:
            raise AnchorspendError(
                f"refusing to open sheet {name!r}: the formula in cell {letter(col)}{row + 1} "
                f"declares {spaces:,} spaces, which would take the reader minutes to lay out",
                path=display,
                hint=_REJECT,
            )
    if data[12:14] != b"\xff\xff":
        return None  # a number
    if data[6] == 2:
        _error(scan, row, col, data[8])
    return (row, col) if data[6] == 0 else None


def _dimensions(data: bytes, name: str, display: str) -> None:
    """calamine reserves rows x columns cells for a sheet's DIMENSIONS record, counting in 32-bit
    unsigned arithmetic (a last row above the first wraps round to four billion)."""
    if len(data) == 10:
        first, end, left, right = struct.unpack_from("<4H", data)
    elif len(data) == 14:
        first, end, left, right = struct.unpack_from("<2I2H", data)
    else:
        return  # calamine refuses the record itself
    rows, cols = ((end - first) % 2**32, (right - left) % 2**32) if end and right else (1, 1)
    if rows * cols > MAX_CELLS:
        raise AnchorspendError(
            f"refusing to open sheet {name!r}: it declares {rows:,} rows x {cols:,} columns",
            path=display,
            hint=_TOO_BIG_HINT,
        )


def _merges(scan: _Scan, data: bytes, display: str, name: str) -> None:
    (count,) = struct.unpack_from("<H", data) if len(data) >= 2 else (0,)
    if len(data) < 2 + 8 * count:
        raise _unreadable(display, f"sheet {name!r}: a merged-cells record is damaged", _CUT, "XLS")
    for i in range(count):
        first, last, left, right = struct.unpack_from("<4H", data, 2 + 8 * i)
        scan.merges.append(
            (first + 1, left, last + 1, right, _ref(first + 1, left, last + 1, right))
        )


# --- .ods: content.xml -------------------------------------------------------------------------

_CELL_TAGS = ("table:table-cell", "table:covered-table-cell")
_VALUES = frozenset(
    (
        "office:value",
        "office:string-value",
        "office:date-value",
        "office:time-value",
        "office:boolean-value",
    )
)
# attributes of a cell that the scan acts on (besides an error's calcext:value-type)
_RARE = frozenset(
    (
        "office:time-value",
        "table:formula",
        "table:number-columns-spanned",
        "table:number-rows-spanned",
    )
)
_DURATION = re.compile(r"^PT?(?:(\d+)D)?T?(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)(\.\d+)?S)?$")


def _time(value: str) -> str:
    """An ODS time value (an ISO 8601 duration, PT14H30M00S) as the XLSX reader gives a time
    cell, 14:30:00; one it cannot read is kept as written."""
    m = _DURATION.match(value)
    if m is None or not any(m.groups()):
        return value
    days, hours, minutes, seconds, fraction = m.groups()
    hours_total = int(days or 0) * 24 + int(hours or 0)
    return f"{hours_total:02d}:{int(minutes or 0):02d}:{int(seconds or 0):02d}{fraction or ''}"


def _count(value: str | None, what: str, fail: Any) -> int:
    if value is None:
        return 1
    if not value.isdigit():
        raise fail(f"content.xml: a {what} count is not a number ({value[:20]!r})")
    return int(value)


class _OdsScan:
    """Handlers for one expat pass over content.xml, with the element names as written
    ("table:table-cell"): calamine matches those prefixes literally, and so does this."""

    def __init__(self, display: str) -> None:
        self.display = display
        self.hidden_styles: set[str] = set()
        self.style: str | None = None
        self.sheets: list[tuple[_Sheet, _Scan]] = []
        self.scan: _Scan | None = None  # the table being read
        self.row = 0  # rows above the current row element, repeats counted
        self.repeats = 1  # the current row element's repeat count
        self.in_row = False
        self.first = self.last = -1  # the current row's first and last filled columns
        self.col = 0
        self.depth = 0  # elements open inside the current cell (0: not in a cell)
        self.cell: tuple[int, int] = (0, 0)  # row (1-based) and column of the current cell
        self.text: list[str] | None = None  # the current cell's text, when it is needed
        self.error = False
        self.spaces = 0

    def fail(self, reason: str) -> AnchorspendError:
        return _unreadable(self.display, reason, DAMAGED, "ODS")

    def doctype(self, *_: object) -> None:
        raise self.fail("content.xml declares an XML DTD")

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if self.depth:
            self.depth += 1
            if name == "text:s":
                self._spaces(attrs)
        elif name in _CELL_TAGS and self.in_row:
            self._cell(attrs)
        elif name == "style:style":
            self.style = attrs.get("style:name")
        elif name == "style:table-properties" and self.style is not None:
            if attrs.get("table:display") == "false":
                self.hidden_styles.add(self.style)
        elif name == "table:table" and self.scan is None and "table:name" in attrs:
            hidden = attrs.get("table:style-name") in self.hidden_styles
            self.scan, self.row = _Scan(), 0
            self.sheets.append((_Sheet(attrs["table:name"], "content.xml", hidden), self.scan))
        elif name == "table:table-row" and self.scan is not None and not self.in_row:
            self.repeats = _count(attrs.get("table:number-rows-repeated"), "row", self.fail)
            self.in_row, self.col, self.first, self.last = True, 0, -1, -1

    def _cell(self, attrs: dict[str, str]) -> None:
        """A cell: whether it is filled (as calamine decides: a value, a text type or a
        formula), and, rarely, what the scan must add (an error, a time, a span)."""
        assert self.scan is not None
        repeats = 1
        if "table:number-columns-repeated" in attrs:
            repeats = _count(attrs["table:number-columns-repeated"], "column", self.fail)
        col = self.col
        self.col, self.depth = col + repeats, 1
        if not attrs:
            return
        kind = attrs.get("office:value-type")
        valued = not _VALUES.isdisjoint(attrs)
        formula = attrs.get("table:formula")
        if valued or kind == "string" or formula:
            self.first = col if self.first < 0 else self.first
            self.last = col + repeats - 1
        self.error = attrs.get("calcext:value-type") == "error"
        if not self.error and _RARE.isdisjoint(attrs):
            return
        row = self.row + 1
        rect = (row, col, row + self.repeats - 1, col + repeats - 1)
        if self.error:
            self.scan.cells.append((*rect, None))
        elif kind == "time" and "office:time-value" in attrs:
            self.scan.cells.append((*rect, _time(attrs["office:time-value"])))
        elif formula and not valued and kind != "string":
            self.scan.formulas.append((letter(col), row, formula))
        across = _count(attrs.get("table:number-columns-spanned"), "span", self.fail)
        down = _count(attrs.get("table:number-rows-spanned"), "span", self.fail)
        if across > 1 or down > 1:
            end = (row + down - 1, col + across - 1)
            self.scan.merges.append((row, col, *end, _ref(row, col, *end)))
        self.cell = (row, col)
        self.text = [] if self.error else None  # text is kept only for an error's name

    def _spaces(self, attrs: dict[str, str]) -> None:
        """text:s, inside a cell: calamine writes out its count of spaces."""
        self.spaces += _count(attrs.get("text:c"), "space", self.fail)
        if self.spaces > MAX_CELLS:
            raise AnchorspendError(
                f"refusing to open: content.xml declares over {MAX_CELLS:,} repeated spaces",
                path=self.display,
                hint=_REJECT,
            )

    def data(self, text: str) -> None:
        if self.depth and self.text is not None:
            self.text.append(text)

    def end(self, name: str) -> None:
        if self.depth:
            self.depth -= 1
            if not self.depth and self.error:
                self._cell_done()
        elif name == "table:table-row" and self.in_row:
            self._row_done()
        elif name == "table:table" and self.scan is not None:
            self.scan.merges.sort()
            self.scan = None

    def _cell_done(self) -> None:
        """The end of an error cell: its text names the error."""
        assert self.scan is not None
        row, col = self.cell
        text = "".join(self.text or ())
        self.scan.errors.append((letter(col), row, text or "#ERROR"))
        self.text, self.error = None, False

    def _row_done(self) -> None:
        assert self.scan is not None
        if self.last >= 0:
            self.scan.max_row = self.row + self.repeats
            self.scan.max_col = max(self.scan.max_col, self.last + 1)
            if self.scan.max_row * self.scan.max_col > MAX_CELLS:
                sheet = self.sheets[-1][0].name
                raise AnchorspendError(
                    f"refusing to open sheet {sheet!r}: its cells span up to "
                    f"{self.scan.max_row} rows x {self.scan.max_col} columns",
                    path=self.display,
                    hint=_TOO_BIG_HINT,
                )
        self.row += self.repeats
        self.in_row = False


def _ods(zf: zipfile.ZipFile, display: str) -> list[tuple[_Sheet, _Scan]]:
    def refuse(reason: str, hint: str = DAMAGED) -> AnchorspendError:
        return _unreadable(display, reason, hint, "ODS")

    names = set(zf.namelist())
    if "xl/workbook.xml" in names:
        raise refuse("it is an XLSX workbook named .ods", "rename it to .xlsx")
    if "mimetype" not in names:
        raise refuse("it has no mimetype entry (is it an OpenDocument file?)")
    mime = zf.read("mimetype")[:200]
    if not mime.startswith(_ODS_MIME):
        what = mime.decode("ascii", "replace").strip() or "(empty)"
        raise refuse(
            f"it is an OpenDocument file of type {what!r}, not a spreadsheet", "check the file"
        )
    manifest = zf.getinfo("META-INF/manifest.xml") if "META-INF/manifest.xml" in names else None
    small = manifest is not None and manifest.file_size < 1 << 20
    if manifest is not None and small and b"encryption-data" in zf.read(manifest):
        raise AnchorspendError("the workbook is password-protected", path=display, hint=_PASSWORD)
    if "content.xml" not in names:
        raise refuse("it has no content.xml")
    scan = _OdsScan(display)
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.StartDoctypeDeclHandler = scan.doctype
    parser.StartElementHandler = scan.start
    parser.EndElementHandler = scan.end
    parser.CharacterDataHandler = scan.data
    try:
        with zf.open("content.xml") as stream:
            while chunk := stream.read(1 << 20):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise refuse(f"content.xml is not well-formed XML (line {exc.lineno})") from exc
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError) as exc:
        raise refuse("content.xml cannot be extracted") from exc
    return scan.sheets


# --- reading -----------------------------------------------------------------------------------


@dataclass(slots=True)
class _Book:
    reader: Any
    kind: str
    sheets: list[_Sheet]
    scans: list[_Scan]
    display: str

    def load(self, sheet: _Sheet) -> _Loaded:
        i = self.sheets.index(sheet)
        gap = "T" if self.kind == "ODS" else " "
        return _frame(self.reader, i, sheet, self.scans[i], self.display, self.kind, gap)


def _open(path: Path, display: str) -> _Book:
    kind = KINDS[path.suffix.lower()]
    with path.open("rb") as fh:
        head = fh.read(4096)
    if kind == "XLS":
        if not head.startswith(_OLE_MAGIC):
            raise _misnamed(path, head, kind, display)
        found = _xls(path, display)
    else:
        if not head.startswith(_ZIP_MAGIC):
            raise _misnamed(path, head, kind, display)
        with _open_zip(path, display, kind) as zf:
            _refuse_dtds(zf, display)
            found = _ods(zf, display)
    try:
        reader = fastexcel.read_excel(path)
        names = list(reader.sheet_names)
    except BaseException as exc:
        if not _library_failure(exc):
            raise
        raise _unreadable(display, "its contents could not be read", DAMAGED, kind) from exc
    if len(names) != len(found):
        reason = f"it lists {len(found)} sheets but {len(names)} could be read"
        raise _unreadable(display, reason, DAMAGED, kind)
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise _unreadable(
            display,
            f"two sheets share the name {twice[0]!r}",
            "rename one of them in a spreadsheet and save it again",
            kind,
        )
    sheets = [_Sheet(n, s.part, s.hidden) for n, (s, _) in zip(names, found, strict=True)]
    if not sheets:
        raise _unreadable(display, "it lists no sheets", DAMAGED, kind)
    return _Book(reader, kind, sheets, [scan for _, scan in found], display)


def read_legacy(
    path: Path,
    *,
    display: str,
    sheet: str | None = None,
    looks_like_header: Callable[[list[str | None]], int],
) -> RawTable:
    """Read one worksheet of an ``.xls`` or ``.ods`` workbook: ``sheet`` (a name, or a 1-based
    index as text) or the best-headed one, as :func:`anchorspend.ingest.xlsx.read_xlsx` does."""
    book = _open(path, display)
    others: list[str] = []
    if sheet is not None:
        loaded = book.load(_named(book.sheets, sheet, display))
    else:
        loaded, others = _pick(book.load, book.sheets, looks_like_header, display)
    return _table(loaded, others, display)


def worksheets(path: Path, display: str) -> list[str]:
    """The names of the workbook's visible worksheets, in workbook order (hidden ones only when
    no sheet is visible): what ``--sheet '*'`` reads."""
    sheets = [s for s in _open(path, display).sheets if s.part is not None]
    visible = [s.name for s in sheets if not s.hidden]
    return visible or [s.name for s in sheets]
