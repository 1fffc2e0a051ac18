"""An ``.ods`` workbook's content.xml, streamed once with expat before calamine expands it:
each table's cell extent with repeated rows and columns counted, and repeated spaces, are
refused where they would hurt. The same pass collects, per table, what calamine does not report
(a :class:`Scan`): merged ranges, error cells (which calamine reads as 0), time cells (which
fastexcel drops) and formulas left without a value.
"""

from __future__ import annotations

import re
import zipfile
from typing import Any
from xml.parsers import expat

from anchorspend.errors import AnchorspendError
from anchorspend.ingest.header import letter
from anchorspend.ingest.sheets import (
    DAMAGED,
    MAX_CELLS,
    REJECT,
    Scan,
    Sheet,
    cell_range,
    password_protected,
    refuse_overlarge,
    unreadable,
)

ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"


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
        self.sheets: list[tuple[Sheet, Scan]] = []
        self.scan: Scan | None = None  # the table being read
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
        return unreadable(self.display, reason, DAMAGED, "ODS")

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
            self.scan, self.row = Scan(), 0
            self.sheets.append((Sheet(attrs["table:name"], "content.xml", hidden), self.scan))
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
            self.scan.merges.append((row, col, *end, cell_range(row, col, *end)))
        self.cell = (row, col)
        self.text = [] if self.error else None  # text is kept only for an error's name

    def _spaces(self, attrs: dict[str, str]) -> None:
        """text:s, inside a cell: calamine writes out its count of spaces."""
        self.spaces += _count(attrs.get("text:c"), "space", self.fail)
        if self.spaces > MAX_CELLS:
            raise AnchorspendError(
                f"refusing to open: content.xml declares over {MAX_CELLS:,} repeated spaces",
                path=self.display,
                hint=REJECT,
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
            refuse_overlarge(self.scan, self.sheets[-1][0].name, self.display)
        self.row += self.repeats
        self.in_row = False


def scan_ods(zf: zipfile.ZipFile, display: str) -> list[tuple[Sheet, Scan]]:
    def refuse(reason: str, hint: str = DAMAGED) -> AnchorspendError:
        return unreadable(display, reason, hint, "ODS")

    names = set(zf.namelist())
    if "xl/workbook.xml" in names:
        raise refuse("it is an XLSX workbook named .ods", "rename it to .xlsx")
    if "mimetype" not in names:
        raise refuse("it has no mimetype entry (is it an OpenDocument file?)")
    mime = zf.read("mimetype")[:200]
    if not mime.startswith(ODS_MIME):
        what = mime.decode("ascii", "replace").strip() or "(empty)"
        raise refuse(
            f"it is an OpenDocument file of type {what!r}, not a spreadsheet", "check the file"
        )
    manifest = zf.getinfo("META-INF/manifest.xml") if "META-INF/manifest.xml" in names else None
    small = manifest is not None and manifest.file_size < 1 << 20
    if manifest is not None and small and b"encryption-data" in zf.read(manifest):
        raise password_protected(display)
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
