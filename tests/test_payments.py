"""``anchorspend payments``: the notice's figures against a hand-computed fixture that exercises
each boundary, the reconciliation, the rows not measured, and the CLI around them.

tests/fixtures/payments/boundaries.csv (commencement 2026-01-01, half-year periods A =
Jan–Mar 2026, B = Apr–Sep 2026, C = Oct 2026–Mar 2027), by invoice:

- A30: received 5 Jan, paid 4 Feb = 30 days (1–30); A31: paid 5 Feb = 31 days (31–60)
- A60: received 10 Jan, paid 11 Mar = 60 days (31–60); A61: paid 12 Mar = 61 days (61+)
- SAMEDAY: received and paid 31 Mar = 0 days (1–30, within 5); due (no due date) 30 Apr, in B
- DUE-A-PAID-B: due 31 Mar (A), paid 1 Apr = 12 days, in B: due in A and not paid within it
- UNPAID: due 3 Mar, never paid; DISPUTED, CREDIT (−£45), ZERO, EARLY (paid before received),
  NORECEIVED (no received date): listed, not measured
- PCR: procured under PCR 2015, 3 days: reg 113 and PPN 05/15 only
- BEFORE: paid in December 2025, outside every period
- DUE-B-PAID-C: due 30 Sep (B), paid 1 Oct = 30 days, in C
- a "Total" footer (excluded) and BADAMOUNT (rejected when read)

SmallCo is an SME, diverse-led and local; BigCo is large; MysteryCo is in no lookup.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from markdown_it import MarkdownIt  # installed with rich

from anchorspend.config import Config
from anchorspend.config import load as load_config
from anchorspend.errors import AnchorspendError
from anchorspend.gather.options import RunConfig
from anchorspend.payments.figures import average_days
from anchorspend.payments.periods import period_of
from anchorspend.payments.rules import Setup
from anchorspend.payments_doc import PaymentsConfig, payments
from tests.helpers import FIXTURES, invoke, parse

PAY = FIXTURES / "payments"
A = ("2026-01-01", "2026-03-31")
B = ("2026-04-01", "2026-09-30")
C = ("2026-10-01", "2027-03-31")


def run_fixture(**kw: Any) -> dict[str, Any]:
    run = RunConfig(
        inputs=(PAY / "boundaries.csv",),
        lookups=(PAY / "suppliers.csv",),
        config=load_config(PAY / "testshire.toml"),
    )
    return payments(PaymentsConfig(run=run, **kw)).document


def row(doc: dict[str, Any], period: tuple[str, str], kind: str = "all") -> dict[str, Any]:
    (found,) = [
        p
        for p in doc["payments"]
        if (p["period_start"], p["period_end"]) == period and p["supplier_type"] == kind
    ]
    return found


def test_period_a_all_suppliers_by_hand() -> None:
    a = row(run_fixture(), A)
    assert a["organisation"] == "Testshire Council"
    # A30 30d £100, A31 31d £200, A60 60d £300, A61 61d £400, SAMEDAY 0d £50
    assert (a["paid_count"], a["paid_value"]) == (5, "1050.00")
    assert a["average_days_to_pay"] == 36.4  # 182 / 5
    assert (a["share_paid_1_30"], a["share_paid_31_60"], a["share_paid_61_plus"]) == (
        2 / 5,
        2 / 5,
        1 / 5,
    )
    assert (
        a["value_share_paid_1_30"],
        a["value_share_paid_31_60"],
        a["value_share_paid_61_plus"],
    ) == (150 / 1050, 500 / 1050, 400 / 1050)
    # due in A: A30, A31 (4 Feb), A60, A61 (9 Feb), DUE-A-PAID-B (31 Mar), UNPAID (3 Mar)
    assert (a["due_count"], a["due_value"]) == (6, "1200.00")
    assert a["due_not_paid_share"] == 2 / 6  # DUE-A-PAID-B (paid 1 Apr) and UNPAID
    assert a["value_due_not_paid_share"] == 200 / 1200
    # reg 113 and PPN 05/15 count PCR (3 days, £500) too
    assert (a["all_regimes_paid_count"], a["all_regimes_paid_value"]) == (6, "1550.00")
    assert a["within_30_share"] == 3 / 6  # A30, SAMEDAY, PCR
    assert a["value_within_30_share"] == 650 / 1550
    assert a["within_5_share"] == 2 / 6  # SAMEDAY, PCR
    assert a["value_within_5_share"] == 550 / 1550


def test_periods_b_and_c_by_hand() -> None:
    doc = run_fixture()
    b = row(doc, B)
    assert (b["paid_count"], b["paid_value"], b["average_days_to_pay"]) == (1, "80.00", 12.0)
    assert b["share_paid_1_30"] == 1.0
    # due in B: SAMEDAY (30 Apr, paid 31 Mar) and DUE-B-PAID-C (30 Sep, paid 1 Oct)
    assert (b["due_count"], b["due_not_paid_share"]) == (2, 1 / 2)
    assert b["value_due_not_paid_share"] == 60 / 110
    c = row(doc, C)
    assert (c["paid_count"], c["average_days_to_pay"], c["share_paid_1_30"]) == (1, 30.0, 1.0)
    assert (c["due_count"], c["due_not_paid_share"]) == (0, None)
    assert [(p["period_start"], p["period_end"]) for p in doc["payments"][::7]] == [A, B, C]


def test_split_by_supplier_type() -> None:
    doc = run_fixture()
    types = [p["supplier_type"] for p in doc["payments"] if p["period_start"] == A[0]]
    assert types == ["all", "sme", "vcse", "local", "diverse_led", "large", "unknown"]
    sme = row(doc, A, "sme")  # A30, A31
    assert (sme["paid_count"], sme["paid_value"], sme["average_days_to_pay"]) == (2, "300.00", 30.5)
    assert (sme["due_count"], sme["due_not_paid_share"]) == (4, 0.5)
    assert sme["value_due_not_paid_share"] == 200 / 500
    assert row(doc, A, "local") == {**sme, "supplier_type": "local"}
    assert row(doc, A, "diverse_led") == {**sme, "supplier_type": "diverse_led"}
    assert row(doc, A, "vcse")["paid_count"] == 0
    large = row(doc, A, "large")  # A60, A61, SAMEDAY: 121 days / 3
    assert (large["paid_count"], large["average_days_to_pay"]) == (3, 40.33)
    assert (large["due_count"], large["due_not_paid_share"]) == (2, 0.0)
    unknown = row(doc, A, "unknown")  # only PCR, outside the notice's scope
    assert (unknown["paid_count"], unknown["average_days_to_pay"]) == (0, None)
    assert (unknown["all_regimes_paid_count"], unknown["within_5_share"]) == (1, 1.0)


def test_reconciliation_and_rows_not_measured() -> None:
    doc = run_fixture()
    rec = doc["payments_reconciliation"]
    counts = {k: rec[k] for k in rec if k.startswith("rows_")}
    assert counts == {
        "rows_read": 17,
        "rows_measured": 9,
        "rows_not_measured": 5,
        "rows_outside": 1,
        "rows_excluded": 1,
        "rows_rejected": 1,
    }
    amounts = {k: rec[k] for k in rec if k.startswith("amount_")}
    assert amounts == {
        "amount_read": "5738.00",
        "amount_measured": "1810.00",
        "amount_not_measured": "1049.00",
        "amount_outside": "10.00",
        "amount_excluded": "2869.00",
        "amount_rejected": "0.00",
    }
    assert Decimal(rec["amount_read"]) == sum(
        Decimal(v) for k, v in amounts.items() if k != "amount_read"
    )
    assert [(r["reason"], r["rows"], r["amount"]) for r in rec["not_measured"]] == [
        ("credit-note", 1, "-45.00"),
        ("disputed", 1, "999.00"),
        ("missing-received-date", 1, "25.00"),
        ("paid-before-received", 1, "70.00"),
        ("zero-value", 1, "0.00"),
    ]
    assert rec["outside"] == [{"reason": "outside-periods", "rows": 1, "amount": "10.00"}]
    assert rec["exclusions"] == [{"reason": "footer-total", "rows": 1, "amount": "2869.00"}]
    assert rec["rejections"] == [{"reason": "invalid-amount", "rows": 1, "amount": "0.00"}]
    listed = {(r["row"], r["invoice_id"], r["reasons"]) for r in doc["payments_not_measured"]}
    assert listed == {
        (9, "DISPUTED", "disputed"),
        (10, "CREDIT", "credit-note"),
        (11, "EARLY", "paid-before-received"),
        (15, "ZERO", "zero-value"),
        (18, "NORECEIVED", "missing-received-date"),
    }
    assert doc["payments_not_measured_rows"] == 5


def test_received_from_invoice_date_measures_the_row_and_says_so() -> None:
    doc = run_fixture(received_from_invoice=True)
    a = row(doc, A)  # NORECEIVED: invoice 2 Feb, paid 12 Feb = 10 days, £25
    assert (a["paid_count"], a["paid_value"], a["average_days_to_pay"]) == (6, "1075.00", 32.0)
    assert (a["due_count"], a["due_not_paid_share"]) == (7, 2 / 7)
    codes = {f["code"]: f for f in doc["findings"]}
    assert "1 invoices have no received date" in codes["received-from-invoice-date"]["message"]
    assert doc["payments_reconciliation"]["rows_measured"] == 10


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        ("h1", [B]),
        ("h2", [A, C]),
        (
            "quarter",
            [
                A,
                ("2026-04-01", "2026-06-30"),
                ("2026-07-01", "2026-09-30"),
                ("2026-10-01", "2026-12-31"),
            ],
        ),
        ("year", [A, ("2026-04-01", "2027-03-31")]),
    ],
)
def test_period_choices(period: str, expected: list[tuple[str, str]]) -> None:
    doc = run_fixture(period=period)
    got = [(p["period_start"], p["period_end"]) for p in doc["payments"][::7]]
    assert got == expected


def test_commencement_from_config(tmp_path: Path) -> None:
    cfg = tmp_path / "a.toml"
    cfg.write_text("[payments]\ncommencement = 2026-02-01\n", encoding="utf-8")
    run = RunConfig(inputs=(PAY / "boundaries.csv",), config=load_config(cfg))
    doc = payments(PaymentsConfig(run=run)).document
    first = row(doc, ("2026-02-01", "2026-03-31"))
    assert first["paid_count"] == 5  # paid 4 Feb to 31 Mar: none of A's five is in January
    cfg.write_text('[payments]\ncommencement = "soon"\n', encoding="utf-8")
    with pytest.raises(AnchorspendError, match="commencement"):
        load_config(cfg)


def test_period_of_boundaries() -> None:
    days = [
        date(2025, 12, 31),
        date(2026, 1, 1),
        date(2026, 3, 31),
        date(2026, 4, 1),
        date(2026, 9, 30),
        date(2026, 10, 1),
        date(2027, 3, 31),
    ]
    start, end = period_of(pl.col("d"), Setup())
    got = pl.DataFrame({"d": days}).select(start.alias("start"), end.alias("end")).rows()
    assert got == [
        (None, None),
        (date(2026, 1, 1), date(2026, 3, 31)),
        (date(2026, 1, 1), date(2026, 3, 31)),
        (date(2026, 4, 1), date(2026, 9, 30)),
        (date(2026, 4, 1), date(2026, 9, 30)),
        (date(2026, 10, 1), date(2027, 3, 31)),
        (date(2026, 10, 1), date(2027, 3, 31)),
    ]


@pytest.mark.parametrize(
    ("total", "n"),
    [(1, 8), (3, 8), (5, 8), (121, 3), (182, 5), (2, 3), (1, 200), (0, 4), (55, 3), (1, 3)],
)
def test_average_rounds_half_up_to_two_places(total: int, n: int) -> None:
    got = pl.select(average_days(pl.lit(total), pl.lit(n))).item()
    exact = Decimal(total) / Decimal(n)
    # the number as written in the JSON is the 2 dp decimal itself (55 / 3: 18.33, not
    # 18.330000000000002)
    assert Decimal(str(got)) == exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert len(str(got).split(".")[1]) <= 2


def test_no_received_date_column_stops_with_the_fix(tmp_path: Path) -> None:
    f = tmp_path / "x.csv"
    f.write_text(
        "Supplier,Invoice Date,Payment Date,Amount\nA Ltd,01/02/2026,10/02/2026,10.00\n",
        encoding="utf-8",
    )
    r = invoke("payments", f)
    assert r.exit_code == 3
    assert "no invoice_received_date column" in r.stderr
    assert "--received-from invoice-date" in r.stderr
    ok = invoke("payments", f, "--received-from", "invoice-date", "--json")
    assert ok.exit_code == 0, ok.stderr
    doc = json.loads(ok.stdout)
    assert row(doc, A)["average_days_to_pay"] == 9.0
    assert "procured-under-missing" in {x["code"] for x in doc["findings"]}


def test_cli_json_and_outputs(tmp_path: Path) -> None:
    args = [
        "payments",
        PAY / "boundaries.csv",
        "--lookup",
        PAY / "suppliers.csv",
        "--config",
        PAY / "testshire.toml",
    ]
    r = invoke(*args, "--json")
    assert r.exit_code == 0, r.stderr
    assert json.loads(r.stdout) == run_fixture()
    out = tmp_path / "out"
    r = invoke(*args, "--out", out, "--s70", "--quiet")
    assert r.exit_code == 0, r.stderr
    names = sorted(p.name for p in out.iterdir() if not p.name.startswith("."))
    assert names == [
        "findings.csv",
        "payments.csv",
        "payments.html",
        "payments.json",
        "payments.md",
        "payments.xlsx",
        "payments_distribution.csv",
        "payments_not_measured.csv",
        "rejected_rows.csv",
        "s70_payments.csv",
    ]
    figures = pl.read_csv(out / "payments.csv")
    assert figures.height == 3 * 7
    listed = pl.read_csv(out / "payments_not_measured.csv")
    assert listed.get_column("invoice_amount").to_list() == [999.0, -45.0, 70.0, 0.0, 25.0]
    html = (out / "payments.html").read_text(encoding="utf-8")
    assert "<script" not in html and "36.40" in html and "<svg" in html
    assert "| Average days to pay | 36.40 |" in (out / "payments.md").read_text(encoding="utf-8")
    assert pl.read_csv(out / "s70_payments.csv").height == 0  # nothing over £30,000
    sheet = pl.read_excel(out / "payments.xlsx", sheet_name="Payments")
    assert sheet.height == 3 * 7 and sheet.item(0, "average_days_to_pay") == 36.4
    again = tmp_path / "again"
    invoke(*args, "--out", again, "--s70", "--quiet")
    for name in names:
        assert (again / name).read_bytes() == (out / name).read_bytes(), name
    strict = invoke(*args, "--strict", "--quiet")
    assert strict.exit_code == 1  # BADAMOUNT was rejected


def test_distribution_buckets() -> None:
    doc = run_fixture()
    a = {d["bucket"]: d["count"] for d in doc["payments_distribution"] if d["period_start"] == A[0]}
    assert a == {
        "0-5": 1,
        "6-10": 0,
        "11-15": 0,
        "16-20": 0,
        "21-25": 0,
        "26-30": 1,
        "31-45": 1,
        "46-60": 1,
        "61-90": 1,
        "91+": 0,
    }


def test_s70_lists_each_payment_over_30000_gross(tmp_path: Path) -> None:
    f = tmp_path / "big.csv"
    f.write_text(
        "Supplier,Invoice Received Date,Payment Date,Amount,VAT,Procured Under,Contract ID\n"
        "A Ltd,01/02/2026,10/02/2026,25000.00,5000.00,2023 Act,C1\n"  # exactly £30,000: not over
        "A Ltd,01/02/2026,11/02/2026,25000.01,5000.00,2023 Act,C1\n"  # £30,000.01
        "B Ltd,01/04/2026,11/04/2026,40000.00,8000.00,PCR 2015,C2\n"  # an earlier regime
        "B Ltd,01/04/2026,12/04/2026,40000.00,8000.00,Procurement Act 2023,C3\n",
        encoding="utf-8",
    )
    run = RunConfig(inputs=(f,), config=Config())
    result = payments(PaymentsConfig(run=run, s70=True))
    assert result.s70 is not None
    got = result.s70.select("quarter_start", "payment_date", "gross_amount", "contract_id").rows()
    assert got == [
        ("2026-01-01", "2026-02-11", "30000.01", "C1"),
        ("2026-04-01", "2026-04-12", "48000.00", "C3"),
    ]
    assert result.document["s70"] == {
        "threshold": "30000.00",
        "fields_missing": ["invoice_id", "company_number", "expense_type", "purpose"],
        "payments": 2,
    }


def test_s70_without_gross_or_vat_stops(tmp_path: Path) -> None:
    f = tmp_path / "net.csv"
    f.write_text(
        "Supplier,Invoice Received Date,Payment Date,Amount\nA Ltd,01/02/2026,10/02/2026,5.00\n",
        encoding="utf-8",
    )
    r = invoke("payments", f, "--s70", "--out", tmp_path / "o")
    assert r.exit_code == 3
    assert "gross" in r.stderr and "--map vat_amount" in r.stderr


# --------------------------------------------------------------- property: an independent recount


def _period(d: date, commencement: date) -> tuple[date, date] | None:
    """Half-year periods, computed by hand."""
    if d < commencement:
        return None
    if 4 <= d.month <= 9:
        start, end = date(d.year, 4, 1), date(d.year, 9, 30)
    elif d.month >= 10:
        start, end = date(d.year, 10, 1), date(d.year + 1, 3, 31)
    else:
        start, end = date(d.year - 1, 10, 1), date(d.year, 3, 31)
    return max(start, commencement), end


def recount(rows: list[tuple[date, date | None, date | None, int]]) -> dict[Any, dict[str, Any]]:
    """(received, paid, due, pence) rows → per period the notice's figures, in plain Python."""
    from datetime import timedelta

    comm = date(2026, 1, 1)
    out: dict[Any, dict[str, Any]] = {}

    def cell(p: tuple[date, date]) -> dict[str, Any]:
        return out.setdefault(
            p,
            {
                "n": 0,
                "days": 0,
                "bands": [0, 0, 0],
                "v": 0,
                "vb": [0, 0, 0],
                "due": 0,
                "unpaid": 0,
                "w5": 0,
            },
        )

    for received, paid, due, pence in rows:
        if paid is not None and paid < received:
            continue  # paid-before-received: not measured
        if paid is not None and (p := _period(paid, comm)):
            c = cell(p)
            days = (paid - received).days
            band = 0 if days <= 30 else 1 if days <= 60 else 2
            c["n"] += 1
            c["days"] += days
            c["bands"][band] += 1
            c["v"] += pence
            c["vb"][band] += pence
            c["w5"] += days <= 5
        due_day = due or received + timedelta(days=30)
        if p := _period(due_day, comm):
            c = cell(p)
            c["due"] += 1
            c["unpaid"] += paid is None or paid > p[1]
    return out


