"""Local authority districts → region and country, built in; and where the bundled table lives.

``local_authorities()`` is every UK district on current boundaries with its name, region and
country, plus the districts abolished since the bundled postcode table's date with their
successors (``geodata/local_authorities.csv``, written by ``scripts/build_geography.py``). Every
supplier placed in a district gets its region and country from it, whatever placed it, so a
region or country tier needs only a district code. Read on first use: importing this module
reads nothing.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import polars as pl

GEODATA = Path(__file__).resolve().parent / "geodata"
LOCAL_AUTHORITIES = GEODATA / "local_authorities.csv"

# region and country names a tier may use; Wales, Scotland and Northern Ireland have no regions,
# so their country is their region (as in local_authorities.csv)
AREA_NAMES = {
    "north east": "E12000001",
    "north west": "E12000002",
    "yorkshire and the humber": "E12000003",
    "yorkshire and humber": "E12000003",
    "east midlands": "E12000004",
    "west midlands": "E12000005",
    "east of england": "E12000006",
    "east": "E12000006",
    "london": "E12000007",
    "south east": "E12000008",
    "south west": "E12000009",
    "england": "E92000001",
    "wales": "W92000004",
    "scotland": "S92000003",
    "northern ireland": "N92000002",
}


@cache
def local_authorities() -> pl.DataFrame:
    """code, name, region_code, region_name, country_code, country_name, replaced_by,
    replaced_on (the last two set only for an abolished district)."""
    return pl.read_csv(LOCAL_AUTHORITIES, infer_schema=False)


@cache
def _maps() -> tuple[dict[str, str], dict[str, str], dict[str, str], dict[str, str]]:
    las = local_authorities()
    gone = las.filter(pl.col("replaced_by").is_not_null())
    current = las.filter(pl.col("replaced_by").is_null())
    code = current.get_column("code")
    return (
        dict(zip(gone.get_column("code"), gone.get_column("replaced_by"), strict=True)),
        dict(zip(code, current.get_column("region_code"), strict=True)),
        dict(zip(code, current.get_column("country_code"), strict=True)),
        dict(zip(code, current.get_column("name"), strict=True)),
    )


def current_code(code: pl.Expr) -> pl.Expr:
    """A district code on current boundaries: an abolished district's successor (all were whole
    districts merged, so this is exact); any other code as it is."""
    return code.replace(_maps()[0])


def region_of(code: pl.Expr) -> pl.Expr:
    """The region of a current district code (a country for Wales, Scotland, Northern
    Ireland); null for a code the table does not hold."""
    return code.replace_strict(_maps()[1], default=None, return_dtype=pl.String)


def country_of(code: pl.Expr) -> pl.Expr:
    return code.replace_strict(_maps()[2], default=None, return_dtype=pl.String)


def name_of(code: pl.Expr) -> pl.Expr:
    """The name of a current district code; null for a code the table does not hold."""
    return code.replace_strict(_maps()[3], default=None, return_dtype=pl.String)


def district_names() -> dict[str, str]:
    """Lower-cased name → code of every current district ("trafford", "cumberland")."""
    current = local_authorities().filter(pl.col("replaced_by").is_null())
    return {n.lower(): c for n, c in current.select("name", "code").iter_rows()}


def abolished(code: str) -> tuple[str, str, str, str] | None:
    """(name, successor code, successor name, date) for an abolished district, else None."""
    las = local_authorities()
    hit = las.filter(pl.col("code") == code, pl.col("replaced_by").is_not_null())
    if not hit.height:
        return None
    name, successor, on = hit.row(0)[1], hit.item(0, "replaced_by"), hit.item(0, "replaced_on")
    successor_name = las.filter(pl.col("code") == successor).item(0, "name")
    return name, successor, successor_name, on
