"""Contracts registers laid out as councils publish them: headers with line breaks inside
(``Contractor/`` + ``Provider``), and one combined ``SME or VSCE (inc. Reg. No.)`` column
answered in words (``Micro``, ``Large``, ``Charity``, ``VCSE 1121596``…). Built with no flags,
the lookup classifies the spend it names; ``--map`` fixes a column no alias knows."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from anchorspend.errors import Finding
from anchorspend.normalise import flag_header_names, flag_words
from anchorspend.suppliers.contracts import read_contracts, read_contracts_register
from tests.helpers import FIXTURES, analyse_json, invoke

REG = FIXTURES / "registers"
REGISTER = REG / "contracts_register_words.csv"
SPEND = REG / "contracts_register_words_spend.csv"
HEADER = "SME\nor VSCE\n(inc. Reg. No.)"
QUESTION = "SME or VSCE (inc. Reg. No.)"

# ---------------------------------------------------------------------------------------------
# The normaliser, on every value

T, F, N = True, False, None
# value → (is_sme, is_vcse, company_number, charity_number, problem) under "SME or VSCE"
BOTH: dict[str | None, tuple[bool | None, bool | None, str | None, str | None, str | None]] = {
    "SME": (T, N, N, N, N),
    "Micro": (T, N, N, N, N),
    "Small": (T, N, N, N, N),
    "medium": (T, N, N, N, N),
    "SME - Micro": (T, N, N, N, N),
    "Medium-sized business": (T, N, N, N, N),
    "Large": (F, N, N, N, N),
    "No": (F, F, N, N, N),
    "N": (F, F, N, N, N),
    "Yes": (N, N, N, N, "either"),
    "Y": (N, N, N, N, "either"),
    "Charity": (N, T, N, N, N),
    "VCSE": (N, T, N, N, N),
    "VCS": (N, T, N, N, N),
    "vsce": (N, T, N, N, N),
    "Social enterprise": (N, T, N, N, N),
    "Social  Enterprise": (N, T, N, N, N),
    "CIC": (N, T, N, N, N),
    "Community Interest Company": (N, T, N, N, N),
    "Small charity": (T, T, N, N, N),
    "Large charity": (F, T, N, N, N),
    "VCSE 1121596": (N, T, N, "1121596", N),
    "Charity 1098765": (N, T, N, "1098765", N),
    "Charity No. 1098765": (N, T, N, "1098765", N),
    "Registered charity number 210183": (N, T, N, "210183", N),
    "SME 07654321": (T, N, "07654321", N, N),
    "Micro SC123456": (T, N, "SC123456", N, N),
    "CIC 12345678": (N, T, "12345678", N, N),
    "Ltd 07654321": (N, N, "07654321", N, "unknown"),
    "VCSE 07654321": (N, T, N, N, "number"),  # 8 digits: not a charity number
    "CIC 1121596": (N, T, N, N, "number"),  # a CIC is a company, not a charity
    "SME 7654321": (T, N, N, N, "number"),  # 7 characters: not a company number
    "Charity 1121596 1098765": (N, T, N, N, "number"),
    "TBC": (N, N, N, N, "unknown"),
    "Various": (N, N, N, N, "unknown"),
    "N/A": (N, N, N, N, "unknown"),
    "-": (N, N, N, N, "unknown"),
    "Not SME": (N, N, N, N, "unknown"),
    "Small/Large": (N, N, N, N, "unknown"),
    "TBC 1121596": (N, N, N, N, "unknown"),
    "": (N, N, N, N, N),
    "  ": (N, N, N, N, N),
    None: (N, N, N, N, N),
}


def read_words(values: list[str | None], *, sme: bool, vcse: bool) -> list[tuple[Any, ...]]:
    frame = pl.DataFrame({"v": values}, schema={"v": pl.String})
    out = frame.select(flag_words(pl.col("v"), sme=sme, vcse=vcse).alias("w")).unnest("w")
    assert out.columns == ["is_sme", "is_vcse", "company_number", "charity_number", "problem"]
    return out.rows()


def test_words_under_a_header_naming_sme_and_vcse() -> None:
    assert dict(zip(BOTH, read_words(list(BOTH), sme=True, vcse=True), strict=True)) == BOTH


def test_yes_and_no_answer_the_header_they_stand_under() -> None:
    values: list[str | None] = ["Yes", "y", "True", "1", "No", "n", "0", "Yes."]
    assert read_words(values, sme=True, vcse=False) == [
        *[(T, N, N, N, N)] * 4,
        *[(F, N, N, N, N)] * 3,
        (T, N, N, N, N),
    ]
    assert read_words(values, sme=False, vcse=True) == [
        *[(N, T, N, N, N)] * 4,
        *[(N, F, N, N, N)] * 3,
        (N, T, N, N, N),
    ]
    # words mean the same whatever the header asks
    words: list[str | None] = ["Micro", "Charity 1098765", "Various"]
    assert read_words(words, sme=True, vcse=False) == read_words(words, sme=True, vcse=True)


def test_header_names() -> None:
    assert flag_header_names(HEADER) == (True, True)
    assert flag_header_names("SME/VCSE") == (True, True)
    assert flag_header_names("SME Supplier?") == (True, False)
    assert flag_header_names("VCSE Supplier?") == (False, True)
    assert flag_header_names("Social Enterprise?") == (False, True)
    assert flag_header_names("Assessment") == (False, False)  # "sme" inside a word is not SME


# ---------------------------------------------------------------------------------------------
# The register, end to end with no flags

LABEL = "Contracts register: contracts_register_words.csv"
Row = tuple[str, str | None, str | None, bool | None, bool | None]
EXPECTED_LOOKUP: list[Row] = [
    # supplier_name, company_number, charity_number, is_sme, is_vcse
    ("Acorn Landscapes Ltd", None, None, True, None),
    ("Barrow & Finch LLP", None, None, False, False),
    ("Brook Street Kitchen", None, None, True, None),
    ("Guardwell Security Ltd", None, None, None, None),  # TBC
    ("Hulme Community Garden", None, None, None, True),
    ("Irwell Motors Ltd", None, None, True, None),
    ("Kestrel Print Ltd", None, None, True, None),
    ("Lingua Bridge Ltd", None, None, None, None),  # Yes: SME or VCSE, not which
    ("Meridian Advisory Ltd", None, None, None, None),  # N/A
    ("Northway Highways plc", None, None, False, None),
    ("Open Door Youth Project", None, "1121596", None, True),
    ("Pennine Digital Ltd", "07654321", None, True, None),
    ("Riverside Food Network", None, "1098765", None, True),
    ("Rowan Community Cafe CIC", None, None, None, True),
    ("Salford Carers Trust", None, None, None, True),
    ("Staffline Recruitment Ltd", None, None, None, None),  # Various
    ("Workwise Bridges", None, None, None, True),
]


def lookup_rows(path: Path) -> list[Row]:
    table = pl.read_csv(path, infer_schema=False)
    flags = [
        pl.col(f).replace_strict({"true": True, "false": False}) for f in ("is_sme", "is_vcse")
    ]
    return table.select("supplier_name", "company_number", "charity_number", *flags).rows()


def build(*args: str | Path) -> Any:
    return invoke("suppliers", "build", *(str(a) for a in args))


def test_register_in_words_builds_with_no_flags_and_classifies_spend(tmp_path: Path) -> None:
    lookup = tmp_path / "lookup.csv"
    r = build("--contracts", REGISTER, "--out", lookup)
    assert r.exit_code == 0, r.stderr
    assert lookup_rows(lookup) == EXPECTED_LOOKUP
    table = pl.read_csv(lookup, infer_schema=False)
    open_door = table.filter(pl.col("supplier_name") == "Open Door Youth Project").row(
        0, named=True
    )
    assert open_door["is_vcse_evidence"] == (
        f"{LABEL}: {QUESTION} = VCSE 1121596 (contract CR2024-005)"
    )
    assert open_door["is_vcse_confidence"] == "declared"
    assert open_door["as_of"] == "2024-04-01"
    barrow = table.filter(pl.col("supplier_name") == "Barrow & Finch LLP").row(0, named=True)
    assert (
        barrow["is_sme_evidence"]
        == barrow["is_vcse_evidence"]
        == (f"{LABEL}: {QUESTION} = No (contract CR2023-002)")
    )
    assert "register-answer-either" in r.stderr
    assert "register-answer-unknown" in r.stderr

    doc = analyse_json(str(SPEND), "--lookup", str(lookup))
    metrics = {m["measure"]: m for m in doc["metrics"] if m["period"] == "all"}
    total = 1095074  # pence: every row of the spend fixture
    assert metrics["total_spend"]["total_spend"] == "10950.74"
    # SME: Acorn 1000.00 + Kestrel 250.50 + Pennine 700.00 yes; Northway 5000.00, Barrow 800.00 no
    sme = metrics["sme"]
    assert (sme["spend"], sme["known_spend"], sme["suppliers"], sme["known_suppliers"]) == (
        "1950.50",
        "7750.50",
        3,
        5,
    )
    assert sme["coverage"] == 775050 / total
    # VCSE: Carers 1200.00 + Open Door 450.25 + Rowan 150.00 yes; Barrow 800.00 no
    vcse = metrics["vcse"]
    assert (vcse["spend"], vcse["known_spend"], vcse["suppliers"], vcse["known_suppliers"]) == (
        "1800.25",
        "2600.25",
        3,
        4,
    )
    assert vcse["coverage"] == 260025 / total
    assert doc["lookups"][0]["matched_spend"] == "10850.74"
    assert doc["unmatched_suppliers"] == [
        {"supplier": "Unlisted Supplies Ltd", "spend": "100.00", "rows": 1}
    ]
    levels = {(e["measure"], e["confidence"], e["spend"]) for e in doc["evidence"]}
    assert levels == {("sme", "declared", "1950.50"), ("vcse", "declared", "1800.25")}


def test_findings_list_the_answers_not_read() -> None:
    _, findings = read_contracts(REGISTER)
    path = str(REGISTER)
    assert findings == [
        Finding(
            "register-answer-either",
            "1 contract answer 'Yes' (1) under a header asking 'SME or VCSE': one of them, not "
            "which; both left unknown (classify them with --manual LOOKUP)",
            "warning",
            path=path,
            column=QUESTION,
        ),
        Finding(
            "register-answer-unknown",
            "3 contracts answer in words that say neither SME nor VCSE: 'N/A' (1), 'TBC' (1), "
            "'Various' (1); left unknown (classify them with --manual LOOKUP)",
            "warning",
            path=path,
            column=QUESTION,
        ),
    ]


def register_rows() -> list[list[str]]:
    with REGISTER.open(encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def test_xlsx_register_reads_the_same(tmp_path: Path) -> None:
    from openpyxl import Workbook

    rows = register_rows()
    assert rows[2][6:8] == ["Contractor/\nProvider", HEADER]
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Contracts"
    for row in rows:
        ws.append([c or None for c in row])
    xlsx = tmp_path / "contracts_register_words.xlsx"
    wb.save(xlsx)
    lookup = tmp_path / "lookup.csv"
    r = build("--contracts", xlsx, "--out", lookup)
    assert r.exit_code == 0, r.stderr
    assert lookup_rows(lookup) == EXPECTED_LOOKUP


def test_number_columns_win_over_numbers_in_words(tmp_path: Path) -> None:
    """A register with its own number columns: their values are used; a blank cell takes the
    number written after the words. Separate SME and VCSE columns each answer their own flag
    first."""
    register = tmp_path / "register.csv"
    register.write_text(
        "Contract Reference,Supplier,Company Number,Charity Number,SME Supplier?,VCSE Supplier?\n"
        "A1,Alpha Ltd,01234567,,SME 07654321,No\n"
        "A2,Beta Ltd,,,SME 07654321,\n"
        "A3,Gamma Trust,,,Charity,Yes\n"
        "A4,Delta Trust,,222222,No,Charity 1098765\n",
        encoding="utf-8",
    )
    claims = read_contracts_register(register).collect()
    assert claims.select(
        "supplier_name", "company_number", "charity_number", "is_sme", "is_vcse"
    ).rows() == [
        ("Alpha Ltd", "01234567", None, True, False),
        ("Beta Ltd", "07654321", None, True, None),
        ("Gamma Trust", None, None, None, True),
        ("Delta Trust", None, "222222", False, True),
    ]
    label = "Contracts register: register.csv"
    assert claims.get_column("is_vcse_evidence").to_list() == [
        f"{label}: VCSE supplier? = No (contract A1)",
        None,
        f"{label}: VCSE supplier? = Yes (contract A3)",
        f"{label}: VCSE supplier? = Charity 1098765 (contract A4)",
    ]


# ---------------------------------------------------------------------------------------------
# --map


def awarded_to(tmp_path: Path) -> Path:
    """The same register with its supplier column headed "Awarded To", which no alias knows."""
    rows = register_rows()
    rows[2][6] = "Awarded To"
    path = tmp_path / "awarded.csv"
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


def test_map_names_a_column_no_alias_knows(tmp_path: Path) -> None:
    register = awarded_to(tmp_path)
    lookup = tmp_path / "lookup.csv"
    r = build("--contracts", register, "--out", lookup)
    assert r.exit_code == 3
    assert "no recognisable header row" in r.stderr
    assert not lookup.exists()

    r = build("--contracts", register, "--out", lookup, "--map", "supplier_name=Awarded To")
    assert r.exit_code == 0, r.stderr
    assert lookup_rows(lookup) == EXPECTED_LOOKUP


def test_map_mistakes(tmp_path: Path) -> None:
    register = awarded_to(tmp_path)
    lookup = tmp_path / "lookup.csv"
    r = build("--contracts", register, "--out", lookup, "--map", "supplier=Awarded To")
    assert r.exit_code == 2
    assert "'supplier' is not a field" in r.stderr

    r = build("--contracts", register, "--out", lookup, "--map", "supplier_name=Awarded")
    assert r.exit_code == 3
    assert "--map supplier_name='Awarded': no such header in the first 30 rows" in r.stderr
    assert "headers found (row 3): 'Reference', 'Title of Agreement'" in r.stderr
    assert "'Awarded To'" in r.stderr

    # a register whose header is found by its aliases, and a --map header it lacks
    r = build("--contracts", REGISTER, "--out", lookup, "--map", "supplier_name=Awarded To")
    assert r.exit_code == 3
    assert "--map supplier_name='Awarded To': no such header" in r.stderr
    assert "'Contractor/\\nProvider'" in r.stderr

    r = build("--grants", REG / "grants-360giving.json", "--out", lookup, "--map", "x=y")
    assert r.exit_code == 2
    r = build(
        "--grants", REG / "grants-360giving.json", "--out", lookup, "--map", "supplier_name=y"
    )
    assert r.exit_code == 2
    assert "--map applies to contracts registers" in r.stderr
    assert not lookup.exists()


# ---------------------------------------------------------------------------------------------
# Salford's real register: yes/no answers read as before


def test_salford_register_reads_as_before(public: Path) -> None:
    claims, findings = read_contracts(public / "salford-contracts-register-2022-07.csv")
    table = claims.collect()
    assert table.height == 360
    assert dict(table.group_by("is_sme").len().iter_rows()) == {True: 181, False: 172, None: 7}
    assert table.get_column("is_vcse").null_count() == 360
    first = table.row(0, named=True)
    assert (first["company_number"], first["is_sme_evidence"]) == (
        "02535986",
        "Contracts register: salford-contracts-register-2022-07.csv: SME supplier? = Yes "
        "(contract S1417)",
    )
    unread = [f for f in findings if f.code.startswith("register-answer")]
    assert [(f.code, f.column, f.message) for f in unread] == [
        (
            "register-answer-unknown",
            "SME Supplier?",
            "5 contracts answer in words that say neither SME nor VCSE: 'Various' (5); left "
            "unknown (classify them with --manual LOOKUP)",
        )
    ]


@pytest.mark.parametrize("header", ["Contractor/\nProvider", "Supplier / Contractor", "Provider"])
def test_supplier_column_aliases(tmp_path: Path, header: str) -> None:
    register = tmp_path / "r.csv"
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(
        [[header, "SME or VCSE"], ["Alpha Ltd", "Micro"], ["Beta Trust", "VCSE 1121596"]]
    )
    register.write_text(buf.getvalue(), encoding="utf-8")
    claims = read_contracts_register(register).collect()
    assert claims.select("supplier_name", "charity_number", "is_sme", "is_vcse").rows() == [
        ("Alpha Ltd", None, True, None),
        ("Beta Trust", "1121596", None, True),
    ]
