"""Synthetic spend exports for `anchorspend analyse` benchmarks, deterministic and vectorised.

    python benchmarks/generate.py --rows 1000000 --out DIR

writes ``DIR/spend-N.csv`` (the "spend over £500" layout of the Local Government Transparency
Code: Body Name, Service Area, Expenses Type, Payment Date, Transaction Number, Net Amount,
Supplier Name, Supplier ID, Company Number) and ``DIR/lookup-N.csv`` (supplier_name,
company_number, is_sme, is_vcse). The same N gives byte-identical files: random draws come from
NumPy's PCG64 with a fixed seed, strings are built with Polars expressions.

What is in it, at N rows:

- 20 organisations (councils, NHS trusts, universities...) with unequal volumes; payment dates
  dd/mm/yyyy from 1 April 2025 to 31 March 2026 (four financial-year quarters); amounts mostly
  £500-£500,000 written with thousands commas (``"1,234.56"``, quoted), ~1.5% credit notes
  (``-123.45``); rows sorted by organisation and date, as a concatenation of exports would be.
- N/100 companies built from word lists ("Kestrel Valley Catering & Sons"), ~15% of them
  voluntary-sector bodies ("Ashford Community Trust"), each published under 2 or 3 spellings:
  the canonical one (60% of its rows) and variants - upper/lower case, Ltd/Limited/no suffix,
  ``Ltd.``, ``, Ltd``, ``&``/``and``, a doubled space, a trailing space, or a dropped letter
  in the first word (a typo, which no exact matcher can resolve). About N/40 distinct raw
  names in all (240,000 at ten million rows), plus ~2% ``REDACTED PERSONAL DATA`` rows.
- Company Number is filled for most companies that have one, consistently for all their
  correctly spelled rows; typo'd spellings and redacted rows carry none. So matching by company
  number (anchorspend) and by normalised name (the reference scripts) find the same entries.
- The lookup holds half of the companies (~N/200 rows), in Companies House style (upper case,
  ``LIMITED``), with is_sme and is_vcse Yes/No and ~3% of each left blank (unknown).

Spellings vary only in ways every reasonable normaliser treats alike (case, ``&``/``and``,
full stops and commas, whitespace, a trailing LTD/LIMITED/PLC): the benchmark compares
implementations, and money must agree to the penny.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import polars as pl

SEED = 20250401
VERSION = 1  # bump when the output changes, so that cached files are not reused
REDACTED = "REDACTED PERSONAL DATA"
HEADER = [
    "Body Name",
    "Service Area",
    "Expenses Type",
    "Payment Date",
    "Transaction Number",
    "Net Amount",
    "Supplier Name",
    "Supplier ID",
    "Company Number",
]
ORGANISATIONS = [  # (name, transaction prefix, relative volume)
    ("Northborough Borough Council", "NBC", 14),
    ("Riverside NHS Foundation Trust", "RFT", 12),
    ("Eastmere County Council", "ECC", 11),
    ("University of Westbridge", "UWB", 8),
    ("Kingsford City Council", "KCC", 8),
    ("Southvale Metropolitan Borough Council", "SMB", 7),
    ("Hollins Community Health NHS Trust", "HCH", 6),
    ("Westbridge Combined Authority", "WCA", 5),
    ("Eastmere Police and Crime Commissioner", "EPC", 4),
    ("Ashdown District Council", "ADC", 4),
    ("Northborough Homes", "NBH", 3),
    ("Mersey Valley Mental Health NHS Trust", "MVM", 3),
    ("Kingsford College", "KGC", 2),
    ("Fernleigh Town Council", "FTC", 2),
    ("Southvale Fire and Rescue Authority", "SFR", 2),
    ("Eastmere University Hospitals NHS Trust", "EUH", 2),
    ("Ashdown Housing Partnership", "AHP", 2),
    ("Westbridge Metropolitan University", "WMU", 2),
    ("Riverside Integrated Care Board", "RIC", 2),
    ("Harbury Parish Council", "HPC", 1),
]
SERVICE_AREAS = [
    "Adult Social Care", "Children's Services", "Highways", "Housing", "Environment",
    "Corporate Services", "Education", "Public Health", "Estates", "ICT", "Finance",
    "Culture and Leisure",
]  # fmt: skip
EXPENSE_TYPES = [
    "Contract Payments", "Professional Fees", "Equipment", "Repairs and Maintenance",
    "Catering", "Agency Staff", "Consultancy", "Software Licences", "Utilities", "Grants",
    "Transport", "Cleaning",
]  # fmt: skip
# First words are letters only, at least five of them: the typo is made inside the first word.
FIRST = [
    "Kestrel", "Hartley", "Brightwell", "Ashford", "Northgate", "Oakfield", "Pennine",
    "Sterling", "Harrow", "Meadow", "Larkspur", "Thornton", "Whitmore", "Beacon", "Carlton",
    "Drayton", "Elmwood", "Fairway", "Granite", "Heathrow", "Ironside", "Juniper", "Kingsley",
    "Lindale", "Marlow", "Newbury", "Orchard", "Penrose", "Quantock", "Redwood", "Saxon",
    "Tamworth", "Upland", "Vantage", "Walton", "Yardley", "Zenith", "Abbey", "Bramley",
    "Castle", "Dalton", "Everest", "Falcon", "Glenfield", "Holbrook", "Imperial", "Jubilee",
    "Kendal", "Lakeside", "Mercia", "Nelson", "Osprey", "Parkway", "Quarry", "Ribble",
    "Summit", "Trident", "Unity", "Victoria", "Wessex", "Yorkshire", "Albion", "Britannia",
    "Cedar", "Derwent", "Emerald", "Forest", "Grosvenor", "Harbour", "Islington", "Jarrow",
    "Keswick", "Lowther", "Malvern", "Norfolk", "Oxbridge", "Pembroke", "Regent", "Severn",
    "Thames", "Ulverston", "Vernon", "Windsor", "Ashbourne", "Bishop", "Chiltern", "Dorset",
    "Exmoor", "Fenwick", "Garrick", "Hamilton", "Ingram", "Jennings", "Kirkby", "Lambert",
    "Morrison", "Nightingale", "Oldham", "Prescott", "Radcliffe", "Sheldon", "Tennyson",
    "Underwood", "Wakefield", "Atkinson", "Barlow", "Cromwell", "Dickinson", "Ellison",
    "Fletcher", "Gardner", "Hughes", "Jackson", "Lawson", "Mitchell", "Naylor", "Parker",
    "Roberts", "Sutton", "Turner", "Wilson", "Crescent", "Horizon", "Phoenix", "Pinnacle",
]  # fmt: skip
SECOND = [
    "", "", "", "", "Valley", "Bridge", "Green", "Hill", "Vale", "Cross", "Moor", "Field",
    "Brook", "Wood", "Gate", "Point", "Star", "Crown", "Oak", "Stone", "Lane", "Mill",
]  # fmt: skip
TRADE = [
    "Building Services", "Grounds Maintenance", "Catering", "Plumbing", "Facilities Management",
    "Cleaning Services", "Consulting", "IT Solutions", "Transport", "Print", "Electrical",
    "Roofing", "Security", "Waste Management", "Engineering", "Recruitment", "Legal Services",
    "Medical Supplies", "Office Supplies", "Training", "Construction", "Scaffolding",
    "Landscapes", "Joinery", "Decorators", "Fencing", "Surveyors", "Architects", "Couriers",
    "Software", "Telecoms", "Energy", "Fleet Services", "Laboratories", "Healthcare",
    "Pharmacy", "Translation Services", "Events", "Furniture", "Signs", "Hygiene",
    "Pest Control", "Glazing", "Lifts", "Heating", "Drainage", "Asbestos Services", "Tyres",
    "Uniforms", "Books", "Vending", "Ventilation", "Audio Visual", "Locksmiths",
]  # fmt: skip
TAIL = ["", "", "", "", " & Sons", " Group", " & Partners", " and Daughters", " (UK)", " & Co"]
VCSE_TRADE = [
    "Community Trust", "Foundation", "Youth Project", "Housing Association", "Care Network",
    "Food Bank", "Advice Centre", "Arts Collective", "Community Transport", "Carers Centre",
    "Mind", "Citizens Advice", "Credit Union", "Development Trust", "Wildlife Trust",
]  # fmt: skip
SUFFIX = ["Ltd", "Limited", "PLC", ""]


def _pick(values: list[str], index: pl.Expr) -> pl.Expr:
    return pl.lit(pl.Series(values)).gather(index)


def companies(n: int, rng: np.random.Generator) -> pl.DataFrame:
    """One row per company: canonical name parts, number, lookup membership and flags."""
    over = n * 2 + 100  # drawn with repeats, then the first n distinct names kept
    space = len(FIRST) * len(SECOND) * len(TRADE) * len(TAIL)
    pick = rng.integers(0, space, over)
    vcse = rng.random(over) < 0.15
    vpick = rng.integers(0, len(FIRST) * len(SECOND) * len(VCSE_TRADE), over)
    draws = pl.DataFrame({"pick": pick, "vpick": vpick, "vcse": vcse})
    p, vp = pl.col("pick"), pl.col("vpick")
    nf, ns, nt = len(FIRST), len(SECOND), len(TRADE)
    second = pl.when(pl.col("vcse")).then(_pick(SECOND, (vp // nf) % ns))
    second = second.otherwise(_pick(SECOND, (p // nf) % ns))
    trade = pl.when(pl.col("vcse")).then(_pick(VCSE_TRADE, vp // (nf * ns)))
    trade = trade.otherwise(_pick(TRADE, (p // (nf * ns)) % nt))
    tail = pl.when(pl.col("vcse")).then(pl.lit("")).otherwise(_pick(TAIL, p // (nf * ns * nt)))
    first = pl.when(pl.col("vcse")).then(_pick(FIRST, vp % nf)).otherwise(_pick(FIRST, p % nf))
    base = pl.concat_str(
        first, pl.when(second != "").then(pl.lit(" ") + second), pl.lit(" ") + trade, tail,
        ignore_nulls=True,
    )  # fmt: skip
    # distinct even with every space and punctuation mark removed: no two companies can
    # normalise to one name, however the normaliser treats spaces
    key = base.str.to_uppercase().str.replace_all("&", "AND").str.replace_all("[^A-Z]", "")
    comp = (
        draws.select(base.alias("base"), "vcse", key.alias("key"))
        .unique(subset="key", keep="first", maintain_order=True)
        .head(n)
        .drop("key")
    )
    if comp.height < n:
        raise SystemExit(f"only {comp.height} distinct company names for {n} companies")
    r = rng.random((n, 8))
    u = [pl.Series(r[:, i]) for i in range(8)]
    vcse = pl.col("vcse")
    suffix = (
        pl.when(vcse)
        .then(pl.when(pl.lit(u[0]) < 0.6).then(pl.lit("")).otherwise(pl.lit("Limited")))
        .when(pl.lit(u[0]) < 0.50).then(pl.lit("Ltd"))
        .when(pl.lit(u[0]) < 0.85).then(pl.lit("Limited"))
        .when(pl.lit(u[0]) < 0.88).then(pl.lit("PLC"))
        .otherwise(pl.lit(""))
    )  # fmt: skip
    c = pl.int_range(0, n, dtype=pl.Int64)
    has_number = pl.lit(u[1]) < pl.when(vcse).then(0.5).otherwise(0.9)
    number = pl.when(has_number).then(((c * 7919 + 1_000_003) % 100_000_000).cast(pl.String))
    yes_no = {True: "Yes", False: "No"}
    is_sme = pl.when(pl.lit(u[3]) < 0.03).then(None).otherwise(pl.lit(u[4]) < 0.62)
    is_sme = pl.when(suffix == "PLC").then(False).otherwise(is_sme)
    is_vcse = pl.when(pl.lit(u[5]) < 0.03).then(None).otherwise(vcse)
    return comp.with_columns(
        c.alias("c"),
        suffix.alias("suffix"),
        number.str.zfill(8).alias("company_number"),
        (has_number & (pl.lit(u[2]) < 0.8)).alias("publishes_number"),
        (pl.lit(u[6]) < 0.5).alias("in_lookup"),
        is_sme.replace_strict(yes_no, return_dtype=pl.String).alias("is_sme"),
        is_vcse.replace_strict(yes_no, return_dtype=pl.String).alias("is_vcse"),
        (pl.lit(u[7]) * 1e9).cast(pl.Int64).alias("h"),
    )


def names(comp: pl.DataFrame, n_names: int) -> pl.DataFrame:
    """Every published spelling: j = c + n_companies * v, v = 0 the canonical one."""
    n = comp.height
    j = pl.int_range(0, n_names, dtype=pl.Int64)
    table = pl.DataFrame({"j": pl.select(j).to_series()}).with_columns(
        (pl.col("j") % n).alias("c"), (pl.col("j") // n).alias("v")
    )
    table = table.join(comp, on="c", how="left", maintain_order="left")
    base, suffix, v = pl.col("base"), pl.col("suffix"), pl.col("v")
    canonical = pl.concat_str(base, pl.when(suffix != "").then(pl.lit(" ") + suffix))
    canonical = canonical.fill_null(base)
    style = (pl.col("h") + 3 * (v - 1)) % 10
    swapped = (
        pl.when(suffix == "Ltd").then(base + " Limited")
        .when(suffix == "Limited").then(base + " Ltd")
        .when(suffix == "PLC").then(base + " P.L.C.")
        .otherwise(base + " Ltd")
    )  # fmt: skip
    amp = (
        pl.when(canonical.str.contains(" & ", literal=True))
        .then(canonical.str.replace(" & ", " and ", literal=True))
        .when(canonical.str.contains(" and ", literal=True))
        .then(canonical.str.replace(" and ", " & ", literal=True))
        .otherwise(canonical.str.to_lowercase())
    )
    first_len = base.str.find(" ", literal=True)
    at = 1 + (pl.col("h") // 7) % (first_len - 2)
    typo = canonical.str.slice(0, at) + canonical.str.slice(at + 1)
    dotted = pl.when(suffix != "").then(canonical + ".").otherwise(base + " Ltd.")
    comma = pl.when(suffix != "").then(base + ", " + suffix).otherwise(base + ", Limited")
    variant = (
        pl.when(v == 0).then(canonical)
        .when(style == 0).then(canonical.str.to_uppercase())
        .when(style == 1).then(swapped)
        .when(style == 2).then(pl.when(suffix != "").then(base).otherwise(base + " Limited"))
        .when(style == 3).then(dotted)
        .when(style == 4).then(comma)
        .when(style == 5).then(amp)
        .when(style == 6).then(canonical.str.to_lowercase())
        .when(style == 7).then(canonical.str.replace(" ", "  ", literal=True))
        .when(style == 8).then(typo)
        .otherwise(canonical + " ")
    )  # fmt: skip
    is_typo = (v > 0) & (style == 8)
    return table.select(
        "j",
        variant.alias("supplier_name"),
        pl.when(pl.col("publishes_number") & ~is_typo)
        .then(pl.col("company_number"))
        .alias("company_number"),
    )


def _money(pence: pl.Expr) -> pl.Expr:
    """Integer pence → ``-1,234,567.89``."""
    a = pence.abs()
    w = a // 100
    grouped = (
        pl.when(w >= 1_000_000)
        .then(pl.concat_str(
            (w // 1_000_000).cast(pl.String), pl.lit(","),
            ((w // 1000) % 1000).cast(pl.String).str.zfill(3), pl.lit(","),
            (w % 1000).cast(pl.String).str.zfill(3),
        ))
        .when(w >= 1000)
        .then(pl.concat_str(
            (w // 1000).cast(pl.String), pl.lit(","), (w % 1000).cast(pl.String).str.zfill(3)
        ))
        .otherwise(w.cast(pl.String))
    )  # fmt: skip
    return pl.concat_str(
        pl.when(pence < 0).then(pl.lit("-")).otherwise(pl.lit("")),
        grouped,
        pl.lit("."),
        (a % 100).cast(pl.String).str.zfill(2),
    )


def spend(rows: int, comp: pl.DataFrame, spellings: pl.DataFrame, rng: np.random.Generator):
    n_comp, n_names = comp.height, spellings.height
    weights = np.array([w for _, _, w in ORGANISATIONS], dtype=float)
    org = rng.choice(len(ORGANISATIONS), rows, p=weights / weights.sum())
    # half the rows spread evenly over the companies, half concentrated on a few big ones;
    # each organisation's big suppliers are different companies
    even = rng.integers(0, n_comp, rows)
    skewed = (rng.random(rows) ** 4 * n_comp).astype(np.int64)
    company = np.where(rng.random(rows) < 0.5, even, (skewed + org * 7919) % n_comp)
    variants = np.where(company < n_names - 2 * n_comp, 3, 2)
    r = rng.random(rows)
    v = np.where(r < 0.6, 0, 1 + ((r - 0.6) / 0.4 * (variants - 1)).astype(np.int64))
    v = np.minimum(v, variants - 1)
    redacted = rng.random(rows) < 0.02
    day = rng.integers(0, 365, rows)
    magnitude = np.exp(rng.uniform(np.log(50_000), np.log(50_000_000), rows)).astype(np.int64)
    credit = rng.random(rows) < 0.015
    pence = np.where(credit, -(magnitude // 7 + 1), magnitude)
    area = rng.integers(0, len(SERVICE_AREAS), rows)
    etype = rng.integers(0, len(EXPENSE_TYPES), rows)
    df = pl.DataFrame(
        {
            "org": org.astype(np.int32),
            "day": day.astype(np.int32),
            "j": company + n_comp * v,
            "c": company,
            "redacted": redacted,
            "pence": pence,
            "area": area.astype(np.int32),
            "etype": etype.astype(np.int32),
        }
    ).with_row_index("i")
    df = df.sort("org", "day", "i")
    orgs = [o for o, _, _ in ORGANISATIONS]
    prefixes = [p for _, p, _ in ORGANISATIONS]
    red = pl.col("redacted")
    return df.select(
        _pick(orgs, pl.col("org")).alias(HEADER[0]),
        _pick(SERVICE_AREAS, pl.col("area")).alias(HEADER[1]),
        _pick(EXPENSE_TYPES, pl.col("etype")).alias(HEADER[2]),
        (pl.date(2025, 4, 1) + pl.duration(days=pl.col("day"))).dt.strftime("%d/%m/%Y")
        .alias(HEADER[3]),
        pl.concat_str(
            _pick(prefixes, pl.col("org")),
            (pl.int_range(pl.len()).over("org") + 100001).cast(pl.String),
        ).alias(HEADER[4]),
        _money(pl.col("pence")).alias(HEADER[5]),
        pl.when(red).then(pl.lit(REDACTED))
        .otherwise(pl.lit(spellings.get_column("supplier_name")).gather(pl.col("j")))
        .alias(HEADER[6]),
        pl.when(~red).then(pl.concat_str(
            _pick(prefixes, pl.col("org")), pl.lit("S"), pl.col("c").cast(pl.String).str.zfill(6)
        )).alias(HEADER[7]),
        pl.when(~red).then(pl.lit(spellings.get_column("company_number")).gather(pl.col("j")))
        .alias(HEADER[8]),
    )  # fmt: skip


def lookup(comp: pl.DataFrame) -> pl.DataFrame:
    formal = (
        pl.when(pl.col("suffix").is_in(["Ltd", "Limited"])).then(pl.lit(" LIMITED"))
        .when(pl.col("suffix") == "PLC").then(pl.lit(" PLC"))
        .otherwise(pl.lit(""))
    )  # fmt: skip
    return comp.filter("in_lookup").select(
        (pl.col("base").str.to_uppercase() + formal).alias("supplier_name"),
        "company_number",
        "is_sme",
        "is_vcse",
    )


def generate(rows: int, out: Path) -> tuple[Path, Path]:
    """Write ``spend-N.csv`` and ``lookup-N.csv`` into ``out`` (via temporary names, so a
    half-written file is never taken for a finished one)."""
    out.mkdir(parents=True, exist_ok=True)
    n_comp = max(rows // 100, 20)
    n_names = max(rows * 6 // 250, 2 * n_comp)
    comp = companies(n_comp, np.random.default_rng([SEED, 1]))
    spellings = names(comp, n_names)
    spend_path, lookup_path = out / f"spend-{rows}.csv", out / f"lookup-{rows}.csv"
    for path, frame in (
        (lookup_path, lookup(comp)),
        (spend_path, spend(rows, comp, spellings, np.random.default_rng([SEED, 2]))),
    ):
        tmp = path.with_suffix(".csv.part")
        frame.write_csv(tmp)
        tmp.replace(path)
    return spend_path, lookup_path


BROKEN_EVERY = 200  # one row in 200 (0.5%) is broken in the dirty variant
REPEAT_EVERY = 250_000  # a blank line and a repeated header before every 250,000th row


def dirty(clean: Path) -> tuple[Path, int]:
    """``clean``'s dirty variant, ``dirty-N.csv`` beside it: every 200th row broken in turn (an
    amount that is not a number, a date that does not exist, no supplier), a blank line and a
    repeated header every 250,000 rows, and two footers at the end (a bare grand total, then a
    labelled one). Returns the path and how many rows were broken. Streamed, never held."""
    out = clean.with_name(clean.name.replace("spend-", "dirty-"))
    rows = pl.scan_csv(clean, infer_schema=False).with_row_index("_i")
    kind = (pl.col("_i") // BROKEN_EVERY) % 3
    broken = (pl.col("_i") % BROKEN_EVERY) == BROKEN_EVERY - 1
    rows = rows.with_columns(
        pl.when(broken & (kind == 0)).then(pl.lit("n/a")).otherwise("Net Amount")
        .alias("Net Amount"),
        pl.when(broken & (kind == 1)).then(pl.lit("31/02/2026")).otherwise("Payment Date")
        .alias("Payment Date"),
        pl.when(broken & (kind == 2)).then(pl.lit(None, pl.String)).otherwise("Supplier Name")
        .alias("Supplier Name"),
    )  # fmt: skip
    n = rows.select(pl.len()).collect().item()
    pence = pl.col("Net Amount").str.replace_all(",", "", literal=True).cast(pl.Decimal(20, 2))
    total = rows.filter(~(broken & (kind == 0))).select(pence.sum()).collect().item()
    header = pl.LazyFrame([[h] for h in HEADER], schema=HEADER, orient="col")
    blank = pl.LazyFrame([[None] for _ in HEADER], schema=dict.fromkeys(HEADER, pl.String))
    parts = []
    for start in range(0, n, REPEAT_EVERY):
        if start:
            parts += [blank, header]
        parts.append(rows.slice(start, REPEAT_EVERY).drop("_i"))
    footer = {h: None for h in HEADER}
    parts.append(
        pl.LazyFrame(
            [{**footer, "Net Amount": f"{total:.2f}"}], schema=dict.fromkeys(HEADER, pl.String)
        )
    )
    parts.append(pl.LazyFrame([{**footer, "Body Name": "Total", "Net Amount": f"{total:.2f}"}],
                              schema=dict.fromkeys(HEADER, pl.String)))  # fmt: skip
    tmp = out.with_suffix(".csv.part")
    pl.concat(parts).sink_csv(tmp)
    tmp.replace(out)
    return out, n // BROKEN_EVERY


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, required=True)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    t = time.perf_counter()
    spend_path, lookup_path = generate(args.rows, args.out)
    print(
        f"wrote {spend_path} ({spend_path.stat().st_size / 1e6:,.0f} MB) and {lookup_path} "
        f"in {time.perf_counter() - t:.1f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
