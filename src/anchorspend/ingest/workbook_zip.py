"""A workbook that is a zip archive (XLSX, ODS), opened safely: its declared sizes checked (zip
bombs) and every part's prolog parsed by defusedxml, so that a part declaring a DTD (the vehicle
of XML entity expansion, "billion laughs") is refused; workbooks never legitimately carry one.
"""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser, ParseError

from anchorspend.errors import AnchorspendError
from anchorspend.ingest.ole2 import OLE_MAGIC
from anchorspend.ingest.sheets import NOT_A_WORKBOOK, TOO_BIG, short, unreadable

MAX_UNCOMPRESSED_BYTES = 2 * 1024**3  # refuse a workbook whose parts declare more in total
MAX_COMPRESSION_RATIO = 200  # ... or a part compressed more than this that is also large:
RATIO_CHECK_MIN_BYTES = 50_000_000


def open_zip(path: Path, display: str, kind: str = "XLSX") -> zipfile.ZipFile:
    try:
        with path.open("rb") as fh:
            magic = fh.read(len(OLE_MAGIC))
        zf = zipfile.ZipFile(path) if magic != OLE_MAGIC else None
    except OSError as exc:  # missing, unreadable, a directory: not a damaged workbook
        raise AnchorspendError(f"cannot open the file: {short(exc)}", path=display) from exc
    except (zipfile.BadZipFile, ValueError) as exc:
        reason = f"not a zip archive ({short(exc)})"
        raise unreadable(display, reason, NOT_A_WORKBOOK, kind) from exc
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
            hint=TOO_BIG,
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


def refuse_dtds(zf: zipfile.ZipFile, display: str) -> None:
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
