"""Geography: importing the postcode directory and IMD, locating suppliers, local and deprived."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import polars as pl

from anchorspend.geo.importer import import_store
from anchorspend.geo.store import open_store
from anchorspend.normalise import normalise_postcode
from tests.helpers import FIXTURES, analyse_json, invoke


def test_postcode_normalisation() -> None:
    written = [
        "m154ab",
        "M15  4AB",
        " m15 4ab ",
        "m15 oab",
        "0X1 1AA",
        "SW1A0AA",
        "SW1A OAA",
        "EC1A 1BB",
        "ZZZ",
        "",
        "M1 1AE1",
    ]
    got = pl.select(normalise_postcode(pl.Series(written))).to_series().to_list()
    assert got == [
        "M15 4AB",
        "M15 4AB",
        "M15 4AB",
        "M15 0AB",
        "OX1 1AA",
        "SW1A 0AA",
        "SW1A 0AA",
        "EC1A 1BB",
        None,
        None,
        None,
    ]


def test_onspd_shaped_import_maps_columns_and_flags_terminated(tmp_path: Path) -> None:
    report = import_store(
        FIXTURES / "onspd_sample.csv", tmp_path / "geo", imd=FIXTURES / "iod2019_sample.csv"
    )
    assert report.columns == {
        "postcode": "pcds",
        "local_authority_code": "lad25cd",
        "region_code": "rgn",
        "lsoa_code": "lsoa11",
        "ward_code": "osward",
        "country_code": "ctry",
        "terminated": "doterm",
    }
    assert (report.postcodes, report.terminated) == (5, 1)
    assert (report.imd_edition, report.lsoa_vintage) == ("IoD2019", "2011")
    store = open_store(tmp_path / "geo")
    got = store.postcodes.sort("postcode").collect()
    assert got.select("postcode", "local_authority_code", "region_code", "terminated").rows() == [
        ("AB1 0AA", "S12000033", "S99999999", True),
        ("M1 1AE", "E08000003", "E12000002", False),
        ("M15 4AB", "E08000009", "E12000002", False),
        ("SW1A 1AA", "E09000033", "E12000007", False),
        ("W1A 0AX", "E09000033", "E12000007", False),
    ]


def test_import_errors_name_the_fix(tmp_path: Path) -> None:
    bad = tmp_path / "pc.csv"
    bad.write_text("code,place\nM15 4AB,here\n", encoding="utf-8")
    r = invoke("geo", "import", str(bad), "--into", str(tmp_path / "g"))
    assert r.exit_code == 3
    assert "no column for postcode, local_authority_code" in r.stderr
    assert '--map postcode="<column>"' in r.stderr
    r = invoke(
        "geo",
        "import",
        str(bad),
        "--into",
        str(tmp_path / "g"),
        "--map",
        "postcode=code",
        "--map",
        "local_authority_code=place",
    )
    assert r.exit_code == 0, r.stderr
    assert "1 postcodes" in r.stderr
    r = invoke("analyse", str(FIXTURES / "bad_amounts.csv"), "--geography", str(tmp_path))
    assert r.exit_code == 3
    assert "not a geography store" in r.stderr


def test_tiers_by_region_code_and_name(tmp_path: Path) -> None:
    import_store(FIXTURES / "onspd_sample.csv", tmp_path / "geo")
    spend = tmp_path / "s.csv"
    spend.write_text(
        "Supplier Name,Payment Date,Net Amount,Supplier Postcode\n"
        "A,01/04/2026,10.00,m15 4ab\nB,01/04/2026,20.00,M1 1AE\n"
        "C,01/04/2026,40.00,sw1a 1aa\nD,01/04/2026,80.00,\n",
        encoding="utf-8",
    )
    cfg = tmp_path / "anchorspend.toml"
    cfg.write_text(
        '[geography]\nstore = "geo"\n[local.tiers]\n"Trafford" = ["E08000009"]\n'
        '"North West" = ["North West"]\n"England" = ["E12000002", "E12000007"]\n',
        encoding="utf-8",
    )
    doc = analyse_json(str(spend), "--config", str(cfg))
    got = {
        m["measure"]: (m["spend"], m["known_spend"]) for m in doc["metrics"] if m["period"] == "all"
    }
    assert got["local:Trafford"] == ("10.00", "70.00")
    assert got["local:North West"] == ("30.00", "70.00")
    assert got["local:England"] == ("70.00", "70.00")
    assert doc["geography"]["basis"] == [
        {"location_basis": "export postcode", "spend": "70.00", "rows": 3},
        {"location_basis": "unknown", "spend": "80.00", "rows": 1},
    ]
    cfg.write_text('[local.tiers]\n"Home" = ["Trafford Park"]\n', encoding="utf-8")
    r = invoke("analyse", str(spend), "--config", str(cfg))
    assert r.exit_code == 3
    assert "'Trafford Park' is not a local authority or region code" in r.stderr


def _trafford_rows(public: Path) -> list[dict[str, str]]:
    with zipfile.ZipFile(public / "trafford-supplier-spend-2026-27.zip") as zf:
        text = zf.read(zf.namelist()[0]).decode("utf-8")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_trafford_local_and_deprived_spend(public: Path, tmp_path: Path) -> None:
    store = tmp_path / "geo"
    r = invoke(
        "geo",
        "import",
        str(public / "trafford-postcodes.csv"),
        "--imd",
        str(public / "imd2025-england-lsoa21.csv"),
        "--into",
        str(store),
    )
    assert r.exit_code == 0, r.stderr
    manifest = json.loads((store / "store.json").read_text(encoding="utf-8"))
    assert manifest["imd"]["edition"] == "IoD2025"
    assert manifest["postcodes"]["rows"] == 11264

    # the oracle: the published files read with csv
    with (public / "trafford-postcodes.csv").open(encoding="utf-8") as fh:
        place = {r["postcode"]: r for r in csv.DictReader(fh)}
    with (public / "imd2025-england-lsoa21.csv").open(encoding="utf-8") as fh:
        decile = {r["lsoa21_code"]: int(r["IMD_decile"]) for r in csv.DictReader(fh)}
    rows = _trafford_rows(public)
    spend: dict[str, Decimal] = defaultdict(Decimal)
    for r in rows:
        if r["BeneficiaryName"] != "Redacted":
            spend[r["BeneficiaryName"]] += Decimal(r["Amount"])
    top = sorted(spend, key=lambda n: (-spend[n], n))[:6]
    poor = next(p for p in sorted(place) if decile[place[p]["lsoa_code"]] <= 2)
    rich = next(p for p in sorted(place) if decile[place[p]["lsoa_code"]] >= 8)
    messy = {poor: poor.lower().replace(" ", ""), rich: rich.lower()}
    given = [  # name, postcode as written, explicit LA code
        (top[0], messy[poor], ""),
        (top[1], messy[rich], ""),
        (top[2], "SW1A 1AA", ""),
        (top[3], "", "E08000003"),
        (top[4], "not a postcode", ""),
        (top[5], rich, ""),
    ]
    lookup = tmp_path / "suppliers.csv"
    with lookup.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["supplier_name", "postcode", "local_authority_code"])
        w.writerows(given)
    cfg = tmp_path / "anchorspend.toml"
    cfg.write_text(
        '[geography]\nstore = "geo"\ndeprived_decile_max = 2\n'
        '[local.tiers]\n"Trafford" = ["E08000009"]\n',
        encoding="utf-8",
    )
    doc = analyse_json(
        str(public / "trafford-supplier-spend-2026-27.zip"),
        "--lookup",
        str(lookup),
        "--config",
        str(cfg),
    )
    got = {m["measure"]: m for m in doc["metrics"] if m["period"] == "all"}

    local = spend[top[0]] + spend[top[1]] + spend[top[5]]
    known_local = local + spend[top[3]]
    deprived = spend[top[0]]
    known_deprived = spend[top[0]] + spend[top[1]] + spend[top[5]]
    assert (Decimal(got["local"]["spend"]), Decimal(got["local"]["known_spend"])) == (
        local,
        known_local,
    )
    assert (Decimal(got["deprived"]["spend"]), Decimal(got["deprived"]["known_spend"])) == (
        deprived,
        known_deprived,
    )
    geo = doc["geography"]
    assert geo["imd_edition"] == "IoD2025"
    unplaced = {(u["postcode"], u["problem"]) for u in geo["unplaced_postcodes"]}
    assert unplaced == {
        ("SW1A 1AA", "not in the geography store"),
        ("not a postcode", "not a valid postcode"),
    }
    by_basis = {b["location_basis"]: Decimal(b["spend"]) for b in geo["basis"]}
    assert by_basis["lookup postcode"] == local
    assert by_basis["lookup local_authority_code"] == spend[top[3]]
    la = {(x["local_authority_code"], x["name"]) for x in geo["by_local_authority"]}
    assert ("E08000009", "Trafford") in la and (None, None) in la


def test_terminated_postcodes_are_located_and_flagged(tmp_path: Path) -> None:
    import_store(FIXTURES / "onspd_sample.csv", tmp_path / "geo")
    spend = tmp_path / "s.csv"
    spend.write_text(
        "Supplier Name,Payment Date,Net Amount,Supplier Postcode\n"
        "Old Firm,01/04/2026,12.34,ab10aa\nNew Firm,01/04/2026,1.00,M15 4AB\n",
        encoding="utf-8",
    )
    doc = analyse_json(str(spend), "--geography", str(tmp_path / "geo"))
    geo = doc["geography"]
    assert (geo["terminated_postcode_spend"], geo["terminated_postcode_rows"]) == ("12.34", 1)
    assert {(x["local_authority_code"], x["spend"]) for x in geo["by_local_authority"]} == {
        ("S12000033", "12.34"),
        ("E08000009", "1.00"),
    }


def test_reports_say_where_suppliers_are(tmp_path: Path) -> None:
    import_store(FIXTURES / "onspd_sample.csv", tmp_path / "geo")
    spend = tmp_path / "s.csv"
    spend.write_text(
        "Supplier Name,Payment Date,Net Amount,Supplier Postcode\n"
        "A,01/04/2026,10.00,m15 4ab\nB,01/04/2026,5.00,XX1 1XX\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    r = invoke("analyse", str(spend), "--geography", str(tmp_path / "geo"), "--out", str(out), "-q")
    assert r.exit_code == 0, r.stderr
    md = (out / "report.md").read_text(encoding="utf-8")
    assert "| export postcode | 10.00 | 1 |" in md
    assert "| unknown | 5.00 | 1 |" in md
    assert "| XX1 1XX | not in the geography store | 5.00 | 1 |" in md
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "Where suppliers are" in html and "location unknown" in html


def test_lookup_table_is_text_with_the_postcode_as_written_first() -> None:
    """``geo lookup`` prints ``lookup_table``'s rows: every cell text, blank where unknown."""
    from anchorspend.geo.locate import lookup_table

    columns, rows = lookup_table(["M1 1AE", "nonsense"], None)
    assert columns[:2] == ["written", "postcode"]
    assert dict(zip(columns, rows[0], strict=True))["local_authority_name"] == "Manchester"
    assert rows[1] == ["nonsense"] + [""] * (len(columns) - 1)
