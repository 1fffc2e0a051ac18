"""Turn the user's INPUT arguments into raw tables: files, directories, zip members, Parquet."""

from __future__ import annotations

import os
import shutil
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import polars as pl

from anchorspend.errors import AnchorspendError, Finding
from anchorspend.ingest.csvread import csv_records, iter_csv, read_csv
from anchorspend.ingest.raw import ROW, RawTable, cell_name

TEXT_SUFFIXES = {".csv", ".tsv", ".txt"}
LEGACY_SUFFIXES = {".xls", ".ods"}  # Excel 97-2003 and OpenDocument: see ingest/legacy.py
WORKBOOK_SUFFIXES = {".xlsx", ".xlsm"} | LEGACY_SUFFIXES
SUPPORTED = TEXT_SUFFIXES | WORKBOOK_SUFFIXES | {".zip", ".parquet"}
ZIP_MAX_TOTAL = 4 * 1024**3  # declared uncompressed bytes in one archive
ZIP_MAX_RATIO = 200  # per member, when the member is large
ZIP_MAX_MEMBERS = 1000  # a month of exports per file is 12; 20,000 tiny members is an attack
ZIP_RATIO_FLOOR = 50 * 1024**2
_SUPPORTED_HINT = f"supported: {', '.join(sorted(SUPPORTED))}"
OUTPUT_MARKER = "metrics.json"  # a folder holding one is an anchorspend --out folder, not input


@dataclass(frozen=True, slots=True)
class Source:
    """One readable table: ``path`` on disk, ``display`` as the user should see it."""

    path: Path
    display: str
    suffix: str
    sheet: str | None = None  # one worksheet of a workbook read sheet by sheet (--sheet '*')


@dataclass(frozen=True, slots=True)
class ReadOptions:
    encoding: str | None = None
    sheet: str | None = None
    delimiter: str | None = None


def _walk(directory: Path) -> Iterator[Path]:
    """Supported files below ``directory`` in a stable order; symlinked folders are not followed
    (so a link loop cannot trap us) and earlier --out folders are passed over."""
    for root, dirs, files in os.walk(directory, followlinks=False):
        here = Path(root)
        if OUTPUT_MARKER in files and here != directory:
            dirs[:] = []
            continue
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            p = here / name
            if not name.startswith((".", "~$")) and p.suffix.lower() in SUPPORTED:
                yield p


def expand(inputs: list[Path]) -> list[Path]:
    """Every file named or found below a named folder, in argument order, each once."""
    out: list[Path] = []
    seen: set[Path] = set()
    for item in inputs:
        if not item.exists():
            raise AnchorspendError(
                "no such file or folder", path=str(item), hint="check the path and try again"
            )
        if item.is_dir():
            found = list(_walk(item))
            if not found:
                raise AnchorspendError(
                    "the folder holds no spend files",
                    path=str(item),
                    hint=_SUPPORTED_HINT,
                )
        else:
            if item.suffix.lower() not in SUPPORTED:
                raise AnchorspendError(
                    f"unsupported file type {item.suffix or '(none)'!r}",
                    path=str(item),
                    hint=f"{_SUPPORTED_HINT}; rename a CSV to .csv",
                )
            found = [item]
        for p in found:
            if not p.is_file():  # a pipe or a device would block the read or never end
                raise AnchorspendError(
                    "not a regular file (a pipe, socket or device, or a broken link)",
                    path=str(p),
                    hint="pass the export itself; copy it to a file first if it is streamed",
                )
            key = p.resolve()
            if key not in seen:
                seen.add(key)
                out.append(p)
    return out


def input_folders(inputs: list[Path]) -> dict[Path, Path]:
    """Each file found below an INPUT folder → that folder: a folder of one publisher's exports
    is one organisation (files named directly are not listed)."""
    out: dict[Path, Path] = {}
    for item in inputs:
        if item.is_dir():
            for p in _walk(item):
                out.setdefault(p, item)
    return out


