"""``anchorspend payments``: a finance system's invoice export → the payment performance
document (its ``payments`` list, ``payments_reconciliation`` and the rows not measured).

Read exactly as ``analyse`` reads spend (the same readers, header aliases, rejections and
rules), with the ``payments`` schema; suppliers classified and located as ``analyse`` does;
then measured by :mod:`anchorspend.payments`. This module is the command's entry point
(:func:`payments`) and the document's assembly; its parts are a module each: ``narrowed`` (the
rows kept while reading), ``listing`` (rows as the document lists them), ``reconciliation``,
``notes`` (what the reader is told) and ``s70`` (the s.70 publication).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import polars as pl

from anchorspend import __version__
from anchorspend.classify.resolve import Classified, classify, identifiers_used
from anchorspend.errors import AnchorspendError, Finding
from anchorspend.findings import all_findings, group
from anchorspend.gather.ingested import Ingested
from anchorspend.gather.inputs import ingest
from anchorspend.gather.options import Progress, RunConfig
from anchorspend.geo.locate import locate
from anchorspend.geo.tiers import resolve_tiers
from anchorspend.ingest.fields import RowOptions
from anchorspend.measures import measure_set, refuse_reserved_name
from anchorspend.normalise import pence_to_text
from anchorspend.payments.assess import assess
from anchorspend.payments.distribution import distribution
from anchorspend.payments.figures import figures, supplier_types
from anchorspend.payments.rules import PaymentPeriod, Setup
from anchorspend.payments_doc.listing import listed, money_text, named, records
from anchorspend.payments_doc.narrowed import Narrowed
from anchorspend.payments_doc.notes import method_notes, unfinished
from anchorspend.payments_doc.reconciliation import reconciliation
from anchorspend.payments_doc.s70 import s70_rows, s70_summary
from anchorspend.pipeline import load_geography, load_lookups

SCHEMA_ID = "anchorspend/payments/v1"
NOT_MEASURED_IN_DOCUMENT = 1_000  # the rest are in payments_not_measured.csv


@dataclass(frozen=True, slots=True)
class PaymentsConfig:
    run: RunConfig
    period: PaymentPeriod = "half"
    received_from_invoice: bool = False  # --received-from invoice-date
    s70: bool = False


@dataclass(slots=True)
class PaymentsResult:
    document: dict[str, Any]
    figures: pl.DataFrame  # the payments list, money as text
    not_measured: pl.DataFrame  # every valid row not measured, with its reasons
    rejected: pl.DataFrame  # rows the reading rejected
    findings: pl.DataFrame
    distribution: pl.DataFrame
    s70: pl.DataFrame | None = None
    notes: list[Finding] = field(default_factory=list)


def payments(cfg: PaymentsConfig, progress: Progress | None = None) -> PaymentsResult:
    """Read, classify, assess and measure the payments exports of ``cfg``."""
    run = cfg.run
    lookups = load_lookups(run, progress)
    options = RowOptions(date_range=run.date_range, date_format=run.date_format)
    narrow = Narrowed(identifiers_used(lookups), options, s70=cfg.s70)
    data = ingest(run, progress, table="payments", sink=narrow)
    refuse_reserved_name(data.summary)
    _require_dates(data, cfg)
    setup = Setup(
        commencement=run.config.commencement,
        period=cfg.period,
        received_from_invoice=cfg.received_from_invoice,
        fields=frozenset(f for r in data.inputs for f in r.columns),
    )
    if progress:
        progress("measuring payments", 0.85)
    rows, profiles = narrow.finish()
    rows = assess(_with_regime_given(rows, data), setup)
    classified = classify(profiles, lookups)
    table = figures(rows, _supplier_types(run, classified), setup)
    dist = distribution(rows)
    notes = data.notes + classified.findings + method_notes(rows, data) + unfinished(rows, table)
    s70 = None
    if cfg.s70:
        s70, s70_notes = s70_rows(rows, setup, profiles)
        notes += s70_notes
    not_measured = listed(named(rows.filter(pl.col("_pay_status") == "not-measured"), profiles))
    document = _document(cfg, data, rows, table, dist, not_measured, classified, notes)
    if s70 is not None:
        document["s70"] = s70_summary(setup, s70)
    rejected = rows.filter(pl.col("_status") == "rejected")
    return PaymentsResult(document, table, not_measured, rejected, data.findings, dist, s70, notes)


def _with_regime_given(rows: pl.DataFrame, data: Ingested) -> pl.DataFrame:
    """``_regime_given`` on each row: its export has a ``procured_under`` column."""
    with_regime = [r.path for r in data.inputs if "procured_under" in r.columns]
    return rows.with_columns(
        pl.col("_source").cast(pl.String).is_in(with_regime).alias("_regime_given")
    )


def _supplier_types(run: RunConfig, classified: Classified) -> pl.DataFrame:
    """Each profile's supplier types, from the measures ``analyse`` uses, with the suppliers
    located as it locates them."""
    store = load_geography(run)
    located, _ = locate(classified.rows, store)
    measures = measure_set(classified.categories, resolve_tiers(run.config.local_tiers, store))
    return supplier_types(located, measures)


def _document(
    cfg: PaymentsConfig,
    data: Ingested,
    rows: pl.DataFrame,
    table: pl.DataFrame,
    dist: pl.DataFrame,
    not_measured: pl.DataFrame,
    classified: Classified,
    notes: list[Finding],
) -> dict[str, Any]:
    """The payments document (without ``s70``), in the order its keys are written."""
    return {
        "schema": SCHEMA_ID,
        "generator": f"anchorspend {__version__}",
        "period": cfg.period,
        "commencement": cfg.run.config.commencement.isoformat(),
        "received_from": "invoice-date" if cfg.received_from_invoice else "invoice-received-date",
        "payments_reconciliation": reconciliation(rows),
        "inputs": [r.as_dict() for r in data.inputs],
        "payments": records(table),
        "payments_distribution": records(
            dist.with_columns(
                pl.col("pence").map_batches(money_text, return_dtype=pl.String).alias("paid_value")
            ).drop("pence")
        ),
        "payments_not_measured": not_measured.head(NOT_MEASURED_IN_DOCUMENT).to_dicts(),
        "payments_not_measured_rows": not_measured.height,
        "lookups": [
            {**s, "matched_spend": pence_to_text(s["matched_spend"])} for s in classified.lookups
        ],
        "findings": group(all_findings(data.findings, notes)),
    }


def _require_dates(data: Ingested, cfg: PaymentsConfig) -> None:
    """Every input must say when each invoice was paid and received (or, with
    ``--received-from invoice-date``, dated): without the columns nothing can be measured."""
    for r in data.inputs:
        need = ["payment_date"]
        if "invoice_received_date" not in r.columns and not (
            cfg.received_from_invoice and "invoice_date" in r.columns
        ):
            need.append("invoice_received_date")
        missing = [f for f in need if f not in r.columns]
        if not missing:
            continue
        fallback = (
            "; or --received-from invoice-date to use the invoice date where there is no "
            "received date (said in a finding)"
            if "invoice_received_date" in missing and "invoice_date" in r.columns
            else ""
        )
        raise AnchorspendError(
            f"no {' or '.join(missing)} column: days to pay cannot be measured",
            path=r.path,
            details=[f"columns found: {', '.join(f'{f} = {h!r}' for f, h in r.columns.items())}"],
            hint=" ".join(f'--map {f}="Header"' for f in missing) + fallback,
        )
