"""Each row's place in the figures (:func:`assess`): measured, not measured (and why),
outside every reported figure, or excluded or rejected by the reading; with the day taken as
receipt, the due day, the days to pay, whether the notice covers it, and its periods."""

from __future__ import annotations

import polars as pl

from anchorspend.payments.fields import unknown_disputed, unknown_status
from anchorspend.payments.periods import period_of
from anchorspend.payments.rules import DEFAULT_TERM_DAYS, NOT_MEASURED, Setup

# what the parsed date statuses say: a day (ok), or text at all (not missing)
_RECEIVED_OK = pl.col("_invoice_received_date_status") == "ok"
_RECEIVED_GIVEN = pl.col("_invoice_received_date_status") != "missing"
_INVOICE_OK = pl.col("_invoice_date_status") == "ok"
_DUE_GIVEN = pl.col("_due_date_status") != "missing"


def assess(rows: pl.DataFrame, setup: Setup) -> pl.DataFrame:
    """Each row's place: ``_pay_status`` is ``measured`` (it counts in a figure),
    ``not-measured`` (a valid row that cannot be: ``_pay_reason`` says why), ``outside`` (it
    could be, but counts in no reported figure), or the reading's ``excluded``/``rejected``.
    Adds ``received`` (the day used as receipt), ``due`` (the due day used), ``days`` (to pay),
    ``in_scope`` (the notice's regime), the paid and due periods, and ``_fallback`` (receipt
    taken from the invoice date). ``_regime_given`` on each row: its export has
    ``procured_under``."""
    use_invoice = pl.lit(setup.received_from_invoice) & ~_RECEIVED_GIVEN
    received = (
        pl.when(_RECEIVED_OK)
        .then(pl.col("invoice_received_date"))
        .when(use_invoice & _INVOICE_OK)
        .then(pl.col("invoice_date"))
    )
    days = (pl.col("payment_date") - received).dt.total_days()
    checks = _checks(use_invoice, days)
    step = rows.with_columns(
        received.alias("received"),
        (use_invoice & _INVOICE_OK).alias("_fallback"),
        pl.any_horizontal(checks.values()).alias("_bad"),
        _in_scope().fill_null(False).alias("in_scope"),
    ).with_columns(_due(received).alias("due"), days.alias("days"))
    step = _with_reasons(step, checks)
    step, due_start = _with_periods(step, setup)
    return _placed(step, due_start).drop("_checks", *PARSED_ONLY)


def _due(received: pl.Expr) -> pl.Expr:
    """The due day used: the export's, else the default term after ``received``; null where the
    export's due date is not a day."""
    return (
        pl.when(pl.col("_due_date_status") == "ok")
        .then(pl.col("due_date"))
        .when(~_DUE_GIVEN)
        .then(received + pl.duration(days=DEFAULT_TERM_DAYS))
    )


def _in_scope() -> pl.Expr:
    """Under the notice: procured under the 2023 Act; an export without ``procured_under``
    has every payment taken to be in scope (with a finding)."""
    return pl.when(pl.col("_regime_given")).then(pl.col("regime") == "2023-act").otherwise(True)


def _checks(use_invoice: pl.Expr, days: pl.Expr) -> dict[str, pl.Expr]:
    """Each reason a valid row is not measured (:data:`NOT_MEASURED`, in its order) → whether
    the row has it. ``use_invoice``: the invoice date stands for a missing received date."""
    amount = pl.col("amount")
    paid = pl.col("payment_date").is_not_null()
    invoice_given = pl.col("_invoice_date_status") != "missing"
    checks: dict[str, pl.Expr] = {
        "credit-note": amount < 0,
        "zero-value": amount == 0,
        "disputed": pl.col("disputed").fill_null(False),
        "unknown-disputed": unknown_disputed(),
        "unknown-status": unknown_status(),
        "missing-payment-date": (pl.col("status") == "paid").fill_null(False) & ~paid,
        "unpaid-with-payment-date": (pl.col("status") == "unpaid").fill_null(False) & paid,
        "payment-date-not-a-day": paid & (pl.col("_date_status") != "ok"),
        "invalid-received-date": _RECEIVED_GIVEN & ~_RECEIVED_OK,
        "invalid-invoice-date": use_invoice & invoice_given & ~_INVOICE_OK,
        "missing-received-date": ~_RECEIVED_GIVEN & ~(use_invoice & invoice_given),
        "invalid-due-date": _DUE_GIVEN & (pl.col("_due_date_status") != "ok"),
        "paid-before-received": (days < 0).fill_null(False),
        "unknown-regime": pl.col("_regime_given") & pl.col("regime").is_null(),
    }
    assert tuple(checks) == tuple(NOT_MEASURED)
    return checks


def _with_reasons(step: pl.DataFrame, checks: dict[str, pl.Expr]) -> pl.DataFrame:
    """``_checks``: the codes of the checks a row fails, ``; ``-separated, written out only for
    the few rows that fail any (``_bad``, dropped here) and null for the rest."""
    reasons = pl.concat_str(
        [pl.when(c).then(pl.lit(code)) for code, c in checks.items()],
        separator="; ",
        ignore_nulls=True,
    )
    bad = step.get_column("_bad").arg_true()
    return step.drop("_bad").with_columns(
        pl.repeat(None, step.height, dtype=pl.String, eager=True)
        .scatter(bad, step[bad].select(reasons).to_series())
        .alias("_checks")
    )


def _with_periods(step: pl.DataFrame, setup: Setup) -> tuple[pl.DataFrame, pl.Expr]:
    """The period each row was paid in, and (in scope only) the period it fell due in; with the
    due period's start whatever the scope, for :func:`_placed`."""
    paid_start, paid_end = period_of(pl.col("payment_date"), setup)
    due_start, due_end = period_of(pl.col("due"), setup)
    step = step.with_columns(
        paid_start.alias("paid_start"),
        paid_end.alias("paid_end"),
        pl.when(pl.col("in_scope")).then(due_start).alias("due_start"),
        pl.when(pl.col("in_scope")).then(due_end).alias("due_end"),
    )
    return step, due_start


def _placed(step: pl.DataFrame, due_start: pl.Expr) -> pl.DataFrame:
    """``_pay_status`` and ``_pay_reason`` from the reading's status, the checks and the
    periods. ``due_start``: the due period's start whatever the row's scope (an earlier
    regime's unpaid invoice that fell due in a period is named as such)."""
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
    )


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
