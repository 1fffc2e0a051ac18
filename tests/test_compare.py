"""compare on a hand-computed network (tests/fixtures/network/): three members, two quarters,
one shared supplier, one target (sme 50%), one local tier ("Home" = E1).

  member         Q1 (Apr-Jun)                         Q2 (Jul-Sep)
  Alpha Council  Shared Co 100 (sme, E1)              Shared Co 200 (sme, E1)
                 Local Bakers 50 (sme, E1)            Big Corp 150 (not sme, E9)
  Beta NHS       Shared Co Limited 300 (sme, E1)      Care Charity 400 (sme, vcse, E1)
                 Other Corp 100 (unknown)
  Gamma Police   Police Kit 1000 (not sme, E9)        Unknown Ltd 500 (unknown)

  sme, whole period: Alpha 350/500 (known 500), Beta 700/800 (known 700), Gamma 0/1500 (known
  1000); network 1050/2800 (known 2200) -> 37.5%, 350.00 short of 50%.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from anchorspend import config as config_mod
from anchorspend.compare import CompareConfig, compare
from anchorspend.errors import AnchorspendError
from anchorspend.gather.options import RunConfig
from tests.helpers import FIXTURES, analyse_json, invoke

NET = FIXTURES / "network"
MEMBERS = {
    "Alpha Council": "alpha-council",
    "Beta NHS Trust": "beta-nhs/spend.csv",
    "Gamma Police": "gamma-police",
}


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    r = invoke(
        "compare",
        "--config",
        str(NET / "anchorspend.toml"),
        "--lookup",
        str(NET / "lookup.csv"),
        "--json",
    )
    assert r.exit_code == 0, r.stderr
    out: dict[str, Any] = json.loads(r.stdout)
    return out


def metric(doc: dict[str, Any], org: str, measure: str, period: str = "all") -> dict[str, Any]:
    [m] = [
        m
        for m in doc["metrics"]
        if (m["organisation"], m["measure"], m["period"]) == (org, measure, period)
    ]
    return m


def test_members_from_config(doc: dict[str, Any]) -> None:
    members = doc["network"]["members"]
    assert [
        (m["name"], m["short_name"], m["type"], m["rows_analysed"], m["total_spend"])
        for m in members
    ] == [
        ("Alpha Council", "Alpha", "council", 4, "500.00"),
        ("Beta NHS Trust", None, "NHS", 3, "800.00"),
        ("Gamma Police", None, "police", 2, "1500.00"),
    ]


def test_network_totals_are_pooled_not_averaged(doc: dict[str, Any]) -> None:
    n = metric(doc, "(all)", "sme")
    assert (n["total_spend"], n["spend"], n["known_spend"]) == ("2800.00", "1050.00", "2200.00")
    assert n["share_of_total"] == pytest.approx(0.375)
    assert n["share_of_known"] == pytest.approx(1050 / 2200)
    # one supplier shared by two members counts once in the network
    assert (n["suppliers"], n["total_suppliers"]) == (3, 7)
    assert doc["reconciliation"]["amount_analysed"] == "2800.00"


def test_league_ranks_by_share_and_leaves_out_low_coverage(doc: dict[str, Any]) -> None:
    league = {(e["measure"], e["period"]): e for e in doc["network"]["league"]}
    whole = league[("sme", "all")]
    assert [(m["member"], m["rank"], m["comparable"]) for m in whole["members"]] == [
        ("Beta NHS Trust", 1, True),
        ("Alpha Council", 2, True),
        ("Gamma Police", 3, True),
    ]
    assert whole["network"]["share_of_total"] == pytest.approx(0.375)
    q2 = league[("sme", "2026-27 Q2")]
    # Gamma's Q2 spend is all with an unknown supplier: coverage 0, so it is listed, not ranked
    assert [(m["member"], m["rank"], m["comparable"]) for m in q2["members"]] == [
        ("Beta NHS Trust", 1, True),
        ("Alpha Council", 2, True),
        ("Gamma Police", None, False),
    ]


def test_league_ranks_classifications_only(doc: dict[str, Any]) -> None:
    """Total spend and redacted spend are not classifications: the reports rank neither, nor
    does the league."""
    ranked = {e["measure"] for e in doc["network"]["league"]}
    assert "redacted" in doc["measures"]
    assert ranked == set(doc["measures"]) - {"total_spend", "redacted"}


def test_change_since_previous_period(doc: dict[str, Any]) -> None:
    [alpha] = [
        c
        for c in doc["network"]["changes"]
        if c["member"] == "Alpha Council" and c["measure"] == "sme"
    ]
    assert (alpha["previous_period"], alpha["period"]) == ("2026-27 Q1", "2026-27 Q2")
    assert alpha["change_points"] == pytest.approx((200 / 350 - 1.0) * 100)
    assert alpha["spend_change"] == "50.00"


def test_targets_met_close_missed_with_gaps(doc: dict[str, Any]) -> None:
    got = {
        (t["member"], t["period"]): (t["status"], t["gap"], t["gap_points"])
        for t in doc["network"]["targets"]
        if t["measure"] == "sme"
    }
    assert got[("Alpha Council", "all")] == ("met", "0.00", 0.0)
    assert got[("Beta NHS Trust", "all")] == ("met", "0.00", 0.0)
    assert got[("Gamma Police", "all")][:2] == ("missed", "750.00")
    assert got[("Gamma Police", "all")][2] == pytest.approx(50.0)
    assert got[("(all)", "all")][:2] == ("missed", "350.00")
    assert got[("(all)", "all")][2] == pytest.approx(12.5)


def test_close_is_within_the_configured_points() -> None:
    cfg = config_mod.load(NET / "anchorspend.toml")
    run = RunConfig(inputs=(), lookups=(NET / "lookup.csv",), config=cfg)
    # the network misses 50% by 12.5 points: close only when 12.5 points counts as close
    near = compare(CompareConfig(run=run, close_points=12.5)).document["network"]["targets"]
    far = compare(CompareConfig(run=run, close_points=12.4)).document["network"]["targets"]
    pick = [("(all)", "sme", "all")]
    assert [t["status"] for t in near if (t["member"], t["measure"], t["period"]) in pick] == [
        "close"
    ]
    assert [t["status"] for t in far if (t["member"], t["measure"], t["period"]) in pick] == [
        "missed"
    ]


def test_shared_suppliers(doc: dict[str, Any]) -> None:
    assert doc["network"]["shared_suppliers"] == [
        {
            "supplier": "Shared Co Ltd",
            "members": 2,
            "spend": "600.00",
            "by_member": [
                {"member": "Alpha Council", "spend": "300.00"},
                {"member": "Beta NHS Trust", "spend": "300.00"},
            ],
        },
    ]


def test_leakage_by_category(doc: dict[str, Any]) -> None:
    network = [
        (x["category"], x["outside_local"], x["local"], x["unknown_location"])
        for x in doc["network"]["leakage"]
        if x["member"] == "(all)"
    ]
    assert network == [
        ("Equipment", "1150.00", "0.00", "100.00"),
        ("Care", "0.00", "400.00", "0.00"),
        ("Catering", "0.00", "50.00", "0.00"),
        ("Services", "0.00", "600.00", "500.00"),
    ]


@pytest.mark.parametrize("member", sorted(MEMBERS))
def test_each_member_equals_its_own_analyse(doc: dict[str, Any], member: str) -> None:
    alone = analyse_json(
        str(NET / MEMBERS[member]),
        "--organisation",
        member,
        "--lookup",
        str(NET / "lookup.csv"),
        "--config",
        str(NET / "anchorspend.toml"),
    )
    mine = [m for m in doc["metrics"] if m["organisation"] == member]
    assert mine == alone["metrics"]
    assert alone["reconciliation"]["amount_analysed"] == next(
        m["total_spend"] for m in doc["network"]["members"] if m["name"] == member
    )


def test_members_by_folder_and_by_organisation(tmp_path: Path) -> None:
    r = invoke(
        "compare",
        str(NET / "alpha-council"),
        str(NET / "gamma-police"),
        "--by",
        "folder",
        "--lookup",
        str(NET / "lookup.csv"),
        "--json",
    )
    assert r.exit_code == 0, r.stderr
    doc = json.loads(r.stdout)
    assert [m["name"] for m in doc["network"]["members"]] == ["alpha-council", "gamma-police"]
    r = invoke("compare", str(NET / "beta-nhs" / "spend.csv"), "--by", "folder")
    assert r.exit_code == 3
    assert "every INPUT is one member's folder" in r.stderr


def test_unknown_member_and_no_members() -> None:
    r = invoke("compare", "--config", str(NET / "anchorspend.toml"), "--member", "Delta")
    assert r.exit_code == 3
    assert "--member 'Delta' is not a member" in r.stderr
    assert "Alpha Council, Beta NHS Trust, Gamma Police" in r.stderr
    r = invoke("compare")
    assert r.exit_code == 3
    assert "no members to compare" in r.stderr


def test_config_member_without_files_is_a_config_error(tmp_path: Path) -> None:
    cfg = tmp_path / "anchorspend.toml"
    cfg.write_text('[members.x]\nname = "X"\n', encoding="utf-8")
    with pytest.raises(AnchorspendError, match=r"\[members.x\] lists no files"):
        compare(CompareConfig(run=RunConfig(inputs=(), config=config_mod.load(cfg))))


def test_compare_out_files_complete_and_repeatable(tmp_path: Path) -> None:
    args = [
        "compare",
        "--config",
        str(NET / "anchorspend.toml"),
        "--lookup",
        str(NET / "lookup.csv"),
        "--member",
        "Beta NHS Trust",
        "-q",
    ]
    for d in ("a", "b"):
        assert invoke(*args, "--out", str(tmp_path / d)).exit_code == 0
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert names == [
        ".anchorspend-outputs",  # what the run wrote, for the next run (see outputs.MANIFEST)
        "conflicts.csv",
        "findings.csv",
        "metrics.csv",
        "metrics.json",
        "payees.csv",
        "rejected_rows.csv",
        "report.html",
        "report.md",
        "report.xlsx",
        "shared_suppliers.csv",
        "unmatched_suppliers.csv",
    ]
    for n in names:
        assert (tmp_path / "a" / n).read_bytes() == (tmp_path / "b" / n).read_bytes(), n
    assert (tmp_path / "a" / "shared_suppliers.csv").read_text(encoding="utf-8").splitlines() == [
        "supplier,members,network_spend,member,member_spend",
        "Shared Co Ltd,2,600.00,Alpha Council,300.00",
        "Shared Co Ltd,2,600.00,Beta NHS Trust,300.00",
    ]
    html = (tmp_path / "a" / "report.html").read_text(encoding="utf-8")
    assert "Beta NHS Trust in the network" in html
    assert "<script" not in html.lower()


def _network_config(tmp_path: Path, extra: str) -> Path:
    """The fixture network's config with ``extra`` appended, its member folders absolute."""
    text = (NET / "anchorspend.toml").read_text(encoding="utf-8")
    for folder in ("alpha-council/", "beta-nhs/spend.csv", "gamma-police/"):
        text = text.replace(f'"{folder}"', json.dumps(str(NET / folder)))
    path = tmp_path / "anchorspend.toml"
    path.write_text(text + extra, encoding="utf-8")
    return path


