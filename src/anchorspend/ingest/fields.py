"""The canonical spend fields in groups, the options a source's rows are read with
(:class:`RowOptions`), and who a source's rows are credited to when no cell names an
organisation."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath

import polars as pl

from anchorspend.config import ExcludeRule
from anchorspend.normalise import DateRange

TEXT_FIELDS = ("expense_type", "expense_area", "category", "purpose", "supplier_postcode")
FLAG_FIELDS = ("is_sme", "is_vcse", "is_diverse_led")
# identifiers a supplier may be matched by, strongest first, and with the name all of them
ID_KEYS = ("company_number", "charity_number", "vat_number", "supplier_id")
SUPPLIER_COLS = ("supplier_name", *ID_KEYS)
RAW_PREFIX = "_raw_"
FOLDER_NOTE = "organisation-from-folder"


@dataclass(frozen=True, slots=True)
class RowOptions:
    organisation: str | None = None
    # where the source has no organisation column: the INPUT folder it was found in (its
    # files are one organisation), else None for the file's own name
    folder: str | None = None
    date_range: DateRange | None = None
    date_format: str | None = None
    exclude: tuple[ExcludeRule, ...] = ()
    # a payments export (``anchorspend payments``): a row with no payment date is an invoice not
    # paid yet, not a rejection; and these further fields ride along as their cells' text, in
    # columns named ``_raw_<field>``, for the payments stage to parse
    undated_ok: bool = False
    carry: tuple[str, ...] = ()


def default_organisation(display: str, options: RowOptions) -> str:
    """Who a source's rows are credited to when nothing names an organisation: the INPUT
    folder the source was found in, else the file's name."""
    return options.folder or organisation_from_name(display)


def organisation_from_name(display: str) -> str:
    return PurePath(display.rsplit("!", 1)[-1]).stem


def fill_organisation(
    frame: pl.DataFrame, named: pl.DataFrame, source: str, options: RowOptions
) -> pl.DataFrame:
    """Rows with a blank organisation cell (a footer row, say) take the organisation named on
    most rows of the source (``named``: ``organisation``, ``count``, summed over its batches;
    the alphabetically first among equals), else the file name."""
    totals = named.group_by("organisation").agg(pl.col("count").sum())
    most = totals.filter(pl.col("count") == pl.col("count").max()).sort("organisation")
    usual = most.item(0, "organisation") if most.height else None
    return frame.with_columns(
        pl.coalesce(
            "organisation",
            pl.lit(usual, pl.String),
            pl.lit(default_organisation(source, options)),
        )
    )
