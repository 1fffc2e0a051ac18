"""Classification and measures on a hand-computed fixture (tests/fixtures/classify/).

The fixture, worked by hand (period "all"; HMRC 5000.00 excluded by the config rule "tax"):

  supplier        rows      net     sme    vcse   diverse  LA         matched by
  Alpha           1000+500  1500    yes    no     no       E08000009  company number / name
  Beta            2000      2000    no     no     ?        E08000003  VAT number
  Gamma Trust     300       300     ?      yes*   ?        ?          (unmatched; *export flag)
  Delta & Sons    400-600   -200    yes    no     yes(w,e) E08000009  name (& = and, Ltd)
  Epsilon         100       100     yes**  ?      ?        ?          name; **conflict: 2nd says no
  REDACTED        50        50      ?      ?      ?        ?          (redacted: unknown)
  Zeta            200       200     ?      yes*** ?        ?          name; ***conflict: export no
  total                     3950                                      7 suppliers
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from anchorspend.classify.lookup import load_lookup
from anchorspend.errors import AnchorspendError
from tests.helpers import FIXTURES, analyse_json, invoke

HERE = FIXTURES / "classify"


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    return analyse_json(
        str(HERE / "spend.csv"),
        "--lookup",
        str(HERE / "lookup-main.csv"),
        "--lookup",
        str(HERE / "lookup-second.csv"),
        "--config",
        str(HERE / "anchorspend.toml"),
        "--map",
        "is_vcse=VCSE Supplier",
    )


def metric(doc: dict[str, Any], measure: str, period: str = "all") -> dict[str, Any]:
    [row] = [m for m in doc["metrics"] if m["measure"] == measure and m["period"] == period]
    return row


def money(row: dict[str, Any]) -> tuple[str, str, str, int, int, int]:
    return (
        row["total_spend"],
        row["spend"],
        row["known_spend"],
        row["suppliers"],
        row["known_suppliers"],
        row["total_suppliers"],
    )


def test_measures_listed_in_order(doc: dict[str, Any]) -> None:
    assert doc["measures"] == [
        "total_spend",
        "sme",
        "vcse",
        "diverse_led",
        "diverse_led:ethnic-minority",
        "diverse_led:women",
        "local",
        "local:Trafford",
        "local:Greater Manchester",
        "redacted",
    ]


def test_reconciliation_with_exclusion_rule(doc: dict[str, Any]) -> None:
    rec = doc["reconciliation"]
    assert (rec["rows_read"], rec["rows_analysed"], rec["rows_excluded"]) == (10, 9, 1)
    assert (rec["amount_read"], rec["amount_analysed"], rec["amount_excluded"]) == (
        "8950.00",
        "3950.00",
        "5000.00",
    )
    assert rec["exclusions"] == [{"rule": "tax", "rows": 1, "amount": "5000.00"}]


def test_sme(doc: dict[str, Any]) -> None:
    m = metric(doc, "sme")
    assert money(m) == ("3950.00", "1400.00", "3400.00", 3, 4, 7)
    assert m["share_of_total"] == pytest.approx(1400 / 3950)
    assert m["share_of_known"] == pytest.approx(1400 / 3400)
    assert m["coverage"] == pytest.approx(3400 / 3950)
    assert m["supplier_share_of_total"] == pytest.approx(3 / 7)
    assert m["supplier_share_of_known"] == pytest.approx(3 / 4)
    assert (m["target"], m["target_met"]) == (0.30, True)


def test_vcse_uses_the_export_flag_where_no_lookup_knows(doc: dict[str, Any]) -> None:
    m = metric(doc, "vcse")
    assert money(m) == ("3950.00", "500.00", "3800.00", 2, 5, 7)
    assert (m["target"], m["target_met"]) == (0.20, False)


def test_diverse_led_and_categories_with_negative_net(doc: dict[str, Any]) -> None:
    for measure in ("diverse_led", "diverse_led:women", "diverse_led:ethnic-minority"):
        m = metric(doc, measure)
        assert money(m) == ("3950.00", "-200.00", "1300.00", 1, 2, 7), measure
        # a negative numerator is not a share
        assert (m["share_of_total"], m["share_of_known"]) == (None, None)
        assert m["coverage"] == pytest.approx(1300 / 3950)


def test_local_tiers(doc: dict[str, Any]) -> None:
    assert money(metric(doc, "local")) == ("3950.00", "1300.00", "3300.00", 2, 3, 7)
    assert money(metric(doc, "local:Trafford")) == money(metric(doc, "local"))
    gm = metric(doc, "local:Greater Manchester")
    assert money(gm) == ("3950.00", "3300.00", "3300.00", 3, 3, 7)
    assert gm["share_of_known"] == 1.0


def test_redacted(doc: dict[str, Any]) -> None:
    m = metric(doc, "redacted")
    assert money(m) == ("3950.00", "50.00", "3950.00", 1, 7, 7)


def test_quarters(doc: dict[str, Any]) -> None:
    assert {m["period"] for m in doc["metrics"]} == {"2026-27 Q1", "2026-27 Q2", "all"}
    q1, q2 = metric(doc, "sme", "2026-27 Q1"), metric(doc, "sme", "2026-27 Q2")
    # Q1: Alpha 1000, Beta 2000 (no), Gamma 300 (?), Delta 400, Epsilon 100, redacted 50
    assert money(q1) == ("3850.00", "1500.00", "3500.00", 3, 4, 6)
    # Q2: Alpha 500, Delta -600, Zeta 200 (?): the net SME spend is negative
    assert money(q2) == ("100.00", "-100.00", "-100.00", 2, 2, 3)
    assert (q2["share_of_total"], q2["share_of_known"], q2["coverage"]) == (None, None, None)


def test_conflicts_are_listed_not_hidden(doc: dict[str, Any]) -> None:
    assert doc["conflicts"] == [
        {
            "supplier": "Zeta Ltd",
            "field": "is_vcse",
            "spend": "200.00",
            "values": [
                {"source": "lookup-main.csv", "value": True},
                {"source": "export", "value": False},
            ],
        },
        {
            "supplier": "Epsilon Ltd",
            "field": "is_sme",
            "spend": "100.00",
            "values": [
                {"source": "lookup-main.csv", "value": True},
                {"source": "lookup-second.csv", "value": False},
            ],
        },
    ]
    assert "classification-conflict" in {f["code"] for f in doc["findings"]}


def test_matching_by_identifier_then_name(doc: dict[str, Any]) -> None:
    by = {t["supplier"]: t["matched_by"] for t in doc["top_suppliers"]}
    assert by == {
        "Beta Services": "vat_number",
        "Alpha Ltd": "company_number",
        "Gamma Trust": None,
        "Zeta Ltd": "name_key",
        "Epsilon Ltd": "name_key",
        "REDACTED PERSONAL DATA": None,
        "Delta & Sons": "name_key",
    }
    assert doc["lookups"] == [
        {
            "path": str(HERE / "lookup-main.csv"),
            "rows": 5,
            "matched_suppliers": 5,
            "matched_spend": "3600.00",
        },
        {
            "path": str(HERE / "lookup-second.csv"),
            "rows": 1,
            "matched_suppliers": 1,
            "matched_spend": "100.00",
        },
    ]


def test_top_suppliers_categories_and_unmatched(doc: dict[str, Any]) -> None:
    top = [(t["rank"], t["supplier"], t["spend"]) for t in doc["top_suppliers"]]
    assert top == [
        (1, "Beta Services", "2000.00"),
        (2, "Alpha Ltd", "1500.00"),
        (3, "Gamma Trust", "300.00"),
        (4, "Zeta Ltd", "200.00"),
        (5, "Epsilon Ltd", "100.00"),
        (6, "REDACTED PERSONAL DATA", "50.00"),
        (7, "Delta & Sons", "-200.00"),
    ]
    cats = [(c["basis"], c["category"], c["spend"], c["suppliers"]) for c in doc["categories"]]
    assert cats == [
        ("expense_type", "Care", "2150.00", 3),
        ("expense_type", "Repairs", "1300.00", 2),
        ("expense_type", "Grants", "500.00", 2),
    ]
    assert doc["unmatched_suppliers"] == [{"supplier": "Gamma Trust", "spend": "300.00", "rows": 1}]


def test_independent_recomputation_of_sme(doc: dict[str, Any]) -> None:
    """The same SME figure computed by hand from the fixture files with Decimal."""
    import csv

    sme = {"ALPHA": True, "BETA SERVICES": False, "DELTA AND SONS": True, "EPSILON": True}
    key = {
        "Alpha Ltd": "ALPHA",
        "ALPHA LIMITED": "ALPHA",
        "Beta Services": "BETA SERVICES",
        "Delta & Sons": "DELTA AND SONS",
        "Epsilon Ltd": "EPSILON",
    }
    total = Decimal(0)
    yes = Decimal(0)
    with (HERE / "spend.csv").open(encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            if r["Supplier Name"] == "HMRC":
                continue
            a = r["Net Amount"].replace(",", "")
            amount = -Decimal(a[1:-1]) if a.startswith("(") else Decimal(a)
            total += amount
            if sme.get(key.get(r["Supplier Name"], "")):
                yes += amount
    m = metric(doc, "sme")
    assert (Decimal(m["spend"]), Decimal(m["total_spend"])) == (yes, total)


def test_outputs_include_conflicts_and_unmatched(tmp_path: Path) -> None:
    r = invoke(
        "analyse",
        str(HERE / "spend.csv"),
        "--lookup",
        str(HERE / "lookup-main.csv"),
        "--lookup",
        str(HERE / "lookup-second.csv"),
        "--config",
        str(HERE / "anchorspend.toml"),
        "--map",
        "is_vcse=VCSE Supplier",
        "--out",
        str(tmp_path),
        "-q",
    )
    assert r.exit_code == 0, r.stderr
    assert (tmp_path / "conflicts.csv").read_text(encoding="utf-8").splitlines() == [
        "supplier,field,source,value,spend",
        "Zeta Ltd,is_vcse,lookup-main.csv,true,200.00",
        "Zeta Ltd,is_vcse,export,false,200.00",
        "Epsilon Ltd,is_sme,lookup-main.csv,true,100.00",
        "Epsilon Ltd,is_sme,lookup-second.csv,false,100.00",
    ]
    assert (tmp_path / "unmatched_suppliers.csv").read_text(encoding="utf-8").splitlines() == [
        "supplier,spend,rows",
        "Gamma Trust,300.00,1",
    ]


def test_lookup_with_disagreeing_duplicate_keys_is_an_error() -> None:
    with pytest.raises(AnchorspendError) as err:
        load_lookup(FIXTURES / "lookup_duplicate_keys.csv")
    assert err.value.details == ["name_key 'ACME' (rows 2, 3): is_sme differ"]
    r = invoke(
        "analyse", str(HERE / "spend.csv"), "--lookup", str(FIXTURES / "lookup_duplicate_keys.csv")
    )
    assert r.exit_code == 3
    assert "duplicate keys whose entries disagree" in r.stderr
    assert "name_key 'ACME' (rows 2, 3): is_sme differ" in r.stderr


def test_agreeing_duplicates_are_merged_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "dups.csv"
    path.write_text(
        "supplier_name,company_number,is_sme\nBeta,456,Yes\nBeta Two,456,Yes\n", encoding="utf-8"
    )
    lookup = load_lookup(path)
    assert lookup.frame.height == 1
    assert [(f.code, f.column, f.value) for f in lookup.findings] == [
        ("duplicate-key", "company_number", "00000456")
    ]


def test_each_name_of_merged_duplicates_matches_the_entry(tmp_path: Path) -> None:
    """The same company listed twice under two names (agreeing) is one entry, and an export
    naming it either way without its number finds it. A name that is another entry's own is no
    alias: it keeps leading to that entry."""
    path = tmp_path / "lk.csv"
    path.write_text(
        "supplier_name,company_number,charity_number,is_sme\n"
        "Acme Ltd,456,,Yes\n"
        "Acme Trading Ltd,456,,Yes\n"  # read into Acme Ltd: its name is an alias
        "Gamma Ltd,789,,No\n"
        "Zeta Ltd,789,,No\n"  # read into Gamma Ltd, but Zeta Ltd is an entry of its own
        "Zeta Ltd,,,No\n"
        "Delta CIC,,2002,Yes\n"
        "Delta Care,,2002,Yes\n"  # read into Delta CIC by charity number
        "Epsilon Ltd,999,3003,No\n"
        "Epsilon Group,,3003,No\n",  # read into Epsilon Ltd by charity number
        encoding="utf-8",
    )
    lookup = load_lookup(path)
    assert lookup.frame.select("supplier_name").to_series().to_list() == [
        "Acme Ltd",
        "Gamma Ltd",
        "Zeta Ltd",
        "Delta CIC",
        "Epsilon Ltd",
    ]
    by_lk = dict(lookup.frame.select("_lk", "supplier_name").iter_rows())
    assert [(n, by_lk[k]) for n, k in lookup.aliases.iter_rows()] == [
        ("ACME TRADING", "Acme Ltd"),
        ("DELTA CARE", "Delta CIC"),
        ("EPSILON GROUP", "Epsilon Ltd"),
    ]
    spend = tmp_path / "spend.csv"
    spend.write_text(
        "Supplier Name,Payment Date,Amount\n"
        "ACME TRADING LIMITED,01/04/2026,100.00\n"
        "Delta Care,02/04/2026,20.00\n"
        "Zeta Ltd,03/04/2026,5.00\n"
        "Epsilon Group,03/04/2026,7.00\n"
        "Nobody Ltd,04/04/2026,1.00\n",
        encoding="utf-8",
    )
    doc = analyse_json(str(spend), "--lookup", str(path))
    [sme] = [m for m in doc["metrics"] if (m["period"], m["measure"]) == ("all", "sme")]
    # SME: Acme and Delta, by their other names; known, not SME: Zeta by its own name, and
    # Epsilon Group by its other; Nobody is unknown
    assert (sme["spend"], sme["known_spend"], sme["total_spend"]) == (
        "120.00",
        "132.00",
        "133.00",
    )


def test_document_does_not_depend_on_hash_order() -> None:
    """Joins and groupings must not leak row order into outputs: five runs, one document."""
    import json

    from anchorspend import config as config_mod
    from anchorspend.gather.options import RunConfig
    from anchorspend.pipeline import run

    root = Path(__file__).resolve().parents[1] / "examples"
    cfg = config_mod.load(root / "anchorspend.toml")
    rc = RunConfig(
        inputs=(root / "spend",), lookups=(root / "lookups" / "suppliers.csv",), config=cfg
    )
    docs = {json.dumps(run(rc).document, sort_keys=True) for _ in range(5)}
    assert len(docs) == 1


def test_one_name_two_registered_organisations_is_ambiguous_not_an_error(tmp_path: Path) -> None:
    path = tmp_path / "lk.csv"
    path.write_text(
        "supplier_name,company_number,is_sme\nAcme Ltd,111,Yes\nACME LIMITED,222,No\nBeta,,Yes\n",
        encoding="utf-8",
    )
    lookup = load_lookup(path)
    assert lookup.frame.select("company_number", "name_key").rows() == [
        ("00000111", None),
        ("00000222", None),
        (None, "BETA"),
    ]
    assert [(f.code, f.value) for f in lookup.findings] == [("ambiguous-name", "ACME")]


def test_coverage_by_evidence_level(doc: dict[str, Any]) -> None:
    got = [
        (e["measure"], e["confidence"], e["known_spend"], e["spend"], e["suppliers"])
        for e in doc["evidence"]
    ]
    assert got == [
        ("sme", "not stated", "3400.00", "1400.00", 4),
        ("vcse", "declared", "300.00", "300.00", 1),  # Gamma: the export's own VCSE column
        ("vcse", "not stated", "3500.00", "200.00", 4),
        ("diverse_led", "not stated", "1300.00", "-200.00", 2),
    ]


def test_html_report_shows_evidence_levels(tmp_path: Path) -> None:
    r = invoke(
        "analyse",
        str(HERE / "spend.csv"),
        "--lookup",
        str(HERE / "lookup-main.csv"),
        "--map",
        "is_vcse=VCSE Supplier",
        "--out",
        str(tmp_path),
        "-q",
    )
    assert r.exit_code == 0, r.stderr
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    section = html.split("Coverage by evidence level", 1)[1].split("</table>", 1)[0]
    assert section.count("<tr>") == 5  # header + 4 rows: sme, vcse x2, diverse-led
    assert "declared" in section and "not stated" in section


def _two_authorities(tmp_path: Path) -> Path:
    """One supplier paid by two authorities, each under its own supplier id."""
    spend = tmp_path / "spend.csv"
    spend.write_text(
        "Organisation,Date,Supplier,Supplier ID,Amount\n"
        "North Council,01/05/2026,Acme Ltd,N-77,100.00\n"
        "South Council,02/05/2026,Acme Ltd,S-12,50.00\n"
        "South Council,03/05/2026,Acme Ltd,S-12,25.00\n",
        encoding="utf-8",
    )
    return spend


def test_ids_no_lookup_matches_on_do_not_split_a_supplier(tmp_path: Path) -> None:
    """An authority's own supplier id, which no lookup gives, cannot change a classification:
    the supplier is one profile, however many ids it is paid under."""
    from anchorspend.classify.resolve import identifiers_used
    from anchorspend.gather.source import read_mapped
    from anchorspend.ingest.canonical import build_batch
    from anchorspend.ingest.fields import RowOptions
    from anchorspend.ingest.sources import ReadOptions, open_sources
    from anchorspend.schemas import load as load_schema
    from anchorspend.spend import spend_of

    with open_sources(_two_authorities(tmp_path)) as [source]:
        table, mapping = read_mapped(source, ReadOptions(), load_schema("spend"), {})
    rows = build_batch(table, mapping, RowOptions()).frame
    assert rows is not None
    by_name = tmp_path / "by-name.csv"
    by_name.write_text("supplier_name,is_sme\nACME LIMITED,yes\n", encoding="utf-8")
    by_id = tmp_path / "by-id.csv"
    by_id.write_text("supplier_name,supplier_id,is_sme\nAcme,S-12,no\n", encoding="utf-8")
    assert identifiers_used([load_lookup(by_name)]) == ("company_number",)
    assert identifiers_used([load_lookup(by_id)]) == ("company_number", "supplier_id")

    merged = spend_of(rows, "quarter", identifiers_used([load_lookup(by_name)]))
    assert merged.profiles.select("supplier_name", "supplier_id", "amount", "n").rows() == [
        ("Acme Ltd", None, 17500, 3)
    ]
    split = spend_of(rows, "quarter", identifiers_used([load_lookup(by_id)]))
    assert split.profiles.select("supplier_id", "amount", "n").rows() == [
        ("N-77", 10000, 1),
        ("S-12", 7500, 2),
    ]


def test_a_lookup_keyed_on_supplier_id_still_matches(tmp_path: Path) -> None:
    by_id = tmp_path / "by-id.csv"
    by_id.write_text("supplier_name,supplier_id,is_sme\nAcme Holdings,S-12,no\n", encoding="utf-8")
    doc = analyse_json(str(_two_authorities(tmp_path)), "--lookup", str(by_id))
    sme = {(m["organisation"], m["period"]): m for m in doc["metrics"] if m["measure"] == "sme"}
    # South's rows carry S-12 (matched: not an SME); North's id is not in the lookup, nor
    # does the name match
    assert (sme["South Council", "all"]["known_spend"], sme["South Council", "all"]["spend"]) == (
        "75.00",
        "0.00",
    )
    assert sme["North Council", "all"]["known_spend"] == "0.00"
