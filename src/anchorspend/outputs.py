"""Files written by ``--out DIR``: all or nothing, byte-identical for the same inputs.

How a set of outputs is written (:func:`write_atomically`), and what that guarantees:

1. Every file is written in full into a fresh staging folder inside DIR, named
   ``.anchorspend-staging-<host>-<pid>-<random>``, and flushed to disk (fsync). Nothing in DIR
   itself has changed yet, so a run that fails or dies at this stage leaves the previous outputs
   exactly as they were.
2. The files are then moved into place one after another with ``os.replace`` (atomic for each
   file: a reader sees the old file or the new one, never a part of one), the folder is flushed and
   the staging folder removed. POSIX has no way to replace several files in one step; this is the
   only window in which the set can be mixed, and it lasts as long as a few renames.
3. SIGINT (Ctrl-C) and SIGTERM are held back during the moves and, at any other moment of the
   write, end the run through ``finally``, which removes the staging folder: the previous outputs
   stay, and no temporary file is left behind (exit 130 or 143).
4. SIGKILL or a power cut allow no clean-up, so the staging folder of a dead run stays until the
   next write to DIR on the same machine removes it (its process id is no longer alive). The
   previous outputs are still whole: staging never touches them.

Two runs writing into the same DIR at once are not supported: each set is whole, but the one that
finishes last wins file by file.

Each set is listed in DIR/``.anchorspend-outputs`` (one name a line), moved into place with it.
A file the last run listed that this run does not write (``shared_suppliers.csv`` from a
``compare`` before an ``analyse``) is removed, so that DIR never holds outputs of two runs;
files anchorspend did not list there are never touched.

Text cells that a spreadsheet would run as a formula (``= + - @``, tab, CR, NUL first) are
prefixed with an apostrophe in CSV files meant for people: every text column, except the money we
format ourselves.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import socket
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import polars as pl

from anchorspend.compare import CompareResult
from anchorspend.document import document_json
from anchorspend.errors import Terminated
from anchorspend.payments_doc import PaymentsResult
from anchorspend.pipeline import Result
from anchorspend.report.analyse.html import render_html
from anchorspend.report.analyse.xlsx import write_xlsx
from anchorspend.report.compare.html import render_compare_html
from anchorspend.report.compare.xlsx import write_compare_xlsx
from anchorspend.report.markdown.analyse import render_analyse_md
from anchorspend.report.markdown.compare import render_compare_md

FORMULA_START = r"^[=+\-@\t\r\x00]"
# Text columns that hold money we formatted ourselves ("-150.00"): numbers, never formulas.
MONEY_COLUMNS = frozenset(
    {
        "total_spend",
        "spend",
        "known_spend",
        "network_spend",
        "member_spend",
        "paid_value",
        "due_value",
        "all_regimes_paid_value",
        "invoice_amount",
        "gross_amount",
        "net_amount",
    }
)


def neutralise(frame: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    """Defuse formula-looking text (CWE-1236) in the named text columns."""
    return frame.with_columns(
        pl.when(pl.col(c).str.contains(FORMULA_START))
        .then(pl.lit("'") + pl.col(c))
        .otherwise(pl.col(c))
        .alias(c)
        for c in columns
    )


def for_people(frame: pl.DataFrame) -> pl.DataFrame:
    """Every text column neutralised but our own money: a new column is safe by default."""
    text = [c for c, t in frame.schema.items() if t == pl.String and c not in MONEY_COLUMNS]
    return neutralise(frame, text)


STAGING_PREFIX = ".anchorspend-staging-"
_STAGING = re.compile(rf"^{re.escape(STAGING_PREFIX)}([0-9a-f]{{8}})-([0-9]+)-")
_ACTIVE: set[Path] = set()  # this process's staging folders still being written


def _host() -> str:
    """A short tag for this machine: a process id means something only where it ran."""
    return hashlib.sha256(socket.gethostname().encode()).hexdigest()[:8]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def sweep_stale(out: Path) -> list[Path]:
    """Remove staging folders that runs on this machine left when they were killed (SIGKILL).

    A folder counts as stale when its process is gone, or is this process (an earlier process
    with the same id) and not one of our writes in progress."""
    if os.name != "posix":
        return []
    removed = []
    host, me = _host(), os.getpid()
    for entry in out.iterdir():
        m = _STAGING.match(entry.name)
        if m is None or m[1] != host or entry.is_symlink() or not entry.is_dir():
            continue
        pid = int(m[2])
        if (pid == me and entry not in _ACTIVE) or (pid != me and not _alive(pid)):
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
    return removed


class _Signals:
    """While a write runs, SIGINT and SIGTERM end it through ``finally`` (Ctrl-C as
    KeyboardInterrupt, SIGTERM as :class:`Terminated`), except inside :meth:`hold`, which keeps
    the signal until the block is done. Python runs signal handlers in the main thread whichever
    thread the signal reached, so holding there holds it for the whole process."""

    def __init__(self) -> None:
        self.holding = False
        self.pending: KeyboardInterrupt | None = None

    def handler(self, signum: int, _frame: object) -> None:
        stop = Terminated() if signum == signal.SIGTERM else KeyboardInterrupt()
        if not self.holding:
            raise stop
        self.pending = self.pending or stop

    @contextmanager
    def hold(self) -> Iterator[None]:
        self.holding = True
        try:
            yield
        finally:
            self.holding = False
        if self.pending is not None:
            raise self.pending


@contextmanager
def _interruptible() -> Iterator[_Signals]:
    guard = _Signals()
    if threading.current_thread() is not threading.main_thread():
        yield guard  # signals cannot be handled here; the main thread's handlers stay
        return
    previous = {n: signal.signal(n, guard.handler) for n in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield guard
    finally:
        for n, handler in previous.items():
            signal.signal(n, handler)


def _fsync(path: Path, directory: bool = False) -> None:
    fd = os.open(path, os.O_RDONLY | (os.O_DIRECTORY if directory else 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


MANIFEST = ".anchorspend-outputs"


def _listed(out: Path) -> list[str]:
    """The plain file names the last run's manifest lists (see the module docstring); an
    unreadable manifest lists nothing, and nothing outside DIR can be named."""
    try:
        text = (out / MANIFEST).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    names = [line.strip() for line in text.splitlines()]
    return [n for n in names if n and not n.startswith(".") and "/" not in n and "\\" not in n]


def write_atomically(out: Path, files: dict[str, Callable[[Path], object]]) -> list[Path]:
    """Write every file, then replace the previous ones together (see the module docstring)."""
    out.mkdir(parents=True, exist_ok=True)
    sweep_stale(out)
    previous = _listed(out)
    listing = "".join(f"{name}\n" for name in sorted(files))
    files = {**files, MANIFEST: lambda p: p.write_text(listing, encoding="utf-8")}
    prefix = f"{STAGING_PREFIX}{_host()}-{os.getpid()}-"
    staging: Path | None = None
    with _interruptible() as signals:
        try:
            with signals.hold():  # no signal between making the folder and owning its removal
                staging = Path(tempfile.mkdtemp(prefix=prefix, dir=out))
                _ACTIVE.add(staging)
            for name, writer in files.items():
                writer(staging / name)
            for name in files:
                _fsync(staging / name)
            with signals.hold():  # a signal never splits the set of files
                for name in files:
                    os.replace(staging / name, out / name)
                for name in previous:  # the last run's outputs that this one replaced not
                    old = out / name
                    if name not in files and old.is_file() and not old.is_symlink():
                        old.unlink(missing_ok=True)
                if os.name == "posix":
                    _fsync(out, directory=True)
        finally:
            with signals.hold():  # the clean-up itself is not cut short
                if staging is not None:
                    shutil.rmtree(staging, ignore_errors=True)
                    _ACTIVE.discard(staging)
    return [out / name for name in files if name != MANIFEST]


def rejected_rows(result: Result) -> pl.DataFrame:
    cols = [
        "_source",
        "_sheet",
        "_row",
        "_reason",
        "organisation",
        "supplier_name",
        "_amount_text",
        "_date_text",
        "transaction_id",
    ]
    frame = result.rejected.select(
        *(pl.col(c) if c in result.rows.columns else pl.lit(None, pl.String).alias(c) for c in cols)
    ).rename(
        {
            "_source": "file",
            "_sheet": "sheet",
            "_row": "row",
            "_reason": "reason",
            "_amount_text": "amount",
            "_date_text": "payment_date",
        }
    )
    return for_people(frame)


def conflicts_csv(result: Result) -> pl.DataFrame:
    """One row per supplier, flag and source: who says what."""
    frame = result.conflicts
    if not frame.height:
        return pl.DataFrame(
            schema={
                "supplier": pl.String,
                "field": pl.String,
                "source": pl.String,
                "value": pl.Boolean,
                "spend": pl.String,
            }
        )
    flat = (
        frame.explode("values")
        .unnest("values")
        .select("supplier", "field", "source", "value", "spend")
    )
    return for_people(flat)


def write_outputs(result: Result, out: Path, templates: Path | None = None) -> list[Path]:
    """``analyse --out DIR``: the data files, metrics.json and the three reports."""
    text = render_analyse_md(result.document)
    files = _data_files(result)
    files.update(
        {
            "metrics.json": lambda p: p.write_text(
                document_json(result.document), encoding="utf-8"
            ),
            "report.md": lambda p: p.write_text(text, encoding="utf-8"),
            "report.html": lambda p: p.write_text(
                render_html(result.document, templates=templates), encoding="utf-8"
            ),
            "report.xlsx": lambda p: write_xlsx(result.document, p),
        }
    )
    return write_atomically(out, files)


def _data_files(result: Result) -> dict[str, Callable[[Path], object]]:
    return {
        "metrics.csv": lambda p: for_people(result.metrics).write_csv(p),
        "rejected_rows.csv": lambda p: rejected_rows(result).write_csv(p),
        "findings.csv": lambda p: for_people(result.findings).write_csv(p),
        "unmatched_suppliers.csv": lambda p: for_people(result.unmatched).write_csv(p),
        "conflicts.csv": lambda p: conflicts_csv(result).write_csv(p),
        "payees.csv": lambda p: for_people(result.payees).write_csv(p),
    }


def shared_suppliers_csv(document: dict[str, Any]) -> pl.DataFrame:
    """One row per shared supplier and member."""
    rows = [
        {
            "supplier": s["supplier"],
            "members": s["members"],
            "network_spend": s["spend"],
            "member": b["member"],
            "member_spend": b["spend"],
        }
        for s in document["network"]["shared_suppliers"]
        for b in s["by_member"]
    ]
    schema = {
        "supplier": pl.String,
        "members": pl.Int64,
        "network_spend": pl.String,
        "member": pl.String,
        "member_spend": pl.String,
    }
    return for_people(pl.DataFrame(rows, schema=schema))


def write_compare_outputs(
    compared: CompareResult, out: Path, templates: Path | None = None
) -> list[Path]:
    doc = compared.document
    files = _data_files(compared.result)
    files.update(
        {
            "metrics.json": lambda p: p.write_text(document_json(doc), encoding="utf-8"),
            "shared_suppliers.csv": lambda p: shared_suppliers_csv(doc).write_csv(p),
            "report.md": lambda p: p.write_text(render_compare_md(doc), encoding="utf-8"),
            "report.html": lambda p: p.write_text(
                render_compare_html(doc, templates=templates), encoding="utf-8"
            ),
            "report.xlsx": lambda p: write_compare_xlsx(doc, p),
        }
    )
    return write_atomically(out, files)


def write_payments_outputs(result: PaymentsResult, out: Path) -> list[Path]:
    """``payments --out DIR``: the document, the figures and the rows behind them, and the
    reports."""
    from anchorspend.report.markdown.payments import render_payments_md
    from anchorspend.report.payments.html import render_payments_html
    from anchorspend.report.payments.xlsx import write_payments_xlsx

    doc = result.document
    rejected = result.rejected.select(
        pl.col("_source").cast(pl.String).alias("file"),
        pl.col("_sheet").cast(pl.String).alias("sheet"),
        pl.col("_row").alias("row"),
        pl.col("_reason").alias("reason"),
        "organisation",
        "supplier_name",
        pl.col("_amount_text").alias("amount"),
        pl.col("_date_text").alias("payment_date"),
    )
    files: dict[str, Callable[[Path], object]] = {
        "payments.json": lambda p: p.write_text(document_json(doc), encoding="utf-8"),
        "payments.csv": lambda p: for_people(result.figures).write_csv(p),
        "payments_distribution.csv": lambda p: for_people(
            pl.DataFrame(doc["payments_distribution"])
        ).write_csv(p),
        "payments_not_measured.csv": lambda p: for_people(result.not_measured).write_csv(p),
        "rejected_rows.csv": lambda p: for_people(rejected).write_csv(p),
        "findings.csv": lambda p: for_people(result.findings).write_csv(p),
        "payments.md": lambda p: p.write_text(render_payments_md(doc), encoding="utf-8"),
        "payments.html": lambda p: p.write_text(render_payments_html(doc), encoding="utf-8"),
        "payments.xlsx": lambda p: write_payments_xlsx(doc, p),
    }
    if result.s70 is not None:
        s70 = result.s70
        files["s70_payments.csv"] = lambda p: for_people(s70).write_csv(p)
    return write_atomically(out, files)
