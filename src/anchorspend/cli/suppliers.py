"""``anchorspend suppliers``: build supplier lookups from open registers, resolve the
suppliers of spend exports against them, and list those still unmatched."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from anchorspend import console
from anchorspend.cli import options
from anchorspend.cli.guard import guard
from anchorspend.cli.params import DebugOpt, MapOpt
from anchorspend.cli.terminal import pct

if TYPE_CHECKING:
    from anchorspend.suppliers.build import BuildReport
    from anchorspend.suppliers.match import MatchResult

app = typer.Typer(
    help="Supplier lookups: build them from open registers, resolve suppliers, review doubts.",
    no_args_is_help=True,
)
LookupOpt = Annotated[
    list[Path], typer.Option("--lookup", help="Supplier lookup(s), in precedence order.")
]


@app.command("build")
def suppliers_build(
    out: Annotated[Path, typer.Option(help="The lookup to write: .parquet or .csv.")],
    companies_house: Annotated[
        list[Path] | None,
        typer.Option(help="Companies House BasicCompanyData CSV (as published)."),
    ] = None,
    charities: Annotated[
        list[Path] | None,
        typer.Option(help="Charity Commission register extract (publicextract.charity)."),
    ] = None,
    grants: Annotated[
        list[Path] | None, typer.Option(help="360Giving grants file (CSV, XLSX or JSON).")
    ] = None,
    ocds: Annotated[
        list[Path] | None, typer.Option(help="OCDS release or record package (JSON).")
    ] = None,
    contracts: Annotated[
        list[Path] | None,
        typer.Option(help="A buyer's contracts register with SME/VCSE answers (declared)."),
    ] = None,
    manual: Annotated[
        list[Path] | None,
        typer.Option(help="Your own lookup, or a review.csv with accept rows. Always wins."),
    ] = None,
    map_: Annotated[
        list[str] | None,
        typer.Option(
            "--map",
            help='Choose a contracts register column: --map supplier_name="Awarded To" '
            "(fields of the suppliers schema). Repeatable.",
        ),
    ] = None,
    debug: DebugOpt = False,
) -> None:
    """Build one supplier lookup, with evidence for every flag, from open registers."""

    def body() -> int:
        from anchorspend.ingest.mapping import parse_overrides
        from anchorspend.schemas import load as load_schema
        from anchorspend.suppliers.build import Sources, build

        overrides = parse_overrides(list(map_ or ()), load_schema("suppliers"))
        sources = Sources(
            companies_house=tuple(companies_house or ()),
            charities=tuple(charities or ()),
            grants=tuple(grants or ()),
            ocds=tuple(ocds or ()),
            contracts=tuple(contracts or ()),
            manual=tuple(manual or ()),
        )
        with console.progress(False) as tick:
            report = build(sources, out, progress=tick, overrides=overrides)
        _print_build(report)
        return 0

    guard(debug, body)


@app.command("match")
def suppliers_match(
    inputs: Annotated[list[Path], typer.Argument(help="Spend exports or folders.")],
    lookup: LookupOpt,
    out: Annotated[Path, typer.Option(help="Folder for review.csv and match_summary.csv.")] = Path(
        "."
    ),
    map_: MapOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Summary as JSON on stdout.")] = False,
    debug: DebugOpt = False,
) -> None:
    """Resolve every supplier (identifier, exact name) and propose fuzzy candidates for review.

    Candidates are never applied: mark rows `accept` in review.csv, then pass it to
    `suppliers build --manual review.csv`."""

    def body() -> int:
        from anchorspend.outputs import neutralise, write_atomically
        from anchorspend.suppliers.match import match

        result = match(
            options.run_config(None, inputs, lookups=lookup, read=options.reading(map_=map_))
        )
        review = neutralise(result.review, ["supplier", "candidate_name", "candidate_source"])
        unmatched = neutralise(result.unmatched, ["supplier"])
        write_atomically(
            out,
            {
                "review.csv": lambda p: review.write_csv(p),
                "unmatched_suppliers.csv": lambda p: unmatched.write_csv(p),
            },
        )
        if as_json:
            doc = {
                "schema": "anchorspend/match/v1",
                "resolved": result.summary,
                "candidates": result.candidates,
            }
            sys.stdout.write(json.dumps(doc, indent=2) + "\n")
        else:
            _print_match(result, out)
        return 0

    guard(debug, body)


@app.command("unmatched")
def suppliers_unmatched(
    inputs: Annotated[list[Path], typer.Argument(help="Spend exports or folders.")],
    lookup: Annotated[
        list[Path] | None,
        typer.Option(
            "--lookup",
            help="Supplier lookup(s), in precedence order. Without one, every market "
            "supplier is unmatched: the list says which to classify first.",
        ),
    ] = None,
    top: Annotated[int, typer.Option(help="How many suppliers to list.")] = 40,
    map_: MapOpt = None,
    config: Annotated[
        Path | None, typer.Option(help="anchorspend.toml to use ([addressable] exclude).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="As JSON on stdout.")] = False,
    debug: DebugOpt = False,
) -> None:
    """The unclassified market suppliers by spend, with the share of unmatched spend they cover.
    Public bodies, HMRC and pension funds are set aside (and counted): classifying them would
    not change an addressable share."""

    def body() -> int:
        from anchorspend.suppliers.match import match

        rc = options.run_config(config, inputs, lookups=lookup, read=options.reading(map_=map_))
        result = match(rc, keep=0)
        rows = result.top_unmatched(top)
        if as_json:
            doc = {
                "schema": "anchorspend/unmatched/v1",
                "suppliers": rows,
                "set_aside": result.set_aside,
            }
            sys.stdout.write(json.dumps(doc, indent=2) + "\n")
            return 0
        _print_unmatched(rows, result.set_aside)
        return 0

    guard(debug, body)


def _print_build(report: BuildReport) -> None:
    """The build's findings, then what the lookup holds, on stderr."""
    for finding in report.findings:
        where = (finding.path or "contracts register") + (
            f" [{finding.sheet}]" if finding.sheet else ""
        )
        column = f" in {finding.column!r}" if finding.column else ""
        text = f"{where}: {finding.code}{column}: {finding.message}"
        (console.note if finding.severity == "info" else console.warn)(text)
    console.note(f"wrote {report.out}: {report.organisations:,} organisations")
    for flag, levels in report.flags.items():
        if levels:
            console.note(f"  {flag}: " + ", ".join(f"{n:,} {level}" for level, n in levels.items()))
    if report.conflicts:
        console.warn(
            f"{report.conflicts} claims disagree: see "
            f"{report.out.with_suffix('.conflicts.csv')} (the strongest claim was used)"
        )
    if report.aliases:
        console.note(f"  {report.aliases} accepted review rows added as names")


