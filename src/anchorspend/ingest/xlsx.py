"""XLSX reader: one worksheet as a :class:`RawTable` of text cells with Excel's own row numbers.

Cells come from fastexcel (calamine). Each sheet's XML is also streamed once as bytes, before
calamine sees it, for what calamine does not report: formulas saved without a value, merged
ranges, and cell extents so large that calamine's dense grid would exhaust memory.
"""

from __future__ import annotations

import html
import posixpath
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import fastexcel
import polars as pl
from defusedxml import ElementTree

from anchorspend.errors import AnchorspendError, Finding
from anchorspend.ingest.raw import ROW, RawTable, cell_name

MAX_UNCOMPRESSED_BYTES = 2 * 1024**3
"""Refuse a workbook whose parts declare more than this many bytes in total."""
MAX_COMPRESSION_RATIO = 200
"""Refuse a part compressed more than this (when it is also over ``RATIO_CHECK_MIN_BYTES``)."""
RATIO_CHECK_MIN_BYTES = 50_000_000
MAX_CELLS = 50_000_000
"""Refuse a sheet whose used rectangle (rows x columns) exceeds this: calamine allocates it whole."""
HEADER_SCAN_ROWS = 30
MAX_MERGE_FINDINGS = 50

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_CHUNK = 1 << 20
_UNREADABLE_HINT = "check the file; if it is CSV text, rename it to .csv"
_TOO_BIG_HINT = "if the file is genuine, export it as CSV"

_NS = rb"(?:[\w.-]+:)?"  # optional namespace prefix on a tag (<x:c> from some writers)
# A formula element followed by no value, or by an empty one.
_FORMULA = re.compile(
    rb"<" + _NS + rb"f\b[^>]*?(?:/>|>(?P<text>[^<]*)</" + _NS + rb"f>)\s*"
    rb"(?:(?P<novalue></" + _NS + rb"c>)|<" + _NS + rb"v\s*/>|<" + _NS + rb"v>\s*</" + _NS + rb"v>)"
)
_CELL_REF = re.compile(rb"""\br=["']([A-Z]{1,3})(\d{1,7})["']""")
_STR_TYPE = re.compile(rb"""\bt=["']str["']""")
_COLUMNS = re.compile(rb""" r=["']([A-Z]{1,3})\d""")
_ROWS = re.compile(rb""" r=["'](\d{1,7})["']""")
_MERGE = re.compile(
    rb"<" + _NS + rb"""mergeCell\b[^>]*?\bref=["']([A-Z]{1,3})(\d{1,7}):([A-Z]{1,3})(\d{1,7})["']"""
)
# calamine renders date cells as "YYYY-MM-DD HH:MM:SS[.fff]"; a time-only cell has day 0 (1899-12-31).
_TIME_ONLY = r"^1899-12-31 (\d{2}:\d{2}:\d{2}(?:\.\d+)?)$"
_MIDNIGHT = r"^(\d{4}-\d{2}-\d{2}) 00:00:00(?:\.0+)?$"
_DATETIME = r"^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d+)?)$"


@dataclass(frozen=True, slots=True)
class _Sheet:
    name: str
    part: str | None  # the worksheet's XML part; None for chart sheets and dangling entries
    hidden: bool


@dataclass(slots=True)
class _Scan:
    max_row: int = 0
    max_col: int = 0
    formulas: list[tuple[str | None, int | None, str | None]] = field(default_factory=list)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # r1, c1, r2, c2


@dataclass(slots=True)
class _Loaded:
    sheet: _Sheet
    scan: _Scan
    frame: pl.DataFrame
    corners: dict[tuple[int, int], str]  # top-left value of each merged range


def _unreadable(display: str, reason: str) -> AnchorspendError:
    return AnchorspendError(
        f"not a readable XLSX workbook: {reason}", path=display, hint=_UNREADABLE_HINT
    )


