"""Payment performance: days to pay, and the figures of the payments compliance notice.

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

Rows come in as canonical payment rows (:func:`parse_fields` turns the export's extra fields
into values); everything here is Polars expressions over them, and money stays integer pence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

import polars as pl

from anchorspend.findings import code_columns, message
from anchorspend.ingest.fields import RAW_PREFIX, RowOptions
from anchorspend.ingest.values import amounts_of, dates_of, per_distinct
from anchorspend.measures import ALL_ORGS, share
from anchorspend.normalise import (
    flag,
    flag_is_unknown_text,
    is_missing,
    pence_text_expr,
    plain_amount,
)

PaymentPeriod = Literal["half", "h1", "h2", "quarter", "year"]
SUPPLIER_TYPES = ("all", "sme", "vcse", "local", "diverse_led", "large", "unknown")
DEFAULT_TERM_DAYS = 30  # Procurement Act 2023 s.68: payable within 30 days of the invoice
S70_THRESHOLD = 3_000_000  # pence, VAT included: s.70 publishes each payment over £30,000
DATE_FIELDS = ("invoice_date", "invoice_received_date", "due_date")
MONEY_FIELDS = ("vat_amount", "gross_amount")

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

_PAID_WORDS = ("PAID", "CLEARED", "CLOSED", "SETTLED", "COMPLETE", "COMPLETED")
_UNPAID_WORDS = (
    "UNPAID",
    "NOT PAID",
    "OUTSTANDING",
    "OPEN",
    "DUE",
    "OVERDUE",
    "PENDING",
    "AWAITING PAYMENT",
    "UNPAID AT PERIOD END",
)
# earlier regimes are tested first: "pre-2023 Act" names the Act but is not under it
_EARLIER = r"(?i)\b(?:pre|before|earlier|legacy|old|pcr|ucr|ccr|dspcr|2006|2011|2015|2016)"
_ACT_2023 = r"(?i)2023|\bpa\s?23\b|\bprocurement act\b"


@dataclass(frozen=True, slots=True)
class Setup:
    """How rows are measured: the choices the user made and what the export carries."""

    commencement: date = date(2026, 1, 1)
    period: PaymentPeriod = "half"
    received_from_invoice: bool = False  # --received-from invoice-date
    fields: frozenset[str] = frozenset()  # the canonical fields the exports map


def parse_fields(rows: pl.DataFrame, options: RowOptions, *, money: bool = True) -> pl.DataFrame:
    """The payment fields read as text (``_raw_<field>``) → values, each distinct text parsed
    once: dates with ``_<field>_status`` (``ok``, ``missing`` or why not); VAT and gross in
    pence with ``_<field>_odd`` (text that is not money); ``disputed`` as a flag with
    ``_disputed_odd`` (text that is not yes/no); ``status`` as ``paid``/``unpaid`` and
    ``regime`` as ``2023-act``/``earlier`` (null where not understood), with
    ``_status_present``/``_regime_present`` (the cell has text). ``money`` False: VAT and gross
    are left null (only s.70 reads them)."""
    out: list[pl.Series] = []
    for f in DATE_FIELDS:
        parsed = dates_of(rows, RAW_PREFIX + f, options)
        out.append(parsed.get_column("payment_date").alias(f))
        out.append(parsed.get_column("_date_status").alias(f"_{f}_status"))
    for f in MONEY_FIELDS:
        if money:
            pence, invalid = _money(rows, RAW_PREFIX + f)
        else:
            pence = pl.repeat(None, rows.height, dtype=pl.Int64, eager=True)
            invalid = pl.repeat(False, rows.height, eager=True)
        out += [pence.alias(f), invalid.alias(f"_{f}_odd")]
    disputed = rows.get_column(RAW_PREFIX + "disputed")
    out.append(per_distinct(disputed, flag(pl.col(disputed.name))).alias("disputed"))
    out.append(
        per_distinct(disputed, flag_is_unknown_text(pl.col(disputed.name))).alias("_disputed_odd")
    )
    status = rows.get_column(RAW_PREFIX + "status")
    out.append(per_distinct(status, _status(pl.col(status.name))).alias("status"))
    regime = rows.get_column(RAW_PREFIX + "procured_under")
    out.append(per_distinct(regime, _regime(pl.col(regime.name))).alias("regime"))
    text = {"status": status, "regime": regime}
    present = rows.select(
        (~is_missing(pl.col(t.name)) & pl.col(t.name).is_not_null()).alias(f"_{k}_present")
        for k, t in text.items()
    )
    return rows.with_columns(*out, *present.get_columns())


def _money(rows: pl.DataFrame, col: str) -> tuple[pl.Series, pl.Series]:
    """Pence of ``col``'s texts (null where missing or not money) and whether each is not
    money: plain amounts (``-1,234.5``) the cheap exact way, the rest by the full parser once
    per distinct text, as the reading parses ``amount``."""
    is_plain, plain_pence = plain_amount(pl.col(col))
    texts = rows.select(pl.col(col), is_plain.alias("_plain"), plain_pence.alias("_pence"))
    odd = amounts_of(texts.select(pl.when(~pl.col("_plain")).then(pl.col(col)).alias(col)), col)
    both = pl.concat([texts, odd], how="horizontal").select(
        pl.when(pl.col("_plain")).then(pl.col("_pence")).otherwise(pl.col("amount")),
        (~pl.col("_plain") & (pl.col("_amount_status") == "invalid")).alias("invalid"),
    )
    return both.to_series(0), both.to_series(1)


def _status(text: pl.Expr) -> pl.Expr:
    s = text.str.strip_chars().str.to_uppercase().str.replace_all(r"[\s_-]+", " ")
    return (
        pl.when(s.is_in(_UNPAID_WORDS))
        .then(pl.lit("unpaid"))
        .when(s.is_in(_PAID_WORDS))
        .then(pl.lit("paid"))
    )


def _regime(text: pl.Expr) -> pl.Expr:
    return (
        pl.when(text.str.contains(_EARLIER))
        .then(pl.lit("earlier"))
        .when(text.str.contains(_ACT_2023))
        .then(pl.lit("2023-act"))
    )


def period_of(day: pl.Expr, setup: Setup) -> tuple[pl.Expr, pl.Expr]:
    """The reporting period ``day`` falls in, as (first day, last day); null before the
    commencement day and, for ``h1``/``h2``, in the other half of the financial year. Half
    years end on 31 March and 30 September, quarters at the ends of March, June, September and
    December, years on 31 March; the first period begins on the commencement day."""
    y, m = day.dt.year(), day.dt.month()
    if setup.period == "quarter":
        first_month = (m - 1) // 3 * 3 + 1
        start = pl.date(y, first_month, 1)
        end = pl.date(y, first_month + 2, 1).dt.month_end()
    elif setup.period == "year":
        fy = y - (m < 4).cast(pl.Int32)
        start, end = pl.date(fy, 4, 1), pl.date(fy + 1, 3, 31)
    else:
        # October–March belongs to the financial year that ends in the March
        summer = m.is_between(4, 9)
        start_year = pl.when(m < 4).then(y - 1).otherwise(y)
        start = pl.when(summer).then(pl.date(y, 4, 1)).otherwise(pl.date(start_year, 10, 1))
        end = pl.when(summer).then(pl.date(y, 9, 30)).otherwise(pl.date(start_year + 1, 3, 31))
    keep = day >= pl.lit(setup.commencement)
    if setup.period == "h1":
        keep = keep & m.is_between(4, 9)
    elif setup.period == "h2":
        keep = keep & ~m.is_between(4, 9)
    start = pl.max_horizontal(start, pl.lit(setup.commencement))
    return pl.when(keep).then(start), pl.when(keep).then(end)


def assess(rows: pl.DataFrame, setup: Setup) -> pl.DataFrame:
    """Each row's place: ``_pay_status`` is ``measured`` (it counts in a figure),
    ``not-measured`` (a valid row that cannot be: ``_pay_reason`` says why), ``outside`` (it
    could be, but counts in no reported figure), or the reading's ``excluded``/``rejected``.
    Adds ``received`` (the day used as receipt), ``due`` (the due day used), ``days`` (to pay),
    ``in_scope`` (the notice's regime), the paid and due periods, and ``_fallback`` (receipt
    taken from the invoice date). ``_regime_given`` on each row: its export has
    ``procured_under``."""
    amount = pl.col("amount")
    received_ok = pl.col("_invoice_received_date_status") == "ok"
    received_given = pl.col("_invoice_received_date_status") != "missing"
    invoice_ok = pl.col("_invoice_date_status") == "ok"
    use_invoice = pl.lit(setup.received_from_invoice) & ~received_given
    received = (
        pl.when(received_ok)
        .then(pl.col("invoice_received_date"))
        .when(use_invoice & invoice_ok)
        .then(pl.col("invoice_date"))
    )
    paid = pl.col("payment_date").is_not_null()
    due_given = pl.col("_due_date_status") != "missing"
    due = (
        pl.when(pl.col("_due_date_status") == "ok")
        .then(pl.col("due_date"))
        .when(~due_given)
        .then(received + pl.duration(days=DEFAULT_TERM_DAYS))
    )
    days = (pl.col("payment_date") - received).dt.total_days()
    checks: dict[str, pl.Expr] = {
        "credit-note": amount < 0,
        "zero-value": amount == 0,
        "disputed": pl.col("disputed").fill_null(False),
        "unknown-disputed": pl.col("_disputed_odd").fill_null(False),
        "unknown-status": pl.col("_status_present") & pl.col("status").is_null(),
        "missing-payment-date": (pl.col("status") == "paid").fill_null(False) & ~paid,
        "unpaid-with-payment-date": (pl.col("status") == "unpaid").fill_null(False) & paid,
        "payment-date-not-a-day": paid & (pl.col("_date_status") != "ok"),
        "invalid-received-date": received_given & ~received_ok,
        "invalid-invoice-date": use_invoice
        & (pl.col("_invoice_date_status") != "missing")
        & ~invoice_ok,
        "missing-received-date": ~received_given
        & ~(use_invoice & (pl.col("_invoice_date_status") != "missing")),
        "invalid-due-date": due_given & (pl.col("_due_date_status") != "ok"),
        "paid-before-received": (days < 0).fill_null(False),
        "unknown-regime": pl.col("_regime_given") & pl.col("regime").is_null(),
    }
    assert tuple(checks) == tuple(NOT_MEASURED)
    reasons = pl.concat_str(
        [pl.when(c).then(pl.lit(code)) for code, c in checks.items()],
        separator="; ",
        ignore_nulls=True,
    )
    # an export without procured_under: every payment is taken to be in scope (with a finding)
    in_scope = pl.when(pl.col("_regime_given")).then(pl.col("regime") == "2023-act").otherwise(True)
    step = rows.with_columns(
        received.alias("received"),
        (use_invoice & invoice_ok).alias("_fallback"),
        pl.any_horizontal(checks.values()).alias("_bad"),
        in_scope.fill_null(False).alias("in_scope"),
    ).with_columns(due.alias("due"), days.alias("days"))
    # the reasons written out only for the few rows that have any (null for the rest)
    bad = step.get_column("_bad").arg_true()
    step = step.drop("_bad").with_columns(
        pl.repeat(None, step.height, dtype=pl.String, eager=True)
        .scatter(bad, step[bad].select(reasons).to_series())
        .alias("_checks")
    )
    paid_start, paid_end = period_of(pl.col("payment_date"), setup)
    due_start, due_end = period_of(pl.col("due"), setup)
    step = step.with_columns(
        paid_start.alias("paid_start"),
        paid_end.alias("paid_end"),
        pl.when(pl.col("in_scope")).then(due_start).alias("due_start"),
        pl.when(pl.col("in_scope")).then(due_end).alias("due_end"),
    )
    counts = pl.col("paid_start").is_not_null() | pl.col("due_start").is_not_null()
    valid = pl.col("_status") == "analysed"
    clean = pl.col("_checks").is_null()
    earlier_unpaid = ~pl.col("in_scope") & pl.col("paid_start").is_null() & due_start.is_not_null()
    return step.with_columns(
        pl.when(~valid)
        .then(pl.col("_status"))
        .when(~clean)
        .then(pl.lit("not-measured"))
        .when(counts)
        .then(pl.lit("measured"))
        .otherwise(pl.lit("outside"))
        .alias("_pay_status"),
        pl.when(~valid)
        .then(pl.col("_reason"))
        .when(~clean)
        .then(pl.col("_checks"))
        .when(counts)
        .then(pl.lit(None, pl.String))
        .when(earlier_unpaid)
        .then(pl.lit("earlier-regime-unpaid"))
        .otherwise(pl.lit("outside-periods"))
        .alias("_pay_reason"),
    ).drop("_checks", *PARSED_ONLY)


# parsed columns that only the assessment reads: let go once it is made
PARSED_ONLY = (
    "invoice_date",
    "invoice_received_date",
    "due_date",
    "_invoice_date_status",
    "_invoice_received_date_status",
    "_date_status",
    "disputed",
    "_disputed_odd",
    "status",
    "regime",
    "_status_present",
    "_regime_present",
    "_vat_amount_odd",
    "_gross_amount_odd",
)


_PAID_SUMS = (
    "paid_count",
    "paid_pence",
    "days_sum",
    "n_1_30",
    "n_31_60",
    "n_61_plus",
    "v_1_30",
    "v_31_60",
    "v_61_plus",
    "all_count",
    "all_pence",
    "n_within_30",
    "v_within_30",
    "n_within_5",
    "v_within_5",
)
_DUE_SUMS = ("due_count", "due_pence", "due_not_paid", "due_not_paid_pence")
KEYS = ("organisation", "period_start", "period_end")


def _paid_sums(measured: pl.LazyFrame) -> pl.LazyFrame:
    """Per organisation × paid period × supplier profile: the sums every paid figure is made of.
    The payments are first counted per class of days (≤ 5, 6–30, 31–60, ≥ 61) and scope, so
    the conditional sums run over those counts, not over every payment."""
    d = pl.col("days")
    day_class = (
        pl.when(d <= 5).then(0).when(d <= 30).then(1).when(d <= 60).then(2).otherwise(3)
    ).cast(pl.Int8)
    counted = (
        measured.filter(pl.col("paid_start").is_not_null())
        .group_by(
            "organisation",
            pl.col("paid_start").alias("period_start"),
            pl.col("paid_end").alias("period_end"),
            "_pid",
            "in_scope",
            day_class.alias("_class"),
        )
        .agg(
            pl.len().cast(pl.Int64).alias("_n"),
            pl.col("amount").sum().alias("_pence"),
            d.sum().alias("_days"),
        )
    )
    c, scope = pl.col("_class"), pl.col("in_scope")

    def n(cond: pl.Expr) -> pl.Expr:
        return pl.when(cond).then(pl.col("_n")).otherwise(0).sum()

    def pence(cond: pl.Expr) -> pl.Expr:
        return pl.when(cond).then(pl.col("_pence")).otherwise(0).sum()

    return counted.group_by(*KEYS, "_pid").agg(
        n(scope).alias("paid_count"),
        pence(scope).alias("paid_pence"),
        pl.when(scope).then(pl.col("_days")).otherwise(0).sum().alias("days_sum"),
        n(scope & (c <= 1)).alias("n_1_30"),
        n(scope & (c == 2)).alias("n_31_60"),
        n(scope & (c == 3)).alias("n_61_plus"),
        pence(scope & (c <= 1)).alias("v_1_30"),
        pence(scope & (c == 2)).alias("v_31_60"),
        pence(scope & (c == 3)).alias("v_61_plus"),
        pl.col("_n").sum().alias("all_count"),
        pl.col("_pence").sum().alias("all_pence"),
        n(c <= 1).alias("n_within_30"),
        pence(c <= 1).alias("v_within_30"),
        n(c == 0).alias("n_within_5"),
        pence(c == 0).alias("v_within_5"),
    )


def _due_sums(measured: pl.LazyFrame) -> pl.LazyFrame:
    """Per organisation × due period × supplier profile: what fell due, and what of it was not
    paid by the period's last day."""
    unpaid = pl.col("payment_date").is_null() | (pl.col("payment_date") > pl.col("period_end"))
    return (
        measured.filter(pl.col("due_start").is_not_null())
        .rename({"due_start": "period_start", "due_end": "period_end"})
        .group_by(*KEYS, "_pid")
        .agg(
            pl.len().cast(pl.Int64).alias("due_count"),
            pl.col("amount").sum().alias("due_pence"),
            unpaid.cast(pl.Int64).sum().alias("due_not_paid"),
            pl.when(unpaid).then(pl.col("amount")).otherwise(0).sum().alias("due_not_paid_pence"),
        )
    )


