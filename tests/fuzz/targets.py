"""Fuzz targets: bytes in, and either a clean result or an AnchorspendError out. Any other
exception is a crash. The same functions replay saved crashes in ``tests/fuzz_regressions/``
(see ``tests/test_fuzz_regressions.py``) and drive atheris in ``tests/fuzz/run.py``."""

from __future__ import annotations

import io
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import polars as pl

from anchorspend.errors import AnchorspendError
from anchorspend.gather.options import RunConfig
from anchorspend.normalise import parse_amount, parse_date, plain_amount
from anchorspend.pipeline import run

AMOUNT_STATUS = {"ok", "missing", "invalid", "rounded"}
DATE_STATUS = {"ok", "missing", "invalid", "period"}
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"


class InvariantBroken(AssertionError):
    """A target returned, but with a result that breaks a stated invariant."""


def _analyse(path: Path) -> None:
    try:
        result = run(RunConfig(inputs=(path,), organisation="Fuzz"))
    except AnchorspendError:
        return
    rec = result.document["reconciliation"]
    counted = rec["rows_analysed"] + rec["rows_excluded"] + rec["rows_rejected"]
    not_analysed = rec["rows_excluded"] + rec["rows_rejected"]
    if rec["rows_read"] != counted or result.rows.height != not_analysed:
        raise InvariantBroken(f"reconciliation does not add up: {rec}")


def fuzz_csv(data: bytes) -> None:
    """The bytes as a .csv export, through the whole analyse pipeline."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzz.csv"
        path.write_bytes(data)
        _analyse(path)


def workbook(sheet_xml: bytes, strings_xml: bytes | None) -> bytes:
    """A well-formed XLSX package around fuzzed sheet (and shared-strings) XML, so that the
    fuzzer's bytes reach the XML scan, defusedxml and calamine rather than zip's CRC check."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="{_PKG}"><Relationship Id="rId1" Type="{_REL}/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>',
        )
        zf.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>'
            '<sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        zf.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<Relationships xmlns="{_PKG}"><Relationship Id="rId1" Type="{_REL}/worksheet" '
            'Target="worksheets/sheet1.xml"/></Relationships>',
        )
        zf.writestr("xl/worksheets/sheet1.xml", sheet_xml)
        if strings_xml is not None:
            zf.writestr("xl/sharedStrings.xml", strings_xml)
    return buf.getvalue()


def fuzz_xlsx(data: bytes) -> None:
    """Raw bytes named .xlsx when they are a zip; otherwise the first part of the bytes is the
    sheet XML and the rest (after a NUL) the shared strings, packaged as a valid workbook."""
    if not data.startswith(b"PK"):
        sheet, _, strings = data.partition(b"\x00")
        data = workbook(sheet, strings or None)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzz.xlsx"
        path.write_bytes(data)
        _analyse(path)


def _texts(data: bytes) -> list[str]:
    return data.decode("utf-8", errors="replace").split("\n")


_IS_PLAIN, _PLAIN_PENCE = plain_amount(pl.col("t"))
_AMOUNT = (parse_amount(pl.col("t")).alias("a"), _IS_PLAIN.alias("plain"), _PLAIN_PENCE.alias("pp"))
_DATES = {r: parse_date(pl.col("t"), date_range=r).alias("d") for r in (None, "start", "end")}


def fuzz_amount(data: bytes) -> None:
    """Each line is an amount cell. The cheap path and the full parser must agree."""
    frame = pl.DataFrame({"t": _texts(data)}, schema={"t": pl.String})
    got = frame.select(*_AMOUNT).unnest("a")
    for text, pence, status, plain, pp in zip(frame["t"], *got.get_columns(), strict=True):
        if status not in AMOUNT_STATUS:
            raise InvariantBroken(f"{text!r}: unknown status {status!r}")
        if (status in ("ok", "rounded")) != (pence is not None):
            raise InvariantBroken(f"{text!r}: status {status!r} with pence {pence!r}")
        if plain and (status != "ok" or pp != pence):
            raise InvariantBroken(f"{text!r}: plain path {pp!r}, full parser {pence!r} {status}")


def fuzz_date(data: bytes) -> None:
    """Each line is a date cell."""
    frame = pl.DataFrame({"t": _texts(data)}, schema={"t": pl.String})
    # one way of reading a period per input, chosen by its length (each parse costs ~0.1 s)
    date_range = list(_DATES)[len(data) % 3]
    got = frame.select(_DATES[date_range]).unnest("d")
    known = DATE_STATUS | {f"period-{date_range}"}
    for text, date, status in zip(frame["t"], *got.get_columns(), strict=True):
        if status not in known:
            raise InvariantBroken(f"{text!r}: unknown status {status!r}")
        if date is not None and not 1900 <= date.year <= 2200:
            raise InvariantBroken(f"{text!r}: implausible date {date}")
        if status == "ok" and date is None:
            raise InvariantBroken(f"{text!r}: status ok without a date")


TARGETS: dict[str, Callable[[bytes], None]] = {
    "csv": fuzz_csv,
    "xlsx": fuzz_xlsx,
    "amount": fuzz_amount,
    "date": fuzz_date,
}
