"""``anchorspend compare``: a network's members side by side, from one run over their spend."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from anchorspend import console
from anchorspend.cli import options, terminal
from anchorspend.cli.guard import guard
from anchorspend.cli.params import (
    DateRangeOpt,
    DebugOpt,
    EncodingOpt,
    GeographyOpt,
    JsonOpt,
    MapOpt,
    MembersBy,
    Period,
    QuietOpt,
    SheetOpt,
    StoreOpt,
    StrictOpt,
)

ByOpt = Annotated[
    MembersBy,
    typer.Option(
        help="Who is a member: the exports' organisation field, or one INPUT folder each."
    ),
]
MemberOpt = Annotated[
    str | None,
    typer.Option(help="Lead the reports with this member, in the network's context."),
]
ClosePointsOpt = Annotated[
    float | None,
    typer.Option(
        min=0,
        max=100,
        help='A target missed by at most this many points is "close" (or [compare]; 2).',
    ),
]
MinCoverageOpt = Annotated[
    float | None,
    typer.Option(
        min=0,
        max=1,
        help="Rank members only where coverage is at least this share (or [compare]; 0.5).",
    ),
]
PlaceOpt = Annotated[
    bool | None,
    typer.Option(
        "--place/--no-place",
        help="The network row net of payments between members, so a place's spend is "
        "counted once (or [compare] place).",
    ),
]


def compare(
    inputs: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Members' exports (files or folders). With [members] in the config, optional."
        ),
    ] = None,
    store: StoreOpt = None,
    lookup: Annotated[
        list[Path] | None,
        typer.Option(help="Supplier lookup. Repeatable; the first one given wins."),
    ] = None,
    config: Annotated[
        Path | None, typer.Option(help="anchorspend.toml; [members] names each member's files.")
    ] = None,
    geography: GeographyOpt = None,
    by: ByOpt = MembersBy.organisation,
    member: MemberOpt = None,
    map_: MapOpt = None,
    out: Annotated[Path | None, typer.Option(help="Write the reports and data files here.")] = None,
    as_json: JsonOpt = False,
    templates: Annotated[
        Path | None,
        typer.Option(help="Folder with your own compare.html.j2 to use instead of ours."),
    ] = None,
    period: Annotated[Period, typer.Option(help="Periods, as for analyse.")] = Period.quarter,
    close_points: ClosePointsOpt = None,
    min_coverage: MinCoverageOpt = None,
    place: PlaceOpt = None,
    date_range: DateRangeOpt = None,
    encoding: EncodingOpt = None,
    sheet: SheetOpt = None,
    strict: StrictOpt = False,
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Compare a network's members side by side, quarter by quarter."""

    def body() -> int:
        from anchorspend.compare import compare as run_compare

        read = options.reading(map_=map_, encoding=encoding, sheet=sheet, date_range=date_range)
        rc = options.run_config(
            config,
            inputs,
            store=store,
            lookups=lookup,
            geography=geography,
            period=period,
            read=read,
            inputs_from_config=True,
        )
        cc = options.compare_config(
            rc,
            by=by,
            member=member,
            place=place,
            close_points=close_points,
            min_coverage=min_coverage,
        )
        with console.progress(quiet or as_json) as tick:
            result = run_compare(cc, progress=tick)
        doc = result.document
        if out:
            from anchorspend.outputs import write_compare_outputs

            terminal.wrote(write_compare_outputs(result, out, templates), out, quiet)
        terminal.report(doc, as_json, quiet, terminal.print_league)
        return 1 if strict and doc["reconciliation"]["rows_rejected"] else 0

    guard(debug, body)