def _by_type(sums: pl.LazyFrame, types: pl.LazyFrame, names: Sequence[str]) -> pl.LazyFrame:
    """Sums per profile → per supplier type (a profile counts under each type it has), with
    the organisations pooled as ``(all)`` beside them."""
    typed = (
        sums.join(types, on="_pid").group_by(*KEYS, "supplier_type").agg(pl.col(list(names)).sum())
    )
    pooled = (
        typed.group_by("period_start", "period_end", "supplier_type")
        .agg(pl.col(list(names)).sum())
        .with_columns(pl.lit(ALL_ORGS).alias("organisation"))
    )
    return pl.concat([typed, pooled.select(typed.collect_schema().names())])


def figures(rows: pl.DataFrame, types: pl.DataFrame, setup: Setup) -> pl.DataFrame:
    """The ``payments`` rows: one per organisation × period × supplier type, every period from
    an organisation's first to its last with a measured row (and the pooled ``(all)`` when there
    are several organisations), every type in :data:`SUPPLIER_TYPES` order. ``rows``: assessed
    rows with ``_pid``; ``types``: ``_pid`` → ``supplier_type``, one row per type it has."""
    # one compact copy of what the sums read, rather than a filter of every column per sum
    measured = (
        rows.filter(pl.col("_pay_status") == "measured")
        .select(
            pl.col("organisation").cast(pl.String),
            "_pid",
            "in_scope",
            "days",
            "amount",
            "payment_date",
            "paid_start",
            "paid_end",
            "due_start",
            "due_end",
        )
        .lazy()
    )
    types_lf = types.lazy()
    paid = _by_type(_paid_sums(measured), types_lf, _PAID_SUMS)
    due = _by_type(_due_sums(measured), types_lf, _DUE_SUMS)
    keys = [*KEYS, "supplier_type"]
    joined = paid.join(due, on=keys, how="full", coalesce=True).collect()
    orgs = sorted(measured.select(pl.col("organisation").unique()).collect().to_series().to_list())
    if len(orgs) > 1:
        orgs.append(ALL_ORGS)
    grid = _grid(joined, orgs, setup)
    table = grid.join(joined, on=keys, how="left", nulls_equal=True).with_columns(
        pl.col(*_PAID_SUMS, *_DUE_SUMS).fill_null(0)
    )
    return _shares(table)


