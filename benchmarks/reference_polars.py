"""Reference: the analysis as an analyst would hand-tune it in Polars.

    python benchmarks/reference_polars.py SPEND.csv LOOKUP.csv > figures.json

Reads the spend export lazily (four columns, all text), parses amounts to exact decimals and
dates with their one known format, and pre-aggregates in the same pass to one row per
organisation × UK financial-year quarter × raw supplier name, keyed on categoricals. Names
are then normalised once per *distinct* name (ten million rows carry a quarter of a million),
the lookup is joined on the normalised name, and the figures rolled up from there.

Name normalisation: upper case, ``&`` → AND, punctuation removed, whitespace collapsed, one
trailing LTD/LIMITED/PLC dropped. Prints ``{"rows", "total", "by_org_quarter", "top_suppliers"}``
with money as two-place strings.
"""

from __future__ import annotations

import json
import sys

import polars as pl


def normalise(name: pl.Expr) -> pl.Expr:
    return (
        name.str.to_uppercase()
        .str.replace_all("&", " AND ", literal=True)
        .str.replace_all(r"[^\w\s]", "")
        .str.replace_all(r"\s+", " ")
        .str.strip_chars()
        .str.replace(r" (?:LTD|LIMITED|PLC)$", "")
    )


def flag(text: pl.Expr) -> pl.Expr:
    return pl.when(text == "Yes").then(True).when(text == "No").then(False)


def money(pence: int) -> str:
    sign = "-" if pence < 0 else ""
    return f"{sign}{abs(pence) // 100}.{abs(pence) % 100:02d}"


def main(spend_path: str, lookup_path: str) -> dict:
    # "1,234.56" → an exact decimal; dates parsed per row (a fixed format is the fast path)
    amount = pl.col("Net Amount").str.replace_all(",", "", literal=True).cast(pl.Decimal(18, 2))
    day = pl.col("Payment Date").str.strptime(pl.Date, "%d/%m/%Y")
    month = day.dt.month()
    pre = (
        pl.scan_csv(spend_path, infer_schema=False)
        .group_by(
            pl.col("Body Name").cast(pl.Categorical).alias("org"),
            (day.dt.year() - (month < 4).cast(pl.Int32)).alias("fy"),
            ((month + 8) % 12 // 3 + 1).alias("q"),
            pl.col("Supplier Name").cast(pl.Categorical).alias("name"),
        )
        .agg((amount.sum() * 100).cast(pl.Int64).alias("pence"), pl.len().alias("n"))
        .collect()
    )
    fy = pl.col("fy")
    period = pl.format("{}-{} Q{}", fy, ((fy + 1) % 100).cast(pl.String).str.zfill(2), "q")

    lookup = (
        pl.read_csv(lookup_path, infer_schema=False)
        .select(
            normalise(pl.col("supplier_name")).alias("key"),
            flag(pl.col("is_sme")).alias("is_sme"),
            flag(pl.col("is_vcse")).alias("is_vcse"),
        )
        .unique("key", keep="first", maintain_order=True)
    )
    names = (
        pre.select(pl.col("name").unique())
        .with_columns(normalise(pl.col("name").cast(pl.String)).alias("key"))
        .join(lookup, on="key", how="left")
        .with_columns(pl.col("key").cast(pl.Categorical))
    )

    per_supplier = (
        pre.join(names, on="name")
        .group_by("org", "fy", "q", "key")
        .agg(pl.col("pence").sum(), pl.col("is_sme").first(), pl.col("is_vcse").first())
    )
    cells = (
        per_supplier.group_by("org", "fy", "q")
        .agg(
            pl.col("pence").sum().alias("total"),
            pl.col("pence").filter(pl.col("is_sme")).sum().alias("sme"),
            pl.col("pence").filter(pl.col("is_sme").is_not_null()).sum().alias("known_sme"),
            pl.col("pence").filter(pl.col("is_vcse")).sum().alias("vcse"),
            pl.len().alias("suppliers"),
        )
        .select(
            pl.col("org").cast(pl.String),
            period.alias("period"),
            "total",
            "sme",
            "known_sme",
            "vcse",
            "suppliers",
        )
        .sort("org", "period")
    )
    top = (
        per_supplier.group_by("org", "key")
        .agg(pl.col("pence").sum())
        .with_columns(pl.col("org", "key").cast(pl.String))
        .sort(["org", "pence", "key"], descending=[False, True, False])
        .group_by("org", maintain_order=True)
        .head(10)
    )
    tops: dict[str, list[dict[str, str]]] = {}
    for org, key, p in top.iter_rows():
        tops.setdefault(org, []).append({"supplier": key, "spend": money(p)})
    return {
        "rows": int(pre.get_column("n").sum()),
        "total": money(int(pre.get_column("pence").sum())),
        "by_org_quarter": [
            {
                "organisation": org,
                "period": period,
                "total_spend": money(total),
                "sme_spend": money(sme),
                "known_sme_spend": money(known),
                "vcse_spend": money(vcse),
                "suppliers": suppliers,
            }
            for org, period, total, sme, known, vcse, suppliers in cells.iter_rows()
        ],
        "top_suppliers": tops,
    }


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit("usage: reference_polars.py SPEND.csv LOOKUP.csv")
    json.dump(main(sys.argv[1], sys.argv[2]), sys.stdout, indent=1)
    sys.stdout.write("\n")