def test_property_against_an_independent_recount(tmp_path_factory: pytest.TempPathFactory) -> None:
    from hypothesis import example, given
    from hypothesis import strategies as st

    entry = st.tuples(
        st.integers(0, 500),  # received: days after 1 October 2025
        st.one_of(st.none(), st.integers(-3, 120)),  # paid: days after received
        st.one_of(st.none(), st.integers(-5, 90)),  # due: days after received
        st.integers(1, 5_000_000),  # pence
    )

    @given(st.lists(entry, min_size=1, max_size=40))
    @example([(155, 27, None, 1), (155, 27, None, 1), (181, 1, None, 1)])  # 55 / 3 days
    def check(entries: list[tuple[int, int | None, int | None, int]]) -> None:
        from datetime import timedelta

        base = date(2025, 10, 1)
        rows = [
            (
                base + timedelta(r),
                None if p is None else base + timedelta(r + p),
                None if d is None else base + timedelta(r + d),
                v,
            )
            for r, p, d, v in entries
        ]
        lines = ["Supplier,Invoice Received Date,Due Date,Payment Date,Amount"]
        for received, paid, due, pence in rows:
            lines.append(
                f"S Ltd,{received:%d/%m/%Y},{'' if due is None else f'{due:%d/%m/%Y}'},"
                f"{'' if paid is None else f'{paid:%d/%m/%Y}'},{pence // 100}.{pence % 100:02d}"
            )
        f = tmp_path_factory.mktemp("p") / "pay.csv"
        f.write_text("\n".join(lines) + "\n", encoding="utf-8")
        doc = payments(PaymentsConfig(run=RunConfig(inputs=(f,)))).document
        expected = recount(rows)
        got = {
            (date.fromisoformat(p["period_start"]), date.fromisoformat(p["period_end"])): p
            for p in doc["payments"]
            if p["supplier_type"] == "all"
        }
        for key, c in expected.items():
            p = got[key]
            assert p["paid_count"] == c["n"]
            assert Decimal(p["paid_value"]) * 100 == c["v"]
            if c["n"]:
                exact = Fraction(c["days"], c["n"])
                want = Decimal(exact.numerator) / Decimal(exact.denominator)
                assert Decimal(str(p["average_days_to_pay"])) == want.quantize(
                    Decimal("0.01"), rounding=ROUND_HALF_UP
                )
                assert p["share_paid_1_30"] == c["bands"][0] / c["n"]
                assert p["share_paid_61_plus"] == c["bands"][2] / c["n"]
                assert p["value_share_paid_31_60"] == c["vb"][1] / c["v"]
                assert p["within_5_share"] == c["w5"] / c["n"]
            assert p["due_count"] == c["due"]
            if c["due"]:
                assert p["due_not_paid_share"] == c["unpaid"] / c["due"]
        # periods without figures in between are present, with zeros
        for key, p in got.items():
            if key not in expected:
                assert (p["paid_count"], p["due_count"]) == (0, 0)
        rec = doc["payments_reconciliation"]
        assert rec["rows_read"] == len(rows)
        total = sum(v for *_, v in rows)
        assert Decimal(rec["amount_read"]) * 100 == total

    check()


