"""Benchmark: `anchorspend analyse` against the same analysis in Polars, DuckDB and pandas.

    python benchmarks/analyse_bench.py [--rows 1000000] [--runs 3] [--keep DIR]

1. Generates (once per size, cached in DIR) a spend export and a supplier lookup with
   ``generate.py``.
   Its dirty variant (``generate.dirty``: 0.5% broken rows, repeated headers, blank lines,
   footers) is written beside it once, and checked to be read as broken as it is.
2. Runs ``anchorspend analyse SPEND --lookup LOOKUP --json`` and each reference script once and
   checks that they agree: per organisation and financial-year quarter, total spend, SME spend,
   known-SME spend and VCSE spend to the penny, and every row read. Supplier counts and top
   suppliers may differ where anchorspend's name normalisation is richer: they are reported,
   not failed. Money that disagrees prints the first differing row and exits 1: a benchmark of
   wrong answers is worthless.
3. Times each as a whole process, A/B interleaved (anchorspend, polars, duckdb, pandas, floor,
   then again), ``--runs`` times; the floor reads the CSV with Polars and sums one column.
4. Prints median and per-run wall time, each implementation's peak RSS (the largest of its
   runs, each process's own maximum from ``/usr/bin/time -f %M``), the ratio to the
   hand-tuned Polars reference, and the issue's targets marked met or not met.

Exits 0 when the answers agree, whether or not the targets are met: this is a measurement.
A reference whose library is missing is skipped with a message (``pip install duckdb pandas``).
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import os
import statistics
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import generate
from _runner import anchorspend, arguments, measure, spend_data

HERE = Path(__file__).resolve().parent
REFERENCES = {  # name → (library it needs, script)
    "polars": ("polars", "reference_polars.py"),
    "duckdb": ("duckdb", "reference_duckdb.py"),
    "pandas": ("pandas", "reference_pandas.py"),
}
FLOOR = (
    "import sys, polars as pl; pl.scan_csv(sys.argv[1], infer_schema=False)"
    ".select(pl.col('Net Amount').str.replace_all(',', '').cast(pl.Float64).sum()).collect()"
)
MONEY = ("total_spend", "sme_spend", "known_sme_spend", "vcse_spend")
# The targets for anchorspend
TARGET_VS_POLARS = 1.0  # at most this multiple of the hand-tuned Polars time
TARGET_PEAK_MB = 1024  # at most 1 GB peak RSS
TARGET_VS_DUCKDB = 3.0  # at least this many times faster than DuckDB
TARGET_DIRTY = 1.3  # the dirty variant: at most this multiple of the clean time
TARGET_DIRTY_PEAK_MB = 1536  # and at most 1.5 GB


@dataclass(slots=True)
class Impl:
    name: str
    command: list[str]
    times: list[float] = field(default_factory=list)
    peaks: list[float] = field(default_factory=list)  # MB per run

    @property
    def median(self) -> float:
        return statistics.median(self.times)


def run_json(command: list[str], label: str) -> dict[str, Any]:
    proc = subprocess.run(command, capture_output=True, text=True)
    if proc.returncode != 0:
        print(f"{label} failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}")
        raise SystemExit(1)
    result: dict[str, Any] = json.loads(proc.stdout)
    return result


def anchorspend_cells(doc: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    """anchorspend's document → the references' per organisation × quarter figures."""
    cells: dict[tuple[str, str], dict[str, Any]] = {}
    for m in doc["metrics"]:
        if m["organisation"] == "(all)" or m["period"] == "all":
            continue
        cell = cells.setdefault((m["organisation"], m["period"]), {})
        if m["measure"] == "total_spend":
            cell["total_spend"] = m["total_spend"]
            cell["_total_spend_measure"] = m["spend"]
            cell["suppliers"] = m["total_suppliers"]
        elif m["measure"] == "sme":
            cell["sme_spend"] = m["spend"]
            cell["known_sme_spend"] = m["known_spend"]
        elif m["measure"] == "vcse":
            cell["vcse_spend"] = m["spend"]
    return cells


def reference_cells(doc: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(c["organisation"], c["period"]): c for c in doc["by_org_quarter"]}


def check(rows: int, ours: dict[str, Any], refs: dict[str, dict[str, Any]]) -> bool:
    """Print the comparison; False when money or row counts disagree anywhere."""
    ok = True
    rec = ours["reconciliation"]
    print(
        f"  anchorspend: {rec['rows_read']:,} rows read, {rec['rows_analysed']:,} analysed, "
        f"{rec['rows_excluded']:,} excluded, {rec['rows_rejected']:,} rejected; "
        f"£{rec['amount_analysed']} analysed"
    )
    if rec["rows_read"] != rows or rec["rows_analysed"] != rows:
        print(
            f"  MISMATCH: the file has {rows:,} rows; anchorspend read {rec['rows_read']:,} "
            f"and analysed {rec['rows_analysed']:,}"
        )
        for key in ("exclusions", "rejections"):
            for entry in rec[key][:5]:
                print(f"    {key[:-1]}: {entry}")
        ok = False
    mine = anchorspend_cells(ours)
    for key, cell in mine.items():
        if cell.get("_total_spend_measure") != cell.get("total_spend"):
            print(
                f"  MISMATCH inside anchorspend at {key}: total_spend measure spend "
                f"{cell.get('_total_spend_measure')} != total_spend {cell.get('total_spend')}"
            )
            ok = False
    for name, doc in refs.items():
        problems: list[str] = []
        if doc["rows"] != rows:
            problems.append(f"read {doc['rows']:,} rows of {rows:,}")
        if doc["total"] != rec["amount_analysed"]:
            problems.append(
                f"total £{doc['total']} but anchorspend analysed £{rec['amount_analysed']}"
            )
        theirs = reference_cells(doc)
        for key in sorted(mine.keys() - theirs.keys()):
            problems.append(f"{key[0]} {key[1]}: only in anchorspend")
        for key in sorted(theirs.keys() - mine.keys()):
            problems.append(f"{key[0]} {key[1]}: only in the {name} reference")
        money_diffs = []
        for key in sorted(mine.keys() & theirs.keys()):
            for f in MONEY:
                if mine[key].get(f) != theirs[key][f]:
                    money_diffs.append((key, f, mine[key].get(f), theirs[key][f]))
        if money_diffs:
            key, f, a, b = money_diffs[0]
            problems.append(
                f"{len(money_diffs)} money figures differ; first: {key[0]} {key[1]} {f}: "
                f"anchorspend {a}, {name} {b}"
            )
            problems.append(f"  anchorspend: {', '.join(f'{m} {mine[key].get(m)}' for m in MONEY)}")
            problems.append(f"  {name}: {', '.join(f'{m} {theirs[key][m]}' for m in MONEY)}")
        if problems:
            ok = False
            print(f"  MISMATCH with the {name} reference:")
            for p in problems[:10]:
                print(f"    {p}")
        else:
            print(
                f"  {name}: every money figure of {len(theirs)} organisation × quarter cells "
                "and the total agree to the penny; rows read agree"
            )
        sup = [
            (k, mine[k]["suppliers"], theirs[k]["suppliers"])
            for k in sorted(mine.keys() & theirs.keys())
            if mine[k]["suppliers"] != theirs[k]["suppliers"]
        ]
        if sup:
            (org, period), a, b = sup[0]
            print(
                f"    supplier counts differ in {len(sup)} cells (expected where anchorspend's "
                f"richer name normalisation merges spellings); first: {org} {period}: "
                f"anchorspend {a}, {name} {b}"
            )
        else:
            print("    supplier counts agree in every cell")
        print(f"    top 10 suppliers per organisation: {compare_tops(ours, doc)}")
    # the references among themselves: all of it, supplier counts and top suppliers included
    names = list(refs)
    for other in names[1:]:
        a, b = refs[names[0]], refs[other]
        diffs = [k for k in ("rows", "total", "by_org_quarter", "top_suppliers") if a[k] != b[k]]
        if diffs:
            print(f"  the {names[0]} and {other} references differ in {', '.join(diffs)}")
        else:
            print(f"  the {names[0]} and {other} references agree on everything")
    return ok


def compare_tops(ours: dict[str, Any], ref: dict[str, Any]) -> str:
    """anchorspend's top ten per organisation against a reference's, by the amounts (the
    displayed names differ: a spelling against a normalised key)."""
    mine: dict[str, list[str]] = {}
    for t in ours["top_suppliers"]:
        if t["organisation"] != "(all)":
            mine.setdefault(t["organisation"], []).append(t["spend"])
    theirs = {org: [t["spend"] for t in tops] for org, tops in ref["top_suppliers"].items()}
    differ = sorted(org for org in mine.keys() | theirs.keys() if mine.get(org) != theirs.get(org))
    if not differ:
        return f"the amounts agree for all {len(theirs)} organisations"
    org = differ[0]
    return (
        f"amounts differ for {len(differ)} organisations; first: {org}: anchorspend "
        f"{mine.get(org)}, reference {theirs.get(org)}"
    )


def version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def table(impls: list[Impl], baseline: Impl) -> None:
    width = max(len(i.name) for i in impls)
    print(
        f"  {'implementation':<{width}}  {'median s':>8}  {'runs (s)':<24}  {'peak MB':>8}  "
        "× polars"
    )
    for i in impls:
        runs = ", ".join(f"{t:.2f}" for t in i.times)
        print(
            f"  {i.name:<{width}}  {i.median:8.2f}  {runs:<24}  {max(i.peaks):8,.0f}  "
            f"{i.median / baseline.median:6.2f}×"
        )


def targets(ours: Impl, polars: Impl, duckdb: Impl | None, dirty: Impl) -> None:
    def mark(met: bool) -> str:
        return "met" if met else "NOT MET"

    ratio = ours.median / polars.median
    peak = max(ours.peaks)
    rows = [
        (
            f"time ≤ {TARGET_VS_POLARS}× hand-tuned Polars",
            f"{ratio:.2f}×",
            mark(ratio <= TARGET_VS_POLARS),
        ),
        (
            f"peak RSS ≤ {TARGET_PEAK_MB:,} MB (1 GB)",
            f"{peak:,.0f} MB",
            mark(peak <= TARGET_PEAK_MB),
        ),
    ]
    if duckdb is None:
        rows.append((f"≥ {TARGET_VS_DUCKDB:g}× faster than DuckDB", "not measured", "-"))
    else:
        speedup = duckdb.median / ours.median
        rows.append(
            (
                f"≥ {TARGET_VS_DUCKDB:g}× faster than DuckDB",
                f"{speedup:.2f}× faster",
                mark(speedup >= TARGET_VS_DUCKDB),
            )
        )
    slower = dirty.median / ours.median
    rows.append(
        (f"dirty ≤ {TARGET_DIRTY}× the clean time", f"{slower:.2f}×", mark(slower <= TARGET_DIRTY))
    )
    rows.append(
        (
            f"dirty peak RSS ≤ {TARGET_DIRTY_PEAK_MB:,} MB",
            f"{max(dirty.peaks):,.0f} MB",
            mark(max(dirty.peaks) <= TARGET_DIRTY_PEAK_MB),
        )
    )
    print("  anchorspend against the issue's targets:")
    for what, measured, status in rows:
        print(f"    {what:<38}  {measured:>14}  {status}")


def main() -> int:
    args = arguments(__doc__ or "", 1_000_000)
    spend, lookup = spend_data(args.rows, args.keep, generate.VERSION)

    ours = Impl(
        "anchorspend", [anchorspend(), "analyse", str(spend), "--lookup", str(lookup), "--json"]
    )
    refs: list[Impl] = []
    for name, (library, script) in REFERENCES.items():
        if importlib.util.find_spec(library) is None:
            print(
                f"skipping the {name} reference: {library} is not installed "
                "(pip install duckdb pandas to include it)"
            )
            continue
        refs.append(Impl(name, [sys.executable, str(HERE / script), str(spend), str(lookup)]))
    dirty_spend, broken = generate.dirty(spend)
    dirty = Impl(
        "anchorspend, dirty variant",
        [anchorspend(), "analyse", str(dirty_spend), "--lookup", str(lookup), "--json"],
    )
    floor = Impl(
        "floor (Polars: read CSV, sum one column)", [sys.executable, "-c", FLOOR, str(spend)]
    )

    print(
        f"analyse, {args.rows:,} rows, {spend.stat().st_size / 1e6:,.0f} MB CSV, "
        f"{os.cpu_count()} cores; anchorspend {version('anchorspend')}, polars "
        f"{version('polars')}, duckdb {version('duckdb')}, pandas {version('pandas')}"
    )
    print("checking the answers (one run of each):")
    our_doc = run_json(ours.command, "anchorspend")
    ref_docs = {r.name: run_json(r.command, f"the {r.name} reference") for r in refs}
    if not check(args.rows, our_doc, ref_docs):
        print("the implementations disagree: no timings for wrong answers")
        return 1

    rec = run_json(dirty.command, "anchorspend on the dirty variant")["reconciliation"]
    said = (rec["rows_read"], rec["rows_rejected"], rec["rows_excluded"])
    print(f"  the dirty variant: {said[0]:,} rows read, {said[1]:,} rejected, {said[2]} excluded")
    if said != (args.rows + 2, broken, 2):
        print(f"  MISMATCH: expected {args.rows + 2:,} read, {broken:,} rejected, 2 footers")
        return 1

    impls = [ours, dirty, *refs, floor]
    print(f"timing, {args.runs} runs each, interleaved:")
    for run in range(args.runs):
        for impl in impls:
            wall, peak, code, err = measure(impl.command)
            if code != 0:
                print(f"{impl.name} failed on timed run {run + 1} (exit {code}):\n{err}")
                return 1
            impl.times.append(wall)
            impl.peaks.append(peak)
    polars = next(r for r in refs if r.name == "polars")
    table(impls, polars)
    targets(ours, polars, next((r for r in refs if r.name == "duckdb"), None), dirty)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
