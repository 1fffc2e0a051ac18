"""XLSX reader: one worksheet as a :class:`RawTable` of text cells with Excel's own row numbers.

Before anything parses the workbook, its declared sizes are checked (zip bombs) and every part's
prolog is parsed by defusedxml, so that a part declaring a DTD (the vehicle of XML entity
expansion, "billion laughs") is refused; OOXML parts never legitimately carry one.

Cells come from fastexcel (calamine). Each sheet's XML is also streamed once as bytes, before
calamine sees it, for what calamine does not report: formulas saved without a value, merged
ranges, and cell extents so large that calamine's dense grid would exhaust memory.

The steps after the scan (a sheet's cells as text, the sheet choice, the findings) serve the
legacy workbooks too: :mod:`anchorspend.ingest.legacy` scans ``.xls`` and ``.ods`` files its own
way and hands the same :class:`_Scan` to them.
"""

from __future__ import annotations

import html
import posixpath
import re
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import fastexcel
import polars as pl
from defusedxml import DefusedXmlException, ElementTree
from defusedxml.ElementTree import DefusedXMLParser, ParseError

from anchorspend.errors import AnchorspendError, Finding
from anchorspend.findings import make
from anchorspend.ingest.raw import ROW, RawTable, cell_name

MAX_UNCOMPRESSED_BYTES = 2 * 1024**3  # refuse a workbook whose parts declare more in total
MAX_COMPRESSION_RATIO = 200  # ... or a part compressed more than this that is also large:
RATIO_CHECK_MIN_BYTES = 50_000_000
MAX_CELLS = 50_000_000  # refuse a sheet whose used rows x columns exceed this (calamine is dense)
HEADER_SCAN_ROWS = 30
MAX_MERGE_FINDINGS = 50

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_CHUNK = 1 << 20
_TOO_BIG_HINT = "if the file is genuine, export it as CSV"
_NS = rb"(?:[\w.-]+:)?"  # optional namespace prefix on a tag (<x:c> from some writers)
# A formula element followed by no value, or by an empty one.
_FORMULA = re.compile(
    rb"<" + _NS + rb"f\b[^>]*?(?:/>|>(?P<text>[^<]*)</" + _NS + rb"f>)\s*"
    rb"(?:(?P<novalue></" + _NS + rb"c>)|<" + _NS + rb"v\s*/>|<" + _NS + rb"v>\s*</" + _NS + rb"v>)"
)
# A cell holding a spreadsheet error (#DIV/0!, #N/A, #REF!…), with or without its formula.
_ERROR_CELL = re.compile(
    rb"<" + _NS + rb"""c\b([^>]*?\bt=["']e["'][^>]*)>\s*"""
    rb"(?:<" + _NS + rb"f\b[^>]*?(?:/>|>[^<]*</" + _NS + rb"f>)\s*)?"
    rb"<" + _NS + rb"v>([^<]*)</" + _NS + rb"v>"
)
_CELL_OPEN = re.compile(rb"<" + _NS + rb"c\b")
_CELL_REF = re.compile(rb"""\br=["']([A-Z]{1,3})(\d{1,7})["']""")
_STR_TYPE = re.compile(rb"""\bt=["']str["']""")
_WIDE_COLUMNS = re.compile(rb""" r=["']([A-Z]{2,3})\d""")  # only columns past Z can be many
_ROWS = re.compile(rb""" r=["'](\d{1,7})["']""")
_MERGE = re.compile(
    rb"<" + _NS + rb"""mergeCell\b[^>]*?\bref=["']([A-Z]{1,3})(\d{1,7}):([A-Z]{1,3})(\d{1,7})["']"""
)
# calamine renders date cells as "YYYY-MM-DD HH:MM:SS[.fff]"; a time alone has day 0, 1899-12-31.
_STAMP = r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d+)?$"
_TIME_ONLY = r"^1899-12-31 (\d{2}:\d{2}:\d{2}(?:\.\d+)?)$"
_MIDNIGHT = r"^(\d{4}-\d{2}-\d{2}) 00:00:00(?:\.0+)?$"
_STAMP_GAP = r"^(\d{4}-\d{2}-\d{2}) (\d{2}:)"


