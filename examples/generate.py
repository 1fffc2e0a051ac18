"""Write the bundled example data: ``python examples/generate.py examples/spend``.

Both files are invented but shaped like real publications, and every row is deterministic
(``random.Random(2026)`` plus hand-written special rows), so the CSV is byte-identical on
every run and the workbook has identical cell values.

``northborough-council-2026-27.csv`` — a council "spend over £500" file in the Local
Government Transparency Code layout, April–September 2026 (2026-27 Q1 and Q2). It exercises:
  * UK dates (dd/mm/yyyy) and amounts written three ways: ``1234.56``, ``1,234.56`` and
    ``£1,234.56`` (fields containing commas are quoted);
  * three credit notes in three notations: ``(1,250.00)``, ``-480.00`` and ``312.50 CR``;
  * one ``REDACTED PERSONAL DATA`` supplier row (counted in total spend, never classified);
  * fifteen suppliers with stable Supplier IDs: local firms, a charity, a community interest
    company, a sole trader and national firms; company numbers mostly 8-digit, two written
    without leading zeros (``3241176``, ``987654``) and one Scottish (``SC123456``).

``riverside-nhs-trust-2026-27.xlsx`` — an NHS trust's HM Treasury "over £25,000" workbook:
  * a ``Notes`` cover sheet first; the data is on the second sheet, ``Spend``, under two title
    rows and a blank row;
  * real Excel date cells and numeric amounts with pennies; two credit notes (negative);
  * one ``Redacted`` supplier row; suppliers shared with the council file (the local network);
  * a footer row with ``Total`` in the first column, no date, and the sum in Amount — a total
    that must be excluded, never added to spend.

A one-line summary per file (rows and the exact Decimal total of the amounts) is printed.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import sys
import zipfile
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.writer.excel import ExcelWriter

COUNCIL_FILE = "northborough-council-2026-27.csv"
NHS_FILE = "riverside-nhs-trust-2026-27.xlsx"
COUNCIL = "Northborough Borough Council"
TRUST = "Riverside NHS Foundation Trust"
FIXED_TIME = dt.datetime(2026, 10, 15, 9, 0, 0)

COUNCIL_HEADER = [
    "Body Name", "Service Area", "Expenses Type", "Payment Date", "Transaction Number",
    "Net Amount", "Supplier Name", "Supplier ID", "Company Number",
]  # fmt: skip

# name, supplier ID, company number as written, service area, expenses type, £ low, £ high
COUNCIL_SUPPLIERS = [
    ("Capita Business Services Ltd", "100017", "02081330", "Corporate Services",
     "Revenues and Benefits Service", 4000, 48000),
    ("Northborough Building Services Ltd", "100245", "3241176", "Housing",
     "Building Repairs and Maintenance", 800, 14000),
    ("Kestrel Grounds Maintenance Ltd", "100388", "07654321", "Environment",
     "Grounds Maintenance", 600, 6500),
    ("Northborough Citizens Advice", "100412", "04567890", "Communities",
     "Grants to Voluntary Organisations", 2500, 12000),
    ("Riverside Community Transport CIC", "100530", "11234567", "Adult Social Care",
     "Community Transport", 900, 7500),
    ("Edinburgh Data Systems Ltd", "100611", "SC123456", "Corporate Services",
     "IT Software and Licences", 1500, 22000),
    ("Veolia ES (UK) Ltd", "100702", "02215767", "Waste Management",
     "Waste Collection Contract", 20000, 95000),
    ("Brightwell Catering Ltd", "100815", "09876543", "Education",
     "Catering Supplies", 520, 4200),
    ("Hartley & Sons Plumbing", "100934", "", "Housing",
     "Building Repairs and Maintenance", 510, 3200),
    ("Northborough Youth Trust", "101046", "", "Children's Services",
     "Grants to Voluntary Organisations", 1000, 8000),
    ("Fenwick Print & Design Ltd", "101120", "987654", "Corporate Services",
     "Printing and Stationery", 540, 2600),
    ("Allied Office Supplies Ltd", "101257", "01234567", "Corporate Services",
     "Printing and Stationery", 500, 3100),
    ("Moorside Care Homes Ltd", "101309", "06543210", "Adult Social Care",
     "Residential Care Placements", 3000, 26000),
    ("Pennine Highways Ltd", "101488", "08123456", "Highways",
     "Highways Maintenance", 2000, 38000),
    ("Northborough Leisure Trust", "101590", "05432109", "Leisure and Culture",
     "Management Fee", 15000, 42000),
]  # fmt: skip

NHS_HEADER = [
    "Departmental Family", "Entity", "Date", "Expense Type", "Expense Area", "Supplier",
    "Transaction number", "Amount",
]  # fmt: skip
DHSC = "Department of Health and Social Care"

# supplier, expense type, expense area, £ low, £ high
NHS_SUPPLIERS = [
    ("Supply Chain Coordination Ltd", "Clinical Supplies", "Surgery", 25000, 180000),
    ("Capita Business Services Ltd", "Payroll Services", "Finance", 26000, 60000),
    ("Riverside Community Transport CIC", "Patient Transport", "Community Services",
     25000, 34000),
    ("Edinburgh Data Systems Ltd", "IT Services", "Informatics", 27000, 90000),
    ("Northborough Building Services Ltd", "Estates Maintenance", "Estates", 25000, 48000),
    ("Mediquip Healthcare Ltd", "Medical Equipment", "Radiology", 30000, 240000),
    ("Riverside Hospice", "Hospice Care", "Medicine", 25000, 70000),
    ("Agency Nursing Solutions Ltd", "Agency Staff", "Medicine", 25000, 110000),
    ("Meridian Pharma Ltd", "Drugs", "Pharmacy", 28000, 150000),
]  # fmt: skip


def money_text(amount: Decimal, style: int) -> str:
    """``1234.56`` (style 0), ``1,234.56`` (1) or ``£1,234.56`` (2)."""
    return f"{amount:.2f}" if style == 0 else ("£" if style == 2 else "") + f"{amount:,.2f}"


def payment_day(rng: random.Random, i: int) -> dt.date:
    """A weekday in April–September 2026, the month cycling with ``i`` (weekends → Friday)."""
    day = dt.date(2026, 4 + i % 6, rng.randrange(1, 29))
    return day - dt.timedelta(days=max(0, day.weekday() - 4))


def pence(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randrange(low * 100, high * 100)) / 100


def council_rows(rng: random.Random) -> list[tuple[dt.date, list[str], Decimal]]:
    """(date, [service area, expenses type, net amount text, name, id, company], amount)."""
    rows = []
    picks = COUNCIL_SUPPLIERS + [rng.choice(COUNCIL_SUPPLIERS) for _ in range(41)]  # all paid
    for i, (name, sid, company, area, kind, low, high) in enumerate(picks):
        amount = pence(rng, low, high)
        cells = [area, kind, money_text(amount, rng.randrange(3)), name, sid, company]
        rows.append((payment_day(rng, i), cells, amount))
    by_name = {s[0]: s for s in COUNCIL_SUPPLIERS}
    specials = [  # three credit notes in three notations, and a redacted payee
        (dt.date(2026, 5, 14), "Kestrel Grounds Maintenance Ltd", "(1,250.00)", "-1250.00"),
        (dt.date(2026, 7, 9), "Allied Office Supplies Ltd", "-480.00", "-480.00"),
        (dt.date(2026, 8, 20), "Brightwell Catering Ltd", "312.50 CR", "-312.50"),
    ]
    for day, name, text, value in specials:
        _, sid, company, area, kind, _, _ = by_name[name]
        rows.append((day, [area, kind, text, name, sid, company], Decimal(value)))
    redacted = ["Adult Social Care", "Direct Payments", "1,820.00", "REDACTED PERSONAL DATA"]
    rows.append((dt.date(2026, 6, 18), [*redacted, "", ""], Decimal("1820.00")))
    rows.sort(key=lambda r: r[0])  # stable: same-day rows keep their generated order
    return rows


def write_council(folder: Path, rng: random.Random) -> tuple[int, Decimal]:
    rows = council_rows(rng)
    with (folder / COUNCIL_FILE).open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh, lineterminator="\n")
        out.writerow(COUNCIL_HEADER)
        for number, (day, cells, _) in enumerate(rows, start=700101):
            area, kind, amount, name, sid, company = cells
            out.writerow(
                [COUNCIL, area, kind, day.strftime("%d/%m/%Y"), str(number), amount, name, sid,
                 company]
            )  # fmt: skip
    return len(rows), sum((r[2] for r in rows), Decimal("0.00"))


def nhs_rows(rng: random.Random) -> list[tuple[dt.date, str, str, str, float]]:
    """(date, expense type, expense area, supplier, amount) — amounts exact to 2 dp."""
    rows = []
    picks = NHS_SUPPLIERS + [rng.choice(NHS_SUPPLIERS) for _ in range(17)]  # all paid
    for i, (supplier, kind, area, low, high) in enumerate(picks):
        amount = float(pence(rng, low, high))
        rows.append((payment_day(rng, i), kind, area, supplier, amount))
    rows += [
        (dt.date(2026, 4, 22), "Estates Maintenance", "Estates",
         "Northborough Building Services Ltd", 25400.5),
        (dt.date(2026, 6, 3), "Agency Staff", "Medicine", "Agency Nursing Solutions Ltd",
         31250.75),
        (dt.date(2026, 7, 16), "Agency Staff", "Medicine", "Agency Nursing Solutions Ltd",
         -31250.75),
        (dt.date(2026, 9, 10), "Medical Equipment", "Radiology", "Mediquip Healthcare Ltd",
         -26180.4),
        (dt.date(2026, 8, 5), "Compensation Payments", "Legal Services", "Redacted", 42000.0),
    ]  # fmt: skip
    rows.sort(key=lambda r: r[0])
    return rows


def write_nhs(folder: Path, rng: random.Random) -> tuple[int, Decimal]:
    rows = nhs_rows(rng)
    total = sum((Decimal(str(r[4])) for r in rows), Decimal("0.00"))
    wb = Workbook()
    notes = wb.active
    notes.title = "Notes"
    for line in [
        f"{TRUST}: expenditure over £25,000",
        "Published under HM Treasury guidance on transparency spend data.",
        "Period covered: 1 April 2026 to 30 September 2026.",
        "Amounts are in pounds sterling and exclude recoverable VAT.",
        "Payments to individuals are shown as Redacted to protect personal data.",
        "The spend data is on the sheet named Spend.",
    ]:
        notes.append([line])
    notes["A1"].font = Font(bold=True)
    ws = wb.create_sheet("Spend")
    ws.append([TRUST])
    ws.append(["Expenditure over £25,000, April to September 2026"])
    ws.append([])
    ws.append(NHS_HEADER)
    for cell in ws[4]:
        cell.font = Font(bold=True)
    for number, (day, kind, area, supplier, amount) in enumerate(rows, start=4100231):
        ws.append([DHSC, TRUST, day, kind, area, supplier, number, amount])
    ws.append(["Total", None, None, None, None, None, None, float(total)])
    for row in ws.iter_rows(min_row=5, max_row=ws.max_row):
        row[2].number_format = "dd/mm/yyyy"
        row[7].number_format = "#,##0.00"
    for col, width in zip("ABCDEFGH", (34, 30, 12, 24, 20, 36, 18, 14), strict=True):
        ws.column_dimensions[col].width = width
    wb.properties.creator = TRUST
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    save_stable(wb, folder / NHS_FILE)
    return len(rows), total


def save_stable(wb: Workbook, path: Path) -> None:
    """Save with fixed timestamps in the document properties and on every zip entry, so the
    workbook is byte-identical across runs (``wb.save`` stamps both with the current time)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).save()  # unlike wb.save, keeps properties.modified
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for item in src.infolist():
            entry = zipfile.ZipInfo(item.filename, FIXED_TIME.timetuple()[:6])
            entry.external_attr = item.external_attr
            out.writestr(entry, src.read(item), compress_type=zipfile.ZIP_DEFLATED)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python examples/generate.py FOLDER", file=sys.stderr)
        return 2
    folder = Path(argv[0])
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(2026)
    n, total = write_council(folder, rng)
    print(f"{COUNCIL_FILE}: {n} rows, total {total}")
    n, total = write_nhs(folder, rng)
    print(f"{NHS_FILE}: {n} rows, total {total} (footer total row excluded)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
