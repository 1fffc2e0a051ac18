"""XLSX reader: one worksheet as a :class:`RawTable` of text cells with Excel's own row numbers.

Before anything parses the workbook, it is opened safely (:mod:`anchorspend.ingest.workbook_zip`:
declared sizes, DTDs). Cells come from fastexcel (calamine). Each sheet's XML is also streamed
once as bytes, before calamine sees it, for what calamine does not report: formulas saved without
a value, merged ranges, and cell extents so large that calamine's dense grid would exhaust
memory. The steps after that scan (a sheet's cells as text, the sheet choice, the findings) are
:mod:`anchorspend.ingest.sheets`, which the legacy workbooks share.
"""

from __future__ import annotations

import html
import posixpath
import re
import zipfile
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import fastexcel
from defusedxml import ElementTree

from anchorspend.errors import AnchorspendError
from anchorspend.ingest.raw import RawTable
from anchorspend.ingest.sheets import (
    DAMAGED,
    NOT_A_WORKBOOK,
    Loaded,
    Scan,
    Sheet,
    every_sheet,
    load_sheet,
    read_sheet,
    refuse_overlarge,
    short,
    unreadable,
)
from anchorspend.ingest.workbook_zip import open_zip, refuse_dtds

_CHUNK = 1 << 20
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


def _col_index(letters: bytes) -> int:
    """0-based index of an Excel column name (A=0, AA=26)."""
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n - 1


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


def _sheets(zf: zipfile.ZipFile, display: str) -> list[Sheet]:
    try:
        top = _relationships(zf, "")
        book = next((t for k, t in top.values() if k == "officeDocument"), "xl/workbook.xml")
        if book not in zf.NameToInfo:
            raise unreadable(display, "it has no workbook part (xl/workbook.xml)", NOT_A_WORKBOOK)
        rels, sheets = _relationships(zf, book), []
        for el in ElementTree.fromstring(zf.read(book)).iter():
            if _local(el.tag) == "sheet":
                rid = next((v for k, v in el.attrib.items() if _local(k) == "id"), "")
                kind, part = rels.get(rid, ("", ""))
                ok = kind == "worksheet" and part in zf.NameToInfo
                hidden = el.get("state", "visible") != "visible"
                sheets.append(Sheet(el.get("name", ""), part if ok else None, hidden))
    except AnchorspendError:
        raise
    except Exception as exc:  # damaged XML, a forbidden DTD, a bad zip member: one story
        raise unreadable(display, f"damaged workbook structure ({short(exc)})", DAMAGED) from exc
    if not sheets:
        raise unreadable(display, "it lists no sheets", DAMAGED)
    return sheets


def _where(attrs: bytes) -> tuple[str | None, int | None]:
    """A cell's column letters and row from its opening tag's attributes, where it says."""
    ref = _CELL_REF.search(attrs)
    return (ref[1].decode(), int(ref[2])) if ref else (None, None)


def _scan_part(scan: Scan, data: bytes) -> None:
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


def _scan(zf: zipfile.ZipFile, sheet: Sheet, display: str) -> Scan:
    """Stream the sheet's XML in chunks cut after a row's end tag (so no cell straddles a cut)."""
    assert sheet.part is not None
    scan, rest = Scan(), b""
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
        raise unreadable(display, f"sheet {sheet.name!r}: {short(exc)}", DAMAGED) from exc
    refuse_overlarge(scan, sheet.name, display)
    return scan


def _load(reader: Any, zf: zipfile.ZipFile, sheet: Sheet, display: str) -> Loaded:
    return load_sheet(reader, sheet.name, sheet, _scan(zf, sheet, display), display)


def worksheets(path: Path, display: str) -> list[str]:
    """The workbook's worksheets that ``--sheet '*'`` reads (:func:`every_sheet`)."""
    with open_zip(path, display) as zf:
        refuse_dtds(zf, display)
        sheets = _sheets(zf, display)
    return every_sheet(sheets)


def read_xlsx(
    path: Path,
    *,
    display: str,
    sheet: str | None = None,
    looks_like_header: Callable[[list[str | None]], int],
) -> RawTable:
    """Read one worksheet: ``sheet`` (a name, or a 1-based index as text) or the best-headed one."""
    with open_zip(path, display) as zf:
        refuse_dtds(zf, display)
        sheets = _sheets(zf, display)
        try:
            reader = fastexcel.read_excel(path)
        except Exception as exc:
            raise unreadable(display, short(exc), NOT_A_WORKBOOK) from exc
        load = partial(_load, reader, zf, display=display)
        return read_sheet(load, sheets, sheet, looks_like_header, display)