@dataclass(frozen=True, slots=True)
class _Sheet:
    name: str
    # where its cells are (an XLSX worksheet's XML part; the stream or part of a legacy
    # workbook); None for chart sheets, macro sheets and dangling entries
    part: str | None
    hidden: bool


@dataclass(slots=True)
class _Scan:
    max_row: int = 0
    max_col: int = 0
    formulas: list[tuple[str | None, int | None, str | None]] = field(default_factory=list)
    errors: list[tuple[str | None, int | None, str]] = field(default_factory=list)  # #DIV/0!…
    # merged ranges: first row, first column (0-based), last row, last column, "A1:C1"
    merges: list[tuple[int, int, int, int, str]] = field(default_factory=list)
    # cells whose text the scan knows better than calamine, the same way: first row, first
    # column, last row, last column, and the text (None: the cell is read as empty)
    cells: list[tuple[int, int, int, int, str | None]] = field(default_factory=list)


@dataclass(slots=True)
class _Loaded:
    sheet: _Sheet
    scan: _Scan
    frame: pl.DataFrame
    corners: dict[tuple[int, int], str]  # (row, column) of a merged range -> its value


NOT_A_WORKBOOK = "check the file; if it is CSV text, rename it to .csv"
DAMAGED = "the workbook is damaged: open and save it again in a spreadsheet, or export CSV"


def _unreadable(display: str, reason: str, hint: str, kind: str = "XLSX") -> AnchorspendError:
    """``hint``: NOT_A_WORKBOOK where the file is no workbook at all, DAMAGED where a workbook's
    own parts (its structure, a sheet, the strings a sheet points to) cannot be read. ``kind``
    names the format the file was read as (its suffix)."""
    return AnchorspendError(f"not a readable {kind} workbook: {reason}", path=display, hint=hint)


def _library_failure(exc: BaseException) -> bool:
    """Whether ``exc`` is the reading library's failure rather than the user's interrupt:
    fastexcel's and Arrow's exceptions, or a panic inside calamine (pyo3 raises
    ``PanicException``, which derives from BaseException, not Exception)."""
    return isinstance(exc, Exception) or type(exc).__name__ == "PanicException"