def test_check_validates_a_payments_export(tmp_path: Path) -> None:
    f = tmp_path / "invoices.csv"
    f.write_text(
        "Supplier,Date Received,Due Date,Date Paid,Amount,Status,Disputed\n"
        "A Ltd,10/02/2026,12/03/2026,01/02/2026,10.00,Paid,No\n"  # received after paid
        "B Ltd,10/02/2026,01/02/2026,20/02/2026,10.00,Paid,No\n"  # due before received
        "C Ltd,31/02/2026,,20/02/2026,10.00,Paid,No\n"  # no such day
        "D Ltd,01/02/2026,,,10.00,Pending approval,Maybe\n"  # unknown status and flag
        "E Ltd,01/02/2026,,,10.00,Unpaid,No\n",  # unpaid: fine
        encoding="utf-8",
    )
    r = invoke("check", f, "--json")
    assert r.exit_code == 1, r.stderr
    doc = json.loads(r.stdout)
    assert [x["schema"] for x in doc["files"]] == ["payments"]
    flat = [(x["row"], x["column"], x["code"], x["severity"]) for x in doc["findings"]]
    assert flat == [
        (2, "Date Received", "received-after-paid", "error"),
        (3, "Due Date", "due-before-received", "warning"),
        (4, "Date Received", "invalid-received-date", "error"),
        (5, "Disputed", "unknown-disputed", "warning"),
        (5, "Status", "unknown-status", "warning"),
    ]
    spend = invoke("check", f, "--schema", "spend", "--json")
    assert json.loads(spend.stdout)["files"][0]["schema"] == "spend"


