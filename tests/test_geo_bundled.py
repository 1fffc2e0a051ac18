"""The geography bundled in the package: local with no set-up, equal to `geo import` of the same
ONS source, on current boundaries, with region and country for a district code alone."""

from __future__ import annotations

import csv
import json
import shlex
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
import pytest

import anchorspend
from anchorspend.areas import local_authorities
from anchorspend.geo.importer import import_store
from anchorspend.geo.store import bundled_store
from anchorspend.normalise import normalise_postcode
from tests.helpers import FIXTURES, ROOT, analyse_json, invoke

# rows of the ONS May 2022 lookup the bundled table is built from, verbatim: live and terminated
# postcodes in every UK nation, one in each district merged in April 2023's new unitaries, one
# with no district, a Channel Islands pseudo-district and a 1980s Newport "NPT" code
SAMPLE = FIXTURES / "ons_pcd_lsoa_lad_may22_sample.csv"

# what the test knows independently of anchorspend's tables: each sampled district's region and
# country, and the April 2023 orders (old district → new unitary)
REGION = {
    "E08000009": "E12000002",
    "E08000003": "E12000002",
    "E07000026": "E12000002",
    "E07000028": "E12000002",
    "E07000027": "E12000002",
    "E07000031": "E12000002",
    "E07000029": "E12000002",
    "E07000117": "E12000002",
    "E07000165": "E12000003",
    "E07000169": "E12000003",
    "E06000014": "E12000003",
    "E08000035": "E12000003",
    "E07000246": "E12000009",
    "E07000187": "E12000009",
    "E06000052": "E12000009",
    "E09000033": "E12000007",
    "W06000015": "W92000004",
    "S12000036": "S92000003",
    "N09000003": "N92000002",
    "L99999999": "L93000001",
}
MERGED = {
    "E07000026": "E06000063",
    "E07000028": "E06000063",
    "E07000029": "E06000063",
    "E07000027": "E06000064",
    "E07000031": "E06000064",
    "E07000165": "E06000065",
    "E07000169": "E06000065",
    "E07000246": "E06000066",
    "E07000187": "E06000066",
}
TIERS = {
    "Trafford": ["Trafford"],
    "Cumberland": ["E06000063"],
    "North Yorkshire": ["North Yorkshire"],
    "North West": ["North West"],
    "Yorkshire and The Humber": ["E12000003"],
    "England": ["England"],
    "Wales": ["Wales"],
    "Scotland": ["S92000003"],
}


def sample() -> list[dict[str, str]]:
    with SAMPLE.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_bundled_table_holds_each_sampled_source_row_on_current_boundaries() -> None:
    rows = sample()
    written = [r["pcds"] for r in rows]
    got = (
        bundled_store()
        .postcodes.filter(pl.col("postcode").is_in(written))
        .select("postcode", "local_authority_code", "lsoa_code", "terminated")
        .sort("postcode")
        .collect()
        .rows()
    )
    readable = set(pl.select(normalise_postcode(pl.Series(written))).to_series().drop_nulls())
    assert sorted(got) == sorted(
        (r["pcds"], MERGED.get(r["ladcd"], r["ladcd"]), r["lsoa11cd"], r["doterm"] != "")
        for r in rows
        if r["ladcd"] and r["pcds"] in readable
    )
    # the row with no district and the NPT code are left out, as `geo import` cannot place them
    assert {"AB11 3AG", "NPT 0AD"} - {g[0] for g in got} == {"AB11 3AG", "NPT 0AD"}


def test_every_current_district_has_a_region_and_country_and_abolished_ones_a_successor() -> None:
    las = local_authorities()
    current = las.filter(pl.col("replaced_by").is_null())
    by_country = dict(current.group_by("country_code").len().rows())
    # 296 English, 22 Welsh, 32 Scottish and 11 Northern Irish districts (April 2023), and the
    # Channel Islands and Isle of Man pseudo-districts the ONS lookup uses
    assert by_country == {
        "E92000001": 296,
        "W92000004": 22,
        "S92000003": 32,
        "N92000002": 11,
        "L93000001": 1,
        "M83000003": 1,
    }
    english = current.filter(pl.col("country_code") == "E92000001")
    assert english.get_column("region_code").str.starts_with("E12").all()
    regions = dict(english.group_by("region_code").len().rows())
    assert regions == {
        "E12000001": 12,
        "E12000002": 35,
        "E12000003": 15,
        "E12000004": 35,
        "E12000005": 30,
        "E12000006": 45,
        "E12000007": 33,
        "E12000008": 64,
        "E12000009": 27,
    }
    gone = dict(
        las.filter(pl.col("replaced_by").is_not_null()).select("code", "replaced_by").rows()
    )
    assert {k: v for k, v in gone.items() if k in MERGED} == MERGED and len(gone) == 17
    sampled = current.filter(pl.col("code").is_in(list(REGION)))
    assert {c: r for c, r in sampled.select("code", "region_code").rows()} == {
        c: r for c, r in REGION.items() if c not in MERGED
    }