def _check_zip(zf: zipfile.ZipFile, display: str) -> list[zipfile.ZipInfo]:
    members = [i for i in zf.infolist() if not i.is_dir()]
    if len(members) > ZIP_MAX_MEMBERS:
        raise AnchorspendError(
            f"refusing to open: the archive holds {len(members):,} files; anchorspend reads at "
            f"most {ZIP_MAX_MEMBERS:,} from one archive",
            path=display,
            hint="unzip it yourself and pass the folder (or the files that hold spend)",
        )
    total = sum(i.file_size for i in members)
    if total > ZIP_MAX_TOTAL:
        raise AnchorspendError(
            f"refusing to open: the archive would expand to {total:,} bytes",
            path=display,
            hint="unzip it yourself and pass the files, if it is genuine",
        )
    for i in members:
        ratio = i.file_size / max(i.compress_size, 1)
        if i.file_size > ZIP_RATIO_FLOOR and ratio > ZIP_MAX_RATIO:
            raise AnchorspendError(
                f"refusing to open {i.filename!r}: it expands {ratio:,.0f} times (zip bomb?)",
                path=display,
                hint="unzip it yourself and pass the files, if it is genuine",
            )
    return members


EVERY_SHEET = "*"
"""``--sheet '*'``: every visible worksheet of a workbook is a source of its own."""


def _each_sheet(sources: list[Source], sheet: str | None) -> list[Source]:
    if sheet != EVERY_SHEET:
        return sources
    from anchorspend.ingest import legacy, xlsx

    out: list[Source] = []
    for source in sources:
        if source.suffix in WORKBOOK_SUFFIXES:
            module = legacy if source.suffix in LEGACY_SUFFIXES else xlsx
            names = module.worksheets(source.path, source.display)
            out.extend(replace(source, sheet=name) for name in names)
        else:
            out.append(source)
    return out


@contextmanager
def open_sources(path: Path, sheet: str | None = None) -> Iterator[list[Source]]:
    """The tables inside one input file; zip members are extracted to a temporary folder that
    is removed when the block ends. ``sheet`` :data:`EVERY_SHEET` makes each worksheet of a
    workbook a source of its own."""
    with _open_sources(path) as sources:
        yield _each_sheet(sources, sheet)


@contextmanager
def _open_sources(path: Path) -> Iterator[list[Source]]:
    suffix = path.suffix.lower()
    if suffix != ".zip":
        yield [Source(path, str(path), suffix)]
        return
    tmp = Path(tempfile.mkdtemp(prefix="anchorspend-zip-"))
    try:
        try:
            zf = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise AnchorspendError(
                f"not a readable zip archive: {exc}",
                path=str(path),
                hint="check the file is complete (was the download cut short?)",
            ) from exc
        with zf:
            sources: list[Source] = []
            for info in _check_zip(zf, str(path)):
                inner = Path(info.filename)
                isuffix = inner.suffix.lower()
                if inner.name.startswith((".", "~$")) or (inner.parts[:1] == ("__MACOSX",)):
                    continue
                if isuffix == ".zip":  # could hold spend: never skipped, never opened blindly
                    raise AnchorspendError(
                        f"the archive holds another archive, {info.filename!r}, which anchorspend "
                        "does not open",
                        path=str(path),
                        hint="unzip it yourself and pass the folder",
                    )
                if isuffix not in SUPPORTED:
                    continue
                target = tmp / f"{len(sources):04d}{isuffix}"
                _extract(zf, info, target, str(path))
                sources.append(Source(target, f"{path}!{info.filename}", isuffix))
            if not sources:
                raise AnchorspendError(
                    "the archive holds no spend files", path=str(path), hint=_SUPPORTED_HINT
                )
            yield sources
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _extract(zf: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, display: str) -> None:
    written = 0
    try:
        with zf.open(info) as src, target.open("wb") as dst:
            while chunk := src.read(1024 * 1024):
                written += len(chunk)
                if written > info.file_size:  # the header lied about the size
                    raise AnchorspendError(
                        f"refusing {info.filename!r}: it expands past its declared size",
                        path=display,
                    )
                dst.write(chunk)
    # a damaged member (bad CRC, bad deflate stream, cut short), an encrypted one, or an
    # unsupported compression method
    except (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError, NotImplementedError) as exc:
        raise AnchorspendError(
            f"cannot extract {info.filename!r}: {exc}",
            path=display,
            hint="the archive is damaged or encrypted: unzip it yourself and pass the files",
        ) from exc


