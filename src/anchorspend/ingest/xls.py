"""The BIFF records of an ``.xls`` workbook's Workbook stream, walked the way calamine will walk
them, before it does: each sheet's declared dimensions and the extent of its cells (the XLSX
limit), the declared shared-string count, formulas whose space tokens calamine would lay out in
quadratic time, and password protection are refused where they would hurt. The same pass
collects, per sheet, what calamine does not report (a :class:`Scan`): merged ranges, error cells
(#DIV/0!, which calamine reads as a blank) and formulas left without a value.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from anchorspend.errors import AnchorspendError
from anchorspend.ingest.header import letter
from anchorspend.ingest.ole2 import Compound
from anchorspend.ingest.sheets import (
    CUT_SHORT,
    MAX_CELLS,
    REJECT,
    TOO_BIG,
    Scan,
    Sheet,
    cell_range,
    password_protected,
    refuse_overlarge,
    unreadable,
)
from anchorspend.ingest.workbook_zip import MAX_UNCOMPRESSED_BYTES

MAX_XLS_BYTES = MAX_UNCOMPRESSED_BYTES  # an .xls file is read whole, as an XLSX expands
MAX_FORMULA_SPACES = 10_000  # space tokens in one .xls formula (calamine inserts each one)


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


def scan_xls(path: Path, display: str) -> list[tuple[Sheet, Scan]]:
    size = path.stat().st_size
    if size > MAX_XLS_BYTES:
        raise AnchorspendError(
            f"refusing to open: the workbook is {size:,} bytes; anchorspend reads .xls files of "
            f"up to {MAX_XLS_BYTES:,}",
            path=display,
            hint=TOO_BIG,
        )
    stream = Compound(path.read_bytes(), display).workbook()
    fail = unreadable(
        display, "its Workbook stream ends inside a record (cut short?)", CUT_SHORT, "XLS"
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
            raise password_protected(display)
        elif kind == _BOUNDSHEET:
            entries.append(_entry(data, biff8, len(stream), display))
        elif kind == _SST and len(data) >= 8:
            (strings,) = struct.unpack_from("<i", data, 4)
            room = len(data) - 8 + extra
            if strings < 0 or strings * 3 > room:  # each string takes 3 bytes at least
                raise unreadable(
                    display,
                    f"its shared-string table declares {strings:,} strings in {room:,} bytes",
                    CUT_SHORT,
                    "XLS",
                )
        elif kind == _EOF:
            break
    return [
        (
            Sheet(e.name, "Workbook" if e.worksheet else None, e.hidden),
            _scan_sheet(stream, e, display, fail),
        )
        for e in entries
    ]


def _entry(data: bytes, biff8: bool, size: int, display: str) -> _Entry:
    """A BOUNDSHEET record: where the sheet starts, its name, visibility and type."""
    if len(data) < 8 or data[4] & 0x3F > 2 or data[5] not in (0, 1, 2, 6):
        raise unreadable(
            display, "a sheet entry in its workbook globals is damaged", CUT_SHORT, "XLS"
        )
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
        raise unreadable(
            display, f"sheet {name!r} starts past the end of the workbook stream", CUT_SHORT, "XLS"
        )
    return _Entry(at, name, data[4] & 0x3F != 0, data[5] == 0)


def _scan_sheet(stream: bytes, entry: _Entry, display: str, fail: AnchorspendError) -> Scan:
    """One sheet's records from its BOF to its EOF: declared dimensions and the extent of the
    cells calamine will place, merged ranges, error cells, formulas left without a value."""
    scan = Scan()
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
    refuse_overlarge(scan, name, display)
    scan.merges.sort()
    return scan


def _error(scan: Scan, row: int, col: int, code: int) -> None:
    text = _XLS_ERRORS.get(code, f"#ERROR({code})")
    scan.errors.append((letter(col), row + 1, text))
    scan.cells.append((row + 1, col, row + 1, col, None))


def _formula(
    scan: Scan, row: int, col: int, data: bytes, name: str, display: str
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
                hint=REJECT,
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
            hint=TOO_BIG,
        )


def _merges(scan: Scan, data: bytes, display: str, name: str) -> None:
    (count,) = struct.unpack_from("<H", data) if len(data) >= 2 else (0,)
    if len(data) < 2 + 8 * count:
        raise unreadable(
            display, f"sheet {name!r}: a merged-cells record is damaged", CUT_SHORT, "XLS"
        )
    for i in range(count):
        first, last, left, right = struct.unpack_from("<4H", data, 2 + 8 * i)
        scan.merges.append(
            (first + 1, left, last + 1, right, cell_range(first + 1, left, last + 1, right))
        )