def _grid(joined: pl.DataFrame, orgs: list[str], setup: Setup) -> pl.DataFrame:
    """Every organisation × period (from its first to its last with figures) × supplier type,
    in order."""
    if not joined.height:
        return pl.DataFrame(
            schema={
                "organisation": pl.String,
                "period_start": pl.Date,
                "period_end": pl.Date,
                "supplier_type": pl.String,
            }
        )
    span = joined.group_by("organisation").agg(
        pl.col("period_start").min().alias("_first"), pl.col("period_end").max().alias("_last")
    )
    last: date = joined.get_column("period_end").max()  # type: ignore[assignment]
    days = pl.date_range(setup.commencement, last, "1d", eager=True)
    start, end = period_of(pl.col("day"), setup)
    periods = (
        pl.DataFrame({"day": days})
        .select(start.alias("period_start"), end.alias("period_end"))
        .drop_nulls()
        .unique()
    )
    order = pl.DataFrame(
        {"supplier_type": list(SUPPLIER_TYPES), "_t": list(range(len(SUPPLIER_TYPES)))}
    )
    org_order = pl.DataFrame({"organisation": orgs, "_o": list(range(len(orgs)))})
    return (
        org_order.join(span, on="organisation")
        .join(periods, how="cross")
        .filter(pl.col("period_start").is_between(pl.col("_first"), pl.col("_last")))
        .join(order, how="cross")
        .sort("_o", "period_start", "_t")
        .select(*KEYS, "supplier_type")
    )


