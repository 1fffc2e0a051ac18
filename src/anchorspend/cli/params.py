"""The options several commands share, word for word, and the choices they take."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer


class Period(StrEnum):
    quarter = "quarter"
    calendar = "calendar"
    month = "month"
    fy = "fy"


class DateEnd(StrEnum):
    start = "start"
    end = "end"


class MembersBy(StrEnum):
    organisation = "organisation"
    folder = "folder"


class PaymentPeriodChoice(StrEnum):
    half = "half"
    h1 = "h1"
    h2 = "h2"
    quarter = "quarter"
    year = "year"


class ReceivedFrom(StrEnum):
    invoice_date = "invoice-date"


class CheckFormat(StrEnum):
    text = "text"
    github = "github"


DebugOpt = Annotated[bool, typer.Option("--debug", help="Show the Python traceback on errors.")]
EncodingOpt = Annotated[
    str | None,
    typer.Option(help="Text encoding of CSV inputs (default: detected). E.g. cp1252, utf-16."),
]
SheetOpt = Annotated[
    str | None,
    typer.Option(
        help="The exports' workbook sheet (XLSX, XLS, ODS), by name or 1-based number "
        "(default: detected); '*' reads every sheet. Lookups are always found by their header."
    ),
]
JsonOpt = Annotated[
    bool, typer.Option("--json", help="Print the machine document to stdout and nothing else.")
]
GeographyOpt = Annotated[
    Path | None,
    typer.Option(help="Geography store from `anchorspend geo import` (or [geography] store)."),
]
StrictOpt = Annotated[bool, typer.Option(help="Exit 1 when any row is rejected.")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress or summary on stderr.")]
OrganisationOpt = Annotated[str | None, typer.Option(help="Credit every row to this organisation.")]
DateRangeOpt = Annotated[
    DateEnd | None,
    typer.Option(
        help="For dates that are periods ('July 2010-September 2010'): use the start or the "
        "end. Without it such rows are rejected."
    ),
]
DateFormatOpt = Annotated[
    str | None,
    typer.Option(help="strftime format tried first for payment dates, e.g. %m/%d/%Y."),
]
StoreOpt = Annotated[
    Path | None,
    typer.Option(
        "--store",
        help="Analyse the rows kept in a store (`anchorspend store add`) instead of INPUT files.",
    ),
]
MapOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--map", help='Map a canonical field to a header: --map amount="Net Value". Repeatable.'
    ),
]
