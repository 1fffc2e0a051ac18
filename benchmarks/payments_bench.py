"""Benchmark: `anchorspend payments` on N invoice rows, beside `analyse` on the same rows.

    python benchmarks/payments_bench.py [--rows 10000000] [--runs 3] [--keep DIR]

1. Takes the analyse benchmark's spend export and lookup (``generate.py``, cached in DIR) and
   derives, once per size, an invoice export from it: each payment gains an invoice date, a
   received date (0 to 90 days before payment, so every band is used), a due date (30 days
   after receipt), VAT and a gross amount, a status, a disputed flag (0.2%), a regime (a
   quarter under PCR 2015) and, for 1% of the rows, no payment date (unpaid). The payment
   dates run from April 2025, so a config sets ``[payments] commencement = 2025-04-01``.
2. Runs ``anchorspend payments INVOICES --lookup LOOKUP --config CONFIG --json`` once and checks
   that every row read is accounted for (measured + not measured + outside + excluded +
   rejected = the rows written) and that the figures' paid counts add up to the rows measured
   as paid: a benchmark of wrong answers is worthless.
3. Times ``payments`` and ``analyse`` (on the spend export it was derived from) as whole
   processes, interleaved, ``--runs`` times, and prints the medians, each one's peak RSS and the
   ratio: the issue asks for ``payments`` in the same order of time as ``analyse``.

Exits 0 when the answers check out, whatever the times: this is a measurement.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
from _runner import anchorspend, arguments, measure, spend_data

DATA_VERSION = 1


def invoices(spend: Path, out: Path) -> tuple[Path, int]:
    """The invoice export derived from ``spend`` (see the module docstring), written once."""
    path = out / f"invoices-{spend.stem}.csv"
    rows = pl.scan_csv(spend, infer_schema=False).select(pl.len()).collect().item()
    if path.exists():
        return path, rows
    t = time.perf_counter()
    frame = pl.scan_csv(spend, infer_schema=False).with_row_index("_i")
    paid = pl.col("Payment Date").str.strptime(pl.Date, "%d/%m/%Y")
    h = pl.col("_i").hash(2025)
    wait = (h % 91).cast(pl.Int64)
    received = paid - pl.duration(days=wait)
    unpaid = h % 100 == 7
    net = pl.col("Net Amount").str.replace_all(",", "").cast(pl.Decimal(20, 2))
    vat = (net * pl.lit(0.2, pl.Decimal(4, 2))).round(2)
    built = frame.select(
        pl.exclude("_i", "Payment Date", "Net Amount"),
        pl.concat_str(pl.lit("INV"), pl.col("_i").cast(pl.String)).alias("Invoice Number"),
        (received - pl.duration(days=h % 4)).dt.strftime("%d/%m/%Y").alias("Invoice Date"),
        received.dt.strftime("%d/%m/%Y").alias("Date Received"),
        (received + pl.duration(days=30)).dt.strftime("%d/%m/%Y").alias("Due Date"),
        pl.when(unpaid).then(None).otherwise(pl.col("Payment Date")).alias("Payment Date"),
        pl.col("Net Amount"),
        vat.cast(pl.String).alias("VAT"),
        (net + vat).cast(pl.String).alias("Gross Amount"),
        pl.when(unpaid).then(pl.lit("Unpaid")).otherwise(pl.lit("Paid")).alias("Status"),
        pl.when(h % 500 == 3).then(pl.lit("Yes")).otherwise(pl.lit("No")).alias("Disputed"),
        pl.when(h % 4 == 1)
        .then(pl.lit("PCR 2015"))
        .otherwise(pl.lit("Procurement Act 2023"))
        .alias("Procured Under"),
    )
    tmp = path.with_suffix(".csv.part")
    built.sink_csv(tmp)
    tmp.replace(path)
    print(
        f"derived {path} ({path.stat().st_size / 1e6:,.0f} MB) in {time.perf_counter() - t:.1f} s"
    )
    return path, rows


def check(doc: dict[str, object], rows: int) -> None:
    rec = doc["payments_reconciliation"]
    assert isinstance(rec, dict)
    parts = ("measured", "not_measured", "outside", "excluded", "rejected")
    accounted = sum(int(rec[f"rows_{p}"]) for p in parts)
    if rec["rows_read"] != rows or accounted != rows:
        raise SystemExit(
            f"rows written {rows:,}, read {rec['rows_read']:,}, accounted {accounted:,}"
        )
    print(f"checked: {rows:,} rows read and accounted for; " + ", ".join(
        f"{p.replace('_', ' ')} {int(rec[f'rows_{p}']):,}" for p in parts
    ))  # fmt: skip


def main() -> int:
    args = arguments(__doc__ or "", 10_000_000)
    spend, lookup = spend_data(args.rows, args.keep, 3)
    folder = args.keep / f"payments-v{DATA_VERSION}"
    folder.mkdir(parents=True, exist_ok=True)
    path, rows = invoices(spend, folder)
    config = folder / "bench.toml"
    config.write_text("[payments]\ncommencement = 2025-04-01\n", encoding="utf-8")
    cli = anchorspend()
    pay = [cli, "payments", str(path), "--lookup", str(lookup), "--config", str(config), "--json"]
    proc = subprocess.run(pay, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"payments failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}")
    check(json.loads(proc.stdout), rows)
    commands = {
        "payments": pay,
        "analyse": [cli, "analyse", str(spend), "--lookup", str(lookup), "--json"],
    }
    times: dict[str, list[float]] = {k: [] for k in commands}
    peaks: dict[str, float] = dict.fromkeys(commands, 0.0)
    for _ in range(args.runs):
        for name, command in commands.items():
            wall, peak, code, tail = measure(command)
            if code != 0:
                raise SystemExit(f"{name} failed (exit {code}):\n{tail}")
            times[name].append(wall)
            peaks[name] = max(peaks[name], peak)
    print(f"{args.rows:,} rows, {args.runs} runs each")
    for name, ts in times.items():
        runs = ", ".join(f"{t:.2f}" for t in ts)
        print(f"  {name:8} median {statistics.median(ts):7.2f} s  peak {peaks[name]:,.0f} MB  "
              f"(runs: {runs})")  # fmt: skip
    ratio = statistics.median(times["payments"]) / statistics.median(times["analyse"])
    print(f"  payments / analyse: {ratio:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