def _short(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def _col_index(letters: bytes | str) -> int:
    """0-based index of an Excel column name (A=0, AA=26)."""
    n = 0
    for ch in letters.decode() if isinstance(letters, bytes) else letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def _open_zip(path: Path, display: str) -> zipfile.ZipFile:
    try:
        with path.open("rb") as fh:
            magic = fh.read(len(_OLE_MAGIC))
    except OSError as exc:
        raise AnchorspendError(f"cannot open the file: {_short(exc)}", path=display) from exc
    if magic == _OLE_MAGIC:
        raise AnchorspendError(
            "the workbook is encrypted (password-protected) or is an old-format .xls file",
            path=display,
            hint="save it as .xlsx or .csv without a password",
        )
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _unreadable(display, f"not a zip archive ({_short(exc)})") from exc
    members = zf.infolist()
    total = sum(m.file_size for m in members)
    bombs = [
        m
        for m in members
        if m.file_size > RATIO_CHECK_MIN_BYTES
        and m.file_size > MAX_COMPRESSION_RATIO * max(m.compress_size, 1)
    ]
    if total > MAX_UNCOMPRESSED_BYTES or bombs:
        zf.close()
        raise AnchorspendError(
            f"refusing to open: the workbook would expand to {total} bytes (zip bomb?)",
            path=display,
            details=[f"{m.filename}: {m.compress_size} bytes expand to {m.file_size}" for m in bombs],
            hint=_TOO_BIG_HINT,
        )
    return zf


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _relationships(zf: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """Relationship id -> (type's last segment, resolved part name) for ``part``."""
    base = posixpath.dirname(part)
    rels_part = posixpath.join(base, "_rels", posixpath.basename(part) + ".rels")
    if rels_part not in zf.NameToInfo:
        return {}
    out: dict[str, tuple[str, str]] = {}
    for el in ElementTree.fromstring(zf.read(rels_part)).iter():
        if _local(el.tag) != "Relationship" or el.get("TargetMode") == "External":
            continue
        target = el.get("Target", "")
        if target.startswith("/"):
            target = target[1:]
        else:
            target = posixpath.normpath(posixpath.join(base, target))
        out[el.get("Id", "")] = (el.get("Type", "").rpartition("/")[2], target)
    return out


def _sheets(zf: zipfile.ZipFile, display: str) -> list[_Sheet]:
    try:
        top = _relationships(zf, "")
        wb_part = next((t for k, t in top.values() if k == "officeDocument"), "xl/workbook.xml")
        if wb_part not in zf.NameToInfo:
            raise _unreadable(display, "it has no workbook part (xl/workbook.xml)")
        rels = _relationships(zf, wb_part)
        sheets = []
        for el in ElementTree.fromstring(zf.read(wb_part)).iter():
            if _local(el.tag) != "sheet":
                continue
            rid = next((v for k, v in el.attrib.items() if _local(k) == "id"), "")
            kind, target = rels.get(rid, ("", ""))
            ok = kind == "worksheet" and target in zf.NameToInfo
            hidden = el.get("state", "visible") != "visible"
            sheets.append(_Sheet(el.get("name", ""), target if ok else None, hidden))
    except AnchorspendError:
        raise
    except Exception as exc:  # damaged XML, forbidden DTD, bad zip member: all one story
        raise _unreadable(display, f"damaged workbook structure ({_short(exc)})") from exc
    if not sheets:
        raise _unreadable(display, "it lists no sheets")
    return sheets


def _scan_part(scan: _Scan, data: bytes) -> None:
    columns = set(_COLUMNS.findall(data))
    if columns:
        scan.max_col = max(scan.max_col, *(_col_index(c) + 1 for c in columns))
    rows = _ROWS.findall(data)
    if rows:
        scan.max_row = max(scan.max_row, *map(int, rows))
    if b"<f" in data or b":f" in data:
        for m in _FORMULA.finditer(data):
            attrs = data[data.rfind(b"<", 0, m.start()) : m.start()]  # the enclosing <c ...>
            if m["novalue"] is None and _STR_TYPE.search(attrs):
                continue  # a formula whose saved result is the empty string
            ref, text = _CELL_REF.search(attrs), m["text"]
            scan.formulas.append(
                (
                    ref[1].decode() if ref else None,
                    int(ref[2]) if ref else None,
                    "=" + html.unescape(text.decode("utf-8", "replace")) if text else None,
                )
            )
    if b"mergeCell" in data:
        for c1, r1, c2, r2 in _MERGE.findall(data):
            scan.merges.append((int(r1), _col_index(c1), int(r2), _col_index(c2)))


def _scan(zf: zipfile.ZipFile, sheet: _Sheet, display: str) -> _Scan:
    """Stream the sheet's XML in chunks cut after a row end tag (cells never straddle a cut)."""
    assert sheet.part is not None
    scan, rest = _Scan(), b""
    try:
        with zf.open(sheet.part) as stream:
            while chunk := stream.read(_CHUNK):
                data = rest + chunk
                ends = data.rfind(b"</row>"), data.rfind(b":row>")
                cut = max(ends[0] + 6 if ends[0] >= 0 else -1, ends[1] + 5 if ends[1] >= 0 else -1)
                if cut < 0:
                    rest = data
                    continue
                _scan_part(scan, data[:cut])
                rest = data[cut:]
            _scan_part(scan, rest)
    except Exception as exc:
        raise _unreadable(display, f"sheet {sheet.name!r}: {_short(exc)}") from exc
    if scan.max_row * scan.max_col > MAX_CELLS:
        raise AnchorspendError(
            f"refusing to open sheet {sheet.name!r}: its cells span "
            f"{scan.max_row} rows x {scan.max_col} columns",
            path=display,
            hint=_TOO_BIG_HINT,
        )
    return scan


def _text(col: pl.Expr) -> pl.Expr:
    """Dates as ISO text (no midnight time part), times alone, "" as null."""
    e = col.str.replace(_TIME_ONLY, "${1}").str.replace(_MIDNIGHT, "${1}")
    e = e.str.replace(_DATETIME, "${1}T${2}")
    return pl.when(e.str.len_bytes() > 0).then(e)


def _fill_merges(
    frame: pl.DataFrame, merges: list[tuple[int, int, int, int]]
) -> tuple[pl.DataFrame, dict[tuple[int, int], str]]:
    """Copy each merged range's top-left value over the range (as far as the frame reaches)."""
    width = frame.width - 1
    inside = [(r1, c1, r2, c2) for r1, c1, r2, c2 in merges if r1 <= frame.height and c1 < width]
    if not inside:
        return frame, {}
    schema = {"r1": pl.Int64, "c1": pl.Int64, "r2": pl.Int64, "c2": pl.Int64}
    ranges = pl.DataFrame(inside, schema=schema, orient="row")
    corner = (
        frame.filter(pl.col(ROW).is_in(ranges["r1"].implode()))
        .unpivot(index=ROW, variable_name="name", value_name="v")
        .filter(pl.col("v").is_not_null())
    )
    ranges = (
        ranges.with_columns(name=pl.format("c{}", "c1"))
        .join(corner, left_on=["r1", "name"], right_on=[ROW, "name"])
        .sort("r1")
    )
    for i in range(int(ranges["c1"].min() or 0), min(int(ranges["c2"].max() or 0), width - 1) + 1):
        part = ranges.filter(pl.col("c1") <= i, pl.col("c2") >= i).select("r1", "r2", "v")
        if part.is_empty():
            continue
        name = cell_name(i)
        frame = (
            frame.join_asof(part, left_on=ROW, right_on="r1", strategy="backward")
            .with_columns(
                pl.when(pl.col(ROW) <= pl.col("r2")).then("v").otherwise(name).alias(name)
            )
            .drop("r1", "r2", "v")
        )
    corners = dict(zip(zip(ranges["r1"], ranges["c1"], strict=True), ranges["v"], strict=True))
    return frame, corners


def _load(reader: Any, zf: zipfile.ZipFile, sheet: _Sheet, display: str) -> _Loaded:
    scan = _scan(zf, sheet, display)
    try:
        loaded = reader.load_sheet(sheet.name, header_row=None, skip_rows=0, dtypes="string")
        data: pl.DataFrame = loaded.to_polars()
        absolute = {c.absolute_index: c.name for c in loaded.selected_columns}
    except Exception as exc:  # fastexcel's own classes, and whatever the Arrow handoff raises
        raise _unreadable(display, f"sheet {sheet.name!r}: {_short(exc)}") from exc
    width = max(absolute, default=-1) + 1  # calamine starts at the first used column
    cells = [
        _text(pl.col(absolute[i])) if i in absolute else pl.lit(None, pl.String) for i in range(width)
    ]
    frame = data.select(
        pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias(ROW),
        *(e.alias(cell_name(i)) for i, e in enumerate(cells)),
    )
    frame, corners = _fill_merges(frame, scan.merges)
    return _Loaded(sheet, scan, frame, corners)


def _named(sheets: list[_Sheet], wanted: str, display: str) -> _Sheet:
    found = next((s for s in sheets if s.name == wanted), None)
    if found is None and wanted.strip().isdigit() and 1 <= int(wanted) <= len(sheets):
        found = sheets[int(wanted) - 1]
    if found is None:
        names = ", ".join(repr(s.name) + (" (hidden)" if s.hidden else "") for s in sheets)
        raise AnchorspendError(
            f"sheet {wanted!r} not found",
            path=display,
            details=[f"sheets in this workbook: {names}"],
            hint="--sheet NAME",
        )
    if found.part is None:
        raise AnchorspendError(
            f"sheet {found.name!r} has no cells to read (is it a chart sheet?)",
            path=display,
            hint="--sheet NAME",
        )
    return found


def _summary(loaded: _Loaded) -> str:
    label = loaded.sheet.name + (" (hidden)" if loaded.sheet.hidden else "")
    frame = loaded.frame
    if frame.width > 1:
        frame = frame.filter(pl.any_horizontal(pl.all().exclude(ROW).is_not_null()))
    if frame.width == 1 or frame.is_empty():
        return f"{label}: (empty)"
    first = frame.row(0)
    text = " | ".join(str(v) for v in first[1:] if v is not None)
    return f"{label}: row {first[0]}: " + (text if len(text) <= 80 else text[:79] + "…")


def _pick(
    reader: Any,
    zf: zipfile.ZipFile,
    sheets: list[_Sheet],
    looks_like_header: Callable[[list[str | None]], int],
    display: str,
) -> _Loaded:
    summaries: list[str] = []
    for hidden in (False, True):
        best: tuple[int, _Loaded] | None = None
        for sheet in sheets:
            if sheet.hidden != hidden or sheet.part is None:
                continue
            loaded = _load(reader, zf, sheet, display)
            head = loaded.frame.head(HEADER_SCAN_ROWS).drop(ROW)
            score = max((looks_like_header(list(r)) for r in head.iter_rows()), default=0)
            summaries.append(_summary(loaded))
            if score > 0 and (best is None or score > best[0]):
                best = (score, loaded)
        if best is not None:
            return best[1]
    raise AnchorspendError(
        "no sheet has a recognisable spend header",
        path=display,
        details=summaries,
        hint="--sheet NAME, and --map FIELD=HEADER if the headers are unusual",
    )


def _findings(loaded: _Loaded, display: str) -> list[Finding]:
    name, out = loaded.sheet.name, []
    for col, row, formula in loaded.scan.formulas:
        where = f"cell {col}{row}" if col else "a cell"
        out.append(
            Finding(
                code="formula-without-value",
                severity="warning",
                path=display,
                sheet=name,
                row=row,
                column=col,
                value=formula,
                message=f"{where} holds a formula with no saved value (the workbook was not "
                "recalculated before saving); the cell is read as empty — open and save it in "
                "Excel, or export to CSV",
            )
        )
    merges = loaded.scan.merges
    for r1, c1, r2, c2 in merges[:MAX_MERGE_FINDINGS]:
        ref = f"{_letters(c1)}{r1}:{_letters(c2)}{r2}"
        out.append(
            Finding(
                code="merged-cells",
                severity="info",
                path=display,
                sheet=name,
                row=r1,
                column=ref,
                value=loaded.corners.get((r1, c1)),
                message=f"merged cells {ref} read as one value repeated",
            )
        )
    if len(merges) > MAX_MERGE_FINDINGS:
        more = len(merges) - MAX_MERGE_FINDINGS
        out.append(
            Finding(
                code="merged-cells",
                severity="info",
                path=display,
                sheet=name,
                message=f"{more} more merged ranges read the same way (not listed)",
            )
        )
    return out


def _letters(index: int) -> str:
    """Excel column name of a 0-based index."""
    out = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


def read_xlsx(
    path: Path,
    *,
    display: str,
    sheet: str | None = None,
    looks_like_header: Callable[[list[str | None]], int],
) -> RawTable:
    """Read one worksheet: ``sheet`` (a name or 1-based index) or the best-headed one."""
    with _open_zip(path, display) as zf:
        sheets = _sheets(zf, display)
        try:
            reader = fastexcel.read_excel(path)
        except Exception as exc:
            raise _unreadable(display, _short(exc)) from exc
        if sheet is not None:
            loaded = _load(reader, zf, _named(sheets, sheet, display), display)
        else:
            loaded = _pick(reader, zf, sheets, looks_like_header, display)
    return RawTable(
        frame=loaded.frame,
        source=display,
        width=loaded.frame.width - 1,
        sheet=loaded.sheet.name,
        encoding=None,
        findings=_findings(loaded, display),
    )