def _short(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def _col_index(letters: bytes) -> int:
    """0-based index of an Excel column name (A=0, AA=26)."""
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n - 1


def _open_zip(path: Path, display: str, kind: str = "XLSX") -> zipfile.ZipFile:
    try:
        with path.open("rb") as fh:
            magic = fh.read(len(_OLE_MAGIC))
        zf = zipfile.ZipFile(path) if magic != _OLE_MAGIC else None
    except OSError as exc:  # missing, unreadable, a directory: not a damaged workbook
        raise AnchorspendError(f"cannot open the file: {_short(exc)}", path=display) from exc
    except (zipfile.BadZipFile, ValueError) as exc:
        reason = f"not a zip archive ({_short(exc)})"
        raise _unreadable(display, reason, NOT_A_WORKBOOK, kind) from exc
    if zf is None:
        raise AnchorspendError(
            "the workbook is encrypted (password-protected) or is an old-format .xls file",
            path=display,
            hint="rename it to .xls if it is an Excel 97-2003 workbook; otherwise save it as "
            ".xlsx or .csv without a password",
        )
    total = sum(m.file_size for m in zf.infolist())
    bombs = [
        f"{m.filename}: {m.compress_size} bytes expand to {m.file_size}"
        for m in zf.infolist()
        if m.file_size > max(RATIO_CHECK_MIN_BYTES, MAX_COMPRESSION_RATIO * m.compress_size)
    ]
    if total > MAX_UNCOMPRESSED_BYTES or bombs:
        zf.close()
        raise AnchorspendError(
            f"refusing to open: the workbook would expand to {total} bytes (zip bomb?)",
            path=display,
            details=bombs,
            hint=_TOO_BIG_HINT,
        )
    return zf


class _RootReached(Exception):
    """The prolog is over: the part's root element has started."""


class _StopAtRoot:
    """An XML parser target that stops the parse at the root element."""

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        raise _RootReached

    def end(self, tag: str) -> None:
        pass

    def data(self, data: str) -> None:
        pass

    def close(self) -> None:
        pass


def _refuse_dtds(zf: zipfile.ZipFile, display: str) -> None:
    """Parse each part's prolog with defusedxml (DTDs forbidden), reading only up to its root
    element; parts that are not XML, or are damaged, are left to the reader that needs them."""
    for info in zf.infolist():
        parser = DefusedXMLParser(target=_StopAtRoot(), forbid_dtd=True)
        try:
            with zf.open(info) as stream:
                while chunk := stream.read(64 * 1024):
                    parser.feed(chunk)
        except _RootReached:
            continue
        except DefusedXmlException as exc:
            raise AnchorspendError(
                f"refusing to open: part {info.filename!r} declares an XML DTD "
                f"({type(exc).__name__}); workbooks never do, and it is how entity-expansion "
                "('billion laughs') attacks are built",
                path=display,
                hint="if the file is genuine, open and save it in Excel, or export it as CSV",
            ) from exc
        except (ParseError, zipfile.BadZipFile, zlib.error, EOFError, RuntimeError):
            continue  # not XML, or damaged: the part's own reader says so if it needs it


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _relationships(zf: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """Relationship id -> (last segment of its type, resolved part name), for ``part``."""
    base = posixpath.dirname(part)
    rels = posixpath.join(base, "_rels", posixpath.basename(part) + ".rels")
    out: dict[str, tuple[str, str]] = {}
    for el in ElementTree.fromstring(zf.read(rels)).iter() if rels in zf.NameToInfo else ():
        target = el.get("Target", "")
        if _local(el.tag) == "Relationship" and el.get("TargetMode") != "External":
            resolved = target[1:] if target.startswith("/") else posixpath.join(base, target)
            out[el.get("Id", "")] = (
                el.get("Type", "").rpartition("/")[2],
                posixpath.normpath(resolved),
            )
    return out


def _sheets(zf: zipfile.ZipFile, display: str) -> list[_Sheet]:
    try:
        top = _relationships(zf, "")
        book = next((t for k, t in top.values() if k == "officeDocument"), "xl/workbook.xml")
        if book not in zf.NameToInfo:
            raise _unreadable(display, "it has no workbook part (xl/workbook.xml)", NOT_A_WORKBOOK)
        rels, sheets = _relationships(zf, book), []
        for el in ElementTree.fromstring(zf.read(book)).iter():
            if _local(el.tag) == "sheet":
                rid = next((v for k, v in el.attrib.items() if _local(k) == "id"), "")
                kind, part = rels.get(rid, ("", ""))
                ok = kind == "worksheet" and part in zf.NameToInfo
                hidden = el.get("state", "visible") != "visible"
                sheets.append(_Sheet(el.get("name", ""), part if ok else None, hidden))
    except AnchorspendError:
        raise
    except Exception as exc:  # damaged XML, a forbidden DTD, a bad zip member: one story
        raise _unreadable(display, f"damaged workbook structure ({_short(exc)})", DAMAGED) from exc
    if not sheets:
        raise _unreadable(display, "it lists no sheets", DAMAGED)
    return sheets


def _where(attrs: bytes) -> tuple[str | None, int | None]:
    """A cell's column letters and row from its opening tag's attributes, where it says."""
    ref = _CELL_REF.search(attrs)
    return (ref[1].decode(), int(ref[2])) if ref else (None, None)


def _scan_part(scan: _Scan, data: bytes) -> None:
    wide = set(_WIDE_COLUMNS.findall(data))
    scan.max_col = max(scan.max_col, 26, *(_col_index(c) + 1 for c in wide))
    scan.max_row = max(scan.max_row, 0, *map(int, _ROWS.findall(data)))
    if b"<f" in data or b":f" in data:
        for m in _FORMULA.finditer(data):
            attrs = data[data.rfind(b"<", 0, m.start()) : m.start()]  # the enclosing <c ...>
            if not _CELL_OPEN.match(attrs) or (m["novalue"] is None and _STR_TYPE.search(attrs)):
                continue  # not a cell, or a formula whose saved result is the empty string
            text = m["text"]
            formula = "=" + html.unescape(text.decode("utf-8", "replace")) if text else None
            scan.formulas.append((*_where(attrs), formula))
    if b'"e"' in data or b"'e'" in data:
        for attrs, value in _ERROR_CELL.findall(data):
            scan.errors.append((*_where(attrs), html.unescape(value.decode("utf-8", "replace"))))
    if b"mergeCell" in data:
        for c1, r1, c2, r2 in _MERGE.findall(data):
            ref = (c1 + r1 + b":" + c2 + r2).decode()
            scan.merges.append((int(r1), _col_index(c1), int(r2), _col_index(c2), ref))


def _scan(zf: zipfile.ZipFile, sheet: _Sheet, display: str) -> _Scan:
    """Stream the sheet's XML in chunks cut after a row's end tag (so no cell straddles a cut)."""
    assert sheet.part is not None
    scan, rest = _Scan(), b""
    try:
        with zf.open(sheet.part) as stream:
            while chunk := stream.read(_CHUNK):
                data = rest + chunk
                plain, prefixed = data.rfind(b"</row>"), data.rfind(b":row>")
                cut = max(plain + 6 if plain >= 0 else -1, prefixed + 5 if prefixed >= 0 else -1)
                if cut < 0:
                    rest = data
                else:
                    _scan_part(scan, data[:cut])
                    rest = data[cut:]
            _scan_part(scan, rest)
        scan.merges.sort()  # writers list them in any order; report them top to bottom
    except Exception as exc:
        raise _unreadable(display, f"sheet {sheet.name!r}: {_short(exc)}", DAMAGED) from exc
    if scan.max_row * scan.max_col > MAX_CELLS:
        raise AnchorspendError(
            f"refusing to open sheet {sheet.name!r}: its cells span up to "
            f"{scan.max_row} rows x {scan.max_col} columns",
            path=display,
            hint=_TOO_BIG_HINT,
        )
    return scan


_Fill = tuple[pl.DataFrame, dict[tuple[int, int], str]]
_RANGE = {"r1": pl.Int64, "c1": pl.Int64, "r2": pl.Int64, "c2": pl.Int64}


def _paint(frame: pl.DataFrame, ranges: pl.DataFrame) -> pl.DataFrame:
    """Set every cell of each range (r1, c1, r2, c2: rows 1-based, columns 0-based) to its ``v``
    (null included), as far as the frame reaches. The ranges must not overlap."""
    width = frame.width - 1
    ranges = ranges.filter(pl.col("c1") < width).sort("r1")
    if ranges.is_empty():
        return frame
    first, last = ranges["c1"].min(), ranges["c2"].max()
    assert isinstance(first, int) and isinstance(last, int)
    for i in range(first, min(last + 1, width)):
        part = ranges.filter(pl.col("c1") <= i, pl.col("c2") >= i).select("r1", "r2", "v")
        if not part.is_empty():
            fill = pl.when(pl.col(ROW) <= pl.col("r2")).then("v").otherwise(cell_name(i))
            frame = (
                frame.join_asof(part, left_on=ROW, right_on="r1", strategy="backward")
                .with_columns(fill.alias(cell_name(i)))
                .drop("r1", "r2", "v")
            )
    return frame


def _fill_merges(frame: pl.DataFrame, merges: list[tuple[int, int, int, int, str]]) -> _Fill:
    """Copy each merged range's top-left value over the range (as far as the frame reaches)."""
    width = frame.width - 1
    inside = [(r1, c1, r2, c2) for r1, c1, r2, c2, _ in merges if r1 <= frame.height and c1 < width]
    if not inside:
        return frame, {}
    corner = (
        frame.filter(pl.col(ROW).is_in([r for r, *_ in inside]))
        .unpivot(index=ROW, variable_name="name", value_name="v")
        .drop_nulls("v")
    )
    ranges = (
        pl.DataFrame(inside, schema=_RANGE, orient="row")
        .with_columns(name=pl.format("c{}", "c1"))
        .join(corner, left_on=["r1", "name"], right_on=[ROW, "name"])
        .sort("r1")
    )
    frame = _paint(frame, ranges.drop("name"))
    return frame, dict(zip(ranges.select("r1", "c1").iter_rows(), ranges["v"], strict=True))


def _load(reader: Any, zf: zipfile.ZipFile, sheet: _Sheet, display: str) -> _Loaded:
    return _frame(reader, sheet.name, sheet, _scan(zf, sheet, display), display)


def _frame(
    reader: Any,
    key: int | str,
    sheet: _Sheet,
    scan: _Scan,
    display: str,
    kind: str = "XLSX",
    stamp_gap: str = " ",
) -> _Loaded:
    """Sheet ``key`` (its name, or its 0-based index in ``reader.sheet_names``) as text cells:
    date cells in ISO form, empty text as null, then ``scan``'s cells and merged ranges laid
    over them. ``stamp_gap`` is what stands between a date cell's day and time as the reader
    renders it (calamine: a space; an ODS date-time is read as stored, with a "T")."""
    try:
        loaded = reader.load_sheet(key, header_row=None, skip_rows=0, dtypes="string")
        data: pl.DataFrame = loaded.to_polars()
        source = {c.absolute_index: c.name for c in loaded.selected_columns}
    except BaseException as exc:  # fastexcel's own classes, the Arrow handoff, a calamine panic
        if not _library_failure(exc):
            raise
        reason = f"sheet {sheet.name!r}: " + (
            _short(exc) if kind == "XLSX" else "its cells could not be read"
        )
        raise _unreadable(display, reason, DAMAGED, kind) from exc
    # calamine starts at the first used column; pad so that c0 is column A
    names = {cell_name(i): source.get(i) for i in range(max(source, default=-1) + 1)}
    frame = data.select(
        pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias(ROW),
        *(pl.col(s).alias(n) if s else pl.lit(None, pl.String).alias(n) for n, s in names.items()),
    )
    stamp, time_only, midnight, gap = (
        p.replace(" ", stamp_gap, 1) for p in (_STAMP, _TIME_ONLY, _MIDNIGHT, _STAMP_GAP)
    )
    stamps = frame.select(pl.col(n).str.contains(stamp).any() for n, s in names.items() if s)
    dated = {n for n in stamps.columns if stamps[n].item()}
    frame = frame.with_columns(
        pl.col(n)
        .str.replace(time_only, "${1}")
        .str.replace(midnight, "${1}")
        .str.replace(gap, "${1}T${2}")
        for n in dated
    ).with_columns(pl.when(pl.col(n) != "").then(pl.col(n)).alias(n) for n, s in names.items() if s)
    if scan.cells:
        cells = pl.DataFrame(scan.cells, schema={**_RANGE, "v": pl.String}, orient="row").filter(
            pl.col("r1") <= frame.height
        )
        frame = _paint(frame, cells)
    frame, corners = _fill_merges(frame, scan.merges)
    return _Loaded(sheet, scan, frame, corners)


def _named(sheets: list[_Sheet], wanted: str, display: str) -> _Sheet:
    found = next((s for s in sheets if s.name == wanted), None)
    if found is None and wanted.strip().isdigit() and 1 <= int(wanted) <= len(sheets):
        found = sheets[int(wanted) - 1]
    if found is None:
        names = ", ".join(repr(s.name) + (" (hidden)" if s.hidden else "") for s in sheets)
        details = [f"sheets in this workbook: {names}"]
        raise AnchorspendError(
            f"sheet {wanted!r} not found", path=display, details=details, hint="--sheet NAME"
        )
    if found.part is None:
        message = f"sheet {found.name!r} has no cells to read (is it a chart sheet?)"
        raise AnchorspendError(message, path=display, hint="--sheet NAME")
    return found


def _summary(loaded: _Loaded) -> str:
    label = loaded.sheet.name + (" (hidden)" if loaded.sheet.hidden else "")
    frame = loaded.frame
    if frame.width > 1:
        frame = frame.filter(pl.any_horizontal(pl.exclude(ROW).is_not_null()))
    if frame.width == 1 or frame.is_empty():
        return f"{label}: (empty)"
    first = frame.row(0)
    text = " | ".join(str(v) for v in first[1:] if v is not None)
    return f"{label}: row {first[0]}: " + (text if len(text) <= 80 else text[:79] + "…")


def _pick(
    load: Callable[[_Sheet], _Loaded],
    sheets: list[_Sheet],
    looks_like_header: Callable[[list[str | None]], int],
    display: str,
) -> tuple[_Loaded, list[str]]:
    """The best-scoring visible sheet (earliest on ties); hidden ones only if none qualifies.
    Also the names of the other sheets that look like spend data: they are not read, and the
    caller says so."""
    summaries: list[str] = []
    for hidden in (False, True):
        best: tuple[int, _Loaded] | None = None
        qualifying: list[str] = []
        for sheet in (s for s in sheets if s.hidden == hidden and s.part is not None):
            loaded = load(sheet)
            head = loaded.frame.head(HEADER_SCAN_ROWS).drop(ROW)
            score = max((looks_like_header(list(row)) for row in head.iter_rows()), default=0)
            summaries.append(_summary(loaded))
            if score > 0:
                qualifying.append(sheet.name)
            if score > 0 and (best is None or score > best[0]):
                best = (score, loaded)
        if best is not None:
            return best[1], [n for n in qualifying if n != best[1].sheet.name]
    raise AnchorspendError(
        "no sheet has a recognisable spend header",
        path=display,
        details=summaries,
        hint="--sheet NAME, and --map FIELD=HEADER if the headers are unusual",
    )


def _findings(loaded: _Loaded, display: str) -> list[Finding]:
    at = partial(make, path=display, sheet=loaded.sheet.name)

    def cell(col: str | None, row: int | None) -> str:
        return f"cell {col}{row}" if col else "a cell"

    out = [
        at("formula-without-value", row=row, column=col, value=text, cell=cell(col, row))
        for col, row, text in loaded.scan.formulas
    ]
    out.extend(
        at("cell-error", row=row, column=col, value=text, cell=cell(col, row), error=text)
        for col, row, text in loaded.scan.errors
    )
    merges = loaded.scan.merges
    out.extend(
        at("merged-cells", row=r1, column=ref, value=loaded.corners.get((r1, c1)))
        for r1, c1, _, _, ref in merges[:MAX_MERGE_FINDINGS]
    )
    if len(merges) > MAX_MERGE_FINDINGS:
        out.append(at("merged-cells", "more", more=len(merges) - MAX_MERGE_FINDINGS))
    return out


def worksheets(path: Path, display: str) -> list[str]:
    """The names of the workbook's visible worksheets with cells, in workbook order (hidden
    ones only when no visible one has cells): what ``--sheet '*'`` reads."""
    with _open_zip(path, display) as zf:
        _refuse_dtds(zf, display)
        sheets = [s for s in _sheets(zf, display) if s.part is not None]
    visible = [s.name for s in sheets if not s.hidden]
    return visible or [s.name for s in sheets]


def read_xlsx(
    path: Path,
    *,
    display: str,
    sheet: str | None = None,
    looks_like_header: Callable[[list[str | None]], int],
) -> RawTable:
    """Read one worksheet: ``sheet`` (a name, or a 1-based index as text) or the best-headed one."""
    with _open_zip(path, display) as zf:
        _refuse_dtds(zf, display)
        sheets = _sheets(zf, display)
        try:
            reader = fastexcel.read_excel(path)
        except Exception as exc:
            raise _unreadable(display, _short(exc), NOT_A_WORKBOOK) from exc
        others: list[str] = []
        if sheet is not None:
            loaded = _load(reader, zf, _named(sheets, sheet, display), display)
        else:
            load = partial(_load, reader, zf, display=display)
            loaded, others = _pick(load, sheets, looks_like_header, display)
    return _table(loaded, others, display)


def _table(loaded: _Loaded, others: list[str], display: str) -> RawTable:
    """The sheet read, with its findings and a warning naming ``others``, the sheets that also
    look like spend data but were not read."""
    frame = loaded.frame
    findings = _findings(loaded, display)
    if others:
        names = ", ".join(repr(n) for n in others)
        findings.append(
            make("other-sheets-not-read", path=display, sheet=loaded.sheet.name, names=names)
        )
    return RawTable(
        frame=frame,
        source=display,
        width=frame.width - 1,
        sheet=loaded.sheet.name,
        findings=findings,
    )
