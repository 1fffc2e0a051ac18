"""``anchorspend payments``: payment performance from invoice and payment exports."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from anchorspend import console
from anchorspend.cli import options, terminal
from anchorspend.cli.guard import guard
from anchorspend.cli.params import (
    DateFormatOpt,
    DebugOpt,
    EncodingOpt,
    GeographyOpt,
    JsonOpt,
    MapOpt,
    OrganisationOpt,
    PaymentPeriodChoice,
    QuietOpt,
    ReceivedFrom,
    SheetOpt,
    StrictOpt,
)

PaymentPeriodOpt = Annotated[
    PaymentPeriodChoice,
    typer.Option(
        help="Reporting periods: half years ending 31 March and 30 September (h1: only "
        "April-September, h2: only October-March), quarters, or financial years."
    ),
]
ReceivedFromOpt = Annotated[
    ReceivedFrom | None,
    typer.Option(
        help="Where an invoice has no received date, use its invoice date (said in a "
        "finding). Without it such invoices are listed as not measured."
    ),
]
S70Opt = Annotated[
    bool,
    typer.Option(
        "--s70",
        help="Also write s70_payments.csv: each payment over £30,000 gross (VAT included), "
        "by quarter (needs --out).",
    ),
]


def payments(
    inputs: Annotated[
        list[Path],
        typer.Argument(
            help="Finance system exports of invoices and payments (CSV, XLSX, XLS, ODS, zip, "
            "Parquet, or folders of them)."
        ),
    ],
    lookup: Annotated[
        list[Path] | None,
        typer.Option(help="Supplier lookup, as for analyse. Repeatable; the first one wins."),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option(help="anchorspend.toml: the payments commencement day, columns, local tiers."),
    ] = None,
    geography: GeographyOpt = None,
    organisation: OrganisationOpt = None,
    map_: MapOpt = None,
    period: PaymentPeriodOpt = PaymentPeriodChoice.half,
    received_from: ReceivedFromOpt = None,
    s70: S70Opt = False,
    out: Annotated[
        Path | None,
        typer.Option(help="Write payments.json, payments.csv, the reports and row lists here."),
    ] = None,
    as_json: JsonOpt = False,
    date_format: DateFormatOpt = None,
    encoding: EncodingOpt = None,
    sheet: SheetOpt = None,
    strict: StrictOpt = False,
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Payment performance: the payments compliance notice's figures (Procurement Act 2023
    s.69, reg 38), reg 113 and PPN 05/15, by supplier type."""

    def body() -> int:
        from anchorspend.errors import UsageError
        from anchorspend.payments_doc import payments as run_payments

        if s70 and out is None:
            raise UsageError("--s70 writes s70_payments.csv", hint="give --out DIR as well")
        read = options.reading(
            organisation=organisation,
            map_=map_,
            encoding=encoding,
            sheet=sheet,
            date_format=date_format,
        )
        rc = options.run_config(config, inputs, lookups=lookup, geography=geography, read=read)
        pc = options.payments_config(rc, period=period, received_from=received_from, s70=s70)
        with console.progress(quiet or as_json) as tick:
            result = run_payments(pc, progress=tick)
        doc = result.document
        if out:
            from anchorspend.outputs import write_payments_outputs

            terminal.wrote(write_payments_outputs(result, out), out, quiet)
        terminal.show(doc, as_json, quiet, terminal.print_payments)
        if not quiet:
            terminal.print_findings(doc["findings"], nowhere="payments")
        return 1 if strict and doc["payments_reconciliation"]["rows_rejected"] else 0

    guard(debug, body)
