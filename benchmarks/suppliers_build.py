"""Benchmark: `anchorspend suppliers build` from a synthetic Companies House file.

    python benchmarks/suppliers_build.py [--rows 5000000] [--runs 2] [--keep DIR]

The file has BasicCompanyData's 55 columns exactly as published (stray spaces in the header,
every value quoted), realistic categories and accounts categories, ~2.5 GB at five million
companies; it is generated once per size into a cache folder. The build runs as a whole
process; the script prints the median wall time, the peak memory (max RSS of the child) and
the lookup's size.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import polars as pl
from _runner import anchorspend, report, time_runs

HEADER = [
    "CompanyName",
    " CompanyNumber",
    "RegAddress.CareOf",
    "RegAddress.POBox",
    "RegAddress.AddressLine1",
    " RegAddress.AddressLine2",
    "RegAddress.PostTown",
    "RegAddress.County",
    "RegAddress.Country",
    "RegAddress.PostCode",
    "CompanyCategory",
    "CompanyStatus",
    "CountryOfOrigin",
    "DissolutionDate",
    "IncorporationDate",
    "Accounts.AccountRefDay",
    "Accounts.AccountRefMonth",
    "Accounts.NextDueDate",
    "Accounts.LastMadeUpDate",
    "Accounts.AccountCategory",
    "Returns.NextDueDate",
    "Returns.LastMadeUpDate",
    "Mortgages.NumMortCharges",
    "Mortgages.NumMortOutstanding",
    "Mortgages.NumMortPartSatisfied",
    "Mortgages.NumMortSatisfied",
    "SICCode.SicText_1",
    "SICCode.SicText_2",
    "SICCode.SicText_3",
    "SICCode.SicText_4",
    "LimitedPartnerships.NumGenPartners",
    "LimitedPartnerships.NumLimPartners",
    "URI",
    "PreviousName_1.CONDATE",
    " PreviousName_1.CompanyName",
    " PreviousName_2.CONDATE",
    " PreviousName_2.CompanyName",
    "PreviousName_3.CONDATE",
    " PreviousName_3.CompanyName",
    "PreviousName_4.CONDATE",
    " PreviousName_4.CompanyName",
    "PreviousName_5.CONDATE",
    " PreviousName_5.CompanyName",
    "PreviousName_6.CONDATE",
    " PreviousName_6.CompanyName",
    "PreviousName_7.CONDATE",
    " PreviousName_7.CompanyName",
    "PreviousName_8.CONDATE",
    " PreviousName_8.CompanyName",
    "PreviousName_9.CONDATE",
    " PreviousName_9.CompanyName",
    "PreviousName_10.CONDATE",
    " PreviousName_10.CompanyName",
    "ConfStmtNextDueDate",
    " ConfStmtLastMadeUpDate",
]
CATEGORIES = ["Private Limited Company"] * 16 + [
    "Public Limited Company", "Community Interest Company",
    "PRI/LBG/NSC (Private, Limited by guarantee, no share capital, use of 'Limited' exemption)",
    "Limited Liability Partnership",
]  # fmt: skip
ACCOUNTS = ["MICRO ENTITY"] * 6 + ["TOTAL EXEMPTION FULL"] * 4 + [
    "SMALL", "UNAUDITED ABRIDGED", "DORMANT", "FULL", "GROUP", "MEDIUM", "NO ACCOUNTS FILED",
    "AUDIT EXEMPTION SUBSIDIARY",
]  # fmt: skip
WORDS = ["NORTHERN", "ACORN", "BRIGHT", "CITY", "GREEN", "HOLDINGS", "SERVICES", "TRADING",
         "CONSULTING", "BUILDERS", "CARE", "DIGITAL", "PROPERTY", "SOLUTIONS", "FOODS"]  # fmt: skip


def generate(path: Path, rows: int, chunk: int = 500_000) -> None:
    with path.open("w", encoding="utf-8") as fh:
        fh.write(",".join(HEADER) + "\n")
        for start in range(0, rows, chunk):
            n = min(chunk, rows - start)
            i = pl.int_range(start, start + n, eager=True)
            w = pl.Series(WORDS)
            frame = pl.DataFrame({"i": i}).select(
                pl.concat_str(w.gather(i % 15), pl.lit(" "), w.gather((i // 15) % 15),
                              pl.lit(" "), (i // 225).cast(pl.String), pl.lit(" LIMITED"))
                .alias(HEADER[0]),
                (i + 1).cast(pl.String).str.zfill(8).alias(HEADER[1]),
                *(pl.lit("").alias(h) for h in HEADER[2:4]),
                pl.lit("1 HIGH STREET").alias(HEADER[4]),
                *(pl.lit("").alias(h) for h in HEADER[5:9]),
                pl.concat_str(pl.lit("M"), (i % 40 + 1).cast(pl.String), pl.lit(" 1AA"))
                .alias(HEADER[9]),
                pl.Series(CATEGORIES).gather(i % len(CATEGORIES)).alias(HEADER[10]),
                pl.when(i % 50 == 0).then(pl.lit("Dissolved")).otherwise(pl.lit("Active"))
                .alias(HEADER[11]),
                pl.lit("United Kingdom").alias(HEADER[12]),
                pl.lit("").alias(HEADER[13]),
                pl.lit("01/01/2010").alias(HEADER[14]),
                *(pl.lit("31").alias(h) for h in HEADER[15:19]),
                pl.Series(ACCOUNTS).gather(i % len(ACCOUNTS)).alias(HEADER[19]),
                *(pl.lit("").alias(h) for h in HEADER[20:26]),
                pl.lit("70229 - Management consultancy activities").alias(HEADER[26]),
                *(pl.lit("").alias(h) for h in HEADER[27:]),
            )  # fmt: skip
            fh.write(frame.write_csv(include_header=False, quote_style="always"))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=5_000_000)
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument("--keep", type=Path, default=Path(tempfile.gettempdir()) / "anchorspend-bench")
    args = ap.parse_args()
    args.keep.mkdir(parents=True, exist_ok=True)
    src = args.keep / f"BasicCompanyData-{args.rows}.csv"
    if not src.exists():
        t = time.perf_counter()
        generate(src, args.rows)
        print(f"generated {src} ({src.stat().st_size / 1e9:.2f} GB) in "
              f"{time.perf_counter() - t:.1f} s")  # fmt: skip
    out = args.keep / "companies-lookup.parquet"
    command = [
        anchorspend(),
        "suppliers",
        "build",
        "--companies-house",
        str(src),
        "--out",
        str(out),
    ]
    median, times, peak = time_runs(command, args.runs)
    n = pl.scan_parquet(out).select(pl.len()).collect().item()
    print(f"suppliers build, Companies House {args.rows:,} rows, "
          f"{src.stat().st_size / 1e9:.2f} GB CSV")  # fmt: skip
    report(median, times, peak)
    print(f"  lookup {out.stat().st_size / 1e6:.0f} MB, {n:,} organisations")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
