"""A store: spend read once, kept as plain Parquet, analysed again and again.

    anchorspend store add exports/2025-26-Q1/ --store network/
    anchorspend analyse --store network/ --lookup suppliers.parquet

``store add`` reads each input file exactly as ``analyse`` would (encodings, headers, amounts,
dates, footers, exclusions) and keeps the canonical rows of every status, so a later analysis
skips all of that and reconciles to the same penny. Layout, plain Parquet with hive partitions
that DuckDB, Spark or any lakehouse engine reads as it is::

    DIR/store.json                                      what is in the store, one entry per file
    DIR/rows/organisation=<name>/period=<2025-26-Q1>/<batch>-<n>.parquet
    DIR/findings/<batch>.parquet                        the file's row-level findings

A batch is one input file, named by the first 16 hex digits of its SHA-256 and written in
chunks as it is read (``-<n>``): adding a file the store already holds (by content) is a no-op;
adding a changed file under a path the store already holds needs ``--replace``. Organisation
names are percent-encoded in folder names (``organisation=Leeds%20City%20Council``), as hive
readers expect. Rows whose date is missing sit under ``period=undated``.

Writes are all or nothing: every file of one ``store add`` is staged first and the manifest,
written last and atomically, is what makes a batch part of the store. Files no manifest names
(left by an interrupted add) are ignored by readers and swept by the next add. One writer at a
time.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Collection
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import polars as pl

from anchorspend.errors import AnchorspendError, Finding
from anchorspend.files import write_replacing
from anchorspend.findings import empty_findings
from anchorspend.gather.duplicates import combine_pairs, duplicate_notes, mark_duplicates
from anchorspend.gather.ingested import (
    Ingested,
    InputReport,
    combine_summaries,
    refresh_counts,
    summarise,
)
from anchorspend.gather.inputs import ingest
from anchorspend.gather.options import Progress, RunConfig
from anchorspend.ingest.fields import ID_KEYS
from anchorspend.ingest.frames import pack, unpack
from anchorspend.ingest.sources import expand
from anchorspend.normalise import pence_to_text
from anchorspend.periods import fy_quarter
from anchorspend.spend import SpendBuilder

FORMAT = "anchorspend-store/1"
MANIFEST = "store.json"
UNDATED = "undated"
_ORDER = "_order"  # row order within the batch, as read: restores reading order on load
_STAGING = ".staging-"


@dataclass(slots=True)
class AddReport:
    added: list[dict[str, Any]]
    skipped: list[dict[str, Any]]  # already in the store, unchanged
    replaced: list[dict[str, Any]]


def period_partition(date: pl.Expr) -> pl.Expr:
    """UK financial-year quarter as a folder-friendly label: ``2025-26-Q1``; no date → undated."""
    return pl.when(date.is_null()).then(pl.lit(UNDATED)).otherwise(fy_quarter(date, "-Q"))


def _manifest(store: Path) -> dict[str, Any]:
    path = store / MANIFEST
    if not path.exists():
        return {"format": FORMAT, "batches": []}
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise AnchorspendError(
            f"the store's manifest cannot be read ({exc})",
            path=str(path),
            hint="restore store.json from a backup, or add the files again into a new store",
        ) from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise AnchorspendError(
            f"not an anchorspend store (expected format {FORMAT!r})",
            path=str(path),
            hint="--store names a folder made by `anchorspend store add`",
        )
    return doc


def open_manifest(store: Path) -> dict[str, Any]:
    """The manifest of an existing store (an error if there is none)."""
    if not (store / MANIFEST).exists():
        raise AnchorspendError(
            "no anchorspend store here (no store.json)",
            path=str(store),
            hint=f"create it with: anchorspend store add FILES... --store {store}",
        )
    return _manifest(store)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def _write_json(path: Path, doc: dict[str, Any]) -> None:
    text = json.dumps(doc, indent=1, ensure_ascii=False) + "\n"
    write_replacing(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def _batch_of(f: Path) -> str:
    """The batch a stored file belongs to: ``<batch>.parquet`` or ``<batch>-<chunk>.parquet``."""
    return f.stem.partition("-")[0]


def _batch_files(store: Path, batch: str) -> list[Path]:
    return sorted(f for f in (store / "rows").glob("*/*/*.parquet") if _batch_of(f) == batch)


class _Writer:
    """One input file's rows, written into its partitions batch by batch as they are read
    (a :class:`anchorspend.gather.ingested.RowSink`), so that adding a file never holds it whole."""

    def __init__(self, staging: Path, batch: str) -> None:
        self.staging, self.batch = staging, batch
        self.chunks: dict[int, list[Path]] = {}
        self.count = 0

    def add(self, rows: pl.DataFrame, source: int) -> None:
        frame = rows.with_columns(
            # reading order: the source within the file, then the physical row
            pack(pl.lit(source, pl.Int64), pl.col("_row")).alias(_ORDER),
            pl.col("_source", "_sheet").cast(pl.String),
            period_partition(pl.col("payment_date")).alias("period"),
        )
        # extra_N cells (beyond the header) live on in the findings, not in the rows
        frame = frame.select(c for c in frame.columns if not c.startswith("extra_"))
        out = self.staging / f"chunk-{self.count}"
        frame.write_parquet(out, partition_by=["organisation", "period"], mkdir=True)
        for f in sorted(out.rglob("*.parquet")):
            dest = self.staging / "rows" / f.parent.relative_to(out)
            dest.mkdir(parents=True, exist_ok=True)
            target = dest / f"{self.batch}-{self.count}.parquet"
            f.rename(target)
            self.chunks.setdefault(source, []).append(target)
        shutil.rmtree(out)
        self.count += 1

    def forget(self, source: int) -> None:
        for f in self.chunks.pop(source, []):
            f.unlink(missing_ok=True)


def add(
    store: Path, run: RunConfig, *, replace_changed: bool = False, progress: Progress | None = None
) -> AddReport:
    """Read ``run.inputs`` file by file into the store (see the module docstring)."""
    if store.exists() and not store.is_dir():
        raise AnchorspendError(
            "--store must be a folder", path=str(store), hint="name a folder (made if missing)"
        )
    doc = _manifest(store)
    batches: list[dict[str, Any]] = doc["batches"]
    by_id = {b["id"]: b for b in batches}
    by_path = {b["path"]: b for b in batches}
    files = expand(list(run.inputs))
    report = AddReport([], [], [])
    plan: list[tuple[Path, str, str, dict[str, Any] | None]] = []
    for f in files:
        digest = _sha256(f)
        batch = digest[:16]
        resolved = str(f.resolve())
        if batch in by_id or any(batch == p[1] for p in plan):
            held = by_id.get(batch, {"path": resolved})
            report.skipped.append({"path": str(f), "same_as": held["path"]})
            continue
        old = by_path.get(resolved)
        if old is not None and not replace_changed:
            raise AnchorspendError(
                "the store already holds a different version of this file",
                path=str(f),
                hint="--replace swaps the stored version for this one",
            )
        plan.append((f, batch, digest, old))

    store.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=_STAGING, dir=store))
    try:
        staged: list[dict[str, Any]] = []
        for i, (f, batch, digest, old) in enumerate(plan):
            if progress:
                progress(f"reading {f}", i / max(len(plan), 1))
            writer = _Writer(staging / batch, batch)
            done = i / max(len(plan), 1)
            told = None if progress is None else (lambda msg, _, at=done: progress(msg, at))
            data = ingest(replace(run, inputs=(f,)), told, sink=writer)
            (staging / batch).mkdir(parents=True, exist_ok=True)
            data.findings.write_parquet(staging / batch / f"{batch}.findings.parquet")
            entry: dict[str, Any] = {
                "id": batch,
                "path": str(f.resolve()),
                "name": str(f),
                "sha256": digest,
                "bytes": f.stat().st_size,
                "rows": int(data.summary.get_column("n").sum()),
                "amount": pence_to_text(int(data.summary.get_column("amount").sum() or 0)),
                "inputs": [asdict(r) for r in data.inputs],
                "notes": [n.as_dict() for n in data.notes],
            }
            staged.append(entry)
            (report.replaced if old else report.added).append(entry)
        if progress:
            progress("writing the store", 0.95)
        # move every staged file into place, then name the batches in the manifest
        for entry in staged:
            batch = entry["id"]
            src = staging / batch
            for f in (src / "rows").rglob("*.parquet"):
                dest = store / "rows" / f.relative_to(src / "rows")
                dest.parent.mkdir(parents=True, exist_ok=True)
                os.replace(f, dest)
            (store / "findings").mkdir(exist_ok=True)
            os.replace(src / f"{batch}.findings.parquet", store / "findings" / f"{batch}.parquet")
        replaced_ids = {old["id"] for _, _, _, old in plan if old is not None}
        kept = [b for b in batches if b["id"] not in replaced_ids]
        _write_json(store / MANIFEST, {"format": FORMAT, "batches": kept + staged})
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    _sweep(store)
    return report


def _sweep(store: Path) -> None:
    """Remove files no manifest names: replaced batches, and leftovers of interrupted adds."""
    live = {b["id"] for b in _manifest(store)["batches"]}
    for f in [*(store / "rows").glob("*/*/*.parquet"), *(store / "findings").glob("*.parquet")]:
        if _batch_of(f) not in live:
            f.unlink(missing_ok=True)
    for d in store.glob(f"{_STAGING}*"):
        shutil.rmtree(d, ignore_errors=True)
    for d in sorted((store / "rows").glob("*/*"), reverse=True):
        if d.is_dir() and not any(d.iterdir()):
            d.rmdir()
    for d in (store / "rows").glob("*"):
        if d.is_dir() and not any(d.iterdir()):
            d.rmdir()


def load(
    store: Path, run: RunConfig, progress: Progress | None = None, ids: Collection[str] = ID_KEYS
) -> Ingested:
    """The store as :func:`anchorspend.gather.inputs.ingest` would have read its files, in the order
    they were added, but one partition at a time, so that memory is bounded by the largest
    partition and the aggregated spend, not by the rows stored. Each partition's rows are
    renamed, checked for duplicates across files (the same transaction has the same
    organisation and date, so both copies share a partition), summarised and split into
    profiles and facts; only the rows not analysed are kept."""
    batches: list[dict[str, Any]] = open_manifest(store)["batches"]
    seq = {b["id"]: i for i, b in enumerate(batches)}
    findings, notes, reports = _batches_read(store, batches)
    renames = run.config.organisations
    groups = _partitions(store, seq, renames)
    others, summaries, pairs = [], [], []
    spend = SpendBuilder(run.period, ids)
    position = _position(batches)
    for done, key in enumerate(sorted(groups)):
        if progress:
            progress(f"reading {key[0]} {key[1]} from {store}", 0.8 * done / len(groups))
        frame = (
            pl.concat(
                [
                    pl.scan_parquet(f).with_columns(pl.lit(i, pl.UInt32).alias("_seq"))
                    for i, f in sorted(groups[key])
                ],
                how="diagonal_relaxed",
            )
            .sort("_seq", _ORDER)
            .drop("period")
            .with_columns(pl.col("_source", "_sheet").cast(pl.Categorical))
            .collect()
        )
        if renames:
            frame = frame.with_columns(pl.col("organisation").replace(renames))
        frame, dup = mark_duplicates(frame)
        if dup.height:
            first_of = frame.group_by("_source").agg(pl.col("_seq").first())
            pairs.append(
                dup.join(
                    first_of.with_columns(pl.col("_source").cast(pl.String)),
                    on="_source",
                    how="left",
                )
            )
        summaries.append(summarise(frame.with_columns(position), pl.col("_first").min()))
        others.append(frame.filter(pl.col("_status") != "analysed"))
        spend.add(frame)
        del frame

    summary = combine_summaries(summaries)
    refresh_counts(reports, summary)
    dup_notes: list[Finding] = []
    if pairs:
        combined = combine_pairs(pairs)
        dup_notes = duplicate_notes(combined)
    rows = (
        pl.concat(others, how="diagonal_relaxed").sort("_seq", _ORDER).drop("_seq", _ORDER)
        if others
        else pl.DataFrame()
    )
    found = pl.concat(findings, how="diagonal_relaxed") if findings else empty_findings()
    return Ingested(rows, found, notes + dup_notes, reports, summary, spend.finish())


def _position(batches: list[dict[str, Any]]) -> pl.Expr:
    """Each row's place in reading order over the whole store, as ``ingest`` numbers it
    (:func:`~anchorspend.ingest.frames.pack`-ed table, row): the table counted across
    every file before it (a file may hold several: a zip's members, a workbook's sheets), as
    the ``_seq``-th file's tables come after all those of the files before."""
    first_table, n = {}, 0
    for i, b in enumerate(batches):
        first_table[i] = n
        n += max(len(b["inputs"]), 1)
    table, row = unpack(pl.col(_ORDER))
    start = pl.col("_seq").replace_strict(first_table, return_dtype=pl.Int64)
    return pack(start + table.cast(pl.Int64), row.cast(pl.Int64)).alias("_first")


