"""Reference: the analysis as an analyst would write it in DuckDB SQL.

    python benchmarks/reference_duckdb.py SPEND.csv LOOKUP.csv > figures.json

Reads the export as text, parses amounts to exact DECIMAL(18, 2) and dates with their format,
pre-aggregates to organisation × UK financial-year quarter × raw supplier name, normalises each
distinct name once (upper case, ``&`` → AND, punctuation removed, whitespace collapsed, one
trailing LTD/LIMITED/PLC dropped), joins the lookup on the normalised name and rolls up. Prints
the same document as ``reference_polars.py``.
"""

from __future__ import annotations

import json
import sys

import duckdb

NORMALISE = """
    regexp_replace(
        trim(regexp_replace(
            regexp_replace(replace(upper({col}), '&', ' AND '), '[^\\w\\s]', '', 'g'),
            '\\s+', ' ', 'g')),
        ' (LTD|LIMITED|PLC)$', '')
"""

PER_SUPPLIER = f"""
CREATE TEMP TABLE per_supplier AS
WITH raw AS (
    SELECT
        "Body Name" AS org,
        strptime("Payment Date", '%d/%m/%Y')::DATE AS day,
        "Supplier Name" AS name,
        CAST(replace("Net Amount", ',', '') AS DECIMAL(18, 2)) AS amount
    FROM read_csv($spend, header = true, all_varchar = true)
),
pre AS (
    SELECT
        org,
        year(day) - CASE WHEN month(day) < 4 THEN 1 ELSE 0 END AS fy,
        (month(day) + 8) % 12 // 3 + 1 AS q,
        name,
        sum(amount) AS amount,
        count(*) AS n
    FROM raw
    GROUP BY ALL
),
names AS (
    SELECT name, {NORMALISE.format(col="name")} AS key
    FROM (SELECT DISTINCT name FROM pre)
),
lookup AS (  -- one entry per normalised name: the first in the file
    SELECT key, is_sme, is_vcse
    FROM (
        SELECT
            {NORMALISE.format(col="supplier_name")} AS key,
            CASE is_sme WHEN 'Yes' THEN true WHEN 'No' THEN false END AS is_sme,
            CASE is_vcse WHEN 'Yes' THEN true WHEN 'No' THEN false END AS is_vcse,
            row_number() OVER () AS line
        FROM read_csv($lookup, header = true, all_varchar = true)
    )
    QUALIFY row_number() OVER (PARTITION BY key ORDER BY line) = 1
)
SELECT
    pre.org, pre.fy, pre.q, names.key,
    CAST(sum(pre.amount) * 100 AS BIGINT) AS pence,
    sum(pre.n) AS n,
    any_value(lookup.is_sme) AS is_sme,
    any_value(lookup.is_vcse) AS is_vcse
FROM pre
JOIN names USING (name)
LEFT JOIN lookup USING (key)
GROUP BY ALL
"""

CELLS = """
SELECT
    org,
    printf('%d-%02d Q%d', fy, (fy + 1) % 100, q) AS period,
    sum(pence) AS total,
    coalesce(sum(pence) FILTER (WHERE is_sme), 0) AS sme,
    coalesce(sum(pence) FILTER (WHERE is_sme IS NOT NULL), 0) AS known_sme,
    coalesce(sum(pence) FILTER (WHERE is_vcse), 0) AS vcse,
    count(*) AS suppliers
FROM per_supplier
GROUP BY ALL
ORDER BY org, period
"""

TOP = """
SELECT org, key, sum(pence) AS pence
FROM per_supplier
GROUP BY org, key
QUALIFY row_number() OVER (PARTITION BY org ORDER BY sum(pence) DESC, key) <= 10
ORDER BY org, pence DESC, key
"""


def money(pence: int) -> str:
    sign = "-" if pence < 0 else ""
    return f"{sign}{abs(pence) // 100}.{abs(pence) % 100:02d}"


def main(spend_path: str, lookup_path: str) -> dict:
    con = duckdb.connect()
    con.execute(PER_SUPPLIER, {"spend": spend_path, "lookup": lookup_path})
    rows, total = con.execute("SELECT sum(n), sum(pence) FROM per_supplier").fetchone() or (0, 0)
    cells = con.execute(CELLS).fetchall()
    tops: dict[str, list[dict[str, str]]] = {}
    for org, key, pence in con.execute(TOP).fetchall():
        tops.setdefault(org, []).append({"supplier": key, "spend": money(int(pence))})
    return {
        "rows": int(rows or 0),
        "total": money(int(total or 0)),
        "by_org_quarter": [
            {
                "organisation": org,
                "period": period,
                "total_spend": money(int(t)),
                "sme_spend": money(int(sme)),
                "known_sme_spend": money(int(known)),
                "vcse_spend": money(int(vcse)),
                "suppliers": int(suppliers),
            }
            for org, period, t, sme, known, vcse, suppliers in cells
        ],
        "top_suppliers": tops,
    }


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit("usage: reference_duckdb.py SPEND.csv LOOKUP.csv")
    json.dump(main(sys.argv[1], sys.argv[2]), sys.stdout, indent=1)
    sys.stdout.write("\n")