def average_days(days_sum: pl.Expr, count: pl.Expr) -> pl.Expr:
    """The exact mean ``days_sum / count`` rounded to 2 decimal places, half up (away from
    zero: days are never negative), by integer arithmetic: hundredths = ⌊(200·sum + count) /
    (2·count)⌋, as the float that prints as that decimal. Null when there is no payment."""
    hundredths = (200 * days_sum + count) // (2 * count)
    # the float nearest the 2 dp decimal (1833 / 100 alone gives 18.330000000000002)
    return pl.when(count > 0).then((hundredths / 100).round(2))


def _shares(t: pl.DataFrame) -> pl.DataFrame:
    def by_count(k: str, of: str) -> pl.Expr:
        return share(pl.col(k), pl.col(of))

    return t.select(
        *KEYS,
        "supplier_type",
        "paid_count",
        pence_text_expr(pl.col("paid_pence")).alias("paid_value"),
        average_days(pl.col("days_sum"), pl.col("paid_count")).alias("average_days_to_pay"),
        by_count("n_1_30", "paid_count").alias("share_paid_1_30"),
        by_count("n_31_60", "paid_count").alias("share_paid_31_60"),
        by_count("n_61_plus", "paid_count").alias("share_paid_61_plus"),
        by_count("v_1_30", "paid_pence").alias("value_share_paid_1_30"),
        by_count("v_31_60", "paid_pence").alias("value_share_paid_31_60"),
        by_count("v_61_plus", "paid_pence").alias("value_share_paid_61_plus"),
        "due_count",
        pence_text_expr(pl.col("due_pence")).alias("due_value"),
        by_count("due_not_paid", "due_count").alias("due_not_paid_share"),
        by_count("due_not_paid_pence", "due_pence").alias("value_due_not_paid_share"),
        pl.col("all_count").alias("all_regimes_paid_count"),
        pence_text_expr(pl.col("all_pence")).alias("all_regimes_paid_value"),
        by_count("n_within_30", "all_count").alias("within_30_share"),
        by_count("v_within_30", "all_pence").alias("value_within_30_share"),
        by_count("n_within_5", "all_count").alias("within_5_share"),
        by_count("v_within_5", "all_pence").alias("value_within_5_share"),
    )


