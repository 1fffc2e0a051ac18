"""Payee kinds and addressable spend on a hand-computed fixture (tests/fixtures/payees/).

The fixture, worked by hand (pounds; Q1 = April-June 2026, Q2 = July-September):

  kind        Q1                                             Q2                        all
  public      GMCA (cut short) 1000, Bolton Council 120,      Bolton Council -20        1745
              Stockport MBC 110, Manchester City Council 100,
              Manchester University NHS FT 90, ... Health NH 80,
              DWP 70, British Council 60, GM Police 55,
              Lancashire Fire and Rescue 45, Port Health 35 = 1765
  tax         HMRC CUMBERNAULD 800, H.M. Revenue & Customs 50                          850
  pension     GM Superann Fund 400, Teachers' Pensions 300,                            900
              Tameside MB-GMPF 200
  individual  Redacted 25                                                              25
  market      -                                              the false friends 3205   3205
  total       3540                                           3185                      6725

With the lookup: Riverside Housing Trust (450, market by the rules) is public, British Council
(60) is market: public 2135, market 2815.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from anchorspend.config import load as load_config
from anchorspend.errors import AnchorspendError
from anchorspend.gather.options import RunConfig
from anchorspend.payees import payee_kinds
from anchorspend.pipeline import run
from tests.helpers import FIXTURES, analyse_json, invoke

HERE = FIXTURES / "payees"
SPEND = str(HERE / "spend.csv")


@pytest.mark.parametrize(
    ("name", "kind", "rule"),
    [
        ("Greater Manchester Combined Authori", "public", "public:combined-authority"),
        ("HMRC CUMBERNAULD", "tax", "tax:hmrc"),
        ("H.M. Revenue & Customs", "tax", "table: HM Revenue and Customs (tax authority)"),
        ("HM Revenue and Customs - PAYE", "tax", "table: HM Revenue and Customs (tax authority)"),
        ("HMRC - PAYE", "tax", "tax:hmrc"),
        ("GREATER MANCHESTER SUPERANN FUND", "pension", "pension:fund"),
        ("Teachers' Pensions", "pension", "pension:fund"),
        ("Tameside MB-GMPF", "pension", "pension:fund"),
        ("West Yorkshire Pension Fund", "pension", "pension:fund"),
        ("Bolton Council", "public", "public:local-authority"),
        ("Stockport MBC (Accts Receivable)", "public", "public:local-authority"),
        ("Trafford M B C", "public", "public:local-authority"),
        ("Kent County Council", "public", "public:local-authority"),
        ("Manchester City Council", "public", "public:local-authority"),
        ("Ashby Parish Council", "public", "public:council"),
        ("London Borough of Islington", "public", "public:local-authority"),
        ("London Borough of Nowhere", "public", "public:council"),
        ("Manchester University NHS FT", "public", "public:nhs"),
        ("Greater Manchester Mental Health NH", "public", "public:nhs"),
        ("Leeds Community Healthcare NHS Trus", "public", "public:nhs"),
        ("NHS Greater Manchester ICB", "public", "public:nhs"),
        ("Betsi Cadwaladr University Health Board", "public", "public:nhs"),
        ("Greater Manchester Police", "public", "public:police"),
        ("Police and Crime Commissioner for Lancashire", "public", "public:police"),
        ("Lancashire Fire and Rescue Service", "public", "public:fire"),
        ("Manchester Port Health Authority", "public", "public:port-health"),
        (
            "Department For Work & Pensions",
            "public",
            "table: Department for Work and Pensions (central government)",
        ),
        ("British Council", "public", "table: British Council (central government)"),
        ("Environment Agency", "public", "table: Environment Agency (central government)"),
        (
            "Department for Levelling Up Housing a",
            "public",
            "table: Department for Levelling Up Housing and Communities (central government)",
        ),
        ("(DD) Department of Levelling Up, Housing & Comm...", "public", "public:government"),
        ("DEPARTMENT OF HEALTH", "public", "public:government"),
        (
            "GOVERNMENT LEGAL DEPARTMENT",
            "public",
            "table: Government Legal Department (central government)",
        ),
        ("The Council Of The City Of Newcastle Upon Tyne", "public", "public:local-authority"),
        ("BOROUGH OF PENDLE", "public", "public:local-authority"),
        ("Stockport Metropolitan Borough", "public", "public:local-authority"),
        ("(DD ONLY) Ribble Valley Borough Council", "public", "public:local-authority"),
        (
            "LONDON FIRE & EMERGENCY PLANNING",
            "public",
            "table: London Fire and Emergency Planning Authority (regional authority)",
        ),
        ("West Yorkshire Probation Trust", "public", "public:justice"),
        (
            "VALUATION OFFICE AGENCY ADMINISTRATION",
            "public",
            "table: Valuation Office Agency (central government)",
        ),
        # false friends: market, by no rule
        ("Constellia Public Ltd", "market", None),
        ("Parish Care Limited", "market", None),
        ("Salford Council for Voluntary Service", "market", None),
        ("Riverside Housing Trust", "market", None),
        ("NHS Property Services Ltd", "market", None),
        ("Institute Of Revenues Rating & Valu", "market", None),
        ("ADT Fire & Security PLC", "market", None),
        ("Pension Fund Trustees Ltd", "market", None),
        ("PRUDENTIAL LIFE & PENSIONS", "market", None),
        ("Manor Academy (Sovereign Trust)", "market", None),
        ("Bury Football Club", "market", None),
        ("Home Office Supplies", "market", None),
        ("Department Of Coffee", "market", None),
        ("Council of Mosques", "market", None),
        ("Borough Market Traders", "market", None),
        ("Environment Agency Training Ltd", "market", None),
        ("Reading Room Cafe", "market", None),
    ],
)
def test_each_rule_and_its_false_friends(name: str, kind: str, rule: str | None) -> None:
    profiles = pl.DataFrame(
        {"_pid": [0], "supplier_name": [name], "redacted": [False], "payee_kind": [None]},
        schema_overrides={"_pid": pl.UInt32, "payee_kind": pl.String},
    )
    found = payee_kinds(profiles).row(0, named=True)
    evidence = "default" if rule is None else "built-in"
    assert (found["payee_kind"], found["payee_rule"], found["payee_evidence"]) == (
        kind,
        rule,
        evidence,
    )


def test_the_lookup_and_redaction_decide_before_the_rules() -> None:
    profiles = pl.DataFrame(
        {
            "_pid": [0, 1, 2],
            "supplier_name": ["HMRC", "Acme Ltd", None],
            "redacted": [False, False, True],
            "payee_kind": ["market", "public", None],
        },
        schema_overrides={"_pid": pl.UInt32},
    )
    out = payee_kinds(profiles).sort("_pid").rows()
    assert out == [
        (0, "market", "lookup", None),
        (1, "public", "lookup", None),
        (2, "individual", "redacted", "redacted"),
    ]


def _by_period(doc: dict[str, Any]) -> list[tuple[str, ...]]:
    return [
        (
            r["period"],
            r["total_spend"],
            r["addressable_spend"],
            r["set_aside_spend"],
            r["public_spend"],
            r["tax_spend"],
            r["pension_spend"],
            r["individual_spend"],
            r["market_spend"],
        )
        for r in doc["addressable"]["by_period"]
    ]


def test_addressable_spend_is_itemised_by_kind_per_period() -> None:
    doc = analyse_json(SPEND)
    assert doc["addressable"]["set_aside"] == ["public", "tax", "pension"]
    assert _by_period(doc) == [
        (
            "2026-27 Q1",
            "3540.00",
            "25.00",
            "3515.00",
            "1765.00",
            "850.00",
            "900.00",
            "25.00",
            "0.00",
        ),
        ("2026-27 Q2", "3185.00", "3205.00", "-20.00", "-20.00", "0.00", "0.00", "0.00", "3205.00"),
        ("all", "6725.00", "3230.00", "3495.00", "1745.00", "850.00", "900.00", "25.00", "3205.00"),
    ]
    [total] = [m for m in doc["metrics"] if m["measure"] == "total_spend" and m["period"] == "all"]
    assert (
        total["addressable_spend"],
        total["spend_addressable"],
        total["share_of_addressable"],
    ) == (
        "3230.00",
        "3230.00",
        1.0,
    )


def test_the_lookup_and_config_change_the_basis_and_targets_name_theirs() -> None:
    doc = analyse_json(
        SPEND, "--lookup", str(HERE / "lookup.csv"), "--config", str(HERE / "anchorspend.toml")
    )
    assert doc["addressable"]["set_aside"] == ["public", "tax", "pension", "individual"]
    assert _by_period(doc)[-1] == (
        "all",
        "6725.00",
        "2815.00",
        "3910.00",
        "2135.00",
        "850.00",
        "900.00",
        "25.00",
        "2815.00",
    )
    by = {m["measure"]: m for m in doc["metrics"] if m["period"] == "all"}
    vcse, sme = by["vcse"], by["sme"]
    # Future Directions CIC: a VCSE by its name (the lookup leaves is_vcse blank)
    assert (vcse["spend"], vcse["spend_addressable"], vcse["addressable_spend"]) == (
        "75.00",
        "75.00",
        "2815.00",
    )
    assert vcse["share_of_addressable"] == pytest.approx(75 / 2815, abs=0)
    assert (vcse["target"], vcse["target_basis"], vcse["target_met"]) == (
        0.05,
        "addressable",
        False,
    )
    assert (sme["target"], sme["target_basis"], sme["target_met"]) == (0.5, "total", False)


def test_a_community_interest_company_is_a_vcse_by_its_name_with_registered_evidence() -> None:
    doc = analyse_json(SPEND)
    [row] = [e for e in doc["evidence"] if e["measure"] == "vcse"]
    assert (row["confidence"], row["spend"], row["suppliers"]) == ("registered", "75.00", 1)


def test_a_payee_kind_the_lookup_gets_wrong_is_a_clear_error() -> None:
    result = invoke("analyse", SPEND, "--lookup", str(HERE / "lookup-bad-kind.csv"))
    assert result.exit_code == 3
    assert (
        "row 3, column 'payee_kind': payee kind 'government' is not one of public, tax, "
        "pension, individual, market" in " ".join(result.stderr.split())
    )


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[targets]\nsme = { share = 0.3, basis = "known" }\n', "basis = 'known' is not one of"),
        ("[targets]\nsme = { share = 1.3 }\n", "a target is a share between 0 and 1"),
        ('[addressable]\nexclude = ["market"]\n', "a list of payee kinds out of"),
        ('[addressable]\nleave_out = ["tax"]\n', "leave_out"),
    ],
)
def test_bad_addressable_config_names_the_fix(tmp_path: Path, toml: str, message: str) -> None:
    path = tmp_path / "anchorspend.toml"
    path.write_text(toml)
    with pytest.raises(AnchorspendError) as err:
        load_config(path)
    assert message in str(err.value)


def test_payees_csv_lists_every_payee_largest_first(tmp_path: Path) -> None:
    result = invoke("analyse", SPEND, "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.stderr
    with (tmp_path / "out" / "payees.csv").open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [(r["supplier_name"], r["payee_kind"], r["spend"]) for r in rows[:4]] == [
        ("Greater Manchester Combined Authori", "public", "1000.00"),
        ("HMRC CUMBERNAULD", "tax", "800.00"),
        ("Constellia Public Ltd", "market", "700.00"),
        ("Parish Care Limited", "market", "600.00"),
    ]
    assert len(rows) == 26  # Bolton Council's two rows are one payee
    assert sum(Decimal(r["spend"]) for r in rows) == Decimal("6725.00")


def test_unmatched_needs_no_lookup_and_ranks_only_market_payees() -> None:
    result = invoke("suppliers", "unmatched", SPEND, "--json", "--top", "3")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert [(s["supplier"], s["spend"]) for s in doc["suppliers"]] == [
        ("Constellia Public Ltd", "700.00"),
        ("Parish Care Limited", "600.00"),
        ("Salford Council for Voluntary Service", "500.00"),
    ]
    assert doc["set_aside"] == [
        {"payee_kind": "public", "spend": "1745.00", "suppliers": 11},
        {"payee_kind": "tax", "spend": "850.00", "suppliers": 2},
        {"payee_kind": "pension", "spend": "900.00", "suppliers": 3},
    ]
    text = invoke("suppliers", "unmatched", SPEND, "--top", "3")
    assert "set aside, not addressable: public £1745.00 (11 suppliers)" in " ".join(
        text.stdout.split()
    )


_NAMES = {
    "public": ["Bolton Council", "Manchester University NHS FT", "Environment Agency"],
    "tax": ["HMRC"],
    "pension": ["Teachers Pensions", "GMPF"],
    "market": ["Acme Ltd", "Parish Care Limited", "Riverside Housing Trust"],
}
_ALL = [(kind, name) for kind, names in _NAMES.items() for name in names]


@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from(["Org A", "Org B"]),
            st.sampled_from(["15/05/2026", "15/08/2026"]),
            st.sampled_from(_ALL),
            st.integers(min_value=-50_000, max_value=500_000),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_total_is_addressable_plus_each_kind_set_aside(
    rows: list[tuple[str, str, tuple[str, str], int]], tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Per organisation and period, to the penny, against a recomputation from the rows."""
    path = tmp_path_factory.mktemp("payees") / "spend.csv"
    with path.open("w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["Organisation", "Payment Date", "Supplier Name", "Amount"])
        for org, date, (_, name), pence in rows:
            out.writerow([org, date, name, f"{Decimal(pence) / 100:.2f}"])
    doc = run(RunConfig(inputs=(path,))).document
    expected: dict[tuple[str, str], dict[str, int]] = {}
    for org, date, (kind, _), pence in rows:
        quarter = "2026-27 Q1" if date.endswith("05/2026") else "2026-27 Q2"
        for key in [(org, quarter), (org, "all"), ("(all)", quarter), ("(all)", "all")]:
            expected.setdefault(key, dict.fromkeys([*_NAMES, "individual"], 0))[kind] += pence
    several = len({r[0] for r in rows}) > 1
    expected = {k: v for k, v in expected.items() if several or k[0] != "(all)"}
    got = {(r["organisation"], r["period"]): r for r in doc["addressable"]["by_period"]}
    assert set(got) == set(expected)
    for key, kinds in expected.items():
        row = got[key]
        pence = {k: int(Decimal(row[f"{k}_spend"]) * 100) for k in kinds}
        assert pence == kinds
        total = int(Decimal(row["total_spend"]) * 100)
        addressable = int(Decimal(row["addressable_spend"]) * 100)
        assert total == sum(kinds.values())
        assert addressable == total - kinds["public"] - kinds["tax"] - kinds["pension"]


def test_the_reports_show_both_bases_and_the_money_set_aside(tmp_path: Path) -> None:
    result = invoke("analyse", SPEND, "--out", str(tmp_path))
    assert result.exit_code == 0, result.stderr
    md = (tmp_path / "report.md").read_text(encoding="utf-8")
    section = md.split("## Addressable spend", 1)[1].split("\n## ", 1)[0]
    assert section.strip().splitlines()[-1] == (
        "| Northborough Council | 6725.00 | 3230.00 | 1745.00 | 850.00 | 900.00 | 25.00 | 3205.00 |"
    )
    assert "| public (£, set aside) | tax (£, set aside) | pension (£, set aside) |" in section
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert '<li><a href="#addressable">Addressable spend</a></li>' in html
    addressable = html.split('<section id="addressable">', 1)[1].split("</section>", 1)[0]
    for cell in (
        "£6,725.00",
        "£3,230.00",
        "£1,745.00",
        "£850.00",
        "£900.00",
        "pension (set aside)",
    ):
        assert cell in addressable
    assert 'class="num">share of addressable</th>' in html
    assert (
        "Northborough Council: addressable spend £3230.00 of £6725.00; set aside public "
        "£1745.00, tax £850.00, pension £900.00" in " ".join(result.stderr.split())
    )


def test_the_readmes_addressable_config_loads_as_it_says(tmp_path: Path) -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    block = readme.split("```toml\n[addressable]", 1)[1].split("```", 1)[0]
    path = tmp_path / "anchorspend.toml"
    path.write_text("[addressable]" + block, encoding="utf-8")
    config = load_config(path)
    assert (config.set_aside, config.headline_basis) == (
        ("public", "tax", "pension", "individual"),
        "addressable",
    )
    assert (config.targets, config.target_bases) == (
        {"sme": 0.3, "vcse": 0.05},
        {"vcse": "addressable"},
    )


def test_at_a_glance_leads_with_the_basis_the_config_names(tmp_path: Path) -> None:
    config = tmp_path / "anchorspend.toml"
    config.write_text('[addressable]\nbasis = "addressable"\n', encoding="utf-8")
    doc = analyse_json(SPEND, "--lookup", str(HERE / "lookup.csv"), "--config", str(config))
    glance = doc["glance"]
    [vcse] = [r for r in glance["rows"] if r["measure"] == "vcse"]
    [metric] = [m for m in doc["metrics"] if m["measure"] == "vcse" and m["period"] == "all"]
    assert glance["basis"] == "addressable"
    assert (vcse["share"], vcse["coverage"]) == (
        metric["share_of_addressable"],
        metric["coverage_addressable"],
    )
    assert vcse["share"] == pytest.approx(75 / 2840, abs=0)  # market 2815 + individual 25


NETWORK = HERE / "network"


def _recomputed_flows() -> tuple[dict[tuple[str, str], Decimal], Decimal]:
    """The flows and the pooled total net of them, from the fixture's files and config alone."""
    import tomllib

    config = tomllib.loads((NETWORK / "anchorspend.toml").read_text(encoding="utf-8"))

    def words(name: str) -> str:
        return " ".join("".join(c if c.isalnum() else " " for c in name.upper()).split())

    names = {
        words(n): m["name"]
        for m in config["members"].values()
        for n in [m["name"], *m.get("aliases", [])]
    }
    flows: dict[tuple[str, str], Decimal] = {}
    total = Decimal(0)
    for m in config["members"].values():
        for file in m["files"]:
            with (NETWORK / file).open(newline="") as fh:
                for row in csv.DictReader(fh):
                    amount = Decimal(row["Amount"])
                    payee = names.get(words(row["Supplier Name"]))
                    if payee is not None and payee != m["name"]:
                        key = (m["name"], payee)
                        flows[key] = flows.get(key, Decimal(0)) + amount
                    else:
                        total += amount
    return flows, total


@pytest.mark.parametrize("place", [True, False])
def test_payments_between_members_are_shown_and_the_place_counted_once(place: bool) -> None:
    flag = "--place" if place else "--no-place"
    result = invoke("compare", "--config", str(NETWORK / "anchorspend.toml"), flag, "--json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    flows, net = _recomputed_flows()
    assert doc["network"]["place"] is place
    assert {(f["payer"], f["payee"]): Decimal(f["spend"]) for f in doc["network"]["flows"]} == flows
    assert [(f["payer"], f["payee"], f["spend"], f["rows"]) for f in doc["network"]["flows"]] == [
        ("Northborough Council", "Riverside Combined Authority", "1750.00", 3),
        ("Riverside Combined Authority", "Northborough Council", "200.00", 1),
    ]
    total = {
        m["organisation"]: Decimal(m["total_spend"])
        for m in doc["metrics"]
        if m["measure"] == "total_spend" and m["period"] == "all"
    }
    gross = sum(flows.values(), net)
    assert total == {
        "Northborough Council": Decimal("2100.00"),
        "Riverside Combined Authority": Decimal("1000.00"),
        "(all)": net if place else gross,
    }
    assert net == Decimal("1150.00")
    [pooled] = [
        r
        for r in doc["addressable"]["by_period"]
        if (r["organisation"], r["period"]) == ("(all)", "all")
    ]
    assert Decimal(pooled["total_spend"]) == (net if place else gross)


def test_a_name_two_members_claim_is_an_error(tmp_path: Path) -> None:
    config = (NETWORK / "anchorspend.toml").read_text(encoding="utf-8")
    config = config.replace('aliases = ["Riverside CA"]', 'aliases = ["Northborough Council"]')
    for name in ("northborough.csv", "riverside.csv"):
        (tmp_path / name).write_bytes((NETWORK / name).read_bytes())
    (tmp_path / "anchorspend.toml").write_text(config, encoding="utf-8")
    result = invoke("compare", "--config", str(tmp_path / "anchorspend.toml"))
    assert result.exit_code == 3
    assert "'NORTHBOROUGH COUNCIL' names more than one member" in result.stderr


def test_the_compare_reports_show_the_payments_between_members(tmp_path: Path) -> None:
    config = str(NETWORK / "anchorspend.toml")
    assert (
        invoke("compare", "--config", config, "--place", "--out", str(tmp_path), "-q").exit_code
        == 0
    )
    md = (tmp_path / "report.md").read_text(encoding="utf-8")
    section = md.split("## Payments between members", 1)[1].split("\n## ", 1)[0]
    assert "*Payments between members (the network row leaves them out)*" in section
    assert "| Northborough Council | Riverside Combined Authority | £1,750.00 | 3 |" in section
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    flows = html.split('<section id="flows">', 1)[1].split("</section>", 1)[0]
    assert "£1,750.00" in flows and "£200.00" in flows and "counted once" in flows


def test_two_real_members_one_paying_the_other(public: Path, tmp_path: Path) -> None:
    """Trafford's 2026-27 export pays Manchester City Council; Manchester's May 2022 export pays
    "Trafford M B C": with that alias both flows show, and the network row is net of them."""
    trafford = public / "trafford-supplier-spend-2026-27.zip"
    manchester = public / "manchester-2022-05.csv"
    config = tmp_path / "network.toml"
    config.write_text(
        f'[members.trafford]\nname = "Trafford Council"\nfiles = ["{trafford}"]\n'
        'aliases = ["Trafford M B C"]\n\n'
        f'[members.manchester]\nname = "Manchester City Council"\nfiles = ["{manchester}"]\n',
        encoding="utf-8",
    )
    result = invoke("compare", "--config", str(config), "--place", "--json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    # the same from the raw files: the payee's name exactly as each export writes it
    with zipfile.ZipFile(trafford) as zf:
        text = zf.read(zf.namelist()[0]).decode("utf-8")
    t_rows = list(csv.DictReader(io.StringIO(text, newline="")))
    with manchester.open(encoding="utf-8-sig", newline="") as fh:
        m_rows = list(csv.DictReader(fh))
    t_paid = [
        Decimal(r["Amount"]) for r in t_rows if r["BeneficiaryName"] == "Manchester City Council"
    ]
    m_paid = [Decimal(r["Net Amount"]) for r in m_rows if r["Supplier Name"] == "Trafford M B C"]
    assert t_paid and m_paid
    flows = {
        (f["payer"], f["payee"]): (Decimal(f["spend"]), f["rows"]) for f in doc["network"]["flows"]
    }
    assert flows == {
        ("Trafford Council", "Manchester City Council"): (sum(t_paid), len(t_paid)),
        ("Manchester City Council", "Trafford Council"): (sum(m_paid), len(m_paid)),
    }
    gross = sum((Decimal(r["Amount"]) for r in t_rows), Decimal(0)) + sum(
        (Decimal(r["Net Amount"]) for r in m_rows), Decimal(0)
    )
    key = ("(all)", "all", "total_spend")
    [pooled] = [m for m in doc["metrics"] if (m["organisation"], m["period"], m["measure"]) == key]
    assert Decimal(pooled["total_spend"]) == gross - sum(t_paid) - sum(m_paid)


@pytest.mark.parametrize(
    ("name", "cic"),
    [
        ("Future Directions CIC", True),
        ("Abc C.I.C.", True),
        ("Abc Community Interest Company", True),
        ("ABC (CIC)", True),
        ("abc community interest p.l.c.", True),
        ("Abc Cwmni Buddiant Cymunedol", True),
        ("CIC Partners Ltd", False),
        ("Abc CIC Ltd", False),  # a CIC's name must end so: this is not one by its name
        ("Arctic Ltd", False),
        ("Cicero Trading", False),
    ],
)
def test_a_cic_is_known_by_how_its_name_ends(name: str, cic: bool) -> None:
    from anchorspend.classify.cic import is_cic_name

    assert pl.select(is_cic_name(pl.lit(name))).item() is cic