def _batches_read(
    store: Path, batches: list[dict[str, Any]]
) -> tuple[list[pl.DataFrame], list[Finding], list[InputReport]]:
    """What reading each stored file found: its row-level findings, its notes, its reports
    (an error if a file's rows are missing)."""
    findings: list[pl.DataFrame] = []
    notes: list[Finding] = []
    reports: list[InputReport] = []
    for b in batches:
        if b["rows"] and not _batch_files(store, b["id"]):
            raise AnchorspendError(
                f"the store names {b['name']} but its rows are missing",
                path=str(store),
                hint=f"add it again: anchorspend store add {b['name']} --store {store} --replace",
            )
        fpath = store / "findings" / f"{b['id']}.parquet"
        if fpath.exists():
            findings.append(pl.read_parquet(fpath))
        notes.extend(Finding(**n) for n in b["notes"])
        reports.extend(InputReport(**r) for r in b["inputs"])
    return findings, notes, reports


def _partitions(
    store: Path, seq: dict[str, int], renames: dict[str, str]
) -> dict[tuple[str, str], list[tuple[int, Path]]]:
    """The stored row files per (organisation as renamed, period), each with its batch's place
    in the manifest; files of no batch the manifest names are left out."""
    groups: dict[tuple[str, str], list[tuple[int, Path]]] = {}
    for f in (store / "rows").glob("*/*/*.parquet"):
        if _batch_of(f) not in seq:
            continue  # left by an interrupted add: not in the store
        org = unquote(f.parent.parent.name.partition("=")[2])
        period = f.parent.name.partition("=")[2]
        groups.setdefault((renames.get(org, org), period), []).append((seq[_batch_of(f)], f))
    return groups


def info(store: Path) -> dict[str, Any]:
    doc = open_manifest(store)
    return {
        "store": str(store),
        "format": doc["format"],
        "files": [
            {k: b[k] for k in ("name", "path", "sha256", "rows", "amount")} for b in doc["batches"]
        ],
        "rows": sum(b["rows"] for b in doc["batches"]),
    }
