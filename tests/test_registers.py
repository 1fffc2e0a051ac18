"""Register readers (Companies House, Charity Commission, 360Giving, OCDS) on fixtures written in
each register's published layout, and on the real Trafford 360Giving file; exact output rows."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import polars as pl
import pytest

from anchorspend.errors import AnchorspendError
from anchorspend.suppliers import registers_common
from anchorspend.suppliers.registers import (
    CLAIM_COLUMNS,
    CLAIM_SCHEMA,
    read_charities,
    read_companies_house,
    read_grants,
    read_ocds,
)
from tests.helpers import FIXTURES, PUBLIC

REG = FIXTURES / "registers"
CH_FILE = REG / "BasicCompanyData-sample.csv"
TRAFFORD = PUBLIC / "trafford-vcs-grants-360giving.csv"

Row = tuple[object, ...]

EXPECTED_COLUMNS = (
    "source",
    "supplier_name",
    "company_number",
    "charity_number",
    "postcode",
    "status",
    "dissolved",
    "is_sme",
    "is_sme_evidence",
    "is_sme_confidence",
    "is_vcse",
    "is_vcse_evidence",
    "is_vcse_confidence",
    "as_of",
)


def rows(frame: pl.LazyFrame) -> list[Row]:
    collected = frame.collect()
    assert collected.columns == list(EXPECTED_COLUMNS)
    assert dict(collected.schema) == CLAIM_SCHEMA
    return collected.rows()


# ---------------------------------------------------------------------------------------------
# Companies House

SMALL = "Companies House accounts category "
CAT = "Companies House company category "
LBG = "PRI/LBG/NSC (Private, Limited by guarantee, no share capital, use of 'Limited' exemption)"
GUAR = "PRI/LTD BY GUAR/NSC (Private, limited by guarantee, no share capital)"


def ch(
    name: str,
    number: str,
    postcode: str | None,
    status: str,
    *,
    dissolved: bool = False,
    accounts: str | None = None,
    category: str | None = None,
    vcse_confidence: str | None = None,
) -> Row:
    return (
        "Companies House",
        name,
        number,
        None,
        postcode,
        status,
        dissolved,
        True if accounts else None,
        SMALL + accounts if accounts else None,
        "inferred" if accounts else None,
        True if category else None,
        CAT + category if category else None,
        vcse_confidence,
        None,
    )


CH_EXPECTED = [
    ch("ACORN BAKERY LTD", "07687209", "M1 1AA", "Active", accounts="MICRO ENTITY"),
    ch("THISTLE JOINERY LIMITED", "SC123456", "EH1 1AA", "Active", accounts="SMALL"),
    ch("BRIDGEWATER PARTNERS LLP", "OC301234", "M2 2BB", "Active", accounts="TOTAL EXEMPTION FULL"),
    ch(
        "CANAL PRINT, DESIGN & CO LIMITED",
        "04000001",
        "M3 3CC",
        "Active",
        accounts="TOTAL EXEMPTION SMALL",
    ),
    ch(
        "DOVE CLEANING LIMITED",
        "05000002",
        "M4 4DD",  # published as "M4 4DD " (stripped)
        "Active - Proposal to Strike off",
        accounts="UNAUDITED ABRIDGED",
    ),
    ch("ELM SURVEYORS LIMITED", "06000003", "M5 5EE", "Active", accounts="AUDITED ABRIDGED"),
    ch("FERNHILL LOGISTICS LIMITED", "03000004", "WA14 1AA", "Active", accounts="MEDIUM"),
    ch("GRANITE HOLDINGS LIMITED", "02000005", "M15 4FN", "Active"),  # FULL
    ch("HARBOUR GROUP LIMITED", "01000006", "L3 1DS", "Active"),  # GROUP
    ch("IVY DORMANT LIMITED", "09000007", "M33 7ZZ", "Active"),  # DORMANT
    ch("JUNIPER SUBSIDIARY LIMITED", "08000008", "M16 0RA", "Active"),  # AUDIT EXEMPTION SUB.
    ch("KESTREL SUBSIDIARY LIMITED", "08000009", "M16 0RB", "Active"),  # FILING EXEMPTION SUB.
    ch("LARCH SERVICES LIMITED", "07000010", "M17 1AA", "Active"),  # PARTIAL EXEMPTION
    ch("MAPLE START LIMITED", "15000011", "M41 9EH", "Active"),  # INITIAL
    ch("NORTHERN WIDGETS LIMITED", "NI612345", "BT1 1AA", "Active"),  # NO ACCOUNTS FILED
    ch("OAK OVERSEAS HOLDINGS SA", "OE001234", None, "Active"),  # ACCOUNTS TYPE NOT AVAILABLE
    ch("PINE FUND LP", "LP012345", "EC2A 1AA", "Active"),  # blank accounts category
    ch(
        "ROWAN COMMUNITY CAFE CIC",
        "10000012",
        "M32 0LG",
        "Active",
        accounts="MICRO ENTITY",
        category="Community Interest Company",
        vcse_confidence="registered",
    ),
    ch(
        "SAFFRON FOODBANK CIO",
        "CE001234",
        "M31 4LT",
        "Active",
        accounts="SMALL",
        category="Charitable Incorporated Organisation",
        vcse_confidence="registered",
    ),
    ch(
        "FRIENDS OF STRETFORD PUBLIC HALL LIMITED",
        "RS007220",
        "M32 0LG",
        "Active",
        category="Registered Society",
        vcse_confidence="inferred",
    ),
    ch(
        "URMSTON YOUTH TRUST",
        "05000013",
        "M41 0AA",
        "Active",
        accounts="TOTAL EXEMPTION FULL",
        category=LBG,
        vcse_confidence="inferred",
    ),
    ch(
        "VALE ARTS LIMITED",
        "04000014",
        "WA15 6PF",
        "Active",
        accounts="SMALL",
        category=GUAR,
        vcse_confidence="inferred",
    ),
    # a PLC: is_sme null even though its last accounts were filed as TOTAL EXEMPTION FULL
    ch("WILLOW UTILITIES PLC", "03000015", "M1 3BN", "Active"),
    ch(
        "XYLO TRADING LIMITED",
        "06000016",
        "M4 6WX",
        "Dissolved",
        dissolved=True,
        accounts="MICRO ENTITY",
    ),
    # the DissolutionDate alone marks it dissolved
    ch(
        "YEW CONTRACTORS LIMITED",
        "07000017",
        "M8 8AA",
        "Liquidation",
        dissolved=True,
        accounts="SMALL",
    ),
    ch("ZINC ENGINEERING LIMITED", "08000018", "M12 6JH", "In Administration"),
]


def test_companies_house_rows() -> None:
    assert rows(read_companies_house(CH_FILE)) == CH_EXPECTED


def test_companies_house_header_has_stray_spaces() -> None:
    header = CH_FILE.read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith("CompanyName, CompanyNumber,")
    assert ", PreviousName_1.CompanyName" in header
    assert header.count(",") == 54


def test_companies_house_is_lazy_and_streams() -> None:
    frame = read_companies_house(CH_FILE)
    assert isinstance(frame, pl.LazyFrame)
    streamed = frame.collect(engine="streaming")
    assert streamed.rows() == CH_EXPECTED


def test_companies_house_missing_column(tmp_path: Path) -> None:
    lines = CH_FILE.read_text(encoding="utf-8").splitlines()
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join([lines[0].replace(" CompanyNumber,", "Number,"), lines[1]]) + "\n")
    with pytest.raises(AnchorspendError) as caught:
        read_companies_house(bad)
    err = caught.value
    assert "CompanyNumber" in err.message
    assert err.path == str(bad)
    assert err.details[0].startswith("headers found: 'CompanyName', 'Number', ")
    assert "' CompanyNumber'" not in err.details[0]


def test_companies_house_missing_file(tmp_path: Path) -> None:
    with pytest.raises(AnchorspendError) as caught:
        read_companies_house(tmp_path / "nope.csv")
    assert caught.value.path == str(tmp_path / "nope.csv")


# ---------------------------------------------------------------------------------------------
# Charity Commission

CC = "Charity Commission"
WITHIN = ": within the Procurement Act SME turnover limit"
CYRIL = (
    CC,
    "Cyril Flint Befrienders",
    "07962245",  # published as 7962245
    "1146179",
    "WA15 6PF",
    "Registered",
    False,
    True,
    "latest income £250,000" + WITHIN,
    "inferred",
    True,
    "Charity Commission: registered charity 1146179",
    "registered",
    "2026-09-20",
)
HIDDEN_TREASURE = (
    CC,
    "Hidden Treasure Trust CIO",
    None,
    "1200251",
    "M31 4LT",
    "Registered",
    True,  # cio_is_dissolved True
    True,
    "latest income £1,235" + WITHIN,
    "inferred",
    True,
    "Charity Commission: registered charity 1200251",
    "registered",
    "2026-09-20",
)


def test_charities_tab_separated() -> None:
    assert rows(read_charities(REG / "publicextract.charity.txt")) == [
        CYRIL,  # its linked charity (linked_charity_number 1) is skipped
        (
            CC,
            "Old Trafford Boys Club",
            None,
            "512710",
            None,
            "Removed",
            True,
            None,
            None,
            None,
            None,
            None,
            None,
            "2026-09-20",
        ),
        (
            CC,
            "Big National Care Charity",
            "00561234",
            "207076",
            "SE1 7JB",
            "Registered",
            False,
            False,
            "latest income £44,000,001: above the Procurement Act SME turnover limit",
            "inferred",
            True,
            "Charity Commission: registered charity 207076",
            "registered",
            "2026-09-20",
        ),
        (
            CC,
            "Boundary Housing Trust",
            "SC271234",
            "1100001",
            "M1 2AB",
            "Registered",
            False,
            True,
            "latest income £44,000,000" + WITHIN,
            "inferred",
            True,
            "Charity Commission: registered charity 1100001",
            "registered",
            "2026-09-20",
        ),
        HIDDEN_TREASURE,
    ]


def test_charities_header_lists_every_column() -> None:
    header = (REG / "publicextract.charity.txt").read_text(encoding="utf-8-sig").split("\n")[0]
    columns = header.rstrip("\r").split("\t")
    assert len(columns) == 34
    assert columns[:4] == [
        "date_of_extract",
        "organisation_number",
        "registered_charity_number",
        "linked_charity_number",
    ]


def test_charities_json() -> None:
    assert rows(read_charities(REG / "publicextract.charity.json")) == [CYRIL, HIDDEN_TREASURE]


def test_charities_json_invalid(tmp_path: Path) -> None:
    bad = tmp_path / "publicextract.charity.json"
    bad.write_text('[{"registered_charity_number": 1,')
    with pytest.raises(AnchorspendError) as caught:
        read_charities(bad)
    assert "publicextract.charity.json" in caught.value.message


def test_charities_missing_column(tmp_path: Path) -> None:
    bad = tmp_path / "extract.txt"
    bad.write_text("registered_charity_number\tcharity_name\n1\tA\n")
    with pytest.raises(AnchorspendError) as caught:
        read_charities(bad)
    assert "linked_charity_number" in caught.value.message
    assert caught.value.details == ["headers found: 'registered_charity_number', 'charity_name'"]


# ---------------------------------------------------------------------------------------------
# 360Giving

TMBC = "360Giving: recipient of a grant from Trafford Metropolitan Borough Council"
EXAMPLE = "360Giving: recipient of a grant from Example Foundation"


def grant(
    source: str,
    name: str,
    company: str | None,
    charity: str | None,
    postcode: str | None,
    evidence: str,
    as_of: str,
) -> Row:
    return (
        f"360Giving: {source}",
        name,
        company,
        charity,
        postcode,
        None,
        False,
        None,
        None,
        None,
        True,
        evidence,
        "inferred",
        as_of,
    )


def test_grants_json() -> None:
    assert rows(read_grants(REG / "grants-360giving.json")) == [
        # two grants, one recipient: the first name, the latest award date
        grant(
            "grants-360giving.json",
            "Glasgow Food Network",
            None,
            "SC012345",
            "G1 1AA",
            TMBC,
            "2024-09-15",
        ),
        grant(
            "grants-360giving.json",
            "Belfast Youth Project",
            None,
            "NIC100123",
            "BT12 4AA",
            EXAMPLE,
            "2023-06-01",
        ),
        # charityNumber "01146179" and companyNumber 7962245 (a JSON number)
        grant(
            "grants-360giving.json",
            "Cyril Flint Befrienders",
            "07962245",
            "1146179",
            None,
            TMBC,
            "2022-05-03",
        ),
        # the grant to an individual has no recipient organisation: no row
    ]


def test_grants_xlsx_second_sheet() -> None:
    assert rows(read_grants(REG / "grants-360giving.xlsx")) == [
        grant(
            "grants-360giving.xlsx",
            "Old Trafford Boys Club",
            None,
            "512710",
            "M16 7GX",
            EXAMPLE,
            "2020-01-15",
        ),
        grant(
            "grants-360giving.xlsx",
            "Rowan Community Cafe CIC",
            "10000012",
            None,
            None,
            EXAMPLE,
            "2021-02-01",
        ),
        grant(
            "grants-360giving.xlsx",
            "Cyril Flint Befrienders",
            "07962245",
            "1146179",
            "WA15 6PF",
            EXAMPLE,
            "2020-11-30",
        ),
    ]


def test_grants_trafford_real_file() -> None:
    if not TRAFFORD.is_file():
        pytest.skip(f"real 360Giving file not found at {TRAFFORD}")
    with TRAFFORD.open(encoding="utf-8-sig", newline="") as fh:
        records = list(csv.DictReader(fh))
    recipients = {r["Recipient Org:Identifier"] for r in records}
    got = rows(read_grants(TRAFFORD))
    assert len(got) == len(recipients) == 323
    assert {r[0] for r in got} == {"360Giving: trafford-vcs-grants-360giving.csv"}
    assert all(r[10] is True and r[11] == TMBC for r in got)
    by_name = {r[1]: r for r in got}
    src = "trafford-vcs-grants-360giving.csv"
    assert by_name["Cyril Flint Befrienders"] == grant(
        src, "Cyril Flint Befrienders", "07962245", "1146179", None, TMBC, "2019-12-16"
    )
    # seven grants under four names: the first name seen, the only postcode, the last award
    assert by_name["Altrincham Baptist Church"] == grant(
        src, "Altrincham Baptist Church", None, "1130343", "WA14 2SZ", TMBC, "2024-05-23"
    )
    # the charity number is only on its first grant; "0512710" loses its leading zero
    assert by_name["Sale Moor Community Partnership"] == grant(
        src, "Sale Moor Community Partnership", "05465848", "1113664", None, TMBC, "2020-06-23"
    )
    assert by_name["TLC: Talk, Listen, Change"][2:4] == ("01559314", "512710")
    # a registered society's number, and a funder-made id with no numbers
    assert by_name["Friends of Stretford Public Hall Limited (Stretford Hub)"][2:5] == (
        "RS007220",
        None,
        "M32 0LG",
    )
    assert by_name["Altrincham Children's Choir"] == grant(
        src, "Altrincham Children's Choir", None, None, None, TMBC, "2013-01-18"
    )


def test_grants_org_ids_without_number_columns(tmp_path: Path) -> None:
    path = tmp_path / "ids.csv"
    path.write_text(
        "Recipient Org:Identifier,Recipient Org:Name,Award Date,Funding Org:Name\n"
        "GB-CHC-0520239,Scouts,2019-12-17,F\n"
        "GB-COH-7962245,Cyril,2019-12-16T00:00:00Z,F\n"
        "GB-SC-012345,Glasgow,2020-01-01,F\n"
        "GB-NIC-NIC100123,Belfast,2020-01-02,\n"
        ",Unnamed org,2020-01-03,F\n"
    )
    got = [r[1:5] + r[11:] for r in rows(read_grants(path))]
    evidence = "360Giving: recipient of a grant from F"
    assert got == [
        ("Scouts", None, "520239", None, evidence, "inferred", "2019-12-17"),
        ("Cyril", "07962245", None, None, evidence, "inferred", "2019-12-16"),
        ("Glasgow", None, "SC012345", None, evidence, "inferred", "2020-01-01"),
        (
            "Belfast",
            None,
            "NIC100123",
            None,
            "360Giving: recipient of a grant (funder not named)",
            "inferred",
            "2020-01-02",
        ),
        ("Unnamed org", None, None, None, evidence, "inferred", "2020-01-03"),
    ]


def test_grants_csv_missing_name(tmp_path: Path) -> None:
    path = tmp_path / "grants.csv"
    path.write_text("Recipient Org:Identifier,Amount Awarded\nGB-CHC-1,10\n")
    with pytest.raises(AnchorspendError) as caught:
        read_grants(path)
    assert "Recipient Org:Name" in caught.value.message
    assert caught.value.details == ["headers found: 'Recipient Org:Identifier', 'Amount Awarded'"]


def test_grants_xlsx_without_header(tmp_path: Path) -> None:
    import openpyxl

    path = tmp_path / "notes.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["just", "notes"])
    book.save(path)
    with pytest.raises(AnchorspendError) as caught:
        read_grants(path)
    assert caught.value.message == "no sheet has a 'Recipient Org:Name' header"


def test_grants_json_invalid(tmp_path: Path) -> None:
    bad = tmp_path / "grants.json"
    bad.write_text('{"grants": [')
    with pytest.raises(AnchorspendError) as caught:
        read_grants(bad)
    assert "grants.json" in caught.value.message
    wrong = tmp_path / "wrong.json"
    wrong.write_text('{"releases": []}')
    with pytest.raises(AnchorspendError) as caught:
        read_grants(wrong)
    assert "wrong.json is not a 360Giving JSON file" in caught.value.message


# ---------------------------------------------------------------------------------------------
# OCDS


def ocds(
    source: str,
    name: str,
    company: str | None,
    charity: str | None,
    postcode: str | None,
    scale: str | None,
    sme: bool | None,
    vcse_key: str | None,
    vcse: bool | None,
    as_of: str,
) -> Row:
    return (
        f"OCDS: {source}",
        name,
        company,
        charity,
        postcode,
        None,
        False,
        sme,
        f"OCDS: party details.scale = {scale}" if sme is not None else None,
        "declared" if sme is not None else None,
        vcse,
        f"OCDS: party details.{vcse_key} = {str(vcse).lower()}" if vcse is not None else None,
        "declared" if vcse is not None else None,
        as_of,
    )


RP = "ocds-release-package.json"
RELEASE_EXPECTED = [
    # also in an earlier-dated release as "large": the latest release (2025-03-04) wins
    ocds(
        RP, "Acorn Bakery Ltd", "07687209", None, "M1 1AA", "sme", True, "vcse", False, "2025-03-04"
    ),
    ocds(
        RP,
        "Cyril Flint Befrienders",
        "07962245",
        "1146179",
        "WA15 6PF",
        "micro",
        True,
        "vcse",
        True,
        "2025-03-04",
    ),
    ocds(
        RP, "Big Facilities PLC", "SC123456", None, None, "large", False, None, None, "2025-03-04"
    ),
    ocds(
        RP,
        "Glasgow Social Enterprise",
        None,
        "SC012345",
        "G1 1AA",
        "small",
        True,
        "isVCSE",
        True,
        "2025-03-04",
    ),
    ocds(RP, "Medium Transport Co", None, None, None, "medium", True, None, None, "2025-03-04"),
    ocds(RP, "Unknown Scale Ltd", None, None, None, None, None, None, None, "2025-03-04"),
    # scale "Unknown" and isVcse "yes" (not a boolean): both null
    ocds(
        RP,
        "Belfast Youth Project",
        None,
        "NIC100123",
        "BT12 4AA",
        None,
        None,
        None,
        None,
        "2025-02-01",
    ),
]


def test_ocds_release_package() -> None:
    got = rows(read_ocds(REG / RP))
    assert got == RELEASE_EXPECTED
    names = {r[1] for r in got}
    assert "Quill Consulting Ltd" not in names  # a tenderer only
    assert "Trafford Metropolitan Borough Council" not in names  # the buyer


def test_ocds_record_package() -> None:
    rp = "ocds-record-package.json"
    assert rows(read_ocds(REG / rp)) == [
        # compiledRelease used (its linked release has no parties)
        ocds(
            rp,
            "Rowan Community Cafe CIC",
            "10000012",
            None,
            "M32 0LG",
            "micro",
            True,
            "vcse",
            True,
            "2025-05-01",
        ),
        # no compiledRelease: the last release; "oc301234" normalised
        ocds(
            rp,
            "Bridgewater Partners LLP",
            "OC301234",
            None,
            "M2 2BB",
            "sme",
            True,
            "vcse",
            False,
            "2024-06-01",
        ),
    ]


def test_ocds_single_release_and_array(tmp_path: Path) -> None:
    package = json.loads((REG / RP).read_text())
    single = tmp_path / "release.json"
    single.write_text(json.dumps(package["releases"][2]))
    assert [r[1] for r in rows(read_ocds(single))] == [
        "ACORN BAKERY LIMITED",
        "Belfast Youth Project",
    ]
    array = tmp_path / "array.json"
    records = json.loads((REG / "ocds-record-package.json").read_text())
    array.write_text(json.dumps([package, records]))
    assert [r[1] for r in rows(read_ocds(array))] == [
        *(r[1] for r in RELEASE_EXPECTED),
        "Rowan Community Cafe CIC",
        "Bridgewater Partners LLP",
    ]


def test_ocds_invalid_json(tmp_path: Path) -> None:
    bad = tmp_path / "notices.json"
    bad.write_text('{"releases": [{"ocid": ')
    with pytest.raises(AnchorspendError) as caught:
        read_ocds(bad)
    assert caught.value.message.startswith("notices.json is not valid OCDS JSON")
    assert caught.value.path == str(bad)


def test_ocds_wrong_shape(tmp_path: Path) -> None:
    bad = tmp_path / "grants.json"
    bad.write_text('{"grants": []}')
    with pytest.raises(AnchorspendError) as caught:
        read_ocds(bad)
    assert "not an OCDS release package, record package or release" in caught.value.message
    assert caught.value.details == ["found: an object with keys 'grants'"]


def test_json_size_bound(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registers_common, "MAX_JSON_BYTES", 10)
    with pytest.raises(AnchorspendError) as caught:
        read_ocds(REG / RP)
    assert "over 2 GB is not read" in caught.value.message


# ---------------------------------------------------------------------------------------------
# Together


def test_claims_concatenate() -> None:
    frames = [
        read_companies_house(CH_FILE),
        read_charities(REG / "publicextract.charity.txt"),
        read_grants(REG / "grants-360giving.json"),
        read_ocds(REG / RP),
    ]
    together = pl.concat(frames).collect()
    assert tuple(together.columns) == CLAIM_COLUMNS == EXPECTED_COLUMNS
    assert together.height == 26 + 5 + 3 + 7
    assert together["dissolved"].null_count() == 0
    for flag in ("is_sme", "is_vcse"):
        known = together[flag].is_not_null()
        assert (together[f"{flag}_evidence"].is_not_null() == known).all()
        assert (together[f"{flag}_confidence"].is_not_null() == known).all()
