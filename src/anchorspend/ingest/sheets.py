"""What every workbook reader shares, once a sheet's cells can be read: the :class:`Sheet` and
its :class:`Scan` (what the reader's own pass over the file found that calamine does not report),
a sheet's cells as text (:func:`load_sheet`), the choice of sheet with its findings, made a
:class:`RawTable` (:func:`read_sheet`), and the sheets ``--sheet '*'`` reads
(:func:`every_sheet`). XLSX (:mod:`anchorspend.ingest.xlsx`) and the legacy workbooks
(:mod:`anchorspend.ingest.legacy`) each scan their files their own way and hand the same
:class:`Scan` here. Also the refusals and hints the readers share.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import polars as pl

from anchorspend.errors import AnchorspendError, Finding
from anchorspend.findings import make
from anchorspend.ingest.header import letter
from anchorspend.ingest.raw import ROW, RawTable, cell_name

MAX_CELLS = 50_000_000  # refuse a sheet whose used rows x columns exceed this (calamine is dense)
HEADER_SCAN_ROWS = 30
MAX_MERGE_FINDINGS = 50

NOT_A_WORKBOOK = "check the file; if it is CSV text, rename it to .csv"
DAMAGED = "the workbook is damaged: open and save it again in a spreadsheet, or export CSV"
TOO_BIG = "if the file is genuine, export it as CSV"
CUT_SHORT = "the workbook is damaged or incomplete: download or export it again"
REJECT = "if the file is genuine, open and save it in a spreadsheet, or export it as CSV"
PASSWORD = "save it without a password (or export CSV)"

# calamine renders date cells as "YYYY-MM-DD HH:MM:SS[.fff]"; a time alone has day 0, 1899-12-31.
_STAMP = r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d+)?$"
_TIME_ONLY = r"^1899-12-31 (\d{2}:\d{2}:\d{2}(?:\.\d+)?)$"
_MIDNIGHT = r"^(\d{4}-\d{2}-\d{2}) 00:00:00(?:\.0+)?$"
_STAMP_GAP = r"^(\d{4}-\d{2}-\d{2}) (\d{2}:)"


@dataclass(frozen=True, slots=True)
class Sheet:
    name: str
    # where its cells are (an XLSX worksheet's XML part; the stream or part of a legacy
    # workbook); None for chart sheets, macro sheets and dangling entries
    part: str | None
    hidden: bool


@dataclass(slots=True)
class Scan:
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
class Loaded:
    sheet: Sheet
    scan: Scan
    frame: pl.DataFrame
    corners: dict[tuple[int, int], str]  # (row, column) of a merged range -> its value


def unreadable(display: str, reason: str, hint: str, kind: str = "XLSX") -> AnchorspendError:
    """``hint``: NOT_A_WORKBOOK where the file is no workbook at all, DAMAGED where a workbook's
    own parts (its structure, a sheet, the strings a sheet points to) cannot be read. ``kind``
    names the format the file was read as (its suffix)."""
    return AnchorspendError(f"not a readable {kind} workbook: {reason}", path=display, hint=hint)


def library_failure(exc: BaseException) -> bool:
    """Whether ``exc`` is the reading library's failure rather than the user's interrupt:
    fastexcel's and Arrow's exceptions, or a panic inside calamine (pyo3 raises
    ``PanicException``, which derives from BaseException, not Exception)."""
    return isinstance(exc, Exception) or type(exc).__name__ == "PanicException"


def short(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def cell_range(r1: int, c1: int, r2: int, c2: int) -> str:
    return f"{letter(c1)}{r1}:{letter(c2)}{r2}"


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


def load_sheet(
    reader: Any,
    key: int | str,
    sheet: Sheet,
    scan: Scan,
    display: str,
    kind: str = "XLSX",
    stamp_gap: str = " ",
) -> Loaded:
    """Sheet ``key`` (its name, or its 0-based index in ``reader.sheet_names``) as text cells:
    date cells in ISO form, empty text as null, then ``scan``'s cells and merged ranges laid
    over them. ``stamp_gap`` is what stands between a date cell's day and time as the reader
    renders it (calamine: a space; an ODS date-time is read as stored, with a "T")."""
    try:
        loaded = reader.load_sheet(key, header_row=None, skip_rows=0, dtypes="string")
        data: pl.DataFrame = loaded.to_polars()
        source = {c.absolute_index: c.name for c in loaded.selected_columns}
    except BaseException as exc:  # fastexcel's own classes, the Arrow handoff, a calamine panic
        if not library_failure(exc):
            raise
        reason = f"sheet {sheet.name!r}: " + (
            short(exc) if kind == "XLSX" else "its cells could not be read"
        )
        raise unreadable(display, reason, DAMAGED, kind) from exc
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
    return Loaded(sheet, scan, frame, corners)


def _named(sheets: list[Sheet], wanted: str, display: str) -> Sheet:
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


def _summary(loaded: Loaded) -> str:
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
    load: Callable[[Sheet], Loaded],
    sheets: list[Sheet],
    looks_like_header: Callable[[list[str | None]], int],
    display: str,
) -> tuple[Loaded, list[str]]:
    """The best-scoring visible sheet (earliest on ties); hidden ones only if none qualifies.
    Also the names of the other sheets that look like spend data: they are not read, and the
    caller says so."""
    summaries: list[str] = []
    for hidden in (False, True):
        best: tuple[int, Loaded] | None = None
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


def _findings(loaded: Loaded, display: str) -> list[Finding]:
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


def _table(loaded: Loaded, others: list[str], display: str) -> RawTable:
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


def read_sheet(
    load: Callable[[Sheet], Loaded],
    sheets: list[Sheet],
    wanted: str | None,
    looks_like_header: Callable[[list[str | None]], int],
    display: str,
) -> RawTable:
    """One worksheet, loaded by ``load``: ``wanted`` (a name, or a 1-based index as text) or,
    without it, the best-headed one, with its findings."""
    others: list[str] = []
    if wanted is not None:
        loaded = load(_named(sheets, wanted, display))
    else:
        loaded, others = _pick(load, sheets, looks_like_header, display)
    return _table(loaded, others, display)


def every_sheet(sheets: list[Sheet]) -> list[str]:
    """The names of the worksheets with cells, in workbook order: the visible ones, or the
    hidden ones when none is visible. What ``--sheet '*'`` reads."""
    readable = [s for s in sheets if s.part is not None]
    visible = [s.name for s in readable if not s.hidden]
    return visible or [s.name for s in readable]


def password_protected(display: str) -> AnchorspendError:
    """The stop for a workbook saved with a password."""
    return AnchorspendError("the workbook is password-protected", path=display, hint=PASSWORD)


def refuse_overlarge(scan: Scan, name: str, display: str) -> None:
    """Stop where sheet ``name``'s cells span more than MAX_CELLS: calamine lays a sheet out as
    a dense grid."""
    if scan.max_row * scan.max_col > MAX_CELLS:
        raise AnchorspendError(
            f"refusing to open sheet {name!r}: its cells span up to "
            f"{scan.max_row} rows x {scan.max_col} columns",
            path=display,
            hint=TOO_BIG,
        )