def read_parquet(path: Path, *, display: str) -> RawTable:
    """A Parquet table as text cells, its column names as row 1, so one header finder serves."""
    try:
        frame = pl.read_parquet(path)
    except Exception as exc:  # Polars raises several kinds for a bad file
        raise AnchorspendError(f"not a readable Parquet file: {exc}", path=display) from exc
    names = frame.columns
    cells = frame.select(pl.col(c).cast(pl.String).alias(cell_name(i)) for i, c in enumerate(names))
    header = pl.DataFrame([[n] for n in names], schema=[cell_name(i) for i in range(len(names))])
    grid = pl.concat([header, cells], how="vertical").with_row_index(ROW, offset=1)
    return RawTable(
        frame=grid.with_columns(pl.col(ROW).cast(pl.Int64)), source=display, width=len(names)
    )


HeaderScorer = Callable[[list[str | None]], int]


def read_source(source: Source, options: ReadOptions, scorer: HeaderScorer) -> RawTable:
    """One source as a raw table; the file vanishing or becoming unreadable is the user's error,
    named with the file, not a crash."""
    try:
        return _read_source(source, options, scorer)
    except OSError as exc:
        raise _unreadable(source, exc) from exc


def iter_source(
    source: Source, options: ReadOptions, scorer: HeaderScorer, batch_rows: int, width: int = 0
) -> Iterator[RawTable]:
    """One source's records ``batch_rows`` at a time: delimited text is streamed (see
    :func:`anchorspend.ingest.csvread.iter_csv`, whose :class:`WiderThanSampled` passes
    through); workbooks and Parquet are read whole and handed on in slices."""
    try:
        if source.suffix in TEXT_SUFFIXES:
            yield from iter_csv(
                source.path,
                display=source.display,
                batch_rows=batch_rows,
                encoding=options.encoding,
                delimiter=options.delimiter,
                width=width,
            )
            return
        table = _read_source(source, options, scorer)
    except OSError as exc:
        raise _unreadable(source, exc) from exc
    for i, start in enumerate(range(0, max(table.frame.height, 1), batch_rows)):
        yield replace(
            table,
            frame=table.frame.slice(start, batch_rows),
            findings=table.findings if i == 0 else [],
            records=table.frame.height,
        )


def _unreadable(source: Source, exc: OSError) -> AnchorspendError:
    return AnchorspendError(
        f"cannot read the file: {exc.strerror or exc}",
        path=source.display,
        hint="check that the file exists, is complete and that you may read it",
    )


def _read_source(source: Source, options: ReadOptions, scorer: HeaderScorer) -> RawTable:
    if source.suffix in TEXT_SUFFIXES:
        return read_csv(
            source.path,
            display=source.display,
            encoding=options.encoding,
            delimiter=options.delimiter,
        )
    if source.suffix in WORKBOOK_SUFFIXES:
        from anchorspend.ingest import legacy, xlsx

        read = legacy.read_legacy if source.suffix in LEGACY_SUFFIXES else xlsx.read_xlsx
        return read(
            source.path,
            display=source.display,
            sheet=source.sheet or options.sheet,
            looks_like_header=scorer,
        )
    if source.suffix == ".parquet":
        return read_parquet(source.path, display=source.display)
    raise AnchorspendError(f"unsupported file type {source.suffix!r}", path=source.display)


@dataclass(slots=True)
class Records:
    """One source's records for whole-file plans: ``frame`` lazily (the shape of a
    :class:`RawTable`'s frame), ``collect`` to run a plan over them (a delimited file's plan is
    streamed, and may raise :class:`WiderThanSampled`), and what the reader found."""

    frame: Callable[[], pl.LazyFrame]
    collect: Callable[[Callable[[pl.LazyFrame], pl.LazyFrame]], pl.DataFrame]
    findings: list[Finding]
    encoding: str | None
    sheet: str | None
    width: int


@contextmanager
def source_records(
    source: Source, options: ReadOptions, scorer: HeaderScorer, width: int = 0
) -> Iterator[Records]:
    """:class:`Records` of ``source``: a delimited file is scanned, never held; a workbook or
    Parquet file is read whole, as :func:`read_source` reads it."""
    try:
        if source.suffix in TEXT_SUFFIXES:
            with csv_records(
                source.path,
                display=source.display,
                encoding=options.encoding,
                delimiter=options.delimiter,
                width=width,
            ) as (csv, findings, encoding):
                yield Records(lambda: csv.frame, csv.collect, findings, encoding, None, csv.width)
            return
        table = _read_source(source, options, scorer)
    except OSError as exc:
        raise _unreadable(source, exc) from exc
    yield Records(
        table.frame.lazy,
        lambda plan: plan(table.frame.lazy()).collect(),
        table.findings,
        table.encoding,
        table.sheet,
        table.width,
    )