def test_example_export_is_reproducible_and_reconciles(tmp_path: Path) -> None:
    import subprocess
    import sys

    from tests.helpers import ROOT

    examples = ROOT / "examples"
    done = subprocess.run(
        [sys.executable, str(examples / "generate_payments.py"), str(tmp_path)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=True,
    )
    name = "northborough-invoices-2026.csv"
    assert (tmp_path / name).read_bytes() == (examples / "payments" / name).read_bytes()
    rows, total = done.stdout.split(": ", 1)[1].split(" rows, total ")
    doc = payments(
        PaymentsConfig(
            run=RunConfig(
                inputs=(examples / "payments",),
                lookups=(examples / "lookups" / "suppliers.csv",),
                config=load_config(examples / "anchorspend.toml"),
            )
        )
    ).document
    rec = doc["payments_reconciliation"]
    assert (rec["rows_read"], rec["amount_read"]) == (int(rows), total.strip())
    assert {r["invoice_id"]: r["reasons"] for r in doc["payments_not_measured"]} == {
        "NBC-S7": "disputed",
        "NBC-S8": "credit-note",
        "NBC-S9": "zero-value",
        "NBC-S10": "paid-before-received",
        "NBC-S11": "missing-received-date",
    }
    assert rec["outside"] == [{"reason": "earlier-regime-unpaid", "rows": 1, "amount": "25724.97"}]
    assert "period-not-over" in {f["code"] for f in doc["findings"]}


def test_a_workbook_with_real_dates_and_serials(tmp_path: Path) -> None:
    from datetime import datetime

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["Supplier", "Date Received", "Due Date", "Date Paid", "Amount", "Disputed"])
    ws.append(["A Ltd", date(2026, 1, 5), None, date(2026, 2, 4), 100.0, "N"])  # 30 days
    ws.append(["B Ltd", datetime(2026, 1, 5), date(2026, 2, 4), None, 50.5, "N"])  # unpaid
    ws.append(["C Ltd", 46031, None, 46067, 20, "N"])  # serials: 9 Jan, 14 Feb = 36 days
    f = tmp_path / "invoices.xlsx"
    wb.save(f)
    doc = payments(PaymentsConfig(run=RunConfig(inputs=(f,)))).document
    a = row(doc, A)
    assert (a["paid_count"], a["average_days_to_pay"], a["share_paid_31_60"]) == (2, 33.0, 0.5)
    assert (a["due_count"], a["due_not_paid_share"]) == (3, 1 / 3)


