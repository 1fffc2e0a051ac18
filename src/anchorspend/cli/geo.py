"""``anchorspend geo``: import the ONS postcode directory into a store, and look postcodes
up in it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from anchorspend import console
from anchorspend.cli.guard import guard
from anchorspend.cli.params import DebugOpt

app = typer.Typer(
    help="Postcode geography: import the ONS directory once, use it offline.", no_args_is_help=True
)


@app.command("import")
def geo_import(
    postcodes: Annotated[
        Path, typer.Argument(help="ONSPD or NSPL CSV as published, or any postcode table.")
    ],
    imd: Annotated[
        Path | None,
        typer.Option(help="English Indices of Deprivation by LSOA (IoD2025 or IoD2019 CSV)."),
    ] = None,
    into: Annotated[Path, typer.Option(help="Folder for the geography store.")] = Path("geo"),
    map_: Annotated[
        list[str] | None,
        typer.Option(
            "--map",
            help="postcode, local_authority_code, region_code, lsoa_code, "
            "ward_code, country_code or terminated = COLUMN. Repeatable.",
        ),
    ] = None,
    debug: DebugOpt = False,
) -> None:
    """Build the geography store: postcode → local authority, region, LSOA, ward; IMD deciles."""

    def body() -> int:
        from anchorspend.geo.importer import import_store

        with console.progress(False) as tick:
            report = import_store(
                postcodes, into, imd=imd, column_map=list(map_ or ()), progress=tick
            )
        console.note(
            f"wrote {report.store}: {report.postcodes:,} postcodes ({report.terminated:,} "
            f"terminated), LSOA {report.lsoa_vintage or 'unknown vintage'}"
            + (f", {report.imd_rows:,} LSOAs of {report.imd_edition}" if report.imd_rows else "")
        )
        console.note("columns: " + ", ".join(f"{k}={v}" for k, v in report.columns.items()))
        return 0

    guard(debug, body)


@app.command("lookup")
def geo_lookup(
    postcodes: Annotated[list[str], typer.Argument(help="Postcodes, as written.")],
    store: Annotated[
        Path | None,
        typer.Option(help="A store from `geo import` (default: the table bundled in anchorspend)."),
    ] = None,
    debug: DebugOpt = False,
) -> None:
    """Show where postcodes are, as anchorspend will read them."""

    def body() -> int:
        from anchorspend.geo.locate import lookup_table

        columns, table = lookup_table(postcodes, store)
        console.table("Postcodes", columns, table, right=set())
        return 0

    guard(debug, body)
