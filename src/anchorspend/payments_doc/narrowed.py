"""The rows payments keeps as it reads (:class:`Narrowed`): each batch parsed and cut down to
what payments measures, so a file's text is never all held at once."""

from __future__ import annotations

from collections.abc import Collection

import polars as pl

from anchorspend.ingest.fields import ID_KEYS, RAW_PREFIX, RowOptions
from anchorspend.ingest.frames import detached
from anchorspend.payments.fields import parse_fields
from anchorspend.payments_doc.s70 import S70_THRESHOLD
from anchorspend.spend import PROFILE_COLS, numbered

# what is kept of each row read, besides its organisation and profile (see Narrowed)
KEPT = (
    "_source",
    "_sheet",
    "_row",
    "_status",
    "_reason",
    "amount",
    "payment_date",
    "_date_status",
    "invoice_date",
    "invoice_received_date",
    "due_date",
    "_invoice_date_status",
    "_invoice_received_date_status",
    "_due_date_status",
    "vat_amount",
    "gross_amount",
    "_vat_amount_odd",
    "_gross_amount_odd",
    "disputed",
    "_disputed_odd",
    "status",
    "regime",
    "_status_present",
    "_regime_present",
    RAW_PREFIX + "invoice_id",
)
# a few words each, on every row: held as codes (a string view costs 16 bytes a row)
CODED = (
    "_status",
    "_reason",
    "_date_status",
    "_invoice_date_status",
    "_invoice_received_date_status",
    "_due_date_status",
)
# kept only where s.70 may publish the row (over the threshold), or where it was not analysed
S70_KEPT = ("company_number", "expense_type", "purpose", RAW_PREFIX + "contract_id")
REJECTED_KEPT = ("supplier_name", "_amount_text", "_date_text")


def _rejected_kept() -> list[pl.Expr]:
    """:data:`REJECTED_KEPT`, null on analysed rows."""
    not_analysed = pl.col("_status") != "analysed"
    return [pl.when(not_analysed).then(pl.col(c)).alias(c) for c in REJECTED_KEPT]


class Narrowed:
    """A :class:`~anchorspend.gather.ingested.RowSink`: each batch's canonical rows, as they
    are read, parsed (:func:`~anchorspend.payments.fields.parse_fields`) and reduced to what
    payments measures (:data:`KEPT`), the supplier held as a profile number ``_pid`` (profiles
    numbered across batches as analyse's spend numbers them, identifiers no lookup matches on
    left out), so a file's text is never all held at once."""

    def __init__(self, ids: Collection[str], options: RowOptions, *, s70: bool = False) -> None:
        self.dropped = [c for c in ID_KEYS if c not in ids]
        self.options = options
        self.s70 = s70  # VAT, gross and the publication's fields are read only for s.70
        self.known: pl.DataFrame | None = None
        self.parts: dict[int, list[pl.DataFrame]] = {}

    def add(self, rows: pl.DataFrame, source: int) -> None:
        rows = parse_fields(rows, self.options, money=self.s70)
        kept = rows.select(
            *(pl.col(c).cast(pl.Categorical) if c in CODED else pl.col(c) for c in KEPT),
            # a few names repeated on every row: held once each
            pl.col("organisation").cast(pl.Categorical),
            self._pids(rows).alias("_pid"),
            *self._s70_kept(),
            *_rejected_kept(),
        )
        self.parts.setdefault(source, []).append(detached(kept))

    def _pids(self, rows: pl.DataFrame) -> pl.Series:
        """Each analysed row's profile number (null for the rest), numbering the profiles not
        seen in earlier batches."""
        analysed = rows.get_column("_status") == "analysed"
        profile = rows.filter(analysed).select(
            pl.lit(None, pl.String).alias(c) if c in self.dropped else pl.col(c)
            for c in PROFILE_COLS
        )
        self.known, pid = numbered(self.known, profile, "_pid")
        return pl.repeat(None, rows.height, dtype=pl.UInt32, eager=True).scatter(
            analysed.arg_true(), pid
        )

    def _s70_kept(self) -> list[pl.Expr]:
        """:data:`S70_KEPT` as ``_s70_<field>``, null but where s.70 may publish the row."""
        # whichever way the gross is found later, it is one of these
        gross = pl.coalesce(
            pl.col("gross_amount"), pl.col("amount") + pl.col("vat_amount"), pl.col("amount")
        )
        large = pl.lit(self.s70) & (
            (gross > S70_THRESHOLD) | (pl.col("gross_amount") > S70_THRESHOLD)
        )
        return [
            pl.when(large).then(pl.col(c)).alias(f"_s70_{c.removeprefix(RAW_PREFIX)}")
            for c in S70_KEPT
        ]

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