def _print_match(result: MatchResult, out: Path) -> None:
    """How suppliers were resolved, and what review.csv holds, on stderr."""
    console.table(
        "How suppliers were resolved",
        ["resolved by", "spend (£)", "suppliers"],
        [[r["resolved_by"], r["spend"], str(r["suppliers"])] for r in result.summary],
        right={1, 2},
        stderr=True,
    )
    console.note(
        f"wrote {out / 'review.csv'}: {result.candidates} candidate rows for "
        f"{result.suppliers_with_candidates} "
        "suppliers; nothing is applied until you mark rows accept"
    )


def _print_unmatched(rows: list[dict[str, Any]], set_aside: list[dict[str, Any]]) -> None:
    """The unmatched suppliers by spend, and the spend set aside, on stdout."""
    console.table(
        "Unmatched suppliers by spend",
        ["#", "supplier", "spend (£)", "rows", "cumulative"],
        [
            [str(i), r["supplier"], r["spend"], str(r["rows"]), pct(r["cumulative_share"])]
            for i, r in enumerate(rows, start=1)
        ],
        right={0, 2, 3, 4},
    )
    if rows:
        console.line(
            f"classifying these {len(rows)} suppliers covers "
            f"{rows[-1]['cumulative_share']:.0%} of the remaining unmatched spend"
        )
    if set_aside:
        parts = [
            f"{s['payee_kind']} £{s['spend']} ({s['suppliers']:,} suppliers)" for s in set_aside
        ]
        console.line(
            "set aside, not addressable: " + "; ".join(parts) + " (anchorspend analyse "
            "--out writes payees.csv to review; [addressable] exclude in the config)"
        )
