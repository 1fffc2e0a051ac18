"""What the payments compliance notice measures, and the words a row's place is said in.

The definitions are the issue's contract (see ``report/DOCUMENT.md``, "payments"):

- **days to pay** = payment date − invoice received date, in calendar days (reg 38: day 1 is
  the day after receipt), so a payment on the day of receipt is 0 days and falls in the first
  band; bands ≤ 30, 31–60, ≥ 61.
- **in scope** of the notice (UK17, Procurement Act 2023 s.69, Procurement Regulations 2024
  reg 38): payments made in the period under contracts procured under the 2023 Act, where the
  export says (``procured_under``); every payment where it does not. PCR 2015 reg 113 and PPN
  05/15 are measured over every measured payment, whatever the regime.
- **became payable in the period**: the due date (the export's, else 30 days after receipt:
  s.68's default term) falls in it; **not paid within it**: no payment on or before its last day.
- reporting periods end on 31 March and 30 September (or each quarter, or each financial year);
  the first begins on the commencement day.

This module holds those choices as values: :class:`Setup` (the user's), the reason codes a row
is given (:data:`NOT_MEASURED`, :data:`OUTSIDE`), the supplier types and the distribution's
buckets.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

PaymentPeriod = Literal["half", "h1", "h2", "quarter", "year"]
SUPPLIER_TYPES = ("all", "sme", "vcse", "local", "diverse_led", "large", "unknown")
DEFAULT_TERM_DAYS = 30  # Procurement Act 2023 s.68: payable within 30 days of the invoice

# Why a valid row was not measured, in the order a row lists them (``; ``-separated).
NOT_MEASURED = {
    "credit-note": "a credit note (negative amount): listed, not measured",
    "zero-value": "a zero-value line: listed, not measured",
    "disputed": "the invoice is disputed",
    "unknown-disputed": "disputed is not a yes/no value",
    "unknown-status": "status is neither paid nor unpaid",
    "missing-payment-date": "status says paid but there is no payment date",
    "unpaid-with-payment-date": "status says unpaid but there is a payment date",
    "payment-date-not-a-day": "the payment date is a month or a period, not a day",
    "invalid-received-date": "the invoice received date is not a recognised day",
    "invalid-invoice-date": "the invoice date (standing for the received date) is not a day",
    "missing-received-date": "no invoice received date (--received-from invoice-date uses "
    "the invoice date, if the export has one)",
    "invalid-due-date": "the due date is not a recognised day",
    "paid-before-received": "paid before the invoice was received (negative days to pay)",
    "unknown-regime": "procured_under names neither the 2023 Act nor an earlier regime",
}
# Why a row that could be measured counts in no figure.
OUTSIDE = {
    "outside-periods": "paid and fell due outside every reporting period (before the "
    "commencement day, or in a half-year --period left out)",
    "earlier-regime-unpaid": "unpaid, under a contract procured before the 2023 Act: only "
    "paid invoices count for reg 113",
}
# The days-to-pay distribution's bars: (label, first day, last day or None).
BUCKETS = (
    ("0-5", 0, 5),
    ("6-10", 6, 10),
    ("11-15", 11, 15),
    ("16-20", 16, 20),
    ("21-25", 21, 25),
    ("26-30", 26, 30),
    ("31-45", 31, 45),
    ("46-60", 46, 60),
    ("61-90", 61, 90),
    ("91+", 91, None),
)


@dataclass(frozen=True, slots=True)
class Setup:
    """How rows are measured: the choices the user made and what the export carries."""

    commencement: date = date(2026, 1, 1)
    period: PaymentPeriod = "half"
    received_from_invoice: bool = False  # --received-from invoice-date
    fields: frozenset[str] = frozenset()  # the canonical fields the exports map