def spend_for_every_sampled_postcode(tmp_path: Path) -> tuple[Path, Path, list[tuple[str, int]]]:
    """One supplier per sampled postcode with its own amount, and one placed only by an
    abolished district's code (Harrogate → North Yorkshire) through the lookup."""
    export = tmp_path / "spend.csv"
    lines = ["Organisation,Supplier Name,Supplier Postcode,Payment Date,Net Amount"]
    placed: list[tuple[str, int]] = []  # (district as the source gives it, pence)
    for i, r in enumerate(sample()):
        pence = 10_000 + 101 * i
        lines.append(f"Council,Supplier {i},{r['pcds'].lower()},01/04/2026,{pence / 100:.2f}")
        placed.append((r["ladcd"], pence))
    lines.append("Council,Harrogate Builders,,01/04/2026,999.99")
    placed.append(("E07000165", 99_999))
    export.write_text("\n".join(lines) + "\n", encoding="utf-8")
    lookup = tmp_path / "lookup.csv"
    lookup.write_text(
        "supplier_name,local_authority_code\nHarrogate Builders,E07000165\n", encoding="utf-8"
    )
    return export, lookup, placed


def local_metrics(doc: dict[str, Any]) -> dict[str, tuple[str, str]]:
    return {
        m["measure"]: (m["spend"], m["known_spend"])
        for m in doc["metrics"]
        if m["measure"].startswith("local") and m["period"] == "all"
    }


def test_without_a_store_local_tiers_equal_geo_import_of_the_same_source(tmp_path: Path) -> None:
    """The done-when of issue 20: no --geography, LA, region and country tiers, to the penny."""
    export, lookup, placed = spend_for_every_sampled_postcode(tmp_path)
    config = tmp_path / "anchorspend.toml"
    tiers = "".join(f'"{t}" = {json.dumps(e)}\n' for t, e in TIERS.items())
    config.write_text("[local.tiers]\n" + tiers, encoding="utf-8")
    store = tmp_path / "geo"
    import_store(SAMPLE, store)
    bundled = analyse_json(str(export), "--lookup", str(lookup), "--config", str(config))
    imported = analyse_json(
        str(export), "--lookup", str(lookup), "--config", str(config), "--geography", str(store)
    )
    assert local_metrics(bundled) == local_metrics(imported)

    # and those figures are the ones the source's districts give
    def money(pence: int) -> str:
        return f"{Decimal(pence) / 100:.2f}"

    def current(code: str) -> str:
        return MERGED.get(code, code)

    known = sum(p for c, p in placed if c and c != "W06000022")  # NPT 0AD is not a postcode
    expected = {
        "Trafford": [c == "E08000009" for c, _ in placed],
        "Cumberland": [current(c) == "E06000063" for c, _ in placed],
        "North Yorkshire": [current(c) == "E06000065" for c, _ in placed],
        "North West": [REGION.get(c) == "E12000002" for c, _ in placed],
        "Yorkshire and The Humber": [REGION.get(c) == "E12000003" for c, _ in placed],
        "England": [REGION.get(c, "").startswith("E12") for c, _ in placed],
        "Wales": [REGION.get(c) == "W92000004" for c, _ in placed],
        "Scotland": [REGION.get(c) == "S92000003" for c, _ in placed],
    }
    want = {
        f"local:{t}": (
            money(sum(p for (_, p), hit in zip(placed, hits, strict=True) if hit)),
            money(known),
        )
        for t, hits in expected.items()
    }
    want["local"] = want["local:Trafford"]
    assert local_metrics(bundled) == want


def test_bundled_document_names_source_date_boundaries_and_attribution(tmp_path: Path) -> None:
    export, lookup, _ = spend_for_every_sampled_postcode(tmp_path)
    doc = analyse_json(str(export), "--lookup", str(lookup))
    geo = doc["geography"]
    assert geo["store"] is None and geo["imd_edition"] is None
    assert geo["source"]["date"] == "2022-05"
    assert geo["source"]["licence"] == "Open Government Licence v3.0"
    assert "Office for National Statistics" in geo["source"]["attribution"]
    assert "1 April 2023" in geo["source"]["boundaries"]
    assert ("ab11 3ag", "not in the bundled postcode table (2022-05)") in {
        (u["postcode"], u["problem"]) for u in geo["unplaced_postcodes"]
    }
    assert "deprived" not in doc["measures"]
    # a store of the user's is named instead, and wins
    import_store(SAMPLE, tmp_path / "geo")
    doc = analyse_json(str(export), "--lookup", str(lookup), "--geography", str(tmp_path / "geo"))
    assert doc["geography"]["store"] == str(tmp_path / "geo")
    assert doc["geography"]["source"] is None