def distribution(rows: pl.DataFrame) -> pl.DataFrame:
    """The notice's payments (in scope, measured, paid in a period) per organisation × period ×
    days-to-pay bucket (:data:`BUCKETS`), with the pooled ``(all)`` when there are several
    organisations: ``count`` and ``pence``, every bucket present."""
    bucket = pl.lit(None, pl.String)
    for label, first, last in reversed(BUCKETS):
        inside = pl.col("days") >= first if last is None else pl.col("days").is_between(first, last)
        bucket = pl.when(inside).then(pl.lit(label)).otherwise(bucket)
    counted = (
        rows.lazy()
        .filter(
            (pl.col("_pay_status") == "measured")
            & pl.col("paid_start").is_not_null()
            & pl.col("in_scope")
        )
        .group_by(
            pl.col("organisation").cast(pl.String),
            pl.col("paid_start").alias("period_start"),
            pl.col("paid_end").alias("period_end"),
            bucket.alias("bucket"),
        )
        .agg(pl.len().cast(pl.Int64).alias("count"), pl.col("amount").sum().alias("pence"))
        .collect()
    )
    if counted.get_column("organisation").n_unique() > 1:
        pooled = counted.group_by("period_start", "period_end", "bucket").agg(
            pl.col("count", "pence").sum()
        )
        counted = pl.concat(
            [counted, pooled.select(pl.lit(ALL_ORGS).alias("organisation"), *counted.columns[1:])]
        )
    labels = pl.DataFrame({"bucket": [b[0] for b in BUCKETS], "_b": list(range(len(BUCKETS)))})
    cells = counted.select(*KEYS).unique().join(labels, how="cross")
    return (
        cells.join(counted, on=[*KEYS, "bucket"], how="left")
        .with_columns(pl.col("count", "pence").fill_null(0))
        .with_columns((pl.col("organisation") == ALL_ORGS).alias("_pooled"))
        .sort("_pooled", "organisation", "period_start", "_b")
        .drop("_b", "_pooled")
    )


