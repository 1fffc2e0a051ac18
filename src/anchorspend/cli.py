"""The ``anchorspend`` command: parse, call the library, render, choose the exit code.

Library errors are translated here, in one place: :class:`AnchorspendError` → exit 3 (2 for
usage errors) with the message, where, and the fix; never a traceback unless ``--debug``.
"""

from __future__ import annotations

import json
import sys
import traceback
from collections.abc import Callable, Sequence
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from anchorspend import __version__, console
from anchorspend.errors import AnchorspendError, Terminated

app = typer.Typer(
    name="anchorspend",
    help="How much of an anchor institution's spend reaches local businesses, SMEs, VCSEs and "
    "diverse-led suppliers, reconciled to the penny.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

T = TypeVar("T")


class Period(StrEnum):
    quarter = "quarter"
    calendar = "calendar"
    month = "month"
    fy = "fy"


class DateEnd(StrEnum):
    start = "start"
    end = "end"


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
# options analyse and compare share, word for word
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


def _guard(debug: bool, body: Callable[[], int]) -> None:
    """Run a command body; turn errors into messages and exit codes."""
    try:
        code = body()
    except AnchorspendError as exc:
        if debug:
            traceback.print_exc()
        console.error(exc.render())
        raise typer.Exit(exc.exit_code) from None
    except KeyboardInterrupt as exc:  # Ctrl-C, or SIGTERM while writing outputs (Terminated)
        console.error("terminated" if isinstance(exc, Terminated) else "interrupted")
        raise typer.Exit(getattr(exc, "exit_code", 130)) from None
    except Exception as exc:  # our bug, not the user's data
        if debug:
            traceback.print_exc()
        console.error(
            f"anchorspend failed unexpectedly: {type(exc).__name__}: {exc}\n"
            "  this is a bug in anchorspend; run again with --debug and report the "
            "traceback"
        )
        raise typer.Exit(3) from None
    raise typer.Exit(code)


@app.command()
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
        from anchorspend import config as config_mod
        from anchorspend.pipeline import RunConfig, document_json, run

        reading = _reading(organisation, map_, encoding, sheet, date_range, date_format)
        _inputs_or_store(inputs, store, reading)
        cfg = config_mod.load(config) if config else config_mod.Config()
        rc = RunConfig(
            inputs=tuple(inputs or ()),
            store=store,
            lookups=tuple(lookup or ()),
            geography=geography,
            config=cfg,
            period=period.value,
            **reading,
        )
        with console.progress(quiet or as_json) as tick:
            result = run(rc, progress=tick)
        doc = result.document
        if out:
            # the report writers (jinja2, openpyxl) are imported only when reports are written
            from anchorspend.outputs import write_outputs
            from anchorspend.report_md import render

            written = write_outputs(result, out, render(doc), templates)
            if not quiet:
                console.note(f"wrote {len(written)} files to {out}")
        if as_json:
            sys.stdout.write(document_json(doc))
        elif not quiet:
            _print_summary(doc)
        if not quiet:
            _print_not_measured(doc)
            _print_findings(doc["findings"])
        rejected = doc["reconciliation"]["rows_rejected"]
        return 1 if strict and rejected else 0

    _guard(debug, body)


def _reading(
    organisation: str | None,
    map_: list[str] | None,
    encoding: str | None,
    sheet: str | None,
    date_range: DateEnd | None,
    date_format: str | None,
) -> dict[str, Any]:
    """The RunConfig fields that say how files are read, as analyse, compare and store add
    take them from their options (keys in the order of _READING_FLAGS)."""
    return {
        "organisation": organisation,
        "column_map": tuple(map_ or ()),
        "date_range": date_range.value if date_range else None,
        "date_format": date_format,
        "encoding": encoding,
        "sheet": sheet,
    }


# each reading field's option, for saying which of them a --store run was given
_READING_FLAGS = {
    "organisation": "--organisation",
    "column_map": "--map",
    "date_range": "--date-range",
    "date_format": "--date-format",
    "encoding": "--encoding",
    "sheet": "--sheet",
}


def _inputs_or_store(
    inputs: list[Path] | None, store: Path | None, reading: dict[str, Any]
) -> None:
    """INPUT files or --store, not both; options about reading files don't apply to a store
    (they applied when its files were added)."""
    from anchorspend.errors import UsageError

    if store is None:
        if not inputs:
            raise UsageError(
                "nothing to analyse",
                hint="give INPUT files or folders, or --store DIR (from `anchorspend store add`)",
            )
        return
    if inputs:
        raise UsageError(
            "give INPUT files or --store, not both",
            hint=f"add the files to the store first: anchorspend store add FILES --store {store}",
        )
    given = [_READING_FLAGS[name] for name, value in reading.items() if value]
    if given:
        raise UsageError(
            f"{', '.join(given)} {'applies' if len(given) == 1 else 'apply'} when files are "
            "read; a store's rows were read when "
            "they were added",
            hint="give it to `anchorspend store add` (with --replace to read a file again)",
        )


def _pct(value: object) -> str:
    return "–" if value is None else f"{value:.1%}"


def _shown(m: dict[str, Any], key: str) -> str:
    """A metric's share for the terminal: "unknown" where none of the spend could be classified
    (coverage 0), for there 0% of total does not mean "none"."""
    from anchorspend.glance import shown_share

    share = shown_share(m, key)
    return share if isinstance(share, str) else _pct(share)


def _target_text(m: dict[str, Any]) -> str:
    if m["target"] is None:
        return ""
    met = {True: "met", False: "missed", None: "unknown"}[m["target_met"]]
    of = " of addressable" if m.get("target_basis") == "addressable" else ""
    return f"{m['target']:.0%}{of} {met}"


def _print_summary(doc: dict[str, Any]) -> None:
    """The reconciliation, then each organisation's measures for the whole input, on stderr."""
    from anchorspend.glance import NOT_CLASSIFICATIONS

    rec = doc["reconciliation"]
    console.table(
        "Reconciliation",
        ["", "rows", "amount (£)"],
        [
            [s, f"{rec[f'rows_{s}']:,}", rec[f"amount_{s}"]]
            for s in ("read", "analysed", "excluded", "rejected")
        ],
        right={1, 2},
        stderr=True,
    )
    for org in dict.fromkeys(m["organisation"] for m in doc["metrics"]):
        rows = [
            [
                m["measure"],
                m["spend"],
                _shown(m, "share_of_total"),
                _shown(m, "share_of_addressable"),
                _shown(m, "share_of_known"),
                "" if m["measure"] in NOT_CLASSIFICATIONS else _pct(m["coverage"]),
                f"{m['suppliers']:,}",
                _target_text(m),
            ]
            for m in doc["metrics"]
            if m["organisation"] == org and m["period"] == "all"
        ]
        console.table(
            f"{'All organisations' if org == '(all)' else org}: whole period",
            ["measure", "spend (£)", "of total", "of addressable", "of known", "coverage",
             "suppliers", "target"],
            rows,
            right={1, 2, 3, 4, 5, 6},
            stderr=True,
        )  # fmt: skip
    for row in doc.get("addressable", {}).get("by_period", []):
        if row["period"] == "all" and row["set_aside_spend"] != "0.00":
            kinds = ", ".join(
                f"{k} £{row[f'{k}_spend']}"
                for k in doc["addressable"]["set_aside"]
                if row[f"{k}_spend"] != "0.00"
            )
            console.note(
                f"{row['organisation']}: addressable spend £{row['addressable_spend']} of "
                f"£{row['total_spend']}; set aside {kinds} (payees.csv lists who is which)"
            )


def _print_not_measured(doc: dict[str, Any]) -> None:
    """Once, on stderr: the measures this run could not give, and the command that would."""
    from anchorspend.glance import labels

    glance = doc.get("glance") or {}
    for n in glance.get("not_measured", []):
        console.note(
            f"{labels(n['measures'])} cannot be measured: {n['reason']}. "
            f"`{n['command']}` {n['then']}."
        )


def _print_findings(findings: object, nowhere: str = "lookups") -> None:
    """Warnings and errors on stderr; ``nowhere`` stands for a finding of no file."""
    assert isinstance(findings, list)
    for f in findings:
        if f["severity"] == "info":
            continue
        where = (f["path"] or nowhere) + (f" [{f['sheet']}]" if f["sheet"] else "")
        rows = ", ".join(str(r) for r in f["rows"])
        col = f" in {f['column']}" if f["column"] else ""
        many = (
            f"{f['count']} rows, e.g. rows {rows}: "
            if f["count"] > 1 and rows
            else (f"row {rows}: " if rows else "")
        )
        text = f"{where}: {f['code']}{col}: {many}{f['message']}"
        (console.warn if f["severity"] == "warning" else console.error)(text)


class MembersBy(StrEnum):
    organisation = "organisation"
    folder = "folder"


@app.command()
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
    by: Annotated[
        MembersBy,
        typer.Option(
            help="Who is a member: the exports' organisation field, or one INPUT folder each."
        ),
    ] = MembersBy.organisation,
    member: Annotated[
        str | None,
        typer.Option(help="Lead the reports with this member, in the network's context."),
    ] = None,
    map_: MapOpt = None,
    out: Annotated[Path | None, typer.Option(help="Write the reports and data files here.")] = None,
    as_json: JsonOpt = False,
    templates: Annotated[
        Path | None,
        typer.Option(help="Folder with your own compare.html.j2 to use instead of ours."),
    ] = None,
    period: Annotated[Period, typer.Option(help="Periods, as for analyse.")] = Period.quarter,
    close_points: Annotated[
        float | None,
        typer.Option(
            min=0,
            max=100,
            help='A target missed by at most this many points is "close" (or [compare]; 2).',
        ),
    ] = None,
    min_coverage: Annotated[
        float | None,
        typer.Option(
            min=0,
            max=1,
            help="Rank members only where coverage is at least this share (or [compare]; 0.5).",
        ),
    ] = None,
    place: Annotated[
        bool | None,
        typer.Option(
            "--place/--no-place",
            help="The network row net of payments between members, so a place's spend is "
            "counted once (or [compare] place).",
        ),
    ] = None,
    date_range: DateRangeOpt = None,
    encoding: EncodingOpt = None,
    sheet: SheetOpt = None,
    strict: StrictOpt = False,
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Compare a network's members side by side, quarter by quarter."""

    def body() -> int:
        from anchorspend import config as config_mod
        from anchorspend.compare import CompareConfig
        from anchorspend.compare import compare as run_compare
        from anchorspend.pipeline import RunConfig, document_json

        reading = _reading(None, map_, encoding, sheet, date_range, None)
        if store is not None:  # without one, INPUT may be empty: [members] names the files
            _inputs_or_store(inputs, store, reading)
        cfg = config_mod.load(config) if config else config_mod.Config()
        rc = RunConfig(
            inputs=tuple(inputs or ()),
            store=store,
            lookups=tuple(lookup or ()),
            geography=geography,
            config=cfg,
            period=period.value,
            **reading,
        )
        thresholds = {
            "close_points": close_points if close_points is not None else cfg.close_points,
            "min_coverage": min_coverage if min_coverage is not None else cfg.min_coverage,
        }
        cc = CompareConfig(
            run=rc,
            by=by.value,
            member=member,
            place=cfg.place if place is None else place,
            **{k: v for k, v in thresholds.items() if v is not None},
        )
        with console.progress(quiet or as_json) as tick:
            result = run_compare(cc, progress=tick)
        doc = result.document
        if out:
            from anchorspend.outputs import write_compare_outputs

            written = write_compare_outputs(result, out, templates)
            if not quiet:
                console.note(f"wrote {len(written)} files to {out}")
        if as_json:
            sys.stdout.write(document_json(doc))
        elif not quiet:
            _print_league(doc)
        if not quiet:
            _print_not_measured(doc)
            _print_findings(doc["findings"])
        return 1 if strict and doc["reconciliation"]["rows_rejected"] else 0

    _guard(debug, body)


class PaymentPeriodChoice(StrEnum):
    half = "half"
    h1 = "h1"
    h2 = "h2"
    quarter = "quarter"
    year = "year"


class ReceivedFrom(StrEnum):
    invoice_date = "invoice-date"


@app.command()
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
    period: Annotated[
        PaymentPeriodChoice,
        typer.Option(
            help="Reporting periods: half years ending 31 March and 30 September (h1: only "
            "April-September, h2: only October-March), quarters, or financial years."
        ),
    ] = PaymentPeriodChoice.half,
    received_from: Annotated[
        ReceivedFrom | None,
        typer.Option(
            help="Where an invoice has no received date, use its invoice date (said in a "
            "finding). Without it such invoices are listed as not measured."
        ),
    ] = None,
    s70: Annotated[
        bool,
        typer.Option(
            "--s70",
            help="Also write s70_payments.csv: each payment over £30,000 gross (VAT included), "
            "by quarter (needs --out).",
        ),
    ] = False,
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
        from anchorspend import config as config_mod
        from anchorspend.errors import UsageError
        from anchorspend.payments_doc import PaymentsConfig
        from anchorspend.payments_doc import payments as run_payments
        from anchorspend.pipeline import RunConfig, document_json

        if s70 and out is None:
            raise UsageError("--s70 writes s70_payments.csv", hint="give --out DIR as well")
        cfg = config_mod.load(config) if config else config_mod.Config()
        rc = RunConfig(
            inputs=tuple(inputs),
            lookups=tuple(lookup or ()),
            geography=geography,
            config=cfg,
            **_reading(organisation, map_, encoding, sheet, None, date_format),
        )
        pc = PaymentsConfig(
            run=rc,
            period=period.value,
            received_from_invoice=received_from is ReceivedFrom.invoice_date,
            s70=s70,
        )
        with console.progress(quiet or as_json) as tick:
            result = run_payments(pc, progress=tick)
        doc = result.document
        if out:
            from anchorspend.outputs import write_payments_outputs

            written = write_payments_outputs(result, out)
            if not quiet:
                console.note(f"wrote {len(written)} files to {out}")
        if as_json:
            sys.stdout.write(document_json(doc))
        elif not quiet:
            _print_payments(doc)
        if not quiet:
            _print_findings(doc["findings"], nowhere="payments")
        return 1 if strict and doc["payments_reconciliation"]["rows_rejected"] else 0

    _guard(debug, body)


def _print_payments(doc: dict[str, Any]) -> None:
    """The reconciliation, then the notice's figures per organisation and period, on stderr."""
    rec = doc["payments_reconciliation"]
    console.table(
        "Reconciliation",
        ["", "rows", "amount (£)"],
        [
            [s.replace("_", " "), f"{rec[f'rows_{s}']:,}", rec[f"amount_{s}"]]
            for s in ("read", "measured", "not_measured", "outside", "excluded", "rejected")
        ],
        right={1, 2},
        stderr=True,
    )
    for p in doc["payments"]:
        if p["supplier_type"] != "all":
            continue
        types = [q for q in doc["payments"] if q["organisation"] == p["organisation"]
                 and q["period_start"] == p["period_start"]]  # fmt: skip
        console.table(
            f"{p['organisation']}: {p['period_start']} to {p['period_end']}",
            [
                "suppliers",
                "paid",
                "£",
                "avg days",
                "1-30",
                "31-60",
                "61+",
                "due unpaid",
                "in 30 (all)",
            ],
            [
                [
                    q["supplier_type"],
                    f"{q['paid_count']:,}",
                    q["paid_value"],
                    "–" if q["average_days_to_pay"] is None else f"{q['average_days_to_pay']:.2f}",
                    _pct(q["share_paid_1_30"]),
                    _pct(q["share_paid_31_60"]),
                    _pct(q["share_paid_61_plus"]),
                    _pct(q["due_not_paid_share"]),
                    _pct(q["within_30_share"]),
                ]
                for q in types
            ],
            right={1, 2, 3, 4, 5, 6, 7, 8},
            stderr=True,
        )


def _print_league(doc: dict[str, Any]) -> None:
    """The reconciliation, then for the whole period each measure's members in rank order; a
    measure none of whose spend could be classified gets one line saying so instead."""
    _print_summary({**doc, "metrics": []})
    network = doc["network"]
    for entry in network["league"]:
        if entry["period"] != "all":
            continue
        every = [*entry["members"], *([entry["network"]] if entry["network"] else [])]
        if all(not m["coverage"] for m in every):
            console.note(
                f"{entry['measure']}: whole period: unknown for every member: none of the "
                "spend could be classified"
            )
            continue
        rows = [
            [
                "" if m["rank"] is None else str(m["rank"]),
                m["member"] + (" ◀" if m["member"] == network["focus"] else ""),
                _shown({**m, "measure": entry["measure"]}, "share_of_total"),
                _pct(m["coverage"]),
                m["spend"],
            ]
            for m in entry["members"]
        ]
        if entry["network"]:
            n = {**entry["network"], "measure": entry["measure"]}
            rows.append(["", "Network", _shown(n, "share_of_total"), _pct(n["coverage"]),
                         n["spend"]])  # fmt: skip
        console.table(
            f"{entry['measure']}: whole period",
            ["rank", "member", "of total", "coverage", "spend (£)"],
            rows,
            right={0, 2, 3, 4},
            stderr=True,
        )


@app.command()
def check(
    files: Annotated[
        list[Path],
        typer.Argument(help="Spend exports or supplier lookup files, or folders of them."),
    ],
    schema: Annotated[
        str | None,
        typer.Option(
            help="Schema name (spend, payments, suppliers) or a Table Schema .json file. Default: "
            "detected (a spend file with invoice received, due or invoice dates is payments)."
        ),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Every finding as JSON on stdout.")
    ] = False,
    fmt: Annotated[
        CheckFormat, typer.Option("--format", help="text, or github for ::error annotations.")
    ] = CheckFormat.text,
    map_: MapOpt = None,
    encoding: EncodingOpt = None,
    sheet: SheetOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Validate files against the bundled schemas. Exit 0 clean, 1 errors found, 3 unreadable."""

    def body() -> int:
        from anchorspend.check import check as run_check
        from anchorspend.ingest.sources import ReadOptions

        report = run_check(
            list(files),
            schema=schema,
            column_map=list(map_ or ()),
            options=ReadOptions(encoding=encoding, sheet=sheet),
        )
        findings = report.findings
        if as_json:
            doc = {
                "schema": "anchorspend/check/v1",
                "valid": report.errors == 0,
                "files": [
                    {"path": f.path, "schema": f.schema, "rows": f.rows, "mapping": f.mapping}
                    for f in report.files
                ],
                "findings": findings.to_dicts(),
            }
            sys.stdout.write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
        elif fmt is CheckFormat.github:
            for rec in findings.iter_rows(named=True):
                if rec["severity"] == "info":
                    continue
                level = "error" if rec["severity"] == "error" else "warning"
                loc = f"file={_gh(rec['path'].split('!')[0])}"
                if rec["row"] is not None and not rec["sheet"]:
                    loc += f",line={rec['row']}"
                col = f" in {rec['column']}" if rec["column"] else ""
                val = f" (value: {rec['value']!r})" if rec["value"] is not None else ""
                console.line(
                    f"::{level} {loc}::{_gh(rec['code'] + col + ': ' + rec['message'] + val)}"
                )
        else:
            _print_check_text(report.files, findings)
        return 1 if report.errors else 0

    _guard(debug, body)


def _gh(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _print_check_text(files: Sequence[Any], findings: Any) -> None:
    import polars as pl

    assert isinstance(findings, pl.DataFrame)
    for f in files:
        read = ", ".join(
            f"{field} ← {m['header']!r} ({m['column']}, {m['basis']})"
            for field, m in f.mapping.items()
        )
        console.line(f"{f.path}: {f.schema}, {f.rows:,} rows; columns: {read}")
    grouped = findings.group_by("path", "code", "column", "severity", maintain_order=True).agg(
        pl.len().alias("n"),
        pl.col("row").drop_nulls().head(3).alias("rows"),
        pl.col("message").first(),
    )
    for rec in grouped.iter_rows(named=True):
        col = f" in {rec['column']}" if rec["column"] else ""
        rows = ", ".join(str(r) for r in rec["rows"])
        eg = f", e.g. rows {rows}" if rows else ""
        console.line(
            f"{rec['path']}: {rec['severity']}: {rec['code']}{col}: {rec['n']} "
            f"{'row' if rec['n'] == 1 else 'rows'}{eg} — {rec['message']}"
        )
    errors = int((findings.get_column("severity") == "error").sum())
    console.line(f"{len(files)} file(s) checked: {errors} error(s)" + ("" if errors else ", valid"))


STARTER = """\
# anchorspend configuration. Every key is optional; delete what you do not need.
# Docs: README.md. Unknown keys are an error, so a typo cannot go unnoticed.

# Credit every row to this organisation (otherwise: the export's organisation column,
# else the file name).
# organisation = "Trafford Council"

[organisations]
# the name an export uses = the name to report under (merge spellings, tidy capitals).
# "CABINET OFFICE" = "Cabinet Office"

[columns]
# canonical field = header in your export, when anchorspend cannot find it by itself.
# supplier_name = "Supplier ID(T)"
# amount = "Net Value"

[local.tiers]
# measure "local:<tier>" for each tier; the first tier is also "local". Entries are local
# authority codes, region codes or region names.
# "Trafford" = ["E08000009"]
# "North West" = ["E12000002"]

[geography]
# store = "geo"              # written by `anchorspend geo import ONSPD.csv --imd IMD.csv`
# deprived_decile_max = 2    # measure "deprived": supplier LSOA in IMD deciles 1..2

[compare]
# close_points = 2           # a target missed by at most this many percentage points is "close"
# min_coverage = 0.5         # members whose classification coverage is lower are not ranked
# place = false              # true: the network row net of payments between members

[payments]
# commencement = 2026-01-01  # `anchorspend payments`: the first reporting period starts here

[targets]
# share_of_total targets per measure, between 0 and 1.
# sme = 0.30
# vcse = 0.05

# Rows matching a rule are excluded from analysed spend and counted under its name.
# Patterns are regular expressions on supplier (supplier_name), expense_type, supplier_id,
# category or description (purpose); all patterns given in one rule must match.
# [[exclude]]
# name = "tax-and-pensions"
# supplier = "(?i)^(hmrc|hm revenue|.*pension fund)"
"""


@app.command()
def init(
    directory: Annotated[Path, typer.Argument(help="Where to write anchorspend.toml.")] = Path("."),
    force: Annotated[bool, typer.Option(help="Overwrite an existing file.")] = False,
    debug: DebugOpt = False,
) -> None:
    """Write a commented starter anchorspend.toml."""

    def body() -> int:
        target = directory / "anchorspend.toml"
        if target.exists() and not force:
            raise AnchorspendError(
                "already exists", path=str(target), hint="--force to overwrite it"
            )
        directory.mkdir(parents=True, exist_ok=True)
        target.write_text(STARTER, encoding="utf-8")
        console.note(f"wrote {target}")
        return 0

    _guard(debug, body)


@app.command()
def schema(
    name: Annotated[str | None, typer.Argument(help="spend or suppliers; omit to list.")] = None,
    debug: DebugOpt = False,
) -> None:
    """List the bundled Table Schemas, or print one."""

    def body() -> int:
        from anchorspend import schemas

        if name is None:
            for n in schemas.available():
                s = schemas.load(n)
                console.line(
                    f"{n}: {s.raw.get('title', '')} ({len(s.fields)} fields; required: "
                    f"{', '.join(s.required)})"
                )
            return 0
        s = schemas.load(name)
        sys.stdout.write(json.dumps(s.raw, indent=2, ensure_ascii=False) + "\n")
        return 0

    _guard(debug, body)


geo_app = typer.Typer(
    help="Postcode geography: import the ONS directory once, use it offline.", no_args_is_help=True
)
app.add_typer(geo_app, name="geo")


@geo_app.command("import")
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
        from anchorspend.geo import import_store

        with console.progress(False) as tick:
            report = import_store(postcodes, into, imd=imd, column_map=list(map_ or ()),
                                  progress=tick)  # fmt: skip
        console.note(
            f"wrote {report.store}: {report.postcodes:,} postcodes ({report.terminated:,} "
            f"terminated), LSOA {report.lsoa_vintage or 'unknown vintage'}"
            + (f", {report.imd_rows:,} LSOAs of {report.imd_edition}" if report.imd_rows else "")
        )
        console.note("columns: " + ", ".join(f"{k}={v}" for k, v in report.columns.items()))
        return 0

    _guard(debug, body)


@geo_app.command("lookup")
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
        from anchorspend.geo import bundled_store, lookup, open_store

        rows = lookup(postcodes, bundled_store() if store is None else open_store(store))
        cols = [c for c in rows.columns if c != "written"]
        table = [
            [str(r[0]), *("" if v is None else str(v) for v in r[1:])]
            for r in rows.select("written", *cols).iter_rows()
        ]
        console.table("Postcodes", ["written", *cols], table, right=set())
        return 0

    _guard(debug, body)


store_app = typer.Typer(
    help="A store: read each quarter's files once into Parquet, analyse them again and again.",
    no_args_is_help=True,
)
app.add_typer(store_app, name="store")
StoreDirOpt = Annotated[Path, typer.Option("--store", help="The store's folder.")]


@store_app.command("add")
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
        from anchorspend import config as config_mod
        from anchorspend.pipeline import RunConfig
        from anchorspend.store import add

        cfg = config_mod.load(config) if config else config_mod.Config()
        rc = RunConfig(
            inputs=tuple(inputs),
            config=cfg,
            **_reading(organisation, map_, encoding, sheet, date_range, date_format),
        )
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

    _guard(debug, body)


@store_app.command("info")
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

    _guard(debug, body)


suppliers_app = typer.Typer(
    help="Supplier lookups: build them from open registers, resolve suppliers, review doubts.",
    no_args_is_help=True,
)
app.add_typer(suppliers_app, name="suppliers")
LookupOpt = Annotated[
    list[Path], typer.Option("--lookup", help="Supplier lookup(s), in precedence order.")
]


@suppliers_app.command("build")
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
        from anchorspend.ingest.header import parse_overrides
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
                console.note(
                    f"  {flag}: " + ", ".join(f"{n:,} {level}" for level, n in levels.items())
                )
        if report.conflicts:
            console.warn(
                f"{report.conflicts} claims disagree: see "
                f"{report.out.with_suffix('.conflicts.csv')} (the strongest claim was used)"
            )
        if report.aliases:
            console.note(f"  {report.aliases} accepted review rows added as names")
        return 0

    _guard(debug, body)


@suppliers_app.command("match")
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
        from anchorspend.pipeline import RunConfig
        from anchorspend.suppliers.match import match

        rc = RunConfig(inputs=tuple(inputs), lookups=tuple(lookup), column_map=tuple(map_ or ()))
        result = match(rc)
        review = neutralise(result.review, ["supplier", "candidate_name", "candidate_source"])
        write_atomically(out, {
            "review.csv": lambda p: review.write_csv(p),
            "unmatched_suppliers.csv": lambda p: neutralise(result.unmatched, ["supplier"])
            .write_csv(p),
        })  # fmt: skip
        if as_json:
            doc = {"schema": "anchorspend/match/v1", "resolved": result.summary,
                   "candidates": result.review.height}  # fmt: skip
            sys.stdout.write(json.dumps(doc, indent=2) + "\n")
        else:
            console.table(
                "How suppliers were resolved",
                ["resolved by", "spend (£)", "suppliers"],
                [[r["resolved_by"], r["spend"], str(r["suppliers"])] for r in result.summary],
                right={1, 2},
                stderr=True,
            )
            console.note(
                f"wrote {out / 'review.csv'}: {result.review.height} candidate rows for "
                f"{_count_first(result)} "
                "suppliers; nothing is applied until you mark rows accept"
            )
        return 0

    _guard(debug, body)


def _count_first(result: Any) -> int:
    return int((result.review.get_column("rank") == 1).sum()) if result.review.height else 0


@suppliers_app.command("unmatched")
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
        from anchorspend import config as config_mod
        from anchorspend.pipeline import RunConfig
        from anchorspend.suppliers.match import match

        cfg = config_mod.load(config) if config else config_mod.Config()
        rc = RunConfig(
            inputs=tuple(inputs),
            lookups=tuple(lookup or ()),
            column_map=tuple(map_ or ()),
            config=cfg,
        )
        result = match(rc, keep=0)
        rows = result.unmatched.head(top).to_dicts()
        if as_json:
            doc = {
                "schema": "anchorspend/unmatched/v1",
                "suppliers": rows,
                "set_aside": result.set_aside,
            }
            sys.stdout.write(json.dumps(doc, indent=2) + "\n")  # fmt: skip
            return 0
        console.table(
            "Unmatched suppliers by spend",
            ["#", "supplier", "spend (£)", "rows", "cumulative"],
            [[str(i), r["supplier"], r["spend"], str(r["rows"]), _pct(r["cumulative_share"])]
             for i, r in enumerate(rows, start=1)],
            right={0, 2, 3, 4},
        )  # fmt: skip
        if rows:
            console.line(
                f"classifying these {len(rows)} suppliers covers "
                f"{rows[-1]['cumulative_share']:.0%} of the remaining unmatched spend"
            )
        if result.set_aside:
            parts = [
                f"{s['payee_kind']} £{s['spend']} ({s['suppliers']:,} suppliers)"
                for s in result.set_aside
            ]
            console.line(
                "set aside, not addressable: " + "; ".join(parts) + " (anchorspend analyse "
                "--out writes payees.csv to review; [addressable] exclude in the config)"
            )
        return 0

    _guard(debug, body)


def _version(value: bool) -> None:
    if value:
        console.line(f"anchorspend {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """How much of an anchor institution's spend reaches local businesses, SMEs, VCSEs and
    diverse-led suppliers, reconciled to the penny."""


def main() -> None:
    app()