def test_a_tier_naming_an_abolished_district_stops_with_its_successor(tmp_path: Path) -> None:
    export = tmp_path / "e.csv"
    export.write_text(
        "Supplier Name,Supplier Postcode,Payment Date,Net Amount\n"
        "A Ltd,CA12 4AA,01/04/2026,10.00\n",
        encoding="utf-8",
    )
    config = tmp_path / "anchorspend.toml"
    config.write_text('[local.tiers]\n"Allerdale" = ["E07000026"]\n', encoding="utf-8")
    r = invoke("analyse", str(export), "--config", str(config))
    assert r.exit_code != 0
    assert "E07000026 (Allerdale) was abolished on 2023-04-01" in r.stderr
    assert "E06000063 (Cumberland)" in r.stderr


def test_geo_lookup_with_no_store_reads_the_bundled_table() -> None:
    r = invoke("geo", "lookup", "ca12 4aa", "ZZ9 9ZZ")
    assert r.exit_code == 0, r.stderr
    line = next(x for x in r.stdout.splitlines() if "ca12 4aa" in x)
    assert [c.strip() for c in line.strip("│ ").split("│")] == [
        "ca12 4aa",
        "CA12 4AA",
        "E06000063",
        "E01019105",
        "False",
        "E12000002",
        "E92000001",
        "Cumberland",
    ]


def test_trafford_postcodes_from_a_newer_ons_directory_are_in_trafford(public: Path) -> None:
    """An ONS Postcode Directory extract for Trafford (LSOA 2021 edition) as the oracle: every
    postcode the May 2022 table also holds is in Trafford but one, which the older best-fit
    lookup put in Manchester; the ones it lacks are newer than May 2022."""
    directory = pl.read_csv(public / "trafford-postcodes.csv", infer_schema=False)
    assert set(directory.get_column("la_code")) == {"E08000009"}
    found = (
        directory.lazy()
        .select("postcode")
        .join(bundled_store().postcodes, on="postcode", how="left")
        .group_by("local_authority_code")
        .len()
        .collect()
    )
    assert dict(found.rows()) == {"E08000009": 11_126, "E08000003": 1, None: 137}


def test_the_package_with_its_geography_fits_a_wheel_under_25_mb() -> None:
    package = Path(anchorspend.__file__).parent
    files = [f for f in package.rglob("*") if f.is_file() and "__pycache__" not in f.parts]
    assert sum(f.stat().st_size for f in files) < 25_000_000
    # and the table is inside the package, where the wheel takes it from
    assert (package / "geodata" / "postcodes.parquet").is_file()
    assert package.is_relative_to(ROOT / "src") or "site-packages" in package.parts


@pytest.mark.parametrize("code", sorted(MERGED))
def test_a_supplier_placed_by_an_abolished_code_counts_in_its_new_unitary(
    tmp_path: Path, code: str
) -> None:
    export = tmp_path / "e.csv"
    export.write_text(
        "Supplier Name,Payment Date,Net Amount\nA Ltd,01/04/2026,12.34\n", encoding="utf-8"
    )
    lookup = tmp_path / "l.csv"
    lookup.write_text(f"supplier_name,local_authority_code\nA Ltd,{code}\n", encoding="utf-8")
    config = tmp_path / "anchorspend.toml"
    config.write_text(
        f'[local.tiers]\n"new" = ["{MERGED[code]}"]\n"region" = ["{REGION[code]}"]\n',
        encoding="utf-8",
    )
    doc = analyse_json(str(export), "--lookup", str(lookup), "--config", str(config))
    got = local_metrics(doc)
    assert got["local:new"] == got["local:region"] == ("12.34", "12.34")


def test_readme_geography_example_with_no_store_runs() -> None:
    """The README's first geography line needs no set-up: it reads the bundled table."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("## Geography: local and deprived", 1)[1].split("```sh", 1)[1]
    args = shlex.split(block.strip().splitlines()[0].split("#", 1)[0])
    assert args[:3] == ["anchorspend", "geo", "lookup"] and "--store" not in args
    r = invoke(*args[1:])
    assert r.exit_code == 0, r.stderr
    assert "Cumberland" in r.stdout and "Trafford" in r.stdout


def test_reports_credit_the_bundled_source_and_not_a_users_store(tmp_path: Path) -> None:
    export, lookup, _ = spend_for_every_sampled_postcode(tmp_path)
    credit = "Source: Office for National Statistics licensed under the Open Government Licence"
    r = invoke("analyse", str(export), "--lookup", str(lookup), "--out", str(tmp_path / "a"))
    assert r.exit_code == 0, r.stderr
    for name in ("report.md", "report.html"):
        assert credit in (tmp_path / "a" / name).read_text(encoding="utf-8"), name
    import_store(SAMPLE, tmp_path / "geo")
    r = invoke(
        "analyse",
        str(export),
        "--lookup",
        str(lookup),
        "--geography",
        str(tmp_path / "geo"),
        "--out",
        str(tmp_path / "b"),
    )
    assert r.exit_code == 0, r.stderr
    for name in ("report.md", "report.html"):
        assert credit not in (tmp_path / "b" / name).read_text(encoding="utf-8"), name
