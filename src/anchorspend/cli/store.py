"""``anchorspend store``: read exports once into a Parquet store, and list what it holds."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from anchorspend import console
from anchorspend.cli import options
from anchorspend.cli.guard import guard
from anchorspend.cli.params import (
    DateFormatOpt,
    DateRangeOpt,
    DebugOpt,
    EncodingOpt,
    JsonOpt,
    MapOpt,
    OrganisationOpt,
    QuietOpt,
    SheetOpt,
)

app = typer.Typer(
    help="A store: read each quarter's files once into Parquet, analyse them again and again.",
    no_args_is_help=True,
)
StoreDirOpt = Annotated[Path, typer.Option("--store", help="The store's folder.")]


@app.command("add")
def store_add(
    inputs: Annotated[
        list[Path],
        typer.Argument(help="Spend exports (files or folders), read as `analyse` reads them."),
    ],
    store: StoreDirOpt,
    config: Annotated[
        Path | None, typer.Option(help="anchorspend.toml (organisation, columns, exclusions).")
    ] = None,
    organisation: OrganisationOpt = None,
    map_: MapOpt = None,
    date_range: DateRangeOpt = None,
    date_format: DateFormatOpt = None,
    encoding: EncodingOpt = None,
    sheet: SheetOpt = None,
    replace: Annotated[
        bool,
        typer.Option(help="Swap in a changed file whose path the store already holds."),
    ] = False,
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Read files into the store: every row kept with its status, partitioned by organisation
    and financial-year quarter. A file already in the store (same content) is skipped."""

    def body() -> int:
        from anchorspend.store import add

        read = options.reading(
            organisation=organisation,
            map_=map_,
            encoding=encoding,
            sheet=sheet,
            date_range=date_range,
            date_format=date_format,
        )
        rc = options.run_config(config, inputs, read=read)
        with console.progress(quiet) as tick:
            report = add(store, rc, replace_changed=replace, progress=tick)
        if not quiet:
            for e in report.added:
                console.note(f"added {e['name']}: {e['rows']:,} rows, £{e['amount']}")
            for e in report.replaced:
                console.note(f"replaced {e['name']}: {e['rows']:,} rows, £{e['amount']}")
            for e in report.skipped:
                console.note(f"skipped {e['path']}: already in the store ({e['same_as']})")
        return 0

    guard(debug, body)


@app.command("info")
def store_info(
    store: StoreDirOpt,
    as_json: JsonOpt = False,
    debug: DebugOpt = False,
) -> None:
    """List the files in a store, with their rows and amounts."""

    def body() -> int:
        from anchorspend.store import info

        doc = info(store)
        if as_json:
            sys.stdout.write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
            return 0
        console.table(
            f"{store}: {len(doc['files'])} files, {doc['rows']:,} rows",
            ["file", "rows", "amount (£)", "sha256"],
            [[f["name"], f"{f['rows']:,}", f["amount"], f["sha256"][:16]] for f in doc["files"]],
            right={1, 2},
        )
        return 0

    guard(debug, body)
