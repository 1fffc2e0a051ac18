"""``anchorspend payments``: a finance system's invoice export → the payment performance
document (its ``payments`` list, ``payments_reconciliation`` and the rows not measured).

Read exactly as ``analyse`` reads spend (the same readers, header aliases, rejections and
rules), with the ``payments`` schema; suppliers classified and located as ``analyse`` does;
then measured by :mod:`anchorspend.payments`.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import polars as pl

from anchorspend import __version__
from anchorspend.classify import classify, identifiers_used
from anchorspend.errors import AnchorspendError, Finding
from anchorspend.findings import all_findings, group, make
from anchorspend.gather.ingested import Ingested
from anchorspend.gather.inputs import ingest
from anchorspend.gather.options import Progress, RunConfig
from anchorspend.geo import locate, resolve_tiers
from anchorspend.ingest.canonical import ID_KEYS, RAW_PREFIX, RowOptions, detached
from anchorspend.measures import measure_set, refuse_reserved_name
from anchorspend.normalise import pence_to_text
from anchorspend.payments import (
    S70_THRESHOLD,
    PaymentPeriod,
    Setup,
    assess,
    distribution,
    figures,
    gross_of,
    parse_fields,
    quarter_of,
)
from anchorspend.pipeline import load_geography, load_lookups
from anchorspend.spend import PROFILE_COLS, numbered

SCHEMA_ID = "anchorspend/payments/v1"
NOT_MEASURED_IN_DOCUMENT = 1_000  # the rest are in payments_not_measured.csv
# what s.70's publication of a payment needs, as the export may carry it
S70_FIELDS = (
    "organisation",
    "payment_date",
    "supplier_name",
    "gross_amount",
    "contract_id",
    "invoice_id",
    "company_number",
    "expense_type",
    "purpose",
)


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
    fields = frozenset(f for r in data.inputs for f in r.columns)
    setup = Setup(
        commencement=run.config.commencement,
        period=cfg.period,
        received_from_invoice=cfg.received_from_invoice,
        fields=fields,
    )
    if progress:
        progress("measuring payments", 0.85)
    rows, profiles = narrow.finish()
    with_regime = [r.path for r in data.inputs if "procured_under" in r.columns]
    rows = rows.with_columns(
        pl.col("_source").cast(pl.String).is_in(with_regime).alias("_regime_given")
    )
    rows = assess(rows, setup)
    classified = classify(profiles, lookups)
    store = load_geography(run)
    located, _ = locate(classified.rows, store)
    measures = measure_set(classified.categories, resolve_tiers(run.config.local_tiers, store))
    types = supplier_types(located, measures)

    table = figures(rows, types, setup)
    dist = distribution(rows)
    notes = data.notes + classified.findings + _notes(rows, data) + _unfinished(rows, table)
    s70 = None
    if cfg.s70:
        s70, s70_notes = s70_rows(rows, setup, profiles)
        notes += s70_notes
    not_measured = listed(named(rows.filter(pl.col("_pay_status") == "not-measured"), profiles))
    document = {
        "schema": SCHEMA_ID,
        "generator": f"anchorspend {__version__}",
        "period": cfg.period,
        "commencement": run.config.commencement.isoformat(),
        "received_from": "invoice-date" if cfg.received_from_invoice else "invoice-received-date",
        "payments_reconciliation": reconciliation(rows),
        "inputs": [r.as_dict() for r in data.inputs],
        "payments": _records(table),
        "payments_distribution": _records(
            dist.with_columns(
                pl.col("pence").map_batches(_money_text, return_dtype=pl.String).alias("paid_value")
            ).drop("pence")
        ),
        "payments_not_measured": not_measured.head(NOT_MEASURED_IN_DOCUMENT).to_dicts(),
        "payments_not_measured_rows": not_measured.height,
        "lookups": [
            {**s, "matched_spend": pence_to_text(s["matched_spend"])} for s in classified.lookups
        ],
        "findings": group(all_findings(data.findings, notes)),
    }
    if s70 is not None:
        document["s70"] = {
            "threshold": pence_to_text(S70_THRESHOLD),
            "fields_missing": s70_missing(setup.fields),
            "payments": s70.height,
        }
    rejected = rows.filter(pl.col("_status") == "rejected")
    return PaymentsResult(document, table, not_measured, rejected, data.findings, dist, s70, notes)


# what is kept of each row read, besides its organisation and profile (see Narrowed)
KEPT = (
    "_source", "_sheet", "_row", "_status", "_reason", "amount",
    "payment_date", "_date_status", "invoice_date", "invoice_received_date", "due_date",
    "_invoice_date_status", "_invoice_received_date_status", "_due_date_status",
    "vat_amount", "gross_amount", "_vat_amount_odd", "_gross_amount_odd", "disputed",
    "_disputed_odd", "status", "regime", "_status_present", "_regime_present",
    RAW_PREFIX + "invoice_id",
)  # fmt: skip
# a few words each, on every row: held as codes (a string view costs 16 bytes a row)
CODED = (
    "_status", "_reason", "_date_status", "_invoice_date_status",
    "_invoice_received_date_status", "_due_date_status",
)  # fmt: skip
# kept only where s.70 may publish the row (over the threshold), or where it was not analysed
S70_KEPT = ("company_number", "expense_type", "purpose", RAW_PREFIX + "contract_id")
REJECTED_KEPT = ("supplier_name", "_amount_text", "_date_text")


class Narrowed:
    """A :class:`~anchorspend.pipeline.RowSink`: each batch's canonical rows, as they are read,
    parsed (:func:`~anchorspend.payments.parse_fields`) and reduced to what payments measures
    (:data:`KEPT`), the supplier held as a profile number ``_pid`` (profiles numbered across
    batches as analyse's spend numbers them, identifiers no lookup matches on left out), so a
    file's text is never all held at once."""

    def __init__(self, ids: Collection[str], options: RowOptions, *, s70: bool = False) -> None:
        self.dropped = [c for c in ID_KEYS if c not in ids]
        self.options = options
        self.s70 = s70  # VAT, gross and the publication's fields are read only for s.70
        self.known: pl.DataFrame | None = None
        self.parts: dict[int, list[pl.DataFrame]] = {}

    def add(self, rows: pl.DataFrame, source: int) -> None:
        rows = parse_fields(rows, self.options, money=self.s70)
        analysed = rows.get_column("_status") == "analysed"
        profile = rows.filter(analysed).select(
            pl.lit(None, pl.String).alias(c) if c in self.dropped else pl.col(c)
            for c in PROFILE_COLS
        )
        self.known, pid = numbered(self.known, profile, "_pid")
        pids = pl.repeat(None, rows.height, dtype=pl.UInt32, eager=True).scatter(
            analysed.arg_true(), pid
        )
        # whichever way the gross is found later, it is one of these
        gross = pl.coalesce(
            pl.col("gross_amount"), pl.col("amount") + pl.col("vat_amount"), pl.col("amount")
        )
        large = pl.lit(self.s70) & (
            (gross > S70_THRESHOLD) | (pl.col("gross_amount") > S70_THRESHOLD)
        )
        kept = rows.select(
            *(pl.col(c).cast(pl.Categorical) if c in CODED else pl.col(c) for c in KEPT),
            # a few names repeated on every row: held once each
            pl.col("organisation").cast(pl.Categorical),
            pids.alias("_pid"),
            *(pl.when(large).then(pl.col(c)).alias(f"_s70_{c.removeprefix(RAW_PREFIX)}")
              for c in S70_KEPT),
            *(pl.when(pl.col("_status") != "analysed").then(pl.col(c)).alias(c)
              for c in REJECTED_KEPT),
        )  # fmt: skip
        self.parts.setdefault(source, []).append(detached(kept))

    def forget(self, source: int) -> None:
        self.parts.pop(source, None)

    def finish(self) -> tuple[pl.DataFrame, pl.DataFrame]:
        """Every row kept, in reading order, and the profiles (``_pid``, the profile columns,
        ``amount`` and ``n`` of the analysed rows, ``_status`` "analysed") to classify."""
        frames = [pl.concat(self.parts[k]).sort("_row") for k in sorted(self.parts)]
        rows = pl.concat(frames) if frames else pl.DataFrame()
        known = self.known
        if known is None:
            known = pl.DataFrame(schema={c: pl.String for c in PROFILE_COLS}).with_columns(
                pl.lit(None, pl.UInt32).alias("_pid")
            )
        stats = (
            rows.filter(pl.col("_status") == "analysed")
            .group_by("_pid")
            .agg(pl.col("amount").sum(), pl.len().cast(pl.Int64).alias("n"))
            if rows.height
            else pl.DataFrame(schema={"_pid": pl.UInt32, "amount": pl.Int64, "n": pl.Int64})
        )
        profiles = (
            known.select("_pid", *PROFILE_COLS)
            .join(stats, on="_pid", how="left")
            .with_columns(pl.col("amount", "n").fill_null(0), pl.lit("analysed").alias("_status"))
        )
        return rows, profiles


def named(rows: pl.DataFrame, profiles: pl.DataFrame) -> pl.DataFrame:
    """``rows`` with their supplier's name: the profile's for analysed rows, as read for the
    rest."""
    names = rows.select("_pid").join(
        profiles.select("_pid", pl.col("supplier_name").alias("_name")),
        on="_pid",
        how="left",
        maintain_order="left",
    )
    return rows.with_columns(
        pl.coalesce(names.get_column("_name"), pl.col("supplier_name")).alias("supplier_name")
    )


def s70_missing(fields: frozenset[str]) -> list[str]:
    """The fields of s.70's publication the exports do not carry (their columns in
    s70_payments.csv are empty). The gross may come from the amount and its VAT."""
    have = fields | {"organisation", "payment_date", "supplier_name"}
    if "vat_amount" in fields:
        have |= {"gross_amount"}
    return [f for f in S70_FIELDS if f not in have]


def _money_text(s: pl.Series) -> pl.Series:
    from anchorspend.normalise import pence_text_expr

    return s.to_frame().select(pence_text_expr(pl.first())).to_series()


def _records(frame: pl.DataFrame) -> list[dict[str, Any]]:
    """Rows as JSON-ready dicts: dates as ISO text."""
    dates = [c for c, t in frame.schema.items() if t == pl.Date]
    return frame.with_columns(pl.col(dates).dt.to_string("%Y-%m-%d")).to_dicts()


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


def supplier_types(located: pl.DataFrame, measures: dict[str, pl.Expr]) -> pl.DataFrame:
    """``_pid`` → ``supplier_type``, a row per type each profile has: ``all`` always; ``sme``,
    ``vcse``, ``local``, ``diverse_led`` where the measure is true; ``large`` where it is known
    not to be an SME, ``unknown`` where its SME status is unknown (redacted suppliers too)."""
    local = measures.get("local", pl.lit(None, pl.Boolean))
    flags = located.select(
        "_pid",
        pl.lit(True).alias("all"),
        measures["sme"].fill_null(False).alias("sme"),
        measures["vcse"].fill_null(False).alias("vcse"),
        local.fill_null(False).alias("local"),
        measures["diverse_led"].fill_null(False).alias("diverse_led"),
        measures["sme"].not_().fill_null(False).alias("large"),
        measures["sme"].is_null().alias("unknown"),
    )
    return (
        flags.unpivot(index="_pid", variable_name="supplier_type", value_name="_has")
        .filter(pl.col("_has"))
        .select(pl.col("_pid").cast(pl.UInt32), "supplier_type")
    )


def reconciliation(rows: pl.DataFrame) -> dict[str, Any]:
    """Every row read is measured, not measured (with reasons), outside the periods, excluded
    or rejected; the pence add up the same way."""
    statuses = ("measured", "not-measured", "outside", "excluded", "rejected")
    agg = rows.group_by("_pay_status").agg(pl.len(), pl.col("amount").sum())
    by = {s: (0, 0) for s in statuses}
    for status, n, pence in agg.iter_rows():
        by[status] = (int(n), int(pence or 0))
    out: dict[str, Any] = {
        "rows_read": sum(n for n, _ in by.values()),
        **{f"rows_{s.replace('-', '_')}": by[s][0] for s in statuses},
        "amount_read": pence_to_text(sum(p for _, p in by.values())),
        **{f"amount_{s.replace('-', '_')}": pence_to_text(by[s][1]) for s in statuses},
    }
    for status, label in (
        ("not-measured", "not_measured"),
        ("outside", "outside"),
        ("excluded", "exclusions"),
        ("rejected", "rejections"),
    ):
        out[label] = _tally(rows, status)
    return out


def _tally(rows: pl.DataFrame, status: str) -> list[dict[str, Any]]:
    """Rows and pounds per reason (a row may give several, ``; ``-separated)."""
    counted = (
        rows.filter(pl.col("_pay_status") == status)
        .select(pl.col("_pay_reason").str.split("; ").alias("reason"), "amount")
        .explode("reason")
        .group_by("reason")
        .agg(pl.len(), pl.col("amount").sum())
        .sort("reason")
    )
    return [
        {"reason": r, "rows": int(n), "amount": pence_to_text(int(a or 0))}
        for r, n, a in counted.iter_rows()
    ]


def listed(rows: pl.DataFrame) -> pl.DataFrame:
    """Rows with where they came from, what they say and why (reason codes ``; ``-separated)."""
    return rows.select(
        pl.col("_source").cast(pl.String).alias("path"),
        pl.col("_sheet").cast(pl.String).alias("sheet"),
        pl.col("_row").alias("row"),
        "organisation",
        "supplier_name",
        pl.col(RAW_PREFIX + "invoice_id").alias("invoice_id"),
        pl.col("amount").map_batches(_money_text, return_dtype=pl.String).alias("invoice_amount"),
        pl.col("received").dt.to_string("%Y-%m-%d").alias("received"),
        pl.col("payment_date").dt.to_string("%Y-%m-%d").alias("payment_date"),
        pl.col("_pay_reason").alias("reasons"),
    )


def _unfinished(rows: pl.DataFrame, table: pl.DataFrame) -> list[Finding]:
    """Periods that end after the last payment the exports record: the export was taken before
    they ended, so what was not paid within them is not known yet."""
    last = rows.filter(pl.col("_status") == "analysed").get_column("payment_date").max()
    if not isinstance(last, date) or not table.height:
        return []
    ends = table.filter(pl.col("period_end") > pl.lit(last)).get_column("period_end").unique()
    return [make("period-not-over", end=end, last=last) for end in sorted(ends.to_list())]


def _notes(rows: pl.DataFrame, data: Ingested) -> list[Finding]:
    """What the reader should know about how the figures were made."""
    notes: list[Finding] = []
    for r in data.inputs:
        if "procured_under" not in r.columns:
            notes.append(
                make("procured-under-missing", path=r.path, sheet=r.sheet, column="procured_under")
            )
    analysed = rows.filter(pl.col("_status") == "analysed")
    fallback = analysed.filter(pl.col("_fallback"))
    if fallback.height:
        notes.append(
            make("received-from-invoice-date", column="invoice_received_date", n=fallback.height)
        )
    default_due = analysed.filter(
        (pl.col("_due_date_status") == "missing") & pl.col("due").is_not_null()
    )
    if default_due.height:
        notes.append(make("due-date-default", column="due_date", n=default_due.height))
    return notes


def s70_rows(
    rows: pl.DataFrame, setup: Setup, profiles: pl.DataFrame
) -> tuple[pl.DataFrame, list[Finding]]:
    """Each payment over £30,000 gross (VAT included), one row a payment, never aggregated,
    by calendar quarter: those under contracts procured under the 2023 Act (all payments
    where the export does not say). The publication's fields as far as the export carries
    them; a field it lacks is a null column (and named in the document)."""
    gross = gross_of(setup.fields)
    if gross is None:
        raise AnchorspendError(
            "--s70 needs each payment's gross amount (VAT included): the export has neither a "
            "gross amount nor a VAT column",
            hint='--map gross_amount="Header" or --map vat_amount="Header"',
        )
    paid = rows.filter(
        (pl.col("_status") == "analysed")
        & pl.col("payment_date").is_not_null()
        & pl.col("in_scope")
        & (pl.col("payment_date") >= pl.lit(setup.commencement))
    ).with_columns(gross.alias("_gross"))
    unknown = paid.filter(pl.col("_gross").is_null() & (pl.col("amount") > 0))
    notes = []
    if unknown.height:
        notes.append(
            make(
                "s70-gross-unknown",
                row=int(unknown.item(0, "_row")),
                path=str(unknown.item(0, "_source")),
                n=unknown.height,
            )
        )
    start, end = quarter_of(pl.col("payment_date"))
    over = named(paid.filter(pl.col("_gross") > S70_THRESHOLD), profiles).sort(
        "payment_date", pl.col("_source").cast(pl.String), "_row"
    )
    text = {
        "contract_id": pl.col("_s70_contract_id"),
        "invoice_id": pl.col(RAW_PREFIX + "invoice_id"),
    }
    cols = [
        pl.col("organisation"),
        start.dt.to_string("%Y-%m-%d").alias("quarter_start"),
        end.dt.to_string("%Y-%m-%d").alias("quarter_end"),
        pl.col("payment_date").dt.to_string("%Y-%m-%d").alias("payment_date"),
        pl.col("supplier_name"),
        pl.col("_gross").map_batches(_money_text, return_dtype=pl.String).alias("gross_amount"),
        pl.col("amount").map_batches(_money_text, return_dtype=pl.String).alias("net_amount"),
        *(t.alias(f) for f, t in text.items()),
        pl.col("_s70_company_number").alias("company_number"),
        pl.col("_s70_expense_type").alias("expense_type"),
        pl.col("_s70_purpose").alias("purpose"),
        pl.col("_source").cast(pl.String).alias("path"),
        pl.col("_row").alias("row"),
    ]
    return over.select(cols), notes