def test_several_organisations_are_pooled(tmp_path: Path) -> None:
    f = tmp_path / "two.csv"
    f.write_text(
        "Organisation,Supplier,Date Received,Date Paid,Amount\n"
        "North,A Ltd,05/01/2026,15/01/2026,100.00\n"  # 10 days
        "South,B Ltd,05/01/2026,04/03/2026,300.00\n"  # 58 days
        "South,B Ltd,05/01/2026,06/03/2026,100.00\n",  # 60 days
        encoding="utf-8",
    )
    doc = payments(PaymentsConfig(run=RunConfig(inputs=(f,)))).document
    assert [p["organisation"] for p in doc["payments"][::7]] == ["North", "South", "(all)"]
    pooled = next(p for p in doc["payments"] if p["organisation"] == "(all)")
    assert (pooled["paid_count"], pooled["paid_value"]) == (3, "500.00")
    assert pooled["average_days_to_pay"] == 42.67  # 128 / 3
    assert pooled["value_share_paid_31_60"] == 400 / 500
    dist = {(d["organisation"], d["bucket"]): d["count"] for d in doc["payments_distribution"]}
    assert (dist["North", "6-10"], dist["South", "46-60"], dist["South", "6-10"]) == (1, 2, 0)
    assert (dist["(all)", "6-10"], dist["(all)", "46-60"], dist["(all)", "91+"]) == (1, 2, 0)
    assert [d["organisation"] for d in doc["payments_distribution"][::10]] == [
        "North",
        "South",
        "(all)",
    ]


