"""Benchmark: `anchorspend geo import` on a synthetic ONSPD-shaped file (2.7 million postcodes).

    python benchmarks/geo_import.py [--rows 2700000] [--keep DIR]

The file has the ONSPD's columns (pcd, pcd2, pcds, dointr, doterm, oslaua, osward, rgn,
lsoa21, ... about 50 of them, ~1 GB) and realistic values; it is generated once per size into
a cache folder. The import runs as a whole process, timed three times; the script prints the
median wall time, peak memory (max RSS of the child) and the store's size on disk.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

import polars as pl
from _runner import anchorspend, report, time_runs

EXTRA = [  # the rest of an ONSPD row: codes we carry but do not use
    "oscty", "ced", "usertype", "oseast1m", "osnrth1m", "osgrdind", "oshlthau", "nhser",
    "ctry", "pcon", "eer", "teclec", "ttwa", "pct", "itl", "statsward", "oa11", "casward",
    "npark", "lsoa11", "msoa11", "wz11", "sicbl", "bua24", "ru11ind", "oac11", "lat", "long",
    "lep1", "lep2", "pfa", "imd", "calncv", "icb", "oa21", "msoa21", "ruc21ind", "parish",
]  # fmt: skip


def generate(path: Path, rows: int) -> None:
    i = pl.int_range(0, rows, eager=True)
    letters = "ABCDEFGHJKLMNOPRSTUWYZ"
    area = pl.Series([letters[k % 22] + letters[(k // 22) % 22] for k in range(484)])
    df = pl.DataFrame({"i": i}).with_columns(
        area.gather(pl.Series(i % 484)).alias("a"),
        ((i // 484) % 99 + 1).cast(pl.String).alias("d"),
        ((i // 47916) % 10).cast(pl.String).alias("s"),
        # mixed radix so that every row is a distinct postcode
        area.gather(pl.Series((i // 479_160) % 484)).alias("u"),
    )  # fmt: skip
    pcds = pl.concat_str("a", "d", pl.lit(" "), "s", "u")
    la = pl.concat_str(pl.lit("E0"), ((pl.col("i") % 9) + 6).cast(pl.String),
                       (pl.col("i") % 400).cast(pl.String).str.zfill(6))  # fmt: skip
    out = df.select(
        pcds.str.replace(" ", "").alias("pcd"),
        pcds.alias("pcd2"),
        pcds.alias("pcds"),
        pl.lit("198001").alias("dointr"),
        pl.when(pl.col("i") % 7 == 0).then(pl.lit("200512")).otherwise(pl.lit("")).alias("doterm"),
        la.alias("oslaua"),
        pl.concat_str(pl.lit("E05"), (pl.col("i") % 9000).cast(pl.String).str.zfill(6)).alias(
            "osward"
        ),
        pl.concat_str(pl.lit("E1200000"), (pl.col("i") % 9 + 1).cast(pl.String)).alias("rgn"),
        pl.concat_str(pl.lit("E0"), (pl.col("i") % 33755 + 1000000).cast(pl.String)).alias(
            "lsoa21"
        ),
        *(
            pl.concat_str(pl.lit("E99"), (pl.col("i") % 997).cast(pl.String)).alias(c)
            for c in EXTRA
        ),
        la.alias("lad25cd"),
    )
    out.write_csv(path)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=2_700_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--keep", type=Path, default=Path(tempfile.gettempdir()) / "anchorspend-bench")
    args = ap.parse_args()
    args.keep.mkdir(parents=True, exist_ok=True)
    src = args.keep / f"onspd-v2-{args.rows}.csv"
    if not src.exists():
        t = time.perf_counter()
        generate(src, args.rows)
        print(f"generated {src} ({src.stat().st_size / 1e9:.2f} GB) in "
              f"{time.perf_counter() - t:.1f} s")  # fmt: skip
    medians = []
    for run in range(args.runs):
        store = args.keep / f"geo-{run}"
        medians.append(
            time_runs([anchorspend(), "geo", "import", str(src), "--into", str(store)], 1)
        )
    times = [m[1][0] for m in medians]
    median, peak = statistics.median(times), max(m[2] for m in medians)
    size = sum(f.stat().st_size for f in (args.keep / "geo-0").iterdir())
    print(f"geo import, {args.rows:,} postcodes, {src.stat().st_size / 1e9:.2f} GB CSV, "
          f"{os.cpu_count()} cores")  # fmt: skip
    report(median, times, peak)
    stored = pl.scan_parquet(args.keep / "geo-0" / "postcodes.parquet").select(pl.len()).collect()
    print(f"  store on disk {size / 1e6:.1f} MB, {stored.item():,} distinct postcodes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
