"""Write the bundled example finance export: ``python examples/generate_payments.py FOLDER``.

``northborough-invoices-2026.csv`` — Northborough Borough Council's accounts-payable export as at
15 October 2026: one row per invoice received from January to September 2026, with its invoice,
received, due and payment dates (blank while unpaid), net, VAT and gross amounts, status,
disputed flag, contract reference and the regime the contract was procured under. The
suppliers are the council's from ``generate.py`` (the lookup in ``examples/lookups`` classifies
them). Deterministic (``random.Random(2027)`` plus hand-written special rows), so the file is
byte-identical on every run. It exercises:

  * small local suppliers paid more slowly than the national firms, so the split by supplier
    type shows it;
  * payments on the day of receipt, at exactly 30, 31, 60 and 61 days, and across the
    31 March / 1 April period boundary;
  * invoices still unpaid at the export date, some past their due date;
  * contracts procured under the 2023 Act and under PCR 2015 (reg 113 only);
  * a disputed invoice, a credit note, a zero-value line, an invoice paid before it was
    received (a keying error) and one with no received date (``--received-from invoice-date``);
  * payments over £30,000 gross under 2023 Act contracts (``--s70``).

A one-line summary (rows and the exact total of the net amounts) is printed.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import sys
from decimal import Decimal
from pathlib import Path

from generate import COUNCIL, COUNCIL_SUPPLIERS

FILE = "northborough-invoices-2026.csv"
EXPORTED = dt.date(2026, 10, 15)
HEADER = [
    "Body Name", "Supplier Name", "Supplier ID", "Company Number", "Invoice Number",
    "Invoice Date", "Date Received", "Due Date", "Payment Date", "Net Amount", "VAT",
    "Gross Amount", "Status", "Disputed", "Contract Reference", "Procured Under",
]  # fmt: skip
# the national firms, paid on their contracts' terms; the rest wait longer
FAST = {"Capita Business Services Ltd", "Veolia ES (UK) Ltd", "Allied Office Supplies Ltd",
        "Edinburgh Data Systems Ltd"}  # fmt: skip
# contracts let before 24 February 2025 stay under PCR 2015
EARLIER = {"Veolia ES (UK) Ltd", "Moorside Care Homes Ltd"}


def day(value: dt.date | None) -> str:
    return "" if value is None else value.strftime("%d/%m/%Y")


def money(value: Decimal) -> str:
    return f"{value:.2f}"


def invoice(
    rng: random.Random, number: int, supplier: tuple[object, ...], received: dt.date
) -> list[str]:
    name, sid, company, _area, _kind, low, high = supplier
    assert isinstance(name, str) and isinstance(low, int) and isinstance(high, int)
    net = Decimal(rng.randrange(low * 100, high * 100)) / 100
    vat = (net * Decimal("0.2")).quantize(Decimal("0.01"))
    wait = (
        rng.choice([3, 5, 9, 14, 18, 21, 25, 28])
        if name in FAST
        else rng.choice([12, 19, 26, 29, 33, 38, 44, 52, 58, 66, 75])
    )
    paid: dt.date | None = received + dt.timedelta(days=wait)
    if paid is not None and paid > EXPORTED:
        paid = None
    due = received + dt.timedelta(days=30)
    return [
        COUNCIL, name, str(sid), str(company), f"NBC-{number}",
        day(received - dt.timedelta(days=rng.randrange(0, 4))), day(received), day(due),
        day(paid), money(net), money(vat), money(net + vat), "Paid" if paid else "Unpaid", "No",
        f"NBC-C-{sid}", "PCR 2015" if name in EARLIER else "Procurement Act 2023",
    ]  # fmt: skip


def rows(rng: random.Random) -> list[list[str]]:
    out = []
    for number in range(1, 181):
        received = dt.date(2026, 1, 5) + dt.timedelta(days=rng.randrange(0, 268))
        out.append(invoice(rng, 50000 + number, rng.choice(COUNCIL_SUPPLIERS), received))
    by_name = {s[0]: s for s in COUNCIL_SUPPLIERS}

    def special(name: str, *cells: str) -> list[str]:
        _, sid, company, *_ = by_name[name]
        return [COUNCIL, name, str(sid), str(company), *cells]

    act = "Procurement Act 2023"
    out += [
        special("Kestrel Grounds Maintenance Ltd", "NBC-S1", "31/03/2026", "31/03/2026",
                "30/04/2026", "31/03/2026", "640.00", "128.00", "768.00", "Paid", "No",
                "NBC-C-100388", act),  # paid on the day received: 0 days
        special("Hartley & Sons Plumbing", "NBC-S2", "01/02/2026", "02/02/2026", "04/03/2026",
                "04/03/2026", "880.00", "176.00", "1056.00", "Paid", "No", "NBC-C-100934",
                act),  # 30 days
        special("Hartley & Sons Plumbing", "NBC-S3", "01/02/2026", "02/02/2026", "04/03/2026",
                "05/03/2026", "920.00", "184.00", "1104.00", "Paid", "No", "NBC-C-100934",
                act),  # 31 days
        special("Fenwick Print & Design Ltd", "NBC-S4", "14/01/2026", "15/01/2026",
                "14/02/2026", "16/03/2026", "1210.00", "242.00", "1452.00", "Paid", "No",
                "NBC-C-101120", act),  # 60 days
        special("Fenwick Print & Design Ltd", "NBC-S5", "14/01/2026", "15/01/2026",
                "14/02/2026", "17/03/2026", "1330.00", "266.00", "1596.00", "Paid", "No",
                "NBC-C-101120", act),  # 61 days
        special("Brightwell Catering Ltd", "NBC-S6", "10/03/2026", "12/03/2026", "31/03/2026",
                "01/04/2026", "2150.00", "430.00", "2580.00", "Paid", "No", "NBC-C-100815",
                act),  # due in one period, paid on the first day of the next
        special("Pennine Highways Ltd", "NBC-S7", "02/06/2026", "03/06/2026", "03/07/2026",
                "", "36400.00", "7280.00", "43680.00", "Unpaid", "Yes", "NBC-C-101488",
                act),  # disputed
        special("Allied Office Supplies Ltd", "NBC-S8", "20/05/2026", "21/05/2026",
                "20/06/2026", "28/05/2026", "-480.00", "-96.00", "-576.00", "Paid", "No",
                "NBC-C-101257", act),  # credit note
        special("Allied Office Supplies Ltd", "NBC-S9", "20/05/2026", "21/05/2026",
                "20/06/2026", "28/05/2026", "0.00", "0.00", "0.00", "Paid", "No",
                "NBC-C-101257", act),  # zero-value line
        special("Northborough Youth Trust", "NBC-S10", "08/07/2026", "18/07/2026",
                "17/08/2026", "08/07/2026", "3000.00", "0.00", "3000.00", "Paid", "No",
                "NBC-C-101046", act),  # paid before received: a keying error
        special("Riverside Community Transport CIC", "NBC-S11", "12/08/2026", "", "",
                "25/08/2026", "4100.00", "0.00", "4100.00", "Paid", "No", "NBC-C-100530",
                act),  # no received date
        special("Northborough Leisure Trust", "NBC-S12", "01/04/2026", "01/04/2026",
                "01/05/2026", "24/04/2026", "41250.00", "0.00", "41250.00", "Paid", "No",
                "NBC-C-101590", act),  # over £30,000 gross: s.70
        special("Pennine Highways Ltd", "NBC-S13", "13/07/2026", "14/07/2026", "13/08/2026",
                "20/08/2026", "27500.00", "5500.00", "33000.00", "Paid", "No",
                "NBC-C-101488", act),  # over £30,000 only with VAT: s.70
    ]  # fmt: skip
    out.sort(key=lambda r: (dt.datetime.strptime(r[6] or r[5], "%d/%m/%Y").date(), r[4]))
    return out


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python examples/generate_payments.py FOLDER", file=sys.stderr)
        return 2
    folder = Path(argv[0])
    folder.mkdir(parents=True, exist_ok=True)
    data = rows(random.Random(2027))
    with (folder / FILE).open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh, lineterminator="\n")
        out.writerow(HEADER)
        out.writerows(data)
    total = sum((Decimal(r[9]) for r in data), Decimal("0.00"))
    print(f"{FILE}: {len(data)} rows, total {total}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
