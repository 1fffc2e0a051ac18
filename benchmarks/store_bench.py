"""Benchmark: a store read once, analysed again, against analysing the CSV every time.

    python benchmarks/store_bench.py [--rows 1000000] [--runs 3] [--keep DIR]

1. Generates (once per size, cached in DIR) the spend export and lookup of ``generate.py``.
2. ``anchorspend store add SPEND --store STORE`` once, timed, with its peak memory.
3. Checks that ``analyse --store STORE --lookup LOOKUP --json`` prints the very document that
   ``analyse SPEND --lookup LOOKUP --json`` prints (a store that changed the answer would be
   worthless), then times both as whole processes, interleaved, ``--runs`` times.
4. Prints medians, per-run times, each one's peak RSS and the store's size on disk.

Exits 1 if the documents differ; otherwise 0, whatever the figures: this is a measurement.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess

import generate
from _runner import anchorspend, arguments, measure, spend_data


def main() -> int:
    args = arguments(__doc__ or "", 1_000_000)
    spend, lookup = spend_data(args.rows, args.keep, generate.VERSION)
    folder = spend.parent
    exe = anchorspend()

    store = folder / f"store-{args.rows}"
    shutil.rmtree(store, ignore_errors=True)
    wall, peak, code, tail = measure([exe, "store", "add", str(spend), "--store", str(store), "-q"])
    if code:
        raise SystemExit(f"store add failed (exit {code}):\n{tail}")
    size = sum(f.stat().st_size for f in store.rglob("*") if f.is_file())
    print(f"store add, {args.rows:,} rows ({spend.stat().st_size / 1e6:,.0f} MB CSV)")
    print(f"  {wall:.2f} s, peak memory {peak:,.0f} MB, store {size / 1e6:,.1f} MB on disk")

    from_files = [exe, "analyse", str(spend), "--lookup", str(lookup), "--json"]
    from_store = [exe, "analyse", "--store", str(store), "--lookup", str(lookup), "--json"]
    a = subprocess.run(from_files, capture_output=True, check=True).stdout
    b = subprocess.run(from_store, capture_output=True, check=True).stdout
    if a != b:
        print("analyse --store and analyse on the CSV give different documents")
        return 1
    print("analyse --store gives the same document as analyse on the CSV (byte for byte)")

    runs: dict[str, list[tuple[float, float]]] = {"CSV": [], "store": []}
    for _ in range(args.runs):
        for name, command in (("CSV", from_files), ("store", from_store)):
            wall, peak, code, tail = measure(command)
            if code:
                raise SystemExit(f"{name} run failed (exit {code}):\n{tail}")
            runs[name].append((wall, peak))
    print(f"\nanalyse --json with the lookup, {args.runs} runs each, interleaved")
    for name, got in runs.items():
        times = [t for t, _ in got]
        print(
            f"  from the {name:5s}: median {statistics.median(times):.2f} s  (runs: "
            + ", ".join(f"{t:.2f}" for t in times)
            + f"), peak {max(p for _, p in got):,.0f} MB"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
