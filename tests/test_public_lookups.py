"""Real lookups on real exports: Trafford's voluntary-sector grants (360Giving) as a VCSE lookup,
and Salford's contracts register as an SME lookup. Each measure is recomputed independently with
the csv module, Python's re and Decimal."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest

from anchorspend.errors import AnchorspendError
from anchorspend.gather.options import RunConfig
from anchorspend.pipeline import run
from tests.helpers import analyse_json

SUFFIX = re.compile(r"\s+(LTD|LIMITED|PLC|LLP|CIC|CIO|LLC|INC)$")


def oracle_key(name: str) -> str:
    s = name.upper()
    s = re.sub(r"\bT\s*/\s*A\b|\bTRADING\s+AS\b", " ", s)
    s = re.sub(r"\s*[&+]\s*", " AND ", s)
    s = re.sub(r"[.'’`]", "", s)
    s = re.sub(r"[^0-9A-Z]+", " ", s).strip()
    for _ in range(2):
        s = SUFFIX.sub("", s)
    return s


def trafford_rows(public: Path) -> list[dict[str, str]]:
    with zipfile.ZipFile(public / "trafford-supplier-spend-2026-27.zip") as zf:
        text = zf.read(zf.namelist()[0]).decode("utf-8")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_trafford_vcse_from_the_360giving_grants_file(public: Path, tmp_path: Path) -> None:
    with (public / "trafford-vcs-grants-360giving.csv").open(encoding="utf-8-sig") as fh:
        grants = list(csv.DictReader(fh))
    # one lookup entry per recipient name: the analyst's step from grants to a lookup
    recipients: dict[str, dict[str, str]] = {}
    for g in grants:
        recipients.setdefault(g["Recipient Org:Name"].strip(), g)
    lookup = tmp_path / "trafford-vcse.csv"
    with lookup.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["supplier_name", "is_vcse", "source"])
        for name in sorted(recipients):
            w.writerow([name, "Yes", "Trafford VCS grants (360Giving)"])

    doc = analyse_json(str(public / "trafford-supplier-spend-2026-27.zip"), "--lookup", str(lookup))
    [vcse] = [m for m in doc["metrics"] if m["measure"] == "vcse" and m["period"] == "all"]

    keys = {oracle_key(n) for n in recipients}
    rows = trafford_rows(public)
    total = sum((Decimal(r["Amount"]) for r in rows), Decimal(0))
    named = [r for r in rows if r["BeneficiaryName"] != "Redacted"]
    granted = [r for r in named if oracle_key(r["BeneficiaryName"]) in keys]
    # a community interest company is a VCSE by its name, grant or no grant
    vcse_rows = [r for r in named if r in granted or _is_cic(r["BeneficiaryName"])]
    granted_spend = sum((Decimal(r["Amount"]) for r in granted), Decimal(0))
    spend = sum((Decimal(r["Amount"]) for r in vcse_rows), Decimal(0))
    assert granted_spend > 0 and len(granted) > 10  # the test is about something
    assert len(vcse_rows) > len(granted)  # and about CICs without a grant
    assert Decimal(vcse["total_spend"]) == total
    assert Decimal(vcse["spend"]) == spend
    assert Decimal(vcse["known_spend"]) == spend  # nothing says a supplier is not a VCSE
    assert vcse["suppliers"] == len({oracle_key(r["BeneficiaryName"]) for r in vcse_rows})
    assert doc["lookups"][0]["matched_spend"] == f"{granted_spend:.2f}"


def _is_cic(name: str) -> bool:
    """Whether a name ends as the 2004 Act requires a CIC's to, read word by word."""
    words = re.sub(r"[^0-9A-Z]+", " ", re.sub(r"[.'’`]", "", name.upper())).split()
    return words[-1:] == ["CIC"] or words[-3:] == ["COMMUNITY", "INTEREST", "COMPANY"]


def test_salford_register_contradicts_itself_and_says_where(public: Path) -> None:
    with pytest.raises(AnchorspendError) as err:
        run(
            RunConfig(
                inputs=(public / "manchester-2022-05.csv",),
                lookups=(public / "salford-contracts-register-2022-07.csv",),
            )
        )
    assert "duplicate keys whose entries disagree" in err.value.message
    assert "company_number '00172081' (rows 6, 64): is_sme differ" in err.value.details


def test_salford_register_as_an_sme_lookup(public: Path, tmp_path: Path) -> None:
    """The analyst's step: one entry per company, a supplier the register calls both SME and
    not SME left unknown. Then SME spend in Trafford's and Manchester's exports."""
    with (public / "salford-contracts-register-2022-07.csv").open(encoding="utf-8-sig") as fh:
        contracts = list(csv.DictReader(fh))
    votes: dict[str, set[str]] = {}
    names: dict[str, str] = {}
    for c in contracts:
        key = oracle_key(c["Supplier Company Name"])
        names.setdefault(key, c["Supplier Company Name"].strip())
        if c["SME Supplier?"] in ("Yes", "No"):
            votes.setdefault(key, set()).add(c["SME Supplier?"])
    sme = {k: v.pop() for k, v in votes.items() if len(v) == 1}
    lookup = tmp_path / "salford-sme.csv"
    with lookup.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["supplier_name", "is_sme"])
        for k in sorted(names):
            w.writerow([names[k], sme.get(k, "")])

    doc = analyse_json(str(public / "manchester-2022-05.csv"), "--lookup", str(lookup))
    [m] = [m for m in doc["metrics"] if m["measure"] == "sme" and m["period"] == "all"]
    text = (public / "manchester-2022-05.csv").read_bytes().decode("utf-8").replace("ï»¿", "")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    yes = known = Decimal(0)
    for r in rows:
        flag = sme.get(oracle_key(r["Supplier Name"]))
        if r["Supplier Name"].startswith("Redacted") or flag is None:
            continue
        known += Decimal(r["Net Amount"])
        if flag == "Yes":
            yes += Decimal(r["Net Amount"])
    assert known > 0
    assert (Decimal(m["spend"]), Decimal(m["known_spend"])) == (yes, known)
