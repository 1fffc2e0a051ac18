"""suppliers build: flags, evidence and precedence from registers in their published layouts,
manual overrides, accepted review rows, and real Trafford and Salford files."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from anchorspend.suppliers.build import Sources, build
from tests.helpers import FIXTURES, analyse_json, invoke

REG = FIXTURES / "registers"
COLS = [
    "is_sme",
    "is_sme_confidence",
    "is_sme_evidence",
    "is_vcse",
    "is_vcse_confidence",
    "is_vcse_evidence",
    "dissolved",
    "source",
]


def rows_by_name(path: Path) -> dict[str, dict[str, Any]]:
    table = pl.read_csv(path, infer_schema=False)
    return {r["supplier_name"]: r for r in table.iter_rows(named=True)}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("build") / "lookup.csv"
    r = invoke(
        "suppliers",
        "build",
        "--out",
        str(out),
        "--companies-house",
        str(REG / "BasicCompanyData-sample.csv"),
        "--charities",
        str(REG / "publicextract.charity.txt"),
        "--ocds",
        str(REG / "ocds-release-package.json"),
    )
    assert r.exit_code == 0, r.stderr
    assert "1 claims disagree" in r.stderr or "2 claims disagree" in r.stderr
    return out


def test_declared_beats_inferred_and_the_disagreement_is_kept(built: Path) -> None:
    got = rows_by_name(built)["THISTLE JOINERY LIMITED"]
    assert [got[c] for c in COLS[:3]] == ["false", "declared", "OCDS: party details.scale = large"]
    conflicts = pl.read_csv(built.with_suffix(".conflicts.csv"), infer_schema=False)
    assert conflicts.select("organisation", "source", "value", "confidence").rows() == [
        ("C:SC123456", "OCDS: ocds-release-package.json", "false", "declared"),
        ("C:SC123456", "Companies House", "true", "inferred"),
    ]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "ROWAN COMMUNITY CAFE CIC",
            [
                "true",
                "inferred",
                "Companies House accounts category MICRO ENTITY",
                "true",
                "registered",
                "Companies House company category Community Interest Company",
                "false",
                "Companies House",
            ],
        ),
        (
            "FERNHILL LOGISTICS LIMITED",
            [
                "true",
                "inferred",
                "Companies House accounts category MEDIUM",
                None,
                None,
                None,
                "false",
                "Companies House",
            ],
        ),
        ("WILLOW UTILITIES PLC", [None, None, None, None, None, None, "false", "Companies House"]),
        (
            "XYLO TRADING LIMITED",
            [
                "true",
                "inferred",
                "Companies House accounts category MICRO ENTITY",
                None,
                None,
                None,
                "true",
                "Companies House",
            ],
        ),
        (
            "Big National Care Charity",
            [
                "false",
                "inferred",
                "latest income £44,000,001: above the Procurement Act SME turnover limit",
                "true",
                "registered",
                "Charity Commission: registered charity 207076",
                "false",
                "Charity Commission",
            ],
        ),
        (
            "Old Trafford Boys Club",
            [None, None, None, None, None, None, "true", "Charity Commission"],
        ),
    ],
)
def test_register_rules(built: Path, name: str, expected: list[str | None]) -> None:
    got = rows_by_name(built)[name]
    assert [got[c] for c in COLS] == expected


def test_charity_and_company_are_one_organisation(built: Path) -> None:
    table = pl.read_csv(built, infer_schema=False)
    flint = table.filter(pl.col("charity_number") == "1146179")
    assert flint.select(
        "supplier_name", "company_number", "is_sme_confidence", "is_vcse_confidence"
    ).rows() == [("Cyril Flint Befrienders", "07962245", "declared", "declared")]
    assert table.filter(pl.col("company_number") == "07962245").height == 1


def test_manual_always_wins_and_is_validated(built: Path, tmp_path: Path) -> None:
    manual = tmp_path / "manual.csv"
    manual.write_text(
        "supplier_name,company_number,is_sme,is_diverse_led,"
        "diverse_led_categories\nThistle Joinery,SC123456,Yes,Yes,women\n",
        encoding="utf-8",
    )
    out = tmp_path / "lk.csv"
    build(
        Sources(
            companies_house=(REG / "BasicCompanyData-sample.csv",),
            ocds=(REG / "ocds-release-package.json",),
            manual=(manual,),
        ),
        out,
    )
    got = rows_by_name(out)["THISTLE JOINERY LIMITED"]
    assert (got["is_sme"], got["is_sme_confidence"], got["is_sme_evidence"]) == (
        "true",
        "manual",
        "manual: manual.csv",
    )
    assert (
        got["is_diverse_led"],
        got["is_diverse_led_confidence"],
        got["diverse_led_categories"],
    ) == ("true", "manual", "women")
    bad = tmp_path / "bad.csv"
    bad.write_text("supplier_name,company_number,is_sme\nA,1,Yes\nB,1,No\n", encoding="utf-8")
    r = invoke("suppliers", "build", "--out", str(tmp_path / "x.csv"), "--manual", str(bad))
    assert r.exit_code == 3
    assert "company_number '00000001' (rows 2, 3): is_sme differ" in r.stderr


def test_accepted_review_rows_become_names(built: Path, tmp_path: Path) -> None:
    review = tmp_path / "review.csv"
    review.write_text(
        "supplier,spend,rows,rank,candidate_name,candidate_company_number,"
        "candidate_charity_number,candidate_is_sme,candidate_is_vcse,candidate_source,score,"
        "margin,decision\n"
        "Rowan Cafe,10.00,1,1,ROWAN COMMUNITY CAFE CIC,10000012,,true,true,x,88.0,88.0,accept\n"
        "Rowan Caff,10.00,1,1,ROWAN COMMUNITY CAFE CIC,10000012,,true,true,x,80.0,80.0,reject\n",
        encoding="utf-8",
    )
    out = tmp_path / "lk.csv"
    report = build(
        Sources(companies_house=(REG / "BasicCompanyData-sample.csv",), manual=(review,)), out
    )
    assert report.aliases == 1
    got = rows_by_name(out)
    assert "Rowan Caff" not in got
    alias = got["Rowan Cafe"]
    assert (alias["company_number"], alias["is_vcse"], alias["is_vcse_confidence"]) == (
        None,
        "true",
        "registered",
    )
    assert alias["is_vcse_evidence"].startswith(
        "manual review: accepted as ROWAN COMMUNITY CAFE CIC (score 88.0); "
    )
    spend = tmp_path / "s.csv"
    spend.write_text(
        "Supplier Name,Payment Date,Net Amount\nRowan Cafe,01/04/2026,9.99\n", encoding="utf-8"
    )
    doc = analyse_json(str(spend), "--lookup", str(out))
    [vcse] = [m for m in doc["metrics"] if m["measure"] == "vcse" and m["period"] == "all"]
    assert vcse["spend"] == "9.99"


def test_real_trafford_grants_and_salford_register(public: Path, tmp_path: Path) -> None:
    out = tmp_path / "lk.parquet"
    report = build(
        Sources(
            grants=(public / "trafford-vcs-grants-360giving.csv",),
            contracts=(public / "salford-contracts-register-2022-07.csv",),
        ),
        out,
    )
    table = pl.read_parquet(out)
    # every 360Giving recipient is a VCSE by inference, with its funder as evidence
    with (public / "trafford-vcs-grants-360giving.csv").open(encoding="utf-8-sig") as fh:
        grants = list(csv.DictReader(fh))
    age = table.filter(pl.col("charity_number") == "1109047")
    assert age.select(
        "supplier_name", "company_number", "is_vcse", "is_vcse_confidence", "is_vcse_evidence"
    ).rows() == [
        (
            "Age UK Trafford",
            "05384301",
            True,
            "inferred",
            "360Giving: recipient of a grant from Trafford Metropolitan Borough Council",
        )
    ]
    assert report.flags["is_vcse"] == {"inferred": 323}
    assert len({g["Recipient Org:Identifier"] for g in grants}) == 323
    # Salford's declared SME answers; its self-contradictions are kept as conflicts
    seddon = table.filter(pl.col("company_number") == "00172081")
    assert seddon.select("is_sme_confidence").item() == "declared"
    conflicts = pl.read_csv(out.with_suffix(".conflicts.csv"), infer_schema=False)
    assert set(
        conflicts.filter(pl.col("organisation") == "C:00172081").get_column("value").to_list()
    ) == {"true", "false"}
    assert report.conflicts == conflicts.height
    # and the lookup works in analyse
    doc = analyse_json(str(public / "trafford-supplier-spend-2026-27.zip"), "--lookup", str(out))
    levels = {(e["measure"], e["confidence"]) for e in doc["evidence"]}
    assert ("vcse", "inferred") in levels


def test_no_sources_is_an_error(tmp_path: Path) -> None:
    r = invoke("suppliers", "build", "--out", str(tmp_path / "x.csv"))
    assert r.exit_code == 3
    assert "no sources given" in r.stderr
