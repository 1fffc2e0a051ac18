"""Legacy workbooks: ``.xls`` (Excel 97-2003: BIFF records in an OLE2 compound file) and ``.ods``
(OpenDocument: a zip of XML), read into the same :class:`RawTable` as XLSX.

calamine (through fastexcel) parses the whole of either file when it opens it, and it trusts what
the file declares: an OLE2 sector number or stream length is allocated before it is read, a
sector chain is followed without a bound, a sheet's declared dimensions are reserved as cells,
an ODS cell's repeat count is expanded cell by cell. A hostile file could so abort the process
(an allocation failure is no exception) or never end. So before calamine sees the file, it is
walked the way calamine will walk it and refused where that would hurt:
:mod:`anchorspend.ingest.ole2` and :mod:`anchorspend.ingest.xls` for ``.xls``, the XLSX checks
of the zip (:mod:`anchorspend.ingest.workbook_zip`) and :mod:`anchorspend.ingest.ods` for
``.ods``. That walk also collects what calamine does not report, for the steps the XLSX reader
shares (:mod:`anchorspend.ingest.sheets`).

A file named ``.xls`` or ``.ods`` that is something else (CSV text, a web page, an XLSX
workbook) is named for what it is, with the fix (this module).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import fastexcel

from anchorspend.errors import AnchorspendError
from anchorspend.ingest.ods import ODS_MIME, scan_ods
from anchorspend.ingest.ole2 import OLE_MAGIC
from anchorspend.ingest.raw import RawTable
from anchorspend.ingest.sheets import (
    DAMAGED,
    PASSWORD,
    Loaded,
    Scan,
    Sheet,
    every_sheet,
    library_failure,
    load_sheet,
    read_sheet,
    unreadable,
)
from anchorspend.ingest.workbook_zip import open_zip, refuse_dtds
from anchorspend.ingest.xls import scan_xls

KINDS = {".xls": "XLS", ".ods": "ODS"}
_ZIP_MAGIC = b"PK\x03\x04"

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
    return "ODS" if mime.startswith(ODS_MIME) else None


def _misnamed(path: Path, head: bytes, kind: str, display: str) -> AnchorspendError:
    """The error for a file named ``.xls``/``.ods`` whose bytes are something else."""
    ext = "." + kind.lower()

    def error(reason: str, hint: str) -> AnchorspendError:
        return unreadable(display, reason, hint, kind)

    if not head:
        return error("the file is empty", "download or export it again")
    if head.startswith(_ZIP_MAGIC):
        other = _zip_kind(path)
        if other is not None and other != kind:
            return error(f"it is an {other} workbook named {ext}", f"rename it to .{other.lower()}")
        if kind == "XLS":
            return error("it is a zip archive, not an Excel 97-2003 file", "check the file")
    if head.startswith(OLE_MAGIC):  # only an .ods gets here
        return error(
            "it is an OLE2 compound file (an Excel 97-2003 workbook, or a password-protected "
            "one), not an OpenDocument spreadsheet",
            "rename it to .xls if it is an Excel 97-2003 workbook; " + PASSWORD,
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


# --- reading -----------------------------------------------------------------------------------


@dataclass(slots=True)
class _Book:
    reader: Any
    kind: str
    sheets: list[Sheet]
    scans: list[Scan]
    display: str

    def load(self, sheet: Sheet) -> Loaded:
        i = self.sheets.index(sheet)
        gap = "T" if self.kind == "ODS" else " "
        return load_sheet(self.reader, i, sheet, self.scans[i], self.display, self.kind, gap)


def _open(path: Path, display: str) -> _Book:
    kind = KINDS[path.suffix.lower()]
    with path.open("rb") as fh:
        head = fh.read(4096)
    if kind == "XLS":
        if not head.startswith(OLE_MAGIC):
            raise _misnamed(path, head, kind, display)
        found = scan_xls(path, display)
    else:
        if not head.startswith(_ZIP_MAGIC):
            raise _misnamed(path, head, kind, display)
        with open_zip(path, display, kind) as zf:
            refuse_dtds(zf, display)
            found = scan_ods(zf, display)
    try:
        reader = fastexcel.read_excel(path)
        names = list(reader.sheet_names)
    except BaseException as exc:
        if not library_failure(exc):
            raise
        raise unreadable(display, "its contents could not be read", DAMAGED, kind) from exc
    if len(names) != len(found):
        reason = f"it lists {len(found)} sheets but {len(names)} could be read"
        raise unreadable(display, reason, DAMAGED, kind)
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise unreadable(
            display,
            f"two sheets share the name {twice[0]!r}",
            "rename one of them in a spreadsheet and save it again",
            kind,
        )
    sheets = [Sheet(n, s.part, s.hidden) for n, (s, _) in zip(names, found, strict=True)]
    if not sheets:
        raise unreadable(display, "it lists no sheets", DAMAGED, kind)
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
    return read_sheet(book.load, book.sheets, sheet, looks_like_header, display)


def worksheets(path: Path, display: str) -> list[str]:
    """The workbook's worksheets that ``--sheet '*'`` reads (:func:`every_sheet`)."""
    return every_sheet(_open(path, display).sheets)
