"""Reference: the analysis as an analyst would write it in pandas.

    python benchmarks/reference_pandas.py SPEND.csv LOOKUP.csv > figures.json

Reads four columns with the PyArrow CSV engine (organisation and supplier as categoricals),
turns amounts into integer pence, parses dates with their format, pre-aggregates to
organisation × UK financial-year quarter × raw supplier name, normalises each distinct name once
(upper case, ``&`` → AND, punctuation removed, whitespace collapsed, one trailing
LTD/LIMITED/PLC dropped), joins the lookup on the normalised name and rolls up. Prints the same
document as ``reference_polars.py``.

Pence come from ``round(float(text) * 100)``: exact for any two-place amount under £20
trillion (the float's relative error, 2⁻⁵², times the pence is far below half a penny).
"""

from __future__ import annotations

import json
import sys

import numpy as np
import pandas as pd


def normalise(names: pd.Series) -> pd.Series:
    return (
        names.str.upper()
        .str.replace("&", " AND ", regex=False)
        .str.replace(r"[^\w\s]", "", regex=True)
        .str.replace(r"\s+", " ", regex=True)
        .str.strip()
        .str.replace(r" (?:LTD|LIMITED|PLC)$", "", regex=True)
    )


def flag(text: pd.Series) -> pd.Series:
    return text.map({"Yes": True, "No": False}).astype("boolean")


def money(pence: int) -> str:
    sign = "-" if pence < 0 else ""
    return f"{sign}{abs(pence) // 100}.{abs(pence) % 100:02d}"


def main(spend_path: str, lookup_path: str) -> dict:
    df = pd.read_csv(
        spend_path,
        usecols=["Body Name", "Payment Date", "Supplier Name", "Net Amount"],
        dtype={
            "Body Name": "category",
            "Payment Date": "string",
            "Supplier Name": "category",
            "Net Amount": "string",
        },
        engine="pyarrow",
    )
    amount = pd.to_numeric(df["Net Amount"].str.replace(",", "", regex=False))
    day = pd.to_datetime(df["Payment Date"], format="%d/%m/%Y")
    month = day.dt.month
    frame = pd.DataFrame(
        {
            "org": df["Body Name"],
            "fy": day.dt.year - (month < 4),
            "q": (month + 8) % 12 // 3 + 1,
            "name": df["Supplier Name"],
            "pence": (amount * 100).round().astype("int64"),
        }
    )
    n_rows = len(frame)
    del df, amount, day
    pre = frame.groupby(["org", "fy", "q", "name"], observed=True, sort=False)["pence"].sum()
    pre = pre.reset_index()

    lookup = pd.read_csv(lookup_path, dtype=str, keep_default_na=False)
    lookup = pd.DataFrame(
        {
            "key": normalise(lookup["supplier_name"]),
            "is_sme": flag(lookup["is_sme"]),
            "is_vcse": flag(lookup["is_vcse"]),
        }
    ).drop_duplicates("key", keep="first")
    names = pd.DataFrame({"name": pre["name"].cat.categories})
    names["key"] = normalise(names["name"])
    names = names.merge(lookup, on="key", how="left")
    # one value per category, in category order: look each row's up by its code
    codes = pre["name"].cat.codes.to_numpy()
    pre["key"] = names["key"].to_numpy()[codes]
    pre["is_sme"] = names["is_sme"].array[codes]
    pre["is_vcse"] = names["is_vcse"].array[codes]

    per_supplier = pre.groupby(["org", "fy", "q", "key"], observed=True, sort=False).agg(
        pence=("pence", "sum"), is_sme=("is_sme", "first"), is_vcse=("is_vcse", "first")
    )
    per_supplier = per_supplier.reset_index()
    p = per_supplier["pence"]
    per_supplier["sme"] = p.where(per_supplier["is_sme"].fillna(False).astype(bool), 0)
    per_supplier["known_sme"] = p.where(per_supplier["is_sme"].notna(), 0)
    per_supplier["vcse"] = p.where(per_supplier["is_vcse"].fillna(False).astype(bool), 0)
    cells = (
        per_supplier.groupby(["org", "fy", "q"], observed=True)
        .agg(
            total=("pence", "sum"),
            sme=("sme", "sum"),
            known_sme=("known_sme", "sum"),
            vcse=("vcse", "sum"),
            suppliers=("key", "size"),
        )
        .reset_index()
    )
    cells["org"] = cells["org"].astype(str)
    next_year = ((cells["fy"] + 1) % 100).astype(str).str.zfill(2)
    cells["period"] = cells["fy"].astype(str) + "-" + next_year + " Q" + cells["q"].astype(str)
    cells = cells.sort_values(["org", "period"])

    top = per_supplier.groupby(["org", "key"], observed=True)["pence"].sum().reset_index()
    top["org"] = top["org"].astype(str)
    top = top.sort_values(["org", "pence", "key"], ascending=[True, False, True])
    top = top.groupby("org", sort=False).head(10)
    tops: dict[str, list[dict[str, str]]] = {}
    for org, key, pence in top[["org", "key", "pence"]].itertuples(index=False):
        tops.setdefault(org, []).append({"supplier": key, "spend": money(int(pence))})
    return {
        "rows": n_rows,
        "total": money(int(np.int64(pre["pence"].sum()))),
        "by_org_quarter": [
            {
                "organisation": r.org,
                "period": r.period,
                "total_spend": money(int(r.total)),
                "sme_spend": money(int(r.sme)),
                "known_sme_spend": money(int(r.known_sme)),
                "vcse_spend": money(int(r.vcse)),
                "suppliers": int(r.suppliers),
            }
            for r in cells.itertuples(index=False)
        ],
        "top_suppliers": tops,
    }


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit("usage: reference_pandas.py SPEND.csv LOOKUP.csv")
    json.dump(main(sys.argv[1], sys.argv[2]), sys.stdout, indent=1)
    sys.stdout.write("\n")
