"""``anchorspend analyse``: one run over spend exports (or a store) into the document and its
reports."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from anchorspend import console
from anchorspend.cli import options, terminal
from anchorspend.cli.guard import guard
from anchorspend.cli.params import (
    DateFormatOpt,
    DateRangeOpt,
    DebugOpt,
    EncodingOpt,
    GeographyOpt,
    JsonOpt,
    MapOpt,
    OrganisationOpt,
    Period,
    QuietOpt,
    SheetOpt,
    StoreOpt,
    StrictOpt,
)


def analyse(
    inputs: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Spend exports: CSV, TSV, TXT, XLSX, XLS, ODS, zip, Parquet, or folders of them."
        ),
    ] = None,
    store: StoreOpt = None,
    lookup: Annotated[
        list[Path] | None,
        typer.Option(
            help="Supplier lookup (CSV/XLSX/XLS/ODS/Parquet) with classification flags. "
            "Repeatable; the first one given wins where lookups disagree."
        ),
    ] = None,
    config: Annotated[Path | None, typer.Option(help="anchorspend.toml to use.")] = None,
    geography: GeographyOpt = None,
    organisation: OrganisationOpt = None,
    map_: MapOpt = None,
    out: Annotated[
        Path | None,
        typer.Option(help="Write metrics.json, metrics.csv, rejected_rows.csv and reports here."),
    ] = None,
    as_json: JsonOpt = False,
    templates: Annotated[
        Path | None,
        typer.Option(help="Folder with your own report.html.j2 to use instead of ours."),
    ] = None,
    period: Annotated[
        Period,
        typer.Option(
            help="Periods: financial-year quarters, calendar quarters, months or financial years."
        ),
    ] = Period.quarter,
    date_range: DateRangeOpt = None,
    date_format: DateFormatOpt = None,
    encoding: EncodingOpt = None,
    sheet: SheetOpt = None,
    strict: StrictOpt = False,
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Read spend exports, reconcile every row and pound, and measure the spend."""

    def body() -> int:
        from anchorspend.pipeline import run

        read = options.reading(
            organisation=organisation,
            map_=map_,
            encoding=encoding,
            sheet=sheet,
            date_range=date_range,
            date_format=date_format,
        )
        rc = options.run_config(
            config,
            inputs,
            store=store,
            lookups=lookup,
            geography=geography,
            period=period,
            read=read,
        )
        with console.progress(quiet or as_json) as tick:
            result = run(rc, progress=tick)
        doc = result.document
        if out:
            # the report writers (jinja2, openpyxl) are imported only when reports are written
            from anchorspend.outputs import write_outputs

            terminal.wrote(write_outputs(result, out, templates), out, quiet)
        terminal.report(doc, as_json, quiet, terminal.print_summary)
        return 1 if strict and doc["reconciliation"]["rows_rejected"] else 0

    guard(debug, body)