def gross_of(has: frozenset[str]) -> pl.Expr | None:
    """A payment's gross pence: the export's gross amount, else amount + VAT; None when the
    export carries neither."""
    if "gross_amount" in has:
        return pl.col("gross_amount")
    if "vat_amount" in has:
        return pl.col("amount") + pl.col("vat_amount")
    return None


def quarter_of(day: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """The calendar quarter (s.70's publication period) of ``day``: first and last day."""
    first_month = (day.dt.month() - 1) // 3 * 3 + 1
    start = pl.date(day.dt.year(), first_month, 1)
    return start, pl.date(day.dt.year(), first_month + 2, 1).dt.month_end()


# what ``check`` says of a payments export's rows: code → the field it is about
CHECKS = {
    "received-after-paid": "invoice_received_date",
    "due-before-received": "due_date",
    "invalid-received-date": "invoice_received_date",
    "invalid-invoice-date": "invoice_date",
    "invalid-due-date": "due_date",
    "unknown-status": "status",
    "unknown-disputed": "disputed",
    "unknown-regime": "procured_under",
}


def row_checks(rows: pl.DataFrame, options: RowOptions) -> pl.DataFrame:
    """``check``'s findings for canonical payment rows (not excluded ones): one row per problem
    with ``path``, ``sheet``, ``row``, ``field`` (canonical), ``code``, ``severity``, ``value``
    (the cell as published) and ``message``."""
    rows = parse_fields(rows.filter(pl.col("_status") != "excluded"), options, money=False)
    bad = {"missing", "ok"}
    received = pl.col("invoice_received_date")
    conds = {
        "received-after-paid": (received > pl.col("payment_date")).fill_null(False),
        "due-before-received": (pl.col("due_date") < received).fill_null(False),
        "invalid-received-date": ~pl.col("_invoice_received_date_status").is_in(bad),
        "invalid-invoice-date": ~pl.col("_invoice_date_status").is_in(bad),
        "invalid-due-date": ~pl.col("_due_date_status").is_in(bad),
        "unknown-status": pl.col("_status_present") & pl.col("status").is_null(),
        "unknown-disputed": pl.col("_disputed_odd").fill_null(False),
        "unknown-regime": pl.col("_regime_present") & pl.col("regime").is_null(),
    }
    parts = [
        rows.filter(cond).select(
            pl.col("_source").cast(pl.String).alias("path"),
            pl.col("_sheet").cast(pl.String).alias("sheet"),
            pl.col("_row").alias("row"),
            pl.lit(CHECKS[code]).alias("field"),
            *code_columns(code),
            pl.col(RAW_PREFIX + CHECKS[code]).alias("value"),
            pl.lit(message(code)).alias("message"),
        )
        for code, cond in conds.items()
    ]
    return pl.concat(parts)