def test_hostile_text_stays_text_in_every_output(tmp_path: Path) -> None:
    f = tmp_path / "hostile.csv"
    f.write_text(
        "Supplier,Invoice Number,Date Received,Date Paid,Amount\n"
        '<script>alert(1)</script>,"=HYPERLINK(""http://x"")",05/01/2026,15/01/2026,-10.00\n'
        "[click](javascript:alert(1)) *bold*,<img src=x>,05/01/2026,15/01/2026,-20.00\n"
        "A Ltd,I2,05/01/2026,15/01/2026,10.00\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    r = invoke("payments", f, "--out", out, "--quiet")
    assert r.exit_code == 0, r.stderr
    html = (out / "payments.html").read_text(encoding="utf-8")
    assert "<script" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    listed = pl.read_csv(out / "payments_not_measured.csv")
    assert listed.item(0, "invoice_id") == '\'=HYPERLINK("http://x")'
    assert listed.item(0, "invoice_amount") == -10.0  # our own money is never prefixed
    md = (out / "payments.md").read_text(encoding="utf-8")
    rendered = MarkdownIt("commonmark").enable("table").render(md)  # raw HTML allowed through
    assert "<script" not in rendered and "<img" not in rendered and "<a " not in rendered
    assert "<em>" not in rendered
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered
    assert "[click](javascript:alert(1)) *bold*" in "".join(parse(rendered).text)
