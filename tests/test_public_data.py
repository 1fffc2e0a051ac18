"""Every real spend export in ../shared/data/public reconciles to the penny, with no --map.

The oracle here is independent of anchorspend: Python's csv module, the encoding and amount
column named by hand per file, Decimal arithmetic.
"""

from __future__ import annotations

import csv
import io
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest

from tests.helpers import analyse_json

# file → (encoding, amount header, rows expected)
FILES = {
    "manchester-2022-05.csv": ("utf-8", "Net Amount", 3564),
    "gla-2013-P01.csv": ("utf-8", "Amount", 1202),
    "bradford-2018-01.csv": ("cp1252", "Net Amount", 8538),
    "leeds-2011-01-raw.csv": ("cp1252", "Net Amount", 8837),
    "cabinet-office-2019-06.csv": ("cp1252", "Amount", 342),
    "trafford-gpc-2026-27.csv": ("utf-8", "Amount", 2024),
    "trafford-supplier-spend-2026-27.zip": ("utf-8", "Amount", 38055),
}


def oracle_amount(text: str) -> Decimal:
    t = text.strip().replace(",", "").replace("£", "")
    if t.startswith("(") and t.endswith(")"):
        return -Decimal(t[1:-1])
    return Decimal(t)


def independent_sum(path: Path, encoding: str, column: str) -> tuple[int, Decimal]:
    if path.suffix == ".zip":
        with zipfile.ZipFile(path) as zf:
            raw = zf.read(zf.namelist()[0])
    else:
        raw = path.read_bytes()
    text = raw.decode(encoding).replace("ï»¿", "").lstrip("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    return len(rows), sum((oracle_amount(r[column]) for r in rows), Decimal("0"))


@pytest.mark.parametrize("name", sorted(FILES))
def test_public_export_reconciles_to_the_penny(public: Path, name: str) -> None:
    encoding, column, expected_rows = FILES[name]
    n, total = independent_sum(public / name, encoding, column)
    assert n == expected_rows
    doc = analyse_json(str(public / name))
    rec = doc["reconciliation"]
    assert rec["rows_read"] == expected_rows
    assert rec["rows_read"] == rec["rows_analysed"] + rec["rows_excluded"] + rec["rows_rejected"]
    assert Decimal(rec["amount_read"]) == total
    assert Decimal(rec["amount_read"]) == (
        Decimal(rec["amount_analysed"])
        + Decimal(rec["amount_excluded"])
        + Decimal(rec["amount_rejected"])
    )
    # these files are clean: every row is analysed
    assert rec["rows_analysed"] == expected_rows
    assert [i["rows_read"] for i in doc["inputs"]] == [expected_rows]


def test_public_encodings_detected(public: Path) -> None:
    doc = analyse_json(*(str(public / n) for n in sorted(FILES)))
    got = {Path(i["path"].split("!")[0]).name: i["encoding"] for i in doc["inputs"]}
    assert got == {
        "bradford-2018-01.csv": "cp1252",
        "cabinet-office-2019-06.csv": "cp1252",
        "gla-2013-P01.csv": "utf-8",
        "leeds-2011-01-raw.csv": "cp1252",
        "manchester-2022-05.csv": "utf-8",
        "trafford-gpc-2026-27.csv": "utf-8",
        "trafford-supplier-spend-2026-27.zip": "utf-8",
    }


def test_manchester_double_bom_and_redactions(public: Path) -> None:
    doc = analyse_json(str(public / "manchester-2022-05.csv"))
    assert doc["inputs"][0]["columns"]["organisation"] == "Body Name"
    codes = {f["code"] for f in doc["findings"]}
    assert "double-encoded-bom" in codes
    redacted = [m for m in doc["metrics"] if m["measure"] == "redacted" and m["period"] == "all"]
    assert redacted[0]["organisation"] == "Manchester City Council"
    # independent: sum of Net Amount where supplier is "Redacted Personal Information"
    text = (public / "manchester-2022-05.csv").read_bytes().decode("utf-8").replace("ï»¿", "")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    expected = sum(
        (
            oracle_amount(r["Net Amount"])
            for r in rows
            if r["Supplier Name"] == "Redacted Personal Information"
        ),
        Decimal("0"),
    )
    assert Decimal(redacted[0]["spend"]) == expected


def test_cabinet_office_entities_and_pooled_rows(public: Path) -> None:
    doc = analyse_json(str(public / "cabinet-office-2019-06.csv"))
    orgs = sorted({m["organisation"] for m in doc["metrics"]})
    assert orgs == [
        "(all)",
        "CABINET OFFICE",
        "Crown Commercial Service",
        "Government Property Agency",
    ]
    pooled = [
        m
        for m in doc["metrics"]
        if m["organisation"] == "(all)" and m["period"] == "all" and m["measure"] == "total_spend"
    ]
    assert pooled[0]["total_spend"] == doc["reconciliation"]["amount_analysed"]
    assert {m["period"] for m in doc["metrics"]} == {"2019-20 Q1", "all"}


def test_trafford_zip_periods(public: Path) -> None:
    doc = analyse_json(str(public / "trafford-supplier-spend-2026-27.zip"))
    assert doc["inputs"][0]["path"].endswith(
        "trafford-supplier-spend-2026-27.zip!trafford-supplier-spend-2026-27.csv"
    )
    periods = {m["period"] for m in doc["metrics"]}
    assert periods == {"2026-27 Q1", "all"}
    red = [m for m in doc["metrics"] if m["measure"] == "redacted" and m["period"] == "all"]
    assert red[0]["suppliers"] == 1  # every redacted row is one "Redacted" key


def test_public_exports_as_one_network(public: Path) -> None:
    """Members from the organisation field (the Cabinet Office file holds three bodies; Leeds
    several; Trafford publishes two files): the network equals the sum of its members, and each
    member equals analyse on the files that carry it."""
    from anchorspend.compare import CompareConfig, compare
    from anchorspend.gather.options import RunConfig
    from anchorspend.pipeline import run

    files = [public / n for n in sorted(FILES)]
    doc = compare(CompareConfig(run=RunConfig(inputs=tuple(files)))).document
    members = doc["network"]["members"]
    assert len(members) > 10
    total = sum((Decimal(m["total_spend"]) for m in members), Decimal(0))
    [net] = [
        m
        for m in doc["metrics"]
        if m["organisation"] == "(all)" and m["period"] == "all" and m["measure"] == "total_spend"
    ]
    assert Decimal(net["total_spend"]) == total == Decimal(doc["reconciliation"]["amount_analysed"])
    groups = [[f] for f in files if not f.name.startswith("trafford")]
    groups.append([f for f in files if f.name.startswith("trafford")])
    seen = set()
    for group in groups:
        alone = run(RunConfig(inputs=tuple(group))).document
        for org in {m["organisation"] for m in alone["metrics"]} - {"(all)"}:
            assert [m for m in doc["metrics"] if m["organisation"] == org] == [
                m for m in alone["metrics"] if m["organisation"] == org
            ], org
            seen.add(org)
    assert seen == {m["name"] for m in members}
