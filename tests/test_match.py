"""suppliers match / unmatched: identifiers and exact names resolve; fuzzy names are only ever
proposed, never applied."""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path

import polars as pl

from anchorspend.gather.options import RunConfig
from anchorspend.suppliers.match import match
from tests.helpers import FIXTURES, analyse_json, invoke

HERE = FIXTURES / "match"


def test_traps_are_proposed_not_applied(tmp_path: Path) -> None:
    r = invoke(
        "suppliers",
        "match",
        str(HERE / "spend.csv"),
        "--lookup",
        str(HERE / "lookup.csv"),
        "--out",
        str(tmp_path),
    )
    assert r.exit_code == 0, r.stderr
    review = pl.read_csv(tmp_path / "review.csv", infer_schema=False)
    # the pension fund, a trap for "Sheffield City Council", is set aside as a pension payee:
    # not worth classifying, so not proposed
    assert review.select("supplier", "rank", "candidate_name", "score", "decision").rows() == [
        ("Kestrel Grounds Maintenence Ltd", "1", "Kestrel Grounds Maintenance", "96.3", ""),
        ("Riverside Hospice", "1", "Riverside Hospice Trust", "85.0", ""),
    ]
    # and analyse, with the same lookup, applies none of them
    doc = analyse_json(str(HERE / "spend.csv"), "--lookup", str(HERE / "lookup.csv"))
    [vcse] = [m for m in doc["metrics"] if m["measure"] == "vcse" and m["period"] == "all"]
    assert (vcse["spend"], vcse["known_spend"]) == ("10.00", "20.00")  # AGE UK; + Acme (no)
    by = {t["supplier"]: t["matched_by"] for t in doc["top_suppliers"]}
    assert by["Age UK Leeds"] is None
    assert by["Sheffield City Council Pension Fund"] is None
    assert by["AGE UK"] == "name_key"
    assert by["ACME T/A Acme Supplies"] == "company_number"


def test_match_summary_adds_up() -> None:
    result = match(RunConfig(inputs=(HERE / "spend.csv",), lookups=(HERE / "lookup.csv",)))
    assert result.summary == [
        {"resolved_by": "company_number", "spend": "7.00", "suppliers": 1},
        {"resolved_by": "name_key", "spend": "13.00", "suppliers": 2},
        {"resolved_by": "unmatched", "spend": "380.00", "suppliers": 4},
    ]
    assert sum(Decimal(s["spend"]) for s in result.summary) == Decimal(result.total_pence) / 100


def test_unmatched_running_share() -> None:
    r = invoke(
        "suppliers",
        "unmatched",
        str(HERE / "spend.csv"),
        "--lookup",
        str(HERE / "lookup.csv"),
        "--top",
        "2",
        "--json",
    )
    assert r.exit_code == 0, r.stderr
    rows = json.loads(r.stdout)["suppliers"]
    # the pension fund (200.00) is set aside: 180.00 of market spend is unmatched
    assert [(x["supplier"], x["spend"]) for x in rows] == [
        ("Age UK Leeds", "100.00"),
        ("Kestrel Grounds Maintenence Ltd", "50.00"),
    ]
    assert rows[1]["cumulative_share"] == 150 / 180
    assert json.loads(r.stdout)["set_aside"] == [
        {"payee_kind": "pension", "spend": "200.00", "suppliers": 1}
    ]
    r = invoke(
        "suppliers",
        "unmatched",
        str(HERE / "spend.csv"),
        "--lookup",
        str(HERE / "lookup.csv"),
        "--top",
        "2",
    )
    assert "classifying these 2 suppliers covers 83% of the remaining unmatched spend" in r.stdout


def test_trafford_export_gets_candidates_and_no_auto_accepts(public: Path, tmp_path: Path) -> None:
    with (public / "trafford-vcs-grants-360giving.csv").open(encoding="utf-8-sig") as fh:
        names = sorted({g["Recipient Org:Name"].strip() for g in csv.DictReader(fh)})
    lookup = tmp_path / "vcse.csv"
    lookup.write_text(
        "supplier_name,is_vcse\n" + "".join(f'"{n}",Yes\n' for n in names), encoding="utf-8"
    )
    zip_path = public / "trafford-supplier-spend-2026-27.zip"
    before = analyse_json(str(zip_path), "--lookup", str(lookup))
    r = invoke(
        "suppliers", "match", str(zip_path), "--lookup", str(lookup), "--out", str(tmp_path / "m")
    )
    assert r.exit_code == 0, r.stderr
    review = pl.read_csv(tmp_path / "m" / "review.csv", infer_schema=False)
    # the 13 unmatched Trafford payees that have a grant recipient scoring 70 or more, by spend
    assert list(zip(review["supplier"], review["candidate_name"], strict=True)) == [
        ("Flixton Manor", "Flixton Garden"),
        ("Citizens Advice SORT Group ltd", "Citizens Advice Trafford"),
        ("Altrincham Bid Ltd", "Altrincham in Bloom CIC"),
        ("Trafford Leisure CIC Ltd", "Trafford Petanque"),
        ("Age UK Salford & Trafford CIO", "Age UK Trafford"),
        ("Trafford Domestic Abuse Svc (TDAS)", "Trafford Domestic Abuse Services"),
        ("Flourish Fostering Limited", "Flourish Together"),
        ("Home-Start Trafford", "Home-Start Trafford and Salford"),
        ("Federation of Jewish Services", "The Federation of Jewish Services (The Fed)"),
        ("Sport Works Ltd", "Sport Works Cheshire CIC"),
        ("Altrincham FC Community Sports", "Altrincham Community Team Limited"),
        ("The Willows Primary School", "Willows Primary School PTA"),
        ("Stretford Church Hall & Inst Ltd", "Stretford Church Hall and Institute Limited"),
    ]
    assert set(review.get_column("decision").to_list()) == {""}  # nothing decided
    assert review.get_column("score").cast(pl.Float64).min() >= 70.0
    after = analyse_json(str(zip_path), "--lookup", str(lookup))
    assert after["metrics"] == before["metrics"]  # proposing changed nothing


def test_unmatched_names_a_supplier_as_analyse_does(tmp_path: Path) -> None:
    # two spellings of one name on one row each: the one with more spend names the supplier
    # (alphabetical order would pick "ACME LTD")
    spend = tmp_path / "spend.csv"
    spend.write_text(
        "Supplier Name,Payment Date,Net Amount\n"
        "ACME LTD,01/04/2026,10.00\n"
        "Acme Ltd,02/04/2026,90.00\n",
        encoding="utf-8",
    )
    r = invoke("suppliers", "unmatched", str(spend), "--json")
    assert r.exit_code == 0, r.stderr
    rows = json.loads(r.stdout)["suppliers"]
    assert [(x["supplier"], x["spend"], x["rows"]) for x in rows] == [("Acme Ltd", "100.00", 2)]
    assert analyse_json(str(spend))["unmatched_suppliers"] == [
        {"supplier": "Acme Ltd", "spend": "100.00", "rows": 2}
    ]