def _ranks_and_status(*args: str) -> tuple[Any, list[Any], str]:
    r = invoke("compare", "--lookup", NET / "lookup.csv", "--json", *args)
    assert r.exit_code == 0, r.stderr
    network = json.loads(r.stdout)["network"]
    [whole] = [e for e in network["league"] if (e["measure"], e["period"]) == ("sme", "all")]
    [pooled] = [
        t["status"]
        for t in network["targets"]
        if (t["member"], t["measure"], t["period"]) == ("(all)", "sme", "all")
    ]
    ranks = [(m["member"], m["rank"]) for m in whole["members"]]
    return (network["close_points"], network["min_coverage"]), ranks, pooled


def test_compare_thresholds_from_the_config_and_flags_over_them(tmp_path: Path) -> None:
    """[compare] close_points / min_coverage, and --close-points / --min-coverage over them.
    Whole-period sme coverage: Alpha 500/500, Beta 700/800 = 87.5%, Gamma 1000/1500 = 66.7%;
    the network misses 50% by 12.5 points."""
    config = _network_config(tmp_path, "\n[compare]\nclose_points = 12.5\nmin_coverage = 0.9\n")
    assert _ranks_and_status("--config", str(config)) == (
        (12.5, 0.9),
        [("Alpha Council", 1), ("Beta NHS Trust", None), ("Gamma Police", None)],
        "close",
    )
    flags = ("--close-points", "12.4", "--min-coverage", "0.5")
    assert _ranks_and_status("--config", str(config), *flags) == (
        (12.4, 0.5),
        [("Beta NHS Trust", 1), ("Alpha Council", 2), ("Gamma Police", 3)],
        "missed",
    )
    # neither: the defaults, 2 points and 50%
    plain = _network_config(tmp_path, "")
    assert _ranks_and_status("--config", str(plain))[0] == (2.0, 0.5)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ('close_points = "two"', "[compare] close_points = 'two': percentage points between"),
        ("min_coverage = 50", "[compare] min_coverage = 50: a share between 0 and 1"),
        ("min_coverge = 0.5", "unknown key 'min_coverge' in [compare]"),
    ],
)
def test_compare_thresholds_that_make_no_sense_stop_with_the_key(
    tmp_path: Path, extra: str, message: str
) -> None:
    config = _network_config(tmp_path, f"\n[compare]\n{extra}\n")
    r = invoke("compare", "--config", config, "--json")
    assert r.exit_code == 3
    assert message in r.stderr
    assert "fix: " in r.stderr
    assert r.stdout == ""


def test_compare_threshold_flags_out_of_range_are_usage_errors() -> None:
    r = invoke("compare", "--config", NET / "anchorspend.toml", "--min-coverage", "1.5")
    assert r.exit_code == 2
    assert "--min-coverage" in r.stderr
